package io.keelkv.server.net;

import io.keelkv.engine.KeelEngine;
import io.keelkv.server.log.Log;
import io.keelkv.server.session.ClientSession;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayList;
import java.util.List;

/**
 * The event loop's open connections by client id, every way one of them ends, and the figures CLIENT and
 * INFO read from them.
 *
 * <p>A close is immediate and idempotent: the loop may reach the same connection closed again later in a
 * pass (a flush queue, the held replies, a resumed block), and each of those skips a closed one. The close
 * is the one place that takes the session out of every blocking queue, so a disconnected client is never
 * served a pop (its element would be lost), and that frees both direct buffers at once: left to their
 * cleaners they would stay resident until a GC, and this process makes few.
 *
 * <p>Each close for a reason logs Redis's own words (the query buffer limit, the output buffer limits), so
 * the reasons live here together rather than along the loop's paths; what one client's bytes provoke costs
 * that client only.
 *
 * <p>Loop thread only: the map is not synchronized, and CLIENT and INFO run as commands on the loop.
 */
final class ConnectionTable
{
    private final KeelEngine engine;
    private final Long2ObjectHashMap<Connection> connections = new Long2ObjectHashMap<>();

    ConnectionTable(final KeelEngine engine)
    {
        this.engine = engine;
    }

    void add(final Connection c)
    {
        connections.put(c.session.id(), c);
    }

    Connection get(final long clientId)
    {
        return connections.get(clientId);
    }

    int size()
    {
        return connections.size();
    }

    /** A copy to iterate while closing (the cron's timeouts, the loop's close): a close removes from the map. */
    List<Connection> snapshot()
    {
        return new ArrayList<>(connections.values());
    }

    void close(final Connection c)
    {
        if (c.closed)
        {
            return;
        }
        c.closed = true;
        connections.remove(c.session.id());
        engine.blocking().remove(c.session.blockingStateIfAny()); // a disconnect leaves every queue it waited in
        engine.dispatcher().clientClosed(c.session); // and its transaction and watches
        if (c.key != null)
        {
            c.key.cancel();
        }
        CloseHelper.quietClose(c.channel);
        c.releaseBuffers();
    }

    void closeAll()
    {
        for (final Connection c : snapshot())
        {
            close(c);
        }
    }

    /**
     * A request that cannot fit: over client-query-buffer-limit, or the memory for it was refused. Redis
     * logs the first case with these words; the second would be a crash in Redis (zmalloc aborts), here it
     * costs this client only.
     */
    void closeForQueryBuffer(final Connection c)
    {
        if (c.allocationFailure != null)
        {
            Log.warning("Closing client " + describe(c) + ": no memory for its query buffer (" +
                c.allocationFailure + ")");
        }
        else
        {
            Log.warning("Closing client that reached max query buffer length: " + describe(c) +
                " (qbuf initial bytes: " + c.pendingInput() + ")");
        }
        close(c);
    }

    /** Pending replies over the hard limit, or over the soft limit for longer than its seconds. */
    void closeForOutputLimit(final Connection c)
    {
        Log.warning("Client " + describe(c) +
            " scheduled to be closed ASAP for overcoming of output buffer limits.");
        close(c);
    }

    /** A reply that could not be buffered: past the writer's cap, or its memory was refused. */
    void closeForOutputOverflow(final Connection c)
    {
        Log.warning("Client " + describe(c) +
            " closed for overcoming of output buffer limits (or no memory for its replies).");
        close(c);
    }

    /**
     * Whatever one client's bytes provoke costs that client only: the loop serves every other client and
     * owns the keyspace, so it must never die of one connection. (Command handlers already contain their
     * own failures to one error reply; this is the network path.)
     */
    void closeAfterInternalError(final Connection c, final Throwable ex)
    {
        Log.warning("Closing client " + describe(c) + " after an internal error: " + ex);
        close(c);
    }

    private static String describe(final Connection c)
    {
        return "id=" + c.session.id() + " addr=" + c.session.address() + " laddr=" + c.session.localAddress() +
            " name=" + c.session.name();
    }

    // ------------------------------------------------------------------------------------------------
    // for CLIENT and INFO (through EventLoopAgent)

    List<ClientSession> sessions()
    {
        final List<ClientSession> result = new ArrayList<>(connections.size());
        for (final Connection c : connections.values())
        {
            result.add(c.session);
        }
        result.sort((a, b) -> Long.compare(a.id(), b.id()));
        return result;
    }

    long[] bufferStats(final long clientId)
    {
        final Connection c = connections.get(clientId);
        if (c == null)
        {
            return new long[4];
        }
        return new long[] {c.pendingInput(), c.in.capacity() - c.writeIndex, c.out.pending(), c.out.capacity()};
    }

    ClientSession session(final long clientId)
    {
        final Connection c = connections.get(clientId);
        return c == null ? null : c.session;
    }

    long biggestInputBuffer()
    {
        long max = 0;
        for (final Connection c : connections.values())
        {
            max = Math.max(max, c.in.capacity());
        }
        return max;
    }

    long biggestOutputBuffer()
    {
        long max = 0;
        for (final Connection c : connections.values())
        {
            max = Math.max(max, c.out.capacity());
        }
        return max;
    }

    long clientBufferBytes()
    {
        long total = 0;
        for (final Connection c : connections.values())
        {
            total += c.in.capacity() + c.out.capacity();
        }
        return total;
    }
}
