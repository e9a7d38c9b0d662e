package org.txcounter.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A host's file (WSO2 MI's {@code deployment.toml}): the host's sections are left alone, ours stay strict. */
class DeploymentTomlHostedTest {

    private static final UnaryOperator<String> NONE = name -> null;

    /** An MI 4.x deployment.toml as MI users write it, with the counter's sections added. */
    private static final String MI_DEPLOYMENT = """
            [server]
            hostname = "localhost"
            offset = 0
            enable_mtom = false

            [super_admin]
            username = "admin"
            password = "$secret{admin_password}"
            create_admin_account = true

            [user_store]
            type = "read-only-ldap"
            connection_url = "ldap://localhost:10389"

            [keystore.primary]
            file_name = "repository/resources/security/wso2carbon.jks"
            password = "$secret{keystore_password}"
            alias = "wso2carbon"
            key_password = "$secret{keystore_password}"

            [truststore]
            file_name = "repository/resources/security/client-truststore.jks"
            password = "$secret{keystore_password}"

            [management_api]
            protocols = "HTTPS"

            [management_api.jwt]
            enable = true
            expiry = "15m"

            [transport.http]
            socket_timeout = 180000
            core_worker_pool_size = 400

            [transport.jms]
            sender_enable = true
            listener_enable = true

            [[transport.jms.listener]]
            name = "myQueueListener"
            parameter.initial_naming_factory = "org.apache.activemq.jndi.ActiveMQInitialContextFactory"
            parameter.provider_url = "tcp://localhost:61616"
            parameter.connection_factory_name = "QueueConnectionFactory"
            parameter.connection_factory_type = "queue"

            [[synapse_handlers]]
            name = "TransactionCounterHandler"
            class = "org.txcounter.mi.TransactionCounterHandler"

            [[datasource]]
            id = "WSO2_MB_STORE_DB"
            url = "jdbc:h2:./repository/database/WSO2MB_DB;DB_CLOSE_ON_EXIT=FALSE"
            username = "wso2carbon"
            password = "$secret{mb_db_password}"
            driver = "org.h2.Driver"
            pool_options.maxActive = 50
            pool_options.maxWait = 60000
            pool_options.testOnBorrow = true
            pool_options.validationQuery = "SELECT 1"
            pool_options.removeAbandoned = true
            pool_options.removeAbandonedTimeout = 180

            [[datasource]]
            id = "WSO2_TRANSACTION_DB"
            url = "jdbc:postgresql://db.example.com:5432/transactiondb"
            username = "txn_app"
            password = "$secret{txn_db_password}"
            driver = "org.postgresql.Driver"
            pool_options.maxActive = 20
            pool_options.maxWait = 30000
            pool_options.testOnBorrow = true
            pool_options.validationQuery = "SELECT 1"

            [transaction_counter]
            enable = true
            data_source = "WSO2_TRANSACTION_DB"
            update_interval = 5

            [node]
            id = "mi-node-1"
            data_dir = "/opt/wso2mi/repository/data/txcounter"

            [billing]
            time_zone = "Europe/Berlin"

            [deduplication]
            deployment_id = "mi-prod"
            own_queues = ["orders"]

            [secrets]
            admin_password = "fK8kL3TbeKwjJ0D3aRh7qAZ0kW+LHxzd2bJ6ygz1KVkD"
            keystore_password = "wRyqiC3xOyvU1b4pCsdq7ooHNB2gk8fuPbOQcNXDdU2y"
            mb_db_password = "Zg7cj8L8c7t0e8mRgHd7aQ=="
            txn_db_password = "[s3cret]"

            [system.parameter]
            'enableTransactionCounter' = "true"
            """;

    private static CounterConfig hosted(String text) {
        return DeploymentToml.parseHosted(text, "deployment.toml", NONE, NONE);
    }

    @Test
    void readsTheCountersSectionsOfAnMiFileAndLeavesMisOwnAlone(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("deployment.toml");
        Files.writeString(file, MI_DEPLOYMENT, StandardCharsets.UTF_8);

        CounterConfig config = DeploymentToml.readHosted(file, NONE, NONE, NONE);

        assertThat(config.enabled()).isTrue();
        assertThat(config.updateInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.nodeId()).contains("mi-node-1");
        assertThat(config.dataDir()).isEqualTo(Path.of("/opt/wso2mi/repository/data/txcounter"));
        assertThat(config.billingZone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        DataSourceConfig dataSource = config.dataSource();
        assertThat(dataSource.id()).isEqualTo("WSO2_TRANSACTION_DB");
        assertThat(dataSource.url()).isEqualTo("jdbc:postgresql://db.example.com:5432/transactiondb");
        assertThat(dataSource.username()).isEqualTo("txn_app");
        assertThat(dataSource.password()).isEqualTo("s3cret");
        assertThat(dataSource.maxPoolSize()).isEqualTo(20);
        assertThat(dataSource.connectionTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(dataSource.validationQuery()).contains("SELECT 1");
        assertThat(config.migrationDataSource()).isSameAs(dataSource);
        assertThat(config.dedupe().deploymentId()).isEqualTo("mi-prod");
        assertThat(config.ownDestinations().queues()).containsExactly("orders");
    }

    @Test
    void aTypoInTransactionCounterIsStillNamedWithItsLine() {
        String text = MI_DEPLOYMENT.replace("update_interval = 5", "update_intervall = 5");

        assertThatThrownBy(() -> hosted(text))
                .isInstanceOf(ConfigException.class)
                .hasMessage("deployment.toml line " + lineOf(text, "update_intervall") + ": unknown key "
                        + "\"update_intervall\" in [transaction_counter]. Known keys: [data_source, enable, "
                        + "update_interval]");
    }

    @Test
    void aTypoInNodeIsNamedToo() {
        String text = MI_DEPLOYMENT.replace("data_dir = ", "datadir = ");

        assertThatThrownBy(() -> hosted(text))
                .isInstanceOf(ConfigException.class)
                .hasMessage("deployment.toml line " + lineOf(text, "datadir") + ": unknown key \"datadir\" in "
                        + "[node]. Known keys: [data_dir, id]");
    }

    @Test
    void aTypoInTheCountersDataSourceIsNamedButNotInTheHostsOthers() {
        String counters = MI_DEPLOYMENT.replace("pool_options.maxActive = 20", "pool_options.maxActiv = 20");

        assertThatThrownBy(() -> hosted(counters))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("deployment.toml line " + lineOf(counters, "maxActiv ")
                        + ": unknown key \"maxActiv\" in [[datasource]] #2 pool_options.");
        // WSO2_MB_STORE_DB's removeAbandoned is MI's pool option, not ours to judge.
        assertThat(hosted(MI_DEPLOYMENT).dataSource().id()).isEqualTo("WSO2_TRANSACTION_DB");
    }

    @Test
    void anUnknownTopLevelSectionIsIgnoredInAHost() {
        String text = """
                [transaction_counter]
                update_interval = 2

                [tracing]
                enable = true
                """;

        assertThat(hosted(text).updateInterval()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void theServicesSectionsAreNotReadInAHost() {
        String text = """
                [management_api]
                protocols = "HTTPS"

                [metrics]
                enable = "yes"

                [licence]
                monthly_quota = "many"
                """;

        // Values the service would refuse: the counter does not read these sections at all.
        assertThatCode(() -> hosted(text)).doesNotThrowAnyException();
    }

    @Test
    void anEncryptedSecretTheHostCannotResolveIsRefusedInAHost() {
        String text = MI_DEPLOYMENT.replace("txn_db_password = \"[s3cret]\"", "txn_db_password = \"Zm9vYmFy\"");

        assertThatThrownBy(() -> hosted(text))
                .isInstanceOf(ConfigException.class)
                .hasMessage("deployment.toml line " + lineOf(text, "txn_db_password = ") + ": [secrets] "
                        + "txn_db_password = (hidden): the value is encrypted and the host's secure vault could not "
                        + "resolve it (inside MI: run MI's cipher tool, which encrypts [secrets] at the start, and "
                        + "check conf/security/secret-conf.properties); or give the plain-text value in square "
                        + "brackets, e.g. txn_db_password = \"[my password]\".")
                .hasMessageNotContaining("Zm9vYmFy");
    }

    @Test
    void aMissingAliasIsNamedInAHost() {
        String text = MI_DEPLOYMENT.replace("txn_db_password = \"[s3cret]\"\n", "");

        assertThatThrownBy(() -> hosted(text))
                .isInstanceOf(ConfigException.class)
                .hasMessage("deployment.toml line " + lineOf(text, "password = \"$secret{txn_db_password}\"")
                        + ": [[datasource]] #2 password = \"$secret{txn_db_password}\": expected an alias defined in "
                        + "[secrets]; add txn_db_password = \"[...]\" there");
    }

    @Test
    void enableFollowsMisPrecedenceInAHost() {
        UnaryOperator<String> property = Map.of(DeploymentToml.ENABLE_SWITCH, "false")::get;

        assertThat(DeploymentToml.parseHosted(MI_DEPLOYMENT, "deployment.toml", property, NONE).enabled()).isFalse();
        assertThat(DeploymentToml.parseHosted(MI_DEPLOYMENT.replace("enable = true\ndata_source",
                "enable = false\ndata_source"), "deployment.toml", NONE, NONE).enabled()).isFalse();
        assertThat(hosted(MI_DEPLOYMENT).enabled()).isTrue();
    }

    /** The 1-based line of the first line of {@code text} containing {@code fragment}. */
    private static int lineOf(String text, String fragment) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(fragment)) {
                return i + 1;
            }
        }
        throw new AssertionError("no line contains " + fragment);
    }
}
