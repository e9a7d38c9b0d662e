package org.txcounter.service.cli;

import io.javalin.Javalin;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DeploymentToml;
import org.txcounter.core.config.ManagementSecurity;
import org.txcounter.core.config.SecretStore;
import org.txcounter.service.api.ApiAccess;
import org.txcounter.service.api.ManagementApi;
import org.txcounter.service.runtime.IntegrationRuntime;
import org.txcounter.service.security.GeneratedAdmin;
import org.txcounter.service.security.ManagementTls;
import org.txcounter.service.statement.Billing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Starts the counter, the management API and the integration runtime. A stop (Ctrl-C, SIGTERM) closes the runtime
 * and the API and then writes what was counted.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Count transactions and serve the management API (the default command).")
final class ServeCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Mixin
    ConfigFile configFile = new ConfigFile();

    @Override
    public Integer call() throws Exception {
        CounterConfig config = configFile.read();
        serve(config, configFile.source());
        return Commands.KEEP_RUNNING;
    }

    static void serve(CounterConfig config, String source) throws Exception {
        Clock clock = Clock.systemUTC();
        ManagementSecurity security = config.managementSecurity();
        List<ManagementSecurity.User> users = security.users().isEmpty()
                ? GeneratedAdmin.loadOrCreate(config.dataDir(), System.out) : security.users();
        ManagementApi.Listener listener;
        String scheme;
        if (security.tls()) {
            listener = ManagementApi.Listener.tls(config.managementHost(), config.managementPort(),
                    ManagementTls.contextFactory(security, config.dataDir(), config.managementHost()));
            scheme = "https";
        } else {
            LOG.warn("[management_api] tls = false: the management API speaks plain HTTP, and passwords and tokens "
                    + "cross the network readable. Use it only behind a TLS-terminating proxy on the same host.");
            listener = ManagementApi.Listener.plain(config.managementHost(), config.managementPort());
            scheme = "http";
        }
        TransactionCounter counter = config.enabled()
                ? TransactionCounter.start(config, clock)
                : TransactionCounter.open(config, clock);
        if (!config.enabled()) {
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
        Javalin api = ManagementApi.create(counter, ApiAccess.of(users, security, clock), listener, billing);
        try {
            api.start();
        } catch (RuntimeException e) {
            billing.close();
            counter.close();
            throw new ConfigException("Cannot listen on " + config.managementHost() + ":" + config.managementPort()
                    + ": " + e.getMessage() + ". Free the port or set [management_api] port in deployment.toml.", e);
        }
        IntegrationRuntime runtime = null;
        if (config.runtime().active()) {
            try {
                runtime = IntegrationRuntime.start(config.runtime(),
                        config.enabled() ? Optional.of(counter.ingress()) : Optional.empty(), config.dataDir());
            } catch (Exception e) {
                api.stop();
                billing.close();
                counter.close();
                throw e;
            }
            System.out.println("HTTP passthrough on http://" + config.runtime().passthroughHost() + ":"
                    + runtime.passthroughPort() + " (" + config.runtime().routes().size() + " route(s), "
                    + config.runtime().endpoints().size() + " JMS inbound endpoint(s))");
        }
        IntegrationRuntime started = runtime;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // Stop taking transactions first, then answer no more queries, then write what was counted.
            if (started != null) {
                try {
                    started.close();
                } catch (Exception e) {
                    LOG.warn("The integration runtime did not stop cleanly: {}", e.toString());
                }
            }
            api.stop();
            billing.close();
            counter.close();
        }, "txn-counter-shutdown"));
        billing.start(config.dataDir());
        System.out.println("Transaction counter node " + counter.nodeId() + " serving " + scheme + "://"
                + config.managementHost() + ":" + api.port() + " (configuration: " + source + "; datasource "
                + config.dataSource().id() + ", " + config.dataSource().url() + "; users: "
                + users.stream().map(ManagementSecurity.User::name).toList() + ")");
    }
}
