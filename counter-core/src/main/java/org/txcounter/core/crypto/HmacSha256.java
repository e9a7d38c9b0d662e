package org.txcounter.core.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 under one key, the one keyed MAC of the library (stamps and ledger rows). A {@link Mac} is expensive
 * to create and initialise and not thread-safe, so each thread keeps its own, initialised once with the key and
 * reset by every {@code doFinal}.
 *
 * <p>Thread-safe: any number of threads may call {@link #mac} at once; each uses its own {@code Mac}.
 */
public final class HmacSha256 {

    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    /** @param key the key's bytes, copied */
    public HmacSha256(byte[] key) {
        this.key = new SecretKeySpec(key.clone(), ALGORITHM);
        this.macs = ThreadLocal.withInitial(this::newMac);
        newMac(); // fails here, at construction, on a JVM without HmacSHA256
    }

    /** The 32-byte MAC of {@code content}. */
    public byte[] mac(byte[] content) {
        return macs.get().doFinal(content);
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
