package org.txcounter.core;

import java.util.EnumMap;
import java.util.Map;

/**
 * The in-memory counts of one node: one {@link TransportCounter} per {@link Transport}.
 *
 * <p>Hooks take their handle once with {@link #counter(Transport)}; the interval flusher drains all of them at
 * each interval boundary with {@link #drain()}. Thread-safe without locks.
 */
public final class TransactionMeter {

    private final TransportCounter[] counters;

    public TransactionMeter() {
        Transport[] transports = Transport.all();
        counters = new TransportCounter[transports.length];
        for (Transport transport : transports) {
            counters[transport.ordinal()] = new TransportCounter(transport);
        }
    }

    /** The handle for one transport. Resolve it once and keep it; do not call this per transaction. */
    public TransportCounter counter(Transport transport) {
        return counters[transport.ordinal()];
    }

    /** What each transport has recorded and not yet drained. A snapshot of moving values, for display only. */
    public Map<Transport, Long> pending() {
        Map<Transport, Long> pending = new EnumMap<>(Transport.class);
        for (TransportCounter counter : counters) {
            pending.put(counter.transport(), counter.pending());
        }
        return pending;
    }

    /** Takes what every transport recorded since the previous drain, leaving each at zero. */
    public TransportCounts drain() {
        long[] drained = new long[counters.length];
        for (TransportCounter counter : counters) {
            drained[counter.transport().ordinal()] = counter.drain();
        }
        return TransportCounts.of(drained);
    }
}
