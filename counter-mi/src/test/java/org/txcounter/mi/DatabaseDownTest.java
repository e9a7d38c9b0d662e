package org.txcounter.mi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.Transport;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;

/** A database that is down never delays MI's start, and counting goes on meanwhile. */
class DatabaseDownTest {

    @TempDir
    Path dir;

    /**
     * A database that accepts connections and never answers, the worst case: its connect timeout is 10 s. A start
     * that waited for it would take at least that; the handler's returns well before it, not yet connected, and
     * counts meanwhile.
     */
    @Test
    void startsAtOnceAndCountsWhileTheDatabaseDoesNotAnswer() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                List<Socket> held = new ArrayList<>();
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // The test is over.
                }
            }, "silent-database");
            acceptor.setDaemon(true);
            acceptor.start();
            CounterConfig config = CounterConfig.builder()
                    .dataSource(DataSourceConfig.of(CounterConfig.DEFAULT_DATA_SOURCE_ID,
                            "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/transactiondb", "txn_app", "pw"))
                    .nodeId("mi-down")
                    .dataDir(dir)
                    .finalFlushTimeout(Duration.ofMillis(200))
                    .build();
            CountingHandler handler = new CountingHandler(() -> config, Clock.systemUTC());

            assertThat(assertTimeoutPreemptively(Duration.ofSeconds(8), handler::handleServerInit)).isTrue();
            assertThat(handler.counter()).isPresent();
            assertThat(handler.counter().get().connected()).isFalse();
            assertThat(handler.handleRequestInFlow(MiFlows.apiRequest("http"))).isTrue();
            assertThat(handler.counter().get().unflushed().get(Transport.HTTP)).isEqualTo(1);
            assertThat(handler.handleServerShutDown()).isTrue();
            assertThat(handler.counter()).isEmpty();
        }
    }

    @Test
    void aConfigurationThatCannotBeReadLeavesMiRunning() {
        CountingHandler handler = new CountingHandler(() -> {
            throw new org.txcounter.core.config.ConfigException("deployment.toml line 3: bad");
        }, Clock.systemUTC());
        assertThat(handler.handleServerInit()).isTrue();
        assertThat(handler.counter()).isEmpty();
        assertThat(handler.handleRequestInFlow(MiFlows.apiRequest("http"))).isTrue();
        assertThat(handler.handleServerShutDown()).isTrue();
    }
}
