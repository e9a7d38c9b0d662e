package org.txcounter.service.api;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounts;
import org.txcounter.core.ledger.LedgerFinding;
import org.txcounter.core.store.MonthCount;
import org.txcounter.core.store.NodeStatus;
import org.txcounter.core.store.ReportRow;
import org.txcounter.core.store.StoreException;

/**
 * The management API: {@code GET /transaction/count} and {@code GET /transaction/report}.
 *
 * <pre>{@code
 * Javalin app = ManagementApi.create(counter).start("127.0.0.1", 9164);
 * }</pre>
 *
 * <p>Every refusal answers with one JSON envelope ({@link ErrorEnvelope}); nothing the caller sends can produce
 * a 500 or a stack trace. Reports are built in memory and streamed back: no file is written on the server.
 */
public final class ManagementApi {

    static final String CSV_HEADER = "month,node_id,transport,transaction_count";
    private static final Logger LOG = LoggerFactory.getLogger(ManagementApi.class);
    private static final String CSV_TYPE = "text/csv";
    /** Marks a response that already carries the envelope, so the 404/405 handlers leave it alone. */
    private static final String ENVELOPE_SENT = "txcounter.envelope";

    private final TransactionCounter counter;
    private final CounterMetrics metrics;

    private ManagementApi(TransactionCounter counter) {
        this.counter = counter;
        this.metrics = new CounterMetrics(counter);
    }

    /** A configured, unstarted Javalin app serving the API for {@code counter}. */
    public static Javalin create(TransactionCounter counter) {
        ManagementApi api = new ManagementApi(counter);
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.prefer405over404 = true;
            config.routes.get("/transaction/count", api::count);
            config.routes.get("/transaction/report", api::report);
            config.routes.get("/transaction/nodes", api::nodes);
            config.routes.get("/transaction/verify", api::verify);
            config.routes.get("/health/live", ctx -> ctx.json(Map.of("status", "UP")));
            config.routes.get("/health/ready", api::ready);
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(api.metrics.scrape()));
            config.routes.exception(ApiException.class, (e, ctx) -> send(ctx, e.status(), e.code(),
                    e.parameter(), e.getMessage()));
            config.routes.exception(StoreException.class, (e, ctx) -> {
                LOG.error("{} {} failed: the database did not answer: {}", ctx.method(), ctx.path(), e.getMessage());
                send(ctx, 503, "database_unavailable", null, "The transaction database is not reachable; the "
                        + "counts are kept and written when it is back. Try again later.");
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("{} {} failed unexpectedly", ctx.method(), ctx.path(), e);
                send(ctx, 500, "internal_error", null, "The request failed on the server; the log has the details.");
            });
            config.routes.error(404, ctx -> {
                if (!isEnvelope(ctx)) {
                    send(ctx, 404, "not_found", null, "No such endpoint: " + QueryParameters.echo(ctx.path())
                            + ". Endpoints: /transaction/count, /transaction/report, /transaction/nodes, "
                            + "/transaction/verify, /health/live, /health/ready, /metrics");
                }
            });
            config.routes.error(405, ctx -> {
                if (!isEnvelope(ctx)) {
                    send(ctx, 405, "method_not_allowed", null, "Method " + ctx.method() + " is not allowed on "
                            + QueryParameters.echo(ctx.path()) + "; use GET");
                }
            });
        });
    }

    private void count(Context ctx) {
        YearMonth current = counter.currentMonth();
        YearMonth month = QueryParameters.yearAndMonth(ctx, current);
        MonthCount written = counter.count(month);
        CountResponse.Unflushed unflushed = null;
        if (month.equals(current)) {
            TransportCounts pending = counter.unflushed();
            unflushed = new CountResponse.Unflushed(counter.nodeId(), pending.total(), byTransport(pending));
        }
        ctx.json(new CountResponse(month.getYear(), month.getMonthValue(), counter.billingZone().getId(),
                written.total(), byTransport(written.counts()), written.nodes(), unflushed));
    }

    private void report(Context ctx) {
        boolean csv = wantsCsv(ctx);
        List<YearMonth> period = QueryParameters.period(ctx);
        YearMonth start = period.get(0);
        YearMonth end = period.get(1);
        List<ReportRow> rows = counter.report(start, end);
        if (csv) {
            StringBuilder body = new StringBuilder(CSV_HEADER).append("\r\n");
            for (ReportRow row : rows) {
                body.append(row.month()).append(',').append(csvField(row.nodeId())).append(',')
                        .append(row.transport()).append(',').append(row.count()).append("\r\n");
            }
            ctx.contentType(CSV_TYPE + "; charset=utf-8");
            ctx.header(Header.CONTENT_DISPOSITION,
                    "attachment; filename=\"transactions-" + start + "-to-" + end + ".csv\"");
            ctx.result(body.toString());
            return;
        }
        long total = 0;
        List<ReportResponse.Row> json = new ArrayList<>(rows.size());
        for (ReportRow row : rows) {
            total += row.count();
            json.add(new ReportResponse.Row(row.month().toString(), row.nodeId(), row.transport().name(),
                    row.count()));
        }
        ctx.json(new ReportResponse(start.toString(), end.toString(), counter.billingZone().getId(), total, json));
    }

    /**
     * Each node with where its writing stands. A node is {@code reporting} when it wrote or reported idle within
     * two update intervals, else {@code silent}: its intervals are missing, not merely empty.
     */
    private void nodes(Context ctx) {
        Instant now = counter.now();
        Duration silentAfter = counter.updateInterval().multipliedBy(2).plusSeconds(30);
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (NodeStatus node : counter.store().nodes()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("nodeId", node.nodeId());
            entry.put("lastSeq", node.lastSeq());
            entry.put("lastIntervalEnd", node.lastIntervalEnd().map(Instant::toString).orElse(null));
            entry.put("lastFlushAt", node.lastFlushAt().map(Instant::toString).orElse(null));
            boolean reporting = node.lastFlushAt().map(at -> !at.plus(silentAfter).isBefore(now)).orElse(false);
            entry.put("state", reporting ? "reporting" : "silent");
            nodes.add(entry);
        }
        ctx.json(Map.of("silentAfterSeconds", silentAfter.toSeconds(), "nodes", nodes));
    }

    /** The ledger check: every chain and every monthly rollup. */
    private void verify(Context ctx) {
        List<LedgerFinding> findings = counter.verifyLedger();
        List<Map<String, Object>> out = new ArrayList<>();
        for (LedgerFinding finding : findings) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("kind", finding.kind().name());
            entry.put("nodeId", finding.nodeId());
            entry.put("seq", finding.seq() < 0 ? null : finding.seq());
            entry.put("transport", finding.transport());
            entry.put("detail", finding.detail());
            out.add(entry);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("valid", findings.isEmpty());
        body.put("findings", out);
        ctx.json(body);
    }

    /** Ready when the database answers and the flusher is keeping up; 503 with the reasons otherwise. */
    private void ready(Context ctx) {
        Map<String, Object> checks = new LinkedHashMap<>();
        boolean database = counter.store().reachable();
        int pending = counter.flusher().queued().size();
        checks.put("database", database ? "UP" : "DOWN");
        checks.put("pendingIntervals", pending);
        boolean flusher = pending < counter.flusher().maxQueued() / 2;
        checks.put("flusher", flusher ? "UP" : "BEHIND");
        boolean up = database && flusher;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("checks", checks);
        ctx.status(up ? 200 : 503).json(body);
    }

    private static boolean wantsCsv(Context ctx) {
        Optional<String> format = QueryParameters.single(ctx, "format");
        if (format.isPresent()) {
            String value = format.get().toLowerCase(Locale.ROOT);
            if (value.equals("csv")) {
                return true;
            }
            if (value.equals("json")) {
                return false;
            }
            throw ApiException.invalid("format", "format must be csv or json. Found: "
                    + QueryParameters.echo(format.get()));
        }
        String accept = ctx.header(Header.ACCEPT);
        return accept != null && accept.toLowerCase(Locale.ROOT).contains(CSV_TYPE);
    }

    private static Map<String, Long> byTransport(TransportCounts counts) {
        Map<String, Long> map = new LinkedHashMap<>();
        for (Transport transport : Transport.values()) {
            map.put(transport.name(), counts.get(transport));
        }
        return map;
    }

    /** RFC 4180: quote a field holding a comma, quote or line break, doubling inner quotes. */
    static String csvField(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\r') < 0
                && value.indexOf('\n') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }

    private static boolean isEnvelope(Context ctx) {
        return ctx.attribute(ENVELOPE_SENT) != null;
    }

    private static void send(Context ctx, int status, String code, String parameter, String message) {
        ctx.attribute(ENVELOPE_SENT, Boolean.TRUE);
        ctx.status(status).json(ErrorEnvelope.of(status, code, parameter, message));
    }
}
