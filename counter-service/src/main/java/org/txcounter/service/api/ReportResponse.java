package org.txcounter.service.api;

import java.util.List;

/** The JSON body of {@code GET /transaction/report}: one row per month, node and transport. */
record ReportResponse(String start, String end, String timeZone, long total, List<Row> rows) {

    record Row(String month, String nodeId, String transport, long count) {
    }
}
