package org.txcounter.core.interval;

/** Where the flusher hands each closed interval. The store implements it. */
public interface IntervalSink {

    /**
     * Writes the interval durably. Writing an interval that was already written (same node and sequence number,
     * same content) must change nothing and return normally: the flusher retries whenever it did not see an
     * acknowledgement, including when the write itself succeeded.
     *
     * @throws RuntimeException when the interval could not be written; the flusher keeps it and retries
     */
    void write(IntervalSummary interval);
}
