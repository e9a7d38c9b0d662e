package org.txcounter.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.store.CounterStore;
import org.txcounter.core.store.IntervalRow;
import org.txcounter.core.store.TestDatabases;

/**
 * One node id, one writer: a second runtime configured with the id of a node that is alive is refused at its start,
 * naming the other's last write and how to give this one its own id, and nothing of the first is touched; a node
 * that restarts on its own data directory, or that starts without its journal once the other run is over, starts,
 * and the latter is told what may have been lost.
 */
class NodeIdConflictTest {

    @TempDir
    Path dirs;

    private DataSourceConfig database;

    @BeforeEach
    void sharedDatabase() {
        database = TestDatabases.h2(dirs.resolve("db"));
        TestDatabases.migrate(database);
    }

    /** The counters close their pools on a thread of their own; the shared file is closed before it is deleted. */
    @AfterEach
    void shutDownTheSharedDatabase() throws SQLException {
        try (Connection connection = DriverManager.getConnection(database.url(), database.username(),
                database.password()); Statement statement = connection.createStatement()) {
            statement.execute("SHUTDOWN");
        }
    }

    @Test
    void aSecondRuntimeWithTheIdOfALiveNodeIsRefusedAtItsStart() throws Exception {
        try (TransactionCounter first = TransactionCounter.start(config("a"), Clock.systemUTC())) {
            first.meter().counter(Transport.HTTP).record();
            assertThat(Internals.flusher(first).flushNow()).isZero();
            List<IntervalRow> before = ledger();

            assertThatThrownBy(() -> TransactionCounter.start(config("b"), Clock.systemUTC()))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("Node shared-node is already counting elsewhere: the database shows it "
                            + "wrote up to seq 1, its last report at ")
                    .hasMessageContaining("while this data directory " + dirs.resolve("b").toAbsolutePath()
                            + " has no journal")
                    .hasMessageContaining("give it its own id ([node] id in deployment.toml");
            assertThat(ledger()).isEqualTo(before);
            // The first counts on and writes on.
            first.meter().counter(Transport.HTTP).record();
            assertThat(Internals.flusher(first).flushNow()).isZero();
            assertThat(ledger()).hasSize(2);
        }
    }

    @Test
    void theSameNodeRestartedOnItsOwnDataDirectoryStarts() throws Exception {
        try (TransactionCounter first = TransactionCounter.start(config("a"), Clock.systemUTC())) {
            first.meter().counter(Transport.HTTP).record();
            assertThat(Internals.flusher(first).flushNow()).isZero();
        }
        try (TransactionCounter again = TransactionCounter.start(config("a"), Clock.systemUTC())) {
            assertThat(again.nodeConflict()).isEmpty();
            assertThat(again.journalGap()).isEmpty();
        }
    }

    @Test
    void aNodeWithoutItsJournalAfterTheOtherRunEndedStartsAndNamesTheGap() throws Exception {
        try (TransactionCounter first = TransactionCounter.start(config("a"), Clock.systemUTC())) {
            first.meter().counter(Transport.HTTP).record();
            assertThat(Internals.flusher(first).flushNow()).isZero();
        }
        Files.delete(dirs.resolve("a").resolve("journal"));
        // Two intervals and the grace later, the first run is over.
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(2));
        try (TransactionCounter again = TransactionCounter.start(config("a"), later)) {
            assertThat(again.nodeConflict()).isEmpty();
            assertThat(again.journalGap()).hasValueSatisfying(gap -> assertThat(gap)
                    .startsWith("Node shared-node starts without a journal in " + dirs.resolve("a").toAbsolutePath()
                            + ", but it counted before: the database holds its intervals up to seq 1")
                    .contains("if the journal was moved or deleted by mistake, stop this node and put it back")
                    .endsWith("acknowledge it (txcounter acknowledge-gap) to end this readiness detail."));

            // Acknowledged once: gone for the rest of the run, whatever this node writes meanwhile.
            String gap = again.journalGap().orElseThrow();
            assertThat(again.acknowledgeJournalGap()).contains(gap);
            assertThat(again.journalGap()).isEmpty();
            assertThat(again.acknowledgeJournalGap()).isEmpty();
            again.meter().counter(Transport.HTTP).record();
            assertThat(Internals.flusher(again).flushNow()).isZero();
            assertThat(again.journalGap()).isEmpty();
        }
    }

    /**
     * A journal that could not be written (a full disk) while the node went on writing to the database, then a stop:
     * the database holds intervals the journal never heard of. Restarted at once on its own directory, the node
     * starts, because its written-seq mark knows them; the same stale journal in another directory, without the
     * mark, is still taken for a second runtime and refused.
     */
    @Test
    void aNodeWhoseJournalFellBehindItsWritesRestartsAtOnceOnItsOwnDirectory() throws Exception {
        Path journal = dirs.resolve("a").resolve("journal");
        byte[] stale;
        try (TransactionCounter first = TransactionCounter.start(config("a"), Clock.systemUTC())) {
            first.meter().counter(Transport.HTTP).record();
            assertThat(Internals.flusher(first).flushNow()).isZero();
            stale = Files.readAllBytes(journal);
            for (int i = 0; i < 3; i++) {
                first.meter().counter(Transport.HTTP).record();
                assertThat(Internals.flusher(first).flushNow()).isZero();
            }
        }
        assertThat(ledger()).hasSize(4);
        Files.write(journal, stale);
        Files.createDirectories(dirs.resolve("b"));
        Files.write(dirs.resolve("b").resolve("journal"), stale);

        assertThatThrownBy(() -> TransactionCounter.start(config("b"), Clock.systemUTC()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Node shared-node is already counting elsewhere: the database shows it "
                        + "wrote up to seq 4");
        try (TransactionCounter again = TransactionCounter.start(config("a"), Clock.systemUTC())) {
            assertThat(again.nodeConflict()).isEmpty();
            again.meter().counter(Transport.HTTP).record();
            assertThat(Internals.flusher(again).flushNow()).isZero();
        }
        assertThat(ledger()).extracting(IntervalRow::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    private List<IntervalRow> ledger() {
        try (CounterStore store = CounterStore.open(database, Clock.systemUTC())) {
            return store.ledger("shared-node");
        }
    }

    private CounterConfig config(String dir) {
        return CounterConfig.builder().dataSource(database).nodeId("shared-node").dataDir(dirs.resolve(dir))
                .billingZone(ZoneOffset.UTC).build();
    }
}
