package org.txcounter.mi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.Transport;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;

/** A database that is down never delays MI's start, and counting goes on meanwhile. */
class DatabaseDownTest {

    @TempDir
    Path dir;

    @Test
    void startsAtOnceAndCountsWhileTheDatabaseIsDown() {
        // Port 9 on loopback: nothing listens, so every connection is refused.
        CounterConfig config = CounterConfig.builder()
                .dataSource(DataSourceConfig.of(CounterConfig.DEFAULT_DATA_SOURCE_ID,
                        "jdbc:postgresql://127.0.0.1:9/transactiondb", "txn_app", "pw"))
                .nodeId("mi-down")
                .dataDir(dir)
                .finalFlushTimeout(Duration.ofMillis(200))
                .build();
        TransactionCounterHandler handler = new TransactionCounterHandler(() -> config, Clock.systemUTC());
        long started = System.nanoTime();
        assertThat(handler.handleServerInit()).isTrue();
        Duration init = Duration.ofNanos(System.nanoTime() - started);
        assertThat(handler.handleRequestInFlow(MiFlows.apiRequest("http"))).isTrue();

        assertThat(init).isLessThan(Duration.ofSeconds(2));
        assertThat(handler.counter()).isPresent();
        assertThat(handler.counter().get().unflushed().get(Transport.HTTP)).isEqualTo(1);
        assertThat(handler.handleServerShutDown()).isTrue();
        assertThat(handler.counter()).isEmpty();
    }

    @Test
    void aConfigurationThatCannotBeReadLeavesMiRunning() {
        TransactionCounterHandler handler = new TransactionCounterHandler(() -> {
            throw new org.txcounter.core.config.ConfigException("deployment.toml line 3: bad");
        }, Clock.systemUTC());
        assertThat(handler.handleServerInit()).isTrue();
        assertThat(handler.counter()).isEmpty();
        assertThat(handler.handleRequestInFlow(MiFlows.apiRequest("http"))).isTrue();
        assertThat(handler.handleServerShutDown()).isTrue();
    }
}
