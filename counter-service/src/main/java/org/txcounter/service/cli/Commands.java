package org.txcounter.service.cli;

import java.util.concurrent.Callable;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.store.StoreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The commands of {@code txcounter.jar}. Without a command it serves, so {@code java -jar txcounter.jar} and
 * {@code java -jar txcounter.jar deployment.toml} start the service.
 *
 * <p>Exit status: 0 done; 1 failed or (verify) something was found; 2 wrong usage or configuration.
 */
@Command(name = "txcounter", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
        description = "Transaction counter: counts what an integration runtime handles, and reports it.",
        subcommands = {ServeCommand.class, MigrateCommand.class, CountCommand.class, ReportCommand.class,
                NodesCommand.class, VerifyCommand.class, EncryptSecretCommand.class, HashPasswordCommand.class})
public final class Commands implements Callable<Integer> {

    /** Returned by serve: the process keeps running until stopped. */
    public static final int KEEP_RUNNING = -1;

    @Mixin
    ConfigFile configFile = new ConfigFile();

    @Override
    public Integer call() throws Exception {
        ServeCommand.serve(configFile.read(), configFile.source());
        return KEEP_RUNNING;
    }

    /** Runs the command line; returns the exit status, or {@link #KEEP_RUNNING} when the service was started. */
    public static int run(String... args) {
        CommandLine commandLine = new CommandLine(new Commands());
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof StoreException.SchemaMismatchException) {
                line.getErr().println("Cannot start, the schema does not match this release: " + e.getMessage());
                return 2;
            }
            if (e instanceof StoreException store && !store.outage()) {
                line.getErr().println("Cannot start, the database holds a conflicting ledger for this node: "
                        + e.getMessage());
                return 2;
            }
            if (e instanceof ConfigException || e instanceof StoreException) {
                line.getErr().println("Cannot start: " + e.getMessage());
                return 2;
            }
            if (e instanceof CliException) {
                line.getErr().println(e.getMessage());
                return 1;
            }
            throw e;
        });
        // serve returns KEEP_RUNNING, which picocli passes on as the exit code like any other Integer result.
        return commandLine.execute(args);
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Commands.class.getPackage().getImplementationVersion();
            return new String[] {"txcounter " + (version == null ? "(development build)" : version)};
        }
    }
}
