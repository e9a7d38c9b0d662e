package org.txcounter.service.cli;

import com.sun.security.auth.module.UnixSystem;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.DatabaseStatus;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounts;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DeploymentToml;
import org.txcounter.core.io.PidFile;
import org.txcounter.core.io.PrivateFiles;
import org.txcounter.service.api.ApiAccess;
import org.txcounter.service.api.CounterMetrics;
import org.txcounter.service.api.ManagementApi;
import org.txcounter.service.api.MetricsListener;
import org.txcounter.service.config.ManagementSecurity;
import org.txcounter.service.config.RuntimeConfig;
import org.txcounter.service.config.SecretStore;
import org.txcounter.service.config.ServiceConfig;
import org.txcounter.service.logging.PrivateRollingFileAppender;
import org.txcounter.service.runtime.IntegrationRuntime;
import org.txcounter.service.runtime.RoutingStats;
import org.txcounter.service.security.GeneratedAdmin;
import org.txcounter.service.security.ManagementTls;
import org.txcounter.service.statement.Billing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Starts the counter, the management API and the integration runtime. A stop (Ctrl-C, SIGTERM) closes the runtime
 * and the API and then writes what was counted. With {@code --reporting} it starts the management API alone, over
 * what other nodes (MI runtimes with the drop-in, or other instances) write to the shared database.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Count transactions and serve the management API (the default command).")
final class ServeCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Mixin
    ConfigFile configFile = new ConfigFile();

    @Option(names = "--reporting", description = "Serve the management API over the shared database without "
            + "counting: no passthrough, no broker, no node of its own. For deployments whose nodes are MI runtimes "
            + "with the drop-in, or to report apart from the counting nodes.")
    boolean reporting;

    @Override
    public Integer call() throws Exception {
        ServiceConfig config = configFile.read();
        configFile.path().flatMap(ServeCommand::exposedSecretsWarning).ifPresent(LOG::warn);
        serve(config, configFile.source(), reporting);
        return Commands.KEEP_RUNNING;
    }

    private static final Pattern PASSWORD_HASH = Pattern.compile("(?m)^\\s*password_hash\\s*=");
    /** A {@code [secrets]} value in plain text: {@code name = "[the secret]"}. */
    private static final Pattern PLAIN_SECRET = Pattern.compile("(?m)^\\s*[A-Za-z0-9_.-]+\\s*=\\s*\"\\[");

    static void serve(ServiceConfig config, String source, boolean reporting) throws Exception {
        CounterConfig counterConfig = config.counter();
        if (reporting && config.runtime().active()) {
            throw new ConfigException(source + " configures " + config.runtime().routes().size()
                    + " [[passthrough.route]] and " + config.runtime().endpoints().size() + " [[inbound_endpoint]], "
                    + "but serve --reporting counts nothing and runs no integration runtime. Remove them from the "
                    + "reporting instance's file, or start it without --reporting.");
        }
        rootWarning(currentUid()).ifPresent(LOG::warn);
        descriptorWarning(maxDescriptors(), config).ifPresent(LOG::warn);
        for (PrivateRollingFileAppender.Failure log : PrivateRollingFileAppender.failing()) {
            LOG.error("The log file {} {}: nothing is written to it in this run (the console still is). "
                    + "/health/ready shows it under checks.logs.", log.file(), log.reason());
        }
        // Before anything is created or printed: a start that cannot listen leaves no trace.
        requirePortsFree(config);
        Clock clock = Clock.systemUTC();
        ManagementSecurity security = config.managementSecurity();
        List<ManagementSecurity.User> users = security.users().isEmpty()
                ? GeneratedAdmin.loadOrCreate(counterConfig.dataDir(), System.out) : security.users();
        ManagementApi.Listener listener;
        String scheme;
        if (security.tls()) {
            listener = ManagementApi.Listener.tls(config.managementHost(), config.managementPort(),
                    ManagementTls.contextFactory(security, counterConfig.dataDir(), config.managementHost()));
            scheme = "https";
        } else {
            LOG.warn("[management_api] tls = false: the management API speaks plain HTTP, and passwords and tokens "
                    + "cross the network readable. Use it only behind a TLS-terminating proxy on the same host.");
            listener = ManagementApi.Listener.plain(config.managementHost(), config.managementPort());
            scheme = "http";
        }
        TransactionCounter counter = reporting ? TransactionCounter.openForReporting(counterConfig, clock)
                : counterConfig.enabled() ? TransactionCounter.start(counterConfig, clock)
                : TransactionCounter.open(counterConfig, clock);
        // A database that answered the start's first look with no schema, or an old one, is refused here: the
        // service would serve nothing but errors on it. One that did not answer yet is waited for, counting.
        DatabaseStatus database = counter.databaseStatus();
        if (database.state() == DatabaseStatus.State.SCHEMA_OUTDATED) {
            counter.close();
            throw new ConfigException(database.detail());
        }
        if (!counterConfig.enabled() && !reporting) {
            LOG.warn("Counting is disabled (enable = false through the {} switch, the environment or {}); the API "
                    + "serves the stored counts only.", DeploymentToml.ENABLE_SWITCH, source);
        }
        Billing billing;
        try {
            billing = Billing.create(config, counter, SecretStore.openOrCreate(config.secretStore(), System::getenv),
                    clock);
        } catch (RuntimeException e) {
            counter.close();
            throw e;
        }
        RoutingStats routing = new RoutingStats();
        // One set of meters, served by /metrics and by the optional metrics listener alike.
        CounterMetrics metered = new CounterMetrics(counter, routing, billing);
        Javalin api = ManagementApi.create(counter, ApiAccess.of(users, security, clock),
                listener.withLimits(config.managementLimits()), metered, billing);
        try {
            api.start();
        } catch (RuntimeException e) {
            billing.close();
            counter.close();
            throw new ConfigException("Cannot listen on " + config.managementHost() + ":" + config.managementPort()
                    + " (" + stripPeriod(e.getMessage()) + "). Free the port, or set [management_api] port in "
                    + "deployment.toml.", e);
        }
        MetricsListener metrics = null;
        if (config.metrics().enabled()) {
            try {
                metrics = MetricsListener.start(config.metrics(), metered);
            } catch (IOException e) {
                api.stop();
                billing.close();
                counter.close();
                throw new ConfigException(e.getMessage(), e);
            }
            System.out.println("Metrics on http://" + config.metrics().host() + ":" + metrics.port() + "/metrics"
                    + (config.metrics().username().isPresent() ? " (HTTP Basic)" : ""));
        }
        IntegrationRuntime runtime = null;
        if (config.runtime().active()) {
            try {
                runtime = IntegrationRuntime.start(config.runtime(), config.passthroughLimits(),
                        counterConfig.enabled() ? Optional.of(counter.ingress()) : Optional.empty(),
                        counterConfig.dataDir(),
                        routing);
            } catch (Exception e) {
                if (metrics != null) {
                    metrics.close();
                }
                api.stop();
                billing.close();
                counter.close();
                throw e;
            }
        }
        PidFile.write(counterConfig.dataDir());
        IntegrationRuntime started = runtime;
        MetricsListener scraped = metrics;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // Stop taking transactions first, then answer no more queries, then write what was counted. The final
            // flush waits for the database only as long as the timeout leaves after the runtime's stop, so that the
            // whole stop keeps the bound docs/operations.md states.
            long stopRequested = System.nanoTime();
            if (started != null) {
                try {
                    started.close();
                } catch (Exception e) {
                    LOG.warn("The integration runtime did not stop cleanly: {}", e.toString());
                }
            }
            if (scraped != null) {
                scraped.close();
            }
            api.stop();
            billing.close();
            long stopping = System.nanoTime();
            TransportCounts pending = counter.unflushed();
            counter.close(counterConfig.finalFlushTimeout().minusNanos(System.nanoTime() - stopRequested));
            TransportCounts left = counter.unflushed();
            if (reporting) {
                LOG.info("Stopped reporting on {}.", counterConfig.dataSource().id());
            } else {
                LOG.info("Stopped node {}: the final flush wrote {} transaction(s) ({}) in {} ms{}.",
                        counter.nodeId(), pending.total() - left.total(), byTransport(pending, left),
                        (System.nanoTime() - stopping) / 1_000_000, left.isZero() ? ""
                                : "; " + left.total() + " not written are kept in the journal for the next start");
            }
            try {
                PidFile.remove(counterConfig.dataDir());
            } catch (IOException e) {
                LOG.warn("Cannot remove {}: {}", counterConfig.dataDir().resolve("txcounter.pid"), e.toString());
            }
        }, "txn-counter-shutdown"));
        billing.start(counterConfig.dataDir());
        String listening = reporting ? "counting nothing (reporting only)"
                : runtime == null ? "no integration runtime configured"
                : "HTTP passthrough on http://" + config.runtime().passthroughHost() + ":" + runtime.passthroughPort()
                        + " (" + config.runtime().routes().size() + " route(s)), "
                        + config.runtime().endpoints().size() + " JMS inbound endpoint(s), " + broker(config);
        System.out.println("Transaction counter " + (reporting ? "reporting instance" : "node " + counter.nodeId())
                + " serving " + scheme + "://"
                + config.managementHost() + ":" + api.port() + " and " + listening + " (configuration: " + source
                + "; datasource " + counterConfig.dataSource().id() + ", " + counterConfig.dataSource().url()
                + "; users: "
                + users.stream().map(ManagementSecurity.User::name).toList() + ")");
    }

    /**
     * The warning for a configuration file that holds a plain secret ({@code "[...]"}) or a password hash and that
     * its group or others may read; empty when it is owner-only, holds neither, or the file system has no POSIX
     * modes.
     */
    static Optional<String> exposedSecretsWarning(Path file) {
        try {
            if (!PrivateFiles.posix()) {
                return Optional.empty();
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (!mode.contains(PosixFilePermission.GROUP_READ) && !mode.contains(PosixFilePermission.OTHERS_READ)) {
                return Optional.empty();
            }
            String text = Files.readString(file, StandardCharsets.UTF_8);
            boolean hashes = PASSWORD_HASH.matcher(text).find();
            boolean plain = PLAIN_SECRET.matcher(text).find();
            if (!hashes && !plain) {
                return Optional.empty();
            }
            return Optional.of(file.toAbsolutePath() + " holds " + (plain ? "plain-text secrets" : "")
                    + (plain && hashes ? " and " : "") + (hashes ? "password hashes" : "") + " and is readable by "
                    + (mode.contains(PosixFilePermission.OTHERS_READ) ? "every local user" : "its group")
                    + " (mode " + PosixFilePermissions.toString(mode) + "). Make it owner-only: chmod 600 "
                    + file.toAbsolutePath() + (plain ? "; and encrypt the secrets: java -jar txcounter.jar "
                    + "encrypt-secret --alias NAME" : "") + ".");
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** Descriptors kept for the journal, the database pool, the logs, the broker's files and the JVM. */
    static final int RESERVED_DESCRIPTORS = 512;

    /**
     * The warning for a descriptor limit ({@code ulimit -n}) below what the listeners may hold at once plus
     * {@value #RESERVED_DESCRIPTORS} for everything else: then a flood of connections could leave the journal, the
     * database or the logs without a descriptor. Empty when the limit is unknown or large enough.
     */
    static Optional<String> descriptorWarning(OptionalLong maxDescriptors, ServiceConfig config) {
        if (maxDescriptors.isEmpty()) {
            return Optional.empty();
        }
        long listeners = config.managementLimits().maxConnections();
        if (config.runtime().active()) {
            listeners += config.passthroughLimits().maxConnections();
        }
        RuntimeConfig runtime = config.runtime();
        if (runtime.needsBroker() && runtime.brokerUrl().isEmpty()) {
            int acceptors = (runtime.embeddedBrokerPort() > 0 ? 1 : 0)
                    + (runtime.embeddedBrokerTls().isPresent() ? 1 : 0);
            listeners += (long) acceptors * runtime.brokerLimits().maxConnections();
        }
        long needed = listeners + RESERVED_DESCRIPTORS;
        if (maxDescriptors.getAsLong() >= needed) {
            return Optional.empty();
        }
        return Optional.of("The process may open " + maxDescriptors.getAsLong() + " files (ulimit -n), fewer than "
                + "the " + listeners + " connections its listeners may hold at once plus " + RESERVED_DESCRIPTORS
                + " for the journal, the database, the logs and the broker: a flood of connections could leave the "
                + "journal unwritten. Raise the limit to at least " + needed + " (LimitNOFILE= in the systemd unit, "
                + "ulimit -n), or lower max_connections.");
    }

    private static OptionalLong maxDescriptors() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        return os instanceof com.sun.management.UnixOperatingSystemMXBean unix
                ? OptionalLong.of(unix.getMaxFileDescriptorCount()) : OptionalLong.empty();
    }

    /** The warning for a start as root (uid 0), or empty for any other user or where there are no uids. */
    static Optional<String> rootWarning(OptionalLong uid) {
        if (uid.isEmpty() || uid.getAsLong() != 0) {
            return Optional.empty();
        }
        return Optional.of("The service runs as root (uid 0). It needs no privilege: a flaw in it, or in a library it "
                + "uses, would own the whole host, and the files it creates belong to root. Run it as a service "
                + "account instead: useradd --system --home-dir /var/lib/txcounter --shell /usr/sbin/nologin "
                + "txcounter, give that account the data and log directories (chown -R txcounter: data logs), and "
                + "start it with User=txcounter in its systemd unit, or with: sudo -u txcounter java -jar "
                + "txcounter.jar. Ports below 1024 are not needed (the defaults are 8290 and 9164).");
    }

    private static OptionalLong currentUid() {
        try {
            return OptionalLong.of(new UnixSystem().getUid());
        } catch (LinkageError e) {
            // Not a Unix system: no uid to check.
            return OptionalLong.empty();
        }
    }

    private static String broker(ServiceConfig config) {
        RuntimeConfig runtime = config.runtime();
        if (runtime.brokerUrl().isPresent()) {
            return "broker " + runtime.brokerUrl().get();
        }
        if (!runtime.needsBroker()) {
            return "no JMS broker";
        }
        return runtime.embeddedBrokerPort() > 0 ? "embedded broker on tcp://127.0.0.1:" + runtime.embeddedBrokerPort()
                : "embedded broker in-VM only (set [jms] embedded_broker_port to reach it over TCP)";
    }

    private static String byTransport(TransportCounts before, TransportCounts after) {
        StringBuilder text = new StringBuilder();
        for (Transport transport : Transport.values()) {
            long written = before.get(transport) - after.get(transport);
            if (written != 0 || transport.alwaysReported()) {
                text.append(text.isEmpty() ? "" : ", ").append(transport).append(' ').append(written);
            }
        }
        return text.toString();
    }

    /**
     * Fails, naming the port and the key that sets it, when a port the service is configured to listen on is taken.
     * Port 0 (any free port) is not checked.
     */
    static void requirePortsFree(ServiceConfig config) {
        requireFree(config.managementHost(), config.managementPort(), "[management_api] port");
        if (config.metrics().enabled()) {
            requireFree(config.metrics().host(), config.metrics().port(), "[metrics] port");
        }
        RuntimeConfig runtime = config.runtime();
        if (runtime.active()) {
            requireFree(runtime.passthroughHost(), runtime.passthroughPort(), "[passthrough] port");
            if (runtime.needsBroker() && runtime.brokerUrl().isEmpty()) {
                requireFree("127.0.0.1", runtime.embeddedBrokerPort(), "[jms] embedded_broker_port");
            }
        }
    }

    private static void requireFree(String host, int port, String key) {
        if (port <= 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new ConfigException("Cannot listen on " + host + ":" + port + " (" + stripPeriod(e.getMessage())
                    + "): another process uses the port. Free it, or set " + key + " in deployment.toml. Nothing "
                    + "was created or changed.", e);
        }
    }

    private static String stripPeriod(String message) {
        String text = String.valueOf(message).strip();
        return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    }
}
