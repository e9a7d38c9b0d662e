package org.txcounter.core.store;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The only class that touches Flyway, an optional dependency: {@link CounterStore#migrate} loads it after
 * {@link CounterStore#canMigrate()} found Flyway on the classpath, so a runtime without Flyway never loads it.
 * (Checking for Flyway here would not do: verifying this class loads Flyway's exception type.)
 *
 * <p>Stateless; each call configures its own Flyway.
 *
 * <p>Stateless; safe for any number of threads (Flyway takes a lock in the database while it migrates).
 */
final class FlywayMigration {

    private FlywayMigration() {
    }

    /**
     * Applies the vendor's migrations from {@code db/migration/<vendor>} in the jar.
     *
     * @return how many were applied: 0 when the schema was already current
     */
    static int migrate(DataSource dataSource, Dialect dialect, String description) {
        try {
            return Flyway.configure()
                    .dataSource(dataSource)
                    .locations(dialect.migrationLocation())
                    // Migrations only add tables and columns, and versions are taken by changes made side by side:
                    // a lower version that arrives after a higher one is applied, and is pending until it is.
                    .outOfOrder(true)
                    .load()
                    .migrate()
                    .migrationsExecuted;
        } catch (FlywayException e) {
            throw new StoreException("Cannot migrate the schema of " + description + ": " + e.getMessage()
                    + ". Check that this account may create tables, and that Flyway's module for this database "
                    + "(e.g. flyway-database-postgresql) is on the classpath.", e);
        }
    }
}
