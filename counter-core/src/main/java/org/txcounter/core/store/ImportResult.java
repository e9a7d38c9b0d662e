package org.txcounter.core.store;

import java.util.List;

/**
 * What an import wrote.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 *
 * @param added     the months written now
 * @param unchanged the months an earlier import already wrote with the same figures
 */
public record ImportResult(List<ImportedMonth> added, List<ImportedMonth> unchanged) {
}
