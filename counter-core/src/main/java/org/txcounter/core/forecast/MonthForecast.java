package org.txcounter.core.forecast;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Projects a billing month's total at its end from the month's own traffic so far.
 *
 * <p>Model: <em>day-type means</em>. Integration traffic follows the working week: weekdays carry the business
 * processes, weekends a much smaller, steadier load, and within one month there is little trend. So every complete
 * day of the month so far is put in one of two groups, Monday to Friday or Saturday and Sunday, and each remaining
 * day is expected to bring its group's mean (from five days on without the group's lowest and highest day, so that
 * one holiday or burst does not move the whole month). The day in progress brings what it counted so far plus its
 * group's mean for the rest of the day. A group with no complete day yet borrows the other group's mean; before the
 * first complete day the day in progress is extrapolated over the month. A straight line through the running total
 * would instead be biased by the month's mix of weekdays and weekends so far (a month that starts on a Saturday would
 * be projected low all of its first week); the day-type means need no history from earlier months and are easy to
 * explain to finance.
 *
 * <p>Stateless and thread-safe.
 */
public final class MonthForecast {

    /** The model's name, as it appears in the API and on statements. */
    public static final String MODEL = "day-type-mean (weekday/weekend)";

    private MonthForecast() {
    }

    /**
     * What the model projects.
     *
     * @param countedSoFar     the month's transactions up to {@code asOf}
     * @param projectedTotal   the projected total at the month's end
     * @param weekdaysObserved complete weekdays the projection learned from
     * @param weekendObserved  complete weekend days it learned from
     * @param weekdayMean      mean transactions of a complete weekday (0 without one)
     * @param weekendMean      mean transactions of a complete weekend day (0 without one)
     */
    public record Projection(Instant asOf, long countedSoFar, long projectedTotal, int weekdaysObserved,
            int weekendObserved, long weekdayMean, long weekendMean) {
    }

    /**
     * Projects {@code month} as of {@code now}.
     *
     * @param dailyTotals transactions per day of the month in {@code zone}, the day in progress included
     */
    public static Projection project(YearMonth month, ZoneId zone, Instant now, Map<LocalDate, Long> dailyTotals) {
        long counted = 0;
        for (Map.Entry<LocalDate, Long> day : dailyTotals.entrySet()) {
            if (YearMonth.from(day.getKey()).equals(month)) {
                counted += day.getValue();
            }
        }
        Instant monthStart = month.atDay(1).atStartOfDay(zone).toInstant();
        Instant monthEnd = month.plusMonths(1).atDay(1).atStartOfDay(zone).toInstant();
        if (!now.isBefore(monthEnd)) {
            return new Projection(now, counted, counted, 0, 0, 0, 0);
        }
        if (now.isBefore(monthStart)) {
            return new Projection(now, 0, 0, 0, 0, 0, 0);
        }
        LocalDate today = now.atZone(zone).toLocalDate();
        List<Long> weekdayTotals = new ArrayList<>();
        List<Long> weekendTotals = new ArrayList<>();
        for (LocalDate day = month.atDay(1); day.isBefore(today); day = day.plusDays(1)) {
            (weekend(day) ? weekendTotals : weekdayTotals).add(dailyTotals.getOrDefault(day, 0L));
        }
        int weekdays = weekdayTotals.size();
        int weekends = weekendTotals.size();
        ZonedDateTime dayStart = today.atStartOfDay(zone);
        double dayLength = Duration.between(dayStart, today.plusDays(1).atStartOfDay(zone)).toMillis();
        double elapsed = Math.min(1.0, Duration.between(dayStart.toInstant(), now).toMillis() / dayLength);
        long todaySoFar = dailyTotals.getOrDefault(today, 0L);
        if (weekdays + weekends == 0) {
            if (elapsed <= 0) {
                return new Projection(now, counted, counted, 0, 0, 0, 0);
            }
            double perDay = todaySoFar / elapsed;
            long projected = Math.round(perDay * month.lengthOfMonth());
            return new Projection(now, counted, Math.max(counted, projected), 0, 0, 0, 0);
        }
        double weekdayMean = weekdays > 0 ? trimmedMean(weekdayTotals) : trimmedMean(weekendTotals);
        double weekendMean = weekends > 0 ? trimmedMean(weekendTotals) : weekdayMean;
        double projected = counted + (weekend(today) ? weekendMean : weekdayMean) * (1.0 - elapsed);
        for (LocalDate day = today.plusDays(1); !day.isAfter(month.atEndOfMonth()); day = day.plusDays(1)) {
            projected += weekend(day) ? weekendMean : weekdayMean;
        }
        return new Projection(now, counted, Math.max(counted, Math.round(projected)), weekdays, weekends,
                weekdays > 0 ? Math.round(weekdayMean) : 0, weekends > 0 ? Math.round(weekendMean) : 0);
    }

    /**
     * The mean, without the lowest and the highest day once there are five or more: one holiday or one burst among
     * the first days would otherwise move the whole month's projection.
     */
    private static double trimmedMean(List<Long> totals) {
        List<Long> sorted = new ArrayList<>(totals);
        Collections.sort(sorted);
        if (sorted.size() >= 5) {
            sorted = sorted.subList(1, sorted.size() - 1);
        }
        long sum = 0;
        for (long total : sorted) {
            sum += total;
        }
        return (double) sum / sorted.size();
    }

    private static boolean weekend(LocalDate day) {
        return day.getDayOfWeek() == DayOfWeek.SATURDAY || day.getDayOfWeek() == DayOfWeek.SUNDAY;
    }
}
