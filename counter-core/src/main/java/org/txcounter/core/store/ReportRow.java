package org.txcounter.core.store;

import java.time.YearMonth;
import org.txcounter.core.Transport;

/** One line of the billing report: what one node counted on one transport in one month. */
public record ReportRow(YearMonth month, String nodeId, Transport transport, long count) {
}
