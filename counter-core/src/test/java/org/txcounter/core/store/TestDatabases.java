package org.txcounter.core.store;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Clock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;

/**
 * The databases the integration tests run against.
 *
 * <p>PostgreSQL and MariaDB are the machine's own servers, found through {@code TXN_TEST_POSTGRES_*} and
 * {@code TXN_TEST_MARIADB_*} (defaults: the {@code transactiondb_test} databases and users that
 * {@code .ci/provision-databases.sh} creates). When one cannot be reached the test is skipped with the reason,
 * unless {@code TXN_TEST_DATABASES_REQUIRED=true} (as in CI), where it fails.
 */
public final class TestDatabases {

    private static final boolean REQUIRED = "true".equalsIgnoreCase(System.getenv("TXN_TEST_DATABASES_REQUIRED"));

    private TestDatabases() {
    }

    public static DataSourceConfig h2(Path dataDir) {
        return CounterConfig.embeddedDataSource(dataDir);
    }

    /**
     * H2 in a vendor's compatibility mode ({@code MSSQLServer}, {@code Oracle}, {@code DB2}, {@code MySQL}): the
     * store then uses that vendor's dialect and migrations, so their SQL runs without the vendor's server.
     */
    public static DataSourceConfig h2InMode(Path dataDir, String mode) {
        String file = dataDir.toAbsolutePath().resolve("compat-" + mode).toString();
        return DataSourceConfig.of(CounterConfig.DEFAULT_DATA_SOURCE_ID,
                "jdbc:h2:file:" + file + ";MODE=" + mode + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0", "sa", "");
    }

    /** The PostgreSQL test database as its owner (may run DDL). */
    public static DataSourceConfig postgres() {
        return reachable("PostgreSQL", DataSourceConfig.of(CounterConfig.DEFAULT_DATA_SOURCE_ID,
                env("TXN_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/transactiondb_test"),
                env("TXN_TEST_POSTGRES_OWNER", "txn_owner"),
                env("TXN_TEST_POSTGRES_OWNER_PASSWORD", "txn_owner_pw")));
    }

    /** The MariaDB test database as its owner (may run DDL). */
    public static DataSourceConfig mariadb() {
        return reachable("MariaDB", DataSourceConfig.of(CounterConfig.DEFAULT_DATA_SOURCE_ID,
                env("TXN_TEST_MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/transactiondb_test"),
                env("TXN_TEST_MARIADB_OWNER", "txn_owner"),
                env("TXN_TEST_MARIADB_OWNER_PASSWORD", "txn_owner_pw")));
    }

    /** The PostgreSQL test database as the runtime account: SELECT, INSERT and UPDATE only. */
    public static DataSourceConfig postgresApp() {
        return reachable("PostgreSQL", DataSourceConfig.of(CounterConfig.DEFAULT_DATA_SOURCE_ID,
                env("TXN_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/transactiondb_test"),
                env("TXN_TEST_POSTGRES_APP", "txn_app"),
                env("TXN_TEST_POSTGRES_APP_PASSWORD", "txn_app_pw")));
    }

    /**
     * The MariaDB test database as its owner, through MySQL's own driver ({@code mysql-connector-j},
     * {@code jdbc:mysql:}): MariaDB is the one server here that speaks MySQL's protocol, so the driver a MySQL
     * deployment names is exercised on every run, not only where Docker runs MySQL 8.
     */
    public static DataSourceConfig mysqlDriverOnMariadb() {
        String mariadb = env("TXN_TEST_MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/transactiondb_test");
        return reachable("MariaDB (through mysql-connector-j)", DataSourceConfig.of(
                CounterConfig.DEFAULT_DATA_SOURCE_ID, "jdbc:mysql:" + mariadb.substring("jdbc:mariadb:".length()),
                env("TXN_TEST_MARIADB_OWNER", "txn_owner"),
                env("TXN_TEST_MARIADB_OWNER_PASSWORD", "txn_owner_pw")));
    }

    /** The MariaDB test database as the runtime account: SELECT, INSERT and UPDATE only. */
    public static DataSourceConfig mariadbApp() {
        return reachable("MariaDB", DataSourceConfig.of(CounterConfig.DEFAULT_DATA_SOURCE_ID,
                env("TXN_TEST_MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/transactiondb_test"),
                env("TXN_TEST_MARIADB_APP", "txn_app"),
                env("TXN_TEST_MARIADB_APP_PASSWORD", "txn_app_pw")));
    }

    /** Brings the schema up to date as the {@code migrate} command does, with the given (owner) account. */
    public static void migrate(DataSourceConfig owner) {
        try (CounterStore store = CounterStore.open(owner, Clock.systemUTC())) {
            store.migrate();
        }
    }

    /** Drops the counter's tables and the migration history, leaving an empty database. */
    public static void dropSchema(DataSourceConfig owner) {
        try (Connection connection = DriverManager.getConnection(owner.url(), owner.username(), owner.password());
                Statement statement = connection.createStatement()) {
            for (String table : new String[] {"txn_interval", "txn_monthly", "txn_node", "txn_month_close",
                    "txn_adjustment", "txn_span", "txn_quota_alert", "txn_imported", "txn_archived",
                    "txn_archived_total", "flyway_schema_history"}) {
                try {
                    statement.executeUpdate("DROP TABLE " + table);
                } catch (SQLException e) {
                    // Not there: nothing to drop.
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot drop the schema of " + owner.url(), e);
        }
    }

    /** Empties the counter's tables, if they exist, so each test starts from nothing. */
    public static void wipe(DataSourceConfig dataSource) {
        try (Connection connection = DriverManager.getConnection(dataSource.url(), dataSource.username(),
                dataSource.password()); Statement statement = connection.createStatement()) {
            for (String table : new String[] {"txn_interval", "txn_monthly", "txn_node", "txn_month_close",
                    "txn_adjustment", "txn_span", "txn_quota_alert", "txn_imported", "txn_archived",
                    "txn_archived_total"}) {
                try {
                    statement.executeUpdate("DELETE FROM " + table);
                } catch (SQLException e) {
                    // The table does not exist yet: the first migration creates it empty.
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot empty the test database " + dataSource.url(), e);
        }
    }

    private static DataSourceConfig reachable(String name, DataSourceConfig dataSource) {
        Optional<String> problem = probe(dataSource);
        if (problem.isPresent()) {
            String reason = name + " is not reachable at " + dataSource.url() + " as " + dataSource.username() + ": "
                    + problem.get() + ". Start it and run .ci/provision-databases.sh.";
            if (REQUIRED) {
                fail(reason + " (TXN_TEST_DATABASES_REQUIRED=true, so this fails instead of skipping)");
            }
            Assumptions.abort(reason);
        }
        return dataSource;
    }

    private static Optional<String> probe(DataSourceConfig dataSource) {
        DriverManager.setLoginTimeout(5);
        try (Connection connection = DriverManager.getConnection(dataSource.url(), dataSource.username(),
                dataSource.password())) {
            return connection.isValid(5) ? Optional.empty() : Optional.of("the connection is not valid");
        } catch (SQLException e) {
            return Optional.of(e.getMessage());
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
