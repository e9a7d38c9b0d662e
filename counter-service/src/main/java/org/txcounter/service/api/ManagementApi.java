package org.txcounter.service.api;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.Header;
import java.time.Duration;
import java.util.List;
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
import org.txcounter.core.DatabaseStatus;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.store.MonthAlreadyClosedException;
import org.txcounter.core.store.StoreException;
import org.txcounter.service.config.ListenerLimits;
import org.txcounter.service.logging.LogBudget;
import org.txcounter.service.security.EnvelopeErrorHandler;
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
 * <p>This class is the server: the listener, the routing table ({@link #ROUTES}), the request envelope (ids, headers,
 * the access log) and the mapping of errors to the envelope. The handlers live in one class per resource family:
 * {@link CountRoutes} (counts, reports, nodes, days), {@link LedgerRoutes} (the ledger check), {@link HealthRoutes}
 * (readiness), {@link AdminRoutes} (who is asking, throttles, the journal gap), {@link MiRoutes} (MI's aliases)
 * and {@link StatementRoutes} (statements, month close, quota and forecast).
 *
 * <p>Thread-safe: Jetty calls the handlers from many threads; each resource class says what state it keeps.
 */
public final class ManagementApi {

    static final String REQUEST_ID = "X-Request-Id";
    /**
     * Every route: path, who may call it and its handler. All are GET but four POSTs: closing a month, resuming a
     * ledger check, clearing login throttles, acknowledging a start without a journal.
     */
    static final List<Route> ROUTES = List.of(
            new Route("/transaction/count", Access.VIEWER, api -> api.counts::count),
            new Route("/transaction/report", Access.VIEWER, api -> api.counts::report),
            new Route("/transaction/nodes", Access.VIEWER, api -> api.counts::nodes),
            new Route("/transaction/verify", Access.ADMIN, api -> api.ledger::verify),
            new Route("/transaction/verify/resume", Access.ADMIN, api -> api.ledger::verifyResume, HandlerType.POST),
            new Route("/transaction/verify/last", Access.VIEWER, api -> api.ledger::lastVerify),
            new Route("/transaction/daily", Access.VIEWER, api -> api.counts::daily),
            new Route("/user", Access.VIEWER, api -> AdminRoutes::user),
            new Route("/management/login", Access.LOGIN, api -> api.mi::miLogin),
            new Route("/management/logout", Access.VIEWER, api -> api.mi::miLogout),
            new Route("/management/throttles", Access.ADMIN, api -> api.admin::throttles),
            new Route("/management/throttles/clear", Access.ADMIN, api -> api.admin::clearThrottles,
                    HandlerType.POST),
            new Route("/management/journal-gap/acknowledge", Access.ADMIN, api -> api.admin::acknowledgeJournalGap,
                    HandlerType.POST),
            new Route(MiRoutes.TRANSACTIONS + "count", Access.VIEWER, api -> api.mi::miCount),
            new Route(MiRoutes.TRANSACTIONS + "report", Access.VIEWER, api -> api.mi::miReport),
            new Route("/health/live", Access.PUBLIC, api -> ctx -> ctx.json(Map.of("status", "UP"))),
            new Route("/health/ready", Access.VIEWER, api -> api.health::ready),
            new Route("/health/ready/probe", Access.PUBLIC, api -> api.health::readyProbe),
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
    private static final Pattern CLIENT_REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** Marks a response that already carries the envelope, so the 404/405 handlers leave it alone. */
    private static final String ENVELOPE_SENT = "txcounter.envelope";
    private static final String STARTED = "txcounter.started";

    private final CounterMetrics metrics;
    private final CountRoutes counts;
    private final LedgerRoutes ledger;
    private final HealthRoutes health;
    private final AdminRoutes admin;
    private final MiRoutes mi;
    private final StatementRoutes statements;

    private ManagementApi(TransactionCounter counter, ApiAccess access, CounterMetrics metrics, Billing billing) {
        this.metrics = metrics;
        this.counts = new CountRoutes(counter, billing);
        this.ledger = new LedgerRoutes(counter);
        this.health = new HealthRoutes(counter);
        this.admin = new AdminRoutes(counter, access);
        this.mi = new MiRoutes(counter, access);
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
                if (route.method().equals(HandlerType.POST)) {
                    config.routes.post(route.path(), handler, route.access());
                } else {
                    config.routes.get(route.path(), handler, route.access());
                    // HEAD is GET without the body, under the same access rule.
                    config.routes.head(route.path(), handler, route.access());
                }
            }
            // MI matched the last segment of these two without regard to case (/management/transactions/COUNT).
            config.routes.get(MiRoutes.TRANSACTIONS + "{kind}", api.mi::miTransactions, Access.VIEWER);
            config.routes.after(ManagementApi::end);
            config.routes.exception(ApiException.class, (e, ctx) -> send(ctx, e.status(), e.code(),
                    e.parameter(), e.getMessage()));
            config.routes.exception(CloseRefusedException.class, (e, ctx) -> send(ctx, 409, "not_ready", "month",
                    e.getMessage()));
            config.routes.exception(MonthAlreadyClosedException.class, (e, ctx) -> send(ctx, 409, "already_closed",
                    "month", e.getMessage()));
            config.routes.exception(StoreException.class, (e, ctx) -> {
                DatabaseStatus database = counter.databaseStatus();
                if (e instanceof StoreException.SchemaMismatchException) {
                    LOG.error("{} {} failed: {}", ctx.method(), ctx.path(), e.getMessage());
                    send(ctx, 503, "schema_mismatch", null, e.getMessage());
                } else if (database.state() == DatabaseStatus.State.SCHEMA_OUTDATED) {
                    // The read failed on a missing table or column: the schema check says why, and what fixes it.
                    LOG.error("{} {} failed: {} ({})", ctx.method(), ctx.path(), e.getMessage(), database.detail());
                    send(ctx, 503, "schema_mismatch", null, database.detail());
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

    private static boolean isEnvelope(Context ctx) {
        return ctx.attribute(ENVELOPE_SENT) != null;
    }

    private static void send(Context ctx, int status, String code, String parameter, String message) {
        ctx.attribute(ENVELOPE_SENT, Boolean.TRUE);
        ctx.status(status).json(ErrorEnvelope.of(status, code, parameter, message));
    }
}
