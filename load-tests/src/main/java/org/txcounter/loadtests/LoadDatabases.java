package org.txcounter.loadtests;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.ledger.LedgerKeys;
import org.txcounter.core.ledger.LedgerSigner;
import org.txcounter.core.store.CounterStore;

/**
 * The databases and the ledger key the store's load drivers ({@link StoreLoad}, {@link LedgerFiller},
 * {@link VerifyLoad}) share.
 *
 * <p>The servers are found as the integration tests find them: {@code TXN_TEST_POSTGRES_URL} and
 * {@code TXN_TEST_MARIADB_URL}, the owner account {@code TXN_TEST_*_OWNER}/{@code TXN_TEST_*_OWNER_PASSWORD} (for
 * the schema, emptying the tables and bulk loading) and the runtime account {@code TXN_TEST_*_APP}/
 * {@code TXN_TEST_*_APP_PASSWORD} (for everything the product does). The defaults are the
 * {@code transactiondb_bench} databases and the users {@code .ci/provision-databases.sh} creates.
 *
 * <p>The ledger key is fixed, so that a ledger filled by one run is checked by another. Stateless and thread-safe.
 */
final class LoadDatabases {

    /** The id recorded with every row the load drivers sign. */
    static final String KEY_ID = "load-test";

    /** The tables the product writes, children before the tables they refer to. */
    private static final List<String> TABLES = List.of("txn_interval", "txn_monthly", "txn_span", "txn_adjustment",
            "txn_month_close", "txn_quota_alert", "txn_imported", "txn_archived", "txn_archived_total", "txn_node");

    /** A vendor's server as the load drivers reach it. */
    enum Vendor {
        POSTGRESQL("POSTGRES", "jdbc:postgresql://127.0.0.1:5432/transactiondb_bench"),
        MARIADB("MARIADB", "jdbc:mariadb://127.0.0.1:3306/transactiondb_bench");

        private final String env;
        private final String defaultUrl;

        Vendor(String env, String defaultUrl) {
            this.env = env;
            this.defaultUrl = defaultUrl;
        }

        static Vendor named(String name) {
            return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "postgresql", "postgres", "pg" -> POSTGRESQL;
                case "mariadb", "mysql" -> MARIADB;
                default -> throw new IllegalArgumentException("Unknown database \"" + name
                        + "\": expected postgresql or mariadb.");
            };
        }

        String url() {
            return env("TXN_TEST_" + env + "_URL", defaultUrl);
        }

        /** The owner account: may create and empty tables. */
        DataSourceConfig owner() {
            return DataSourceConfig.of(CounterConfig.DEFAULT_DATA_SOURCE_ID, url(),
                    env("TXN_TEST_" + env + "_OWNER", "txn_owner"), env("TXN_TEST_" + env + "_OWNER_PASSWORD",
                            "txn_owner_pw"));
        }

        /** The runtime account: SELECT, INSERT and UPDATE, as the product runs. */
        DataSourceConfig app() {
            return DataSourceConfig.of(CounterConfig.DEFAULT_DATA_SOURCE_ID, url(),
                    env("TXN_TEST_" + env + "_APP", "txn_app"), env("TXN_TEST_" + env + "_APP_PASSWORD",
                            "txn_app_pw"));
        }

        String label() {
            return this == POSTGRESQL ? "PostgreSQL" : "MariaDB";
        }
    }

    private LoadDatabases() {
    }

    /** The key the load drivers sign with: 32 bytes derived from a fixed phrase. */
    static LedgerSigner signer() {
        try {
            byte[] key = MessageDigest.getInstance("SHA-256")
                    .digest("txcounter load-test ledger key".getBytes(StandardCharsets.US_ASCII));
            return new LedgerSigner(KEY_ID, key);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This JVM cannot compute SHA-256", e);
        }
    }

    /** The keys that check what {@link #signer()} signed. */
    static LedgerKeys keys() {
        return new LedgerKeys(signer(), List.of(), List.of());
    }

    /** Brings the schema up to date with the owner account, as the {@code migrate} command does. */
    static void migrate(Vendor vendor) {
        try (CounterStore store = CounterStore.open(vendor.owner(), Clock.systemUTC())) {
            store.migrate();
        }
    }

    /** Empties the product's tables with the owner account. */
    static void empty(Vendor vendor) throws SQLException {
        DataSourceConfig owner = vendor.owner();
        try (Connection connection = DriverManager.getConnection(owner.url(), owner.username(), owner.password());
                Statement statement = connection.createStatement()) {
            if (vendor == Vendor.POSTGRESQL) {
                statement.executeUpdate("TRUNCATE " + String.join(", ", TABLES));
            } else {
                for (String table : TABLES) {
                    statement.executeUpdate("DELETE FROM " + table);
                }
            }
        }
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
