package org.txcounter.core.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.HandleConsumer;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.DayCount;
import org.txcounter.core.MonthCount;
import org.txcounter.core.NodeStatus;
import org.txcounter.core.ReportRow;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounts;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.interval.IntervalSink;
import org.txcounter.core.interval.IntervalSummary;
import org.txcounter.core.io.PidFile;
import org.txcounter.core.ledger.ArchivedRange;
import org.txcounter.core.ledger.LedgerCheck;
import org.txcounter.core.ledger.LedgerFinding;
import org.txcounter.core.ledger.LedgerSigner;
import org.txcounter.core.ledger.LedgerVerifier;
import org.txcounter.core.ledger.NodeHead;
import org.txcounter.core.ledger.RollupRow;
import org.txcounter.core.ledger.SignedRow;
import org.txcounter.core.ledger.VerifyCheckpoint;

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
 * <p>The store opens its own HikariCP pool for a {@link DataSourceConfig}, or uses a host's {@link DataSource} as it
 * is ({@link #onHostDataSource}) and never closes it. Flyway is needed only to {@link #migrate}: the schema check
 * reads Flyway's history table with plain SQL ({@link SchemaHistory}).
 *
 * <p>Every call that may change what {@link #report}, {@link #daily}, {@link #nodes}, {@link #imported} or
 * {@link #anchors} read moves {@link #writes()} once it has returned or failed; another process's writes show in
 * {@link #changeMarker()} instead. {@link ReadCache} answers those reads from memory with the two.
 *
 * <p>Thread-safe: every call takes its own connection from the pool.
 *
 * <p>Why one long class: every statement the counter sends to the database is here, because they share the pool,
 * the dialect, the retries and the translation of driver errors into operators' messages. Its parts are apart
 * by section (connecting and the schema, writing intervals and idle reports, month and daily reads, the ledger
 * check's reads, imports and month closes); those sections are where it splits into classes of their own.
 */
public final class CounterStore implements IntervalSink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CounterStore.class);

    private final DataSource dataSource;
    /** The pool this store opened and closes; null on a host's DataSource, which the host owns and closes. */
    private final HikariDataSource pool;
    /** Null on a host's DataSource until the first connection says which database it is. */
    private volatile Dialect dialect;
    /** Whether the connections come at READ COMMITTED: null until the first transaction asks one. */
    private volatile Boolean connectionsReadCommitted;
    private final Jdbi jdbi;
    private final Clock clock;
    private final String description;
    private final LedgerSigner signer;
    private final boolean syncAfterCommit;
    /** How many calls that may change what the reads return this store has made: see {@link #writes()}. */
    private final AtomicLong writes = new AtomicLong();

    private CounterStore(DataSource dataSource, HikariDataSource pool, Dialect dialect, Clock clock,
            String description, LedgerSigner signer, boolean syncAfterCommit, Duration statementTimeout) {
        this.dataSource = dataSource;
        this.pool = pool;
        this.syncAfterCommit = syncAfterCommit;
        this.signer = signer;
        this.dialect = dialect;
        this.jdbi = Jdbi.create(dataSource);
        if (dialect == Dialect.MYSQL) {
            jdbi.registerArgument(new DateTimeAsText());
        }
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
        return open(config, clock, signer, true);
    }

    /**
     * Like {@link #open(DataSourceConfig, Clock, LedgerSigner)}, but does not connect: the pool opens its
     * connections when the database answers, so a runtime starts while its database is down.
     */
    public static CounterStore openWithoutConnecting(DataSourceConfig config, Clock clock, LedgerSigner signer) {
        return open(config, clock, signer, false);
    }

    private static CounterStore open(DataSourceConfig config, Clock clock, LedgerSigner signer, boolean failFast) {
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
        if (!failFast) {
            hikari.setInitializationFailTimeout(-1);
        }
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
        if (dialect == Dialect.H2 && config.url().startsWith("jdbc:h2:file:") && !url.contains("write_delay=0")) {
            LOG.warn("The H2 database {} has a write delay: H2 writes commits in the background, and a hard kill "
                    + "(SIGKILL, power loss) can lose an interval it already acknowledged. Add ;WRITE_DELAY=0 to its "
                    + "URL, as the embedded default has.", description);
        }
        try {
            HikariDataSource pool = new HikariDataSource(hikari);
            return new CounterStore(pool, pool, dialect, clock, description, signer,
                    dialect == Dialect.H2 && !config.url().startsWith("jdbc:h2:mem:"), config.timeouts().statement());
        } catch (RuntimeException e) {
            Optional<StoreException> inUse = embeddedInUse(config.url(), e);
            if (inUse.isPresent()) {
                throw inUse.get();
            }
            throw new StoreException("Cannot connect to datasource " + description + " as user \""
                    + config.username() + "\": " + rootMessage(e) + ". Check that the database is running and "
                    + "reachable, and the credentials in deployment.toml.", e);
        }
    }

    /**
     * A store on the host's own {@code dataSource}, signing with {@code signer}: no pool of its own, no connection
     * yet (the first call that needs the database tells which one it is), and {@link #close()} leaves the
     * DataSource open. Statements are cancelled after {@code statementTimeout}; connecting and socket timeouts are
     * the host's, set on its DataSource.
     */
    public static CounterStore onHostDataSource(DataSource dataSource, Clock clock, LedgerSigner signer,
            Duration statementTimeout) {
        return new CounterStore(dataSource, null, null, clock, "the host's DataSource ("
                + dataSource.getClass().getName() + ")", signer, false, statementTimeout);
    }

    /** Whether {@link #migrate()} can run: Flyway, an optional dependency, is on the classpath. */
    public static boolean canMigrate() {
        try {
            Class.forName("org.flywaydb.core.Flyway", false, CounterStore.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Applies this vendor's migrations from {@code sql/flyway/<vendor>}; a current schema is left unchanged. Run it
     * with an account that may create tables (the {@code migrate} command); the runtime account needs none.
     *
     * @return how many migrations were applied: 0 when the schema was already current
     */
    public int migrate() {
        if (!canMigrate()) {
            throw new StoreException.SchemaMismatchException("Cannot migrate the schema of " + description
                    + ": Flyway is not on the classpath. Add org.flywaydb:flyway-core:12.4.0 and the module of "
                    + "this database (e.g. flyway-database-postgresql), or apply sql/scripts/" + dialect().folder()
                    + "/create-schema.sql by hand.");
        }
        int applied = FlywayMigration.migrate(dataSource, dialect(), description);
        if (applied > 0) {
            LOG.info("Applied {} schema migration(s) to {}.", applied, description);
        }
        return applied;
    }

    /**
     * Refuses to go on unless the schema is the one this release needs: created by {@code migrate} up to the
     * latest version, or applied by hand from {@code sql/scripts/<vendor>/create-schema.sql}.
     *
     * @throws StoreException naming what is missing and the command that fixes it
     */
    public void requireCurrentSchema() {
        SchemaHistory.Check check;
        try {
            check = schemaCheck();
        } catch (JdbiException | StoreException e) {
            throw new StoreException("Cannot read the schema version of " + description + ": " + rootMessage(e), e);
        }
        switch (check.state()) {
            case CURRENT -> {
            }
            case APPLIED_BY_HAND -> LOG.warn("The schema of {} has the counter's tables but no migration history: it "
                    + "was applied by hand. Apply later schema changes by hand too, or let `migrate` take over.",
                    description);
            case NONE -> throw new StoreException.SchemaMismatchException("The database " + description + " has no "
                    + "transaction counter schema. Create it "
                    + "with an account that may create tables: java -jar txcounter.jar migrate [deployment.toml] "
                    + "(or apply sql/scripts/" + dialect().folder() + "/create-schema.sql by hand), then start again.");
            case OUTDATED -> throw new StoreException.SchemaMismatchException("The schema of " + description
                    + " is at version " + check.highestApplied() + " but this release needs version "
                    + check.highestShipped() + " (missing: " + String.join(", ", check.missing()) + "). Run: java -jar "
                    + "txcounter.jar migrate [deployment.toml] with an account that may alter tables (or apply the "
                    + "missing sql/flyway/" + dialect().folder() + " scripts by hand), then start again.");
            default -> throw new IllegalStateException(check.state().name());
        }
    }

    /**
     * Whether the schema is the one this release needs, as {@link #requireCurrentSchema()} decides, without
     * logging: for readiness checks. False when the database cannot be asked.
     */
    public boolean schemaCurrent() {
        try {
            SchemaHistory.State state = schemaCheck().state();
            return state == SchemaHistory.State.CURRENT || state == SchemaHistory.State.APPLIED_BY_HAND;
        } catch (JdbiException | StoreException e) {
            return false;
        }
    }

    private SchemaHistory.Check schemaCheck() {
        Dialect vendor = dialect();
        try {
            return jdbi.withHandle(handle -> SchemaHistory.check(handle.getConnection(), vendor, this::tablesExist));
        } catch (SQLException e) {
            throw new StoreException("Cannot read the migration history of " + description + ": " + rootMessage(e),
                    e);
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

    /**
     * Which database this is: from the URL of a configured datasource, or, on a host's DataSource, from the URL its
     * first connection reports.
     *
     * @throws StoreException when a host's DataSource cannot give a connection yet
     */
    public Dialect dialect() {
        Dialect known = dialect;
        if (known != null) {
            return known;
        }
        try (java.sql.Connection connection = dataSource.getConnection()) {
            known = Dialect.forUrl(connection.getMetaData().getURL());
        } catch (SQLException e) {
            throw new StoreException("Cannot connect to " + description + ": " + rootMessage(e) + ". Check the "
                    + "database behind the host's DataSource.", e);
        }
        dialect = known;
        return known;
    }

    /**
     * Runs {@code callback} in one transaction at READ COMMITTED. The level the connections come with is read once:
     * when it is READ COMMITTED already (PostgreSQL, Oracle, SQL Server, DB2 and H2 by default), the transaction is
     * begun as it is, because asking a PostgreSQL connection its level and setting it again costs three statements
     * and three commits of their own on every call; otherwise (MySQL and MariaDB default to REPEATABLE READ) the
     * level is set for the transaction and put back after it.
     */
    private <R> R readCommitted(HandleCallback<R, RuntimeException> callback) {
        return connectionsReadCommitted()
                ? jdbi.inTransaction(callback)
                : jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, callback);
    }

    /** {@link #readCommitted} without a result. */
    private void useReadCommitted(HandleConsumer<RuntimeException> callback) {
        readCommitted(handle -> {
            callback.useHandle(handle);
            return null;
        });
    }

    private boolean connectionsReadCommitted() {
        Boolean known = connectionsReadCommitted;
        if (known == null) {
            // On a host's DataSource the dialect comes from a connection too. Learnt here, before the transaction
            // holds one, so that a statement inside it never takes a second connection from a pool that may have
            // none left (a pool busy with one write per connection would wait out its timeout).
            dialect();
            known = jdbi.withHandle(handle ->
                    handle.getTransactionIsolationLevel() == TransactionIsolationLevel.READ_COMMITTED);
            connectionsReadCommitted = known;
        }
        return known;
    }

    /** The datasource's id and URL, for messages. */
    public String description() {
        return description;
    }

    /** The pool (or the host's DataSource), for health checks and metrics. */
    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * Registers the node if it is new and returns the highest sequence number it has written (0 for a new node).
     */
    public long registerNode(String nodeId) {
        try {
            return readCommitted(handle -> {
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
        } finally {
            writes.incrementAndGet();
        }
    }

    @Override
    public void write(IntervalSummary interval) {
        if (signer == null) {
            throw new IllegalStateException("This store was opened without a ledger signer and cannot write.");
        }
        try {
            boolean applied = readCommitted(handle -> {
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
                handle.createUpdate("UPDATE txn_node SET last_mac = :mac, node_mac = :nodeMac, key_id = :keyId "
                                + "WHERE node_id = :node")
                        .bind("mac", lastMac)
                        .bind("keyId", signer.keyId())
                        .bind("nodeMac", signer.nodeMac(interval.nodeId(), interval.seq(), lastMac))
                        .bind("node", interval.nodeId())
                        .execute();
                // A closed month never changes: a late interval is billed on the next open month instead.
                if (isClosed(handle, interval.billingMonth())) {
                    recordAdjustment(handle, interval);
                } else {
                    addToMonthly(handle, interval);
                }
                extendSpan(handle, interval.nodeId(), interval.start(), interval.end());
                return true;
            });
            if (syncAfterCommit) {
                // The journal drops an interval once this method returns, so it returns only after H2 has forced
                // the file to the disk: one fsync per interval, once a minute. The commit is in the file by now
                // only with WRITE_DELAY=0 (the embedded default has it; CounterConfig.embeddedDataSource says why).
                jdbi.useHandle(handle -> handle.execute("CHECKPOINT SYNC"));
            }
            if (!applied) {
                LOG.info("{} was already written; its earlier acknowledgement was lost. Nothing was changed.",
                        interval.describe());
            }
        } catch (JdbiException e) {
            if (connectionLost(e)) {
                // Connections opened before an outage are dead; the next attempt should not borrow another one.
                HikariPoolMXBean stats = pool != null ? pool.getHikariPoolMXBean() : null;
                if (stats != null) {
                    stats.softEvictConnections();
                }
            }
            throw new StoreException("Cannot write " + interval.describe() + " to " + description + ": "
                    + rootMessage(e) + poolState(), e);
        } finally {
            // Also after a failure: the commit may have happened and only its answer been lost.
            writes.incrementAndGet();
        }
    }

    /**
     * The error for an embedded H2 file that another process holds open (a service running on the data directory),
     * naming that process's pid when it is known; empty when {@code e} is about something else.
     */
    static Optional<StoreException> embeddedInUse(String url, Throwable e) {
        return lockedEmbeddedFile(url, e).map(file -> {
            Path dataDir = file.getParent();
            return new StoreException("The embedded database " + file + " is in use by another process"
                    + PidFile.holder(dataDir).map(pid -> " (pid " + pid + ")").orElse("") + ": a service runs "
                    + "on the data directory " + dataDir + ". Stop it first, or ask it through its API (count, "
                    + "report, nodes, verify).", e);
        });
    }

    /** The embedded H2 file named by {@code url}, when {@code e} says another process holds its lock. */
    private static Optional<Path> lockedEmbeddedFile(String url, Throwable e) {
        if (!url.startsWith("jdbc:h2:file:")) {
            return Optional.empty();
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            // 90020: DATABASE_ALREADY_OPEN, H2's answer when the file lock is held by another process.
            if (cause instanceof SQLException sql && "90020".equals(sql.getSQLState())) {
                String file = url.substring("jdbc:h2:file:".length());
                int options = file.indexOf(';');
                return Optional.of(Path.of(options < 0 ? file : file.substring(0, options)).toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    private static boolean connectionLost(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLTransientConnectionException
                    || cause instanceof SQLNonTransientConnectionException
                    || (cause instanceof SQLException sql && sql.getSQLState() != null
                            && sql.getSQLState().startsWith("08"))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void heartbeat(String nodeId, Instant intervalStart, Instant intervalEnd) {
        Instant end = intervalEnd.truncatedTo(ChronoUnit.MILLIS);
        try {
            recordHeartbeat(nodeId, intervalStart, end);
        } finally {
            writes.incrementAndGet();
        }
    }

    /**
     * Records that node {@code nodeId} is running now (its last report), once it connected and was found to own
     * its id: another runtime that starts with the same id then sees it alive before its first interval closes.
     */
    public void reportRunning(String nodeId) {
        try {
            useReadCommitted(handle -> handle.createUpdate("""
                            UPDATE txn_node SET last_flush_at = :now
                            WHERE node_id = :node AND (last_flush_at IS NULL OR last_flush_at < :now)""")
                    .bind("now", utc(clock.instant()))
                    .bind("node", nodeId)
                    .execute());
        } catch (JdbiException e) {
            throw new StoreException("Cannot record that node " + nodeId + " runs in " + description + ": "
                    + rootMessage(e) + poolState(), e);
        } finally {
            writes.incrementAndGet();
        }
    }

    private void recordHeartbeat(String nodeId, Instant intervalStart, Instant end) {
        useReadCommitted(handle -> {
            int moved = handle.createUpdate("""
                            UPDATE txn_node SET last_flush_at = :now, last_interval_end = :end
                            WHERE node_id = :node AND (last_interval_end IS NULL OR last_interval_end < :end)""")
                    .bind("now", utc(clock.instant()))
                    .bind("end", utc(end))
                    .bind("node", nodeId)
                    .execute();
            if (moved > 0) {
                extendSpan(handle, nodeId, intervalStart.truncatedTo(ChronoUnit.MILLIS), end);
            }
        });
    }

    /**
     * Adds {@code start..end} to the node's reporting spans: the latest span grows when it reaches {@code start},
     * otherwise a new span begins and the time between is a gap in the node's coverage. Runs in the transaction that
     * holds the node's row, so one node's spans are never extended concurrently.
     */
    private void extendSpan(Handle handle, String nodeId, Instant start, Instant end) {
        Optional<LocalDateTime> latest = handle.createQuery(
                        "SELECT MAX(span_end) FROM txn_span WHERE node_id = :node")
                .bind("node", nodeId)
                .mapTo(LocalDateTime.class)
                .findOne();
        LocalDateTime from = utc(start);
        LocalDateTime to = utc(end);
        if (latest.isPresent() && !latest.get().isBefore(from)) {
            if (latest.get().isBefore(to)) {
                handle.createUpdate("UPDATE txn_span SET span_end = :end WHERE node_id = :node AND span_end = :latest")
                        .bind("end", to)
                        .bind("node", nodeId)
                        .bind("latest", latest.get())
                        .execute();
            }
            return;
        }
        handle.createUpdate("INSERT INTO txn_span (node_id, span_start, span_end) VALUES (:node, :start, :end)")
                .bind("node", nodeId)
                .bind("start", from)
                .bind("end", to)
                .execute();
    }

    private static boolean isClosed(Handle handle, YearMonth month) {
        return handle.createQuery("SELECT COUNT(*) FROM txn_month_close WHERE billing_period = :period")
                .bind("period", period(month))
                .mapTo(Long.class)
                .one() > 0;
    }

    /**
     * Records a late interval of a closed month as an adjustment on the first month after it that is still open, and
     * says so in the log: the operator sees that a closed month received traffic and where it is billed.
     */
    private void recordAdjustment(Handle handle, IntervalSummary interval) {
        YearMonth target = interval.billingMonth().plusMonths(1);
        while (isClosed(handle, target)) {
            target = target.plusMonths(1);
        }
        LocalDateTime now = utc(clock.instant());
        for (Transport transport : Transport.values()) {
            long count = interval.counts().get(transport);
            if (count > 0) {
                handle.createUpdate("""
                                INSERT INTO txn_adjustment (node_id, seq, transport, origin_period, target_period,
                                                            interval_start, interval_end, txn_count, recorded_at)
                                VALUES (:node, :seq, :transport, :origin, :target, :start, :end, :count, :now)""")
                        .bind("node", interval.nodeId())
                        .bind("seq", interval.seq())
                        .bind("transport", transport.name())
                        .bind("origin", period(interval.billingMonth()))
                        .bind("target", period(target))
                        .bind("start", utc(interval.start().truncatedTo(ChronoUnit.MILLIS)))
                        .bind("end", utc(interval.end().truncatedTo(ChronoUnit.MILLIS)))
                        .bind("count", count)
                        .bind("now", now)
                        .execute();
            }
        }
        LOG.warn("{} arrived after its month {} was closed: the closed statement stays as issued, and its {} "
                + "transaction(s) are an adjustment on {}'s statement.", interval.describe(),
                interval.billingMonth(), interval.counts().total(), target);
    }

    /** Every node that ever wrote here, with where its writing stands. */
    public List<NodeStatus> nodes() {
        try {
            return jdbi.withHandle(CounterStore::nodes);
        } catch (JdbiException e) {
            throw new StoreException("Cannot read the nodes from " + description + ": " + rootMessage(e)
                    + poolState(), e);
        }
    }

    private static List<NodeStatus> nodes(Handle handle) {
        return handle.createQuery("""
                        SELECT node_id, registered_at, last_seq, last_interval_end, last_flush_at FROM txn_node
                        ORDER BY node_id""")
                .map((rs, ctx) -> new NodeStatus(rs.getString("node_id"),
                        instant(rs.getObject("registered_at", LocalDateTime.class)), rs.getLong("last_seq"),
                        Optional.ofNullable(rs.getObject("last_interval_end", LocalDateTime.class))
                                .map(CounterStore::instant),
                        Optional.ofNullable(rs.getObject("last_flush_at", LocalDateTime.class))
                                .map(CounterStore::instant)))
                .collectIntoList();
    }

    /**
     * How many calls that may change what {@link #report}, {@link #daily}, {@link #nodes}, {@link #imported} and
     * {@link #anchors} return this store has made, counted once each call has returned or failed: registering a
     * node, writing an interval, recording an idle interval and importing. Closing a month and recording a quota
     * alert change none of them and are not counted.
     */
    public long writes() {
        return writes.get();
    }

    /**
     * What changes whenever any process writes something those reads return, read in one query pair: the node
     * table (an interval moves its node's {@code last_seq}, an idle interval its {@code last_interval_end}, a new
     * node adds a row) and the number of imported months (imported rows are never changed or removed). Two equal
     * markers read one after the other mean that nothing those reads return was written in between.
     */
    public ChangeMarker changeMarker() {
        try {
            return jdbi.withHandle(handle -> new ChangeMarker(nodes(handle),
                    handle.createQuery("SELECT COUNT(*) FROM txn_imported").mapTo(Long.class).one(),
                    handle.createQuery("SELECT COUNT(*) FROM txn_archived").mapTo(Long.class).one()));
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
                                          txn_count, written_at, prev_mac, mac, key_id)
                VALUES (:node, :seq, :transport, :start, :end, :period, :count, :now, :prevMac, :mac, :keyId)""");
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
                        .bind("keyId", signer.keyId())
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
                handle.createUpdate(dialect().addToMonthly())
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
        return countOf(month, report(month, month));
    }

    /** The total of {@code month} from its report rows, as {@link #count} gives it. */
    public static MonthCount countOf(YearMonth month, List<ReportRow> rows) {
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

    /**
     * What all nodes wrote for a billing month, by day of the billing time zone and transport, in day order;
     * days without traffic are absent. Read from the ledger, grouped by interval start in the database, so the
     * rows that travel are one per interval and transport, not per node.
     *
     * @param zone the billing time zone: an interval counts on the day its start falls on there
     */
    public List<DayCount> daily(YearMonth month, ZoneId zone) {
        Map<LocalDate, Map<Transport, Long>> days = new TreeMap<>();
        try {
            jdbi.useHandle(handle -> handle.createQuery("""
                            SELECT interval_start, transport, SUM(txn_count) AS txn_count FROM txn_interval
                            WHERE billing_period = :period
                            GROUP BY interval_start, transport""")
                    .bind("period", period(month))
                    .map((rs, ctx) -> new DayCount(instant(rs.getObject("interval_start", LocalDateTime.class))
                            .atZone(zone).toLocalDate(), Transport.valueOf(rs.getString("transport")),
                            rs.getLong("txn_count")))
                    .forEach(row -> days.computeIfAbsent(row.day(), day -> new EnumMap<>(Transport.class))
                            .merge(row.transport(), row.count(), Long::sum)));
        } catch (JdbiException e) {
            throw new StoreException("Cannot read the daily totals of " + month + " from " + description + ": "
                    + rootMessage(e) + poolState(), e);
        }
        List<DayCount> result = new ArrayList<>();
        days.forEach((day, counts) -> counts.forEach((transport, count) ->
                result.add(new DayCount(day, transport, count))));
        return result;
    }

    /** What the store holds about {@code month} now: the statement's content, read in one transaction. */
    public MonthSnapshot snapshot(YearMonth month) {
        try {
            return readCommitted(handle -> snapshot(handle, month));
        } catch (JdbiException e) {
            throw new StoreException("Cannot read month " + month + " from " + description + ": " + rootMessage(e)
                    + poolState(), e);
        }
    }

    private MonthSnapshot snapshot(Handle handle, YearMonth month) {
        List<ReportRow> rows = handle.createQuery("""
                        SELECT node_id, transport, txn_count FROM txn_monthly WHERE billing_period = :period
                        ORDER BY node_id, transport""")
                .bind("period", period(month))
                .map((rs, ctx) -> new ReportRow(month, rs.getString("node_id"),
                        Transport.valueOf(rs.getString("transport")), rs.getLong("txn_count")))
                .collectIntoList();
        List<NodeHead> heads = handle.createQuery(
                        "SELECT node_id, last_seq, last_mac, node_mac, key_id FROM txn_node ORDER BY node_id")
                .map((rs, ctx) -> new NodeHead(rs.getString("node_id"), rs.getLong("last_seq"),
                        rs.getString("last_mac"), rs.getString("node_mac"), rs.getString("key_id")))
                .collectIntoList();
        Instant monthStart = month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().minus(1, ChronoUnit.DAYS);
        Instant monthEnd = month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant()
                .plus(1, ChronoUnit.DAYS);
        // A day either side covers every billing zone; the caller clips the spans to the month in its zone.
        List<NodeSpan> spans = handle.createQuery("""
                        SELECT node_id, span_start, span_end FROM txn_span
                        WHERE span_end > :from AND span_start < :to ORDER BY node_id, span_start""")
                .bind("from", utc(monthStart))
                .bind("to", utc(monthEnd))
                .map((rs, ctx) -> new NodeSpan(rs.getString("node_id"),
                        instant(rs.getObject("span_start", LocalDateTime.class)),
                        instant(rs.getObject("span_end", LocalDateTime.class))))
                .collectIntoList();
        return new MonthSnapshot(month, rows, adjustmentsInto(handle, month), heads, spans);
    }

    private static List<Adjustment> adjustmentsInto(Handle handle, YearMonth month) {
        return handle.createQuery("""
                        SELECT node_id, seq, transport, origin_period, target_period, interval_start, interval_end,
                               txn_count, recorded_at
                        FROM txn_adjustment WHERE target_period = :period ORDER BY node_id, seq, transport""")
                .bind("period", period(month))
                .map((rs, ctx) -> new Adjustment(rs.getString("node_id"), rs.getLong("seq"),
                        Transport.valueOf(rs.getString("transport")), month(rs.getInt("origin_period")),
                        month(rs.getInt("target_period")), instant(rs.getObject("interval_start", LocalDateTime.class)),
                        instant(rs.getObject("interval_end", LocalDateTime.class)), rs.getLong("txn_count"),
                        instant(rs.getObject("recorded_at", LocalDateTime.class))))
                .collectIntoList();
    }

    /** The late intervals of closed months that are billed on {@code month}. */
    public List<Adjustment> adjustmentsInto(YearMonth month) {
        try {
            return jdbi.withHandle(handle -> adjustmentsInto(handle, month));
        } catch (JdbiException e) {
            throw new StoreException("Cannot read the adjustments of " + month + " from " + description + ": "
                    + rootMessage(e) + poolState(), e);
        }
    }

    /**
     * Closes {@code month}: in one transaction that holds every node's row (so no interval is written meanwhile), it
     * reads the month's snapshot, has {@code statement} make the signed statement from it, and stores that. From
     * then on an interval of the month becomes an adjustment on a later month.
     *
     * @param statement makes the signed statement document; it must not do I/O, it runs while the nodes wait
     * @throws MonthAlreadyClosedException when the month was closed before, by this or another node
     */
    public MonthClosure close(YearMonth month, String closedBy, Function<MonthSnapshot, String> statement) {
        try {
            return readCommitted(handle -> {
                // Writers take their node's row first; holding them all orders every write before or after the close.
                handle.createUpdate("UPDATE txn_node SET last_seq = last_seq").execute();
                Optional<MonthClosure> earlier = closure(handle, month);
                if (earlier.isPresent()) {
                    throw new MonthAlreadyClosedException(month, earlier.get());
                }
                Instant closedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
                String document = statement.apply(snapshot(handle, month));
                handle.createUpdate("""
                                INSERT INTO txn_month_close (billing_period, closed_at, closed_by, statement_json)
                                VALUES (:period, :at, :by, :statement)""")
                        .bind("period", period(month))
                        .bind("at", utc(closedAt))
                        .bind("by", closedBy)
                        .bind("statement", document)
                        .execute();
                return new MonthClosure(month, closedAt, closedBy, document);
            });
        } catch (JdbiException e) {
            Optional<MonthClosure> raced = closure(month);
            if (raced.isPresent()) {
                throw new MonthAlreadyClosedException(month, raced.get());
            }
            throw new StoreException("Cannot close month " + month + " in " + description + ": " + rootMessage(e)
                    + poolState(), e);
        }
    }

    /** The close of {@code month}, if it was closed. */
    public Optional<MonthClosure> closure(YearMonth month) {
        try {
            return jdbi.withHandle(handle -> closure(handle, month));
        } catch (JdbiException e) {
            throw new StoreException("Cannot read whether " + month + " is closed from " + description + ": "
                    + rootMessage(e) + poolState(), e);
        }
    }

    private static Optional<MonthClosure> closure(Handle handle, YearMonth month) {
        return handle.createQuery("""
                        SELECT closed_at, closed_by, statement_json FROM txn_month_close
                        WHERE billing_period = :period""")
                .bind("period", period(month))
                .map((rs, ctx) -> new MonthClosure(month, instant(rs.getObject("closed_at", LocalDateTime.class)),
                        rs.getString("closed_by"), rs.getString("statement_json")))
                .findOne();
    }

    /** Every closed month, oldest first, without their statements' text (use {@link #closure}). */
    public List<MonthClosure> closures() {
        try {
            return jdbi.withHandle(handle -> handle.createQuery("""
                            SELECT billing_period, closed_at, closed_by FROM txn_month_close ORDER BY billing_period""")
                    .map((rs, ctx) -> new MonthClosure(month(rs.getInt("billing_period")),
                            instant(rs.getObject("closed_at", LocalDateTime.class)), rs.getString("closed_by"), ""))
                    .collectIntoList());
        } catch (JdbiException e) {
            throw new StoreException("Cannot read the closed months from " + description + ": " + rootMessage(e)
                    + poolState(), e);
        }
    }

    /**
     * Records that the quota threshold {@code thresholdPercent} was passed in {@code month}, unless it was recorded
     * before (by this node or another).
     *
     * @return true when this call recorded it: the caller raises the alert; false when it was raised already
     */
    public boolean recordQuotaAlert(YearMonth month, int thresholdPercent, long used, long quota) {
        try {
            return readCommitted(handle -> {
                long existing = handle.createQuery("""
                                SELECT COUNT(*) FROM txn_quota_alert
                                WHERE billing_period = :period AND threshold_pct = :pct""")
                        .bind("period", period(month))
                        .bind("pct", thresholdPercent)
                        .mapTo(Long.class)
                        .one();
                if (existing > 0) {
                    return false;
                }
                handle.createUpdate("""
                                INSERT INTO txn_quota_alert (billing_period, threshold_pct, raised_at, used_count,
                                       quota)
                                VALUES (:period, :pct, :now, :used, :quota)""")
                        .bind("period", period(month))
                        .bind("pct", thresholdPercent)
                        .bind("now", utc(clock.instant()))
                        .bind("used", used)
                        .bind("quota", quota)
                        .execute();
                return true;
            });
        } catch (JdbiException e) {
            if (alertRecordedMeanwhile(month, thresholdPercent)) {
                return false;
            }
            throw new StoreException("Cannot record the quota alert for " + thresholdPercent + " % of " + month
                    + " in " + description + ": " + rootMessage(e) + poolState(), e);
        }
    }

    /** The quota thresholds (percent) whose alert was raised in {@code month}, with when. */
    public Map<Integer, Instant> quotaAlerts(YearMonth month) {
        try {
            return jdbi.withHandle(handle -> {
                Map<Integer, Instant> raised = new TreeMap<>();
                handle.createQuery("""
                                SELECT threshold_pct, raised_at FROM txn_quota_alert WHERE billing_period = :period""")
                        .bind("period", period(month))
                        .map((rs, ctx) -> raised.put(rs.getInt("threshold_pct"),
                                instant(rs.getObject("raised_at", LocalDateTime.class))))
                        .list();
                return raised;
            });
        } catch (JdbiException e) {
            throw new StoreException("Cannot read the quota alerts of " + month + " from " + description + ": "
                    + rootMessage(e) + poolState(), e);
        }
    }

    private boolean alertRecordedMeanwhile(YearMonth month, int thresholdPercent) {
        try {
            return jdbi.withHandle(handle -> handle.createQuery("""
                            SELECT COUNT(*) FROM txn_quota_alert WHERE billing_period = :period
                               AND threshold_pct = :pct""")
                    .bind("period", period(month))
                    .bind("pct", thresholdPercent)
                    .mapTo(Long.class)
                    .one()) > 0;
        } catch (JdbiException e) {
            return false;
        }
    }

    /**
     * The ledger anchor of each node and month from {@code from} to {@code to} that has ledger rows, ordered by
     * month and node: see {@link LedgerAnchor}. Reads the last sequence number of each node and month in one pass
     * over the months' rows through the ledger's (billing_period, node_id) index, then those rows by the primary key.
     */
    public List<LedgerAnchor> anchors(YearMonth from, YearMonth to) {
        try {
            Map<String, LedgerAnchor> anchors = new LinkedHashMap<>();
            jdbi.useHandle(handle -> handle.createQuery("""
                            SELECT i.billing_period, i.node_id, i.seq, i.transport, i.mac FROM txn_interval i
                            JOIN (SELECT billing_period, node_id, MAX(seq) AS last_seq FROM txn_interval
                                  WHERE billing_period BETWEEN :from AND :to
                                  GROUP BY billing_period, node_id) m
                              ON i.node_id = m.node_id AND i.seq = m.last_seq AND i.billing_period = m.billing_period
                            ORDER BY i.billing_period, i.node_id, i.transport""")
                    .bind("from", period(from))
                    .bind("to", period(to))
                    // The chain runs through a sequence number's rows in transport order: the last one is its end.
                    .map((rs, ctx) -> new LedgerAnchor(month(rs.getInt("billing_period")), rs.getString("node_id"),
                            rs.getLong("seq"), rs.getString("mac")))
                    .forEach(row -> anchors.put(row.month() + "|" + row.nodeId(), row)));
            // A month whose rows went to an archive ends with the last row removed, unless a late row came since.
            jdbi.useHandle(handle -> archivedRanges(handle).stream()
                    .filter(range -> range.period() >= period(from) && range.period() <= period(to))
                    .forEach(range -> anchors.putIfAbsent(month(range.period()) + "|" + range.nodeId(),
                            new LedgerAnchor(month(range.period()), range.nodeId(), range.lastSeq(),
                                    range.last().mac()))));
            List<LedgerAnchor> ordered = new ArrayList<>(anchors.values());
            ordered.sort(java.util.Comparator.comparing(LedgerAnchor::month).thenComparing(LedgerAnchor::nodeId));
            return List.copyOf(ordered);
        } catch (JdbiException e) {
            throw new StoreException("Cannot read the ledger anchors for " + from + " to " + to + " from "
                    + description + ": " + rootMessage(e) + poolState(), e);
        }
    }

    /**
     * The outline of a closed month's ledger rows, node by node, as an archive file of the month records it.
     *
     * @throws ArchiveRefusedException when the month is not closed, its rows were removed already, or it has none
     */
    public MonthArchive archiveOutline(YearMonth month) {
        try {
            return jdbi.withHandle(handle -> {
                refuseUnlessArchivable(handle, month);
                return outline(handle, month);
            });
        } catch (JdbiException e) {
            throw new StoreException("Cannot read the ledger rows of " + month + " from " + description + ": "
                    + rootMessage(e) + poolState(), e);
        }
    }

    /**
     * Gives every ledger row of the month {@code outline} describes to {@code sink}: node by node in the outline's
     * order, each node's rows in chain order, {@value #VERIFY_PAGE_SEQS} sequence numbers a query.
     */
    public void forEachRow(MonthArchive outline, java.util.function.Consumer<SignedRow> sink) {
        int period = period(outline.month());
        try {
            jdbi.useHandle(handle -> {
                for (MonthArchive.Node node : outline.nodes()) {
                    for (long page = node.firstSeq(); page <= node.lastSeq(); page += VERIFY_PAGE_SEQS) {
                        signedRows(handle, node.nodeId(), page, Math.min(page + VERIFY_PAGE_SEQS, node.lastSeq() + 1))
                                .stream().filter(row -> row.period() == period).forEach(sink);
                    }
                }
            });
        } catch (JdbiException e) {
            throw new StoreException("Cannot read the ledger rows of " + outline.month() + " from " + description
                    + ": " + rootMessage(e) + poolState(), e);
        }
    }

    /**
     * Removes a closed month's ledger rows, which the archive file with SHA-256 {@code archiveSha256} holds, in one
     * transaction: provided the rows are still exactly those {@code archive} outlines, each node's rows of the
     * month follow one another in its chain and no earlier row of the node is still online. For each node it
     * records the range removed, its last row and its counts by transport under a MAC with this store's ledger key
     * ({@code txn_archived}), so that the ledger check goes on from there. The rollup, the statement, the spans
     * and the adjustments stay. Needs the DELETE privilege: the owner account's.
     *
     * @throws ArchiveRefusedException when any of that does not hold; nothing was removed
     */
    public List<ArchivedRange> removeArchived(MonthArchive archive, String archiveSha256, String removedBy) {
        if (signer == null) {
            throw new IllegalStateException("This store was opened without a ledger key; it cannot sign the record "
                    + "of what it removes");
        }
        YearMonth month = archive.month();
        int period = period(month);
        Instant now = clock.instant();
        try {
            return readCommitted(handle -> {
                refuseUnlessArchivable(handle, month);
                MonthArchive stored = outline(handle, month);
                if (!stored.equals(archive)) {
                    throw new ArchiveRefusedException("The ledger rows of " + month + " are not those the archive "
                            + "file holds: it has " + archive.rows() + " rows of " + archive.nodes().size()
                            + " node(s) with " + archive.total() + " transactions, the database " + stored.rows()
                            + " rows of " + stored.nodes().size() + " node(s) with " + stored.total() + ". Nothing "
                            + "was removed. Write the archive of " + month + " again and remove with that file.");
                }
                List<ArchivedRange> ranges = new ArrayList<>();
                for (MonthArchive.Node node : stored.nodes()) {
                    refuseUnlessPrefix(handle, month, node);
                }
                for (MonthArchive.Node node : stored.nodes()) {
                    long removed = 0;
                    for (long page = node.firstSeq(); page <= node.lastSeq(); page += REMOVE_PAGE_SEQS) {
                        removed += handle.createUpdate(
                                        "DELETE FROM txn_interval WHERE node_id = :node AND seq >= :from AND seq < :to")
                                .bind("node", node.nodeId())
                                .bind("from", page)
                                .bind("to", Math.min(page + REMOVE_PAGE_SEQS, node.lastSeq() + 1))
                                .execute();
                    }
                    if (removed != node.rows()) {
                        throw new ArchiveRefusedException("Removing the rows of " + month + " of node "
                                + node.nodeId() + " would remove " + removed + " rows, not the " + node.rows()
                                + " the archive holds. Nothing was removed.");
                    }
                    Map<String, Long> counts = new TreeMap<>();
                    Map<String, Long> rowCounts = new TreeMap<>();
                    node.totals().forEach((transport, total) -> {
                        counts.put(transport, total.count());
                        rowCounts.put(transport, total.rows());
                    });
                    ArchivedRange range = new ArchivedRange(period, node.nodeId(), node.firstSeq(), node.lastSeq(),
                            node.rows(), node.last(), archiveSha256, counts, rowCounts, null, null)
                            .signedWith(signer);
                    SignedRow last = node.last();
                    handle.createUpdate("""
                                    INSERT INTO txn_archived (billing_period, node_id, first_seq, last_seq, row_count,
                                        last_transport, last_start, last_end, last_count, last_prev_mac, last_mac,
                                        last_key_id, archive_sha256, removed_at, removed_by, key_id, mac)
                                    VALUES (:period, :node, :first, :last, :rows, :transport, :start, :end, :count,
                                        :prevMac, :mac, :lastKeyId, :sha, :at, :by, :keyId, :rangeMac)""")
                            .bind("period", period)
                            .bind("node", node.nodeId())
                            .bind("first", node.firstSeq())
                            .bind("last", node.lastSeq())
                            .bind("rows", node.rows())
                            .bind("transport", last.transport())
                            .bind("start", utc(Instant.ofEpochMilli(last.startMillis())))
                            .bind("end", utc(Instant.ofEpochMilli(last.endMillis())))
                            .bind("count", last.count())
                            .bind("prevMac", last.prevMac())
                            .bind("mac", last.mac())
                            .bind("lastKeyId", last.keyId())
                            .bind("sha", archiveSha256)
                            .bind("at", utc(now))
                            .bind("by", removedBy)
                            .bind("keyId", range.keyId())
                            .bind("rangeMac", range.mac())
                            .execute();
                    PreparedBatch totals = handle.prepareBatch("""
                            INSERT INTO txn_archived_total (billing_period, node_id, transport, row_count, txn_count)
                            VALUES (:period, :node, :transport, :rows, :count)""");
                    node.totals().forEach((transport, total) -> totals.bind("period", period)
                            .bind("node", node.nodeId()).bind("transport", transport).bind("rows", total.rows())
                            .bind("count", total.count()).add());
                    totals.execute();
                    ranges.add(range);
                }
                return ranges;
            });
        } catch (JdbiException e) {
            throw new StoreException("Cannot remove the ledger rows of " + month + " from " + description + ": "
                    + rootMessage(e) + ". Nothing was removed. Removing rows needs the owner account (the "
                    + "DELETE privilege)." + poolState(), e);
        }
    }

    /** The records of removed rows, by period and node. */
    public List<ArchivedRange> archived() {
        try {
            return jdbi.withHandle(handle -> archivedRanges(handle).stream()
                    .sorted(java.util.Comparator.comparingInt(ArchivedRange::period)
                            .thenComparing(ArchivedRange::nodeId))
                    .toList());
        } catch (JdbiException e) {
            throw new StoreException("Cannot read the records of archived months from " + description + ": "
                    + rootMessage(e) + poolState(), e);
        }
    }

    private static void refuseUnlessArchivable(Handle handle, YearMonth month) {
        if (closure(handle, month).isEmpty()) {
            throw new ArchiveRefusedException("Month " + month + " is not closed: only a closed month, whose "
                    + "statement is issued, can be archived. Close it first (close-month --month " + month + ").");
        }
        Optional<Instant> removed = handle.createQuery(
                        "SELECT MIN(removed_at) FROM txn_archived WHERE billing_period = :period")
                .bind("period", period(month))
                .mapTo(LocalDateTime.class)
                .findOne()
                .map(CounterStore::instant);
        if (removed.isPresent()) {
            throw new ArchiveRefusedException("The ledger rows of " + month + " were removed to an archive at "
                    + removed.get() + "; its archive file holds them. Nothing to do.");
        }
    }

    /** The month's rows, node by node (in node-id order), with their ranges, ends and totals. */
    private static MonthArchive outline(Handle handle, YearMonth month) {
        record Part(String nodeId, String transport, long first, long last, long rows, long count) {
        }
        int period = period(month);
        Map<String, List<Part>> parts = new TreeMap<>();
        handle.createQuery("""
                        SELECT node_id, transport, MIN(seq) AS first_seq, MAX(seq) AS last_seq, COUNT(*) AS row_count,
                               SUM(txn_count) AS total
                        FROM txn_interval WHERE billing_period = :period GROUP BY node_id, transport""")
                .bind("period", period)
                .map((rs, ctx) -> new Part(rs.getString("node_id"), rs.getString("transport"),
                        rs.getLong("first_seq"), rs.getLong("last_seq"), rs.getLong("row_count"),
                        rs.getLong("total")))
                .forEach(part -> parts.computeIfAbsent(part.nodeId(), node -> new ArrayList<>()).add(part));
        if (parts.isEmpty()) {
            throw new ArchiveRefusedException("Month " + month + " has no ledger rows: nothing to archive.");
        }
        List<MonthArchive.Node> nodes = new ArrayList<>();
        parts.forEach((nodeId, list) -> {
            long first = list.stream().mapToLong(Part::first).min().orElseThrow();
            long last = list.stream().mapToLong(Part::last).max().orElseThrow();
            Map<String, MonthArchive.Total> totals = new TreeMap<>();
            list.forEach(part -> totals.put(part.transport(), new MonthArchive.Total(part.rows(), part.count())));
            List<SignedRow> firstRows = signedRows(handle, nodeId, first, first + 1);
            List<SignedRow> lastRows = signedRows(handle, nodeId, last, last + 1);
            nodes.add(new MonthArchive.Node(nodeId, first, last, list.stream().mapToLong(Part::rows).sum(),
                    firstRows.get(0).prevMac(), lastRows.get(lastRows.size() - 1), totals));
        });
        return new MonthArchive(month, nodes);
    }

    /** Refuses unless the node's rows of the month are a run of its chain with no earlier row still online. */
    private static void refuseUnlessPrefix(Handle handle, YearMonth month, MonthArchive.Node node) {
        long others = handle.createQuery("""
                        SELECT COUNT(*) FROM txn_interval
                        WHERE node_id = :node AND seq BETWEEN :first AND :last AND billing_period <> :period""")
                .bind("node", node.nodeId())
                .bind("first", node.firstSeq())
                .bind("last", node.lastSeq())
                .bind("period", period(month))
                .mapTo(Long.class)
                .one();
        if (others > 0) {
            throw new ArchiveRefusedException("Node " + node.nodeId() + "'s rows of " + month + " (seq "
                    + node.firstSeq() + " to " + node.lastSeq() + ") are interleaved with " + others + " row(s) of "
                    + "other months: late intervals. Such a month cannot be removed in one piece. Nothing was "
                    + "removed.");
        }
        Optional<Integer> earlier = handle.createQuery("""
                        SELECT MIN(billing_period) FROM txn_interval WHERE node_id = :node AND seq < :first""")
                .bind("node", node.nodeId())
                .bind("first", node.firstSeq())
                .mapTo(Integer.class)
                .findOne();
        if (earlier.isPresent() && earlier.get() != 0) {
            throw new ArchiveRefusedException("Node " + node.nodeId() + " still has ledger rows before its rows of "
                    + month + ", from " + month(earlier.get()) + " on: months are removed oldest first, so that "
                    + "what stays online is one unbroken chain. Archive and remove " + month(earlier.get())
                    + " first. Nothing was removed.");
        }
    }

    /** The imported monthly totals from {@code from} to {@code to} inclusive, ordered by month, node and source. */
    public List<ImportedMonth> imported(YearMonth from, YearMonth to) {
        try {
            return jdbi.withHandle(handle -> handle.createQuery("""
                            SELECT billing_period, node_id, source, raw_count, txn_count, mac FROM txn_imported
                            WHERE billing_period BETWEEN :from AND :to
                            ORDER BY billing_period, node_id, source""")
                    .bind("from", period(from))
                    .bind("to", period(to))
                    .map((rs, ctx) -> new ImportedMonth(month(rs.getInt("billing_period")), rs.getString("node_id"),
                            rs.getString("source"), rs.getLong("raw_count"), rs.getLong("txn_count"),
                            rs.getString("mac")))
                    .collectIntoList());
        } catch (JdbiException e) {
            throw new StoreException("Cannot read the imported totals for " + from + " to " + to + " from "
                    + description + ": " + rootMessage(e) + poolState(), e);
        }
    }

    /**
     * Writes monthly totals imported from another counter, each signed with the ledger key, in one transaction. A
     * month already imported with the same figures is left as it is, so importing again adds nothing. A month
     * already imported with other figures is not overwritten: the import then writes nothing and says which.
     *
     * @throws StoreException naming every month whose stored figures differ, or when the database fails
     */
    public ImportResult importMonths(List<ImportedMonth> months) {
        if (signer == null) {
            throw new IllegalStateException("This store was opened without a ledger signer and cannot import.");
        }
        List<ImportedMonth> added = new ArrayList<>();
        List<ImportedMonth> unchanged = new ArrayList<>();
        List<String> conflicts = new ArrayList<>();
        try {
            useReadCommitted(handle -> {
                LocalDateTime now = utc(clock.instant());
                for (ImportedMonth month : months) {
                    int period = period(month.month());
                    Optional<ImportedMonth> stored = handle.createQuery("""
                                    SELECT raw_count, txn_count FROM txn_imported
                                    WHERE billing_period = :period AND node_id = :node AND source = :source""")
                            .bind("period", period)
                            .bind("node", month.nodeId())
                            .bind("source", month.source())
                            .map((rs, ctx) -> new ImportedMonth(month.month(), month.nodeId(), month.source(),
                                    rs.getLong("raw_count"), rs.getLong("txn_count"), null))
                            .findOne();
                    if (stored.isPresent()) {
                        if (stored.get().sameFigures(month)) {
                            unchanged.add(month);
                        } else {
                            conflicts.add(month.month() + " node " + month.nodeId() + ": stored " + month.source()
                                    + " count " + stored.get().rawCount() + " (corrected " + stored.get().count()
                                    + "), now " + month.rawCount() + " (corrected " + month.count() + ")");
                        }
                        continue;
                    }
                    handle.createUpdate("""
                                    INSERT INTO txn_imported (billing_period, node_id, source, raw_count, txn_count,
                                                              imported_at, mac)
                                    VALUES (:period, :node, :source, :raw, :count, :now, :mac)""")
                            .bind("period", period)
                            .bind("node", month.nodeId())
                            .bind("source", month.source())
                            .bind("raw", month.rawCount())
                            .bind("count", month.count())
                            .bind("now", now)
                            .bind("mac", signer.importedMac(month.source(), month.nodeId(), period, month.rawCount(),
                                    month.count()))
                            .execute();
                    added.add(month);
                }
                if (!conflicts.isEmpty()) {
                    // Thrown inside the transaction so that it rolls back what this run inserted.
                    throw new StoreException("Nothing was imported: " + conflicts.size() + " month(s) were imported "
                            + "before with other figures, and imported totals are never overwritten: "
                            + String.join("; ", conflicts) + ". The source changed since the last import (was it "
                            + "still counting?); import closed months only, or compare the source with `report`.");
                }
            });
        } catch (JdbiException e) {
            throw new StoreException("Cannot write the imported totals to " + description + ": " + rootMessage(e)
                    + poolState(), e);
        } finally {
            writes.incrementAndGet();
        }
        return new ImportResult(List.copyOf(added), List.copyOf(unchanged));
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
     * @param verifier the verifier holding the deployment's ledger keys
     * @return what is wrong; empty for an untouched ledger
     */
    public List<LedgerFinding> verify(LedgerVerifier verifier) {
        return check(verifier, null, null, null).findings();
    }

    /**
     * Checks the whole ledger, as {@link #verify}, and gives a checkpoint when it is clean. Each node's rows are read
     * in chain order, {@value #VERIFY_PAGE_SEQS} sequence numbers a query (by the primary key), and pass through the
     * verifier's {@link LedgerVerifier.Walk} one page at a time: memory does not grow with the ledger. Only a node
     * whose chain is not intact is read whole, to tell its findings apart.
     */
    public LedgerCheck check(LedgerVerifier verifier) {
        return check(verifier, null, null, null);
    }

    /**
     * Checks the rows of the billing months {@code from} to {@code to}: each node's rows of those months, their link
     * to the row before and the row after them (or the node's head), and those months' rollup and imported totals.
     */
    public LedgerCheck check(LedgerVerifier verifier, YearMonth from, YearMonth to) {
        return check(verifier, period(from), period(to), null);
    }

    /**
     * Checks what was written since the checkpoint of an earlier clean check: each node's rows after the row the
     * checkpoint names (all of a node's rows when that row is gone or changed), and the whole rollup.
     *
     * @throws IllegalArgumentException if the checkpoint does not match its MAC
     */
    public LedgerCheck check(LedgerVerifier verifier, VerifyCheckpoint since) {
        return check(verifier, null, null, since);
    }

    private LedgerCheck check(LedgerVerifier verifier, Integer fromPeriod, Integer toPeriod,
            VerifyCheckpoint since) {
        boolean ranged = fromPeriod != null;
        Instant started = clock.instant();
        try {
            return jdbi.withHandle(handle -> {
                List<NodeHead> heads = handle.createQuery(
                                "SELECT node_id, last_seq, last_mac, node_mac, key_id FROM txn_node")
                        .map((rs, ctx) -> new NodeHead(rs.getString("node_id"), rs.getLong("last_seq"),
                                rs.getString("last_mac"), rs.getString("node_mac"), rs.getString("key_id")))
                        .collectIntoList();
                LedgerVerifier.Run run = since != null ? verifier.resume(heads, since)
                        : ranged ? verifier.startRange(heads, fromPeriod, toPeriod) : verifier.start(heads);
                // Node ids in Java's order, whatever the database's collation: the findings come out node by node.
                Map<String, long[]> seqRanges = new TreeMap<>();
                handle.createQuery("SELECT node_id, MIN(seq) AS first_seq, MAX(seq) AS last_seq FROM txn_interval "
                                + "WHERE billing_period BETWEEN :from AND :to GROUP BY node_id")
                        .bind("from", ranged ? fromPeriod : Integer.MIN_VALUE)
                        .bind("to", ranged ? toPeriod : Integer.MAX_VALUE)
                        .map((rs, ctx) -> Map.entry(rs.getString("node_id"),
                                new long[] {rs.getLong("first_seq"), rs.getLong("last_seq")}))
                        .forEach(range -> seqRanges.put(range.getKey(), range.getValue()));
                archivedRanges(handle).forEach(run::archived);
                if (!ranged) {
                    // A node whose rows were all removed to archives still has its head to check.
                    for (String nodeId : run.archivedNodes()) {
                        long end = run.archivedEnd(nodeId).orElseThrow().seq();
                        seqRanges.putIfAbsent(nodeId, new long[] {end + 1, end});
                    }
                }
                for (Map.Entry<String, long[]> node : seqRanges.entrySet()) {
                    checkNode(handle, run, node.getKey(), node.getValue()[0], node.getValue()[1], ranged);
                }
                List<RollupRow> rollup = handle.createQuery(
                                "SELECT billing_period, node_id, transport, txn_count FROM txn_monthly")
                        .map((rs, ctx) -> new RollupRow(rs.getInt("billing_period"), rs.getString("node_id"),
                                rs.getString("transport"), rs.getLong("txn_count")))
                        .collectIntoList();
                List<LedgerFinding> findings = new ArrayList<>(run.finish(withAdjustments(handle, rollup)));
                handle.createQuery("""
                                SELECT billing_period, node_id, source, raw_count, txn_count, mac FROM txn_imported
                                WHERE billing_period BETWEEN :from AND :to
                                ORDER BY billing_period, node_id, source""")
                        .bind("from", ranged ? fromPeriod : Integer.MIN_VALUE)
                        .bind("to", ranged ? toPeriod : Integer.MAX_VALUE)
                        .map((rs, ctx) -> verifier.verifyImported(rs.getString("source"), rs.getString("node_id"),
                                rs.getInt("billing_period"), rs.getLong("raw_count"), rs.getLong("txn_count"),
                                rs.getString("mac")))
                        .forEach(finding -> finding.ifPresent(findings::add));
                return new LedgerCheck(findings, run.rows(),
                        findings.isEmpty() ? run.checkpoint(started) : Optional.empty());
            });
        } catch (JdbiException e) {
            throw new StoreException("Cannot read the ledger of " + description + " to verify it: " + rootMessage(e)
                    + poolState(), e);
        }
    }

    /**
     * Walks one node's rows from sequence number {@code first} to {@code last}: from the checkpoint's row when the
     * run resumes, linked to the rows around them when the run checks a range of months.
     */
    private static void checkNode(Handle handle, LedgerVerifier.Run run, String nodeId, long first, long last,
            boolean ranged) {
        SignedRow after = null;
        if (run.resuming()) {
            Optional<VerifyCheckpoint.Point> point = run.resumePoint(nodeId);
            SignedRow stored = point.isEmpty() ? null : signedRows(handle, nodeId, point.get().seq(),
                    point.get().seq() + 1).stream().filter(row -> row.transport().equals(point.get().transport()))
                    .findFirst().orElse(null);
            if (run.resumesAt(nodeId, stored)) {
                after = stored;
                first = stored.seq();
            }
        } else if (ranged) {
            after = neighbour(handle, nodeId, "MAX(seq)", "seq < :seq", first, true);
        }
        if (after == null) {
            long firstOnline = first;
            after = run.archivedEnd(nodeId).filter(row -> row.seq() < firstOnline).orElse(null);
        }
        SignedRow next = ranged ? neighbour(handle, nodeId, "MIN(seq)", "seq > :seq", last, false) : null;
        SignedRow from = after;
        LedgerVerifier.Walk walk = run.walk(nodeId, after);
        for (long page = first; page <= last; page += VERIFY_PAGE_SEQS) {
            signedRows(handle, nodeId, page, Math.min(page + VERIFY_PAGE_SEQS, last + 1)).stream()
                    .filter(row -> from == null || LedgerVerifier.CHAIN_ORDER.compare(from, row) < 0)
                    .forEach(walk::accept);
        }
        if (next != null) {
            walk.endsBefore(next);
        }
        if (!walk.intact()) {
            run.verifyWhole(nodeId, signedRows(handle, nodeId, first, last + 1).stream()
                    .filter(row -> from == null || LedgerVerifier.CHAIN_ORDER.compare(from, row) < 0).toList(),
                    after, next);
        }
    }

    /** Every record of removed rows ({@code txn_archived}), with its counts by transport. */
    private static List<ArchivedRange> archivedRanges(Handle handle) {
        record Total(String key, String transport, long rows, long count) {
        }
        Map<String, Map<String, Long>> counts = new HashMap<>();
        Map<String, Map<String, Long>> rowCounts = new HashMap<>();
        handle.createQuery("SELECT billing_period, node_id, transport, row_count, txn_count FROM txn_archived_total")
                .map((rs, ctx) -> new Total(rs.getInt("billing_period") + "|" + rs.getString("node_id"),
                        rs.getString("transport"), rs.getLong("row_count"), rs.getLong("txn_count")))
                .forEach(total -> {
                    counts.computeIfAbsent(total.key(), k -> new TreeMap<>()).put(total.transport(), total.count());
                    rowCounts.computeIfAbsent(total.key(), k -> new TreeMap<>()).put(total.transport(), total.rows());
                });
        return handle.createQuery("""
                        SELECT billing_period, node_id, first_seq, last_seq, row_count, last_transport, last_start,
                               last_end, last_count, last_prev_mac, last_mac, last_key_id, archive_sha256, key_id, mac
                        FROM txn_archived""")
                .map((rs, ctx) -> {
                    int period = rs.getInt("billing_period");
                    String nodeId = rs.getString("node_id");
                    String key = period + "|" + nodeId;
                    SignedRow last = new SignedRow(nodeId, rs.getLong("last_seq"), rs.getString("last_transport"),
                            millis(rs.getObject("last_start", LocalDateTime.class)),
                            millis(rs.getObject("last_end", LocalDateTime.class)), period, rs.getLong("last_count"),
                            rs.getString("last_prev_mac"), rs.getString("last_mac"), rs.getString("last_key_id"));
                    return new ArchivedRange(period, nodeId, rs.getLong("first_seq"), rs.getLong("last_seq"),
                            rs.getLong("row_count"), last, rs.getString("archive_sha256"),
                            counts.getOrDefault(key, Map.of()), rowCounts.getOrDefault(key, Map.of()),
                            rs.getString("key_id"), rs.getString("mac"));
                })
                .collectIntoList();
    }

    /** The last (or first) row of a node's chain before (or after) sequence number {@code seq}; null if none. */
    private static SignedRow neighbour(Handle handle, String nodeId, String aggregate, String condition, long seq,
            boolean lastOfIt) {
        Optional<Long> at = handle.createQuery("SELECT " + aggregate + " FROM txn_interval WHERE node_id = :node AND "
                        + condition)
                .bind("node", nodeId)
                .bind("seq", seq)
                .mapTo(Long.class)
                .findOne();
        if (at.isEmpty()) {
            return null;
        }
        List<SignedRow> rows = signedRows(handle, nodeId, at.get(), at.get() + 1);
        return rows.isEmpty() ? null : rows.get(lastOfIt ? rows.size() - 1 : 0);
    }

    /** How many sequence numbers of a node's chain one query of {@link #verify} reads: two rows each, at most. */
    static final int VERIFY_PAGE_SEQS = 1_000;

    /**
     * How many sequence numbers of a node's chain one DELETE of {@link #removeArchived} removes, so that each
     * statement stays well within the statement timeout however long the month; it brings no rows into memory, so
     * its pages are larger than the check's (a month of one-minute intervals, 44,640 seqs, is five statements).
     */
    static final int REMOVE_PAGE_SEQS = 10_000;

    /** A node's signed rows with {@code from <= seq < to}, in chain order. */
    private static List<SignedRow> signedRows(Handle handle, String nodeId, long from, long to) {
        return handle.createQuery("""
                        SELECT node_id, seq, transport, interval_start, interval_end, billing_period, txn_count,
                               prev_mac, mac, key_id
                        FROM txn_interval WHERE node_id = :node AND seq >= :from AND seq < :to
                        ORDER BY seq, transport""")
                .bind("node", nodeId)
                .bind("from", from)
                .bind("to", to)
                .map((rs, ctx) -> new SignedRow(rs.getString("node_id"), rs.getLong("seq"),
                        rs.getString("transport"), millis(rs.getObject("interval_start", LocalDateTime.class)),
                        millis(rs.getObject("interval_end", LocalDateTime.class)), rs.getInt("billing_period"),
                        rs.getLong("txn_count"), rs.getString("prev_mac"), rs.getString("mac"),
                        rs.getString("key_id")))
                .collectIntoList();
    }

    /**
     * The rollup as the ledger rows should sum to it: a late interval of a closed month is in the ledger under its
     * own month but billed as an adjustment, so it is added back to its month here.
     */
    private static List<RollupRow> withAdjustments(Handle handle, List<RollupRow> rollup) {
        Map<String, RollupRow> merged = new LinkedHashMap<>();
        for (RollupRow row : rollup) {
            merged.put(row.period() + "/" + row.nodeId() + "/" + row.transport(), row);
        }
        handle.createQuery("""
                        SELECT origin_period, node_id, transport, SUM(txn_count) AS total FROM txn_adjustment
                        GROUP BY origin_period, node_id, transport""")
                .map((rs, ctx) -> new RollupRow(rs.getInt("origin_period"), rs.getString("node_id"),
                        rs.getString("transport"), rs.getLong("total")))
                .forEach(late -> merged.merge(late.period() + "/" + late.nodeId() + "/" + late.transport(), late,
                        (a, b) -> new RollupRow(a.period(), a.nodeId(), a.transport(), a.count() + b.count())));
        return new ArrayList<>(merged.values());
    }

    private static long millis(LocalDateTime utc) {
        return utc.toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    /** Closes the pool this store opened; a host's DataSource stays open, as its owner left it. */
    @Override
    public void close() {
        if (pool != null) {
            pool.close();
        }
    }

    private static Optional<Long> lastSeq(Handle handle, String nodeId) {
        return handle.createQuery("SELECT last_seq FROM txn_node WHERE node_id = :node")
                .bind("node", nodeId)
                .mapTo(Long.class)
                .findOne();
    }

    private String poolState() {
        HikariPoolMXBean stats = pool != null ? pool.getHikariPoolMXBean() : null;
        if (stats == null) {
            return "";
        }
        return " (pool " + pool.getPoolName() + ": total=" + stats.getTotalConnections() + ", active="
                + stats.getActiveConnections() + ", idle=" + stats.getIdleConnections() + ", waiting="
                + stats.getThreadsAwaitingConnection() + ")";
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
