package org.txcounter.loadtests;

import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSProducer;
import jakarta.jms.MessageListener;
import jakarta.jms.Queue;
import jakarta.jms.TextMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.hooks.jms.jakarta.CountingMessageListener;
import org.txcounter.core.IngressCounter.Completion;
import org.txcounter.service.config.RuntimeConfig;
import org.txcounter.service.runtime.EmbeddedBroker;

/**
 * JMS consume throughput with the counting listener and without it, measured in one run on the embedded Artemis
 * broker the service uses (persistent NIO journal, in-VM connection).
 *
 * <p>Each round preloads the same number of persistent messages, then drains them with one consumer whose
 * listener reads each body. The counting side wraps that listener in {@link CountingMessageListener}; the plain
 * side uses it as is. The listener reads what the runtime's inbound endpoint reads before forwarding (a
 * content-type property, the message id and the body), or with {@code -Dreader=body} the body only. The order
 * alternates every round. At the end the ledger must hold exactly
 * {@code messages × (rounds + warmup)} JMS transactions: every message of a counting round, once.
 *
 * <p>Settings (system properties): {@code rounds} per side (default 10), {@code warmup} rounds per side before
 * them (2), {@code messages} per round (100000).
 */
public final class JmsConsumeLoad {

    /** {@code -Dreader=endpoint} (default): read as the inbound endpoint does; {@code body}: the body only. */
    private static final boolean ENDPOINT_READER = !"body".equals(System.getProperty("reader", "endpoint"));
    private static final String CONTENT_TYPE = "TxnContentType";

    private JmsConsumeLoad() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("rounds", 10);
        int warmupRounds = Integer.getInteger("warmup", 2);
        int messages = Integer.getInteger("messages", 100_000);
        Path dataDir = Files.createTempDirectory("jms-consume-load");
        CounterConfig counterConfig = CounterConfig.builder()
                .dataSource(CounterConfig.embeddedDataSource(dataDir.resolve("counter")))
                .dataDir(dataDir.resolve("counter"))
                .nodeId("load-jms")
                .build();

        List<Double> withCounter = new ArrayList<>();
        List<Double> without = new ArrayList<>();
        YearMonth month;
        try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir, 0, Optional.empty(), List.of(), List.of("load.in"),
                Optional.empty(), RuntimeConfig.DEFAULT_MAX_MESSAGE_SIZE,
                RuntimeConfig.BrokerLimits.DEFAULTS, Optional.empty());
                ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(broker.url(), broker.login().user(),
                        broker.login().password());
                JMSContext context = factory.createContext(JMSContext.AUTO_ACKNOWLEDGE);
                TransactionCounter counter = TransactionCounter.open(counterConfig, Clock.systemUTC())) {
            month = counter.currentMonth();
            Queue queue = context.createQueue("load.in");
            System.out.printf("%d persistent messages per round, %d rounds per side, one consumer; the listener "
                    + "reads %s%n", messages, rounds, ENDPOINT_READER
                            ? "the content type, the message id and the body, as the inbound endpoint does"
                            : "the body only");
            // Warm-up: the broker's journal and the JIT take a few hundred thousand messages to settle. The
            // counting warm-up rounds are counted like the others.
            for (int pass = 1; pass <= warmupRounds; pass++) {
                for (boolean counting : new boolean[] {true, false}) {
                    preload(factory, queue, messages);
                    double perSecond = drain(context, queue, messages, counting, ENDPOINT_READER, counter);
                    System.out.printf("warm-up %d %-16s %10.0f msg/s%n", pass,
                            counting ? "with counter" : "without counter", perSecond);
                }
            }
            for (int round = 1; round <= rounds; round++) {
                boolean countingFirst = round % 2 == 1;
                for (int side = 0; side < 2; side++) {
                    boolean counting = (side == 0) == countingFirst;
                    preload(factory, queue, messages);
                    double perSecond = drain(context, queue, messages, counting, ENDPOINT_READER, counter);
                    (counting ? withCounter : without).add(perSecond);
                    System.out.printf("round %d %-16s %10.0f msg/s%n", round,
                            counting ? "with counter" : "without counter", perSecond);
                }
            }
        }
        long counted;
        try (TransactionCounter reopened = TransactionCounter.open(counterConfig, Clock.systemUTC())) {
            counted = reopened.count(month).counts().get(Transport.JMS);
        }
        double medianWith = PassthroughLoad.median(withCounter.stream().mapToDouble(Double::doubleValue).toArray());
        double medianWithout = PassthroughLoad.median(without.stream().mapToDouble(Double::doubleValue).toArray());
        System.out.printf("median consume throughput: with counter %.0f msg/s, without %.0f msg/s, ratio %.4f "
                + "(cost %.2f%%)%n", medianWith, medianWithout, medianWith / medianWithout,
                (1 - medianWith / medianWithout) * 100);
        double[] paired = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            paired[i] = withCounter.get(i) / without.get(i);
        }
        System.out.printf("median of the per-round ratios (with / without, same round): %.4f%n",
                PassthroughLoad.median(paired));
        long expected = (long) messages * (rounds + warmupRounds);
        System.out.printf("counted by the ledger: %d; expected %d (%d messages x %d counting rounds)%n", counted,
                expected, messages, rounds + warmupRounds);
        if (counted != expected) {
            System.out.println("FAILED: the counted total differs.");
            System.exit(1);
        }
        System.out.println("OK: every consumed message of the counting rounds was counted once.");
        System.exit(0);
    }

    /** Sends {@code messages} persistent messages in transactions of 1,000. */
    static void preload(ActiveMQConnectionFactory factory, Queue queue, int messages) {
        try (JMSContext sending = factory.createContext(JMSContext.SESSION_TRANSACTED)) {
            JMSProducer producer = sending.createProducer().setProperty(CONTENT_TYPE, "application/json");
            for (int i = 1; i <= messages; i++) {
                producer.send(queue, "{\"order\":" + i + ",\"amount\":\"12.50\"}");
                if (i % 1_000 == 0) {
                    sending.commit();
                }
            }
            sending.commit();
        }
    }

    /**
     * Consumes {@code messages} with one listener and returns the messages per second.
     *
     * @param endpointReader read as the inbound endpoint does (content type, message id, body), or else the body only
     */
    /**
     * Nanoseconds of busy work the reader does per message on the side without the counter ({@code -DspinNanos},
     * default 0): how much a consumer slowed by that much costs the whole pipeline, to set beside the counter's.
     */
    static final long PLAIN_SPIN_NANOS = Long.getLong("spinNanos", 0);

    static double drain(JMSContext context, Queue queue, int messages, boolean counting, boolean endpointReader,
            TransactionCounter counter) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(messages);
        AtomicLong bodyBytes = new AtomicLong();
        MessageListener reader = message -> {
            try {
                if (endpointReader) {
                    // What the runtime's inbound endpoint reads before it forwards a message.
                    String contentType = message.getStringProperty(CONTENT_TYPE);
                    String id = message.getJMSMessageID();
                    bodyBytes.addAndGet(id.length() + (contentType == null ? 0 : contentType.length()));
                }
                bodyBytes.addAndGet(((TextMessage) message).getText().length());
                if (!counting && PLAIN_SPIN_NANOS > 0) {
                    long until = System.nanoTime() + PLAIN_SPIN_NANOS;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                }
            } catch (JMSException e) {
                throw new IllegalStateException(e);
            }
            done.countDown();
        };
        MessageListener listener = counting ? new CountingMessageListener(counter.ingress(), "load.in", reader,
                Completion.ON_RETURN) : reader;
        long start = System.nanoTime();
        try (JMSConsumer consumer = context.createConsumer(queue)) {
            consumer.setMessageListener(listener);
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("only " + (messages - done.getCount()) + " of " + messages
                        + " messages arrived within 10 minutes");
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return messages / seconds;
    }
}
