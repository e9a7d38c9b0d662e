package org.txcounter.core.store;

import java.util.Locale;

/**
 * The SQL that differs between databases: the monthly rollup's add-or-insert, and where each vendor's Flyway
 * migrations live. Chosen from the JDBC URL.
 */
public enum Dialect {

    H2("h2", """
            MERGE INTO txn_monthly t
            USING (VALUES (CAST(:period AS INT), CAST(:node AS VARCHAR(64)), CAST(:transport AS VARCHAR(16)),
                           CAST(:count AS BIGINT), CAST(:now AS TIMESTAMP(3))))
                  AS s(billing_period, node_id, transport, txn_count, updated_at)
               ON t.billing_period = s.billing_period AND t.node_id = s.node_id AND t.transport = s.transport
            WHEN MATCHED THEN UPDATE SET txn_count = t.txn_count + s.txn_count, updated_at = s.updated_at
            WHEN NOT MATCHED THEN INSERT (billing_period, node_id, transport, txn_count, updated_at)
                 VALUES (s.billing_period, s.node_id, s.transport, s.txn_count, s.updated_at)
            """),

    POSTGRESQL("postgresql", """
            INSERT INTO txn_monthly (billing_period, node_id, transport, txn_count, updated_at)
            VALUES (:period, :node, :transport, :count, :now)
            ON CONFLICT (billing_period, node_id, transport)
            DO UPDATE SET txn_count = txn_monthly.txn_count + EXCLUDED.txn_count, updated_at = EXCLUDED.updated_at
            """),

    /** MySQL 8 and MariaDB 10.3+; {@code VALUES()} is understood by both. */
    MYSQL("mysql", """
            INSERT INTO txn_monthly (billing_period, node_id, transport, txn_count, updated_at)
            VALUES (:period, :node, :transport, :count, :now)
            ON DUPLICATE KEY UPDATE txn_count = txn_count + VALUES(txn_count), updated_at = VALUES(updated_at)
            """);

    private final String migrationFolder;
    private final String addToMonthly;

    Dialect(String migrationFolder, String addToMonthly) {
        this.migrationFolder = migrationFolder;
        this.addToMonthly = addToMonthly;
    }

    /** The dialect for a JDBC URL. */
    public static Dialect forUrl(String jdbcUrl) {
        String url = jdbcUrl.toLowerCase(Locale.ROOT);
        if (url.startsWith("jdbc:h2:")) {
            return H2;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        if (url.startsWith("jdbc:mysql:") || url.startsWith("jdbc:mariadb:")) {
            return MYSQL;
        }
        throw new StoreException("Unsupported database URL \"" + jdbcUrl + "\": expected jdbc:h2:, jdbc:postgresql:, "
                + "jdbc:mysql: or jdbc:mariadb:.");
    }

    /** The classpath location of this vendor's Flyway migrations. */
    public String migrationLocation() {
        return "classpath:db/migration/" + migrationFolder;
    }

    /** Adds {@code :count} to the month's row for {@code (:period, :node, :transport)}, creating it if absent. */
    String addToMonthly() {
        return addToMonthly;
    }
}
