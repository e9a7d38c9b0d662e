package org.txcounter.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.ledger.LedgerFinding;
import org.txcounter.core.store.ImportedMonth;
import org.txcounter.core.store.TestDatabases;
import org.txcounter.service.cli.Commands;
import org.txcounter.service.config.ServiceToml;

/**
 * {@code import-mi} against a real database holding MI's own {@code CURRENT_STATS} table (MI's definition, in the
 * test database beside the counter's {@code txn_*} tables, whose names it does not share), with node ids that run
 * across month boundaries and a restart that brings a new node id:
 *
 * <pre>
 *   node id  2026-01  2026-02  2026-03  2026-04    (MI's cumulative rows)
 *   mi-a1       1000     2500     2700             ran January to early March, then the runtime restarted
 *   mi-a2                         800     1800     the same runtime after the restart
 *   mi-b1                300                       a second runtime, February only
 * </pre>
 *
 * The traffic of each month is January 1000, February 1500 + 300 = 1800, March 200 + 800 = 1000, April 1000; MI's
 * own sums were 1000, 2800, 3500 and 1800.
 */
abstract class MiImportContract {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private Path toml;

    /** The counter's database as its owner: the MI fixture is created in it, and migrations run with it. */
    abstract DataSourceConfig owner();

    /** The counter's database as the runtime account, as deployment.toml names it. */
    abstract DataSourceConfig app();

    /** MI's table definition for this vendor, as MI's own database scripts create it. */
    abstract String miTable();

    @BeforeEach
    void prepare() throws Exception {
        DataSourceConfig owner = owner();
        TestDatabases.migrate(owner);
        TestDatabases.wipe(owner);
        try (Connection connection = connect(owner); Statement statement = connection.createStatement()) {
            try {
                statement.executeUpdate("DROP TABLE CURRENT_STATS");
            } catch (SQLException e) {
                // Not there yet.
            }
            statement.executeUpdate(miTable());
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO CURRENT_STATS (TIME_STAMP, "
                    + "NODE_ID, TRANSACTION_COUNT, TRANSACTION_COUNT_ENCRYPTED) VALUES (?, ?, ?, ?)")) {
                miRow(insert, "2026-01-01", "mi-a1", 1000);
                miRow(insert, "2026-02-01", "mi-a1", 2500);
                miRow(insert, "2026-03-01", "mi-a1", 2700);
                miRow(insert, "2026-03-05", "mi-a2", 800);
                miRow(insert, "2026-04-01", "mi-a2", 1800);
                miRow(insert, "2026-02-01", "mi-b1", 300);
            }
        }
        Path password = dir.resolve("mi-password");
        Files.writeString(password, owner.password());
        DataSourceConfig app = app();
        toml = dir.resolve("deployment.toml");
        Files.writeString(toml, """
                [[datasource]]
                id = "WSO2_TRANSACTION_DB"
                url = "%s"
                username = "%s"
                password = "%s"

                [node]
                id = "importer"
                data_dir = "%s"

                [ledger]
                key = "[a ledger key shared by the whole deployment, 32+ bytes]"
                """.formatted(app.url(), app.username(), app.password(), dir.resolve("data")));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() throws SQLException {
        System.setOut(originalOut);
        System.setErr(originalErr);
        try (Connection connection = connect(owner()); Statement statement = connection.createStatement()) {
            statement.executeUpdate("DROP TABLE CURRENT_STATS");
        }
    }

    private static Connection connect(DataSourceConfig config) throws SQLException {
        return DriverManager.getConnection(config.url(), config.username(), config.password());
    }

    private static void miRow(PreparedStatement insert, String date, String node, int count) throws SQLException {
        insert.setObject(1, LocalDate.parse(date));
        insert.setString(2, node);
        insert.setInt(3, count);
        insert.setString(4, "MI's RSA ciphertext of " + count);
        insert.executeUpdate();
    }

    private int importMi() {
        out.reset();
        err.reset();
        DataSourceConfig owner = owner();
        return Commands.run("import-mi", "--from", owner.url(), "--user", owner.username(), "--password-file",
                dir.resolve("mi-password").toString(), toml.toString());
    }

    private static ImportedMonth month(String month, String node, long raw, long count) {
        return new ImportedMonth(YearMonth.parse(month), node, "MI", raw, count, null);
    }

    @Test
    void eachMonthGetsItsOwnTrafficOnceAndVerifyNamesTheImportedRows() throws Exception {
        assertThat(importMi()).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(
                "2026-01         1           1000           1000              0",
                "2026-02         2           2800           1800           1000",
                "2026-03         2           3500           1000           2500",
                "2026-04         1           1800           1000            800",
                "Imported 6 month total(s)", "0 were imported before");

        try (TransactionCounter counter = TransactionCounter.open(
                ServiceToml.read(toml).counter(), Clock.systemUTC())) {
            List<ImportedMonth> stored = new ArrayList<>();
            Internals.store(counter).imported(YearMonth.of(2026, 1), YearMonth.of(2026, 12)).forEach(row ->
                    stored.add(new ImportedMonth(row.month(), row.nodeId(), row.source(), row.rawCount(),
                            row.count(), null)));
            assertThat(stored).containsExactly(
                    month("2026-01", "mi-a1", 1000, 1000),
                    month("2026-02", "mi-a1", 2500, 1500),
                    month("2026-02", "mi-b1", 300, 300),
                    month("2026-03", "mi-a1", 2700, 200),
                    month("2026-03", "mi-a2", 800, 800),
                    month("2026-04", "mi-a2", 1800, 1000));

            // A second run adds nothing.
            assertThat(importMi()).as(err.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("Imported 0 month total(s)",
                    "6 were imported before and are unchanged");
            assertThat(Internals.store(counter).imported(YearMonth.of(2026, 1), YearMonth.of(2026, 12))).hasSize(6);
            assertThat(Internals.verifyLedger(counter)).isEmpty();

            Javalin app = TestApi.plain(counter, Clock.systemUTC());
            try {
                JsonNode verify = JSON.readTree(get(app, "/transaction/verify", TestUsers.admin()));
                assertThat(verify.get("valid").asBoolean()).isTrue();
                assertThat(verify.get("imported")).hasSize(6);
                assertThat(verify.at("/imported/1").toString()).isEqualTo("{\"source\":\"MI\",\"month\":\"2026-02\","
                        + "\"nodeId\":\"mi-a1\",\"miCount\":2500,\"count\":1500}");

                JsonNode report = JSON.readTree(get(app, "/transaction/report?start=2026-01&end=2026-04",
                        TestUsers.viewer()));
                assertThat(report.at("/imported/total").asLong()).isEqualTo(4800);
                assertThat(report.at("/imported/miTotal").asLong()).isEqualTo(9100);
                assertThat(get(app, "/transaction/report?start=2026-02&end=2026-02&format=csv", TestUsers.viewer()))
                        .isEqualTo("month,node_id,transport,transaction_count\r\n"
                                + "2026-02,mi-a1,MI_IMPORTED,1500\r\n2026-02,mi-b1,MI_IMPORTED,300\r\n");
                JsonNode mi = JSON.readTree(get(app, "/management/transactions/report?start=2026-03&end=2026-03",
                        TestUsers.viewer())).get("TransactionCountData");
                assertThat(mi.get(1).get(0).asText() + "," + mi.get(1).get(1).asText() + ","
                        + mi.get(1).get(2).asText()).isEqualTo("2026-03-01,mi-a1,200");
                assertThat(mi.get(1).get(3).asText()).startsWith("imported-mi:mi_count=2700:mac=");
                assertThat(JSON.readTree(get(app, "/management/transactions/count?year=2026&month=2",
                        TestUsers.viewer())).get("TransactionCount").asLong()).isEqualTo(1800);
                // The command line's count of an imported month shows it, marked as imported.
                Path password = Files.writeString(dir.resolve("viewer-password"), TestUsers.VIEWER_PASSWORD);
                out.reset();
                assertThat(Commands.run("count", "--url", "http://127.0.0.1:" + app.port(), "--user",
                        TestUsers.VIEWER, "--password-file", password.toString(), "--year", "2026", "--month", "2",
                        toml.toString())).as(err.toString(StandardCharsets.UTF_8)).isZero();
                assertThat(out.toString(StandardCharsets.UTF_8)).contains("2026-02 (UTC): 1800 transactions",
                        "imported from MI's counter (import-mi): 1800");
            } finally {
                app.stop();
            }

            // An imported total edited in the database is named by verify.
            try (Connection connection = connect(owner()); Statement statement = connection.createStatement()) {
                assertThat(statement.executeUpdate("UPDATE txn_imported SET txn_count = 150 WHERE node_id = 'mi-a1' "
                        + "AND billing_period = 202602")).isEqualTo(1);
            }
            List<LedgerFinding> findings = Internals.verifyLedger(counter);
            assertThat(findings).hasSize(1);
            assertThat(findings.get(0).kind()).isEqualTo(LedgerFinding.Kind.EDITED);
            assertThat(findings.get(0).nodeId()).isEqualTo("mi-a1");
            assertThat(findings.get(0).detail()).contains("imported from MI for period 202602", "corrected 150");
        }
    }

    @Test
    void aMonthThatChangedInMiSinceTheLastImportIsNotOverwrittenAndNothingIsWritten() throws Exception {
        assertThat(importMi()).isZero();
        try (Connection connection = connect(owner()); Statement statement = connection.createStatement()) {
            statement.executeUpdate("UPDATE CURRENT_STATS SET TRANSACTION_COUNT = 1900 WHERE NODE_ID = 'mi-a2' "
                    + "AND TRANSACTION_COUNT = 1800");
            statement.executeUpdate("INSERT INTO CURRENT_STATS (TIME_STAMP, NODE_ID, TRANSACTION_COUNT, "
                    + "TRANSACTION_COUNT_ENCRYPTED) VALUES (DATE '2026-05-01', 'mi-a2', 2000, 'x')");
        }
        assertThat(importMi()).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Nothing was imported: 1 month(s)",
                "2026-04 node mi-a2: stored MI count 1800 (corrected 1000), now 1900 (corrected 1100)");
        try (Connection connection = connect(owner()); Statement statement = connection.createStatement();
                var rs = statement.executeQuery("SELECT COUNT(*) FROM txn_imported")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).as("May was rolled back with the rest").isEqualTo(6);
        }
    }

    private static String get(Javalin app, String path, String authorization) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + app.port() + path)).header("Authorization", authorization)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }
}
