package org.txcounter.service;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/** A backend on a loopback port that answers every request with 200 "ok", for the packaged-jar tests. */
public final class OkBackend implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads;
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();

    public OkBackend() throws IOException {
        this(8);
    }

    /**
     * @param threads the backend's handler threads; the JDK server drains a request's body on one of them after
     *                answering, so each slow upload holds one
     */
    public OkBackend(int threads) throws IOException {
        this.threads = Executors.newFixedThreadPool(threads);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(this.threads);
        server.createContext("/", exchange -> {
            requests.computeIfAbsent(exchange.getRequestURI().getPath(), path -> new LongAdder()).increment();
            byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    /** How many requests for exactly {@code path} were answered so far. */
    public long requests(String path) {
        LongAdder count = requests.get(path);
        return count == null ? 0 : count.sum();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
