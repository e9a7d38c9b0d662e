package org.txcounter.core.ledger;

/** One row of the monthly rollup as stored. */
public record RollupRow(int period, String nodeId, String transport, long count) {
}
