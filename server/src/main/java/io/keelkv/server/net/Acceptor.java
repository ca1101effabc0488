package io.keelkv.server.net;

import io.keelkv.engine.KeelEngine;
import io.keelkv.server.session.ClientSession;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The listening sockets and the way in: bind (Redis's {@code bind} forms), accept, and the two refusals,
 * {@code maxclients} and protected mode.
 *
 * <p>Order of the checks: {@code maxclients} before protected mode, as Redis (acceptCommonHandler, then
 * clientAcceptHandler). Here every accepted socket counts in total_connections_received, a refused one too
 * (and in rejected_connections), and a refused client gets its error line but no client id. A listener is
 * registered with no attachment, which is how the loop tells it from a client.
 *
 * <p>Failure cases: a bind failure stops the start, unless the address was marked optional ("-addr");
 * an accept that fails ends this round only (the selector reports the listener again while connections
 * wait); a socket that fails while being set up is closed alone. One readiness accepts at most 64
 * connections, so a burst of connects cannot hold the loop's pass away from the clients it serves.
 *
 * <p>Loop thread only, after {@link #bind} (which runs before the loop starts).
 */
final class Acceptor
{
    private static final int ACCEPTS_PER_READINESS = 64;
    private static final byte[] MAX_CLIENTS = "-ERR max number of clients reached\r\n".getBytes(StandardCharsets.US_ASCII);
    // byte for byte Redis 7.0's text, its "Setup a an" included: clients and scripts match on it
    private static final byte[] DENIED = ("-DENIED Redis is running in protected mode because protected mode is enabled " +
        "and no password is set for the default user. In this mode connections are only accepted from the loopback " +
        "interface. If you want to connect from external computers to Redis you may adopt one of the following " +
        "solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the " +
        "loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE " +
        "Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change " +
        "permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration " +
        "file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started " +
        "the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an " +
        "authentication password for the default user. NOTE: You only need to do one of the above things in order " +
        "for the server to start accepting connections from the outside.\r\n").getBytes(StandardCharsets.US_ASCII);

    private final KeelEngine engine;
    private final Selector selector;
    private final EventLoopAgent.Limits limits;
    private final NetStats stats;
    private final ConnectionTable connections;
    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private final ByteBuffer refuseScratch = ByteBuffer.allocateDirect(4096);
    private long nextClientId = 1;

    Acceptor(
        final KeelEngine engine,
        final Selector selector,
        final EventLoopAgent.Limits limits,
        final NetStats stats,
        final ConnectionTable connections)
    {
        this.engine = engine;
        this.selector = selector;
        this.limits = limits;
        this.stats = stats;
        this.connections = connections;
    }

    /** Bind every address before the loop starts; a failure stops the start (port in use, bad address). */
    void bind(final List<String> addresses, final int port, final int backlog) throws IOException
    {
        for (final String spec : addresses)
        {
            final boolean optional = spec.startsWith("-");
            final String name = optional ? spec.substring(1) : spec;
            // Redis's wildcards: "*" is every IPv4 address, "::*" every IPv6 address
            final String host = "*".equals(name) ? "0.0.0.0" : "::*".equals(name) ? "::" : name;
            try
            {
                final ServerSocketChannel server = ServerSocketChannel.open();
                server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                server.bind(new InetSocketAddress(InetAddress.getByName(host), port), backlog);
                server.configureBlocking(false);
                server.register(selector, SelectionKey.OP_ACCEPT);
                listeners.add(server);
            }
            catch (final IOException ex)
            {
                if (!optional)
                {
                    throw new IOException("Could not create server TCP listening socket " + host + ":" + port + ": " +
                        ex.getMessage(), ex);
                }
            }
        }
        if (listeners.isEmpty())
        {
            throw new IOException("Failed listening on port " + port + " (tcp), aborting.");
        }
    }

    /** The actual port (useful with port 0 in tests). */
    int boundPort()
    {
        try
        {
            return ((InetSocketAddress)listeners.get(0).getLocalAddress()).getPort();
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    void closeListeners()
    {
        for (final ServerSocketChannel server : listeners)
        {
            CloseHelper.quietClose(server);
        }
    }

    void accept(final ServerSocketChannel server)
    {
        for (int i = 0; i < ACCEPTS_PER_READINESS; i++)
        {
            final SocketChannel channel;
            try
            {
                channel = server.accept();
                if (channel == null)
                {
                    return;
                }
            }
            catch (final IOException ex)
            {
                return;
            }
            try
            {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                final InetSocketAddress remote = (InetSocketAddress)channel.getRemoteAddress();
                final InetSocketAddress local = (InetSocketAddress)channel.getLocalAddress();
                final boolean loopback = remote.getAddress().isLoopbackAddress();
                if (connections.size() >= limits.maxClients)
                {
                    stats.rejectedConnections++;
                    refuse(channel, MAX_CLIENTS);
                    continue;
                }
                final String password = limits.requirePass;
                if (limits.protectedMode && password == null && !loopback)
                {
                    stats.rejectedConnections++;
                    refuse(channel, DENIED);
                    continue;
                }
                // counted once accepted, as Redis counts stat_numconnections: a refused one is a rejected_connection
                stats.totalConnectionsReceived++;
                final long id = nextClientId++;
                final ClientSession session = new ClientSession(
                    id, format(remote), format(local), loopback, password == null);
                final Connection c = new Connection(channel, session);
                c.out.errorStats(engine.errorStats());
                session.fd(SocketFds.fd(channel));
                c.key = channel.register(selector, SelectionKey.OP_READ, c);
                connections.add(c);
            }
            catch (final IOException ex)
            {
                CloseHelper.quietClose(channel);
            }
        }
    }

    /**
     * Send a refusal (maxclients, protected mode) and close. A client usually sends its first command at
     * once; closing with that command unread would make the kernel answer with a reset, and a reset can
     * reach the client before it has read the refusal. So the refusal is followed by a FIN and whatever
     * already arrived is read and dropped before the close.
     */
    private void refuse(final SocketChannel channel, final byte[] message)
    {
        try
        {
            channel.write(ByteBuffer.wrap(message));
            channel.shutdownOutput();
            for (int i = 0; i < 16; i++)
            {
                refuseScratch.clear();
                if (channel.read(refuseScratch) <= 0)
                {
                    break;
                }
            }
        }
        catch (final IOException ignore)
        {
            // the peer is going away anyway
        }
        CloseHelper.quietClose(channel);
    }

    /** CLIENT LIST's addr and laddr: ip:port, an IPv6 address without brackets, as Redis writes it. */
    private static String format(final InetSocketAddress address)
    {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
