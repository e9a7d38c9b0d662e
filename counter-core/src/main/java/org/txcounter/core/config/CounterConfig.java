package org.txcounter.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Everything the counter and its service need, read from {@code deployment.toml} by {@link DeploymentToml} or built
 * in code with {@link #builder()}. Immutable; validated when built.
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
    public static final String DEFAULT_MANAGEMENT_HOST = "127.0.0.1";
    public static final int DEFAULT_MANAGEMENT_PORT = 9164;
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
    private final String managementHost;
    private final int managementPort;
    private final ManagementSecurity managementSecurity;
    private final DedupeConfig dedupe;
    private final RuntimeConfig runtime;
    private final Optional<DataSourceConfig> ownerDataSource;
    private final Optional<byte[]> ledgerKey;
    private final String ledgerKeyId;
    private final Map<String, byte[]> retiredLedgerKeys;
    private final Duration journalInterval;
    private final Duration finalFlushTimeout;
    private final Path secretStore;
    private final ListenerLimits managementLimits;
    private final ListenerLimits passthroughLimits;
    private final MetricsConfig metrics;
    private final Duration closeGrace;
    private final int archiveAfterMonths;
    private final LicenceConfig licence;

    private CounterConfig(Builder builder) {
        this.enabled = builder.enabled;
        this.dataDir = builder.dataDir;
        this.dataSource = builder.dataSource != null ? builder.dataSource : embeddedDataSource(builder.dataDir);
        this.hostDataSource = builder.hostDataSource;
        this.updateInterval = builder.updateInterval;
        this.nodeId = builder.nodeId;
        this.billingZone = builder.billingZone;
        this.managementHost = builder.managementHost;
        this.managementPort = builder.managementPort;
        this.managementSecurity = builder.managementSecurity;
        this.dedupe = builder.dedupe;
        this.runtime = builder.runtime;
        this.ownerDataSource = builder.ownerDataSource;
        this.ledgerKey = builder.ledgerKey;
        this.ledgerKeyId = builder.ledgerKeyId;
        this.retiredLedgerKeys = Map.copyOf(builder.retiredLedgerKeys);
        this.journalInterval = builder.journalInterval;
        this.finalFlushTimeout = builder.finalFlushTimeout;
        this.secretStore = builder.secretStore != null ? builder.secretStore : defaultSecretStore(builder.dataDir);
        this.managementLimits = builder.managementLimits;
        this.passthroughLimits = builder.passthroughLimits;
        this.metrics = builder.metrics;
        this.closeGrace = builder.closeGrace;
        this.archiveAfterMonths = builder.archiveAfterMonths;
        this.licence = builder.licence;
    }

    /**
     * The embedded default: an H2 file database in the data directory, owned by the one process that opens it.
     * {@code DB_CLOSE_ON_EXIT=FALSE} keeps H2 from closing the database in its own shutdown hook, before the
     * counter's final flush has written the last interval; the database closes with the counter's pool.
     */
    public static DataSourceConfig embeddedDataSource(Path dataDir) {
        String file = dataDir.toAbsolutePath().normalize().resolve("transactiondb").toString();
        return DataSourceConfig.of(DEFAULT_DATA_SOURCE_ID,
                "jdbc:h2:file:" + file + ";DB_CLOSE_ON_EXIT=FALSE", "sa", "");
    }

    /** The keystore of encrypted {@code [secrets]} when none is configured: {@code secret-store.p12} in dataDir. */
    public static Path defaultSecretStore(Path dataDir) {
        return dataDir.resolve("secret-store.p12");
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

    public String managementHost() {
        return managementHost;
    }

    public int managementPort() {
        return managementPort;
    }

    /** TLS and users of the management API. */
    public ManagementSecurity managementSecurity() {
        return managementSecurity;
    }

    /** How stamps and redeliveries keep async pairs and chained calls from counting twice. */
    public DedupeConfig dedupe() {
        return dedupe;
    }

    /** The passthrough listener and JMS inbound endpoints the service runs. */
    public RuntimeConfig runtime() {
        return runtime;
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

    /** The keystore whose key decrypts {@code enc:v1:} values in {@code [secrets]}; see {@link SecretStore}. */
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

    /** {@code [licence]}: the monthly quota and its alerts. */
    public LicenceConfig licence() {
        return licence;
    }

    public Path secretStore() {
        return secretStore;
    }

    /** Connection limits and slow-client protection of the management API's listener. */
    public ListenerLimits managementLimits() {
        return managementLimits;
    }

    /** Connection limits and slow-client protection of the HTTP passthrough listener. */
    public ListenerLimits passthroughLimits() {
        return passthroughLimits;
    }

    /** The optional metrics listener of {@code [metrics]}; disabled by default. */
    public MetricsConfig metrics() {
        return metrics;
    }

    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.enabled = enabled;
        builder.dataSource = dataSource;
        builder.hostDataSource = hostDataSource;
        builder.updateInterval = updateInterval;
        builder.nodeId = nodeId;
        builder.dataDir = dataDir;
        builder.billingZone = billingZone;
        builder.managementHost = managementHost;
        builder.managementPort = managementPort;
        builder.managementSecurity = managementSecurity;
        builder.dedupe = dedupe;
        builder.runtime = runtime;
        builder.ownerDataSource = ownerDataSource;
        builder.ledgerKey = ledgerKey;
        builder.ledgerKeyId = ledgerKeyId;
        builder.retiredLedgerKeys.putAll(retiredLedgerKeys);
        builder.journalInterval = journalInterval;
        builder.finalFlushTimeout = finalFlushTimeout;
        builder.secretStore = secretStore;
        builder.managementLimits = managementLimits;
        builder.passthroughLimits = passthroughLimits;
        builder.metrics = metrics;
        builder.closeGrace = closeGrace;
        builder.archiveAfterMonths = archiveAfterMonths;
        builder.licence = licence;
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
        private String managementHost = DEFAULT_MANAGEMENT_HOST;
        private int managementPort = DEFAULT_MANAGEMENT_PORT;
        private ManagementSecurity managementSecurity = ManagementSecurity.defaults();
        private DedupeConfig dedupe = DedupeConfig.defaults();
        private RuntimeConfig runtime = RuntimeConfig.none();
        private Optional<DataSourceConfig> ownerDataSource = Optional.empty();
        private Optional<byte[]> ledgerKey = Optional.empty();
        private String ledgerKeyId = DEFAULT_LEDGER_KEY_ID;
        private final Map<String, byte[]> retiredLedgerKeys = new java.util.LinkedHashMap<>();
        private Duration journalInterval = Duration.ofSeconds(1);
        private Duration finalFlushTimeout = Duration.ofSeconds(10);
        private Path secretStore;
        private ListenerLimits managementLimits = ListenerLimits.MANAGEMENT_DEFAULTS;
        private ListenerLimits passthroughLimits = ListenerLimits.PASSTHROUGH_DEFAULTS;
        private MetricsConfig metrics = MetricsConfig.disabled();

        public Builder metrics(MetricsConfig metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }
        private Duration closeGrace = DEFAULT_CLOSE_GRACE;
        private int archiveAfterMonths = DEFAULT_ARCHIVE_AFTER_MONTHS;
        private LicenceConfig licence = LicenceConfig.none();

        private Builder() {
        }

        public Builder managementLimits(ListenerLimits managementLimits) {
            this.managementLimits = Objects.requireNonNull(managementLimits, "managementLimits");
            return this;
        }

        public Builder passthroughLimits(ListenerLimits passthroughLimits) {
            this.passthroughLimits = Objects.requireNonNull(passthroughLimits, "passthroughLimits");
            return this;
        }

        /** The keystore of encrypted secrets; unset means {@link CounterConfig#defaultSecretStore} of the data dir. */
        public Builder closeGrace(Duration closeGrace) {
            this.closeGrace = closeGrace;
            return this;
        }

        public Builder archiveAfterMonths(int archiveAfterMonths) {
            this.archiveAfterMonths = archiveAfterMonths;
            return this;
        }

        public Builder licence(LicenceConfig licence) {
            this.licence = licence;
            return this;
        }

        public Builder secretStore(Path secretStore) {
            this.secretStore = Objects.requireNonNull(secretStore, "secretStore");
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

        public Builder runtime(RuntimeConfig runtime) {
            this.runtime = Objects.requireNonNull(runtime, "runtime");
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

        public Builder managementHost(String managementHost) {
            this.managementHost = Objects.requireNonNull(managementHost, "managementHost");
            return this;
        }

        public Builder managementSecurity(ManagementSecurity managementSecurity) {
            this.managementSecurity = Objects.requireNonNull(managementSecurity, "managementSecurity");
            return this;
        }

        public Builder managementPort(int managementPort) {
            this.managementPort = managementPort;
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
            if (managementPort < 0 || managementPort > 65535) {
                throw new ConfigException("management port: expected 0 to 65535. Found: " + managementPort);
            }
            return new CounterConfig(this);
        }
    }
}
