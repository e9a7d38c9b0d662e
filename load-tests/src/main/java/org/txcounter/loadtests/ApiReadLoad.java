package org.txcounter.loadtests;

import io.javalin.Javalin;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounts;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.interval.IntervalSummary;
import org.txcounter.core.store.CounterStore;
import org.txcounter.core.store.StoreException;
import org.txcounter.service.api.ApiAccess;
import org.txcounter.service.config.ManagementSecurity;
import org.txcounter.service.config.SecretStore;
import org.txcounter.service.config.ServiceConfig;
import org.txcounter.service.api.CounterMetrics;
import org.txcounter.service.api.ManagementApi;
import org.txcounter.service.runtime.RoutingStats;
import org.txcounter.service.security.ManagementTls;
import org.txcounter.service.security.PasswordHashing;
import org.txcounter.service.security.SelfSignedCertificate;
import org.txcounter.service.statement.Billing;

/**
 * Requests per second and latency of {@code /transaction/count} and a 12-month {@code /transaction/report} over
 * TLS, with N client connections kept open, against the management API of a counting node on a given database.
 *
 * <p>One JVM runs the node (its store thread writing an interval or an idle interval every minute, as in
 * production) with its management API on a generated self-signed certificate, and a Jetty client that trusts
 * that certificate. Each of the N client threads sends one request after another on its own connection, as a viewer
 * with HTTP Basic. Rates and latencies are of the requests answered 200; the others (503 when the database reads
 * cannot keep up) are counted apart. Before measuring, the database can be filled through the real store
 * with {@code nodes} nodes writing {@code intervals} one-minute intervals into each of the last 12 months (the
 * rollup then holds nodes x 12 x 2 rows, HTTP and JMS).
 *
 * <p>Settings (system properties): {@code url}, {@code user}, {@code password} of the database (default: a new
 * embedded H2 file); {@code fill} (true: write the nodes' intervals first; the database must be empty of them),
 * {@code nodes} (100), {@code intervals} per node and month (3); {@code connections} (32), {@code seconds} per run
 * (15), {@code warmup} seconds per endpoint (10), {@code rounds} (3, alternating the endpoints).
 */
public final class ApiReadLoad {

    private static final String VIEWER = "load-viewer";
    private static final String VIEWER_PASSWORD = "load viewer password";
    private static final byte[] LEDGER_KEY = "the ledger key of the read load deployment".getBytes(
            StandardCharsets.UTF_8);

    private ApiReadLoad() {
    }

    public static void main(String[] args) throws Exception {
        int nodes = Integer.getInteger("nodes", 100);
        int intervals = Integer.getInteger("intervals", 3);
        int connections = Integer.getInteger("connections", 32);
        int seconds = Integer.getInteger("seconds", 15);
        int warmup = Integer.getInteger("warmup", 10);
        int rounds = Integer.getInteger("rounds", 3);
        Path dataDir = Files.createTempDirectory("api-read-load");
        DataSourceConfig database = System.getProperty("url") == null
                ? DataSourceConfig.of(CounterConfig.DEFAULT_DATA_SOURCE_ID, "jdbc:h2:file:"
                        + dataDir.resolve("db").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE", "sa", "")
                : DataSourceConfig.of(CounterConfig.DEFAULT_DATA_SOURCE_ID, System.getProperty("url"),
                        System.getProperty("user", ""), System.getProperty("password", ""));
        CounterConfig config = CounterConfig.builder().dataSource(database).dataDir(dataDir.resolve("node"))
                .nodeId("api-node").ledgerKey(LEDGER_KEY).billingZone(ZoneOffset.UTC).build();
        YearMonth current = YearMonth.now(ZoneOffset.UTC);
        if (Boolean.getBoolean("fill")) {
            fill(database, config, nodes, intervals, current);
        }

        try (TransactionCounter counter = TransactionCounter.start(config, Clock.systemUTC())) {
            awaitConnected(counter);
            Javalin api = startApi(counter, config, dataDir.resolve("node"));
            HttpClient client = client(dataDir.resolve("node"), connections);
            try {
                String base = "https://localhost:" + api.port();
                String count = base + "/transaction/count";
                String report = base + "/transaction/report?start=" + current.minusMonths(11) + "&end=" + current;
                System.out.printf("database %s; rollup of %s: %d rows; %d connections, %d s per run, %d rounds%n",
                        database.url(), current.minusMonths(11) + ".." + current,
                        counter.report(current.minusMonths(11), current).size(), connections, seconds, rounds);
                System.out.printf("count body %d bytes, report body %d bytes%n",
                        client.newRequest(count).headers(h -> h.put("Authorization", basic())).send()
                                .getContent().length,
                        client.newRequest(report).headers(h -> h.put("Authorization", basic())).send()
                                .getContent().length);
                run(client, count, connections, warmup);
                run(client, report, connections, warmup);
                List<Result> counts = new ArrayList<>();
                List<Result> reports = new ArrayList<>();
                for (int round = 1; round <= rounds; round++) {
                    boolean countFirst = round % 2 == 1;
                    for (int side = 0; side < 2; side++) {
                        boolean isCount = (side == 0) == countFirst;
                        Result result = run(client, isCount ? count : report, connections, seconds);
                        (isCount ? counts : reports).add(result);
                        System.out.printf("round %d %-8s %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  (%d answered 200, "
                                + "%d not)%n", round, isCount ? "count" : "report", result.perSecond(),
                                result.p50Millis(), result.p99Millis(), result.requests(), result.failed());
                    }
                }
                summary("count", counts);
                summary("report", reports);
            } finally {
                client.stop();
                api.stop();
            }
        }
        System.exit(0);
    }

    /** The last 12 months of {@code nodes} nodes, {@code intervals} one-minute intervals each, written by the store. */
    private static void fill(DataSourceConfig database, CounterConfig config, int nodes, int intervals,
            YearMonth current) {
        long started = System.nanoTime();
        try (CounterStore store = CounterStore.open(database, Clock.systemUTC(),
                Internals.ledgerKeys(config).current())) {
            store.requireCurrentSchema();
            for (int n = 1; n <= nodes; n++) {
                String node = String.format("load-node-%03d", n);
                if (store.registerNode(node) != 0) {
                    throw new IllegalStateException("Node " + node + " has written to " + database.url()
                            + " before: fill an empty database, or run without -Dfill=true.");
                }
                long seq = 0;
                for (int m = 11; m >= 0; m--) {
                    YearMonth month = current.minusMonths(m);
                    Instant start = month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(3_600);
                    for (int i = 0; i < intervals; i++) {
                        Instant from = start.plus(Duration.ofMinutes(i));
                        store.write(new IntervalSummary(node, ++seq, from, from.plusSeconds(60), month,
                                TransportCounts.of(Map.of(Transport.HTTP, 1_000L + n + i, Transport.JMS,
                                        100L + m))));
                    }
                }
            }
        }
        System.out.printf("filled %d nodes x 12 months x %d intervals in %.1f s%n", nodes, intervals,
                (System.nanoTime() - started) / 1e9);
    }

    private static void awaitConnected(TransactionCounter counter) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!counter.connected()) {
            if (System.nanoTime() > deadline) {
                throw new StoreException("The counter did not connect within 60 s: "
                        + counter.databaseStatus().detail());
            }
            Thread.sleep(100);
        }
    }

    private static Javalin startApi(TransactionCounter counter, CounterConfig config, Path dataDir) {
        List<ManagementSecurity.User> users = List.of(new ManagementSecurity.User(VIEWER,
                PasswordHashing.hash(VIEWER_PASSWORD.toCharArray()), ManagementSecurity.Role.VIEWER));
        ManagementSecurity security = new ManagementSecurity(true, Optional.empty(), Optional.empty(), users,
                ManagementSecurity.DEFAULT_TOKEN_LIFETIME);
        ServiceConfig service = ServiceConfig.defaults(config);
        Billing billing = Billing.create(service, counter,
                SecretStore.openOrCreate(dataDir.resolve("secret-store.p12"), name -> null), Clock.systemUTC());
        return ManagementApi.create(counter, ApiAccess.of(users, security, Clock.systemUTC()),
                ManagementApi.Listener.tls("127.0.0.1", 0, ManagementTls.contextFactory(security, dataDir,
                        "localhost")).withLimits(service.managementLimits()),
                new CounterMetrics(counter, new RoutingStats(), billing), billing).start();
    }

    /** A Jetty client trusting exactly the API's generated certificate, with one connection per client thread. */
    private static HttpClient client(Path dataDir, int connections) throws Exception {
        Path file = dataDir.resolve(ManagementTls.GENERATED_KEYSTORE);
        String password = Files.readString(file.resolveSibling(file.getFileName() + ".password"),
                StandardCharsets.UTF_8).trim();
        KeyStore generated = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            generated.load(in, password.toCharArray());
        }
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("api", generated.getCertificate(SelfSignedCertificate.ALIAS));
        SslContextFactory.Client tls = new SslContextFactory.Client();
        tls.setTrustStore(trusted);
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(tls);
        HttpClient client = new HttpClient(new HttpClientTransportOverHTTP(connector));
        client.setMaxConnectionsPerDestination(connections);
        client.setMaxRequestsQueuedPerDestination(connections * 4);
        client.start();
        return client;
    }

    private static String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((VIEWER + ":" + VIEWER_PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** {@code connections} threads sending {@code url} one request after another for {@code seconds}. */
    private static Result run(HttpClient client, String url, int connections, int seconds) throws Exception {
        String authorization = basic();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long[][] latencies = new long[connections][];
        int[] done = new int[connections];
        AtomicLong failures = new AtomicLong();
        List<String> failed = new ArrayList<>();
        CountDownLatch finished = new CountDownLatch(connections);
        long started = System.nanoTime();
        for (int t = 0; t < connections; t++) {
            int thread = t;
            Thread worker = new Thread(() -> {
                long[] mine = new long[1 << 16];
                int n = 0;
                try {
                    while (System.nanoTime() < end) {
                        long sent = System.nanoTime();
                        ContentResponse response = client.newRequest(url)
                                .headers(headers -> headers.put("Authorization", authorization)).send();
                        long took = System.nanoTime() - sent;
                        if (response.getStatus() != 200) {
                            if (failures.incrementAndGet() == 1) {
                                synchronized (failed) {
                                    failed.add(response.getStatus() + " " + response.getContentAsString());
                                }
                            }
                            continue;
                        }
                        if (n == mine.length) {
                            mine = Arrays.copyOf(mine, n * 2);
                        }
                        mine[n++] = took;
                    }
                } catch (Exception e) {
                    failures.incrementAndGet();
                    synchronized (failed) {
                        failed.add(e.toString());
                    }
                } finally {
                    latencies[thread] = mine;
                    done[thread] = n;
                    finished.countDown();
                }
            }, "load-" + t);
            worker.start();
        }
        finished.await();
        double elapsed = (System.nanoTime() - started) / 1e9;
        if (failures.get() > 0) {
            System.out.printf("%d request(s) to %s did not answer 200; the first: %s%n", failures.get(), url,
                    failed.get(0));
        }
        int total = Arrays.stream(done).sum();
        long[] all = new long[total];
        int at = 0;
        for (int t = 0; t < connections; t++) {
            System.arraycopy(latencies[t], 0, all, at, done[t]);
            at += done[t];
        }
        Arrays.sort(all);
        if (total == 0) {
            return new Result(0, failures.get(), 0, Double.NaN, Double.NaN);
        }
        return new Result(total, failures.get(), total / elapsed, all[(int) (total * 0.50)] / 1e6,
                all[Math.min(total - 1, (int) (total * 0.99))] / 1e6);
    }

    private static void summary(String name, List<Result> results) {
        double[] perSecond = results.stream().mapToDouble(Result::perSecond).toArray();
        double[] p99 = results.stream().mapToDouble(Result::p99Millis).toArray();
        double[] p50 = results.stream().mapToDouble(Result::p50Millis).toArray();
        long failed = results.stream().mapToLong(Result::failed).sum();
        long answered = results.stream().mapToLong(Result::requests).sum();
        System.out.printf("median of %d runs, %-6s: %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  (%.2f %% not 200)%n",
                results.size(), name, PassthroughLoad.median(perSecond), PassthroughLoad.median(p50),
                PassthroughLoad.median(p99), 100.0 * failed / (failed + answered));
    }

    /** Answered with 200 ({@code requests}, their rate and latency) and not ({@code failed}, e.g. 503). */
    private record Result(long requests, long failed, double perSecond, double p50Millis, double p99Millis) {
    }
}
