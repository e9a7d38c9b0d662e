package org.txcounter.service.security;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The gate in front of the slow password hash: at most {@link #running()} checks run at once, at most
 * {@link #waiting()} more wait for their turn, and any further one is refused at once ({@link Busy}, answered 429)
 * instead of queueing. On a two-core machine one check runs at a time, so however many wrong logins arrive, from
 * however many addresses, one core stays free for the reads, the journal and the store; a check takes a few hundred
 * milliseconds, so the waiting line is a few seconds long at most.
 *
 * <p>Thread-safe: any number of request threads call {@link #check}.
 */
public final class PasswordChecks {

    private final int running;
    private final int waiting;
    private final Semaphore turns;
    private final AtomicInteger admitted = new AtomicInteger();

    /** Half the processors (at least one) at once, eight more waiting per running check. */
    public static PasswordChecks forThisMachine() {
        int running = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        return new PasswordChecks(running, 8 * running);
    }

    public PasswordChecks(int running, int waiting) {
        if (running < 1 || waiting < 0) {
            throw new IllegalArgumentException("running must be >= 1 and waiting >= 0. Found: " + running + ", "
                    + waiting);
        }
        this.running = running;
        this.waiting = waiting;
        this.turns = new Semaphore(running, true);
    }

    /**
     * Runs {@code check} when its turn comes and returns its result.
     *
     * @throws Busy when {@link #running()} checks run and {@link #waiting()} wait already
     */
    public boolean check(BooleanSupplier check) {
        if (admitted.incrementAndGet() > running + waiting) {
            admitted.decrementAndGet();
            throw new Busy(running, waiting);
        }
        try {
            turns.acquireUninterruptibly();
            try {
                return check.getAsBoolean();
            } finally {
                turns.release();
            }
        } finally {
            admitted.decrementAndGet();
        }
    }

    public int running() {
        return running;
    }

    public int waiting() {
        return waiting;
    }

    /** How many checks run or wait now. */
    int inLine() {
        return admitted.get();
    }

    /** The line of password checks is full: the client should try again in a second. */
    public static final class Busy extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Busy(int running, int waiting) {
            super(running + " password check(s) running and " + waiting + " waiting", null, false, false);
        }
    }
}
