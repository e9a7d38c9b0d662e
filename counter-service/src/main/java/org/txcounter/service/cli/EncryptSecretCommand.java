package org.txcounter.service.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.txcounter.service.config.SecretStore;
import org.txcounter.service.config.ServiceConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Encrypts a value for {@code [secrets]} with the key of the secret store (created on first use), and prints the
 * line to paste into {@code deployment.toml}; values elsewhere refer to it as {@code $secret{alias}}.
 *
 * <p>One instance per command line, filled in by picocli and run on the main thread; not shared.
 */
@Command(name = "encrypt-secret", mixinStandardHelpOptions = true,
        description = "Encrypt a secret for [secrets] in deployment.toml. Reads the value "
        + "from the terminal, or from the first line of standard input.")
final class EncryptSecretCommand implements Callable<Integer> {

    @Mixin
    ConfigFile configFile = new ConfigFile();

    @Option(names = "--alias", required = true, paramLabel = "NAME",
            description = "The alias the configuration refers to as $secret{NAME}.")
    String alias;

    @Override
    public Integer call() throws IOException {
        if (!alias.matches("[A-Za-z0-9._-]+")) {
            throw CliException.usage("--alias must be letters, digits, '.', '_' or '-'. Found: " + alias);
        }
        ServiceConfig config = configFile.read();
        String value;
        Console console = System.console();
        if (console != null) {
            char[] typed = console.readPassword("Value of %s: ", alias);
            value = typed == null ? "" : new String(typed);
        } else {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            value = line == null ? "" : line;
        }
        if (value.isEmpty()) {
            throw new CliException("No value given for " + alias + ".");
        }
        Path keystore = config.secretStore();
        SecretStore store = SecretStore.openOrCreate(keystore, System::getenv);
        System.err.println("Encrypted with the key in " + keystore.toAbsolutePath() + ". Put this line under "
                + "[secrets] and refer to it as $secret{" + alias + "}:");
        System.out.println(alias + " = \"" + store.encrypt(alias, value) + "\"");
        return 0;
    }
}
