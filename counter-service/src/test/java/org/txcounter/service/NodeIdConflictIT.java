package org.txcounter.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.store.CounterStore;
import org.txcounter.core.store.IntervalRow;
import org.txcounter.core.store.TestDatabases;

/**
 * Two packaged services configured with one node id on one PostgreSQL: the second is refused at its start with exit
 * status 2 and the reason, and the first's ledger is untouched and it stops normally.
 */
class NodeIdConflictIT {

    @TempDir
    Path dirs;

    @Test
    void aSecondServiceWithTheIdOfALiveNodeExitsTwoAndTouchesNothing() throws Exception {
        DataSourceConfig owner = TestDatabases.postgres();
        TestDatabases.migrate(owner);
        TestDatabases.wipe(owner);
        Path first = configured("first");
        Path second = configured("second");

        // The first node runs: its connection is its first report, before any interval closes.
        ServiceProcess running = ServiceProcess.start(first);
        List<IntervalRow> before = ledger(owner);

        Path output = dirs.resolve("second.out");
        Process refused = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target", "txcounter.jar").toAbsolutePath().toString())
                .directory(second.toFile()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean exited = refused.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            refused.destroyForcibly().waitFor();
        }
        String said = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(exited).as("the second service exited; it said:%n%s", said).isTrue();
        assertThat(refused.exitValue()).as(said).isEqualTo(2);
        assertThat(said).contains("Cannot start: Node twin is already counting elsewhere: the database shows it "
                + "registered, its last report at ")
                .contains("has no journal").contains("give it its own id ([node] id in deployment.toml");

        assertThat(ledger(owner)).isEqualTo(before);
        assertThat(running.terminate()).isEqualTo(143);
        assertThat(ledger(owner)).hasSizeGreaterThanOrEqualTo(before.size());
    }

    private Path configured(String name) throws IOException {
        Path work = Files.createDirectories(dirs.resolve(name));
        DataSourceConfig app = TestDatabases.postgresApp();
        Files.writeString(work.resolve("deployment.toml"), """
                [node]
                id = "twin"

                [management_api]
                port = 0

                [passthrough]
                port = 0

                """ + PostgresToml.datasource(app.url(), app, ""));
        return work;
    }

    private static List<IntervalRow> ledger(DataSourceConfig owner) {
        try (CounterStore store = CounterStore.open(owner, Clock.systemUTC())) {
            return store.ledger("twin");
        }
    }
}
