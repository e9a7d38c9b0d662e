package org.txcounter.service.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The line in front of the password hash: so many run, so many wait, the next is refused at once. */
class PasswordChecksTest {

    @Test
    void beyondTheRunningAndWaitingChecksTheNextIsRefusedAtOnceAndLaterOnesPassAgain() throws Exception {
        PasswordChecks checks = new PasswordChecks(1, 2);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(3);
        List<Future<Boolean>> admitted = new ArrayList<>();
        admitted.add(threads.submit(() -> checks.check(() -> {
            running.countDown();
            await(release);
            return true;
        })));
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 2; i++) {
            admitted.add(threads.submit(() -> checks.check(() -> false)));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (checks.inLine() < 3) {
            assertThat(System.nanoTime()).as("the two waiting checks reached the line").isLessThan(deadline);
            Thread.onSpinWait();
        }
        assertThatThrownBy(() -> checks.check(() -> true)).isInstanceOf(PasswordChecks.Busy.class)
                .hasMessage("1 password check(s) running and 2 waiting");
        release.countDown();
        assertThat(admitted.get(0).get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(admitted.get(1).get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(admitted.get(2).get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(checks.check(() -> true)).isTrue();
        threads.shutdown();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
