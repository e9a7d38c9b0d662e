package org.txcounter.mi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.ConfigException;

/**
 * MI's own deployment.toml, with many sections that are MI's, read through carbon.home: the counter takes its
 * sections and its datasource and leaves the rest to MI, while its own sections stay strict.
 */
class MiDeploymentTomlTest {

    private static final String MI_FILE = """
            [server]
            hostname = "localhost"
            offset = "10"

            [user_store]
            type = "read_only_ldap"

            [keystore.primary]
            file_name = "repository/resources/security/wso2carbon.jks"
            password = "$secret{keystore_password}"
            alias = "wso2carbon"
            key_password = "$secret{keystore_password}"

            [truststore]
            file_name = "repository/resources/security/client-truststore.jks"
            password = "$secret{truststore_password}"

            [[datasource]]
            id = "WSO2_CARBON_DB"
            url = "jdbc:h2:./repository/database/WSO2CARBON_DB;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=60000"
            username = "wso2carbon"
            password = "$secret{carbon_db_password}"
            driver = "org.h2.Driver"
            pool_options.maxActive = 50
            pool_options.maxWait = 60000
            pool_options.testOnBorrow = true
            pool_options.validationQuery = "SELECT 1"

            [[datasource]]
            id = "WSO2_TRANSACTION_DB"
            url = "jdbc:postgresql://db.example.com:5432/transactiondb"
            username = "txn_app"
            password = "$secret{txn_db_password}"
            driver = "org.postgresql.Driver"
            pool_options.maxActive = 20
            pool_options.maxWait = 30000

            [transaction_counter]
            enable = true
            data_source = "WSO2_TRANSACTION_DB"
            update_interval = 5

            [transport.http]
            socket_timeout = 180000
            core_worker_pool_size = 400

            [transport.jms]
            sender_enable = true
            listener_enable = true

            [[transport.jms.sender]]
            name = "myQueueSender"
            parameter.initial_naming_factory = "org.apache.activemq.jndi.ActiveMQInitialContextFactory"
            parameter.provider_url = "tcp://localhost:61616"

            [[synapse_handlers]]
            name = "TransactionCounter"
            class = "org.txcounter.mi.TransactionCounterHandler"

            [mediation]
            flow.statistics.enable = true

            [management_api.jwt]
            enable = true

            [secrets]
            keystore_password = "[wso2carbon]"
            truststore_password = "[wso2carbon]"
            carbon_db_password = "[wso2carbon]"
            txn_db_password = "[txn_app_pw]"
            """;

    @TempDir
    Path home;

    @Test
    void readsMisOwnFileAndTakesOnlyTheCountersSections() throws IOException {
        CounterConfig config = read(MI_FILE);
        assertThat(config.enabled()).isTrue();
        assertThat(config.dataSource().id()).isEqualTo("WSO2_TRANSACTION_DB");
        assertThat(config.dataSource().url()).isEqualTo("jdbc:postgresql://db.example.com:5432/transactiondb");
        assertThat(config.dataSource().password()).isEqualTo("txn_app_pw");
        assertThat(config.updateInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.dataDir()).isEqualTo(home.resolve("data"));
    }

    @Test
    void aTypoInTheCountersSectionIsNamedWithItsLine() throws IOException {
        String typo = MI_FILE.replace("update_interval = 5", "update_intervall = 5");
        long line = MI_FILE.substring(0, MI_FILE.indexOf("update_interval = 5")).lines().count() + 1;
        assertThatThrownBy(() -> read(typo)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("deployment.toml line " + line + ": unknown key \"update_intervall\" in "
                        + "[transaction_counter]");
    }

    private CounterConfig read(String text) throws IOException {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/deployment.toml"), text);
        Map<String, String> properties = Map.of(MiConfiguration.CARBON_HOME, home.toString());
        return MiConfiguration.read(properties::get, name -> null);
    }
}
