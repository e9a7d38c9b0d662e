package org.txcounter.service.config;

import java.util.List;
import org.txcounter.core.config.ConfigModel.Key;
import org.txcounter.core.config.ConfigModel.Kind;
import org.txcounter.core.config.ConfigModel.Section;
import org.txcounter.core.config.ConfigModel;

/**
 * The service's own sections of {@code deployment.toml}, in the form of the counter's {@link ConfigModel}: read by
 * the standalone service only ({@link ServiceToml}), and left alone by the counter inside a host's file. With the
 * counter's they make up the service's whole file ({@link #FILE}), from which the configuration reference and the
 * distribution's commented {@code conf/deployment.toml} are generated.
 *
 * <p>Immutable; safe to use from any thread.
 */
public final class ServiceConfigModel {

    private static final String PORT = "0 to 65535";

    /** The service's sections and keys. */
    public static final ConfigModel SERVICE = new ConfigModel(List.of(
            new Section("licence", Kind.TABLE,
                    "The licence's monthly quota and the alerts raised on the way to it."),
            new Section("management_api", Kind.TABLE,
                    "The management API (counts, reports, health, metrics)."),
            new Section("management_api.user", Kind.ARRAY_OF_TABLES,
                    "A user of the management API. With none, "
                    + "the first start creates admin with a random password, printed once."),
            new Section("passthrough", Kind.TABLE,
                    "The integration runtime's HTTP passthrough listener."),
            new Section("passthrough.route", Kind.ARRAY_OF_TABLES,
                    "A passthrough route: a proxy to a backend, or "
                    + "an async route onto a queue. Exactly one of backend and queue."),
            new Section("jms", Kind.TABLE,
                    "The JMS broker of the inbound endpoints."),
            new Section("jms.producer", Kind.ARRAY_OF_TABLES,
                    "A login for outside producers of the embedded "
                    + "broker: it may send to the inbound endpoints' queues and nothing else."),
            new Section("inbound_endpoint", Kind.ARRAY_OF_TABLES,
                    "A JMS inbound endpoint. Exactly one of "
                    + "forward_to and forward_to_queue."),
            new Section("metrics", Kind.TABLE,
                    "An optional listener of its own for Prometheus: GET /metrics on a "
                    + "separate port, plain HTTP, so a scraper needs no management account."),
            new Section("secret_store", Kind.TABLE,
                    "The keystore whose AES key decrypts enc:v1: values.")),
            List.of(
            new Key("licence", "monthly_quota", "integer", "(none: no quota, no alerts)",
                    "1 to 9223372036854775807", "Transactions the licence allows per billing month."),
            new Key("licence", "thresholds", "array of integers", "[80, 90, 100]",
                    "ascending whole percentages from 1 to 1000",
                    "Percentages of the quota at which an alert is raised, once per threshold and month."),
            new Key("licence", "webhook_url", "string", "(none: log line and metric only)",
                    "an http:// or https:// URL", "Where each quota alert is POSTed as JSON, retried with backoff."),
            new Key("management_api", "host", "string", '"' + ServiceConfig.DEFAULT_MANAGEMENT_HOST + '"',
                    "a host name or address", "Where the management API listens."),
            new Key("management_api", "port", "integer", String.valueOf(ServiceConfig.DEFAULT_MANAGEMENT_PORT), PORT,
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
            new Key("management_api", "max_connections", "integer",
                    String.valueOf(ListenerLimits.MANAGEMENT_DEFAULTS.maxConnections()),
                    "1 to " + ListenerLimits.MAX_CONNECTIONS, "Open connections at most; when reached, the listener "
                            + "stops accepting until one closes."),
            new Key("management_api", "max_connections_per_client", "integer",
                    String.valueOf(ListenerLimits.MANAGEMENT_DEFAULTS.maxConnectionsPerClient()),
                    "0 to " + ListenerLimits.MANAGEMENT_DEFAULTS.maxConnections()
                            + " (at most max_connections; 0: no limit "
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
            new Key("passthrough", "host", "string", "\"127.0.0.1\"", "a host name or address",
                    "Where the passthrough listens."),
            new Key("passthrough", "port", "integer", String.valueOf(RuntimeConfig.DEFAULT_PASSTHROUGH_PORT), PORT,
                    "The passthrough's port (MI's 8290); 0 picks a free one."),
            new Key("passthrough", "max_connections", "integer",
                    String.valueOf(ListenerLimits.PASSTHROUGH_DEFAULTS.maxConnections()),
                    "1 to " + ListenerLimits.MAX_CONNECTIONS, "Open connections at most; when reached, the listener "
                            + "stops accepting until one closes."),
            new Key("passthrough", "max_connections_per_client", "integer",
                    String.valueOf(ListenerLimits.PASSTHROUGH_DEFAULTS.maxConnectionsPerClient()),
                    "0 to " + ListenerLimits.PASSTHROUGH_DEFAULTS.maxConnections()
                            + " (at most max_connections; 0: no limit "
                            + "per client)", "Connections one client address may hold; keep 0 when clients arrive "
                            + "through one load balancer address."),
            new Key("passthrough", "header_timeout_ms", "integer",
                    String.valueOf(ListenerLimits.PASSTHROUGH_DEFAULTS.headerTimeout().toMillis()),
                    "100 to " + ListenerLimits.MAX_TIMEOUT_MS, "Milliseconds a connection may take to deliver a "
                            + "complete request line and headers, from its opening or its previous request."),
            new Key("passthrough", "idle_timeout_ms", "integer",
                    String.valueOf(ListenerLimits.PASSTHROUGH_DEFAULTS.idleTimeout().toMillis()),
                    "100 to " + ListenerLimits.MAX_TIMEOUT_MS, "Milliseconds a connection may go without a byte "
                            + "read or written."),
            new Key("passthrough", "min_request_data_rate", "integer",
                    String.valueOf(ListenerLimits.PASSTHROUGH_DEFAULTS.minRequestDataRate()),
                    "0 to 2147483647 (0: off)",
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
            new Key("jms", "max_message_size", "integer", String.valueOf(RuntimeConfig.DEFAULT_MAX_MESSAGE_SIZE),
                    RuntimeConfig.MIN_MAX_MESSAGE_SIZE + " to " + RuntimeConfig.MAX_MAX_MESSAGE_SIZE + " bytes",
                    "The largest message an inbound endpoint reads and an async route queues. A larger message is "
                            + "counted once, moved to DLQ unread and logged; a larger request body gets 413."),
            new Key("jms", "embedded_broker_max_connections", "integer",
                    String.valueOf(RuntimeConfig.BrokerLimits.DEFAULTS.maxConnections()), "1 to 100000",
                    "Connections the embedded broker's TCP (and TLS) port holds at most, logged in or not, counted "
                            + "from their acceptance; one more is closed at once."),
            new Key("jms", "embedded_broker_max_connections_per_client", "integer",
                    String.valueOf(RuntimeConfig.BrokerLimits.DEFAULTS.maxConnectionsPerClient()), "1 to 100000",
                    "Connections to the embedded broker's port from one client address at most, counted like "
                            + "embedded_broker_max_connections."),
            new Key("jms", "embedded_broker_login_timeout_ms", "integer",
                    String.valueOf(RuntimeConfig.BrokerLimits.DEFAULTS.loginTimeout().toMillis()), "100 to 600000",
                    "A connection to the embedded broker that has not logged in within this time is closed."),
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
                            + "to it.")));

    /** Every section of the service's file: the counter's, then the service's. */
    public static final ConfigModel FILE = ConfigModel.COUNTER.plus(SERVICE);

    private ServiceConfigModel() {
    }
}
