package org.txcounter.core.store;

import java.time.Instant;

/**
 * A stretch of time through which a node reported every interval, counted or idle, without a gap. A gap between
 * two spans of one node is time it was not running or could not report: its intervals are missing, not empty.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 */
public record NodeSpan(String nodeId, Instant start, Instant end) {
}
