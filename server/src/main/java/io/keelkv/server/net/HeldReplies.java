package io.keelkv.server.net;

import io.keelkv.engine.aof.AofControl;

/**
 * Replies held until the AOF's durable position covers them ({@code appendfsync always}): the group commit
 * of the event loop's pass (EventLoopAgent.flushQueued, docs/ARCHITECTURE.md "Append-only file").
 *
 * <p>Ordering. At the end of a pass the loop first releases what has become durable, then holds this
 * pass's replies at the position the pass appended up to, so a connection's earlier replies always leave
 * before its later ones. A connection held again while still held keeps its one slot and waits for the
 * larger position. While held ({@link Connection#heldUntil} non-zero) its input is read but not run, as
 * Redis runs a client's next commands only after the fsync that answers its last ones; once released,
 * the loop writes its replies and then runs what it received meanwhile.
 *
 * <p>Failure cases. A connection closed while held (a disconnect, CLIENT KILL from another client) is
 * dropped at its turn, never written to. When the AOF stops asking replies to wait (appendfsync changed,
 * the AOF turned off), everything held is released at once, whatever the durable position
 * says: no client waits for a sync that will not come.
 *
 * <p>The release is an iteration the loop drives ({@link #beginRelease}, {@link #nextReleased}), not a
 * callback: the loop writes and runs each released connection itself, and a connection that an earlier
 * one's commands closed is seen closed when its turn comes. Nothing is held or released re-entrantly: the
 * loop holds only after the release has ended. Loop thread only; the arrays grow, nothing else allocates.
 */
final class HeldReplies
{
    private Connection[] held = new Connection[64];
    private int size;
    // the release in progress
    private int cursor;
    private int kept;
    private boolean waiting;
    private long durable;

    /** The position this pass's replies must wait for, or 0 when they may be written now. */
    static long holdPosition(final AofControl aof)
    {
        final boolean hold = aof.repliesWaitForSync() && aof.appendedLogical() > aof.durableLogical();
        return hold ? aof.appendedLogical() : 0;
    }

    void hold(final Connection c, final long target)
    {
        if (c.heldUntil == 0)
        {
            if (size == held.length)
            {
                held = java.util.Arrays.copyOf(held, size * 2);
            }
            held[size++] = c;
        }
        c.heldUntil = Math.max(c.heldUntil, target);
    }

    /** Start a release; false (and nothing read from the AOF) when nothing is held. */
    boolean beginRelease(final AofControl aof)
    {
        if (size == 0)
        {
            return false;
        }
        waiting = aof.repliesWaitForSync();
        durable = aof.durableLogical();
        cursor = 0;
        kept = 0;
        return true;
    }

    /**
     * The next held connection whose replies may go now, its hold cleared; null once every held one has
     * been looked at, which ends the release. The ones still waiting keep their order.
     */
    Connection nextReleased()
    {
        while (cursor < size)
        {
            final Connection c = held[cursor];
            held[cursor++] = null;
            if (c.closed)
            {
                continue;
            }
            if (waiting && c.heldUntil > durable)
            {
                held[kept++] = c;
                continue;
            }
            c.heldUntil = 0;
            return c;
        }
        size = kept;
        return null;
    }
}
