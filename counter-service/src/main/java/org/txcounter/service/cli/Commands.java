package org.txcounter.service.cli;

import java.nio.file.Files;
import java.nio.file.Path;
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
 * <p>Exit status: 0 done; 1 failed (the database or the service did not answer, the import was refused) or
 * (verify) something was found; 2 wrong usage (unknown command, bad option, no password) or configuration.
 *
 * <p>One instance per command line, filled in by picocli and run on the main thread; not shared.
 */
@Command(name = "txcounter", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
        description = "Transaction counter: counts what an integration runtime handles, and reports it.",
        subcommands = {ServeCommand.class, MigrateCommand.class, CountCommand.class, ReportCommand.class,
                NodesCommand.class, VerifyCommand.class, ImportMiCommand.class, EncryptSecretCommand.class,
                HashPasswordCommand.class, CloseMonthCommand.class, StatementCommand.class,
                VerifyStatementCommand.class, ArchiveCommand.class, RemoveArchivedCommand.class,
                VerifyArchiveCommand.class, JournalCommand.class, ThrottlesCommand.class,
                AcknowledgeGapCommand.class})
public final class Commands implements Callable<Integer> {

    /** Returned by serve: the process keeps running until stopped. */
    public static final int KEEP_RUNNING = -1;

    @Mixin
    ConfigFile configFile = new ConfigFile();

    @Override
    public Integer call() throws Exception {
        ServeCommand.serve(configFile.read(), configFile.source(), false);
        return KEEP_RUNNING;
    }

    /** Runs the command line; returns the exit status, or {@link #KEEP_RUNNING} when the service was started. */
    public static int run(String... args) {
        CommandLine commandLine = new CommandLine(new Commands());
        if (args.length > 0 && unknownCommand(commandLine, args[0])) {
            commandLine.getErr().println("Unknown command: " + args[0] + ". The commands are: "
                    + String.join(", ", commandLine.getSubcommands().keySet()) + " (java -jar txcounter.jar --help "
                    + "says what each does). A configuration file given instead must exist or end in .toml.");
            return 2;
        }
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof ConfigException) {
                line.getErr().println("Cannot start: " + e.getMessage());
                return 2;
            }
            if (e instanceof StoreException.SchemaMismatchException) {
                line.getErr().println("Failed, the schema does not match this release: " + e.getMessage());
                return 1;
            }
            if (e instanceof StoreException store && !store.outage()) {
                line.getErr().println("Failed, the database holds a conflicting ledger for this node: "
                        + e.getMessage());
                return 1;
            }
            if (e instanceof StoreException) {
                line.getErr().println("Failed: " + e.getMessage());
                return 1;
            }
            if (e instanceof CliException cli) {
                line.getErr().println(e.getMessage());
                return cli.exitCode();
            }
            throw e;
        });
        // serve returns KEEP_RUNNING, which picocli passes on as the exit code like any other Integer result.
        return commandLine.execute(args);
    }

    /**
     * Whether the first argument is neither an option, a command nor a configuration file, such as a mistyped
     * command ({@code reprot}), which would otherwise be read as the name of the configuration file to serve.
     */
    private static boolean unknownCommand(CommandLine commandLine, String first) {
        return !first.startsWith("-") && !commandLine.getSubcommands().containsKey(first)
                && !first.endsWith(".toml") && !Files.exists(Path.of(first));
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
