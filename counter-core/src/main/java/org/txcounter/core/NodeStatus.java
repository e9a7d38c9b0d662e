package org.txcounter.core;

import java.time.Instant;
import java.util.Optional;

/**
 * Where one node's writing stands.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 *
 * @param lastSeq         the highest interval sequence number it wrote
 * @param lastIntervalEnd the end of the last interval it wrote or reported idle
 * @param lastFlushAt     when it last wrote, reported idle or connected; a node that stops reporting shows here
 */
public record NodeStatus(String nodeId, Instant registeredAt, long lastSeq, Optional<Instant> lastIntervalEnd,
        Optional<Instant> lastFlushAt) {
}
