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
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * <p>This JVM runs the node (its store thread writing an interval or an idle interval every minute, as in
 * production) with its management API on a generated self-signed certificate. The load comes from {@link Wrk} in
 * a process of its own, as a viewer with HTTP Basic, each connection sending one request after another; a Jetty
 * client that trusts exactly the generated certificate first reads each body once. Rates and latencies are wrk's;
 * responses other than 200 (503 when the database reads cannot keep up) are counted apart. Before measuring, the
 * database can be filled through the real store with {@code nodes} nodes writing {@code intervals} one-minute
 * intervals into each of the last 12 months (the rollup then holds nodes x 12 x 2 rows, HTTP and JMS).
 *
 * <p>Settings (system properties): {@code url}, {@code user}, {@code password} of the database (default: a new
 * embedded H2 file); {@code fill} (true: write the nodes' intervals first; the database must be empty of them),
 * {@code nodes} (100), {@code intervals} per node and month (3); {@code connections} (32), {@code threads} of wrk
 * (1), {@code seconds} per run (15), {@code warmup} seconds per endpoint (10), {@code rounds} (3, alternating the
 * endpoints).
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
        int threads = Integer.getInteger("threads", 1);
        int seconds = Integer.getInteger("seconds", 15);
        int warmup = Integer.getInteger("warmup", 10);
        int rounds = Integer.getInteger("rounds", 3);
        Path dataDir = Files.createTempDirectory("api-read-load");
        DataSourceConfig database = System.getProperty("url") == null
                ? DataSourceConfig.of(CounterConfig.DEFAULT_DATA_SOURCE_ID, "jdbc:h2:file:"
                        + dataDir.resolve("db").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0", "sa", "")
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
            HttpClient client = client(dataDir.resolve("node"));
            try {
                String base = "https://localhost:" + api.port();
                String count = base + "/transaction/count";
                String report = base + "/transaction/report?start=" + current.minusMonths(11) + "&end=" + current;
                System.out.printf("database %s; rollup of %s: %d rows; %d connections, %d s per run, %d rounds%n",
                        database.url(), current.minusMonths(11) + ".." + current,
                        counter.report(current.minusMonths(11), current).size(), connections, seconds, rounds);
                System.out.printf("count body %d bytes, report body %d bytes%n", body(client, count).length,
                        body(client, report).length);
                Wrk wrk = Wrk.locate(threads, connections).withHeader("Authorization: " + basic());
                wrk.run(count, warmup);
                wrk.run(report, warmup);
                List<Wrk.Result> counts = new ArrayList<>();
                List<Wrk.Result> reports = new ArrayList<>();
                for (int round = 1; round <= rounds; round++) {
                    boolean countFirst = round % 2 == 1;
                    for (int side = 0; side < 2; side++) {
                        boolean isCount = (side == 0) == countFirst;
                        Wrk.Result result = wrk.run(isCount ? count : report, seconds);
                        (isCount ? counts : reports).add(result);
                        System.out.printf("round %d %-8s %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  (%d sent, %d not "
                                + "answered 200)%n", round, isCount ? "count" : "report", result.requestsPerSecond(),
                                result.p50Micros() / 1_000, result.p99Micros() / 1_000, result.requests(),
                                result.failed());
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

    /** A Jetty client trusting exactly the API's generated certificate. */
    private static HttpClient client(Path dataDir) throws Exception {
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
        client.start();
        return client;
    }

    /** The body of one GET of {@code url} as the viewer, which must be answered 200. */
    private static byte[] body(HttpClient client, String url) throws Exception {
        ContentResponse response = client.newRequest(url).headers(h -> h.put("Authorization", basic())).send();
        if (response.getStatus() != 200) {
            throw new IllegalStateException(url + " answered " + response.getStatus() + ": "
                    + response.getContentAsString());
        }
        return response.getContent();
    }

    private static String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((VIEWER + ":" + VIEWER_PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
    }

    private static void summary(String name, List<Wrk.Result> results) {
        double[] perSecond = results.stream().mapToDouble(Wrk.Result::requestsPerSecond).toArray();
        double[] p99 = results.stream().mapToDouble(Wrk.Result::p99Micros).toArray();
        double[] p50 = results.stream().mapToDouble(Wrk.Result::p50Micros).toArray();
        long failed = results.stream().mapToLong(Wrk.Result::failed).sum();
        long sent = results.stream().mapToLong(Wrk.Result::requests).sum();
        System.out.printf("median of %d runs, %-6s: %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  (%.2f %% not 200)%n",
                results.size(), name, PassthroughLoad.median(perSecond), PassthroughLoad.median(p50) / 1_000,
                PassthroughLoad.median(p99) / 1_000, 100.0 * failed / sent);
    }
}
