package org.txcounter.core.interval;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class IntervalScheduleTest {

    @Test
    void boundariesFallOnWholeIntervalsInUtc() {
        IntervalSchedule schedule = new IntervalSchedule(Duration.ofMinutes(15), ZoneOffset.UTC);
        Instant t = Instant.parse("2026-11-24T10:07:31.250Z");

        assertThat(schedule.startOf(t)).isEqualTo(Instant.parse("2026-11-24T10:00:00Z"));
        assertThat(schedule.endOf(t)).isEqualTo(Instant.parse("2026-11-24T10:15:00Z"));
    }

    @Test
    void anInstantOnABoundaryOpensTheNextInterval() {
        IntervalSchedule schedule = new IntervalSchedule(Duration.ofMinutes(1), ZoneOffset.UTC);
        Instant boundary = Instant.parse("2026-11-24T10:08:00Z");

        assertThat(schedule.startOf(boundary)).isEqualTo(boundary);
        assertThat(schedule.endOf(boundary)).isEqualTo(Instant.parse("2026-11-24T10:09:00Z"));
    }

    @Test
    void aMonthStartInTheBillingZoneCutsAnInterval() {
        // Kolkata is UTC+05:30: December begins at 2026-11-30T18:30Z, inside the 18:00-19:00 UTC hour.
        IntervalSchedule schedule = new IntervalSchedule(Duration.ofMinutes(60), ZoneId.of("Asia/Kolkata"));
        Instant beforeMonthEnd = Instant.parse("2026-11-30T18:10:00Z");
        Instant afterMonthStart = Instant.parse("2026-11-30T18:40:00Z");

        assertThat(schedule.endOf(beforeMonthEnd)).isEqualTo(Instant.parse("2026-11-30T18:30:00Z"));
        assertThat(schedule.billingMonth(beforeMonthEnd)).isEqualTo(YearMonth.of(2026, 11));
        assertThat(schedule.startOf(afterMonthStart)).isEqualTo(Instant.parse("2026-11-30T18:30:00Z"));
        assertThat(schedule.endOf(afterMonthStart)).isEqualTo(Instant.parse("2026-11-30T19:00:00Z"));
        assertThat(schedule.billingMonth(afterMonthStart)).isEqualTo(YearMonth.of(2026, 12));
    }

    @Test
    void theLastIntervalOfTheYearEndsAtNewYear() {
        IntervalSchedule schedule = new IntervalSchedule(Duration.ofMinutes(7), ZoneOffset.UTC);
        Instant lateOnNewYearsEve = Instant.parse("2026-12-31T23:58:00Z");

        assertThat(schedule.endOf(lateOnNewYearsEve)).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(schedule.billingMonth(schedule.endOf(lateOnNewYearsEve))).isEqualTo(YearMonth.of(2027, 1));
    }
}
