package org.txcounter.service.api;

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
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.stamp.StampVerdict;

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

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public CounterMetrics(TransactionCounter counter) {
        for (Transport transport : Transport.values()) {
            FunctionCounter.builder(TRANSACTIONS, counter,
                            c -> c.flusher().countedSinceStart().get(transport))
                    .description("Transactions this node counted since it started")
                    .tag("transport", transport.name())
                    .register(registry);
            Gauge.builder(UNFLUSHED, counter, c -> c.unflushed().get(transport))
                    .description("Transactions counted but not yet written to the database")
                    .tag("transport", transport.name())
                    .register(registry);
        }
        Gauge.builder(PENDING_INTERVALS, counter, c -> c.flusher().queued().size())
                .description("Closed intervals waiting to be written to the database")
                .register(registry);
        Gauge.builder(PENDING_INTERVALS_LIMIT, counter, c -> c.flusher().maxQueued())
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
        FunctionCounter.builder(REDELIVERIES, counter, c -> c.ingress().redeliveriesSkipped())
                .description("Redelivered JMS messages recognised and not counted again")
                .register(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** The Prometheus text exposition of every meter. */
    String scrape() {
        return registry.scrape();
    }
}
