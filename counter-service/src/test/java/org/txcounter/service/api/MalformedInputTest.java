package org.txcounter.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.txcounter.core.MutableClock;
import org.txcounter.core.TransactionCounter;

/**
 * Malformed requests against every endpoint, over a real socket: each one is refused with a 4xx and the JSON error
 * envelope, never a 500, an HTML page or a stack trace. Requests go through {@link HttpClient} when
 * {@link URI#create} takes the target as written, and as raw bytes over a {@link Socket} when it does not (or when
 * the client would change what is sent).
 */
class MalformedInputTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> STACK_TRACE_MARKERS = List.of("Exception", "\tat ", "org.eclipse", "java.");
    private static final String COUNT = "/transaction/count";
    private static final String REPORT = "/transaction/report";
    private static final String MI_COUNT = "/management/transactions/count";
    private static final String MI_REPORT = "/management/transactions/report";
    private static final String PERIOD = "?start=2026-01&end=2026-12";

    @TempDir
    static Path dataDir;

    private static final MutableClock CLOCK = MutableClock.at("2026-11-24T10:00:30Z");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static TransactionCounter counter;
    /** A fresh app per case, so that failed logins of one case never throttle the next. */
    private Javalin app;

    @BeforeAll
    static void openCounter() {
        counter = TestApi.counter(dataDir, CLOCK);
    }

    @AfterAll
    static void closeCounter() {
        counter.close();
    }

    @BeforeEach
    void start() {
        app = TestApi.plain(counter, CLOCK);
    }

    @AfterEach
    void stop() {
        app.stop();
    }

    /** How a case is sent. */
    enum Via {
        /** {@link HttpClient}, with a target {@link URI#create} accepts. */
        CLIENT,
        /** Raw bytes over a socket: the request line built from method and target, UTF-8, sent as is. */
        SOCKET,
        /** Raw bytes over a socket: the whole request written out in the case. */
        WIRE
    }

    /**
     * One malformed request and the refusal it must get.
     *
     * @param authorization the Authorization header, or {@code null} for none
     * @param headers       more headers, as name, value, name, value...
     * @param wire          the whole request for {@link Via#WIRE}, with {@code {host}} and {@code {auth}} filled in
     * @param parameter     the query parameter the refusal must name, or {@code null} when it is not about one
     */
    record Case(String name, Via via, String method, String target, String authorization, List<String> headers,
            String wire, int status, String parameter) {

        @Override
        public String toString() {
            return name;
        }
    }

    /** What came back: status, Content-Type and body. */
    record Answer(int status, String contentType, String body) {
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("cases")
    void everyMalformedRequestIsA4xxWithTheEnvelope(Case request) throws Exception {
        Answer answer = switch (request.via()) {
            case CLIENT -> sendWithClient(request);
            case SOCKET -> sendRaw(requestLine(request));
            case WIRE -> sendRaw(request.wire().replace("{host}", "127.0.0.1:" + app.port())
                    .replace("{auth}", TestUsers.admin()));
        };

        assertThat(answer.status()).as("status; body %s", answer.body()).isEqualTo(request.status());
        assertThat(answer.contentType().split(";")[0].trim()).as("Content-Type").isEqualTo("application/json");
        assertThat(answer.body()).as("body").doesNotContain(STACK_TRACE_MARKERS);
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.size()).as("only the error at the top: %s", answer.body()).isEqualTo(1);
        JsonNode error = body.get("error");
        assertThat(error).as("the envelope: %s", answer.body()).isNotNull();
        assertThat(error.path("status").isInt()).as("error.status is a number").isTrue();
        assertThat(error.path("status").asInt()).as("error.status").isEqualTo(answer.status());
        assertThat(error.path("code").asText()).as("error.code").isNotBlank();
        assertThat(error.path("message").asText()).as("error.message").isNotBlank();
        if (request.parameter() != null) {
            assertThat(error.path("parameter").asText()).as("error.parameter").isEqualTo(request.parameter());
        } else {
            assertThat(error.has("parameter")).as("no error.parameter: %s", answer.body()).isFalse();
        }
    }

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        yearAndMonth(cases);
        reportPeriods(cases);
        injections(cases);
        pathTraversal(cases);
        unicode(cases);
        percentEncoding(cases);
        hugeValues(cases);
        unknownPaths(cases);
        otherMethods(cases);
        oversized(cases);
        authorization(cases);
        protocol(cases);
        return cases.stream();
    }

    /** year and month on both count endpoints. */
    private static void yearAndMonth(List<Case> cases) {
        for (String path : List.of(COUNT, MI_COUNT)) {
            cases.add(invalid(path + "?year=abcd&month=1", "year"));
            cases.add(invalid(path + "?year=2026&month=ab", "month"));
            cases.add(invalid(path + "?year=-2026&month=1", "year"));
            cases.add(invalid(path + "?year=2026&month=-1", "month"));
            cases.add(invalid(path + "?year=0&month=1", "year"));
            cases.add(invalid(path + "?year=0000&month=1", "year"));
            cases.add(invalid(path + "?year=2026&month=0", "month"));
            cases.add(invalid(path + "?year=2026&month=13", "month"));
            cases.add(invalid(path + "?year=1969&month=12", "year"));
            cases.add(invalid(path + "?year=10000&month=1", "year"));
            cases.add(invalid(path + "?year=99999999999999999999&month=1", "year"));
            cases.add(invalid(path + "?year=2026&month=99999999999999999999", "month"));
            cases.add(invalid(path + "?year=2026.0&month=1", "year"));
            cases.add(invalid(path + "?year=2026&month=1.5", "month"));
            cases.add(invalid(path + "?year=2026&month=1e1", "month"));
            cases.add(invalid(path + "?year=%202026&month=1", "year"));
            cases.add(invalid(path + "?year=2026+&month=1", "year"));
            cases.add(invalid(path + "?year=2026&month=%0911", "month"));
            cases.add(invalid(path + "?year=2026", "month"));
            cases.add(invalid(path + "?month=11", "year"));
            cases.add(invalid(path + "?year=&month=1", "year"));
            cases.add(invalid(path + "?year=2026&month=", "month"));
            cases.add(invalid(path + "?year=&month=", "year"));
            cases.add(invalid(path + "?year&month=1", "year"));
            cases.add(invalid(path + "?year=2026&year=2025&month=1", "year"));
            cases.add(invalid(path + "?year=2026&month=1&month=2", "month"));
        }
    }

    /** start, end and format on both report endpoints. */
    private static void reportPeriods(List<Case> cases) {
        cases.add(invalid(REPORT + "?start=2026-13&end=2026-12", "start"));
        cases.add(invalid(REPORT + "?start=2026-00&end=2026-12", "start"));
        cases.add(invalid(REPORT + "?start=2026-1&end=2026-12", "start"));
        cases.add(invalid(REPORT + "?start=26-01&end=2026-12", "start"));
        cases.add(invalid(REPORT + "?start=2026/01&end=2026-12", "start"));
        cases.add(invalid(REPORT + "?start=2026%2F01&end=2026-12", "start"));
        cases.add(invalid(REPORT + "?start=2026-01-01&end=2026-12", "start"));
        cases.add(invalid(REPORT + "?start=1969-12&end=1970-01", "start"));
        cases.add(invalid(REPORT + "?start=10000-01&end=2026-12", "start"));
        cases.add(invalid(REPORT + "?start=2026-01&end=2026-13", "end"));
        cases.add(invalid(REPORT + "?start=2026-01&end=2026-00", "end"));
        cases.add(invalid(REPORT + "?start=2026-01&end=2026-12-31", "end"));
        cases.add(invalid(REPORT + "?start=2026-06&end=2026-05", "end"));
        cases.add(invalid(REPORT + "?start=2016-01&end=2026-01", "end"));
        cases.add(invalid(REPORT + "?start=1970-01&end=9999-12", "end"));
        cases.add(invalid(REPORT + "?end=2026-12", "start"));
        cases.add(invalid(REPORT + "?start=2026-01&end=", "end")); // without end it is the one month of start
        cases.add(invalid(REPORT, "start"));
        cases.add(invalid(REPORT + "?start=&end=2026-12", "start"));
        cases.add(invalid(REPORT + "?start=2026-01&start=2026-02&end=2026-12", "start"));
        cases.add(invalid(REPORT + "?start=2026-01&end=2026-11&end=2026-12", "end"));
        cases.add(invalid(REPORT + PERIOD + "&format=xml", "format"));
        cases.add(invalid(REPORT + PERIOD + "&format=", "format"));
        cases.add(invalid(REPORT + PERIOD + "&format=csv&format=json", "format"));
        cases.add(invalid(REPORT + PERIOD + "&format=" + encode("=cmd|' /C calc'!A0"), "format"));
        cases.add(invalid(REPORT + PERIOD + "&format=" + encode("csv,=HYPERLINK(\"http://evil\")"), "format"));
        cases.add(invalid(REPORT + PERIOD + "&format=" + encode("csv\r\nContent-Type: text/html"), "format"));
        cases.add(invalid(REPORT + "?start=" + encode("=1+1") + "&end=2026-12", "start"));

        cases.add(invalid(MI_REPORT, "start"));
        cases.add(invalid(MI_REPORT + "?end=2026-11", "start"));
        cases.add(invalid(MI_REPORT + "?start=2026-13", "start"));
        cases.add(invalid(MI_REPORT + "?start=2026-00", "start"));
        cases.add(invalid(MI_REPORT + "?start=2026-1", "start"));
        cases.add(invalid(MI_REPORT + "?start=26-01", "start"));
        cases.add(invalid(MI_REPORT + "?start=2026/01", "start"));
        cases.add(invalid(MI_REPORT + "?start=2026-01-01", "start"));
        cases.add(invalid(MI_REPORT + "?start=", "start"));
        cases.add(invalid(MI_REPORT + "?start=2026-06&end=2026-05", "end"));
        // end defaults to the current month, 2026-11: more than 120 months, and a start after it.
        cases.add(invalid(MI_REPORT + "?start=2000-01", "end"));
        cases.add(invalid(MI_REPORT + "?start=2027-01", "end"));
        cases.add(invalid(MI_REPORT + "?start=2026-01&end=", "end"));
        cases.add(invalid(MI_REPORT + "?start=2026-01&end=2026-13", "end"));
        cases.add(invalid(MI_REPORT + "?start=2026-01&start=2026-02", "start"));
    }

    /** SQL, script and CSV payloads in parameters and paths. */
    private static void injections(List<Case> cases) {
        cases.add(invalid(COUNT + "?year=" + encode("' OR '1'='1") + "&month=1", "year"));
        cases.add(invalid(COUNT + "?year=2026&month=" + encode("1; DROP TABLE interval_ledger--"), "month"));
        cases.add(invalid(MI_COUNT + "?year=" + encode("2026' OR '1'='1") + "&month=1", "year"));
        cases.add(invalid(REPORT + "?start=" + encode("' OR '1'='1") + "&end=2026-12", "start"));
        cases.add(invalid(REPORT + "?start=2026-01&end=" + encode("2026-12; DROP TABLE interval_ledger--"), "end"));
        cases.add(invalid(MI_REPORT + "?start=" + encode("2026-01' UNION SELECT * FROM interval_ledger--"),
                "start"));
        cases.add(invalid(REPORT + PERIOD + "&format=" + encode("csv' OR '1'='1"), "format"));
        cases.add(invalid(COUNT + "?year=" + encode("<script>alert(1)</script>") + "&month=1", "year"));
        cases.add(invalid(REPORT + PERIOD + "&format=" + encode("<script>alert(1)</script>"), "format"));
        cases.add(invalid(MI_REPORT + "?start=" + encode("\"><img src=x onerror=alert(1)>"), "start"));
        cases.add(status(404, "/transaction/count'%20OR%20'1'='1"));
        cases.add(status(404, "/transaction/1%3B%20DROP%20TABLE%20interval_ledger--"));
        cases.add(status(404, "/transaction/%3Cscript%3Ealert(1)%3C/script%3E"));
        cases.add(raw(400, "/transaction/<script>alert(1)</script>"));
    }

    /** Paths that climb out of the API, plainly and encoded. */
    private static void pathTraversal(List<Case> cases) {
        cases.add(raw(400, "/transaction/../../etc/passwd"));
        cases.add(raw(400, "/transaction/count/../../../../etc/passwd"));
        cases.add(raw(400, "/../transaction/verify"));
        cases.add(raw(400, "/transaction/%2e%2e/%2e%2e/etc/passwd"));
        cases.add(raw(404, "/transaction/..%2f..%2fetc%2fpasswd"));
        cases.add(raw(404, "/transaction/..%5c..%5cetc%5cpasswd"));
        cases.add(raw(400, "/transaction/..;/..;/etc/passwd"));
        cases.add(raw(400, "/transaction/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd"));
        cases.add(status(404, "/transaction/%252e%252e/%252e%252e/etc/passwd"));
        cases.add(status(404, "/transaction/....//....//etc/passwd"));
        cases.add(invalid(REPORT + "?start=" + encode("../../etc/passwd") + "&end=2026-12", "start"));
    }

    /** Digits that are not ASCII, emoji, direction overrides, NUL and line breaks. */
    private static void unicode(List<Case> cases) {
        cases.add(invalid(COUNT + "?year=" + encode("２０２６") + "&month=1", "year"));
        cases.add(invalid(MI_COUNT + "?year=2026&month=" + encode("１１"), "month"));
        cases.add(invalid(COUNT + "?year=" + encode("٢٠٢٦") + "&month=1", "year"));
        cases.add(invalid(MI_COUNT + "?year=2026&month=" + encode("١١"), "month"));
        cases.add(invalid(REPORT + "?start=" + encode("２０２６-01") + "&end=2026-12", "start"));
        cases.add(invalid(MI_REPORT + "?start=" + encode("٢٠٢٦-٠١"), "start"));
        cases.add(invalid(COUNT + "?year=2026&month=" + encode("😀"), "month"));
        cases.add(invalid(REPORT + PERIOD + "&format=" + encode("csv😀"), "format"));
        cases.add(invalid(COUNT + "?year=" + encode("\u202E6202") + "&month=1", "year"));
        cases.add(invalid(REPORT + "?start=2026-01&end=" + encode("\u202E21-6202"), "end"));
        cases.add(invalid(COUNT + "?year=2026%00&month=1", "year"));
        cases.add(invalid(REPORT + "?start=2026-01%00&end=2026-12", "start"));
        cases.add(invalid(COUNT + "?year=2026&month=1%0d%0aSet-Cookie:%20admin=1", "month"));
        cases.add(invalid(MI_REPORT + "?start=2026-01%0D%0A%0D%0A" + encode("<html>"), "start"));
        cases.add(invalid(COUNT + "?year=2026&month=%FF%FE", "month"));
        cases.add(raw(400, COUNT + "?year=２０２６&month=1", "year"));
        cases.add(raw(400, MI_REPORT + "?start=2026-01&end=2026\u202E-12", "end"));
        cases.add(raw(400, "/transaction/ｃount"));
        cases.add(status(404, "/transaction/%EF%BD%83ount"));
        cases.add(status(404, "/transaction/%F0%9F%98%80"));
        cases.add(status(404, "/transaction/%E2%80%AEtnuoc"));
        cases.add(status(400, "/transaction/count%00"));
        cases.add(status(404, "/transaction/count%0d%0aSet-Cookie:%20x=y"));
        cases.add(status(400, "/transaction/%FF%FE"));
    }

    /** Percent signs not followed by two hex digits: URI.create refuses them, so they go raw. */
    private static void percentEncoding(List<Case> cases) {
        cases.add(raw(400, COUNT + "?year=%zz&month=1", "year"));
        cases.add(raw(400, COUNT + "?year=2026&month=%", "month"));
        cases.add(raw(400, COUNT + "?year=2026&month=1%2", "month"));
        cases.add(raw(400, MI_COUNT + "?year=%G0&month=1", "year"));
        cases.add(raw(400, REPORT + "?start=%zz&end=2026-12", "start"));
        cases.add(raw(400, REPORT + PERIOD + "&format=%", "format"));
        cases.add(raw(400, MI_REPORT + "?start=2026-01&end=%zz", "end"));
        cases.add(raw(400, MI_COUNT + "?year=2026&month=%E0%A4%A", "month"));
        cases.add(raw(400, COUNT + "?year=2026&month=1&%zz=1", null));
        cases.add(raw(400, COUNT + "?year=2026&month=1&note=100%", "note"));
        cases.add(raw(400, "/transaction/%zz"));
        cases.add(raw(400, "/transaction/count%"));
        cases.add(raw(400, "/%"));
    }

    /** Numbers past every integer type, and values long enough to need shortening when echoed. */
    private static void hugeValues(List<Case> cases) {
        cases.add(invalid(COUNT + "?year=2147483648&month=1", "year"));
        cases.add(invalid(COUNT + "?year=2026&month=4294967297", "month"));
        cases.add(invalid(MI_COUNT + "?year=2026&month=" + "9".repeat(400), "month"));
        cases.add(invalid(COUNT + "?year=2026&month=" + "1".repeat(7000), "month"));
        cases.add(invalid(REPORT + "?start=" + "9".repeat(20) + "-01&end=2026-12", "start"));
        cases.add(invalid(REPORT + "?start=2026-" + "9".repeat(20) + "&end=2026-12", "start"));
        cases.add(invalid(MI_REPORT + "?start=2026-01&end=9999-99", "end"));
    }

    private static void unknownPaths(List<Case> cases) {
        for (String path : List.of("/", "/transaction", "/transaction/counts", "/TRANSACTION/COUNT",
                "/transaction/count/extra", "/management", "/management/transactions",
                "/management/transactions/count/2026/11", "/health", "/openapi.yaml", "/.env", "/WEB-INF/web.xml",
                "/favicon.ico", "/transaction/count.json", "/api/v1/transaction/count")) {
            cases.add(status(404, path));
        }
    }

    /** Every route answers only GET. */
    private static void otherMethods(List<Case> cases) {
        for (ManagementApi.Route route : ManagementApi.ROUTES) {
            for (String method : List.of("GET", "POST", "PUT", "DELETE", "PATCH")) {
                if (method.equals(route.method().name())) {
                    continue;
                }
                cases.add(new Case(method + " " + route.path() + " → 405", Via.CLIENT, method, route.path(),
                        TestUsers.admin(), List.of(), null, 405, null));
            }
        }
    }

    /** Headers past Jetty's 8 KiB and request targets far past it. */
    private static void oversized(List<Case> cases) {
        String sixteenKib = "a".repeat(16 * 1024);
        cases.add(header(431, "a 16 KiB X-Padding header", "X-Padding", sixteenKib));
        cases.add(header(431, "a 16 KiB Cookie", "Cookie", "session=" + sixteenKib));
        cases.add(header(431, "a 16 KiB X-Request-Id", ManagementApi.REQUEST_ID, sixteenKib));
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            many.add("X-Filler-" + i);
            many.add("f".repeat(64));
        }
        cases.add(new Case("GET " + COUNT + " with 200 headers of 64 bytes → 431", Via.CLIENT, "GET", COUNT,
                TestUsers.admin(), many, null, 431, null));
        cases.add(new Case("GET " + COUNT + " with a 16 KiB Authorization → 431", Via.CLIENT, "GET", COUNT,
                "Basic " + sixteenKib, List.of(), null, 431, null));
        cases.add(status(414, COUNT + "?year=" + "1".repeat(20_000) + "&month=1"));
        cases.add(status(414, "/" + "a".repeat(20_000)));
        cases.add(status(414, REPORT + PERIOD + "&format=" + "x".repeat(20_000)));
        cases.add(raw(414, "/transaction/" + "%41".repeat(7_000)));
    }

    /** Authorization headers that are not Basic user:password or a known bearer token. */
    private static void authorization(List<Case> cases) {
        Base64.Encoder base64 = Base64.getEncoder();
        cases.add(unauthorized("no Authorization header", null));
        cases.add(unauthorized("an empty Authorization header", ""));
        cases.add(unauthorized("Basic without credentials", "Basic"));
        cases.add(unauthorized("Basic with a blank value", "Basic   "));
        cases.add(unauthorized("Basic with non-base64", "Basic !!!"));
        cases.add(unauthorized("Basic with base64 and trailing garbage", "Basic YWRtaW4=garbage"));
        cases.add(unauthorized("Basic with two tokens", "Basic YWJj ZGVm"));
        cases.add(unauthorized("Basic without a colon", "Basic " + base64.encodeToString("ops-admin".getBytes(
                StandardCharsets.UTF_8))));
        cases.add(unauthorized("Basic with an empty user", "Basic " + base64.encodeToString(
                (":" + TestUsers.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8))));
        cases.add(unauthorized("Basic with invalid UTF-8", "Basic " + base64.encodeToString(
                new byte[] {(byte) 0xff, (byte) 0xfe, ':', 'x'})));
        cases.add(unauthorized("Basic over 1024 characters", "Basic " + "QUFB".repeat(300)));
        cases.add(unauthorized("Basic with the admin and a wrong password",
                TestUsers.basic(TestUsers.ADMIN, "wrong password")));
        cases.add(unauthorized("Basic with an unknown user", TestUsers.basic("nobody", TestUsers.ADMIN_PASSWORD)));
        cases.add(unauthorized("Basic with an SQL injection user",
                TestUsers.basic("' OR '1'='1", "' OR '1'='1")));
        cases.add(unauthorized("Basic glued to its value", "Basic" + TestUsers.admin().substring(6)));
        cases.add(unauthorized("Digest", "Digest username=\"ops-admin\", realm=\"txcounter\""));
        cases.add(unauthorized("Negotiate", "Negotiate YIIBhgYGKwYBBQUCoIIBejCCAXag"));
        cases.add(unauthorized("Bearer without a token", "Bearer"));
        cases.add(unauthorized("Bearer with an unknown token", "Bearer not-a-token"));
        cases.add(unauthorized("Bearer with a JWT-looking token", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9."));
        cases.add(new Case("GET /management/login with a bearer token → 401", Via.CLIENT, "GET", "/management/login",
                "Bearer not-a-token", List.of(), null, 401, null));
        cases.add(new Case("GET /transaction/verify with a malformed Basic → 401", Via.CLIENT, "GET",
                "/transaction/verify", "Basic %%%", List.of(), null, 401, null));
    }

    /** Requests that break HTTP/1.1 itself, written byte for byte. */
    private static void protocol(List<Case> cases) {
        String auth = "Authorization: {auth}\r\n";
        cases.add(wire(400, "no Host header", "GET " + COUNT + " HTTP/1.1\r\n" + auth
                + "Connection: close\r\n\r\n"));
        cases.add(wire(400, "two Host headers", "GET " + COUNT + " HTTP/1.1\r\nHost: {host}\r\nHost: evil.example\r\n"
                + auth + "Connection: close\r\n\r\n"));
        cases.add(wire(400, "a header line without a colon", "GET " + COUNT + " HTTP/1.1\r\nHost: {host}\r\n"
                + auth + "NoColonHere\r\nConnection: close\r\n\r\n"));
        cases.add(wire(400, "a space before a header's colon", "GET " + COUNT + " HTTP/1.1\r\nHost: {host}\r\n"
                + auth + "X-Test : 1\r\nConnection: close\r\n\r\n"));
        cases.add(wire(400, "a folded header", "GET " + COUNT + " HTTP/1.1\r\nHost: {host}\r\n" + auth
                + "X-Test: 1\r\n continued\r\nConnection: close\r\n\r\n"));
        cases.add(wire(400, "a Content-Length that is not a number", "GET " + COUNT + " HTTP/1.1\r\nHost: {host}\r\n"
                + auth + "Content-Length: abc\r\nConnection: close\r\n\r\n"));
        cases.add(wire(400, "Content-Length and chunked together", "POST " + COUNT + " HTTP/1.1\r\n"
                + "Host: {host}\r\n" + auth + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n0\r\n\r\n"));
        cases.add(wire(400, "a request target without a leading slash", "GET transaction/count HTTP/1.1\r\n"
                + "Host: {host}\r\n" + auth + "Connection: close\r\n\r\n"));
        cases.add(wire(400, "a NUL in the request target", "GET " + COUNT + "\u0000 HTTP/1.1\r\nHost: {host}\r\n"
                + auth + "Connection: close\r\n\r\n"));
        cases.add(wire(400, "a request line of garbage", "\u0001\u0002 not http at all\r\n\r\n"));
        cases.add(wire(400, "HTTP/9.9 in the request line", "GET " + COUNT + " HTTP/9.9\r\nHost: {host}\r\n" + auth
                + "Connection: close\r\n\r\n"));
        cases.add(wire(426, "HTTP/2.0 as text in the request line", "GET " + COUNT + " HTTP/2.0\r\nHost: {host}\r\n"
                + auth + "Connection: close\r\n\r\n"));
    }

    private static Case invalid(String target, String parameter) {
        return new Case("GET " + shorten(target) + " → 400 " + parameter, Via.CLIENT, "GET", target,
                TestUsers.admin(), List.of(), null, 400, parameter);
    }

    private static Case status(int status, String target) {
        return new Case("GET " + shorten(target) + " → " + status, Via.CLIENT, "GET", target, TestUsers.admin(),
                List.of(), null, status, null);
    }

    private static Case raw(int status, String target) {
        return raw(status, target, null);
    }

    private static Case raw(int status, String target, String parameter) {
        return new Case("raw GET " + shorten(target) + " → " + status + (parameter == null ? "" : " " + parameter),
                Via.SOCKET, "GET", target, TestUsers.admin(), List.of(), null, status, parameter);
    }

    private static Case header(int status, String description, String name, String value) {
        return new Case("GET " + COUNT + " with " + description + " → " + status, Via.CLIENT, "GET", COUNT,
                TestUsers.admin(), List.of(name, value), null, status, null);
    }

    private static Case unauthorized(String description, String authorization) {
        return new Case("GET " + COUNT + " with " + description + " → 401", Via.CLIENT, "GET", COUNT, authorization,
                List.of(), null, 401, null);
    }

    private static Case wire(int status, String description, String request) {
        return new Case("raw request with " + description + " → " + status, Via.WIRE, null, null, null, List.of(),
                request, status, null);
    }

    private static String shorten(String target) {
        return target.length() <= 100 ? target : target.substring(0, 80) + "...(" + target.length() + " chars)";
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private Answer sendWithClient(Case request) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port()
                        + request.target()))
                .timeout(Duration.ofSeconds(30))
                .method(request.method(), HttpRequest.BodyPublishers.noBody());
        if (request.authorization() != null) {
            builder.header("Authorization", request.authorization());
        }
        if (!request.headers().isEmpty()) {
            builder.headers(request.headers().toArray(String[]::new));
        }
        HttpResponse<String> response = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                response.body());
    }

    private String requestLine(Case request) {
        StringBuilder out = new StringBuilder(request.method()).append(' ').append(request.target())
                .append(" HTTP/1.1\r\nHost: 127.0.0.1:").append(app.port()).append("\r\n");
        if (request.authorization() != null) {
            out.append("Authorization: ").append(request.authorization()).append("\r\n");
        }
        for (int i = 0; i < request.headers().size(); i += 2) {
            out.append(request.headers().get(i)).append(": ").append(request.headers().get(i + 1)).append("\r\n");
        }
        return out.append("Connection: close\r\n\r\n").toString();
    }

    /** Writes {@code request} as UTF-8 bytes and reads one HTTP/1.1 response: status line, headers, body. */
    private Answer sendRaw(String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), app.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (SocketException e) {
                // The server may answer and close before it read everything; its answer is still there to read.
            }
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String statusLine = line(in);
            String[] parts = statusLine.split(" ", 3);
            assertThat(parts[0]).as("status line %s", statusLine).startsWith("HTTP/1.");
            int status = Integer.parseInt(parts[1]);
            Map<String, String> headers = new HashMap<>();
            for (String line = line(in); !line.isEmpty(); line = line(in)) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            byte[] body;
            if (headers.containsKey("content-length")) {
                body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
            } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = chunked(in);
            } else {
                body = in.readAllBytes();
            }
            return new Answer(status, headers.getOrDefault("content-type", ""), new String(body,
                    StandardCharsets.UTF_8));
        }
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            int semicolon = size.indexOf(';');
            int length = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (length == 0) {
                while (!line(in).isEmpty()) {
                    // trailers
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(length));
            line(in);
        }
    }

    /** One line, without its CR LF, as ISO-8859-1; fails at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("The connection closed in the middle of the response, after: "
                        + line.toString(StandardCharsets.ISO_8859_1));
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }
}
