package org.txcounter.loadtests;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.service.config.ListenerLimits;
import org.txcounter.service.config.RuntimeConfig;
import org.txcounter.service.runtime.IntegrationRuntime;
import org.txcounter.service.runtime.RoutingStats;

/**
 * The passthrough's CPU cost of the counter: CPU time of the runtime process per 100,000 proxied requests, with
 * the counter and without it, alternating in one run.
 *
 * <p>The driver JVM runs the Jetty backend of {@link PassthroughLoad} and the load client. Each side's integration
 * runtime runs in a {@link ChildJvm} of its own: one with the counting filter, stamping and an embedded H2 ledger,
 * one with counting disabled (its counter open but not given to the runtime, as {@code serve} does with
 * {@code enable = false}). Each round sends exactly {@code requests} GET requests to each side, over
 * {@code connections} keep-alive connections, each sending its next request when it has read the previous
 * response, in slices in which the sides take turns ({@link CpuComparison#measure}). The CPU time the operating
 * system accounted to the side's process over its slices is its cost. At the end both children stop, and their ledgers
 * are read back: the counting side must have counted exactly the requests sent to it (warm-up included), the plain side
 * none.
 *
 * <p>Settings (system properties): {@code rounds} (default 10), {@code warmup} rounds before them (2),
 * {@code requests} per side and round (100000), {@code slices} per round (10), {@code connections} (32),
 * {@code childJvm} (see {@link ChildJvm}).
 */
public final class PassthroughCpuLoad {

    private static final String PATH = "/orders/42";

    private PassthroughCpuLoad() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("rounds", 10);
        int warmupRounds = Integer.getInteger("warmup", 2);
        int requests = Integer.getInteger("requests", 100_000);
        int connections = Integer.getInteger("connections", 32);
        Path dataDir = Files.createTempDirectory("passthrough-cpu-load");
        Server backend = PassthroughLoad.backend();
        String backendUri = "http://127.0.0.1:" + ((ServerConnector) backend.getConnectors()[0]).getLocalPort()
                + "/";
        int slices = Integer.getInteger("slices", 10);
        CpuComparison comparison = new CpuComparison("requests", requests, slices);
        long sentCounting = (long) requests * (warmupRounds + rounds);
        try (ChildJvm counting = ChildJvm.start("with counter", RuntimeChild.class, dataDir.resolve("counted"),
                "counting", backendUri, dataDir.resolve("counted").toString());
                ChildJvm plain = ChildJvm.start("without counter", RuntimeChild.class, dataDir.resolve("plain"),
                        "plain", backendUri, dataDir.resolve("plain").toString())) {
            int countingPort = Integer.parseInt(counting.call("port"));
            int plainPort = Integer.parseInt(plain.call("port"));
            System.out.printf("%,d requests per side and round in %d slices, over %d connections; %d warm-up "
                    + "rounds, %d measured rounds%n", requests, slices, connections, warmupRounds, rounds);
            comparison.run(counting, plain, warmupRounds, rounds, (withCounter, units) -> {
            }, (withCounter, units) -> Client.run(withCounter ? countingPort : plainPort, units, connections));
            counting.stop();
            plain.stop();
        } finally {
            backend.stop();
        }
        comparison.print();
        comparison.exitOnExactness(sentCounting, RuntimeChild.counted(dataDir.resolve("counted")),
                RuntimeChild.counted(dataDir.resolve("plain")));
    }

    /**
     * A child: one integration runtime that proxies every path to the backend, with its counter's ingress when
     * counting, and its counter open either way. Arguments: {@code counting|plain}, the backend's URI, the data
     * directory. Commands: {@code port} (the passthrough's port), {@code stop}.
     */
    public static final class RuntimeChild {

        private RuntimeChild() {
        }

        public static void main(String[] args) throws Exception {
            boolean countingSide = args[0].equals("counting");
            Path dataDir = Path.of(args[2]);
            RuntimeConfig runtimeConfig = runtimeConfig(URI.create(args[1]));
            try (TransactionCounter counter = TransactionCounter.open(counterConfig(dataDir),
                    Clock.systemUTC());
                    IntegrationRuntime runtime = IntegrationRuntime.start(runtimeConfig,
                            ListenerLimits.PASSTHROUGH_DEFAULTS,
                            countingSide ? Optional.of(counter.ingress()) : Optional.empty(), dataDir,
                            new RoutingStats())) {
                ChildJvm.serve(countingSide ? "counting" : "counting disabled", command -> switch (command) {
                    case "port" -> String.valueOf(runtime.passthroughPort());
                    case ChildJvm.STOP -> "stopping";
                    default -> throw new IllegalArgumentException("unknown command: " + command);
                });
            }
        }

        private static RuntimeConfig runtimeConfig(URI backend) {
            return new RuntimeConfig("127.0.0.1", 0,
                    List.of(new RuntimeConfig.Route("/", Optional.of(backend), Optional.empty())),
                    Optional.empty(), 0, List.of());
        }

        private static CounterConfig counterConfig(Path dataDir) {
            return CounterConfig.builder()
                    .dataSource(CounterConfig.embeddedDataSource(dataDir))
                    .dataDir(dataDir)
                    .nodeId("load-" + dataDir.getFileName())
                    .build();
        }

        /** The HTTP transactions of this month in the ledger of a stopped child's data directory. */
        static long counted(Path dataDir) throws Exception {
            try (TransactionCounter counter = TransactionCounter.open(counterConfig(dataDir),
                    Clock.systemUTC())) {
                YearMonth month = counter.currentMonth();
                return counter.count(month).counts().get(Transport.HTTP);
            }
        }
    }

    /**
     * A closed-loop HTTP/1.1 load client: a fixed number of GET requests over keep-alive connections, each
     * connection on a thread of its own sending its next request once it has read the previous response whole.
     * Every response must be a 200 on a connection that stays open.
     */
    static final class Client {

        private Client() {
        }

        /** Sends exactly {@code requests} requests to {@code port} and returns when every response was read. */
        static void run(int port, int requests, int connections) throws Exception {
            byte[] request = ("GET " + PATH + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAccept: */*\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            ExecutorService threads = Executors.newFixedThreadPool(connections);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < connections; c++) {
                    int share = requests / connections + (c < requests % connections ? 1 : 0);
                    done.add(threads.submit(() -> {
                        connection(port, request, share);
                        return null;
                    }));
                }
                for (Future<?> connection : done) {
                    connection.get();
                }
            } finally {
                threads.shutdownNow();
            }
        }

        private static void connection(int port, byte[] request, int count) throws IOException {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setTcpNoDelay(true);
                OutputStream out = socket.getOutputStream();
                InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
                for (int i = 0; i < count; i++) {
                    out.write(request);
                    readResponse(in, port);
                }
            }
        }

        private static void readResponse(InputStream in, int port) throws IOException {
            String status = line(in);
            if (!status.startsWith("HTTP/1.1 200 ")) {
                throw new IOException("port " + port + " answered '" + status + "' instead of 200");
            }
            long length = -1;
            boolean chunked = false;
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                String lower = header.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(lower.substring("content-length:".length()).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                } else if (lower.startsWith("connection:") && lower.contains("close")) {
                    throw new IOException("port " + port + " closes the connection after a response (" + header
                            + "); the client needs keep-alive");
                }
            }
            if (chunked) {
                for (long size = Long.parseLong(line(in).split(";")[0].trim(), 16); size > 0;
                        size = Long.parseLong(line(in).split(";")[0].trim(), 16)) {
                    skip(in, size);
                    line(in);
                }
                while (!line(in).isEmpty()) {
                    // trailers
                }
            } else if (length >= 0) {
                skip(in, length);
            } else {
                throw new IOException("port " + port + " answered without Content-Length or chunked encoding");
            }
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder(64);
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("the connection closed in the middle of a response");
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }

        private static void skip(InputStream in, long bytes) throws IOException {
            for (long left = bytes; left > 0; left--) {
                if (in.read() < 0) {
                    throw new IOException("the connection closed in the middle of a response body");
                }
            }
        }
    }
}
