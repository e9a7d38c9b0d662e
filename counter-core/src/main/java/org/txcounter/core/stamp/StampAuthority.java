package org.txcounter.core.stamp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.txcounter.core.StampVerdict;
import org.txcounter.core.config.NodeIds;
import org.txcounter.core.crypto.HmacSha256;

/**
 * Issues and checks the stamps that mark a message or request as already counted by this deployment, each for
 * one destination the deployment itself consumes.
 *
 * <p>A stamp is {@code v2.<deployment>.<transaction id>.<issued at, epoch ms>.<signature>}, where the signature is
 * HMAC-SHA256, keyed by the deployment's shared secret, over everything before it and the destination it was
 * issued for ({@link #queueDestination} for a queue, {@link #nodeDestination} for the passthrough of one node).
 * The destination is inside the MAC but not in the stamp: a consumer checks a stamp against the destination it
 * took the message from, so a stamp issued for one queue or node is worth nothing anywhere else. Any node
 * holding the same secret and deployment id accepts a stamp for its destination; a message without a valid
 * stamp is counted.
 *
 * <p>A stamp is honoured at most once on a node: the first acceptance spends it ({@link SpentStamps}, bounded
 * memory, swept by {@link #sweep()} on a housekeeping thread), and a node that keeps its spent stamps on disk
 * ({@link #keepSpentIn}) honours none of them again after a restart. A valid stamp that cannot be recorded as spent is
 * answered {@link StampVerdict#UNRECORDED} and its message counted, so a stamp is never free twice.
 *
 * <pre>{@code
 * StampAuthority stamps = new StampAuthority("prod-eu", "node-1", secret, Duration.ofHours(24), 1_000_000, clock);
 * String destination = StampAuthority.queueDestination("orders");
 * String stamp = stamps.issue(destination);                 // on the message the runtime sends to "orders"
 * StampVerdict verdict = stamps.verify(stamp, destination); // on the message its consumer takes from "orders"
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class StampAuthority {

    private static final String VERSION = "v2";
    private static final Duration FUTURE_SKEW = Duration.ofMinutes(5);
    private static final int MIN_SECRET_BYTES = 32;
    private static final int MAX_STAMP_LENGTH = 256;
    private static final int ID_BYTES = 12;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final String deploymentId;
    private final String httpDestination;
    private final long lifetimeMillis;
    private final Clock clock;
    private final HmacSha256 hmac;
    private final SpentStamps spent;
    private volatile SpentStampLog spentLog;

    /**
     * @param nodeId        this node: the passthrough honours only stamps issued for {@link #nodeDestination}
     *                      of it
     * @param spentCapacity how many stamps one lifetime may spend on this node at an even rate (see
     *                      {@link SpentStamps}); fixes the memory of the spent set
     */
    public StampAuthority(String deploymentId, String nodeId, byte[] secret, Duration lifetime, int spentCapacity,
            Clock clock) {
        this.deploymentId = NodeIds.requireValid(deploymentId);
        this.httpDestination = nodeDestination(NodeIds.requireValid(nodeId));
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("The stamp secret must be at least " + MIN_SECRET_BYTES
                    + " bytes. Found: " + secret.length + " bytes");
        }
        this.hmac = new HmacSha256(secret);
        this.lifetimeMillis = lifetime.toMillis();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.spent = new SpentStamps(lifetime, FUTURE_SKEW, spentCapacity, clock);
    }

    /** The destination of a queue: a stamp for it is honoured only on messages taken from that queue. */
    public static String queueDestination(String queue) {
        return "jms:" + queue;
    }

    /** The destination of one node's passthrough: a stamp for it is honoured only by that node's listener. */
    public static String nodeDestination(String nodeId) {
        return "http:" + nodeId;
    }

    public String deploymentId() {
        return deploymentId;
    }

    /** This node's own passthrough destination, which inbound HTTP stamps are checked against. */
    public String httpDestination() {
        return httpDestination;
    }

    /** A new stamp for one transaction sent to {@code destination}, which the deployment itself must consume. */
    public String issue(String destination) {
        byte[] id = new byte[ID_BYTES];
        ThreadLocalRandom.current().nextBytes(id);
        String content = VERSION + "." + deploymentId + "." + ENCODER.encodeToString(id) + "." + clock.millis();
        return content + "." + ENCODER.encodeToString(sign(content, destination));
    }

    /**
     * Checks a stamp taken from a message or request that arrived at {@code destination}; a {@code null} stamp
     * means there was none. A {@link StampVerdict#VALID} stamp is spent by this call.
     */
    public StampVerdict verify(String stamp, String destination) {
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
        byte[] id;
        byte[] signature;
        try {
            issuedAt = Long.parseLong(parts[3]);
            id = DECODER.decode(parts[2]);
            signature = DECODER.decode(parts[4]);
        } catch (IllegalArgumentException e) {
            return StampVerdict.MALFORMED;
        }
        if (id.length != ID_BYTES) {
            return StampVerdict.MALFORMED;
        }
        String content = stamp.substring(0, stamp.lastIndexOf('.'));
        if (!MessageDigest.isEqual(sign(content, destination), signature)) {
            return StampVerdict.BAD_SIGNATURE;
        }
        if (!parts[1].equals(deploymentId)) {
            return StampVerdict.FOREIGN_DEPLOYMENT;
        }
        long now = clock.millis();
        if (issuedAt > now + FUTURE_SKEW.toMillis() || now - issuedAt > lifetimeMillis) {
            return StampVerdict.EXPIRED;
        }
        long fingerprint = fingerprint(id);
        return switch (spent.spend(fingerprint, issuedAt)) {
            case FIRST -> {
                SpentStampLog log = spentLog;
                if (log != null) {
                    log.spent(fingerprint, issuedAt);
                }
                yield StampVerdict.VALID;
            }
            case REPEAT -> StampVerdict.REPLAYED;
            case UNRECORDED -> StampVerdict.UNRECORDED;
        };
    }

    /**
     * Forgets the spent stamps that have expired. Call it from a housekeeping thread about every
     * {@link #sweepInterval()}; it never runs on the calls that check stamps.
     */
    public void sweep() {
        SpentStampLog log = spentLog;
        if (spent.sweep() > 0 && log != null) {
            log.compactSoon();
        }
    }

    /**
     * Keeps the spent stamps in {@code <dataDir>/spent-stamps} from now on ({@link SpentStampLog}), after putting
     * back those an earlier run of this node spent and that could still be valid. Call once, before any stamp is
     * checked; then {@link #writeSpent()} with every journal rewrite and at the stop.
     *
     * @return how many spent stamps were restored
     */
    public int keepSpentIn(Path dataDir) throws IOException {
        SpentStampLog log = new SpentStampLog(dataDir.resolve(SpentStampLog.FILE), spent);
        int restored = log.load(clock.millis(), lifetimeMillis);
        spentLog = log;
        return restored;
    }

    /** The file {@link #keepSpentIn} keeps the spent stamps in, if it was called. */
    public Optional<Path> spentFile() {
        return Optional.ofNullable(spentLog).map(SpentStampLog::file);
    }

    /**
     * Writes the stamps spent since the last call to disk and forces them there. From one thread (the journal's),
     * after {@link #keepSpentIn}; does nothing before it.
     */
    public void writeSpent() throws IOException {
        SpentStampLog log = spentLog;
        if (log != null) {
            log.write();
        }
    }

    /** Writes what is left ({@link #writeSpent()}) and closes the file. */
    public void closeSpent() throws IOException {
        SpentStampLog log = spentLog;
        if (log != null) {
            try {
                log.write();
            } finally {
                log.close();
            }
        }
    }

    /** How often {@link #sweep()} should run: a quarter of a spent-set slice, at most a minute. */
    public Duration sweepInterval() {
        Duration quarter = spent.sliceLength().dividedBy(4);
        return quarter.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1)
                : quarter.isZero() ? Duration.ofMillis(1) : quarter;
    }

    /** How many spent stamps this node holds now. */
    public long spentStamps() {
        return spent.size();
    }

    /** The fixed memory of the spent-stamp set, in bytes. */
    public long spentStampsMemoryBytes() {
        return spent.memoryBytes();
    }

    /** How many stamps issued within one sixteenth of the lifetime this node can record as spent. */
    public int spentStampsPerSlice() {
        return spent.perSliceCapacity();
    }

    /** The id's first 8 bytes, mixed with the last 4; the id is random and MAC-protected. */
    private static long fingerprint(byte[] id) {
        long high = 0;
        for (int i = 0; i < 8; i++) {
            high = (high << 8) | (id[i] & 0xff);
        }
        long low = ((id[8] & 0xffL) << 24) | ((id[9] & 0xffL) << 16) | ((id[10] & 0xffL) << 8) | (id[11] & 0xffL);
        long mixed = high ^ (low * 0x9e3779b97f4a7c15L);
        return mixed == 0 ? 1 : mixed;
    }

    private byte[] sign(String content, String destination) {
        return hmac.mac((content + "|" + destination).getBytes(StandardCharsets.UTF_8));
    }
}
