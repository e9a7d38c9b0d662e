package org.txcounter.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.txcounter.core.Await.awaitUpTo;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.DatabaseStatus;
import org.txcounter.core.MonthCount;
import org.txcounter.core.MutableClock;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounter;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.ledger.LedgerFinding;
import org.txcounter.core.DatabaseStatus.State;

/** What a real database server does to the counter: outages, and many runtimes writing at once. */
abstract class OutageContract {

    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final byte[] LEDGER_KEY = "the-deployment-ledger-key-32-bytes".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dataDir;

    abstract DataSourceConfig owner();

    private static final Duration POOL_WAIT = Duration.ofMillis(1_000);
    private static final Duration VALIDATION = Duration.ofMillis(500);

    private static DataSourceConfig through(DataSourceConfig direct, TcpProxy proxy) {
        return through(direct, proxy, DataSourceConfig.Timeouts.DEFAULT);
    }

    private static DataSourceConfig through(DataSourceConfig direct, TcpProxy proxy,
            DataSourceConfig.Timeouts timeouts) {
        URI uri = URI.create(direct.url().substring("jdbc:".length()));
        String url = "jdbc:" + uri.getScheme() + "://127.0.0.1:" + proxy.port() + uri.getRawPath()
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new DataSourceConfig(direct.id(), url, direct.username(), direct.password(), Optional.empty(), 4, 1,
                POOL_WAIT, Optional.empty(), VALIDATION, Duration.ofMinutes(30), true, timeouts);
    }

    /**
     * The database stops answering without closing anything (the proxy holds every packet and accepts new
     * connections it never serves) for two intervals. Each write is given up within the configured timeouts, the
     * intervals stay queued, and they are written exactly once when the database answers again.
     */
    @Test
    void aDatabaseThatHangsIsGivenUpWithinTheTimeoutsAndWrittenWhenItAnswersAgain() throws Exception {
        DataSourceConfig direct = owner();
        TestDatabases.migrate(direct);
        TestDatabases.wipe(direct);
        URI uri = URI.create(direct.url().substring("jdbc:".length()));
        DataSourceConfig.Timeouts timeouts = new DataSourceConfig.Timeouts(Duration.ofSeconds(1),
                Duration.ofSeconds(3), Duration.ofSeconds(2));
        // A hanging write is given up after the socket timeout; a new connection after the connect timeout, within
        // the pool's wait, after a validation of at most its timeout. 3 s on top for a loaded 2-core machine.
        Duration bound = timeouts.socket().plus(POOL_WAIT).plus(VALIDATION).plusSeconds(3);
        MutableClock clock = MutableClock.at("2026-11-24T10:00:05Z");
        try (TcpProxy proxy = new TcpProxy(uri.getHost(), uri.getPort());
                TransactionCounter counter = TransactionCounter.open(CounterConfig.builder()
                        .dataSource(through(direct, proxy, timeouts)).dataDir(dataDir).nodeId("hang").build(),
                        clock)) {
            TransportCounter http = counter.meter().counter(Transport.HTTP);
            for (int i = 0; i < 1_000; i++) {
                http.record();
            }
            clock.advance(MINUTE);
            assertThat(Internals.flusher(counter).flushDue()).isZero();

            // A read just before, so the pool hands the next write a connection it does not validate again
            // (HikariCP skips that within 500 ms of its last use): the first write hangs mid-statement, the
            // second on a new connection's login.
            assertThat(counter.count(counter.currentMonth()).total()).isEqualTo(1_000);
            proxy.hang();
            for (int interval = 1; interval <= 2; interval++) {
                for (int i = 0; i < 500; i++) {
                    http.record();
                }
                clock.advance(MINUTE);
                long started = System.nanoTime();
                int queued = assertTimeoutPreemptively(Duration.ofSeconds(60),
                        () -> Internals.flusher(counter).flushDue(),
                        "a write to a hanging database must be given up");
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                System.out.printf("hanging database, interval %d: write given up after %d ms (bound %d ms)%n",
                        interval, took.toMillis(), bound.toMillis());
                assertThat(queued).isEqualTo(interval);
                assertThat(took).isLessThan(bound);
            }

            proxy.restore();
            clock.advance(MINUTE);
            int attempts = 1;
            while (Internals.flusher(counter).flushDue() > 0) {
                attempts++;
                assertThat(attempts).as("write attempts after the database answered again").isLessThanOrEqualTo(5);
            }
            assertThat(counter.count(counter.currentMonth()).total()).isEqualTo(2_000);
            assertThat(Internals.store(counter).ledger("hang")).extracting(row -> row.seq())
                    .containsExactly(1L, 2L, 3L);
            assertThat(Internals.verifyLedger(counter)).isEmpty();
        }
    }

    @Test
    void countsMadeWhileTheDatabaseIsUnreachableForThreeIntervalsAreWrittenExactlyWhenItReturns() throws Exception {
        DataSourceConfig direct = owner();
        TestDatabases.migrate(direct);
        TestDatabases.wipe(direct);
        URI uri = URI.create(direct.url().substring("jdbc:".length()));
        MutableClock clock = MutableClock.at("2026-11-24T10:00:05Z");
        try (TcpProxy proxy = new TcpProxy(uri.getHost(), uri.getPort());
                TransactionCounter counter = TransactionCounter.open(CounterConfig.builder()
                        .dataSource(through(direct, proxy)).dataDir(dataDir).nodeId("outage").build(), clock)) {
            TransportCounter http = counter.meter().counter(Transport.HTTP);
            long recorded = 0;
            for (int i = 0; i < 1_000; i++) {
                http.record();
            }
            recorded += 1_000;
            clock.advance(MINUTE);
            assertThat(Internals.flusher(counter).flushDue()).isZero();

            proxy.cut();
            for (int interval = 1; interval <= 4; interval++) {
                for (int i = 0; i < 500 * interval; i++) {
                    http.record();
                }
                recorded += 500L * interval;
                clock.advance(MINUTE);
                assertThat(Internals.flusher(counter).flushDue()).isEqualTo(interval);
            }
            assertThat(counter.unflushed().get(Transport.HTTP)).isEqualTo(5_000);

            proxy.restore();
            clock.advance(MINUTE);
            // The pool reconnects on its own schedule, so the first write after the outage may still fail (each
            // failed attempt waits out the pool's 1 s connection timeout); the flusher keeps everything and the
            // next attempt writes it all, in order.
            int attempts = 1;
            while (Internals.flusher(counter).flushDue() > 0) {
                attempts++;
                assertThat(attempts).as("write attempts after the database returned").isLessThanOrEqualTo(5);
            }
            assertThat(Internals.flusher(counter).queued()).isEmpty();

            assertThat(counter.count(counter.currentMonth()).total()).isEqualTo(recorded).isEqualTo(6_000);
            assertThat(Internals.store(counter).ledger("outage")).extracting(row -> row.seq())
                    .containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(Internals.verifyLedger(counter)).isEmpty();
        }
    }

    @Test
    void tenRuntimesWritingAtOnceKeepExactTotalsAndValidChains() throws Exception {
        DataSourceConfig direct = owner();
        TestDatabases.migrate(direct);
        TestDatabases.wipe(direct);
        MutableClock clock = MutableClock.at("2026-11-24T10:00:05Z");
        List<TransactionCounter> runtimes = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            for (int n = 0; n < 10; n++) {
                // Nodes of one deployment share the ledger key, so one verifier checks every chain.
                runtimes.add(TransactionCounter.open(CounterConfig.builder().dataSource(direct)
                        .dataDir(dataDir.resolve("node-" + n)).nodeId("node-" + n).ledgerKey(LEDGER_KEY).build(),
                        clock));
            }
            for (int interval = 1; interval <= 5; interval++) {
                List<Future<Integer>> recorders = new ArrayList<>();
                for (TransactionCounter runtime : runtimes) {
                    int times = interval * 1_000;
                    recorders.add(pool.submit(() -> {
                        TransportCounter http = runtime.meter().counter(Transport.HTTP);
                        TransportCounter jms = runtime.meter().counter(Transport.JMS);
                        for (int i = 0; i < times; i++) {
                            http.record();
                            jms.record();
                        }
                        return 0;
                    }));
                }
                for (Future<Integer> recorder : recorders) {
                    recorder.get();
                }
                clock.advance(MINUTE);
                List<Future<Integer>> writes = new ArrayList<>();
                for (TransactionCounter runtime : runtimes) {
                    writes.add(pool.submit(() -> Internals.flusher(runtime).flushDue()));
                }
                for (Future<Integer> write : writes) {
                    assertThat(write.get()).isZero();
                }
            }
            MonthCount month = runtimes.get(0).count(runtimes.get(0).currentMonth());
            assertThat(month.nodes()).isEqualTo(10);
            assertThat(month.counts().get(Transport.HTTP)).isEqualTo(10L * 15_000);
            assertThat(month.counts().get(Transport.JMS)).isEqualTo(10L * 15_000);
            List<LedgerFinding> findings = Internals.verifyLedger(runtimes.get(0));
            assertThat(findings).isEmpty();
            assertThat(Internals.store(runtimes.get(3)).ledger("node-3")).hasSize(10);
        } finally {
            pool.shutdown();
            runtimes.forEach(TransactionCounter::close);
        }
    }

    private static long writtenHttp(DataSourceConfig direct, String nodeId) {
        try (CounterStore store = CounterStore.open(direct, java.time.Clock.systemUTC())) {
            return store.ledger(nodeId).stream().mapToLong(IntervalRow::count).sum();
        }
    }

    @Test
    void aRuntimeStartedWhileTheDatabaseIsDownCountsAndJournalsAndWritesEverythingOnceItIsBack() throws Exception {
        DataSourceConfig direct = owner();
        TestDatabases.migrate(direct);
        TestDatabases.wipe(direct);
        URI uri = URI.create(direct.url().substring("jdbc:".length()));
        MutableClock clock = MutableClock.at("2026-11-24T10:00:05Z");
        try (TcpProxy proxy = new TcpProxy(uri.getHost(), uri.getPort())) {
            proxy.cut();
            TransactionCounter counter = TransactionCounter.start(CounterConfig.builder()
                    .dataSource(through(direct, proxy)).dataDir(dataDir).nodeId("late-db")
                    .finalFlushTimeout(Duration.ofSeconds(5)).build(), clock);
            try {
                TransportCounter http = counter.meter().counter(Transport.HTTP);
                for (int i = 0; i < 700; i++) {
                    http.record();
                }
                assertThat(counter.connected()).isFalse();
                DatabaseStatus status = counter.databaseStatus();
                assertThat(status.state()).isIn(State.CONNECTING, State.DOWN);
                assertThat(status.detail()).isNotEmpty();
                clock.advance(MINUTE);
                // The timer looks at the clock every second; the store thread cannot write the closed interval.
                awaitUpTo(Duration.ofSeconds(10), () -> Internals.flusher(counter).queued().size() == 1);
                for (int i = 0; i < 300; i++) {
                    http.record();
                }
                awaitUpTo(Duration.ofSeconds(5), () -> journal().contains("HTTP=700") && journal().contains(
                        "HTTP=300"));

                proxy.restore();
                // The store thread retries every 5 s; each failed attempt waits out the pool's 1 s timeout.
                awaitUpTo(Duration.ofSeconds(30),
                        () -> counter.connected() && Internals.flusher(counter).queued().isEmpty());
                assertThat(counter.databaseStatus().state()).isEqualTo(State.UP);
            } finally {
                counter.close();
            }
            assertThat(writtenHttp(direct, "late-db")).isEqualTo(1_000);
        }
    }

    @Test
    void aRestartWhileTheDatabaseIsStillDownKeepsTheJournalAndLosesNothing() throws Exception {
        DataSourceConfig direct = owner();
        TestDatabases.migrate(direct);
        TestDatabases.wipe(direct);
        URI uri = URI.create(direct.url().substring("jdbc:".length()));
        MutableClock clock = MutableClock.at("2026-11-24T10:00:05Z");
        try (TcpProxy proxy = new TcpProxy(uri.getHost(), uri.getPort())) {
            CounterConfig config = CounterConfig.builder().dataSource(through(direct, proxy)).dataDir(dataDir)
                    .nodeId("down-twice").finalFlushTimeout(Duration.ofSeconds(3)).build();
            proxy.cut();
            try (TransactionCounter first = TransactionCounter.open(config, clock)) {
                assertThat(first.connected()).isFalse();
                record(first, 400);
                clock.advance(MINUTE);
                assertThat(Internals.flusher(first).flushDue()).isEqualTo(1);
                record(first, 50);
            }
            clock.advance(Duration.ofSeconds(10));
            try (TransactionCounter second = TransactionCounter.open(config, clock)) {
                assertThat(second.connected()).isFalse();
                assertThat(second.unflushed().get(Transport.HTTP)).isEqualTo(450);
                record(second, 550);
                clock.advance(MINUTE);
                assertThat(Internals.flusher(second).flushDue()).isEqualTo(3);

                proxy.restore();
                int attempts = 1;
                while (!second.connect()) {
                    attempts++;
                    assertThat(attempts).as("connection attempts after the database returned").isLessThanOrEqualTo(5);
                }
                assertThat(Internals.flusher(second).flushDue()).isZero();
                assertThat(second.count(second.currentMonth()).total()).isEqualTo(1_000);
                assertThat(Internals.store(second).ledger("down-twice")).extracting(IntervalRow::seq)
                        .containsExactly(1L, 2L, 3L);
                assertThat(Internals.verifyLedger(second)).isEmpty();
            }
        }
        assertThat(writtenHttp(direct, "down-twice")).isEqualTo(1_000);
    }

    private String journal() {
        try {
            return Files.readString(dataDir.resolve("journal"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void record(TransactionCounter counter, int times) {
        TransportCounter http = counter.meter().counter(Transport.HTTP);
        for (int i = 0; i < times; i++) {
            http.record();
        }
    }
}
