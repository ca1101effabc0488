package io.keelkv.engine.aof;

import org.agrona.concurrent.Agent;
import org.jctools.queues.SpscArrayQueue;

import java.util.concurrent.TimeUnit;

/**
 * The aof-sync thread: makes what the event loop appended durable, one msync per batch, and publishes how
 * far it got.
 *
 * <p>Design. The event loop never waits for the disk. It copies commands into the mapped incremental file
 * ({@link MappedAppendFile#append}, a release store of the appended position) and goes on. This agent reads
 * the appended position (acquire), msyncs everything up to it in one call ({@link MappedAppendFile#syncUpTo}),
 * and publishes the durable position. All the appends that reached the file between two syncs share one
 * msync: that is the group commit. Under {@code appendfsync always} the loop holds each client's replies
 * until the durable position covers that client's writes, and this agent wakes the loop when it publishes
 * ({@code onDurable}); the loop wakes this agent when a pass appended something ({@link #wake} is the
 * caller's unpark). Under {@code everysec} it syncs once a second; under {@code no} never (the kernel writes
 * the pages back on its own schedule).
 *
 * <p>Positions are <em>logical</em>: the byte count of every incremental file this process appended to, so
 * that they keep growing across the file switch of a rewrite. A file comes with the logical position of
 * its first byte, handed over through a single-producer single-consumer JCTools queue: once the loop has
 * offered a new file it appends only there, so this agent first syncs the old file to its end, then
 * retires it ({@link #retired}); the loop closes a retired file (closing must come after the last sync).
 *
 * <p>Failure. A failed msync is final for that file (see {@link MappedAppendFile}): the durable position
 * stops, {@link #failure()} is set and never cleared by this agent; the owner decides (Redis's rules: exit
 * under always, -MISCONF under everysec). Nothing is ever published durable that is not.
 *
 * <p>Redis's "fsync lags over 2 s" rule. Redis postpones its write() while a background fsync is still
 * running, up to 2 s, then writes anyway and counts {@code aof_delayed_fsync}. Here appends never wait for
 * a sync, so nothing is postponed; the counter counts the syncs that found bytes pending for more than 2 s
 * (the disk was that slow), so INFO still says when durability lagged.
 */
public final class AofSyncAgent implements Agent
{
    public static final int POLICY_NO = 0;
    public static final int POLICY_EVERYSEC = 1;
    public static final int POLICY_ALWAYS = 2;

    private static final long EVERYSEC_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long DELAYED_NS = TimeUnit.SECONDS.toNanos(2);
    /**
     * 8 MiB: an everysec msync of a second's appends took up to 76 ms here, during which this thread faults nothing
     * in, and at 63 MB/s of appends (pipelined SETs) the appender covers 4.8 MB meanwhile. Not more: each sync's
     * writeback takes the zero pages touched ahead with it (ext4's ordered mode flushes the file's dirty pages),
     * and they are touched, so written, again.
     */
    static final long PREFAULT_AHEAD_BYTES = 8L << 20;

    /** How much of the zero pages touched ahead one pass settles under always (MappedAppendFile#settleAhead). */
    static final long SETTLE_STEP_BYTES = 1L << 20;

    /** A file to sync from now on, and the logical position of its first byte. */
    public static final class Handover
    {
        final MappedAppendFile file;
        final long logicalBase;

        public Handover(final MappedAppendFile file, final long logicalBase)
        {
            this.file = file;
            this.logicalBase = logicalBase;
        }
    }

    private final SpscArrayQueue<Handover> handovers = new SpscArrayQueue<>(8);
    private final Runnable onDurable;

    private volatile int policy;
    private volatile long durableLogical;
    private volatile AppendFileException failure;
    private volatile MappedAppendFile retired;
    private volatile long syncs;
    private volatile long syncNs;
    private volatile long maxSyncNs;
    private volatile long syncedBytes;
    private volatile long delayedSyncs;

    private MappedAppendFile current;
    private long currentBase;
    private long lastSyncNs = System.nanoTime();
    private long pendingSinceNs;
    private boolean pending;

    /**
     * @param policy    one of the POLICY_ constants (appendfsync).
     * @param onDurable run on this agent's thread after each published sync: wakes the event loop.
     */
    public AofSyncAgent(final int policy, final Runnable onDurable)
    {
        this.policy = policy;
        this.onDurable = onDurable;
    }

    @Override
    public String roleName()
    {
        return "keelkv-aof-sync";
    }

    /** Event loop: appendfsync changed (CONFIG SET). */
    public void policy(final int policy)
    {
        this.policy = policy;
    }

    /**
     * Event loop: from now on it appends to {@code file} only, whose first byte is at {@code logicalBase}.
     *
     * @return false when the queue is full (cannot happen with one switch per rewrite; the caller retries).
     */
    public boolean handOver(final MappedAppendFile file, final long logicalBase)
    {
        return handovers.offer(new Handover(file, logicalBase));
    }

    /** Any thread: everything up to this logical position is on disk. */
    public long durableLogical()
    {
        return durableLogical;
    }

    /** Any thread: the msync failure that stopped syncing, or null. */
    public AppendFileException failure()
    {
        return failure;
    }

    /** Event loop: a file this agent will never touch again (the loop may close it), taken once; or null. */
    public MappedAppendFile takeRetired()
    {
        final MappedAppendFile file = retired;
        if (file != null)
        {
            retired = null;
        }
        return file;
    }

    public long syncs()
    {
        return syncs;
    }

    public long syncNs()
    {
        return syncNs;
    }

    public long maxSyncNs()
    {
        return maxSyncNs;
    }

    public long syncedBytes()
    {
        return syncedBytes;
    }

    /** aof_delayed_fsync: syncs that found bytes pending for more than 2 s. */
    public long delayedSyncs()
    {
        return delayedSyncs;
    }

    @Override
    public int doWork()
    {
        int work = 0;
        Handover next;
        while ((next = handovers.poll()) != null)
        {
            if (current != null && failure == null)
            {
                // the loop appends to the new file only: the old one ends at its appended position
                sync(current.appendedPosition());
                retired = current;
            }
            else if (current != null)
            {
                retired = current;
            }
            current = next.file;
            currentBase = next.logicalBase;
            durableLogical = Math.max(durableLogical, currentBase + current.durablePosition());
            work++;
        }
        if (current == null || failure != null)
        {
            return work;
        }
        // the sync first: under always, clients wait for it, and the chores below can wait for the next pass
        work += syncIfDue();
        if (failure != null)
        {
            return work;
        }
        // the appender's page faults, taken here instead (MappedAppendFile#prefaultAhead), in steps of half the
        // distance; not counted as work, so that the agent still backs off to parking between them
        current.prefaultAhead(PREFAULT_AHEAD_BYTES, PREFAULT_AHEAD_BYTES / 2);
        if (policy == POLICY_ALWAYS)
        {
            // the touched pages' blocks become written extents before group commits reach them; a step a pass,
            // each ~1 ms of this thread, between commits; counted as work while there is more to settle
            work += settleAhead();
            if (failure != null)
            {
                return work;
            }
        }
        // and the file's growth (reserve, extend, fsync: tens of ms), before the appender needs the next chunk
        work += current.prepareGrowth() ? 1 : 0;
        return work;
    }

    private int settleAhead()
    {
        try
        {
            return current.settleAhead(SETTLE_STEP_BYTES) > 0 ? 1 : 0;
        }
        catch (final AppendFileException ex)
        {
            failure = ex;
            onDurable.run(); // the owner learns of the failure as it does after a failed sync
            return 1;
        }
    }

    private int syncIfDue()
    {
        final long appended = current.appendedPosition();
        final long now = System.nanoTime();
        if (appended <= current.durablePosition())
        {
            pending = false;
            return 0;
        }
        if (!pending)
        {
            pending = true;
            pendingSinceNs = now;
        }
        final int p = policy;
        if (p == POLICY_ALWAYS || p == POLICY_EVERYSEC && now - lastSyncNs >= EVERYSEC_NS)
        {
            if (now - pendingSinceNs > DELAYED_NS)
            {
                delayedSyncs++;
            }
            sync(appended);
            return 1;
        }
        return 0;
    }

    /** Final sync of the current file before the owner closes it (after this agent's thread has stopped). */
    @Override
    public void onClose()
    {
        if (current != null && failure == null)
        {
            sync(current.appendedPosition());
        }
    }

    private void sync(final long upTo)
    {
        final long start = System.nanoTime();
        final long before = current.durablePosition();
        try
        {
            final long durable = current.syncUpTo(upTo);
            final long took = System.nanoTime() - start;
            syncNs += took;
            maxSyncNs = Math.max(maxSyncNs, took);
            syncedBytes += durable - before;
            syncs++;
            lastSyncNs = start;
            pending = false;
            durableLogical = currentBase + durable;
        }
        catch (final AppendFileException ex)
        {
            failure = ex;
        }
        catch (final RuntimeException ex)
        {
            failure = new AppendFileException("sync of " + current.file() + " failed: " + ex, ex);
        }
        onDurable.run();
    }
}
