package org.txcounter.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.txcounter.core.Await.awaitUpTo;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Phaser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.DayCount;
import org.txcounter.core.MonthCount;
import org.txcounter.core.MutableClock;
import org.txcounter.core.ReportRow;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounter;
import org.txcounter.core.TransportCounts;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.interval.IntervalFlusher;
import org.txcounter.core.interval.IntervalSchedule;
import org.txcounter.core.interval.IntervalSink;
import org.txcounter.core.interval.IntervalSummary;
import org.txcounter.core.ledger.ArchivedRange;
import org.txcounter.core.ledger.LedgerCheck;
import org.txcounter.core.ledger.LedgerFinding;
import org.txcounter.core.ledger.LedgerSigner;
import org.txcounter.core.ledger.SignedRow;
import org.txcounter.core.ledger.VerifyCheckpoint;

/**
 * What every database must do for the counter, run against each vendor by a subclass that names the database.
 */
abstract class CounterStoreContract {

    private static final Duration MINUTE = Duration.ofMinutes(1);

    @TempDir
    Path dataDir;

    private final List<TransactionCounter> opened = new ArrayList<>();
    private DataSourceConfig dataSource;

    /** The database under test, as its owner; called once per test. */
    abstract DataSourceConfig database(Path dataDir);

    @BeforeEach
    void emptyDatabase() {
        dataSource = database(dataDir);
        TestDatabases.migrate(dataSource);
        TestDatabases.wipe(dataSource);
    }

    @AfterEach
    void closeCounters() {
        opened.forEach(TransactionCounter::close);
    }

    private TransactionCounter open(Clock clock, String nodeId) {
        return open(clock, nodeId, ZoneId.of("UTC"));
    }

    private TransactionCounter open(Clock clock, String nodeId, ZoneId billingZone) {
        CounterConfig.Builder config = CounterConfig.builder().dataSource(dataSource).dataDir(dataDir)
                .billingZone(billingZone);
        if (nodeId != null) {
            config.nodeId(nodeId);
        }
        TransactionCounter counter = TransactionCounter.open(config.build(), clock);
        opened.add(counter);
        return counter;
    }

    @Test
    void eightThreadsRecordingAMillionEachAcrossFiveIntervalsAreCountedExactly() throws Exception {
        MutableClock clock = MutableClock.at("2026-03-10T08:00:05Z");
        TransactionCounter counter = open(clock, "node-a");
        int threads = 8;
        int phases = 5;
        int perPhase = 200_000;
        Phaser phaser = new Phaser(threads + 1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> recorders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            TransportCounter handle = counter.meter().counter(t % 2 == 0 ? Transport.HTTP : Transport.JMS);
            recorders.add(pool.submit(() -> {
                for (int phase = 0; phase < phases; phase++) {
                    for (int i = 0; i < perPhase; i++) {
                        handle.record();
                    }
                    phaser.arriveAndAwaitAdvance();
                }
                return null;
            }));
        }
        for (int phase = 0; phase < phases; phase++) {
            // Close an interval while the recorders are still running, once this phase has recorded something.
            while (counter.meter().pending().values().stream().mapToLong(Long::longValue).sum() == 0) {
                Thread.onSpinWait();
            }
            clock.advance(MINUTE);
            Internals.flusher(counter).flushDue();
            phaser.arriveAndAwaitAdvance();
        }
        for (Future<?> recorder : recorders) {
            recorder.get();
        }
        pool.shutdown();
        clock.advance(MINUTE);
        assertThat(Internals.flusher(counter).flushDue()).isZero();

        MonthCount march = counter.count(YearMonth.of(2026, 3));
        assertThat(march.total()).isEqualTo(8_000_000L);
        assertThat(march.counts().get(Transport.HTTP)).isEqualTo(4_000_000L);
        assertThat(march.counts().get(Transport.JMS)).isEqualTo(4_000_000L);
        assertThat(march.nodes()).isEqualTo(1);
        List<IntervalRow> ledger = Internals.store(counter).ledger("node-a");
        assertThat(ledger.stream().mapToLong(IntervalRow::seq).distinct().count()).isGreaterThanOrEqualTo(5);
        assertThat(ledger.stream().mapToLong(IntervalRow::count).sum()).isEqualTo(8_000_000L);
    }

    @Test
    void aWriteWhoseAcknowledgementWasLostCountsOnceWhenRetried() {
        MutableClock clock = MutableClock.at("2026-04-01T00:00:00Z");
        TransactionCounter counter = open(clock, "node-a");
        CounterStore store = Internals.store(counter);
        int[] acknowledgementsToLose = {1};
        IntervalSink lossy = interval -> {
            store.write(interval);
            if (acknowledgementsToLose[0]-- > 0) {
                throw new IllegalStateException("connection reset after commit");
            }
        };
        IntervalFlusher flusher = new IntervalFlusher(counter.meter(), lossy,
                new IntervalSchedule(MINUTE, counter.billingZone()), clock, "node-a", store.registerNode("node-a"));
        for (int i = 0; i < 25; i++) {
            counter.meter().counter(Transport.HTTP).record();
        }
        clock.advance(MINUTE);

        assertThat(flusher.flushDue()).isEqualTo(1);
        assertThat(store.count(YearMonth.of(2026, 4)).total()).isEqualTo(25);

        clock.advance(MINUTE);
        assertThat(flusher.flushDue()).isZero();

        assertThat(store.count(YearMonth.of(2026, 4)).total()).isEqualTo(25);
        assertThat(store.ledger("node-a")).hasSize(1);
    }

    @Test
    void anotherIntervalUnderAWrittenSequenceNumberIsRefused() {
        MutableClock clock = MutableClock.at("2026-04-01T00:00:00Z");
        TransactionCounter counter = open(clock, "node-a");
        CounterStore store = Internals.store(counter);
        Instant start = Instant.parse("2026-04-01T00:00:00Z");
        store.write(new IntervalSummary("node-a", 1, start, start.plus(MINUTE), YearMonth.of(2026, 4),
                TransportCounts.of(Map.of(Transport.HTTP, 5L))));

        assertThatThrownBy(() -> store.write(new IntervalSummary("node-a", 1, start, start.plus(MINUTE),
                YearMonth.of(2026, 4), TransportCounts.of(Map.of(Transport.HTTP, 6L)))))
                .isInstanceOf(StoreException.NodeConflictException.class)
                .hasMessageContaining("already wrote a different interval with seq 1")
                .hasMessageContaining("same node id")
                .matches(e -> !((StoreException) e).outage(), "not an outage");
        assertThat(store.count(YearMonth.of(2026, 4)).total()).isEqualTo(5);
    }

    @Test
    void anIntervalAfterAGapInTheSequenceIsRefusedAsAGapAndTheFlusherSaysSo() {
        MutableClock clock = MutableClock.at("2026-04-01T00:00:00Z");
        TransactionCounter counter = open(clock, "node-a");
        CounterStore store = Internals.store(counter);
        Instant start = Instant.parse("2026-04-01T00:00:00Z");

        assertThatThrownBy(() -> store.write(new IntervalSummary("node-a", 3, start, start.plus(MINUTE),
                YearMonth.of(2026, 4), TransportCounts.of(Map.of(Transport.HTTP, 6L)))))
                .isInstanceOf(StoreException.SequenceGapException.class)
                .hasMessageContaining("seq 1 to 2 are missing")
                .matches(e -> !((StoreException) e).outage(), "not an outage");
        assertThatThrownBy(() -> store.write(new IntervalSummary("node-z", 1, start, start.plus(MINUTE),
                YearMonth.of(2026, 4), TransportCounts.of(Map.of(Transport.HTTP, 6L)))))
                .isInstanceOf(StoreException.SequenceGapException.class)
                .hasMessageContaining("is not registered");
        assertThat(store.count(YearMonth.of(2026, 4)).total()).isZero();
    }

    @Test
    void theLastIntervalOfAMonthLandsInThatMonthAndTheNextOpensTheNext() {
        MutableClock clock = MutableClock.at("2026-01-31T23:59:10Z");
        TransactionCounter counter = open(clock, "node-a");
        TransportCounter http = counter.meter().counter(Transport.HTTP);
        for (int i = 0; i < 7; i++) {
            http.record();
        }
        clock.set(Instant.parse("2026-02-01T00:00:00Z"));
        Internals.flusher(counter).flushDue();
        for (int i = 0; i < 3; i++) {
            http.record();
        }
        clock.advance(MINUTE);
        Internals.flusher(counter).flushDue();

        assertThat(counter.count(YearMonth.of(2026, 1)).total()).isEqualTo(7);
        assertThat(counter.count(YearMonth.of(2026, 2)).total()).isEqualTo(3);
        List<IntervalRow> ledger = Internals.store(counter).ledger("node-a");
        assertThat(ledger).extracting(IntervalRow::billingMonth)
                .containsExactly(YearMonth.of(2026, 1), YearMonth.of(2026, 2));
        assertThat(ledger.get(0).end()).isEqualTo(Instant.parse("2026-02-01T00:00:00Z"));
        assertThat(ledger.get(1).start()).isEqualTo(Instant.parse("2026-02-01T00:00:00Z"));
    }

    @Test
    void aRestartKeepsTheNodeIdentityAndAddsNoEmptyRows() {
        MutableClock clock = MutableClock.at("2026-05-05T12:00:00Z");
        TransactionCounter first = open(clock, null);
        String nodeId = first.nodeId();
        first.meter().counter(Transport.JMS).record();
        clock.advance(MINUTE);
        Internals.flusher(first).flushDue();
        first.close();
        opened.remove(first);

        TransactionCounter second = open(clock, null);
        for (int i = 0; i < 5; i++) {
            clock.advance(MINUTE);
            Internals.flusher(second).flushDue();
        }
        second.meter().counter(Transport.JMS).record();
        second.close();
        opened.remove(second);

        TransactionCounter third = open(clock, null);
        assertThat(second.nodeId()).isEqualTo(nodeId);
        assertThat(third.nodeId()).isEqualTo(nodeId);
        assertThat(Internals.store(third).ledger(nodeId)).extracting(IntervalRow::seq).containsExactly(1L, 2L);
        MonthCount may = third.count(YearMonth.of(2026, 5));
        assertThat(may.total()).isEqualTo(2);
        assertThat(may.nodes()).isEqualTo(1);
    }

    @Test
    void aMonthWithMoreThanTwoToTheThirtyFirstTransactionsSumsExactly() {
        MutableClock clock = MutableClock.at("2026-08-01T00:00:00Z");
        TransactionCounter counter = open(clock, "node-a");
        CounterStore store = Internals.store(counter);
        Instant start = Instant.parse("2026-08-01T00:00:00Z");
        long big = Integer.MAX_VALUE;
        for (int seq = 1; seq <= 3; seq++) {
            Instant from = start.plus(MINUTE.multipliedBy(seq - 1));
            store.write(new IntervalSummary("node-a", seq, from, from.plus(MINUTE), YearMonth.of(2026, 8),
                    TransportCounts.of(Map.of(Transport.HTTP, big, Transport.JMS, (long) seq))));
        }

        MonthCount august = store.count(YearMonth.of(2026, 8));
        assertThat(august.counts().get(Transport.HTTP)).isEqualTo(3 * big);
        assertThat(august.counts().get(Transport.JMS)).isEqualTo(6);
        assertThat(august.total()).isEqualTo(3 * big + 6).isGreaterThan(1L << 32);
        assertThat(store.report(YearMonth.of(2026, 8), YearMonth.of(2026, 8)))
                .contains(new ReportRow(YearMonth.of(2026, 8), "node-a", Transport.HTTP, 3 * big));
    }

    @Test
    void verifyNamesExactlyTheEditedTheDeletedAndTheInsertedRow() throws Exception {
        MutableClock clock = MutableClock.at("2026-10-01T00:00:00Z");
        TransactionCounter a = open(clock, "node-a");
        TransactionCounter b = open(clock, "node-b");
        for (int interval = 1; interval <= 6; interval++) {
            record(a, Transport.HTTP, interval);
            record(a, Transport.JMS, 10 * interval);
            record(b, Transport.HTTP, 100 * interval);
            clock.advance(MINUTE);
            Internals.flusher(a).flushDue();
            Internals.flusher(b).flushDue();
        }
        assertThat(Internals.verifyLedger(a)).isEmpty();

        // The embedded H2 default has the password the counter generated for it.
        DataSourceConfig direct = EmbeddedH2.secure(dataSource, dataDir);
        try (Connection connection = DriverManager.getConnection(direct.url(), direct.username(),
                direct.password()); Statement statement = connection.createStatement()) {
            statement.executeUpdate("UPDATE txn_interval SET txn_count = 999 WHERE node_id = 'node-a' AND seq = 2 "
                    + "AND transport = 'HTTP'");
            statement.executeUpdate("DELETE FROM txn_interval WHERE node_id = 'node-a' AND seq = 4 "
                    + "AND transport = 'JMS'");
            statement.executeUpdate("INSERT INTO txn_interval (node_id, seq, transport, interval_start, interval_end, "
                    + "billing_period, txn_count, written_at, prev_mac, mac) SELECT node_id, 7, transport, "
                    + "interval_start, interval_end, billing_period, 5000, written_at, mac, mac FROM txn_interval "
                    + "WHERE node_id = 'node-b' AND seq = 6");
        }

        List<LedgerFinding> findings = Internals.verifyLedger(a);
        assertThat(findings.stream().filter(f -> f.kind() != LedgerFinding.Kind.ROLLUP_MISMATCH)
                .map(f -> f.kind() + " " + f.nodeId() + " " + f.seq() + " " + f.transport()))
                .containsExactlyInAnyOrder(
                        "EDITED node-a 2 HTTP",
                        "DELETED node-a 5 HTTP",
                        "INSERTED node-b 7 HTTP");
        assertThat(findings.stream().filter(f -> f.kind() == LedgerFinding.Kind.ROLLUP_MISMATCH)
                .map(f -> f.nodeId() + " " + f.transport()))
                .containsExactlyInAnyOrder("node-a HTTP", "node-a JMS", "node-b HTTP");
    }

    @Test
    void aCheckOfSomeMonthsOrSinceACheckpointReadsOnlyThoseRowsAndNamesWhatChangedInThem() throws Exception {
        MutableClock clock = MutableClock.at("2026-12-01T00:00:00Z");
        TransactionCounter a = connected(open(clock, "node-a"));
        TransactionCounter b = connected(open(clock, "node-b"));
        long[] seq = threeMonths(a, b);

        LedgerCheck whole = Internals.checkLedger(a, null, null, null);
        assertThat(whole.findings()).isEmpty();
        assertThat(whole.rowsRead()).isEqualTo(48);
        LedgerCheck october = Internals.checkLedger(a, YearMonth.of(2026, 10), YearMonth.of(2026, 10), null);
        assertThat(october.findings()).isEmpty();
        assertThat(october.rowsRead()).isEqualTo(16);
        assertThat(october.checkpoint()).as("a check of some months gives no checkpoint").isEmpty();

        // Two more intervals in November: the resumed check reads their 8 rows and nothing before them.
        VerifyCheckpoint checkpoint = VerifyCheckpoint.decode(whole.checkpoint().orElseThrow().encode());
        assertThat(checkpoint.rows()).isEqualTo(48);
        for (int interval = 4; interval < 6; interval++) {
            writeInterval(a, YearMonth.of(2026, 11), ++seq[0], interval);
            writeInterval(b, YearMonth.of(2026, 11), ++seq[1], interval);
        }
        LedgerCheck resumed = Internals.checkLedger(a, null, null, checkpoint);
        assertThat(resumed.findings()).isEmpty();
        assertThat(resumed.rowsRead()).isEqualTo(8);
        assertThat(resumed.checkpoint().orElseThrow().rows()).isEqualTo(56);
        VerifyCheckpoint afterResume = resumed.checkpoint().orElseThrow();

        tamper("UPDATE txn_interval SET txn_count = 999 WHERE node_id = 'node-a' AND seq = 3 AND transport = 'HTTP'");
        assertThat(Internals.checkLedger(a, YearMonth.of(2026, 10), YearMonth.of(2026, 11), null).findings())
                .as("a September row edited is outside October and November").isEmpty();
        assertThat(describe(Internals.checkLedger(a, YearMonth.of(2026, 9), YearMonth.of(2026, 9), null).findings()))
                .containsExactlyInAnyOrder("EDITED node-a 3 HTTP", "ROLLUP_MISMATCH node-a -1 HTTP");
        assertThat(describe(Internals.checkLedger(a, null, null, null).findings()))
                .containsExactlyInAnyOrder("EDITED node-a 3 HTTP", "ROLLUP_MISMATCH node-a -1 HTTP");
        tamper("UPDATE txn_interval SET txn_count = 3 WHERE node_id = 'node-a' AND seq = 3 AND transport = 'HTTP'");

        // The first row of node-b's October removed: the check of October alone names it as the whole check does.
        tamper("DELETE FROM txn_interval WHERE node_id = 'node-b' AND seq = 5 AND transport = 'HTTP'");
        assertThat(describe(Internals.checkLedger(a, YearMonth.of(2026, 10), YearMonth.of(2026, 10), null).findings()))
                .containsExactlyInAnyOrderElementsOf(describe(Internals.checkLedger(a, null, null, null).findings()))
                .contains("DELETED node-b 5 JMS");

        // The row the checkpoint ends node-a's chain on, edited since: the resumed check names it (what was deleted
        // before the checkpoint is left to the whole check, as above).
        tamper("UPDATE txn_interval SET txn_count = 777 WHERE node_id = 'node-a' AND seq = 14 AND transport = 'JMS'");
        assertThat(describe(Internals.checkLedger(a, null, null, afterResume).findings()))
                .containsExactly("EDITED node-a 14 JMS");
        // A row written after the checkpoint, then edited, is named with the rollup it no longer adds up to.
        writeInterval(b, YearMonth.of(2026, 11), ++seq[1], 6);
        tamper("UPDATE txn_interval SET txn_count = 555 WHERE node_id = 'node-b' AND seq = 15 AND transport = 'HTTP'");
        assertThat(describe(Internals.checkLedger(a, null, null, afterResume).findings()))
                .containsExactlyInAnyOrder("EDITED node-a 14 JMS", "EDITED node-b 15 HTTP",
                        "ROLLUP_MISMATCH node-b -1 HTTP");

        String forged = afterResume.encode().replace("sum 202609 node-a HTTP 10", "sum 202609 node-a HTTP 9");
        assertThat(forged).isNotEqualTo(afterResume.encode());
        assertThatThrownBy(() -> Internals.checkLedger(a, null, null, VerifyCheckpoint.decode(forged)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match its MAC");
    }

    @Test
    void aMonthRemovedToAnArchiveLeavesARecordTheCheckGoesOnFromAndItsReportUnchanged() throws Exception {
        MutableClock clock = MutableClock.at("2026-12-01T00:00:00Z");
        TransactionCounter a = connected(open(clock, "node-a"));
        TransactionCounter b = connected(open(clock, "node-b"));
        long[] seq = threeMonths(a, b);
        YearMonth september = YearMonth.of(2026, 9);
        YearMonth october = YearMonth.of(2026, 10);
        CounterStore store = Internals.store(a);
        List<ReportRow> report = store.report(september, YearMonth.of(2026, 11));
        List<LedgerAnchor> anchors = store.anchors(september, YearMonth.of(2026, 11));
        VerifyCheckpoint before = Internals.checkLedger(a, null, null, null).checkpoint().orElseThrow();

        assertThatThrownBy(() -> store.archiveOutline(september)).isInstanceOf(ArchiveRefusedException.class)
                .hasMessage("Month 2026-09 is not closed: only a closed month, whose statement is issued, can be "
                        + "archived. Close it first (close-month --month 2026-09).");
        store.close(september, "admin", snapshot -> "{}");
        store.close(october, "admin", snapshot -> "{}");
        MonthArchive octoberOutline = store.archiveOutline(october);
        assertThatThrownBy(() -> store.removeArchived(octoberOutline, "0".repeat(64), "admin"))
                .isInstanceOf(ArchiveRefusedException.class)
                .hasMessageContaining("Node node-a still has ledger rows before its rows of 2026-10, from 2026-09 on")
                .hasMessageEndingWith("Nothing was removed.");

        MonthArchive outline = store.archiveOutline(september);
        assertThat(outline.rows()).isEqualTo(16);
        assertThat(outline.total()).isEqualTo(2 * (1 + 2 + 3 + 4 + 10 + 11 + 12 + 13));
        assertThat(outline.nodes()).extracting(MonthArchive.Node::nodeId).containsExactly("node-a", "node-b");
        assertThat(outline.nodes().get(0).firstSeq()).isEqualTo(1);
        assertThat(outline.nodes().get(0).lastSeq()).isEqualTo(4);
        assertThat(outline.nodes().get(0).firstPrevMac()).isNull();
        assertThat(outline.nodes().get(0).totals()).isEqualTo(Map.of("HTTP", new MonthArchive.Total(4, 10),
                "JMS", new MonthArchive.Total(4, 46)));
        List<SignedRow> rows = new ArrayList<>();
        store.forEachRow(outline, rows::add);
        assertThat(rows).hasSize(16);
        assertThat(rows.get(15)).isEqualTo(outline.nodes().get(1).last());

        writeInterval(a, YearMonth.of(2026, 11), ++seq[0], 4);
        MonthArchive stale = new MonthArchive(september, outline.nodes().subList(0, 1));
        assertThatThrownBy(() -> store.removeArchived(stale, "0".repeat(64), "admin"))
                .isInstanceOf(ArchiveRefusedException.class)
                .hasMessage("The ledger rows of 2026-09 are not those the archive file holds: it has 8 rows of 1 "
                        + "node(s) with 56 transactions, the database 16 rows of 2 node(s) with 112. Nothing was "
                        + "removed. Write the archive of 2026-09 again and remove with that file.");
        // Node b's reads from memory hold September's daily totals, as the database has them now.
        clock.advance(ReadCache.OTHER_WRITERS_CHECKED_EVERY);
        ZoneId utc = ZoneId.of("UTC");
        assertThat(b.daily(september, Duration.ofSeconds(30))).isEqualTo(store.daily(september, utc)).isNotEmpty();
        List<ArchivedRange> removed = store.removeArchived(outline, "a".repeat(64), "admin");
        assertThat(removed).extracting(ArchivedRange::nodeId).containsExactly("node-a", "node-b");
        assertThat(store.archived()).isEqualTo(removed);
        assertThatThrownBy(() -> store.removeArchived(outline, "a".repeat(64), "admin"))
                .isInstanceOf(ArchiveRefusedException.class).hasMessageContaining("were removed to an archive at "
                        + "2026-12-01T00:00:01Z");
        // The removal, by another process as far as node b knows, is seen there once the check of other writers
        // is due, as every other write is.
        clock.advance(ReadCache.OTHER_WRITERS_CHECKED_EVERY);
        assertThat(b.daily(september, Duration.ofSeconds(30))).isEqualTo(store.daily(september, utc)).isEmpty();

        assertThat(store.ledger("node-a")).hasSize(2 * 9);
        LedgerCheck whole = Internals.checkLedger(a, null, null, null);
        assertThat(whole.findings()).isEmpty();
        assertThat(whole.rowsRead()).isEqualTo(34);
        LedgerCheck septemberCheck = Internals.checkLedger(a, september, september, null);
        assertThat(septemberCheck.findings()).isEmpty();
        assertThat(septemberCheck.rowsRead()).isZero();
        assertThat(Internals.checkLedger(a, october, october, null).findings()).isEmpty();
        LedgerCheck resumed = Internals.checkLedger(a, null, null, before);
        assertThat(resumed.findings()).as("a checkpoint from before the removal").isEmpty();
        assertThat(resumed.rowsRead()).isEqualTo(2);
        assertThat(Internals.checkLedger(a, null, null, whole.checkpoint().orElseThrow()).findings()).isEmpty();
        List<ReportRow> after = store.report(september, YearMonth.of(2026, 11));
        assertThat(after.stream().filter(row -> !row.month().equals(YearMonth.of(2026, 11))).toList())
                .isEqualTo(report.stream().filter(row -> !row.month().equals(YearMonth.of(2026, 11))).toList());
        assertThat(store.anchors(september, YearMonth.of(2026, 10))).isEqualTo(anchors.stream()
                .filter(anchor -> !anchor.month().equals(YearMonth.of(2026, 11))).toList());

        // The record is what the check goes on from: editing it, or the first row after it, is named.
        tamper("UPDATE txn_archived_total SET txn_count = 9 WHERE node_id = 'node-b' AND transport = 'HTTP'");
        assertThat(describe(Internals.checkLedger(a, september, september, null).findings()))
                .containsExactlyInAnyOrder("EDITED node-b 4 null", "ROLLUP_MISMATCH node-b -1 HTTP",
                        "ROLLUP_MISMATCH node-b -1 JMS");
        tamper("UPDATE txn_archived_total SET txn_count = 10 WHERE node_id = 'node-b' AND transport = 'HTTP'");
        assertThat(Internals.checkLedger(a, null, null, null).findings()).isEmpty();
        tamper("DELETE FROM txn_interval WHERE node_id = 'node-a' AND seq = 5 AND transport = 'HTTP'");
        assertThat(describe(Internals.checkLedger(a, null, null, null).findings())).contains("DELETED node-a 5 JMS");
        assertThat(describe(Internals.checkLedger(a, october, october, null).findings()))
                .contains("DELETED node-a 5 JMS");
    }

    /**
     * Four intervals a month for each of the two counters' nodes, September to November 2026, HTTP and JMS each: 8
     * rows a month and node. Returns each node's last sequence number.
     */
    private static long[] threeMonths(TransactionCounter a, TransactionCounter b) {
        long[] seq = new long[2];
        for (YearMonth month = YearMonth.of(2026, 9); !month.isAfter(YearMonth.of(2026, 11));
                month = month.plusMonths(1)) {
            for (int interval = 0; interval < 4; interval++) {
                writeInterval(a, month, ++seq[0], interval);
                writeInterval(b, month, ++seq[1], interval);
            }
        }
        return seq;
    }

    /** The counter once connected: its node registered, as the store thread does it soon after the start. */
    private static TransactionCounter connected(TransactionCounter counter) throws InterruptedException {
        awaitUpTo(Duration.ofSeconds(60), counter::connect);
        return counter;
    }

    /**
     * One interval of {@code month} for the counter's node: {@code 1 + interval} HTTP and {@code 10 + interval} JMS.
     */
    private static void writeInterval(TransactionCounter counter, YearMonth month, long seq, int interval) {
        Instant start = month.atDay(1).atStartOfDay(ZoneId.of("UTC")).toInstant().plus(MINUTE.multipliedBy(interval));
        Internals.store(counter).write(new IntervalSummary(counter.nodeId(), seq, start, start.plus(MINUTE), month,
                TransportCounts.of(Map.of(Transport.HTTP, 1L + interval, Transport.JMS, 10L + interval))));
    }

    private void tamper(String sql) throws Exception {
        DataSourceConfig direct = EmbeddedH2.secure(dataSource, dataDir);
        try (Connection connection = DriverManager.getConnection(direct.url(), direct.username(),
                direct.password()); Statement statement = connection.createStatement()) {
            assertThat(statement.executeUpdate(sql)).as(sql).isEqualTo(1);
        }
    }

    private static List<String> describe(List<LedgerFinding> findings) {
        return findings.stream().map(f -> f.kind() + " " + f.nodeId() + " " + f.seq() + " " + f.transport()).toList();
    }

    @Test
    void aLedgerWrittenAcrossAKeyRotationVerifiesCleanAndEditedRowsAreStillNamed() throws Exception {
        byte[] firstKey = "the-first-ledger-key-of-32-bytes!".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] secondKey = "the-second-ledger-key-of-32-bytes".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        MutableClock clock = MutableClock.at("2026-09-01T00:00:00Z");
        CounterConfig before = CounterConfig.builder().dataSource(dataSource).dataDir(dataDir).nodeId("node-a")
                .dedupe(dedupe("the-first-stamp-secret-of-32-bytes")).ledgerKey(firstKey).ledgerKeyId("2026-08")
                .build();
        TransactionCounter first = TransactionCounter.open(before, clock);
        for (int interval = 1; interval <= 3; interval++) {
            record(first, Transport.HTTP, interval);
            clock.advance(MINUTE);
            Internals.flusher(first).flushDue();
        }
        first.close();

        // The ledger key rotates, and so does the stamp secret: neither touches the rows already written.
        CounterConfig after = before.toBuilder().dedupe(dedupe("the-second-stamp-secret-of-32-byte"))
                .ledgerKey(secondKey).ledgerKeyId("2026-09").retiredLedgerKey("2026-08", firstKey).build();
        TransactionCounter second = TransactionCounter.open(after, clock);
        opened.add(second);
        for (int interval = 4; interval <= 6; interval++) {
            record(second, Transport.HTTP, interval);
            clock.advance(MINUTE);
            Internals.flusher(second).flushDue();
        }

        assertThat(Internals.verifyLedger(second)).isEmpty();
        assertThat(Internals.store(second).ledger("node-a")).hasSize(6);
        DataSourceConfig direct = EmbeddedH2.secure(dataSource, dataDir);
        try (Connection connection = DriverManager.getConnection(direct.url(), direct.username(),
                direct.password()); Statement statement = connection.createStatement()) {
            try (java.sql.ResultSet keys = statement.executeQuery(
                    "SELECT seq, key_id FROM txn_interval WHERE node_id = 'node-a' ORDER BY seq")) {
                List<String> seen = new ArrayList<>();
                while (keys.next()) {
                    seen.add(keys.getLong(1) + ":" + keys.getString(2));
                }
                assertThat(seen).containsExactly("1:2026-08", "2:2026-08", "3:2026-08", "4:2026-09", "5:2026-09",
                        "6:2026-09");
            }
            statement.executeUpdate("UPDATE txn_interval SET txn_count = 77 WHERE node_id = 'node-a' AND seq = 2");
            statement.executeUpdate("UPDATE txn_interval SET txn_count = 88 WHERE node_id = 'node-a' AND seq = 5");
        }

        assertThat(Internals.verifyLedger(second).stream().filter(f -> f.kind() != LedgerFinding.Kind.ROLLUP_MISMATCH)
                .map(f -> f.kind() + " " + f.nodeId() + " " + f.seq()))
                .containsExactlyInAnyOrder("EDITED node-a 2", "EDITED node-a 5");
        // Without the retired key the old rows cannot be checked, and the verifier says so instead of guessing.
        // Another node's data directory: for the embedded H2 database it needs the password kept in this one's.
        try (TransactionCounter verifier = TransactionCounter.open(CounterConfig.builder()
                .dataSource(EmbeddedH2.secure(dataSource, dataDir)).dataDir(dataDir.resolve("verifier"))
                .nodeId("verifier").dedupe(after.dedupe())
                .ledgerKey(secondKey).ledgerKeyId("2026-09").build(), clock)) {
            assertThat(Internals.verifyLedger(verifier).stream().filter(
                    f -> f.kind() != LedgerFinding.Kind.ROLLUP_MISMATCH)
                    .map(f -> f.kind() + " " + f.seq()))
                    .containsExactlyInAnyOrder("UNKNOWN_KEY 1", "UNKNOWN_KEY 2", "UNKNOWN_KEY 3", "EDITED 5");
        }
    }

    private static org.txcounter.core.config.DedupeConfig dedupe(String stampSecret) {
        return new org.txcounter.core.config.DedupeConfig("it", java.util.Optional.of(stampSecret.getBytes(
                java.nio.charset.StandardCharsets.US_ASCII)), Duration.ofHours(1), true, 1_000);
    }

    @Test
    void theReportHasOneRowPerMonthNodeAndTransport() {
        MutableClock clock = MutableClock.at("2026-06-30T23:58:00Z");
        TransactionCounter a = open(clock, "node-a");
        TransactionCounter b = open(clock, "node-b");
        record(a, Transport.HTTP, 3);
        record(b, Transport.JMS, 4);
        clock.set(Instant.parse("2026-07-01T00:00:00Z"));
        Internals.flusher(a).flushDue();
        Internals.flusher(b).flushDue();
        record(a, Transport.HTTP, 2);
        record(a, Transport.JMS, 1);
        clock.advance(MINUTE);
        Internals.flusher(a).flushDue();
        Internals.flusher(b).flushDue();

        assertThat(a.report(YearMonth.of(2026, 6), YearMonth.of(2026, 7))).containsExactly(
                new ReportRow(YearMonth.of(2026, 6), "node-a", Transport.HTTP, 3),
                new ReportRow(YearMonth.of(2026, 6), "node-b", Transport.JMS, 4),
                new ReportRow(YearMonth.of(2026, 7), "node-a", Transport.HTTP, 2),
                new ReportRow(YearMonth.of(2026, 7), "node-a", Transport.JMS, 1));
        assertThat(a.report(YearMonth.of(2026, 8), YearMonth.of(2026, 12))).isEmpty();
        MonthCount june = a.count(YearMonth.of(2026, 6));
        assertThat(june.total()).isEqualTo(7);
        assertThat(june.nodes()).isEqualTo(2);
    }

    @Test
    void dailyTotalsFallOnTheDayOfTheBillingZoneThatEachIntervalStartsOn() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        MutableClock clock = MutableClock.at("2026-11-30T22:59:00Z");
        TransactionCounter a = open(clock, "node-a", berlin);
        TransactionCounter b = open(clock, "node-b", berlin);
        record(a, Transport.HTTP, 7);
        clock.set(Instant.parse("2026-11-30T23:00:00Z"));
        Internals.flusher(a).flushDue();
        Internals.flusher(b).flushDue();
        // 23:59 on 1 December in Berlin (UTC+1): the last minute of the day.
        clock.set(Instant.parse("2026-12-01T22:59:00Z"));
        Internals.flusher(a).flushDue();
        Internals.flusher(b).flushDue();
        record(a, Transport.HTTP, 3);
        record(b, Transport.JMS, 2);
        clock.advance(MINUTE);
        Internals.flusher(a).flushDue();
        Internals.flusher(b).flushDue();
        // Midnight in Berlin: 2 December.
        record(a, Transport.HTTP, 5);
        record(b, Transport.HTTP, 4);
        clock.advance(MINUTE);
        Internals.flusher(a).flushDue();
        Internals.flusher(b).flushDue();

        assertThat(a.daily(YearMonth.of(2026, 12))).containsExactly(
                new DayCount(LocalDate.of(2026, 12, 1), Transport.HTTP, 3),
                new DayCount(LocalDate.of(2026, 12, 1), Transport.JMS, 2),
                new DayCount(LocalDate.of(2026, 12, 2), Transport.HTTP, 9));
        assertThat(a.daily(YearMonth.of(2026, 11))).containsExactly(
                new DayCount(LocalDate.of(2026, 11, 30), Transport.HTTP, 7));
        assertThat(a.daily(YearMonth.of(2027, 1))).isEmpty();
        assertThat(a.daily(YearMonth.of(2026, 12)).stream().mapToLong(DayCount::count).sum())
                .isEqualTo(a.count(YearMonth.of(2026, 12)).total());
    }

    @Test
    void aLateIntervalOfAClosedMonthLeavesItAsClosedAndIsAnAdjustmentOnTheNextOpenMonth() {
        MutableClock clock = MutableClock.at("2026-06-30T23:58:00Z");
        TransactionCounter counter = open(clock, "node-a");
        CounterStore store = Internals.store(counter);
        record(counter, Transport.HTTP, 4);
        clock.advance(MINUTE);
        Internals.flusher(counter).flushDue();
        Instant lateStart = clock.instant();
        IntervalSummary late = new IntervalSummary("node-a", 2, lateStart, lateStart.plus(MINUTE),
                YearMonth.of(2026, 6), TransportCounts.of(Map.of(Transport.HTTP, 3L, Transport.JMS, 2L)));
        clock.set(Instant.parse("2026-07-04T00:00:00Z"));
        MonthClosure closed = store.close(YearMonth.of(2026, 6), "ops",
                snapshot -> "totals " + snapshot.rows().stream().mapToLong(ReportRow::count).sum());
        assertThat(closed.statement()).isEqualTo("totals 4");
        assertThatThrownBy(() -> store.close(YearMonth.of(2026, 6), "ops", snapshot -> "again"))
                .isInstanceOf(MonthAlreadyClosedException.class).hasMessageContaining("already closed");

        store.write(late);

        assertThat(store.count(YearMonth.of(2026, 6)).total()).isEqualTo(4);
        assertThat(store.closure(YearMonth.of(2026, 6)).orElseThrow().statement()).isEqualTo("totals 4");
        assertThat(store.adjustmentsInto(YearMonth.of(2026, 7)))
                .extracting(Adjustment::nodeId, Adjustment::seq, Adjustment::transport, Adjustment::originMonth,
                        Adjustment::count)
                .containsExactly(
                        tuple("node-a", 2L, Transport.HTTP, YearMonth.of(2026, 6), 3L),
                        tuple("node-a", 2L, Transport.JMS, YearMonth.of(2026, 6), 2L));
        assertThat(store.snapshot(YearMonth.of(2026, 7)).adjustments()).hasSize(2);
        assertThat(Internals.verifyLedger(counter)).as("the ledger still adds up with the adjustments").isEmpty();
    }

    @Test
    void spansFollowTheIntervalsAndIdleHeartbeatsAndBreakWhereTheNodeWasAway() {
        MutableClock clock = MutableClock.at("2026-08-10T10:00:00Z");
        TransactionCounter counter = open(clock, "node-a");
        record(counter, Transport.HTTP, 1);
        clock.advance(MINUTE);
        Internals.flusher(counter).flushDue();
        clock.advance(MINUTE);
        Internals.flusher(counter).flushDue();
        Instant away = clock.instant();
        Instant back = away.plus(Duration.ofMinutes(30));
        Internals.store(counter).write(new IntervalSummary("node-a", 2, back, back.plus(MINUTE), YearMonth.of(2026, 8),
                TransportCounts.of(Map.of(Transport.JMS, 1L))));

        assertThat(Internals.store(counter).snapshot(YearMonth.of(2026, 8)).spans()).containsExactly(
                new NodeSpan("node-a", Instant.parse("2026-08-10T10:00:00Z"), away),
                new NodeSpan("node-a", back, back.plus(MINUTE)));
    }

    @Test
    void aQuotaAlertIsRecordedOncePerThresholdAndMonth() {
        TransactionCounter counter = open(MutableClock.at("2026-09-10T10:00:00Z"), "node-a");
        CounterStore store = Internals.store(counter);

        assertThat(store.recordQuotaAlert(YearMonth.of(2026, 9), 80, 800, 1000)).isTrue();
        assertThat(store.recordQuotaAlert(YearMonth.of(2026, 9), 80, 850, 1000)).isFalse();
        assertThat(store.recordQuotaAlert(YearMonth.of(2026, 9), 90, 900, 1000)).isTrue();
        assertThat(store.recordQuotaAlert(YearMonth.of(2026, 10), 80, 800, 1000)).isTrue();
    }

    /**
     * Whether this database hands out connections at READ COMMITTED (MySQL and MariaDB start at REPEATABLE READ).
     */
    boolean connectionsComeAtReadCommitted() {
        return true;
    }

    @Test
    void writingAnIntervalIsOneTransactionAtReadCommittedAndAsksNothingBesides() throws Exception {
        MutableClock clock = MutableClock.at("2026-05-04T10:00:00Z");
        LedgerSigner signer = Internals.ledgerKeys(CounterConfig.builder().dataSource(dataSource).dataDir(dataDir)
                .nodeId("node-a").build()).current();
        CountingDataSource counting = new CountingDataSource(dataSource);
        try (CounterStore store = CounterStore.onHostDataSource(counting, clock, signer, Duration.ofSeconds(30))) {
            store.registerNode("node-a");
            Instant start = clock.instant();
            store.write(new IntervalSummary("node-a", 1, start, start.plus(MINUTE), YearMonth.of(2026, 5),
                    TransportCounts.of(Map.of(Transport.HTTP, 3L))));
            counting.reset();

            for (int seq = 2; seq <= 4; seq++) {
                Instant from = start.plus(MINUTE.multipliedBy(seq - 1));
                store.write(new IntervalSummary("node-a", seq, from, from.plus(MINUTE), YearMonth.of(2026, 5),
                        TransportCounts.of(Map.of(Transport.HTTP, 5L, Transport.JMS, 2L))));
            }

            assertThat(counting.commits).as("one commit per interval").hasValue(3);
            assertThat(counting.statementsOutsideTransaction).as("statements run outside the transaction").hasValue(0);
            assertThat(counting.levelsAtCommit).as("the level each write committed at")
                    .containsExactly(Connection.TRANSACTION_READ_COMMITTED, Connection.TRANSACTION_READ_COMMITTED,
                            Connection.TRANSACTION_READ_COMMITTED);
            if (connectionsComeAtReadCommitted()) {
                // On PostgreSQL each of these is a statement and a commit of its own.
                assertThat(counting.isolationCalls).as("calls that read or set the isolation level").hasValue(0);
            }
            assertThat(store.count(YearMonth.of(2026, 5)).total()).isEqualTo(3 + 3 * 7);
        }
    }

    private static void record(TransactionCounter counter, Transport transport, int times) {
        TransportCounter handle = counter.meter().counter(transport);
        for (int i = 0; i < times; i++) {
            handle.record();
        }
    }
}
