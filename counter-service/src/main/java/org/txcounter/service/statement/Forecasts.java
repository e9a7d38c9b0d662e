package org.txcounter.service.statement;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.txcounter.core.forecast.MonthForecast;
import org.txcounter.core.store.CounterStore;

/**
 * The forecast of a month's total at its end ({@link MonthForecast}) from the month's daily totals as stored (the
 * ones the dashboard charts), plus what this node has counted and not yet written. A month's projection is
 * computed at most once a minute.
 *
 * <p>Thread-safe: the cache is one atomic reference.
 */
public final class Forecasts {

    private static final Duration CACHE = Duration.ofMinutes(1);

    private final CounterStore store;
    private final ZoneId zone;
    private final Clock clock;
    private final Supplier<Long> unflushed;
    private final AtomicReference<Cached> cached = new AtomicReference<>();

    private record Cached(YearMonth month, Instant computedAt, MonthForecast.Projection projection) {
    }

    /** @param unflushed what this node counted that the store does not have yet */
    public Forecasts(CounterStore store, ZoneId zone, Clock clock, Supplier<Long> unflushed) {
        this.store = store;
        this.zone = zone;
        this.clock = clock;
        this.unflushed = unflushed;
    }

    /** The projection of {@code month} now. */
    public MonthForecast.Projection project(YearMonth month) {
        Instant now = clock.instant();
        Cached last = cached.get();
        if (last != null && last.month().equals(month) && !now.isBefore(last.computedAt())
                && now.isBefore(last.computedAt().plus(CACHE))) {
            return last.projection();
        }
        Map<LocalDate, Long> daily = new TreeMap<>();
        store.daily(month, zone).forEach(day -> daily.merge(day.day(), day.count(), Long::sum));
        if (YearMonth.from(now.atZone(zone)).equals(month)) {
            daily.merge(now.atZone(zone).toLocalDate(), unflushed.get(), Long::sum);
        }
        MonthForecast.Projection projection = MonthForecast.project(month, zone, now, daily);
        cached.set(new Cached(month, now, projection));
        return projection;
    }
}
