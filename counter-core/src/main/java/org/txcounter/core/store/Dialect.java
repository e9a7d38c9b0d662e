package org.txcounter.core.store;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.txcounter.core.config.DataSourceConfig;

/**
 * What differs between databases: the monthly rollup's add-or-insert and where each vendor's Flyway migrations
 * live. Chosen from the JDBC URL. An H2 URL with {@code MODE=MSSQLServer}, {@code Oracle}, {@code DB2},
 * {@code MySQL} or {@code MariaDB} gets that vendor's dialect and migrations, which is how the tests run every
 * vendor's SQL where the vendor's own server is not available.
 *
 * <p>The add-or-insert needs no extra locking hint (such as SQL Server's {@code HOLDLOCK}): a rollup row belongs
 * to one node, and the store's write transaction holds that node's {@code txn_node} row lock before it touches the
 * rollup, so two writers never race for the same row.
 *
 * <p>Immutable; safe to share between threads.
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
            """),

    SQLSERVER("sqlserver", """
            MERGE INTO txn_monthly AS t
            USING (VALUES (:period, :node, :transport, :count, :now))
                  AS s (billing_period, node_id, transport, txn_count, updated_at)
               ON t.billing_period = s.billing_period AND t.node_id = s.node_id AND t.transport = s.transport
            WHEN MATCHED THEN UPDATE SET txn_count = t.txn_count + s.txn_count, updated_at = s.updated_at
            WHEN NOT MATCHED THEN INSERT (billing_period, node_id, transport, txn_count, updated_at)
                 VALUES (s.billing_period, s.node_id, s.transport, s.txn_count, s.updated_at);
            """),

    ORACLE("oracle", """
            MERGE INTO txn_monthly t
            USING (SELECT CAST(:period AS NUMBER(10)) AS billing_period, CAST(:node AS VARCHAR2(64)) AS node_id,
                          CAST(:transport AS VARCHAR2(16)) AS transport, CAST(:count AS NUMBER(19)) AS txn_count,
                          CAST(:now AS TIMESTAMP(3)) AS updated_at FROM dual) s
               ON (t.billing_period = s.billing_period AND t.node_id = s.node_id AND t.transport = s.transport)
            WHEN MATCHED THEN UPDATE SET t.txn_count = t.txn_count + s.txn_count, t.updated_at = s.updated_at
            WHEN NOT MATCHED THEN INSERT (billing_period, node_id, transport, txn_count, updated_at)
                 VALUES (s.billing_period, s.node_id, s.transport, s.txn_count, s.updated_at)
            """),

    DB2("db2", """
            MERGE INTO txn_monthly t
            USING (VALUES (CAST(:period AS INTEGER), CAST(:node AS VARCHAR(64)), CAST(:transport AS VARCHAR(16)),
                           CAST(:count AS BIGINT), CAST(:now AS TIMESTAMP(3))))
                  AS s(billing_period, node_id, transport, txn_count, updated_at)
               ON t.billing_period = s.billing_period AND t.node_id = s.node_id AND t.transport = s.transport
            WHEN MATCHED THEN UPDATE SET txn_count = t.txn_count + s.txn_count, updated_at = s.updated_at
            WHEN NOT MATCHED THEN INSERT (billing_period, node_id, transport, txn_count, updated_at)
                 VALUES (s.billing_period, s.node_id, s.transport, s.txn_count, s.updated_at)
            """);

    private static final Pattern H2_MODE = Pattern.compile(";MODE=([A-Za-z0-9]+)", Pattern.CASE_INSENSITIVE);

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
            Matcher mode = H2_MODE.matcher(jdbcUrl);
            return mode.find() ? forH2Mode(mode.group(1), jdbcUrl) : H2;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        if (url.startsWith("jdbc:mysql:") || url.startsWith("jdbc:mariadb:")) {
            return MYSQL;
        }
        if (url.startsWith("jdbc:sqlserver:")) {
            return SQLSERVER;
        }
        if (url.startsWith("jdbc:oracle:")) {
            return ORACLE;
        }
        if (url.startsWith("jdbc:db2:")) {
            return DB2;
        }
        throw new StoreException("Unsupported database URL \"" + jdbcUrl + "\": expected jdbc:postgresql:, "
                + "jdbc:mysql:, jdbc:mariadb:, jdbc:sqlserver:, jdbc:oracle:, jdbc:db2: or jdbc:h2:.");
    }

    private static Dialect forH2Mode(String mode, String jdbcUrl) {
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "mssqlserver" -> SQLSERVER;
            case "oracle" -> ORACLE;
            case "db2" -> DB2;
            case "mysql", "mariadb" -> MYSQL;
            case "postgresql" -> POSTGRESQL;
            case "regular", "strict", "legacy" -> H2;
            default -> throw new StoreException("Unsupported H2 compatibility mode \"" + mode + "\" in " + jdbcUrl
                    + ": expected MSSQLServer, Oracle, DB2, MySQL, MariaDB, PostgreSQL or none.");
        };
    }

    /** The classpath location of this vendor's Flyway migrations. */
    public String migrationLocation() {
        return "classpath:db/migration/" + migrationFolder;
    }

    /** The folder under {@code sql/flyway/} and {@code sql/scripts/} that holds this vendor's SQL. */
    public String folder() {
        return migrationFolder;
    }

    /**
     * The driver properties that bound how long this vendor's driver waits, in the units each driver takes:
     * <ul>
     *   <li>PostgreSQL: {@code connectTimeout}, {@code loginTimeout}, {@code socketTimeout} and
     *       {@code cancelSignalTimeout} (seconds). The last bounds the cancel request that the statement timeout
     *       sends over a connection of its own; the statement waits for it to end, and the driver's 10 s would
     *       otherwise hold a write to a hanging database for 10 s beyond its socket timeout;</li>
     *   <li>MySQL and MariaDB: {@code connectTimeout}, {@code socketTimeout} (milliseconds);</li>
     *   <li>SQL Server: {@code loginTimeout} (seconds), {@code socketTimeout} (milliseconds);</li>
     *   <li>Oracle: {@code oracle.net.CONNECT_TIMEOUT}, {@code oracle.jdbc.ReadTimeout} (milliseconds);</li>
     *   <li>DB2: {@code loginTimeout}, {@code blockingReadConnectionTimeout} (seconds);</li>
     *   <li>H2: none; the embedded database has no connection to lose, and its statements get the statement
     *       timeout like every vendor's (JDBC {@code setQueryTimeout}).</li>
     * </ul>
     */
    Map<String, String> timeoutProperties(DataSourceConfig.Timeouts timeouts) {
        String connectMillis = Long.toString(timeouts.connect().toMillis());
        String socketMillis = Long.toString(timeouts.socket().toMillis());
        String connectSeconds = Long.toString(seconds(timeouts.connect()));
        String socketSeconds = Long.toString(seconds(timeouts.socket()));
        return switch (this) {
            case POSTGRESQL -> Map.of("connectTimeout", connectSeconds, "loginTimeout", connectSeconds,
                    "socketTimeout", socketSeconds, "cancelSignalTimeout", connectSeconds);
            case MYSQL -> Map.of("connectTimeout", connectMillis, "socketTimeout", socketMillis);
            case SQLSERVER -> Map.of("loginTimeout", connectSeconds, "socketTimeout", socketMillis);
            case ORACLE -> Map.of("oracle.net.CONNECT_TIMEOUT", connectMillis, "oracle.jdbc.ReadTimeout", socketMillis);
            case DB2 -> Map.of("loginTimeout", connectSeconds, "blockingReadConnectionTimeout", socketSeconds);
            case H2 -> Map.of();
        };
    }

    /** Whole seconds, rounded up, at least 1: what drivers that count in seconds are given. */
    static long seconds(Duration duration) {
        return Math.max(1, (duration.toMillis() + 999) / 1000);
    }

    /** Adds {@code :count} to the month's row for {@code (:period, :node, :transport)}, creating it if absent. */
    String addToMonthly() {
        return addToMonthly;
    }
}
