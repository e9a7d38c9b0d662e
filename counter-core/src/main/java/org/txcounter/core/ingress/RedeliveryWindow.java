package org.txcounter.core.ingress;

/**
 * The ids of the JMS messages this node accepted most recently, so that a message the broker delivers again
 * ({@code JMSRedelivered}, same {@code JMSMessageID}) after a rollback is not counted a second time.
 *
 * <p>Bounded by count: the oldest ids are forgotten first. Each id is kept as a 64-bit fingerprint in two flat
 * arrays (arrival order, and an open-addressing hash set), so remembering one costs no allocation and no object
 * the garbage collector has to trace. Two different ids share a fingerprint with a chance of about
 * {@code capacity / 2^64} per message; only then could a redelivery of the one be mistaken for the other.
 * Thread-safe: one short lock.
 */
final class RedeliveryWindow {

    private final long[] arrivals;
    private final long[] slots;
    private final int mask;
    private int oldest;
    private int size;

    RedeliveryWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1. Found: " + capacity);
        }
        arrivals = new long[capacity];
        // At most half full: short probe sequences.
        int tableSize = Integer.highestOneBit(capacity) << 2;
        slots = new long[tableSize];
        mask = tableSize - 1;
    }

    /** Remembers the id; {@code true} if it was already there. */
    synchronized boolean seenBefore(String messageId) {
        long key = fingerprint(messageId);
        for (int slot = home(key); slots[slot] != 0; slot = (slot + 1) & mask) {
            if (slots[slot] == key) {
                return true;
            }
        }
        if (size == arrivals.length) {
            forget(arrivals[oldest]);
            arrivals[oldest] = key;
            oldest = (oldest + 1) % arrivals.length;
        } else {
            arrivals[(oldest + size) % arrivals.length] = key;
            size++;
        }
        int slot = home(key);
        while (slots[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        slots[slot] = key;
        return false;
    }

    /** Removes {@code key} and closes the gap (backward-shift deletion), so probing needs no tombstones. */
    private void forget(long key) {
        int gap = home(key);
        while (slots[gap] != key) {
            gap = (gap + 1) & mask;
        }
        slots[gap] = 0;
        for (int next = (gap + 1) & mask; slots[next] != 0; next = (next + 1) & mask) {
            int home = home(slots[next]);
            boolean staysPut = gap <= next ? gap < home && home <= next : gap < home || home <= next;
            if (!staysPut) {
                slots[gap] = slots[next];
                slots[next] = 0;
                gap = next;
            }
        }
    }

    private int home(long key) {
        return (int) (key ^ (key >>> 32)) & mask;
    }

    /** FNV-1a over the UTF-16 code units, then a final mix; never 0, which marks an empty slot. */
    static long fingerprint(String id) {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            hash = (hash ^ id.charAt(i)) * 0x100000001b3L;
        }
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        return hash == 0 ? 1 : hash;
    }
}
