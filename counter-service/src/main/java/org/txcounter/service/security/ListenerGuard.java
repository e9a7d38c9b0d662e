package org.txcounter.service.security;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.MinimumDataRateHandler;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.service.config.ListenerLimits;

/**
 * Keeps slow, idle and numerous clients from taking a listener (and the process's file descriptors) away from
 * everyone else. Installed on one Jetty connector by {@link #install}, it applies its {@link ListenerLimits}:
 * <ul>
 *   <li>at most {@code max_connections} open connections: Jetty's {@link NetworkConnectionLimit} stops accepting
 *       while the limit is reached, so further clients wait in the kernel's accept queue and cost no descriptor;</li>
 *   <li>at most {@code max_connections_per_client} per client address: a connection beyond it is closed as soon as
 *       it is accepted;</li>
 *   <li>a header timeout: a connection that has not delivered a complete request line and headers within
 *       {@code header_timeout_ms} of its opening, or of the end of its previous exchange, is closed. Idle keep-alive
 *       connections therefore last at most that long, and a client trickling its headers a byte at a time cannot
 *       keep one open;</li>
 *   <li>an idle timeout (no byte in either direction), and, through {@link #minimumDataRate}, a minimum average
 *       rate for request bodies; both Jetty's.</li>
 * </ul>
 *
 * <p>Thread safety: Jetty calls the listener methods from its selector and worker threads; the per-client counts
 * and the watched connections are concurrent maps, and the header sweep runs on the connector's scheduler, one
 * sweep at a time. Closing a connection does not wait for it.
 */
public final class ListenerGuard extends AbstractLifeCycle implements Connection.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(ListenerGuard.class);
    private static final long WARNING_INTERVAL_MS = 60_000;

    private final String listener;
    private final ListenerLimits limits;
    private final ServerConnector connector;
    private final Map<InetAddress, AtomicInteger> perClient = new ConcurrentHashMap<>();
    /** The client address of each open network connection, taken at its opening: a closed socket has none. */
    private final Map<Connection, InetAddress> clients = new ConcurrentHashMap<>();
    private final Map<Connection, Exchange> watched = new ConcurrentHashMap<>();
    private final LongAdder refusedPerClient = new LongAdder();
    private final LongAdder headerTimeouts = new LongAdder();
    private final AtomicLong nextPerClientWarning = new AtomicLong();
    private final AtomicLong nextHeaderWarning = new AtomicLong();
    private volatile Scheduler.Task sweep;

    private ListenerGuard(String listener, ListenerLimits limits, ServerConnector connector) {
        this.listener = listener;
        this.limits = limits;
        this.connector = connector;
    }

    /**
     * Applies {@code limits} to {@code connector} of {@code server}: call before the server starts.
     *
     * @param listener what the connector is, for log lines ("management API", "passthrough")
     * @param http     the connector's own HTTP configuration, which gets the idle timeout
     */
    public static ListenerGuard install(String listener, Server server, ServerConnector connector,
            HttpConfiguration http, ListenerLimits limits) {
        long idle = limits.idleTimeout().toMillis();
        connector.setIdleTimeout(idle);
        http.setIdleTimeout(idle);
        NetworkConnectionLimit limit = new NetworkConnectionLimit(limits.maxConnections(), connector);
        // While the limit holds, the connections already open keep the idle timeout they had.
        limit.setEndPointIdleTimeout(idle);
        server.addBean(limit);
        ListenerGuard guard = new ListenerGuard(listener, limits, connector);
        // A bean of the connector: it starts after the connector's scheduler, and as an event listener of the
        // connector it hears of every connection the connector opens.
        connector.addBean(guard);
        return guard;
    }

    /**
     * The handler that enforces {@code min_request_data_rate}: a request body arriving more slowly on average is
     * failed. Wrap the listener's handlers in it.
     */
    public static Handler.Wrapper minimumDataRate(ListenerLimits limits) {
        return new MinimumDataRateHandler(limits.minRequestDataRate(), 0);
    }

    @Override
    protected void doStart() {
        schedule();
    }

    @Override
    protected void doStop() {
        Scheduler.Task task = sweep;
        if (task != null) {
            task.cancel();
        }
        watched.clear();
        clients.clear();
        perClient.clear();
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection.getEndPoint() instanceof SocketChannelEndPoint endPoint) {
            InetAddress client = address(endPoint.getRemoteSocketAddress());
            if (client != null) {
                clients.put(connection, client);
                int open = perClient.computeIfAbsent(client, c -> new AtomicInteger()).incrementAndGet();
                if (limits.maxConnectionsPerClient() > 0 && open > limits.maxConnectionsPerClient()) {
                    refusedPerClient.increment();
                    warn(nextPerClientWarning, "Closed a new connection from {} to the {}: that address already "
                            + "holds {} connections, the most max_connections_per_client allows ({} refused so "
                            + "far). If many real clients share that address (a proxy, NAT), raise "
                            + "max_connections_per_client.",
                            client.getHostAddress(), listener, open - 1, refusedPerClient.sum());
                    endPoint.close();
                    return;
                }
            }
        }
        if (connection.getMessagesIn() >= 0) {
            watched.put(connection, new Exchange(connection.getMessagesIn(), connection.getMessagesOut(),
                    System.nanoTime()));
        }
    }

    @Override
    public void onClosed(Connection connection) {
        watched.remove(connection);
        InetAddress client = clients.remove(connection);
        if (client != null) {
            perClient.computeIfPresent(client, (c, open) -> open.decrementAndGet() <= 0 ? null : open);
        }
    }

    private void schedule() {
        long period = Math.max(50, limits.headerTimeout().toMillis() / 4);
        sweep = connector.getScheduler().schedule(this::sweep, period, TimeUnit.MILLISECONDS);
    }

    /** Closes the connections that are waiting for a request's headers for longer than the header timeout. */
    private void sweep() {
        try {
            long now = System.nanoTime();
            long timeout = limits.headerTimeout().toNanos();
            for (Iterator<Map.Entry<Connection, Exchange>> entries = watched.entrySet().iterator();
                    entries.hasNext(); ) {
                Map.Entry<Connection, Exchange> entry = entries.next();
                Connection connection = entry.getKey();
                Exchange last = entry.getValue();
                long in = connection.getMessagesIn();
                long out = connection.getMessagesOut();
                if (in != last.in() || out != last.out()) {
                    entry.setValue(new Exchange(in, out, now));
                } else if (in == out && now - last.since() > timeout) {
                    // Between exchanges: no request is being handled, and none arrived in time.
                    headerTimeouts.increment();
                    entries.remove();
                    connection.close();
                    warn(nextHeaderWarning, "Closed a connection to the {} that sent no complete request "
                            + "headers within {} ms (header_timeout_ms); {} closed so far. Many of these mean slow "
                            + "or idle clients, or an attack holding connections open.", listener,
                            limits.headerTimeout().toMillis(),
                            headerTimeouts.sum());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("The header-timeout sweep of the {} failed: {}", listener, e.toString());
        } finally {
            if (isRunning()) {
                schedule();
            }
        }
    }

    /** Logs at most once a minute per kind of warning. */
    private static void warn(AtomicLong nextWarning, String message, Object... arguments) {
        long now = System.currentTimeMillis();
        long next = nextWarning.get();
        if (now >= next && nextWarning.compareAndSet(next, now + WARNING_INTERVAL_MS)) {
            LOG.warn(message, arguments);
        }
    }

    private static InetAddress address(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    /** The request and response counts of a connection when they last changed, and when that was. */
    private record Exchange(long in, long out, long since) {
    }
}
