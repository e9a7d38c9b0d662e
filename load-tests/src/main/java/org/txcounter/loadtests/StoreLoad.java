package org.txcounter.loadtests;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.txcounter.core.TransactionMeter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounter;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.interval.IntervalFlusher;
import org.txcounter.core.interval.IntervalSchedule;
import org.txcounter.core.store.CounterStore;
import org.txcounter.loadtests.LoadDatabases.Vendor;

/**
 * 100 nodes flushing at the same boundary: each simulated node has its own {@link TransactionMeter} and
 * {@link IntervalFlusher} writing through the real {@link CounterStore} into PostgreSQL and, at the same time, as
 * many into MariaDB, all in this JVM. A clock the driver moves stands for the wall clock, so a one-minute interval
 * passes as fast as the nodes write it: at each step every node records its traffic, the clock reaches the next
 * boundary, and all nodes of both databases call {@link IntervalFlusher#flushDue()} together, on a thread each.
 *
 * <p>Measured, per database and traffic level: the time of each node's write of each interval (the flusher's own
 * {@link IntervalFlusher#writeStats()}), the statements the store sent for it (counted by a JDBC proxy between the
 * store and its pool, on the writing thread), and the commits the database itself counted per interval
 * (PostgreSQL: {@code pg_stat_database.xact_commit} of the database; MariaDB: the server-wide
 * {@code Com_commit} and {@code Handler_commit}, which include any other client of the server).
 *
 * <p>Settings (system properties): {@code nodes} per database (default 100), {@code intervals} per traffic level
 * (30), {@code rates}: transactions per node per interval, half HTTP and half JMS (10,10000), {@code databases}
 * (postgresql,mariadb), {@code pool}: connections of each database's pool (20), {@code warmup} intervals before each
 * level, not measured (3). Databases: see {@link LoadDatabases}; their tables are emptied first, and a database
 * that holds nodes this driver did not write (such as the ledger {@link LedgerFiller} fills) is refused.
 *
 * <p>Runs on its main thread, driving one thread per node; not for use from several threads.
 */
public final class StoreLoad {

    /** The time the store is told; moved by one interval per step, never by the wall clock. */
    private static final class SteppingClock extends Clock {
        private volatile Instant now;

        SteppingClock(Instant start) {
            now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
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

    /**
     * What the store sent to the database on the calling thread: SQL statements executed (a batch counts once),
     * rows added to batches, and the connection's own calls that may reach the server (commit, rollback, auto-commit
     * changes, isolation reads and changes: PostgreSQL's driver answers each isolation read with a query, MariaDB's
     * from its session state). Each thread counts its own.
     */
    static final class Sent {
        private static final ThreadLocal<long[]> ON_THREAD = ThreadLocal.withInitial(() -> new long[3]);
        private static final Set<String> EXECUTES = Set.of("execute", "executeQuery", "executeUpdate",
                "executeLargeUpdate", "executeBatch", "executeLargeBatch");
        private static final Set<String> CONNECTION_CALLS = Set.of("commit", "rollback", "setAutoCommit",
                "getTransactionIsolation", "setTransactionIsolation");

        static long[] onThisThread() {
            return ON_THREAD.get().clone();
        }

        /** {@code pool} with every connection and statement it hands out counted. */
        static DataSource counting(DataSource pool) {
            return (DataSource) Proxy.newProxyInstance(StoreLoad.class.getClassLoader(),
                    new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                        Object result = invoke(pool, method, args);
                        return result instanceof Connection connection ? countingConnection(connection) : result;
                    });
        }

        private static Connection countingConnection(Connection connection) {
            InvocationHandler handler = (proxy, method, args) -> {
                if (CONNECTION_CALLS.contains(method.getName())) {
                    ON_THREAD.get()[2]++;
                }
                Object result = invoke(connection, method, args);
                if (result instanceof Statement statement) {
                    return countingStatement(statement, method.getReturnType());
                }
                return result;
            };
            return (Connection) Proxy.newProxyInstance(StoreLoad.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, handler);
        }

        private static Object countingStatement(Statement statement, Class<?> type) {
            InvocationHandler handler = (proxy, method, args) -> {
                if (EXECUTES.contains(method.getName())) {
                    ON_THREAD.get()[0]++;
                } else if (method.getName().equals("addBatch")) {
                    ON_THREAD.get()[1]++;
                }
                return invoke(statement, method, args);
            };
            return Proxy.newProxyInstance(StoreLoad.class.getClassLoader(), new Class<?>[] {type}, handler);
        }

        private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    /** One simulated node: its meter, its flusher on the database's store, and what each of its writes cost. */
    private static final class Node {
        final TransportCounter http;
        final TransportCounter jms;
        final IntervalFlusher flusher;

        Node(TransactionMeter meter, IntervalFlusher flusher) {
            this.http = meter.counter(Transport.HTTP);
            this.jms = meter.counter(Transport.JMS);
            this.flusher = flusher;
        }

        void record(int transactions) {
            for (int i = 0; i < transactions / 2; i++) {
                http.record();
            }
            for (int i = transactions / 2; i < transactions; i++) {
                jms.record();
            }
        }

        /** Flushes the due interval; returns {write nanos, statements, batch rows, connection calls}. */
        long[] flush() {
            long nanosBefore = flusher.writeStats().nanosWriting();
            long writesBefore = flusher.writeStats().succeeded();
            long[] before = Sent.onThisThread();
            int left = flusher.flushDue();
            long[] after = Sent.onThisThread();
            IntervalFlusher.WriteStats stats = flusher.writeStats();
            if (left != 0 || stats.succeeded() != writesBefore + 1) {
                throw new IllegalStateException("A node wrote " + (stats.succeeded() - writesBefore)
                        + " intervals at one boundary and left " + left + " queued; expected exactly one written. "
                        + "Last failure: " + flusher.lastWriteFailure().map(Throwable::toString).orElse("none"));
            }
            return new long[] {stats.nanosWriting() - nanosBefore, after[0] - before[0], after[1] - before[1],
                    after[2] - before[2]};
        }
    }

    /** One database under load: its pool, its store and its nodes. */
    private static final class Target implements AutoCloseable {
        final Vendor vendor;
        final HikariDataSource pool;
        final CounterStore store;
        final List<Node> nodes = new ArrayList<>();
        final List<long[]> writes = new ArrayList<>();

        Target(Vendor vendor, int poolSize, int nodeCount, SteppingClock clock, IntervalSchedule schedule) {
            this.vendor = vendor;
            DataSourceConfig app = vendor.app();
            HikariConfig hikari = new HikariConfig();
            hikari.setPoolName("load-" + vendor.name().toLowerCase(java.util.Locale.ROOT));
            hikari.setJdbcUrl(app.url());
            hikari.setUsername(app.username());
            hikari.setPassword(app.password());
            hikari.setMaximumPoolSize(poolSize);
            hikari.setMinimumIdle(poolSize);
            this.pool = new HikariDataSource(hikari);
            this.store = CounterStore.onHostDataSource(Sent.counting(pool), clock, LoadDatabases.signer(),
                    Duration.ofSeconds(20));
            for (int i = 1; i <= nodeCount; i++) {
                String nodeId = String.format("load-node-%03d", i);
                TransactionMeter meter = new TransactionMeter();
                nodes.add(new Node(meter, new IntervalFlusher(meter, store, schedule, clock, nodeId,
                        store.registerNode(nodeId))));
            }
        }

        @Override
        public void close() {
            store.close();
            pool.close();
        }
    }

    private StoreLoad() {
    }

    public static void main(String[] args) throws Exception {
        int nodeCount = Integer.getInteger("nodes", 100);
        int intervals = Integer.getInteger("intervals", 30);
        int warmup = Integer.getInteger("warmup", 3);
        int poolSize = Integer.getInteger("pool", 20);
        int[] rates = Arrays.stream(System.getProperty("rates", "10,10000").split(",")).map(String::trim)
                .mapToInt(Integer::parseInt).toArray();
        List<Vendor> vendors = Arrays.stream(System.getProperty("databases", "postgresql,mariadb").split(","))
                .map(Vendor::named).toList();
        Duration interval = Duration.ofMinutes(1);
        IntervalSchedule schedule = new IntervalSchedule(interval, ZoneOffset.UTC);
        SteppingClock clock = new SteppingClock(Instant.parse("2027-03-01T00:00:00Z"));
        for (Vendor vendor : vendors) {
            LoadDatabases.migrate(vendor);
            requireOwnNodesOnly(vendor);
            LoadDatabases.empty(vendor);
        }
        System.out.printf("%d nodes per database (%s), %d measured intervals per traffic level after %d warm-up "
                + "intervals, a pool of %d connections per database, %d cores%n", nodeCount, vendors, intervals,
                warmup, poolSize, Runtime.getRuntime().availableProcessors());
        ExecutorService threads = Executors.newFixedThreadPool(nodeCount * vendors.size());
        try {
            for (int rate : rates) {
                List<Target> targets = new ArrayList<>();
                for (Vendor vendor : vendors) {
                    targets.add(new Target(vendor, poolSize, nodeCount, clock, schedule));
                }
                for (int i = 0; i < warmup; i++) {
                    step(targets, threads, clock, interval, rate, false);
                }
                targets.forEach(target -> target.writes.clear());
                // A PostgreSQL session hands over its statistics at most once a second, and an idle one within 10 s:
                // after this pause the warm-up's commits are all counted before the measured intervals begin.
                Thread.sleep(11_000);
                long[][] before = new long[targets.size()][];
                for (int t = 0; t < targets.size(); t++) {
                    before[t] = databaseCommits(targets.get(t).vendor);
                }
                long[] boundaryNanos = new long[intervals];
                for (int i = 0; i < intervals; i++) {
                    boundaryNanos[i] = step(targets, threads, clock, interval, rate, true);
                }
                for (Target target : targets) {
                    // Closing the pool ends its server sessions, which hands PostgreSQL their last statistics.
                    target.close();
                }
                Thread.sleep(1_500);
                for (int t = 0; t < targets.size(); t++) {
                    Target target = targets.get(t);
                    long[] after = databaseCommits(target.vendor);
                    report(target, rate, intervals, nodeCount, before[t], after, boundaryNanos);
                }
            }
        } finally {
            threads.shutdownNow();
        }
    }

    /**
     * One interval: every node records {@code rate} transactions, the clock reaches the boundary, then all nodes of
     * all databases flush together. Returns the time from their release to the last one's return.
     */
    private static long step(List<Target> targets, ExecutorService threads, SteppingClock clock, Duration interval,
            int rate, boolean keep) throws Exception {
        for (Target target : targets) {
            for (Node node : target.nodes) {
                node.record(rate);
            }
        }
        clock.advance(interval);
        CountDownLatch ready = new CountDownLatch(targets.stream().mapToInt(target -> target.nodes.size()).sum());
        CountDownLatch go = new CountDownLatch(1);
        List<List<Future<long[]>>> results = new ArrayList<>();
        for (Target target : targets) {
            List<Future<long[]>> ofTarget = new ArrayList<>();
            for (Node node : target.nodes) {
                Callable<long[]> flush = () -> {
                    ready.countDown();
                    go.await();
                    return node.flush();
                };
                ofTarget.add(threads.submit(flush));
            }
            results.add(ofTarget);
        }
        ready.await();
        long released = System.nanoTime();
        go.countDown();
        for (int t = 0; t < targets.size(); t++) {
            for (Future<long[]> result : results.get(t)) {
                long[] write = result.get();
                if (keep) {
                    targets.get(t).writes.add(write);
                }
            }
        }
        return System.nanoTime() - released;
    }

    /**
     * Refuses a database that holds other nodes than this driver's (a filled ledger, a deployment's): emptying it
     * would lose them.
     */
    private static void requireOwnNodesOnly(Vendor vendor) throws SQLException {
        DataSourceConfig app = vendor.app();
        try (Connection connection = DriverManager.getConnection(app.url(), app.username(), app.password());
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(
                        "SELECT COUNT(*) FROM txn_node WHERE node_id NOT LIKE 'load-node-%'")) {
            rs.next();
            if (rs.getLong(1) > 0) {
                throw new IllegalStateException(vendor.label() + " at " + vendor.url() + " holds " + rs.getLong(1)
                        + " nodes that this driver did not write, and it empties the tables before it runs. Give "
                        + "it a database of its own with TXN_TEST_" + (vendor == Vendor.POSTGRESQL ? "POSTGRES"
                                : "MARIADB") + "_URL.");
            }
        }
    }

    /** PostgreSQL: {xact_commit} of the database; MariaDB: {Com_commit, Handler_commit} of the whole server. */
    private static long[] databaseCommits(Vendor vendor) throws SQLException {
        DataSourceConfig app = vendor.app();
        try (Connection connection = DriverManager.getConnection(app.url(), app.username(), app.password());
                Statement statement = connection.createStatement()) {
            if (vendor == Vendor.POSTGRESQL) {
                statement.execute("SELECT pg_stat_clear_snapshot()");
                try (ResultSet rs = statement.executeQuery(
                        "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")) {
                    rs.next();
                    return new long[] {rs.getLong(1)};
                }
            }
            long[] counts = new long[2];
            try (ResultSet rs = statement.executeQuery(
                    "SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_commit', 'Handler_commit')")) {
                while (rs.next()) {
                    counts[rs.getString(1).equals("Com_commit") ? 0 : 1] = rs.getLong(2);
                }
            }
            return counts;
        }
    }

    private static void report(Target target, int rate, int intervals, int nodeCount, long[] before, long[] after,
            long[] boundaryNanos) {
        long[] nanos = target.writes.stream().mapToLong(write -> write[0]).sorted().toArray();
        long[] statements = target.writes.stream().mapToLong(write -> write[1]).sorted().toArray();
        long[] batchRows = target.writes.stream().mapToLong(write -> write[2]).sorted().toArray();
        long[] connectionCalls = target.writes.stream().mapToLong(write -> write[3]).sorted().toArray();
        long[] boundaries = boundaryNanos.clone();
        Arrays.sort(boundaries);
        System.out.printf("%n%s, %,d transactions per node per interval (%d nodes x %d intervals = %d writes):%n",
                target.vendor.label(), rate, nodeCount, intervals, nanos.length);
        System.out.printf("  write per node per interval: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                percentile(nanos, 50) / 1e6, percentile(nanos, 99) / 1e6, nanos[nanos.length - 1] / 1e6);
        System.out.printf("  boundary (all nodes of both databases released to the last write done): p50 %.0f ms, "
                + "max %.0f ms%n", percentile(boundaries, 50) / 1e6, boundaries[boundaries.length - 1] / 1e6);
        System.out.printf("  statements per node per interval: min %d, max %d (batch rows %d..%d; connection calls "
                + "%d..%d)%n", statements[0], statements[statements.length - 1], batchRows[0],
                batchRows[batchRows.length - 1], connectionCalls[0], connectionCalls[connectionCalls.length - 1]);
        if (target.vendor == Vendor.POSTGRESQL) {
            long commits = after[0] - before[0];
            System.out.printf("  pg_stat_database.xact_commit: +%,d = %.1f per interval = %.2f per node per "
                    + "interval%n", commits, commits / (double) intervals, commits / (double) intervals / nodeCount);
        } else {
            long com = after[0] - before[0];
            long handler = after[1] - before[1];
            System.out.printf("  Com_commit: +%,d = %.1f per interval = %.2f per node per interval; Handler_commit: "
                    + "+%,d = %.1f per interval (server-wide)%n", com, com / (double) intervals,
                    com / (double) intervals / nodeCount, handler, handler / (double) intervals);
        }
    }

    private static double percentile(long[] sorted, int pct) {
        int index = (int) Math.ceil(pct / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
