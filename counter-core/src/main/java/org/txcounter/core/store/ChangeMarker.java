package org.txcounter.core.store;

import java.util.List;
import org.txcounter.core.NodeStatus;

/**
 * What {@link CounterStore#changeMarker()} read: every node's row, the number of imported months and the number of
 * archived ranges. Equal markers read at two times mean that no process wrote an interval, an idle interval, a
 * node or an import in between, nor removed archived ledger rows (which the daily totals and the anchors read).
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 *
 * @param nodes          every node, as {@link CounterStore#nodes()} gives them
 * @param importedRows   how many imported months the database holds
 * @param archivedRanges how many ranges of ledger rows were archived and removed ({@code txn_archived})
 */
public record ChangeMarker(List<NodeStatus> nodes, long importedRows, long archivedRanges) {

    public ChangeMarker {
        nodes = List.copyOf(nodes);
    }
}
