package org.txcounter.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class TransactionMeterConcurrencyTest {

    private static final int THREADS = 8;
    private static final int PER_THREAD = 250_000;

    /**
     * Recording threads race with a thread that drains continuously. Every increment must appear in exactly one
     * drain: the drains plus the final drain add up to exactly what was recorded.
     */
    @RepeatedTest(5)
    void drainingWhileRecordingLosesAndDuplicatesNothing() throws Exception {
        TransactionMeter meter = new TransactionMeter();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean recording = new AtomicBoolean(true);
        long[] drainedByTransport = new long[Transport.values().length];
        int[] drains = new int[1];
        Thread drainer = new Thread(() -> {
            while (recording.get()) {
                TransportCounts drained = meter.drain();
                for (Transport transport : Transport.values()) {
                    drainedByTransport[transport.ordinal()] += drained.get(transport);
                }
                drains[0]++;
            }
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                TransportCounter handle = meter.counter(t % 2 == 0 ? Transport.HTTP : Transport.JMS);
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < PER_THREAD; i++) {
                        handle.record();
                    }
                    return null;
                }));
            }
            drainer.start();
            start.countDown();
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            recording.set(false);
            drainer.join();
            pool.shutdown();
        }
        TransportCounts rest = meter.drain();
        long http = drainedByTransport[Transport.HTTP.ordinal()] + rest.get(Transport.HTTP);
        long jms = drainedByTransport[Transport.JMS.ordinal()] + rest.get(Transport.JMS);

        assertThat(drains[0]).isPositive();
        assertThat(http).isEqualTo((long) THREADS / 2 * PER_THREAD);
        assertThat(jms).isEqualTo((long) THREADS / 2 * PER_THREAD);
        assertThat(meter.drain().isZero()).isTrue();
    }

    @Test
    void handlesAreResolvedOncePerTransport() {
        TransactionMeter meter = new TransactionMeter();

        assertThat(meter.counter(Transport.HTTP)).isSameAs(meter.counter(Transport.HTTP));
        assertThat(meter.counter(Transport.HTTP)).isNotSameAs(meter.counter(Transport.JMS));
    }

    @Test
    void pendingShowsWhatWasRecordedUntilDrained() {
        TransactionMeter meter = new TransactionMeter();
        meter.counter(Transport.HTTP).record();
        meter.counter(Transport.HTTP).record();
        meter.counter(Transport.JMS).record();

        assertThat(meter.pending()).containsEntry(Transport.HTTP, 2L).containsEntry(Transport.JMS, 1L);
        assertThat(meter.drain().total()).isEqualTo(3);
        assertThat(meter.pending()).containsEntry(Transport.HTTP, 0L).containsEntry(Transport.JMS, 0L);
    }
}
