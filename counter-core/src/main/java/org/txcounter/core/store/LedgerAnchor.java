package org.txcounter.core.store;

import java.time.YearMonth;

/**
 * Where a node's count of a month ends in the ledger: the sequence number and MAC of its last ledger row in the
 * month. The MAC chains over every earlier row of the node, so a report line that carries it can be checked
 * against the ledger: the row with that MAC exists, {@code verify} finds its chain intact, and the node's rows of
 * the month up to that sequence number add up to the line's count.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 */
public record LedgerAnchor(YearMonth month, String nodeId, long seq, String mac) {
}
