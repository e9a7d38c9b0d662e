package org.txcounter.service.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.txcounter.service.config.ServiceConfig;
import org.txcounter.service.config.ServiceToml;
import picocli.CommandLine.Parameters;

/**
 * The {@code deployment.toml} argument shared by the commands.
 *
 * <p>Filled in by picocli on the main thread and read by the one command it belongs to; not shared.
 */
final class ConfigFile {

    static final Path DEFAULT_FILE = Path.of("deployment.toml");
    /** Where the distribution keeps it; bin/txcounter.sh runs in the distribution's home. */
    static final Path DISTRIBUTION_FILE = Path.of("conf", "deployment.toml");

    @Parameters(index = "0", arity = "0..1", paramLabel = "deployment.toml",
            description = "The configuration file. Default: ./deployment.toml if it exists, else "
                    + "./conf/deployment.toml (the distribution's), else the built-in defaults (embedded H2 database "
                    + "in ./data).")
    Path file;

    /** The configuration, read from the file, ./deployment.toml, ./conf/deployment.toml or the defaults. */
    ServiceConfig read() {
        return chosen().map(ServiceToml::read)
                .orElseGet(() -> ServiceToml.defaults(System::getProperty, System::getenv));
    }

    /** Where the configuration came from, for the start-up line. */
    String source() {
        return chosen().map(chosen -> chosen.toAbsolutePath().toString())
                .orElse("built-in defaults (no deployment.toml)");
    }

    /** The file the configuration is read from; empty for the built-in defaults. */
    Optional<Path> path() {
        return chosen();
    }

    private Optional<Path> chosen() {
        if (file != null) {
            return Optional.of(file);
        }
        return Stream.of(DEFAULT_FILE, DISTRIBUTION_FILE).filter(Files::exists).findFirst();
    }
}
