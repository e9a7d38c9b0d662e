package org.txcounter.service.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.txcounter.service.security.PasswordHashing;
import picocli.CommandLine.Command;

/**
 * Prints the hash to put in {@code [[management_api.user]] password_hash}.
 *
 * <p>One instance per command line, filled in by picocli and run on the main thread; not shared.
 */
@Command(name = "hash-password", mixinStandardHelpOptions = true,
        description = "Hash a password for [[management_api.user]] password_hash. Reads "
        + "it from the terminal (twice), or from the first line of standard input.")
final class HashPasswordCommand implements Callable<Integer> {

    static final int MIN_LENGTH = 12;

    @Override
    public Integer call() throws IOException {
        char[] password;
        Console console = System.console();
        if (console != null) {
            password = console.readPassword("New password: ");
            char[] again = console.readPassword("Again: ");
            if (password == null || again == null || !Arrays.equals(password, again)) {
                throw new CliException("The two passwords differ.");
            }
            Arrays.fill(again, '\0');
        } else {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            password = line == null ? new char[0] : line.toCharArray();
        }
        if (password.length < MIN_LENGTH) {
            throw new CliException("The password must have at least " + MIN_LENGTH + " characters.");
        }
        System.out.println(PasswordHashing.hash(password));
        Arrays.fill(password, '\0');
        return 0;
    }
}
