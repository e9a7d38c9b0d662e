package org.txcounter.core.ingress;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.TransactionMeter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounter;
import org.txcounter.core.stamp.StampAuthority;
import org.txcounter.core.stamp.StampVerdict;

/**
 * The one place that decides whether an inbound request or message is a transaction. The servlet filter and the
 * JMS listener adapters (jakarta and javax) are thin wrappers around it.
 *
 * <p>A request or message is counted when it enters, on the thread that received it, before it can be processed
 * or sent on, unless it carries a valid stamp of this deployment issued for the destination it arrived at: then an
 * earlier ingress of the same deployment already counted it. While it is being handled, {@link #stampFor} gives a
 * stamp for a message or call the runtime sends on its behalf to a destination the deployment consumes itself
 * (see {@link org.txcounter.core.stamp.OwnDestinations}); nothing else is stamped.
 *
 * <pre>{@code
 * IngressCounter ingress = new IngressCounter(counter.meter(), stamps, settings, clock);
 * try (IngressCounter.Scope scope = ingress.httpRequest(request.getHeader(IngressCounter.HTTP_HEADER))) {
 *     handle(request);      // a message sent here to own queue "orders" carries ingress.stampFor("jms:orders")
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class IngressCounter {

    /** The HTTP header that carries a stamp between nodes of one deployment. */
    public static final String HTTP_HEADER = "X-Txn-Counter-Stamp";
    /** The JMS message property that carries a stamp; a valid Java identifier, as JMS requires. */
    public static final String JMS_PROPERTY = "TxnCounterStamp";

    private static final Logger LOG = LoggerFactory.getLogger(IngressCounter.class);
    private static final Duration LOG_EVERY = Duration.ofMinutes(1);

    private final TransportCounter http;
    private final TransportCounter jms;
    private final Optional<StampAuthority> stamps;
    private final boolean httpChaining;
    private final RedeliveryWindow redeliveries;
    private final Clock clock;
    private final Map<StampVerdict, LongAdder> rejected = new EnumMap<>(StampVerdict.class);
    private final LongAdder redeliveriesSkipped = new LongAdder();
    private final AtomicLong nextRejectionLog = new AtomicLong();
    private final ThreadLocal<Scope> current = new ThreadLocal<>();

    /**
     * @param stamps        the deployment's stamp authority; empty means no deduplication: everything is counted
     * @param httpChaining  whether a valid stamp on an HTTP request (a call from another node of the deployment)
     *                      means it was already counted
     * @param redeliveryIds how many recent JMS message ids to remember for redelivery detection
     */
    public IngressCounter(TransactionMeter meter, Optional<StampAuthority> stamps, boolean httpChaining,
            int redeliveryIds, Clock clock) {
        this.http = meter.counter(Transport.HTTP);
        this.jms = meter.counter(Transport.JMS);
        this.stamps = Objects.requireNonNull(stamps, "stamps");
        this.httpChaining = httpChaining;
        this.redeliveries = new RedeliveryWindow(redeliveryIds);
        this.clock = Objects.requireNonNull(clock, "clock");
        for (StampVerdict verdict : StampVerdict.values()) {
            if (verdict.rejected()) {
                rejected.put(verdict, new LongAdder());
            }
        }
    }

    /**
     * An HTTP request enters. Counts it unless HTTP chaining is on and it carries a valid stamp.
     *
     * @param stampHeader the value of {@link #HTTP_HEADER}, or {@code null}
     * @return the scope of handling the request; close it when the response is done
     */
    public Scope httpRequest(String stampHeader) {
        // With chaining dedupe off a stamp is ignored and the request counted.
        boolean counted = stampHeader == null || !httpChaining || stamps.isEmpty()
                || !accepted(stamps.get().verify(stampHeader, stamps.get().httpDestination()));
        if (counted) {
            http.record();
        }
        return enter(counted);
    }

    /**
     * A JMS message enters an inbound endpoint. Counts it unless it carries a valid stamp, or it is a redelivery
     * of a message this node already accepted.
     *
     * @param queue       the queue the endpoint took the message from: a stamp counts only if issued for it
     * @param stamp       the value of {@link #JMS_PROPERTY}, or {@code null}
     * @param messageId   {@code JMSMessageID}, or {@code null}
     * @param redelivered {@code JMSRedelivered}
     */
    public Scope jmsMessage(String queue, String stamp, String messageId, boolean redelivered) {
        boolean repeat = messageId != null && redeliveries.seenBefore(messageId);
        boolean counted;
        if (repeat && redelivered) {
            redeliveriesSkipped.increment();
            counted = false;
        } else {
            counted = stamps.isEmpty()
                    || !accepted(stamps.get().verify(stamp, StampAuthority.queueDestination(queue)));
            if (counted) {
                jms.record();
            }
        }
        return enter(counted);
    }

    /**
     * A fresh stamp for one message or call that the runtime sends to {@code destination} while it handles the
     * current inbound transaction on this thread; empty when no inbound transaction is being handled here (then
     * whatever is sent is counted by whoever consumes it) or stamping is off. Each call issues a new single-use
     * stamp. Pass only a destination the deployment consumes itself, as
     * {@link org.txcounter.core.stamp.OwnDestinations} names it: a stamp sent anywhere else is a free transaction
     * for whoever reads it.
     */
    public Optional<String> stampFor(String destination) {
        if (current.get() == null || stamps.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(stamps.get().issue(destination));
    }

    /** The stamp authority, for housekeeping ({@link StampAuthority#sweep()}) and metrics; empty when off. */
    public Optional<StampAuthority> stamps() {
        return stamps;
    }

    /** How many stamps were rejected, by reason, since start. */
    public Map<StampVerdict, Long> rejectedStamps() {
        Map<StampVerdict, Long> snapshot = new EnumMap<>(StampVerdict.class);
        rejected.forEach((verdict, adder) -> snapshot.put(verdict, adder.sum()));
        return snapshot;
    }

    /** The total of {@link #rejectedStamps()}. */
    public long rejectedStampTotal() {
        long total = 0;
        for (LongAdder adder : rejected.values()) {
            total += adder.sum();
        }
        return total;
    }

    /** How many redelivered messages were recognised and not counted again. */
    public long redeliveriesSkipped() {
        return redeliveriesSkipped.sum();
    }

    private boolean accepted(StampVerdict verdict) {
        if (verdict == StampVerdict.VALID) {
            return true;
        }
        if (verdict.rejected()) {
            rejected.get(verdict).increment();
            logRejection(verdict);
        }
        return false;
    }

    private void logRejection(StampVerdict verdict) {
        long now = clock.millis();
        long next = nextRejectionLog.get();
        if (now >= next && nextRejectionLog.compareAndSet(next, now + LOG_EVERY.toMillis())) {
            LOG.warn("Rejected a message stamp ({}); the message was counted. Rejected so far: {}. Stamps that are "
                    + "forged, edited, expired, copied or from another deployment mean an outside producer is "
                    + "imitating this deployment, or two deployments share a queue; this line repeats at most once "
                    + "a minute.", verdict, rejectedStamps());
        }
    }

    private Scope enter(boolean counted) {
        Scope scope = new Scope(this, counted, current.get());
        current.set(scope);
        return scope;
    }

    /** The handling of one inbound request or message on one thread. */
    public static final class Scope implements AutoCloseable {
        private final IngressCounter owner;
        private final boolean counted;
        private final Scope outer;

        private Scope(IngressCounter owner, boolean counted, Scope outer) {
            this.owner = owner;
            this.counted = counted;
            this.outer = outer;
        }

        /** Whether this ingress was counted as a new transaction. */
        public boolean counted() {
            return counted;
        }

        @Override
        public void close() {
            if (outer == null) {
                owner.current.remove();
            } else {
                owner.current.set(outer);
            }
        }
    }
}
