package org.txcounter.service.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.MutableClock;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.service.config.ListenerLimits;
import org.txcounter.service.config.RuntimeConfig;

/**
 * What the passthrough tells the backend about the client, and what it passes back: the forwarding headers are the
 * proxy's own, response headers named in {@code Connection} stay on the hop they belong to, and requests that match
 * no route are refused without being billed. Real sockets on both sides; the backend is a raw socket that records
 * each request's header lines exactly as they arrived.
 */
class PassthroughHeadersIT {

    @TempDir
    Path dataDir;

    private final MutableClock clock = MutableClock.at("2026-11-24T10:00:00Z");
    private final BlockingQueue<List<String>> backendRequests = new LinkedBlockingQueue<>();
    private ServerSocket backend;
    private Thread backendThread;
    private TransactionCounter counter;
    private IntegrationRuntime runtime;
    private RoutingStats routing;

    @BeforeEach
    void start() throws Exception {
        backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        backendThread = new Thread(this::serveBackend, "raw-backend");
        backendThread.setDaemon(true);
        backendThread.start();
        counter = TransactionCounter.open(CounterConfig.builder().dataDir(dataDir).nodeId("node-h").build(), clock);
        routing = new RoutingStats();
        RuntimeConfig config = new RuntimeConfig("127.0.0.1", 0, List.of(new RuntimeConfig.Route("/api",
                Optional.of(java.net.URI.create("http://127.0.0.1:" + backend.getLocalPort() + "/svc")),
                Optional.empty())), Optional.empty(), 0, List.of());
        runtime = IntegrationRuntime.start(config, ListenerLimits.PASSTHROUGH_DEFAULTS,
                Optional.of(counter.ingress()), dataDir, routing);
    }

    @AfterEach
    void stop() throws Exception {
        runtime.close();
        counter.close();
        backend.close();
        backendThread.join(10_000);
    }

    @Test
    void theBackendSeesTheRealClientAndTheProxysOwnForwardingHeaders() throws Exception {
        String response = send("GET /api/orders HTTP/1.1\r\nHost: shop.example\r\n"
                + "X-Forwarded-For: 203.0.113.7\r\n"
                + "X-Forwarded-Host: evil.example\r\n"
                + "X-Forwarded-Proto: https\r\n"
                + "X-Forwarded-Server: evil-proxy\r\n"
                + "Forwarded: for=198.51.100.9;host=evil.example;proto=https\r\n"
                + "Connection: close\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 200 ");
        List<String> seen = backendRequests.poll(30, TimeUnit.SECONDS);
        assertThat(seen).as("the backend got the request").isNotNull();
        assertThat(seen.get(0)).isEqualTo("GET /svc/orders HTTP/1.1");
        // The client's chain is kept, and the address the proxy saw is appended: the last entry is the truth.
        assertThat(values(seen, "x-forwarded-for")).containsExactly("203.0.113.7, 127.0.0.1");
        assertThat(values(seen, "x-forwarded-host")).containsExactly("shop.example");
        assertThat(values(seen, "x-forwarded-proto")).containsExactly("http");
        assertThat(values(seen, "x-forwarded-server")).isEmpty();
        assertThat(values(seen, "forwarded")).containsExactly("for=127.0.0.1;host=\"shop.example\";proto=http");
    }

    @Test
    void responseHeadersNamedInConnectionAreNotPassedToTheClient() throws Exception {
        String response = send("GET /api/hop HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 200 ");
        String headers = response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase(Locale.ROOT);
        assertThat(headers).contains("\r\nx-end-to-end: kept");
        assertThat(headers).doesNotContain("x-hop-secret").doesNotContain("x-backend-session")
                .doesNotContain("keep-alive:");
    }

    @Test
    void requestsThatMatchNoRouteAreRefusedNotBilledAndCounted() throws Exception {
        for (String path : List.of("/", "/apix", "/other/api/orders", "/API/orders")) {
            String response = send("GET " + path + " HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n");
            assertThat(response).as(path).startsWith("HTTP/1.1 404 ").contains("\"code\":\"no_route\"");
        }
        assertThat(counter.meter().pending().get(Transport.HTTP)).isZero();
        assertThat(routing.unroutedRequests()).isEqualTo(4);

        assertThat(send("GET /api/orders HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 200 ");
        assertThat(send("GET /api HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 200 ");
        assertThat(counter.meter().pending().get(Transport.HTTP)).isEqualTo(2);
        assertThat(routing.unroutedRequests()).isEqualTo(4);
    }

    private static List<String> values(List<String> headerLines, String name) {
        List<String> values = new ArrayList<>();
        for (String line : headerLines.subList(1, headerLines.size())) {
            int colon = line.indexOf(':');
            if (line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                values.add(line.substring(colon + 1).trim());
            }
        }
        return values;
    }

    /** Writes one request to the passthrough and reads the whole answer (the request asks to close). */
    private String send(String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), runtime.passthroughPort()), 10_000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * Accepts connections and serves each on its own thread, as any HTTP server does. The proxy's client opens
     * connections it may not use: when a connection the backend closed is removed while the next request is queued,
     * it opens another besides the one that request gets (jetty-client 12.1.12, {@code HttpDestination.remove},
     * lines 518-521: "We may create a connection that is not needed, but it will eventually idle timeout"). A
     * backend that served one connection at a time would block reading that idle one while the request it must
     * answer waits behind it in the accept queue.
     */
    private void serveBackend() {
        while (!backend.isClosed()) {
            try {
                Socket socket = backend.accept();
                Thread connection = new Thread(() -> answer(socket), "raw-backend-connection");
                connection.setDaemon(true);
                connection.start();
            } catch (IOException e) {
                // The server socket was closed at the end of the test.
            }
        }
    }

    /**
     * One request per connection: records the request line and header lines, and answers with an end-to-end header
     * and three that the {@code Connection} header names as hop-by-hop.
     */
    private void answer(Socket accepted) {
        try (Socket socket = accepted) {
            socket.setSoTimeout(30_000);
            InputStream in = socket.getInputStream();
            List<String> lines = new ArrayList<>();
            for (String line = line(in); !line.isEmpty(); line = line(in)) {
                lines.add(line);
            }
            backendRequests.add(lines);
            byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
            String answer = "HTTP/1.1 200 OK\r\n"
                    + "Content-Length: " + body.length + "\r\n"
                    + "Connection: close, X-Hop-Secret, X-Backend-Session\r\n"
                    + "Keep-Alive: timeout=5\r\n"
                    + "X-Hop-Secret: internal-token-1234\r\n"
                    + "X-Backend-Session: abc\r\n"
                    + "X-End-To-End: kept\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        } catch (IOException e) {
            // The proxy closed a connection it did not use, or the test ended: nothing to answer.
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed inside the request headers");
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }
}
