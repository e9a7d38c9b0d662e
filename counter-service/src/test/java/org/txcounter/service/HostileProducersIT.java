package org.txcounter.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import jakarta.jms.BytesMessage;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Message;
import jakarta.jms.QueueBrowser;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.activemq.artemis.api.core.TransportConfiguration;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientProducer;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.core.remoting.impl.netty.NettyConnectorFactory;
import org.apache.activemq.artemis.core.remoting.impl.netty.TransportConstants;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.utils.UUIDGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.Await;
import org.txcounter.core.IngressCounter;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DedupeConfig;
import org.txcounter.core.stamp.StampAuthority;
import org.txcounter.core.stamp.StampSecrets;

/**
 * The packaged service's embedded broker attacked by an outside producer with its own login, over TCP: a message
 * far over {@code [jms] max_message_size}, a dead-lettered message's id sent again, and a spent stamp sent again
 * after the node restarted.
 */
class HostileProducersIT {

    private static final String NODE = "hostile-jms";
    private static final String PRODUCER = "outside";
    private static final String PRODUCER_PASSWORD = "outside-password-1";
    private static final int MAX_MESSAGE_SIZE = 40 * 1024 * 1024;
    /** Ten times the limit, and more than the service's whole heap ({@link #HEAP}). */
    private static final long OVERSIZED = 10L * MAX_MESSAGE_SIZE;
    private static final String HEAP = "-Xmx384m";

    @TempDir
    Path workDir;

    private final HttpClient http = HttpClient.newHttpClient();
    private FlakyBackend backend;
    private int brokerPort;
    private ServiceProcess service;

    @BeforeEach
    void configure() throws IOException {
        backend = new FlakyBackend();
        try (ServerSocket probe = new ServerSocket(0)) {
            brokerPort = probe.getLocalPort();
        }
        Files.writeString(workDir.resolve("deployment.toml"), """
                [node]
                id = "%s"

                [transaction_counter]
                update_interval = 1440

                [management_api]
                port = 0

                [passthrough]
                port = 0

                [[passthrough.route]]
                prefix = "/orders"
                queue = "orders"

                [jms]
                embedded_broker_port = %d
                max_message_size = %d

                [[jms.producer]]
                user = "%s"
                password = "$secret{producer}"

                [secrets]
                producer = "[%s]"

                [[inbound_endpoint]]
                name = "orders-in"
                queue = "orders"
                forward_to = "http://127.0.0.1:%d/process"
                concurrency = 2
                """.formatted(NODE, brokerPort, MAX_MESSAGE_SIZE, PRODUCER, PRODUCER_PASSWORD, backend.port()));
    }

    @AfterEach
    void stop() throws Exception {
        if (service != null && service.alive()) {
            service.terminate();
        }
        backend.close();
    }

    @Test
    void aMessageTenTimesTheLimitIsCountedOnceDeadLetteredUnreadAndTheServiceStaysUpAcrossARestart()
            throws Exception {
        service = start();
        send("before");
        sendOversized();
        send("after");
        await("both small messages forwarded", () -> backend.accepted("before") && backend.accepted("after"));
        await("the oversized message in DLQ", () -> deadLettered().size() == 1);
        List<Long> sizes = deadLettered();
        assertThat(sizes).containsExactly(OVERSIZED);
        assertThat(service.alive()).as("the service survived a %d-byte message with a 384 MB heap", OVERSIZED)
                .isTrue();
        assertThat(service.terminate()).isEqualTo(143);

        service = start();
        send("after-restart");
        await("a message sent after the restart forwarded", () -> backend.accepted("after-restart"));
        assertThat(deadLettered()).containsExactly(OVERSIZED);
        assertThat(service.alive()).isTrue();
        assertThat(service.terminate()).isEqualTo(143);
        service = null;

        // before, the oversized one, after, after-restart: each once.
        assertThat(countedJms()).isEqualTo(4);
        assertThat(backend.attempts()).as("the oversized message never reached the backend")
                .containsOnlyKeys("before", "after", "after-restart");
    }

    @Test
    void aDeadLetteredMessagesIdSentAgainIsCounted() throws Exception {
        service = start();
        byte[] id = UUIDGenerator.getInstance().generateUUID().asBytes();
        sendCore("fail-always", id);
        await("the failing message dead-lettered after its deliveries", () -> deadLettered().size() == 1);
        assertThat(backend.attempts().get("fail-always")).as("every delivery reached the backend and failed")
                .isEqualTo(10);

        sendCore("same-id-again", id);
        await("the second message, under the first one's id, forwarded", () -> backend.accepted("same-id-again"));
        assertThat(service.terminate()).isEqualTo(143);
        service = null;

        assertThat(countedJms()).as("the dead-lettered message and the one that reused its id").isEqualTo(2);
    }

    @Test
    void aStampSpentBeforeARestartHardOrGracefulIsCountedWhenSentAgain() throws Exception {
        service = start();
        // A stamp as this node's own async route issues it for the queue: captured, say, off the wire.
        StampAuthority issuer = new StampAuthority(DedupeConfig.DEFAULT_DEPLOYMENT_ID, "some-producer-node",
                StampSecrets.resolve(Optional.empty(), workDir.resolve("data")), Duration.ofHours(24), 1_000,
                Clock.systemUTC());
        String beforeKill = issuer.issue(StampAuthority.queueDestination("orders"));
        String beforeStop = issuer.issue(StampAuthority.queueDestination("orders"));

        sendStamped("stamped-1", beforeKill);
        await("the stamped message forwarded", () -> backend.accepted("stamped-1"));
        Path spent = workDir.resolve("data").resolve("spent-stamps");
        await("the spent stamp forced to disk", () -> size(spent) == 8 + 16);
        service.kill();

        service = start();
        sendStamped("replayed-after-kill", beforeKill);
        sendStamped("stamped-2", beforeStop);
        await("both forwarded", () -> backend.accepted("replayed-after-kill") && backend.accepted("stamped-2"));
        assertThat(service.terminate()).isEqualTo(143);

        service = start();
        sendStamped("replayed-after-stop", beforeStop);
        await("the replay forwarded", () -> backend.accepted("replayed-after-stop"));
        assertThat(service.terminate()).isEqualTo(143);
        service = null;

        assertThat(countedJms()).as("the two replays; the first use of each stamp was free").isEqualTo(2);
    }

    @Test
    void threeThousandIdleBrokerConnectionsAndFiveThousandWrongLoginsLeaveTheJournalAndTheConsumersWorking()
            throws Exception {
        service = start();
        long before = openDescriptors();
        List<Socket> idle = new ArrayList<>();
        AtomicLong peakDescriptors = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                try {
                    peakDescriptors.accumulateAndGet(openDescriptors(), Math::max);
                } catch (IOException e) {
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }, "descriptor-sampler");
        sampler.start();
        int refusedAtOnce = 0;
        try {
            for (int i = 0; i < 3_000; i++) {
                // From 120 addresses, 25 each: under the per-address limit (32), so the total (256) is what holds.
                Optional<Socket> socket = idleConnection(i);
                if (socket.isPresent()) {
                    idle.add(socket.get());
                } else {
                    refusedAtOnce++;
                }
            }
            Path journal = workDir.resolve("data/journal");
            Set<FileTime> rewrites = new HashSet<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            int round = 0;
            while (System.nanoTime() < end) {
                // A transaction through the runtime's own (in-VM) broker connection, consumed and forwarded.
                assertThat(postOrder("during-attack-" + round)).isEqualTo(202);
                rewrites.add(Files.getLastModifiedTime(journal));
                round++;
                Thread.sleep(250);
            }
            int rounds = round;
            await("every order sent during the attack forwarded", () -> {
                for (int r = 0; r < rounds; r++) {
                    if (!backend.accepted("during-attack-" + r)) {
                        return false;
                    }
                }
                return true;
            });
            int closedByService = 0;
            for (Socket socket : idle) {
                socket.setSoTimeout(15_000);
                try {
                    if (socket.getInputStream().read() < 0) {
                        closedByService++;
                    }
                } catch (IOException e) {
                    closedByService++;
                }
            }
            sampling.set(false);
            sampler.join();
            System.out.printf("3000 idle broker connections: %d connected, %d refused at connect; %d descriptors "
                    + "before, at most %d during; %d closed by the service; %d journal rewrites in 6 s%n",
                    idle.size(), refusedAtOnce, before, peakDescriptors.get(), closedByService, rewrites.size());
            assertThat(closedByService).as("every idle connection closed").isEqualTo(idle.size());
            assertThat(peakDescriptors.get() - before).as("descriptors the flood took: at most the broker port's "
                    + "256 connections, and what the orders' own connections take").isLessThanOrEqualTo(256 + 64);
            assertThat(rewrites.size()).as("journal rewrites in 6 s").isGreaterThanOrEqualTo(4);
            String log = Files.readString(workDir.resolve("logs/txcounter.log"));
            assertThat(log).doesNotContain("Too many open files");
            long brokerLines = log.lines().filter(line -> line.contains(" o.a.a")).count();
            assertThat(brokerLines).as("the broker's lines about 3000 timed-out handshakes, within its budget of 20 "
                    + "a second").isLessThanOrEqualTo(20L * 30);
        } finally {
            sampling.set(false);
            for (Socket socket : idle) {
                socket.close();
            }
        }

        int failed = 0;
        long started = System.nanoTime();
        for (int i = 0; i < 5_000; i++) {
            try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + brokerPort
                    + "?reconnectAttempts=0", PRODUCER, "wrong-" + i); JMSContext context = factory.createContext()) {
                context.createProducer();
            } catch (JMSRuntimeException e) {
                failed++;
            }
        }
        long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        System.out.printf("5000 wrong broker logins from 127.0.0.1: %d refused in %d s%n", failed, seconds);
        assertThat(failed).isEqualTo(5_000);
        // The address is throttled now: the right password is refused from it, and taken from another address.
        assertThatThrownBy(() -> send("right-password-throttled-address")).isInstanceOf(JMSRuntimeException.class);
        int localPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.9"))) {
            localPort = probe.getLocalPort(); // Artemis binds the local address only with a port given
        }
        Map<String, Object> from127009 = Map.of(TransportConstants.HOST_PROP_NAME, "127.0.0.1",
                TransportConstants.PORT_PROP_NAME, brokerPort, TransportConstants.LOCAL_ADDRESS_PROP_NAME, "127.0.0.9",
                TransportConstants.LOCAL_PORT_PROP_NAME, localPort);
        try (ServerLocator locator = ActiveMQClient.createServerLocatorWithoutHA(new TransportConfiguration(
                        NettyConnectorFactory.class.getName(), from127009));
                ClientSessionFactory factory = locator.createSessionFactory();
                ClientSession session = factory.createSession(PRODUCER, PRODUCER_PASSWORD, false, true, true, false,
                        0);
                ClientProducer producer = session.createProducer("orders")) {
            ClientMessage message = session.createMessage(org.apache.activemq.artemis.api.core.Message.BYTES_TYPE,
                    true);
            message.getBodyBuffer().writeBytes("from-another-address".getBytes(StandardCharsets.UTF_8));
            producer.send(message);
        }
        await("the message from another address forwarded", () -> backend.accepted("from-another-address"));
        // Every login line since the flood began: the budget gives 10 to each second-long window the run touched,
        // and a run of d seconds touches at most ceil(d) + 1 of them.
        long windows = (System.nanoTime() - started + 999_999_999L) / 1_000_000_000L + 1;
        String log = Files.readString(workDir.resolve("logs/txcounter.log"));
        long failedLines = log.lines().filter(line -> line.contains("broker login")).count();
        assertThat(failedLines).as("failed broker logins logged within their budget of 10 a second (%d windows)",
                windows).isLessThanOrEqualTo(10 * windows);
    }

    /**
     * A flood of idle connections, kept up for 4 s, against a service whose descriptor limit (2,600) it exhausted
     * before the broker's port counted connections at accept, with orders flowing, and SIGKILL at its end: the port
     * holds at most its 256 connections, the journal is rewritten throughout, and the kill loses at most one journal
     * interval of orders.
     */
    @Test
    void anIdleConnectionFloodUnderADescriptorLimitTakesAtMostThePortsConnectionsAndLosesOneIntervalAtMost()
            throws Exception {
        int limit = 2_600;
        service = start("ulimit -n " + limit);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong attempts = new AtomicLong();
        AtomicLong accepted = new AtomicLong();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            Thread client = new Thread(() -> {
                int n = 0;
                while (running.get()) {
                    attempts.incrementAndGet();
                    try {
                        if (postOrder("flood-" + Thread.currentThread().getName() + "-" + n++) == 202) {
                            accepted.incrementAndGet();
                        }
                    } catch (IOException e) {
                        // No descriptor for the connection, or the service was killed: not accepted.
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "orders-" + c);
            client.start();
            clients.add(client);
        }
        List<Socket> idle = new LinkedList<>();
        int opened = 0;
        long before;
        long peak = 0;
        double finalRate;
        try {
            await("orders flow", () -> accepted.get() > 200);
            before = openDescriptors();
            long floodStarted = System.nanoTime();
            long acceptedBefore = accepted.get();
            // New idle connections for 4 s, more than the service's 1 s handshake timeout closes. The flood's own
            // end of a connection is closed after 1.2 s (the service has closed it by then), and the oldest when the
            // flood holds 15,000, so that this JVM's 20,000 descriptors last.
            long floodEnd = floodStarted + TimeUnit.SECONDS.toNanos(4);
            ArrayDeque<Long> openedAt = new ArrayDeque<>();
            for (int i = 0; System.nanoTime() < floodEnd; i++) {
                Optional<Socket> socket = idleConnection(i);
                if (socket.isPresent()) {
                    idle.add(socket.get());
                    openedAt.add(System.nanoTime());
                    opened++;
                }
                while (!openedAt.isEmpty() && (idle.size() > 15_000
                        || System.nanoTime() - openedAt.peek() > TimeUnit.MILLISECONDS.toNanos(1_200))) {
                    openedAt.remove();
                    idle.remove(0).close();
                }
                if (i % 100 == 0) {
                    peak = Math.max(peak, openDescriptors());
                }
            }
            peak = Math.max(peak, openDescriptors());
            finalRate = (accepted.get() - acceptedBefore) / ((System.nanoTime() - floodStarted) / 1e9);
            service.kill();
        } finally {
            running.set(false);
            for (Thread client : clients) {
                client.join();
            }
            for (Socket socket : idle) {
                socket.close();
            }
        }
        String log = Files.readString(workDir.resolve("logs/txcounter.log"));
        boolean journalFailed = log.contains("Cannot write the journal");

        service = start();
        assertThat(service.terminate()).isEqualTo(143);
        service = null;
        long counted = countedHttp();
        long lost = accepted.get() - counted;
        // The orders accepted since the journal's last rewrite are what a kill can lose.
        long bound = (long) Math.ceil(finalRate * 1.5) + 4;
        System.out.printf("4 s of new idle broker connections (%d) under ulimit -n %d: %d descriptors before, at most "
                + "%d during, journal rewrite failed: %s; %d orders sent, %d accepted (%.0f/s during the flood), %d "
                + "counted, %d lost, bound %d%n", opened, limit, before, peak, journalFailed, attempts.get(),
                accepted.get(), finalRate, counted, lost, bound);
        assertThat(peak - before).as("descriptors the flood took: at most the broker port's 256 connections, and "
                + "what the orders' own connections take").isLessThanOrEqualTo(256 + 64);
        assertThat(log).doesNotContain("Too many open files");
        assertThat(journalFailed).as("a journal rewrite failed").isFalse();
        assertThat(counted).as("nothing counted twice").isLessThanOrEqualTo(attempts.get());
        assertThat(lost).as("at most one journal interval of orders lost").isLessThanOrEqualTo(bound);
    }

    /**
     * The {@code i}-th connection of a flood to the broker's port that never sends a byte, from one of 120 local
     * addresses in turn; empty when the connection was refused.
     */
    private Optional<Socket> idleConnection(int i) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.1." + (2 + i % 120)), 0));
        try {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), brokerPort), 5_000);
            return Optional.of(socket);
        } catch (IOException e) {
            socket.close();
            return Optional.empty();
        }
    }

    private long countedHttp() {
        try (TransactionCounter counter = TransactionCounter.open(CounterConfig.builder()
                .dataDir(workDir.resolve("data")).nodeId(NODE).build(), Clock.systemUTC())) {
            return counter.count(counter.currentMonth()).counts().get(Transport.HTTP);
        }
    }

    private int postOrder(String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.passthroughPort()
                + "/orders/new")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(service.pid()), "fd"))) {
            return fds.count();
        }
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Sends a text message with the producer's login; {@code stamp} null: none. */
    private void sendStamped(String body, String stamp) throws Exception {
        try (ActiveMQConnectionFactory factory = producerFactory(); JMSContext context = factory.createContext()) {
            Message message = context.createTextMessage(body);
            if (stamp != null) {
                message.setStringProperty(IngressCounter.JMS_PROPERTY, stamp);
            }
            context.createProducer().send(context.createQueue("orders"), message);
        }
    }

    private ServiceProcess start() throws IOException {
        return start(":");
    }

    /** Starts the jar from a shell that first runs {@code shellSetup} (such as a ulimit). */
    private ServiceProcess start(String shellSetup) throws IOException {
        Path jar = Path.of("target", "txcounter.jar").toAbsolutePath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // As the shipped launcher (src/dist/bin/txcounter.sh) runs it: an OutOfMemoryError ends the process.
        return ServiceProcess.start(new ProcessBuilder("sh", "-c", shellSetup + " && exec \"$0\" \"$@\"", java, HEAP,
                "-XX:+ExitOnOutOfMemoryError", "-jar", jar.toString()).directory(workDir.toFile()));
    }

    private ActiveMQConnectionFactory producerFactory() {
        return new ActiveMQConnectionFactory("tcp://127.0.0.1:" + brokerPort, PRODUCER, PRODUCER_PASSWORD);
    }

    private void send(String body) throws Exception {
        sendStamped(body, null);
    }

    /** Streams the body from a generator: the producer never holds it either. */
    private void sendOversized() throws Exception {
        try (ActiveMQConnectionFactory factory = producerFactory(); JMSContext context = factory.createContext()) {
            BytesMessage message = context.createBytesMessage();
            message.setObjectProperty("JMS_AMQ_InputStream", new Filler(OVERSIZED));
            context.createProducer().send(context.createQueue("orders"), message);
        }
    }

    /** The core API lets a producer choose the message's id ({@code JMSMessageID} is "ID:" and this UUID). */
    private void sendCore(String body, byte[] userId) throws Exception {
        try (ServerLocator locator = ActiveMQClient.createServerLocator("tcp://127.0.0.1:" + brokerPort);
                ClientSessionFactory factory = locator.createSessionFactory();
                ClientSession session = factory.createSession(PRODUCER, PRODUCER_PASSWORD, false, true, true, false,
                        0);
                ClientProducer producer = session.createProducer("orders")) {
            ClientMessage message = session.createMessage(org.apache.activemq.artemis.api.core.Message.BYTES_TYPE,
                    true);
            message.setUserID(new org.apache.activemq.artemis.utils.UUID(
                    org.apache.activemq.artemis.utils.UUID.TYPE_TIME_BASED, userId));
            message.getBodyBuffer().writeBytes(body.getBytes(StandardCharsets.UTF_8));
            producer.send(message);
        }
    }

    /**
     * The body sizes of what DLQ.orders (address DLQ, the messages from orders) holds, browsed with the runtime's own
     * login (bodies are not read).
     */
    private List<Long> deadLettered() {
        List<String> login;
        try {
            login = Files.readAllLines(workDir.resolve("data").resolve("broker-login"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        List<Long> sizes = new ArrayList<>();
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + brokerPort,
                login.get(0), login.get(1)); JMSContext context = factory.createContext();
                QueueBrowser browser = context.createBrowser(context.createQueue("DLQ::DLQ.orders"))) {
            Enumeration<?> messages = browser.getEnumeration();
            for (Message message : Collections.list(messages).stream().map(Message.class::cast).toList()) {
                assertThat(message.getStringProperty("_AMQ_ORIG_ADDRESS")).isEqualTo("orders");
                sizes.add(message instanceof BytesMessage bytes ? bytes.getBodyLength() : -1L);
            }
        } catch (jakarta.jms.InvalidDestinationException | jakarta.jms.InvalidDestinationRuntimeException e) {
            // Artemis creates DLQ.orders with the first message it moves there; until then the browser is refused,
            // and when the move creates it while the browser is being set up, the client's own attempt to create it
            // is refused as "already exists". Both mean: look again.
            return List.of();
        } catch (jakarta.jms.JMSException e) {
            throw new IllegalStateException(e);
        }
        return sizes;
    }

    private long countedJms() {
        try (TransactionCounter counter = TransactionCounter.open(CounterConfig.builder()
                .dataDir(workDir.resolve("data")).nodeId(NODE).build(), Clock.systemUTC())) {
            return counter.count(counter.currentMonth()).counts().get(Transport.JMS);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.awaitUpTo(Duration.ofSeconds(90), what, condition);
    }

    /** {@code length} bytes of a repeating pattern, generated as they are read. */
    private static final class Filler extends InputStream {
        private long left;

        Filler(long length) {
            this.left = length;
        }

        @Override
        public int read() {
            return left-- > 0 ? 'x' : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(length, left);
            java.util.Arrays.fill(buffer, offset, offset + n, (byte) 'x');
            left -= n;
            return n;
        }
    }

    /** A backend that fails every body starting with "fail" with 500 and accepts the rest; it counts attempts. */
    private static final class FlakyBackend implements AutoCloseable {
        private final HttpServer server;
        private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
        private final Map<String, Boolean> accepted = new ConcurrentHashMap<>();

        FlakyBackend() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            server.createContext("/", exchange -> {
                String body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                attempts.computeIfAbsent(body, b -> new AtomicInteger()).incrementAndGet();
                int status = body.startsWith("fail") ? 500 : 200;
                if (status == 200) {
                    accepted.put(body, Boolean.TRUE);
                }
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        boolean accepted(String body) {
            return accepted.containsKey(body);
        }

        Map<String, Integer> attempts() {
            Map<String, Integer> copy = new java.util.HashMap<>();
            attempts.forEach((body, n) -> copy.put(body, n.get()));
            return copy;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
