package org.txcounter.core.store;

import java.time.YearMonth;

/**
 * One month of one node's traffic imported from another counter, not counted here.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 *
 * @param month    the billing month
 * @param nodeId   the node id as the source wrote it
 * @param source   the counter it came from, e.g. {@code MI}
 * @param rawCount what the source's row for the month said (MI's rows carry earlier months' counts along)
 * @param count    the traffic of this month alone: what is billed
 * @param mac      the MAC stored with the row (under the ledger key), or {@code null} for one not written yet
 */
public record ImportedMonth(YearMonth month, String nodeId, String source, long rawCount, long count, String mac) {

    public ImportedMonth {
        if (count < 0 || rawCount < count) {
            throw new IllegalArgumentException("An imported month needs 0 <= count <= rawCount. Found: count "
                    + count + ", rawCount " + rawCount + " for node " + nodeId + " in " + month);
        }
    }

    /** Whether the two carry the same month, node, source and figures, whatever their MACs. */
    public boolean sameFigures(ImportedMonth other) {
        return month.equals(other.month) && nodeId.equals(other.nodeId) && source.equals(other.source)
                && rawCount == other.rawCount && count == other.count;
    }
}
