package org.txcounter.core.stamp;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.txcounter.core.config.NodeIds;

/**
 * Issues and checks the stamps that mark a message as already counted by this deployment.
 *
 * <p>A stamp is {@code v1.<deployment>.<transaction id>.<issued at, epoch ms>.<signature>}, where the signature is
 * HMAC-SHA256, keyed by the deployment's shared secret, over everything before it. Any node holding the same
 * secret and deployment id accepts it; a message without a valid stamp is counted. A stamp accepted once is
 * remembered on that node for its lifetime, so copying one valid stamp onto many messages gets one through, not
 * all.
 *
 * <pre>{@code
 * StampAuthority stamps = new StampAuthority("prod-eu", secret, Duration.ofHours(24), Clock.systemUTC());
 * String stamp = stamps.issue();                 // on the message the runtime sends
 * StampVerdict verdict = stamps.verify(stamp);   // on the message the runtime consumes
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class StampAuthority {

    private static final String VERSION = "v1";
    private static final String ALGORITHM = "HmacSHA256";
    private static final Duration FUTURE_SKEW = Duration.ofMinutes(5);
    private static final int MIN_SECRET_BYTES = 32;
    private static final int MAX_STAMP_LENGTH = 256;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final String deploymentId;
    private final SecretKeySpec key;
    private final long lifetimeMillis;
    private final Clock clock;
    private final ThreadLocal<Mac> macs;
    private final SeenStamps seen;

    public StampAuthority(String deploymentId, byte[] secret, Duration lifetime, Clock clock) {
        this.deploymentId = NodeIds.requireValid(deploymentId);
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("The stamp secret must be at least " + MIN_SECRET_BYTES
                    + " bytes. Found: " + secret.length + " bytes");
        }
        this.key = new SecretKeySpec(secret.clone(), ALGORITHM);
        this.lifetimeMillis = lifetime.toMillis();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.macs = ThreadLocal.withInitial(this::newMac);
        this.seen = new SeenStamps(lifetime.plus(FUTURE_SKEW), clock);
        newMac();
    }

    public String deploymentId() {
        return deploymentId;
    }

    /** A new stamp for one transaction, to put on a message or request the runtime sends. */
    public String issue() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte[] id = new byte[12];
        random.nextBytes(id);
        String content = VERSION + "." + deploymentId + "." + ENCODER.encodeToString(id) + "."
                + clock.millis();
        return content + "." + ENCODER.encodeToString(sign(content));
    }

    /** Checks a stamp taken from an inbound message or request; {@code null} means there was none. */
    public StampVerdict verify(String stamp) {
        if (stamp == null || stamp.isEmpty()) {
            return StampVerdict.MISSING;
        }
        if (stamp.length() > MAX_STAMP_LENGTH) {
            return StampVerdict.MALFORMED;
        }
        String[] parts = stamp.split("\\.", -1);
        if (parts.length != 5 || !parts[0].equals(VERSION)) {
            return StampVerdict.MALFORMED;
        }
        long issuedAt;
        byte[] signature;
        try {
            issuedAt = Long.parseLong(parts[3]);
            signature = DECODER.decode(parts[4]);
        } catch (IllegalArgumentException e) {
            return StampVerdict.MALFORMED;
        }
        String content = stamp.substring(0, stamp.lastIndexOf('.'));
        if (!MessageDigest.isEqual(sign(content), signature)) {
            return StampVerdict.BAD_SIGNATURE;
        }
        if (!parts[1].equals(deploymentId)) {
            return StampVerdict.FOREIGN_DEPLOYMENT;
        }
        long now = clock.millis();
        if (issuedAt > now + FUTURE_SKEW.toMillis() || now - issuedAt > lifetimeMillis) {
            return StampVerdict.EXPIRED;
        }
        return seen.firstUse(parts[2], issuedAt) ? StampVerdict.VALID : StampVerdict.REPLAYED;
    }

    private byte[] sign(String content) {
        return macs.get().doFinal(content.getBytes(StandardCharsets.US_ASCII));
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
