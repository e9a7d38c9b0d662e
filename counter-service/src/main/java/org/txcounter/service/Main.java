package org.txcounter.service;

import io.javalin.Javalin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DeploymentToml;
import org.txcounter.core.store.StoreException;
import org.txcounter.service.api.ManagementApi;
import org.txcounter.service.runtime.IntegrationRuntime;

/**
 * Starts the service: {@code java -jar txcounter.jar [deployment.toml]}.
 *
 * <p>Without an argument it reads {@code ./deployment.toml} if there is one, and otherwise starts on the embedded
 * H2 database in {@code ./data}. A stop (Ctrl-C, SIGTERM) closes the API and then writes what was counted.
 */
public final class Main {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    private static final Path DEFAULT_FILE = Path.of("deployment.toml");

    private Main() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (ConfigException | StoreException e) {
            System.err.println("Cannot start: " + e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            LOG.error("Cannot start the integration runtime", e);
            System.err.println("Cannot start the integration runtime: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        if (args.length > 1) {
            throw new ConfigException("Usage: java -jar txcounter.jar [path/to/deployment.toml]");
        }
        CounterConfig config;
        String source;
        if (args.length == 1) {
            config = DeploymentToml.read(Path.of(args[0]));
            source = Path.of(args[0]).toAbsolutePath().toString();
        } else if (Files.exists(DEFAULT_FILE)) {
            config = DeploymentToml.read(DEFAULT_FILE);
            source = DEFAULT_FILE.toAbsolutePath().toString();
        } else {
            config = DeploymentToml.defaults(System::getProperty, System::getenv);
            source = "built-in defaults (no deployment.toml)";
        }

        Clock clock = Clock.systemUTC();
        TransactionCounter counter = config.enabled()
                ? TransactionCounter.start(config, clock)
                : TransactionCounter.open(config, clock);
        if (!config.enabled()) {
            LOG.warn("Counting is disabled (enable = false through the {} switch, the environment or {}); the API "
                    + "serves the stored counts only.", DeploymentToml.ENABLE_SWITCH, source);
        }
        Javalin api = ManagementApi.create(counter);
        try {
            api.start(config.managementHost(), config.managementPort());
        } catch (RuntimeException e) {
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
            counter.close();
        }, "txn-counter-shutdown"));
        System.out.println("Transaction counter node " + counter.nodeId() + " serving http://"
                + config.managementHost() + ":" + api.port() + " (configuration: " + source + "; datasource "
                + config.dataSource().id() + ", " + config.dataSource().url() + ")");
    }
}
