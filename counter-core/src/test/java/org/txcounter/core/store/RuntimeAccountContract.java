package org.txcounter.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.DatabaseStatus;
import org.txcounter.core.MutableClock;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounter;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.internal.Internals;

/**
 * The split between the owner account that runs {@code migrate} and the runtime account that only reads and
 * writes rows, on a real server.
 */
abstract class RuntimeAccountContract {

    @TempDir
    Path dataDir;

    abstract DataSourceConfig owner();

    abstract DataSourceConfig runtime();

    abstract Dialect dialect();

    private TransactionCounter open(MutableClock clock) {
        return TransactionCounter.open(CounterConfig.builder().dataSource(runtime()).dataDir(dataDir)
                .nodeId("least-privilege").build(), clock);
    }

    @Test
    void anEmptyDatabaseIsRefusedWithTheCommandThatFixesItAndMigrateIsIdempotent() throws Exception {
        MutableClock clock = MutableClock.at("2026-09-01T00:00:00Z");
        TestDatabases.dropSchema(owner());

        // The counter starts all the same (counting and journaling); what it needs is said where readiness reads it.
        try (TransactionCounter refused = open(clock)) {
            assertThat(refused.databaseStatus().state()).isEqualTo(DatabaseStatus.State.SCHEMA_OUTDATED);
            assertThat(refused.databaseStatus().detail())
                    .contains("has no transaction counter schema")
                    .contains("java -jar txcounter.jar migrate");
        }

        try (CounterStore store = CounterStore.open(owner(), clock)) {
            assertThat(store.migrate()).isEqualTo(migrationCount(store.dialect()));
            assertThat(store.migrate()).isZero();
        }
        try (TransactionCounter counter = open(clock)) {
            assertThat(counter.count(counter.currentMonth()).total()).isZero();
        }
    }

    @Test
    void aSchemaAppliedByHandFromTheDbaScriptIsAccepted() throws Exception {
        TestDatabases.dropSchema(owner());
        DataSourceConfig owner = owner();
        try (Connection connection = DriverManager.getConnection(owner.url(), owner.username(), owner.password());
                Statement statement = connection.createStatement()) {
            for (String sql : DbaScriptsTest.statements(dialect())) {
                statement.execute(sql);
            }
        }
        MutableClock clock = MutableClock.at("2026-09-01T00:00:00Z");
        try (TransactionCounter counter = open(clock)) {
            counter.meter().counter(Transport.JMS).record();
            clock.advance(Duration.ofMinutes(1));
            assertThat(Internals.flusher(counter).flushDue()).isZero();
            assertThat(counter.count(counter.currentMonth()).counts().get(Transport.JMS)).isEqualTo(1);
        }
        TestDatabases.dropSchema(owner);
    }

    @Test
    void theRuntimeAccountCountsButCannotChangeTheSchemaOrDeleteRows() throws SQLException {
        TestDatabases.migrate(owner());
        TestDatabases.wipe(owner());
        MutableClock clock = MutableClock.at("2026-09-01T00:00:00Z");
        try (TransactionCounter counter = open(clock)) {
            TransportCounter http = counter.meter().counter(Transport.HTTP);
            for (int i = 0; i < 42; i++) {
                http.record();
            }
            clock.advance(Duration.ofMinutes(1));
            assertThat(Internals.flusher(counter).flushDue()).isZero();
            assertThat(counter.count(counter.currentMonth()).total()).isEqualTo(42);
        }

        DataSourceConfig app = runtime();
        try (Connection connection = DriverManager.getConnection(app.url(), app.username(), app.password());
                Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.execute("CREATE TABLE txn_probe (i INT)"))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> statement.execute("DROP TABLE txn_monthly"))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> statement.execute("ALTER TABLE txn_monthly ADD COLUMN note VARCHAR(10)"))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> statement.execute("DELETE FROM txn_interval"))
                    .isInstanceOf(SQLException.class);
        }
    }

    @Test
    void aSchemaWithoutTheLatestMigrationIsOutdatedAndNamesTheMissingVersion() throws SQLException {
        TestDatabases.dropSchema(owner());
        TestDatabases.migrate(owner());
        String latest = latestVersion(dialect());
        DataSourceConfig owner = owner();
        try (Connection connection = DriverManager.getConnection(owner.url(), owner.username(), owner.password());
                Statement statement = connection.createStatement()) {
            assertThat(statement.executeUpdate("DELETE FROM flyway_schema_history WHERE version = '" + latest + "'"))
                    .isEqualTo(1);
        }
        MutableClock clock = MutableClock.at("2026-09-01T00:00:00Z");
        try (TransactionCounter refused = open(clock)) {
            assertThat(refused.connected()).isFalse();
            assertThat(refused.databaseStatus().state()).isEqualTo(DatabaseStatus.State.SCHEMA_OUTDATED);
            assertThat(refused.databaseStatus().detail())
                    .contains("this release needs version " + latest + " (missing: " + latest + ")")
                    .contains("java -jar txcounter.jar migrate");
        }
        TestDatabases.dropSchema(owner);
    }

    @Test
    void aHostsOwnDataSourceIsUsedForExactCountsAndLeftOpen() throws SQLException {
        TestDatabases.migrate(owner());
        TestDatabases.wipe(owner());
        DataSourceConfig app = runtime();
        HikariConfig hostConfig = new HikariConfig();
        hostConfig.setPoolName("host-pool");
        hostConfig.setJdbcUrl(app.url());
        hostConfig.setUsername(app.username());
        hostConfig.setPassword(app.password());
        hostConfig.setMaximumPoolSize(3);
        try (HikariDataSource host = new HikariDataSource(hostConfig)) {
            MutableClock clock = MutableClock.at("2026-09-01T00:00:00Z");
            try (TransactionCounter counter = TransactionCounter.open(CounterConfig.builder().dataSource(host)
                    .dataDir(dataDir).nodeId("hosted").build(), clock)) {
                assertThat(counter.connected()).isTrue();
                assertThat(Internals.store(counter).dialect()).isEqualTo(dialect());
                TransportCounter http = counter.meter().counter(Transport.HTTP);
                TransportCounter jms = counter.meter().counter(Transport.JMS);
                for (int i = 0; i < 1_000; i++) {
                    http.record();
                }
                for (int i = 0; i < 17; i++) {
                    jms.record();
                }
                clock.advance(Duration.ofMinutes(1));
                assertThat(Internals.flusher(counter).flushDue()).isZero();
                http.record();
            }
            // The final flush wrote the last request; the host's pool is the host's and still serves it.
            assertThat(host.isClosed()).isFalse();
            try (Connection connection = host.getConnection(); Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT transport, SUM(txn_count) FROM txn_monthly "
                            + "WHERE node_id = 'hosted' GROUP BY transport ORDER BY transport")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("HTTP");
                assertThat(rows.getLong(2)).isEqualTo(1_001);
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("JMS");
                assertThat(rows.getLong(2)).isEqualTo(17);
                assertThat(rows.next()).isFalse();
            }
        }
    }

    /** The highest version among the vendor's migrations in sql/flyway. */
    private static String latestVersion(Dialect dialect) {
        try (Stream<Path> files = Files.list(DbaScriptsTest.SQL.resolve("flyway").resolve(dialect.folder()))) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> name.matches("V\\d+__.*\\.sql"))
                    .map(name -> Integer.parseInt(name.substring(1, name.indexOf("__"))))
                    .max(Integer::compare).orElseThrow().toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many migrations the vendor's folder in sql/flyway holds. */
    private static long migrationCount(Dialect dialect) {
        try (Stream<Path> files = Files.list(DbaScriptsTest.SQL.resolve("flyway").resolve(dialect.folder()))) {
            return files.filter(file -> file.getFileName().toString().matches("V\\d+__.*\\.sql")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
