package org.txcounter.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting in tests for something another thread does: polls a condition, never sleeps a fixed time. */
public final class Await {

    private Await() {
    }

    /** Polls {@code condition} every 50 ms until it holds; fails when {@code limit} passes first. */
    public static void awaitUpTo(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within %s", limit).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
