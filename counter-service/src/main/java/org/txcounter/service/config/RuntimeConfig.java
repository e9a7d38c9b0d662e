package org.txcounter.service.config;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.txcounter.core.OwnDestinations;

/**
 * The integration runtime that the service runs around the counter: the HTTP passthrough listener with its
 * routes, and the JMS inbound endpoints. From {@code [passthrough]}, {@code [[passthrough.route]]}, {@code [jms]}
 * and {@code [[inbound_endpoint]]} in {@code deployment.toml}. With no routes and no endpoints the runtime stays
 * off and only the management API runs.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 *
 * @param passthroughHost    where the passthrough listener binds
 * @param passthroughPort    its port (MI's default 8290; 0 picks a free one)
 * @param routes             the passthrough routes, longest prefix first
 * @param brokerUrl          an external broker's URL; empty means the embedded Artemis broker
 * @param embeddedBrokerPort the TCP port on which the embedded broker also accepts other runtimes (0: in-VM only)
 * @param endpoints          the JMS inbound endpoints
 * @param own                what else the deployment consumes itself (queues of consumers on other nodes, peer
 *                           nodes): the counter's {@code [deduplication]} setting,
 *                           {@link org.txcounter.core.config.CounterConfig#ownDestinations()}, which with the
 *                           endpoints' queues are the only destinations ever stamped
 * @param brokerLogin        the runtime's own broker login: for {@code brokerUrl}, or for the embedded broker
 *                           instead of the one it generates
 * @param producers          outside producers: logins of the embedded broker that may send to the inbound
 *                           endpoints' queues and do nothing else
 * @param embeddedBrokerTls  an optional TLS acceptor of the embedded broker, on 127.0.0.1 like the plain one
 * @param maxMessageSize     the largest message body, in bytes, that an inbound endpoint reads and an async route
 *                           queues; a larger message is counted, dead-lettered and never read, a larger request body
 *                           is answered 413
 * @param brokerLimits       the embedded broker's limits on the connections of its TCP and TLS acceptors
 */
public record RuntimeConfig(String passthroughHost, int passthroughPort, List<Route> routes,
        Optional<String> brokerUrl, int embeddedBrokerPort, List<InboundEndpoint> endpoints, OwnDestinations own,
        Optional<Login> brokerLogin, List<Login> producers, Optional<BrokerTls> embeddedBrokerTls,
        int maxMessageSize, BrokerLimits brokerLimits) {

    public static final int DEFAULT_PASSTHROUGH_PORT = 8290;
    /** 10 MiB: with the default endpoint concurrency, what the endpoints may hold at once stays far below the heap. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 10 * 1024 * 1024;
    /** The smallest limit: below it Artemis sends every message in one frame, and none is ever streamed. */
    public static final int MIN_MAX_MESSAGE_SIZE = 100 * 1024;
    /** The largest limit: bodies are held as one array by the endpoints that forward them. */
    public static final int MAX_MAX_MESSAGE_SIZE = 256 * 1024 * 1024;

    public RuntimeConfig {
        Objects.requireNonNull(passthroughHost, "passthroughHost");
        routes = routes.stream()
                .sorted((a, b) -> Integer.compare(b.prefix().length(), a.prefix().length()))
                .toList();
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(brokerUrl, "brokerUrl");
        Objects.requireNonNull(own, "own");
        Objects.requireNonNull(brokerLogin, "brokerLogin");
        producers = List.copyOf(producers);
        Objects.requireNonNull(embeddedBrokerTls, "embeddedBrokerTls");
        Objects.requireNonNull(brokerLimits, "brokerLimits");
        if (maxMessageSize < MIN_MAX_MESSAGE_SIZE || maxMessageSize > MAX_MAX_MESSAGE_SIZE) {
            throw new IllegalArgumentException("maxMessageSize must be from " + MIN_MAX_MESSAGE_SIZE + " to "
                    + MAX_MAX_MESSAGE_SIZE + ". Found: " + maxMessageSize);
        }
    }

    /**
     * No destinations beyond the endpoints' own, the embedded broker's generated login, no outside producers, the
     * default message size limit.
     */
    public RuntimeConfig(String passthroughHost, int passthroughPort, List<Route> routes, Optional<String> brokerUrl,
            int embeddedBrokerPort, List<InboundEndpoint> endpoints) {
        this(passthroughHost, passthroughPort, routes, brokerUrl, embeddedBrokerPort, endpoints, OwnDestinations.none(),
                Optional.empty(), List.of(), Optional.empty(), DEFAULT_MAX_MESSAGE_SIZE, BrokerLimits.DEFAULTS);
    }

    public static RuntimeConfig none() {
        return new RuntimeConfig("127.0.0.1", DEFAULT_PASSTHROUGH_PORT, List.of(), Optional.empty(), 0, List.of());
    }

    /** The destinations stamps may be issued for: {@link #own()} plus every inbound endpoint's queue. */
    public OwnDestinations stampDestinations() {
        return own.withQueues(endpoints.stream().map(InboundEndpoint::queue).toList());
    }

    /** Whether anything is configured for the runtime to do. */
    public boolean active() {
        return !routes.isEmpty() || !endpoints.isEmpty();
    }

    /** Whether the runtime needs a JMS broker: an async route or an inbound endpoint. */
    public boolean needsBroker() {
        return !endpoints.isEmpty() || routes.stream().anyMatch(route -> route.queue().isPresent());
    }

    /** A broker user and password; {@link #toString()} hides the password. */
    public record Login(String user, String password) {
        public Login {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            if (user.isEmpty() || password.isEmpty()) {
                throw new IllegalArgumentException("a broker login needs a user and a password");
            }
        }

        @Override
        public String toString() {
            return "Login[user=" + user + ", password=(hidden)]";
        }
    }

    /**
     * What the embedded broker's TCP and TLS acceptors allow: connections in all (each acceptor), per client
     * address, and the time a connection has to log in. Failed logins are throttled per address and user name
     * like the management API's.
     */
    public record BrokerLimits(int maxConnections, int maxConnectionsPerClient, java.time.Duration loginTimeout) {
        public static final BrokerLimits DEFAULTS = new BrokerLimits(256, 32, java.time.Duration.ofSeconds(5));

        public BrokerLimits {
            Objects.requireNonNull(loginTimeout, "loginTimeout");
            if (maxConnections < 1 || maxConnectionsPerClient < 1 || loginTimeout.isNegative()
                    || loginTimeout.isZero()) {
                throw new IllegalArgumentException("broker limits must be positive. Found: " + maxConnections
                        + ", " + maxConnectionsPerClient + ", " + loginTimeout);
            }
        }
    }

    /** The embedded broker's TLS acceptor: its port and its PKCS12 keystore; {@link #toString()} hides the password. */
    public record BrokerTls(int port, java.nio.file.Path keystore, String keystorePassword) {
        public BrokerTls {
            Objects.requireNonNull(keystore, "keystore");
            Objects.requireNonNull(keystorePassword, "keystorePassword");
        }

        @Override
        public String toString() {
            return "BrokerTls[port=" + port + ", keystore=" + keystore + ", keystorePassword=(hidden)]";
        }
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
