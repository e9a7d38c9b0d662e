package org.txcounter.core.store;

import java.util.List;
import org.txcounter.core.NodeStatus;

/**
 * What {@link CounterStore#changeMarker()} read: every node's row and the number of imported months. Equal markers
 * read at two times mean that no process wrote an interval, an idle interval, a node or an import in between.
 *
 * @param nodes        every node, as {@link CounterStore#nodes()} gives them
 * @param importedRows how many imported months the database holds
 */
public record ChangeMarker(List<NodeStatus> nodes, long importedRows) {

    public ChangeMarker {
        nodes = List.copyOf(nodes);
    }
}
