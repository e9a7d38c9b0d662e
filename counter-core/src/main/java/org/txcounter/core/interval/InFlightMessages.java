package org.txcounter.core.interval;

import org.txcounter.core.TransactionMeter;
import org.txcounter.core.TransportCounts;

/**
 * The JMS messages a node counted and has not seen completed, which the journal keeps together with the counts so
 * that after a crash a redelivery of one of them is not counted a second time. The ingress implements it
 * ({@code IngressCounter.inFlight()}); the flusher reads it for every journal rewrite.
 *
 * <p>Implementations are thread-safe.
 */
public interface InFlightMessages {

    /** For a node that takes no JMS messages: nothing is ever in flight. */
    InFlightMessages NONE = meter -> new Snapshot(TransportCounts.of(meter.pending()), InFlightIds.NONE);

    /**
     * What {@code meter} holds and which messages are in flight, read at one instant: no message is counted,
     * recognised as a redelivery or completed between the two reads. A journal written from it can therefore
     * never hold a count without its message id, or an id without its count.
     */
    Snapshot snapshot(TransactionMeter meter);

    /**
     * @param pending what the meter holds, per transport
     * @param ids     the messages counted and not completed at the same instant
     */
    record Snapshot(TransportCounts pending, InFlightIds ids) {
    }
}
