package org.txcounter.mi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
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

    /** Without a datasource of its own the embedded database is in MI's home, with the rest of the data directory. */
    @Test
    void theEmbeddedDefaultLivesUnderMisHome() throws IOException {
        CounterConfig config = read("[transaction_counter]\nupdate_interval = 1\n");
        assertThat(config.dataDir()).isEqualTo(home.resolve("data"));
        assertThat(config.dataSource()).isEqualTo(CounterConfig.embeddedDataSource(home.resolve("data")));
    }

    @Test
    void aTypoInTheCountersSectionIsNamedWithItsLine() throws IOException {
        String typo = MI_FILE.replace("update_interval = 5", "update_intervall = 5");
        long line = MI_FILE.substring(0, MI_FILE.indexOf("update_interval = 5")).lines().count() + 1;
        assertThatThrownBy(() -> read(typo)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("deployment.toml line " + line + ": unknown key \"update_intervall\" in "
                        + "[transaction_counter]");
    }

    /**
     * A datasource as MI users write it: pool options MI hands to its own pool (initialSize, removeAbandoned), its
     * JMX switch, and a password encrypted in place by MI's cipher tool, resolved through Secure Vault (a stand-in
     * of it in this test: org.wso2.securevault.SecretResolver). The counter starts with them.
     */
    @Test
    void takesMisPoolOptionsJmxSwitchAndCipherToolSecrets() throws IOException {
        String encrypted = "kXzE3u1m0QF0c2uTfD2l9N8mAqkO2B7S1+u5lCk1jH4bZ8mQn0lFvI4=";
        String file = MI_FILE
                .replace("pool_options.maxActive = 20\n", "pool_options.maxActive = 20\npool_options.initialSize = 5\n"
                        + "pool_options.removeAbandoned = true\npool_options.removeAbandonedTimeout = 60\n"
                        + "jmx_enable = false\n")
                .replace("txn_db_password = \"[txn_app_pw]\"", "txn_db_password = \"" + encrypted + "\"");
        org.wso2.securevault.SecretResolver.DECRYPTED.put("txn_db_password", "txn_app_pw");
        try {
            CounterConfig config = read(file, MiSecrets.through(getClass().getClassLoader()));
            assertThat(config.enabled()).isTrue();
            assertThat(config.dataSource().password()).isEqualTo("txn_app_pw");
            assertThat(config.dataSource().maxPoolSize()).isEqualTo(20);
            assertThat(config.dataSource().connectionTimeout()).isEqualTo(Duration.ofSeconds(30));

            // And the handler starts the counter with it (the database is refused at once: it starts without it).
            String local = file.replace("jdbc:postgresql://db.example.com:5432/transactiondb",
                    "jdbc:postgresql://127.0.0.1:1/transactiondb");
            CountingHandler handler = new CountingHandler(() -> {
                try {
                    return read(local, MiSecrets.through(getClass().getClassLoader()));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, java.time.Clock.systemUTC());
            assertThat(handler.handleServerInit()).isTrue();
            assertThat(handler.counter()).isPresent();
            assertThat(handler.handleServerShutDown()).isTrue();

            // The alias the vault does not hold (it answers the alias itself): refused, naming alias and line.
            org.wso2.securevault.SecretResolver.DECRYPTED.clear();
            long line = file.substring(0, file.indexOf("txn_db_password = \"" + encrypted)).lines().count() + 1;
            assertThatThrownBy(() -> read(file, MiSecrets.through(getClass().getClassLoader())))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("deployment.toml line " + line + ": [secrets] txn_db_password = (hidden): "
                            + "the value is encrypted and the host's secure vault could not resolve it");
        } finally {
            org.wso2.securevault.SecretResolver.DECRYPTED.clear();
        }
    }

    /** A pool option the counter knows is still checked: MI's pool would refuse nonsense there too. */
    @Test
    void aKnownPoolOptionWithAWrongValueIsStillRefused() {
        String file = MI_FILE.replace("pool_options.maxActive = 20", "pool_options.maxActive = 0");
        assertThatThrownBy(() -> read(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("maxActive = 0: expected a pool size from 1 to 10000");
    }

    /**
     * On MI 4.0 to 4.2 MI's own counter starts when [transaction_counter] enable (or enableTransactionCounter) is
     * true. The configuration docs/mi-guide.md gives for those versions leaves enable unset: ours counts, MI's stays
     * off.
     */
    @Test
    void theConfigurationForMi40To42LeavesMisOwnCounterOff() throws IOException {
        String file = MI_FILE.replace("enable = true\ndata_source", "data_source");
        assertThat(read(file).enabled()).isTrue();
        assertThat(misOwnCounterEnabled(file, Map.of(), Map.of())).isFalse();
        // What docs/mi-guide.md warns about: MI's switches start both.
        assertThat(misOwnCounterEnabled(MI_FILE, Map.of(), Map.of())).isTrue();
        assertThat(misOwnCounterEnabled(file, Map.of("enableTransactionCounter", "true"), Map.of())).isTrue();
        // And how to switch ours off without touching MI's: enable = false, which MI reads as off too.
        String off = MI_FILE.replace("enable = true", "enable = false");
        assertThat(read(off).enabled()).isFalse();
        assertThat(misOwnCounterEnabled(off, Map.of(), Map.of())).isFalse();
    }

    /**
     * MI 4.0-4.2's switch, as TransactionCountHandlerComponent.isTransactionPropertyEnabled (micro-integrator
     * v4.2.0 l.185-198) decides it: the system property, then the environment variable, then
     * {@code transaction_counter.enable} from the parsed deployment.toml; true only for "true".
     */
    private static boolean misOwnCounterEnabled(String file, Map<String, String> properties,
            Map<String, String> environment) {
        String value = properties.get("enableTransactionCounter");
        if (value == null || value.isEmpty()) {
            value = environment.get("enableTransactionCounter");
            if (value == null || value.isEmpty()) {
                Object parsed = org.tomlj.Toml.parse(file).get("transaction_counter.enable");
                value = parsed == null ? null : parsed.toString();
            }
        }
        return "true".equalsIgnoreCase(value);
    }

    private CounterConfig read(String text) throws IOException {
        return read(text, alias -> null);
    }

    private CounterConfig read(String text, UnaryOperator<String> vault) throws IOException {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/deployment.toml"), text);
        Map<String, String> properties = Map.of(MiConfiguration.CARBON_HOME, home.toString());
        return MiConfiguration.read(properties::get, name -> null, vault);
    }
}
