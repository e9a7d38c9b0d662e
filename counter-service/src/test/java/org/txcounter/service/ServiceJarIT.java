package org.txcounter.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.config.CounterConfig;

/** Starts the packaged jar as an operator would and asks it for a CSV report over HTTP. */
class ServiceJarIT {

    private static final int REQUESTS = 25;

    @TempDir
    Path workDir;

    @Test
    void thePackagedJarServesACsvReportAndWritesEveryTransactionWhenStopped() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Files.writeString(workDir.resolve("deployment.toml"), """
                [node]
                id = "jar-node"

                [management_api]
                port = %d

                [passthrough]
                port = 0

                [[passthrough.route]]
                prefix = "/api"
                backend = "http://127.0.0.1:%d/transaction"
                """.formatted(port, port));
        ServiceProcess service = ServiceProcess.start(workDir);
        assertThat(service.passthroughPort()).as("start-up output:\n%s", service.startupOutput()).isPositive();
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> csv = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/transaction/report?start=2026-01&end=2026-12&format=csv")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.body()).isEqualTo("month,node_id,transport,transaction_count\r\n");
        for (int i = 0; i < REQUESTS; i++) {
            HttpResponse<String> proxied = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + service.passthroughPort() + "/api/count")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(proxied.statusCode()).isEqualTo(200);
        }
        assertThat(service.terminate()).isEqualTo(143);

        // SIGTERM wrote the open interval: reopen the database the service used and read the month.
        try (TransactionCounter reopened = TransactionCounter.open(CounterConfig.builder()
                .dataDir(workDir.resolve("data")).nodeId("jar-node").build(), Clock.systemUTC())) {
            assertThat(reopened.count(reopened.currentMonth()).counts().get(Transport.HTTP)).isEqualTo(REQUESTS);
        }
    }
}
