package org.txcounter.loadtests;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.txcounter.core.TransactionMeter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounter;

/**
 * Cost of one call on the counting hot path, {@link TransportCounter#record()} (a {@code LongAdder.increment()}),
 * against the two obvious alternatives: {@link AtomicLong#incrementAndGet()} and a {@code synchronized}
 * {@code long} increment, each at 1, 2, 4 and 8 threads hammering the same counter.
 *
 * <p>The state is {@link Scope#Benchmark}: all threads of one benchmark share one counter, so the contention is
 * real. The handle is resolved once in {@link #setUp()}, as hooks do. As in Dropwizard's
 * {@code CounterBenchmark}, the inputs are non-final fields so the JIT cannot constant-fold them. Each variant
 * and thread count is its own method with {@link Threads}, so one run prints one table.
 *
 * <p>Run (see BENCHMARKS.md):
 *
 * <pre>
 * ./mvnw -q -pl load-tests -am package -DskipTests
 * java -jar load-tests/target/benchmarks.jar RecordBenchmark -f 2 -wi 3 -w 1s -i 5 -r 1s
 * </pre>
 *
 * <p>Measured with that command on 2 cores, OpenJDK 17.0.15, JMH 1.37 (average time per call per thread, ns/op,
 * ± 99.9% error; ratio is ours divided by the other, lower means ours is cheaper). 8 threads on 2 cores
 * oversubscribes the CPU, so those rows include time spent descheduled and are noisy.
 *
 * <pre>
 * threads   ours (LongAdder)   AtomicLong       synchronized      ours/AtomicLong  ours/synchronized
 *    1        3.13 ±  0.29       2.65 ±  0.21      6.20 ±  0.23       1.18             0.51
 *    2        4.40 ±  0.49      20.18 ±  8.04     60.57 ±  6.43       0.22             0.07
 *    4        9.47 ±  0.67      33.62 ± 14.74    119.00 ± 40.18       0.28             0.08
 *    8       25.60 ± 14.14      60.30 ± 12.06    310.55 ± 77.59       0.42             0.08
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RecordBenchmark {

    // Intentionally not final, to avoid constant folding.
    private Transport transport = Transport.HTTP;

    private TransactionMeter meter;
    private TransportCounter counter;
    private AtomicLong atomic;
    private final Object lock = new Object();
    private long locked;

    @Setup
    public void setUp() {
        meter = new TransactionMeter();
        counter = meter.counter(transport);
        atomic = new AtomicLong();
        locked = 0;
    }

    // --- ours: TransportCounter.record(), i.e. LongAdder.increment() ---

    @Benchmark
    @Threads(1)
    public Object ours_t1() {
        counter.record();
        return counter;
    }

    @Benchmark
    @Threads(2)
    public Object ours_t2() {
        counter.record();
        return counter;
    }

    @Benchmark
    @Threads(4)
    public Object ours_t4() {
        counter.record();
        return counter;
    }

    @Benchmark
    @Threads(8)
    public Object ours_t8() {
        counter.record();
        return counter;
    }

    // --- AtomicLong.incrementAndGet() ---

    @Benchmark
    @Threads(1)
    public long atomicLong_t1() {
        return atomic.incrementAndGet();
    }

    @Benchmark
    @Threads(2)
    public long atomicLong_t2() {
        return atomic.incrementAndGet();
    }

    @Benchmark
    @Threads(4)
    public long atomicLong_t4() {
        return atomic.incrementAndGet();
    }

    @Benchmark
    @Threads(8)
    public long atomicLong_t8() {
        return atomic.incrementAndGet();
    }

    // --- synchronized long increment ---

    @Benchmark
    @Threads(1)
    public long synchronized_t1() {
        return lockedIncrement();
    }

    @Benchmark
    @Threads(2)
    public long synchronized_t2() {
        return lockedIncrement();
    }

    @Benchmark
    @Threads(4)
    public long synchronized_t4() {
        return lockedIncrement();
    }

    @Benchmark
    @Threads(8)
    public long synchronized_t8() {
        return lockedIncrement();
    }

    private long lockedIncrement() {
        synchronized (lock) {
            return ++locked;
        }
    }
}
