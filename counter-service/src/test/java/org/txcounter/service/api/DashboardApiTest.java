package org.txcounter.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.txcounter.core.MutableClock;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounter;
import org.txcounter.core.internal.Internals;

/**
 * What the dashboard reads, as every client reads it: daily totals, the last ledger check, who is logged in; and
 * how its pages are served: to anyone, from the jar, under the Content-Security-Policy, written for it.
 */
class DashboardApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path PAGES = Path.of("src/main/resources/org/txcounter/service/dashboard");
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

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

    private HttpResponse<String> get(String pathAndQuery, String authorization) throws IOException,
            InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port()
                + pathAndQuery));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode json(String pathAndQuery, String authorization) throws IOException, InterruptedException {
        HttpResponse<String> response = get(pathAndQuery, authorization);
        assertThat(response.statusCode()).as("GET %s: %s", pathAndQuery, response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private void record(Transport transport, int times) {
        TransportCounter handle = counter.meter().counter(transport);
        for (int i = 0; i < times; i++) {
            handle.record();
        }
    }

    private void flush() {
        clock.advance(Duration.ofMinutes(1));
        Internals.flusher(counter).flushDue();
    }

    @Test
    void dailyTotalsListEveryDayOfTheMonthWithWhatWasWritten() throws Exception {
        record(Transport.HTTP, 10);
        record(Transport.JMS, 3);
        flush();
        clock.set(Instant.parse("2026-11-25T23:59:10Z"));
        Internals.flusher(counter).flushDue();
        record(Transport.HTTP, 5);
        flush();
        record(Transport.HTTP, 2);

        JsonNode november = json("/transaction/daily?year=2026&month=11", TestUsers.viewer());

        assertThat(november.get("year").asInt()).isEqualTo(2026);
        assertThat(november.get("month").asInt()).isEqualTo(11);
        assertThat(november.get("timeZone").asText()).isEqualTo("UTC");
        assertThat(november.get("total").asLong()).as("the 2 not yet written are not in it").isEqualTo(18);
        JsonNode days = november.get("days");
        assertThat(days).hasSize(30);
        assertThat(days.get(0).get("date").asText()).isEqualTo("2026-11-01");
        assertThat(days.get(29).get("date").asText()).isEqualTo("2026-11-30");
        assertThat(days.get(23).get("total").asLong()).isEqualTo(13);
        assertThat(days.get(23).at("/byTransport/HTTP").asLong()).isEqualTo(10);
        assertThat(days.get(23).at("/byTransport/JMS").asLong()).isEqualTo(3);
        assertThat(days.get(24).at("/byTransport/HTTP").asLong()).isEqualTo(5);
        assertThat(days.get(24).at("/byTransport/JMS").asLong()).isZero();
        long otherDays = 0;
        for (int day = 0; day < 30; day++) {
            if (day != 23 && day != 24) {
                otherDays += days.get(day).get("total").asLong();
            }
        }
        assertThat(otherDays).isZero();

        JsonNode current = json("/transaction/daily", TestUsers.viewer());
        assertThat(current.get("month").asInt()).isEqualTo(11);
        assertThat(json("/transaction/daily?year=2026&month=2", TestUsers.viewer()).get("days")).hasSize(28);
        HttpResponse<String> bad = get("/transaction/daily?year=2026&month=13", TestUsers.viewer());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).at("/error/parameter").asText()).isEqualTo("month");
    }

    @Test
    void theLastLedgerCheckIsShownToEveryoneAndRunOnlyByAdmins() throws Exception {
        assertThat(json("/transaction/verify/last", TestUsers.viewer()).toString()).isEqualTo("{\"ran\":false}");
        assertThat(get("/transaction/verify", TestUsers.viewer()).statusCode()).isEqualTo(403);
        assertThat(json("/transaction/verify/last", TestUsers.viewer()).get("ran").asBoolean()).isFalse();
        record(Transport.HTTP, 4);
        flush();

        assertThat(json("/transaction/verify", TestUsers.admin()).get("valid").asBoolean()).isTrue();

        JsonNode last = json("/transaction/verify/last", TestUsers.viewer());
        assertThat(last.get("ran").asBoolean()).isTrue();
        assertThat(last.get("checkedAt").asText()).isEqualTo(clock.instant().toString());
        assertThat(last.get("checkedBy").asText()).isEqualTo(TestUsers.ADMIN);
        assertThat(last.get("durationMillis").asLong()).isNotNegative();
        assertThat(last.get("valid").asBoolean()).isTrue();
        assertThat(last.get("findings")).isEmpty();
        assertThat(get("/transaction/verify/last", null).statusCode()).isEqualTo(401);
    }

    @Test
    void theUserEndpointNamesTheCallerAndItsRole() throws Exception {
        JsonNode viewer = json("/user", TestUsers.viewer());
        assertThat(viewer.toString()).isEqualTo("{\"name\":\"auditor\",\"role\":\"viewer\",\"admin\":false}");
        JsonNode admin = json("/user", TestUsers.admin());
        assertThat(admin.toString()).isEqualTo("{\"name\":\"ops-admin\",\"role\":\"admin\",\"admin\":true}");
        String token = json("/management/login", TestUsers.viewer()).get("AccessToken").asText();
        assertThat(json("/user", "Bearer " + token).get("name").asText()).isEqualTo(TestUsers.VIEWER);
        assertThat(get("/user", null).statusCode()).isEqualTo(401);
    }

    @Test
    void thePagesAndTheChartLibraryAreServedToAnyoneFromTheJar() throws Exception {
        for (String page : List.of("/dashboard/", "/dashboard/index.html", "/dashboard/login.html")) {
            HttpResponse<String> response = get(page, null);
            assertThat(response.statusCode()).as(page).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).as(page).hasValue("text/html");
            assertThat(response.body()).as(page).startsWith("<!DOCTYPE html>");
        }
        HttpResponse<String> library = get("/dashboard/vendor/chart.umd.min.js", null);
        assertThat(library.statusCode()).isEqualTo(200);
        assertThat(library.headers().firstValue("Content-Type")).hasValue("text/javascript");
        assertThat(library.body()).startsWith("/*!\n * Chart.js v4.");
        HttpResponse<String> missing = get("/dashboard/missing.js", null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(missing.body()).at("/error/code").asText()).isEqualTo("not_found");
    }

    @Test
    void everyResponseCarriesTheContentSecurityPolicy() throws Exception {
        for (String path : List.of("/dashboard/login.html", "/dashboard/dashboard.js", "/transaction/count",
                "/health/live", "/dashboard/missing.js")) {
            HttpResponse<String> response = get(path, path.equals("/transaction/count") ? null : TestUsers.viewer());
            assertThat(response.headers().firstValue("Content-Security-Policy")).as(path).hasValue(CSP);
            assertThat(response.headers().firstValue("X-Frame-Options")).as(path).hasValue("DENY");
            assertThat(response.headers().firstValue("Referrer-Policy")).as(path).hasValue("no-referrer");
        }
        assertThat(Dashboard.CONTENT_SECURITY_POLICY).isEqualTo(CSP);
    }

    static Stream<Path> pages() throws IOException {
        try (Stream<Path> files = Files.list(PAGES)) {
            List<Path> own = new ArrayList<>();
            files.filter(Files::isRegularFile).sorted().forEach(own::add);
            return own.stream();
        }
    }

    /** What the CSP would refuse, or what would reach beyond the service, written into the pages. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("pages")
    void thePagesNeedNoInlineCodeAndNameNoOtherHost(Path page) throws IOException {
        String text = Files.readString(page);
        String name = page.getFileName().toString();

        assertThat(Pattern.compile("https?://(?!www\\.w3\\.org/2000/svg\")").matcher(text).find())
                .as("%s names another host", name).isFalse();
        if (name.endsWith(".html")) {
            assertThat(Pattern.compile("<script(?![^>]*\\ssrc=)").matcher(text).find())
                    .as("%s has an inline script", name).isFalse();
            assertThat(Pattern.compile("<style|\\sstyle=|\\son[a-z]+=", Pattern.CASE_INSENSITIVE).matcher(text)
                    .find()).as("%s has an inline style or event handler", name).isFalse();
            assertThat(Pattern.compile("(src|href)=\"(?!/dashboard/)").matcher(text).find())
                    .as("%s loads something from outside /dashboard/", name).isFalse();
        }
        if (name.endsWith(".js")) {
            assertThat(text).as(name).doesNotContain("eval(", "new Function", "innerHTML", "document.write",
                    "setAttribute('style'");
        }
    }
}
