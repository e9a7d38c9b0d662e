package org.txcounter.mi;

import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DeploymentToml;

/**
 * Where the handler's configuration comes from: MI's own {@code <carbon.home>/conf/deployment.toml}, its
 * {@code [transaction_counter]} section and the {@code [[datasource]]} that names, with MI's
 * {@code enableTransactionCounter} precedence (system property, then environment, then the file; unset means on,
 * since registering the handler is the choice to count). A relative {@code [node] data_dir} is taken under
 * {@code carbon.home}.
 *
 * <p>Stateless and thread-safe.
 */
final class MiConfiguration {

    /** The system property MI sets to its home directory. */
    static final String CARBON_HOME = "carbon.home";

    private MiConfiguration() {
    }

    /**
     * Reads the configuration of the MI whose home the system property {@value #CARBON_HOME} names;
     * {@code hostSecrets} resolves the {@code [secrets]} MI's cipher tool encrypted ({@link MiSecrets}).
     */
    static CounterConfig read(UnaryOperator<String> systemProperties, UnaryOperator<String> environment,
            UnaryOperator<String> hostSecrets) {
        String home = systemProperties.apply(CARBON_HOME);
        if (home == null || home.isBlank()) {
            throw new ConfigException("The system property " + CARBON_HOME + " is not set, so MI's "
                    + "conf/deployment.toml cannot be found. Start MI with its own launcher (bin/micro-integrator.sh), "
                    + "which sets it.");
        }
        Path carbonHome = Path.of(home);
        // MI's own file: the counter's sections are read (strictly), MI's are left alone.
        CounterConfig config = DeploymentToml.readHosted(carbonHome.resolve("conf").resolve("deployment.toml"),
                systemProperties, environment, hostSecrets);
        if (config.dataDir().isAbsolute()) {
            return config;
        }
        return config.toBuilder().dataDir(carbonHome.resolve(config.dataDir())).build();
    }
}
