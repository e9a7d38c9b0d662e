package org.txcounter.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.txcounter.core.Await.awaitUpTo;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.store.TcpProxy;
import org.txcounter.core.store.TestDatabases;

/**
 * A reporting instance on a real PostgreSQL database that counting nodes write to: it answers their counts, reports
 * and ledger check, is no node itself, keeps no journal, refuses a data directory with unwritten counts, and
 * follows an outage of the database on its own.
 */
class ReportingModePostgresIT {

    private static final byte[] LEDGER_KEY = "the ledger key every node of this deployment shares"
            .getBytes(StandardCharsets.UTF_8);
    private static final Duration MINUTE = Duration.ofMinutes(1);

    @TempDir
    Path dirs;

    private DataSourceConfig database;

    @BeforeEach
    void emptyDatabase() {
        database = TestDatabases.postgres();
        TestDatabases.migrate(database);
        TestDatabases.wipe(database);
    }

    @Test
    void answersWhatTheNodesWroteWithoutBecomingANodeOrKeepingAJournal() throws Exception {
        MutableClock clock = MutableClock.at("2026-11-24T10:00:05Z");
        try (TransactionCounter a = counting("node-a", clock); TransactionCounter b = counting("node-b", clock)) {
            record(a, Transport.HTTP, 7);
            record(a, Transport.JMS, 3);
            record(b, Transport.HTTP, 5);
            clock.advance(MINUTE);
            assertThat(Internals.flusher(a).flushDue()).isZero();
            assertThat(Internals.flusher(b).flushDue()).isZero();

            Path reportingDir = dirs.resolve("reporting");
            try (TransactionCounter reporting = TransactionCounter.openForReporting(config(database, reportingDir)
                    .build(), clock)) {
                awaitUpTo(Duration.ofSeconds(30), reporting::connected);
                assertThat(reporting.reporting()).isTrue();
                YearMonth month = YearMonth.of(2026, 11);
                assertThat(reporting.count(month).total()).isEqualTo(15);
                assertThat(reporting.report(month, month)).extracting(ReportRow::nodeId, ReportRow::transport,
                        ReportRow::count).containsExactly(tuple("node-a", Transport.HTTP, 7L),
                        tuple("node-a", Transport.JMS, 3L), tuple("node-b", Transport.HTTP, 5L));
                assertThat(reporting.nodes(Duration.ofSeconds(5))).extracting(NodeStatus::nodeId)
                        .containsExactly("node-a", "node-b");
                assertThat(Internals.verifyLedger(reporting)).isEmpty();
                assertThat(reporting.unflushed().isZero()).isTrue();
                assertThat(reporting.databaseStatus().state()).isEqualTo(DatabaseStatus.State.UP);
            }
            assertThat(reportingDir.resolve("journal")).doesNotExist();
            assertThat(a.nodes(Duration.ofSeconds(5))).extracting(NodeStatus::nodeId)
                    .containsExactly("node-a", "node-b");
        }
    }

    @Test
    void refusesADataDirectoryWhoseJournalHoldsUnwrittenCounts() {
        MutableClock clock = MutableClock.at("2026-11-24T10:00:05Z");
        Path dataDir = dirs.resolve("left");
        // No database answers on port 1 (each attempt given up after a second): the interval stays in the journal
        // when the node stops.
        DataSourceConfig nowhere = new DataSourceConfig(database.id(), "jdbc:postgresql://127.0.0.1:1/transactiondb",
                database.username(), database.password(), Optional.empty(), 1, 0, Duration.ofSeconds(1),
                Optional.empty(), Duration.ofMillis(500), Duration.ofMinutes(30), true);
        try (TransactionCounter node = TransactionCounter.open(config(nowhere, dataDir).nodeId("left")
                .finalFlushTimeout(Duration.ofMillis(500)).build(), clock)) {
            record(node, Transport.HTTP, 4);
            clock.advance(MINUTE);
            assertThat(Internals.flusher(node).flushDue()).isEqualTo(1);
        }
        assertThatThrownBy(() -> TransactionCounter.openForReporting(config(database, dataDir).nodeId("left")
                .build(), clock))
                .isInstanceOf(ConfigException.class)
                .hasMessage("The journal " + dataDir.resolve("journal").toAbsolutePath() + " holds 1 interval(s) "
                        + "that node left counted and has not written, which a reporting start would leave "
                        + "unwritten. Start the node counting once so that they are written, or give the reporting "
                        + "instance a data_dir of its own.");
    }

    @Test
    void followsAnOutageOfTheDatabaseOnItsOwn() throws Exception {
        URI uri = URI.create(database.url().substring("jdbc:".length()));
        try (TcpProxy proxy = new TcpProxy(uri.getHost(), uri.getPort())) {
            DataSourceConfig viaProxy = DataSourceConfig.of(database.id(), "jdbc:" + uri.getScheme()
                    + "://127.0.0.1:" + proxy.port() + uri.getRawPath(), database.username(), database.password());
            MutableClock clock = MutableClock.at("2026-11-24T10:00:05Z");
            try (TransactionCounter reporting = TransactionCounter.openForReporting(config(viaProxy,
                    dirs.resolve("reporting")).build(), clock)) {
                awaitUpTo(Duration.ofSeconds(30),
                        () -> reporting.databaseStatus().state() == DatabaseStatus.State.UP);
                proxy.cut();
                awaitUpTo(Duration.ofSeconds(60),
                        () -> reporting.databaseStatus().state() != DatabaseStatus.State.UP);
                proxy.restore();
                awaitUpTo(Duration.ofSeconds(60),
                        () -> reporting.databaseStatus().state() == DatabaseStatus.State.UP);
                assertThat(reporting.nodes(Duration.ofSeconds(5))).isEmpty();
            }
        }
    }

    private TransactionCounter counting(String nodeId, MutableClock clock) {
        return TransactionCounter.open(config(database, dirs.resolve(nodeId)).nodeId(nodeId).build(), clock);
    }

    private static CounterConfig.Builder config(DataSourceConfig dataSource, Path dataDir) {
        return CounterConfig.builder().dataSource(dataSource).dataDir(dataDir).ledgerKey(LEDGER_KEY);
    }

    private static void record(TransactionCounter counter, Transport transport, int times) {
        TransportCounter handle = counter.meter().counter(transport);
        for (int i = 0; i < times; i++) {
            handle.record();
        }
    }
}
