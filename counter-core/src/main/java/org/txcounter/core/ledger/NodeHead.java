package org.txcounter.core.ledger;

/**
 * A node's chain head as stored in {@code txn_node}, with the id of the key that signed it.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 */
public record NodeHead(String nodeId, long lastSeq, String lastMac, String nodeMac, String keyId) {
}
