package org.txcounter.service;

import io.javalin.Javalin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.config.DeploymentToml;
import org.txcounter.core.ledger.LedgerFinding;
import org.txcounter.core.ledger.LedgerVerifier;
import org.txcounter.core.stamp.StampSecrets;
import org.txcounter.core.store.CounterStore;
import org.txcounter.core.store.StoreException;
import org.txcounter.service.api.ManagementApi;
import org.txcounter.service.runtime.IntegrationRuntime;

/**
 * The service's commands: {@code java -jar txcounter.jar [serve|migrate|verify] [deployment.toml]}.
 *
 * <p>{@code serve} (the default) starts the counter, the management API and the integration runtime; a stop
 * (Ctrl-C, SIGTERM) closes the runtime and the API and then writes what was counted. {@code migrate} creates or
 * updates the schema with the owner account and exits. {@code verify} checks the ledger's MAC chains and rollups and
 * exits 0 when they are intact, 1 otherwise. Without a file argument both read {@code ./deployment.toml}
 * if there is one, and otherwise use the embedded H2 database in {@code ./data}.
 */
public final class Main {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    private static final Path DEFAULT_FILE = Path.of("deployment.toml");
    private static final List<String> COMMANDS = List.of("serve", "migrate", "verify");

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
        List<String> arguments = new ArrayList<>(List.of(args));
        String command = !arguments.isEmpty() && COMMANDS.contains(arguments.get(0)) ? arguments.remove(0) : "serve";
        if (arguments.size() > 1) {
            throw new ConfigException(
                    "Usage: java -jar txcounter.jar [serve|migrate|verify] [path/to/deployment.toml]");
        }
        CounterConfig config;
        String source;
        if (arguments.size() == 1) {
            config = DeploymentToml.read(Path.of(arguments.get(0)));
            source = Path.of(arguments.get(0)).toAbsolutePath().toString();
        } else if (Files.exists(DEFAULT_FILE)) {
            config = DeploymentToml.read(DEFAULT_FILE);
            source = DEFAULT_FILE.toAbsolutePath().toString();
        } else {
            config = DeploymentToml.defaults(System::getProperty, System::getenv);
            source = "built-in defaults (no deployment.toml)";
        }
        if (command.equals("migrate")) {
            migrate(config);
            return;
        }
        if (command.equals("verify")) {
            System.exit(verify(config));
        }
        serve(config, source);
    }

    /** Creates or updates the schema with the owner account, then exits. Running it again changes nothing. */
    private static void migrate(CounterConfig config) {
        DataSourceConfig owner = config.migrationDataSource();
        try (CounterStore store = CounterStore.open(owner, Clock.systemUTC())) {
            int applied = store.migrate();
            System.out.println(applied == 0
                    ? "The schema of " + owner.id() + " (" + owner.url() + ") is already current; nothing changed."
                    : "Applied " + applied + " migration(s) to " + owner.id() + " (" + owner.url() + ") as "
                            + owner.username() + ".");
        }
    }

    /**
     * Checks the ledger with the deployment's key and prints each finding; exit status 0 for an untouched ledger,
     * 1 when something was found.
     */
    private static int verify(CounterConfig config) {
        byte[] stampSecret = StampSecrets.resolve(config.dedupe().stampSecret(), config.dataDir());
        LedgerVerifier verifier = new LedgerVerifier(TransactionCounter.ledgerSigner(config, stampSecret));
        try (CounterStore store = CounterStore.open(config.dataSource(), Clock.systemUTC())) {
            List<LedgerFinding> findings = store.verify(verifier);
            for (LedgerFinding finding : findings) {
                System.out.println(finding.kind() + " node " + finding.nodeId()
                        + (finding.seq() >= 0 ? " seq " + finding.seq() : "")
                        + (finding.transport() != null ? " " + finding.transport() : "") + ": " + finding.detail());
            }
            System.out.println(findings.isEmpty() ? "The ledger is intact: every chain and monthly rollup checks out."
                    : findings.size() + " finding(s).");
            return findings.isEmpty() ? 0 : 1;
        }
    }

    private static void serve(CounterConfig config, String source) throws Exception {
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
