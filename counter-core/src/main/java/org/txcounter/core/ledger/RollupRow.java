package org.txcounter.core.ledger;

/**
 * One row of the monthly rollup as stored.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 */
public record RollupRow(int period, String nodeId, String transport, long count) {
}
