package org.txcounter.loadtests;

import jakarta.jms.JMSContext;
import jakarta.jms.Queue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.service.config.RuntimeConfig;
import org.txcounter.service.runtime.EmbeddedBroker;

/**
 * JMS consumption's CPU cost of the counter: CPU time of the consuming process per 100,000 persistent messages,
 * with the counting listener and without it, alternating in one run.
 *
 * <p>Each side runs in a {@link ChildJvm} of its own, as the runtime runs: the embedded Artemis broker (persistent
 * NIO journal), an in-VM connection to it, and the counter with an embedded H2 ledger, open on both sides. Each
 * round takes {@code messages} persistent messages through each side, in slices in which the sides take turns
 * ({@link CpuComparison#measure}): a side first preloads the slice's messages into its broker (not measured),
 * then drains them with the one consumer of {@link JmsConsumeLoad}, whose listener reads what the inbound endpoint
 * reads (or, with {@code -Dreader=body}, the body only), wrapped in the counting listener on the counting side.
 * The CPU time the operating system accounted to the side's process over its drains is its cost. At the end both
 * children stop and their ledgers are read back: the counting side must hold exactly
 * {@code messages × (warmup + rounds)} JMS transactions, the plain side none.
 *
 * <p>Settings (system properties): {@code rounds} (default 10), {@code warmup} rounds before them (2),
 * {@code messages} per side and round (100000), {@code slices} per round (10), {@code reader} ({@code endpoint} or
 * {@code body}),
 * {@code childJvm} (see {@link ChildJvm}; with {@code -DspinNanos=N} among its options the plain side's reader
 * also does N ns of busy work per message, {@link JmsConsumeLoad#PLAIN_SPIN_NANOS}).
 */
public final class JmsConsumeCpuLoad {

    private static final String QUEUE = "load.in";

    private JmsConsumeCpuLoad() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("rounds", 10);
        int warmupRounds = Integer.getInteger("warmup", 2);
        int messages = Integer.getInteger("messages", 100_000);
        String reader = System.getProperty("reader", "endpoint");
        if (!reader.equals("endpoint") && !reader.equals("body")) {
            throw new IllegalArgumentException("-Dreader: expected endpoint or body. Found: " + reader);
        }
        Path dataDir = Files.createTempDirectory("jms-consume-cpu-load");
        int slices = Integer.getInteger("slices", 10);
        CpuComparison comparison = new CpuComparison("messages", messages, slices);
        try (ChildJvm counting = ChildJvm.start("with counter", ConsumerChild.class, dataDir.resolve("counted"),
                "counting", reader, dataDir.resolve("counted").toString());
                ChildJvm plain = ChildJvm.start("without counter", ConsumerChild.class, dataDir.resolve("plain"),
                        "plain", reader, dataDir.resolve("plain").toString())) {
            System.out.printf("%,d persistent messages per side and round in %d slices, one consumer reading %s; "
                    + "%d warm-up rounds, %d measured rounds%n", messages, slices, reader.equals("endpoint")
                            ? "the content type, the message id and the body, as the inbound endpoint does"
                            : "the body only", warmupRounds, rounds);
            comparison.run(counting, plain, warmupRounds, rounds,
                    (withCounter, units) -> (withCounter ? counting : plain).call("load " + units),
                    (withCounter, units) -> (withCounter ? counting : plain).call("drain " + units));
            counting.stop();
            plain.stop();
        }
        comparison.print();
        comparison.exitOnExactness((long) messages * (warmupRounds + rounds),
                ConsumerChild.counted(dataDir.resolve("counted")), ConsumerChild.counted(dataDir.resolve("plain")));
    }

    /**
     * A child: the embedded broker, an in-VM connection and the counter. Arguments: {@code counting|plain},
     * {@code endpoint|body}, the data directory. Commands: {@code load N} (preload N persistent messages),
     * {@code drain N} (consume N with one listener), {@code stop}.
     */
    public static final class ConsumerChild {

        private ConsumerChild() {
        }

        public static void main(String[] args) throws Exception {
            boolean countingSide = args[0].equals("counting");
            boolean endpointReader = args[1].equals("endpoint");
            Path dataDir = Path.of(args[2]);
            try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir, 0, Optional.empty(), List.of(),
                    List.of(QUEUE), Optional.empty(), RuntimeConfig.DEFAULT_MAX_MESSAGE_SIZE,
                    RuntimeConfig.BrokerLimits.DEFAULTS, Optional.empty());
                    ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(broker.url(),
                            broker.login().user(), broker.login().password());
                    JMSContext context = factory.createContext(JMSContext.AUTO_ACKNOWLEDGE);
                    TransactionCounter counter = TransactionCounter.open(counterConfig(dataDir),
                            Clock.systemUTC())) {
                Queue queue = context.createQueue(QUEUE);
                ChildJvm.serve(countingSide ? "counting" : "counting disabled", command -> {
                    String[] words = command.split(" ");
                    switch (words[0]) {
                        case "load" -> {
                            JmsConsumeLoad.preload(factory, queue, Integer.parseInt(words[1]));
                            return "loaded";
                        }
                        case "drain" -> {
                            return String.valueOf(JmsConsumeLoad.drain(context, queue, Integer.parseInt(words[1]),
                                    countingSide, endpointReader, counter));
                        }
                        case ChildJvm.STOP -> {
                            return "stopping";
                        }
                        default -> throw new IllegalArgumentException("unknown command: " + command);
                    }
                });
            }
        }

        private static CounterConfig counterConfig(Path dataDir) {
            return CounterConfig.builder()
                    .dataSource(CounterConfig.embeddedDataSource(dataDir))
                    .dataDir(dataDir)
                    .nodeId("load-jms-" + dataDir.getFileName())
                    .build();
        }

        /** The JMS transactions of this month in the ledger of a stopped child's data directory. */
        static long counted(Path dataDir) throws Exception {
            try (TransactionCounter counter = TransactionCounter.open(counterConfig(dataDir), Clock.systemUTC())) {
                return counter.count(counter.currentMonth()).counts().get(Transport.JMS);
            }
        }
    }
}
