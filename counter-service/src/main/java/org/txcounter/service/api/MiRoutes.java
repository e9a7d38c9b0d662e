package org.txcounter.service.api;

import io.javalin.http.Context;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.ReportRow;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.store.ImportedMonth;
import org.txcounter.core.store.LedgerAnchor;
import org.txcounter.service.security.Principal;

/**
 * The MI-compatible aliases of the management API, answering as MI's own server did so that MI's {@code mi} and
 * {@code apictl} clients decode them: login and logout ({@code /management/login}, {@code /management/logout}), the
 * month's count and the report of {@code /management/transactions/...}, whose last path segment MI matched without
 * regard to case.
 *
 * <p>Thread-safe: it holds only the counter and the API's access (users, tokens, throttle), themselves thread-safe.
 */
final class MiRoutes {

    /** The prefix of MI's count and report. */
    static final String TRANSACTIONS = "/management/transactions/";
    /** The header row of MI's report, as MI's server sent it and {@code mi transaction report} writes it. */
    static final List<String> MI_REPORT_HEADER = List.of("TIME_STAMP", "NODE_ID", "TRANSACTION_COUNT",
            "TRANSACTION_COUNT_ENCRYPTED");
    private static final Logger LOG = LoggerFactory.getLogger(MiRoutes.class);

    private final TransactionCounter counter;
    private final ApiAccess access;

    MiRoutes(TransactionCounter counter, ApiAccess access) {
        this.counter = counter;
        this.access = access;
    }

    /** MI's login: HTTP Basic in, a bearer token out. */
    void miLogin(Context ctx) {
        Principal principal = Authentication.principal(ctx);
        String token = access.tokens().issue(principal);
        LOG.info("User {} logged in; token valid for {} s.", principal.name(), access.tokens().lifetime().toSeconds());
        ctx.json(Map.of("AccessToken", token));
    }

    /** MI's logout: ends the bearer token's session. */
    void miLogout(Context ctx) {
        Optional<String> token = Authentication.bearerToken(ctx);
        token.ifPresent(access.tokens()::revoke);
        ctx.json(Map.of("Message", token.isPresent() ? "Logout successful"
                : "No token to end: the request used Basic"));
    }

    /**
     * MI's count: {@code {"Year": 2026, "Month": 11, "TransactionCount": 1234}}. For the current month it includes
     * what this node counted and has not written yet, so the figure matches what MI showed.
     */
    void miCount(Context ctx) {
        YearMonth current = counter.currentMonth();
        YearMonth month = QueryParameters.yearAndMonth(ctx, current);
        long total = counter.count(month, TransactionCounter.API_READ_WAIT).total() + CountRoutes.importedTotal(
                Internals.imported(counter, month, month, TransactionCounter.API_READ_WAIT));
        if (month.equals(current)) {
            total += counter.unflushed().total();
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Year", month.getYear());
        body.put("Month", month.getMonthValue());
        body.put("TransactionCount", total);
        ctx.json(body);
    }

    /**
     * MI's report, strings only as MI's server answered and its Go clients decode it ({@code [][]string}):
     * {@code {"TransactionCountData": [["TIME_STAMP", "NODE_ID", "TRANSACTION_COUNT",
     * "TRANSACTION_COUNT_ENCRYPTED"], ["2026-10-01", "node-a", "1234", "ledger:seq=42:mac=..."], ...]}}. One row
     * per month and node from {@code start} to {@code end} (default: the current month), with what the database
     * holds, ordered by month and node.
     *
     * <p>The fourth column, MI's RSA ciphertext of the count, is here what lets the row be checked against the
     * ledger: {@code ledger:seq=N:mac=M}, the sequence number and MAC of the node's last ledger row in the month
     * ({@link org.txcounter.core.store.LedgerAnchor}); for a month imported from MI,
     * {@code imported-mi:mi_count=R:mac=M}, MI's own figure and the MAC of the imported row.
     */
    void miReport(Context ctx) {
        YearMonth start = QueryParameters.requiredYearMonth(ctx, "start");
        YearMonth end = QueryParameters.single(ctx, "end").isPresent()
                ? QueryParameters.requiredYearMonth(ctx, "end") : counter.currentMonth();
        QueryParameters.checkPeriod(start, end);
        Map<String, Long> counted = new TreeMap<>();
        for (ReportRow row : counter.report(start, end, TransactionCounter.API_READ_WAIT)) {
            counted.merge(row.month() + "|" + row.nodeId(), row.count(), Long::sum);
        }
        Map<String, String> anchors = new HashMap<>();
        for (LedgerAnchor anchor : Internals.anchors(counter, start, end, TransactionCounter.API_READ_WAIT)) {
            anchors.put(anchor.month() + "|" + anchor.nodeId(), "ledger:seq=" + anchor.seq()
                    + (anchor.mac() == null ? ":unsigned" : ":mac=" + anchor.mac()));
        }
        Map<String, List<String>> rows = new TreeMap<>();
        counted.forEach((key, count) -> {
            String[] monthAndNode = key.split("\\|", 2);
            rows.put(key + "|counted", List.of(monthAndNode[0] + "-01", monthAndNode[1], Long.toString(count),
                    anchors.getOrDefault(key, "ledger:missing")));
        });
        for (ImportedMonth month : Internals.imported(counter, start, end, TransactionCounter.API_READ_WAIT)) {
            rows.put(month.month() + "|" + month.nodeId() + "|imported", List.of(month.month() + "-01",
                    month.nodeId(), Long.toString(month.count()), "imported-mi:mi_count=" + month.rawCount()
                            + ":mac=" + month.mac()));
        }
        List<List<String>> data = new ArrayList<>(rows.size() + 1);
        data.add(MI_REPORT_HEADER);
        data.addAll(rows.values());
        ctx.json(Map.of("TransactionCountData", data));
    }

    /** MI's count or report whatever the case of the last path segment, as MI matched them; else 404. */
    void miTransactions(Context ctx) {
        String kind = ctx.pathParam("kind");
        if (kind.equalsIgnoreCase("count")) {
            miCount(ctx);
        } else if (kind.equalsIgnoreCase("report")) {
            miReport(ctx);
        } else {
            throw new ApiException(404, "not_found", null, "No such endpoint: " + QueryParameters.echo(ctx.path())
                    + ". The endpoints are described in /openapi.json.");
        }
    }
}
