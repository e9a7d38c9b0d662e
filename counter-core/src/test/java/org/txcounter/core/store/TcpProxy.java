package org.txcounter.core.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on a loopback port in front of a database, so a test can cut the connection between the pool and
 * the database and restore it, as a network outage would ({@link #cut()}: connections closed and refused), or make
 * the database hang ({@link #hang()}: connections stay open and new ones are accepted, but nothing is forwarded
 * either way, as when packets are dropped or the server froze).
 *
 * <p>Thread-safe: the test thread switches modes while the proxy's own threads forward.
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;
    private final Object hangLock = new Object();
    private boolean hanging;
    private final Thread acceptor;

    public TcpProxy(String targetHost, int targetPort) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.acceptor = new Thread(this::accept, "tcp-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Drops every open connection and refuses new ones until {@link #restore()}. */
    public void cut() {
        cut = true;
        for (Socket socket : open) {
            closeQuietly(socket);
        }
        open.clear();
    }

    /**
     * Stops forwarding in both directions without closing anything: what a client sends is held, answers never come,
     * and new connections are accepted and left waiting. {@link #restore()} forwards again.
     */
    public void hang() {
        synchronized (hangLock) {
            hanging = true;
        }
    }

    public void restore() {
        cut = false;
        synchronized (hangLock) {
            hanging = false;
            hangLock.notifyAll();
        }
    }

    /** Waits while the proxy hangs; returns false if interrupted. */
    private boolean awaitForwarding() {
        synchronized (hangLock) {
            while (hanging) {
                try {
                    hangLock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (cut) {
                closeQuietly(client);
                continue;
            }
            open.add(client);
            Thread connector = new Thread(() -> connect(client), "tcp-proxy-connect");
            connector.setDaemon(true);
            connector.start();
        }
    }

    /** Opens the upstream side once the proxy forwards; a hanging proxy leaves the client connected and waiting. */
    private void connect(Socket client) {
        if (!awaitForwarding() || cut) {
            closeQuietly(client);
            open.remove(client);
            return;
        }
        try {
            Socket upstream = new Socket(targetHost, targetPort);
            open.add(upstream);
            pipe(client, upstream);
            pipe(upstream, client);
        } catch (IOException e) {
            closeQuietly(client);
            open.remove(client);
        }
    }

    private void pipe(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                    if (!awaitForwarding()) {
                        break;
                    }
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // The connection was cut or closed: close both ends below.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "tcp-proxy-pipe");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        cut();
    }
}
