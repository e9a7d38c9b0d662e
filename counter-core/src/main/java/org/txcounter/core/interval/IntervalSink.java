package org.txcounter.core.interval;

import java.time.Instant;

/**
 * Where the flusher hands each closed interval. The store implements it.
 *
 * <p>Implementations are called by the flusher from one thread at a time (the store thread, or the stop's final flush).
 */
public interface IntervalSink {

    /**
     * Writes the interval durably. Writing an interval that was already written (same node and sequence number,
     * same content) must change nothing and return normally: the flusher retries whenever it did not see an
     * acknowledgement, including when the write itself succeeded.
     *
     * @throws RuntimeException when the interval could not be written; the flusher keeps it and retries
     */
    void write(IntervalSummary interval);

    /**
     * Records that the node was alive from {@code intervalStart} through {@code intervalEnd} although it counted
     * nothing, so reports can tell an idle node from one whose intervals are missing. Best effort: a failure is not
     * retried.
     */
    default void heartbeat(String nodeId, Instant intervalStart, Instant intervalEnd) {
    }
}
