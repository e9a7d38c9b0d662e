package org.txcounter.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.MutableClock;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounter;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.store.IntervalRow;

/**
 * The {@code /management/...} aliases answer field for field as MI's management API does, and a client written
 * for MI's answers (strict: every field required, no unknown field allowed) reads them. The flow is MI's: Basic
 * credentials to {@code /management/login}, then the bearer token.
 */
class MiCompatibilityTest {

    /** What an {@code mi transaction count} client reads. */
    record MiCount(int Year, int Month, long TransactionCount) {
    }

    /** What an {@code mi} login reads. */
    record MiLogin(String AccessToken) {
    }

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

    @TempDir
    Path dataDir;

    private final MutableClock clock = MutableClock.at("2026-10-31T23:58:00Z");
    private final HttpClient http = HttpClient.newHttpClient();
    private TransactionCounter counter;
    private Javalin app;
    private String token;

    @BeforeEach
    void start() throws Exception {
        counter = TestApi.counter(dataDir, clock);
        app = TestApi.plain(counter, clock);
        HttpResponse<String> login = get("/management/login", TestUsers.viewer());
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(fieldNames(login.body())).containsExactly("AccessToken");
        token = STRICT.readValue(login.body(), MiLogin.class).AccessToken();
    }

    @AfterEach
    void stop() {
        app.stop();
        counter.close();
    }

    private HttpResponse<String> get(String path, String authorization) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .header("Authorization", authorization).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String bearer(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = get(path, "Bearer " + token);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/json"));
        return response.body();
    }

    private static List<String> fieldNames(String json) throws IOException {
        List<String> names = new java.util.ArrayList<>();
        STRICT.readTree(json).fieldNames().forEachRemaining(names::add);
        return names;
    }

    private void record(Transport transport, int times) {
        TransportCounter handle = counter.meter().counter(transport);
        for (int i = 0; i < times; i++) {
            handle.record();
        }
    }

    /** 12 transactions written in October, 5 written in November and 4 counted in November but not written. */
    private void traffic() {
        record(Transport.HTTP, 9);
        record(Transport.JMS, 3);
        clock.set(Instant.parse("2026-11-01T00:00:00Z"));
        Internals.flusher(counter).flushDue();
        record(Transport.HTTP, 5);
        clock.advance(Duration.ofMinutes(1));
        Internals.flusher(counter).flushDue();
        record(Transport.JMS, 4);
    }

    @Test
    void theCountHasExactlyMisFieldsAndIncludesWhatIsNotWrittenYet() throws Exception {
        traffic();
        String current = bearer("/management/transactions/count");
        assertThat(fieldNames(current)).containsExactly("Year", "Month", "TransactionCount");
        assertThat(current).isEqualTo("{\"Year\":2026,\"Month\":11,\"TransactionCount\":9}");
        assertThat(STRICT.readValue(current, MiCount.class)).isEqualTo(new MiCount(2026, 11, 9));

        String october = bearer("/management/transactions/count?year=2026&month=10");
        assertThat(STRICT.readValue(october, MiCount.class)).isEqualTo(new MiCount(2026, 10, 12));
        assertThat(STRICT.readValue(bearer("/management/transactions/count?year=2025&month=1"), MiCount.class))
                .isEqualTo(new MiCount(2025, 1, 0));
    }

    @Test
    void theReportIsMisHeaderThenOneRowOfStringsPerMonthAndNodeAnchoredInTheLedger() throws Exception {
        traffic();
        String report = bearer("/management/transactions/report?start=2026-09&end=2026-11");
        assertThat(fieldNames(report)).containsExactly("TransactionCountData");
        JsonNode data = STRICT.readTree(report).get("TransactionCountData");
        data.forEach(row -> row.forEach(cell -> assertThat(cell.isTextual()).as("%s in %s", cell, row).isTrue()));
        List<IntervalRow> ledger = Internals.store(counter).ledger("node-a");
        assertThat(report).isEqualTo("{\"TransactionCountData\":["
                + "[\"TIME_STAMP\",\"NODE_ID\",\"TRANSACTION_COUNT\",\"TRANSACTION_COUNT_ENCRYPTED\"],"
                + "[\"2026-10-01\",\"node-a\",\"12\",\"ledger:seq=1:mac=" + mac(1, "JMS") + "\"],"
                + "[\"2026-11-01\",\"node-a\",\"5\",\"ledger:seq=2:mac=" + mac(2, "HTTP") + "\"]]}");
        assertThat(ledger).extracting(IntervalRow::seq).containsExactly(1L, 1L, 2L);

        // Without end the report runs to the current month; what is not written yet is not in it.
        assertThat(STRICT.readTree(bearer("/management/transactions/report?start=2026-11"))
                .get("TransactionCountData")).hasSize(2);
    }

    @Test
    void countAndReportMatchTheirNameWhateverItsCase() throws Exception {
        traffic();
        assertThat(bearer("/management/transactions/COUNT?year=2026&month=10"))
                .isEqualTo(bearer("/management/transactions/count?year=2026&month=10"));
        assertThat(bearer("/management/transactions/Report?start=2026-10&end=2026-11"))
                .isEqualTo(bearer("/management/transactions/report?start=2026-10&end=2026-11"));
        assertThat(get("/management/transactions/counts", "Bearer " + token).statusCode()).isEqualTo(404);
        assertThat(get("/management/transactions/COUNT", "").statusCode()).isEqualTo(401);
    }

    /** The MAC stored with node-a's ledger row {@code seq}/{@code transport}. */
    private String mac(long seq, String transport) throws SQLException {
        try (Connection connection = Internals.store(counter).dataSource().getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "SELECT mac FROM txn_interval WHERE node_id = 'node-a' AND seq = ? AND transport = ?")) {
            query.setLong(1, seq);
            query.setString(2, transport);
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }

    @Test
    void theAliasesAgreeWithTheNativeEndpoints() throws Exception {
        traffic();
        JsonNode nativeCount = STRICT.readTree(bearer("/transaction/count?year=2026&month=11"));
        MiCount mi = STRICT.readValue(bearer("/management/transactions/count?year=2026&month=11"), MiCount.class);
        assertThat(mi.TransactionCount())
                .isEqualTo(nativeCount.get("total").asLong() + nativeCount.at("/unflushed/total").asLong());
        JsonNode nativeReport = STRICT.readTree(bearer("/transaction/report?start=2026-10&end=2026-10"));
        assertThat(nativeReport.get("total").asLong()).isEqualTo(12);
    }

    @Test
    void errorsUseTheEnvelopeAndNameTheParameter() throws Exception {
        HttpResponse<String> noStart = get("/management/transactions/report", "Bearer " + token);
        assertThat(noStart.statusCode()).isEqualTo(400);
        assertThat(STRICT.readTree(noStart.body()).at("/error/parameter").asText()).isEqualTo("start");
        HttpResponse<String> badMonth = get("/management/transactions/count?year=2026&month=13", "Bearer " + token);
        assertThat(badMonth.statusCode()).isEqualTo(400);
        assertThat(STRICT.readTree(badMonth.body()).at("/error/parameter").asText()).isEqualTo("month");
    }
}
