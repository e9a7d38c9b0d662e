package org.txcounter.core.config;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The integration runtime that the service runs around the counter: the HTTP passthrough listener with its
 * routes, and the JMS inbound endpoints. From {@code [passthrough]}, {@code [[passthrough.route]]}, {@code [jms]}
 * and {@code [[inbound_endpoint]]} in {@code deployment.toml}. With no routes and no endpoints the runtime stays
 * off and only the management API runs.
 *
 * @param passthroughHost    where the passthrough listener binds
 * @param passthroughPort    its port (MI's default 8290; 0 picks a free one)
 * @param routes             the passthrough routes, longest prefix first
 * @param brokerUrl          an external broker's URL; empty means the embedded Artemis broker
 * @param embeddedBrokerPort the TCP port on which the embedded broker also accepts other runtimes (0: in-VM only)
 * @param endpoints          the JMS inbound endpoints
 */
public record RuntimeConfig(String passthroughHost, int passthroughPort, List<Route> routes,
        Optional<String> brokerUrl, int embeddedBrokerPort, List<InboundEndpoint> endpoints) {

    public static final int DEFAULT_PASSTHROUGH_PORT = 8290;

    public RuntimeConfig {
        Objects.requireNonNull(passthroughHost, "passthroughHost");
        routes = routes.stream()
                .sorted((a, b) -> Integer.compare(b.prefix().length(), a.prefix().length()))
                .toList();
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(brokerUrl, "brokerUrl");
    }

    public static RuntimeConfig none() {
        return new RuntimeConfig("127.0.0.1", DEFAULT_PASSTHROUGH_PORT, List.of(), Optional.empty(), 0, List.of());
    }

    /** Whether anything is configured for the runtime to do. */
    public boolean active() {
        return !routes.isEmpty() || !endpoints.isEmpty();
    }

    /** Whether the runtime needs a JMS broker: an async route or an inbound endpoint. */
    public boolean needsBroker() {
        return !endpoints.isEmpty() || routes.stream().anyMatch(route -> route.queue().isPresent());
    }

    /**
     * One passthrough route: requests whose path starts with {@code prefix} are proxied to {@code backend}
     * (the rest of the path appended), or, in async mode, put on {@code queue} and answered with 202.
     */
    public record Route(String prefix, Optional<URI> backend, Optional<String> queue) {
        public Route {
            Objects.requireNonNull(prefix, "prefix");
            if (backend.isPresent() == queue.isPresent()) {
                throw new IllegalArgumentException("a route has either a backend or a queue");
            }
        }
    }

    /**
     * One JMS inbound endpoint: consumes {@code queue} and forwards each message's body to an HTTP backend
     * ({@code forwardTo}) or to another queue ({@code forwardToQueue}).
     */
    public record InboundEndpoint(String name, String queue, Optional<URI> forwardTo, Optional<String> forwardToQueue,
            int concurrency) {
        public InboundEndpoint {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(queue, "queue");
            if (forwardTo.isPresent() == forwardToQueue.isPresent()) {
                throw new IllegalArgumentException("an endpoint forwards either to a URL or to a queue");
            }
        }
    }
}
