package org.txcounter.core;

import java.time.YearMonth;

/**
 * One line of the billing report: what one node counted on one transport in one month.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 */
public record ReportRow(YearMonth month, String nodeId, Transport transport, long count) {
}
