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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.txcounter.core.MutableClock;
import org.txcounter.core.TransactionCounter;

/** The OpenAPI document served at /openapi.json describes exactly the routes the app serves, and how. */
class OpenApiDocumentTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;

    private static final MutableClock CLOCK = MutableClock.at("2026-11-24T10:00:30Z");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static TransactionCounter counter;
    private static Javalin app;
    private static JsonNode document;

    @BeforeAll
    static void start() throws Exception {
        counter = TestApi.counter(dataDir, CLOCK);
        app = TestApi.plain(counter, CLOCK);
        HttpResponse<String> response = get("/openapi.json");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        document = JSON.readTree(response.body());
        HttpResponse<String> closed = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port()
                        + "/transaction/close-month?month=2026-10")).header("Authorization", TestUsers.admin())
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(closed.statusCode()).as("closing October, when no node reported: %s", closed.body())
                .isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.stop();
        }
        if (counter != null) {
            counter.close();
        }
    }

    private static HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + pathAndQuery))
                .header("Authorization", TestUsers.admin()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request each path answers with 200 for the admin: the reports need their parameters. */
    private static String callable(String path) {
        return switch (path) {
            case "/transaction/report" -> path + "?start=2026-11&end=2026-11";
            case "/management/transactions/report" -> path + "?start=2026-11";
            case "/transaction/statement", "/transaction/close-status" -> path + "?month=2026-10";
            default -> path;
        };
    }

    static Stream<ManagementApi.Route> routes() {
        return ManagementApi.ROUTES.stream();
    }

    private static JsonNode operation(ManagementApi.Route route) {
        return document.path("paths").path(route.path()).path(method(route));
    }

    private static String method(ManagementApi.Route route) {
        return route.method().name().toLowerCase(Locale.ROOT);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void itIsOpenApi3() {
        assertThat(document.path("openapi").asText()).startsWith("3.");
    }

    @Test
    void theDocumentedPathsAreExactlyTheRoutes() {
        Set<String> documented = new TreeSet<>(fieldNames(document.path("paths")));
        Set<String> routed = ManagementApi.ROUTES.stream().map(ManagementApi.Route::path)
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(documented).isEqualTo(routed);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routes")
    void eachPathHasOneOperationItsRoutesMethod(ManagementApi.Route route) {
        JsonNode path = document.path("paths").path(route.path());

        assertThat(path.isObject()).as("%s is documented", route.path()).isTrue();
        assertThat(fieldNames(path)).as("operations of %s", route.path()).containsExactly(method(route));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routes")
    void onlyPublicRoutesWaiveSecurity(ManagementApi.Route route) {
        JsonNode security = operation(route).path("security");

        if (route.access() == Access.PUBLIC) {
            assertThat(security.isArray()).as("%s has security: []", route.path()).isTrue();
            assertThat(security).as("%s has security: []", route.path()).isEmpty();
        } else {
            boolean waived = security.isArray() && security.isEmpty();
            assertThat(waived).as("%s must not have security: []", route.path()).isFalse();
            assertThat(document.path("security")).as("the document-wide security requirement").isNotEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routes")
    void adminRoutesDocument403AndTheAdminRole(ManagementApi.Route route) {
        JsonNode operation = operation(route);

        if (route.access() == Access.ADMIN) {
            assertThat(operation.path("responses").has("403")).as("%s documents 403", route.path()).isTrue();
            assertThat(operation.path("x-required-role").asText()).as("%s x-required-role", route.path())
                    .isEqualTo("admin");
        } else {
            assertThat(operation.path("x-required-role").asText()).as("%s x-required-role", route.path())
                    .isNotEqualTo("admin");
        }
    }

    @Test
    void everyDocumentedGetAnswers200ForTheAdmin() throws Exception {
        SoftAssertions softly = new SoftAssertions();
        for (String path : fieldNames(document.path("paths"))) {
            if (!document.path("paths").path(path).has("get")) {
                continue;
            }
            HttpResponse<String> response = get(callable(path));
            softly.assertThat(response.statusCode()).as("GET %s: %s", callable(path), response.body()).isEqualTo(200);
        }
        softly.assertAll();
    }

    @Test
    void everyRefResolvesUnderComponents() {
        List<String> refs = new ArrayList<>();
        collectRefs(document, refs);

        assertThat(refs).as("the document uses $ref").isNotEmpty();
        SoftAssertions softly = new SoftAssertions();
        for (String ref : refs) {
            softly.assertThat(ref).as("$ref").startsWith("#/components/");
            JsonNode target = ref.startsWith("#/") ? document.at(ref.substring(1)) : null;
            softly.assertThat(target != null && !target.isMissingNode() && !target.isNull())
                    .as("%s resolves", ref).isTrue();
        }
        softly.assertAll();
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (field.getKey().equals("$ref")) {
                    refs.add(field.getValue().asText());
                } else {
                    collectRefs(field.getValue(), refs);
                }
            }
        } else if (node.isArray()) {
            node.forEach(element -> collectRefs(element, refs));
        }
    }
}
