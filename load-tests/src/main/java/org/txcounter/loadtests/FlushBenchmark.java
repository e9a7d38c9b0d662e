package org.txcounter.loadtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
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
import org.txcounter.core.TransactionMeter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounter;
import org.txcounter.core.interval.IntervalFlusher;
import org.txcounter.core.interval.IntervalFlusher.JournalState;
import org.txcounter.core.interval.IntervalSchedule;
import org.txcounter.core.interval.IntervalSink;
import org.txcounter.core.interval.IntervalSummary;
import org.txcounter.core.journal.Journal;

/**
 * The flush path without the database: what a boundary costs the timer thread ({@link IntervalFlusher#closeDue()}
 * drains the meter and queues the interval under the flusher's monitor), what one interval costs the store thread
 * besides the database's own time ({@link IntervalFlusher#writeQueued()} with a sink that keeps nothing), the
 * journal's snapshot ({@link IntervalFlusher#journalState()}, the monitor's other holder) and the journal's rewrite
 * (a temporary file forced to disk and renamed). Results in BENCHMARKS.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FlushBenchmark {

    /** A clock the benchmark moves by one interval per boundary. */
    private static final class SteppingClock extends Clock {
        private Instant now = Instant.parse("2026-11-24T10:00:05Z");

        void step() {
            now = now.plus(Duration.ofMinutes(1));
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    /** Keeps nothing: the time measured is the flusher's, not a database's. */
    private static final IntervalSink DISCARD = new IntervalSink() {
        @Override
        public void write(IntervalSummary interval) {
        }
    };

    private SteppingClock clock;
    private TransportCounter http;
    private IntervalFlusher flusher;
    private Journal journal;
    private JournalState state;
    private Path dataDir;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        clock = new SteppingClock();
        TransactionMeter meter = new TransactionMeter();
        http = meter.counter(Transport.HTTP);
        flusher = new IntervalFlusher(meter, DISCARD, new IntervalSchedule(Duration.ofMinutes(1), ZoneOffset.UTC),
                clock, "bench", 0);
        dataDir = Files.createTempDirectory("flush-benchmark");
        journal = new Journal(dataDir);
        http.record();
        state = flusher.journalState();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Files.deleteIfExists(journal.file());
        Files.deleteIfExists(dataDir);
    }

    /** One boundary on the timer thread: drain, queue. Then the store thread's share, to keep the queue empty. */
    @Benchmark
    public int closeThenWriteInterval() {
        http.record();
        clock.step();
        flusher.closeDue();
        return flusher.writeQueued();
    }

    /** The snapshot the journal writer takes every second. */
    @Benchmark
    public JournalState journalSnapshot() {
        http.record();
        return flusher.journalState();
    }

    /** The journal's rewrite: what the disk's fsync costs, once a second. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Path journalRewrite() throws IOException {
        journal.write(state);
        return journal.file();
    }
}
