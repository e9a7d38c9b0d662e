package org.txcounter.loadtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.axis2.addressing.EndpointReference;
import org.apache.synapse.core.axis2.Axis2MessageContext;
import org.apache.synapse.endpoints.AbstractEndpoint;
import org.apache.synapse.endpoints.EndpointDefinition;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.txcounter.core.IngressCounter;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.stamp.StampAuthority;
import org.txcounter.mi.CountingHandler;

/**
 * What the MI handler adds to one message, beside what the servlet filter adds to one request, on 2 threads with
 * deduplication on. The handler is MI's: created by its no-argument constructor, configured from
 * {@code <carbon.home>/conf/deployment.toml} (here a temporary MI home with the embedded database), started by
 * {@code handleServerInit()}.
 *
 * <ul>
 *   <li>{@code servletFilter}: the counting filter's work for a request without a stamp (the ingress decision
 *       and its scope), on the handler's own counter;</li>
 *   <li>{@code handlerApiRequest}: an API request over http through {@code handleRequestInFlow}, no stamp;</li>
 *   <li>{@code handlerApiRequestToOwnQueue}: the same request, then {@code handleRequestOutFlow} to the
 *       deployment's own queue, which issues a stamp into its transport headers (the first half of an async
 *       pair);</li>
 *   <li>{@code handlerJmsStamped}: the second half: a JMS proxy message carrying a valid stamp for its queue, with a
 *       fresh message id; the stamp is issued in the same call (about the cost of verifying it).</li>
 * </ul>
 *
 * <p>Each call reuses one axis2 message context per thread and removes the handler's mark (and the stamp) after
 * it, a hash-map removal or two that MI, which makes a new context per message, does not pay.
 *
 * <p>Run: {@code java -jar load-tests/target/benchmarks.jar MiHandlerBenchmark -f 1 -wi 2 -w 2s -i 3 -r 3s}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MiHandlerBenchmark {

    private static final String ORDERS = "jms:/orders?transport.jms.ConnectionFactoryJNDIName=QueueConnectionFactory";

    private Path home;
    private CountingHandler handler;
    private IngressCounter ingress;
    private StampAuthority stamps;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        home = Files.createTempDirectory("mi-home");
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/deployment.toml"), """
                [transaction_counter]
                enable = true
                update_interval = 1

                [node]
                id = "bench-mi"

                [deduplication]
                own_queues = ["orders"]
                """);
        System.setProperty("carbon.home", home.toString());
        handler = new CountingHandler();
        handler.handleServerInit();
        ingress = handler.counter().orElseThrow(() -> new IllegalStateException("the counter did not start"))
                .ingress();
        stamps = Internals.stamps(ingress).orElseThrow();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        handler.handleServerShutDown();
    }

    /** Per thread: one API request context, one JMS proxy context, and the next message id. */
    @State(Scope.Thread)
    public static class Contexts {
        private final String prefix = "ID:7d1f0c2e-9a4b-11ef-8c3d-" + Thread.currentThread().getId() + "-";
        private long next;
        final Axis2MessageContext api = context("http", new TreeMap<>(String.CASE_INSENSITIVE_ORDER));
        final Map<String, Object> jmsHeaders = new TreeMap<>();
        final Axis2MessageContext jms = context("jms", jmsHeaders);

        public Contexts() {
            jmsHeaders.put("JMS_DESTINATION", "orders");
            jmsHeaders.put("JMS_REDELIVERED", "false");
        }

        String nextId() {
            return prefix + next++;
        }

        private static Axis2MessageContext context(String transport, Map<String, Object> headers) {
            org.apache.axis2.context.MessageContext axis2 = new org.apache.axis2.context.MessageContext();
            axis2.setIncomingTransportName(transport);
            axis2.setProperty(org.apache.axis2.context.MessageContext.TRANSPORT_HEADERS, headers);
            // As in MI's request out-flow: To is the request's path, the endpoint is the one about to send.
            axis2.setTo(new EndpointReference("/orders"));
            Axis2MessageContext synCtx = new Axis2MessageContext(axis2, null, null);
            EndpointDefinition definition = new EndpointDefinition();
            definition.setAddress(ORDERS);
            AbstractEndpoint endpoint = new AbstractEndpoint() { };
            endpoint.setDefinition(definition);
            synCtx.setProperty("last_endpoint", endpoint);
            return synCtx;
        }

        void reset(Axis2MessageContext context) {
            context.getAxis2MessageContext().removeProperty("TXN_COUNTER_TAKEN_IN");
        }
    }

    @Benchmark
    @Threads(2)
    public boolean servletFilter() {
        try (IngressCounter.Scope scope = ingress.httpRequest(null)) {
            return scope.counted();
        }
    }

    @Benchmark
    @Threads(2)
    public boolean handlerApiRequest(Contexts contexts) {
        boolean go = handler.handleRequestInFlow(contexts.api);
        contexts.reset(contexts.api);
        return go;
    }

    @Benchmark
    @Threads(2)
    public Object handlerApiRequestToOwnQueue(Contexts contexts) {
        handler.handleRequestInFlow(contexts.api);
        handler.handleRequestOutFlow(contexts.api);
        contexts.reset(contexts.api);
        @SuppressWarnings("unchecked")
        Map<String, Object> headers = (Map<String, Object>) contexts.api.getAxis2MessageContext()
                .getProperty(org.apache.axis2.context.MessageContext.TRANSPORT_HEADERS);
        return headers.remove(IngressCounter.JMS_PROPERTY);
    }

    @Benchmark
    @Threads(2)
    public boolean handlerJmsStamped(Contexts contexts) {
        contexts.jmsHeaders.put("JMS_MESSAGE_ID", contexts.nextId());
        contexts.jmsHeaders.put(IngressCounter.JMS_PROPERTY, stamps.issue(StampAuthority.queueDestination("orders")));
        boolean go = handler.handleRequestInFlow(contexts.jms);
        contexts.reset(contexts.jms);
        return go;
    }
}
