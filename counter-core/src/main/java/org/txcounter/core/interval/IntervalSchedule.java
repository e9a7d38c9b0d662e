package org.txcounter.core.interval;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Objects;

/**
 * Where intervals begin and end. Boundaries fall on multiples of the update interval counted from the epoch
 * in UTC (so every node of a deployment closes its intervals at the same instants), and additionally at every
 * start of a month in the billing zone, so that no interval spans two billing months.
 *
 * <p>Immutable and thread-safe.
 */
public final class IntervalSchedule {

    private final long intervalMillis;
    private final ZoneId billingZone;

    public IntervalSchedule(Duration interval, ZoneId billingZone) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive. Found: " + interval);
        }
        this.intervalMillis = interval.toMillis();
        this.billingZone = Objects.requireNonNull(billingZone, "billingZone");
    }

    /** The start of the interval that contains {@code instant}. */
    public Instant startOf(Instant instant) {
        Instant aligned = Instant.ofEpochMilli(Math.floorDiv(instant.toEpochMilli(), intervalMillis) * intervalMillis);
        Instant monthStart = monthStart(billingMonth(instant));
        return aligned.isBefore(monthStart) ? monthStart : aligned;
    }

    /** The end (exclusive) of the interval that contains {@code instant}: the next boundary after it. */
    public Instant endOf(Instant instant) {
        Instant aligned = Instant.ofEpochMilli(
                (Math.floorDiv(instant.toEpochMilli(), intervalMillis) + 1) * intervalMillis);
        Instant nextMonth = monthStart(billingMonth(instant).plusMonths(1));
        return aligned.isAfter(nextMonth) ? nextMonth : aligned;
    }

    /** The billing month that {@code instant} falls in. */
    public YearMonth billingMonth(Instant instant) {
        return YearMonth.from(instant.atZone(billingZone));
    }

    public ZoneId billingZone() {
        return billingZone;
    }

    private Instant monthStart(YearMonth month) {
        return month.atDay(1).atStartOfDay(billingZone).toInstant();
    }
}
