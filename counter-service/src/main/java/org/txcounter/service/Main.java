package org.txcounter.service;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;
import org.txcounter.service.cli.Commands;
import picocli.CommandLine.Command;

/**
 * The executable jar: {@code java -jar txcounter.jar [command] [options] [deployment.toml]}. Without a command it
 * serves. See {@link Commands} for the commands.
 */
public final class Main {

    /** Logging for every command but serve: the console only ({@code logback-cli.xml}), no {@code logs/}. */
    static final String CLI_LOGGING = "logback-cli.xml";

    private Main() {
    }

    public static void main(String[] args) {
        // Before anything logs: logback reads its configuration once, at the first logger.
        if (!serves(args) && System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", CLI_LOGGING);
        }
        int status;
        try {
            status = Commands.run(args);
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(Main.class).error("The command failed", e);
            System.err.println("Failed: " + e.getMessage());
            status = 1;
        }
        if (status >= 0) {
            // Commands other than serve exit at once, whatever threads their libraries left behind.
            System.exit(status);
        }
    }

    /**
     * Whether this command line starts the service: {@code serve}, or no command at all (a configuration file at
     * most). Help, version, another command or an unknown word are not. The commands' names are read from their
     * annotations, which initialises none of their classes (and so none of their loggers).
     */
    static boolean serves(String[] args) {
        Set<String> commands = Arrays.stream(Commands.class.getAnnotation(Command.class).subcommands())
                .map(command -> command.getAnnotation(Command.class).name()).collect(Collectors.toSet());
        for (String arg : args) {
            if (arg.equals("-h") || arg.equals("--help") || arg.equals("-V") || arg.equals("--version")) {
                return false;
            }
            if (commands.contains(arg)) {
                return arg.equals("serve");
            }
            if (!arg.startsWith("-") && !arg.endsWith(".toml")) {
                return false; // an unknown command: refused, nothing served
            }
        }
        return true;
    }
}
