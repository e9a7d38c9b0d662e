package org.txcounter.core.journal;

import java.io.IOException;

/**
 * The journal is there but not whole: empty, not text, cut short, altered, or with a line that does not parse. The
 * message names the file and says what was found where. Immutable.
 *
 * <p>Created and thrown on one thread; carries only values fixed at construction.
 */
public final class JournalDamagedException extends IOException {

    private static final long serialVersionUID = 1L;

    JournalDamagedException(String message) {
        super(message);
    }
}
