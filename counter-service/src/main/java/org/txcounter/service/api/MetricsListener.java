package org.txcounter.service.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.service.config.MetricsConfig;
import org.txcounter.service.security.PasswordHashing;

/**
 * The optional metrics listener of {@code [metrics]}: {@code GET /metrics} in Prometheus' text format on a port of
 * its own, plain HTTP, so that a scraper needs no management account. Everything else answers 404; a method other
 * than GET or HEAD 405. With {@code username} and {@code password_hash} it asks for HTTP Basic credentials.
 *
 * <pre>{@code
 * MetricsListener metrics = MetricsListener.start(config.metrics(), counter);
 * ...
 * metrics.close();
 * }</pre>
 *
 * <p>One thread serves the requests, so scrapes are answered one at a time and a stream of wrong passwords costs
 * one PBKDF2 check at a time. The last credentials that matched are remembered as a SHA-256 digest, so a scraper
 * that sends the same header every 15 s pays for the PBKDF2 check once. {@link #close()} may be called from any
 * thread.
 */
public final class MetricsListener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsListener.class);
    private static final String PATH = "/metrics";

    private final HttpServer server;
    private final ExecutorService executor;
    private final CounterMetrics metrics;
    private final MetricsConfig config;
    /** SHA-256 of the last Authorization header that matched; confined to the one serving thread. */
    private byte[] verified;

    private MetricsListener(HttpServer server, ExecutorService executor, CounterMetrics metrics,
            MetricsConfig config) {
        this.server = server;
        this.executor = executor;
        this.metrics = metrics;
        this.config = config;
    }

    /** Binds and starts the listener; fails with a message naming the address when it cannot bind. */
    public static MetricsListener start(MetricsConfig config, CounterMetrics metrics) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 16);
        } catch (IOException e) {
            throw new IOException("Cannot listen for metrics on " + config.host() + ":" + config.port() + ": "
                    + e.getMessage() + ". Free the port or set [metrics] port in deployment.toml.", e);
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "txn-metrics-listener");
            thread.setDaemon(true);
            return thread;
        });
        MetricsListener listener = new MetricsListener(server, executor, metrics, config);
        server.setExecutor(executor);
        server.createContext("/", listener::handle);
        server.start();
        if (config.username().isEmpty() && !isLoopback(config.host())) {
            LOG.warn("[metrics] listens on {}:{} without authentication: anyone who reaches the port reads the "
                    + "counts. Set username and password_hash, or bind it to 127.0.0.1.", config.host(),
                    listener.port());
        }
        return listener;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals(PATH)) {
                send(exchange, 404, "Not found. The metrics listener serves GET " + PATH + " only.\n");
            } else if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "Method not allowed: " + PATH + " answers GET.\n");
            } else if (!authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"txcounter metrics\"");
                send(exchange, 401, "Unauthorized: send the [metrics] username and its password (HTTP Basic).\n");
            } else {
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                send(exchange, 200, metrics.scrape());
            }
        }
    }

    private boolean authorized(String header) {
        if (config.username().isEmpty()) {
            return true;
        }
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        byte[] digest = sha256(header);
        if (verified != null && MessageDigest.isEqual(verified, digest)) {
            return true;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0 || !decoded.substring(0, colon).equals(config.username().get())) {
            return false;
        }
        boolean matches = PasswordHashing.matches(decoded.substring(colon + 1).toCharArray(),
                config.passwordHash().get());
        if (matches) {
            verified = digest;
        } else {
            LOG.warn("Metrics scrape refused: wrong password for user {}.", config.username().get());
        }
        return matches;
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JDK has no SHA-256", e);
        }
    }

    private static boolean isLoopback(String host) {
        return host.equals("127.0.0.1") || host.equals("::1") || host.equals("localhost");
    }

    /** Stops listening; a scrape in progress gets up to a second to finish. */
    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }
}
