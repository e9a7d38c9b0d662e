package org.txcounter.loadtests;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.txcounter.core.TransactionMeter;
import org.txcounter.core.ingress.IngressCounter;
import org.txcounter.core.stamp.StampAuthority;

/**
 * What the counter adds to one transaction at ingress, as the hooks call it: the decision, the count and the
 * scope, on 2 threads (the cores of the machine), with deduplication on.
 *
 * <ul>
 *   <li>{@code httpRequest}: an inbound HTTP request without a stamp (what the counting filter does);</li>
 *   <li>{@code httpRequestProxied}: the same, plus the stamp the passthrough puts on the proxied request
 *       (HTTP chaining on, the default);</li>
 *   <li>{@code jmsMessage}: a message from an outside producer, counted with its message id held as in
 *       flight, then completed (committed), which forgets the id again.</li>
 * </ul>
 *
 * <p>Verifying a stamp costs about what issuing one does (one HMAC-SHA256 over the same bytes), so
 * {@code httpRequestProxied} also bounds a consumer's cost for a stamped message.
 *
 * <p>Run: {@code java -jar load-tests/target/benchmarks.jar IngressBenchmark -f 2 -wi 3 -w 2s -i 5 -r 2s}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class IngressBenchmark {

    private IngressCounter ingress;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] secret = "a-deployment-secret-of-32-bytes!!".getBytes(StandardCharsets.US_ASCII);
        StampAuthority stamps = new StampAuthority("bench", secret, Duration.ofHours(24), Clock.systemUTC());
        ingress = new IngressCounter(new TransactionMeter(), Optional.of(stamps), true, 100_000, Clock.systemUTC());
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
            return ingress.currentStamp();
        }
    }

    @Benchmark
    @Threads(2)
    public boolean jmsMessage(Cursor cursor) {
        try (IngressCounter.Scope scope = ingress.jmsMessage(null, cursor.nextId())) {
            scope.complete();
            return scope.counted();
        }
    }
}
