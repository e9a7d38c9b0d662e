package org.txcounter.service.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The optional metrics listener, from {@code [metrics]}: a port of its own that serves only {@code GET /metrics},
 * so that Prometheus scrapes without a management account. Off by default; bound to loopback by default.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 *
 * @param enabled      whether the listener starts
 * @param host         where it binds
 * @param port         its port (0 picks a free one)
 * @param username     with {@code passwordHash}: the scraper must send HTTP Basic credentials
 * @param passwordHash a {@code pbkdf2-sha256$...} hash of the scraper's password
 */
public record MetricsConfig(boolean enabled, String host, int port, Optional<String> username,
        Optional<String> passwordHash) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    /** MI serves its Prometheus metrics on 9201. */
    public static final int DEFAULT_PORT = 9201;

    public MetricsConfig {
        Objects.requireNonNull(host, "host");
        if (username.isPresent() != passwordHash.isPresent()) {
            throw new IllegalArgumentException("username and passwordHash go together");
        }
    }

    public static MetricsConfig disabled() {
        return new MetricsConfig(false, DEFAULT_HOST, DEFAULT_PORT, Optional.empty(), Optional.empty());
    }
}
