package org.txcounter.service.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.security.auth.Subject;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.TransportConfiguration;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.remoting.impl.invm.InVMConnector;
import org.apache.activemq.artemis.core.remoting.impl.netty.NettyAcceptor;
import org.apache.activemq.artemis.core.remoting.impl.netty.NettyAcceptorFactory;
import org.apache.activemq.artemis.core.remoting.impl.netty.TransportConstants;
import org.apache.activemq.artemis.core.remoting.server.RemotingService;
import org.apache.activemq.artemis.core.security.CheckType;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.spi.core.protocol.RemotingConnection;
import org.apache.activemq.artemis.spi.core.security.ActiveMQSecurityManager5;
import org.apache.activemq.artemis.spi.core.security.jaas.NoCacheLoginException;
import org.apache.activemq.artemis.spi.core.security.jaas.RolePrincipal;
import org.apache.activemq.artemis.spi.core.security.jaas.UserPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.IngressCounter;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.io.AtomicFiles;
import org.txcounter.core.io.PrivateFiles;
import org.txcounter.service.config.RuntimeConfig;
import org.txcounter.service.logging.LogBudget;
import org.txcounter.service.security.LoginThrottle;
import org.txcounter.service.security.ManagementTls;

/**
 * The ActiveMQ Artemis broker the runtime starts when no external broker is configured. Messages are persisted
 * in {@code <data_dir>/broker} (directories mode 700, files 600), so queued async requests survive a restart.
 * Other runtimes of the deployment on this host reach it over TCP on {@code 127.0.0.1} when a port is configured.
 *
 * <p>The broker is closed: every connection, in-VM ones included, logs in. The runtime's own login (configured
 * as {@code [jms] user}/{@code password}, or else generated once and kept owner-only in
 * {@code <data_dir>/broker-login}) may send, consume, browse and create queues; outside producers
 * ({@code [[jms.producer]]}) may only send to the inbound endpoints' queues, which exist from the start. Nobody may
 * manage the broker (no JMX, and no login has the manage permission for management messages), and there is no
 * anonymous access. The broker directory and everything in it are owner-only: the journal holds request bodies
 * and stamps.
 *
 * <p>Its TCP and TLS ports hold at most {@code [jms] embedded_broker_max_connections} connections each, at most
 * {@code embedded_broker_max_connections_per_client} from one address, counted from the moment a connection is
 * accepted ({@link BrokerPortGate}); a connection that sends nothing is closed after a second, one that has not
 * logged in within {@code embedded_broker_login_timeout_ms} ({@link BrokerGuard}); failed logins are throttled per
 * address and user name like the management API's.
 *
 * <p>A message on an inbound queue larger than {@code [jms] max_message_size} never reaches an endpoint: it is
 * counted once and moved unread to {@code DLQ} ({@link InboundQueuePolicy}), which also releases the ids of
 * messages the broker dead-letters or expires.
 *
 * <p>A rolled-back message is redelivered at once, up to {@value #MAX_DELIVERY_ATTEMPTS} times, then moved to the
 * {@code DLQ} address, into its queue {@code DLQ.<queue>}; an expired message is moved to the {@code ExpiryQueue}
 * address, queue {@code EXP.<queue>}. Both are set for every address, so the
 * runtime's queues never log Artemis' "no expiry address" warning (AMQ222166).
 *
 * <p>Thread-safe: start and close from one thread; the broker serves any number of connections.
 */
public final class EmbeddedBroker implements AutoCloseable {

    static final int MAX_DELIVERY_ATTEMPTS = 10;
    /** Where a message goes after {@value #MAX_DELIVERY_ATTEMPTS} rolled-back deliveries. */
    static final String DEAD_LETTER_ADDRESS = "DLQ";
    /** The queue of {@link #DEAD_LETTER_ADDRESS} holding what was dead-lettered from {@code queue}. */
    static String deadLetterQueue(String queue) {
        return "DLQ." + queue;
    }

    /** Where a message whose JMS expiration passed goes, instead of being dropped with a warning. */
    static final String EXPIRY_ADDRESS = "ExpiryQueue";
    static final String LOGIN_FILE = "broker-login";
    static final String RUNTIME_ROLE = "runtime";
    static final String PRODUCER_ROLE = "producer";
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    /** In-VM server ids must differ between brokers of one JVM (tests run several runtimes). */
    private static final AtomicInteger NEXT_ID = new AtomicInteger();

    private final EmbeddedActiveMQ server;
    private final String inVmUrl;
    private final RuntimeConfig.Login login;
    private final Path home;
    private final InboundQueuePolicy policy;
    private final BrokerGuard guard;
    private final List<BrokerPortGate> gates;

    private EmbeddedBroker(EmbeddedActiveMQ server, String inVmUrl, RuntimeConfig.Login login, Path home,
            InboundQueuePolicy policy, BrokerGuard guard, List<BrokerPortGate> gates) {
        this.guard = guard;
        this.gates = List.copyOf(gates);
        this.server = server;
        this.inVmUrl = inVmUrl;
        this.login = login;
        this.home = home;
        this.policy = policy;
    }

    /**
     * Starts a closed broker with its journal in {@code <dataDir>/broker}, a TCP acceptor on 127.0.0.1 when
     * {@code tcpPort} is above 0, and a TLS one (TLS 1.3 and 1.2, the management API's cipher suites) when
     * {@code tls} is given.
     *
     * @param runtimeLogin  the runtime's configured login; empty means the one generated in the data directory
     * @param producers     outside producers' logins
     * @param inboundQueues the queues outside producers may send to (the inbound endpoints' queues)
     * @param maxMessageSize the largest body an endpoint reads: a larger message on an inbound queue is counted and
     *                      dead-lettered unread ({@link InboundQueuePolicy})
     * @param limits        connections of the TCP and TLS acceptors: in all, per client address, time to log in
     * @param ingress       the counter's ingress, empty when counting is off
     */
    public static EmbeddedBroker start(Path dataDir, int tcpPort, Optional<RuntimeConfig.Login> runtimeLogin,
            List<RuntimeConfig.Login> producers, Collection<String> inboundQueues,
            Optional<RuntimeConfig.BrokerTls> tls, int maxMessageSize, RuntimeConfig.BrokerLimits limits,
            Optional<IngressCounter> ingress) throws Exception {
        int id = NEXT_ID.getAndIncrement();
        String inVmUrl = "vm://" + id;
        Path home = dataDir.resolve("broker").toAbsolutePath();
        RuntimeConfig.Login login = runtimeLogin.orElseGet(() -> generatedLogin(dataDir));
        // The journal holds queued request bodies and their stamps: owner-only, before Artemis writes a byte.
        PrivateFiles.ownerOnlyDirectory(home);
        for (String directory : new String[] {"journal", "bindings", "paging", "large-messages"}) {
            PrivateFiles.ownerOnlyDirectory(home.resolve(directory));
        }
        Configuration configuration = new ConfigurationImpl()
                .setName("txcounter-" + id)
                .setPersistenceEnabled(true)
                .setJournalType(JournalType.NIO)
                .setJournalDirectory(home.resolve("journal").toString())
                .setBindingsDirectory(home.resolve("bindings").toString())
                .setPagingDirectory(home.resolve("paging").toString())
                .setLargeMessagesDirectory(home.resolve("large-messages").toString())
                .setJournalFileSize(1024 * 1024)
                .setJournalMinFiles(2)
                .setSecurityEnabled(true)
                .setJMXManagementEnabled(false)
                .addAcceptorConfiguration("in-vm", inVmUrl)
                .addAddressSetting("#", new AddressSettings()
                        .setRedeliveryDelay(0L)
                        .setMaxDeliveryAttempts(MAX_DELIVERY_ATTEMPTS)
                        .setDeadLetterAddress(SimpleString.of(DEAD_LETTER_ADDRESS))
                        .setAutoCreateDeadLetterResources(true)
                        .setExpiryAddress(SimpleString.of(EXPIRY_ADDRESS))
                        .setAutoCreateExpiryResources(true)
                        .setAutoCreateQueues(true)
                        .setAutoCreateAddresses(true));
        Role runtime = new Role(RUNTIME_ROLE, true, true, true, true, true, true, false, true, true, true, false,
                false);
        Role producer = new Role(PRODUCER_ROLE, true, false, false, false, false, false, false, false, false, false,
                false, false);
        configuration.putSecurityRoles("#", Set.of(runtime));
        for (String queue : inboundQueues) {
            configuration.putSecurityRoles(queue, Set.of(runtime, producer));
            configuration.addQueueConfiguration(QueueConfiguration.of(queue).setAddress(queue)
                    .setRoutingType(RoutingType.ANYCAST).setDurable(true));
        }
        if (tcpPort > 0) {
            configuration.addAcceptorConfiguration(new TransportConfiguration(NettyAcceptorFactory.class.getName(),
                    gatedAcceptor(tcpPort), TCP_ACCEPTOR));
        }
        if (tls.isPresent()) {
            RuntimeConfig.BrokerTls acceptor = tls.get();
            Map<String, Object> params = gatedAcceptor(acceptor.port());
            params.put(TransportConstants.SSL_ENABLED_PROP_NAME, true);
            params.put(TransportConstants.KEYSTORE_PATH_PROP_NAME, acceptor.keystore().toAbsolutePath().toString());
            params.put(TransportConstants.KEYSTORE_PASSWORD_PROP_NAME, acceptor.keystorePassword());
            params.put(TransportConstants.KEYSTORE_TYPE_PROP_NAME, "PKCS12");
            params.put(TransportConstants.ENABLED_PROTOCOLS_PROP_NAME, String.join(",", ManagementTls.PROTOCOLS));
            params.put(TransportConstants.ENABLED_CIPHER_SUITES_PROP_NAME,
                    String.join(",", ManagementTls.CIPHER_SUITES));
            configuration.addAcceptorConfiguration(new TransportConfiguration(
                    NettyAcceptorFactory.class.getName(), params, TLS_ACCEPTOR));
        }
        Map<String, LoginCheck> logins = new HashMap<>();
        logins.put(login.user(), new LoginCheck(login.password(), RUNTIME_ROLE));
        for (RuntimeConfig.Login outside : producers) {
            logins.put(outside.user(), new LoginCheck(outside.password(), PRODUCER_ROLE));
        }
        InboundQueuePolicy policy = new InboundQueuePolicy(Set.copyOf(inboundQueues), maxMessageSize, ingress);
        configuration.registerBrokerPlugin(policy);
        BrokerGuard guard = new BrokerGuard(limits.loginTimeout());
        configuration.registerBrokerPlugin(guard);
        EmbeddedActiveMQ server = new EmbeddedActiveMQ();
        server.setConfiguration(configuration);
        server.setSecurityManager(new Logins(logins));
        List<BrokerPortGate> gates = new ArrayList<>();
        try {
            server.start();
            RemotingService remoting = server.getActiveMQServer().getRemotingService();
            int threads = Runtime.getRuntime().availableProcessors() * 3;
            if (tcpPort > 0) {
                gates.add(BrokerPortGate.open(TCP_ACCEPTOR, (NettyAcceptor) remoting.getAcceptor(TCP_ACCEPTOR), false,
                        LOOPBACK, tcpPort, limits.maxConnections(), limits.maxConnectionsPerClient(), threads));
            }
            if (tls.isPresent()) {
                gates.add(BrokerPortGate.open(TLS_ACCEPTOR, (NettyAcceptor) remoting.getAcceptor(TLS_ACCEPTOR), true,
                        LOOPBACK, tls.get().port(), limits.maxConnections(), limits.maxConnectionsPerClient(),
                        threads));
            }
        } catch (Exception e) {
            gates.forEach(BrokerPortGate::close);
            policy.close();
            guard.close();
            try {
                server.stop();
            } catch (Exception stopFailure) {
                e.addSuppressed(stopFailure);
            }
            throw e;
        }
        policy.sweepLeftovers();
        // Artemis creates its files with the process's umask; inside the 700 directories, and set to 600 here.
        PrivateFiles.restrictTree(home);
        LOG.info("Embedded JMS broker started ({}{}{}), journal in {}; {} outside producer login(s) may send to {}.",
                inVmUrl, tcpPort > 0 ? ", tcp://127.0.0.1:" + tcpPort : "",
                tls.map(t -> ", TLS on 127.0.0.1:" + t.port()).orElse(""), home, producers.size(), inboundQueues);
        return new EmbeddedBroker(server, inVmUrl, login, home, policy, guard, gates);
    }

    /** The URL this JVM's clients connect with. */
    public String url() {
        return inVmUrl;
    }

    /** The runtime's own login, with which it (and the deployment's other runtimes) connect. */
    public RuntimeConfig.Login login() {
        return login;
    }

    /** Connections open on the TCP and TLS ports now, logged in or not. */
    int openConnections() {
        return gates.stream().mapToInt(BrokerPortGate::open).sum();
    }

    /** Connections the TCP and TLS ports closed at accept since the start, because a limit was reached. */
    long refusedConnections() {
        return gates.stream().mapToLong(BrokerPortGate::refused).sum();
    }

    /** The selector with which the inbound endpoints consume: it leaves oversized messages to the broker. */
    String consumerSelector() {
        return InboundQueuePolicy.consumerSelector(policy.maxMessageSize());
    }

    @Override
    public void close() throws Exception {
        policy.close();
        guard.close();
        server.stop();
        // After the broker: it says goodbye to its logged-in clients; then the ports close what is left.
        gates.forEach(BrokerPortGate::close);
        // Without these the client thread pools keep the JVM alive for a minute after the broker stopped.
        ActiveMQClient.clearThreadPools();
        InVMConnector.resetThreadPool();
        PrivateFiles.restrictTree(home);
    }

    private static final String TCP_ACCEPTOR = "tcp";
    private static final String TLS_ACCEPTOR = "tls";
    private static final String LOOPBACK = "127.0.0.1";

    /**
     * Artemis' protocol handshake timeout, in seconds: one, its least. A connection that sends nothing holds one of
     * the port's {@code embedded_broker_max_connections} for that long; the acceptors listen on 127.0.0.1, where a
     * client sends its first bytes at once.
     */
    private static final int HANDSHAKE_TIMEOUT_SECONDS = 1;

    /**
     * The parameters of an acceptor whose port is a {@link BrokerPortGate}: {@code httpUpgradeEnabled} makes Artemis
     * bind nothing and take the gate's connections; its own event loops are then unused, so it gets one.
     */
    private static Map<String, Object> gatedAcceptor(int port) {
        Map<String, Object> params = new HashMap<>();
        params.put(TransportConstants.HOST_PROP_NAME, LOOPBACK);
        params.put(TransportConstants.PORT_PROP_NAME, port);
        params.put(TransportConstants.HTTP_UPGRADE_ENABLED_PROP_NAME, true);
        params.put(TransportConstants.REMOTING_THREADS_PROPNAME, 1);
        params.put(TransportConstants.HANDSHAKE_TIMEOUT, HANDSHAKE_TIMEOUT_SECONDS);
        return params;
    }

    /** The login generated on the first start and kept in {@code <dataDir>/broker-login} (mode 600). */
    private static RuntimeConfig.Login generatedLogin(Path dataDir) {
        Path file = dataDir.resolve(LOGIN_FILE);
        try {
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                if (lines.size() < 2 || lines.get(0).isBlank() || lines.get(1).isBlank()) {
                    throw new IOException("expected a user on the first line and a password on the second");
                }
                return new RuntimeConfig.Login(lines.get(0).strip(), lines.get(1).strip());
            }
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            RuntimeConfig.Login login = new RuntimeConfig.Login("txcounter-runtime",
                    Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
            AtomicFiles.write(file, (login.user() + "\n" + login.password() + "\n").getBytes(StandardCharsets.UTF_8));
            LOG.info("Generated the embedded broker's runtime login in {} (owner-only). Other runtimes of the "
                    + "deployment that use this broker need it as [jms] user and password.", file.toAbsolutePath());
            return login;
        } catch (IOException e) {
            throw new ConfigException("Cannot read or create the broker login file " + file.toAbsolutePath() + ": "
                    + e.getMessage() + ". Make the data directory writable, restore the file, or set [jms] user and "
                    + "password in deployment.toml.", e);
        }
    }

    private record LoginCheck(String password, String role) {
        boolean matches(String offered) {
            return offered != null && MessageDigest.isEqual(password.getBytes(StandardCharsets.UTF_8),
                    offered.getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * The broker's logins: a fixed map. No user, or a wrong password, is refused; failed logins are throttled per
     * client address and user name as the management API's are ({@link LoginThrottle}, decided before the check),
     * so a client guessing passwords gets 5 tries per name and 20 per address in 15 minutes. In-VM logins (the
     * runtime's own) are not throttled. Thread-safe: the map is fixed and the throttle is thread-safe.
     */
    private static final class Logins implements ActiveMQSecurityManager5 {
        private static final LogBudget FAILED = new LogBudget(10);
        private final Map<String, LoginCheck> byUser;
        private final LoginThrottle throttle = new LoginThrottle(Clock.systemUTC());

        Logins(Map<String, LoginCheck> byUser) {
            this.byUser = Map.copyOf(byUser);
        }

        @Override
        public Subject authenticate(String user, String password, RemotingConnection connection,
                String securityDomain) throws NoCacheLoginException {
            String client = connection == null ? null : BrokerGuard.client(connection);
            LoginThrottle.Attempt attempt = client == null ? null : throttle.attempt(client, user);
            if (attempt != null && !attempt.allowed()) {
                FAILED.warn(LOG, "Refused a broker login for user {} from {}: too many failed logins; retry in {} s.",
                        LogBudget.bounded(user, 64), client, attempt.retryAfter().toSeconds());
                // Not cached by Artemis: the same name and password are checked again from another address.
                throw new NoCacheLoginException("throttled: " + client);
            }
            LoginCheck check = user == null ? null : byUser.get(user);
            if (check == null || !check.matches(password)) {
                if (client != null) {
                    FAILED.warn(LOG, "Failed broker login for user {} from {}.", LogBudget.bounded(user, 64), client);
                }
                return null;
            }
            if (attempt != null) {
                attempt.succeeded();
            }
            Subject subject = new Subject();
            subject.getPrincipals().add(new UserPrincipal(user));
            subject.getPrincipals().add(new RolePrincipal(check.role()));
            return subject;
        }

        @Override
        public boolean authorize(Subject subject, Set<Role> roles, CheckType checkType, String address) {
            if (subject == null) {
                return false;
            }
            for (RolePrincipal granted : subject.getPrincipals(RolePrincipal.class)) {
                if (grants(granted.getName(), roles, checkType)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public boolean validateUser(String user, String password) {
            LoginCheck check = user == null ? null : byUser.get(user);
            return check != null && check.matches(password);
        }

        @Override
        public boolean validateUserAndRole(String user, String password, Set<Role> roles, CheckType checkType) {
            LoginCheck check = user == null ? null : byUser.get(user);
            return check != null && check.matches(password) && grants(check.role(), roles, checkType);
        }

        /** Whether one of {@code roles} is the login's role and allows {@code checkType}. */
        private static boolean grants(String loginRole, Set<Role> roles, CheckType checkType) {
            for (Role role : roles) {
                if (role.getName().equals(loginRole) && checkType.hasRole(role)) {
                    return true;
                }
            }
            return false;
        }
    }
}
