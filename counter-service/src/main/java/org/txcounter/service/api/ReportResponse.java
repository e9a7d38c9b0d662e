package org.txcounter.service.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The JSON body of {@code GET /transaction/report}: one row per month, node and transport counted here, and the
 * months imported from MI's counter, if any.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 *
 * @param total    what was counted here in the period
 * @param imported the totals imported from MI for the period; absent when there are none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ReportResponse(String start, String end, String timeZone, long total, List<Row> rows, Imported imported) {

    record Row(String month, String nodeId, String transport, long count) {
    }

    /**
     * Monthly totals imported from MI ({@code import-mi}), not counted here.
     *
     * @param total   the traffic of those months: what is billed
     * @param miTotal what MI's own rows added up to, each running node id's earlier months counted again
     */
    record Imported(String source, long total, long miTotal, List<ImportedRow> rows) {
    }

    /** One imported month of one MI node id: MI's figure and the month's own traffic. */
    record ImportedRow(String month, String nodeId, long miCount, long count) {
    }
}
