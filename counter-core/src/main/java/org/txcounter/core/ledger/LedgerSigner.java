package org.txcounter.core.ledger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import org.txcounter.core.crypto.HmacSha256;

/**
 * Computes the MACs that make the ledger tamper-evident: HMAC-SHA256 over a row's content and the MAC of the
 * node's previous row, so that editing, deleting, inserting or reordering rows without the key breaks the chain.
 *
 * <p>Each key has an id, which every row it signs records ({@code key_id}), so that keys can rotate: see
 * {@link LedgerKeys}. The key is the ledger's own, never the stamp secret; {@link #derivedFrom} only rebuilds the
 * key that releases before key ids derived from the stamp secret, to check the rows they wrote.
 *
 * <p>Thread-safe.
 */
public final class LedgerSigner {

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    /** The id given to the key that releases before key ids derived from the stamp secret. */
    public static final String STAMP_DERIVED_ID = "stamp-derived";
    private static final java.util.regex.Pattern KEY_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final String keyId;
    private final HmacSha256 hmac;

    /** @param keyId the id recorded with every row this key signs: 1 to 64 letters, digits, '.', '_' or '-' */
    public LedgerSigner(String keyId, byte[] key) {
        if (keyId == null || !KEY_ID.matcher(keyId).matches()) {
            throw new IllegalArgumentException("A ledger key id is 1 to 64 letters, digits, '.', '_' or '-'. Found: "
                    + keyId);
        }
        if (key.length < 32) {
            throw new IllegalArgumentException("The ledger key must be at least 32 bytes. Found: " + key.length);
        }
        this.keyId = keyId;
        this.hmac = new HmacSha256(key);
    }

    /**
     * The key that releases before key ids derived from the stamp secret when no {@code [ledger] key} was set; it
     * only checks rows those releases wrote (rows without a key id).
     */
    public static LedgerSigner derivedFrom(byte[] stampSecret) {
        return new LedgerSigner(STAMP_DERIVED_ID, new LedgerSigner(STAMP_DERIVED_ID, stampSecret)
                .sign("txcounter ledger key v1").getBytes(StandardCharsets.US_ASCII));
    }

    /** The id recorded with the rows this key signs. */
    public String keyId() {
        return keyId;
    }

    /** The MAC of one ledger row. */
    public String rowMac(String nodeId, long seq, String transport, long startMillis, long endMillis, int period,
            long count, String prevMac) {
        return sign("row-v1|" + nodeId + "|" + seq + "|" + transport + "|" + startMillis + "|" + endMillis + "|"
                + period + "|" + count + "|" + (prevMac == null ? "" : prevMac));
    }

    /** The MAC of a node's chain head: its last sequence number and the MAC of its last row. */
    public String nodeMac(String nodeId, long lastSeq, String lastMac) {
        return sign("node-v1|" + nodeId + "|" + lastSeq + "|" + (lastMac == null ? "" : lastMac));
    }

    /** The MAC of a monthly total imported from another counter ({@code txn_imported}). */
    public String importedMac(String source, String nodeId, int period, long rawCount, long count) {
        return sign("imported-v1|" + source + "|" + nodeId + "|" + period + "|" + rawCount + "|" + count);
    }

    /** The MAC of a ledger check's checkpoint ({@link VerifyCheckpoint}), over its text. */
    String checkpointMac(String content) {
        return sign("checkpoint-v1|" + content);
    }

    /** The MAC of the record a month's removed rows leave ({@link ArchivedRange}), over its text. */
    String archivedMac(String content) {
        return sign(content);
    }

    /** Compares two MACs in constant time. */
    public static boolean same(String expected, String actual) {
        return actual != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                actual.getBytes(StandardCharsets.US_ASCII));
    }

    private String sign(String content) {
        return ENCODER.encodeToString(hmac.mac(content.getBytes(StandardCharsets.UTF_8)));
    }
}
