package org.txcounter.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.txcounter.core.Await.awaitUpTo;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.store.TestDatabases;

/**
 * The database's status names the kind of failure, against the machine's servers: an account refused by MariaDB
 * (AUTHENTICATION_FAILED), a port where nothing listens (REFUSED), a host that does not resolve (UNKNOWN_HOST); the
 * counter starts in each case and counts.
 */
class DatabaseProblemIT {

    @TempDir
    Path dataDir;

    @Test
    void aWrongPasswordIsNamedAsAuthenticationFailed() throws Exception {
        // MariaDB: the machine's PostgreSQL trusts every local connection and asks no password.
        DataSourceConfig app = TestDatabases.mariadbApp();
        assertDown(app.url(), app.username(), "not-the-password", "AUTHENTICATION_FAILED: ");
    }

    @Test
    void aPortWhereNothingListensIsNamedAsRefused() throws Exception {
        DataSourceConfig app = TestDatabases.postgresApp();
        int closed;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = probe.getLocalPort(); // closed again when the probe closes: nothing listens there
        }
        assertDown(app.url().replaceFirst("//[^/]+/", "//127.0.0.1:" + closed + "/"), app.username(),
                app.password(), "REFUSED: ");
    }

    @Test
    void aHostThatDoesNotResolveIsNamedAsAnUnknownHost() throws Exception {
        DataSourceConfig app = TestDatabases.postgresApp();
        assertDown(app.url().replaceFirst("//[^/]+/", "//no-such-host.invalid:5432/"), app.username(),
                app.password(), "UNKNOWN_HOST: ");
    }

    /**
     * Starts a counter on {@code url} whose pool waits at most a second for a connection (MI's maxWait), so that each
     * failed attempt is reported within seconds, and waits until the status is DOWN.
     */
    private void assertDown(String url, String user, String password, String kind) throws Exception {
        DataSourceConfig dataSource = new DataSourceConfig(CounterConfig.DEFAULT_DATA_SOURCE_ID, url, user, password,
                Optional.empty(), 2, 1, Duration.ofSeconds(1), Optional.empty(), Duration.ofSeconds(1),
                Duration.ofMinutes(30), true);
        try (TransactionCounter counter = TransactionCounter.start(CounterConfig.builder().dataSource(dataSource)
                .dataDir(dataDir).nodeId("problem").finalFlushTimeout(Duration.ofSeconds(1)).build(),
                Clock.systemUTC())) {
            counter.meter().counter(Transport.HTTP).record();
            awaitUpTo(Duration.ofSeconds(30), "the database DOWN",
                    () -> counter.databaseStatus().state() == DatabaseStatus.State.DOWN);
            assertThat(counter.databaseStatus().detail()).startsWith(kind);
            assertThat(counter.unflushed().get(Transport.HTTP)).isEqualTo(1);
        }
    }
}
