package org.txcounter.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.internal.TomlDocument;

/**
 * The counter's own sections, as counter-core reads them from a host's file ({@link DeploymentToml#parseHosted}) and,
 * where the two differ, from a file that is all its caller's ({@link Internals#readCounterSections}).
 */
class DeploymentTomlTest {

    private static final UnaryOperator<String> NONE = name -> null;

    private static final String MI_FILE = """
            [[datasource]]
            id = "WSO2_TRANSACTION_DB"
            url = "jdbc:postgresql://localhost:5432/transactiondb"
            username = "txn_app"
            password = "$secret{txn_db_password}"
            driver = "org.postgresql.Driver"
            pool_options.maxActive = 50
            pool_options.maxWait = 60000
            pool_options.testOnBorrow = true
            pool_options.validationQuery = "SELECT 1"

            [transaction_counter]
            enable = true
            data_source = "WSO2_TRANSACTION_DB"
            update_interval = 5

            [node]
            id = "mi-node-1"
            data_dir = "/var/lib/txcounter"

            [billing]
            time_zone = "Europe/Berlin"

            [management_api]
            host = "0.0.0.0"
            port = 9443

            [secrets]
            txn_db_password = "[s3cret]"
            """;

    private static CounterConfig parse(String text) {
        return DeploymentToml.parseHosted(text, "deployment.toml", NONE, NONE);
    }

    /** The counter's sections of a file that is all the caller's, with no secrets. */
    private static CounterConfig parseWholeFile(String text) {
        return Internals.readCounterSections(TomlDocument.parse(text, "deployment.toml"), NONE, NONE, NONE);
    }

    @Test
    void readsTheMiFormatAndMapsPoolOptions() {
        CounterConfig config = parse(MI_FILE);

        assertThat(config.enabled()).isTrue();
        assertThat(config.updateInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.nodeId()).contains("mi-node-1");
        assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib/txcounter"));
        assertThat(config.billingZone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        DataSourceConfig dataSource = config.dataSource();
        assertThat(dataSource.id()).isEqualTo("WSO2_TRANSACTION_DB");
        assertThat(dataSource.url()).isEqualTo("jdbc:postgresql://localhost:5432/transactiondb");
        assertThat(dataSource.username()).isEqualTo("txn_app");
        assertThat(dataSource.password()).isEqualTo("s3cret");
        assertThat(dataSource.driver()).contains("org.postgresql.Driver");
        assertThat(dataSource.maxPoolSize()).isEqualTo(50);
        assertThat(dataSource.connectionTimeout()).isEqualTo(Duration.ofMillis(60000));
        assertThat(dataSource.validationQuery()).contains("SELECT 1");
        assertThat(dataSource.toString()).doesNotContain("s3cret");
    }

    @Test
    void databaseTimeoutsHaveSafeDefaultsAndComeFromPoolOptions() {
        assertThat(parse(MI_FILE).dataSource().timeouts()).isEqualTo(DataSourceConfig.Timeouts.DEFAULT);
        String file = """
                [[datasource]]
                id = "WSO2_TRANSACTION_DB"
                url = "jdbc:mariadb://db:3306/txn"
                username = "txn_app"
                password = "x"
                pool_options.connectTimeout = 2000
                pool_options.socketTimeout = 9000
                pool_options.statementTimeout = 5000
                """;
        assertThat(parse(file).dataSource().timeouts()).isEqualTo(new DataSourceConfig.Timeouts(
                Duration.ofMillis(2000), Duration.ofMillis(9000), Duration.ofMillis(5000)));

        assertThatThrownBy(() -> parse(file.replace("socketTimeout = 9000", "socketTimeout = 5000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("socketTimeout")
                .hasMessageContaining("longer than the statementTimeout");
    }

    @Test
    void anEmptyFileMeansTheEmbeddedDefault() {
        CounterConfig config = parse("");

        assertThat(config.enabled()).isTrue();
        assertThat(config.dataSource().url()).startsWith("jdbc:h2:file:").contains("transactiondb");
        assertThat(config.updateInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.nodeId()).isEmpty();
    }

    static Stream<Arguments> enableSwitches() {
        return Stream.of(
                Arguments.of("false", null, "true", false),
                Arguments.of("true", "false", "false", true),
                Arguments.of(null, "false", "true", false),
                Arguments.of(null, "TRUE", "false", true),
                Arguments.of(null, null, "false", false),
                Arguments.of(null, null, null, true));
    }

    @ParameterizedTest(name = "property={0} env={1} file={2} -> {3}")
    @MethodSource("enableSwitches")
    void enableFollowsPropertyThenEnvironmentThenFile(String property, String variable, String file,
            boolean expected) {
        String text = file == null ? "" : "[transaction_counter]\nenable = " + file + "\n";
        UnaryOperator<String> properties = name -> name.equals("enableTransactionCounter") ? property : null;
        UnaryOperator<String> environment = name -> name.equals("enableTransactionCounter") ? variable : null;

        assertThat(DeploymentToml.parseHosted(text, "deployment.toml", properties, environment).enabled())
                .isEqualTo(expected);
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of("[transaction_counter]\nupdate_interval = 0\n",
                        "deployment.toml line 2: [transaction_counter] update_interval = 0: expected a whole number "
                                + "of minutes from 1 to 1440"),
                Arguments.of("[transaction_counter]\n\nupdate_interval = \"1\"\n",
                        "deployment.toml line 3: [transaction_counter] update_interval = \"1\": expected a whole "
                                + "number of minutes from 1 to 1440"),
                Arguments.of("[transaction_counter]\nenable = \"yes\"\n",
                        "deployment.toml line 2: [transaction_counter] enable = \"yes\": expected true or false"),
                Arguments.of("[transaction_counter]\nupdate_intervall = 1\n",
                        "deployment.toml line 2: unknown key \"update_intervall\" in [transaction_counter]. Known keys:"
                                + " [data_source, enable, update_interval]"),
                Arguments.of("[billing]\ntime_zone = \"Mars/Olympus\"\n",
                        "deployment.toml line 2: [billing] time_zone = \"Mars/Olympus\": expected a time zone id"),
                Arguments.of("[node]\nid = \"has space\"\n",
                        "deployment.toml line 2: [node] id = \"has space\": expected 1 to 64 letters"),
                Arguments.of("[[datasource]]\nid = \"WSO2_TRANSACTION_DB\"\nurl = \"postgres://x\"\n",
                        "deployment.toml line 3: [[datasource]] #1 url = \"postgres://x\": expected a JDBC URL"),
                Arguments.of("[[datasource]]\nid = \"WSO2_TRANSACTION_DB\"\nurl = \"jdbc:h2:mem:x\"\n"
                                + "pool_options.maxActiv = 5\n",
                        "deployment.toml line 4: unknown key \"maxActiv\" in [[datasource]] #1 pool_options."),
                Arguments.of("[[datasource]]\nid = \"WSO2_TRANSACTION_DB\"\nurl = \"jdbc:h2:mem:x\"\n"
                                + "pool_options.maxActive = 0\n",
                        "deployment.toml line 4: [[datasource]] #1 pool_options maxActive = 0: expected a pool size "
                                + "from 1 to 10000"),
                Arguments.of("[[datasource]]\nid = \"WSO2_TRANSACTION_DB\"\nurl = \"jdbc:h2:mem:x\"\n"
                                + "password = \"$secret{missing}\"\n",
                        "deployment.toml line 4: [[datasource]] #1 password = \"$secret{missing}\": expected an alias "
                                + "defined in [secrets]"),
                Arguments.of("[transaction_counter]\nenable = true\nenable = false\n",
                        "deployment.toml line 3: not valid TOML"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource({"badFiles", "badDeduplicationFiles", "badDeploymentBoundaryFiles"})
    void everyMistakeNamesTheLineTheKeyAndWhatWasExpected(String text, String expectedStart) {
        assertThatThrownBy(() -> parse(text))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(expectedStart);
    }


    /** In a file that is all the caller's, every [[datasource]] is the counter's: none is left to a host. */
    static Stream<Arguments> badWholeFiles() {
        return Stream.of(
                Arguments.of("[[datasource]]\nurl = \"jdbc:h2:mem:x\"\n",
                        "deployment.toml line 2: [[datasource]] #1 has no id"),
                Arguments.of("[[datasource]]\nid = \"OTHER\"\nurl = \"jdbc:h2:mem:x\"\n",
                        "deployment.toml: [transaction_counter] data_source = \"WSO2_TRANSACTION_DB\" names no "
                                + "[[datasource]]. Defined ids: [OTHER]"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badWholeFiles")
    void everyDataSourceOfAWholeFileIsChecked(String text, String expectedStart) {
        assertThatThrownBy(() -> parseWholeFile(text))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(expectedStart);
    }

    @Test
    void readsTheDeduplicationSection() {
        DedupeConfig dedupe = parse("""
                [deduplication]
                deployment_id = "prod-eu"
                stamp_secret = "$secret{stamp}"
                stamp_lifetime = 60
                http_chaining = false
                redelivery_window = 5000

                [secrets]
                stamp = "[0123456789abcdef0123456789abcdef]"
                """).dedupe();

        assertThat(dedupe.deploymentId()).isEqualTo("prod-eu");
        assertThat(dedupe.stampSecret()).hasValueSatisfying(secret -> assertThat(new String(secret,
                StandardCharsets.UTF_8)).isEqualTo("0123456789abcdef0123456789abcdef"));
        assertThat(dedupe.stampLifetime()).isEqualTo(Duration.ofMinutes(60));
        assertThat(dedupe.httpChaining()).isFalse();
        assertThat(dedupe.redeliveryWindow()).isEqualTo(5000);
        assertThat(dedupe.toString()).doesNotContain("0123456789abcdef");
    }

    @Test
    void withoutDeduplicationSectionStampsUseDefaults() {
        assertThat(parse("").dedupe()).isEqualTo(DedupeConfig.defaults());
    }

    static Stream<Arguments> badDeduplicationFiles() {
        return Stream.of(
                Arguments.of("[deduplication]\nstamp_secret = \"short\"\n",
                        "deployment.toml line 2: [deduplication] stamp_secret = (hidden, 5 bytes): expected at least "
                                + "32 bytes"),
                Arguments.of("[deduplication]\nhttp_chaining = 1\n",
                        "deployment.toml line 2: [deduplication] http_chaining = 1: expected true or false"));
    }

    @Test
    void readsOwnDestinationsAndLedgerKeys() {
        CounterConfig config = parse("""
                [deduplication]
                spent_stamps = 2000000
                own_queues = ["orders", "billing"]

                [[deduplication.peer]]
                node_id = "node-2"
                url = "http://10.0.0.12:8290/api"

                [ledger]
                key = "[the-new-ledger-key-of-at-least-32-bytes]"
                key_id = "2026-12"

                [[ledger.retired_key]]
                id = "1"
                key = "[the-old-ledger-key-of-at-least-32-bytes]"
                """);

        assertThat(config.dedupe().spentStamps()).isEqualTo(2_000_000);
        assertThat(config.ownDestinations().queues()).containsExactlyInAnyOrder("orders", "billing");
        assertThat(config.ownDestinations().http(URI.create("http://10.0.0.12:8290/api/item/1")))
                .contains("http:node-2");
        assertThat(config.ownDestinations().http(URI.create("http://10.0.0.12:8290/apix"))).isEmpty();
        assertThat(config.ownDestinations().http(URI.create("http://10.0.0.13:8290/api"))).isEmpty();
        assertThat(config.ledgerKeyId()).isEqualTo("2026-12");
        assertThat(config.retiredLedgerKeys()).containsOnlyKeys("1");
    }

    static Stream<Arguments> badDeploymentBoundaryFiles() {
        return Stream.of(
                Arguments.of("[deduplication]\nown_queues = \"orders\"\n",
                        "deployment.toml line 2: [deduplication] own_queues = orders: expected a list of queue"),
                Arguments.of("[[deduplication.peer]]\nnode_id = \"b\"\nurl = \"ftp://x\"\n",
                        "deployment.toml line 3: [[deduplication.peer]] #1 url = \"ftp://x\": expected an http://"),
                Arguments.of("[ledger]\nkey_id = \"2\"\n",
                        "deployment.toml line 2: [ledger] key_id names the configured key"),
                Arguments.of("[ledger]\nkey = \"[the-new-ledger-key-of-at-least-32-bytes]\"\n"
                                + "[[ledger.retired_key]]\nid = \"1\"\n"
                                + "key = \"[the-old-ledger-key-of-at-least-32-bytes]\"\n",
                        "deployment.toml line 4: [[ledger.retired_key]] #1 id = \"1\": expected an id no other"));
    }

    @Test
    void migrateUsesTheOwnerDataSourceWhenOneIsNamed() {
        String datasources = """
                [[datasource]]
                id = "WSO2_TRANSACTION_DB"
                url = "jdbc:postgresql://db/transactiondb"
                username = "txn_app"

                [[datasource]]
                id = "OWNER"
                url = "jdbc:postgresql://db/transactiondb"
                username = "txn_owner"
                """;

        assertThat(parseWholeFile(datasources).migrationDataSource().username()).isEqualTo("txn_app");
        CounterConfig config = parseWholeFile(datasources + "\n[schema]\nowner_data_source = \"OWNER\"\n");
        assertThat(config.dataSource().username()).isEqualTo("txn_app");
        assertThat(config.migrationDataSource().username()).isEqualTo("txn_owner");
        assertThatThrownBy(() -> parseWholeFile(datasources + "\n[schema]\nowner_data_source = \"NOPE\"\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("deployment.toml line 12: [schema] owner_data_source = \"NOPE\": expected "
                        + "the id of a [[datasource]]. Defined ids: [WSO2_TRANSACTION_DB, OWNER]");
    }

    @Test
    void aBadSwitchValueIsNamed() {
        UnaryOperator<String> properties = Map.of("enableTransactionCounter", "maybe")::get;

        assertThatThrownBy(() -> DeploymentToml.parseHosted("", "deployment.toml", properties, NONE))
                .isInstanceOf(ConfigException.class)
                .hasMessage("system property enableTransactionCounter = \"maybe\": expected true or false");
    }

    @Test
    void aMissingFileIsNamed() {
        assertThatThrownBy(() -> DeploymentToml.readHosted(Path.of("/nonexistent/deployment.toml"), NONE, NONE, NONE))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Cannot read /nonexistent/deployment.toml");
    }
}
