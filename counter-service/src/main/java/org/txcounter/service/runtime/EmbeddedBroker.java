package org.txcounter.service.runtime;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.remoting.impl.invm.InVMConnector;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.io.PrivateFiles;

/**
 * The ActiveMQ Artemis broker the runtime starts when no external broker is configured. Messages are persisted
 * in {@code <data_dir>/broker} (directories mode 700, files 600), so queued async requests survive a restart.
 * Other runtimes of the deployment on this host reach it over TCP on {@code 127.0.0.1} when a port is configured.
 *
 * <p>A rolled-back message is redelivered at once, up to {@value #MAX_DELIVERY_ATTEMPTS} times, then moved to the
 * {@code DLQ} queue; an expired message is moved to {@code ExpiryQueue}. Both are set for every address, so the
 * runtime's queues never log Artemis' "no expiry address" warning (AMQ222166).
 */
public final class EmbeddedBroker implements AutoCloseable {

    static final int MAX_DELIVERY_ATTEMPTS = 10;
    /** Where a message goes after {@value #MAX_DELIVERY_ATTEMPTS} rolled-back deliveries. */
    static final String DEAD_LETTER_ADDRESS = "DLQ";
    /** Where a message whose JMS expiration passed goes, instead of being dropped with a warning. */
    static final String EXPIRY_ADDRESS = "ExpiryQueue";
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    /** In-VM server ids must differ between brokers of one JVM (tests run several runtimes). */
    private static final AtomicInteger NEXT_ID = new AtomicInteger();

    private final EmbeddedActiveMQ server;
    private final String inVmUrl;

    private EmbeddedBroker(EmbeddedActiveMQ server, String inVmUrl) {
        this.server = server;
        this.inVmUrl = inVmUrl;
    }

    /**
     * Starts a broker with its journal in {@code <dataDir>/broker}, and a TCP acceptor on 127.0.0.1 when
     * {@code tcpPort} is above 0.
     */
    public static EmbeddedBroker start(Path dataDir, int tcpPort) throws Exception {
        int id = NEXT_ID.getAndIncrement();
        String inVmUrl = "vm://" + id;
        Path home = dataDir.resolve("broker").toAbsolutePath();
        // The journal holds queued request bodies and their stamps: owner-only, before Artemis writes a byte.
        PrivateFiles.ownerOnlyDirectory(home);
        for (String directory : new String[] {"journal", "bindings", "paging", "large-messages"}) {
            PrivateFiles.ownerOnlyDirectory(home.resolve(directory));
        }
        Configuration configuration = new ConfigurationImpl()
                .setName("txcounter-" + id)
                .setPersistenceEnabled(true)
                .setJournalType(JournalType.NIO)
                .setJournalDirectory(home.resolve("journal").toString())
                .setBindingsDirectory(home.resolve("bindings").toString())
                .setPagingDirectory(home.resolve("paging").toString())
                .setLargeMessagesDirectory(home.resolve("large-messages").toString())
                .setJournalFileSize(1024 * 1024)
                .setJournalMinFiles(2)
                .setSecurityEnabled(false)
                .addAcceptorConfiguration("in-vm", inVmUrl)
                .addAddressSetting("#", new AddressSettings()
                        .setRedeliveryDelay(0L)
                        .setMaxDeliveryAttempts(MAX_DELIVERY_ATTEMPTS)
                        .setDeadLetterAddress(SimpleString.of(DEAD_LETTER_ADDRESS))
                        .setAutoCreateDeadLetterResources(true)
                        .setExpiryAddress(SimpleString.of(EXPIRY_ADDRESS))
                        .setAutoCreateExpiryResources(true)
                        .setAutoCreateQueues(true)
                        .setAutoCreateAddresses(true));
        if (tcpPort > 0) {
            configuration.addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + tcpPort);
        }
        EmbeddedActiveMQ server = new EmbeddedActiveMQ();
        server.setConfiguration(configuration);
        server.start();
        // Artemis creates its files with the process's umask; inside the 700 directories, and set to 600 here.
        PrivateFiles.restrictTree(home);
        LOG.info("Embedded JMS broker started ({}{}), journal in {}.", inVmUrl,
                tcpPort > 0 ? ", tcp://127.0.0.1:" + tcpPort : "", home);
        return new EmbeddedBroker(server, inVmUrl);
    }

    /** The URL this JVM's clients connect with. */
    public String url() {
        return inVmUrl;
    }

    @Override
    public void close() throws Exception {
        server.stop();
        // Without these the client thread pools keep the JVM alive for a minute after the broker stopped.
        ActiveMQClient.clearThreadPools();
        InVMConnector.resetThreadPool();
    }
}
