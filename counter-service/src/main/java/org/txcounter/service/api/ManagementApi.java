package org.txcounter.service.api;

import io.javalin.Javalin;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.Header;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
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
import org.txcounter.core.DatabaseStatus;
import org.txcounter.core.DayCount;
import org.txcounter.core.MonthCount;
import org.txcounter.core.NodeStatus;
import org.txcounter.core.ReportRow;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounts;
import org.txcounter.core.forecast.MonthForecast;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.ledger.LedgerCheck;
import org.txcounter.core.ledger.LedgerFinding;
import org.txcounter.core.ledger.VerifyCheckpoint;
import org.txcounter.core.store.ImportedMonth;
import org.txcounter.core.store.LedgerAnchor;
import org.txcounter.core.store.MiHistory;
import org.txcounter.core.store.MonthAlreadyClosedException;
import org.txcounter.core.store.StoreException;
import org.txcounter.service.config.ListenerLimits;
import org.txcounter.service.config.ManagementSecurity.Role;
import org.txcounter.service.logging.LogBudget;
import org.txcounter.service.logging.PrivateRollingFileAppender;
import org.txcounter.service.security.EnvelopeErrorHandler;
import org.txcounter.service.security.LoginThrottle;
import org.txcounter.service.security.ListenerGuard;
import org.txcounter.service.security.Principal;
import org.txcounter.service.statement.Billing;
import org.txcounter.service.statement.CloseRefusedException;

/**
 * The management API: counts, reports, nodes, the ledger check, health and metrics, plus the MI-compatible
 * {@code /management/...} aliases, behind TLS and authentication.
 *
 * <pre>{@code
 * Javalin app = ManagementApi.create(counter, access, ManagementApi.Listener.tls("127.0.0.1", 9164, tls)
 *         .withLimits(config.managementLimits()), routing);
 * app.start();
 * }</pre>
 *
 * <p>Every route is in {@link #ROUTES} with who may call it; only liveness is open. Every refusal answers with one
 * JSON envelope ({@link ErrorEnvelope}); nothing the caller sends can produce a 500 or a stack trace. Every request
 * gets a request id (the caller's {@code X-Request-Id} when it is a plain token, else a new one), returned in the
 * response and put on every log line written while handling it.
 *
 * <p>Thread-safe: Jetty calls the handlers from many threads; the only state of the API itself is the last ledger
 * check, one immutable map behind a volatile reference, and the time of the last schema check.
 *
 * <p>Why one long class: the routing table, the request envelope (ids, access log, errors) and the handlers of
 * the count, report, ledger, health and MI routes live together; the statements already have their own class
 * ({@link StatementRoutes}), and the ledger and health handlers are the next to move out the same way.
 */
public final class ManagementApi {

    static final String CSV_HEADER = "month,node_id,transport,transaction_count";
    static final String REQUEST_ID = "X-Request-Id";
    /** The header row of MI's report, as MI's server sent it and {@code mi transaction report} writes it. */
    static final List<String> MI_REPORT_HEADER = List.of("TIME_STAMP", "NODE_ID", "TRANSACTION_COUNT",
            "TRANSACTION_COUNT_ENCRYPTED");
    /** How imported rows are marked in the CSV report's transport column. */
    static final String IMPORTED_TRANSPORT = "MI_IMPORTED";
    private static final String MI_TRANSACTIONS = "/management/transactions/";
    /**
     * Every route: path, who may call it and its handler. All are GET but four POSTs: closing a month, resuming a
     * ledger check, clearing login throttles, acknowledging a start without a journal.
     */
    static final List<Route> ROUTES = List.of(
            new Route("/transaction/count", Access.VIEWER, api -> api::count),
            new Route("/transaction/report", Access.VIEWER, api -> api::report),
            new Route("/transaction/nodes", Access.VIEWER, api -> api::nodes),
            new Route("/transaction/verify", Access.ADMIN, api -> api::verify),
            new Route("/transaction/verify/resume", Access.ADMIN, api -> api::verifyResume, HandlerType.POST),
            new Route("/transaction/verify/last", Access.VIEWER, api -> api::lastVerify),
            new Route("/transaction/daily", Access.VIEWER, api -> api::daily),
            new Route("/user", Access.VIEWER, api -> ManagementApi::user),
            new Route("/management/login", Access.LOGIN, api -> api::miLogin),
            new Route("/management/logout", Access.VIEWER, api -> api::miLogout),
            new Route("/management/throttles", Access.ADMIN, api -> api::throttles),
            new Route("/management/throttles/clear", Access.ADMIN, api -> api::clearThrottles, HandlerType.POST),
            new Route("/management/journal-gap/acknowledge", Access.ADMIN, api -> api::acknowledgeJournalGap,
                    HandlerType.POST),
            new Route(MI_TRANSACTIONS + "count", Access.VIEWER, api -> api::miCount),
            new Route(MI_TRANSACTIONS + "report", Access.VIEWER, api -> api::miReport),
            new Route("/health/live", Access.PUBLIC, api -> ctx -> ctx.json(Map.of("status", "UP"))),
            new Route("/health/ready", Access.VIEWER, api -> api::ready),
            new Route("/health/ready/probe", Access.PUBLIC, api -> api::readyProbe),
            new Route("/metrics", Access.VIEWER, api -> ctx -> ctx
                    .contentType("text/plain; version=0.0.4; charset=utf-8").result(api.metrics.scrape())),
            new Route("/openapi.json", Access.VIEWER, api -> ctx -> ctx.contentType("application/json")
                    .result(OpenApiDocument.json())),
            new Route("/transaction/statements", Access.VIEWER, api -> api.statements::list),
            new Route("/transaction/statement", Access.VIEWER, api -> api.statements::download),
            new Route("/transaction/statements/public-key", Access.VIEWER, api -> api.statements::publicKey),
            new Route("/transaction/close-status", Access.VIEWER, api -> api.statements::closeStatus),
            new Route("/transaction/close-month", Access.ADMIN, api -> api.statements::closeMonth, HandlerType.POST),
            new Route("/transaction/quota", Access.VIEWER, api -> api.statements::quota),
            new Route("/transaction/forecast", Access.VIEWER, api -> api.statements::forecast));
    private static final Logger LOG = LoggerFactory.getLogger(ManagementApi.class);
    private static final Logger ACCESS_LOG = LoggerFactory.getLogger("txcounter.access");
    /**
     * Requests without a user (refused, or open routes) are anyone's to send: at most 50 access lines a second,
     * each under 200 bytes (every field bounded), so at most 864 MB a day before compression.
     */
    private static final LogBudget UNAUTHENTICATED_ACCESS = new LogBudget(50);
    private static final String CSV_TYPE = "text/csv";
    private static final Pattern CLIENT_REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** Marks a response that already carries the envelope, so the 404/405 handlers leave it alone. */
    private static final String ENVELOPE_SENT = "txcounter.envelope";
    private static final String STARTED = "txcounter.started";

    private final TransactionCounter counter;
    private final CounterMetrics metrics;
    private final ApiAccess access;
    private final Billing billing;
    private final StatementRoutes statements;
    private volatile Map<String, Object> lastVerify = Map.of("ran", false);

    private ManagementApi(TransactionCounter counter, ApiAccess access, CounterMetrics metrics, Billing billing) {
        this.counter = counter;
        this.metrics = metrics;
        this.access = access;
        this.billing = billing;
        this.statements = new StatementRoutes(counter, billing);
    }

    /** A route of the API: its path, who may call it, its handler on a given API instance, and its method. */
    record Route(String path, Access access, Function<ManagementApi, Handler> handler, HandlerType method) {

        Route(String path, Access access, Function<ManagementApi, Handler> handler) {
            this(path, access, handler, HandlerType.GET);
        }
    }

    /**
     * Where the API listens.
     *
     * @param tls    the TLS settings, or empty for plain HTTP (only when configured with {@code tls = false})
     * @param limits connection limits and slow-client protection of the listener
     */
    public record Listener(String host, int port, Optional<SslContextFactory.Server> tls, ListenerLimits limits) {

        public static Listener tls(String host, int port, SslContextFactory.Server tls) {
            return new Listener(host, port, Optional.of(tls), ListenerLimits.MANAGEMENT_DEFAULTS);
        }

        public static Listener plain(String host, int port) {
            return new Listener(host, port, Optional.empty(), ListenerLimits.MANAGEMENT_DEFAULTS);
        }

        /** This listener with other connection limits. */
        public Listener withLimits(ListenerLimits other) {
            return new Listener(host, port, tls, other);
        }
    }

    /**
     * A configured, unstarted Javalin app serving the API for {@code counter} and its month-end side
     * {@code billing}; {@code start()} it.
     *
     * @param metrics what {@code /metrics} serves (the same meters as the optional metrics listener)
     */
    public static Javalin create(TransactionCounter counter, ApiAccess access, Listener listener,
            CounterMetrics metrics, Billing billing) {
        ManagementApi api = new ManagementApi(counter, access, metrics, billing);
        Authentication authentication = new Authentication(access);
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.prefer405over404 = true;
            config.jetty.modifyServer(server -> {
                server.setErrorHandler(new EnvelopeErrorHandler());
                // Javalin nests its servlet context inside the handler set here.
                server.setHandler(ListenerGuard.minimumDataRate(listener.limits()));
            });
            config.jetty.modifyHttpConfiguration(http -> {
                http.setSendServerVersion(false);
                http.setSendXPoweredBy(false);
                http.setRequestHeaderSize(8 * 1024);
            });
            config.jetty.addConnector((server, http) -> connector(server, http, listener));
            Dashboard.serve(config);
            config.routes.before(ManagementApi::begin);
            config.routes.beforeMatched(authentication::check);
            for (Route route : ROUTES) {
                Handler handler = route.handler().apply(api);
                if (route.method() == HandlerType.POST) {
                    config.routes.post(route.path(), handler, route.access());
                } else {
                    config.routes.get(route.path(), handler, route.access());
                    // HEAD is GET without the body, under the same access rule.
                    config.routes.head(route.path(), handler, route.access());
                }
            }
            // MI matched the last segment of these two without regard to case (/management/transactions/COUNT).
            config.routes.get(MI_TRANSACTIONS + "{kind}", api::miTransactions, Access.VIEWER);
            config.routes.after(ManagementApi::end);
            config.routes.exception(ApiException.class, (e, ctx) -> send(ctx, e.status(), e.code(),
                    e.parameter(), e.getMessage()));
            config.routes.exception(CloseRefusedException.class, (e, ctx) -> send(ctx, 409, "not_ready", "month",
                    e.getMessage()));
            config.routes.exception(MonthAlreadyClosedException.class, (e, ctx) -> send(ctx, 409, "already_closed",
                    "month", e.getMessage()));
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
                    String allowed = ROUTES.stream().filter(route -> route.path().equals(ctx.path())).findFirst()
                            .map(route -> route.method().name()).orElse("GET");
                    send(ctx, 405, "method_not_allowed", null, "Method " + QueryParameters.echo(ctx.method().name())
                            + " is not allowed on " + QueryParameters.echo(ctx.path()) + "; use " + allowed);
                }
            });
        });
    }

    /** The API's connector, TLS or plain, with the listener's connection limits. */
    private static ServerConnector connector(Server server, HttpConfiguration http, Listener listener) {
        HttpConfiguration own = new HttpConfiguration(http);
        ServerConnector connector;
        if (listener.tls().isPresent()) {
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            // The generated certificate names localhost and this host; a client using another name still connects.
            secure.setSniHostCheck(false);
            secure.setStsMaxAge(Duration.ofDays(365).toSeconds());
            own.addCustomizer(secure);
            connector = new ServerConnector(server,
                    new SslConnectionFactory(listener.tls().get(), HttpVersion.HTTP_1_1.asString()),
                    new HttpConnectionFactory(own));
        } else {
            connector = new ServerConnector(server, new HttpConnectionFactory(own));
        }
        connector.setHost(listener.host());
        connector.setPort(listener.port());
        ListenerGuard.install("management API", server, connector, own, listener.limits());
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
        ctx.header("Content-Security-Policy", Dashboard.CONTENT_SECURITY_POLICY);
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
    }

    private static void end(Context ctx) {
        Long started = ctx.attribute(STARTED);
        long micros = started == null ? 0 : (System.nanoTime() - started) / 1_000;
        Principal principal = ctx.attribute(Authentication.PRINCIPAL);
        String method = LogBudget.bounded(ctx.method().name(), 16);
        if (principal == null) {
            UNAUTHENTICATED_ACCESS.info(ACCESS_LOG, "{} {} {} {} ms from {} user -", method,
                    QueryParameters.echo(ctx.path()), ctx.status().getCode(), micros / 1000.0, ctx.ip());
        } else {
            ACCESS_LOG.info("{} {} {} {} ms from {} user {}", method, QueryParameters.echo(ctx.path()),
                    ctx.status().getCode(), micros / 1000.0, ctx.ip(), principal.name());
        }
        MDC.clear();
    }

    private void count(Context ctx) {
        YearMonth current = counter.currentMonth();
        YearMonth month = QueryParameters.yearAndMonth(ctx, current);
        MonthCount written = counter.count(month, TransactionCounter.API_READ_WAIT);
        CountResponse.Unflushed unflushed = null;
        Set<String> nodes = new HashSet<>();
        counter.report(month, month, TransactionCounter.API_READ_WAIT).forEach(row -> nodes.add(row.nodeId()));
        if (month.equals(current) && !counter.reporting()) {
            TransportCounts pending = counter.unflushed();
            unflushed = new CountResponse.Unflushed(counter.nodeId(), pending.total(), byTransport(pending));
        }
        if (month.equals(current)) {
            // A node that reports idle intervals takes part in this month, as /transaction/nodes shows it.
            Instant now = counter.now();
            counter.nodes(TransactionCounter.API_READ_WAIT).stream().filter(node -> reporting(node, now))
                    .forEach(node -> nodes.add(node.nodeId()));
        }
        CountResponse.Forecast forecast = null;
        if (month.equals(current)) {
            MonthForecast.Projection projection = billing.forecasts().project(month);
            forecast = new CountResponse.Forecast(MonthForecast.MODEL, projection.projectedTotal(),
                    projection.asOf().toString());
        }
        List<ImportedMonth> imported = Internals.imported(counter, month, month, TransactionCounter.API_READ_WAIT);
        ctx.json(new CountResponse(month.getYear(), month.getMonthValue(), counter.billingZone().getId(),
                written.total(), byTransport(written.counts()), nodes.size(), unflushed, forecast,
                imported.isEmpty() ? null : importedTotal(imported)));
    }

    /**
     * The report of a range of months, JSON or CSV. Its body changes only when something it is made of is
     * written, so it is rendered once and held with the reads it comes from ({@link Internals#derived}) until then.
     */
    private void report(Context ctx) {
        boolean csv = wantsCsv(ctx);
        List<YearMonth> period = QueryParameters.period(ctx);
        YearMonth start = period.get(0);
        YearMonth end = period.get(1);
        Rendered rendered = Internals.derived(counter, "report " + start + " " + end + (csv ? " csv" : " json"),
                TransactionCounter.API_READ_WAIT, () -> csv ? reportCsv(start, end) : reportJson(ctx, start, end));
        rendered.disposition().ifPresent(value -> ctx.header(Header.CONTENT_DISPOSITION, value));
        ctx.contentType(rendered.contentType()).result(rendered.body());
    }

    private Rendered reportCsv(YearMonth start, YearMonth end) {
        StringBuilder body = new StringBuilder(CSV_HEADER).append("\r\n");
        for (ReportRow row : counter.report(start, end, TransactionCounter.API_READ_WAIT)) {
            body.append(row.month()).append(',').append(csvField(row.nodeId())).append(',')
                    .append(row.transport()).append(',').append(row.count()).append("\r\n");
        }
        for (ImportedMonth month : Internals.imported(counter, start, end, TransactionCounter.API_READ_WAIT)) {
            body.append(month.month()).append(',').append(csvField(month.nodeId())).append(',')
                    .append(IMPORTED_TRANSPORT).append(',').append(month.count()).append("\r\n");
        }
        return new Rendered(CSV_TYPE + "; charset=utf-8", Optional.of("attachment; filename=\"transactions-" + start
                + "-to-" + end + ".csv\""), body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private Rendered reportJson(Context ctx, YearMonth start, YearMonth end) {
        List<ReportRow> rows = counter.report(start, end, TransactionCounter.API_READ_WAIT);
        List<ImportedMonth> imported = Internals.imported(counter, start, end, TransactionCounter.API_READ_WAIT);
        long total = 0;
        List<ReportResponse.Row> json = new ArrayList<>(rows.size());
        for (ReportRow row : rows) {
            total += row.count();
            json.add(new ReportResponse.Row(row.month().toString(), row.nodeId(), row.transport().name(),
                    row.count()));
        }
        ReportResponse.Imported importedPart = null;
        if (!imported.isEmpty()) {
            importedPart = new ReportResponse.Imported(MiHistory.SOURCE, importedTotal(imported),
                    imported.stream().mapToLong(ImportedMonth::rawCount).sum(), imported.stream()
                            .map(month -> new ReportResponse.ImportedRow(month.month().toString(), month.nodeId(),
                                    month.rawCount(), month.count()))
                            .toList());
        }
        ReportResponse report = new ReportResponse(start.toString(), end.toString(), counter.billingZone().getId(),
                total, json, importedPart);
        return new Rendered(ContentType.JSON, Optional.empty(), ctx.jsonMapper().toJsonString(report,
                ReportResponse.class).getBytes(StandardCharsets.UTF_8));
    }

    /** A response body rendered once for many requests: immutable, its array never written after creation. */
    private record Rendered(String contentType, Optional<String> disposition, byte[] body) {
    }

    /**
     * Each node with where its writing stands. A node is {@code reporting} when it wrote or reported idle within
     * two update intervals, else {@code silent}: its intervals are missing, not merely empty.
     */
    private void nodes(Context ctx) {
        Instant now = counter.now();
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (NodeStatus node : counter.nodes(TransactionCounter.API_READ_WAIT)) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("nodeId", node.nodeId());
            entry.put("lastSeq", node.lastSeq());
            entry.put("lastIntervalEnd", node.lastIntervalEnd().map(Instant::toString).orElse(null));
            entry.put("lastFlushAt", node.lastFlushAt().map(Instant::toString).orElse(null));
            entry.put("state", reporting(node, now) ? "reporting" : "silent");
            nodes.add(entry);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("silentAfterSeconds", silentAfter().toSeconds());
        body.put("nodes", nodes);
        ctx.json(body);
    }

    /** How long a node may stay quiet and still count as reporting: two update intervals and a margin. */
    private Duration silentAfter() {
        return counter.updateInterval().multipliedBy(2).plusSeconds(30);
    }

    private boolean reporting(NodeStatus node, Instant now) {
        return node.lastFlushAt().map(at -> !at.plus(silentAfter()).isBefore(now)).orElse(false);
    }

    /**
     * The ledger check: every chain and every monthly rollup, or with {@code from} (and {@code to}, else the same
     * month) only the rows and rollups of those months. A clean check of the whole ledger answers a checkpoint that
     * {@code /transaction/verify/resume} continues from. Remembered for {@code /transaction/verify/last}.
     */
    private void verify(Context ctx) {
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
    private void verifyResume(Context ctx) {
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
    private void lastVerify(Context ctx) {
        ctx.json(lastVerify);
    }

    /**
     * A month's written totals by day of the billing time zone and transport, every day of the month listed (0 for
     * days without traffic). Counts not yet written are not in it: they are in {@code /transaction/count}.
     */
    private void daily(Context ctx) {
        YearMonth month = QueryParameters.yearAndMonth(ctx, counter.currentMonth());
        List<DayCount> rows = counter.daily(month, TransactionCounter.API_READ_WAIT);
        // Every day lists the same transports: the runtime's own two, and any other that counted in the month.
        Set<Transport> shown = EnumSet.noneOf(Transport.class);
        for (Transport transport : Transport.values()) {
            if (transport.alwaysReported()) {
                shown.add(transport);
            }
        }
        rows.forEach(row -> shown.add(row.transport()));
        Map<LocalDate, Map<String, Long>> days = new LinkedHashMap<>();
        for (int day = 1; day <= month.lengthOfMonth(); day++) {
            Map<String, Long> zeros = new LinkedHashMap<>();
            shown.forEach(transport -> zeros.put(transport.name(), 0L));
            days.put(month.atDay(day), zeros);
        }
        for (DayCount row : rows) {
            days.get(row.day()).merge(row.transport().name(), row.count(), Long::sum);
        }
        long total = 0;
        List<Map<String, Object>> out = new ArrayList<>(days.size());
        for (Map.Entry<LocalDate, Map<String, Long>> day : days.entrySet()) {
            long dayTotal = day.getValue().values().stream().mapToLong(Long::longValue).sum();
            total += dayTotal;
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("date", day.getKey().toString());
            entry.put("total", dayTotal);
            entry.put("byTransport", day.getValue());
            out.add(entry);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("year", month.getYear());
        body.put("month", month.getMonthValue());
        body.put("timeZone", counter.billingZone().getId());
        body.put("total", total);
        body.put("days", out);
        ctx.json(body);
    }

    /** Who the request was authenticated as, and what that role may do: for clients that adapt to it. */
    private static void user(Context ctx) {
        Principal principal = Authentication.principal(ctx);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", principal.name());
        body.put("role", principal.role().label());
        body.put("admin", principal.role() == Role.ADMIN);
        ctx.json(body);
    }

    /** Readiness for a load balancer or Kubernetes, without credentials: 200 UP or 503 DOWN and nothing else. */
    private void readyProbe(Context ctx) {
        boolean up = readiness(new LinkedHashMap<>());
        ctx.status(up ? 200 : 503).json(Map.of("status", up ? "UP" : "DOWN"));
    }

    private void ready(Context ctx) {
        Map<String, Object> checks = new LinkedHashMap<>();
        boolean up = readiness(checks);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("checks", checks);
        ctx.status(up ? 200 : 503).json(body);
    }

    /**
     * Whether this node is ready, each check put into {@code checks}: the database answered the counter's latest
     * call, its schema is the current one and the flusher is keeping up. Reads what the store thread last saw:
     * never waits for the database.
     */
    private boolean readiness(Map<String, Object> checks) {
        DatabaseStatus status = counter.databaseStatus();
        boolean schema = status.state() != DatabaseStatus.State.SCHEMA_OUTDATED;
        // A database with an outdated schema answers: it is up, and the schema check says what is wrong.
        boolean database = status.up() || !schema;
        int pending = Internals.flusher(counter).queued().size();
        checks.put("database", database ? "UP" : "DOWN");
        checks.put("databaseState", status.state().name());
        checks.put("databaseSince", status.since().toString());
        if (!status.up()) {
            checks.put("databaseDetail", status.detail());
        }
        checks.put("schema", !schema ? "OUTDATED" : database ? "CURRENT" : "UNKNOWN");
        checks.put("pendingIntervals", pending);
        boolean flusher = pending < Internals.flusher(counter).maxQueued() / 2;
        checks.put("flusher", flusher ? "UP" : "BEHIND");
        // A write refused for a reason other than an outage needs an operator, whatever the database answers.
        Optional<String> refused = Internals.flusher(counter).lastWriteFailure()
                .filter(e -> e instanceof StoreException store && !store.outage())
                .map(e -> (e instanceof StoreException.NodeConflictException ? "NODE_CONFLICT"
                        : e instanceof StoreException.SequenceGapException ? "SEQUENCE_GAP" : "SCHEMA_MISMATCH")
                        + ": " + e.getMessage());
        // Another live node holds this node's id: nothing is written until it stops (counting goes on, journaled).
        Optional<String> conflict = counter.nodeConflict().map(message -> "NODE_CONFLICT: " + message);
        checks.put("writes", conflict.or(() -> refused).orElse("UP"));
        // Started without a journal after it had counted: what may have been lost, for the whole run.
        counter.journalGap().ifPresent(gap -> checks.put("journalGap", gap));
        // A journal that cannot be written: the counts go to the database every journal interval instead, and the
        // node is not ready, so that a balancer sends the traffic where a hard stop would lose less.
        Optional<String> journal = counter.journalFailure();
        checks.put("journal", journal.map(failure -> "FAILING " + failure).orElse("UP"));
        // A log file that cannot be written is shown, but the node stays ready: no count depends on it.
        List<PrivateRollingFileAppender.Failure> logs = PrivateRollingFileAppender.failing();
        checks.put("logs", logs.isEmpty() ? "UP" : "FAILING " + logs.stream()
                .map(failure -> failure.file() + " since " + failure.since() + ": " + failure.reason())
                .collect(Collectors.joining("; ")));
        return database && schema && flusher && refused.isEmpty() && conflict.isEmpty() && journal.isEmpty();
    }

    /** Ends readiness's report of a start without a journal, once an operator has looked into it. */
    private void acknowledgeJournalGap(Context ctx) {
        Optional<String> gap = counter.acknowledgeJournalGap();
        gap.ifPresent(acknowledged -> LOG.warn("User {} acknowledged: {}", Authentication.principal(ctx).name(),
                acknowledged));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("acknowledged", gap.isPresent());
        body.put("journalGap", gap.orElse(null));
        ctx.json(body);
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

    /** The failed-login throttles, for the administrator helping a locked-out user. */
    private void throttles(Context ctx) {
        List<Map<String, Object>> entries = new ArrayList<>();
        for (LoginThrottle.Entry entry : access.throttle().entries()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("address", entry.address());
            row.put("user", entry.user());
            row.put("failures", entry.failures());
            row.put("limit", entry.limit());
            row.put("retryAfterSeconds", (entry.retryAfter().toMillis() + 999) / 1000);
            entries.add(row);
        }
        ctx.json(Map.of("windowSeconds", LoginThrottle.WINDOW.toSeconds(), "throttles", entries));
    }

    /** Clears the throttles of one address (all its names, or {@code user}'s), or all of them. */
    private void clearThrottles(Context ctx) {
        Optional<String> address = QueryParameters.single(ctx, "address");
        Optional<String> user = QueryParameters.single(ctx, "user");
        if (user.isPresent() && address.isEmpty()) {
            throw new ApiException(400, "bad_request", "user", "user needs the address it is throttled from.");
        }
        int cleared = access.throttle().clear(address.orElse(null), user.orElse(null));
        LOG.warn("User {} cleared {} login throttle record(s) of {}{}.", Authentication.principal(ctx).name(),
                cleared, address.map(QueryParameters::echo).orElse("every address"),
                user.map(name -> " for user " + QueryParameters.echo(name)).orElse(""));
        ctx.json(Map.of("cleared", cleared));
    }

    /**
     * MI's count: {@code {"Year": 2026, "Month": 11, "TransactionCount": 1234}}. For the current month it includes
     * what this node counted and has not written yet, so the figure matches what MI showed.
     */
    private void miCount(Context ctx) {
        YearMonth current = counter.currentMonth();
        YearMonth month = QueryParameters.yearAndMonth(ctx, current);
        long total = counter.count(month, TransactionCounter.API_READ_WAIT).total()
                + importedTotal(Internals.imported(counter, month, month, TransactionCounter.API_READ_WAIT));
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
    private void miReport(Context ctx) {
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
    private void miTransactions(Context ctx) {
        String kind = ctx.pathParam("kind");
        if (kind.equalsIgnoreCase("count")) {
            miCount(ctx);
        } else if (kind.equalsIgnoreCase("report")) {
            miReport(ctx);
        } else {
            send(ctx, 404, "not_found", null, "No such endpoint: " + QueryParameters.echo(ctx.path())
                    + ". The endpoints are described in /openapi.json.");
        }
    }

    private static long importedTotal(List<ImportedMonth> imported) {
        return imported.stream().mapToLong(ImportedMonth::count).sum();
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
            long count = counts.get(transport);
            if (count > 0 || transport.alwaysReported()) {
                map.put(transport.name(), count);
            }
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
