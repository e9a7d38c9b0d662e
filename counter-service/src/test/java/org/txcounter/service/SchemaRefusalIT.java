package org.txcounter.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.store.TestDatabases;

/**
 * The packaged service on a database without the counter's schema refuses to start with exit status 2 and names
 * {@code migrate}, on PostgreSQL and on MariaDB, as the README promises; on a database that is merely down it starts,
 * counts and waits for it.
 */
class SchemaRefusalIT {

    @TempDir
    Path workDir;

    private DataSourceConfig emptied;

    @AfterEach
    void restoreTheSchema() {
        if (emptied != null) {
            // The other suites expect the schema of the shared test database.
            TestDatabases.migrate(emptied);
        }
    }

    @Test
    void anEmptyPostgresDatabaseIsRefusedAtTheStartNamingMigrate() throws Exception {
        emptied = TestDatabases.postgres();
        TestDatabases.dropSchema(emptied);
        assertRefused(TestDatabases.postgresApp());
    }

    @Test
    void anEmptyMariaDbDatabaseIsRefusedAtTheStartNamingMigrate() throws Exception {
        emptied = TestDatabases.mariadb();
        TestDatabases.dropSchema(emptied);
        assertRefused(TestDatabases.mariadbApp());
    }

    @Test
    void aDatabaseThatIsDownDoesNotStopTheStart() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort(); // closed again: connections to it are refused
        }
        DataSourceConfig app = TestDatabases.postgresApp();
        writeConfig(app.url().replaceFirst("//127\\.0\\.0\\.1:\\d+/", "//127.0.0.1:" + closedPort + "/"), app);
        ServiceProcess service = ServiceProcess.start(workDir);
        try {
            assertThat(service.startupOutput()).contains("serving");
        } finally {
            service.terminate();
        }
    }

    private void assertRefused(DataSourceConfig app) throws Exception {
        writeConfig(app.url(), app);
        Process start = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target", "txcounter.jar").toAbsolutePath().toString())
                .directory(workDir.toFile()).redirectErrorStream(true).start();
        String output = new String(start.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(start.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(start.exitValue()).as(output).isEqualTo(2);
        assertThat(output).contains("has no transaction counter schema")
                .contains("java -jar txcounter.jar migrate").doesNotContain("serving");
    }

    private void writeConfig(String jdbcUrl, DataSourceConfig app) throws Exception {
        Files.writeString(workDir.resolve("deployment.toml"), """
                [node]
                id = "schema-refusal"

                [management_api]
                port = 0

                """ + PostgresToml.datasource(jdbcUrl, app, ""));
    }
}
