package org.txcounter.service.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSProducer;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.jms.client.ActiveMQMessage;
import org.apache.activemq.artemis.utils.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.MutableClock;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.config.DedupeConfig;
import org.txcounter.core.config.RuntimeConfig;
import org.txcounter.core.stamp.StampAuthority;

/**
 * The runtime end to end: real sockets, a real backend, the embedded Artemis broker, real H2 databases. Every
 * scenario asserts the exact number counted.
 */
class IntegrationRuntimeIT {

    private static final byte[] SECRET = "a-deployment-secret-of-32-bytes!!".getBytes(StandardCharsets.US_ASCII);
    private static final long TIMEOUT_MS = 120_000;

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
        IntegrationRuntime runtime = IntegrationRuntime.start(config, Optional.of(counter.ingress()),
                tempDir.resolve(counter.nodeId()));
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
        return new RuntimeConfig("127.0.0.1", 0, routes, brokerUrl, brokerPort, endpoints);
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
                        if (method.equals("POST") && response.statusCode() == 202
                                || response.statusCode() == 200 && response.body().equals(
                                        "echo:/backend/item/" + i + ":")) {
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
    void tenThousandProxiedRequestsFromSixteenClientsCountTenThousand() throws Exception {
        TransactionCounter counter = counter("node-a", true);
        IntegrationRuntime runtime = runtime(counter, config(List.of(proxy("/shop", backend.uri("/backend"))),
                Optional.empty(), 0, List.of()));

        int ok = send(runtime.passthroughPort(), "/shop", "GET", 10_000, 16);

        assertThat(ok).isEqualTo(10_000);
        assertThat(pending(counter, Transport.HTTP)).isEqualTo(10_000);
        clock.advance(Duration.ofMinutes(1));
        counter.flusher().flushDue();
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
        IntegrationRuntime producer = runtime(producerNode, config(List.of(async("/orders", "orders")),
                Optional.empty(), brokerPort, List.of()));
        TransactionCounter consumerNode = counter("node-b", true);
        runtime(consumerNode, config(List.of(), Optional.of("tcp://127.0.0.1:" + brokerPort), 0,
                List.of(toHttp("orders", backend.uri("/process")))));

        int accepted = send(producer.passthroughPort(), "/orders", "POST", 5_000, 16);
        backend.awaitHandled(5_000, TIMEOUT_MS);

        assertThat(accepted).isEqualTo(5_000);
        assertThat(pending(producerNode, Transport.HTTP)).isEqualTo(5_000);
        assertThat(pending(consumerNode, Transport.JMS)).isZero();
        clock.advance(Duration.ofMinutes(1));
        producerNode.flusher().flushDue();
        consumerNode.flusher().flushDue();
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
        StampAuthority outsider = new StampAuthority("it", "another-secret-that-is-32-bytes!!!"
                .getBytes(StandardCharsets.US_ASCII), Duration.ofHours(1), clock);
        StampAuthority genuine = new StampAuthority("it", SECRET, Duration.ofHours(1), clock);

        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + brokerPort);
                JMSContext context = factory.createContext()) {
            for (int i = 0; i < 1_000; i++) {
                TextMessage message = context.createTextMessage("outside-" + i);
                String stamp;
                if (i % 2 == 0) {
                    stamp = outsider.issue();
                } else {
                    String copied = genuine.issue();
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
    void messagesRolledBackAndRedeliveredCountOnce() throws Exception {
        backend.failFirstAttemptOfEachBody();
        TransactionCounter counter = counter("node-a", true);
        int brokerPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            brokerPort = probe.getLocalPort();
        }
        runtime(counter, config(List.of(), Optional.empty(), brokerPort,
                List.of(toHttp("retry", backend.uri("/process")))));

        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + brokerPort);
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

        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + brokerPort);
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
                Optional.empty(), 0, List.of()), Optional.empty(), tempDir.resolve("node-off"));
        opened.add(runtime);

        assertThat(send(runtime.passthroughPort(), "/shop", "GET", 100, 4)).isEqualTo(100);

        assertThat(counter.meter().pending().values()).containsOnly(0L);
    }

    @Test
    void aPathNoRouteCoversIsCountedAndAnswered404() throws Exception {
        TransactionCounter counter = counter("node-a", true);
        IntegrationRuntime runtime = runtime(counter, config(List.of(proxy("/shop", backend.uri("/backend"))),
                Optional.empty(), 0, List.of()));

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + runtime.passthroughPort() + "/elsewhere")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("\"code\":\"no_route\"");
        assertThat(pending(counter, Transport.HTTP)).isEqualTo(1);
    }

    @Test
    void aChainedCallThroughTwoNodesCountsOnceAndTwiceWithChainingOff() throws Exception {
        for (boolean chaining : new boolean[] {true, false}) {
            TransactionCounter nodeB = counter(chaining ? "chain-b-on" : "chain-b-off", chaining);
            IntegrationRuntime b = runtime(nodeB, config(List.of(proxy("/api", backend.uri("/backend"))),
                    Optional.empty(), 0, List.of()));
            TransactionCounter nodeA = counter(chaining ? "chain-a-on" : "chain-a-off", true);
            IntegrationRuntime a = runtime(nodeA, config(
                    List.of(proxy("/shop", URI.create("http://127.0.0.1:" + b.passthroughPort() + "/api"))),
                    Optional.empty(), 0, List.of()));

            assertThat(send(a.passthroughPort(), "/shop", "GET", 200, 4)).isEqualTo(200);

            assertThat(pending(nodeA, Transport.HTTP)).isEqualTo(200);
            assertThat(pending(nodeB, Transport.HTTP)).isEqualTo(chaining ? 0 : 200);
        }
    }
}
