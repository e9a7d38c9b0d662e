package org.txcounter.loadtests;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.service.config.ListenerLimits;
import org.txcounter.service.config.RuntimeConfig;
import org.txcounter.service.runtime.IntegrationRuntime;
import org.txcounter.service.runtime.RoutingStats;

/**
 * Passthrough throughput and p99 latency with the counter and without it, measured in one run with wrk.
 *
 * <p>One JVM runs a Jetty backend and two integration runtimes that proxy every path to it: one with the counting
 * filter and an embedded H2 ledger, one with counting disabled. wrk drives each runtime in turn, alternating the
 * order every round so that drift of the machine falls on both sides. At the end the counted total is read back
 * from the ledger and checked against what wrk completed: every completed request is counted, and at most the
 * requests still open when a wrk run stopped (connections × runs) are counted on top.
 *
 * <p>Settings (system properties): {@code rounds} (default 7), {@code seconds} per wrk run (15),
 * {@code connections} (32), {@code threads} for wrk (1), {@code warmup} seconds per runtime and pass (20, two passes).
 */
public final class PassthroughLoad {

    private static final byte[] BODY = "{\"status\":\"ok\",\"items\":[1,2,3]}".getBytes(StandardCharsets.UTF_8);

    private PassthroughLoad() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("rounds", 7);
        int seconds = Integer.getInteger("seconds", 15);
        int connections = Integer.getInteger("connections", 32);
        int threads = Integer.getInteger("threads", 1);
        int warmup = Integer.getInteger("warmup", 20);
        Wrk wrk = Wrk.locate(threads, connections);

        Path dataDir = Files.createTempDirectory("passthrough-load");
        Server backend = backend();
        URI backendUri = URI.create("http://127.0.0.1:" + ((ServerConnector) backend.getConnectors()[0])
                .getLocalPort() + "/");
        RuntimeConfig runtimeConfig = new RuntimeConfig("127.0.0.1", 0,
                List.of(new RuntimeConfig.Route("/", Optional.of(backendUri), Optional.empty())),
                Optional.empty(), 0, List.of());
        CounterConfig counterConfig = CounterConfig.builder()
                .dataSource(CounterConfig.embeddedDataSource(dataDir.resolve("counted")))
                .dataDir(dataDir.resolve("counted"))
                .nodeId("load-counted")
                .build();

        List<Wrk.Result> withCounter = new ArrayList<>();
        List<Wrk.Result> without = new ArrayList<>();
        long counted;
        YearMonth month;
        try (TransactionCounter counter = TransactionCounter.open(counterConfig, Clock.systemUTC());
                IntegrationRuntime counting = IntegrationRuntime.start(runtimeConfig,
                        ListenerLimits.PASSTHROUGH_DEFAULTS, Optional.of(counter.ingress()),
                        dataDir.resolve("counted"), new RoutingStats());
                IntegrationRuntime plain = IntegrationRuntime.start(runtimeConfig,
                        ListenerLimits.PASSTHROUGH_DEFAULTS, Optional.empty(), dataDir.resolve("plain"),
                        new RoutingStats())) {
            month = counter.currentMonth();
            String countingUrl = "http://127.0.0.1:" + counting.passthroughPort() + "/orders/42";
            String plainUrl = "http://127.0.0.1:" + plain.passthroughPort() + "/orders/42";

            System.out.printf("wrk: %d thread(s), %d connections, %d s per run, %d rounds per side%n", threads,
                    connections, seconds, rounds);
            // The JIT needs a while to settle on the proxy path: warm both sides twice, alternating.
            List<Wrk.Result> warmCounting = new ArrayList<>();
            for (int pass = 1; pass <= 2; pass++) {
                Wrk.Result countingRun = wrk.run(countingUrl, warmup);
                Wrk.Result plainResult = wrk.run(plainUrl, warmup);
                warmCounting.add(countingRun);
                System.out.printf("warm-up %d: with counter %.0f req/s, without %.0f req/s%n", pass,
                        countingRun.requestsPerSecond(), plainResult.requestsPerSecond());
            }

            for (int round = 1; round <= rounds; round++) {
                boolean countingFirst = round % 2 == 1;
                for (int side = 0; side < 2; side++) {
                    boolean withCounting = (side == 0) == countingFirst;
                    Wrk.Result result = wrk.run(withCounting ? countingUrl : plainUrl, seconds);
                    result.requireAllSucceeded();
                    (withCounting ? withCounter : without).add(result);
                    System.out.printf("round %d %-16s %10.0f req/s  p99 %8.2f ms  (%d requests)%n", round,
                            withCounting ? "with counter" : "without counter", result.requestsPerSecond(),
                            result.p99Micros() / 1000.0, result.requests());
                }
            }
            // The warm-up ran through the counting runtime too: its requests are part of the counted total.
            withCounter.addAll(0, warmCounting);
        }
        try (TransactionCounter reopened = TransactionCounter.open(counterConfig, Clock.systemUTC())) {
            counted = reopened.count(month).counts().get(Transport.HTTP);
        } finally {
            backend.stop();
        }

        long completed = withCounter.stream().mapToLong(Wrk.Result::requests).sum();
        long openAtStop = (long) connections * withCounter.size();
        List<Wrk.Result> measured = withCounter.subList(2, withCounter.size());
        Summary summary = new Summary(measured, without);
        summary.print();
        System.out.printf("counted by the ledger: %d; wrk completed %d through the counting runtime "
                + "(bound: %d..%d, the upper end adds %d connections x %d runs still open when wrk stopped)%n",
                counted, completed, completed, completed + openAtStop, connections, withCounter.size());
        if (counted < completed || counted > completed + openAtStop) {
            System.out.println("FAILED: the counted total is outside the bound.");
            System.exit(1);
        }
        System.out.println("OK: every completed request was counted, none twice.");
        System.exit(0);
    }

    /** A backend that answers every request with a small JSON body, with no per-request work of its own. */
    static Server backend() throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(64, 8);
        pool.setName("backend");
        Server server = new Server(pool);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, BODY.length);
                response.write(true, ByteBuffer.wrap(BODY), callback);
                return true;
            }
        });
        server.start();
        return server;
    }

    /** Medians of both sides and their ratio. */
    private record Summary(List<Wrk.Result> withCounter, List<Wrk.Result> without) {
        void print() {
            double rpsWith = median(withCounter.stream().mapToDouble(Wrk.Result::requestsPerSecond).toArray());
            double rpsWithout = median(without.stream().mapToDouble(Wrk.Result::requestsPerSecond).toArray());
            double p99With = median(withCounter.stream().mapToDouble(Wrk.Result::p99Micros).toArray()) / 1000.0;
            double p99Without = median(without.stream().mapToDouble(Wrk.Result::p99Micros).toArray()) / 1000.0;
            System.out.printf("median throughput: with counter %.0f req/s, without %.0f req/s, ratio %.4f "
                    + "(cost %.2f%%)%n", rpsWith, rpsWithout, rpsWith / rpsWithout,
                    (1 - rpsWith / rpsWithout) * 100);
            double[] paired = new double[withCounter.size()];
            for (int i = 0; i < paired.length; i++) {
                paired[i] = withCounter.get(i).requestsPerSecond() / without.get(i).requestsPerSecond();
            }
            System.out.printf("median of the per-round throughput ratios (with / without, same round): %.4f%n",
                    median(paired));
            System.out.printf("median p99 latency: with counter %.2f ms, without %.2f ms, ratio %.4f%n", p99With,
                    p99Without, p99With / p99Without);
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
