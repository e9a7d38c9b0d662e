package org.txcounter.core.store;

import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * WSO2 Micro Integrator's own counter history, its {@code CURRENT_STATS} table, turned into the traffic of each
 * month.
 *
 * <p>MI's table is {@code CURRENT_STATS (TIME_STAMP DATE, NODE_ID VARCHAR(40), TRANSACTION_COUNT INT,
 * TRANSACTION_COUNT_ENCRYPTED VARCHAR(400))}, one row per month and node id. MI's in-memory count never reset
 * at a month change, so a node id's row for a month holds everything that node id counted since it started, and
 * MI took a new random node id at every restart. The traffic of a month on one node id is therefore its row
 * minus its row of the month before (the first month of a node id is all its own); MI's sum of the rows counts
 * every earlier month of a running node again.
 *
 * <pre>{@code
 * List<ImportedMonth> months = MiHistory.attribute(MiHistory.read(connection));
 * }</pre>
 *
 * <p>Stateless; thread-safe.
 */
public final class MiHistory {

    /** What imported rows are marked with in {@code txn_imported.source}. */
    public static final String SOURCE = "MI";

    private MiHistory() {
    }

    /** One row of {@code CURRENT_STATS}. */
    public record Row(LocalDate timeStamp, String nodeId, long count) {
    }

    /** Reads every row of MI's {@code CURRENT_STATS} table through {@code connection}. */
    public static List<Row> read(Connection connection) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT TIME_STAMP, NODE_ID, TRANSACTION_COUNT FROM CURRENT_STATS")) {
            query.setQueryTimeout(300);
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    Date date = rs.getDate(1);
                    rows.add(new Row(date.toLocalDate(), rs.getString(2).strip(), rs.getLong(3)));
                }
            }
        }
        return rows;
    }

    /**
     * The traffic of each month and node id: the node id's count for the month minus its count for its previous
     * month. Several rows of one node id in one month (MI wrote one; a hand-edited table may have more) count as
     * their highest, the latest cumulative figure.
     *
     * @return one entry per month and node id, ordered by month and node id
     * @throws IllegalArgumentException when a node id's count goes down from one month to a later one, or is
     *                                  negative: MI's counts only grow, so the table was changed by hand
     */
    public static List<ImportedMonth> attribute(List<Row> rows) {
        Map<String, TreeMap<YearMonth, Long>> byNode = new TreeMap<>();
        for (Row row : rows) {
            if (row.count() < 0) {
                throw new IllegalArgumentException("MI's row for node " + row.nodeId() + " on " + row.timeStamp()
                        + " has a negative count, " + row.count() + "; MI never writes one. Correct the row first.");
            }
            byNode.computeIfAbsent(row.nodeId(), node -> new TreeMap<>())
                    .merge(YearMonth.from(row.timeStamp()), row.count(), Math::max);
        }
        List<ImportedMonth> months = new ArrayList<>();
        for (Map.Entry<String, TreeMap<YearMonth, Long>> node : byNode.entrySet()) {
            long before = 0;
            YearMonth previous = null;
            for (Map.Entry<YearMonth, Long> month : node.getValue().entrySet()) {
                long raw = month.getValue();
                if (raw < before) {
                    throw new IllegalArgumentException("MI's count for node " + node.getKey() + " goes down from "
                            + before + " in " + previous + " to " + raw + " in " + month.getKey() + "; MI's counts "
                            + "only grow while a node id runs. Correct or remove the rows first.");
                }
                months.add(new ImportedMonth(month.getKey(), node.getKey(), SOURCE, raw, raw - before, null));
                before = raw;
                previous = month.getKey();
            }
        }
        months.sort((a, b) -> a.month().equals(b.month()) ? a.nodeId().compareTo(b.nodeId())
                : a.month().compareTo(b.month()));
        return months;
    }
}
