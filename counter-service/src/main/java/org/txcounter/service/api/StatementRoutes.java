package org.txcounter.service.api;

import io.javalin.http.Context;
import io.javalin.http.Header;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.forecast.MonthForecast;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.store.MonthClosure;
import org.txcounter.service.security.Principal;
import org.txcounter.service.statement.Billing;
import org.txcounter.service.statement.MonthCloser;
import org.txcounter.service.statement.QuotaMonitor;
import org.txcounter.service.statement.StatementFormats;
import org.txcounter.service.statement.StatementKey;

/**
 * The month-end routes: closed months and their statements (JSON, CSV, PDF), the statements' public key, whether a
 * month may close, closing it, the licence quota and the forecast. Every answer is plain JSON (or the statement's
 * file), made for operators' scripts and the dashboard alike.
 *
 * <p>Thread-safe: it holds no state of its own.
 */
final class StatementRoutes {

    private final TransactionCounter counter;
    private final Billing billing;

    StatementRoutes(TransactionCounter counter, Billing billing) {
        this.counter = counter;
        this.billing = billing;
    }

    /** {@code GET /transaction/statements}: every closed month, and where the current and previous month stand. */
    void list(Context ctx) {
        List<Map<String, Object>> closed = new ArrayList<>();
        for (MonthClosure closure : Internals.store(counter).closures()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("month", closure.month().toString());
            entry.put("closedAt", closure.closedAt().toString());
            entry.put("closedBy", closure.closedBy());
            entry.put("json", "/transaction/statement?month=" + closure.month());
            entry.put("csv", "/transaction/statement?month=" + closure.month() + "&format=csv");
            entry.put("pdf", "/transaction/statement?month=" + closure.month() + "&format=pdf");
            closed.add(entry);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("deployment", billing.deployment());
        body.put("timeZone", counter.billingZone().getId());
        body.put("publicKey", StatementKey.fingerprint(billing.closer().key().publicKey()));
        body.put("statements", closed);
        body.put("previousMonth", readiness(billing.closer().readiness(billing.currentMonth().minusMonths(1))));
        ctx.json(body);
    }

    /** {@code GET /transaction/statement?month=YYYY-MM[&format=json|csv|pdf]}: the signed statement as a download. */
    void download(Context ctx) {
        YearMonth month = QueryParameters.requiredYearMonth(ctx, "month");
        String format = QueryParameters.single(ctx, "format").map(f -> f.toLowerCase(Locale.ROOT)).orElse("json");
        if (!format.equals("json") && !format.equals("csv") && !format.equals("pdf")) {
            throw ApiException.invalid("format", "format must be json, csv or pdf. Found: "
                    + QueryParameters.echo(format));
        }
        MonthClosure closure = Internals.store(counter).closure(month).orElseThrow(() -> new ApiException(404,
                "not_closed", "month", "Month " + month + " is not closed, so it has no statement yet. See "
                + "/transaction/close-status?month=" + month + " for when it can close."));
        ctx.header(Header.CONTENT_DISPOSITION, "attachment; filename=\""
                + StatementFormats.fileName(billing.deployment(), month.toString(), format) + "\"");
        switch (format) {
            case "csv" -> ctx.contentType("text/csv; charset=utf-8").result(StatementFormats.csv(closure.statement()));
            case "pdf" -> ctx.contentType("application/pdf").result(StatementFormats.pdf(closure.statement()));
            default -> ctx.contentType("application/json").result(closure.statement());
        }
    }

    /** {@code GET /transaction/statements/public-key}: the PEM public key statements verify with. */
    void publicKey(Context ctx) {
        ctx.header(Header.CONTENT_DISPOSITION, "attachment; filename=\"statement-public-key-"
                + billing.deployment() + ".pem\"");
        ctx.contentType("application/x-pem-file").result(billing.closer().key().publicKeyPem());
    }

    /** {@code GET /transaction/close-status?month=YYYY-MM}: whether the month may close, and what it waits for. */
    void closeStatus(Context ctx) {
        ctx.json(readiness(billing.closer().readiness(QueryParameters.requiredYearMonth(ctx, "month"))));
    }

    /** {@code POST /transaction/close-month?month=YYYY-MM} (admin): closes the month now; 409 when it may not. */
    void closeMonth(Context ctx) {
        YearMonth month = QueryParameters.requiredYearMonth(ctx, "month");
        Principal principal = Authentication.principal(ctx);
        MonthClosure closure = billing.closer().close(month, principal.name());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("month", month.toString());
        body.put("closedAt", closure.closedAt().toString());
        body.put("closedBy", closure.closedBy());
        body.put("statement", "/transaction/statement?month=" + month);
        ctx.status(201).json(body);
    }

    /** {@code GET /transaction/quota}: the current month's use of the licence quota and its thresholds. */
    void quota(Context ctx) {
        YearMonth month = billing.currentMonth();
        QuotaMonitor.Usage usage = billing.quota().usage(month);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("month", month.toString());
        body.put("timeZone", counter.billingZone().getId());
        body.put("quota", usage.quota().orElse(null));
        body.put("used", usage.used());
        body.put("usedRatio", Double.isNaN(usage.ratio()) ? null : usage.ratio());
        List<Map<String, Object>> thresholds = new ArrayList<>();
        for (int percent : usage.thresholds()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("percent", percent);
            entry.put("reached", usage.quota().map(q -> usage.used() * 100 >= (long) percent * q).orElse(false));
            entry.put("alertRaisedAt", Optional.ofNullable(usage.raised().get(percent)).map(Instant::toString)
                    .orElse(null));
            thresholds.add(entry);
        }
        body.put("thresholds", usage.quota().isPresent() ? thresholds : List.of());
        MonthForecast.Projection projection = billing.forecasts().project(month);
        body.put("projectedTotal", projection.projectedTotal());
        body.put("projectedRatio", usage.quota().map(q -> (double) projection.projectedTotal() / q).orElse(null));
        ctx.json(body);
    }

    /** {@code GET /transaction/forecast[?year=YYYY&month=M]}: the month's projected total and what it rests on. */
    void forecast(Context ctx) {
        YearMonth month = QueryParameters.yearAndMonth(ctx, billing.currentMonth());
        MonthForecast.Projection projection = billing.forecasts().project(month);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("month", month.toString());
        body.put("timeZone", counter.billingZone().getId());
        body.put("model", MonthForecast.MODEL);
        body.put("asOf", projection.asOf().toString());
        body.put("countedSoFar", projection.countedSoFar());
        body.put("projectedTotal", projection.projectedTotal());
        body.put("weekdaysObserved", projection.weekdaysObserved());
        body.put("weekendDaysObserved", projection.weekendObserved());
        body.put("weekdayMean", projection.weekdayMean());
        body.put("weekendDayMean", projection.weekendMean());
        ctx.json(body);
    }

    private static Map<String, Object> readiness(MonthCloser.Readiness readiness) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("month", readiness.month().toString());
        body.put("closed", readiness.closed());
        body.put("ended", readiness.ended());
        body.put("readyToClose", readiness.ready());
        body.put("waitingFor", readiness.waitingFor());
        body.put("monthEnd", readiness.monthEnd().toString());
        body.put("graceEnds", readiness.graceEnds().toString());
        return body;
    }
}
