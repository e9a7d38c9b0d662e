package org.txcounter.core.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on a loopback port in front of a database, so a test can cut the connection between the pool and
 * the database and restore it, as a network outage would ({@link #cut()}: refused and closed), or make the database
 * hang ({@link #hang()}: connections stay open and accepted, but nothing is forwarded either way, as when packets
 * are dropped). Thread-safe.
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;
    private boolean hung;
    private final Set<Socket> waitingForUpstream = ConcurrentHashMap.newKeySet();
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
     * Stops forwarding in both directions and keeps every connection open; new connections are accepted and left
     * unanswered. {@link #restore()} forwards again what was held back, as a network that heals does.
     */
    public void hang() {
        synchronized (this) {
            hung = true;
        }
    }

    public void restore() {
        cut = false;
        synchronized (this) {
            hung = false;
            notifyAll();
        }
        for (Iterator<Socket> waiting = waitingForUpstream.iterator(); waiting.hasNext(); ) {
            Socket client = waiting.next();
            waiting.remove();
            connectUpstream(client);
        }
    }

    private synchronized boolean hung() {
        return hung;
    }

    private synchronized void awaitForwarding() throws InterruptedException {
        while (hung) {
            wait();
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
            if (hung()) {
                waitingForUpstream.add(client);
            } else {
                connectUpstream(client);
            }
        }
    }

    private void connectUpstream(Socket client) {
        try {
            Socket upstream = new Socket(targetHost, targetPort);
            open.add(upstream);
            pipe(client, upstream);
            pipe(upstream, client);
        } catch (IOException e) {
            closeQuietly(client);
        }
    }

    private void pipe(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                    awaitForwarding();
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // The connection was cut or closed: close both ends below.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
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
        for (Socket client : waitingForUpstream) {
            closeQuietly(client);
        }
        waitingForUpstream.clear();
        cut();
        restore();
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }
}
