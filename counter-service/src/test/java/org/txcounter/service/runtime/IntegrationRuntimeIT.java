package org.txcounter.service.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSProducer;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.JMSSecurityRuntimeException;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import jakarta.jms.TextMessage;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.activemq.artemis.api.core.management.ResourceNames;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.jms.client.ActiveMQMessage;
import org.apache.activemq.artemis.utils.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.txcounter.core.MutableClock;
import org.txcounter.core.OwnDestinations;
import org.txcounter.core.StampVerdict;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.config.DedupeConfig;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.stamp.StampAuthority;
import org.txcounter.service.config.ListenerLimits;
import org.txcounter.service.config.RuntimeConfig;
import org.txcounter.service.security.SelfSignedCertificate;

/**
 * The runtime end to end: real sockets, a real backend, the embedded Artemis broker, real H2 databases. Every
 * scenario asserts the exact number counted.
 */
class IntegrationRuntimeIT {

    private static final byte[] SECRET = "a-deployment-secret-of-32-bytes!!".getBytes(StandardCharsets.US_ASCII);
    private static final long TIMEOUT_MS = 120_000;
    /** The runtime's own broker login, configured on every node (the embedded broker's and its clients'). */
    private static final RuntimeConfig.Login RUNTIME = new RuntimeConfig.Login("it-runtime", "it-runtime-password");
    /** An outside producer's login: it may send to the inbound endpoints' queues and nothing else. */
    private static final RuntimeConfig.Login PRODUCER = new RuntimeConfig.Login("it-producer", "it-producer-password");

    @TempDir
    Path tempDir;

    private final MutableClock clock = MutableClock.at("2026-11-24T10:00:00Z");
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Backend backend;

    @BeforeEach
    void startBackend() throws IOException {
        backend = new Backend();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        backend.close();
    }

    private TransactionCounter counter(String nodeId, boolean httpChaining) {
        DataSourceConfig database = CounterConfig.embeddedDataSource(tempDir.resolve("shared-db"));
        TransactionCounter counter = TransactionCounter.open(CounterConfig.builder()
                .dataSource(database)
                .dataDir(tempDir.resolve(nodeId))
                .nodeId(nodeId)
                .dedupe(new DedupeConfig("it", Optional.of(SECRET), Duration.ofHours(1), httpChaining, 100_000))
                .build(), clock);
        opened.add(counter);
        return counter;
    }

    private IntegrationRuntime runtime(TransactionCounter counter, RuntimeConfig config) throws Exception {
        IntegrationRuntime runtime = IntegrationRuntime.start(config, ListenerLimits.PASSTHROUGH_DEFAULTS,
                Optional.of(counter.ingress()), tempDir.resolve(counter.nodeId()), new RoutingStats());
        opened.add(runtime);
        return runtime;
    }

    private static RuntimeConfig.Route proxy(String prefix, URI backend) {
        return new RuntimeConfig.Route(prefix, Optional.of(backend), Optional.empty());
    }

    private static RuntimeConfig.Route async(String prefix, String queue) {
        return new RuntimeConfig.Route(prefix, Optional.empty(), Optional.of(queue));
    }

    private static RuntimeConfig.InboundEndpoint toHttp(String queue, URI target) {
        return new RuntimeConfig.InboundEndpoint(queue + "-in", queue, Optional.of(target), Optional.empty(), 4);
    }

    private static RuntimeConfig config(List<RuntimeConfig.Route> routes, Optional<String> brokerUrl, int brokerPort,
            List<RuntimeConfig.InboundEndpoint> endpoints) {
        return config(routes, brokerUrl, brokerPort, endpoints, OwnDestinations.none());
    }

    private static RuntimeConfig config(List<RuntimeConfig.Route> routes, Optional<String> brokerUrl, int brokerPort,
            List<RuntimeConfig.InboundEndpoint> endpoints, OwnDestinations own) {
        return new RuntimeConfig("127.0.0.1", 0, routes, brokerUrl, brokerPort, endpoints, own, Optional.of(RUNTIME),
                List.of(PRODUCER), Optional.empty(), RuntimeConfig.DEFAULT_MAX_MESSAGE_SIZE,
                RuntimeConfig.BrokerLimits.DEFAULTS);
    }

    private static ActiveMQConnectionFactory connect(int brokerPort, RuntimeConfig.Login login) {
        return new ActiveMQConnectionFactory("tcp://127.0.0.1:" + brokerPort, login.user(), login.password());
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    private long pending(TransactionCounter counter, Transport transport) {
        return counter.meter().pending().get(transport);
    }

    /** Sends {@code total} requests from {@code clients} concurrent clients; returns how many got the echo. */
    private int send(int port, String path, String method, int total, int clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                results.add(pool.submit(() -> {
                    int ok = 0;
                    for (int i = client; i < total; i += clients) {
                        String body = "request-" + i;
                        HttpRequest.Builder request = HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + path + "/item/" + i));
                        request = method.equals("POST")
                                ? request.POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type",
                                        "text/plain")
                                : request.GET();
                        HttpResponse<String> response = this.client.send(request.build(),
                                HttpResponse.BodyHandlers.ofString());
                        if ((method.equals("POST") && response.statusCode() == 202)
                                || (response.statusCode() == 200 && response.body().equals(
                                        "echo:/backend/item/" + i + ":"))) {
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            int ok = 0;
            for (Future<Integer> result : results) {
                ok += result.get();
            }
            return ok;
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void anAsyncRouteToAQueueNothingConsumesIsNamedAtTheStart() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger runtimeLog = (Logger) LoggerFactory.getLogger(IntegrationRuntime.class);
        log.start();
        runtimeLog.addAppender(log);
        try {
            runtime(counter("node-a", true), config(List.of(async("/orders", "orders"), async("/lost", "lost")),
                    Optional.empty(), 0, List.of(toHttp("orders", backend.uri("/process")))));
        } finally {
            runtimeLog.detachAppender(log);
        }
        List<String> warnings = log.list.stream().filter(event -> event.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).startsWith("Route /lost puts its requests on queue lost, which no "
                + "[[inbound_endpoint]] of this runtime consumes");
    }

    @Test
    void tenThousandProxiedRequestsFromSixteenClientsCountTenThousand() throws Exception {
        TransactionCounter counter = counter("node-a", true);
        IntegrationRuntime runtime = runtime(counter, config(List.of(proxy("/shop", backend.uri("/backend"))),
                Optional.empty(), 0, List.of()));

        int ok = send(runtime.passthroughPort(), "/shop", "GET", 10_000, 16);

        assertThat(ok).isEqualTo(10_000);
        assertThat(pending(counter, Transport.HTTP)).isEqualTo(10_000);
        clock.advance(Duration.ofMinutes(1));
        Internals.flusher(counter).flushDue();
        assertThat(counter.count(counter.currentMonth()).total()).isEqualTo(10_000);
    }

    @Test
    void fiveThousandAsyncRequestsConsumedByTheSameRuntimeCountFiveThousand() throws Exception {
        TransactionCounter counter = counter("node-a", true);
        IntegrationRuntime runtime = runtime(counter, config(List.of(async("/orders", "orders")), Optional.empty(), 0,
                List.of(toHttp("orders", backend.uri("/process")))));

        int accepted = send(runtime.passthroughPort(), "/orders", "POST", 5_000, 16);
        backend.awaitHandled(5_000, TIMEOUT_MS);

        assertThat(accepted).isEqualTo(5_000);
        assertThat(backend.duplicates()).isZero();
        assertThat(pending(counter, Transport.HTTP)).isEqualTo(5_000);
        assertThat(pending(counter, Transport.JMS)).isZero();
        assertThat(counter.ingress().rejectedStampTotal()).isZero();
    }

    @Test
    void asyncRequestsConsumedByASecondRuntimeOfTheDeploymentCountOnce() throws Exception {
        int brokerPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            brokerPort = probe.getLocalPort();
        }
        TransactionCounter producerNode = counter("node-a", true);
        // Node a has no consumer of "orders" itself: the queue is configured as the deployment's own.
        IntegrationRuntime producer = runtime(producerNode, config(List.of(async("/orders", "orders")),
                Optional.empty(), brokerPort, List.of(), new OwnDestinations(Set.of("orders"), List.of())));
        TransactionCounter consumerNode = counter("node-b", true);
        runtime(consumerNode, config(List.of(), Optional.of("tcp://127.0.0.1:" + brokerPort), 0,
                List.of(toHttp("orders", backend.uri("/process")))));

        int accepted = send(producer.passthroughPort(), "/orders", "POST", 5_000, 16);
        backend.awaitHandled(5_000, TIMEOUT_MS);

        assertThat(accepted).isEqualTo(5_000);
        assertThat(pending(producerNode, Transport.HTTP)).isEqualTo(5_000);
        assertThat(pending(consumerNode, Transport.JMS)).isZero();
        clock.advance(Duration.ofMinutes(1));
        Internals.flusher(producerNode).flushDue();
        Internals.flusher(consumerNode).flushDue();
        assertThat(producerNode.count(producerNode.currentMonth()).total()).isEqualTo(5_000);
    }

    @Test
    void forgedOrEditedStampsFromAnOutsideProducerAreCountedAndReported() throws Exception {
        int brokerPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            brokerPort = probe.getLocalPort();
        }
        TransactionCounter counter = counter("node-a", true);
        runtime(counter, config(List.of(), Optional.empty(), brokerPort,
                List.of(toHttp("inbound", backend.uri("/process")))));
        StampAuthority outsider = new StampAuthority("it", "outsider", "another-secret-that-is-32-bytes!!!"
                .getBytes(StandardCharsets.US_ASCII), Duration.ofHours(1), 1_000, clock);
        StampAuthority genuine = new StampAuthority("it", "node-a", SECRET, Duration.ofHours(1), 1_000, clock);
        String inbound = StampAuthority.queueDestination("inbound");

        try (ActiveMQConnectionFactory factory = connect(brokerPort, PRODUCER);
                JMSContext context = factory.createContext()) {
            for (int i = 0; i < 1_000; i++) {
                TextMessage message = context.createTextMessage("outside-" + i);
                String stamp;
                if (i % 2 == 0) {
                    stamp = outsider.issue(inbound);
                } else {
                    String copied = genuine.issue(inbound);
                    int edit = copied.length() - 3;
                    stamp = copied.substring(0, edit) + (copied.charAt(edit) == 'x' ? 'y' : 'x')
                            + copied.substring(edit + 1);
                }
                message.setStringProperty("TxnCounterStamp", stamp);
                context.createProducer().send(context.createQueue("inbound"), message);
            }
        }
        backend.awaitHandled(1_000, TIMEOUT_MS);

        assertThat(pending(counter, Transport.JMS)).isEqualTo(1_000);
        assertThat(counter.ingress().rejectedStampTotal()).isEqualTo(1_000);
    }

    @Test
    void stampsEchoedByABackendDoNotMakeChainedRequestsFree() throws Exception {
        TransactionCounter counter = counter("node-a", true);
        IntegrationRuntime runtime = runtime(counter, config(
                List.of(proxy("/shop", backend.uri("/backend")), async("/orders", "orders")), Optional.empty(), 0,
                List.of(toHttp("orders", backend.uri("/process")))));
        String base = "http://127.0.0.1:" + runtime.passthroughPort();

        String harvested = null;
        List<String> seen = new ArrayList<>();
        for (int i = 0; i <= 50; i++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/shop/item/" + i));
            if (harvested != null) {
                request.header("X-Txn-Counter-Stamp", harvested);
            }
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            harvested = response.headers().firstValue("Echo-X-Txn-Counter-Stamp").orElse(null);
            if (harvested != null) {
                seen.add(harvested);
            }
        }
        for (int i = 0; i < 10; i++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/orders/item/" + i))
                    .POST(HttpRequest.BodyPublishers.ofString("order-" + i));
            if (!seen.isEmpty()) {
                request.header("X-Txn-Counter-Stamp", seen.get(i % seen.size()));
            }
            assertThat(client.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(202);
        }
        backend.awaitHandled(51 + 10, TIMEOUT_MS);

        assertThat(pending(counter, Transport.HTTP)).isEqualTo(51 + 10);
        assertThat(pending(counter, Transport.JMS)).isZero();
        assertThat(seen).isEmpty();
    }

    @Test
    void stampsReadBackFromAForwardedQueueDoNotMakeResentMessagesFree() throws Exception {
        int brokerPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            brokerPort = probe.getLocalPort();
        }
        TransactionCounter counter = counter("node-a", true);
        runtime(counter, config(List.of(), Optional.empty(), brokerPort, List.of(
                new RuntimeConfig.InboundEndpoint("in", "in", Optional.empty(), Optional.of("out"), 2))));

        int withHarvestedStamp = 0;
        // The producer sends to "in" with its own login; whoever consumes "out" (another system, outside the
        // deployment: here with the runtime's login, which may read any queue) hands it what it read there.
        try (ActiveMQConnectionFactory producerFactory = connect(brokerPort, PRODUCER);
                JMSContext producer = producerFactory.createContext();
                ActiveMQConnectionFactory readerFactory = connect(brokerPort, RUNTIME);
                JMSContext context = readerFactory.createContext();
                JMSConsumer out = context.createConsumer(context.createQueue("out"))) {
            String harvested = null;
            for (int i = 0; i <= 30; i++) {
                TextMessage message = producer.createTextMessage("resent-" + i);
                if (harvested != null) {
                    message.setStringProperty("TxnCounterStamp", harvested);
                    withHarvestedStamp++;
                }
                producer.createProducer().send(producer.createQueue("in"), message);
                Message forwarded = out.receive(TIMEOUT_MS);
                assertThat(forwarded).as("message %d forwarded to out", i).isNotNull();
                harvested = forwarded.getStringProperty("TxnCounterStamp");
            }
        }

        assertThat(pending(counter, Transport.JMS)).isEqualTo(31);
        assertThat(withHarvestedStamp).isZero();
    }

    @Test
    void theEmbeddedBrokerRefusesAnonymousAccessAndOutsideProducersMayOnlySend() throws Exception {
        int brokerPort = freePort();
        TransactionCounter counter = counter("node-a", true);
        runtime(counter, config(List.of(), Optional.empty(), brokerPort,
                List.of(toHttp("inbound", backend.uri("/process")))));

        try (ActiveMQConnectionFactory anonymous = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + brokerPort)) {
            assertThatThrownBy(anonymous::createContext).isInstanceOf(JMSSecurityRuntimeException.class);
        }
        try (ActiveMQConnectionFactory wrong = connect(brokerPort,
                new RuntimeConfig.Login(PRODUCER.user(), "not-the-password"))) {
            assertThatThrownBy(wrong::createContext).isInstanceOf(JMSSecurityRuntimeException.class);
        }
        try (ActiveMQConnectionFactory factory = connect(brokerPort, PRODUCER);
                JMSContext context = factory.createContext()) {
            Queue inbound = context.createQueue("inbound");
            assertThatThrownBy(() -> context.createConsumer(inbound)).isInstanceOf(JMSRuntimeException.class)
                    .hasMessageContaining("CONSUME");
            assertThatThrownBy(() -> context.createBrowser(inbound).getEnumeration().hasMoreElements())
                    .isInstanceOf(JMSSecurityException.class).hasMessageContaining("BROWSE");
            assertThatThrownBy(() -> context.createProducer().send(context.createQueue("elsewhere"), "x"))
                    .isInstanceOf(JMSRuntimeException.class).hasMessageContaining("elsewhere");
            Message management = context.createMessage();
            JMSManagementHelper.putAttribute(management, ResourceNames.BROKER, "version");
            assertThatThrownBy(() -> context.createProducer().send(context.createQueue("activemq.management"),
                    management)).isInstanceOf(JMSRuntimeException.class).hasMessageContaining("activemq.management");

            // Sending to an inbound queue is what it may do: each message counts.
            for (int i = 0; i < 5; i++) {
                context.createProducer().send(inbound, "allowed-" + i);
            }
        }
        backend.awaitHandled(5, TIMEOUT_MS);
        assertThat(pending(counter, Transport.JMS)).isEqualTo(5);

        Path brokerDir = tempDir.resolve("node-a").resolve("broker");
        List<String> notPrivate = new ArrayList<>();
        try (java.util.stream.Stream<Path> paths = Files.walk(brokerDir)) {
            paths.forEach(path -> {
                try {
                    String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
                    if (!mode.equals(Files.isDirectory(path) ? "rwx------" : "rw-------")) {
                        notPrivate.add(brokerDir.relativize(path) + " " + mode);
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        assertThat(notPrivate).isEmpty();
    }

    /** One embedded broker per test: stopping one resets the JMS client's shared thread pools. */
    @Test
    void withoutAConfiguredLoginTheRuntimeGeneratesAnOwnerOnlyOne() throws Exception {
        // The runtime logs in with it, in-VM too: its endpoint consumes and the message counts.
        TransactionCounter generated = counter("node-g", true);
        IntegrationRuntime runtime = runtime(generated, new RuntimeConfig("127.0.0.1", 0,
                List.of(async("/generated", "generated")), Optional.empty(), 0,
                List.of(toHttp("generated", backend.uri("/process")))));
        Path loginFile = tempDir.resolve("node-g").resolve(EmbeddedBroker.LOGIN_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(loginFile))).isEqualTo("rw-------");
        assertThat(Files.readAllLines(loginFile)).hasSize(2).first().isEqualTo("txcounter-runtime");
        HttpResponse<String> queued = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + runtime.passthroughPort() + "/generated/1")).POST(HttpRequest.BodyPublishers.ofString("g-1"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(queued.statusCode()).isEqualTo(202);
        backend.awaitHandled(1, TIMEOUT_MS);
        assertThat(pending(generated, Transport.HTTP)).isEqualTo(1);
        assertThat(pending(generated, Transport.JMS)).isZero();
    }

    @Test
    void theEmbeddedBrokerTakesOutsideProducersOverTlsWithTheirLogin() throws Exception {
        int tlsPort = freePort();
        Path keystore = tempDir.resolve("broker-tls.p12");
        SelfSignedCertificate.create(keystore, "keystore-password".toCharArray(), List.of("localhost", "127.0.0.1"),
                SelfSignedCertificate.KeyType.EC);
        TransactionCounter counter = counter("node-a", true);
        runtime(counter, new RuntimeConfig("127.0.0.1", 0, List.of(), Optional.empty(), 0,
                List.of(toHttp("inbound", backend.uri("/process"))), OwnDestinations.none(), Optional.of(RUNTIME),
                List.of(PRODUCER), Optional.of(new RuntimeConfig.BrokerTls(tlsPort, keystore, "keystore-password")),
                RuntimeConfig.DEFAULT_MAX_MESSAGE_SIZE, RuntimeConfig.BrokerLimits.DEFAULTS));
        String tls = "tcp://127.0.0.1:" + tlsPort + "?sslEnabled=true;trustStorePath=" + keystore
                + ";trustStorePassword=keystore-password;trustStoreType=PKCS12;enabledProtocols=TLSv1.3";

        try (ActiveMQConnectionFactory anonymous = new ActiveMQConnectionFactory(tls)) {
            assertThatThrownBy(anonymous::createContext).isInstanceOf(JMSSecurityRuntimeException.class);
        }
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(tls, PRODUCER.user(),
                PRODUCER.password()); JMSContext context = factory.createContext()) {
            for (int i = 0; i < 20; i++) {
                context.createProducer().send(context.createQueue("inbound"), "over-tls-" + i);
            }
        }
        backend.awaitHandled(20, TIMEOUT_MS);

        assertThat(pending(counter, Transport.JMS)).isEqualTo(20);
    }

    @Test
    void anEndpointForwardingToAPeerNodeCountsOnceAndToAnyOtherBackendSendsNoStamp() throws Exception {
        int brokerPort = freePort();
        TransactionCounter nodeB = counter("node-b", true);
        IntegrationRuntime b = runtime(nodeB, config(List.of(proxy("/api", backend.uri("/backend"))),
                Optional.empty(), 0, List.of()));
        URI peer = URI.create("http://127.0.0.1:" + b.passthroughPort() + "/api");
        TransactionCounter nodeA = counter("node-a", true);
        runtime(nodeA, config(List.of(), Optional.empty(), brokerPort, List.of(toHttp("to-peer", peer),
                toHttp("to-backend", backend.uri("/process"))),
                new OwnDestinations(Set.of(), List.of(new OwnDestinations.Peer("node-b", peer)))));

        try (ActiveMQConnectionFactory factory = connect(brokerPort, PRODUCER);
                JMSContext context = factory.createContext()) {
            for (int i = 0; i < 10; i++) {
                context.createProducer().send(context.createQueue("to-peer"), "peer-" + i);
                context.createProducer().send(context.createQueue("to-backend"), "backend-" + i);
            }
        }
        backend.awaitHandled(20, TIMEOUT_MS);

        assertThat(pending(nodeA, Transport.JMS)).isEqualTo(20);
        assertThat(pending(nodeB, Transport.HTTP)).isZero();
        assertThat(backend.stampsSeen()).isZero();
    }

    @Test
    void aStampIssuedForAnotherQueueOrNodeIsCountedWhereverItIsPresented() throws Exception {
        int brokerPort = freePort();
        TransactionCounter counter = counter("node-a", true);
        IntegrationRuntime runtime = runtime(counter, config(List.of(async("/orders", "orders")), Optional.empty(),
                brokerPort, List.of(toHttp("orders", backend.uri("/process")), toHttp("billing",
                        backend.uri("/process")))));
        StampAuthority deployment = new StampAuthority("it", "elsewhere", SECRET, Duration.ofHours(1), 1_000, clock);

        // Genuine stamps, but for node-b and for queue "billing": worthless on node-a's passthrough and on "orders".
        for (int i = 0; i < 10; i++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.passthroughPort()
                    + "/orders/item/" + i)).header("X-Txn-Counter-Stamp", deployment.issue(
                            StampAuthority.nodeDestination("node-b"))).POST(HttpRequest.BodyPublishers.ofString(
                                    "order-" + i)).build();
            assertThat(client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(202);
        }
        try (ActiveMQConnectionFactory factory = connect(brokerPort, PRODUCER);
                JMSContext context = factory.createContext()) {
            for (int i = 0; i < 10; i++) {
                TextMessage message = context.createTextMessage("misdirected-" + i);
                message.setStringProperty("TxnCounterStamp", deployment.issue(
                        StampAuthority.queueDestination("billing")));
                context.createProducer().send(context.createQueue("orders"), message);
            }
        }
        backend.awaitHandled(20, TIMEOUT_MS);

        assertThat(pending(counter, Transport.HTTP)).isEqualTo(10);
        assertThat(pending(counter, Transport.JMS)).isEqualTo(10);
        assertThat(counter.ingress().rejectedStamps()).containsEntry(StampVerdict.BAD_SIGNATURE, 20L);
    }

    @Test
    void messagesRolledBackAndRedeliveredCountOnce() throws Exception {
        backend.failFirstAttemptOfEachBody();
        TransactionCounter counter = counter("node-a", true);
        int brokerPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            brokerPort = probe.getLocalPort();
        }
        runtime(counter, config(List.of(), Optional.empty(), brokerPort,
                List.of(toHttp("retry", backend.uri("/process")))));

        try (ActiveMQConnectionFactory factory = connect(brokerPort, PRODUCER);
                JMSContext context = factory.createContext()) {
            for (int i = 0; i < 300; i++) {
                context.createProducer().send(context.createQueue("retry"), context.createTextMessage("m-" + i));
            }
        }
        backend.awaitHandled(300, TIMEOUT_MS);

        assertThat(pending(counter, Transport.JMS)).isEqualTo(300);
        assertThat(counter.ingress().redeliveriesSkipped()).isEqualTo(300);
        assertThat(backend.duplicates()).isZero();
    }

    /**
     * The faked-redelivery attack, performed against the running runtime: an outside producer learns the id of a
     * message the runtime counted and completed, sends ten messages under that same {@code JMSMessageID} (Artemis
     * lets a producer choose it), takes them once with a higher-priority consumer of its own and rolls back, so
     * that the broker hands them to the runtime with {@code JMSRedelivered=true}. Each is a new transaction.
     */
    @Test
    void fakedRedeliveriesOfACompletedMessageAreCounted() throws Exception {
        TransactionCounter counter = counter("node-a", true);
        int brokerPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            brokerPort = probe.getLocalPort();
        }
        runtime(counter, config(List.of(), Optional.empty(), brokerPort,
                List.of(toHttp("inbound", backend.uri("/process")))));

        // The embedded broker lets no outside producer consume; on a broker that does (an external one shared with
        // other systems) the attacker could, so it is given the runtime's own login here: the counter must not be
        // fooled whatever the broker allows.
        try (ActiveMQConnectionFactory factory = connect(brokerPort, RUNTIME);
                JMSContext context = factory.createContext()) {
            TextMessage original = context.createTextMessage("original");
            context.createProducer().send(context.createQueue("inbound"), original);
            String countedId = original.getJMSMessageID();
            backend.awaitHandled(1, TIMEOUT_MS);
            assertThat(pending(counter, Transport.JMS)).isEqualTo(1);

            try (JMSContext attacker = context.createContext(JMSContext.SESSION_TRANSACTED)) {
                JMSConsumer first = attacker.createConsumer(attacker.createQueue("inbound?consumer-priority=10"));
                JMSProducer producer = context.createProducer().setDisableMessageID(true);
                UUID chosen = new UUID(java.util.UUID.fromString(countedId.substring("ID:".length())));
                for (int i = 0; i < 10; i++) {
                    TextMessage fake = context.createTextMessage("fake-" + i);
                    ((ActiveMQMessage) fake).getCoreMessage().setUserID(chosen);
                    producer.send(context.createQueue("inbound"), fake);
                }
                for (int i = 0; i < 10; i++) {
                    Message taken = first.receive(TIMEOUT_MS);
                    assertThat(taken.getJMSMessageID()).isEqualTo(countedId);
                }
                first.close();
                attacker.rollback();
            }
        }
        backend.awaitHandled(11, TIMEOUT_MS);

        assertThat(pending(counter, Transport.JMS)).isEqualTo(11);
        assertThat(counter.ingress().redeliveriesSkipped()).isZero();
    }

    @Test
    void withCountingDisabledTheRuntimeProxiesAndCountsNothing() throws Exception {
        TransactionCounter counter = counter("node-off", true);
        IntegrationRuntime runtime = IntegrationRuntime.start(config(List.of(proxy("/shop", backend.uri("/backend"))),
                Optional.empty(), 0, List.of()), ListenerLimits.PASSTHROUGH_DEFAULTS, Optional.empty(),
                tempDir.resolve("node-off"), new RoutingStats());
        opened.add(runtime);

        assertThat(send(runtime.passthroughPort(), "/shop", "GET", 100, 4)).isEqualTo(100);

        assertThat(counter.meter().pending().values()).containsOnly(0L);
    }

    @Test
    void aPathNoRouteCoversIsAnswered404AndNotCounted() throws Exception {
        TransactionCounter counter = counter("node-a", true);
        IntegrationRuntime runtime = runtime(counter, config(List.of(proxy("/shop", backend.uri("/backend"))),
                Optional.empty(), 0, List.of()));

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + runtime.passthroughPort() + "/elsewhere")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("\"code\":\"no_route\"");
        assertThat(pending(counter, Transport.HTTP)).isZero();
    }

    @Test
    void aChainedCallThroughTwoNodesCountsOnceAndTwiceWithChainingOff() throws Exception {
        for (boolean chaining : new boolean[] {true, false}) {
            TransactionCounter nodeB = counter(chaining ? "chain-b-on" : "chain-b-off", chaining);
            IntegrationRuntime b = runtime(nodeB, config(List.of(proxy("/api", backend.uri("/backend"))),
                    Optional.empty(), 0, List.of()));
            TransactionCounter nodeA = counter(chaining ? "chain-a-on" : "chain-a-off", true);
            URI peer = URI.create("http://127.0.0.1:" + b.passthroughPort() + "/api");
            IntegrationRuntime a = runtime(nodeA, config(List.of(proxy("/shop", peer)), Optional.empty(), 0, List.of(),
                    new OwnDestinations(Set.of(), List.of(new OwnDestinations.Peer(nodeB.nodeId(), peer)))));

            assertThat(send(a.passthroughPort(), "/shop", "GET", 200, 4)).isEqualTo(200);

            assertThat(pending(nodeA, Transport.HTTP)).isEqualTo(200);
            assertThat(pending(nodeB, Transport.HTTP)).isEqualTo(chaining ? 0 : 200);
        }
    }
}
