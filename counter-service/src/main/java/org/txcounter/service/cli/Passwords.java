package org.txcounter.service.cli;

import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a command takes a password from, in this order: {@code --password-file}, an environment variable, a prompt
 * on the terminal. Stateless; safe from any thread.
 */
final class Passwords {

    private Passwords() {
    }

    /**
     * @param passwordFile the {@code --password-file} given, or {@code null}
     * @param variable     the environment variable to read next
     * @param whose        what the password is for, in the messages ("" or " for admin on ...")
     * @param prompt       what the terminal prompt asks
     * @throws CliException a usage error when the file cannot be read or no password is given
     */
    static String read(Path passwordFile, String variable, String whose, String prompt) {
        if (passwordFile != null) {
            try {
                return Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw CliException.usage("Cannot read --password-file " + passwordFile + ": " + e.getMessage());
            }
        }
        String fromEnvironment = System.getenv(variable);
        if (fromEnvironment != null && !fromEnvironment.isEmpty()) {
            return fromEnvironment;
        }
        Console console = System.console();
        if (console == null) {
            throw CliException.usage("No password" + whose + ": set " + variable + ", give --password-file, or run "
                    + "in a terminal to be asked.");
        }
        char[] typed = console.readPassword("%s", prompt);
        if (typed == null || typed.length == 0) {
            throw CliException.usage("No password given.");
        }
        return new String(typed);
    }
}
