package org.txcounter.loadtests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounts;
import org.txcounter.core.interval.IntervalSchedule;
import org.txcounter.core.interval.IntervalSummary;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.ledger.LedgerCheck;
import org.txcounter.core.ledger.LedgerFinding;
import org.txcounter.core.ledger.LedgerSigner;
import org.txcounter.core.ledger.LedgerVerifier;
import org.txcounter.core.store.CounterStore;
import org.txcounter.loadtests.LoadDatabases.Vendor;

/**
 * Fills the ledger with a month of a busy deployment, fast: {@code nodes} nodes that each wrote one interval a minute
 * with HTTP and JMS traffic, so 100 nodes make 100 × 2 × 43,200 = 8.64 million rows for a 30-day month. The rows
 * are what {@link CounterStore#write} would have written: each signed by the real {@link LedgerSigner} and chained
 * to the node's previous row, HTTP before JMS within an interval; each node's head ({@code txn_node}) names its last
 * row and is signed; the monthly rollup holds each node's sums and one reporting span covers the month. A ledger
 * check of the result finds nothing.
 *
 * <p>On PostgreSQL the rows go in with {@code COPY ... FROM STDIN} through the driver's {@code CopyManager}; on
 * MariaDB in JDBC batches. Each node is one transaction: its head row, its ledger rows, its rollup and its span.
 * {@code threads} connections load nodes side by side; each thread computes its nodes' MACs while the database takes
 * the previous chunk.
 *
 * <p>Settings (system properties): {@code db} (postgresql or mariadb, default postgresql), {@code nodes} (100),
 * {@code month} (2026-11), {@code days} of that month from its first (the whole month), {@code threads} (2),
 * {@code verify}: after the fill, check the ledger through the store, then change one row's count and check that
 * the check names it, restore it, and write one more interval of a node through the store, chained to the filled
 * head, and check again (false; for small fills). The database is emptied first; see
 * {@link LoadDatabases}.
 *
 * <p>Runs on its main thread with a pool of loading threads; not for use from several threads.
 */
public final class LedgerFiller {

    private static final DateTimeFormatter COPY_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    private static final String INTERVAL_COLUMNS = "node_id, seq, transport, interval_start, interval_end, "
            + "billing_period, txn_count, written_at, prev_mac, mac, key_id";
    /** Rows a COPY chunk or a JDBC batch holds. */
    private static final int CHUNK_ROWS = 10_000;

    private final Vendor vendor;
    private final YearMonth month;
    private final int period;
    private final long monthStartMillis;
    private final int minutes;
    /** The text of each minute boundary of the fill, {@code minutes + 1} of them, for COPY. */
    private final String[] boundaryText;
    private final LedgerSigner signer = LoadDatabases.signer();

    private LedgerFiller(Vendor vendor, YearMonth month, int days) {
        this.vendor = vendor;
        this.month = month;
        this.period = month.getYear() * 100 + month.getMonthValue();
        LocalDateTime start = month.atDay(1).atStartOfDay();
        this.monthStartMillis = start.toInstant(ZoneOffset.UTC).toEpochMilli();
        this.minutes = days * 24 * 60;
        this.boundaryText = new String[minutes + 1];
        for (int i = 0; i <= minutes; i++) {
            boundaryText[i] = COPY_TIME.format(start.plusMinutes(i));
        }
    }

    public static void main(String[] args) throws Exception {
        Vendor vendor = Vendor.named(System.getProperty("db", "postgresql"));
        int nodes = Integer.getInteger("nodes", 100);
        YearMonth month = YearMonth.parse(System.getProperty("month", "2026-11"));
        int days = Integer.getInteger("days", month.lengthOfMonth());
        int threads = Integer.getInteger("threads", 2);
        if (days < 1 || days > month.lengthOfMonth()) {
            throw new IllegalArgumentException("-Ddays must be 1 to " + month.lengthOfMonth() + " for " + month
                    + ". Found: " + days);
        }
        LedgerFiller filler = new LedgerFiller(vendor, month, days);
        LoadDatabases.migrate(vendor);
        LoadDatabases.empty(vendor);
        long rows = (long) nodes * filler.minutes * Transport.values().length;
        System.out.printf("Filling %s (%s) with %d nodes x %d one-minute intervals x %d transports = %,d ledger rows "
                + "of %s, %d loading threads%n", vendor.label(), vendor.url(), nodes, filler.minutes,
                Transport.values().length, rows, month, threads);
        long started = System.nanoTime();
        filler.fill(nodes, threads);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("Filled %,d rows in %.1f s: %,.0f rows/s%n", rows, seconds, rows / seconds);
        if (vendor == Vendor.POSTGRESQL) {
            printSizes(vendor);
        }
        if (Boolean.getBoolean("verify")) {
            verify(vendor, month.atDay(1).atStartOfDay().plusDays(days).toInstant(ZoneOffset.UTC));
        }
    }

    private static String nodeId(int node) {
        return String.format("fill-node-%03d", node);
    }

    private void fill(int nodes, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger(1);
        AtomicInteger done = new AtomicInteger();
        try {
            List<Future<?>> loaders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                loaders.add(pool.submit(() -> {
                    DataSourceConfig owner = vendor.owner();
                    try (Connection connection = DriverManager.getConnection(owner.url(), owner.username(),
                            owner.password())) {
                        connection.setAutoCommit(false);
                        for (int node = next.getAndIncrement(); node <= nodes; node = next.getAndIncrement()) {
                            fillNode(connection, nodeId(node));
                            connection.commit();
                            int filled = done.incrementAndGet();
                            if (filled % 10 == 0 || filled == nodes) {
                                System.out.printf("  %d of %d nodes%n", filled, nodes);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> loader : loaders) {
                loader.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** One node's month, in the caller's transaction. */
    private void fillNode(Connection connection, String nodeId) throws SQLException, IOException {
        LocalDateTime monthStart = month.atDay(1).atStartOfDay();
        LocalDateTime end = monthStart.plusMinutes(minutes);
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO txn_node (node_id, registered_at, last_seq) VALUES (?, ?, 0)")) {
            insert.setString(1, nodeId);
            insert.setObject(2, monthStart);
            insert.executeUpdate();
        }
        Chain chain = vendor == Vendor.POSTGRESQL ? copyRows(connection, nodeId) : insertRows(connection, nodeId);
        try (PreparedStatement head = connection.prepareStatement("""
                UPDATE txn_node SET last_seq = ?, last_interval_end = ?, last_flush_at = ?, last_mac = ?, node_mac = ?,
                                    key_id = ?
                WHERE node_id = ?""")) {
            head.setLong(1, minutes);
            head.setObject(2, end);
            head.setObject(3, end);
            head.setString(4, chain.lastMac);
            head.setString(5, signer.nodeMac(nodeId, minutes, chain.lastMac));
            head.setString(6, signer.keyId());
            head.setString(7, nodeId);
            head.executeUpdate();
        }
        try (PreparedStatement rollup = connection.prepareStatement("""
                INSERT INTO txn_monthly (billing_period, node_id, transport, txn_count, updated_at)
                VALUES (?, ?, ?, ?, ?)""")) {
            for (Transport transport : Transport.values()) {
                rollup.setInt(1, period);
                rollup.setString(2, nodeId);
                rollup.setString(3, transport.name());
                rollup.setLong(4, chain.sums[transport.ordinal()]);
                rollup.setObject(5, end);
                rollup.addBatch();
            }
            rollup.executeBatch();
        }
        try (PreparedStatement span = connection.prepareStatement(
                "INSERT INTO txn_span (node_id, span_start, span_end) VALUES (?, ?, ?)")) {
            span.setString(1, nodeId);
            span.setObject(2, monthStart);
            span.setObject(3, end);
            span.executeUpdate();
        }
    }

    /** The end of a node's chain as it is loaded: its last row's MAC and each transport's sum. */
    private static final class Chain {
        String lastMac;
        final long[] sums = new long[Transport.values().length];
    }

    /** A row's count: 1 to 1,000, spread over nodes, intervals and transports, the same on every fill. */
    private static long count(String nodeId, long seq, Transport transport) {
        long z = (nodeId.hashCode() * 0x9E3779B97F4A7C15L) ^ (seq * 31 + transport.ordinal());
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return 1 + Math.floorMod(z ^ (z >>> 33), 1_000L);
    }

    /** Streams the node's rows into one COPY, a chunk at a time. */
    private Chain copyRows(Connection connection, String nodeId) throws SQLException {
        Chain chain = new Chain();
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI()
                .copyIn("COPY txn_interval (" + INTERVAL_COLUMNS + ") FROM STDIN (FORMAT csv)");
        try {
            StringBuilder chunk = new StringBuilder(CHUNK_ROWS * 220);
            int inChunk = 0;
            for (int minute = 0; minute < minutes; minute++) {
                long seq = minute + 1L;
                long startMillis = monthStartMillis + minute * 60_000L;
                long endMillis = startMillis + 60_000L;
                for (Transport transport : Transport.values()) {
                    long count = count(nodeId, seq, transport);
                    String mac = signer.rowMac(nodeId, seq, transport.name(), startMillis, endMillis, period, count,
                            chain.lastMac);
                    chunk.append(nodeId).append(',').append(seq).append(',').append(transport.name()).append(',')
                            .append(boundaryText[minute]).append(',').append(boundaryText[minute + 1]).append(',')
                            .append(period).append(',').append(count).append(',').append(boundaryText[minute + 1])
                            .append(',').append(chain.lastMac == null ? "" : chain.lastMac).append(',').append(mac)
                            .append(',').append(signer.keyId()).append('\n');
                    chain.lastMac = mac;
                    chain.sums[transport.ordinal()] += count;
                    inChunk++;
                }
                if (inChunk >= CHUNK_ROWS || minute == minutes - 1) {
                    byte[] bytes = chunk.toString().getBytes(StandardCharsets.UTF_8);
                    copy.writeToCopy(bytes, 0, bytes.length);
                    chunk.setLength(0);
                    inChunk = 0;
                }
            }
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
        return chain;
    }

    /** Inserts the node's rows in JDBC batches. */
    private Chain insertRows(Connection connection, String nodeId) throws SQLException {
        Chain chain = new Chain();
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO txn_interval (" + INTERVAL_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int inBatch = 0;
            for (int minute = 0; minute < minutes; minute++) {
                long seq = minute + 1L;
                long startMillis = monthStartMillis + minute * 60_000L;
                long endMillis = startMillis + 60_000L;
                LocalDateTime start = LocalDateTime.ofEpochSecond(startMillis / 1000, 0, ZoneOffset.UTC);
                LocalDateTime end = start.plusMinutes(1);
                for (Transport transport : Transport.values()) {
                    long count = count(nodeId, seq, transport);
                    String mac = signer.rowMac(nodeId, seq, transport.name(), startMillis, endMillis, period, count,
                            chain.lastMac);
                    insert.setString(1, nodeId);
                    insert.setLong(2, seq);
                    insert.setString(3, transport.name());
                    insert.setObject(4, start);
                    insert.setObject(5, end);
                    insert.setInt(6, period);
                    insert.setLong(7, count);
                    insert.setObject(8, end);
                    insert.setString(9, chain.lastMac);
                    insert.setString(10, mac);
                    insert.setString(11, signer.keyId());
                    insert.addBatch();
                    chain.lastMac = mac;
                    chain.sums[transport.ordinal()] += count;
                    inBatch++;
                }
                if (inBatch >= CHUNK_ROWS || minute == minutes - 1) {
                    insert.executeBatch();
                    inBatch = 0;
                }
            }
        }
        return chain;
    }

    private static void printSizes(Vendor vendor) throws SQLException {
        DataSourceConfig owner = vendor.owner();
        try (Connection connection = DriverManager.getConnection(owner.url(), owner.username(), owner.password());
                Statement statement = connection.createStatement()) {
            statement.execute("ANALYZE txn_interval");
            try (ResultSet rs = statement.executeQuery("""
                    SELECT pg_size_pretty(pg_total_relation_size('txn_interval')),
                           pg_total_relation_size('txn_interval'),
                           pg_size_pretty(pg_relation_size('txn_interval')),
                           pg_size_pretty(pg_indexes_size('txn_interval'))""")) {
                rs.next();
                System.out.printf("txn_interval on disk: %s (%,d bytes) in total: table %s, indexes %s%n",
                        rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4));
            }
        }
    }

    /**
     * Checks the filled ledger through the store, then edits one row's count, checks again (the check must name that
     * row), and restores the row; then writes one more interval of a node through the store, which chains it to the
     * filled head, and checks again.
     */
    private static void verify(Vendor vendor, Instant filledUntil) throws SQLException {
        LedgerVerifier verifier = new LedgerVerifier(LoadDatabases.keys());
        try (CounterStore store = CounterStore.open(vendor.app(), Clock.systemUTC())) {
            report("clean ledger", store, verifier);
            String node = nodeId(1);
            long seq = 2;
            DataSourceConfig owner = vendor.owner();
            try (Connection connection = DriverManager.getConnection(owner.url(), owner.username(),
                    owner.password());
                    PreparedStatement edit = connection.prepareStatement("UPDATE txn_interval SET txn_count = "
                            + "txn_count + ? WHERE node_id = ? AND seq = ? AND transport = 'HTTP'")) {
                edit.setLong(1, 1);
                edit.setString(2, node);
                edit.setLong(3, seq);
                edit.executeUpdate();
                System.out.printf("Added 1 to the HTTP count of %s seq %d%n", node, seq);
                report("after the edit", store, verifier);
                edit.setLong(1, -1);
                edit.executeUpdate();
                report("restored", store, verifier);
            }
        }
        IntervalSchedule schedule = new IntervalSchedule(Duration.ofMinutes(1), ZoneOffset.UTC);
        Instant end = filledUntil.plus(Duration.ofMinutes(1));
        try (CounterStore store = CounterStore.open(vendor.app(), Clock.fixed(end, ZoneOffset.UTC),
                LoadDatabases.signer())) {
            String node = nodeId(1);
            long last = store.registerNode(node);
            IntervalSummary next = new IntervalSummary(node, last + 1, filledUntil, end,
                    schedule.billingMonth(filledUntil), TransportCounts.of(Map.of(Transport.HTTP, 5L, Transport.JMS,
                            7L)));
            store.write(next);
            System.out.printf("Wrote %s through the store%n", next.describe());
            report("after the store's write", store, verifier);
        }
    }

    private static void report(String what, CounterStore store, LedgerVerifier verifier) {
        long started = System.nanoTime();
        LedgerCheck check = store.check(verifier);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        System.out.printf("Check (%s): %,d rows read in %d ms, %d finding(s)%n", what, check.rowsRead(),
                took.toMillis(), check.findings().size());
        for (LedgerFinding finding : check.findings()) {
            System.out.printf("  %s %s seq %d %s: %s%n", finding.kind(), finding.nodeId(), finding.seq(),
                    finding.transport(), finding.detail());
        }
    }
}
