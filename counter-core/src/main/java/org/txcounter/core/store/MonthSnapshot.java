package org.txcounter.core.store;

import java.time.YearMonth;
import java.util.List;
import org.txcounter.core.ReportRow;
import org.txcounter.core.ledger.NodeHead;

/**
 * Everything the store holds about one billing month at one moment, read in one transaction: what a statement is
 * made of.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 *
 * @param rows        the monthly rollup, one row per node and transport
 * @param adjustments late intervals of earlier, closed months billed on this month
 * @param heads       every node's chain head at that moment
 * @param spans       every node's reporting spans that overlap the month, by node and start
 */
public record MonthSnapshot(YearMonth month, List<ReportRow> rows, List<Adjustment> adjustments,
        List<NodeHead> heads, List<NodeSpan> spans) {

    public MonthSnapshot {
        rows = List.copyOf(rows);
        adjustments = List.copyOf(adjustments);
        heads = List.copyOf(heads);
        spans = List.copyOf(spans);
    }
}
