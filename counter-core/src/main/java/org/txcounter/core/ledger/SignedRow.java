package org.txcounter.core.ledger;

/**
 * A ledger row as stored, with its chain fields and the id of the key that signed it ({@code null} for rows
 * written before key ids), for verification. Times are epoch milliseconds (UTC).
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 */
public record SignedRow(String nodeId, long seq, String transport, long startMillis, long endMillis, int period,
        long count, String prevMac, String mac, String keyId) {
}
