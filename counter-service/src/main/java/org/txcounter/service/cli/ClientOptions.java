package org.txcounter.service.cli;

import java.io.Console;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How the read commands reach and log in to the management API. */
final class ClientOptions {

    static final String PASSWORD_VARIABLE = "TXN_PASSWORD";

    @Option(names = "--url", paramLabel = "URL",
            description = "The management API. Default: from deployment.toml, e.g. https://127.0.0.1:9164")
    URI url;

    @Option(names = {"-u", "--user"}, defaultValue = "admin", description = "User name. Default: ${DEFAULT-VALUE}")
    String user;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "Read the password from this file. Default: the " + PASSWORD_VARIABLE
                    + " environment variable, else a prompt.")
    Path passwordFile;

    @Option(names = "--cacert", paramLabel = "FILE",
            description = "Also trust the certificate(s) in this PEM or DER file.")
    Path cacert;

    @Option(names = {"-k", "--insecure"}, description = "Do not check the server's certificate (as curl -k).")
    boolean insecure;

    String password() {
        if (passwordFile != null) {
            try {
                return Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw CliException.usage("Cannot read --password-file " + passwordFile + ": " + e.getMessage());
            }
        }
        String fromEnvironment = System.getenv(PASSWORD_VARIABLE);
        if (fromEnvironment != null && !fromEnvironment.isEmpty()) {
            return fromEnvironment;
        }
        Console console = System.console();
        if (console == null) {
            throw CliException.usage("No password: set " + PASSWORD_VARIABLE + ", give --password-file, or run in a "
                    + "terminal to be asked.");
        }
        char[] typed = console.readPassword("Password for %s: ", user);
        if (typed == null || typed.length == 0) {
            throw CliException.usage("No password given.");
        }
        return new String(typed);
    }
}
