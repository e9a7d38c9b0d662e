package org.txcounter.service.runtime;

import jakarta.jms.JMSContext;
import jakarta.servlet.DispatcherType;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.FilterMapping;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.IngressCounter;
import org.txcounter.core.OwnDestinations;
import org.txcounter.core.hooks.http.CountingFilter;
import org.txcounter.core.hooks.jms.jakarta.MessageStamper;
import org.txcounter.service.config.ListenerLimits;
import org.txcounter.service.config.RuntimeConfig;
import org.txcounter.service.security.EnvelopeErrorHandler;
import org.txcounter.service.security.ListenerGuard;

/**
 * The small integration runtime around the counter: the HTTP passthrough listener (Jetty's proxy servlet per
 * route, with the counting filter in front of every route; a request that matches no route is refused with 404,
 * recorded in {@link RoutingStats} and not counted) and the JMS inbound endpoints, on the embedded Artemis broker
 * or an external one. The passthrough listener applies its {@link ListenerLimits} through {@link ListenerGuard}.
 * Stamps go only to the deployment's own destinations ({@link RuntimeConfig#stampDestinations()}): its endpoints'
 * queues, the queues configured as consumed elsewhere in the deployment, and its peer nodes.
 *
 * <pre>{@code
 * try (IntegrationRuntime runtime = IntegrationRuntime.start(config.runtime(), config.passthroughLimits(),
 *         Optional.of(counter.ingress()), dataDir, routing)) {
 *     int port = runtime.passthroughPort();
 * }
 * }</pre>
 */
public final class IntegrationRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IntegrationRuntime.class);
    private static final int SENDER_POOL = 32;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private Server passthrough;

    private IntegrationRuntime() {
    }

    /**
     * Starts the broker (if needed), the inbound endpoints and the passthrough listener, in that order.
     *
     * @param limits  connection limits and slow-client protection of the passthrough listener
     * @param ingress the counter's ingress; empty when counting is disabled ({@code enable = false}): then nothing
     *                is counted or stamped and the runtime only moves requests and messages
     * @param routing where requests that match no route are recorded
     */
    public static IntegrationRuntime start(RuntimeConfig config, ListenerLimits limits,
            Optional<IngressCounter> ingress, Path dataDir, RoutingStats routing) throws Exception {
        IntegrationRuntime runtime = new IntegrationRuntime();
        try {
            runtime.startAll(config, limits, ingress, dataDir, routing);
            return runtime;
        } catch (Exception e) {
            runtime.close();
            throw e;
        }
    }

    private void startAll(RuntimeConfig config, ListenerLimits limits, Optional<IngressCounter> ingress,
            Path dataDir, RoutingStats routing) throws Exception {
        Optional<JmsSender> sender = Optional.empty();
        OwnDestinations own = config.stampDestinations();
        if (config.needsBroker()) {
            String url;
            Optional<RuntimeConfig.Login> login = config.brokerLogin();
            Optional<String> selector = Optional.empty();
            if (config.brokerUrl().isPresent()) {
                url = config.brokerUrl().get();
            } else {
                EmbeddedBroker broker = EmbeddedBroker.start(dataDir, config.embeddedBrokerPort(), login,
                        config.producers(), config.endpoints().stream().map(RuntimeConfig.InboundEndpoint::queue)
                                .distinct().toList(), config.embeddedBrokerTls(), config.maxMessageSize(),
                                config.brokerLimits(), ingress);
                resources.add(broker);
                url = broker.url();
                login = Optional.of(broker.login());
                selector = Optional.of(broker.consumerSelector());
            }
            ActiveMQConnectionFactory factory = login
                    .map(l -> new ActiveMQConnectionFactory(url, l.user(), l.password()))
                    .orElseGet(() -> new ActiveMQConnectionFactory(url));
            resources.add(factory);
            JMSContext connection = factory.createContext();
            resources.add(connection);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            for (RuntimeConfig.InboundEndpoint endpoint : config.endpoints()) {
                resources.add(InboundEndpoint.start(endpoint, config.maxMessageSize(), selector, connection, ingress,
                        own, http));
            }
            JmsSender jms = new JmsSender(connection, ingress.map(counting -> new MessageStamper(counting, own)),
                    SENDER_POOL);
            resources.add(jms);
            sender = Optional.of(jms);
        }
        for (RuntimeConfig.Route route : config.routes()) {
            // own names the queues this runtime's endpoints consume and those [deduplication] own_queues lists.
            route.queue().filter(queue -> own.queue(queue).isEmpty()).ifPresent(queue -> LOG.warn("Route {} puts "
                    + "its requests on queue {}, which no [[inbound_endpoint]] of this runtime consumes and "
                    + "[deduplication] own_queues does not name: they wait in the broker until something consumes "
                    + "them. Add an [[inbound_endpoint]] for {}, or name it in own_queues if another runtime of the "
                    + "deployment consumes it.", route.prefix(), queue, queue));
        }
        if (!config.routes().isEmpty()) {
            passthrough = passthroughServer(config, limits, ingress, own, sender, routing);
            passthrough.start();
            LOG.info("HTTP passthrough listening on http://{}:{} with {} route(s).", config.passthroughHost(),
                    passthroughPort(), config.routes().size());
        }
    }

    private static Server passthroughServer(RuntimeConfig config, ListenerLimits limits,
            Optional<IngressCounter> ingress, OwnDestinations own, Optional<JmsSender> sender, RoutingStats routing) {
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("passthrough");
        Server server = new Server(threads);
        // Jetty's refusals (malformed or stopped requests) as a JSON envelope, never an exception's name.
        server.setErrorHandler(new EnvelopeErrorHandler());
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(config.passthroughHost());
        connector.setPort(config.passthroughPort());
        ListenerGuard.install("passthrough", server, connector, http, limits);
        server.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler("/");
        context.setErrorHandler(new EnvelopeErrorHandler());
        List<String> routed = new ArrayList<>();
        for (RuntimeConfig.Route route : config.routes()) {
            ServletHolder holder;
            if (route.backend().isPresent()) {
                holder = new ServletHolder(new StampingProxyServlet(ingress, own));
                holder.setInitParameter("proxyTo", route.backend().get().toString());
                holder.setInitParameter("prefix", route.prefix());
                holder.setAsyncSupported(true);
            } else {
                JmsSender jms = sender.orElseThrow();
                holder = new ServletHolder(new AsyncRouteServlet(jms, route.queue().orElseThrow(),
                        config.maxMessageSize(), ingress));
                holder.setAsyncSupported(true);
            }
            String mapping = route.prefix().equals("/") ? "/*" : route.prefix() + "/*";
            context.addServlet(holder, mapping);
            routed.add(mapping);
        }
        if (ingress.isPresent()) {
            // Only requests a route takes are transactions: the filter sits on the routes' mappings, not on "/*".
            FilterHolder counting = new FilterHolder(new CountingFilter(ingress.get()));
            counting.setAsyncSupported(true);
            FilterMapping mapping = new FilterMapping();
            mapping.setFilterName(counting.getName());
            mapping.setPathSpecs(routed.toArray(String[]::new));
            mapping.setDispatcherTypes(EnumSet.of(DispatcherType.REQUEST));
            context.getServletHandler().addFilter(counting, mapping);
        }
        if (!routed.contains("/*")) {
            context.addServlet(new ServletHolder(new RuntimeErrors.NoRouteServlet(routing)), "/*");
        }
        Handler.Wrapper rate = ListenerGuard.minimumDataRate(limits);
        rate.setHandler(context);
        server.setHandler(rate);
        server.setStopTimeout(5_000);
        return server;
    }

    /** The port the passthrough listens on (useful when configured as 0), or -1 when it does not run. */
    public int passthroughPort() {
        return passthrough == null ? -1 : ((ServerConnector) passthrough.getConnectors()[0]).getLocalPort();
    }

    /** Stops taking requests first, then the endpoints, the JMS connection and the broker. */
    @Override
    public void close() throws Exception {
        Exception failure = null;
        if (passthrough != null) {
            try {
                passthrough.stop();
            } catch (Exception e) {
                failure = e;
            }
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        resources.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
