package org.txcounter.core.hooks.jms;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.remoting.impl.invm.InVMConnector;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.txcounter.core.TransactionMeter;
import org.txcounter.core.Transport;
import org.txcounter.core.IngressCounter;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.stamp.StampAuthority;

/**
 * The JMS scenarios, written once and run through both adapters ({@code jakarta.jms} and {@code javax.jms}) on a
 * real embedded Artemis broker. A subclass supplies the API-specific plumbing as a {@link Jms}.
 */
abstract class JmsAdapterScenarios {

    static final String BROKER_URL = "vm://7";
    private static final byte[] SECRET = "the-jms-adapter-test-secret-32-b".getBytes(StandardCharsets.US_ASCII);
    private static final long TIMEOUT_SECONDS = 60;
    private static EmbeddedActiveMQ broker;

    /** What a scenario needs from a JMS API: an outside producer, the runtime's stamping producer, a consumer. */
    interface Jms extends AutoCloseable {
        /** Sends as an outside producer: the stamp property is set to {@code stamp} if not null. */
        void send(String queue, String body, String stamp) throws Exception;

        /**
         * Sends as the runtime while handling an inbound transaction: stamped through the adapter's stamper, with
         * {@code queue} one of the deployment's own.
         */
        void sendStamped(String queue, String body) throws Exception;

        /**
         * Consumes {@code queue} in a transacted session through the adapter's counting listener; {@code handler}
         * returning false rolls the message back, so the broker delivers it again.
         */
        void consume(String queue, MessageHandler handler) throws Exception;
    }

    @FunctionalInterface
    interface MessageHandler {
        boolean handle(String body, boolean redelivered, Jms jms) throws Exception;
    }

    abstract Jms connect(IngressCounter ingress) throws Exception;

    private final Clock clock = Clock.systemUTC();
    private TransactionMeter meter;
    private IngressCounter ingress;
    private Jms jms;
    private static final AtomicInteger QUEUES = new AtomicInteger();

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new EmbeddedActiveMQ();
        broker.setConfiguration(new ConfigurationImpl()
                .setPersistenceEnabled(false)
                .setSecurityEnabled(false)
                .addAcceptorConfiguration("in-vm", BROKER_URL)
                .addAddressSetting("#", new AddressSettings()
                        .setRedeliveryDelay(0L)
                        .setMaxDeliveryAttempts(5)
                        .setDeadLetterAddress(SimpleString.of("DLQ"))
                        .setAutoCreateQueues(true)
                        .setAutoCreateAddresses(true)));
        broker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.stop();
        ActiveMQClient.clearThreadPools();
        InVMConnector.resetThreadPool();
    }

    @BeforeEach
    void connect() throws Exception {
        meter = new TransactionMeter();
        ingress = Internals.ingressCounter(meter, Optional.of(new StampAuthority("jms-it", "node-1", SECRET,
                Duration.ofHours(1), 10_000, clock)), true, 10_000, clock);
        jms = connect(ingress);
    }

    @AfterEach
    void disconnect() throws Exception {
        jms.close();
    }

    private static String queue(String name) {
        return name + "-" + QUEUES.incrementAndGet();
    }

    private long counted(Transport transport) {
        return meter.pending().get(transport);
    }

    private static void await(CountDownLatch latch, String what) throws InterruptedException {
        assertThat(latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("%s within %d s (%d left)", what,
                TIMEOUT_SECONDS, latch.getCount()).isTrue();
    }

    @Test
    void anAsyncPairProducedAndConsumedByTheRuntimeCountsOnce() throws Exception {
        String queue = queue("pairs");
        for (int i = 0; i < 500; i++) {
            try (IngressCounter.Scope request = ingress.httpRequest(null)) {
                jms.sendStamped(queue, "pair-" + i);
            }
        }
        CountDownLatch consumed = new CountDownLatch(500);
        jms.consume(queue, (body, redelivered, session) -> {
            consumed.countDown();
            return true;
        });
        await(consumed, "500 messages consumed");

        assertThat(counted(Transport.HTTP)).isEqualTo(500);
        assertThat(counted(Transport.JMS)).isZero();
        assertThat(ingress.rejectedStampTotal()).isZero();
    }

    @Test
    void forgedEditedAndForeignStampsAreCountedAndReported() throws Exception {
        String queue = queue("forged");
        StampAuthority outsider = new StampAuthority("jms-it", "node-1", "an-outsider-secret-of-32-bytes!!"
                .getBytes(StandardCharsets.US_ASCII), Duration.ofHours(1), 1_000, clock);
        StampAuthority genuine = new StampAuthority("jms-it", "node-1", SECRET, Duration.ofHours(1), 1_000, clock);
        for (int i = 0; i < 300; i++) {
            String stamp = switch (i % 3) {
                case 0 -> "v2.jms-it.AAAAAAAAAAAAAAAA.0.AAAA";
                case 1 -> outsider.issue(StampAuthority.queueDestination(queue));
                default -> {
                    String copy = genuine.issue(StampAuthority.queueDestination(queue));
                    yield copy.substring(0, 10) + (copy.charAt(10) == 'x' ? 'y' : 'x') + copy.substring(11);
                }
            };
            jms.send(queue, "forged-" + i, stamp);
        }
        CountDownLatch consumed = new CountDownLatch(300);
        jms.consume(queue, (body, redelivered, session) -> {
            consumed.countDown();
            return true;
        });
        await(consumed, "300 messages consumed");

        assertThat(counted(Transport.JMS)).isEqualTo(300);
        assertThat(ingress.rejectedStampTotal()).isEqualTo(300);
    }

    @Test
    void oneValidStampCopiedOntoManyMessagesLetsOneThrough() throws Exception {
        String queue = queue("copied");
        String stamp = new StampAuthority("jms-it", "node-1", SECRET, Duration.ofHours(1), 1_000, clock)
                .issue(StampAuthority.queueDestination(queue));
        for (int i = 0; i < 100; i++) {
            jms.send(queue, "copy-" + i, stamp);
        }
        CountDownLatch consumed = new CountDownLatch(100);
        jms.consume(queue, (body, redelivered, session) -> {
            consumed.countDown();
            return true;
        });
        await(consumed, "100 messages consumed");

        assertThat(counted(Transport.JMS)).isEqualTo(99);
        assertThat(ingress.rejectedStampTotal()).isEqualTo(99);
    }

    @Test
    void messagesRolledBackAndRedeliveredCountOnce() throws Exception {
        String queue = queue("redelivered");
        for (int i = 0; i < 200; i++) {
            jms.send(queue, "retry-" + i, null);
        }
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        Set<String> done = ConcurrentHashMap.newKeySet();
        AtomicInteger duplicates = new AtomicInteger();
        CountDownLatch consumed = new CountDownLatch(200);
        jms.consume(queue, (body, redelivered, session) -> {
            if (failedOnce.add(body)) {
                return false;
            }
            if (!done.add(body)) {
                duplicates.incrementAndGet();
            }
            consumed.countDown();
            return true;
        });
        await(consumed, "200 messages handled after one rollback each");

        assertThat(counted(Transport.JMS)).isEqualTo(200);
        assertThat(ingress.redeliveriesSkipped()).isEqualTo(200);
        assertThat(duplicates.get()).isZero();
    }

    @Test
    void whatTheConsumerSendsOnWhileHandlingAStampedMessageIsStampedToo() throws Exception {
        String first = queue("chain-first");
        String second = queue("chain-second");
        for (int i = 0; i < 50; i++) {
            try (IngressCounter.Scope request = ingress.httpRequest(null)) {
                jms.sendStamped(first, "chain-" + i);
            }
        }
        CountDownLatch forwarded = new CountDownLatch(50);
        CountDownLatch arrived = new CountDownLatch(50);
        jms.consume(second, (body, redelivered, session) -> {
            arrived.countDown();
            return true;
        });
        jms.consume(first, (body, redelivered, session) -> {
            session.sendStamped(second, body);
            forwarded.countDown();
            return true;
        });
        await(forwarded, "50 messages forwarded");
        await(arrived, "50 forwarded messages consumed");

        assertThat(counted(Transport.HTTP)).isEqualTo(50);
        assertThat(counted(Transport.JMS)).isZero();
    }
}
