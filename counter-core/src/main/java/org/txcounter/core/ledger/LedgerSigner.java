package org.txcounter.core.ledger;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Computes the MACs that make the ledger tamper-evident: HMAC-SHA256 over a row's content and the MAC of the
 * node's previous row, so that editing, deleting, inserting or reordering rows without the key breaks the chain.
 *
 * <p>The key is {@code [ledger] key} from the configuration, or else derived from the deployment's stamp secret
 * ({@link #derivedFrom}), so every node of a deployment, and the verifier, share it.
 *
 * <p>Thread-safe.
 */
public final class LedgerSigner {

    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    public LedgerSigner(byte[] key) {
        if (key.length < 32) {
            throw new IllegalArgumentException("The ledger key must be at least 32 bytes. Found: " + key.length);
        }
        this.key = new SecretKeySpec(key.clone(), ALGORITHM);
        this.macs = ThreadLocal.withInitial(this::newMac);
        newMac();
    }

    /** A ledger key derived from the stamp secret, kept apart from the stamps' own use of it. */
    public static LedgerSigner derivedFrom(byte[] stampSecret) {
        return new LedgerSigner(new LedgerSigner(stampSecret).sign("txcounter ledger key v1")
                .getBytes(StandardCharsets.US_ASCII));
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

    /** Compares two MACs in constant time. */
    public static boolean same(String expected, String actual) {
        return actual != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                actual.getBytes(StandardCharsets.US_ASCII));
    }

    private String sign(String content) {
        return ENCODER.encodeToString(macs.get().doFinal(content.getBytes(StandardCharsets.UTF_8)));
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JVM cannot compute " + ALGORITHM, e);
        }
    }
}
