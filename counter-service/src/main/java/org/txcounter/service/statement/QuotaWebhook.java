package org.txcounter.service.statement;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs each quota alert as JSON to {@code [licence] webhook_url}, on a thread of its own. A failed delivery (no
 * answer within 10 s, or a status other than 2xx) is retried after each of the backoff delays in turn; every failure
 * is logged with the status or error and counted ({@code txn_quota_webhook_failures_total}), and giving up is logged
 * as an error with the alert, so an undelivered alert is never silent.
 *
 * <p>Thread-safe: {@link #send} may be called from any thread; deliveries run on the webhook's own thread.
 */
public final class QuotaWebhook implements AutoCloseable {

    /** The delays before the 2nd to 7th attempt: about a minute in all. */
    public static final List<Duration> DEFAULT_BACKOFF = List.of(Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofSeconds(16), Duration.ofSeconds(32));
    private static final Logger LOG = LoggerFactory.getLogger(QuotaWebhook.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI url;
    private final List<Duration> backoff;
    private final HttpClient http;
    private final ScheduledExecutorService executor;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong abandoned = new AtomicLong();

    public QuotaWebhook(URI url, List<Duration> backoff) {
        this.url = url;
        this.backoff = List.copyOf(backoff);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "txn-quota-webhook");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Queues {@code json} for delivery and returns at once. */
    public void send(String json) {
        executor.execute(() -> attempt(json, 0));
    }

    private void attempt(String json, int attempt) {
        String problem;
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(url).timeout(TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) {
                delivered.incrementAndGet();
                if (attempt > 0) {
                    LOG.info("The quota webhook {} took the alert at attempt {}.", url, attempt + 1);
                }
                return;
            }
            problem = "answered HTTP " + response.statusCode();
        } catch (IOException e) {
            problem = "failed: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        failures.incrementAndGet();
        if (attempt < backoff.size()) {
            Duration delay = backoff.get(attempt);
            LOG.warn("The quota webhook {} {} (attempt {} of {}); retrying in {} ms.", url, problem, attempt + 1,
                    backoff.size() + 1, delay.toMillis());
            executor.schedule(() -> attempt(json, attempt + 1), delay.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            abandoned.incrementAndGet();
            LOG.error("The quota webhook {} {} at the last of {} attempts; this alert is not delivered: {}. The "
                    + "alert is in this log and in txn_quota_alerts_total; check the webhook's receiver.", url,
                    problem, backoff.size() + 1, json);
        }
    }

    /** Alerts the webhook took. */
    public long delivered() {
        return delivered.get();
    }

    /** Failed attempts, each retried until the last. */
    public long failures() {
        return failures.get();
    }

    /** Alerts given up after the last attempt. */
    public long abandoned() {
        return abandoned.get();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
