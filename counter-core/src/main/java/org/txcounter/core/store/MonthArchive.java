package org.txcounter.core.store;

import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.txcounter.core.ledger.SignedRow;

/**
 * What the ledger holds of one billing month, node by node: the outline an archive file of the month records and
 * that removing the month's rows checks against the database again. Immutable and thread-safe.
 *
 * @param nodes the nodes with rows in the month, by node id
 */
public record MonthArchive(YearMonth month, List<Node> nodes) {

    public MonthArchive {
        nodes = List.copyOf(nodes);
    }

    /** How many ledger rows the month holds. */
    public long rows() {
        return nodes.stream().mapToLong(Node::rows).sum();
    }

    /** The month's transactions, all nodes and transports. */
    public long total() {
        return nodes.stream().flatMap(node -> node.totals().values().stream()).mapToLong(Total::count).sum();
    }

    /**
     * One node's rows of the month.
     *
     * @param firstSeq     the sequence number of its first row of the month
     * @param lastSeq      the sequence number of its last row of the month
     * @param firstPrevMac the chain link of its first row: the MAC of the row before it (null at a chain's start)
     * @param last         its last row of the month exactly as stored: the row the chain goes on from
     * @param totals       rows and transactions by transport
     */
    public record Node(String nodeId, long firstSeq, long lastSeq, long rows, String firstPrevMac, SignedRow last,
            Map<String, Total> totals) {

        public Node {
            totals = java.util.Collections.unmodifiableMap(new TreeMap<>(totals));
        }
    }

    /** A transport's rows and transactions in a node's month. */
    public record Total(long rows, long count) {
    }
}
