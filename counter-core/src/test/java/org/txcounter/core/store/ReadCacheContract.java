package org.txcounter.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.txcounter.core.Await.awaitUpTo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.MonthCount;
import org.txcounter.core.MutableClock;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounter;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.internal.Internals;

/**
 * The counter's reads from memory ({@link ReadCache}) against each database: after each kind of write they answer
 * exactly what the database answers, this node's writes at once and another process's once
 * {@link ReadCache#OTHER_WRITERS_CHECKED_EVERY} has passed; between writes they do not ask the database, and a
 * burst of concurrent misses asks it once. Database reads are counted as the connections the counter takes from a
 * counting DataSource.
 */
abstract class ReadCacheContract {

    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final byte[] LEDGER_KEY = "the ledger key both nodes of this deployment share"
            .getBytes(StandardCharsets.UTF_8);
    private static final YearMonth MARCH = YearMonth.of(2026, 3);
    private static final YearMonth APRIL = YearMonth.of(2026, 4);

    @TempDir
    Path dirs;

    private DataSourceConfig database;
    private CountingDataSource counted;
    private CounterStore direct;
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** The database under test, as its owner. */
    abstract DataSourceConfig database(Path dir);

    @BeforeEach
    void emptyDatabase() {
        database = database(dirs.resolve("db"));
        TestDatabases.migrate(database);
        TestDatabases.wipe(database);
        counted = new CountingDataSource(database);
        direct = CounterStore.open(database, Clock.systemUTC());
        opened.add(direct);
    }

    @AfterEach
    void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    @Test
    void answersExactlyWhatTheDatabaseHoldsAfterEachKindOfWriteAndDoesNotAskItBetweenWrites() {
        MutableClock clockA = MutableClock.at("2026-03-31T23:50:05Z");
        MutableClock clockB = MutableClock.at("2026-03-31T23:50:05Z");
        TransactionCounter a = node("node-a", clockA, CounterConfig.builder().dataSource(counted));
        TransactionCounter b = node("node-b", clockB, CounterConfig.builder().dataSource(database));

        // This node writes an interval: seen by the next read.
        record(a, Transport.HTTP, 7);
        record(a, Transport.JMS, 2);
        clockA.advance(MINUTE);
        Internals.flusher(a).flushDue();
        assertSameAsDatabase(a);

        // Between writes the answers come from memory.
        int before = counted.connections();
        for (int i = 0; i < 100; i++) {
            assertSameAsDatabase(a);
        }
        assertThat(counted.connections()).isEqualTo(before);

        // This node's next interval, written without the clock moving past the check: seen by the next read.
        clockA.advance(MINUTE);
        assertSameAsDatabase(a);
        record(a, Transport.HTTP, 5);
        Internals.flusher(a).flushDue();
        assertThat(a.count(MARCH, WAIT).total()).isEqualTo(14);
        assertSameAsDatabase(a);

        // An idle interval of this node moves its node row only.
        clockA.advance(MINUTE);
        assertSameAsDatabase(a);
        Internals.flusher(a).flushDue();
        assertSameAsDatabase(a);

        // An import through this node's store: seen by the next read.
        Internals.store(a).importMonths(List.of(new ImportedMonth(YearMonth.of(2026, 1), "mi-node-1",
                MiHistory.SOURCE, 120, 100, null)));
        assertSameAsDatabase(a);

        // Another node writes: answered as before it until the check is due, then exactly as the database.
        Snapshot beforeB = snapshot(a);
        record(b, Transport.JMS, 11);
        clockB.advance(MINUTE.multipliedBy(3));
        Internals.flusher(b).flushDue();
        assertThat(snapshot(a)).isEqualTo(beforeB);
        assertThat(snapshot(direct)).isNotEqualTo(beforeB);
        clockA.advance(ReadCache.OTHER_WRITERS_CHECKED_EVERY);
        assertSameAsDatabase(a);
        assertThat(a.count(MARCH, WAIT).total()).isEqualTo(25);

        // An import by another process.
        Snapshot beforeImport = snapshot(a);
        try (CounterStore importer = CounterStore.open(database, Clock.systemUTC(),
                Internals.ledgerKeys(config("importer", CounterConfig.builder().dataSource(database)).build())
                        .current())) {
            importer.importMonths(List.of(new ImportedMonth(YearMonth.of(2026, 2), "mi-node-1", MiHistory.SOURCE,
                    90, 80, null)));
        }
        assertThat(snapshot(a)).isEqualTo(beforeImport);
        clockA.advance(ReadCache.OTHER_WRITERS_CHECKED_EVERY);
        assertSameAsDatabase(a);

        // The month closes; a late interval of another node becomes an adjustment on April.
        Internals.store(a).close(MARCH, "ops-admin", snapshot -> "{}");
        assertSameAsDatabase(a);
        record(b, Transport.HTTP, 4);
        clockB.advance(MINUTE);
        Internals.flusher(b).flushDue();
        clockA.advance(ReadCache.OTHER_WRITERS_CHECKED_EVERY);
        assertSameAsDatabase(a);
        assertThat(direct.adjustmentsInto(APRIL)).hasSize(1);

        // Another node's idle interval moves only its node row.
        clockB.advance(MINUTE);
        Internals.flusher(b).flushDue();
        Snapshot beforeIdle = snapshot(a);
        clockA.advance(ReadCache.OTHER_WRITERS_CHECKED_EVERY);
        assertSameAsDatabase(a);
        assertThat(snapshot(a).nodes()).isNotEqualTo(beforeIdle.nodes());

        // In April, this node's intervals go to the new month.
        clockA.set(Instant.parse("2026-04-01T00:00:05Z"));
        Internals.flusher(a).flushDue();
        assertSameAsDatabase(a);
        record(a, Transport.HTTP, 3);
        clockA.advance(MINUTE);
        Internals.flusher(a).flushDue();
        assertThat(a.count(APRIL, WAIT).total()).isEqualTo(3);
        assertSameAsDatabase(a);
    }

    @Test
    void aCheckFindingNothingWrittenKeepsWhatIsHeldAndReadsOneSmallQuery() {
        MutableClock clock = MutableClock.at("2026-03-10T08:00:05Z");
        TransactionCounter a = node("node-a", clock, CounterConfig.builder().dataSource(counted));
        record(a, Transport.HTTP, 7);
        clock.advance(MINUTE);
        Internals.flusher(a).flushDue();
        assertSameAsDatabase(a);

        int before = counted.connections();
        clock.advance(ReadCache.OTHER_WRITERS_CHECKED_EVERY);
        for (int i = 0; i < 100; i++) {
            assertSameAsDatabase(a);
        }
        // The check of the marker, and nothing else: the parts it held are still valid.
        assertThat(counted.connections() - before).isEqualTo(1);
    }

    @Test
    void aBurstOfConcurrentMissesMakesOneDatabaseReadPerPart() throws Exception {
        MutableClock clock = MutableClock.at("2026-03-10T08:00:05Z");
        TransactionCounter a = node("node-a", clock, CounterConfig.builder().dataSource(counted));
        record(a, Transport.HTTP, 7);
        clock.advance(MINUTE);
        Internals.flusher(a).flushDue();
        clock.advance(MINUTE);
        Internals.flusher(a).flushDue();

        int threads = 16;
        int before = counted.connections();
        counted.gate();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Thread> requesters = new ArrayList<>();
            List<Future<MonthCount>> answers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                answers.add(pool.submit((Callable<MonthCount>) () -> {
                    synchronized (requesters) {
                        requesters.add(Thread.currentThread());
                    }
                    return a.count(MARCH, WAIT);
                }));
            }
            // The check of the marker, then the month's rollup: each asked for once while all requests wait.
            for (int read = 1; read <= 2; read++) {
                int expected = before + read;
                awaitUpTo(WAIT, () -> counted.requested() == expected && allWaiting(requesters, threads));
                counted.letOneThrough();
            }
            for (Future<MonthCount> answer : answers) {
                assertThat(answer.get()).isEqualTo(direct.count(MARCH));
            }
        } finally {
            counted.ungate();
            pool.shutdownNow();
        }
        assertThat(counted.connections() - before).isEqualTo(2);
    }

    @Test
    void aValueMadeFromTheReadsIsMadeOnceUntilAWriteAndEachWriteMakesItAgainFromWhatWasWritten() {
        MutableClock clockA = MutableClock.at("2026-03-10T10:00:05Z");
        MutableClock clockB = MutableClock.at("2026-03-10T10:00:05Z");
        TransactionCounter a = node("node-a", clockA, CounterConfig.builder().dataSource(counted));
        TransactionCounter b = node("node-b", clockB, CounterConfig.builder().dataSource(database));
        AtomicInteger made = new AtomicInteger();
        Supplier<Long> total = () -> Internals.derived(a, "march total", WAIT, () -> {
            made.incrementAndGet();
            return a.count(MARCH, WAIT).total();
        });
        record(a, Transport.HTTP, 3);
        clockA.advance(MINUTE);
        Internals.flusher(a).flushDue();

        for (int i = 0; i < 50; i++) {
            assertThat(total.get()).isEqualTo(3);
        }
        assertThat(made).as("made while nothing was written").hasValue(1);

        // This node's write: the next answer is made again, from it.
        record(a, Transport.JMS, 4);
        clockA.advance(MINUTE);
        Internals.flusher(a).flushDue();
        assertThat(total.get()).isEqualTo(7);
        assertThat(made).hasValue(2);

        // Another node's write: made again once the check of other writers is due.
        record(b, Transport.HTTP, 10);
        clockB.advance(MINUTE);
        Internals.flusher(b).flushDue();
        assertThat(total.get()).isEqualTo(7);
        clockA.advance(ReadCache.OTHER_WRITERS_CHECKED_EVERY);
        assertThat(total.get()).isEqualTo(17);
        assertThat(total.get()).isEqualTo(17);
        assertThat(made).hasValue(3);

        // Beyond the values held at a time, each further one is made on every call, and still right.
        for (int key = 1; key < ReadCache.MAX_DERIVED; key++) {
            Internals.derived(a, "filler " + key, WAIT, () -> 0L);
        }
        AtomicInteger unheld = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            assertThat(Internals.derived(a, "one too many", WAIT, () -> {
                unheld.incrementAndGet();
                return a.count(MARCH, WAIT).total();
            })).isEqualTo(17);
        }
        assertThat(unheld).hasValue(3);
        assertThat(total.get()).isEqualTo(17);
        assertThat(made).as("the values held before are still held").hasValue(3);
    }

    private static boolean allWaiting(List<Thread> requesters, int threads) {
        synchronized (requesters) {
            return requesters.size() == threads && requesters.stream().allMatch(thread ->
                    thread.getState() == Thread.State.WAITING || thread.getState() == Thread.State.TIMED_WAITING);
        }
    }

    /** Every read the API makes, through the counter and straight from the database. */
    private record Snapshot(List<?> marchReport, List<?> aprilReport, MonthCount march, MonthCount april,
            List<?> marchDaily, List<?> aprilDaily, List<?> nodes, List<?> imported, List<?> anchors) {
    }

    private void assertSameAsDatabase(TransactionCounter counter) {
        assertThat(snapshot(counter)).isEqualTo(snapshot(direct));
    }

    private static Snapshot snapshot(TransactionCounter counter) {
        YearMonth from = YearMonth.of(2025, 12);
        return new Snapshot(counter.report(MARCH, MARCH, WAIT), counter.report(from, APRIL, WAIT),
                counter.count(MARCH, WAIT), counter.count(APRIL, WAIT), counter.daily(MARCH, WAIT),
                counter.daily(APRIL, WAIT), counter.nodes(WAIT), Internals.imported(counter, from, APRIL, WAIT),
                Internals.anchors(counter, from, APRIL, WAIT));
    }

    private static Snapshot snapshot(CounterStore store) {
        YearMonth from = YearMonth.of(2025, 12);
        ZoneId utc = ZoneId.of("UTC");
        return new Snapshot(store.report(MARCH, MARCH), store.report(from, APRIL), store.count(MARCH),
                store.count(APRIL), store.daily(MARCH, utc), store.daily(APRIL, utc), store.nodes(),
                store.imported(from, APRIL), store.anchors(from, APRIL));
    }

    private TransactionCounter node(String nodeId, Clock clock, CounterConfig.Builder config) {
        TransactionCounter counter = TransactionCounter.open(config(nodeId, config).build(), clock);
        opened.add(counter);
        return counter;
    }

    private CounterConfig.Builder config(String nodeId, CounterConfig.Builder config) {
        return config.dataDir(dirs.resolve(nodeId)).nodeId(nodeId).ledgerKey(LEDGER_KEY)
                .billingZone(ZoneId.of("UTC"));
    }

    private static void record(TransactionCounter counter, Transport transport, int times) {
        TransportCounter handle = counter.meter().counter(transport);
        for (int i = 0; i < times; i++) {
            handle.record();
        }
    }

    /**
     * A host DataSource that opens a connection per call and counts them: the counter's store takes one per
     * database read. When gated, each connection waits for the test to let it through.
     */
}
