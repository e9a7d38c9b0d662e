package org.txcounter.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts the packaged jar as an operator would and asks it for a CSV report over HTTP. */
class ServiceJarIT {

    private static final Pattern SERVING = Pattern.compile("serving http://127\\.0\\.0\\.1:(\\d+) ");

    @TempDir
    Path workDir;

    @Test
    void thePackagedJarStartsOnTheEmbeddedDatabaseAndServesACsvReport() throws Exception {
        Path jar = Path.of("target", "txcounter.jar").toAbsolutePath();
        assertThat(jar).exists();
        Files.writeString(workDir.resolve("deployment.toml"), "[management_api]\nport = 0\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-jar", jar.toString())
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .start();
        try (BufferedReader output = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            int port = -1;
            StringBuilder seen = new StringBuilder();
            for (String line = output.readLine(); line != null; line = output.readLine()) {
                seen.append(line).append('\n');
                Matcher matcher = SERVING.matcher(line);
                if (matcher.find()) {
                    port = Integer.parseInt(matcher.group(1));
                    break;
                }
            }
            assertThat(port).as("start-up output:\n%s", seen).isPositive();

            HttpResponse<String> csv = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + port + "/transaction/report?start=2026-01&end=2026-12&format=csv")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(csv.statusCode()).isEqualTo(200);
            assertThat(csv.body()).isEqualTo("month,node_id,transport,transaction_count\r\n");
            assertThat(workDir.resolve("data").resolve("node-id")).exists();
        } finally {
            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(process.exitValue()).isEqualTo(143);
    }
}
