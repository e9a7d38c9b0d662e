package org.txcounter.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Waiting in tests for something another thread or process does: polls a condition every 50 ms, never sleeps a
 * fixed time, and fails naming what it waited for when the limit passes. The one way the suites wait.
 */
public final class Await {

    private static final long POLL_MILLIS = 50;

    private Await() {
    }

    /** Polls {@code condition} until it holds; fails when {@code limit} passes first. */
    public static void awaitUpTo(Duration limit, BooleanSupplier condition) throws InterruptedException {
        awaitUpTo(limit, "the condition", condition);
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} when {@code limit} passes first. */
    public static void awaitUpTo(Duration limit, String what, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited %s for: %s", limit, what).isLessThan(deadline);
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * Reads {@code value} until {@code done} accepts it, and returns that value; fails naming {@code what} and the
     * last value read when {@code limit} passes first. For conditions that need I/O (an HTTP answer, a file).
     */
    public static <T> T awaitValue(Duration limit, String what, Callable<T> value, Predicate<T> done)
            throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        T last = value.call();
        while (!done.test(last)) {
            assertThat(System.nanoTime()).as("waited %s for: %s; last: %s", limit, what, last).isLessThan(deadline);
            Thread.sleep(POLL_MILLIS);
            last = value.call();
        }
        return last;
    }
}
