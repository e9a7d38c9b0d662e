package org.txcounter.service.api;

import io.javalin.http.Context;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.ledger.LedgerCheck;
import org.txcounter.core.ledger.LedgerFinding;
import org.txcounter.core.ledger.VerifyCheckpoint;
import org.txcounter.core.store.ImportedMonth;

/**
 * The ledger check of the management API: of the whole ledger or some months ({@code /transaction/verify}), of what
 * came after a checkpoint ({@code /transaction/verify/resume}), and the result of the last check this service ran
 * ({@code /transaction/verify/last}).
 *
 * <p>Thread-safe: the last check is one immutable map behind a volatile reference; checks run on Jetty's threads.
 */
final class LedgerRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerRoutes.class);

    private final TransactionCounter counter;
    private volatile Map<String, Object> lastVerify = Map.of("ran", false);

    LedgerRoutes(TransactionCounter counter) {
        this.counter = counter;
    }

    /**
     * The ledger check: every chain and every monthly rollup, or with {@code from} (and {@code to}, else the same
     * month) only the rows and rollups of those months. A clean check of the whole ledger answers a checkpoint that
     * {@code /transaction/verify/resume} continues from. Remembered for {@code /transaction/verify/last}.
     */
    void verify(Context ctx) {
        boolean scoped = ctx.queryParamMap().containsKey("from") || ctx.queryParamMap().containsKey("to");
        if (!scoped) {
            check(ctx, "whole ledger", () -> Internals.checkLedger(counter, null, null, null));
            return;
        }
        YearMonth from = QueryParameters.requiredYearMonth(ctx, "from");
        YearMonth to = ctx.queryParamMap().containsKey("to") ? QueryParameters.requiredYearMonth(ctx, "to") : from;
        if (to.isBefore(from)) {
            throw ApiException.invalid("to", "to must not be before from. Found: from=" + from + ", to=" + to);
        }
        check(ctx, from.equals(to) ? from.toString() : from + " to " + to,
                () -> Internals.checkLedger(counter, from, to, null));
    }

    /**
     * The ledger check of what was written since the checkpoint in the request body (as an earlier clean check
     * answered it): only the rows after it, and every rollup against the checkpoint's sums plus those rows.
     */
    void verifyResume(Context ctx) {
        String text = ctx.body();
        if (text.isBlank()) {
            throw ApiException.invalid("checkpoint", "The request body must be the checkpoint an earlier clean check "
                    + "answered (its \"checkpoint\" field, as text); it is empty");
        }
        VerifyCheckpoint since;
        try {
            since = VerifyCheckpoint.decode(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("checkpoint", "The checkpoint cannot be read: " + e.getMessage());
        }
        check(ctx, "since the checkpoint of " + since.takenAt(), () -> {
            try {
                return Internals.checkLedger(counter, null, null, since);
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("checkpoint", "The checkpoint was refused: " + e.getMessage());
            }
        });
    }

    private void check(Context ctx, String scope, Supplier<LedgerCheck> run) {
        Instant started = counter.now();
        long startedNanos = System.nanoTime();
        LedgerCheck check = run.get();
        List<Map<String, Object>> out = new ArrayList<>();
        for (LedgerFinding finding : check.findings()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("kind", finding.kind().name());
            entry.put("nodeId", finding.nodeId());
            entry.put("seq", finding.seq() < 0 ? null : finding.seq());
            entry.put("transport", finding.transport());
            entry.put("detail", finding.detail());
            out.add(entry);
        }
        List<Map<String, Object>> imported = new ArrayList<>();
        for (ImportedMonth month : Internals.imported(counter, YearMonth.of(1, 1), YearMonth.of(9999, 12),
                TransactionCounter.API_READ_WAIT)) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("source", month.source());
            entry.put("month", month.month().toString());
            entry.put("nodeId", month.nodeId());
            entry.put("miCount", month.rawCount());
            entry.put("count", month.count());
            imported.add(entry);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("valid", check.findings().isEmpty());
        body.put("scope", scope);
        body.put("rowsRead", check.rowsRead());
        body.put("findings", out);
        body.put("imported", imported);
        body.put("checkpoint", check.checkpoint().map(VerifyCheckpoint::encode).orElse(null));
        ctx.json(body);
        Map<String, Object> last = new LinkedHashMap<>();
        last.put("ran", true);
        last.put("checkedAt", started.toString());
        last.put("checkedBy", Authentication.principal(ctx).name());
        last.put("durationMillis", (System.nanoTime() - startedNanos) / 1_000_000);
        last.putAll(body);
        last.remove("checkpoint");
        lastVerify = Collections.unmodifiableMap(last);
        LOG.info("Ledger check ({}) run by {}: {} row(s) read, {} finding(s).", scope,
                Authentication.principal(ctx).name(), check.rowsRead(), check.findings().size());
    }

    /**
     * The result of the last ledger check this service ran, when and by whom; {@code "ran": false} before the
     * first one since the start.
     */
    void lastVerify(Context ctx) {
        ctx.json(lastVerify);
    }
}
