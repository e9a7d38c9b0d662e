package org.txcounter.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.txcounter.core.OwnDestinations;

/**
 * Everything the counter needs, read from the counter's sections of {@code deployment.toml} by
 * {@link DeploymentToml} or built in code with {@link #builder()}. Immutable, so safe to share between threads;
 * validated when built.
 *
 * <pre>{@code
 * CounterConfig config = CounterConfig.builder()
 *         .dataSource(DataSourceConfig.of("WSO2_TRANSACTION_DB", "jdbc:h2:./data/txn", "sa", ""))
 *         .updateInterval(Duration.ofMinutes(1))
 *         .build();
 * }</pre>
 *
 * <p>A host runtime that has its own pool passes it instead, and keeps owning it:
 * {@code CounterConfig.builder().dataSource(hostPool).build()} (see {@link Builder#dataSource(DataSource)}).
 */
public final class CounterConfig {

    public static final String DEFAULT_DATA_SOURCE_ID = "WSO2_TRANSACTION_DB";
    public static final Path DEFAULT_DATA_DIR = Path.of("data");
    /** How long a silent node is waited for after a month's end before the month closes without it. */
    public static final Duration DEFAULT_CLOSE_GRACE = Duration.ofDays(3);
    /** How many months after its end a closed month's ledger rows may be archived and removed, by default. */
    public static final int DEFAULT_ARCHIVE_AFTER_MONTHS = 24;
    public static final String DEFAULT_LEDGER_KEY_ID = "1";
    static final int MAX_UPDATE_INTERVAL_MINUTES = 1440;

    private final boolean enabled;
    private final DataSourceConfig dataSource;
    private final Optional<DataSource> hostDataSource;
    private final Duration updateInterval;
    private final Optional<String> nodeId;
    private final Path dataDir;
    private final ZoneId billingZone;
    private final DedupeConfig dedupe;
    private final OwnDestinations ownDestinations;
    private final Optional<DataSourceConfig> ownerDataSource;
    private final Optional<byte[]> ledgerKey;
    private final String ledgerKeyId;
    private final Map<String, byte[]> retiredLedgerKeys;
    private final Duration journalInterval;
    private final Duration finalFlushTimeout;
    private final Duration closeGrace;
    private final int archiveAfterMonths;

    private CounterConfig(Builder builder) {
        this.enabled = builder.enabled;
        this.dataDir = builder.dataDir;
        this.dataSource = builder.dataSource != null ? builder.dataSource : embeddedDataSource(builder.dataDir);
        this.hostDataSource = builder.hostDataSource;
        this.updateInterval = builder.updateInterval;
        this.nodeId = builder.nodeId;
        this.billingZone = builder.billingZone;
        this.dedupe = builder.dedupe;
        this.ownDestinations = builder.ownDestinations;
        this.ownerDataSource = builder.ownerDataSource;
        this.ledgerKey = builder.ledgerKey;
        this.ledgerKeyId = builder.ledgerKeyId;
        this.retiredLedgerKeys = Map.copyOf(builder.retiredLedgerKeys);
        this.journalInterval = builder.journalInterval;
        this.finalFlushTimeout = builder.finalFlushTimeout;
        this.closeGrace = builder.closeGrace;
        this.archiveAfterMonths = builder.archiveAfterMonths;
    }

    /**
     * The embedded default: an H2 file database in the data directory, owned by the one process that opens it.
     * {@code DB_CLOSE_ON_EXIT=FALSE} keeps H2 from closing the database in its own shutdown hook, before the
     * counter's final flush has written the last interval; the database closes with the counter's pool.
     *
     * <p>{@code WRITE_DELAY=0}: what H2 guarantees. With a write delay (500 ms by default) H2's MVStore writes in the
     * background: its writer thread hands a commit to two executors (H2-serialization, H2-save) and the commit then
     * counts as saved, so a later {@code CHECKPOINT SYNC} finds nothing to write, does not wait for them, and forces
     * a file that does not hold the commit yet (H2 2.3.232: FileStore.storeIt, MVStore.store, Store.sync). A SIGKILL
     * then loses an interval the store acknowledged. With no write delay there is no writer thread: every commit
     * writes its chunk to the file on the committing thread before it returns (TransactionStore.commit), and
     * {@code CHECKPOINT SYNC} after it forces what is there to the disk. {@code H2AcknowledgedWriteTest} shows both.
     */
    public static DataSourceConfig embeddedDataSource(Path dataDir) {
        String file = dataDir.toAbsolutePath().normalize().resolve("transactiondb").toString();
        return DataSourceConfig.of(DEFAULT_DATA_SOURCE_ID,
                "jdbc:h2:file:" + file + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0", "sa", "");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether this runtime counts; see {@link DeploymentToml} for MI's precedence of the {@code enable} switch. */
    public boolean enabled() {
        return enabled;
    }

    /**
     * The datasource the counter opens its own pool for: the configured one, else the embedded H2 default. Not used
     * when {@link #hostDataSource()} is set.
     */
    public DataSourceConfig dataSource() {
        return dataSource;
    }

    /**
     * The host's own DataSource, when it passed one: the store takes its connections from it instead of opening a
     * pool, and never closes it.
     */
    public Optional<DataSource> hostDataSource() {
        return hostDataSource;
    }

    /** How often intervals close and are written: a whole number of minutes from 1 to 1440. */
    public Duration updateInterval() {
        return updateInterval;
    }

    /** The configured node id; empty means the one kept in the data directory. */
    public Optional<String> nodeId() {
        return nodeId;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The zone whose calendar months are billed; an interval never spans a month boundary in it. */
    public ZoneId billingZone() {
        return billingZone;
    }

    /** How stamps and redeliveries keep async pairs and chained calls from counting twice. */
    public DedupeConfig dedupe() {
        return dedupe;
    }

    /**
     * {@code [deduplication] own_queues} and {@code [[deduplication.peer]]}: what else the deployment consumes
     * itself, the only destinations (with a runtime's own endpoints' queues) that messages and calls are stamped for.
     */
    public OwnDestinations ownDestinations() {
        return ownDestinations;
    }

    /**
     * The account {@code migrate} uses: {@code [schema] owner_data_source}, else the counter's own datasource.
     * The runtime account then needs only SELECT, INSERT and UPDATE.
     */
    public DataSourceConfig migrationDataSource() {
        return ownerDataSource.orElse(dataSource);
    }

    /** {@code [ledger] key}; empty means the key generated in the data directory. */
    public Optional<byte[]> ledgerKey() {
        return ledgerKey.map(byte[]::clone);
    }

    /** {@code [ledger] key_id}: the id recorded with every row {@link #ledgerKey()} signs. */
    public String ledgerKeyId() {
        return ledgerKeyId;
    }

    /** {@code [[ledger.retired_key]]}: earlier ledger keys by id, which only check the rows they signed. */
    public Map<String, byte[]> retiredLedgerKeys() {
        Map<String, byte[]> copy = new java.util.LinkedHashMap<>();
        retiredLedgerKeys.forEach((id, key) -> copy.put(id, key.clone()));
        return copy;
    }

    /** How often the journal of unacknowledged counts is rewritten: the most a hard kill can lose. */
    public Duration journalInterval() {
        return journalInterval;
    }

    /** How long a graceful stop waits for the final flush; what it could not write stays in the journal. */
    public Duration finalFlushTimeout() {
        return finalFlushTimeout;
    }

    /**
     * {@code [billing] close_grace_days}: how long after a month's end a node that went silent is waited for before
     * the month closes without it.
     */
    public Duration closeGrace() {
        return closeGrace;
    }

    /**
     * {@code [billing] archive_after_months}: a closed month's ledger rows may be archived and removed once this
     * many whole months have passed since it ended.
     */
    public int archiveAfterMonths() {
        return archiveAfterMonths;
    }

    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.enabled = enabled;
        // The embedded default stays the default: it follows a data directory the copy is given (MI's carbon.home).
        builder.dataSource = dataSource.equals(embeddedDataSource(dataDir)) ? null : dataSource;
        builder.hostDataSource = hostDataSource;
        builder.updateInterval = updateInterval;
        builder.nodeId = nodeId;
        builder.dataDir = dataDir;
        builder.billingZone = billingZone;
        builder.dedupe = dedupe;
        builder.ownDestinations = ownDestinations;
        builder.ownerDataSource = ownerDataSource;
        builder.ledgerKey = ledgerKey;
        builder.ledgerKeyId = ledgerKeyId;
        builder.retiredLedgerKeys.putAll(retiredLedgerKeys);
        builder.journalInterval = journalInterval;
        builder.finalFlushTimeout = finalFlushTimeout;
        builder.closeGrace = closeGrace;
        builder.archiveAfterMonths = archiveAfterMonths;
        return builder;
    }

    /** Collects settings; {@link #build()} validates them. */
    public static final class Builder {
        private boolean enabled = true;
        private DataSourceConfig dataSource;
        private Optional<DataSource> hostDataSource = Optional.empty();
        private Duration updateInterval = Duration.ofMinutes(1);
        private Optional<String> nodeId = Optional.empty();
        private Path dataDir = DEFAULT_DATA_DIR;
        private ZoneId billingZone = ZoneId.of("UTC");
        private DedupeConfig dedupe = DedupeConfig.defaults();
        private OwnDestinations ownDestinations = OwnDestinations.none();
        private Optional<DataSourceConfig> ownerDataSource = Optional.empty();
        private Optional<byte[]> ledgerKey = Optional.empty();
        private String ledgerKeyId = DEFAULT_LEDGER_KEY_ID;
        private final Map<String, byte[]> retiredLedgerKeys = new java.util.LinkedHashMap<>();
        private Duration journalInterval = Duration.ofSeconds(1);
        private Duration finalFlushTimeout = Duration.ofSeconds(10);
        private Duration closeGrace = DEFAULT_CLOSE_GRACE;
        private int archiveAfterMonths = DEFAULT_ARCHIVE_AFTER_MONTHS;

        private Builder() {
        }

        public Builder closeGrace(Duration closeGrace) {
            this.closeGrace = closeGrace;
            return this;
        }

        public Builder archiveAfterMonths(int archiveAfterMonths) {
            this.archiveAfterMonths = archiveAfterMonths;
            return this;
        }

        public Builder finalFlushTimeout(Duration finalFlushTimeout) {
            this.finalFlushTimeout = Objects.requireNonNull(finalFlushTimeout, "finalFlushTimeout");
            return this;
        }

        public Builder journalInterval(Duration journalInterval) {
            this.journalInterval = Objects.requireNonNull(journalInterval, "journalInterval");
            return this;
        }

        public Builder ledgerKey(byte[] ledgerKey) {
            this.ledgerKey = Optional.of(ledgerKey.clone());
            return this;
        }

        /**
         * The id of {@link #ledgerKey(byte[])}, recorded in every row it signs; unset means
         * {@value CounterConfig#DEFAULT_LEDGER_KEY_ID}.
         */
        public Builder ledgerKeyId(String ledgerKeyId) {
            this.ledgerKeyId = Objects.requireNonNull(ledgerKeyId, "ledgerKeyId");
            return this;
        }

        /** An earlier ledger key that still checks the rows it signed. */
        public Builder retiredLedgerKey(String id, byte[] key) {
            this.retiredLedgerKeys.put(Objects.requireNonNull(id, "id"), key.clone());
            return this;
        }

        public Builder ownerDataSource(DataSourceConfig ownerDataSource) {
            this.ownerDataSource = Optional.of(ownerDataSource);
            return this;
        }

        public Builder dedupe(DedupeConfig dedupe) {
            this.dedupe = Objects.requireNonNull(dedupe, "dedupe");
            return this;
        }

        public Builder ownDestinations(OwnDestinations ownDestinations) {
            this.ownDestinations = Objects.requireNonNull(ownDestinations, "ownDestinations");
            return this;
        }

        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        /** A datasource the counter opens its own HikariCP pool for (and closes with the counter). */
        public Builder dataSource(DataSourceConfig dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            this.hostDataSource = Optional.empty();
            return this;
        }

        /**
         * The host's own DataSource (its pool, its driver): the store uses it instead of opening a pool, and never
         * closes it; the host closes it after {@link org.txcounter.core.TransactionCounter#close()}. Statements are
         * still cancelled after the statement timeout ({@link DataSourceConfig.Timeouts#DEFAULT}); connecting and
         * socket timeouts are the host's to set on its DataSource. The schema must have been created (the
         * service's {@code migrate} command or {@code sql/scripts/<vendor>/create-schema.sql}): the counter checks
         * it and never migrates a host's database.
         */
        public Builder dataSource(DataSource hostDataSource) {
            this.hostDataSource = Optional.of(Objects.requireNonNull(hostDataSource, "hostDataSource"));
            this.dataSource = null;
            return this;
        }

        public Builder updateInterval(Duration updateInterval) {
            this.updateInterval = Objects.requireNonNull(updateInterval, "updateInterval");
            return this;
        }

        public Builder nodeId(String nodeId) {
            this.nodeId = Optional.of(nodeId);
            return this;
        }

        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        public Builder billingZone(ZoneId billingZone) {
            this.billingZone = Objects.requireNonNull(billingZone, "billingZone");
            return this;
        }

        public CounterConfig build() {
            long minutes = updateInterval.toMinutes();
            if (updateInterval.isNegative() || minutes < 1 || minutes > MAX_UPDATE_INTERVAL_MINUTES
                    || !updateInterval.equals(Duration.ofMinutes(minutes))) {
                throw new ConfigException("update_interval: expected a whole number of minutes from 1 to 1440. Found: "
                        + updateInterval);
            }
            nodeId.ifPresent(NodeIds::requireValid);
            return new CounterConfig(this);
        }
    }
}
