package org.txcounter.mi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.synapse.config.SynapseConfiguration;
import org.apache.synapse.core.axis2.Axis2MessageContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.IngressCounter;
import org.txcounter.core.OwnDestinations;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounts;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DedupeConfig;

/**
 * The handler driven in MI's real order (see {@link MiFlows} for the MI source of each step): what MI counts, once,
 * under its transport, and stamps only where MI really sends to the deployment's own queue or peer node.
 */
class MiFlowsCountingTest {

    private static final byte[] STAMP_SECRET = "the-deployment-stamp-secret-32-bytes!".getBytes(StandardCharsets.UTF_8);
    private static final String ORDERS = "jms:/orders?transport.jms.ConnectionFactoryJNDIName=QueueConnectionFactory"
            + "&transport.jms.DestinationType=queue";
    private static final String PEER_B = "http://mi-b.internal:8290";

    @TempDir
    Path dirs;

    private CountingHandler a;
    private CountingHandler b;
    private SynapseConfiguration miA;
    private SynapseConfiguration miB;

    @BeforeEach
    void start() {
        a = handler("mi-a");
        b = handler("mi-b");
        assertThat(a.handleServerInit()).isTrue();
        assertThat(b.handleServerInit()).isTrue();
        miA = MiFlows.configuration();
        miB = MiFlows.configuration();
        MiFlows.deployInbound(miB, "orders-in", "jms");
    }

    @AfterEach
    void stop() {
        a.handleServerShutDown();
        b.handleServerShutDown();
    }

    /** API -> address endpoint -> own queue -> JMS inbound endpoint of another node: one transaction. */
    @Test
    void anApiRequestForwardedToAnOwnQueueAndConsumedOnAnotherNodeCountsOnce() {
        Axis2MessageContext request = MiFlows.apiRequest("http");
        a.handleRequestInFlow(request);
        a.handleRequestOutFlow(MiFlows.sendingThrough(request, MiFlows.address(ORDERS)));
        String stamp = (String) MiFlows.headers(request).get(IngressCounter.JMS_PROPERTY);
        assertThat(stamp).isNotNull();

        b.handleRequestInFlow(MiFlows.jmsInbound(miB, "orders-in", "orders", "ID:1", false, stamp));
        // The same pair through a JMS proxy on the consuming node.
        Axis2MessageContext second = MiFlows.apiRequest("https");
        a.handleRequestInFlow(second);
        a.handleRequestOutFlow(MiFlows.sendingThrough(second, MiFlows.address(ORDERS)));
        b.handleRequestInFlow(MiFlows.jmsProxy("orders", "ID:2", "false",
                (String) MiFlows.headers(second).get(IngressCounter.JMS_PROPERTY)));

        assertThat(pending(a).get(Transport.HTTP)).isEqualTo(2);
        assertThat(pending(b).total()).isZero();
        assertThat(a.failures() + b.failures()).isZero();
    }

    /** MI -> MI over HTTP to a configured peer, through an address and an http endpoint: one transaction each. */
    @Test
    void aCallToAPeerNodeCountsOnce() {
        Axis2MessageContext request = MiFlows.apiRequest("http");
        a.handleRequestInFlow(request);
        a.handleRequestOutFlow(MiFlows.sendingThrough(request, MiFlows.address(PEER_B + "/orders")));
        Axis2MessageContext atB = MiFlows.apiRequest("http");
        MiFlows.headers(atB).put(IngressCounter.HTTP_HEADER, MiFlows.headers(request).get(IngressCounter.HTTP_HEADER));
        b.handleRequestInFlow(atB);

        Axis2MessageContext templated = MiFlows.apiRequest("http");
        a.handleRequestInFlow(templated);
        a.handleRequestOutFlow(MiFlows.sendingThroughHttpEndpoint(templated, PEER_B + "/orders/{uri.var.id}",
                PEER_B + "/orders/42"));
        Axis2MessageContext atBAgain = MiFlows.apiRequest("http");
        MiFlows.headers(atBAgain).put(IngressCounter.HTTP_HEADER,
                MiFlows.headers(templated).get(IngressCounter.HTTP_HEADER));
        b.handleRequestInFlow(atBAgain);

        assertThat(pending(a).get(Transport.HTTP)).isEqualTo(2);
        assertThat(pending(b).total()).isZero();
    }

    /** To is the incoming request's path when the out-flow runs: it must not decide where MI sends. */
    @Test
    void nothingSentElsewhereCarriesAStamp() {
        Axis2MessageContext request = MiFlows.apiRequest("http");
        a.handleRequestInFlow(request);
        a.handleRequestOutFlow(MiFlows.sendingThrough(request,
                MiFlows.address("jms:/partners?transport.jms.DestinationType=queue")));
        a.handleRequestOutFlow(MiFlows.sendingThrough(request, MiFlows.address("https://backend.example.com/orders")));
        a.handleRequestOutFlow(MiFlows.sendingThroughHttpEndpoint(request, "https://backend.example.com/{p}",
                "https://backend.example.com/x"));
        // A <send/> with no endpoint to an outside queue after a send to the own one: the stale endpoint is not
        // believed.
        Axis2MessageContext chained = MiFlows.apiRequest("http");
        a.handleRequestInFlow(chained);
        a.handleRequestOutFlow(MiFlows.sendingThrough(chained, MiFlows.address(ORDERS)));
        MiFlows.headers(chained).remove(IngressCounter.JMS_PROPERTY);
        a.handleRequestOutFlow(MiFlows.sendingToHeader(chained, "jms:/partners?transport.jms.DestinationType=queue"));

        assertThat(MiFlows.headers(request)).doesNotContainKeys(IngressCounter.JMS_PROPERTY,
                IngressCounter.HTTP_HEADER);
        assertThat(MiFlows.headers(chained)).doesNotContainKeys(IngressCounter.JMS_PROPERTY,
                IngressCounter.HTTP_HEADER);
        assertThat(a.ambiguousSends()).isEqualTo(1);
    }

    /** An address with ${property} is evaluated for the message, as Axis2FlexibleMEPClient does (l.397-398). */
    @Test
    void anAddressWithAPropertyIsEvaluatedForTheMessage() {
        Axis2MessageContext toOrders = MiFlows.apiRequest("http");
        toOrders.setProperty("target", "orders");
        a.handleRequestInFlow(toOrders);
        a.handleRequestOutFlow(MiFlows.sendingThrough(toOrders, MiFlows.address("jms:/${target}?transport.jms."
                + "DestinationType=queue")));
        Axis2MessageContext toPartners = MiFlows.apiRequest("http");
        toPartners.setProperty("target", "partners");
        a.handleRequestInFlow(toPartners);
        a.handleRequestOutFlow(MiFlows.sendingThrough(toPartners, MiFlows.address("jms:/${target}?transport.jms."
                + "DestinationType=queue")));
        assertThat(MiFlows.headers(toOrders)).containsKey(IngressCounter.JMS_PROPERTY);
        assertThat(MiFlows.headers(toPartners)).doesNotContainKey(IngressCounter.JMS_PROPERTY);
    }

    /** A default endpoint sends to To, which the mediation set: stamped when it is an own queue. */
    @Test
    void aDefaultEndpointSendsToToAndIsStampedForAnOwnQueue() {
        Axis2MessageContext request = MiFlows.apiRequest("http");
        a.handleRequestInFlow(request);
        MiFlows.sendingToHeader(request, ORDERS);
        a.handleRequestOutFlow(MiFlows.sendingThrough(request, MiFlows.defaultEndpoint()));
        String stamp = (String) MiFlows.headers(request).get(IngressCounter.JMS_PROPERTY);
        b.handleRequestInFlow(MiFlows.jmsProxy("orders", "ID:9", "false", stamp));
        assertThat(pending(a).total()).isEqualTo(1);
        assertThat(pending(b).total()).isZero();
    }

    /**
     * A blocking call never passes the out-flow: nothing is stamped, its consumer counts it again, and the handler
     * counts such calls made inside a transaction. A message processor's forward is the same (documented).
     */
    @Test
    void aBlockingCallToAnOwnQueueIsNotStampedAndIsCountedAsSuch() {
        Axis2MessageContext request = MiFlows.apiRequest("http");
        a.handleRequestInFlow(request);
        a.handleResponseInFlow(MiFlows.blockingCallReturned(request));
        assertThat(MiFlows.headers(request)).doesNotContainKey(IngressCounter.JMS_PROPERTY);
        b.handleRequestInFlow(MiFlows.jmsProxy("orders", "ID:3", "false", null));

        assertThat(a.callsWithoutOutFlow()).isEqualTo(1);
        assertThat(pending(a).total() + pending(b).total()).isEqualTo(2);
    }

    /** A message store and processor: the API request counts, the processor's forward is unstamped and metered. */
    @Test
    void aMessageProcessorsForwardToAnOwnQueueIsNotStampedAndIsCountedAsSuch() {
        a.handleRequestInFlow(MiFlows.apiRequest("http"));
        Axis2MessageContext forward = MiFlows.processorForwarded();
        a.handleResponseInFlow(forward);
        assertThat(MiFlows.headers(forward)).doesNotContainKey(IngressCounter.JMS_PROPERTY);
        b.handleRequestInFlow(MiFlows.jmsProxy("orders", "ID:8", "false", null));

        assertThat(a.forwardsWithoutOutFlow()).isEqualTo(1);
        assertThat(a.callsWithoutOutFlow()).isZero();
        assertThat(pending(a).total() + pending(b).total()).isEqualTo(2);
    }

    /** The other listeners MI has and the inbound protocols of InboundRequestProcessorFactoryImpl: each its label. */
    @Test
    void everyOtherListenerAndProtocolHasItsLabel() {
        Map<String, Transport> proxies = Map.of("hl7", Transport.HL7, "fix", Transport.FIX, "tcp", Transport.TCP,
                "udp", Transport.UDP, "idoc", Transport.SAP, "bapi", Transport.SAP, "msmq", Transport.MSMQ,
                "sms", Transport.CUSTOM);
        Map<String, Transport> inbound = Map.of("hl7", Transport.HL7, "mqtt", Transport.MQTT, "ws",
                Transport.WEBSOCKET, "wss", Transport.WEBSOCKET, "httpws", Transport.WEBSOCKET, "httpswss",
                Transport.WEBSOCKET, "grpc", Transport.GRPC, "https", Transport.HTTP);
        proxies.forEach((name, transport) -> a.handleRequestInFlow(MiFlows.proxyMessage(name)));
        inbound.forEach((protocol, transport) -> {
            MiFlows.deployInbound(miA, protocol + "-in", protocol);
            a.handleRequestInFlow(MiFlows.inbound(miA, protocol + "-in", new TreeMap<>()));
        });
        Map<Transport, Long> expected = new java.util.EnumMap<>(Transport.class);
        proxies.values().forEach(transport -> expected.merge(transport, 1L, Long::sum));
        inbound.values().forEach(transport -> expected.merge(transport, 1L, Long::sum));
        TransportCounts counts = pending(a);
        expected.forEach((transport, count) -> assertThat(counts.get(transport)).as(transport.name())
                .isEqualTo(count));
        assertThat(counts.total()).isEqualTo(16);
    }

    /** One inbound request of each kind counts 1 under its own label. */
    @Test
    void eachKindOfInboundRequestCountsOnceUnderItsTransport() {
        MiFlows.deployInbound(miA, "jms-in", "jms");
        MiFlows.deployInbound(miA, "http-in", "http");
        MiFlows.deployInbound(miA, "kafka-in", "kafka");
        MiFlows.deployInbound(miA, "file-in", "file");
        MiFlows.deployInbound(miA, "rabbit-in", "rabbitmq");
        MiFlows.deployInbound(miA, "custom-in", null);

        a.handleRequestInFlow(MiFlows.apiRequest("http"));
        a.handleRequestInFlow(MiFlows.apiRequest("https"));
        a.handleRequestInFlow(MiFlows.jmsProxy("backlog", "ID:1", "false", null));
        a.handleRequestInFlow(MiFlows.jmsInbound(miA, "jms-in", "billing", "ID:2", false, null));
        a.handleRequestInFlow(MiFlows.inbound(miA, "http-in", new TreeMap<>(String.CASE_INSENSITIVE_ORDER)));
        a.handleRequestInFlow(MiFlows.proxyMessage("vfs"));
        a.handleRequestInFlow(MiFlows.proxyMessage("rabbitmq"));
        a.handleRequestInFlow(MiFlows.proxyMessage("mailto"));
        a.handleRequestInFlow(MiFlows.proxyMessage("mqtt"));
        a.handleRequestInFlow(MiFlows.inbound(miA, "kafka-in", new TreeMap<>()));
        a.handleRequestInFlow(MiFlows.inbound(miA, "file-in", new TreeMap<>()));
        a.handleRequestInFlow(MiFlows.inbound(miA, "rabbit-in", new TreeMap<>()));
        a.handleRequestInFlow(MiFlows.inbound(miA, "custom-in", new TreeMap<>()));
        // Not transactions: a call over MI's local transport, and a task's injection (no incoming transport).
        a.handleRequestInFlow(MiFlows.proxyMessage("local"));
        a.handleRequestInFlow(MiFlows.proxyMessage(null));

        TransportCounts counts = pending(a);
        assertThat(counts.asMap()).containsAllEntriesOf(Map.of(Transport.HTTP, 3L, Transport.JMS, 2L,
                Transport.VFS, 2L, Transport.RABBITMQ, 2L, Transport.MAIL, 1L, Transport.MQTT, 1L,
                Transport.KAFKA, 1L, Transport.CUSTOM, 1L));
        assertThat(counts.total()).isEqualTo(13);
        assertThat(a.failures()).isZero();
    }

    /** The same message context passing the in-flow again (MI's flows may repeat) is not counted again. */
    @Test
    void aContextSeenTwiceCountsOnce() {
        Axis2MessageContext request = MiFlows.apiRequest("http");
        a.handleRequestInFlow(request);
        a.handleRequestInFlow(request);
        assertThat(pending(a).total()).isEqualTo(1);
    }

    /** Messages before the start or after the stop are not silently dropped: they are counted as not counted. */
    @Test
    void messagesWhileTheCounterIsNotRunningAreReported() {
        CountingHandler notStarted = handler("mi-c");
        assertThat(notStarted.handleRequestInFlow(MiFlows.apiRequest("http"))).isTrue();
        assertThat(notStarted.notCounted()).isEqualTo(1);
        a.handleServerShutDown();
        assertThat(a.handleRequestInFlow(MiFlows.apiRequest("http"))).isTrue();
        assertThat(a.notCounted()).isEqualTo(1);
    }

    private static TransportCounts pending(CountingHandler handler) {
        return handler.counter().orElseThrow().unflushed();
    }

    private CountingHandler handler(String node) {
        OwnDestinations own = new OwnDestinations(Set.of("orders"),
                List.of(new OwnDestinations.Peer("mi-b", URI.create(PEER_B + "/"))));
        CounterConfig config = CounterConfig.builder()
                .nodeId(node)
                .dataDir(dirs.resolve(node))
                .updateInterval(Duration.ofMinutes(60))
                .dedupe(new DedupeConfig("mi-deployment", Optional.of(STAMP_SECRET), Duration.ofHours(1), true,
                        DedupeConfig.DEFAULT_REDELIVERY_WINDOW))
                .ownDestinations(own)
                .build();
        return new CountingHandler(() -> config, Clock.systemUTC());
    }
}
