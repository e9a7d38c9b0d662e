package org.txcounter.service.runtime;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the passthrough refused before counting: requests whose path matched no route. They are answered 404 and
 * never billed; the management API shows their number as {@code txn_passthrough_unrouted_total}. Safe for any
 * number of threads; recording is one {@link LongAdder#increment()}.
 */
public final class RoutingStats {

    private final LongAdder unrouted = new LongAdder();

    void unrouted() {
        unrouted.increment();
    }

    /** Requests refused since the start because no route covers their path. */
    public long unroutedRequests() {
        return unrouted.sum();
    }
}
