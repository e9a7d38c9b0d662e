package org.txcounter.core.store;

/**
 * The store could not do what was asked; the message says what, with the values, and what to check.
 *
 * <p>This class itself means the database could not be used (unreachable, refused, timed out): the work is kept and
 * retried. The subclasses are problems that retrying does not fix, each with its own type so that the flusher, the
 * readiness check, the API and the CLI can name it: {@link NodeConflictException}, {@link SequenceGapException}
 * and {@link SchemaMismatchException}.
 *
 * <p>Created and thrown on one thread; carries only values fixed at construction.
 */
public class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether this is the database being unavailable, which passes by itself, rather than a problem to fix. */
    public boolean outage() {
        return true;
    }

    /** Another runtime writes under this node's id: the database holds a different interval with the same seq. */
    public static final class NodeConflictException extends StoreException {
        private static final long serialVersionUID = 1L;

        public NodeConflictException(String message) {
            super(message);
        }

        @Override
        public boolean outage() {
            return false;
        }
    }

    /** The database lacks intervals of this node before the one being written, or the node itself. */
    public static final class SequenceGapException extends StoreException {
        private static final long serialVersionUID = 1L;

        public SequenceGapException(String message) {
            super(message);
        }

        @Override
        public boolean outage() {
            return false;
        }
    }

    /** The schema is missing or not the version this release needs. */
    public static final class SchemaMismatchException extends StoreException {
        private static final long serialVersionUID = 1L;

        public SchemaMismatchException(String message) {
            super(message);
        }

        @Override
        public boolean outage() {
            return false;
        }
    }
}
