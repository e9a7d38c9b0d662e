package org.txcounter.core.stamp;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The transaction ids of stamps accepted on this node, each kept until its stamp could no longer be valid.
 * Expired entries are swept at most once a second, by whichever caller comes by.
 */
final class SeenStamps {

    private final ConcurrentHashMap<String, Long> expiryById = new ConcurrentHashMap<>();
    private final long keepMillis;
    private final Clock clock;
    private final AtomicLong nextSweep = new AtomicLong();

    SeenStamps(Duration keep, Clock clock) {
        this.keepMillis = keep.toMillis();
        this.clock = clock;
    }

    /** Records the id; {@code true} if it was not there already. */
    boolean firstUse(String transactionId, long issuedAt) {
        long now = clock.millis();
        long sweepAt = nextSweep.get();
        if (now >= sweepAt && nextSweep.compareAndSet(sweepAt, now + 1000)) {
            expiryById.values().removeIf(expiry -> expiry <= now);
        }
        return expiryById.putIfAbsent(transactionId, issuedAt + keepMillis) == null;
    }

    int size() {
        return expiryById.size();
    }
}
