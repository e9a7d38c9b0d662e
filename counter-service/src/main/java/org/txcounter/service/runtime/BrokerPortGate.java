package org.txcounter.service.runtime;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.apache.activemq.artemis.core.remoting.impl.netty.NettyAcceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.service.logging.LogBudget;

/**
 * The embedded broker's TCP or TLS port: accepts connections itself, admits at most {@code maxConnections} at once
 * and at most {@code maxPerClient} from one address, and hands each admitted connection to Artemis' acceptor.
 *
 * <p>Why a port of our own: Artemis counts a connection against its acceptor's {@code connectionsAllowed} only once
 * the connection's first bytes named a protocol (artemis-server 2.54.0 {@code NettyAcceptor}, l.995), so connections
 * that never send a byte each held a descriptor outside every limit until the handshake timeout. Here a connection
 * is counted the moment it is accepted and closed at once on the accepting thread when it would exceed a limit,
 * before it is registered or read: the broker's ports never hold more than {@code maxConnections} descriptors each. The
 * acceptor is configured with {@code httpUpgradeEnabled}, which makes it bind nothing and take connections through its
 * public {@link NettyAcceptor#transfer(Channel)} (l.646: it adds the protocol decoder, which starts the handshake
 * timeout); for TLS the gate first adds the acceptor's own {@link NettyAcceptor#getSslHandler} (its keystore, protocols
 * and cipher suites).
 *
 * <p>Thread-safe: admission runs on the accepting thread and release on the connections' event loops; the total is
 * atomic, the per-address counts are changed atomically per key in a concurrent map, and an entry is removed when it
 * reaches zero. Open and close from one thread.
 */
final class BrokerPortGate implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerPortGate.class);
    private static final LogBudget WARNINGS = new LogBudget(1);

    private final String name;
    private final int maxConnections;
    private final int maxPerClient;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<String, Integer> perClient = new ConcurrentHashMap<>();
    private final LongAdder refused = new LongAdder();
    private final EventLoopGroup acceptLoop;
    private final EventLoopGroup connectionLoops;
    private final Channel server;

    private BrokerPortGate(String name, int maxConnections, int maxPerClient, EventLoopGroup acceptLoop,
            EventLoopGroup connectionLoops, NettyAcceptor acceptor, boolean tls, String host, int port,
            Class<? extends ServerChannel> channelType) {
        this.name = name;
        this.maxConnections = maxConnections;
        this.maxPerClient = maxPerClient;
        this.acceptLoop = acceptLoop;
        this.connectionLoops = connectionLoops;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptLoop, connectionLoops)
                .channel(channelType)
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(new Admission())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) throws Exception {
                        if (tls) {
                            InetSocketAddress remote = (InetSocketAddress) channel.remoteAddress();
                            channel.pipeline().addLast("ssl", acceptor.getSslHandler(channel.alloc(),
                                    remote.getAddress().getHostAddress(), remote.getPort()));
                        }
                        acceptor.transfer(channel);
                    }
                });
        this.server = bootstrap.bind(host, port).syncUninterruptibly().channel();
    }

    /**
     * Binds {@code host:port} (0: any free port) and hands what it admits to {@code acceptor}, which must be started
     * and configured with {@code httpUpgradeEnabled} (so that it binds nothing itself).
     *
     * @param name    the acceptor's name, for the log
     * @param threads the event loops that serve the admitted connections (Artemis' remoting threads)
     */
    static BrokerPortGate open(String name, NettyAcceptor acceptor, boolean tls, String host, int port,
            int maxConnections, int maxPerClient, int threads) {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup acceptLoop = epoll ? new EpollEventLoopGroup(1, new DefaultThreadFactory("broker-accept-"
                + name, true)) : new NioEventLoopGroup(1, new DefaultThreadFactory("broker-accept-" + name, true));
        EventLoopGroup connectionLoops = epoll
                ? new EpollEventLoopGroup(threads, new DefaultThreadFactory("broker-io-" + name, true))
                : new NioEventLoopGroup(threads, new DefaultThreadFactory("broker-io-" + name, true));
        try {
            return new BrokerPortGate(name, maxConnections, maxPerClient, acceptLoop, connectionLoops, acceptor, tls,
                    host, port, epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class);
        } catch (RuntimeException e) {
            acceptLoop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            connectionLoops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /** The port bound, the configured one or the one chosen for 0. */
    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Connections open on this port now, admitted and not yet closed. */
    int open() {
        return open.get();
    }

    /** Connections closed at accept since the start because a limit was reached. */
    long refused() {
        return refused.sum();
    }

    /**
     * The first handler of the listening channel: it sees each accepted connection before the bootstrap registers
     * it with an event loop, and closes it there, on the accepting thread, when a limit is reached. An admitted
     * connection is released when it closes (a connection whose registration fails, which happens only while the
     * event loops shut down, is not released: the port is closing).
     */
    private final class Admission extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext context, Object accepted) {
            Channel connection = (Channel) accepted;
            String client = ((InetSocketAddress) connection.remoteAddress()).getAddress().getHostAddress();
            if (!admit(client)) {
                connection.unsafe().closeForcibly();
                return;
            }
            connection.closeFuture().addListener(closed -> release(client));
            context.fireChannelRead(connection);
        }
    }

    private boolean admit(String client) {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            refused.increment();
            WARNINGS.warn(LOG, "Closed a new connection to the broker's {} port from {}: the port holds {} already, "
                    + "the most [jms] embedded_broker_max_connections allows ({} refused so far).", name, client,
                    maxConnections, refused.sum());
            return false;
        }
        if (perClient.merge(client, 1, Integer::sum) > maxPerClient) {
            release(client);
            refused.increment();
            WARNINGS.warn(LOG, "Closed a new connection to the broker's {} port from {}: that address holds {} "
                    + "already, the most [jms] embedded_broker_max_connections_per_client allows ({} refused so "
                    + "far).", name, client, maxPerClient, refused.sum());
            return false;
        }
        return true;
    }

    private void release(String client) {
        open.decrementAndGet();
        perClient.computeIfPresent(client, (c, count) -> count == 1 ? null : count - 1);
    }

    /** Stops accepting and closes every connection of this port. */
    @Override
    public void close() {
        server.close().syncUninterruptibly();
        acceptLoop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
        connectionLoops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }
}
