package org.txcounter.service.api;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Locale;
import java.util.function.ToIntFunction;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.internal.Internals;
import org.txcounter.service.statement.Billing;
import org.txcounter.service.statement.QuotaMonitor;
import org.txcounter.service.statement.QuotaWebhook;
import org.txcounter.core.Transport;
import org.txcounter.core.stamp.StampAuthority;
import org.txcounter.core.StampVerdict;
import org.txcounter.service.runtime.RoutingStats;
import org.txcounter.service.logging.LogBudget;
import org.txcounter.service.logging.PrivateRollingFileAppender;

/**
 * The counter's Prometheus metrics. Every meter is registered here, once, and reads its value from the counter
 * when scraped: nothing on the request path touches Micrometer.
 */
public final class CounterMetrics {

    public static final String TRANSACTIONS = "txn.transactions.counted";
    public static final String UNFLUSHED = "txn.transactions.unflushed";
    public static final String PENDING_INTERVALS = "txn.intervals.pending";
    public static final String PENDING_INTERVALS_LIMIT = "txn.intervals.pending.limit";
    public static final String REJECTED_STAMPS = "txn.stamps.rejected";
    public static final String REDELIVERIES = "txn.redeliveries.skipped";
    public static final String SPENT_STAMPS = "txn.stamps.spent";
    public static final String SPENT_STAMPS_MEMORY = "txn.stamps.spent.memory.bytes";
    public static final String JMS_IN_FLIGHT = "txn.jms.in.flight";
    public static final String JMS_IN_FLIGHT_LIMIT = "txn.jms.in.flight.limit";
    public static final String JMS_IN_FLIGHT_EVICTED = "txn.jms.in.flight.evicted";
    public static final String FLUSH_WRITES = "txn.flush.writes";
    public static final String FLUSH_FAILURES = "txn.flush.failures";
    public static final String FLUSH_SECONDS = "txn.flush.write.seconds";
    public static final String JOURNAL_AGE = "txn.journal.age.seconds";
    public static final String JOURNAL_FAILURES = "txn.journal.write.failures";
    public static final String JOURNAL_FAILING = "txn.journal.failing";
    public static final String POOL_CONNECTIONS = "txn.db.pool.connections";
    public static final String UNROUTED = "txn.passthrough.unrouted";
    public static final String QUOTA_USED_RATIO = "txn.quota.used.ratio";
    public static final String QUOTA_ALERTS = "txn.quota.alerts";
    public static final String QUOTA_WEBHOOK_FAILURES = "txn.quota.webhook.failures";
    public static final String LOG_LINES_DROPPED = "txn.log.lines.dropped";
    public static final String WITHDRAWN = "txn.requests.withdrawn";
    public static final String LOG_FILES_FAILING = "txn.log.files.failing";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public CounterMetrics(TransactionCounter counter, RoutingStats routing, Billing billing) {
        bindBilling(billing);
        FunctionCounter.builder(LOG_LINES_DROPPED, registry, ignored -> LogBudget.droppedTotal())
                .description("Log lines an outside caller caused (unauthenticated requests, failed logins) that were "
                        + "over their budget of lines per second and dropped")
                .register(registry);
        Gauge.builder(LOG_FILES_FAILING, registry, ignored -> PrivateRollingFileAppender.failing().size())
                .description("Log files that cannot be written now (a full disk, lost permissions); their lines are "
                        + "dropped until a retry succeeds")
                .register(registry);
        FunctionCounter.builder(UNROUTED, routing, RoutingStats::unroutedRequests)
                .description("Passthrough requests refused with 404 because no route covers their path; not billed")
                .register(registry);
        for (Transport transport : Transport.values()) {
            FunctionCounter.builder(TRANSACTIONS, counter,
                            c -> Internals.flusher(c).countedSinceStart().get(transport))
                    .description("Transactions this node counted since it started")
                    .tag("transport", transport.name())
                    .register(registry);
            Gauge.builder(UNFLUSHED, counter, c -> c.unflushed().get(transport))
                    .description("Transactions counted but not yet written to the database")
                    .tag("transport", transport.name())
                    .register(registry);
        }
        Gauge.builder(PENDING_INTERVALS, counter, c -> Internals.flusher(c).queued().size())
                .description("Closed intervals waiting to be written to the database")
                .register(registry);
        Gauge.builder(PENDING_INTERVALS_LIMIT, counter, c -> Internals.flusher(c).maxQueued())
                .description("The most intervals kept apart while the database is away; beyond it they merge")
                .register(registry);
        for (StampVerdict verdict : StampVerdict.values()) {
            if (verdict.rejected()) {
                FunctionCounter.builder(REJECTED_STAMPS, counter,
                                c -> c.ingress().rejectedStamps().getOrDefault(verdict, 0L))
                        .description("Inbound messages or requests whose stamp was not accepted; they were counted")
                        .tag("reason", verdict.name().toLowerCase(Locale.ROOT))
                        .register(registry);
            }
        }
        Internals.stamps(counter.ingress()).ifPresent(stamps -> {
            Gauge.builder(SPENT_STAMPS, stamps, StampAuthority::spentStamps)
                    .description("Stamps spent on this node and remembered until they expire; a stamp that finds its "
                            + "slice full is counted (txn_stamps_rejected_total{reason=\"unrecorded\"})")
                    .register(registry);
            Gauge.builder(SPENT_STAMPS_MEMORY, stamps, StampAuthority::spentStampsMemoryBytes)
                    .description("The fixed memory of the spent-stamp set ([deduplication] spent_stamps)")
                    .register(registry);
        });
        FunctionCounter.builder(WITHDRAWN, counter, c -> c.ingress().withdrawnHttpRequests())
                .description("HTTP requests counted at entry and withdrawn as the client's malformed request (400)")
                .register(registry);
        FunctionCounter.builder(REDELIVERIES, counter, c -> c.ingress().redeliveriesSkipped())
                .description("Redelivered JMS messages recognised and not counted again")
                .register(registry);
        Gauge.builder(JMS_IN_FLIGHT, counter, c -> c.ingress().inFlightStats().held())
                .description("JMS messages counted and not yet completed; journaled, so their redelivery counts once")
                .register(registry);
        Gauge.builder(JMS_IN_FLIGHT_LIMIT, counter, c -> c.ingress().inFlightStats().limit())
                .description("The most in-flight JMS messages remembered ([deduplication] redelivery_window)")
                .register(registry);
        FunctionCounter.builder(JMS_IN_FLIGHT_EVICTED, counter, c -> c.ingress().inFlightStats().evicted())
                .description("In-flight JMS messages forgotten because the record was full; counted again if "
                        + "redelivered")
                .register(registry);
        FunctionCounter.builder(FLUSH_WRITES, counter, c -> Internals.flusher(c).writeStats().succeeded())
                .description("Intervals written to the database")
                .register(registry);
        FunctionCounter.builder(FLUSH_FAILURES, counter, c -> Internals.flusher(c).writeStats().failed())
                .description("Attempts to write an interval that failed; the interval stayed queued and was retried")
                .register(registry);
        FunctionCounter.builder(FLUSH_SECONDS, counter, c -> Internals.flusher(c).writeStats().nanosWriting() / 1e9)
                .description("Time spent writing intervals; divide by txn_flush_writes_total for the mean")
                .register(registry);
        Gauge.builder(JOURNAL_AGE, counter,
                        c -> c.journalAge().map(age -> age.toMillis() / 1000.0).orElse(Double.NaN))
                .description("Seconds since the crash journal was last written: what a hard stop could lose")
                .register(registry);
        FunctionCounter.builder(JOURNAL_FAILURES, counter, TransactionCounter::journalWriteFailures)
                .description("Rewrites of the crash journal that failed (a full disk, lost permissions)")
                .register(registry);
        Gauge.builder(JOURNAL_FAILING, counter, c -> c.journalFailure().isPresent() ? 1 : 0)
                .description("1 while the crash journal cannot be written: counts then go to the database every "
                        + "journal interval, and readiness is DOWN")
                .register(registry);
        if (Internals.store(counter).dataSource() instanceof HikariDataSource pool) {
            poolGauge(pool, "active", HikariPoolMXBean::getActiveConnections);
            poolGauge(pool, "idle", HikariPoolMXBean::getIdleConnections);
            poolGauge(pool, "total", HikariPoolMXBean::getTotalConnections);
            poolGauge(pool, "pending", HikariPoolMXBean::getThreadsAwaitingConnection);
            Gauge.builder(POOL_CONNECTIONS + ".max", pool, HikariDataSource::getMaximumPoolSize)
                    .description("The most connections the pool opens")
                    .register(registry);
        }
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    private void poolGauge(HikariDataSource pool, String state, ToIntFunction<HikariPoolMXBean> value) {
        Gauge.builder(POOL_CONNECTIONS, pool, p -> {
                    HikariPoolMXBean bean = p.getHikariPoolMXBean();
                    return bean == null ? Double.NaN : value.applyAsInt(bean);
                })
                .description("Connections of the database pool by state (pending: threads waiting for one)")
                .tag("state", state)
                .register(registry);
    }

    /** Registers the licence quota's meters. */
    private void bindBilling(Billing billing) {
        QuotaMonitor quota = billing.quota();
        Gauge.builder(QUOTA_USED_RATIO, quota, QuotaMonitor::usedRatio)
                .description("The current month's transactions as a share of the licence's monthly quota (1 = 100 %)")
                .register(registry);
        FunctionCounter.builder(QUOTA_ALERTS, quota, QuotaMonitor::alertsRaised)
                .description("Quota threshold alerts this node raised")
                .register(registry);
        quota.webhook().ifPresent(webhook -> FunctionCounter.builder(QUOTA_WEBHOOK_FAILURES, webhook,
                        QuotaWebhook::failures)
                .description("Failed attempts to deliver a quota alert to the webhook; each is retried until the last")
                .register(registry));
    }

    /** The Prometheus text exposition of every meter. */
    String scrape() {
        return registry.scrape();
    }
}
