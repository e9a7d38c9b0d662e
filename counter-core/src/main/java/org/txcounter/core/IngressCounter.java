package org.txcounter.core;

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
import org.txcounter.core.internal.Internals;
import org.txcounter.core.interval.InFlightIds;
import org.txcounter.core.interval.InFlightMessages;
import org.txcounter.core.stamp.StampAuthority;

/**
 * The one place that decides whether an inbound request or message is a transaction. The servlet filter and the
 * JMS listener adapters (jakarta and javax) are thin wrappers around it.
 *
 * <p>A request or message is counted when it enters, on the thread that received it, before it can be processed
 * or sent on, unless it carries a valid stamp of this deployment issued for the destination it arrived at: then an
 * earlier ingress of the same deployment already counted it. While it is being handled, {@link #stampFor} gives a
 * stamp for a message or call the runtime sends on its behalf to a destination the deployment consumes itself
 * (see {@link org.txcounter.core.OwnDestinations}); nothing else is stamped. A JMS message is also not counted when it
 * is the redelivery of one this node took in and did not complete ({@link #jmsMessage}); those messages are journaled
 * with the counts, so this holds across a crash too.
 *
 * <pre>{@code
 * IngressCounter ingress = counter.ingress();                // the running counter's, once, at deploy time
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
    private final LongAdder withdrawn = new LongAdder();
    private final Clock clock;
    private final Map<StampVerdict, LongAdder> rejected = new EnumMap<>(StampVerdict.class);
    private final LongAdder redeliveriesSkipped = new LongAdder();
    private final AtomicLong nextRejectionLog = new AtomicLong();
    private final ThreadLocal<Scope> current = new ThreadLocal<>();

    static {
        Internals.grant(new Internals.IngressAccess() {
            @Override
            public IngressCounter create(TransactionMeter meter, Optional<StampAuthority> stamps,
                    boolean httpChaining, int redeliveryIds, Clock clock) {
                return new IngressCounter(meter, stamps, httpChaining, redeliveryIds, clock);
            }

            @Override
            public Optional<StampAuthority> stamps(IngressCounter ingress) {
                return ingress.stamps;
            }

            @Override
            public InFlightMessages inFlight(IngressCounter ingress) {
                return ingress.redeliveries;
            }

            @Override
            public void restoreInFlight(IngressCounter ingress, InFlightIds ids) {
                ingress.redeliveries.restore(ids);
            }
        });
    }

    /**
     * Built by the counter ({@link org.txcounter.core.TransactionCounter#ingress()}), or stand-alone through
     * {@link Internals#ingressCounter}.
     *
     * @param stamps        the deployment's stamp authority; empty means no deduplication: everything is counted
     * @param httpChaining  whether a valid stamp on an HTTP request (a call from another node of the deployment)
     *                      means it was already counted
     * @param redeliveryIds how many JMS messages taken in and not completed are remembered at most, to recognise
     *                      their redeliveries
     */
    private IngressCounter(TransactionMeter meter, Optional<StampAuthority> stamps, boolean httpChaining,
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
        boolean counted = !httpChaining || stampHeader == null || stamps.isEmpty()
                || !accepted(stamps.get().verify(stampHeader, stamps.get().httpDestination()));
        if (counted) {
            http.record();
        }
        return enter(counted, 0);
    }

    /**
     * The handling of an HTTP request that entered through {@link #httpRequest} goes on on this thread, in a
     * callback of an asynchronous servlet (its body read without blocking): what the request sends on to the
     * deployment's own destinations is stamped as from that request ({@link #stampFor}). Counts nothing. Close the
     * scope when the callback is done. {@link org.txcounter.core.hooks.http.CountingFilter#resume} calls it only for
     * a request the filter took in.
     */
    public Scope resumedHttpRequest() {
        return enter(false, 0);
    }

    /**
     * A JMS message enters an inbound endpoint. Counts it unless it carries a valid stamp, or this node took in
     * an earlier delivery of the same message that did not complete (rolled back, failed, or in flight at a
     * crash): then it is that message delivered again, already counted.
     *
     * <p>Neither {@code JMSMessageID} nor {@code JMSRedelivered} proves anything by itself: a producer may choose
     * the id, any consumer can make a message redelivered by rolling it back, and a broker restarted after a crash
     * may deliver an unacknowledged message again without the flag. The decision rests on this node's own record
     * of what it took in and did not complete, so a message whose first delivery completed is counted when it
     * shows up again, under any flags. The scope ends that record: {@link Scope#complete()} when the message was
     * committed or acknowledged, otherwise closing the scope marks it for redelivery.
     *
     * @param queue     the queue the endpoint took the message from: a stamp counts only if issued for it
     * @param stamp     the value of {@link #JMS_PROPERTY}, or {@code null}
     * @param messageId {@code JMSMessageID}, or {@code null} (then a redelivery cannot be recognised and is counted)
     */
    public Scope jmsMessage(String queue, String stamp, String messageId) {
        if (messageId == null) {
            boolean counted = !stampAccepted(stamp, queue);
            if (counted) {
                jms.record();
            }
            return enter(counted, 0);
        }
        long key = RedeliveryWindow.fingerprint(messageId);
        boolean skipped;
        boolean counted = true;
        if (stamp == null || stamps.isEmpty()) {
            // One lock: recognise the redelivery, or count the message and hold its id, as one step.
            skipped = redeliveries.arrive(key, jms);
        } else if (redeliveries.claim(key)) {
            // A redelivery: its stamp was honoured at the first delivery and is not looked at again.
            skipped = true;
        } else {
            counted = !stampAccepted(stamp, queue);
            skipped = redeliveries.arrive(key, counted ? jms : null);
        }
        if (skipped) {
            redeliveriesSkipped.increment();
        }
        return enter(counted && !skipped, key);
    }

    /**
     * A request or message enters by another transport ({@link Transport#VFS}, {@link Transport#KAFKA} and the
     * rest): counted on {@code transport}, the handle the caller resolved once for it. Those transports carry no
     * stamps and keep no record of redeliveries here, so every entry is a new transaction.
     *
     * @return the scope of handling it; close it when it is done
     */
    public Scope otherTransport(TransportCounter transport) {
        transport.record();
        return enter(true, 0);
    }

    /**
     * The broker delivers the message with this id for the first time: its {@code JMSRedelivered} flag is not set.
     * For a runtime whose commits and acknowledgements the counter does not see (MI's Synapse handler), which
     * therefore leaves every message it takes in as not completed: an earlier record of the same id is not this
     * message's, so it is forgotten and the message is counted when it enters ({@link #jmsMessage}). A producer that
     * reuses an id gains nothing by it; a redelivery (flag set) of a message this node took in is still not counted.
     */
    public void firstDelivery(String messageId) {
        redeliveries.complete(RedeliveryWindow.fingerprint(messageId));
    }

    /**
     * An HTTP request counted by {@link #httpRequest} turned out to be no transaction: the client's own malformed
     * request, refused with a 4xx before anything was passed on (a broken chunked body). Call it at most once per
     * counted request ({@link org.txcounter.core.hooks.http.CountingFilter#refused} does). What is withdrawn after
     * its interval closed is taken from the next one; one withdrawn at a stop with no later interval stays counted,
     * so a withdrawal can over-count, never under-count.
     */
    public void withdrawHttpRequest() {
        http.withdraw();
        withdrawn.increment();
    }

    /** How many counted HTTP requests were withdrawn as the client's mistakes since the start. */
    public long withdrawnHttpRequests() {
        return withdrawn.sum();
    }

    /**
     * The broker gave up on the message with this id: it dead-lettered it after its last failed delivery, or
     * expired it. No delivery of it follows, so what this node still owes it (its next delivery not counted) is
     * released, and a message that arrives later under the same id is counted. Without this a producer that reused
     * the id of a dead-lettered message would have one message free.
     */
    public void abandonedByBroker(String messageId) {
        redeliveries.complete(RedeliveryWindow.fingerprint(messageId));
    }

    /**
     * The JMS message handled on this thread was committed or acknowledged: {@link Scope#complete()} of the
     * innermost scope, for listeners that do not hold their scope (see
     * {@link Completion#BY_LISTENER}). Does nothing outside a scope.
     */
    public void completed() {
        Scope scope = current.get();
        if (scope != null) {
            scope.complete();
        }
    }

    /**
     * The JMS message handled on this thread is about to be rolled back or recovered: {@link Scope#rollingBack()}
     * of the innermost scope. Call it before {@code rollback()}, because the broker may hand the message to
     * another consumer before this listener returns. Does nothing outside a scope.
     */
    public void rollingBack() {
        Scope scope = current.get();
        if (scope != null) {
            scope.rollingBack();
        }
    }

    /**
     * How a JMS session completes the messages a counting listener hands on, and so when the listener may forget
     * a message's id.
     */
    public enum Completion {
        /**
         * {@code AUTO_ACKNOWLEDGE} or {@code DUPS_OK_ACKNOWLEDGE}: the session acknowledges a message when the
         * listener returns normally; a listener that throws leaves it for redelivery.
         */
        ON_RETURN,
        /**
         * {@code SESSION_TRANSACTED} or {@code CLIENT_ACKNOWLEDGE}: the listener commits or acknowledges, and then
         * calls {@link IngressCounter#completed()}; before it rolls back or recovers it calls
         * {@link IngressCounter#rollingBack()}. Returning without either means the message comes back.
         */
        BY_LISTENER
    }

    /**
     * The in-flight record now: how many messages are held, the most that are, and how many were forgotten
     * because it was full (each of those is counted again if it comes back).
     */
    public InFlightStats inFlightStats() {
        return new InFlightStats(redeliveries.size(), redeliveries.capacity(), redeliveries.evicted());
    }

    /**
     * @param held    messages taken in and not completed
     * @param limit   the most that are held ({@code [deduplication] redelivery_window})
     * @param evicted forgotten because the record was full
     */
    public record InFlightStats(int held, int limit, long evicted) {
    }

    /**
     * A fresh stamp for one message or call that the runtime sends to {@code destination} while it handles the
     * current inbound transaction on this thread; empty when no inbound transaction is being handled here (then
     * whatever is sent is counted by whoever consumes it) or stamping is off. Each call issues a new single-use
     * stamp. Pass only a destination the deployment consumes itself, as
     * {@link org.txcounter.core.OwnDestinations} names it: a stamp sent anywhere else is a free transaction
     * for whoever reads it.
     */
    public Optional<String> stampFor(String destination) {
        if (current.get() == null || stamps.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(stamps.get().issue(destination));
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

    /** Whether {@code stamp} is present, valid and issued for {@code queue}, with deduplication on. */
    private boolean stampAccepted(String stamp, String queue) {
        return stamp != null && stamps.isPresent()
                && accepted(stamps.get().verify(stamp, StampAuthority.queueDestination(queue)));
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

    private Scope enter(boolean counted, long messageKey) {
        Scope scope = new Scope(this, counted, messageKey, current.get());
        current.set(scope);
        return scope;
    }

    /**
     * The handling of one inbound request or message on one thread. For a JMS message with an id, closing the scope
     * without {@link #complete()} records that the delivery did not complete, so the broker's next delivery of it
     * is not counted. Used by the thread that handles the request or message only.
     */
    public static final class Scope implements AutoCloseable {
        private final IngressCounter owner;
        private final boolean counted;
        private final long messageKey;
        private final Scope outer;
        private boolean settled;

        private Scope(IngressCounter owner, boolean counted, long messageKey, Scope outer) {
            this.owner = owner;
            this.counted = counted;
            this.messageKey = messageKey;
            this.outer = outer;
        }

        /** Whether this ingress was counted as a new transaction. */
        public boolean counted() {
            return counted;
        }

        /**
         * The message was committed or acknowledged: it will not be delivered again, and if it is, it is a new
         * transaction. Call it after the commit or acknowledgement returned. No effect for HTTP requests.
         */
        public void complete() {
            if (messageKey != 0 && !settled) {
                owner.redeliveries.complete(messageKey);
            }
            settled = true;
        }

        /**
         * The message is about to be rolled back or recovered: its next delivery, possibly to another consumer and
         * before this scope closes, is not counted. Call it before the rollback. No effect for HTTP requests.
         */
        public void rollingBack() {
            if (messageKey != 0 && !settled) {
                owner.redeliveries.abandon(messageKey);
            }
            settled = true;
        }

        @Override
        public void close() {
            if (messageKey != 0 && !settled) {
                owner.redeliveries.abandon(messageKey);
            }
            if (outer == null) {
                owner.current.remove();
            } else {
                owner.current.set(outer);
            }
        }
    }
}
