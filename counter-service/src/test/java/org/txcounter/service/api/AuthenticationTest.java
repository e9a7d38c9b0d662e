package org.txcounter.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.txcounter.core.MutableClock;
import org.txcounter.core.TransactionCounter;
import org.txcounter.service.security.LoginThrottle;

/** Who may call what: every route but liveness needs credentials, admin routes need the admin role. */
class AuthenticationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESUME = "/transaction/verify/resume";
    private static final String CLOSE_MONTH = "/transaction/close-month";

    @TempDir
    Path dataDir;

    private final MutableClock clock = MutableClock.at("2026-11-24T10:00:30Z");
    private final HttpClient http = HttpClient.newHttpClient();
    private TransactionCounter counter;
    private Javalin app;

    @BeforeEach
    void start() throws Exception {
        counter = TestApi.counter(dataDir, clock);
        app = TestApi.plain(counter, clock);
        assertThat(call("POST", "/transaction/close-month?month=2026-09", TestUsers.admin()).statusCode())
                .as("September closed, so its statement can be read").isEqualTo(201);
    }

    @AfterEach
    void stop() {
        app.stop();
        counter.close();
    }

    private HttpResponse<String> get(String path, String authorization) throws IOException, InterruptedException {
        return call("GET", path, authorization);
    }

    private HttpResponse<String> call(ManagementApi.Route route, String authorization)
            throws IOException, InterruptedException {
        // Resuming a ledger check needs the checkpoint a clean check answered as its body.
        String body = route.path().equals(RESUME)
                ? JSON.readTree(get("/transaction/verify", TestUsers.admin()).body()).get("checkpoint").asText() : "";
        return call(route.method().name(), callable(route), authorization, body);
    }

    private HttpResponse<String> call(String method, String path, String authorization)
            throws IOException, InterruptedException {
        return call(method, path, authorization, "");
    }

    private HttpResponse<String> call(String method, String path, String authorization, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request each route answers with 200 when allowed (the report aliases need their parameters). */
    private static String callable(ManagementApi.Route route) {
        return switch (route.path()) {
            case "/transaction/report" -> route.path() + "?start=2026-11&end=2026-11";
            case "/management/transactions/report" -> route.path() + "?start=2026-11";
            case "/transaction/statement", "/transaction/close-status" -> route.path() + "?month=2026-09";
            case "/transaction/close-month" -> route.path() + "?month=2026-10";
            default -> route.path();
        };
    }

    static Stream<ManagementApi.Route> protectedRoutes() {
        return ManagementApi.ROUTES.stream().filter(route -> route.access() != Access.PUBLIC);
    }

    static Stream<ManagementApi.Route> adminRoutes() {
        return ManagementApi.ROUTES.stream().filter(route -> route.access() == Access.ADMIN);
    }

    static Stream<ManagementApi.Route> viewerRoutes() {
        return ManagementApi.ROUTES.stream().filter(route -> route.access() == Access.VIEWER);
    }

    @Test
    void onlyTheProbesAreOpenAndEveryOtherRouteIsListedAsProtected() {
        assertThat(ManagementApi.ROUTES.stream().filter(route -> route.access() == Access.PUBLIC)
                .map(ManagementApi.Route::path)).containsExactly("/health/live", "/health/ready/probe");
        assertThat(protectedRoutes().count()).isEqualTo(ManagementApi.ROUTES.size() - 2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protectedRoutes")
    void withoutCredentialsEveryProtectedRouteAnswers401WithAChallenge(ManagementApi.Route route) throws Exception {
        HttpResponse<String> response = call(route, null);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).contains(
                "Basic realm=\"txcounter\", charset=\"UTF-8\"");
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertThat(error.get("status").asInt()).isEqualTo(401);
        assertThat(error.get("code").asText()).isEqualTo("unauthorized");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protectedRoutes")
    void aWrongPasswordOrAnUnknownTokenIs401(ManagementApi.Route route) throws Exception {
        assertThat(call(route, TestUsers.basic(TestUsers.ADMIN, "wrong")).statusCode()).isEqualTo(401);
        if (route.access() != Access.LOGIN) {
            HttpResponse<String> token = call(route, "Bearer not-a-token");
            assertThat(token.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(token.body()).at("/error/code").asText()).isEqualTo("invalid_token");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adminRoutes")
    void aViewerGets403OnAdminRoutesAndTheAdminGets200(ManagementApi.Route route) throws Exception {
        HttpResponse<String> viewer = call(route, TestUsers.viewer());
        assertThat(viewer.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(viewer.body()).at("/error/code").asText()).isEqualTo("forbidden");
        // Closing a month creates its statement (201); resuming a check and clearing throttles answer 200.
        assertThat(call(route, TestUsers.admin()).statusCode()).isEqualTo(
                route.path().equals(CLOSE_MONTH) ? 201 : 200);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("viewerRoutes")
    void aViewerMayCallViewerRoutes(ManagementApi.Route route) throws Exception {
        assertThat(call(route, TestUsers.viewer()).statusCode()).isEqualTo(200);
    }

    @Test
    void livenessNeedsNoCredentials() throws Exception {
        assertThat(get("/health/live", null).statusCode()).isEqualTo(200);
    }

    @Test
    void headIsAnsweredLikeGetWithTheSameAccessRules() throws Exception {
        HttpResponse<String> live = head("/health/live", null);
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).isEmpty();
        assertThat(head("/transaction/count", null).statusCode()).isEqualTo(401);
        assertThat(head("/transaction/count", TestUsers.viewer()).statusCode()).isEqualTo(200);
        assertThat(head("/transaction/verify", TestUsers.viewer()).statusCode()).isEqualTo(403);
        assertThat(head("/transaction/verify", TestUsers.admin()).statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> head(String path, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .method("HEAD", HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aTokenFromLoginWorksUntilLogoutOrExpiry() throws Exception {
        HttpResponse<String> login = get("/management/login", TestUsers.viewer());
        assertThat(login.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(login.body());
        assertThat(body.size()).isEqualTo(1);
        String token = body.get("AccessToken").asText();
        assertThat(token).hasSizeGreaterThanOrEqualTo(43);

        assertThat(get("/management/transactions/count", "Bearer " + token).statusCode()).isEqualTo(200);
        assertThat(get("/transaction/verify", "Bearer " + token).statusCode()).isEqualTo(403);
        // Login itself takes Basic only.
        assertThat(get("/management/login", "Bearer " + token).statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(get("/management/logout", "Bearer " + token).body()).get("Message").asText())
                .isEqualTo("Logout successful");
        assertThat(get("/management/transactions/count", "Bearer " + token).statusCode()).isEqualTo(401);

        String second = JSON.readTree(get("/management/login", TestUsers.admin()).body()).get("AccessToken").asText();
        clock.advance(Duration.ofMinutes(59));
        assertThat(get("/transaction/verify", "Bearer " + second).statusCode()).isEqualTo(200);
        clock.advance(Duration.ofMinutes(1));
        assertThat(get("/transaction/verify", "Bearer " + second).statusCode()).isEqualTo(401);
    }

    @Test
    void repeatedFailedLoginsForOneUserAreThrottledEvenWithTheRightPasswordUntilTheWindowPasses() throws Exception {
        for (int i = 0; i < LoginThrottle.MAX_USER_FAILURES; i++) {
            assertThat(get("/transaction/count", TestUsers.basic(TestUsers.ADMIN, "guess-" + i)).statusCode())
                    .isEqualTo(401);
        }
        HttpResponse<String> throttled = get("/transaction/count", TestUsers.admin());
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).contains("900");
        assertThat(JSON.readTree(throttled.body()).at("/error/code").asText()).isEqualTo("too_many_failed_logins");
        // Five failures for one name do not yet throttle the address for other names.
        assertThat(get("/transaction/count", TestUsers.viewer()).statusCode()).isEqualTo(200);

        clock.advance(LoginThrottle.WINDOW.minusSeconds(1));
        assertThat(get("/transaction/count", TestUsers.admin()).statusCode()).isEqualTo(429);
        clock.advance(Duration.ofSeconds(1));
        assertThat(get("/transaction/count", TestUsers.admin()).statusCode()).isEqualTo(200);
    }

    @Test
    void sixtyFourParallelWrongPasswordsForOneNameAreCheckedFiveTimesAndTheRestRefusedBeforeAnyHash()
            throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(64);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> statuses = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            String guess = "parallel-guess-" + i;
            statuses.add(senders.submit(() -> {
                go.await();
                return get("/transaction/count", TestUsers.basic(TestUsers.ADMIN, guess)).statusCode();
            }));
        }
        go.countDown();
        Map<Integer, Integer> byStatus = new TreeMap<>();
        for (Future<Integer> status : statuses) {
            byStatus.merge(status.get(60, TimeUnit.SECONDS), 1, Integer::sum);
        }
        senders.shutdown();

        assertThat(byStatus).isEqualTo(Map.of(401, LoginThrottle.MAX_USER_FAILURES,
                429, 64 - LoginThrottle.MAX_USER_FAILURES));
    }

    @Test
    void anAdministratorListsAndClearsTheThrottleThatLocksAUserOut() throws Exception {
        for (int i = 0; i < LoginThrottle.MAX_USER_FAILURES; i++) {
            assertThat(rawGet("127.0.0.2", "/transaction/count", TestUsers.basic(TestUsers.VIEWER, "guess-" + i)))
                    .isEqualTo(401);
        }
        assertThat(rawGet("127.0.0.2", "/transaction/count", TestUsers.viewer())).isEqualTo(429);

        JsonNode listed = JSON.readTree(get("/management/throttles", TestUsers.admin()).body());
        assertThat(listed.path("windowSeconds").asLong()).isEqualTo(900);
        JsonNode pair = null;
        for (JsonNode row : listed.path("throttles")) {
            if (TestUsers.VIEWER.equals(row.path("user").asText(null))) {
                pair = row;
            }
        }
        assertThat(pair).as(listed.toString()).isNotNull();
        assertThat(pair.path("address").asText()).isEqualTo("127.0.0.2");
        assertThat(pair.path("failures").asInt()).isEqualTo(LoginThrottle.MAX_USER_FAILURES);
        assertThat(pair.path("retryAfterSeconds").asLong()).isEqualTo(900);
        assertThat(call("POST", "/management/throttles/clear?address=127.0.0.2", TestUsers.viewer()).statusCode())
                .as("viewers may not clear").isEqualTo(403);

        HttpResponse<String> cleared = call("POST", "/management/throttles/clear?address=127.0.0.2&user="
                + TestUsers.VIEWER, TestUsers.admin());
        assertThat(cleared.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(cleared.body()).path("cleared").asInt()).isEqualTo(1);
        assertThat(rawGet("127.0.0.2", "/transaction/count", TestUsers.viewer())).isEqualTo(200);
    }

    @Test
    void oneHundredFailedLoginsFrom127002DoNotLockTheAdminOutOf127001() throws Exception {
        int refused = 0;
        int throttled = 0;
        for (int i = 0; i < 100; i++) {
            int status = rawGet("127.0.0.2", "/transaction/count", TestUsers.basic(TestUsers.ADMIN, "guess-" + i));
            refused += status == 401 ? 1 : 0;
            throttled += status == 429 ? 1 : 0;
        }
        assertThat(refused).isEqualTo(LoginThrottle.MAX_USER_FAILURES);
        assertThat(throttled).isEqualTo(100 - LoginThrottle.MAX_USER_FAILURES);
        // The attacker's address stays throttled, even for the right password...
        assertThat(rawGet("127.0.0.2", "/transaction/count", TestUsers.admin())).isEqualTo(429);
        // ...while the admin, from another address, logs in at once, with Basic and for a token.
        assertThat(rawGet("127.0.0.1", "/transaction/count", TestUsers.admin())).isEqualTo(200);
        assertThat(rawGet("127.0.0.1", "/management/login", TestUsers.admin())).isEqualTo(200);
    }

    @Test
    void manyFailedNamesFromOneAddressStayThrottledAcrossAValidLogin() throws Exception {
        int failures = 0;
        for (int i = 0; failures < LoginThrottle.MAX_ADDRESS_FAILURES - 1; i++) {
            assertThat(rawGet("127.0.0.2", "/transaction/count", TestUsers.basic("name-" + i, "guess")))
                    .isEqualTo(401);
            failures++;
            if (i == 10) {
                // A valid login of the attacker's own (viewer) account in between clears nothing.
                assertThat(rawGet("127.0.0.2", "/transaction/count", TestUsers.viewer())).isEqualTo(200);
            }
        }
        assertThat(rawGet("127.0.0.2", "/transaction/count", TestUsers.basic("last-name", "guess"))).isEqualTo(401);
        assertThat(rawGet("127.0.0.2", "/transaction/count", TestUsers.basic("one-more", "guess"))).isEqualTo(429);
        assertThat(rawGet("127.0.0.2", "/transaction/count", TestUsers.viewer())).isEqualTo(429);
        assertThat(rawGet("127.0.0.1", "/transaction/count", TestUsers.viewer())).isEqualTo(200);
        clock.advance(LoginThrottle.WINDOW);
        assertThat(rawGet("127.0.0.2", "/transaction/count", TestUsers.viewer())).isEqualTo(200);
    }

    @Test
    void tenThousandViewerLoginsDoNotLogTheAdminOut() throws Exception {
        String admin = JSON.readTree(get("/management/login", TestUsers.admin()).body()).get("AccessToken").asText();
        String firstViewer = null;
        String lastViewer = null;
        for (int i = 0; i < 10_000; i++) {
            HttpResponse<String> login = get("/management/login", TestUsers.viewer());
            assertThat(login.statusCode()).isEqualTo(200);
            lastViewer = JSON.readTree(login.body()).get("AccessToken").asText();
            if (i == 0) {
                firstViewer = lastViewer;
            }
        }
        assertThat(get("/transaction/verify", "Bearer " + admin).statusCode()).isEqualTo(200);
        assertThat(get("/management/transactions/count", "Bearer " + lastViewer).statusCode()).isEqualTo(200);
        // The viewer's own oldest session made room for its newer ones.
        assertThat(get("/management/transactions/count", "Bearer " + firstViewer).statusCode()).isEqualTo(401);
    }

    /** One GET over a socket bound to {@code localAddress}; the status code. */
    private int rawGet(String localAddress, String path, String authorization) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), app.port()), 10_000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + authorization
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.1 ");
            return Integer.parseInt(response.substring(9, 12));
        }
    }

    @Test
    void malformedAuthorizationHeadersAre401() throws Exception {
        for (String header : new String[] {"Basic", "Basic !!!", "Basic " + "QQ==", "Digest abc", "Bearer",
                "Basic " + java.util.Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, ':', 'x'})}) {
            HttpResponse<String> response = get("/transaction/count", header);
            assertThat(response.statusCode()).as(header).isEqualTo(401);
            assertThat(JSON.readTree(response.body()).at("/error/status").asInt()).isEqualTo(401);
        }
    }
}
