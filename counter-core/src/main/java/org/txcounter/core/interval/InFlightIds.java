package org.txcounter.core.interval;

import java.util.Arrays;

/**
 * The 64-bit fingerprints of the JMS message ids that a node counted and has not seen completed, as the journal
 * keeps them. Immutable; safe to share between threads.
 */
public final class InFlightIds {

    /** No message in flight. */
    public static final InFlightIds NONE = new InFlightIds(new long[0]);

    private final long[] fingerprints;

    private InFlightIds(long[] fingerprints) {
        this.fingerprints = fingerprints;
    }

    /** The given fingerprints, copied. */
    public static InFlightIds of(long... fingerprints) {
        return fingerprints.length == 0 ? NONE : new InFlightIds(fingerprints.clone());
    }

    public int size() {
        return fingerprints.length;
    }

    /** The fingerprint at {@code index}, from 0 to {@link #size()} - 1. */
    public long get(int index) {
        return fingerprints[index];
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof InFlightIds that && Arrays.equals(fingerprints, that.fingerprints);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(fingerprints);
    }

    @Override
    public String toString() {
        return fingerprints.length + " in-flight message id(s)";
    }
}
