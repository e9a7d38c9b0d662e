package org.txcounter.core.store;

import java.time.Instant;
import java.time.YearMonth;
import org.txcounter.core.Transport;

/**
 * One row of the ledger ({@code txn_interval}) as stored.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 */
public record IntervalRow(
        String nodeId, long seq, Transport transport, Instant start, Instant end, YearMonth billingMonth, long count) {
}
