package io.keelkv.server.net;

import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.aof.AofControl;
import io.keelkv.engine.command.ClientContext;
import io.keelkv.engine.command.CommandSpec;
import io.keelkv.engine.command.Dispatcher;
import io.keelkv.engine.command.InternalErrorListener;
import io.keelkv.engine.keyspace.KeyPrefetcher;
import io.keelkv.engine.resp.RespDecoder;
import io.keelkv.engine.resp.RespLookahead;
import io.keelkv.server.log.Log;
import io.keelkv.server.session.ClientSession;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.function.Consumer;

/**
 * The event loop: the one thread that owns the keyspace and every socket (docs/ARCHITECTURE.md, "Threads").
 *
 * <p>Duty cycle ({@link #doWork()}): poll the selector without blocking and handle every ready key, then
 * run the cron when due. For a readable client it reads once, executes every complete request in the
 * query buffer in order (pipelining of any depth), and writes the replies at once; what the socket
 * does not take waits for OP_WRITE. No allocation per request: buffers, decoder and args live with the
 * connection, ready keys are handed to a pre-bound consumer (no selected-key set, no iterator).
 *
 * <p>Backpressure instead of unbounded memory: once a client's pending replies pass
 * {@link #OUTPUT_PAUSE_BYTES}, its remaining requests wait in its query buffer and its socket is not
 * read, so a client that pipelines without reading stalls itself (TCP pushes back) rather than growing
 * the server. The hard output limit (client-output-buffer-limit normal) still disconnects it.
 *
 * <p>The agent keeps the pass and the per-request path: read, {@code process} (the decoder loop),
 * {@code flush} and the end-of-pass writes ({@code flushQueued}). Beside it, on the same thread:
 * {@link ConnectionTable} (the open connections, every close and its log line, the CLIENT/INFO figures),
 * {@link Acceptor} (listeners, accept, the maxclients and protected-mode refusals), {@link HeldReplies}
 * (replies waiting for the AOF under appendfsync always), {@link LoopCron} (the cron tick, client timeouts,
 * how long the loop may block), {@link QueryBufferGrowth} (when the query buffer grows or its client is
 * closed) and {@link LoopShutdown} (a stop asked from any thread). Within the per-request loop they are
 * reached only on its exits (an incomplete request, a close) and, before each read, through one static
 * method: nothing there allocates or dispatches virtually.
 */
public final class EventLoopAgent implements Agent
{
    static final int OUTPUT_PAUSE_BYTES = 1 << 20;

    /** Settings the loop reads on every accept or request; the server updates them on CONFIG SET. */
    public static final class Limits
    {
        public volatile int maxClients = 10000;
        public volatile long protoMaxBulkLen = 512L * 1024 * 1024;
        public volatile long queryBufferLimit = 1024L * 1024 * 1024;
        public volatile long outputHardLimit;
        public volatile long outputSoftLimit;
        public volatile long outputSoftSeconds;
        public volatile boolean protectedMode = true;
        public volatile String requirePass;
        public volatile int hz = 10;
        public volatile long idleTimeoutSec;
    }

    /** Hook for the server: runs once per cron tick on the loop thread (save points, INFO samples ...). */
    public interface CronListener
    {
        void onCron(long nowMs);
    }

    private final KeelEngine engine;
    private final KeyPrefetcher prefetcher;
    private final long[] lookaheadAddresses = new long[KeyPrefetcher.MAX_BATCH];
    private final int[] lookaheadLengths = new int[KeyPrefetcher.MAX_BATCH];

    /** -Dkeelkv.prefetch=false turns the pipelined-key prefetch off (for A/B measurements). */
    private static final boolean KEY_PREFETCH = !"false".equals(System.getProperty("keelkv.prefetch"));
    private Connection[] flushQueue = new Connection[64];
    private int flushQueueSize;
    private final HeldReplies held = new HeldReplies();
    private final LoopCron cron;
    private final Dispatcher dispatcher;
    private final Selector selector;
    private final ConnectionTable connections;
    private final Acceptor acceptor;
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final Limits limits;
    private final NetStats stats = new NetStats();
    private final LoopShutdown shutdown;
    private Connection current;
    private String cpuList = "";

    public EventLoopAgent(final KeelEngine engine, final Limits limits) throws IOException
    {
        this.engine = engine;
        this.dispatcher = engine.dispatcher();
        this.prefetcher = new KeyPrefetcher(engine.memory());
        this.limits = limits;
        this.selector = Selector.open();
        this.connections = new ConnectionTable(engine);
        this.acceptor = new Acceptor(engine, selector, limits, stats, connections);
        this.cron = new LoopCron(engine, limits, connections);
        this.shutdown = new LoopShutdown(selector);
    }

    public void cronListener(final CronListener cronListener)
    {
        cron.listener(cronListener);
    }

    /** Bind every address before the loop starts; a failure stops the start (port in use, bad address). */
    public void bind(final List<String> addresses, final int port, final int backlog) throws IOException
    {
        acceptor.bind(addresses, port, backlog);
    }

    /** The actual port (useful with port 0 in tests). */
    public int boundPort()
    {
        return acceptor.boundPort();
    }

    public Limits limits()
    {
        return limits;
    }

    public NetStats stats()
    {
        return stats;
    }

    /** Any thread: ask the loop to stop; {@code action} runs on the loop thread before it closes sockets. */
    public void requestShutdown(final Runnable action)
    {
        shutdown.request(action);
    }

    public boolean isShutdownRequested()
    {
        return shutdown.isRequested();
    }

    /**
     * Any thread (a signal handler): ask the loop to run {@code prepare} between two commands and stop when it
     * returns true. When it returns false (the final save failed) the loop goes on serving, as redis-server
     * does when prepareForShutdown fails after SIGTERM.
     */
    public void requestShutdownAsap(final java.util.function.BooleanSupplier prepare)
    {
        shutdown.requestAsap(prepare);
    }

    /** Any thread: wake the loop from a blocking select (the aof-sync agent published a durable position). */
    public void wakeup()
    {
        selector.wakeup();
    }

    /** server_cpulist: the CPUs the loop pins itself to when it starts ("" for none). */
    public void cpuList(final String cpuList)
    {
        this.cpuList = cpuList == null ? "" : cpuList;
    }

    @Override
    public void onStart()
    {
        ThreadAffinity.pinEventLoop(cpuList);
    }

    @Override
    public String roleName()
    {
        return "keel-event-loop";
    }

    @Override
    public int doWork() throws IOException
    {
        if (shutdown.runIfRequested())
        {
            throw new org.agrona.concurrent.AgentTerminationException("shutdown");
        }
        int work = selector.selectNow(onReady);
        work += flushQueued();
        work += cron.runIfDue(System.nanoTime());
        return work;
    }

    /** The idle strategy's blocking wait: ready keys are handled inside, timers bound the wait. */
    public int block(final long timeoutMs)
    {
        if (shutdown.isPending())
        {
            return 1;
        }
        final long untilCronMs = cron.msUntilDue();
        try
        {
            final int ready = selector.select(onReady, Math.min(timeoutMs, untilCronMs));
            return ready + flushQueued();
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }

    @Override
    public void onClose()
    {
        connections.closeAll();
        acceptor.closeListeners();
        CloseHelper.quietClose(selector);
    }

    private void onReady(final SelectionKey key)
    {
        if (!key.isValid())
        {
            return;
        }
        final Object attachment = key.attachment();
        if (attachment == null)
        {
            acceptor.accept((ServerSocketChannel)key.channel());
            return;
        }
        final Connection c = (Connection)attachment;
        try
        {
            if (key.isWritable())
            {
                flush(c);
                resumeIfDrained(c);
            }
            if (!c.closed && key.isValid() && key.isReadable() && !c.pausedForOutput)
            {
                read(c);
            }
        }
        catch (final IOException ex)
        {
            connections.close(c);
        }
        catch (final RuntimeException | OutOfMemoryError ex)
        {
            connections.closeAfterInternalError(c, ex);
        }
    }

    private void read(final Connection c) throws IOException
    {
        if (!QueryBufferGrowth.roomForRead(c, limits.queryBufferLimit))
        {
            connections.closeForQueryBuffer(c);
            return;
        }
        final ByteBuffer in = c.in;
        in.limit(in.capacity()).position(c.writeIndex);
        final int n = c.channel.read(in);
        if (n < 0)
        {
            connections.close(c);
            return;
        }
        if (n == 0)
        {
            return;
        }
        c.writeIndex += n;
        stats.totalNetInputBytes += n;
        stats.totalReadsProcessed++;
        c.session.lastInteractionMs = System.currentTimeMillis();
        if (c.heldUntil != 0)
        {
            return; // held for the AOF: the input waits in the buffer, and nothing new is to be sent
        }
        process(c);
        queueFlush(c);
    }

    /** Replies of this pass are written once every ready connection has been read and run (see flushQueued). */
    private void queueFlush(final Connection c)
    {
        if (c.flushQueued || c.closed)
        {
            return;
        }
        if (flushQueueSize == flushQueue.length)
        {
            flushQueue = java.util.Arrays.copyOf(flushQueue, flushQueueSize * 2);
        }
        c.flushQueued = true;
        flushQueue[flushQueueSize++] = c;
    }

    /**
     * Write the replies of every connection run in this pass, as Redis's beforeSleep does: all ready clients
     * are served first, then all are answered.
     *
     * <p>The AOF's group commit happens here. The pass's writes are in the AOF file already (the dispatcher
     * appended them); under {@code appendfsync always} the replies of this pass are held until the aof-sync
     * agent has made those writes durable: one msync for every connection's writes of the pass (and of any
     * pass run while it synced). Every reply of the pass waits, reads included, as in Redis, so that no client
     * sees a write that a crash could still take back. The agent wakes the loop when it publishes.
     */
    private int flushQueued()
    {
        final AofControl aof = engine.aof();
        int work = aof.afterPass() + releaseHeld(aof);
        final int resumed = resumeUnblocked();
        work += resumed == 0 ? 0 : resumed + aof.afterPass(); // the pops they got and what they ran since
        final long target = HeldReplies.holdPosition(aof);
        final boolean hold = target != 0;
        final int n = flushQueueSize;
        for (int i = 0; i < n; i++)
        {
            final Connection c = flushQueue[i];
            flushQueue[i] = null;
            c.flushQueued = false;
            if (c.closed)
            {
                continue;
            }
            if (hold)
            {
                held.hold(c, target);
                continue;
            }
            try
            {
                flush(c);
                resumeIfDrained(c);
            }
            catch (final IOException ex)
            {
                connections.close(c);
            }
            catch (final RuntimeException | OutOfMemoryError ex)
            {
                connections.closeAfterInternalError(c, ex);
            }
        }
        flushQueueSize = 0;
        return work + n;
    }

    /** Clients whose block ended (BlockingKeys): replies go with this pass's, then what they pipelined runs. */
    private int resumeUnblocked()
    {
        int work = engine.blocking().expire();
        for (ClientContext client; (client = engine.blocking().pollUnblocked()) != null; work++)
        {
            final Connection c = connections.get(client.id());
            if (c != null && c.out.overflowed())
            {
                connections.close(c); // a served reply past the output cap, as the process loop treats one
            }
            else if (c != null && !c.closed)
            {
                queueFlush(c);
                if (c.heldUntil == 0 && !c.pausedForOutput && c.readIndex < c.writeIndex)
                {
                    process(c);
                }
            }
        }
        return work;
    }

    /**
     * Flush the held connections whose writes are durable now (all of them when the AOF no longer asks for
     * it), then run the input they received meanwhile; their new replies go through the flush queue.
     */
    private int releaseHeld(final AofControl aof)
    {
        if (!held.beginRelease(aof))
        {
            return 0;
        }
        int released = 0;
        for (Connection c; (c = held.nextReleased()) != null; )
        {
            released++;
            try
            {
                flush(c);
                resumeIfDrained(c);
                if (!c.closed && !c.pausedForOutput && c.readIndex < c.writeIndex)
                {
                    process(c);
                    queueFlush(c);
                }
            }
            catch (final IOException ex)
            {
                connections.close(c);
            }
            catch (final RuntimeException | OutOfMemoryError ex)
            {
                connections.closeAfterInternalError(c, ex);
            }
        }
        return released;
    }

    /**
     * A client paused for output resumes once its replies drain below half the pause mark. This must be
     * checked after every flush, not only on OP_WRITE: when the socket takes all pending replies at once
     * no OP_WRITE is armed, and a paused client is not read, so nothing else would ever resume it.
     */
    private void resumeIfDrained(final Connection c) throws IOException
    {
        while (c.pausedForOutput && !c.closed && c.out.pending() < OUTPUT_PAUSE_BYTES / 2)
        {
            c.pausedForOutput = false;
            process(c);
            flush(c);
        }
    }

    /** Execute every complete request in the query buffer, stopping at backpressure or a close. */
    private void process(final Connection c)
    {
        if (c.heldUntil != 0 || c.session.isBlocked())
        {
            return; // its replies wait for the AOF (releaseHeld), or it is blocked (resumeUnblocked)
        }
        current = c;
        final RespDecoder decoder = c.decoder;
        int prefetched = 0;
        while (c.readIndex < c.writeIndex && !c.closeAfterWrite && !c.closed && !c.session.isBlocked())
        {
            if (c.out.pending() > OUTPUT_PAUSE_BYTES)
            {
                c.pausedForOutput = true;
                break;
            }
            if (--prefetched <= 0)
            {
                prefetched = prefetchKeys(c);
            }
            decoder.authenticated(c.session.authenticated());
            decoder.maxBulkLength(limits.protoMaxBulkLen);
            final int consumed = decoder.decode(c.inBuffer, c.readIndex, c.writeIndex, c.args);
            if (consumed == 0)
            {
                if (!QueryBufferGrowth.roomForIncomplete(c, decoder.bytesNeeded(), limits.queryBufferLimit))
                {
                    connections.closeForQueryBuffer(c);
                }
                break;
            }
            if (consumed < 0)
            {
                c.out.error(decoder.errorLine()); // raw bytes: a quoted input byte is sent as Redis sends it
                decoder.reset();
                c.closeAfterWrite = true;
                break;
            }
            c.readIndex += consumed;
            if (c.args.count() > 0)
            {
                try
                {
                    final CommandSpec spec = dispatcher.resolve(c.args, c.out, c.session);
                    if (spec != null)
                    {
                        c.session.lastCommand = spec.fullName(); // CLIENT LIST's cmd=, a constant string
                        dispatcher.call(spec, c.args, c.out, c.session);
                    }
                }
                catch (final RuntimeException | OutOfMemoryError ex)
                {
                    // the dispatcher contains a handler's failure to one error reply; this is the backstop for
                    // the rest of the path (lookup, statistics): still one reply, and every other client served
                    c.out.error("ERR internal error in '" + c.args.toString(0) + "': " + ex);
                    Log.warning(InternalErrorListener.describe(c.args.toString(0), ex, false));
                }
                stats.totalCommandsProcessed++;
                if (c.session.closeRequested())
                {
                    c.closeAfterWrite = true;
                }
            }
            decoder.reset();
            if (c.out.overflowed())
            {
                connections.closeForOutputOverflow(c);
                break;
            }
        }
        if (!c.closed)
        {
            c.shrinkIfIdle();
        }
        current = null;
    }

    /**
     * With several requests pipelined, touch the keys of the next ones before running them, so their cache
     * misses overlap ({@link KeyPrefetcher}; native-notes/event-loop.md has the figures). Only for an
     * authenticated client: the hint needs no decoder state, but there is no reason to spend it earlier.
     *
     * @return how many requests the hint covers (at least 1).
     */
    private int prefetchKeys(final Connection c)
    {
        if (!KEY_PREFETCH || !c.session.authenticated())
        {
            return Integer.MAX_VALUE;
        }
        final int n = RespLookahead.findKeys(
            c.inBuffer, c.readIndex, c.writeIndex, lookaheadAddresses, lookaheadLengths, KeyPrefetcher.MAX_BATCH);
        if (n >= 2)
        {
            prefetcher.clear();
            prefetcher.addAll(c.inBuffer.byteArray(), lookaheadAddresses, lookaheadLengths, n);
            prefetcher.prefetch(engine.keyspace().database(c.session.db()));
        }
        return Math.max(n, 1);
    }

    private void flush(final Connection c) throws IOException
    {
        if (c.closed)
        {
            return;
        }
        final int pending = c.out.pending();
        if (pending > 0)
        {
            final ByteBuffer bb = c.out.byteBuffer();
            bb.limit(c.out.writeIndex()).position(c.out.readIndex());
            final int n = c.channel.write(bb);
            if (n > 0)
            {
                c.out.consumed(n);
                stats.totalNetOutputBytes += n;
                stats.totalWritesProcessed++;
            }
        }
        final int left = c.out.pending();
        if (left > 0)
        {
            if (limits.outputHardLimit > 0 && left > limits.outputHardLimit)
            {
                connections.closeForOutputLimit(c);
                return;
            }
            if (limits.outputSoftLimit > 0 && left > limits.outputSoftLimit)
            {
                if (c.outputSoftLimitSinceMs == 0)
                {
                    c.outputSoftLimitSinceMs = System.currentTimeMillis();
                }
            }
            else
            {
                c.outputSoftLimitSinceMs = 0;
            }
            if (!c.writeInterest)
            {
                c.writeInterest = true;
                c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
            return;
        }
        c.outputSoftLimitSinceMs = 0;
        c.out.clear();
        if (c.writeInterest)
        {
            c.writeInterest = false;
            c.key.interestOps(SelectionKey.OP_READ);
        }
        if (c.closeAfterWrite)
        {
            connections.close(c);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // for CLIENT and INFO (loop thread only)

    public int connectedClients()
    {
        return connections.size();
    }

    public List<ClientSession> sessions()
    {
        return connections.sessions();
    }

    /** Query and reply buffer sizes of a client, for CLIENT LIST: {qbuf, qbuf-free, obl, omem}. */
    public long[] bufferStats(final long clientId)
    {
        return connections.bufferStats(clientId);
    }

    /** Close a client by id (CLIENT KILL); the current client is closed after its reply is sent. */
    public boolean kill(final long clientId)
    {
        final Connection c = connections.get(clientId);
        if (c == null)
        {
            return false;
        }
        if (c == current)
        {
            c.closeAfterWrite = true;
        }
        else
        {
            connections.close(c);
        }
        return true;
    }

    /** CLIENT UNBLOCK: the session of a connected client, or null. */
    public ClientSession session(final long clientId)
    {
        return connections.session(clientId);
    }

    public long biggestInputBuffer()
    {
        return connections.biggestInputBuffer();
    }

    public long biggestOutputBuffer()
    {
        return connections.biggestOutputBuffer();
    }

    public long clientBufferBytes()
    {
        return connections.clientBufferBytes();
    }
}
