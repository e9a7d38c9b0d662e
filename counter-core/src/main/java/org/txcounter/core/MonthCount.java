package org.txcounter.core;

import java.time.YearMonth;

/**
 * The written total of one billing month across all nodes.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 *
 * @param month  the billing month
 * @param counts the total per transport
 * @param nodes  how many nodes wrote counts for the month
 */
public record MonthCount(YearMonth month, TransportCounts counts, int nodes) {

    public long total() {
        return counts.total();
    }
}
