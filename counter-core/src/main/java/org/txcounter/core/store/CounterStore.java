package org.txcounter.core.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounts;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.interval.IntervalSink;
import org.txcounter.core.interval.IntervalSummary;
import org.txcounter.core.ledger.LedgerFinding;
import org.txcounter.core.ledger.LedgerSigner;
import org.txcounter.core.ledger.LedgerVerifier;
import org.txcounter.core.ledger.NodeHead;
import org.txcounter.core.ledger.RollupRow;
import org.txcounter.core.ledger.SignedRow;

/**
 * The database side: writes interval summaries and reads month totals and reports, through HikariCP and Jdbi.
 *
 * <p>Tables: {@code txn_interval} holds one row per (node, sequence number, transport) and is the ledger;
 * {@code txn_monthly} holds the running total per (billing period, node, transport) that reports read, so a report
 * never scans the ledger; {@code txn_node} holds each node's highest written sequence number.
 *
 * <p>Writing an interval is one database transaction: it first moves the node's {@code last_seq} from
 * {@code seq - 1} to {@code seq} (which also locks the node's row, serialising that node's writers), then inserts
 * the ledger rows and adds to the monthly rows. When {@code last_seq} is already at or past {@code seq} the
 * interval was written before (its acknowledgement was lost) and nothing changes, provided the stored rows match.
 *
 * <p>Thread-safe: every call takes its own connection from the pool.
 */
public final class CounterStore implements IntervalSink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CounterStore.class);

    private final HikariDataSource dataSource;
    private final Dialect dialect;
    private final Jdbi jdbi;
    private final Clock clock;
    private final String description;
    private final LedgerSigner signer;

    private CounterStore(HikariDataSource dataSource, Dialect dialect, Clock clock, String description,
            LedgerSigner signer, Duration statementTimeout) {
        this.dataSource = dataSource;
        this.signer = signer;
        this.dialect = dialect;
        this.jdbi = Jdbi.create(dataSource);
        // Every statement is cancelled by its driver after this long; the socket timeout catches the rest.
        jdbi.getConfig(SqlStatements.class).setQueryTimeout((int) Dialect.seconds(statementTimeout));
        this.clock = clock;
        this.description = description;
    }

    /**
     * Opens a connection pool for reading and migrating; {@link #write} needs the signer of
     * {@link #open(DataSourceConfig, Clock, LedgerSigner)}.
     */
    public static CounterStore open(DataSourceConfig config, Clock clock) {
        return open(config, clock, null);
    }

    /**
     * Opens a connection pool for the datasource, signing the ledger rows it writes with {@code signer}. Fails
     * fast, naming the URL, if the database cannot be reached.
     */
    public static CounterStore open(DataSourceConfig config, Clock clock, LedgerSigner signer) {
        Dialect dialect = Dialect.forUrl(config.url());
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("txn-" + config.id());
        hikari.setJdbcUrl(config.url());
        hikari.setUsername(config.username());
        hikari.setPassword(config.password());
        config.driver().ifPresent(hikari::setDriverClassName);
        hikari.setMaximumPoolSize(config.maxPoolSize());
        hikari.setMinimumIdle(config.minIdle());
        hikari.setConnectionTimeout(config.connectionTimeout().toMillis());
        hikari.setValidationTimeout(config.validationTimeout().toMillis());
        hikari.setMaxLifetime(config.maxLifetime().toMillis());
        config.validationQuery().ifPresent(hikari::setConnectionTestQuery);
        hikari.setAutoCommit(config.autoCommit());
        if (dialect == Dialect.SQLSERVER && !config.url().toLowerCase(Locale.ROOT)
                .contains("sendstringparametersasunicode")) {
            // Otherwise strings are bound as NVARCHAR and SQL Server converts the VARCHAR key columns row by row
            // instead of seeking the primary key.
            hikari.addDataSourceProperty("sendStringParametersAsUnicode", "false");
        }
        String url = config.url().toLowerCase(Locale.ROOT);
        dialect.timeoutProperties(config.timeouts()).forEach((name, value) -> {
            if (!url.contains(name.toLowerCase(Locale.ROOT) + "=")) {
                hikari.addDataSourceProperty(name, value);
            }
        });
        String description = config.id() + " (" + config.url() + ")";
        try {
            return new CounterStore(new HikariDataSource(hikari), dialect, clock, description, signer,
                    config.timeouts().statement());
        } catch (RuntimeException e) {
            throw new StoreException("Cannot connect to datasource " + description + " as user \""
                    + config.username() + "\": " + rootMessage(e) + ". Check that the database is running and "
                    + "reachable, and the credentials in deployment.toml.", e);
        }
    }

    /**
     * Applies this vendor's migrations from {@code sql/flyway/<vendor>}; a current schema is left unchanged. Run it
     * with an account that may create tables (the {@code migrate} command); the runtime account needs none.
     *
     * @return how many migrations were applied: 0 when the schema was already current
     */
    public int migrate() {
        try {
            int applied = flyway().migrate().migrationsExecuted;
            if (applied > 0) {
                LOG.info("Applied {} schema migration(s) to {}.", applied, description);
            }
            return applied;
        } catch (FlywayException e) {
            throw new StoreException("Cannot migrate the schema of " + description + ": " + e.getMessage()
                    + ". Check that this account may create tables.", e);
        }
    }

    /**
     * Refuses to go on unless the schema is the one this release needs: created by {@code migrate} up to the
     * latest version, or applied by hand from {@code sql/scripts/<vendor>/create-schema.sql}.
     *
     * @throws StoreException naming what is missing and the command that fixes it
     */
    public void requireCurrentSchema() {
        MigrationInfoService info;
        try {
            info = flyway().info();
        } catch (FlywayException e) {
            throw new StoreException("Cannot read the schema version of " + description + ": " + e.getMessage(), e);
        }
        MigrationInfo current = info.current();
        MigrationInfo[] pending = info.pending();
        String latest = info.all().length == 0 ? "?" : info.all()[info.all().length - 1].getVersion().toString();
        if (current == null) {
            if (tablesExist()) {
                LOG.warn("The schema of {} has the counter's tables but no migration history: it was applied by "
                        + "hand. Apply later schema changes by hand too, or let `migrate` take over.", description);
                return;
            }
            throw new StoreException.SchemaMismatchException("The database " + description + " has no "
                    + "transaction counter schema. Create it "
                    + "with an account that may create tables: java -jar txcounter.jar migrate [deployment.toml] "
                    + "(or apply sql/scripts/" + dialect.folder() + "/create-schema.sql by hand), then start again.");
        }
        if (pending.length > 0) {
            throw new StoreException.SchemaMismatchException("The schema of " + description + " is at version "
                    + current.getVersion()
                    + " but this release needs version " + latest + ". Run: java -jar txcounter.jar migrate "
                    + "[deployment.toml] with an account that may alter tables, then start again.");
        }
    }

    /**
     * Whether the schema is the one this release needs, as {@link #requireCurrentSchema()} decides, without
     * logging: for readiness checks. False when the database cannot be asked.
     */
    public boolean schemaCurrent() {
        try {
            MigrationInfoService info = flyway().info();
            return info.pending().length == 0 && (info.current() != null || tablesExist());
        } catch (FlywayException | JdbiException e) {
            return false;
        }
    }

    private boolean tablesExist() {
        try {
            return jdbi.withHandle(handle -> {
                handle.createQuery("SELECT COUNT(*) FROM txn_node").mapTo(Long.class).one();
                handle.createQuery("SELECT COUNT(*) FROM txn_interval").mapTo(Long.class).one();
                handle.createQuery("SELECT COUNT(*) FROM txn_monthly").mapTo(Long.class).one();
                return true;
            });
        } catch (JdbiException e) {
            return false;
        }
    }

    private Flyway flyway() {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations(dialect.migrationLocation())
                .load();
    }

    public Dialect dialect() {
        return dialect;
    }

    /** The pool, for health checks and metrics. */
    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * Registers the node if it is new and returns the highest sequence number it has written (0 for a new node).
     */
    public long registerNode(String nodeId) {
        try {
            return jdbi.inTransaction(handle -> {
                Optional<Long> lastSeq = lastSeq(handle, nodeId);
                if (lastSeq.isPresent()) {
                    return lastSeq.get();
                }
                handle.createUpdate("INSERT INTO txn_node (node_id, registered_at, last_seq) VALUES (:node, :now, 0)")
                        .bind("node", nodeId)
                        .bind("now", utc(clock.instant()))
                        .execute();
                return 0L;
            });
        } catch (JdbiException e) {
            throw new StoreException("Cannot register node " + nodeId + " in " + description + ": "
                    + rootMessage(e) + poolState(), e);
        }
    }

    @Override
    public void write(IntervalSummary interval) {
        if (signer == null) {
            throw new IllegalStateException("This store was opened without a ledger signer and cannot write.");
        }
        try {
            boolean applied = jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, handle -> {
                int moved = handle.createUpdate("""
                                UPDATE txn_node SET last_seq = :seq, last_interval_end = :end, last_flush_at = :now
                                WHERE node_id = :node AND last_seq = :previous""")
                        .bind("seq", interval.seq())
                        .bind("previous", interval.seq() - 1)
                        .bind("end", utc(interval.end()))
                        .bind("now", utc(clock.instant()))
                        .bind("node", interval.nodeId())
                        .execute();
                if (moved == 0) {
                    confirmAlreadyWritten(handle, interval);
                    return false;
                }
                String lastMac = insertLedgerRows(handle, interval);
                handle.createUpdate("UPDATE txn_node SET last_mac = :mac, node_mac = :nodeMac WHERE node_id = :node")
                        .bind("mac", lastMac)
                        .bind("nodeMac", signer.nodeMac(interval.nodeId(), interval.seq(), lastMac))
                        .bind("node", interval.nodeId())
                        .execute();
                addToMonthly(handle, interval);
                return true;
            });
            if (!applied) {
                LOG.info("{} was already written; its earlier acknowledgement was lost. Nothing was changed.",
                        interval.describe());
            }
        } catch (JdbiException e) {
            if (connectionLost(e)) {
                // Connections opened before an outage are dead; the next attempt should not borrow another one.
                HikariPoolMXBean pool = dataSource.getHikariPoolMXBean();
                if (pool != null) {
                    pool.softEvictConnections();
                }
            }
            throw new StoreException("Cannot write " + interval.describe() + " to " + description + ": "
                    + rootMessage(e) + poolState(), e);
        }
    }

    private static boolean connectionLost(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLTransientConnectionException
                    || cause instanceof SQLNonTransientConnectionException
                    || cause instanceof SQLException sql && sql.getSQLState() != null
                            && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void heartbeat(String nodeId, Instant intervalEnd) {
        jdbi.useHandle(handle -> handle.createUpdate("""
                        UPDATE txn_node SET last_flush_at = :now, last_interval_end = :end
                        WHERE node_id = :node AND (last_interval_end IS NULL OR last_interval_end < :end)""")
                .bind("now", utc(clock.instant()))
                .bind("end", utc(intervalEnd.truncatedTo(ChronoUnit.MILLIS)))
                .bind("node", nodeId)
                .execute());
    }

    /** Every node that ever wrote here, with where its writing stands. */
    public List<NodeStatus> nodes() {
        try {
            return jdbi.withHandle(handle -> handle.createQuery("""
                            SELECT node_id, registered_at, last_seq, last_interval_end, last_flush_at FROM txn_node
                            ORDER BY node_id""")
                    .map((rs, ctx) -> new NodeStatus(rs.getString("node_id"),
                            instant(rs.getObject("registered_at", LocalDateTime.class)), rs.getLong("last_seq"),
                            Optional.ofNullable(rs.getObject("last_interval_end", LocalDateTime.class))
                                    .map(CounterStore::instant),
                            Optional.ofNullable(rs.getObject("last_flush_at", LocalDateTime.class))
                                    .map(CounterStore::instant)))
                    .collectIntoList());
        } catch (JdbiException e) {
            throw new StoreException("Cannot read the nodes from " + description + ": " + rootMessage(e)
                    + poolState(), e);
        }
    }

    /** Whether the database answers a trivial query. */
    public boolean reachable() {
        try {
            return jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM txn_node").mapTo(Long.class)
                    .one()) >= 0;
        } catch (JdbiException e) {
            return false;
        }
    }

    private static Instant instant(LocalDateTime utc) {
        return utc.toInstant(ZoneOffset.UTC);
    }

    private void confirmAlreadyWritten(Handle handle, IntervalSummary interval) {
        Optional<Long> lastSeq = lastSeq(handle, interval.nodeId());
        if (lastSeq.isEmpty()) {
            throw new StoreException.SequenceGapException("Node " + interval.nodeId() + " is not registered in "
                    + description
                    + "; cannot write " + interval.describe() + ". Was txn_node edited by hand?");
        }
        if (lastSeq.get() < interval.seq()) {
            throw new StoreException.SequenceGapException("Cannot write " + interval.describe() + ": the database "
                    + "holds this node's "
                    + "intervals only up to seq " + lastSeq.get() + ", so seq " + (lastSeq.get() + 1) + " to "
                    + (interval.seq() - 1) + " are missing. Intervals must be written in order.");
        }
        Map<Transport, Long> stored = new EnumMap<>(Transport.class);
        Set<String> bounds = new HashSet<>();
        handle.createQuery("""
                        SELECT transport, txn_count, interval_start, interval_end FROM txn_interval
                        WHERE node_id = :node AND seq = :seq""")
                .bind("node", interval.nodeId())
                .bind("seq", interval.seq())
                .map((rs, ctx) -> {
                    stored.put(Transport.valueOf(rs.getString("transport")), rs.getLong("txn_count"));
                    bounds.add(rs.getObject("interval_start", LocalDateTime.class) + ".."
                            + rs.getObject("interval_end", LocalDateTime.class));
                    return null;
                })
                .list();
        String expectedBounds = utc(interval.start()) + ".." + utc(interval.end());
        if (!TransportCounts.of(stored).equals(interval.counts()) || !bounds.equals(Set.of(expectedBounds))) {
            throw new StoreException.NodeConflictException("Node " + interval.nodeId() + " already wrote a "
                    + "different interval with seq "
                    + interval.seq() + " (stored " + stored + " for " + bounds + ", this one " + interval.describe()
                    + "). Two runtimes are probably using the same node id: give each its own [node] id or data "
                    + "directory.");
        }
    }

    /** Inserts the interval's rows, each chained to the node's previous row; returns the last row's MAC. */
    private String insertLedgerRows(Handle handle, IntervalSummary interval) {
        String previousMac = handle.createQuery("SELECT last_mac FROM txn_node WHERE node_id = :node")
                .bind("node", interval.nodeId())
                .mapTo(String.class)
                .findOne()
                .orElse(null);
        PreparedBatch batch = handle.prepareBatch("""
                INSERT INTO txn_interval (node_id, seq, transport, interval_start, interval_end, billing_period,
                                          txn_count, written_at, prev_mac, mac)
                VALUES (:node, :seq, :transport, :start, :end, :period, :count, :now, :prevMac, :mac)""");
        LocalDateTime now = utc(clock.instant());
        int period = period(interval.billingMonth());
        // Stored times have millisecond precision; the MAC covers exactly what is stored.
        long startMillis = interval.start().toEpochMilli();
        long endMillis = interval.end().toEpochMilli();
        for (Transport transport : Transport.values()) {
            long count = interval.counts().get(transport);
            if (count > 0) {
                String mac = signer.rowMac(interval.nodeId(), interval.seq(), transport.name(), startMillis,
                        endMillis, period, count, previousMac);
                batch.bind("node", interval.nodeId())
                        .bind("seq", interval.seq())
                        .bind("transport", transport.name())
                        .bind("start", utc(Instant.ofEpochMilli(startMillis)))
                        .bind("end", utc(Instant.ofEpochMilli(endMillis)))
                        .bind("period", period)
                        .bind("count", count)
                        .bind("now", now)
                        .bind("prevMac", previousMac)
                        .bind("mac", mac)
                        .add();
                previousMac = mac;
            }
        }
        batch.execute();
        return previousMac;
    }

    private void addToMonthly(Handle handle, IntervalSummary interval) {
        LocalDateTime now = utc(clock.instant());
        for (Transport transport : Transport.values()) {
            long count = interval.counts().get(transport);
            if (count > 0) {
                handle.createUpdate(dialect.addToMonthly())
                        .bind("period", period(interval.billingMonth()))
                        .bind("node", interval.nodeId())
                        .bind("transport", transport.name())
                        .bind("count", count)
                        .bind("now", now)
                        .execute();
            }
        }
    }

    /** The written total of a billing month, across all nodes. */
    public MonthCount count(YearMonth month) {
        List<ReportRow> rows = report(month, month);
        TransportCounts counts = TransportCounts.zero();
        Set<String> nodes = new HashSet<>();
        for (ReportRow row : rows) {
            counts = counts.plus(TransportCounts.of(Map.of(row.transport(), row.count())));
            nodes.add(row.nodeId());
        }
        return new MonthCount(month, counts, nodes.size());
    }

    /** One row per month, node and transport from {@code from} to {@code to} inclusive, in that order. */
    public List<ReportRow> report(YearMonth from, YearMonth to) {
        try {
            return jdbi.withHandle(handle -> handle.createQuery("""
                            SELECT billing_period, node_id, transport, txn_count FROM txn_monthly
                            WHERE billing_period BETWEEN :from AND :to
                            ORDER BY billing_period, node_id, transport""")
                    .bind("from", period(from))
                    .bind("to", period(to))
                    .map((rs, ctx) -> new ReportRow(month(rs.getInt("billing_period")), rs.getString("node_id"),
                            Transport.valueOf(rs.getString("transport")), rs.getLong("txn_count")))
                    .collectIntoList());
        } catch (JdbiException e) {
            throw new StoreException("Cannot read the report for " + from + " to " + to + " from " + description
                    + ": " + rootMessage(e) + poolState(), e);
        }
    }

    /** The ledger rows of one node, in sequence order: for audits and tests. */
    public List<IntervalRow> ledger(String nodeId) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT node_id, seq, transport, interval_start, interval_end, billing_period, txn_count
                        FROM txn_interval WHERE node_id = :node ORDER BY seq, transport""")
                .bind("node", nodeId)
                .map((rs, ctx) -> new IntervalRow(rs.getString("node_id"), rs.getLong("seq"),
                        Transport.valueOf(rs.getString("transport")),
                        rs.getObject("interval_start", LocalDateTime.class).toInstant(ZoneOffset.UTC),
                        rs.getObject("interval_end", LocalDateTime.class).toInstant(ZoneOffset.UTC),
                        month(rs.getInt("billing_period")), rs.getLong("txn_count")))
                .collectIntoList());
    }

    /**
     * Checks the whole ledger: every node's MAC chain and signed head, and the monthly rollup against the rows.
     *
     * @param verifier the verifier holding the deployment's ledger key
     * @return what is wrong; empty for an untouched ledger
     */
    public List<LedgerFinding> verify(LedgerVerifier verifier) {
        try {
            return jdbi.withHandle(handle -> {
                List<SignedRow> rows = handle.createQuery("""
                                SELECT node_id, seq, transport, interval_start, interval_end, billing_period, txn_count,
                                       prev_mac, mac
                                FROM txn_interval""")
                        .map((rs, ctx) -> new SignedRow(rs.getString("node_id"), rs.getLong("seq"),
                                rs.getString("transport"), millis(rs.getObject("interval_start", LocalDateTime.class)),
                                millis(rs.getObject("interval_end", LocalDateTime.class)), rs.getInt("billing_period"),
                                rs.getLong("txn_count"), rs.getString("prev_mac"), rs.getString("mac")))
                        .collectIntoList();
                List<NodeHead> heads = handle.createQuery(
                                "SELECT node_id, last_seq, last_mac, node_mac FROM txn_node")
                        .map((rs, ctx) -> new NodeHead(rs.getString("node_id"), rs.getLong("last_seq"),
                                rs.getString("last_mac"), rs.getString("node_mac")))
                        .collectIntoList();
                List<RollupRow> rollup = handle.createQuery(
                                "SELECT billing_period, node_id, transport, txn_count FROM txn_monthly")
                        .map((rs, ctx) -> new RollupRow(rs.getInt("billing_period"), rs.getString("node_id"),
                                rs.getString("transport"), rs.getLong("txn_count")))
                        .collectIntoList();
                return verifier.verify(new ArrayList<>(rows), heads, rollup);
            });
        } catch (JdbiException e) {
            throw new StoreException("Cannot read the ledger of " + description + " to verify it: " + rootMessage(e)
                    + poolState(), e);
        }
    }

    private static long millis(LocalDateTime utc) {
        return utc.toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    @Override
    public void close() {
        dataSource.close();
    }

    private static Optional<Long> lastSeq(Handle handle, String nodeId) {
        return handle.createQuery("SELECT last_seq FROM txn_node WHERE node_id = :node")
                .bind("node", nodeId)
                .mapTo(Long.class)
                .findOne();
    }

    private String poolState() {
        HikariPoolMXBean pool = dataSource.getHikariPoolMXBean();
        if (pool == null) {
            return "";
        }
        return " (pool " + dataSource.getPoolName() + ": total=" + pool.getTotalConnections() + ", active="
                + pool.getActiveConnections() + ", idle=" + pool.getIdleConnections() + ", waiting="
                + pool.getThreadsAwaitingConnection() + ")";
    }

    static int period(YearMonth month) {
        return month.getYear() * 100 + month.getMonthValue();
    }

    static YearMonth month(int period) {
        return YearMonth.of(period / 100, period % 100);
    }

    private static LocalDateTime utc(Instant instant) {
        return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }
}
