package org.txcounter.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MI's cumulative rows become each month's own traffic. */
class MiHistoryTest {

    private static MiHistory.Row row(String date, String node, long count) {
        return new MiHistory.Row(LocalDate.parse(date), node, count);
    }

    private static ImportedMonth month(String month, String node, long raw, long count) {
        return new ImportedMonth(YearMonth.parse(month), node, "MI", raw, count, null);
    }

    @Test
    void aNodeIdThatRunsAcrossMonthsGetsTheDifferenceOfItsRowsAndARestartStartsAgain() {
        assertThat(MiHistory.attribute(List.of(
                row("2026-02-01", "a1", 2500), row("2026-01-01", "a1", 1000), row("2026-03-01", "a1", 2700),
                row("2026-03-09", "a2", 800), row("2026-04-01", "a2", 1800))))
                .containsExactly(
                        month("2026-01", "a1", 1000, 1000),
                        month("2026-02", "a1", 2500, 1500),
                        month("2026-03", "a1", 2700, 200),
                        month("2026-03", "a2", 800, 800),
                        month("2026-04", "a2", 1800, 1000));
    }

    @Test
    void severalRowsOfOneNodeIdInOneMonthCountAsTheirLatestCumulativeFigure() {
        assertThat(MiHistory.attribute(List.of(row("2026-01-01", "a1", 40), row("2026-01-20", "a1", 90),
                row("2026-02-01", "a1", 100)))).containsExactly(month("2026-01", "a1", 90, 90),
                month("2026-02", "a1", 100, 10));
    }

    @Test
    void aCountThatGoesDownIsRefusedNamingTheNodeAndTheMonths() {
        assertThatThrownBy(() -> MiHistory.attribute(List.of(row("2026-01-01", "a1", 500),
                row("2026-02-01", "a1", 400))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("MI's count for node a1 goes down from 500 in 2026-01 to 400 in 2026-02; MI's counts only "
                        + "grow while a node id runs. Correct or remove the rows first.");
    }
}
