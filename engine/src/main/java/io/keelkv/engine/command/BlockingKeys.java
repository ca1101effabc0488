package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.KeyReadyListener;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.types.LongDouble;
import org.agrona.UnsafeApi;

import java.util.Arrays;
import java.util.HashMap;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * The clients blocked on keys (Redis's blocked.c): per database and key, the queue of clients waiting on it
 * in the order they blocked; the keys that became ready; the deadlines. Generic over the value type: a
 * waiter names the {@code ObjectType} that serves it and a {@link BlockedPop} that serves it, so lists and
 * (later) sorted sets share all of it.
 *
 * <p>How a client is served (handleClientsBlockedOnKeys): the keyspace tells this table of every key created
 * while somebody waits ({@link KeyReadyListener}: a push into a missing list, RENAME, MOVE, COPY; and SWAPDB);
 * a created key that has waiters is queued as ready. After the command that caused it (the dispatcher calls
 * {@link #serveReady} at the end of every call), each ready key is looked up once per waiter, oldest first,
 * and each waiter whose type the key holds is served by its pop, run by the dispatcher as that client's
 * command (its reply, its propagation), until the key is gone. A key of another type leaves its waiters
 * blocked (a SET over the key), as in Redis. A serve may create keys (BLMOVE into a list others wait on):
 * those are served in the same loop, Redis's chain. A served client is unblocked before it is served.
 *
 * <p>Unblocked clients (served, timed out, CLIENT UNBLOCK) are queued for the server ({@link #pollUnblocked}),
 * which sends their replies and runs the commands they pipelined meanwhile. Deadlines are kept in a binary
 * heap ({@link BlockDeadlines}) on a monotonic millisecond clock; {@link #expire} is run by the server's loop on
 * every pass and {@link #msUntilNextDeadline} bounds its sleep. Waiters are per database number, as in Redis: FLUSHALL
 * leaves them waiting, SWAPDB signals the keys of both databases.
 *
 * <p>Garbage: a key's queue and its copy of the key are pooled and reused; a client's links live in its
 * {@link BlockingState}. Only the map's node for a newly waited key is allocated.
 */
public final class BlockingKeys implements KeyReadyListener
{
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);
    private static final long ORIGIN_NS = System.nanoTime();
    private static final int POOL_MAX = 64;

    private final Keyspace keyspace;
    private final EntryFlyweight entry;
    private Dispatcher dispatcher;
    private final HashMap<WaitQueue, WaitQueue> queues = new HashMap<>();
    private final WaitQueue probe = new WaitQueue();
    private WaitQueue[] pool = new WaitQueue[16];
    private int pooled;
    private WaitQueue[] ready = new WaitQueue[16];
    private int readyHead;
    private int readySize;
    private boolean serving;
    private final BlockDeadlines deadlines = new BlockDeadlines();
    private ClientContext[] unblocked = new ClientContext[16];
    private int unblockedHead;
    private int unblockedSize;
    private int blockedClients;

    BlockingKeys(final Keyspace keyspace)
    {
        this.keyspace = keyspace;
        this.entry = new EntryFlyweight(keyspace.memory());
    }

    void dispatcher(final Dispatcher dispatcher)
    {
        this.dispatcher = dispatcher;
    }

    /** The clock of the deadlines: monotonic milliseconds, always positive (0 means "no deadline"). */
    public static long nowMs()
    {
        return (System.nanoTime() - ORIGIN_NS) / 1_000_000 + 1;
    }

    /** The largest whole number of seconds whose milliseconds fit a long long exactly (and a long). */
    private static final long MAX_EXACT_SECONDS = Long.MAX_VALUE / 1000;

    /**
     * Redis 7.0.15's getTimeoutFromObjectOrReply in seconds: a float (strtold's forms, hex included), times 1000
     * in long double, rounded up (ceill), then cast to a long long, which x86 makes LLONG_MIN past its range; so
     * a huge or infinite timeout is "negative", and a negative one whose product is above -1 ms (-0.001 among
     * them: see {@link LongDouble#timeoutMillis}) is 0, that is forever. A whole number of seconds is exact in
     * both and needs no long double (nor allocation); any other timeout is worked out exactly.
     *
     * @return the deadline on {@link #nowMs()}'s clock, 0 for none, or -1 after the error reply.
     */
    public static long parseTimeout(final CommandContext ctx, final int arg)
    {
        final Args args = ctx.args();
        final long tval;
        if (args.parseLong(arg) && args.longValue() >= -MAX_EXACT_SECONDS && args.longValue() <= MAX_EXACT_SECONDS)
        {
            tval = args.longValue() * 1000;
        }
        else
        {
            final String text = args.toString(arg);
            if (!args.parseDouble(arg) && !LongDouble.isValid(text))
            {
                ctx.out().error("ERR timeout is not a float or out of range");
                return -1;
            }
            tval = LongDouble.timeoutMillis(text);
        }
        if (tval < 0)
        {
            ctx.out().error("ERR timeout is negative");
            return -1;
        }
        return tval == 0 ? 0 : addSaturated(nowMs(), tval);
    }

    private static long addSaturated(final long a, final long b)
    {
        final long sum = a + b;
        return sum < a ? Long.MAX_VALUE : sum;
    }

    // ------------------------------------------------------------------------------------------------
    // blocking and unblocking

    /** blockForKeys: the state is filled (CommandContext.block); queue it on each distinct key, once. */
    void block(final BlockingState s, final Args args, final int firstKey, final int keyCount)
    {
        s.linkCount = 0;
        for (int k = firstKey; k < firstKey + keyCount; k++)
        {
            probe.set(s.db, args.array(), args.address(k), args.length(k));
            WaitQueue q = queues.get(probe);
            if (q == null)
            {
                q = newQueue(s.db, args.array(), args.address(k), args.length(k));
                queues.put(q, q);
            }
            else if (q.tail != null && q.tail.state == s)
            {
                // BLPOP k k: one place in the queue, as Redis's bpop.keys dict dedups. This block appended the
                // earlier link, and nothing can have been queued behind it since, so it is the tail
                continue;
            }
            final BlockingState.WaitLink link = s.link(s.linkCount++);
            link.keyArg = k;
            q.append(link);
        }
        s.blocked = true;
        blockedClients++;
        if (s.deadlineMs != 0)
        {
            deadlines.add(s);
        }
        keyspace.keyReadyListener(this);
    }

    /** Take the client out of every queue and the deadlines (no reply). */
    private void detach(final BlockingState s)
    {
        for (int i = 0; i < s.linkCount; i++)
        {
            final BlockingState.WaitLink link = s.links[i];
            final WaitQueue q = link.queue;
            q.remove(link);
            recycleIfUnused(q);
        }
        s.linkCount = 0;
        deadlines.remove(s);
        s.blocked = false;
        s.out = null;
        blockedClients--;
    }

    /** A disconnect: forget the client, no reply. */
    public void remove(final BlockingState s)
    {
        if (s != null && s.blocked)
        {
            detach(s);
        }
    }

    /**
     * CLIENT UNBLOCK: end the block with the timeout's reply, or with -UNBLOCKED when {@code error}.
     *
     * @return false when the client was not blocked.
     */
    public boolean unblock(final BlockingState s, final boolean error)
    {
        if (s == null || !s.blocked)
        {
            return false;
        }
        if (error)
        {
            s.out.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
        }
        else
        {
            s.out.nullArray();
        }
        s.spec.failedCalls++; // Redis 7.0 counts either form as a failed call of the blocked command
        detach(s);
        queueUnblocked(s.client);
        return true;
    }

    /**
     * Time out the clients whose deadline passed: replyToBlockedClientTimedOut's null array (every list pop,
     * BLMOVE included, as Redis 7.0 answers a timeout). Run by the loop on every pass.
     *
     * @return how many timed out.
     */
    public int expire()
    {
        if (deadlines.size() == 0)
        {
            return 0;
        }
        final long now = nowMs();
        int n = 0;
        for (BlockingState s = deadlines.first(); s != null && s.deadlineMs <= now; s = deadlines.first())
        {
            s.out.nullArray();
            detach(s);
            queueUnblocked(s.client);
            n++;
        }
        return n;
    }

    /** How long the loop may sleep before a deadline passes (Long.MAX_VALUE with none). */
    public long msUntilNextDeadline()
    {
        final BlockingState first = deadlines.first();
        return first == null ? Long.MAX_VALUE : Math.max(0, first.deadlineMs - nowMs());
    }

    /** The next client whose block ended since the last call, or null. */
    public ClientContext pollUnblocked()
    {
        if (unblockedHead == unblockedSize)
        {
            unblockedHead = 0;
            unblockedSize = 0;
            return null;
        }
        final ClientContext c = unblocked[unblockedHead];
        unblocked[unblockedHead++] = null;
        return c;
    }

    private void queueUnblocked(final ClientContext client)
    {
        if (unblockedSize == unblocked.length)
        {
            if (unblockedHead > 0)
            {
                System.arraycopy(unblocked, unblockedHead, unblocked, 0, unblockedSize - unblockedHead);
                Arrays.fill(unblocked, unblockedSize - unblockedHead, unblockedSize, null);
                unblockedSize -= unblockedHead;
                unblockedHead = 0;
            }
            else
            {
                unblocked = Arrays.copyOf(unblocked, unblocked.length * 2);
            }
        }
        unblocked[unblockedSize++] = client;
    }

    /** INFO's blocked_clients. */
    public int blockedClients()
    {
        return blockedClients;
    }

    /** INFO's clients_in_timeout_table: blocked clients with a deadline. */
    public int clientsInTimeoutTable()
    {
        return deadlines.size();
    }

    /** Keys with at least one waiter, over every database (the table holds no others). */
    public int keysWithWaiters()
    {
        return queues.size();
    }

    // ------------------------------------------------------------------------------------------------
    // ready keys and serving

    @Override
    public void keyAdded(final int db, final Object keyBase, final long keyAddress, final int keyLength)
    {
        probe.set(db, keyBase, keyAddress, keyLength);
        final WaitQueue q = queues.get(probe);
        if (q != null)
        {
            markReady(q);
        }
    }

    @Override
    public void databasesSwapped(final int a, final int b)
    {
        // the waiters stay in their database numbers; whatever key now exists under them may serve them
        for (final WaitQueue q : queues.values())
        {
            if ((q.db == a || q.db == b) && typeOf(q) >= 0)
            {
                markReady(q);
            }
        }
    }

    private void markReady(final WaitQueue q)
    {
        if (q.ready)
        {
            return;
        }
        q.ready = true;
        if (readySize == ready.length)
        {
            ready = Arrays.copyOf(ready, ready.length * 2);
        }
        ready[readySize++] = q;
    }

    boolean hasReady()
    {
        return readySize > readyHead;
    }

    /**
     * Serve the waiters of every ready key, keys in the order they became ready, each key's waiters in the
     * order they blocked, until the key is gone; keys made ready meanwhile are served in the same loop.
     */
    void serveReady()
    {
        if (serving)
        {
            return; // a serve that creates a key: the outer loop takes it
        }
        serving = true;
        try
        {
            while (readyHead < readySize)
            {
                final WaitQueue q = ready[readyHead];
                ready[readyHead++] = null;
                q.ready = false;
                q.busy = true;
                try
                {
                    serveQueue(q);
                }
                finally
                {
                    q.busy = false;
                }
                recycleIfUnused(q);
            }
        }
        finally
        {
            // after a failure (a serve's own errors are contained by the dispatcher) the keys not reached are
            // dropped from the ready list, never left marked ready with no entry there
            for (int i = readyHead; i < readySize; i++)
            {
                ready[i].ready = false;
                recycleIfUnused(ready[i]);
                ready[i] = null;
            }
            readyHead = 0;
            readySize = 0;
            serving = false;
        }
    }

    private void serveQueue(final WaitQueue q)
    {
        BlockingState.WaitLink link = q.head;
        while (link != null)
        {
            // the next waiter is another client: serving this one unlinks only its own links
            final BlockingState.WaitLink next = link.next;
            final int type = typeOf(q);
            if (type < 0)
            {
                return;
            }
            final BlockingState s = link.state;
            if (s.type == type)
            {
                final int keyArg = link.keyArg;
                final RespWriter out = s.out;
                detach(s);
                s.out = out;
                dispatcher.serveBlocked(s, keyArg);
                s.out = null;
                queueUnblocked(s.client);
            }
            link = next;
        }
    }

    /** The type of the value under the queue's key in its database, -1 when missing (or expired). */
    private int typeOf(final WaitQueue q)
    {
        final long e = keyspace.lookupNoTouch(keyspace.database(q.db), q.key, BYTE_BASE, q.length);
        return e == NULL_HANDLE ? -1 : entry.wrap(e).type();
    }

    // ------------------------------------------------------------------------------------------------
    // queues: pooled, keyed by (db, key bytes)

    private WaitQueue newQueue(final int db, final Object base, final long address, final int length)
    {
        final WaitQueue q = pooled > 0 ? pool[--pooled] : new WaitQueue();
        pool[pooled] = null;
        q.copy(db, base, address, length);
        return q;
    }

    private void recycleIfUnused(final WaitQueue q)
    {
        if (q.head != null || q.ready || q.busy)
        {
            return;
        }
        queues.remove(q);
        if (q.key.length <= 256 && pooled < POOL_MAX)
        {
            if (pooled == pool.length)
            {
                pool = Arrays.copyOf(pool, pooled * 2);
            }
            pool[pooled++] = q;
        }
        if (queues.isEmpty())
        {
            keyspace.keyReadyListener(null);
        }
    }
}
