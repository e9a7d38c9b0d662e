package org.txcounter.service.statement;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.store.Adjustment;
import org.txcounter.core.store.CounterStore;
import org.txcounter.service.config.LicenceConfig;
import org.txcounter.service.json.Json;

/**
 * Watches the month's use of the licence quota: the month's written transactions across all nodes plus its
 * adjustments, against {@code [licence] monthly_quota}. Each threshold raises its alert once per month, across
 * restarts and nodes (the store records it first): a warning in the log, {@code txn_quota_alerts_total}, and the
 * webhook if one is configured.
 *
 * <p>Thread-safe: {@link #check} may run on any thread; its state is atomic and the store decides which call raises
 * an alert.
 */
public final class QuotaMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(QuotaMonitor.class);
    private static final ObjectMapper JSON = Json.MAPPER;

    private final CounterStore store;
    private final LicenceConfig licence;
    private final ZoneId zone;
    private final String deployment;
    private final Clock clock;
    private final Optional<QuotaWebhook> webhook;
    private final AtomicLong alerts = new AtomicLong();
    private volatile double usedRatio = Double.NaN;

    public QuotaMonitor(CounterStore store, LicenceConfig licence, ZoneId zone, String deployment, Clock clock,
            Optional<QuotaWebhook> webhook) {
        this.store = store;
        this.licence = licence;
        this.zone = zone;
        this.deployment = deployment;
        this.clock = clock;
        this.webhook = webhook;
    }

    /** Where the month's use stands. */
    public record Usage(YearMonth month, Optional<Long> quota, long used, double ratio, List<Integer> thresholds,
            Map<Integer, Instant> raised) {
    }

    /** The use of {@code month} now. */
    public Usage usage(YearMonth month) {
        long written = store.count(month).total();
        long adjusted = store.adjustmentsInto(month).stream().mapToLong(Adjustment::count).sum();
        long used = written + adjusted;
        double ratio = licence.monthlyQuota().map(quota -> (double) used / quota).orElse(Double.NaN);
        return new Usage(month, licence.monthlyQuota(), used, ratio, licence.thresholdsPercent(),
                licence.monthlyQuota().isPresent() ? store.quotaAlerts(month) : Map.of());
    }

    /** Raises the alert of every threshold the current month has passed and not alerted yet. */
    public void check() {
        if (licence.monthlyQuota().isEmpty()) {
            return;
        }
        long quota = licence.monthlyQuota().get();
        YearMonth month = YearMonth.from(clock.instant().atZone(zone));
        Usage usage = usage(month);
        usedRatio = usage.ratio();
        for (int threshold : licence.thresholdsPercent()) {
            if (usage.used() * 100 < (long) threshold * quota || usage.raised().containsKey(threshold)) {
                continue;
            }
            if (store.recordQuotaAlert(month, threshold, usage.used(), quota)) {
                alerts.incrementAndGet();
                LOG.warn("Licence quota alert: {} transactions in {} ({}) are {} % of the monthly quota of {}; the "
                        + "{} % threshold is passed. Plan for the licence or reduce the traffic.", usage.used(),
                        month, zone, Math.round(usage.ratio() * 1000) / 10.0, quota, threshold);
                webhook.ifPresent(hook -> hook.send(alertJson(month, threshold, usage.used(), quota)));
            }
        }
    }

    private String alertJson(YearMonth month, int threshold, long used, long quota) {
        ObjectNode alert = JSON.createObjectNode();
        alert.put("alert", "txn_quota_threshold");
        alert.put("deployment", deployment);
        alert.put("month", month.toString());
        alert.put("timeZone", zone.getId());
        alert.put("thresholdPercent", threshold);
        alert.put("used", used);
        alert.put("quota", quota);
        alert.put("raisedAt", clock.instant().toString());
        return alert.toString();
    }

    /** The current month's used share of the quota at the last check; NaN without a quota or before it. */
    public double usedRatio() {
        return usedRatio;
    }

    /** Alerts this node raised since it started. */
    public long alertsRaised() {
        return alerts.get();
    }

    public Optional<QuotaWebhook> webhook() {
        return webhook;
    }
}
