package org.txcounter.service.statement;

/**
 * A month may not be closed yet; the message says why, naming the nodes waited for and until when.
 *
 * <p>Created and thrown on one thread; carries only values fixed at construction.
 */
public final class CloseRefusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CloseRefusedException(String message) {
        super(message);
    }
}
