package org.txcounter.loadtests;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.txcounter.core.TransactionMeter;
import org.txcounter.core.IngressCounter;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.stamp.StampAuthority;

/**
 * What the counter adds to one transaction at ingress, as the hooks call it: the decision, the count and the
 * scope, on 2 threads (the cores of the machine), with deduplication on.
 *
 * <ul>
 *   <li>{@code httpRequest}: an inbound HTTP request without a stamp (what the counting filter does);</li>
 *   <li>{@code httpRequestProxied}: the same, plus the stamp the passthrough puts on a request to a peer node
 *       of the deployment (HTTP chaining on, the default);</li>
 *   <li>{@code jmsMessage}: a message from an outside producer, counted with its message id held as in
 *       flight, then completed (committed), which forgets the id again;</li>
 *   <li>{@code jmsMessageStamped}: both halves of an async pair on one node: the stamp the sender issues for
 *       the queue, and the consumer's check, which spends it in the bounded spent-stamp set. The set is swept
 *       by a housekeeping thread of its own every millisecond here (a 1 minute lifetime of 3.75 s slices, and a
 *       clock that runs 1,000 times fast), so every slice fills, expires and is emptied within a run while the
 *       measured threads keep spending: a sweep cost on the request path would show as a slower call.</li>
 * </ul>
 *
 * <p>Verifying a stamp costs about what issuing one does (one HMAC-SHA256 over the same bytes), so
 * {@code httpRequestProxied} also bounds a consumer's cost for a stamped message.
 *
 * <p>Run: {@code java -jar load-tests/target/benchmarks.jar IngressBenchmark -f 1 -wi 2 -w 2s -i 3 -r 3s}; for
 * one thread add {@code -t 1}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class IngressBenchmark {

    private static final String PEER = StampAuthority.nodeDestination("bench-2");
    private static final String ORDERS = StampAuthority.queueDestination("orders");

    private IngressCounter ingress;
    private StampAuthority stamps;
    private ScheduledExecutorService sweeper;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] secret = "a-deployment-secret-of-32-bytes!!".getBytes(StandardCharsets.US_ASCII);
        Clock fast = new FastClock(1_000);
        stamps = new StampAuthority("bench", "bench-1", secret, Duration.ofMinutes(1), 1_000_000, fast);
        ingress = Internals.ingressCounter(new TransactionMeter(), Optional.of(stamps), true, 100_000, fast);
        sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "spent-stamp-sweeper");
            thread.setDaemon(true);
            return thread;
        });
        sweeper.scheduleWithFixedDelay(stamps::sweep, 1, 1, TimeUnit.MILLISECONDS);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        sweeper.shutdownNow();
    }

    /** A clock running {@code speed} times as fast as the system's, so stamp slices turn over within a run. */
    static final class FastClock extends Clock {
        private final long start = System.currentTimeMillis();
        private final long origin = System.nanoTime();
        private final long speed;

        FastClock(long speed) {
            this.speed = speed;
        }

        @Override
        public long millis() {
            return start + (System.nanoTime() - origin) / 1_000_000 * speed;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    /**
     * Per thread: the next message id, made fresh for each message as a JMS client makes it when the listener
     * asks for {@code JMSMessageID} (Artemis: {@code "ID:" + uuid}).
     */
    @State(Scope.Thread)
    public static class Cursor {
        private final String prefix = "ID:7d1f0c2e-9a4b-11ef-8c3d-" + Thread.currentThread().getId() + "-";
        private long next;

        String nextId() {
            return prefix + next++;
        }
    }

    @Benchmark
    @Threads(2)
    public boolean httpRequest() {
        try (IngressCounter.Scope scope = ingress.httpRequest(null)) {
            return scope.counted();
        }
    }

    @Benchmark
    @Threads(2)
    public Optional<String> httpRequestProxied() {
        try (IngressCounter.Scope scope = ingress.httpRequest(null)) {
            return ingress.stampFor(PEER);
        }
    }

    @Benchmark
    @Threads(2)
    public boolean jmsMessageStamped(Cursor cursor) {
        String stamp = stamps.issue(ORDERS);
        try (IngressCounter.Scope scope = ingress.jmsMessage("orders", stamp, cursor.nextId())) {
            scope.complete();
            return scope.counted();
        }
    }

    @Benchmark
    @Threads(2)
    public boolean jmsMessage(Cursor cursor) {
        try (IngressCounter.Scope scope = ingress.jmsMessage("orders", null, cursor.nextId())) {
            scope.complete();
            return scope.counted();
        }
    }
}
