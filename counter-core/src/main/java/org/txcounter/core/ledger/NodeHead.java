package org.txcounter.core.ledger;

/** A node's chain head as stored in {@code txn_node}. */
public record NodeHead(String nodeId, long lastSeq, String lastMac, String nodeMac) {
}
