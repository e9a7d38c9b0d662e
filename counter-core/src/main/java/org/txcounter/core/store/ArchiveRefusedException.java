package org.txcounter.core.store;

/**
 * Archiving or removing a month's ledger rows was refused, and nothing changed: the month is not closed, was removed
 * already, or its rows are not what the archive file says. The message says which, with the values, and what to do.
 *
 * <p>Created and thrown on one thread; carries only values fixed at construction.
 */
public final class ArchiveRefusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ArchiveRefusedException(String message) {
        super(message);
    }
}
