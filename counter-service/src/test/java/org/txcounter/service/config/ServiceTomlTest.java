package org.txcounter.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.txcounter.core.config.ConfigException;

/** The service's own file: its sections, its secrets, and no section that is neither the counter's nor its own. */
class ServiceTomlTest {

    private static final UnaryOperator<String> NONE = name -> null;

    private static ServiceConfig parse(String text) {
        return ServiceToml.parse(text, "deployment.toml", NONE, NONE);
    }

    @Test
    void readsTheManagementApiAndKeepsTheSecretStoreInTheDataDir() {
        ServiceConfig config = parse("""
                [[datasource]]
                id = "WSO2_TRANSACTION_DB"
                url = "jdbc:postgresql://localhost:5432/transactiondb"
                password = "$secret{txn_db_password}"

                [node]
                data_dir = "/var/lib/txcounter"

                [management_api]
                host = "0.0.0.0"
                port = 9443

                [secrets]
                txn_db_password = "[s3cret]"
                """);

        assertThat(config.managementHost()).isEqualTo("0.0.0.0");
        assertThat(config.managementPort()).isEqualTo(9443);
        assertThat(config.secretStore()).isEqualTo(Path.of("/var/lib/txcounter/secret-store.p12"));
        assertThat(config.counter().dataSource().password()).isEqualTo("s3cret");
    }

    @Test
    void anEmptyFileMeansTheServicesDefaults() {
        assertThat(parse("").managementPort()).isEqualTo(9164);
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of("[transaction_countr]\nenable = true\n",
                        "deployment.toml line 1: unknown section or key \"transaction_countr\""),
                Arguments.of("[management_api]\nport = 70000\n",
                        "deployment.toml line 2: [management_api] port = 70000: expected a port number from 0 to "
                                + "65535"),
                Arguments.of("[secrets]\npw = \"not-bracketed\"\n",
                        "deployment.toml line 2: [secrets] pw = (hidden): expected the plain-text value in square "
                                + "brackets, e.g. pw = \"[my password]\", or an enc:v1: value from: java -jar "
                                + "txcounter.jar encrypt-secret --alias pw"),
                Arguments.of("[secret_store]\npath = \"x.p12\"\n",
                        "deployment.toml line 2: unknown key \"path\" in [secret_store]. Known keys: [keystore]"),
                Arguments.of("[secret_store]\nkeystore = 12\n",
                        "deployment.toml line 2: [secret_store] keystore = 12: expected a non-empty string"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource({"badFiles", "badRuntimeFiles", "badManagementFiles", "badBrokerLoginFiles"})
    void everyMistakeNamesTheLineTheKeyAndWhatWasExpected(String text, String expectedStart) {
        assertThatThrownBy(() -> parse(text))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(expectedStart);
    }

    @Test
    void aSectionThatIsNeitherTheCountersNorTheServicesIsRejected() {
        String text = """
                [server]
                hostname = "localhost"

                [transaction_counter]
                update_interval = 2

                [tracing]
                enable = true
                """;

        assertThatThrownBy(() -> parse(text))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("deployment.toml line 1: unknown section or key \"server\".");
        assertThatThrownBy(() -> parse(text.substring(text.indexOf("[transaction_counter]"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("deployment.toml line 4: unknown section or key \"tracing\".");
    }

    @Test
    void theServicesSectionsAreReadStrictly() {
        assertThatThrownBy(() -> parse("[metrics]\nenable = \"yes\"\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("deployment.toml line 2: [metrics] enable = \"yes\": expected true or false");
        assertThatThrownBy(() -> parse("[licence]\nmonthly_quota = \"many\"\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("deployment.toml line 2: [licence] monthly_quota = \"many\": expected a "
                        + "whole number");
    }

    @Test
    void readsTheRuntimeSections() {
        ServiceConfig config = parse("""
                [passthrough]
                host = "0.0.0.0"
                port = 8290

                [[passthrough.route]]
                prefix = "/orders"
                queue = "orders"

                [[passthrough.route]]
                prefix = "/shop"
                backend = "http://127.0.0.1:9000/shop"

                [jms]
                embedded_broker_port = 61616

                [[inbound_endpoint]]
                name = "orders-in"
                queue = "orders"
                forward_to = "http://127.0.0.1:9000/process"
                concurrency = 4
                """);

        RuntimeConfig runtime = config.runtime();
        assertThat(runtime.active()).isTrue();
        assertThat(runtime.needsBroker()).isTrue();
        assertThat(runtime.passthroughHost()).isEqualTo("0.0.0.0");
        assertThat(runtime.passthroughPort()).isEqualTo(8290);
        assertThat(runtime.embeddedBrokerPort()).isEqualTo(61616);
        assertThat(runtime.brokerUrl()).isEmpty();
        assertThat(runtime.routes()).containsExactly(
                new RuntimeConfig.Route("/orders", Optional.empty(), Optional.of("orders")),
                new RuntimeConfig.Route("/shop", Optional.of(URI.create(
                        "http://127.0.0.1:9000/shop")), Optional.empty()));
        assertThat(runtime.endpoints()).containsExactly(new RuntimeConfig.InboundEndpoint("orders-in", "orders",
                Optional.of(URI.create("http://127.0.0.1:9000/process")),
                Optional.empty(), 4));
    }


    @Test
    void withoutRuntimeSectionsTheRuntimeIsOff() {
        assertThat(parse("").runtime().active()).isFalse();
    }

    static Stream<Arguments> badRuntimeFiles() {
        return Stream.of(
                Arguments.of("[[passthrough.route]]\nprefix = \"orders\"\nqueue = \"q\"\n",
                        "deployment.toml line 2: [[passthrough.route]] #1 prefix = \"orders\": expected a path"),
                Arguments.of("[[passthrough.route]]\nprefix = \"/a\"\n",
                        "deployment.toml line 2: [[passthrough.route]] #1 (prefix \"/a\") needs exactly one of "
                                + "backend"),
                Arguments.of("[[passthrough.route]]\nprefix = \"/a\"\nbackend = \"ftp://x\"\n",
                        "deployment.toml line 3: [[passthrough.route]] #1 backend = \"ftp://x\": expected an "
                                + "http:// or https:// URL"),
                Arguments.of("[[passthrough.route]]\nprefix = \"/a\"\nqueue = \"q\"\n"
                                + "[[passthrough.route]]\nprefix = \"/a\"\nqueue = \"r\"\n",
                        "deployment.toml line 5: [[passthrough.route]] #2 prefix = \"/a\": expected a prefix no "
                                + "other route uses"),
                Arguments.of("[[inbound_endpoint]]\nname = \"in\"\nqueue = \"q w\"\nforward_to_queue = \"x\"\n",
                        "deployment.toml line 3: [[inbound_endpoint]] #1 queue = \"q w\": expected a queue name"),
                Arguments.of("[[inbound_endpoint]]\nname = \"in\"\nqueue = \"q\"\nconcurrency = 0\n"
                                + "forward_to_queue = \"x\"\n",
                        "deployment.toml line 4: [[inbound_endpoint]] #1 concurrency = 0: expected a number of "
                                + "consumers from 1 to 64"),
                Arguments.of("[[inbound_endpoint]]\nname = \"in\"\nqueue = \"q\"\nforward = \"x\"\n",
                        "deployment.toml line 4: unknown key \"forward\" in [[inbound_endpoint]] #1"),
                Arguments.of("[jms]\nembedded_broker_port = -1\n",
                        "deployment.toml line 2: [jms] embedded_broker_port = -1: expected a port number"));
    }

    private static final String HASH = "pbkdf2-sha256$600000$c2FsdHNhbHRzYWx0c2FsdA==$"
            + "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=";

    @Test
    void readsTheManagementApiSecurity() {
        ServiceConfig config = parse("""
                [management_api]
                port = 9443
                keystore = "conf/management.p12"
                keystore_password = "$secret{ks}"
                token_lifetime = 900

                [[management_api.user]]
                name = "ops"
                password_hash = "%s"
                role = "admin"

                [[management_api.user]]
                name = "auditor@example.com"
                password_hash = "%s"
                role = "Viewer"

                [secrets]
                ks = "[keystore password]"
                """.formatted(HASH, HASH));
        ManagementSecurity security = config.managementSecurity();
        assertThat(config.managementPort()).isEqualTo(9443);
        assertThat(security.tls()).isTrue();
        assertThat(security.keystore()).contains(Path.of("conf/management.p12"));
        assertThat(security.keystorePassword()).contains("keystore password");
        assertThat(security.tokenLifetime()).isEqualTo(Duration.ofSeconds(900));
        assertThat(security.users()).containsExactly(
                new ManagementSecurity.User("ops", HASH, ManagementSecurity.Role.ADMIN),
                new ManagementSecurity.User("auditor@example.com", HASH, ManagementSecurity.Role.VIEWER));
        assertThat(security.users().get(0).toString()).doesNotContain(HASH);
    }

    @Test
    void withoutManagementSettingsTlsIsOnAndNoUserIsConfigured() {
        ManagementSecurity security = parse("").managementSecurity();
        assertThat(security.tls()).isTrue();
        assertThat(security.keystore()).isEmpty();
        assertThat(security.users()).isEmpty();
        assertThat(security.tokenLifetime()).isEqualTo(ManagementSecurity.DEFAULT_TOKEN_LIFETIME);
        assertThat(parse("[management_api]\ntls = false\n").managementSecurity().tls()).isFalse();
    }

    @Test
    void readsTheListenersConnectionLimitsAndKeepsSafeDefaultsForTheRest() {
        ServiceConfig config = parse("""
                [management_api]
                max_connections = 100
                max_connections_per_client = 10
                header_timeout_ms = 5000

                [passthrough]
                idle_timeout_ms = 60000
                min_request_data_rate = 0
                """);
        assertThat(config.managementLimits()).isEqualTo(new ListenerLimits(100, 10, Duration.ofSeconds(5),
                ListenerLimits.MANAGEMENT_DEFAULTS.idleTimeout(), ListenerLimits.MANAGEMENT_DEFAULTS
                        .minRequestDataRate()));
        assertThat(config.passthroughLimits()).isEqualTo(new ListenerLimits(2000, 0, Duration.ofSeconds(10),
                Duration.ofMinutes(1), 0));
        assertThat(parse("").managementLimits()).isEqualTo(ListenerLimits.MANAGEMENT_DEFAULTS);
        assertThat(parse("").passthroughLimits()).isEqualTo(ListenerLimits.PASSTHROUGH_DEFAULTS);
    }

    static Stream<Arguments> badManagementFiles() {
        return Stream.of(
                Arguments.of("[management_api]\nmax_connections = 0\n",
                        "deployment.toml line 2: [management_api] max_connections = 0: expected a number of "
                                + "connections from 1 to 1000000"),
                Arguments.of("[management_api]\nmax_connections = 50\nmax_connections_per_client = 51\n",
                        "deployment.toml line 3: [management_api] max_connections_per_client = 51: expected 0 (no "
                                + "limit per client) to max_connections (50)"),
                Arguments.of("[passthrough]\nheader_timeout_ms = 10\n",
                        "deployment.toml line 2: [passthrough] header_timeout_ms = 10: expected milliseconds from "
                                + "100 to 3600000"),
                Arguments.of("[passthrough]\nmin_request_data_rate = -1\n",
                        "deployment.toml line 2: [passthrough] min_request_data_rate = -1: expected bytes per "
                                + "second, 0 (off) or more"),
                Arguments.of("[management_api]\ntls = \"yes\"\n",
                        "deployment.toml line 2: [management_api] tls = \"yes\": expected true or false"),
                Arguments.of("[management_api]\nkeystore = \"k.p12\"\n",
                        "deployment.toml line 2: [management_api] keystore = \"k.p12\": expected a keystore_password"),
                Arguments.of("[management_api]\ntls = false\nkeystore = \"k.p12\"\nkeystore_password = \"x\"\n",
                        "deployment.toml line 2: [management_api] tls = false: expected true when a keystore is "
                                + "configured"),
                Arguments.of("[management_api]\ntoken_lifetime = 5\n",
                        "deployment.toml line 2: [management_api] token_lifetime = 5: expected seconds from 60"),
                Arguments.of("[[management_api.user]]\nname = \"ops\"\npassword = \"admin\"\nrole = \"admin\"\n",
                        "deployment.toml line 3: [[management_api.user]] #1 has a plain-text password. Passwords "
                                + "are configured as hashes only"),
                Arguments.of("[[management_api.user]]\nname = \"ops\"\npassword_hash = \"md5$abc\"\n"
                                + "role = \"admin\"\n",
                        "deployment.toml line 3: [[management_api.user]] #1 password_hash = (hidden): expected a "
                                + "pbkdf2-sha256 hash"),
                Arguments.of("[[management_api.user]]\nname = \"ops\"\npassword_hash = \"" + HASH + "\"\n"
                                + "role = \"root\"\n",
                        "deployment.toml line 4: [[management_api.user]] #1 role = \"root\": expected admin or "
                                + "viewer"),
                Arguments.of("[[management_api.user]]\nname = \"a b\"\npassword_hash = \"" + HASH + "\"\n"
                                + "role = \"admin\"\n",
                        "deployment.toml line 2: [[management_api.user]] #1 name = \"a b\": expected 1 to 64"),
                Arguments.of("[[management_api.user]]\nname = \"ops\"\npassword_hash = \"" + HASH + "\"\n"
                                + "role = \"admin\"\n[[management_api.user]]\nname = \"ops\"\npassword_hash = \""
                                + HASH + "\"\nrole = \"viewer\"\n",
                        "deployment.toml line 6: [[management_api.user]] #2 name = \"ops\": expected a name no "
                                + "other user has"),
                Arguments.of("[[management_api.user]]\nname = \"ops\"\n",
                        "deployment.toml line 2: [[management_api.user]] #1 has no password_hash"));
    }

    @Test
    void readsBrokerLoginsAndHandsTheCountersOwnDestinationsToTheRuntime() {
        ServiceConfig config = parse("""
                [deduplication]
                own_queues = ["orders", "billing"]

                [jms]
                user = "runtime"
                password = "$secret{broker}"

                [[jms.producer]]
                user = "orders-client"
                password = "$secret{producer}"

                [secrets]
                broker = "[runtime-password]"
                producer = "[producer-password]"
                """);

        RuntimeConfig runtime = config.runtime();
        assertThat(runtime.own()).isEqualTo(config.counter().ownDestinations());
        assertThat(runtime.own().queues()).containsExactlyInAnyOrder("orders", "billing");
        assertThat(runtime.brokerLogin()).contains(new RuntimeConfig.Login("runtime", "runtime-password"));
        assertThat(runtime.brokerLogin().orElseThrow().toString()).doesNotContain("runtime-password");
        assertThat(runtime.producers()).containsExactly(new RuntimeConfig.Login("orders-client",
                "producer-password"));
    }

    static Stream<Arguments> badBrokerLoginFiles() {
        return Stream.of(
                Arguments.of("[jms]\nuser = \"runtime\"\n",
                        "deployment.toml line 2: [jms] needs both user and password"),
                Arguments.of("[[jms.producer]]\nuser = \"p\"\n",
                        "deployment.toml line 2: [[jms.producer]] #1 has no password"));
    }

    private static final String ENCRYPTED_FILE = """
            [[datasource]]
            id = "WSO2_TRANSACTION_DB"
            url = "jdbc:postgresql://localhost:5432/transactiondb"
            username = "txn_app"
            password = "$secret{txn_db_password}"

            [secret_store]
            keystore = "%s"

            [secrets]
            txn_db_password = "%s"
            """;

    private static final UnaryOperator<String> STORE_PASSWORD =
            Map.of("TXN_SECRET_STORE_PASSWORD", "store-password")::get;

    @Test
    void anEncryptedSecretIsDecryptedWithTheConfiguredKeystore(@TempDir Path dir) {
        Path keystore = dir.resolve("keys").resolve("secret-store.p12");
        String value = SecretStore.openOrCreate(keystore, STORE_PASSWORD).encrypt("txn_db_password", "s3cret");

        ServiceConfig config = ServiceToml.parse(ENCRYPTED_FILE.formatted(keystore, value), "deployment.toml",
                NONE, STORE_PASSWORD);

        assertThat(config.counter().dataSource().password()).isEqualTo("s3cret");
        assertThat(config.secretStore()).isEqualTo(keystore);
    }

    @Test
    void withoutSecretStoreSectionTheKeystoreIsInTheDataDir(@TempDir Path dir) {
        String value = SecretStore.openOrCreate(dir.resolve("secret-store.p12"), NONE).encrypt("stamp",
                "0123456789abcdef0123456789abcdef");

        ServiceConfig config = parse("[node]\ndata_dir = \"" + dir + "\"\n\n[deduplication]\n"
                + "stamp_secret = \"$secret{stamp}\"\n\n[secrets]\nstamp = \"" + value + "\"\n");

        assertThat(config.counter().dedupe().stampSecret()).hasValueSatisfying(secret -> assertThat(new String(secret,
                StandardCharsets.UTF_8)).isEqualTo("0123456789abcdef0123456789abcdef"));
        assertThat(config.secretStore()).isEqualTo(dir.resolve("secret-store.p12"));
    }

    @Test
    void anUndecryptableSecretNamesTheLineAndTheAliasButNotTheValue(@TempDir Path dir) {
        Path keystore = dir.resolve("secret-store.p12");
        String value = SecretStore.openOrCreate(keystore, STORE_PASSWORD).encrypt("other_alias", "s3cret");

        assertThatThrownBy(() -> ServiceToml.parse(ENCRYPTED_FILE.formatted(keystore, value), "deployment.toml",
                NONE, STORE_PASSWORD))
                .isInstanceOf(ConfigException.class)
                .hasMessage("deployment.toml line 11: [secrets] txn_db_password = (hidden): expected a value the "
                        + "secret store can decrypt. The encrypted value of secret \"txn_db_password\" does not "
                        + "decrypt with the key in " + keystore + ": it was changed, copied from another alias, or "
                        + "encrypted with another keystore. Encrypt it again with: java -jar txcounter.jar "
                        + "encrypt-secret --alias txn_db_password, or use the keystore it was encrypted with.")
                .message().doesNotContain(value).doesNotContain("s3cret").doesNotContain("store-password");
    }

    @Test
    void aMissingKeystoreNamesTheCommandThatCreatesIt(@TempDir Path dir) {
        Path keystore = dir.resolve("secret-store.p12");
        String value = SecretStore.openOrCreate(dir.resolve("elsewhere.p12"), NONE).encrypt("txn_db_password",
                "s3cret");

        assertThatThrownBy(() -> ServiceToml.parse(ENCRYPTED_FILE.formatted(keystore, value), "deployment.toml",
                NONE, NONE))
                .isInstanceOf(ConfigException.class)
                .hasMessage("deployment.toml line 11: [secrets] txn_db_password = (hidden): expected a value the "
                        + "secret store can decrypt. The secret store keystore " + keystore + " does not exist. "
                        + "Create it by encrypting the secrets again with: java -jar txcounter.jar encrypt-secret "
                        + "--alias <alias>, or copy the keystore and its password from the node where the values were "
                        + "encrypted.");
    }

}
