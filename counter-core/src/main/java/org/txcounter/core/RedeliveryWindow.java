package org.txcounter.core;

import org.txcounter.core.interval.InFlightIds;
import org.txcounter.core.interval.InFlightMessages;

/**
 * The JMS messages this node took in (counted, or accepted under a valid stamp) and has not seen completed, so
 * that a redelivery of one of them is not counted a second time, and nothing else is skipped.
 *
 * <p>Each entry is a message id's 64-bit fingerprint in one of two states:
 * <ul>
 *   <li><b>handling</b>: a delivery of it is being handled right now;</li>
 *   <li><b>owed</b>: its last delivery ended without completing (rolled back, failed, or in flight at a crash and
 *       restored from the journal). The broker will deliver it again, and that delivery is not counted.</li>
 * </ul>
 * An arriving message whose entry is owed is skipped and the entry becomes handling: one skip per delivery that
 * took the message in and did not complete. A completed delivery removes the entry, so a message that shows up
 * again after its first delivery completed is counted, whatever its flags and whoever chose its id. Every skip is
 * thus paid for by an earlier count of the same id that never completed: faking ids and redelivery flags cannot
 * make a message free.
 *
 * <p>Bounded: at most {@code capacity} entries. When full, the entry touched longest ago is forgotten (counted in
 * {@link #evicted()}); if its message comes back it is counted again, so a full window over-counts and never
 * under-counts. Memory is allocated once: per entry a fingerprint, a state and two list links (17 bytes), plus a
 * hash table of 4-byte slots at most half full: at most 33 bytes per entry of capacity, about 2.7 MB for the
 * default 100,000. Two different ids share a fingerprint with a chance of about {@code size / 2^64} per message.
 *
 * <p>Thread-safe: every operation takes one short lock. Counting a message happens under the same lock, and so
 * does {@link #snapshot}, which is what keeps the journal's counts and ids consistent.
 */
final class RedeliveryWindow implements InFlightMessages {

    private static final byte HANDLING = 1;
    private static final byte OWED = 2;
    private static final int NONE = -1;

    private final long[] keys;
    private final byte[] states;
    /** The arrival list, oldest touched first; {@code newer} also threads the free list. */
    private final int[] older;
    private final int[] newer;
    /** Open addressing: entry index + 1, or 0 for an empty slot. */
    private final int[] table;
    private final int mask;
    private int oldest = NONE;
    private int newest = NONE;
    private int free;
    private int size;
    private long evicted;

    RedeliveryWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1. Found: " + capacity);
        }
        keys = new long[capacity];
        states = new byte[capacity];
        older = new int[capacity];
        newer = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            newer[i] = i + 1 < capacity ? i + 1 : NONE;
        }
        int tableSize = Integer.highestOneBit(capacity) << 2;
        table = new int[tableSize];
        mask = tableSize - 1;
    }

    /**
     * A message arrives. If its entry is owed, it is a redelivery: the entry becomes handling and the method
     * returns {@code true} (skip it). Otherwise {@code counter} (if not {@code null}) records one transaction and
     * the entry is handling; returns {@code false}.
     */
    synchronized boolean arrive(long key, TransportCounter counter) {
        int entry = find(key);
        if (entry != NONE && states[entry] == OWED) {
            states[entry] = HANDLING;
            touch(entry);
            return true;
        }
        if (counter != null) {
            counter.record();
        }
        if (entry == NONE) {
            insert(key, HANDLING);
        } else {
            touch(entry);
        }
        return false;
    }

    /** If the message's entry is owed, makes it handling and returns {@code true}: the arrival is a redelivery. */
    synchronized boolean claim(long key) {
        int entry = find(key);
        if (entry == NONE || states[entry] != OWED) {
            return false;
        }
        states[entry] = HANDLING;
        touch(entry);
        return true;
    }

    /** The delivery was committed or acknowledged: the message is forgotten. */
    synchronized void complete(long key) {
        int entry = find(key);
        if (entry != NONE) {
            remove(entry);
        }
    }

    /** The delivery ended without completing: the next delivery of the message is not counted. */
    synchronized void abandon(long key) {
        int entry = find(key);
        if (entry == NONE) {
            insert(key, OWED);
        } else {
            states[entry] = OWED;
            touch(entry);
        }
    }

    /** Takes back what the journal of the previous run held: every message in it is owed. */
    synchronized void restore(InFlightIds ids) {
        for (int i = 0; i < ids.size(); i++) {
            long key = ids.get(i);
            if (key != 0 && find(key) == NONE) {
                insert(key, OWED);
            }
        }
    }

    @Override
    public synchronized Snapshot snapshot(TransactionMeter meter) {
        TransportCounts pending = TransportCounts.of(meter.pending());
        long[] held = new long[size];
        int i = 0;
        for (int entry = oldest; entry != NONE; entry = newer[entry]) {
            held[i++] = keys[entry];
        }
        return new Snapshot(pending, InFlightIds.of(held));
    }

    synchronized int size() {
        return size;
    }

    int capacity() {
        return keys.length;
    }

    /** Entries forgotten because the window was full. */
    synchronized long evicted() {
        return evicted;
    }

    private int find(long key) {
        for (int slot = home(key); table[slot] != 0; slot = (slot + 1) & mask) {
            int entry = table[slot] - 1;
            if (keys[entry] == key) {
                return entry;
            }
        }
        return NONE;
    }

    private void insert(long key, byte state) {
        if (size == keys.length) {
            remove(oldest);
            evicted++;
        }
        int entry = free;
        free = newer[entry];
        keys[entry] = key;
        states[entry] = state;
        link(entry);
        int slot = home(key);
        while (table[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        table[slot] = entry + 1;
        size++;
    }

    private void remove(int entry) {
        unlink(entry);
        int gap = home(keys[entry]);
        while (table[gap] != entry + 1) {
            gap = (gap + 1) & mask;
        }
        // Backward-shift deletion closes the gap, so probing needs no tombstones.
        table[gap] = 0;
        for (int next = (gap + 1) & mask; table[next] != 0; next = (next + 1) & mask) {
            int home = home(keys[table[next] - 1]);
            boolean staysPut = gap <= next ? gap < home && home <= next : gap < home || home <= next;
            if (!staysPut) {
                table[gap] = table[next];
                table[next] = 0;
                gap = next;
            }
        }
        newer[entry] = free;
        free = entry;
        size--;
    }

    private void touch(int entry) {
        if (entry != newest) {
            unlink(entry);
            link(entry);
        }
    }

    private void link(int entry) {
        older[entry] = newest;
        newer[entry] = NONE;
        if (newest == NONE) {
            oldest = entry;
        } else {
            newer[newest] = entry;
        }
        newest = entry;
    }

    private void unlink(int entry) {
        int before = older[entry];
        int after = newer[entry];
        if (before == NONE) {
            oldest = after;
        } else {
            newer[before] = after;
        }
        if (after == NONE) {
            newest = before;
        } else {
            older[after] = before;
        }
    }

    private int home(long key) {
        return (int) (key ^ (key >>> 32)) & mask;
    }

    /** FNV-1a over the UTF-16 code units, then a final mix; never 0, which marks "no id". */
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
