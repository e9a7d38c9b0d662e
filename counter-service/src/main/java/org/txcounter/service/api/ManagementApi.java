package org.txcounter.service.api;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
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
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounts;
import org.txcounter.core.ledger.LedgerFinding;
import org.txcounter.core.store.MonthCount;
import org.txcounter.core.store.NodeStatus;
import org.txcounter.core.store.ReportRow;
import org.txcounter.core.store.StoreException;
import org.txcounter.service.security.Principal;

/**
 * The management API: counts, reports, nodes, the ledger check, health and metrics, plus the MI-compatible
 * {@code /management/...} aliases, behind TLS and authentication.
 *
 * <pre>{@code
 * Javalin app = ManagementApi.create(counter, access, ManagementApi.Listener.tls("127.0.0.1", 9164, tls));
 * app.start();
 * }</pre>
 *
 * <p>Every route is in {@link #ROUTES} with who may call it; only liveness is open. Every refusal answers with one
 * JSON envelope ({@link ErrorEnvelope}); nothing the caller sends can produce a 500 or a stack trace. Every request
 * gets a request id (the caller's {@code X-Request-Id} when it is a plain token, else a new one), returned in the
 * response and put on every log line written while handling it.
 */
public final class ManagementApi {

    static final String CSV_HEADER = "month,node_id,transport,transaction_count";
    static final String REQUEST_ID = "X-Request-Id";
    /** Every route: path, who may call it and its handler. All are GET. */
    static final List<Route> ROUTES = List.of(
            new Route("/transaction/count", Access.VIEWER, api -> api::count),
            new Route("/transaction/report", Access.VIEWER, api -> api::report),
            new Route("/transaction/nodes", Access.VIEWER, api -> api::nodes),
            new Route("/transaction/verify", Access.ADMIN, api -> api::verify),
            new Route("/management/login", Access.LOGIN, api -> api::miLogin),
            new Route("/management/logout", Access.VIEWER, api -> api::miLogout),
            new Route("/management/transactions/count", Access.VIEWER, api -> api::miCount),
            new Route("/management/transactions/report", Access.VIEWER, api -> api::miReport),
            new Route("/health/live", Access.PUBLIC, api -> ctx -> ctx.json(Map.of("status", "UP"))),
            new Route("/health/ready", Access.VIEWER, api -> api::ready),
            new Route("/metrics", Access.VIEWER, api -> ctx -> ctx
                    .contentType("text/plain; version=0.0.4; charset=utf-8").result(api.metrics.scrape())),
            new Route("/openapi.json", Access.VIEWER, api -> ctx -> ctx.contentType("application/json")
                    .result(OpenApiDocument.json())));
    private static final Logger LOG = LoggerFactory.getLogger(ManagementApi.class);
    private static final Logger ACCESS_LOG = LoggerFactory.getLogger("txcounter.access");
    private static final String CSV_TYPE = "text/csv";
    private static final Pattern CLIENT_REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** Marks a response that already carries the envelope, so the 404/405 handlers leave it alone. */
    private static final String ENVELOPE_SENT = "txcounter.envelope";
    private static final String STARTED = "txcounter.started";
    private static final long SCHEMA_RECHECK_NANOS = Duration.ofMinutes(1).toNanos();

    private final TransactionCounter counter;
    private final CounterMetrics metrics;
    private final ApiAccess access;
    private volatile long schemaCheckedAt;

    private ManagementApi(TransactionCounter counter, ApiAccess access) {
        this.counter = counter;
        this.metrics = new CounterMetrics(counter);
        this.access = access;
    }

    /** A route of the API: its path, who may call it, and its handler on a given API instance. */
    record Route(String path, Access access, Function<ManagementApi, Handler> handler) {
    }

    /**
     * Where the API listens.
     *
     * @param tls the TLS settings, or empty for plain HTTP (only when configured with {@code tls = false})
     */
    public record Listener(String host, int port, Optional<SslContextFactory.Server> tls) {

        public static Listener tls(String host, int port, SslContextFactory.Server tls) {
            return new Listener(host, port, Optional.of(tls));
        }

        public static Listener plain(String host, int port) {
            return new Listener(host, port, Optional.empty());
        }
    }

    /** A configured, unstarted Javalin app serving the API for {@code counter}; {@code start()} it. */
    public static Javalin create(TransactionCounter counter, ApiAccess access, Listener listener) {
        ManagementApi api = new ManagementApi(counter, access);
        Authentication authentication = new Authentication(access);
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.prefer405over404 = true;
            config.jetty.modifyServer(server -> server.setErrorHandler(new EnvelopeErrorHandler()));
            config.jetty.modifyHttpConfiguration(http -> {
                http.setSendServerVersion(false);
                http.setSendXPoweredBy(false);
                http.setRequestHeaderSize(8 * 1024);
            });
            if (listener.tls().isPresent()) {
                config.jetty.addConnector((server, http) -> connector(server, http, listener));
            } else {
                config.jetty.host = listener.host();
                config.jetty.port = listener.port();
            }
            config.routes.before(ManagementApi::begin);
            config.routes.beforeMatched(authentication::check);
            for (Route route : ROUTES) {
                config.routes.get(route.path(), route.handler().apply(api), route.access());
            }
            config.routes.after(ManagementApi::end);
            config.routes.exception(ApiException.class, (e, ctx) -> send(ctx, e.status(), e.code(),
                    e.parameter(), e.getMessage()));
            config.routes.exception(StoreException.class, (e, ctx) -> {
                if (e instanceof StoreException.SchemaMismatchException) {
                    LOG.error("{} {} failed: {}", ctx.method(), ctx.path(), e.getMessage());
                    send(ctx, 503, "schema_mismatch", null, e.getMessage());
                } else if (e instanceof StoreException.NodeConflictException
                        || e instanceof StoreException.SequenceGapException) {
                    LOG.error("{} {} failed: {}", ctx.method(), ctx.path(), e.getMessage());
                    send(ctx, 409, e instanceof StoreException.NodeConflictException ? "node_conflict"
                            : "sequence_gap", null, e.getMessage());
                } else {
                    LOG.error("{} {} failed: the database did not answer: {}", ctx.method(), ctx.path(),
                            e.getMessage());
                    send(ctx, 503, "database_unavailable", null, "The transaction database is not reachable; the "
                            + "counts are kept and written when it is back. Try again later.");
                }
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("{} {} failed unexpectedly", ctx.method(), ctx.path(), e);
                send(ctx, 500, "internal_error", null, "The request failed on the server; the log has the details.");
            });
            config.routes.error(404, ctx -> {
                if (!isEnvelope(ctx)) {
                    send(ctx, 404, "not_found", null, "No such endpoint: " + QueryParameters.echo(ctx.path())
                            + ". The endpoints are described in /openapi.json.");
                }
            });
            config.routes.error(405, ctx -> {
                if (!isEnvelope(ctx)) {
                    send(ctx, 405, "method_not_allowed", null, "Method " + QueryParameters.echo(ctx.method().name())
                            + " is not allowed on " + QueryParameters.echo(ctx.path()) + "; use GET");
                }
            });
        });
    }

    private static ServerConnector connector(Server server, HttpConfiguration http, Listener listener) {
        HttpConfiguration https = new HttpConfiguration(http);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        // The generated certificate names localhost and this host; a client using another name still connects.
        secure.setSniHostCheck(false);
        secure.setStsMaxAge(Duration.ofDays(365).toSeconds());
        https.addCustomizer(secure);
        ServerConnector connector = new ServerConnector(server,
                new SslConnectionFactory(listener.tls().orElseThrow(), HttpVersion.HTTP_1_1.asString()),
                new HttpConnectionFactory(https));
        connector.setHost(listener.host());
        connector.setPort(listener.port());
        return connector;
    }

    private static void begin(Context ctx) {
        String offered = ctx.header(REQUEST_ID);
        String requestId = offered != null && CLIENT_REQUEST_ID.matcher(offered).matches()
                ? offered : UUID.randomUUID().toString();
        MDC.put("requestId", requestId);
        ctx.attribute(STARTED, System.nanoTime());
        ctx.header(REQUEST_ID, requestId);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header(Header.CACHE_CONTROL, "no-store");
    }

    private static void end(Context ctx) {
        Long started = ctx.attribute(STARTED);
        long micros = started == null ? 0 : (System.nanoTime() - started) / 1_000;
        Principal principal = ctx.attribute(Authentication.PRINCIPAL);
        ACCESS_LOG.info("{} {} {} {} ms from {} user {}", ctx.method(), QueryParameters.echo(ctx.path()),
                ctx.status().getCode(), micros / 1000.0, ctx.ip(), principal == null ? "-" : principal.name());
        MDC.clear();
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

    /**
     * Ready when the database answers, its schema is the current one and the flusher is keeping up; 503 with the
     * reasons otherwise.
     */
    private void ready(Context ctx) {
        Map<String, Object> checks = new LinkedHashMap<>();
        boolean database = counter.store().reachable();
        int pending = counter.flusher().queued().size();
        checks.put("database", database ? "UP" : "DOWN");
        boolean schema = database && schemaCurrent();
        checks.put("schema", !database ? "UNKNOWN" : schema ? "CURRENT" : "OUTDATED");
        checks.put("pendingIntervals", pending);
        boolean flusher = pending < counter.flusher().maxQueued() / 2;
        checks.put("flusher", flusher ? "UP" : "BEHIND");
        // A write refused for a reason other than an outage needs an operator, whatever the database answers.
        Optional<String> refused = counter.flusher().lastWriteFailure()
                .filter(e -> e instanceof StoreException store && !store.outage())
                .map(e -> (e instanceof StoreException.NodeConflictException ? "NODE_CONFLICT"
                        : e instanceof StoreException.SequenceGapException ? "SEQUENCE_GAP" : "SCHEMA_MISMATCH")
                        + ": " + e.getMessage());
        checks.put("writes", refused.orElse("UP"));
        boolean up = database && schema && flusher && refused.isEmpty();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("checks", checks);
        ctx.status(up ? 200 : 503).json(body);
    }

    /** MI's login: HTTP Basic in, a bearer token out. */
    private void miLogin(Context ctx) {
        Principal principal = Authentication.principal(ctx);
        String token = access.tokens().issue(principal);
        LOG.info("User {} logged in; token valid for {} s.", principal.name(), access.tokens().lifetime().toSeconds());
        ctx.json(Map.of("AccessToken", token));
    }

    /** MI's logout: ends the bearer token's session. */
    private void miLogout(Context ctx) {
        Optional<String> token = Authentication.bearerToken(ctx);
        token.ifPresent(access.tokens()::revoke);
        ctx.json(Map.of("Message", token.isPresent() ? "Logout successful"
                : "No token to end: the request used Basic"));
    }

    /**
     * MI's count: {@code {"Year": 2026, "Month": 11, "TransactionCount": 1234}}. For the current month it includes
     * what this node counted and has not written yet, so the figure matches what MI showed.
     */
    private void miCount(Context ctx) {
        YearMonth current = counter.currentMonth();
        YearMonth month = QueryParameters.yearAndMonth(ctx, current);
        long total = counter.count(month).total();
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
     * MI's report: {@code {"TransactionCountData": [["Year", "Month", "TransactionCount"], [2026, 10, 1234], ...]}},
     * one row per month from {@code start} to {@code end} (default: the current month), months without traffic as 0.
     */
    private void miReport(Context ctx) {
        YearMonth current = counter.currentMonth();
        YearMonth start = QueryParameters.requiredYearMonth(ctx, "start");
        YearMonth end = QueryParameters.single(ctx, "end").isPresent()
                ? QueryParameters.requiredYearMonth(ctx, "end") : current;
        QueryParameters.checkPeriod(start, end);
        Map<YearMonth, Long> totals = new LinkedHashMap<>();
        for (YearMonth month = start; !month.isAfter(end); month = month.plusMonths(1)) {
            totals.put(month, 0L);
        }
        for (ReportRow row : counter.report(start, end)) {
            totals.merge(row.month(), row.count(), Long::sum);
        }
        if (totals.containsKey(current)) {
            totals.merge(current, counter.unflushed().total(), Long::sum);
        }
        List<List<Object>> data = new ArrayList<>();
        data.add(List.of("Year", "Month", "TransactionCount"));
        totals.forEach((month, total) -> data.add(List.of(month.getYear(), month.getMonthValue(), total)));
        ctx.json(Map.of("TransactionCountData", data));
    }

    /** The schema check, repeated at most once a minute once it passed: it reads the migration history. */
    private boolean schemaCurrent() {
        long now = System.nanoTime();
        if (schemaCheckedAt != 0 && now - schemaCheckedAt < SCHEMA_RECHECK_NANOS) {
            return true;
        }
        boolean current = counter.store().schemaCurrent();
        schemaCheckedAt = current ? now : 0;
        return current;
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
