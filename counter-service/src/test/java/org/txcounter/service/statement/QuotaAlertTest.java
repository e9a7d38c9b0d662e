package org.txcounter.service.statement;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.txcounter.core.Await;
import org.txcounter.core.MutableClock;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounter;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.internal.Internals;
import org.txcounter.service.config.LicenceConfig;

/**
 * Quota alerts under a fake clock: each threshold alerts exactly once per month however often the quota is
 * checked, again in the next month, and a real HTTP webhook receives every alert, although it failed the first two
 * attempts.
 */
class QuotaAlertTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MINUTE = Duration.ofMinutes(1);

    @TempDir
    Path dataDir;

    private HttpServer server;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final CountDownLatch fourDelivered = new CountDownLatch(4);
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private TransactionCounter counter;
    private QuotaWebhook webhook;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/alerts", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            boolean fail = requests.incrementAndGet() <= 2;
            exchange.sendResponseHeaders(fail ? 503 : 204, -1);
            exchange.close();
            if (!fail) {
                received.add(new String(body, StandardCharsets.UTF_8));
                fourDelivered.countDown();
            }
        });
        server.start();
        log.start();
        ((Logger) LoggerFactory.getLogger(QuotaMonitor.class)).addAppender(log);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(QuotaMonitor.class)).detachAppender(log);
        if (webhook != null) {
            webhook.close();
        }
        if (counter != null) {
            counter.close();
        }
        server.stop(0);
    }

    private void record(int times) {
        TransportCounter http = counter.meter().counter(Transport.HTTP);
        for (int i = 0; i < times; i++) {
            http.record();
        }
    }

    @Test
    void eachThresholdAlertsOncePerMonthAndTheWebhookReceivesEveryAlertAfterFailingTwice() throws Exception {
        MutableClock clock = MutableClock.at("2026-05-20T08:00:00Z");
        counter = TransactionCounter.open(CounterConfig.builder().dataDir(dataDir).nodeId("node-a").build(), clock);
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/alerts");
        webhook = new QuotaWebhook(url, List.of(Duration.ofMillis(20), Duration.ofMillis(40), Duration.ofMillis(80)));
        LicenceConfig licence = new LicenceConfig(Optional.of(1000L), List.of(80, 90, 100), Optional.of(url));
        QuotaMonitor monitor = new QuotaMonitor(Internals.store(counter), licence, ZoneOffset.UTC, "prod-eu", clock,
                Optional.of(webhook));

        record(799);
        clock.advance(MINUTE);
        Internals.flusher(counter).flushDue();
        monitor.check();
        assertThat(monitor.alertsRaised()).as("79.9 %").isZero();
        assertThat(monitor.usedRatio()).isEqualTo(0.799);

        record(1);
        clock.advance(MINUTE);
        Internals.flusher(counter).flushDue();
        monitor.check();
        monitor.check();
        assertThat(monitor.alertsRaised()).as("exactly 80 %, checked twice").isEqualTo(1);

        record(250);
        clock.advance(MINUTE);
        Internals.flusher(counter).flushDue();
        monitor.check();
        monitor.check();
        assertThat(monitor.alertsRaised()).as("105 %: 90 and 100 at once, once each").isEqualTo(3);
        assertThat(monitor.usedRatio()).isEqualTo(1.05);

        QuotaMonitor restarted = new QuotaMonitor(Internals.store(counter), licence, ZoneOffset.UTC, "prod-eu", clock,
                Optional.of(webhook));
        restarted.check();
        assertThat(restarted.alertsRaised()).as("after a restart nothing alerts again this month").isZero();

        clock.set(Instant.parse("2026-06-01T00:00:30Z"));
        Internals.flusher(counter).flushDue();
        record(850);
        clock.advance(MINUTE);
        Internals.flusher(counter).flushDue();
        monitor.check();
        assertThat(monitor.alertsRaised()).as("June's 80 %").isEqualTo(4);

        assertThat(fourDelivered.await(30, TimeUnit.SECONDS)).as("the webhook received four alerts").isTrue();
        assertThat(requests.get()).as("two failed attempts, then one per alert").isEqualTo(6);
        assertThat(webhook.failures()).isEqualTo(2);
        // The server has the fourth body before the webhook's client has read the answer and counted it.
        Await.awaitUpTo(Duration.ofSeconds(30), "the fourth alert counted as delivered",
                () -> webhook.delivered() >= 4);
        assertThat(webhook.delivered()).isEqualTo(4);
        assertThat(webhook.abandoned()).isZero();
        List<String> alerts = received.stream().map(body -> {
            JsonNode alert = readJson(body);
            return alert.get("month").asText() + " " + alert.get("thresholdPercent").asInt() + " "
                    + alert.get("used").asLong() + "/" + alert.get("quota").asLong() + " "
                    + alert.get("deployment").asText();
        }).sorted().toList();
        assertThat(alerts).containsExactly("2026-05 100 1050/1000 prod-eu", "2026-05 80 800/1000 prod-eu",
                "2026-05 90 1050/1000 prod-eu", "2026-06 80 850/1000 prod-eu");
        assertThat(log.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(line -> line.startsWith("Licence quota alert"))).hasSize(4)
                .anySatisfy(line -> assertThat(line).contains("800 transactions in 2026-05", "80 % threshold"));
        assertThat(Internals.store(counter).quotaAlerts(YearMonth.of(2026, 5))).containsOnlyKeys(80, 90, 100);
    }

    private static JsonNode readJson(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError(body, e);
        }
    }
}
