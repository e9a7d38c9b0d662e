package org.txcounter.core.interval;

import java.time.Instant;
import java.time.YearMonth;
import java.util.Objects;
import org.txcounter.core.TransportCounts;

/**
 * What one node counted in one closed interval: the unit that is written to the store.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 *
 * @param nodeId       the node that counted
 * @param seq          the node's sequence number for this interval, 1, 2, 3, ...; with the node id it is the key
 *                     that makes a repeated write of the same interval a no-op
 * @param start        the interval's first instant
 * @param end          the instant the interval closed (exclusive)
 * @param billingMonth the month of {@code start} in the billing zone; the interval never reaches past it
 * @param counts       what each transport counted
 */
public record IntervalSummary(
        String nodeId, long seq, Instant start, Instant end, YearMonth billingMonth, TransportCounts counts) {

    public IntervalSummary {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(billingMonth, "billingMonth");
        Objects.requireNonNull(counts, "counts");
        if (seq < 1) {
            throw new IllegalArgumentException("seq must be >= 1. Found: " + seq);
        }
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("end must be after start. Found: " + start + " .. " + end);
        }
    }

    /** A short description for log lines and error messages. */
    public String describe() {
        return "interval " + start + " .. " + end + " (node " + nodeId + ", seq " + seq + ", " + counts.total()
                + " transactions " + counts + ")";
    }
}
