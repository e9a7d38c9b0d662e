package org.txcounter.core.ingress;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids of the JMS messages this node accepted most recently, so that a message the broker delivers again
 * ({@code JMSRedelivered}, same {@code JMSMessageID}) after a rollback is not counted a second time.
 *
 * <p>Bounded by count: the oldest ids are forgotten first. Thread-safe (one lock; JMS consumption is far slower
 * than the lock).
 */
final class RedeliveryWindow {

    private final Map<String, Boolean> recent;

    RedeliveryWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1. Found: " + capacity);
        }
        this.recent = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Remembers the id; {@code true} if it was already there. */
    synchronized boolean seenBefore(String messageId) {
        return recent.put(messageId, Boolean.TRUE) != null;
    }
}
