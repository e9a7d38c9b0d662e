package org.txcounter.service.cli;

/** A command that cannot complete, with the message for the operator. */
final class CliException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    CliException(String message) {
        super(message);
    }
}
