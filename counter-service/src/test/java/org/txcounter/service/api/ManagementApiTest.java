package org.txcounter.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.txcounter.core.MutableClock;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounter;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.store.EmbeddedH2;

/** The API over real HTTP, on a real H2 database, with a clock the test moves. */
class ManagementApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private final MutableClock clock = MutableClock.at("2026-11-24T10:00:30Z");
    private final HttpClient http = HttpClient.newHttpClient();
    private TransactionCounter counter;
    private Javalin app;

    @BeforeEach
    void start() {
        counter = TestApi.counter(dataDir, clock);
        app = TestApi.plain(counter, clock);
    }

    @AfterEach
    void stop() {
        app.stop();
        counter.close();
    }

    private HttpResponse<String> get(String pathAndQuery, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest
                .newBuilder(URI.create("http://127.0.0.1:" + app.port() + pathAndQuery))
                .header("Authorization", TestUsers.admin());
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void record(Transport transport, int times) {
        TransportCounter handle = counter.meter().counter(transport);
        for (int i = 0; i < times; i++) {
            handle.record();
        }
    }

    @Test
    void theCountShowsWhatIsUnflushedUntilTheIntervalIsWritten() throws Exception {
        record(Transport.HTTP, 10);
        record(Transport.JMS, 3);

        JsonNode before = JSON.readTree(get("/transaction/count").body());
        assertThat(before.get("year").asInt()).isEqualTo(2026);
        assertThat(before.get("month").asInt()).isEqualTo(11);
        assertThat(before.get("timeZone").asText()).isEqualTo("UTC");
        assertThat(before.get("total").asLong()).isZero();
        // The node reported when it connected: it counts among the month's nodes before its first write.
        assertThat(before.get("nodes").asInt()).isEqualTo(1);
        assertThat(before.at("/unflushed/nodeId").asText()).isEqualTo("node-a");
        assertThat(before.at("/unflushed/total").asLong()).isEqualTo(13);
        assertThat(before.at("/unflushed/byTransport/HTTP").asLong()).isEqualTo(10);
        assertThat(before.at("/unflushed/byTransport/JMS").asLong()).isEqualTo(3);

        clock.advance(Duration.ofMinutes(1));
        Internals.flusher(counter).flushDue();

        HttpResponse<String> response = get("/transaction/count?year=2026&month=11");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        JsonNode after = JSON.readTree(response.body());
        assertThat(after.get("total").asLong()).isEqualTo(13);
        assertThat(after.at("/byTransport/HTTP").asLong()).isEqualTo(10);
        assertThat(after.at("/byTransport/JMS").asLong()).isEqualTo(3);
        assertThat(after.get("nodes").asInt()).isEqualTo(1);
        assertThat(after.at("/unflushed/total").asLong()).isZero();
    }

    @Test
    void anEarlierMonthHasNoUnflushedPart() throws Exception {
        JsonNode october = JSON.readTree(get("/transaction/count?year=2026&month=10").body());

        assertThat(october.get("month").asInt()).isEqualTo(10);
        assertThat(october.get("total").asLong()).isZero();
        assertThat(october.has("unflushed")).isFalse();
    }

    @Test
    void theReportIsJsonByDefaultAndCsvOnRequest() throws Exception {
        record(Transport.HTTP, 4);
        clock.set(Instant.parse("2026-12-01T00:00:00Z"));
        Internals.flusher(counter).flushDue();
        record(Transport.JMS, 2);
        clock.advance(Duration.ofMinutes(1));
        Internals.flusher(counter).flushDue();

        JsonNode json = JSON.readTree(get("/transaction/report?start=2026-11&end=2026-12").body());
        assertThat(json.get("start").asText()).isEqualTo("2026-11");
        assertThat(json.get("end").asText()).isEqualTo("2026-12");
        assertThat(json.get("total").asLong()).isEqualTo(6);
        assertThat(json.get("rows").toString()).isEqualTo("[{\"month\":\"2026-11\",\"nodeId\":\"node-a\","
                + "\"transport\":\"HTTP\",\"count\":4},{\"month\":\"2026-12\",\"nodeId\":\"node-a\","
                + "\"transport\":\"JMS\",\"count\":2}]");

        String expectedCsv = "month,node_id,transport,transaction_count\r\n2026-11,node-a,HTTP,4\r\n"
                + "2026-12,node-a,JMS,2\r\n";
        HttpResponse<String> byFormat = get("/transaction/report?start=2026-11&end=2026-12&format=csv");
        HttpResponse<String> byAccept = get("/transaction/report?start=2026-11&end=2026-12", "Accept", "text/csv");
        for (HttpResponse<String> csv : List.of(byFormat, byAccept)) {
            assertThat(csv.statusCode()).isEqualTo(200);
            assertThat(csv.body()).isEqualTo(expectedCsv);
            assertThat(csv.headers().firstValue("Content-Type")).contains("text/csv; charset=utf-8");
            assertThat(csv.headers().firstValue("Content-Disposition"))
                    .contains("attachment; filename=\"transactions-2026-11-to-2026-12.csv\"");
        }
        HttpResponse<String> forcedJson = get("/transaction/report?start=2026-11&end=2026-12&format=json",
                "Accept", "text/csv");
        assertThat(JSON.readTree(forcedJson.body()).get("total").asLong()).isEqualTo(6);

        // Without end, one month, as the CLI's report without --end.
        JsonNode november = JSON.readTree(get("/transaction/report?start=2026-11").body());
        assertThat(november.get("end").asText()).isEqualTo("2026-11");
        assertThat(november.get("total").asLong()).isEqualTo(4);
    }

    @Test
    void anEmptyPeriodIsAHeaderOnlyCsv() throws Exception {
        HttpResponse<String> csv = get("/transaction/report?start=2026-01&end=2026-12&format=csv");

        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.body()).isEqualTo("month,node_id,transport,transaction_count\r\n");
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("/transaction/count?year=2026", "month"),
                Arguments.of("/transaction/count?month=11", "year"),
                Arguments.of("/transaction/count?year=2026&month=13", "month"),
                Arguments.of("/transaction/count?year=2026&month=0", "month"),
                Arguments.of("/transaction/count?year=2026&month=-1", "month"),
                Arguments.of("/transaction/count?year=2026&month=011", "month"),
                Arguments.of("/transaction/count?year=2026&month=1.5", "month"),
                Arguments.of("/transaction/count?year=26&month=1", "year"),
                Arguments.of("/transaction/count?year=1969&month=12", "year"),
                Arguments.of("/transaction/count?year=twenty&month=1", "year"),
                Arguments.of("/transaction/count?year=99999999999999999999&month=1", "year"),
                Arguments.of("/transaction/count?year=2026&month=99999999999999999999", "month"),
                Arguments.of("/transaction/count?year=&month=1", "year"),
                Arguments.of("/transaction/count?year=2026&month=", "month"),
                Arguments.of("/transaction/count?year=2026&year=2027&month=1", "year"),
                Arguments.of("/transaction/count?year=" + encode("٢٠٢٦") + "&month=1", "year"),
                Arguments.of("/transaction/count?year=2026&month=" + encode("1' OR '1'='1"), "month"),
                Arguments.of("/transaction/count?year=2026&month=" + encode("1\r\nSet-Cookie: x=y"), "month"),
                Arguments.of("/transaction/report?end=2026-12", "start"),
                Arguments.of("/transaction/report?start=2026-1&end=2026-12", "start"),
                Arguments.of("/transaction/report?start=2026-13&end=2026-12", "start"),
                Arguments.of("/transaction/report?start=2026-00&end=2026-12", "start"),
                Arguments.of("/transaction/report?start=26-01&end=2026-12", "start"),
                Arguments.of("/transaction/report?start=2026/01&end=2026-12", "start"),
                Arguments.of("/transaction/report?start=2026-01&end=2026-12-01", "end"),
                Arguments.of("/transaction/report?start=2026-06&end=2026-05", "end"),
                Arguments.of("/transaction/report?start=2000-01&end=2026-12", "end"),
                Arguments.of("/transaction/report?start=2026-01&start=2026-02&end=2026-12", "start"),
                Arguments.of("/transaction/report?start=2026-01&end=2026-12&format=xml", "format"),
                Arguments.of("/transaction/report?start=2026-01&end=2026-12&format=", "format"),
                Arguments.of("/transaction/report?start=" + encode("2026-01; DROP TABLE txn_monthly") + "&end=2026-12",
                        "start"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void everyMalformedParameterIsA400NamingIt(String pathAndQuery, String parameter) throws Exception {
        HttpResponse<String> response = get(pathAndQuery);

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertThat(error.get("status").asInt()).isEqualTo(400);
        assertThat(error.get("code").asText()).isEqualTo("invalid_parameter");
        assertThat(error.get("parameter").asText()).isEqualTo(parameter);
        assertThat(error.get("message").asText()).contains(parameter).doesNotContain("\r", "\n", "Exception");
        assertThat(JSON.readTree(response.body()).size()).isEqualTo(1);
    }

    @Test
    void metricsShowTheCountsMovingAndTheRejectedStamps() throws Exception {
        record(Transport.HTTP, 10);
        counter.ingress().jmsMessage("orders", "not-a-stamp", "ID:1").close();
        counter.ingress().jmsMessage("orders", "not-a-stamp", "ID:2").close();
        clock.advance(Duration.ofMinutes(1));
        Internals.flusher(counter).flushDue();
        record(Transport.HTTP, 5);

        String before = get("/metrics").body();
        assertThat(before).contains("txn_transactions_counted_total{transport=\"HTTP\"} 15.0");
        record(Transport.HTTP, 3);
        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .contains("txn_transactions_counted_total{transport=\"HTTP\"} 18.0")
                .contains("txn_transactions_unflushed{transport=\"HTTP\"} 8.0")
                .contains("txn_flush_writes_total 1.0")
                .contains("txn_flush_failures_total 0.0")
                .contains("txn_flush_write_seconds_total ")
                .contains("txn_journal_age_seconds ")
                .contains("txn_db_pool_connections{state=\"active\"} ")
                .contains("txn_db_pool_connections_max 10.0")
                .contains("txn_transactions_counted_total{transport=\"JMS\"} 2.0")
                .contains("txn_stamps_rejected_total{reason=\"malformed\"} 2.0")
                .contains("txn_stamps_rejected_total{reason=\"bad_signature\"} 0.0")
                .contains("txn_stamps_rejected_total{reason=\"unrecorded\"} 0.0")
                .contains("txn_stamps_spent 0.0")
                .contains("txn_stamps_spent_memory_bytes 2.097152E7")
                .contains("txn_intervals_pending 0.0")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void nodesTellAReportingNodeFromASilentOne() throws Exception {
        record(Transport.HTTP, 3);
        clock.advance(Duration.ofMinutes(1));
        Internals.flusher(counter).flushDue();
        clock.advance(Duration.ofMinutes(1));
        Internals.flusher(counter).flushDue();

        JsonNode reporting = JSON.readTree(get("/transaction/nodes").body());
        assertThat(reporting.at("/nodes/0/nodeId").asText()).isEqualTo("node-a");
        assertThat(reporting.at("/nodes/0/lastSeq").asLong()).isEqualTo(1);
        assertThat(reporting.at("/nodes/0/lastIntervalEnd").asText()).isEqualTo("2026-11-24T10:02:00Z");
        assertThat(reporting.at("/nodes/0/state").asText()).isEqualTo("reporting");

        clock.advance(Duration.ofMinutes(5));
        JsonNode silent = JSON.readTree(get("/transaction/nodes").body());
        assertThat(silent.at("/nodes/0/state").asText()).isEqualTo("silent");
        assertThat(silent.get("silentAfterSeconds").asLong()).isEqualTo(150);
    }

    @Test
    void verifyReportsAnIntactLedgerAndNamesAnEditedRow() throws Exception {
        record(Transport.JMS, 2);
        clock.advance(Duration.ofMinutes(1));
        Internals.flusher(counter).flushDue();

        JsonNode intact = JSON.readTree(get("/transaction/verify").body());
        assertThat(intact.get("valid").asBoolean()).isTrue();
        assertThat(intact.get("findings")).isEmpty();

        DataSourceConfig embedded = EmbeddedH2.secure(CounterConfig.embeddedDataSource(dataDir), dataDir);
        try (Connection connection = DriverManager.getConnection(embedded.url(), "sa", embedded.password());
                Statement statement = connection.createStatement()) {
            statement.executeUpdate("UPDATE txn_interval SET txn_count = 1");
        }
        JsonNode tampered = JSON.readTree(get("/transaction/verify").body());
        assertThat(tampered.get("valid").asBoolean()).isFalse();
        assertThat(tampered.at("/findings/0/kind").asText()).isEqualTo("EDITED");
        assertThat(tampered.at("/findings/0/seq").asLong()).isEqualTo(1);
        assertThat(tampered.at("/findings/0/transport").asText()).isEqualTo("JMS");
    }

    private HttpResponse<String> resume(String checkpoint) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port()
                        + "/transaction/verify/resume")).header("Authorization", TestUsers.admin())
                .POST(HttpRequest.BodyPublishers.ofString(checkpoint)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private long ledgerRows(String where) throws Exception {
        DataSourceConfig embedded = EmbeddedH2.secure(CounterConfig.embeddedDataSource(dataDir), dataDir);
        try (Connection connection = DriverManager.getConnection(embedded.url(), "sa", embedded.password());
                Statement statement = connection.createStatement();
                var rows = statement.executeQuery("SELECT COUNT(*) FROM txn_interval WHERE " + where)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private void tamper(String sql) throws Exception {
        DataSourceConfig embedded = EmbeddedH2.secure(CounterConfig.embeddedDataSource(dataDir), dataDir);
        try (Connection connection = DriverManager.getConnection(embedded.url(), "sa", embedded.password());
                Statement statement = connection.createStatement()) {
            assertThat(statement.executeUpdate(sql)).as(sql).isEqualTo(1);
        }
    }

    @Test
    void aMonthsCheckReadsOnlyThatMonthAndAResumedCheckOnlyWhatCameAfterItsCheckpoint() throws Exception {
        clock.set(Instant.parse("2026-11-30T23:58:30Z"));
        record(Transport.HTTP, 4);
        clock.advance(Duration.ofMinutes(1));
        Internals.flusher(counter).flushDue();
        clock.advance(Duration.ofMinutes(1));
        record(Transport.JMS, 3);
        Internals.flusher(counter).flushDue();
        clock.advance(Duration.ofMinutes(1));
        record(Transport.HTTP, 5);
        Internals.flusher(counter).flushDue();
        long november = ledgerRows("billing_period = 202611");
        long december = ledgerRows("billing_period = 202612");
        assertThat(november).as("November's rows").isPositive();
        assertThat(december).as("December's rows").isPositive();

        JsonNode whole = JSON.readTree(get("/transaction/verify").body());
        assertThat(whole.get("valid").asBoolean()).isTrue();
        assertThat(whole.get("scope").asText()).isEqualTo("whole ledger");
        assertThat(whole.get("rowsRead").asLong()).isEqualTo(november + december);
        assertThat(whole.get("checkpoint").asText()).startsWith("txcounter-verify-checkpoint v1\n");

        JsonNode novemberOnly = JSON.readTree(get("/transaction/verify?from=2026-11").body());
        assertThat(novemberOnly.get("valid").asBoolean()).isTrue();
        assertThat(novemberOnly.get("scope").asText()).isEqualTo("2026-11");
        assertThat(novemberOnly.get("rowsRead").asLong()).isEqualTo(november);
        assertThat(novemberOnly.get("checkpoint").isNull()).as("a check of some months gives no checkpoint").isTrue();
        JsonNode both = JSON.readTree(get("/transaction/verify?from=2026-11&to=2026-12").body());
        assertThat(both.get("scope").asText()).isEqualTo("2026-11 to 2026-12");
        assertThat(both.get("rowsRead").asLong()).isEqualTo(november + december);

        clock.advance(Duration.ofMinutes(1));
        record(Transport.JMS, 6);
        Internals.flusher(counter).flushDue();
        long added = ledgerRows("billing_period = 202612") - december;
        HttpResponse<String> resumed = resume(whole.get("checkpoint").asText());
        assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(200);
        JsonNode since = JSON.readTree(resumed.body());
        assertThat(since.get("valid").asBoolean()).isTrue();
        assertThat(since.get("rowsRead").asLong()).as("only the rows written after the checkpoint").isEqualTo(added);
        assertThat(since.get("scope").asText()).startsWith("since the checkpoint of ");
        String next = since.get("checkpoint").asText();

        tamper("UPDATE txn_interval SET txn_count = 60 WHERE billing_period = 202611 AND transport = 'HTTP'");
        JsonNode decemberOnly = JSON.readTree(get("/transaction/verify?from=2026-12").body());
        assertThat(decemberOnly.get("valid").asBoolean()).as("the edit is in November").isTrue();
        JsonNode novemberAgain = JSON.readTree(get("/transaction/verify?from=2026-11&to=2026-11").body());
        assertThat(novemberAgain.get("valid").asBoolean()).isFalse();
        assertThat(novemberAgain.at("/findings/0/kind").asText()).isEqualTo("EDITED");
        assertThat(novemberAgain.at("/findings/0/transport").asText()).isEqualTo("HTTP");

        HttpResponse<String> forged = resume(next.replaceFirst("(?m)^rows (\\d+)$", "rows 999"));
        assertThat(forged.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(forged.body()).at("/error/parameter").asText()).isEqualTo("checkpoint");
        assertThat(JSON.readTree(forged.body()).at("/error/message").asText()).contains("does not match its MAC");
        HttpResponse<String> empty = resume("");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(empty.body()).at("/error/message").asText()).contains("it is empty");
        HttpResponse<String> garbage = resume("not a checkpoint");
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(garbage.body()).at("/error/message").asText()).startsWith(
                "The checkpoint cannot be read: ");
        HttpResponse<String> backwards = get("/transaction/verify?from=2026-12&to=2026-11");
        assertThat(backwards.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(backwards.body()).at("/error/parameter").asText()).isEqualTo("to");
        HttpResponse<String> toAlone = get("/transaction/verify?to=2026-11");
        assertThat(toAlone.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(toAlone.body()).at("/error/parameter").asText()).isEqualTo("from");
    }

    @Test
    void healthIsLiveAlwaysAndReadyOnlyWithTheDatabase() throws Exception {
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(ready.body()).at("/checks/database").asText()).isEqualTo("UP");
        assertThat(JSON.readTree(ready.body()).at("/checks/schema").asText()).isEqualTo("CURRENT");
        assertThat(JSON.readTree(ready.body()).at("/checks/flusher").asText()).isEqualTo("UP");

        Internals.store(counter).close();
        // The store thread does this every few seconds; this counter has none, so the test does it.
        assertThat(counter.checkDatabase()).isFalse();

        HttpResponse<String> notReady = get("/health/ready");
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(notReady.body()).at("/checks/database").asText()).isEqualTo("DOWN");
        assertThat(JSON.readTree(notReady.body()).at("/checks/schema").asText()).isEqualTo("UNKNOWN");
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
    }

    /**
     * A restart without the journal after the node had counted: readiness names the gap (and stays UP) until an
     * administrator acknowledges it; a viewer may not; a second acknowledgement finds nothing.
     */
    @Test
    void aStartWithoutTheJournalIsShownUntilAnAdministratorAcknowledgesIt() throws Exception {
        record(Transport.HTTP, 4);
        clock.advance(Duration.ofMinutes(1));
        assertThat(Internals.flusher(counter).flushDue()).isZero();
        app.stop();
        counter.close();
        Files.delete(dataDir.resolve("journal"));
        clock.advance(Duration.ofMinutes(3));
        counter = TestApi.counter(dataDir, clock);
        app = TestApi.plain(counter, clock);
        assertThat(counter.connect()).isTrue();

        JsonNode ready = JSON.readTree(get("/health/ready").body());
        assertThat(ready.at("/status").asText()).isEqualTo("UP");
        assertThat(ready.at("/checks/logs").asText()).isEqualTo("UP");
        String gap = ready.at("/checks/journalGap").asText();
        assertThat(gap).startsWith("Node node-a starts without a journal in " + dataDir.toAbsolutePath());

        assertThat(post("/management/journal-gap/acknowledge", TestUsers.viewer()).statusCode()).isEqualTo(403);
        HttpResponse<String> acknowledged = post("/management/journal-gap/acknowledge", TestUsers.admin());
        assertThat(acknowledged.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(acknowledged.body()).at("/acknowledged").asBoolean()).isTrue();
        assertThat(JSON.readTree(acknowledged.body()).at("/journalGap").asText()).isEqualTo(gap);
        assertThat(JSON.readTree(get("/health/ready").body()).at("/checks").has("journalGap")).isFalse();
        assertThat(post("/management/journal-gap/acknowledge", TestUsers.admin()).body())
                .isEqualTo("{\"acknowledged\":false,\"journalGap\":null}");
    }

    private HttpResponse<String> post(String path, String authorization) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .header("Authorization", authorization).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theReadinessProbeNeedsNoCredentialsAndSaysOnlyUpOrDown() throws Exception {
        HttpRequest probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port()
                + "/health/ready/probe")).build();
        HttpResponse<String> ready = http.send(probe, HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("{\"status\":\"UP\"}");

        Internals.store(counter).close();
        // The store thread does this every few seconds; this counter has none, so the test does it.
        assertThat(counter.checkDatabase()).isFalse();

        HttpResponse<String> notReady = http.send(probe, HttpResponse.BodyHandlers.ofString());
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(notReady.body()).isEqualTo("{\"status\":\"DOWN\"}");
    }

    @Test
    void readinessReportsASchemaThatIsBehindThisRelease() throws Exception {
        DataSourceConfig embedded = EmbeddedH2.secure(CounterConfig.embeddedDataSource(dataDir), dataDir);
        try (Connection connection = DriverManager.getConnection(embedded.url(), "sa", embedded.password());
                Statement statement = connection.createStatement()) {
            // The latest migration is forgotten, whichever it is: the schema is then one version behind.
            statement.executeUpdate("DELETE FROM \"flyway_schema_history\" WHERE \"installed_rank\" = "
                    + "(SELECT MAX(\"installed_rank\") FROM \"flyway_schema_history\")");
        }
        assertThat(counter.checkDatabase()).isFalse();
        HttpResponse<String> outdated = get("/health/ready");
        assertThat(outdated.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(outdated.body());
        assertThat(body.at("/checks/database").asText()).isEqualTo("UP");
        assertThat(body.at("/checks/schema").asText()).isEqualTo("OUTDATED");
        assertThat(body.get("status").asText()).isEqualTo("DOWN");
    }

    @Test
    void unknownRoutesAndMethodsGetTheEnvelope() throws Exception {
        HttpResponse<String> missing = get("/transaction/counts");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(missing.body()).at("/error/code").asText()).isEqualTo("not_found");

        HttpResponse<String> post = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.port() + "/transaction/count"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(JSON.readTree(post.body()).at("/error/code").asText()).isEqualTo("method_not_allowed");
    }

    @Test
    void aLostDatabaseIsA503WithoutAStackTrace() throws Exception {
        Internals.store(counter).close();

        HttpResponse<String> response = get("/transaction/count?year=2026&month=10");

        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("database_unavailable");
        assertThat(response.body()).doesNotContain("Exception", "at org.", "jdbc:");
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Test
    void anIdleNodeThatReportsIsCountedAsANodeOfTheMonthAndTheNodesKeysKeepTheirOrder() throws Exception {
        clock.advance(Duration.ofMinutes(1));
        Internals.flusher(counter).flushDue();

        String nodes = get("/transaction/nodes").body();
        assertThat(nodes).startsWith("{\"silentAfterSeconds\":150,\"nodes\":[{\"nodeId\":\"node-a\",\"lastSeq\":0,");
        assertThat(JSON.readTree(nodes).at("/nodes/0/state").asText()).isEqualTo("reporting");
        JsonNode count = JSON.readTree(get("/transaction/count").body());
        assertThat(count.get("total").asLong()).isZero();
        assertThat(count.get("nodes").asInt()).isEqualTo(1);
        // A past month only has the nodes that wrote counts in it.
        assertThat(JSON.readTree(get("/transaction/count?year=2026&month=10").body()).get("nodes").asInt()).isZero();
    }
}
