package org.txcounter.core.store;

import java.time.Instant;
import java.time.YearMonth;

/**
 * A closed billing month: when and by whom it was closed, and its signed statement exactly as it was issued.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 *
 * @param statement the signed statement document (JSON), stored once at the close and never changed
 */
public record MonthClosure(YearMonth month, Instant closedAt, String closedBy, String statement) {
}
