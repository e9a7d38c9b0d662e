package org.txcounter.service.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.txcounter.core.Await.awaitUpTo;

import jakarta.jms.JMSContext;
import jakarta.jms.JMSRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.service.config.RuntimeConfig;

/**
 * The embedded broker's TCP port counts a connection when it accepts it: connections that named their protocol but
 * never log in, and connections that never send a byte, both take one of {@code embedded_broker_max_connections}
 * and of {@code embedded_broker_max_connections_per_client}, and one over a limit is closed at once, before it
 * sends anything. Real sockets from several loopback addresses against the started broker.
 */
class BrokerPortGateIT {

    private static final RuntimeConfig.Login RUNTIME = new RuntimeConfig.Login("runtime", "runtime-password-1");
    private static final RuntimeConfig.Login PRODUCER = new RuntimeConfig.Login("producer", "producer-password-1");
    private static final int MAX = 8;
    private static final int PER_CLIENT = 3;

    @TempDir
    Path dataDir;

    private EmbeddedBroker broker;
    private int port;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        // A login timeout far beyond the test: what closes a connection here is the gate, or the test.
        broker = EmbeddedBroker.start(dataDir, port, Optional.of(RUNTIME), List.of(PRODUCER), List.of("orders"),
                Optional.empty(), RuntimeConfig.DEFAULT_MAX_MESSAGE_SIZE,
                new RuntimeConfig.BrokerLimits(MAX, PER_CLIENT, Duration.ofMinutes(5)), Optional.empty());
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket socket : sockets) {
            socket.close();
        }
        broker.close();
    }

    @Test
    void aConnectionOverTheLimitPerAddressIsClosedAtOnceAndTheAddressIsFreedWhenOneCloses() throws Exception {
        for (int i = 0; i < PER_CLIENT; i++) {
            corePreamble("127.0.1.2");
        }
        awaitOpen(PER_CLIENT);
        assertClosedByBroker(corePreamble("127.0.1.2"));
        assertThat(broker.refusedConnections()).isEqualTo(1);
        corePreamble("127.0.1.3");
        awaitOpen(PER_CLIENT + 1);

        sockets.remove(0).close();
        awaitOpen(PER_CLIENT);
        corePreamble("127.0.1.2");
        awaitOpen(PER_CLIENT + 1);
        assertThat(broker.refusedConnections()).as("127.0.1.2 admitted after one of its connections closed")
                .isEqualTo(1);
    }

    @Test
    void aConnectionThatSendsNothingTakesAPlaceUntilTheHandshakeTimeoutAndOneMoreIsClosedAtOnce() throws Exception {
        for (int i = 0; i < MAX - 1; i++) {
            corePreamble("127.0.2." + (2 + i));
        }
        // Never a byte: before the gate such a connection was outside every limit until the handshake timeout.
        Socket silent = connect("127.0.2.50");
        Socket over = connect("127.0.2.51");
        assertClosedByBroker(over);
        assertThat(broker.refusedConnections()).as("the connection after the port's last place went to a silent one")
                .isEqualTo(1);

        // Artemis' one-second handshake timeout closes the silent one; its place is free for a producer.
        assertClosedByBroker(silent);
        awaitOpen(MAX - 1);
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + port
                + "?reconnectAttempts=0", PRODUCER.user(), PRODUCER.password());
                JMSContext context = factory.createContext()) {
            context.createProducer().send(context.createQueue("orders"), "in-the-last-place");
        } catch (JMSRuntimeException e) {
            throw new AssertionError("the producer was refused although the port had a place", e);
        }
        assertThat(broker.refusedConnections()).isEqualTo(1);
    }

    /** A connection from {@code local} that names the CORE protocol ("ARTEMIS") and then never logs in. */
    private Socket corePreamble(String local) throws IOException {
        Socket socket = connect(local);
        socket.getOutputStream().write("ARTEMIS\0".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    private Socket connect(String local) throws IOException {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.bind(new InetSocketAddress(InetAddress.getByName(local), 0));
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        return socket;
    }

    private void awaitOpen(int connections) throws InterruptedException {
        awaitUpTo(Duration.ofSeconds(10), () -> broker.openConnections() == connections);
    }

    /**
     * The broker closed {@code socket}: an end of stream or a reset. A connection the broker holds sends nothing
     * (the CORE protocol answers only a login), so its read would time out.
     */
    private static void assertClosedByBroker(Socket socket) throws IOException {
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        try {
            assertThat(in.read()).as("end of stream").isEqualTo(-1);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the broker kept a connection open for 10 s", e);
        } catch (IOException e) {
            // Reset by the broker: closed as well.
        }
    }
}
