package org.txcounter.core.store;

import java.time.YearMonth;

/**
 * A month was to be closed that is closed already; its statement stays as it was issued.
 *
 * <p>Created and thrown on one thread; carries only values fixed at construction.
 */
public final class MonthAlreadyClosedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient MonthClosure closure;

    public MonthAlreadyClosedException(YearMonth month, MonthClosure closure) {
        super("Month " + month + " was already closed at " + closure.closedAt() + " by " + closure.closedBy()
                + "; a closed month never changes. Download its statement instead.");
        this.closure = closure;
    }

    /** The close that happened first. */
    public MonthClosure closure() {
        return closure;
    }
}
