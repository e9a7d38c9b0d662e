package org.txcounter.service.runtime;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.ActiveMQExceptionType;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.plugin.ActiveMQServerConnectionPlugin;
import org.apache.activemq.artemis.spi.core.protocol.RemotingConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.service.logging.LogBudget;

/**
 * Closes a connection to the embedded broker's TCP or TLS port that has not logged in (opened a session) within
 * {@code loginTimeout} of its creation: an idle connection that named its protocol but never authenticates holds
 * one of the port's connections ({@link BrokerPortGate}) for that long at most. In-VM connections (the runtime's
 * own) are never closed.
 *
 * <p>Thread-safe: the broker calls it from its threads; the sweep runs on one thread of its own every quarter of
 * the timeout.
 */
final class BrokerGuard implements ActiveMQServerConnectionPlugin {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerGuard.class);
    private static final LogBudget WARNINGS = new LogBudget(1);

    private final Duration loginTimeout;
    private final LongAdder loginTimeouts = new LongAdder();
    private final ScheduledExecutorService sweeper;
    private volatile ActiveMQServer server;

    BrokerGuard(Duration loginTimeout) {
        this.loginTimeout = loginTimeout;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "broker-login-timeout");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void registered(ActiveMQServer server) {
        this.server = server;
        long period = Math.max(100, loginTimeout.toMillis() / 4);
        sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    private void sweep() {
        ActiveMQServer broker = server;
        if (broker == null || !broker.isStarted()) {
            return;
        }
        try {
            long now = System.currentTimeMillis();
            for (RemotingConnection connection : broker.getRemotingService().getConnections()) {
                if (client(connection) != null && now - connection.getCreationTime() > loginTimeout.toMillis()
                        && broker.getSessions(connection.getID().toString()).isEmpty()) {
                    loginTimeouts.increment();
                    WARNINGS.warn(LOG, "Closed a broker connection from {} that did not log in within {} ms "
                            + "([jms] embedded_broker_login_timeout_ms); {} so far.", client(connection),
                            loginTimeout.toMillis(), loginTimeouts.sum());
                    connection.fail(new ActiveMQException(ActiveMQExceptionType.SECURITY_EXCEPTION,
                            "No login within " + loginTimeout.toMillis() + " ms"));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("The broker's login-timeout sweep failed: {}", e.toString());
        }
    }

    /** The client's address without its port, or {@code null} for an in-VM connection. */
    static String client(RemotingConnection connection) {
        String remote = connection.getRemoteAddress();
        if (remote == null || remote.startsWith("invm")) {
            return null;
        }
        String address = remote.startsWith("/") ? remote.substring(1) : remote;
        int colon = address.lastIndexOf(':');
        return colon > 0 ? address.substring(0, colon) : address;
    }

    void close() {
        sweeper.shutdownNow();
    }
}
