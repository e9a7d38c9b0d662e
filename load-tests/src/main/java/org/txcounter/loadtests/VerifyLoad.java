package org.txcounter.loadtests;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.ledger.LedgerCheck;
import org.txcounter.core.ledger.LedgerFinding;
import org.txcounter.core.ledger.LedgerVerifier;
import org.txcounter.core.ledger.NodeHead;
import org.txcounter.core.ledger.RollupRow;
import org.txcounter.core.ledger.SignedRow;
import org.txcounter.core.store.CounterStore;
import org.txcounter.loadtests.LoadDatabases.Vendor;

/**
 * The ledger check over a filled ledger ({@link LedgerFiller}), in one of two ways:
 *
 * <ul>
 *   <li>{@code -Dmode=stream} (the default): {@link CounterStore#check(LedgerVerifier)}, which reads each node's
 *       chain a page at a time;
 *   <li>{@code -Dmode=memory}: what {@code verify} did before it streamed: every row read into one
 *       {@code List<SignedRow>}, then {@link LedgerVerifier#verify(List, List, List)}. When the heap runs out it
 *       says how many rows it held.
 * </ul>
 *
 * <p>Reports the rows read, the time, rows per second and the peak heap: the largest heap occupancy any garbage
 * collection found before it collected (the sum over the heap's pools, from the collectors' notifications), or the
 * occupancy at the end if that is larger, against the JVM's {@code -Xmx}, and the largest occupancy a collection
 * left (what the check held live at most). Run it under the {@code -Xmx} to test.
 * Database: {@code -Ddb} (postgresql, or mariadb), as {@link LoadDatabases} finds it; the check uses the runtime
 * account, read only.
 *
 * <p>Runs on its main thread; not for use from several threads.
 */
public final class VerifyLoad {

    /** The largest heap occupancy seen before a collection, in bytes. */
    private static final AtomicLong PEAK_BEFORE_GC = new AtomicLong();
    /** The largest heap occupancy a collection left, in bytes: what the check held live at most. */
    private static final AtomicLong PEAK_AFTER_GC = new AtomicLong();

    private VerifyLoad() {
    }

    public static void main(String[] args) throws Exception {
        Vendor vendor = Vendor.named(System.getProperty("db", "postgresql"));
        String mode = System.getProperty("mode", "stream");
        watchCollections();
        LedgerVerifier verifier = new LedgerVerifier(LoadDatabases.keys());
        System.out.printf("Ledger check of %s (%s), mode %s, -Xmx %d MiB, %d cores%n", vendor.label(), vendor.url(),
                mode, Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());
        long started = System.nanoTime();
        long rows;
        List<LedgerFinding> findings;
        switch (mode) {
            case "stream" -> {
                try (CounterStore store = CounterStore.open(vendor.app(), Clock.systemUTC())) {
                    LedgerCheck check = store.check(verifier);
                    rows = check.rowsRead();
                    findings = check.findings();
                }
            }
            case "memory" -> {
                List<SignedRow> held = new ArrayList<>();
                List<NodeHead> heads;
                List<RollupRow> rollup;
                try {
                    DataSourceConfig app = vendor.app();
                    try (Connection connection = DriverManager.getConnection(app.url(), app.username(),
                            app.password())) {
                        heads = heads(connection);
                        rollup = rollup(connection);
                        readAll(connection, held);
                    }
                    rows = held.size();
                    System.out.printf("Read %,d rows into memory in %.1f s; heap now %d MiB; verifying%n", rows,
                            (System.nanoTime() - started) / 1e9, usedHeap() >> 20);
                    findings = verifier.verify(held, heads, rollup);
                } catch (OutOfMemoryError e) {
                    int count = held.size();
                    held = null;
                    System.out.printf("OutOfMemoryError after %.1f s, holding %,d rows (%s); peak heap %d MiB of "
                            + "%d MiB, at most %d MiB live after a collection%n", (System.nanoTime() - started) / 1e9,
                            count, e.getMessage(), peakHeap() >> 20, Runtime.getRuntime().maxMemory() >> 20,
                            PEAK_AFTER_GC.get() >> 20);
                    System.exit(1);
                    return;
                }
            }
            default -> throw new IllegalArgumentException("-Dmode must be stream or memory. Found: " + mode);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("%,d rows in %.1f s: %,.0f rows/s; %d finding(s); peak heap %d MiB of %d MiB, at most %d "
                + "MiB live after a collection%n", rows, seconds, rows / seconds, findings.size(), peakHeap() >> 20,
                Runtime.getRuntime().maxMemory() >> 20, PEAK_AFTER_GC.get() >> 20);
        findings.stream().limit(10).forEach(finding -> System.out.printf("  %s %s seq %d: %s%n", finding.kind(),
                finding.nodeId(), finding.seq(), finding.detail()));
    }

    /** Every ledger row, in chain order, as the verifier before streaming read it: all of them at once. */
    private static void readAll(Connection connection, List<SignedRow> into) throws SQLException {
        // A cursor (auto-commit off and a fetch size), so that the driver does not hold the result set besides the
        // list: what is measured is the list.
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.setFetchSize(10_000);
            try (ResultSet rs = statement.executeQuery("""
                    SELECT node_id, seq, transport, interval_start, interval_end, billing_period, txn_count,
                           prev_mac, mac, key_id
                    FROM txn_interval ORDER BY node_id, seq, transport""")) {
                while (rs.next()) {
                    into.add(new SignedRow(rs.getString(1), rs.getLong(2), rs.getString(3), millis(rs, 4),
                            millis(rs, 5), rs.getInt(6), rs.getLong(7), rs.getString(8), rs.getString(9),
                            rs.getString(10)));
                    if (into.size() % 1_000_000 == 0) {
                        System.out.printf("  %,d rows held, heap %d MiB%n", into.size(), usedHeap() >> 20);
                    }
                }
            }
        }
        connection.commit();
    }

    private static List<NodeHead> heads(Connection connection) throws SQLException {
        List<NodeHead> heads = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(
                        "SELECT node_id, last_seq, last_mac, node_mac, key_id FROM txn_node")) {
            while (rs.next()) {
                heads.add(new NodeHead(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                        rs.getString(5)));
            }
        }
        return heads;
    }

    /** The rollup; a filled ledger has no late intervals, so no adjustments to add back. */
    private static List<RollupRow> rollup(Connection connection) throws SQLException {
        List<RollupRow> rollup = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(
                        "SELECT billing_period, node_id, transport, txn_count FROM txn_monthly")) {
            while (rs.next()) {
                rollup.add(new RollupRow(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
            }
        }
        return rollup;
    }

    private static long millis(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, LocalDateTime.class).toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    /** Records, at every collection, how full the heap was before it. */
    private static void watchCollections() {
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) collector).addNotificationListener((notification, handback) -> {
                if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                        notification.getType())) {
                    return;
                }
                GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
                        (CompositeData) notification.getUserData());
                long before = 0;
                long after = 0;
                for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                    MemoryUsage usage = info.getGcInfo().getMemoryUsageBeforeGc().get(pool.getName());
                    MemoryUsage left = info.getGcInfo().getMemoryUsageAfterGc().get(pool.getName());
                    if (pool.getType() == MemoryType.HEAP && usage != null) {
                        before += usage.getUsed();
                        after += left.getUsed();
                    }
                }
                PEAK_BEFORE_GC.accumulateAndGet(before, Math::max);
                PEAK_AFTER_GC.accumulateAndGet(after, Math::max);
            }, null, null);
        }
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long peakHeap() {
        return Math.max(PEAK_BEFORE_GC.get(), usedHeap());
    }
}
