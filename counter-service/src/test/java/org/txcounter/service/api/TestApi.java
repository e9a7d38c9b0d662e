package org.txcounter.service.api;

import io.javalin.Javalin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.service.config.LicenceConfig;
import org.txcounter.service.config.SecretStore;
import org.txcounter.service.config.ServiceConfig;
import org.txcounter.service.runtime.RoutingStats;
import org.txcounter.service.statement.Billing;

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
        Billing billing = billing(counter, clock);
        return ManagementApi.create(counter, TestUsers.access(clock), ManagementApi.Listener.plain("127.0.0.1", 0),
                new CounterMetrics(counter, new RoutingStats(), billing), billing).start();
    }

    /** The month-end side with default settings, signing with a key in a new secret store of its own. */
    static Billing billing(TransactionCounter counter, Clock clock) {
        return billing(counter, clock, LicenceConfig.none());
    }

    /** The month-end side with default settings and {@code licence}, signing with a new secret store's key. */
    static Billing billing(TransactionCounter counter, Clock clock, LicenceConfig licence) {
        try {
            Path secrets = Files.createTempDirectory("txn-test-secrets").resolve("secret-store.p12");
            ServiceConfig config = ServiceConfig.defaults(CounterConfig.builder().build()).withLicence(licence);
            return Billing.create(config, counter, SecretStore.openOrCreate(secrets, name -> null), clock);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
