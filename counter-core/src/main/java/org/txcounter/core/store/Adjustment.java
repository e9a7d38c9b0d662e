package org.txcounter.core.store;

import java.time.Instant;
import java.time.YearMonth;
import org.txcounter.core.Transport;

/**
 * Transactions of an interval that reached the store after its billing month was closed (typically a journal
 * replayed after the close). The closed month keeps its statement; the count is billed on {@code targetMonth}, the
 * first month after it that was still open when the interval arrived.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 *
 * @param originMonth the month the interval belongs to
 * @param recordedAt  when the store received it
 */
public record Adjustment(String nodeId, long seq, Transport transport, YearMonth originMonth, YearMonth targetMonth,
        Instant intervalStart, Instant intervalEnd, long count, Instant recordedAt) {
}
