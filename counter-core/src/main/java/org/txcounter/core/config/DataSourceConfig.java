package org.txcounter.core.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code [[datasource]]} entry of {@code deployment.toml}, in MI's vocabulary, with the pool options already
 * mapped to HikariCP's terms.
 *
 * @param id                the datasource id the counter refers to, e.g. {@code WSO2_TRANSACTION_DB}
 * @param url               the JDBC URL
 * @param username          the database user; may be empty for embedded H2
 * @param password          the resolved password (never logged)
 * @param driver            the JDBC driver class, if named
 * @param maxPoolSize       MI {@code maxActive}
 * @param minIdle           MI {@code minIdle}
 * @param connectionTimeout MI {@code maxWait}
 * @param validationQuery   MI {@code validationQuery}; empty means the driver's own {@code isValid} check
 * @param validationTimeout MI {@code validationQueryTimeout}
 * @param maxLifetime       MI {@code maxAge}
 * @param autoCommit        MI {@code defaultAutoCommit}
 */
public record DataSourceConfig(
        String id,
        String url,
        String username,
        String password,
        Optional<String> driver,
        int maxPoolSize,
        int minIdle,
        Duration connectionTimeout,
        Optional<String> validationQuery,
        Duration validationTimeout,
        Duration maxLifetime,
        boolean autoCommit) {

    public static final int DEFAULT_MAX_POOL_SIZE = 10;
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_VALIDATION_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofMinutes(30);

    public DataSourceConfig {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    /** A datasource with the pool defaults, for tests and for the embedded default. */
    public static DataSourceConfig of(String id, String url, String username, String password) {
        return new DataSourceConfig(id, url, username, password, Optional.empty(), DEFAULT_MAX_POOL_SIZE, 1,
                DEFAULT_CONNECTION_TIMEOUT, Optional.empty(), DEFAULT_VALIDATION_TIMEOUT, DEFAULT_MAX_LIFETIME,
                true);
    }

    /** Prints everything but the password. */
    @Override
    public String toString() {
        return "DataSourceConfig[id=" + id + ", url=" + url + ", username=" + username + ", maxPoolSize="
                + maxPoolSize + "]";
    }
}
