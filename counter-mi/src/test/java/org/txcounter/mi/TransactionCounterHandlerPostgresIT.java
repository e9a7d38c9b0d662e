package org.txcounter.mi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.synapse.config.SynapseConfiguration;
import org.apache.synapse.core.axis2.Axis2MessageContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.MonthCount;
import org.txcounter.core.OwnDestinations;
import org.txcounter.core.Transport;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.config.DedupeConfig;
import org.txcounter.core.store.CounterStore;
import org.txcounter.core.store.TestDatabases;

/**
 * The handler driven through MI's flows with real axis2 message contexts, two MI nodes writing to one real
 * PostgreSQL database; the totals there are exact.
 */
class TransactionCounterHandlerPostgresIT {

    private static final byte[] STAMP_SECRET = "the-deployment-stamp-secret-32-bytes!".getBytes(StandardCharsets.UTF_8);
    private static final byte[] LEDGER_KEY = "the-ledger-key-of-the-mi-tests-32-bytes".getBytes(StandardCharsets.UTF_8);
    private static final String ORDERS = "jms:/orders?transport.jms.ConnectionFactoryJNDIName=QueueConnectionFactory";

    @TempDir
    Path dirs;

    private DataSourceConfig database;

    @BeforeEach
    void emptyDatabase() {
        database = TestDatabases.postgres();
        TestDatabases.dropSchema(database);
        TestDatabases.migrate(database);
    }

    @Test
    void countsWhatMiCountedOnceAcrossTwoNodes() {
        CountingHandler a = handler("mi-a");
        CountingHandler b = handler("mi-b");
        assertThat(a.handleServerInit()).isTrue();
        assertThat(b.handleServerInit()).isTrue();

        SynapseConfiguration mi = MiFlows.configuration();
        MiFlows.deployInbound(mi, "billing-in", "jms");
        // An API over http and over https, a proxy over jms, an inbound endpoint: one transaction each.
        assertThat(a.handleRequestInFlow(MiFlows.apiRequest("http"))).isTrue();
        assertThat(a.handleRequestInFlow(MiFlows.apiRequest("https"))).isTrue();
        assertThat(a.handleRequestInFlow(MiFlows.jmsProxy("backlog", "ID:1", "false", null))).isTrue();
        assertThat(a.handleRequestInFlow(MiFlows.jmsInbound(mi, "billing-in", "billing", "ID:2", false, null)))
                .isTrue();

        // An async pair: an API request on A puts a message on the deployment's queue; B consumes it: one transaction.
        Axis2MessageContext request = MiFlows.apiRequest("http");
        assertThat(a.handleRequestInFlow(request)).isTrue();
        assertThat(a.handleRequestOutFlow(MiFlows.sendingThrough(request, MiFlows.address(ORDERS)))).isTrue();
        String stamp = (String) MiFlows.headers(request).remove("TxnCounterStamp");
        assertThat(stamp).isNotNull();
        assertThat(b.handleRequestInFlow(MiFlows.jmsProxy("orders", "ID:3", "false", stamp))).isTrue();
        // A second message of the same request to the same queue gets its own stamp, valid only on "orders".
        a.handleRequestOutFlow(MiFlows.sendingThrough(request, MiFlows.address(ORDERS)));
        String stampForOrders = (String) MiFlows.headers(request).remove("TxnCounterStamp");
        // Nothing sent outside the deployment carries a stamp.
        a.handleRequestOutFlow(MiFlows.sendingThrough(request,
                MiFlows.address("jms:/partners?transport.jms.DestinationType=queue")));
        a.handleRequestOutFlow(MiFlows.sendingThrough(request,
                MiFlows.address("https://backend.example.com/orders")));
        assertThat(MiFlows.headers(request)).doesNotContainKeys("TxnCounterStamp", "X-Txn-Counter-Stamp");

        // Redeliveries of messages the node took in: not counted again (string flag from the transport, Boolean
        // from the inbound endpoint). The same id delivered afresh is a new message.
        b.handleRequestInFlow(MiFlows.jmsProxy("orders", "ID:3", "true", null));
        a.handleRequestInFlow(MiFlows.jmsInbound(mi, "billing-in", "billing", "ID:2", true, null));
        a.handleRequestInFlow(MiFlows.jmsProxy("backlog", "ID:1", "false", null));

        // Outside messages: a forged stamp, and a real stamp on a queue it was not issued for: both counted.
        b.handleRequestInFlow(MiFlows.jmsProxy("orders", "ID:4", "false", "v1.forged.stamp"));
        b.handleRequestInFlow(MiFlows.jmsProxy("backlog", "ID:5", "false", stampForOrders));

        assertThat(a.failures()).isZero();
        assertThat(b.failures()).isZero();
        assertThat(a.handleServerShutDown()).isTrue();
        assertThat(b.handleServerShutDown()).isTrue();

        try (CounterStore store = CounterStore.open(database, Clock.systemUTC())) {
            MonthCount count = store.count(YearMonth.now(ZoneOffset.UTC));
            assertThat(count.counts().get(Transport.HTTP)).isEqualTo(3);
            assertThat(count.counts().get(Transport.JMS)).isEqualTo(5);
            assertThat(count.nodes()).isEqualTo(2);
        }
    }

    private CountingHandler handler(String node) {
        OwnDestinations own = new OwnDestinations(Set.of("orders"), List.of());
        CounterConfig config = CounterConfig.builder()
                .dataSource(database)
                .nodeId(node)
                .dataDir(dirs.resolve(node))
                .updateInterval(Duration.ofMinutes(60))
                .ledgerKey(LEDGER_KEY)
                .dedupe(new DedupeConfig("mi-deployment", Optional.of(STAMP_SECRET), Duration.ofHours(1), true,
                        DedupeConfig.DEFAULT_REDELIVERY_WINDOW))
                .ownDestinations(own)
                .build();
        return new CountingHandler(() -> config, Clock.systemUTC());
    }
}
