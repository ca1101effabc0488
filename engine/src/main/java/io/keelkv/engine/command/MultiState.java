package io.keelkv.engine.command;

import io.keelkv.engine.resp.Args;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.ArrayList;

/**
 * One client's transaction (Redis's multiState plus the CLIENT_MULTI, CLIENT_DIRTY_EXEC and CLIENT_DIRTY_CAS
 * flags, and its watched keys). Made at the client's first MULTI or WATCH and reused after.
 *
 * <p>The queued commands are copied out of the query buffer, which the next read reuses, into one direct
 * buffer: per command its argument count, then each argument's length and bytes. EXEC walks it and re-points
 * an {@link Args} at each command in turn (the dispatcher looks its spec up again), so running them copies
 * nothing more. Nothing is kept per command on the Java heap (512 MB by default, shared by every client): a
 * queue of millions of PINGs costs its bytes in the buffer, which is bounded by client-query-buffer-limit as
 * the query buffer is, and freed, not left to the collector, when a big transaction ends.
 */
public final class MultiState
{
    /** A queue buffer at most this big is kept for the next transaction; a bigger one is freed at its end. */
    private static final int KEEP_BYTES = 64 * 1024;

    boolean active;
    /** A command was refused while queuing: EXEC answers EXECABORT (CLIENT_DIRTY_EXEC). */
    boolean dirtyExec;
    /** A watched key was touched: EXEC answers the null array (CLIENT_DIRTY_CAS). */
    boolean dirtyCas;
    /** EXEC is running the queue: blocking commands answer at once (CLIENT_DENY_BLOCKING). */
    boolean executing;
    /** The queue outgrew client-query-buffer-limit: it was dropped, and EXEC will abort. */
    boolean overflowed;
    /** The flags of every queued command or-ed (Redis's mstate.cmd_flags: EXEC's OOM and MISCONF checks). */
    int queuedFlags;
    /** Queued commands with the write flag: propagation wraps the transaction's writes in MULTI/EXEC. */
    int queuedWrites;

    private UnsafeBuffer bytes;
    private ByteBuffer backing;
    private int used;
    private int count;
    private int readPosition; // EXEC's walk through the queue

    /** The keys this client watches; each is also in the registry (Watches). */
    final ArrayList<Watches.Watch> watched = new ArrayList<>();

    /** True between MULTI and its EXEC or DISCARD. */
    public boolean active()
    {
        return active;
    }

    /** True while EXEC runs this client's queued commands. */
    public boolean executing()
    {
        return executing;
    }

    /** A watched key changed: the next EXEC answers the null array (CLIENT LIST's flag d). */
    public boolean watchedKeyChanged()
    {
        return dirtyCas;
    }

    public int queuedCount()
    {
        return count;
    }

    /** The queue's bytes, arguments only (CLIENT LIST's multi-mem is Redis's; INFO has no field for it). */
    public long queuedBytes()
    {
        return used;
    }

    /** How many keys this client watches (CLIENT LIST's watch=, as in Redis 7.2). */
    public int watchedCount()
    {
        return watched.size();
    }

    /** MULTI: the rest of the state is as {@link #end} (or the constructor) left it. */
    void begin()
    {
        active = true;
    }

    /**
     * Copy a command into the queue.
     *
     * @return false when the queue would pass {@code limitBytes}: nothing was queued, and the caller drops it.
     */
    boolean queue(final CommandSpec spec, final Args args, final long limitBytes)
    {
        final int n = args.count();
        long need = Integer.BYTES + (long)Integer.BYTES * n;
        for (int i = 0; i < n; i++)
        {
            need += args.length(i);
        }
        if (used + need > Math.min(limitBytes, Integer.MAX_VALUE - 8))
        {
            return false;
        }
        ensureBytes((int)need);
        bytes.putInt(used, n);
        used += Integer.BYTES;
        for (int i = 0; i < n; i++)
        {
            final int length = args.length(i);
            bytes.putInt(used, length);
            bytes.putBytes(used + Integer.BYTES, args.buffer(), args.offset(i), length);
            used += Integer.BYTES + length;
        }
        count++;
        queuedFlags |= spec.flags();
        if (spec.hasFlag(CommandFlags.WRITE))
        {
            queuedWrites++;
        }
        return true;
    }

    /** Drop what was queued and remember that EXEC must abort. */
    void overflow()
    {
        overflowed = true;
        dirtyExec = true;
        count = 0;
        used = 0;
        release(0);
    }

    /**
     * Point {@code args} at the next queued command, in the order queued (EXEC's walk from the start); valid
     * until the queue changes.
     *
     * @return false after the last one.
     */
    boolean next(final Args args)
    {
        if (readPosition >= used)
        {
            return false;
        }
        args.reset(bytes);
        final int n = bytes.getInt(readPosition);
        int at = readPosition + Integer.BYTES;
        for (int i = 0; i < n; i++)
        {
            final int length = bytes.getInt(at);
            args.add(at + Integer.BYTES, length);
            at += Integer.BYTES + length;
        }
        readPosition = at;
        return true;
    }

    /** End the transaction (EXEC ran it or refused it, DISCARD, RESET, a disconnect). Watches are not touched here. */
    void end()
    {
        active = false;
        executing = false;
        dirtyExec = false;
        overflowed = false;
        queuedFlags = 0;
        queuedWrites = 0;
        count = 0;
        used = 0;
        readPosition = 0;
        release(KEEP_BYTES);
    }

    private void ensureBytes(final int extra)
    {
        final long needed = (long)used + extra;
        if (bytes != null && needed <= bytes.capacity())
        {
            return;
        }
        final int capacity = (int)Math.min(Integer.MAX_VALUE - 8,
            Math.max(needed, Math.max(1024L, bytes == null ? 0L : 2L * bytes.capacity())));
        final ByteBuffer grown = ByteBuffer.allocateDirect(capacity);
        final UnsafeBuffer view = new UnsafeBuffer(grown);
        if (bytes != null)
        {
            view.putBytes(0, bytes, 0, used);
            BufferUtil.free(backing);
        }
        backing = grown;
        bytes = view;
    }

    /** Give the queue's native memory back when it is bigger than {@code keepBytes}. */
    private void release(final int keepBytes)
    {
        if (bytes != null && bytes.capacity() > keepBytes)
        {
            BufferUtil.free(backing);
            backing = null;
            bytes = null;
        }
    }

    /** The queue's buffer, for tests. */
    DirectBuffer buffer()
    {
        return bytes;
    }
}
