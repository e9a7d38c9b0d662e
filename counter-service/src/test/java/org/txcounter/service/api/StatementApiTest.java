package org.txcounter.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.MutableClock;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounter;
import org.txcounter.core.internal.Internals;
import org.txcounter.service.config.LicenceConfig;
import org.txcounter.service.runtime.RoutingStats;
import org.txcounter.service.statement.Billing;

/** The month-end routes as the dashboard and the CLI call them: quota, metric, forecast, close and downloads. */
class StatementApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private final MutableClock clock = MutableClock.at("2026-11-24T10:00:30Z");
    private final HttpClient http = HttpClient.newHttpClient();
    private TransactionCounter counter;
    private Billing billing;
    private Javalin app;

    @BeforeEach
    void start() {
        counter = TestApi.counter(dataDir, clock);
        billing = TestApi.billing(counter, clock,
                new LicenceConfig(Optional.of(100L), List.of(80, 90, 100), Optional.empty()));
        app = ManagementApi.create(counter, TestUsers.access(clock), ManagementApi.Listener.plain("127.0.0.1", 0),
                new CounterMetrics(counter, new RoutingStats(), billing), billing).start();
    }

    @AfterEach
    void stop() {
        app.stop();
        billing.close();
        counter.close();
    }

    private HttpResponse<byte[]> call(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .header("Authorization", TestUsers.admin()).method(method, HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private JsonNode json(String path) throws Exception {
        HttpResponse<byte[]> response = call("GET", path);
        assertThat(response.statusCode()).as("GET %s", path).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private String text(String path) throws Exception {
        return new String(call("GET", path).body(), StandardCharsets.UTF_8);
    }

    @Test
    void theQuotaItsMetricAndTheForecastAreServedAsJson() throws Exception {
        TransportCounter http = counter.meter().counter(Transport.HTTP);
        for (int i = 0; i < 85; i++) {
            http.record();
        }
        clock.advance(Duration.ofMinutes(1));
        Internals.flusher(counter).flushDue();
        billing.tick();

        JsonNode quota = json("/transaction/quota");
        assertThat(quota.get("month").asText()).isEqualTo("2026-11");
        assertThat(quota.get("quota").asLong()).isEqualTo(100);
        assertThat(quota.get("used").asLong()).isEqualTo(85);
        assertThat(quota.get("usedRatio").asDouble()).isEqualTo(0.85);
        assertThat(quota.at("/thresholds/0/reached").asBoolean()).isTrue();
        assertThat(quota.at("/thresholds/0/alertRaisedAt").asText()).isEqualTo("2026-11-24T10:01:30Z");
        assertThat(quota.at("/thresholds/1/reached").asBoolean()).isFalse();
        assertThat(quota.at("/thresholds/1/alertRaisedAt").isNull()).isTrue();
        assertThat(text("/metrics")).contains("txn_quota_used_ratio 0.85", "txn_quota_alerts_total 1.0");

        JsonNode forecast = json("/transaction/forecast");
        assertThat(forecast.get("model").asText()).isEqualTo("day-type-mean (weekday/weekend)");
        assertThat(forecast.get("countedSoFar").asLong()).isEqualTo(85);
        assertThat(forecast.get("projectedTotal").asLong()).isGreaterThanOrEqualTo(85);
        JsonNode count = json("/transaction/count");
        assertThat(count.at("/forecast/projectedTotal").asLong()).isEqualTo(forecast.get("projectedTotal").asLong());
        assertThat(json("/transaction/count?year=2026&month=10").has("forecast")).isFalse();
    }

    @Test
    void aMonthClosesOnlyOnceAfterItsEndAndItsStatementDownloadsWithSensibleNames() throws Exception {
        HttpResponse<byte[]> early = call("POST", "/transaction/close-month?month=2026-11");
        assertThat(early.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(early.body()).at("/error/message").asText())
                .contains("cannot be closed before it ends at 2026-12-01T00:00:00Z");
        assertThat(call("GET", "/transaction/statement?month=2026-10").statusCode()).isEqualTo(404);

        assertThat(call("POST", "/transaction/close-month?month=2026-10").statusCode()).isEqualTo(201);
        HttpResponse<byte[]> again = call("POST", "/transaction/close-month?month=2026-10");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(again.body()).at("/error/code").asText()).isEqualTo("already_closed");

        HttpResponse<byte[]> statement = call("GET", "/transaction/statement?month=2026-10");
        assertThat(statement.headers().firstValue("Content-Disposition"))
                .contains("attachment; filename=\"statement-default-2026-10.json\"");
        assertThat(JSON.readTree(statement.body()).at("/statement/month").asText()).isEqualTo("2026-10");
        HttpResponse<byte[]> csv = call("GET", "/transaction/statement?month=2026-10&format=csv");
        assertThat(csv.headers().firstValue("Content-Disposition"))
                .contains("attachment; filename=\"statement-default-2026-10.csv\"");
        HttpResponse<byte[]> pdf = call("GET", "/transaction/statement?month=2026-10&format=pdf");
        assertThat(pdf.headers().firstValue("Content-Type")).contains("application/pdf");
        assertThat(new String(pdf.body(), 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
        assertThat(text("/transaction/statements/public-key")).startsWith("-----BEGIN PUBLIC KEY-----\n");
        JsonNode list = json("/transaction/statements");
        assertThat(list.at("/statements/0/month").asText()).isEqualTo("2026-10");
        assertThat(list.at("/statements/0/closedBy").asText()).isEqualTo(TestUsers.ADMIN);
        assertThat(json("/transaction/close-status?month=2026-11").get("ended").asBoolean()).isFalse();
        assertThat(call("GET", "/transaction/statement?month=2026-10&format=xml").statusCode()).isEqualTo(400);
    }

    @Test
    void everyMetricTheShippedAlertRulesUseIsExposed() throws Exception {
        String rules;
        try (InputStream in = Billing.class.getResourceAsStream("/prometheus/txcounter-alerts.yml")) {
            assertThat(in).as("prometheus/txcounter-alerts.yml in the jar").isNotNull();
            rules = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        TreeSet<String> used = new TreeSet<>();
        Matcher metric = Pattern.compile("expr: .*").matcher(rules);
        while (metric.find()) {
            Matcher name = Pattern.compile("txn_[a-z_]+").matcher(metric.group());
            while (name.find()) {
                used.add(name.group());
            }
        }
        assertThat(used).contains("txn_quota_used_ratio");
        LicenceConfig withWebhook = new LicenceConfig(Optional.of(100L), List.of(80),
                Optional.of(URI.create("http://127.0.0.1:9/alerts")));
        try (Billing hooked = TestApi.billing(counter, clock, withWebhook)) {
            CounterMetrics metrics = new CounterMetrics(counter, new RoutingStats(), hooked);
            String scrape = metrics.scrape();
            for (String name : used) {
                assertThat(scrape).as("/metrics exposes %s", name).contains("\n" + name + " ");
            }
        }
    }
}
