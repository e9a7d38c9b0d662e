package org.txcounter.core.stamp;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * The stamps spent on this node, kept until they could no longer be valid, in a fixed amount of memory.
 *
 * <p>Each spent stamp is one 64-bit fingerprint of its random id (which its MAC protects, so no sender picks
 * it) in the slice of its issue time. A stamp lifetime is cut into {@value #SLICES_PER_LIFETIME} slices; the ring
 * has a few more slices than a lifetime spans (the lifetime, the allowed clock skew into the future, and two
 * slices of slack), so a slice's place is free again long before a valid stamp can need it. Each slice is an
 * open-addressing hash set in one flat {@code long[]} allocated up front, at most half full. Memory is therefore
 * {@link #memoryBytes()} from construction on, whatever the traffic.
 *
 * <p>{@link #sweep()} empties the slices whose stamps have all expired. It is meant for a housekeeping thread,
 * never a request thread; {@link #spend} does no sweeping and at most probes one slice.
 *
 * <p>When a stamp cannot be recorded (its slice holds {@link #perSliceCapacity()} stamps already, or the sweeper
 * has fallen so far behind that its place still holds an expired slice) {@link #spend} answers
 * {@link Spend#UNRECORDED}: the caller counts the message. A stamp is never honoured without being recorded, so a
 * full set can make a pair count twice but never make a stamp free twice.
 *
 * <p>Thread-safe: one short lock per slice, never held across I/O.
 */
final class SpentStamps {

    static final int SLICES_PER_LIFETIME = 16;
    private static final long FREE = Long.MIN_VALUE;

    /** What {@link #spend} found. */
    enum Spend { FIRST, REPEAT, UNRECORDED }

    private final Slice[] ring;
    private final long sliceMillis;
    private final long lifetimeMillis;
    private final int perSlice;
    private final Clock clock;
    private final LongAdder unrecorded = new LongAdder();

    /**
     * @param capacity how many stamps one lifetime may spend, at an even rate; each slice takes a little more than
     *                 its even share ({@code capacity / 16}), rounded up to half a power of two
     */
    SpentStamps(Duration lifetime, Duration futureSkew, int capacity, Clock clock) {
        if (capacity < SLICES_PER_LIFETIME) {
            throw new IllegalArgumentException("The spent-stamp capacity must be at least " + SLICES_PER_LIFETIME
                    + ". Found: " + capacity);
        }
        this.lifetimeMillis = lifetime.toMillis();
        this.sliceMillis = Math.max(1, (lifetimeMillis + SLICES_PER_LIFETIME - 1) / SLICES_PER_LIFETIME);
        this.clock = clock;
        long share = (capacity + SLICES_PER_LIFETIME - 1L) / SLICES_PER_LIFETIME;
        int tableSize = Integer.highestOneBit((int) Math.min(1 << 29, share * 2 - 1)) << 1;
        this.perSlice = tableSize / 2;
        int skewSlices = (int) ((futureSkew.toMillis() + sliceMillis - 1) / sliceMillis);
        this.ring = new Slice[SLICES_PER_LIFETIME + skewSlices + 3];
        for (int i = 0; i < ring.length; i++) {
            ring[i] = new Slice(tableSize);
        }
    }

    /** Records the stamp with this id fingerprint and issue time. */
    Spend spend(long fingerprint, long issuedAt) {
        long epoch = Math.floorDiv(issuedAt, sliceMillis);
        Slice slice = ring[(int) Math.floorMod(epoch, (long) ring.length)];
        Spend result;
        synchronized (slice) {
            result = slice.spend(epoch, fingerprint == 0 ? 1 : fingerprint, perSlice);
        }
        if (result == Spend.UNRECORDED) {
            unrecorded.increment();
        }
        return result;
    }

    /** Empties every slice whose stamps have all expired; returns how many it emptied. */
    int sweep() {
        long now = clock.millis();
        int emptied = 0;
        for (Slice slice : ring) {
            synchronized (slice) {
                if (slice.epoch != FREE && (slice.epoch + 1) * sliceMillis + lifetimeMillis < now) {
                    slice.clear();
                    emptied++;
                }
            }
        }
        return emptied;
    }

    /**
     * Every recorded stamp as pairs of longs: its fingerprint and the last millisecond of its slice, a time no
     * earlier than its issue time that puts it back into the same slice ({@link #spend}). Each slice is copied
     * under its own lock.
     */
    long[] entries() {
        long[] out = new long[0];
        int used = 0;
        for (Slice slice : ring) {
            synchronized (slice) {
                if (slice.size == 0) {
                    continue;
                }
                out = Arrays.copyOf(out, used + 2 * slice.size);
                long sliceEnd = (slice.epoch + 1) * sliceMillis - 1;
                for (long key : slice.table) {
                    if (key != 0) {
                        out[used++] = key;
                        out[used++] = sliceEnd;
                    }
                }
            }
        }
        return out;
    }

    /** How many stamps are recorded now. */
    long size() {
        long size = 0;
        for (Slice slice : ring) {
            synchronized (slice) {
                size += slice.size;
            }
        }
        return size;
    }

    /** How many valid stamps could not be recorded and were therefore counted, since start. */
    long unrecorded() {
        return unrecorded.sum();
    }

    /** The most stamps one slice (a sixteenth of the lifetime, by issue time) records. */
    int perSliceCapacity() {
        return perSlice;
    }

    /** How long a slice is: stamps issued within one slice share its capacity. */
    Duration sliceLength() {
        return Duration.ofMillis(sliceMillis);
    }

    /** The memory the fingerprint tables take, fixed at construction: slices x table length x 8 bytes. */
    long memoryBytes() {
        return (long) ring.length * perSlice * 2 * Long.BYTES;
    }

    private static final class Slice {
        private final long[] table;
        private final int mask;
        private long epoch = FREE;
        private int size;

        Slice(int tableSize) {
            table = new long[tableSize];
            mask = tableSize - 1;
        }

        Spend spend(long epochWanted, long key, int capacity) {
            if (epoch != epochWanted) {
                if (epoch != FREE) {
                    return Spend.UNRECORDED;
                }
                epoch = epochWanted;
            }
            int slot = (int) (key ^ (key >>> 32)) & mask;
            while (table[slot] != 0) {
                if (table[slot] == key) {
                    return Spend.REPEAT;
                }
                slot = (slot + 1) & mask;
            }
            if (size >= capacity) {
                return Spend.UNRECORDED;
            }
            table[slot] = key;
            size++;
            return Spend.FIRST;
        }

        void clear() {
            Arrays.fill(table, 0);
            size = 0;
            epoch = FREE;
        }
    }
}
