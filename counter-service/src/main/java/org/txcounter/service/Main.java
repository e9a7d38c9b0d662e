package org.txcounter.service;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.service.cli.Commands;

/**
 * The executable jar: {@code java -jar txcounter.jar [command] [options] [deployment.toml]}. Without a command it
 * serves. See {@link Commands} for the commands.
 */
public final class Main {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        int status;
        try {
            status = Commands.run(args);
        } catch (RuntimeException e) {
            LOG.error("The command failed", e);
            System.err.println("Failed: " + e.getMessage());
            status = 1;
        }
        if (status >= 0) {
            // Commands other than serve exit at once, whatever threads their libraries left behind.
            System.exit(status);
        }
    }
}
