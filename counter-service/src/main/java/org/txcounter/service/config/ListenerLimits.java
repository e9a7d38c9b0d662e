package org.txcounter.service.config;

import java.time.Duration;
import java.util.Objects;
import org.txcounter.core.config.ConfigException;

/**
 * How many connections a listener (the management API, the HTTP passthrough) accepts and how long a slow or idle
 * client may hold one, from {@code [management_api]} and {@code [passthrough]} in {@code deployment.toml}:
 *
 * <pre>{@code
 * [passthrough]
 * max_connections = 2000            # open connections at most; further clients wait in the accept queue
 * max_connections_per_client = 0    # per client address; 0: no limit of its own (clients behind one proxy)
 * header_timeout_ms = 10000         # a request's line and headers must arrive within this time
 * idle_timeout_ms = 30000           # no byte read or written for this long ends the connection
 * min_request_data_rate = 256       # bytes/s a request body must average; slower uploads are cut off
 * }</pre>
 *
 * <p>Immutable.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 *
 * @param maxConnections          the most connections open at once; when reached the listener stops accepting
 *                                until one closes
 * @param maxConnectionsPerClient the most connections one client address may hold; 0 for no limit of its own
 * @param headerTimeout           how long a connection may take to deliver a complete request line and headers,
 *                                counted from its opening or from its previous request
 * @param idleTimeout             how long a connection may go without a byte read or written
 * @param minRequestDataRate      the lowest average rate, in bytes per second, at which a request body must arrive;
 *                                0 turns the check off
 */
public record ListenerLimits(int maxConnections, int maxConnectionsPerClient, Duration headerTimeout,
        Duration idleTimeout, long minRequestDataRate) {

    /** The management API: few, local clients. */
    public static final ListenerLimits MANAGEMENT_DEFAULTS =
            new ListenerLimits(256, 64, Duration.ofSeconds(10), Duration.ofSeconds(30), 256);
    /** The passthrough: many clients, often all behind one load balancer or proxy address. */
    public static final ListenerLimits PASSTHROUGH_DEFAULTS =
            new ListenerLimits(2000, 0, Duration.ofSeconds(10), Duration.ofSeconds(30), 256);
    static final int MAX_CONNECTIONS = 1_000_000;
    static final long MAX_TIMEOUT_MS = 3_600_000;

    public ListenerLimits {
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (maxConnections < 1 || maxConnections > MAX_CONNECTIONS) {
            throw new ConfigException("max_connections: expected 1 to " + MAX_CONNECTIONS + ". Found: "
                    + maxConnections);
        }
        if (maxConnectionsPerClient < 0 || maxConnectionsPerClient > maxConnections) {
            throw new ConfigException("max_connections_per_client: expected 0 (no limit) to max_connections ("
                    + maxConnections + "). Found: " + maxConnectionsPerClient);
        }
        if (headerTimeout.toMillis() < 100 || headerTimeout.toMillis() > MAX_TIMEOUT_MS) {
            throw new ConfigException("header_timeout_ms: expected 100 to " + MAX_TIMEOUT_MS + ". Found: "
                    + headerTimeout.toMillis());
        }
        if (idleTimeout.toMillis() < 100 || idleTimeout.toMillis() > MAX_TIMEOUT_MS) {
            throw new ConfigException("idle_timeout_ms: expected 100 to " + MAX_TIMEOUT_MS + ". Found: "
                    + idleTimeout.toMillis());
        }
        if (minRequestDataRate < 0) {
            throw new ConfigException("min_request_data_rate: expected 0 (off) or more bytes per second. Found: "
                    + minRequestDataRate);
        }
    }
}
