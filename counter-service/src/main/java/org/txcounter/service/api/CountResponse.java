package org.txcounter.service.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * The body of {@code GET /transaction/count}.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 *
 * @param total       what the database holds for the month, all nodes
 * @param byTransport that total per transport
 * @param nodes       how many nodes wrote counts for the month, and for the current month also those reporting
 *                    idle intervals (the nodes {@code /transaction/nodes} calls reporting)
 * @param unflushed   what this node counted and has not written yet; present only for the current month, and
 *                    not on a reporting instance (it counts nothing)
 * @param forecast    the projected total at the month's end; present only for the current month
 * @param imported    the month's total imported from MI's counter ({@code import-mi}), not in {@code total};
 *                    present only when there is one
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record CountResponse(int year, int month, String timeZone, long total, Map<String, Long> byTransport, int nodes,
        Unflushed unflushed, Forecast forecast, Long imported) {

    record Unflushed(String nodeId, long total, Map<String, Long> byTransport) {
    }

    record Forecast(String model, long projectedTotal, String asOf) {
    }
}
