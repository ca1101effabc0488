package io.keelkv.engine.command;

import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;

/**
 * One client's blocking state (Redis's c->bpop): what it waits for while a blocking command holds it. A client
 * that may block owns one, made once and reused for every block (the server's session keeps it); a client that
 * never blocks (embedded use, AOF replay, and a client inside MULTI) has none, and its blocking commands answer
 * at once as if timed out.
 *
 * <p>The command's arguments are copied in when it blocks: the request's own bytes are in the query buffer,
 * which moves on (compaction, later reads) while the client waits. The copy and the queue links grow to the
 * biggest block the client has made and are kept, so blocking again allocates nothing. Everything here is
 * owned by {@link BlockingKeys}, on the engine's thread.
 */
public final class BlockingState
{
    final ClientContext client;
    final RewrittenArgs saved = new RewrittenArgs();
    RespWriter out;
    CommandSpec spec;
    BlockedPop pop;
    /** ObjectType of the value that serves it (LIST, ZSET): a key of another type leaves it waiting. */
    int type;
    int db;
    /** Monotonic deadline in ms (BlockingKeys.nowMs), 0 for none. */
    long deadlineMs;
    boolean blocked;
    /** Position in BlockDeadlines' heap, -1 when not in it. */
    int heapIndex = -1;
    /** One link per distinct key it waits on. */
    WaitLink[] links = new WaitLink[4];
    int linkCount;

    public BlockingState(final ClientContext client)
    {
        this.client = client;
    }

    /** True between the block and the serve, timeout, CLIENT UNBLOCK or disconnect that ends it. */
    public boolean isBlocked()
    {
        return blocked;
    }

    public ClientContext client()
    {
        return client;
    }

    Args args()
    {
        return saved.args();
    }

    WaitLink link(final int i)
    {
        if (i == links.length)
        {
            links = java.util.Arrays.copyOf(links, i * 2);
        }
        WaitLink link = links[i];
        if (link == null)
        {
            link = new WaitLink(this);
            links[i] = link;
        }
        return link;
    }

    /** The state's place in one key's queue of waiters: a node of that queue's doubly linked list. */
    static final class WaitLink
    {
        final BlockingState state;
        WaitQueue queue;
        int keyArg;
        WaitLink prev;
        WaitLink next;

        WaitLink(final BlockingState state)
        {
            this.state = state;
        }
    }
}
