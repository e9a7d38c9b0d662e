package org.txcounter.core;

import java.time.Instant;
import java.util.Objects;

/**
 * Where the counter's database stands, as the thread that talks to it last saw it: what readiness reports, read
 * without asking the database.
 *
 * @param state  the state
 * @param detail for an operator: why, with the values, and what to do; empty when {@link State#UP}
 * @param since  when the state began
 */
public record DatabaseStatus(State state, String detail, Instant since) {

    /** The states of the database as the counter sees it. */
    public enum State {
        /** Not reached yet since the start: the schema check and the node's registration are still to come. */
        CONNECTING,
        /** Reached: the schema is current, the node registered, and the latest call answered. */
        UP,
        /** The latest call failed (refused, closed, timed out, or an error from the database). */
        DOWN,
        /** The database answers but its schema is not the one this release needs. */
        SCHEMA_OUTDATED,
        /** A call has been waiting for the database's answer for longer than the counter allows. */
        NOT_ANSWERING
    }

    public DatabaseStatus {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(since, "since");
    }

    public boolean up() {
        return state == State.UP;
    }
}
