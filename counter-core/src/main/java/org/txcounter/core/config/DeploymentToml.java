package org.txcounter.core.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;
import org.txcounter.core.OwnDestinations;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.internal.TomlDocument;

/**
 * Reads the counter's own sections of {@code deployment.toml} ({@link ConfigModel#COUNTER}), in the format MI users
 * already write, and leaves every other section alone: the file is usually a host's, such as MI's
 * {@code <MI_HOME>/conf/deployment.toml} with its {@code [server]}, {@code [keystore.*]}, {@code [management_api]}
 * and other {@code [[datasource]]} entries.
 *
 * <pre>{@code
 * [[datasource]]
 * id = "WSO2_TRANSACTION_DB"
 * url = "jdbc:postgresql://localhost:5432/transactiondb"
 * username = "txn_app"
 * password = "$secret{txn_db_password}"
 * pool_options.maxActive = 50
 *
 * [transaction_counter]
 * enable = true
 * data_source = "WSO2_TRANSACTION_DB"
 * update_interval = 1          # minutes
 *
 * [node]
 * id = "mi-node-1"             # default: created once and kept in data_dir
 * data_dir = "./data"
 *
 * [billing]
 * time_zone = "UTC"
 *
 * [secrets]
 * txn_db_password = "[plain text]"
 * }</pre>
 *
 * <p>The counter's sections stay strict: every mistake in them is reported with the file, the line, the key, the
 * value found and what was expected, and an unknown key in them is an error (an unknown key in
 * {@code [transaction_counter]} names its line): a misspelt key silently ignored would leave a billing system
 * misconfigured. Of the {@code [[datasource]]} entries only those the counter uses (its own and
 * {@code [schema] owner_data_source}) are read. {@code [secrets]} is the host's too: only the aliases the counter's
 * keys refer to are read, and only plain text ({@code "[...]"}).
 *
 * <p>A program that owns the whole file, such as the standalone service, hands the counter's sections over through
 * {@code Internals.readCounterSections} instead: then every {@code [[datasource]]} is checked, and its own function
 * resolves the {@code $secret{alias}} references (the service decrypts {@code enc:v1:} values with its keystore).
 *
 * <p>Each call reads on its own; safe to call from any thread.
 *
 * <p>{@code enable} follows MI's precedence: the system property {@value #ENABLE_SWITCH}, then the environment
 * variable of the same name, then the file; counting is on when none of them says otherwise.
 */
public final class DeploymentToml {

    /** The name of MI's system property and environment variable that switch counting on or off. */
    public static final String ENABLE_SWITCH = "enableTransactionCounter";

    private static final Set<String> PEER_KEYS = ConfigModel.COUNTER.keysOf("deduplication.peer");
    private static final Set<String> RETIRED_KEY_KEYS = ConfigModel.COUNTER.keysOf("ledger.retired_key");
    private static final Pattern LEDGER_KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Set<String> DATASOURCE_KEYS = ConfigModel.COUNTER.keysOf("datasource");
    /**
     * The pool options MI's datasource reader takes (micro-integrator 4.3.0, ndatasource RDBMSConfiguration: its
     * JAXB properties, which are Tomcat JDBC's pool settings). Inside MI those the counter's pool has no equivalent
     * for are logged and left to MI; a key in neither list is a typo and refused.
     */
    private static final Set<String> MI_POOL_OPTIONS = Set.of("defaultAutoCommit", "defaultReadOnly",
            "defaultTransactionIsolation", "defaultCatalog", "maxActive", "maxIdle", "minIdle", "initialSize",
                    "maxWait",
            "testOnBorrow", "testOnReturn", "testWhileIdle", "validationQuery", "validatorClassName",
            "timeBetweenEvictionRunsMillis", "numTestsPerEvictionRun", "minEvictableIdleTimeMillis",
            "accessToUnderlyingConnectionAllowed", "removeAbandoned", "removeAbandonedTimeout", "logAbandoned",
            "connectionProperties", "initSQL", "jdbcInterceptors", "validationInterval", "jmxEnabled", "fairQueue",
            "abandonWhenPercentageFull", "maxAge", "useEquals", "suspectTimeout", "alternateUsernameAllowed",
            "dataSourceClassName", "databaseProps", "dataSourceProps", "validationQueryTimeout", "commitOnReturn",
            "rollbackOnReturn", "passwordPersist");
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentToml.class);
    private static final Set<String> POOL_OPTIONS = ConfigModel.COUNTER.keysOf("datasource.pool_options");

    static {
        Internals.grant(DeploymentToml::readWholeFile);
    }

    private final TomlDocument file;
    private final UnaryOperator<String> secrets;
    private final boolean wholeFile;

    private DeploymentToml(TomlDocument file, UnaryOperator<String> secrets, boolean wholeFile) {
        this.file = file;
        this.secrets = secrets;
        this.wholeFile = wholeFile;
    }


    /** Parses TOML text as a host's file; {@code source} names it in error messages. */
    public static CounterConfig parseHosted(String text, String source, UnaryOperator<String> systemProperties,
            UnaryOperator<String> environment) {
        return hosted(TomlDocument.parse(text, source), systemProperties, environment);
    }

    /**
     * Reads a host's file (WSO2 MI's {@code conf/deployment.toml}): the counter's sections strictly, the host's left
     * alone; see the class comment. {@code enable} follows the {@value #ENABLE_SWITCH} switch of the host's system
     * properties and environment. {@code hostSecrets} is the host's own resolution of the secrets it encrypted: it
     * answers an alias of the host's {@code [secrets]} whose value is not plain text
     * (MI's cipher tool encrypts them in place), or {@code null} when it cannot.
     */
    public static CounterConfig readHosted(Path file, UnaryOperator<String> systemProperties,
            UnaryOperator<String> environment, UnaryOperator<String> hostSecrets) {
        return hosted(TomlDocument.read(file), systemProperties, environment, hostSecrets);
    }

    private static CounterConfig hosted(TomlDocument file, UnaryOperator<String> systemProperties,
            UnaryOperator<String> environment) {
        return hosted(file, systemProperties, environment, alias -> null);
    }

    private static CounterConfig hosted(TomlDocument file, UnaryOperator<String> systemProperties,
            UnaryOperator<String> environment, UnaryOperator<String> hostSecrets) {
        return new DeploymentToml(file, alias -> hostSecret(file, alias, hostSecrets), false)
                .toConfig(systemProperties, environment);
    }

    /** For {@code Internals.readCounterSections}: a file that is all its caller's, with the caller's secrets. */
    private static CounterConfig readWholeFile(TomlDocument file, UnaryOperator<String> systemProperties,
            UnaryOperator<String> environment, UnaryOperator<String> secrets) {
        return new DeploymentToml(file, secrets, true).toConfig(systemProperties, environment);
    }

    /** The configuration with no file at all: the embedded H2 database in {@code ./data}, counting on. */
    public static CounterConfig defaults(UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
        CounterConfig.Builder builder = CounterConfig.builder();
        enableSwitch(systemProperties, environment).ifPresent(builder::enabled);
        return builder.build();
    }

    private CounterConfig toConfig(UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
        file.checkTopLevel(ConfigModel.COUNTER, false);
        CounterConfig.Builder builder = CounterConfig.builder();

        TomlTable counter = file.section("transaction_counter");
        Optional<Boolean> enableSwitch = enableSwitch(systemProperties, environment);
        if (enableSwitch.isPresent()) {
            builder.enabled(enableSwitch.get());
        } else if (counter != null && counter.contains("enable")) {
            builder.enabled(file.bool(counter, "transaction_counter", "enable"));
        }
        if (counter != null && counter.contains("update_interval")) {
            long minutes = file.integer(counter, "transaction_counter", "update_interval", 1,
                    CounterConfig.MAX_UPDATE_INTERVAL_MINUTES, "a whole number of minutes from 1 to 1440");
            builder.updateInterval(Duration.ofMinutes(minutes));
        }

        TomlTable node = file.section("node");
        if (node != null) {
            if (node.contains("id")) {
                String id = file.string(node, "node", "id");
                try {
                    builder.nodeId(NodeIds.requireValid(id));
                } catch (ConfigException e) {
                    throw file.error(node, "node", "id", "\"" + id + "\"",
                            "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
                }
            }
            if (node.contains("data_dir")) {
                builder.dataDir(Path.of(file.string(node, "node", "data_dir")));
            }
        }

        TomlTable billing = file.section("billing");
        if (billing != null && billing.contains("time_zone")) {
            String zone = file.string(billing, "billing", "time_zone");
            try {
                builder.billingZone(ZoneId.of(zone));
            } catch (DateTimeException e) {
                throw file.error(billing, "billing", "time_zone", "\"" + zone + "\"",
                        "a time zone id such as \"UTC\" or \"Europe/Berlin\"");
            }
        }

        if (billing != null && billing.contains("close_grace_days")) {
            builder.closeGrace(Duration.ofDays(file.integer(billing, "billing", "close_grace_days", 0, 31,
                    "a whole number of days from 0 to 31")));
        }
        if (billing != null && billing.contains("archive_after_months")) {
            builder.archiveAfterMonths((int) file.integer(billing, "billing", "archive_after_months", 1, 1200,
                    "a whole number of months from 1 to 1200"));
        }
        builder.dedupe(readDedupe());
        builder.ownDestinations(readOwnDestinations());

        String dataSourceId = CounterConfig.DEFAULT_DATA_SOURCE_ID;
        boolean named = counter != null && counter.contains("data_source");
        if (named) {
            dataSourceId = file.string(counter, "transaction_counter", "data_source");
        }
        TomlTable schema = file.section("schema");
        Optional<String> ownerId = schema != null && schema.contains("owner_data_source")
                ? Optional.of(file.string(schema, "schema", "owner_data_source")) : Optional.empty();
        Set<String> used = new TreeSet<>();
        used.add(dataSourceId);
        ownerId.ifPresent(used::add);
        List<DataSourceConfig> dataSources = readDataSources(used);
        String wanted = dataSourceId;
        Optional<DataSourceConfig> chosen = dataSources.stream().filter(d -> d.id().equals(wanted)).findFirst();
        if (chosen.isPresent()) {
            builder.dataSource(chosen.get());
        } else if (named || !dataSources.isEmpty()) {
            List<String> ids = dataSources.stream().map(DataSourceConfig::id).toList();
            String where = named ? " line " + TomlDocument.line(counter, "data_source") : "";
            throw new ConfigException(file.source() + where + ": [transaction_counter] data_source = \"" + dataSourceId
                    + "\" names no [[datasource]]. Defined ids: " + ids
                    + ". Add a [[datasource]] with that id or correct data_source.");
        }
        TomlTable journal = file.section("journal");
        if (journal != null && journal.contains("interval_ms")) {
            builder.journalInterval(Duration.ofMillis(file.integer(journal, "journal", "interval_ms", 100, 60_000,
                    "milliseconds from 100 to 60000")));
        }
        if (journal != null && journal.contains("final_flush_timeout_ms")) {
            builder.finalFlushTimeout(Duration.ofMillis(file.integer(journal, "journal", "final_flush_timeout_ms", 0,
                    600_000, "milliseconds from 0 to 600000")));
        }
        TomlTable ledger = file.section("ledger");
        if (ledger != null && ledger.contains("key")) {
            byte[] key = file.resolveSecret(ledger, "ledger", "key", secrets).getBytes(StandardCharsets.UTF_8);
            if (key.length < DedupeConfig.MIN_SECRET_BYTES) {
                throw file.error(ledger, "ledger", "key", "(hidden, " + key.length + " bytes)", "at least "
                        + DedupeConfig.MIN_SECRET_BYTES + " bytes, the same on every node and for verify");
            }
            builder.ledgerKey(key);
        }
        if (ledger != null && ledger.contains("key_id")) {
            if (!ledger.contains("key")) {
                throw file.at(ledger, "key_id", "[ledger] key_id names the configured key; set [ledger] key too, or "
                        + "remove key_id");
            }
            builder.ledgerKeyId(ledgerKeyId(ledger, "ledger", "key_id"));
        }
        if (ledger != null && ledger.contains("retired_key")) {
            TomlArray array = file.tables(ledger, "retired_key", "retired ledger keys", "ledger.retired_key");
            Set<String> ids = new TreeSet<>();
            ids.add(ledger.contains("key_id") ? file.string(ledger, "ledger", "key_id")
                    : CounterConfig.DEFAULT_LEDGER_KEY_ID);
            for (int i = 0; i < array.size(); i++) {
                TomlTable retired = array.getTable(i);
                String retiredSection = "[[ledger.retired_key]] #" + (i + 1);
                file.checkKeys(retired, retiredSection, RETIRED_KEY_KEYS);
                file.required(retired, retiredSection, "id");
                String id = ledgerKeyId(retired, retiredSection, "id");
                if (!ids.add(id)) {
                    throw file.error(retired, retiredSection, "id", "\"" + id + "\"",
                            "an id no other ledger key has (the current key's is [ledger] key_id)");
                }
                file.required(retired, retiredSection, "key");
                byte[] key = file.resolveSecret(retired, retiredSection, "key", secrets)
                        .getBytes(StandardCharsets.UTF_8);
                if (key.length < DedupeConfig.MIN_SECRET_BYTES) {
                    throw file.error(retired, retiredSection, "key", "(hidden, " + key.length + " bytes)", "at least "
                            + DedupeConfig.MIN_SECRET_BYTES + " bytes: the key exactly as it was configured");
                }
                builder.retiredLedgerKey(id, key);
            }
        }
        if (ownerId.isPresent()) {
            DataSourceConfig owner = dataSources.stream().filter(d -> d.id().equals(ownerId.get())).findFirst()
                    .orElseThrow(() -> file.error(schema, "schema", "owner_data_source", "\"" + ownerId.get() + "\"",
                            "the id of a [[datasource]]. Defined ids: "
                                    + dataSources.stream().map(DataSourceConfig::id).toList()));
            builder.ownerDataSource(owner);
        }
        try {
            return builder.build();
        } catch (ConfigException e) {
            throw new ConfigException(file.source() + ": " + e.getMessage(), e);
        }
    }


    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    private static Optional<Boolean> enableSwitch(UnaryOperator<String> systemProperties,
            UnaryOperator<String> environment) {
        String property = systemProperties.apply(ENABLE_SWITCH);
        if (property != null) {
            return Optional.of(parseSwitch(property, "system property " + ENABLE_SWITCH));
        }
        String variable = environment.apply(ENABLE_SWITCH);
        if (variable != null) {
            return Optional.of(parseSwitch(variable, "environment variable " + ENABLE_SWITCH));
        }
        return Optional.empty();
    }

    private static boolean parseSwitch(String value, String where) {
        String normalized = value.trim().toLowerCase(Locale.ROOT);
        if (normalized.equals("true")) {
            return true;
        }
        if (normalized.equals("false")) {
            return false;
        }
        throw new ConfigException(where + " = \"" + value + "\": expected true or false");
    }

    /**
     * Checks every top-level section of the file, or inside a host only the counter's: the host's own sections

    /**
     * The {@code [[datasource]]} entries; inside a host only those with an id in {@code used} (the counter's and
     * the schema owner's), since the host's other entries are written for the host's own pool.
     */
    private List<DataSourceConfig> readDataSources(Set<String> used) {
        List<DataSourceConfig> result = new ArrayList<>();
        TomlArray array = file.array("datasource");
        for (int i = 0; i < array.size(); i++) {
            TomlTable entry = array.getTable(i);
            String section = "[[datasource]] #" + (i + 1);
            if (!wholeFile && !(entry.get(List.of("id")) instanceof String id && used.contains(id))) {
                continue;
            }
            file.checkKeys(entry, section, DATASOURCE_KEYS);
            String id = file.required(entry, section, "id");
            if (entry.contains("jmx_enable")) {
                // MI's template (master-datasources.xml.j2) takes it for MI's own pool; ours is not in JMX.
                file.bool(entry, section, "jmx_enable");
            }
            String url = file.required(entry, section, "url");
            if (!url.startsWith("jdbc:")) {
                throw file.error(entry, section, "url", "\"" + url + "\"", "a JDBC URL starting with \"jdbc:\"");
            }
            if (result.stream().anyMatch(d -> d.id().equals(id))) {
                throw file.error(entry, section, "id", "\"" + id + "\"", "an id not used by another [[datasource]]");
            }
            String username = entry.contains("username") ? file.string(entry, section, "username") : "";
            String password = entry.contains("password") ? file.resolveSecret(entry, section, "password", secrets) : "";
            Optional<String> driver = entry.contains("driver")
                    ? Optional.of(file.string(entry, section, "driver")) : Optional.empty();
            result.add(readPool(entry, section, id, url, username, password, driver));
        }
        return result;
    }

    private DataSourceConfig readPool(TomlTable entry, String section, String id, String url, String username,
            String password, Optional<String> driver) {
        int maxPoolSize = DataSourceConfig.DEFAULT_MAX_POOL_SIZE;
        int minIdle = 1;
        Duration connectionTimeout = DataSourceConfig.DEFAULT_CONNECTION_TIMEOUT;
        Optional<String> validationQuery = Optional.empty();
        Duration validationTimeout = DataSourceConfig.DEFAULT_VALIDATION_TIMEOUT;
        Duration maxLifetime = DataSourceConfig.DEFAULT_MAX_LIFETIME;
        boolean autoCommit = true;
        DataSourceConfig.Timeouts timeouts = DataSourceConfig.Timeouts.DEFAULT;
        if (entry.contains("pool_options")) {
            if (!entry.isTable("pool_options")) {
                throw file.error(entry, section, "pool_options", String.valueOf(entry.get("pool_options")),
                        "keys written as pool_options.<name> = value");
            }
            TomlTable pool = entry.getTableOrEmpty("pool_options");
            String poolSection = section + " pool_options";
            if (wholeFile) {
                file.checkKeys(pool, poolSection, POOL_OPTIONS);
            } else {
                file.checkKeys(pool, poolSection, union(POOL_OPTIONS, MI_POOL_OPTIONS));
                Set<String> ignored = new TreeSet<>(pool.keySet());
                ignored.removeAll(POOL_OPTIONS);
                if (!ignored.isEmpty()) {
                    // MI hands these to its own pool; the counter maps those it has and says which it leaves to MI.
                    LOG.info("{} pool_options {} are MI's pool settings with no equivalent in the counter's pool of "
                            + "{} (HikariCP); they are ignored there. Mapped: {}.", section, ignored, id,
                            POOL_OPTIONS.stream().sorted().toList());
                }
            }
            if (pool.contains("maxActive")) {
                maxPoolSize = (int) file.integer(pool, poolSection, "maxActive", 1, 10_000,
                        "a pool size from 1 to 10000");
            }
            if (pool.contains("minIdle")) {
                minIdle = (int) file.integer(pool, poolSection, "minIdle", 0, 10_000, "a count from 0 to 10000");
            }
            if (pool.contains("maxIdle")) {
                // HikariCP closes idle connections above minimumIdle itself; the value is checked, then not needed.
                file.integer(pool, poolSection, "maxIdle", 0, 10_000, "a count from 0 to 10000");
            }
            if (pool.contains("maxWait")) {
                connectionTimeout = Duration.ofMillis(file.integer(pool, poolSection, "maxWait", 250, 86_400_000,
                        "milliseconds from 250 to 86400000"));
            }
            if (pool.contains("testOnBorrow")) {
                // HikariCP always validates a connection that sat idle before handing it out: the safe behaviour
                // MI's testOnBorrow = true asks for. false is accepted and cannot weaken that.
                file.bool(pool, poolSection, "testOnBorrow");
            }
            if (pool.contains("testWhileIdle")) {
                file.bool(pool, poolSection, "testWhileIdle");
            }
            if (pool.contains("validationInterval")) {
                file.integer(pool, poolSection, "validationInterval", 0, 86_400_000, "milliseconds from 0 to 86400000");
            }
            if (pool.contains("validationQuery")) {
                validationQuery = Optional.of(file.string(pool, poolSection, "validationQuery"));
            }
            if (pool.contains("validationQueryTimeout")) {
                validationTimeout = Duration.ofSeconds(file.integer(pool, poolSection, "validationQueryTimeout", 1,
                        3600, "seconds from 1 to 3600"));
            }
            if (pool.contains("defaultAutoCommit")) {
                autoCommit = file.bool(pool, poolSection, "defaultAutoCommit");
            }
            if (pool.contains("maxAge")) {
                maxLifetime = Duration.ofMillis(file.integer(pool, poolSection, "maxAge", 30_000, 86_400_000,
                        "milliseconds from 30000 to 86400000"));
            }
            Duration connect = timeouts.connect();
            Duration socket = timeouts.socket();
            Duration statement = timeouts.statement();
            if (pool.contains("connectTimeout")) {
                connect = Duration.ofMillis(file.integer(pool, poolSection, "connectTimeout", 250, 3_600_000,
                        "milliseconds from 250 to 3600000"));
            }
            if (pool.contains("socketTimeout")) {
                socket = Duration.ofMillis(file.integer(pool, poolSection, "socketTimeout", 1_000, 3_600_000,
                        "milliseconds from 1000 to 3600000"));
            }
            if (pool.contains("statementTimeout")) {
                statement = Duration.ofMillis(file.integer(pool, poolSection, "statementTimeout", 1_000, 3_600_000,
                        "milliseconds from 1000 to 3600000"));
            }
            if (socket.compareTo(statement) <= 0) {
                throw file.error(pool, poolSection,
                        pool.contains("socketTimeout") ? "socketTimeout" : "statementTimeout",
                        String.valueOf(pool.contains("socketTimeout") ? socket.toMillis() : statement.toMillis()),
                        "a socketTimeout longer than the statementTimeout (" + socket.toMillis() + " ms is not longer "
                                + "than " + statement.toMillis() + " ms), so the database cancels a slow statement "
                                + "before the connection is given up");
            }
            timeouts = new DataSourceConfig.Timeouts(connect, socket, statement);
            if (minIdle > maxPoolSize) {
                throw file.error(pool, poolSection, "minIdle", String.valueOf(minIdle),
                        "at most maxActive (" + maxPoolSize + ")");
            }
        }
        return new DataSourceConfig(id, url, username, password, driver, maxPoolSize, Math.min(minIdle, maxPoolSize),
                connectionTimeout, validationQuery, validationTimeout, maxLifetime, autoCommit, timeouts);
    }

    /**
     * Inside a host, an alias of the host's {@code [secrets]}, read only when one of the counter's keys refers to
     * it and only as plain text; null when it is not there.
     */
    private static String hostSecret(TomlDocument file, String alias, UnaryOperator<String> hostSecrets) {
        TomlTable table = file.section("secrets");
        if (table == null || !table.contains(alias)) {
            return null;
        }
        Optional<String> plain = table.get(List.of(alias)) instanceof String text ? TomlDocument.plainSecret(text)
                : Optional.empty();
        if (plain.isPresent()) {
            return plain.get();
        }
        String resolved = hostSecrets.apply(alias);
        if (resolved == null) {
            throw file.at(table, alias, "[secrets] " + alias + " = (hidden): the value is encrypted and the host's "
                    + "secure vault could not resolve it (inside MI: run MI's cipher tool, which encrypts [secrets] "
                    + "at the start, and check conf/security/secret-conf.properties); or give the plain-text value "
                    + "in square brackets, e.g. " + alias + " = \"[my password]\".");
        }
        return resolved;
    }

    /** {@code own_queues} and {@code [[deduplication.peer]]}: what the deployment consumes beyond this runtime. */
    private OwnDestinations readOwnDestinations() {
        TomlTable table = file.section("deduplication");
        if (table == null) {
            return OwnDestinations.none();
        }
        String section = "deduplication";
        Set<String> queues = new TreeSet<>();
        if (table.contains("own_queues")) {
            TomlArray array = table.isArray("own_queues") ? table.getArrayOrEmpty("own_queues") : null;
            if (array == null) {
                throw file.error(table, section, "own_queues", String.valueOf(table.get("own_queues")),
                        "a list of queue names, e.g. own_queues = [\"orders\"]");
            }
            for (int i = 0; i < array.size(); i++) {
                Object value = array.get(i);
                if (!(value instanceof String name) || !TomlDocument.validQueue(name)) {
                    throw file.error(table, section, "own_queues", String.valueOf(value),
                            "queue names of 1 to 128 letters, digits, '.', '_' or '-'");
                }
                queues.add(name);
            }
        }
        List<OwnDestinations.Peer> peers = new ArrayList<>();
        if (table.contains("peer")) {
            TomlArray array = file.tables(table, "peer", "peers", "deduplication.peer");
            for (int i = 0; i < array.size(); i++) {
                TomlTable peer = array.getTable(i);
                String peerSection = "[[deduplication.peer]] #" + (i + 1);
                file.checkKeys(peer, peerSection, PEER_KEYS);
                String nodeId = file.required(peer, peerSection, "node_id");
                try {
                    NodeIds.requireValid(nodeId);
                } catch (ConfigException e) {
                    throw file.error(peer, peerSection, "node_id", "\"" + nodeId + "\"",
                            "the peer's [node] id: 1 to 64 letters, digits, '.', '_' or '-'");
                }
                peers.add(new OwnDestinations.Peer(nodeId, file.httpUrl(peer, peerSection, "url")));
            }
        }
        return new OwnDestinations(queues, peers);
    }

    private String ledgerKeyId(TomlTable table, String section, String key) {
        String id = file.string(table, section, key);
        if (!LEDGER_KEY_ID.matcher(id).matches()) {
            throw file.error(table, section, key, "\"" + id + "\"", "1 to 64 letters, digits, '.', '_' or '-', e.g. "
                    + "\"2026-12\"");
        }
        return id;
    }

    private DedupeConfig readDedupe() {
        TomlTable table = file.section("deduplication");
        DedupeConfig defaults = DedupeConfig.defaults();
        if (table == null) {
            return defaults;
        }
        String section = "deduplication";
        String deploymentId = defaults.deploymentId();
        if (table.contains("deployment_id")) {
            deploymentId = file.string(table, section, "deployment_id");
            try {
                NodeIds.requireValid(deploymentId);
            } catch (ConfigException e) {
                throw file.error(table, section, "deployment_id", "\"" + deploymentId + "\"",
                        "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
            }
        }
        Optional<byte[]> secret = Optional.empty();
        if (table.contains("stamp_secret")) {
            byte[] bytes = file.resolveSecret(table, section, "stamp_secret", secrets).getBytes(StandardCharsets.UTF_8);
            if (bytes.length < DedupeConfig.MIN_SECRET_BYTES) {
                throw file.error(table, section, "stamp_secret", "(hidden, " + bytes.length + " bytes)",
                        "at least " + DedupeConfig.MIN_SECRET_BYTES + " bytes, the same on every node of the "
                                + "deployment (e.g. from: openssl rand -base64 48)");
            }
            secret = Optional.of(bytes);
        }
        Duration lifetime = defaults.stampLifetime();
        if (table.contains("stamp_lifetime")) {
            lifetime = Duration.ofMinutes(file.integer(table, section, "stamp_lifetime", 1, 43_200,
                    "a number of minutes from 1 to 43200 (30 days)"));
        }
        boolean chaining = table.contains("http_chaining") ? file.bool(table, section, "http_chaining")
                : defaults.httpChaining();
        int window = defaults.redeliveryWindow();
        if (table.contains("redelivery_window")) {
            window = (int) file.integer(table, section, "redelivery_window", 1, 10_000_000,
                    "a number of message ids from 1 to 10000000");
        }
        int spent = defaults.spentStamps();
        if (table.contains("spent_stamps")) {
            spent = (int) file.integer(table, section, "spent_stamps", 1_000, 100_000_000,
                    "a number of stamps from 1000 to 100000000 (about 20 bytes of memory each)");
        }
        return new DedupeConfig(deploymentId, secret, lifetime, chaining, window, spent);
    }
}
