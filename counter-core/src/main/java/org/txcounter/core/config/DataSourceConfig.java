package org.txcounter.core.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code [[datasource]]} entry of {@code deployment.toml}, in MI's vocabulary, with the pool options already
 * mapped to HikariCP's terms.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
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
 * @param timeouts          {@code connectTimeout}, {@code socketTimeout} and {@code statementTimeout}: how long a
 *                          database may take before the store gives up and retries later
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
        boolean autoCommit,
        Timeouts timeouts) {

    public static final int DEFAULT_MAX_POOL_SIZE = 10;
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_VALIDATION_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofMinutes(30);

    public DataSourceConfig {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(timeouts, "timeouts");
    }

    /** With the default {@link Timeouts}. */
    public DataSourceConfig(String id, String url, String username, String password, Optional<String> driver,
            int maxPoolSize, int minIdle, Duration connectionTimeout, Optional<String> validationQuery,
            Duration validationTimeout, Duration maxLifetime, boolean autoCommit) {
        this(id, url, username, password, driver, maxPoolSize, minIdle, connectionTimeout, validationQuery,
                validationTimeout, maxLifetime, autoCommit, Timeouts.DEFAULT);
    }

    /**
     * How long the database may take, so that one that stops answering without closing the connection (packets
     * dropped, a frozen server) fails the write in bounded time; the interval stays queued and is written later.
     * The store gives each vendor's driver these as its own properties (see {@code Dialect}), unless the URL
     * already sets them.
     *
     * @param connect   opening a TCP connection and logging in
     * @param socket    waiting for any answer on an open connection; longer than {@code statement}, so that a
     *                  slow statement is cancelled by the database before the connection is given up
     * @param statement one SQL statement, cancelled by the driver after this long (whole seconds, at least 1)
     */
    public record Timeouts(Duration connect, Duration socket, Duration statement) {
        /** Connect 10 s, socket 30 s, statement 20 s. */
        public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofSeconds(20));

        public Timeouts {
            Objects.requireNonNull(connect, "connect");
            Objects.requireNonNull(socket, "socket");
            Objects.requireNonNull(statement, "statement");
            if (socket.compareTo(statement) <= 0) {
                throw new IllegalArgumentException("the socket timeout (" + socket.toMillis() + " ms) must be longer "
                        + "than the statement timeout (" + statement.toMillis() + " ms)");
            }
        }
    }

    /** A datasource with the pool defaults, for tests and for the embedded default. */
    public static DataSourceConfig of(String id, String url, String username, String password) {
        return new DataSourceConfig(id, url, username, password, Optional.empty(), DEFAULT_MAX_POOL_SIZE, 1,
                DEFAULT_CONNECTION_TIMEOUT, Optional.empty(), DEFAULT_VALIDATION_TIMEOUT, DEFAULT_MAX_LIFETIME,
                true, Timeouts.DEFAULT);
    }

    /** Prints everything but the password. */
    @Override
    public String toString() {
        return "DataSourceConfig[id=" + id + ", url=" + url + ", username=" + username + ", maxPoolSize="
                + maxPoolSize + "]";
    }
}
