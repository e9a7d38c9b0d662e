package org.txcounter.core.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Sections and keys of {@code deployment.toml}, with each key's type, default, range and description: the table
 * from which a reader takes the keys it accepts and from which the configuration reference
 * ({@code docs/configuration.md}) and the distribution's commented {@code conf/deployment.toml} are generated.
 * A key that is not in its model is rejected as unknown; a key that is there is documented.
 *
 * <p>{@link #COUNTER} is the counter's own sections, which {@link DeploymentToml} reads wherever the counter runs,
 * inside a host such as MI as well. A program that embeds the counter and reads more of the same file (the
 * standalone service) describes its own sections in a model of its own and reads the file by
 * {@link #plus the two together}.
 *
 * <p>Adding a key is one {@link Key} line (and its parsing); adding a section is one {@link Section} line plus its
 * keys. Ranges of integer keys are written {@code "MIN to MAX"}, and a test checks that the parser accepts exactly
 * that range.
 *
 * <p>Immutable; safe to use from any thread.
 */
public final class ConfigModel {

    /** How a section is written in the file. */
    public enum Kind {
        /** {@code [name]}, once. */
        TABLE,
        /** {@code [[name]]}, any number of times. */
        ARRAY_OF_TABLES,
        /** {@code name.key = value} inside each entry of the enclosing array of tables. */
        SUBTABLE,
        /** Free keys chosen by the operator ({@code [secrets]}: one alias per key). */
        ALIASES
    }

    /** A section of the file: its dotted name (as written between the brackets), how it is written, what it is. */
    public record Section(String name, Kind kind, String description) {
    }

    /**
     * One key.
     *
     * @param section      the section's dotted name, as in {@link Section#name()}
     * @param name         the key
     * @param type         boolean, integer, string, path, secret (a string that may be {@code $secret{alias}}),
     *                     array of integers, array of strings, or array of tables
     * @param defaultValue the value used when the key is absent, as a TOML literal; or, in parentheses, what
     *                     happens instead when there is no literal default
     * @param range        what is accepted; for integers exactly {@code "MIN to MAX"}, possibly followed by a note
     * @param description  what the key does, for an operator
     */
    public record Key(String section, String name, String type, String defaultValue, String range,
            String description) {
    }

    private static final String NAME = "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit";

    /** The counter's own sections: read by counter-core, in the service and inside a host. */
    public static final ConfigModel COUNTER = new ConfigModel(List.of(
            new Section("datasource", Kind.ARRAY_OF_TABLES,
                    "A JDBC data source, in MI's format. The counter "
                    + "uses the one named by [transaction_counter] data_source; without any, the embedded H2 "
                    + "database in data_dir."),
            new Section("datasource.pool_options", Kind.SUBTABLE,
                    "MI's pool options, mapped onto HikariCP."),
            new Section("transaction_counter", Kind.TABLE,
                    "Counting, as in MI."),
            new Section("node", Kind.TABLE,
                    "This node's identity and files."),
            new Section("billing", Kind.TABLE,
                    "How months are billed."),
            new Section("deduplication", Kind.TABLE,
                    "Signed stamps, so that an async pair or a call between nodes "
                    + "of one deployment counts once."),
            new Section("deduplication.peer", Kind.ARRAY_OF_TABLES,
                    "Another node of this deployment that HTTP "
                    + "calls may be chained to: only calls to a peer carry a stamp."),
            new Section("schema", Kind.TABLE,
                    "Schema migrations (the migrate command)."),
            new Section("ledger", Kind.TABLE,
                    "The tamper-evident ledger."),
            new Section("ledger.retired_key", Kind.ARRAY_OF_TABLES,
                    "A ledger key no longer used for new rows, "
                    + "kept so that verify checks the rows it signed."),
            new Section("journal", Kind.TABLE,
                    "The local journal that bounds the loss on a hard kill, and the "
                    + "final write on a graceful stop."),
            new Section("secrets", Kind.ALIASES,
                    "Secrets referred to elsewhere as $secret{alias}: plain text in "
                    + "square brackets, or an enc:v1: value from the encrypt-secret command. Inside a host (MI) the "
                    + "section is the host's: only the aliases the counter's keys refer to are read, and only in "
                    + "plain text.")),
            List.of(
            new Key("datasource", "id", "string", "(required)", "unique among [[datasource]]",
                    "The data source's name; the counter's is WSO2_TRANSACTION_DB by convention."),
            new Key("datasource", "url", "string", "(required)", "a JDBC URL starting with \"jdbc:\"",
                    "jdbc:postgresql:, jdbc:mysql:, jdbc:mariadb:, jdbc:sqlserver:, jdbc:oracle:thin:, jdbc:db2: or "
                            + "jdbc:h2:."),
            new Key("datasource", "username", "string", "\"\"", "any", "The database account."),
            new Key("datasource", "password", "secret", "\"\"", "any; use $secret{alias}",
                    "The account's password."),
            new Key("datasource", "driver", "string", "(chosen from the URL)", "a JDBC driver class name",
                    "The driver class; drivers for all five vendors and H2 ship with the service."),
            new Key("datasource", "jmx_enable", "boolean", "(not needed)", "true or false",
                    "MI's JMX switch for its own pool of this datasource: checked, then not needed (the counter's "
                            + "pool is not registered in JMX)."),
            new Key("datasource", "pool_options", "table", "(HikariCP's defaults below)",
                    "keys written as pool_options.<name>", "See [[datasource]] pool_options."),
            new Key("datasource.pool_options", "maxActive", "integer",
                    String.valueOf(DataSourceConfig.DEFAULT_MAX_POOL_SIZE), "1 to 10000",
                    "HikariCP maximumPoolSize: connections at most."),
            new Key("datasource.pool_options", "minIdle", "integer", "1", "0 to 10000, at most maxActive",
                    "HikariCP minimumIdle: idle connections kept open."),
            new Key("datasource.pool_options", "maxIdle", "integer", "(not needed)", "0 to 10000",
                    "Checked, then not needed: HikariCP closes idle connections above minIdle itself."),
            new Key("datasource.pool_options", "maxWait", "integer",
                    String.valueOf(DataSourceConfig.DEFAULT_CONNECTION_TIMEOUT.toMillis()), "250 to 86400000",
                    "HikariCP connectionTimeout, in milliseconds."),
            new Key("datasource.pool_options", "testOnBorrow", "boolean", "(always validated)", "true or false",
                    "Checked, then not needed: HikariCP validates a connection that sat idle before it hands it "
                            + "out."),
            new Key("datasource.pool_options", "testWhileIdle", "boolean", "(always validated)", "true or false",
                    "Checked, then not needed, as testOnBorrow."),
            new Key("datasource.pool_options", "validationQuery", "string", "(the driver's isValid())", "SQL",
                    "HikariCP connectionTestQuery; unset is faster."),
            new Key("datasource.pool_options", "validationQueryTimeout", "integer",
                    String.valueOf(DataSourceConfig.DEFAULT_VALIDATION_TIMEOUT.toSeconds()), "1 to 3600",
                    "HikariCP validationTimeout, in seconds."),
            new Key("datasource.pool_options", "validationInterval", "integer", "(not needed)", "0 to 86400000",
                    "Checked, then not needed, as testOnBorrow."),
            new Key("datasource.pool_options", "defaultAutoCommit", "boolean", "true", "true or false",
                    "HikariCP autoCommit; writes use explicit transactions either way."),
            new Key("datasource.pool_options", "maxAge", "integer",
                    String.valueOf(DataSourceConfig.DEFAULT_MAX_LIFETIME.toMillis()), "30000 to 86400000",
                    "HikariCP maxLifetime, in milliseconds; keep it below the database's or firewall's idle "
                            + "cut-off."),
            new Key("datasource.pool_options", "connectTimeout", "integer",
                    String.valueOf(DataSourceConfig.Timeouts.DEFAULT.connect().toMillis()), "250 to 3600000",
                    "Milliseconds the driver waits to open a connection (its login and socket connect timeout)."),
            new Key("datasource.pool_options", "socketTimeout", "integer",
                    String.valueOf(DataSourceConfig.Timeouts.DEFAULT.socket().toMillis()),
                    "1000 to 3600000, and longer than statementTimeout", "Milliseconds the driver waits for any "
                            + "answer on an open connection: a database that stops answering without closing it "
                            + "is given up after this, and the write retried later."),
            new Key("datasource.pool_options", "statementTimeout", "integer",
                    String.valueOf(DataSourceConfig.Timeouts.DEFAULT.statement().toMillis()),
                    "1000 to 3600000, and shorter than socketTimeout",
                    "Milliseconds a statement may run before the database cancels it (rounded up to whole seconds)."),
            new Key("transaction_counter", "enable", "boolean", "true", "true or false",
                    "Whether this runtime counts. The system property enableTransactionCounter, then the "
                            + "environment variable of the same name, take precedence."),
            new Key("transaction_counter", "data_source", "string", '"' + CounterConfig.DEFAULT_DATA_SOURCE_ID + '"',
                    "the id of a [[datasource]]", "The data source the counts are written to."),
            new Key("transaction_counter", "update_interval", "integer", "1",
                    "1 to " + CounterConfig.MAX_UPDATE_INTERVAL_MINUTES,
                    "Minutes per interval: how often the counts are written to the database."),
            new Key("node", "id", "string", "(generated at the first start, kept in data_dir/node-id)", NAME,
                    "This node's identity in the ledger and the reports. Keep it when a node is rebuilt."),
            new Key("node", "data_dir", "path", '"' + CounterConfig.DEFAULT_DATA_DIR.toString() + '"',
                    "a directory this user may write",
                    "Node id, journal, generated keys and secrets, the embedded broker and H2 database. Relative "
                            + "paths resolve from the directory the service runs in: the distribution's home."),
            new Key("billing", "time_zone", "string", "\"UTC\"", "a time zone id such as \"Europe/Berlin\"",
                    "Months are billed in this zone; no interval spans two of its months."),
            new Key("billing", "close_grace_days", "integer",
                    String.valueOf(CounterConfig.DEFAULT_CLOSE_GRACE.toDays()), "0 to 31",
                    "Days after a month's end that a silent node is waited for; then the month closes without it "
                            + "and its statement lists the silent spans."),
            new Key("billing", "archive_after_months", "integer",
                    String.valueOf(CounterConfig.DEFAULT_ARCHIVE_AFTER_MONTHS), "1 to 1200",
                    "Whole months after its end that a closed month's ledger rows may be archived to a signed file "
                            + "and removed (archive, remove-archived); its rollup and statement stay."),
            new Key("deduplication", "deployment_id", "string", '"' + DedupeConfig.DEFAULT_DEPLOYMENT_ID + '"', NAME,
                    "Nodes with the same deployment id and stamp secret trust each other's stamps."),
            new Key("deduplication", "stamp_secret", "secret", "(generated into data_dir/stamp-secret: single "
                    + "node only)", "at least " + DedupeConfig.MIN_SECRET_BYTES + " bytes; use $secret{alias}",
                    "The HMAC key of the stamps, the same on every node of the deployment."),
            new Key("deduplication", "stamp_lifetime", "integer",
                    String.valueOf(DedupeConfig.DEFAULT_STAMP_LIFETIME.toMinutes()), "1 to 43200",
                    "Minutes a queued message may wait and still count as already counted."),
            new Key("deduplication", "http_chaining", "boolean", "true", "true or false",
                    "A call from another node of the deployment counts once; false counts it on both."),
            new Key("deduplication", "redelivery_window", "integer",
                    String.valueOf(DedupeConfig.DEFAULT_REDELIVERY_WINDOW), "1 to 10000000",
                    "JMS message ids remembered per node to recognise redeliveries."),
            new Key("deduplication", "spent_stamps", "integer", "1000000", "1000 to 100000000",
                    "Stamps remembered as spent within a stamp's lifetime (about 20 bytes each); when the set is "
                            + "full a stamp is not honoured and its message is counted."),
            new Key("deduplication", "own_queues", "array of strings", "[] (the inbound endpoints' queues only)",
                    "queue names", "Queues that other nodes of this deployment consume: messages sent to them "
                            + "are stamped."),
            new Key("deduplication", "peer", "array of tables", "(none: no call is chained)",
                    "[[deduplication.peer]] tables", "The peer nodes; see [[deduplication.peer]]."),
            new Key("deduplication.peer", "node_id", "string", "(required)", "a node id",
                    "The peer's node id: the stamp names it, and only that node honours it."),
            new Key("deduplication.peer", "url", "string", "(required)", "an http:// or https:// URL",
                    "Where the peer's passthrough listens; calls to it carry a stamp."),
            new Key("schema", "owner_data_source", "string", "(the counter's data source)",
                    "the id of a [[datasource]]", "The account that owns the schema, used by migrate."),
            new Key("ledger", "key", "secret", "(generated into data_dir/ledger-key)",
                    "at least " + DedupeConfig.MIN_SECRET_BYTES + " bytes; use $secret{alias}",
                    "The ledger's HMAC key, the same on every node and for verify."),
            new Key("ledger", "key_id", "string", "\"1\" (for a generated key: local-<hash>)",
                    "1 to 64 letters, digits, '.', '_' or '-'", "The id recorded with every row the key signs."),
            new Key("ledger", "retired_key", "array of tables", "(none)", "[[ledger.retired_key]] tables",
                    "Keys that signed older rows; see [[ledger.retired_key]]."),
            new Key("ledger.retired_key", "id", "string", "(required)", "a key id; stamp-derived for rows signed "
                    + "before key ids", "The key id its rows record."),
            new Key("ledger.retired_key", "key", "secret", "(required)", "use $secret{alias}", "The old key."),
            new Key("journal", "interval_ms", "integer", "1000", "100 to 60000",
                    "How often the journal is rewritten: the most a hard kill can lose, in milliseconds."),
            new Key("journal", "final_flush_timeout_ms", "integer", "10000", "0 to 600000",
                    "How long a graceful stop waits for the database to take the open interval; what it does not "
                            + "take stays in the journal. A service manager's stop timeout must be longer."),
            new Key("secrets", "<alias>", "string", "(none)", "\"[plain text]\" or \"enc:v1:...\"",
                    "One secret per alias, referred to as $secret{alias}.")));

    private final List<Section> sections;
    private final List<Key> keys;

    /** A model of these sections and keys, in this order. */
    public ConfigModel(List<Section> sections, List<Key> keys) {
        this.sections = List.copyOf(sections);
        this.keys = List.copyOf(keys);
    }

    /** The sections, in the order of the table. */
    public List<Section> sections() {
        return sections;
    }

    /** The keys, in the order of the table. */
    public List<Key> keys() {
        return keys;
    }

    /** This model's sections and keys followed by {@code other}'s. */
    public ConfigModel plus(ConfigModel other) {
        List<Section> allSections = new ArrayList<>(sections);
        allSections.addAll(other.sections);
        List<Key> allKeys = new ArrayList<>(keys);
        allKeys.addAll(other.keys);
        return new ConfigModel(allSections, allKeys);
    }

    /** The section of this name (a top-level section, an array of tables or a dotted sub-section), if modelled. */
    public Optional<Section> section(String name) {
        return sections.stream().filter(section -> section.name().equals(name)).findFirst();
    }

    /** The keys of a section, in the order of the table. */
    public Set<String> keysOf(String section) {
        Set<String> names = keys.stream().filter(key -> key.section().equals(section)).map(Key::name)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        if (names.isEmpty()) {
            throw new IllegalArgumentException("No section " + section + " in the configuration model");
        }
        return Collections.unmodifiableSet(names);
    }

    /** Each {@code [name]} section with its keys, in the order of the table. */
    public Map<String, Set<String>> tables() {
        Map<String, Set<String>> tables = new LinkedHashMap<>();
        for (Section section : sections) {
            if (section.kind() == Kind.TABLE) {
                tables.put(section.name(), keysOf(section.name()));
            }
        }
        return Collections.unmodifiableMap(tables);
    }

    /** The sections as an operator writes them, for messages: {@code [[datasource]], [transaction_counter], ...}. */
    public String writtenSections() {
        return sections.stream().filter(section -> section.kind() != Kind.SUBTABLE)
                .map(section -> section.kind() == Kind.ARRAY_OF_TABLES ? "[[" + section.name() + "]]"
                        : "[" + section.name() + "]")
                .collect(Collectors.joining(", "));
    }
}
