package org.txcounter.service;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A slow HTTP backend on a loopback socket for an inbound endpoint to forward to: each request takes
 * {@code delayMillis}; after the first {@code passing} requests every further one is held open (not answered)
 * until {@link #release()}, so that the messages being forwarded stay in flight for as long as a test needs.
 */
final class SlowBackend implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final long delayMillis;
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicInteger held = new AtomicInteger();
    private final Map<String, Integer> answered = new ConcurrentHashMap<>();
    private final Map<String, Integer> received = new ConcurrentHashMap<>();
    private final CountDownLatch gate = new CountDownLatch(1);
    private volatile int passing;

    SlowBackend(long delayMillis, int passing) throws IOException {
        this.delayMillis = delayMillis;
        this.passing = passing;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            received.merge(body, 1, Integer::sum);
            try {
                Thread.sleep(delayMillis);
                if (admitted.incrementAndGet() > this.passing) {
                    held.incrementAndGet();
                    gate.await();
                    held.decrementAndGet();
                    exchange.close();
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
            answered.merge(body, 1, Integer::sum);
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Held requests are dropped without an answer, and from now on every request is answered. */
    void release() {
        passing = Integer.MAX_VALUE;
        gate.countDown();
    }

    /** How many requests are being held open right now. */
    int held() {
        return held.get();
    }

    /** How many distinct bodies were answered with 200. */
    int answeredBodies() {
        return answered.size();
    }

    /** How many requests arrived for each body, answered or not. */
    Map<String, Integer> received() {
        return Map.copyOf(received);
    }

    @Override
    public void close() {
        gate.countDown();
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
