package org.txcounter.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first steps with the packaged jar, as a newcomer takes them: start it, read the generated admin
 * password, {@code curl -k} the count, send traffic through the passthrough and see it in the metrics, stop it
 * (SIGTERM writes everything), start it again and export the month as CSV with the CLI.
 */
class ServiceJarIT {

    private static final int REQUESTS = 25;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path workDir;

    private OkBackend backend;

    @BeforeEach
    void startBackend() throws IOException {
        backend = new OkBackend();
    }

    @AfterEach
    void stopBackend() {
        backend.close();
    }

    @Test
    void theReadmeFlowWorksFromFirstStartToACsvExport() throws Exception {
        // A day-long interval: no wall-clock boundary falls between the requests and the checks of what is
        // unflushed (on a loaded machine a one-minute interval did), so only the stop writes, and writes all 25.
        Files.writeString(workDir.resolve("deployment.toml"), """
                [transaction_counter]
                update_interval = 1440

                [node]
                id = "jar-node"

                [management_api]
                port = 0

                [passthrough]
                port = 0

                [[passthrough.route]]
                prefix = "/api"
                backend = "http://127.0.0.1:%d/backend"
                """.formatted(backend.port()));
        ServiceProcess service = ServiceProcess.start(workDir);
        int port = service.managementPort();
        String password = service.generatedPassword();
        assertThat(password).as("start-up output:\n%s", service.startupOutput()).isNotNull();
        assertThat(service.startupOutput()).as("the data directory the start made is owner-only from the first")
                .doesNotContain("was open to its group or to others");
        assertThat(Files.readString(workDir.resolve("data/admin-user.properties"))).doesNotContain(password)
                .contains("password_hash=pbkdf2-sha256$600000$");

        JsonNode before = JSON.readTree(run(workDir, List.of("curl", "-sk", "-u", "admin:" + password,
                "https://127.0.0.1:" + port + "/transaction/count")));
        assertThat(before.get("total").asLong()).isZero();
        assertThat(run(workDir, List.of("curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}",
                "https://127.0.0.1:" + port + "/transaction/count"))).isEqualTo("401");

        String metrics = "https://127.0.0.1:" + port + "/metrics";
        assertThat(run(workDir, List.of("curl", "-sk", "-u", "admin:" + password, metrics)))
                .contains("txn_transactions_counted_total{transport=\"HTTP\"} 0.0");
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < REQUESTS; i++) {
            HttpResponse<String> proxied = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + service.passthroughPort() + "/api/orders/" + i)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(proxied.statusCode()).isEqualTo(200);
        }
        assertThat(run(workDir, List.of("curl", "-sk", "-u", "admin:" + password, metrics)))
                .contains("txn_transactions_counted_total{transport=\"HTTP\"} " + REQUESTS + ".0")
                .contains("txn_transactions_unflushed{transport=\"HTTP\"} " + REQUESTS + ".0");
        // A user name carrying CR LF must not start a forged line in the log.
        run(workDir, List.of("curl", "-sk", "-o", "/dev/null", "-u", "intruder\r\n2026-01-01T00:00:00.000Z INFO  "
                + "forged:x", "https://127.0.0.1:" + port + "/transaction/count"));
        assertThat(service.terminate()).isEqualTo(143);

        ServiceProcess again = ServiceProcess.start(workDir);
        assertThat(again.generatedPassword()).as("the password is shown only at the first start").isNull();
        YearMonth month = YearMonth.now(ZoneOffset.UTC);
        // The port 0 of this test's configuration is not where the service listens: the CLI is told (--url).
        ProcessBuilder export = cli("report", "--url", "https://127.0.0.1:" + again.managementPort(), "--start",
                month.toString(), "--format", "csv", "--out", "report.csv");
        export.environment().put("TXN_PASSWORD", password);
        assertThat(run(workDir, export)).contains("Wrote the CSV report of " + month + " to "
                + workDir.resolve("report.csv").toRealPath());
        assertThat(Files.readString(workDir.resolve("report.csv"))).isEqualTo(
                "month,node_id,transport,transaction_count\r\n" + month + ",jar-node,HTTP," + REQUESTS + "\r\n");
        // While it runs, a migrate on the same data directory is told which process holds it.
        Process migrate = cli("migrate").directory(workDir.toFile()).redirectErrorStream(true).start();
        String refused = new String(migrate.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(migrate.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(migrate.exitValue()).as(refused).isEqualTo(1);
        assertThat(refused).contains("is in use by another process (pid " + again.pid() + "): a service runs on the "
                + "data directory").doesNotContain("credentials");
        assertThat(again.startupOutput()).containsPattern("Transaction counter node jar-node serving "
                + "https://127\\.0\\.0\\.1:" + again.managementPort() + " and HTTP passthrough on http://127\\.0\\.0\\.1:\\d+ \\(1 "
                + "route\\(s\\)\\), 0 JMS inbound endpoint\\(s\\), no JMS broker \\(configuration: ");
        assertThat(again.terminate()).isEqualTo(143);

        List<String> log = Files.readAllLines(workDir.resolve("logs/txcounter.log"));
        assertThat(log).anyMatch(line -> line.contains("Failed login for user intruder\\u000d\\u000a2026-01-01"));
        // The first stop wrote the 25 requests; the second had nothing left to write.
        assertThat(log).anyMatch(line -> line.matches(".*Stopped node jar-node: the final flush wrote " + REQUESTS
                + " transaction\\(s\\) \\(HTTP " + REQUESTS + ", JMS 0\\) in \\d+ ms\\.$"));
        assertThat(log).anyMatch(line -> line.matches(".*Stopped node jar-node: the final flush wrote 0 "
                + "transaction\\(s\\) \\(HTTP 0, JMS 0\\) in \\d+ ms\\.$"));
        assertThat(log).noneMatch(line -> line.startsWith("2026-01-01T00:00:00.000Z"));
        assertThat(log).allMatch(line -> line.isEmpty() || line.startsWith("\t")
                || line.matches("^\\d{4}-\\d{2}-\\d{2}T.*"));
        assertThat(String.join("\n", log)).doesNotContain(password);
    }

    private static ProcessBuilder cli(String... arguments) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", Path.of("target", "txcounter.jar").toAbsolutePath().toString()));
        command.addAll(List.of(arguments));
        return new ProcessBuilder(command);
    }

    private static String run(Path directory, List<String> command) throws Exception {
        return run(directory, new ProcessBuilder(command));
    }

    private static String run(Path directory, ProcessBuilder builder) throws Exception {
        Process process = builder.directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s\n%s", builder.command(), output).isZero();
        return output.strip();
    }
}
