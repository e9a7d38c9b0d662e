package org.txcounter.service.cli;

import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How the read commands reach and log in to the management API.
 *
 * <p>Filled in by picocli on the main thread and read by the one command it belongs to; not shared.
 */
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
        return Passwords.read(passwordFile, PASSWORD_VARIABLE, "", "Password for " + user + ": ");
    }
}
