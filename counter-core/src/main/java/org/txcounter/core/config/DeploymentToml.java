package org.txcounter.core.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;
import org.txcounter.core.OwnDestinations;

/**
 * Reads {@code deployment.toml} in the format MI users already write, plus this product's own sections.
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
 * [management_api]
 * host = "127.0.0.1"
 * port = 9164
 *
 * [secret_store]
 * keystore = "./data/secret-store.p12"   # default: secret-store.p12 in data_dir
 *
 * [secrets]
 * txn_db_password = "enc:v1:9Xk2...Qw"    # from: encrypt-secret --alias txn_db_password
 * stamp_secret = "[plain text]"           # still accepted; better encrypted too
 * }</pre>
 *
 * <p>A {@code [secrets]} value is either plain text in square brackets or an {@code enc:v1:} value, which is
 * decrypted with the key in the {@code [secret_store]} keystore; the keystore's password comes from the environment
 * variable {@value SecretStore#PASSWORD_VARIABLE} or the file next to the keystore (see {@link SecretStore}). The
 * keystore is opened only when the file has an encrypted value.
 *
 * <p>Every mistake is reported with the file, the line, the key, the value found and what was expected. Unknown
 * sections and keys are errors: a misspelt key silently ignored would leave a billing system misconfigured.
 *
 * <p>Two ways of reading. {@link #read} reads the standalone service's own file: every section is ours, and an
 * unknown section or key anywhere is an error. {@link #readHosted} reads a host's file, such as MI's
 * {@code <MI_HOME>/conf/deployment.toml}: only the counter's own sections ({@link ConfigModel.Owner#COUNTER}) are
 * read, and they stay strict (an unknown key in {@code [transaction_counter]} is still an error naming its line),
 * while every other section is the host's and left alone: MI's {@code [server]}, {@code [keystore.*]},
 * {@code [management_api]}, its other {@code [[datasource]]} entries. Inside a host, {@code [secrets]} is the host's
 * too: only the aliases the counter's keys refer to are read, and only plain text ({@code "[...]"}), since the
 * keystore of {@code enc:v1:} values is the service's.
 *
 * <p>Each call reads on its own; safe to call from any thread.
 *
 * <p>{@code enable} follows MI's precedence: the system property {@value #ENABLE_SWITCH}, then the environment
 * variable of the same name, then the file; counting is on when none of them says otherwise.
 */
public final class DeploymentToml {

    /** The name of MI's system property and environment variable that switch counting on or off. */
    public static final String ENABLE_SWITCH = "enableTransactionCounter";

    private static final Pattern SECRET_REFERENCE = Pattern.compile("\\$secret\\{([A-Za-z0-9._-]+)}");
    private static final Pattern PLAIN_SECRET = Pattern.compile("\\[(.*)]", Pattern.DOTALL);

    private static final Map<String, Set<String>> SECTIONS = ConfigModel.tables();
    private static final Set<String> USER_KEYS = ConfigModel.keysOf("management_api.user");
    private static final Set<String> ROUTE_KEYS = ConfigModel.keysOf("passthrough.route");
    private static final Set<String> ENDPOINT_KEYS = ConfigModel.keysOf("inbound_endpoint");
    private static final Set<String> PEER_KEYS = ConfigModel.keysOf("deduplication.peer");
    private static final Set<String> RETIRED_KEY_KEYS = ConfigModel.keysOf("ledger.retired_key");
    private static final Set<String> PRODUCER_KEYS = ConfigModel.keysOf("jms.producer");
    private static final Pattern LEDGER_KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern QUEUE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern ROUTE_PREFIX = Pattern.compile("/[A-Za-z0-9._~/-]*");
    private static final Set<String> DATASOURCE_KEYS = ConfigModel.keysOf("datasource");
    private static final Set<String> POOL_OPTIONS = ConfigModel.keysOf("datasource.pool_options");

    private final String source;
    private final TomlParseResult toml;
    private final boolean hosted;
    private final Map<String, String> secrets = new LinkedHashMap<>();

    private DeploymentToml(String source, TomlParseResult toml, boolean hosted) {
        this.source = source;
        this.toml = toml;
        this.hosted = hosted;
    }

    /** Reads the file, taking the {@code enable} switch from this JVM's system properties and environment. */
    public static CounterConfig read(Path file) {
        return read(file, System::getProperty, System::getenv);
    }

    /** Reads the file with the given sources for the {@code enable} switch (for tests). */
    public static CounterConfig read(Path file, UnaryOperator<String> systemProperties,
            UnaryOperator<String> environment) {
        return parse(readText(file), file.toString(), systemProperties, environment);
    }

    /**
     * Reads the counter's own sections from a host's file, such as MI's {@code deployment.toml}, and leaves every
     * other section alone; see the class comment.
     *
     * @param systemProperties the host's system properties, for the {@value #ENABLE_SWITCH} switch
     * @param environment      the host's environment, for the same switch
     */
    public static CounterConfig readHosted(Path file, UnaryOperator<String> systemProperties,
            UnaryOperator<String> environment) {
        return parseHosted(readText(file), file.toString(), systemProperties, environment);
    }

    /** Parses TOML text as a host's file; {@code source} names it in error messages. */
    public static CounterConfig parseHosted(String text, String source, UnaryOperator<String> systemProperties,
            UnaryOperator<String> environment) {
        return parse(text, source, true).toConfig(systemProperties, environment);
    }

    private static String readText(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("Cannot read " + file.toAbsolutePath() + ": " + e.getMessage()
                    + ". Check that the file exists and is readable by this user.", e);
        }
    }

    /** Parses TOML text; {@code source} names it in error messages. */
    public static CounterConfig parse(String text, String source, UnaryOperator<String> systemProperties,
            UnaryOperator<String> environment) {
        return parse(text, source, false).toConfig(systemProperties, environment);
    }

    private static DeploymentToml parse(String text, String source, boolean hosted) {
        TomlParseResult toml = Toml.parse(text);
        if (toml.hasErrors()) {
            TomlParseError first = toml.errors().get(0);
            throw new ConfigException(source + " line " + first.position().line() + ": not valid TOML: "
                    + first.getMessage());
        }
        return new DeploymentToml(source, toml, hosted);
    }

    /** The configuration with no file at all: the embedded H2 database in {@code ./data}, counting on. */
    public static CounterConfig defaults(UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
        CounterConfig.Builder builder = CounterConfig.builder();
        enableSwitch(systemProperties, environment).ifPresent(builder::enabled);
        return builder.build();
    }

    private CounterConfig toConfig(UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
        checkTopLevel();
        CounterConfig.Builder builder = CounterConfig.builder();
        if (!hosted) {
            Path secretStore = secretStorePath();
            readSecrets(secretStore, environment);
            builder.secretStore(secretStore);
        }

        TomlTable counter = section("transaction_counter");
        Optional<Boolean> enableSwitch = enableSwitch(systemProperties, environment);
        if (enableSwitch.isPresent()) {
            builder.enabled(enableSwitch.get());
        } else if (counter != null && counter.contains("enable")) {
            builder.enabled(bool(counter, "transaction_counter", "enable"));
        }
        if (counter != null && counter.contains("update_interval")) {
            long minutes = integer(counter, "transaction_counter", "update_interval", 1,
                    CounterConfig.MAX_UPDATE_INTERVAL_MINUTES, "a whole number of minutes from 1 to 1440");
            builder.updateInterval(Duration.ofMinutes(minutes));
        }

        TomlTable node = section("node");
        if (node != null) {
            if (node.contains("id")) {
                String id = string(node, "node", "id");
                try {
                    builder.nodeId(NodeIds.requireValid(id));
                } catch (ConfigException e) {
                    throw error(node, "node", "id", "\"" + id + "\"",
                            "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
                }
            }
            if (node.contains("data_dir")) {
                builder.dataDir(Path.of(string(node, "node", "data_dir")));
            }
        }

        TomlTable billing = section("billing");
        if (billing != null && billing.contains("time_zone")) {
            String zone = string(billing, "billing", "time_zone");
            try {
                builder.billingZone(ZoneId.of(zone));
            } catch (DateTimeException e) {
                throw error(billing, "billing", "time_zone", "\"" + zone + "\"",
                        "a time zone id such as \"UTC\" or \"Europe/Berlin\"");
            }
        }

        if (billing != null && billing.contains("close_grace_days")) {
            builder.closeGrace(Duration.ofDays(integer(billing, "billing", "close_grace_days", 0, 31,
                    "a whole number of days from 0 to 31")));
        }
        if (billing != null && billing.contains("archive_after_months")) {
            builder.archiveAfterMonths((int) integer(billing, "billing", "archive_after_months", 1, 1200,
                    "a whole number of months from 1 to 1200"));
        }
        if (!hosted) {
            readServiceSections(builder);
        }
        builder.dedupe(readDedupe());
        builder.runtime(hosted ? RuntimeConfig.none().withOwn(readOwnDestinations()) : readRuntime());

        String dataSourceId = CounterConfig.DEFAULT_DATA_SOURCE_ID;
        boolean named = counter != null && counter.contains("data_source");
        if (named) {
            dataSourceId = string(counter, "transaction_counter", "data_source");
        }
        TomlTable schema = section("schema");
        Optional<String> ownerId = schema != null && schema.contains("owner_data_source")
                ? Optional.of(string(schema, "schema", "owner_data_source")) : Optional.empty();
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
            String where = named ? " line " + line(counter, "data_source") : "";
            throw new ConfigException(source + where + ": [transaction_counter] data_source = \"" + dataSourceId
                    + "\" names no [[datasource]]. Defined ids: " + ids
                    + ". Add a [[datasource]] with that id or correct data_source.");
        }
        TomlTable journal = section("journal");
        if (journal != null && journal.contains("interval_ms")) {
            builder.journalInterval(Duration.ofMillis(integer(journal, "journal", "interval_ms", 100, 60_000,
                    "milliseconds from 100 to 60000")));
        }
        if (journal != null && journal.contains("final_flush_timeout_ms")) {
            builder.finalFlushTimeout(Duration.ofMillis(integer(journal, "journal", "final_flush_timeout_ms", 0,
                    600_000, "milliseconds from 0 to 600000")));
        }
        TomlTable ledger = section("ledger");
        if (ledger != null && ledger.contains("key")) {
            byte[] key = resolveSecret(ledger, "ledger", "key").getBytes(StandardCharsets.UTF_8);
            if (key.length < DedupeConfig.MIN_SECRET_BYTES) {
                throw error(ledger, "ledger", "key", "(hidden, " + key.length + " bytes)", "at least "
                        + DedupeConfig.MIN_SECRET_BYTES + " bytes, the same on every node and for verify");
            }
            builder.ledgerKey(key);
        }
        if (ledger != null && ledger.contains("key_id")) {
            if (!ledger.contains("key")) {
                throw new ConfigException(source + " line " + line(ledger, "key_id") + ": [ledger] key_id names the "
                        + "configured key; set [ledger] key too, or remove key_id");
            }
            builder.ledgerKeyId(ledgerKeyId(ledger, "ledger", "key_id"));
        }
        if (ledger != null && ledger.contains("retired_key")) {
            TomlArray array = ledger.isArray("retired_key") ? ledger.getArrayOrEmpty("retired_key") : null;
            if (array == null || !allTables(array)) {
                throw new ConfigException(source + " line " + line(ledger, "retired_key")
                        + ": retired ledger keys must be written as [[ledger.retired_key]] tables");
            }
            Set<String> ids = new TreeSet<>();
            ids.add(ledger.contains("key_id") ? string(ledger, "ledger", "key_id") : CounterConfig.DEFAULT_LEDGER_KEY_ID);
            for (int i = 0; i < array.size(); i++) {
                TomlTable retired = array.getTable(i);
                String retiredSection = "[[ledger.retired_key]] #" + (i + 1);
                checkKeys(retired, retiredSection, RETIRED_KEY_KEYS);
                required(retired, retiredSection, "id");
                String id = ledgerKeyId(retired, retiredSection, "id");
                if (!ids.add(id)) {
                    throw error(retired, retiredSection, "id", "\"" + id + "\"",
                            "an id no other ledger key has (the current key's is [ledger] key_id)");
                }
                required(retired, retiredSection, "key");
                byte[] key = resolveSecret(retired, retiredSection, "key").getBytes(StandardCharsets.UTF_8);
                if (key.length < DedupeConfig.MIN_SECRET_BYTES) {
                    throw error(retired, retiredSection, "key", "(hidden, " + key.length + " bytes)", "at least "
                            + DedupeConfig.MIN_SECRET_BYTES + " bytes: the key exactly as it was configured");
                }
                builder.retiredLedgerKey(id, key);
            }
        }
        if (ownerId.isPresent()) {
            DataSourceConfig owner = dataSources.stream().filter(d -> d.id().equals(ownerId.get())).findFirst()
                    .orElseThrow(() -> error(schema, "schema", "owner_data_source", "\"" + ownerId.get() + "\"",
                            "the id of a [[datasource]]. Defined ids: "
                                    + dataSources.stream().map(DataSourceConfig::id).toList()));
            builder.ownerDataSource(owner);
        }
        try {
            return builder.build();
        } catch (ConfigException e) {
            throw new ConfigException(source + ": " + e.getMessage(), e);
        }
    }

    /** The service's sections: the licence's quota, the management API, the listeners' limits, metrics. */
    private void readServiceSections(CounterConfig.Builder builder) {
        builder.licence(readLicence());

        TomlTable management = section("management_api");
        if (management != null) {
            if (management.contains("host")) {
                builder.managementHost(string(management, "management_api", "host"));
            }
            if (management.contains("port")) {
                builder.managementPort((int) integer(management, "management_api", "port", 0, 65535,
                        "a port number from 0 to 65535"));
            }
            builder.managementSecurity(readManagementSecurity(management));
            builder.managementLimits(readLimits(management, "management_api", ListenerLimits.MANAGEMENT_DEFAULTS));
        }
        TomlTable passthroughSection = section("passthrough");
        if (passthroughSection != null) {
            builder.passthroughLimits(readLimits(passthroughSection, "passthrough",
                    ListenerLimits.PASSTHROUGH_DEFAULTS));
        }

        builder.metrics(readMetrics());
    }

    /** {@code [licence]}: the monthly quota, its alert thresholds (ascending percentages) and the webhook. */
    private LicenceConfig readLicence() {
        TomlTable table = section("licence");
        if (table == null) {
            return LicenceConfig.none();
        }
        Optional<Long> quota = table.contains("monthly_quota")
                ? Optional.of(integer(table, "licence", "monthly_quota", 1, Long.MAX_VALUE,
                        "a whole number of transactions per month, at least 1"))
                : Optional.empty();
        List<Integer> thresholds = LicenceConfig.DEFAULT_THRESHOLDS;
        if (table.contains("thresholds")) {
            if (!table.isArray("thresholds")) {
                throw error(table, "licence", "thresholds", String.valueOf(table.get("thresholds")),
                        "a list of percentages such as [80, 90, 100]");
            }
            TomlArray array = table.getArrayOrEmpty("thresholds");
            List<Integer> read = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) {
                Object value = array.get(i);
                if (!(value instanceof Long percent) || percent < 1 || percent > 1000
                        || !read.isEmpty() && percent <= read.get(read.size() - 1)) {
                    throw error(table, "licence", "thresholds", array.toString(),
                            "ascending whole percentages from 1 to 1000, such as [80, 90, 100]");
                }
                read.add(percent.intValue());
            }
            if (read.isEmpty()) {
                throw error(table, "licence", "thresholds", "[]", "at least one percentage, such as [80, 90, 100]");
            }
            thresholds = read;
        }
        Optional<URI> webhook = Optional.empty();
        if (table.contains("webhook_url")) {
            String url = string(table, "licence", "webhook_url");
            try {
                URI uri = new URI(url);
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw new URISyntaxException(url, "not an http or https URL");
                }
                webhook = Optional.of(uri);
            } catch (URISyntaxException e) {
                throw error(table, "licence", "webhook_url", "\"" + url + "\"", "an http:// or https:// URL");
            }
        }
        if (quota.isEmpty() && (table.contains("thresholds") || webhook.isPresent())) {
            throw new ConfigException(source + " line " + line(table, table.contains("thresholds") ? "thresholds"
                    : "webhook_url") + ": [licence] has thresholds or a webhook_url but no monthly_quota. Add "
                    + "monthly_quota = <transactions per month>.");
        }
        return new LicenceConfig(quota, thresholds, webhook);
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
     * (and names this product does not know) are left alone.
     */
    private void checkTopLevel() {
        for (String key : toml.keySet()) {
            if (hosted && ConfigModel.ownerOf(key).filter(owner -> owner == ConfigModel.Owner.COUNTER).isEmpty()) {
                continue;
            }
            if (key.equals("datasource") || key.equals("inbound_endpoint")) {
                if (!toml.isArray(key) || !allTables(toml.getArrayOrEmpty(key))) {
                    throw new ConfigException(source + " line " + line(toml, key) + ": " + key
                            + " must be written as [[" + key + "]] tables");
                }
            } else if (key.equals("secrets") || SECTIONS.containsKey(key)) {
                if (!toml.isTable(key)) {
                    throw new ConfigException(source + " line " + line(toml, key) + ": " + key
                            + " must be a [" + key + "] section");
                }
                if (SECTIONS.containsKey(key) && !(hosted && key.equals("secrets"))) {
                    checkKeys(toml.getTable(key), key, SECTIONS.get(key));
                }
            } else {
                throw new ConfigException(source + " line " + line(toml, key) + ": unknown section or key \"" + key
                        + "\". Known: " + ConfigModel.writtenSections());
            }
        }
    }

    private static boolean allTables(TomlArray array) {
        for (int i = 0; i < array.size(); i++) {
            if (!(array.get(i) instanceof TomlTable)) {
                return false;
            }
        }
        return true;
    }

    private void checkKeys(TomlTable table, String section, Set<String> known) {
        for (String key : table.keySet()) {
            if (!known.contains(key)) {
                throw new ConfigException(source + " line " + line(table, key) + ": unknown key \"" + key + "\" in "
                        + display(section) + ". Known keys: " + known.stream().sorted().toList());
            }
        }
    }

    private TomlTable section(String name) {
        return toml.getTable(name);
    }

    /** {@code [secret_store] keystore}, else the default keystore in {@code [node] data_dir}. */
    private Path secretStorePath() {
        TomlTable store = section("secret_store");
        if (store != null && store.contains("keystore")) {
            return Path.of(string(store, "secret_store", "keystore"));
        }
        TomlTable node = section("node");
        Path dataDir = node != null && node.contains("data_dir")
                ? Path.of(string(node, "node", "data_dir")) : CounterConfig.DEFAULT_DATA_DIR;
        return CounterConfig.defaultSecretStore(dataDir);
    }

    /** Reads [secrets]; the keystore is opened only for the first encrypted value, so plain files need none. */
    private void readSecrets(Path keystore, UnaryOperator<String> environment) {
        TomlTable table = toml.getTable("secrets");
        if (table == null) {
            return;
        }
        SecretStore store = null;
        for (String alias : table.keySet()) {
            String value = string(table, "secrets", alias);
            Matcher plain = PLAIN_SECRET.matcher(value);
            if (plain.matches()) {
                secrets.put(alias, plain.group(1));
            } else if (SecretStore.isEncrypted(value)) {
                try {
                    if (store == null) {
                        store = SecretStore.open(keystore, environment);
                    }
                    secrets.put(alias, store.decrypt(alias, value));
                } catch (ConfigException e) {
                    throw error(table, "secrets", alias, "(hidden)",
                            "a value the secret store can decrypt. " + e.getMessage());
                }
            } else {
                throw error(table, "secrets", alias, "(hidden)",
                        "the plain-text value in square brackets, e.g. " + alias + " = \"[my password]\", or an "
                                + SecretStore.PREFIX + " value from: " + SecretStore.encryptCommand(alias));
            }
        }
    }

    /**
     * The {@code [[datasource]]} entries; inside a host only those with an id in {@code used} (the counter's and
     * the schema owner's), since the host's other entries are written for the host's own pool.
     */
    private List<DataSourceConfig> readDataSources(Set<String> used) {
        List<DataSourceConfig> result = new ArrayList<>();
        TomlArray array = toml.getArrayOrEmpty("datasource");
        for (int i = 0; i < array.size(); i++) {
            TomlTable entry = array.getTable(i);
            String section = "[[datasource]] #" + (i + 1);
            if (hosted && !(entry.get(List.of("id")) instanceof String id && used.contains(id))) {
                continue;
            }
            checkKeys(entry, section, DATASOURCE_KEYS);
            String id = required(entry, section, "id");
            String url = required(entry, section, "url");
            if (!url.startsWith("jdbc:")) {
                throw error(entry, section, "url", "\"" + url + "\"", "a JDBC URL starting with \"jdbc:\"");
            }
            if (result.stream().anyMatch(d -> d.id().equals(id))) {
                throw error(entry, section, "id", "\"" + id + "\"", "an id not used by another [[datasource]]");
            }
            String username = entry.contains("username") ? string(entry, section, "username") : "";
            String password = entry.contains("password") ? resolvePassword(entry, section) : "";
            Optional<String> driver = entry.contains("driver")
                    ? Optional.of(string(entry, section, "driver")) : Optional.empty();
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
                throw error(entry, section, "pool_options", String.valueOf(entry.get("pool_options")),
                        "keys written as pool_options.<name> = value");
            }
            TomlTable pool = entry.getTableOrEmpty("pool_options");
            String poolSection = section + " pool_options";
            checkKeys(pool, poolSection, POOL_OPTIONS);
            if (pool.contains("maxActive")) {
                maxPoolSize = (int) integer(pool, poolSection, "maxActive", 1, 10_000, "a pool size from 1 to 10000");
            }
            if (pool.contains("minIdle")) {
                minIdle = (int) integer(pool, poolSection, "minIdle", 0, 10_000, "a count from 0 to 10000");
            }
            if (pool.contains("maxIdle")) {
                // HikariCP closes idle connections above minimumIdle itself; the value is checked, then not needed.
                integer(pool, poolSection, "maxIdle", 0, 10_000, "a count from 0 to 10000");
            }
            if (pool.contains("maxWait")) {
                connectionTimeout = Duration.ofMillis(integer(pool, poolSection, "maxWait", 250, 86_400_000,
                        "milliseconds from 250 to 86400000"));
            }
            if (pool.contains("testOnBorrow")) {
                // HikariCP always validates a connection that sat idle before handing it out: the safe behaviour
                // MI's testOnBorrow = true asks for. false is accepted and cannot weaken that.
                bool(pool, poolSection, "testOnBorrow");
            }
            if (pool.contains("testWhileIdle")) {
                bool(pool, poolSection, "testWhileIdle");
            }
            if (pool.contains("validationInterval")) {
                integer(pool, poolSection, "validationInterval", 0, 86_400_000, "milliseconds from 0 to 86400000");
            }
            if (pool.contains("validationQuery")) {
                validationQuery = Optional.of(string(pool, poolSection, "validationQuery"));
            }
            if (pool.contains("validationQueryTimeout")) {
                validationTimeout = Duration.ofSeconds(integer(pool, poolSection, "validationQueryTimeout", 1, 3600,
                        "seconds from 1 to 3600"));
            }
            if (pool.contains("defaultAutoCommit")) {
                autoCommit = bool(pool, poolSection, "defaultAutoCommit");
            }
            if (pool.contains("maxAge")) {
                maxLifetime = Duration.ofMillis(integer(pool, poolSection, "maxAge", 30_000, 86_400_000,
                        "milliseconds from 30000 to 86400000"));
            }
            Duration connect = timeouts.connect();
            Duration socket = timeouts.socket();
            Duration statement = timeouts.statement();
            if (pool.contains("connectTimeout")) {
                connect = Duration.ofMillis(integer(pool, poolSection, "connectTimeout", 250, 3_600_000,
                        "milliseconds from 250 to 3600000"));
            }
            if (pool.contains("socketTimeout")) {
                socket = Duration.ofMillis(integer(pool, poolSection, "socketTimeout", 1_000, 3_600_000,
                        "milliseconds from 1000 to 3600000"));
            }
            if (pool.contains("statementTimeout")) {
                statement = Duration.ofMillis(integer(pool, poolSection, "statementTimeout", 1_000, 3_600_000,
                        "milliseconds from 1000 to 3600000"));
            }
            if (socket.compareTo(statement) <= 0) {
                throw error(pool, poolSection, pool.contains("socketTimeout") ? "socketTimeout" : "statementTimeout",
                        String.valueOf(pool.contains("socketTimeout") ? socket.toMillis() : statement.toMillis()),
                        "a socketTimeout longer than the statementTimeout (" + socket.toMillis() + " ms is not longer "
                                + "than " + statement.toMillis() + " ms), so the database cancels a slow statement "
                                + "before the connection is given up");
            }
            timeouts = new DataSourceConfig.Timeouts(connect, socket, statement);
            if (minIdle > maxPoolSize) {
                throw error(pool, poolSection, "minIdle", String.valueOf(minIdle),
                        "at most maxActive (" + maxPoolSize + ")");
            }
        }
        return new DataSourceConfig(id, url, username, password, driver, maxPoolSize, Math.min(minIdle, maxPoolSize),
                connectionTimeout, validationQuery, validationTimeout, maxLifetime, autoCommit, timeouts);
    }

    private String resolvePassword(TomlTable entry, String section) {
        return resolveSecret(entry, section, "password");
    }

    /** The value of the key, with a {@code $secret{alias}} reference replaced by the secret from [secrets]. */
    private String resolveSecret(TomlTable entry, String section, String key) {
        String value = string(entry, section, key);
        Matcher reference = SECRET_REFERENCE.matcher(value);
        if (!reference.matches()) {
            return value;
        }
        String alias = reference.group(1);
        String secret = hosted ? hostSecret(alias) : secrets.get(alias);
        if (secret == null) {
            throw error(entry, section, key, "\"" + value + "\"",
                    "an alias defined in [secrets]; add " + alias + " = \"[...]\" there");
        }
        return secret;
    }

    /**
     * Inside a host, an alias of the host's {@code [secrets]}, read only when one of the counter's keys refers to
     * it and only as plain text; null when it is not there.
     */
    private String hostSecret(String alias) {
        TomlTable table = toml.getTable("secrets");
        if (table == null || !table.contains(alias)) {
            return null;
        }
        TomlPosition position = table.inputPositionOf(List.of(alias));
        Object value = table.get(List.of(alias));
        Matcher plain = value instanceof String text ? PLAIN_SECRET.matcher(text) : null;
        if (plain == null || !plain.matches()) {
            throw new ConfigException(source + " line " + (position == null ? 0 : position.line())
                    + ": [secrets] " + alias + " = (hidden): expected the plain-text value in square brackets, e.g. "
                    + alias + " = \"[my password]\". Inside a host the counter reads only plain-text secrets; "
                    + "the host's encrypted values are for the host's own keys.");
        }
        return plain.group(1);
    }

    private ManagementSecurity readManagementSecurity(TomlTable table) {
        String section = "management_api";
        boolean tls = !table.contains("tls") || bool(table, section, "tls");
        Optional<Path> keystore = table.contains("keystore")
                ? Optional.of(Path.of(string(table, section, "keystore"))) : Optional.empty();
        Optional<String> password = table.contains("keystore_password")
                ? Optional.of(resolveSecret(table, section, "keystore_password")) : Optional.empty();
        if (keystore.isPresent() && password.isEmpty()) {
            throw error(table, section, "keystore", "\"" + keystore.get() + "\"",
                    "a keystore_password next to it, e.g. keystore_password = \"$secret{mgmt_keystore}\"");
        }
        if (!tls && keystore.isPresent()) {
            throw error(table, section, "tls", "false", "true when a keystore is configured (or remove keystore)");
        }
        Duration tokenLifetime = ManagementSecurity.DEFAULT_TOKEN_LIFETIME;
        if (table.contains("token_lifetime")) {
            tokenLifetime = Duration.ofSeconds(integer(table, section, "token_lifetime", 60, 86_400,
                    "seconds from 60 to 86400"));
        }
        List<ManagementSecurity.User> users = new ArrayList<>();
        if (table.contains("user")) {
            TomlArray array = table.isArray("user") ? table.getArrayOrEmpty("user") : null;
            if (array == null || !allTables(array)) {
                throw new ConfigException(source + " line " + line(table, "user")
                        + ": users must be written as [[management_api.user]] tables");
            }
            for (int i = 0; i < array.size(); i++) {
                users.add(readUser(array.getTable(i), "[[management_api.user]] #" + (i + 1), users));
            }
        }
        return new ManagementSecurity(tls, keystore, password, users, tokenLifetime);
    }

    private ManagementSecurity.User readUser(TomlTable table, String section, List<ManagementSecurity.User> earlier) {
        if (table.contains("password")) {
            throw new ConfigException(source + " line " + line(table, "password") + ": " + section
                    + " has a plain-text password. Passwords are configured as hashes only: run "
                    + "java -jar txcounter.jar hash-password and set password_hash = \"pbkdf2-sha256$...\"");
        }
        checkKeys(table, section, USER_KEYS);
        String name = required(table, section, "name");
        if (!ManagementSecurity.validUserName(name)) {
            throw error(table, section, "name", "\"" + name + "\"",
                    "1 to 64 letters, digits, '.', '_', '@' or '-'");
        }
        if (earlier.stream().anyMatch(user -> user.name().equals(name))) {
            throw error(table, section, "name", "\"" + name + "\"", "a name no other user has");
        }
        String hash = required(table, section, "password_hash");
        if (!ManagementSecurity.PASSWORD_HASH.matcher(hash).matches()) {
            throw error(table, section, "password_hash", "(hidden)",
                    "a pbkdf2-sha256 hash from: java -jar txcounter.jar hash-password");
        }
        String roleName = required(table, section, "role");
        ManagementSecurity.Role role = ManagementSecurity.Role.named(roleName)
                .orElseThrow(() -> error(table, section, "role", "\"" + roleName + "\"", "admin or viewer"));
        return new ManagementSecurity.User(name, hash, role);
    }

    /** {@code own_queues} and {@code [[deduplication.peer]]}: what the deployment consumes beyond this runtime. */
    private OwnDestinations readOwnDestinations() {
        TomlTable table = section("deduplication");
        if (table == null) {
            return OwnDestinations.none();
        }
        String section = "deduplication";
        Set<String> queues = new TreeSet<>();
        if (table.contains("own_queues")) {
            TomlArray array = table.isArray("own_queues") ? table.getArrayOrEmpty("own_queues") : null;
            if (array == null) {
                throw error(table, section, "own_queues", String.valueOf(table.get("own_queues")),
                        "a list of queue names, e.g. own_queues = [\"orders\"]");
            }
            for (int i = 0; i < array.size(); i++) {
                Object value = array.get(i);
                if (!(value instanceof String name) || !QUEUE_NAME.matcher(name).matches()) {
                    throw error(table, section, "own_queues", String.valueOf(value),
                            "queue names of 1 to 128 letters, digits, '.', '_' or '-'");
                }
                queues.add(name);
            }
        }
        List<OwnDestinations.Peer> peers = new ArrayList<>();
        if (table.contains("peer")) {
            TomlArray array = table.isArray("peer") ? table.getArrayOrEmpty("peer") : null;
            if (array == null || !allTables(array)) {
                throw new ConfigException(source + " line " + line(table, "peer")
                        + ": peers must be written as [[deduplication.peer]] tables");
            }
            for (int i = 0; i < array.size(); i++) {
                TomlTable peer = array.getTable(i);
                String peerSection = "[[deduplication.peer]] #" + (i + 1);
                checkKeys(peer, peerSection, PEER_KEYS);
                String nodeId = required(peer, peerSection, "node_id");
                try {
                    NodeIds.requireValid(nodeId);
                } catch (ConfigException e) {
                    throw error(peer, peerSection, "node_id", "\"" + nodeId + "\"",
                            "the peer's [node] id: 1 to 64 letters, digits, '.', '_' or '-'");
                }
                peers.add(new OwnDestinations.Peer(nodeId, httpUrl(peer, peerSection, "url")));
            }
        }
        return new OwnDestinations(queues, peers);
    }

    private String ledgerKeyId(TomlTable table, String section, String key) {
        String id = string(table, section, key);
        if (!LEDGER_KEY_ID.matcher(id).matches()) {
            throw error(table, section, key, "\"" + id + "\"", "1 to 64 letters, digits, '.', '_' or '-', e.g. "
                    + "\"2026-12\"");
        }
        return id;
    }

    private DedupeConfig readDedupe() {
        TomlTable table = section("deduplication");
        DedupeConfig defaults = DedupeConfig.defaults();
        if (table == null) {
            return defaults;
        }
        String section = "deduplication";
        String deploymentId = defaults.deploymentId();
        if (table.contains("deployment_id")) {
            deploymentId = string(table, section, "deployment_id");
            try {
                NodeIds.requireValid(deploymentId);
            } catch (ConfigException e) {
                throw error(table, section, "deployment_id", "\"" + deploymentId + "\"",
                        "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
            }
        }
        Optional<byte[]> secret = Optional.empty();
        if (table.contains("stamp_secret")) {
            byte[] bytes = resolveSecret(table, section, "stamp_secret").getBytes(StandardCharsets.UTF_8);
            if (bytes.length < DedupeConfig.MIN_SECRET_BYTES) {
                throw error(table, section, "stamp_secret", "(hidden, " + bytes.length + " bytes)",
                        "at least " + DedupeConfig.MIN_SECRET_BYTES + " bytes, the same on every node of the "
                                + "deployment (e.g. from: openssl rand -base64 48)");
            }
            secret = Optional.of(bytes);
        }
        Duration lifetime = defaults.stampLifetime();
        if (table.contains("stamp_lifetime")) {
            lifetime = Duration.ofMinutes(integer(table, section, "stamp_lifetime", 1, 43_200,
                    "a number of minutes from 1 to 43200 (30 days)"));
        }
        boolean chaining = table.contains("http_chaining") ? bool(table, section, "http_chaining")
                : defaults.httpChaining();
        int window = defaults.redeliveryWindow();
        if (table.contains("redelivery_window")) {
            window = (int) integer(table, section, "redelivery_window", 1, 10_000_000,
                    "a number of message ids from 1 to 10000000");
        }
        int spent = defaults.spentStamps();
        if (table.contains("spent_stamps")) {
            spent = (int) integer(table, section, "spent_stamps", 1_000, 100_000_000,
                    "a number of stamps from 1000 to 100000000 (about 20 bytes of memory each)");
        }
        return new DedupeConfig(deploymentId, secret, lifetime, chaining, window, spent);
    }

    private MetricsConfig readMetrics() {
        TomlTable table = section("metrics");
        MetricsConfig defaults = MetricsConfig.disabled();
        if (table == null) {
            return defaults;
        }
        String section = "metrics";
        boolean enabled = table.contains("enable") && bool(table, section, "enable");
        String host = table.contains("host") ? string(table, section, "host") : defaults.host();
        int port = table.contains("port")
                ? (int) integer(table, section, "port", 0, 65535, "a port number from 0 to 65535") : defaults.port();
        Optional<String> username = Optional.empty();
        if (table.contains("username")) {
            String name = string(table, section, "username");
            if (!ManagementSecurity.validUserName(name)) {
                throw error(table, section, "username", "\"" + name + "\"",
                        "1 to 64 letters, digits, '.', '_', '@' or '-'");
            }
            username = Optional.of(name);
        }
        Optional<String> hash = Optional.empty();
        if (table.contains("password_hash")) {
            String value = string(table, section, "password_hash");
            if (!ManagementSecurity.PASSWORD_HASH.matcher(value).matches()) {
                throw error(table, section, "password_hash", "(hidden)",
                        "a pbkdf2-sha256 hash from: java -jar txcounter.jar hash-password");
            }
            hash = Optional.of(value);
        }
        if (username.isPresent() != hash.isPresent()) {
            String missing = username.isPresent() ? "password_hash" : "username";
            throw new ConfigException(source + " line " + line(table, null) + ": [metrics] has "
                    + (username.isPresent() ? "username" : "password_hash") + " but no " + missing
                    + ". Set both for Basic authentication, or neither.");
        }
        return new MetricsConfig(enabled, host, port, username, hash);
    }

    private RuntimeConfig readRuntime() {
        RuntimeConfig defaults = RuntimeConfig.none();
        String host = defaults.passthroughHost();
        int port = defaults.passthroughPort();
        List<RuntimeConfig.Route> routes = new ArrayList<>();
        TomlTable passthrough = section("passthrough");
        if (passthrough != null) {
            if (passthrough.contains("host")) {
                host = string(passthrough, "passthrough", "host");
            }
            if (passthrough.contains("port")) {
                port = (int) integer(passthrough, "passthrough", "port", 0, 65535, "a port number from 0 to 65535");
            }
            if (passthrough.contains("route")) {
                TomlArray array = passthrough.isArray("route") ? passthrough.getArrayOrEmpty("route") : null;
                if (array == null || !allTables(array)) {
                    throw new ConfigException(source + " line " + line(passthrough, "route")
                            + ": routes must be written as [[passthrough.route]] tables");
                }
                for (int i = 0; i < array.size(); i++) {
                    routes.add(readRoute(array.getTable(i), "[[passthrough.route]] #" + (i + 1), routes));
                }
            }
        }
        Optional<String> brokerUrl = Optional.empty();
        int brokerPort = defaults.embeddedBrokerPort();
        Optional<RuntimeConfig.Login> login = Optional.empty();
        List<RuntimeConfig.Login> producers = new ArrayList<>();
        Optional<RuntimeConfig.BrokerTls> tls = Optional.empty();
        TomlTable jms = section("jms");
        if (jms != null) {
            if (jms.contains("embedded_broker_tls_port")) {
                int tlsPort = (int) integer(jms, "jms", "embedded_broker_tls_port", 1, 65535,
                        "a port number from 1 to 65535");
                if (!jms.contains("embedded_broker_keystore") || !jms.contains("embedded_broker_keystore_password")) {
                    throw error(jms, "jms", "embedded_broker_tls_port", String.valueOf(tlsPort),
                            "embedded_broker_keystore (PKCS12) and embedded_broker_keystore_password as well");
                }
                tls = Optional.of(new RuntimeConfig.BrokerTls(tlsPort,
                        Path.of(string(jms, "jms", "embedded_broker_keystore")),
                        resolveSecret(jms, "jms", "embedded_broker_keystore_password")));
            }
            if (jms.contains("user") != jms.contains("password")) {
                throw new ConfigException(source + " line " + line(jms, jms.contains("user") ? "user" : "password")
                        + ": [jms] needs both user and password (the runtime's own broker login), or neither (the "
                        + "embedded broker then generates one)");
            }
            if (jms.contains("user")) {
                login = Optional.of(new RuntimeConfig.Login(string(jms, "jms", "user"),
                        resolveSecret(jms, "jms", "password")));
            }
            if (jms.contains("producer")) {
                TomlArray array = jms.isArray("producer") ? jms.getArrayOrEmpty("producer") : null;
                if (array == null || !allTables(array)) {
                    throw new ConfigException(source + " line " + line(jms, "producer")
                            + ": outside producers must be written as [[jms.producer]] tables");
                }
                for (int i = 0; i < array.size(); i++) {
                    TomlTable producer = array.getTable(i);
                    String producerSection = "[[jms.producer]] #" + (i + 1);
                    checkKeys(producer, producerSection, PRODUCER_KEYS);
                    String user = required(producer, producerSection, "user");
                    if (login.map(own -> own.user().equals(user)).orElse(false)
                            || producers.stream().anyMatch(other -> other.user().equals(user))) {
                        throw error(producer, producerSection, "user", "\"" + user + "\"",
                                "a user name no other broker login has");
                    }
                    required(producer, producerSection, "password");
                    producers.add(new RuntimeConfig.Login(user,
                            resolveSecret(producer, producerSection, "password")));
                }
            }
            if (jms.contains("broker_url")) {
                brokerUrl = Optional.of(string(jms, "jms", "broker_url"));
            }
            if (jms.contains("embedded_broker_port")) {
                brokerPort = (int) integer(jms, "jms", "embedded_broker_port", 0, 65535,
                        "a port number from 0 to 65535 (0: accept only this runtime, in-VM)");
            }
        }
        List<RuntimeConfig.InboundEndpoint> endpoints = new ArrayList<>();
        TomlArray array = toml.getArrayOrEmpty("inbound_endpoint");
        for (int i = 0; i < array.size(); i++) {
            endpoints.add(readEndpoint(array.getTable(i), "[[inbound_endpoint]] #" + (i + 1), endpoints));
        }
        return new RuntimeConfig(host, port, routes, brokerUrl, brokerPort, endpoints, readOwnDestinations(),
                login, producers, tls);
    }

    private RuntimeConfig.Route readRoute(TomlTable table, String section, List<RuntimeConfig.Route> earlier) {
        checkKeys(table, section, ROUTE_KEYS);
        String prefix = required(table, section, "prefix");
        if (!ROUTE_PREFIX.matcher(prefix).matches()) {
            throw error(table, section, "prefix", "\"" + prefix + "\"",
                    "a path starting with '/', such as \"/orders\"");
        }
        if (earlier.stream().anyMatch(route -> route.prefix().equals(prefix))) {
            throw error(table, section, "prefix", "\"" + prefix + "\"", "a prefix no other route uses");
        }
        boolean hasBackend = table.contains("backend");
        if (hasBackend == table.contains("queue")) {
            throw new ConfigException(source + " line " + line(table, "prefix") + ": " + section + " (prefix \""
                    + prefix + "\") needs exactly one of backend = \"http://...\" (proxy) or queue = \"...\" "
                    + "(async: put on the queue, answer 202)");
        }
        if (hasBackend) {
            return new RuntimeConfig.Route(prefix, Optional.of(httpUrl(table, section, "backend")), Optional.empty());
        }
        return new RuntimeConfig.Route(prefix, Optional.empty(), Optional.of(queue(table, section, "queue")));
    }

    private RuntimeConfig.InboundEndpoint readEndpoint(TomlTable table, String section,
            List<RuntimeConfig.InboundEndpoint> earlier) {
        checkKeys(table, section, ENDPOINT_KEYS);
        String name = required(table, section, "name");
        if (earlier.stream().anyMatch(endpoint -> endpoint.name().equals(name))) {
            throw error(table, section, "name", "\"" + name + "\"", "a name no other endpoint uses");
        }
        if (!table.contains("queue")) {
            required(table, section, "queue");
        }
        String queue = queue(table, section, "queue");
        boolean toUrl = table.contains("forward_to");
        if (toUrl == table.contains("forward_to_queue")) {
            throw new ConfigException(source + " line " + line(table, "name") + ": " + section + " (name \"" + name
                    + "\") needs exactly one of forward_to = \"http://...\" or forward_to_queue = \"...\"");
        }
        int concurrency = table.contains("concurrency")
                ? (int) integer(table, section, "concurrency", 1, 64, "a number of consumers from 1 to 64") : 1;
        return new RuntimeConfig.InboundEndpoint(name, queue,
                toUrl ? Optional.of(httpUrl(table, section, "forward_to")) : Optional.empty(),
                toUrl ? Optional.empty() : Optional.of(queue(table, section, "forward_to_queue")), concurrency);
    }

    private URI httpUrl(TomlTable table, String section, String key) {
        String value = string(table, section, key);
        try {
            URI uri = new URI(value);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw error(table, section, key, "\"" + value + "\"", "an http:// or https:// URL with a host");
    }

    private String queue(TomlTable table, String section, String key) {
        String value = string(table, section, key);
        if (!QUEUE_NAME.matcher(value).matches()) {
            throw error(table, section, key, "\"" + value + "\"",
                    "a queue name of 1 to 128 letters, digits, '.', '_' or '-'");
        }
        return value;
    }

    private String required(TomlTable table, String section, String key) {
        if (!table.contains(key)) {
            throw new ConfigException(source + " line " + line(table, null) + ": " + section + " has no " + key
                    + ". Add " + key + " = \"...\"");
        }
        return string(table, section, key);
    }

    private String string(TomlTable table, String section, String key) {
        Object value = table.get(List.of(key));
        if (!(value instanceof String text) || text.isBlank()) {
            throw error(table, section, key, render(value), "a non-empty string in double quotes");
        }
        return text;
    }

    private boolean bool(TomlTable table, String section, String key) {
        Object value = table.get(List.of(key));
        if (!(value instanceof Boolean flag)) {
            throw error(table, section, key, render(value), "true or false");
        }
        return flag;
    }

    /** The connection limits of a listener's section; keys left out keep {@code defaults}. */
    private ListenerLimits readLimits(TomlTable table, String section, ListenerLimits defaults) {
        int maxConnections = table.contains("max_connections")
                ? (int) integer(table, section, "max_connections", 1, ListenerLimits.MAX_CONNECTIONS,
                        "a number of connections from 1 to " + ListenerLimits.MAX_CONNECTIONS)
                : defaults.maxConnections();
        int perClient = table.contains("max_connections_per_client")
                ? (int) integer(table, section, "max_connections_per_client", 0, maxConnections,
                        "0 (no limit per client) to max_connections (" + maxConnections + ")")
                : Math.min(defaults.maxConnectionsPerClient(), maxConnections);
        Duration header = table.contains("header_timeout_ms")
                ? Duration.ofMillis(integer(table, section, "header_timeout_ms", 100, ListenerLimits.MAX_TIMEOUT_MS,
                        "milliseconds from 100 to " + ListenerLimits.MAX_TIMEOUT_MS))
                : defaults.headerTimeout();
        Duration idle = table.contains("idle_timeout_ms")
                ? Duration.ofMillis(integer(table, section, "idle_timeout_ms", 100, ListenerLimits.MAX_TIMEOUT_MS,
                        "milliseconds from 100 to " + ListenerLimits.MAX_TIMEOUT_MS))
                : defaults.idleTimeout();
        long rate = table.contains("min_request_data_rate")
                ? integer(table, section, "min_request_data_rate", 0, Integer.MAX_VALUE,
                        "bytes per second, 0 (off) or more")
                : defaults.minRequestDataRate();
        return new ListenerLimits(maxConnections, perClient, header, idle, rate);
    }

    private long integer(TomlTable table, String section, String key, long min, long max, String expected) {
        Object value = table.get(List.of(key));
        if (!(value instanceof Long number) || number < min || number > max) {
            throw error(table, section, key, render(value), expected);
        }
        return number;
    }

    private static String render(Object value) {
        if (value instanceof String text) {
            return "\"" + text + "\"";
        }
        if (value instanceof TomlTable) {
            return "a table";
        }
        if (value instanceof TomlArray) {
            return "an array";
        }
        return String.valueOf(value);
    }

    private ConfigException error(TomlTable table, String section, String key, String found, String expected) {
        return new ConfigException(source + " line " + line(table, key) + ": " + display(section) + " " + key + " = "
                + found + ": expected " + expected);
    }

    private static String display(String section) {
        return section.startsWith("[") ? section : "[" + section + "]";
    }

    private static int line(TomlTable table, String key) {
        TomlPosition position = key != null ? table.inputPositionOf(List.of(key)) : null;
        if (position == null) {
            for (String any : table.keySet()) {
                TomlPosition first = table.inputPositionOf(List.of(any));
                if (first != null && (position == null || first.line() < position.line())) {
                    position = first;
                }
            }
        }
        return position == null ? 0 : position.line();
    }
}
