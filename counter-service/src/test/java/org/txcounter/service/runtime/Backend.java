package org.txcounter.service.runtime;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP backend on a loopback socket. It answers {@code echo:<path>:<body>} and remembers which bodies it
 * has seen; optionally it fails the first delivery of each body with a 500. Like a debug or httpbin-style
 * service, it echoes every {@code X-Txn-*} request header back as a response header named {@code Echo-<name>}.
 */
final class Backend implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(16);
    private final AtomicInteger handled = new AtomicInteger();
    private final Set<String> bodiesSeen = ConcurrentHashMap.newKeySet();
    private final Set<String> bodiesAccepted = ConcurrentHashMap.newKeySet();
    private final AtomicInteger duplicates = new AtomicInteger();
    private final AtomicInteger stampsSeen = new AtomicInteger();
    private volatile boolean failFirstAttempt;

    Backend() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String text = new String(body, StandardCharsets.UTF_8);
            int status = 200;
            if (failFirstAttempt && bodiesSeen.add(text)) {
                status = 500;
            } else if (!text.isEmpty() && !bodiesAccepted.add(text)) {
                duplicates.incrementAndGet();
            }
            if (exchange.getRequestHeaders().containsKey("X-Txn-Counter-Stamp")) {
                stampsSeen.incrementAndGet();
            }
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (name.toLowerCase(java.util.Locale.ROOT).startsWith("x-txn-")) {
                    exchange.getResponseHeaders().put("Echo-" + name, values);
                }
            });
            byte[] answer = ("echo:" + exchange.getRequestURI().getPath() + ":" + text)
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
            if (status == 200) {
                synchronized (this) {
                    handled.incrementAndGet();
                    notifyAll();
                }
            }
        });
        server.start();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    void failFirstAttemptOfEachBody() {
        failFirstAttempt = true;
    }

    int duplicates() {
        return duplicates.get();
    }

    /** How many requests reached this backend carrying a stamp header: none should, it is no node of ours. */
    int stampsSeen() {
        return stampsSeen.get();
    }

    int handled() {
        return handled.get();
    }

    /** Waits until {@code count} requests were answered with 200, or fails after the timeout. */
    synchronized void awaitHandled(int count, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (handled.get() < count) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new AssertionError("the backend handled " + handled.get() + " of " + count
                        + " requests within " + timeoutMillis + " ms");
            }
            wait(left);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
