package org.txcounter.core.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every section and key of {@code deployment.toml}, with its type, default, range and description: the one table
 * from which {@link DeploymentToml} takes the keys it accepts and from which the configuration reference
 * ({@code docs/configuration.md}) and the distribution's commented {@code conf/deployment.toml} are generated.
 * A key that is not here is rejected as unknown; a key that is here is documented.
 *
 * <p>Adding a key is one {@link Key} line in {@link #KEYS} (and its parsing in {@link DeploymentToml}); adding a
 * section is one {@link Section} line in {@link #SECTIONS} plus its keys. Ranges of integer keys are written
 * {@code "MIN to MAX"}, and a test checks that the parser accepts exactly that range.
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

    /**
     * Who reads a section. The counter's sections are read wherever the counter runs, inside a host such as MI as
     * well; the service's are read only by the standalone service, and a host's file may use the same names for
     * its own purposes (MI's {@code [management_api]}).
     */
    public enum Owner {
        /** Read by counter-core, in the service and inside a host. */
        COUNTER,
        /** Read by the standalone service only; left alone in a host's file. */
        SERVICE
    }

    /**
     * A section of the file: its dotted name (as written between the brackets), how it is written, who reads it,
     * what it is.
     */
    public record Section(String name, Kind kind, Owner owner, String description) {
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

    public static final List<Section> SECTIONS = List.of(
            new Section("datasource", Kind.ARRAY_OF_TABLES, Owner.COUNTER,
                    "A JDBC data source, in MI's format. The counter "
                    + "uses the one named by [transaction_counter] data_source; without any, the embedded H2 "
                    + "database in data_dir."),
            new Section("datasource.pool_options", Kind.SUBTABLE, Owner.COUNTER,
                    "MI's pool options, mapped onto HikariCP."),
            new Section("transaction_counter", Kind.TABLE, Owner.COUNTER,
                    "Counting, as in MI."),
            new Section("node", Kind.TABLE, Owner.COUNTER,
                    "This node's identity and files."),
            new Section("billing", Kind.TABLE, Owner.COUNTER,
                    "How months are billed."),
            new Section("licence", Kind.TABLE, Owner.SERVICE,
                    "The licence's monthly quota and the alerts raised on the way to it."),
            new Section("management_api", Kind.TABLE, Owner.SERVICE,
                    "The management API (counts, reports, health, metrics)."),
            new Section("management_api.user", Kind.ARRAY_OF_TABLES, Owner.SERVICE,
                    "A user of the management API. With none, "
                    + "the first start creates admin with a random password, printed once."),
            new Section("deduplication", Kind.TABLE, Owner.COUNTER,
                    "Signed stamps, so that an async pair or a call between nodes "
                    + "of one deployment counts once."),
            new Section("passthrough", Kind.TABLE, Owner.SERVICE,
                    "The integration runtime's HTTP passthrough listener."),
            new Section("passthrough.route", Kind.ARRAY_OF_TABLES, Owner.SERVICE,
                    "A passthrough route: a proxy to a backend, or "
                    + "an async route onto a queue. Exactly one of backend and queue."),
            new Section("deduplication.peer", Kind.ARRAY_OF_TABLES, Owner.COUNTER,
                    "Another node of this deployment that HTTP "
                    + "calls may be chained to: only calls to a peer carry a stamp."),
            new Section("jms", Kind.TABLE, Owner.SERVICE,
                    "The JMS broker of the inbound endpoints."),
            new Section("jms.producer", Kind.ARRAY_OF_TABLES, Owner.SERVICE,
                    "A login for outside producers of the embedded "
                    + "broker: it may send to the inbound endpoints' queues and nothing else."),
            new Section("inbound_endpoint", Kind.ARRAY_OF_TABLES, Owner.SERVICE,
                    "A JMS inbound endpoint. Exactly one of "
                    + "forward_to and forward_to_queue."),
            new Section("schema", Kind.TABLE, Owner.COUNTER,
                    "Schema migrations (the migrate command)."),
            new Section("ledger", Kind.TABLE, Owner.COUNTER,
                    "The tamper-evident ledger."),
            new Section("ledger.retired_key", Kind.ARRAY_OF_TABLES, Owner.COUNTER,
                    "A ledger key no longer used for new rows, "
                    + "kept so that verify checks the rows it signed."),
            new Section("journal", Kind.TABLE, Owner.COUNTER,
                    "The local journal that bounds the loss on a hard kill, and the "
                    + "final write on a graceful stop."),
            new Section("metrics", Kind.TABLE, Owner.SERVICE,
                    "An optional listener of its own for Prometheus: GET /metrics on a "
                    + "separate port, plain HTTP, so a scraper needs no management account."),
            new Section("secret_store", Kind.TABLE, Owner.SERVICE,
                    "The keystore whose AES key decrypts enc:v1: values."),
            new Section("secrets", Kind.ALIASES, Owner.COUNTER,
                    "Secrets referred to elsewhere as $secret{alias}: plain text in "
                    + "square brackets, or an enc:v1: value from the encrypt-secret command. Inside a host (MI) the "
                    + "section is the host's: only the aliases the counter's keys refer to are read, and only in "
                    + "plain text."));

    private static final String PORT = "0 to 65535";
    private static final String NAME = "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit";

    public static final List<Key> KEYS = List.of(
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

            new Key("licence", "monthly_quota", "integer", "(none: no quota, no alerts)",
                    "1 to 9223372036854775807", "Transactions the licence allows per billing month."),
            new Key("licence", "thresholds", "array of integers", "[80, 90, 100]",
                    "ascending whole percentages from 1 to 1000",
                    "Percentages of the quota at which an alert is raised, once per threshold and month."),
            new Key("licence", "webhook_url", "string", "(none: log line and metric only)",
                    "an http:// or https:// URL", "Where each quota alert is POSTed as JSON, retried with backoff."),

            new Key("management_api", "host", "string", '"' + CounterConfig.DEFAULT_MANAGEMENT_HOST + '"',
                    "a host name or address", "Where the management API listens."),
            new Key("management_api", "port", "integer", String.valueOf(CounterConfig.DEFAULT_MANAGEMENT_PORT), PORT,
                    "The management API's port (MI's 9164); 0 picks a free one."),
            new Key("management_api", "tls", "boolean", "true", "true or false",
                    "false: plain HTTP, only behind a TLS-terminating proxy on this host."),
            new Key("management_api", "keystore", "path", "(a self-signed one generated into "
                    + "data_dir/management-tls.p12)", "a PKCS12 file", "The management API's certificate and key."),
            new Key("management_api", "keystore_password", "secret", "(required with keystore)",
                    "use $secret{alias}", "The keystore's password."),
            new Key("management_api", "token_lifetime", "integer",
                    String.valueOf(ManagementSecurity.DEFAULT_TOKEN_LIFETIME.toSeconds()), "60 to 86400",
                    "Seconds a token from /management/login stays valid. Tokens are valid on the node that issued "
                            + "them, until logout or its restart."),
            new Key("management_api", "max_connections", "integer", String.valueOf(ListenerLimits.MANAGEMENT_DEFAULTS.maxConnections()),
                    "1 to " + ListenerLimits.MAX_CONNECTIONS, "Open connections at most; when reached, the listener "
                            + "stops accepting until one closes."),
            new Key("management_api", "max_connections_per_client", "integer",
                    String.valueOf(ListenerLimits.MANAGEMENT_DEFAULTS.maxConnectionsPerClient()),
                    "0 to " + ListenerLimits.MANAGEMENT_DEFAULTS.maxConnections() + " (at most max_connections; 0: no limit "
                            + "per client)", "Connections one client address may hold."),
            new Key("management_api", "header_timeout_ms", "integer",
                    String.valueOf(ListenerLimits.MANAGEMENT_DEFAULTS.headerTimeout().toMillis()),
                    "100 to " + ListenerLimits.MAX_TIMEOUT_MS, "Milliseconds a connection may take to deliver a "
                            + "complete request line and headers, from its opening or its previous request."),
            new Key("management_api", "idle_timeout_ms", "integer",
                    String.valueOf(ListenerLimits.MANAGEMENT_DEFAULTS.idleTimeout().toMillis()),
                    "100 to " + ListenerLimits.MAX_TIMEOUT_MS, "Milliseconds a connection may go without a byte "
                            + "read or written."),
            new Key("management_api", "min_request_data_rate", "integer",
                    String.valueOf(ListenerLimits.MANAGEMENT_DEFAULTS.minRequestDataRate()), "0 to 2147483647 (0: off)",
                    "Bytes per second a request body must average; slower uploads are cut off."),
            new Key("management_api", "user", "array of tables", "(none: a generated admin)",
                    "[[management_api.user]] tables", "The users; see [[management_api.user]]."),

            new Key("management_api.user", "name", "string", "(required)", "1 to 64 letters, digits, '.', '_', '@' "
                    + "or '-'", "The user name."),
            new Key("management_api.user", "password_hash", "string", "(required)", "pbkdf2-sha256$...",
                    "From: java -jar txcounter.jar hash-password. A plain password key is refused."),
            new Key("management_api.user", "role", "string", "(required)", "admin or viewer",
                    "viewer reads counts, reports, nodes, health, metrics; admin may also run the ledger check."),

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

            new Key("passthrough", "host", "string", "\"127.0.0.1\"", "a host name or address",
                    "Where the passthrough listens."),
            new Key("passthrough", "port", "integer", String.valueOf(RuntimeConfig.DEFAULT_PASSTHROUGH_PORT), PORT,
                    "The passthrough's port (MI's 8290); 0 picks a free one."),
            new Key("passthrough", "max_connections", "integer", String.valueOf(ListenerLimits.PASSTHROUGH_DEFAULTS.maxConnections()),
                    "1 to " + ListenerLimits.MAX_CONNECTIONS, "Open connections at most; when reached, the listener "
                            + "stops accepting until one closes."),
            new Key("passthrough", "max_connections_per_client", "integer",
                    String.valueOf(ListenerLimits.PASSTHROUGH_DEFAULTS.maxConnectionsPerClient()),
                    "0 to " + ListenerLimits.PASSTHROUGH_DEFAULTS.maxConnections() + " (at most max_connections; 0: no limit "
                            + "per client)", "Connections one client address may hold; keep 0 when clients arrive through one load balancer address."),
            new Key("passthrough", "header_timeout_ms", "integer",
                    String.valueOf(ListenerLimits.PASSTHROUGH_DEFAULTS.headerTimeout().toMillis()),
                    "100 to " + ListenerLimits.MAX_TIMEOUT_MS, "Milliseconds a connection may take to deliver a "
                            + "complete request line and headers, from its opening or its previous request."),
            new Key("passthrough", "idle_timeout_ms", "integer",
                    String.valueOf(ListenerLimits.PASSTHROUGH_DEFAULTS.idleTimeout().toMillis()),
                    "100 to " + ListenerLimits.MAX_TIMEOUT_MS, "Milliseconds a connection may go without a byte "
                            + "read or written."),
            new Key("passthrough", "min_request_data_rate", "integer",
                    String.valueOf(ListenerLimits.PASSTHROUGH_DEFAULTS.minRequestDataRate()), "0 to 2147483647 (0: off)",
                    "Bytes per second a request body must average; slower uploads are cut off."),
            new Key("passthrough", "route", "array of tables", "(none: the runtime stays off)",
                    "[[passthrough.route]] tables", "The routes; see [[passthrough.route]]."),

            new Key("passthrough.route", "prefix", "string", "(required)", "a path starting with '/', unique",
                    "Requests whose path starts with it take this route; the longest prefix wins."),
            new Key("passthrough.route", "backend", "string", "(one of backend, queue)", "an http:// or https:// URL",
                    "Proxy: the prefix is replaced by this URL."),
            new Key("passthrough.route", "queue", "string", "(one of backend, queue)",
                    "1 to 128 letters, digits, '.', '_' or '-'", "Async: the body goes onto this queue, answer 202."),

            new Key("jms", "broker_url", "string", "(the embedded Artemis broker, journal in data_dir)",
                    "a broker URL such as tcp://broker.internal:61616", "An external broker."),
            new Key("jms", "embedded_broker_port", "integer", "0", PORT + " (0: in-VM only)",
                    "The TCP port on which other runtimes on this host may use the embedded broker."),
            new Key("jms", "user", "string", "(generated into data_dir/broker-login)", "a user name",
                    "The runtime's own broker login: the embedded broker's, or the one for broker_url."),
            new Key("jms", "password", "secret", "(generated into data_dir/broker-login)", "use $secret{alias}",
                    "The password of [jms] user."),
            new Key("jms", "producer", "array of tables", "(none)", "[[jms.producer]] tables",
                    "Outside producers' logins; see [[jms.producer]]."),
            new Key("jms.producer", "user", "string", "(required)", "a user name", "The producer's login."),
            new Key("jms.producer", "password", "secret", "(required)", "use $secret{alias}",
                    "The producer's password."),
            new Key("jms", "embedded_broker_tls_port", "integer", "(none: no TLS acceptor)", "1 to 65535",
                    "A TLS acceptor of the embedded broker (TLS 1.3 and 1.2); needs the two keys below."),
            new Key("jms", "embedded_broker_keystore", "path", "(required with embedded_broker_tls_port)",
                    "a PKCS12 file", "The TLS acceptor's certificate and key."),
            new Key("jms", "embedded_broker_keystore_password", "secret",
                    "(required with embedded_broker_tls_port)", "use $secret{alias}", "The keystore's password."),

            new Key("inbound_endpoint", "name", "string", "(required)", "unique", "The endpoint's name."),
            new Key("inbound_endpoint", "queue", "string", "(required)", "1 to 128 letters, digits, '.', '_' or '-'",
                    "The queue it consumes."),
            new Key("inbound_endpoint", "forward_to", "string", "(one of forward_to, forward_to_queue)",
                    "an http:// or https:// URL", "POST each message to this backend."),
            new Key("inbound_endpoint", "forward_to_queue", "string", "(one of forward_to, forward_to_queue)",
                    "1 to 128 letters, digits, '.', '_' or '-'", "Put each message onto this queue."),
            new Key("inbound_endpoint", "concurrency", "integer", "1", "1 to 64", "Consumers of the queue."),

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

            new Key("metrics", "enable", "boolean", "false", "true or false",
                    "Start the metrics listener. /metrics on the management API stays, behind its users."),
            new Key("metrics", "host", "string", '"' + MetricsConfig.DEFAULT_HOST + '"', "a host name or address",
                    "Where the metrics listener binds; loopback unless the scraper runs elsewhere."),
            new Key("metrics", "port", "integer", String.valueOf(MetricsConfig.DEFAULT_PORT), PORT,
                    "The metrics listener's port (MI's 9201); 0 picks a free one."),
            new Key("metrics", "username", "string", "(none: no authentication)", "1 to 64 letters, digits, '.', "
                    + "'_', '@' or '-'", "With password_hash: the scraper must send HTTP Basic credentials."),
            new Key("metrics", "password_hash", "string", "(none: no authentication)", "pbkdf2-sha256$...",
                    "The scraper's password, from: java -jar txcounter.jar hash-password. Needs username."),

            new Key("secret_store", "keystore", "path", "(data_dir/secret-store.p12)", "a PKCS12 file",
                    "The AES key for enc:v1: values; its password from TXN_SECRET_STORE_PASSWORD or the file next "
                            + "to it."),

            new Key("secrets", "<alias>", "string", "(none)", "\"[plain text]\" or \"enc:v1:...\"",
                    "One secret per alias, referred to as $secret{alias}."));

    private ConfigModel() {
    }

    /** The keys of a section, in the order of the table. */
    public static Set<String> keysOf(String section) {
        Set<String> keys = KEYS.stream().filter(key -> key.section().equals(section)).map(Key::name)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("No section " + section + " in the configuration model");
        }
        return Collections.unmodifiableSet(keys);
    }

    /** The owner of a top-level section or array of tables; empty for a name that is not in the model. */
    public static java.util.Optional<Owner> ownerOf(String name) {
        return SECTIONS.stream().filter(section -> section.name().equals(name)).map(Section::owner).findFirst();
    }

    /** Each {@code [name]} section with its keys, in the order of the table. */
    public static Map<String, Set<String>> tables() {
        Map<String, Set<String>> tables = new LinkedHashMap<>();
        for (Section section : SECTIONS) {
            if (section.kind() == Kind.TABLE) {
                tables.put(section.name(), keysOf(section.name()));
            }
        }
        return Collections.unmodifiableMap(tables);
    }

    /** The sections as an operator writes them, for messages: {@code [[datasource]], [transaction_counter], ...}. */
    public static String writtenSections() {
        return SECTIONS.stream().filter(section -> section.kind() != Kind.SUBTABLE)
                .map(section -> section.kind() == Kind.ARRAY_OF_TABLES ? "[[" + section.name() + "]]"
                        : "[" + section.name() + "]")
                .collect(Collectors.joining(", "));
    }
}
