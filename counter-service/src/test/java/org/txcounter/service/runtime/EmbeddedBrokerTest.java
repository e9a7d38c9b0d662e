package org.txcounter.service.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientConsumer;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientProducer;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.txcounter.service.config.RuntimeConfig;

/**
 * The embedded broker's queues have an expiry address and a dead-letter address: an expired message on a runtime
 * queue is moved to {@code ExpiryQueue} (not dropped), and Artemis logs no AMQ222166 "No Expiry Address" warning.
 */
class EmbeddedBrokerTest {

    @TempDir
    Path dataDir;

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger artemis = (Logger) LoggerFactory.getLogger("org.apache.activemq.artemis");

    @BeforeEach
    void captureLog() {
        log.start();
        artemis.addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        artemis.detachAppender(log);
    }

    @Test
    void anExpiredMessageOnARuntimeQueueMovesToTheExpiryQueueWithoutAWarning() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir, 0, Optional.empty(), List.of(), List.of(),
                Optional.empty(), RuntimeConfig.DEFAULT_MAX_MESSAGE_SIZE, RuntimeConfig.BrokerLimits.DEFAULTS,
                Optional.empty());
                ServerLocator locator = ActiveMQClient.createServerLocator(broker.url());
                ClientSessionFactory factory = locator.createSessionFactory();
                ClientSession session = factory.createSession(broker.login().user(), broker.login().password(),
                        false, true, true, false, 0)) {
            session.createQueue(QueueConfiguration.of("orders").setRoutingType(RoutingType.ANYCAST));
            session.start();
            try (ClientProducer producer = session.createProducer("orders")) {
                ClientMessage message = session.createMessage(true);
                message.setExpiration(1); // 1 ms after the epoch: expired whenever it is looked at
                message.getBodyBuffer().writeString("late order");
                producer.send(message);
            }
            try (ClientConsumer orders = session.createConsumer("orders")) {
                assertThat(orders.receiveImmediate()).as("an expired message is not delivered").isNull();
            }
            // Auto-created expiry resources: address ExpiryQueue, one queue per original address, EXP.<address>.
            try (ClientConsumer expired = session.createConsumer("EXP.orders")) {
                ClientMessage moved = expired.receive(10_000);
                assertThat(moved).as("the expired message is in EXP.orders").isNotNull();
                assertThat(moved.getBodyBuffer().readString()).isEqualTo("late order");
                moved.acknowledge();
            }
        }
        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
                .noneMatch(line -> line.contains("AMQ222166"));
    }
}
