package org.txcounter.service.cli;

/**
 * A command that cannot complete, with the message for the operator and the exit status: 1 when it failed, 2 when
 * it was used wrongly ({@link #usage}).
 *
 * <p>Created and thrown on one thread; carries only values fixed at construction.
 */
final class CliException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int exitCode;

    CliException(String message) {
        this(message, 1);
    }

    private CliException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    /** Wrong usage: a bad option value, or something the command needs that was not given. Exit status 2. */
    static CliException usage(String message) {
        return new CliException(message, 2);
    }

    int exitCode() {
        return exitCode;
    }
}
