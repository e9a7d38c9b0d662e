package org.txcounter.service.logging;

import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;

/**
 * A budget of lines per second for one kind of log line that outside callers can cause (an unauthenticated request,
 * a failed login): lines over the budget are dropped and counted, the next line that fits says how many were
 * dropped before it, and {@link #droppedTotal()} sums what every budget dropped (the metric
 * {@code txn_log_lines_dropped_total}). Every field such a line carries is cut to a fixed length
 * ({@link #bounded}), so a budget of {@code n} lines a second bounds the bytes a second too.
 *
 * <p>Thread-safe: one short lock per line decides; the line is written outside it.
 */
public final class LogBudget {

    private static final LongAdder DROPPED_TOTAL = new LongAdder();

    private final int perSecond;
    private long second = Long.MIN_VALUE;
    private int used;
    private long dropped;

    public LogBudget(int perSecond) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("perSecond must be >= 1. Found: " + perSecond);
        }
        this.perSecond = perSecond;
    }

    public int perSecond() {
        return perSecond;
    }

    /** Lines dropped by every budget of this process since the start. */
    public static long droppedTotal() {
        return DROPPED_TOTAL.sum();
    }

    /**
     * {@code value} cut to {@code max} characters, with how many were cut: {@code "GETGETGET...(+7800 chars)"};
     * {@code null} as {@code "-"}.
     */
    public static String bounded(String value, int max) {
        if (value == null) {
            return "-";
        }
        if (value.length() <= max) {
            return value;
        }
        return value.substring(0, max) + "...(+" + (value.length() - max) + " chars)";
    }

    public void info(Logger log, String format, Object... arguments) {
        long droppedBefore = take();
        if (droppedBefore >= 0) {
            log.info(withDropped(format, droppedBefore), arguments);
        }
    }

    public void warn(Logger log, String format, Object... arguments) {
        long droppedBefore = take();
        if (droppedBefore >= 0) {
            log.warn(withDropped(format, droppedBefore), arguments);
        }
    }

    /**
     * Whether one more line fits this second; a line that does not is counted as dropped. For a caller that
     * writes the line itself (a logback filter).
     */
    public boolean admit() {
        return take() >= 0;
    }

    /** -1 when the line does not fit; otherwise how many were dropped since the last line that fitted. */
    private long take() {
        long now = System.nanoTime() / 1_000_000_000L;
        synchronized (this) {
            if (now != second) {
                second = now;
                used = 0;
            }
            if (used < perSecond) {
                used++;
                long before = dropped;
                dropped = 0;
                return before;
            }
            dropped++;
        }
        DROPPED_TOTAL.increment();
        return -1;
    }

    private static String withDropped(String format, long dropped) {
        return dropped == 0 ? format : format + " [" + dropped + " similar line(s) over the log budget dropped before "
                + "this one]";
    }
}
