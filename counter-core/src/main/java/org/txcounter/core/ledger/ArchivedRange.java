package org.txcounter.core.ledger;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The record a removed month leaves of one node's rows ({@code txn_archived}): the range of sequence numbers that
 * went to the archive file, the last of those rows exactly as it was (the first row left online links to its MAC),
 * the file's SHA-256 and the rows' transactions and row counts by transport, under a MAC with the ledger key. A
 * check of the ledger takes the last row as the start of what stays online, and the counts as the removed rows'
 * share of the month's rollup. Immutable and thread-safe.
 *
 * @param period the billing period (yyyymm) the rows belonged to
 * @param rows   how many rows were removed
 */
public record ArchivedRange(int period, String nodeId, long firstSeq, long lastSeq, long rows, SignedRow last,
        String archiveSha256, Map<String, Long> counts, Map<String, Long> rowCounts, String keyId, String mac) {

    public ArchivedRange {
        counts = Collections.unmodifiableMap(new TreeMap<>(counts));
        rowCounts = Collections.unmodifiableMap(new TreeMap<>(rowCounts));
    }

    /** The text the MAC covers. */
    String content() {
        StringBuilder text = new StringBuilder("archived-v1|").append(period).append('|').append(nodeId).append('|')
                .append(firstSeq).append('|').append(lastSeq).append('|').append(rows).append('|')
                .append(last.mac()).append('|').append(archiveSha256);
        counts.forEach((transport, count) -> text.append('|').append(transport).append('=').append(count)
                .append('/').append(rowCounts.getOrDefault(transport, 0L)));
        return text.toString();
    }

    /** This record signed with {@code signer}. */
    public ArchivedRange signedWith(LedgerSigner signer) {
        return new ArchivedRange(period, nodeId, firstSeq, lastSeq, rows, last, archiveSha256, counts, rowCounts,
                signer.keyId(), signer.archivedMac(content()));
    }
}
