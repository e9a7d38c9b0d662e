package org.txcounter.service.api;

import io.javalin.Javalin;
import java.nio.file.Path;
import java.time.Clock;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.service.runtime.RoutingStats;

/** The counter and API that the API tests run against: node {@code node-a} on an embedded H2 database. */
final class TestApi {

    private TestApi() {
    }

    /** A counter on the embedded H2 database in {@code dataDir}, driven by {@code clock}. */
    static TransactionCounter counter(Path dataDir, Clock clock) {
        return TransactionCounter.open(CounterConfig.builder().dataDir(dataDir).nodeId("node-a").build(), clock);
    }

    /** The API for {@code counter} over plain HTTP on a free port, with the users of {@link TestUsers}. */
    static Javalin plain(TransactionCounter counter, Clock clock) {
        return ManagementApi.create(counter, TestUsers.access(clock), ManagementApi.Listener.plain("127.0.0.1", 0),
                new RoutingStats()).start();
    }
}
