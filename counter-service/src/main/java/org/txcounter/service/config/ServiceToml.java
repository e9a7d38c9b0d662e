package org.txcounter.service.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;
import org.txcounter.core.OwnDestinations;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DeploymentToml;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.internal.TomlDocument;

/**
 * Reads the standalone service's {@code deployment.toml}: the counter's sections, which counter-core reads
 * ({@link DeploymentToml}), and the service's own ({@link ServiceConfigModel#SERVICE}): the management API and its
 * users and TLS, the listeners' limits, metrics, the passthrough routes and JMS endpoints, the secret store and the
 * licence.
 *
 * <pre>{@code
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
 * <p>The file is all ours: every top-level section must be the counter's or the service's, and an unknown section
 * or key anywhere is an error naming its line, so that a typo never leaves the service silently misconfigured. The
 * file is parsed once; counter-core reads its sections from the same document.
 *
 * <p>A {@code [secrets]} value is either plain text in square brackets or an {@code enc:v1:} value, which is
 * decrypted with the key in the {@code [secret_store]} keystore; the keystore's password comes from the environment
 * variable {@value SecretStore#PASSWORD_VARIABLE} or the file next to the keystore (see {@link SecretStore}). The
 * keystore is opened only when the file has an encrypted value. Every alias is read, and the counter's
 * {@code $secret{alias}} references are resolved from them as the service's are.
 *
 * <p>Each call reads on its own; safe to call from any thread.
 */
public final class ServiceToml {

    private static final Set<String> USER_KEYS = ServiceConfigModel.SERVICE.keysOf("management_api.user");
    private static final Set<String> ROUTE_KEYS = ServiceConfigModel.SERVICE.keysOf("passthrough.route");
    private static final Set<String> ENDPOINT_KEYS = ServiceConfigModel.SERVICE.keysOf("inbound_endpoint");
    private static final Set<String> PRODUCER_KEYS = ServiceConfigModel.SERVICE.keysOf("jms.producer");
    private static final Pattern ROUTE_PREFIX = Pattern.compile("/[A-Za-z0-9._~/-]*");

    private final TomlDocument file;
    private final Map<String, String> secrets = new LinkedHashMap<>();

    private ServiceToml(TomlDocument file) {
        this.file = file;
    }

    /** Reads the file, taking the {@code enable} switch from this JVM's system properties and environment. */
    public static ServiceConfig read(Path file) {
        return read(file, System::getProperty, System::getenv);
    }

    /** Reads the file with the given sources for the {@code enable} switch and the keystore password (for tests). */
    public static ServiceConfig read(Path file, UnaryOperator<String> systemProperties,
            UnaryOperator<String> environment) {
        return new ServiceToml(TomlDocument.read(file)).toConfig(systemProperties, environment);
    }

    /** Parses TOML text; {@code source} names it in error messages. */
    public static ServiceConfig parse(String text, String source, UnaryOperator<String> systemProperties,
            UnaryOperator<String> environment) {
        return new ServiceToml(TomlDocument.parse(text, source)).toConfig(systemProperties, environment);
    }

    /** The configuration with no file at all: the counter's defaults and the service's. */
    public static ServiceConfig defaults(UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
        return ServiceConfig.defaults(DeploymentToml.defaults(systemProperties, environment));
    }

    private ServiceConfig toConfig(UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
        file.checkTopLevel(ServiceConfigModel.FILE, true);
        Path secretStore = secretStorePath();
        readSecrets(secretStore, environment);
        CounterConfig counter = Internals.readCounterSections(file, systemProperties, environment, secrets::get);

        LicenceConfig licence = readLicence();
        String managementHost = ServiceConfig.DEFAULT_MANAGEMENT_HOST;
        int managementPort = ServiceConfig.DEFAULT_MANAGEMENT_PORT;
        ManagementSecurity security = ManagementSecurity.defaults();
        ListenerLimits managementLimits = ListenerLimits.MANAGEMENT_DEFAULTS;
        TomlTable management = file.section("management_api");
        if (management != null) {
            if (management.contains("host")) {
                managementHost = file.string(management, "management_api", "host");
            }
            if (management.contains("port")) {
                managementPort = (int) file.integer(management, "management_api", "port", 0, 65535,
                        "a port number from 0 to 65535");
            }
            security = readManagementSecurity(management);
            managementLimits = readLimits(management, "management_api", ListenerLimits.MANAGEMENT_DEFAULTS);
        }
        TomlTable passthroughSection = file.section("passthrough");
        ListenerLimits passthroughLimits = passthroughSection == null ? ListenerLimits.PASSTHROUGH_DEFAULTS
                : readLimits(passthroughSection, "passthrough", ListenerLimits.PASSTHROUGH_DEFAULTS);
        MetricsConfig metrics = readMetrics();
        RuntimeConfig runtime = readRuntime(counter.ownDestinations());
        return new ServiceConfig(counter, managementHost, managementPort, security, managementLimits,
                passthroughLimits, metrics, runtime, secretStore, licence);
    }

    /** {@code [licence]}: the monthly quota, its alert thresholds (ascending percentages) and the webhook. */
    private LicenceConfig readLicence() {
        TomlTable table = file.section("licence");
        if (table == null) {
            return LicenceConfig.none();
        }
        Optional<Long> quota = table.contains("monthly_quota")
                ? Optional.of(file.integer(table, "licence", "monthly_quota", 1, Long.MAX_VALUE,
                        "a whole number of transactions per month, at least 1"))
                : Optional.empty();
        List<Integer> thresholds = LicenceConfig.DEFAULT_THRESHOLDS;
        if (table.contains("thresholds")) {
            if (!table.isArray("thresholds")) {
                throw file.error(table, "licence", "thresholds", String.valueOf(table.get("thresholds")),
                        "a list of percentages such as [80, 90, 100]");
            }
            TomlArray array = table.getArrayOrEmpty("thresholds");
            List<Integer> read = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) {
                Object value = array.get(i);
                if (!(value instanceof Long percent) || percent < 1 || percent > 1000
                        || (!read.isEmpty() && percent <= read.get(read.size() - 1))) {
                    throw file.error(table, "licence", "thresholds", array.toString(),
                            "ascending whole percentages from 1 to 1000, such as [80, 90, 100]");
                }
                read.add(percent.intValue());
            }
            if (read.isEmpty()) {
                throw file.error(table, "licence", "thresholds", "[]",
                        "at least one percentage, such as [80, 90, 100]");
            }
            thresholds = read;
        }
        Optional<URI> webhook = Optional.empty();
        if (table.contains("webhook_url")) {
            String url = file.string(table, "licence", "webhook_url");
            try {
                URI uri = new URI(url);
                if ((!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) || uri.getHost() == null) {
                    throw new URISyntaxException(url, "not an http or https URL");
                }
                webhook = Optional.of(uri);
            } catch (URISyntaxException e) {
                throw file.error(table, "licence", "webhook_url", "\"" + url + "\"", "an http:// or https:// URL");
            }
        }
        if (quota.isEmpty() && (table.contains("thresholds") || webhook.isPresent())) {
            throw file.at(table, table.contains("thresholds") ? "thresholds" : "webhook_url", "[licence] has "
                    + "thresholds or a webhook_url but no monthly_quota. Add monthly_quota = <transactions per "
                    + "month>.");
        }
        return new LicenceConfig(quota, thresholds, webhook);
    }

    /** {@code [secret_store] keystore}, else the default keystore in {@code [node] data_dir}. */
    private Path secretStorePath() {
        TomlTable store = file.section("secret_store");
        if (store != null && store.contains("keystore")) {
            return Path.of(file.string(store, "secret_store", "keystore"));
        }
        TomlTable node = file.section("node");
        Path dataDir = node != null && node.contains("data_dir")
                ? Path.of(file.string(node, "node", "data_dir")) : CounterConfig.DEFAULT_DATA_DIR;
        return ServiceConfig.defaultSecretStore(dataDir);
    }

    /** Reads [secrets]; the keystore is opened only for the first encrypted value, so plain files need none. */
    private void readSecrets(Path keystore, UnaryOperator<String> environment) {
        TomlTable table = file.section("secrets");
        if (table == null) {
            return;
        }
        SecretStore store = null;
        for (String alias : table.keySet()) {
            String value = file.string(table, "secrets", alias);
            Optional<String> plain = TomlDocument.plainSecret(value);
            if (plain.isPresent()) {
                secrets.put(alias, plain.get());
            } else if (SecretStore.isEncrypted(value)) {
                try {
                    if (store == null) {
                        store = SecretStore.open(keystore, environment);
                    }
                    secrets.put(alias, store.decrypt(alias, value));
                } catch (ConfigException e) {
                    throw file.error(table, "secrets", alias, "(hidden)",
                            "a value the secret store can decrypt. " + e.getMessage());
                }
            } else {
                throw file.error(table, "secrets", alias, "(hidden)",
                        "the plain-text value in square brackets, e.g. " + alias + " = \"[my password]\", or an "
                                + SecretStore.PREFIX + " value from: " + SecretStore.encryptCommand(alias));
            }
        }
    }

    private ManagementSecurity readManagementSecurity(TomlTable table) {
        String section = "management_api";
        boolean tls = !table.contains("tls") || file.bool(table, section, "tls");
        Optional<Path> keystore = table.contains("keystore")
                ? Optional.of(Path.of(file.string(table, section, "keystore"))) : Optional.empty();
        Optional<String> password = table.contains("keystore_password")
                ? Optional.of(file.resolveSecret(table, section, "keystore_password", secrets::get)) : Optional.empty();
        if (keystore.isPresent() && password.isEmpty()) {
            throw file.error(table, section, "keystore", "\"" + keystore.get() + "\"",
                    "a keystore_password next to it, e.g. keystore_password = \"$secret{mgmt_keystore}\"");
        }
        if (!tls && keystore.isPresent()) {
            throw file.error(table, section, "tls", "false", "true when a keystore is configured (or remove keystore)");
        }
        Duration tokenLifetime = ManagementSecurity.DEFAULT_TOKEN_LIFETIME;
        if (table.contains("token_lifetime")) {
            tokenLifetime = Duration.ofSeconds(file.integer(table, section, "token_lifetime", 60, 86_400,
                    "seconds from 60 to 86400"));
        }
        List<ManagementSecurity.User> users = new ArrayList<>();
        if (table.contains("user")) {
            TomlArray array = file.tables(table, "user", "users", "management_api.user");
            for (int i = 0; i < array.size(); i++) {
                users.add(readUser(array.getTable(i), "[[management_api.user]] #" + (i + 1), users));
            }
        }
        return new ManagementSecurity(tls, keystore, password, users, tokenLifetime);
    }

    private ManagementSecurity.User readUser(TomlTable table, String section, List<ManagementSecurity.User> earlier) {
        if (table.contains("password")) {
            throw file.at(table, "password", section
                    + " has a plain-text password. Passwords are configured as hashes only: run "
                    + "java -jar txcounter.jar hash-password and set password_hash = \"pbkdf2-sha256$...\"");
        }
        file.checkKeys(table, section, USER_KEYS);
        String name = file.required(table, section, "name");
        if (!ManagementSecurity.validUserName(name)) {
            throw file.error(table, section, "name", "\"" + name + "\"",
                    "1 to 64 letters, digits, '.', '_', '@' or '-'");
        }
        if (earlier.stream().anyMatch(user -> user.name().equals(name))) {
            throw file.error(table, section, "name", "\"" + name + "\"", "a name no other user has");
        }
        String hash = file.required(table, section, "password_hash");
        if (!ManagementSecurity.PASSWORD_HASH.matcher(hash).matches()) {
            throw file.error(table, section, "password_hash", "(hidden)",
                    "a pbkdf2-sha256 hash from: java -jar txcounter.jar hash-password");
        }
        String roleName = file.required(table, section, "role");
        ManagementSecurity.Role role = ManagementSecurity.Role.named(roleName)
                .orElseThrow(() -> file.error(table, section, "role", "\"" + roleName + "\"", "admin or viewer"));
        return new ManagementSecurity.User(name, hash, role);
    }

    private MetricsConfig readMetrics() {
        TomlTable table = file.section("metrics");
        MetricsConfig defaults = MetricsConfig.disabled();
        if (table == null) {
            return defaults;
        }
        String section = "metrics";
        boolean enabled = table.contains("enable") && file.bool(table, section, "enable");
        String host = table.contains("host") ? file.string(table, section, "host") : defaults.host();
        int port = table.contains("port")
                ? (int) file.integer(table, section, "port", 0, 65535, "a port number from 0 to 65535")
                : defaults.port();
        Optional<String> username = Optional.empty();
        if (table.contains("username")) {
            String name = file.string(table, section, "username");
            if (!ManagementSecurity.validUserName(name)) {
                throw file.error(table, section, "username", "\"" + name + "\"",
                        "1 to 64 letters, digits, '.', '_', '@' or '-'");
            }
            username = Optional.of(name);
        }
        Optional<String> hash = Optional.empty();
        if (table.contains("password_hash")) {
            String value = file.string(table, section, "password_hash");
            if (!ManagementSecurity.PASSWORD_HASH.matcher(value).matches()) {
                throw file.error(table, section, "password_hash", "(hidden)",
                        "a pbkdf2-sha256 hash from: java -jar txcounter.jar hash-password");
            }
            hash = Optional.of(value);
        }
        if (username.isPresent() != hash.isPresent()) {
            String missing = username.isPresent() ? "password_hash" : "username";
            throw file.at(table, null, "[metrics] has "
                    + (username.isPresent() ? "username" : "password_hash") + " but no " + missing
                    + ". Set both for Basic authentication, or neither.");
        }
        return new MetricsConfig(enabled, host, port, username, hash);
    }

    /** The runtime's sections; {@code own} is the counter's {@code [deduplication]} setting, handed on to it. */
    private RuntimeConfig readRuntime(OwnDestinations own) {
        RuntimeConfig defaults = RuntimeConfig.none();
        String host = defaults.passthroughHost();
        int port = defaults.passthroughPort();
        List<RuntimeConfig.Route> routes = new ArrayList<>();
        TomlTable passthrough = file.section("passthrough");
        if (passthrough != null) {
            if (passthrough.contains("host")) {
                host = file.string(passthrough, "passthrough", "host");
            }
            if (passthrough.contains("port")) {
                port = (int) file.integer(passthrough, "passthrough", "port", 0, 65535,
                        "a port number from 0 to 65535");
            }
            if (passthrough.contains("route")) {
                TomlArray array = file.tables(passthrough, "route", "routes", "passthrough.route");
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
        int maxMessageSize = RuntimeConfig.DEFAULT_MAX_MESSAGE_SIZE;
        RuntimeConfig.BrokerLimits limits = RuntimeConfig.BrokerLimits.DEFAULTS;
        TomlTable jms = file.section("jms");
        if (jms != null) {
            int maxConnections = limits.maxConnections();
            int perClient = limits.maxConnectionsPerClient();
            Duration loginTimeout = limits.loginTimeout();
            if (jms.contains("embedded_broker_max_connections")) {
                maxConnections = (int) file.integer(jms, "jms", "embedded_broker_max_connections", 1, 100_000,
                        "a number of connections from 1 to 100000");
            }
            if (jms.contains("embedded_broker_max_connections_per_client")) {
                perClient = (int) file.integer(jms, "jms", "embedded_broker_max_connections_per_client", 1,
                        100_000, "a number of connections from 1 to 100000");
            }
            if (jms.contains("embedded_broker_login_timeout_ms")) {
                loginTimeout = Duration.ofMillis(file.integer(jms, "jms", "embedded_broker_login_timeout_ms", 100,
                        600_000, "milliseconds from 100 to 600000"));
            }
            limits = new RuntimeConfig.BrokerLimits(maxConnections, perClient, loginTimeout);
            if (jms.contains("max_message_size")) {
                maxMessageSize = (int) file.integer(jms, "jms", "max_message_size",
                        RuntimeConfig.MIN_MAX_MESSAGE_SIZE, RuntimeConfig.MAX_MAX_MESSAGE_SIZE,
                        "a size in bytes from " + RuntimeConfig.MIN_MAX_MESSAGE_SIZE + " (100 KiB) to "
                                + RuntimeConfig.MAX_MAX_MESSAGE_SIZE + " (256 MiB)");
            }
            if (jms.contains("embedded_broker_tls_port")) {
                int tlsPort = (int) file.integer(jms, "jms", "embedded_broker_tls_port", 1, 65535,
                        "a port number from 1 to 65535");
                if (!jms.contains("embedded_broker_keystore") || !jms.contains("embedded_broker_keystore_password")) {
                    throw file.error(jms, "jms", "embedded_broker_tls_port", String.valueOf(tlsPort),
                            "embedded_broker_keystore (PKCS12) and embedded_broker_keystore_password as well");
                }
                tls = Optional.of(new RuntimeConfig.BrokerTls(tlsPort,
                        Path.of(file.string(jms, "jms", "embedded_broker_keystore")),
                        file.resolveSecret(jms, "jms", "embedded_broker_keystore_password", secrets::get)));
            }
            if (jms.contains("user") != jms.contains("password")) {
                throw file.at(jms, jms.contains("user") ? "user" : "password", "[jms] needs both user and password "
                        + "(the runtime's own broker login), or neither (the embedded broker then generates one)");
            }
            if (jms.contains("user")) {
                login = Optional.of(new RuntimeConfig.Login(file.string(jms, "jms", "user"),
                        file.resolveSecret(jms, "jms", "password", secrets::get)));
            }
            if (jms.contains("producer")) {
                TomlArray array = file.tables(jms, "producer", "outside producers", "jms.producer");
                for (int i = 0; i < array.size(); i++) {
                    TomlTable producer = array.getTable(i);
                    String producerSection = "[[jms.producer]] #" + (i + 1);
                    file.checkKeys(producer, producerSection, PRODUCER_KEYS);
                    String user = file.required(producer, producerSection, "user");
                    if (login.map(mine -> mine.user().equals(user)).orElse(false)
                            || producers.stream().anyMatch(other -> other.user().equals(user))) {
                        throw file.error(producer, producerSection, "user", "\"" + user + "\"",
                                "a user name no other broker login has");
                    }
                    file.required(producer, producerSection, "password");
                    producers.add(new RuntimeConfig.Login(user,
                            file.resolveSecret(producer, producerSection, "password", secrets::get)));
                }
            }
            if (jms.contains("broker_url")) {
                brokerUrl = Optional.of(file.string(jms, "jms", "broker_url"));
            }
            if (jms.contains("embedded_broker_port")) {
                brokerPort = (int) file.integer(jms, "jms", "embedded_broker_port", 0, 65535,
                        "a port number from 0 to 65535 (0: accept only this runtime, in-VM)");
            }
        }
        List<RuntimeConfig.InboundEndpoint> endpoints = new ArrayList<>();
        TomlArray array = file.array("inbound_endpoint");
        for (int i = 0; i < array.size(); i++) {
            endpoints.add(readEndpoint(array.getTable(i), "[[inbound_endpoint]] #" + (i + 1), endpoints));
        }
        return new RuntimeConfig(host, port, routes, brokerUrl, brokerPort, endpoints, own,
                login, producers, tls, maxMessageSize, limits);
    }

    private RuntimeConfig.Route readRoute(TomlTable table, String section, List<RuntimeConfig.Route> earlier) {
        file.checkKeys(table, section, ROUTE_KEYS);
        String prefix = file.required(table, section, "prefix");
        if (!ROUTE_PREFIX.matcher(prefix).matches()) {
            throw file.error(table, section, "prefix", "\"" + prefix + "\"",
                    "a path starting with '/', such as \"/orders\"");
        }
        if (earlier.stream().anyMatch(route -> route.prefix().equals(prefix))) {
            throw file.error(table, section, "prefix", "\"" + prefix + "\"", "a prefix no other route uses");
        }
        boolean hasBackend = table.contains("backend");
        if (hasBackend == table.contains("queue")) {
            throw file.at(table, "prefix", section + " (prefix \""
                    + prefix + "\") needs exactly one of backend = \"http://...\" (proxy) or queue = \"...\" "
                    + "(async: put on the queue, answer 202)");
        }
        if (hasBackend) {
            return new RuntimeConfig.Route(prefix, Optional.of(file.httpUrl(table, section, "backend")),
                    Optional.empty());
        }
        return new RuntimeConfig.Route(prefix, Optional.empty(), Optional.of(file.queue(table, section, "queue")));
    }

    private RuntimeConfig.InboundEndpoint readEndpoint(TomlTable table, String section,
            List<RuntimeConfig.InboundEndpoint> earlier) {
        file.checkKeys(table, section, ENDPOINT_KEYS);
        String name = file.required(table, section, "name");
        if (earlier.stream().anyMatch(endpoint -> endpoint.name().equals(name))) {
            throw file.error(table, section, "name", "\"" + name + "\"", "a name no other endpoint uses");
        }
        if (!table.contains("queue")) {
            file.required(table, section, "queue");
        }
        String queue = file.queue(table, section, "queue");
        boolean toUrl = table.contains("forward_to");
        if (toUrl == table.contains("forward_to_queue")) {
            throw file.at(table, "name", section + " (name \"" + name
                    + "\") needs exactly one of forward_to = \"http://...\" or forward_to_queue = \"...\"");
        }
        int concurrency = table.contains("concurrency")
                ? (int) file.integer(table, section, "concurrency", 1, 64, "a number of consumers from 1 to 64") : 1;
        return new RuntimeConfig.InboundEndpoint(name, queue,
                toUrl ? Optional.of(file.httpUrl(table, section, "forward_to")) : Optional.empty(),
                toUrl ? Optional.empty() : Optional.of(file.queue(table, section, "forward_to_queue")), concurrency);
    }

    /** The connection limits of a listener's section; keys left out keep {@code defaults}. */
    private ListenerLimits readLimits(TomlTable table, String section, ListenerLimits defaults) {
        int maxConnections = table.contains("max_connections")
                ? (int) file.integer(table, section, "max_connections", 1, ListenerLimits.MAX_CONNECTIONS,
                        "a number of connections from 1 to " + ListenerLimits.MAX_CONNECTIONS)
                : defaults.maxConnections();
        int perClient = table.contains("max_connections_per_client")
                ? (int) file.integer(table, section, "max_connections_per_client", 0, maxConnections,
                        "0 (no limit per client) to max_connections (" + maxConnections + ")")
                : Math.min(defaults.maxConnectionsPerClient(), maxConnections);
        Duration header = table.contains("header_timeout_ms")
                ? Duration.ofMillis(file.integer(table, section, "header_timeout_ms", 100,
                        ListenerLimits.MAX_TIMEOUT_MS,
                        "milliseconds from 100 to " + ListenerLimits.MAX_TIMEOUT_MS))
                : defaults.headerTimeout();
        Duration idle = table.contains("idle_timeout_ms")
                ? Duration.ofMillis(file.integer(table, section, "idle_timeout_ms", 100, ListenerLimits.MAX_TIMEOUT_MS,
                        "milliseconds from 100 to " + ListenerLimits.MAX_TIMEOUT_MS))
                : defaults.idleTimeout();
        long rate = table.contains("min_request_data_rate")
                ? file.integer(table, section, "min_request_data_rate", 0, Integer.MAX_VALUE,
                        "bytes per second, 0 (off) or more")
                : defaults.minRequestDataRate();
        return new ListenerLimits(maxConnections, perClient, header, idle, rate);
    }
}
