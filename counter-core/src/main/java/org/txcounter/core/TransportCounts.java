package org.txcounter.core;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * An immutable count per transport, as drained for one interval or summed for a period.
 *
 * <p>Immutable: its counts are copied in and never changed, so it may be shared between threads freely.
 */
public final class TransportCounts {

    private static final TransportCounts ZERO = new TransportCounts(new long[Transport.all().length]);

    private final long[] counts;

    private TransportCounts(long[] counts) {
        this.counts = counts;
    }

    public static TransportCounts zero() {
        return ZERO;
    }

    static TransportCounts of(long[] countsByOrdinal) {
        return new TransportCounts(countsByOrdinal.clone());
    }

    /** Counts from a map; transports the map does not name count zero. */
    public static TransportCounts of(Map<Transport, Long> counts) {
        long[] values = new long[Transport.all().length];
        counts.forEach((transport, count) -> values[transport.ordinal()] = requireNonNegative(transport, count));
        return new TransportCounts(values);
    }

    private static long requireNonNegative(Transport transport, long count) {
        if (count < 0) {
            throw new IllegalArgumentException("count for " + transport + " must be >= 0. Found: " + count);
        }
        return count;
    }

    public long get(Transport transport) {
        return counts[transport.ordinal()];
    }

    public long total() {
        long total = 0;
        for (long count : counts) {
            total = Math.addExact(total, count);
        }
        return total;
    }

    public boolean isZero() {
        for (long count : counts) {
            if (count != 0) {
                return false;
            }
        }
        return true;
    }

    public TransportCounts plus(TransportCounts other) {
        long[] sum = new long[counts.length];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = Math.addExact(counts[i], other.counts[i]);
        }
        return new TransportCounts(sum);
    }

    public Map<Transport, Long> asMap() {
        Map<Transport, Long> map = new EnumMap<>(Transport.class);
        for (Transport transport : Transport.all()) {
            map.put(transport, counts[transport.ordinal()]);
        }
        return map;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TransportCounts that && Arrays.equals(counts, that.counts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(counts);
    }

    /** The counts of the runtime's own transports and of any other that counted, e.g. {@code {HTTP=3, JMS=0}}. */
    @Override
    public String toString() {
        Map<Transport, Long> shown = new EnumMap<>(Transport.class);
        for (Transport transport : Transport.all()) {
            if (counts[transport.ordinal()] != 0 || transport.alwaysReported()) {
                shown.put(transport, counts[transport.ordinal()]);
            }
        }
        return shown.toString();
    }
}
