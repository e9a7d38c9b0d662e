package org.txcounter.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.Await;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.store.TestDatabases;
import org.txcounter.service.security.PasswordHashing;

/**
 * Two service instances, each with its own integration runtime, on one PostgreSQL database, as docs/operations.md's
 * "Several nodes" section sets them up, and a third started with {@code serve --reporting}. After traffic through
 * both runtimes, all three answer the same counts and the same reports, and the reporting instance is no node; a
 * login token works on the instance that issued it only; the login throttle is per instance.
 */
class MultiNodePostgresIT {

    private static final int THROUGH_A = 30;
    private static final int THROUGH_B = 20;
    private static final String USER = "ops";
    private static final String PASSWORD = "multi-node-ops-password";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The nodes write at the next minute boundary; then the database has everything. */
    private static final Duration FLUSH_WAIT = Duration.ofSeconds(150);

    @TempDir
    Path dirs;

    private OkBackend backend;
    private ServiceProcess a;
    private ServiceProcess b;
    private ServiceProcess reporting;

    @BeforeEach
    void prepare() throws IOException {
        DataSourceConfig owner = TestDatabases.postgres();
        TestDatabases.dropSchema(owner);
        TestDatabases.migrate(owner);
        backend = new OkBackend();
    }

    @AfterEach
    void stop() throws Exception {
        for (ServiceProcess node : new ServiceProcess[] {a, b, reporting}) {
            if (node != null) {
                node.terminate();
            }
        }
        backend.close();
    }

    @Test
    void twoInstancesAnswerTheSameCountsAndReportsAndKeepTokensAndThrottleToThemselves() throws Exception {
        String hash = PasswordHashing.hash(PASSWORD.toCharArray());
        a = ServiceProcess.start(node("node-a", hash));
        b = ServiceProcess.start(node("node-b", hash));
        Path reportingDir = reportingInstance(hash);
        reporting = ServiceProcess.start(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", Path.of("target", "txcounter.jar").toAbsolutePath().toString(), "serve",
                "--reporting").directory(reportingDir.toFile()));
        assertThat(reporting.startupOutput()).contains("Transaction counter reporting instance serving https://")
                .contains("counting nothing (reporting only)");
        HttpClient client = HttpClient.newHttpClient();
        send(client, a, THROUGH_A);
        send(client, b, THROUGH_B);

        String apiA = "https://127.0.0.1:" + a.managementPort();
        String apiB = "https://127.0.0.1:" + b.managementPort();
        List<JsonNode> counts = Await.awaitValue(FLUSH_WAIT, "both nodes' traffic written",
                () -> List.of(count(apiA), count(apiB)), both -> flushed(both.get(0)) && flushed(both.get(1)));
        JsonNode countA = counts.get(0);
        JsonNode countB = counts.get(1);
        assertThat(countA.path("total").asLong()).as("node A: %s", countA).isEqualTo(THROUGH_A + THROUGH_B);
        assertThat(countA.path("nodes").asInt()).isEqualTo(2);
        // What the database holds is the same on both; "unflushed" is the answering node's own, now 0 on each, and
        // the forecast is each instance's projection as of the moment it answered.
        assertThat(countA.path("unflushed").path("nodeId").asText()).isEqualTo("node-a");
        assertThat(countB.path("unflushed").path("nodeId").asText()).isEqualTo("node-b");
        assertThat(withoutUnflushed(countB)).isEqualTo(withoutUnflushed(countA));
        String apiReporting = "https://127.0.0.1:" + reporting.managementPort();
        JsonNode countReporting = count(apiReporting);
        assertThat(countReporting.has("unflushed")).as("a reporting instance counts nothing: %s", countReporting)
                .isFalse();
        assertThat(withoutUnflushed(countReporting)).isEqualTo(withoutUnflushed(countA));
        assertThat(JSON.readTree(Shell.curl200("-k", "-u", USER + ":" + PASSWORD, apiReporting
                + "/transaction/nodes")).findValuesAsText("nodeId")).containsExactly("node-a", "node-b");

        YearMonth month = YearMonth.now(ZoneOffset.UTC);
        String period = "?start=" + month + "&end=" + month;
        String reportA = Shell.curl200("-k", "-u", USER + ":" + PASSWORD, apiA + "/transaction/report" + period);
        assertThat(Shell.curl200("-k", "-u", USER + ":" + PASSWORD, apiB + "/transaction/report" + period))
                .isEqualTo(reportA);
        assertThat(Shell.curl200("-k", "-u", USER + ":" + PASSWORD, apiReporting + "/transaction/report" + period))
                .isEqualTo(reportA);
        assertThat(JSON.readTree(reportA).toString()).contains("node-a").contains("node-b");
        String csvA = Shell.curl200("-k", "-u", USER + ":" + PASSWORD,
                apiA + "/transaction/report" + period + "&format=csv");
        assertThat(csvA).isEqualTo("month,node_id,transport,transaction_count\r\n"
                + month + ",node-a,HTTP," + THROUGH_A + "\r\n" + month + ",node-b,HTTP," + THROUGH_B + "\r\n");
        assertThat(Shell.curl200("-k", "-u", USER + ":" + PASSWORD,
                apiB + "/transaction/report" + period + "&format=csv")).isEqualTo(csvA);
        String miCount = Shell.curl200("-k", "-u", USER + ":" + PASSWORD, apiA + "/management/transactions/count");
        assertThat(miCount).contains("\"TransactionCount\":" + (THROUGH_A + THROUGH_B));
        assertThat(Shell.curl200("-k", "-u", USER + ":" + PASSWORD, apiB + "/management/transactions/count"))
                .isEqualTo(miCount);

        // A token is valid on the instance that issued it.
        String token = JSON.readTree(Shell.curl200("-k", "-u", USER + ":" + PASSWORD, apiA + "/management/login"))
                .path("AccessToken").asText();
        assertThat(Shell.curl("-k", "-H", "Authorization: Bearer " + token, apiA + "/transaction/count"))
                .startsWith("200 ");
        assertThat(Shell.curl("-k", "-H", "Authorization: Bearer " + token, apiB + "/transaction/count"))
                .startsWith("401 ");

        // The login throttle counts the failures of each instance on its own.
        for (int i = 0; i < 5; i++) {
            assertThat(Shell.curl("-k", "-u", USER + ":wrong-" + i, apiA + "/transaction/count")).startsWith("401 ");
        }
        assertThat(Shell.curl("-k", "-u", USER + ":" + PASSWORD, apiA + "/transaction/count")).startsWith("429 ");
        assertThat(Shell.curl("-k", "-u", USER + ":" + PASSWORD, apiB + "/transaction/count")).startsWith("200 ");
    }

    private Path node(String id, String hash) throws IOException {
        return instance(id, hash, """
                [node]
                id = "%s"

                [deduplication]
                deployment_id = "multi-node-test"
                stamp_secret = "$secret{stamp}"

                [passthrough]
                port = 0

                [[passthrough.route]]
                prefix = "/api"
                backend = "http://127.0.0.1:%d/backend"

                [secrets]
                stamp = "[the same stamp secret on every node of this deployment]"
                """.formatted(id, backend.port()));
    }

    /** An instance with the same database and users and no integration runtime, for serve --reporting. */
    private Path reportingInstance(String hash) throws IOException {
        return instance("reporting", hash, "");
    }

    /** A directory with a deployment.toml: the shared database and users, this instance's port, and {@code rest}. */
    private Path instance(String name, String hash, String rest) throws IOException {
        DataSourceConfig app = TestDatabases.postgresApp();
        Path dir = Files.createDirectories(dirs.resolve(name));
        Files.writeString(dir.resolve("deployment.toml"), """
                [[datasource]]
                id = "WSO2_TRANSACTION_DB"
                url = "%s"
                username = "%s"
                password = "%s"

                [management_api]
                port = %d

                [[management_api.user]]
                name = "%s"
                password_hash = "%s"
                role = "admin"

                """.formatted(app.url(), app.username(), app.password(), 0, USER, hash) + rest);
        return dir;
    }

    private static void send(HttpClient client, ServiceProcess node, int requests) throws Exception {
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> proxied = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + node.passthroughPort() + "/api/orders/" + i)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(proxied.statusCode()).isEqualTo(200);
        }
    }

    private static JsonNode count(String api) throws Exception {
        return JSON.readTree(Shell.curl200("-k", "-u", USER + ":" + PASSWORD, api + "/transaction/count"));
    }

    private static boolean flushed(JsonNode count) {
        return count.path("total").asLong() == THROUGH_A + THROUGH_B
                && count.path("unflushed").path("total").asLong() == 0;
    }

    /** The count without what is the answering instance's own: its unflushed counts and its forecast (as of now). */
    private static JsonNode withoutUnflushed(JsonNode count) {
        assertThat(count.path("forecast").path("projectedTotal").isIntegralNumber()).as("%s", count).isTrue();
        ObjectNode copy = count.deepCopy();
        copy.remove("unflushed");
        copy.remove("forecast");
        return copy;
    }

}
