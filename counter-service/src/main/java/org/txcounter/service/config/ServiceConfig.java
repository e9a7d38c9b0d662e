package org.txcounter.service.config;

import java.nio.file.Path;
import java.util.Objects;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.config.CounterConfig;

/**
 * Everything the standalone service runs: the counter's configuration and the service's own sections of
 * {@code deployment.toml}, read by {@link ServiceToml} or built in code from {@link #defaults}. Immutable, so safe to
 * share between threads.
 *
 * @param counter            the counter's own sections, as counter-core reads them
 * @param managementHost     where the management API listens
 * @param managementPort     its port (MI's 9164); 0 picks a free one
 * @param managementSecurity TLS and users of the management API
 * @param managementLimits   connection limits and slow-client protection of the management API's listener
 * @param passthroughLimits  connection limits and slow-client protection of the HTTP passthrough listener
 * @param metrics            the optional metrics listener of {@code [metrics]}; disabled by default
 * @param runtime            the passthrough listener and JMS inbound endpoints the service runs
 * @param secretStore        the keystore whose key decrypts {@code enc:v1:} values in {@code [secrets]}; see
 *                           {@link SecretStore}
 * @param licence            {@code [licence]}: the monthly quota and its alerts
 */
public record ServiceConfig(CounterConfig counter, String managementHost, int managementPort,
        ManagementSecurity managementSecurity, ListenerLimits managementLimits, ListenerLimits passthroughLimits,
        MetricsConfig metrics, RuntimeConfig runtime, Path secretStore, LicenceConfig licence) {

    public static final String DEFAULT_MANAGEMENT_HOST = "127.0.0.1";
    public static final int DEFAULT_MANAGEMENT_PORT = 9164;

    public ServiceConfig {
        Objects.requireNonNull(counter, "counter");
        Objects.requireNonNull(managementHost, "managementHost");
        Objects.requireNonNull(managementSecurity, "managementSecurity");
        Objects.requireNonNull(managementLimits, "managementLimits");
        Objects.requireNonNull(passthroughLimits, "passthroughLimits");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(secretStore, "secretStore");
        Objects.requireNonNull(licence, "licence");
        if (managementPort < 0 || managementPort > 65535) {
            throw new ConfigException("management port: expected 0 to 65535. Found: " + managementPort);
        }
    }

    /**
     * The service's defaults around {@code counter}: the management API with TLS on 127.0.0.1:9164 and a generated
     * admin, no metrics listener, no integration runtime, no quota, and the secret store in the data directory.
     */
    public static ServiceConfig defaults(CounterConfig counter) {
        return new ServiceConfig(counter, DEFAULT_MANAGEMENT_HOST, DEFAULT_MANAGEMENT_PORT,
                ManagementSecurity.defaults(), ListenerLimits.MANAGEMENT_DEFAULTS, ListenerLimits.PASSTHROUGH_DEFAULTS,
                MetricsConfig.disabled(), RuntimeConfig.none(), defaultSecretStore(counter.dataDir()),
                LicenceConfig.none());
    }

    /** The keystore of encrypted {@code [secrets]} when none is configured: {@code secret-store.p12} in dataDir. */
    public static Path defaultSecretStore(Path dataDir) {
        return dataDir.resolve("secret-store.p12");
    }

    /** This configuration with another licence. */
    public ServiceConfig withLicence(LicenceConfig other) {
        return new ServiceConfig(counter, managementHost, managementPort, managementSecurity, managementLimits,
                passthroughLimits, metrics, runtime, secretStore, other);
    }
}
