package io.keelkv.engine.memory;

import org.agrona.UnsafeApi;

/**
 * The page copy-on-write barrier that background snapshots rest on.
 *
 * <p>Every page has a state word: {@code epoch << 2 | phase}. A page is <em>clean</em> in epoch E when
 * its word carries another epoch. Two threads may claim a clean page, each with one CAS:
 * <ul>
 *   <li>the event loop, in {@link #onWrite(int)} before its first write to the page in epoch E:
 *       {@code CLEAN -> WRITER(E)}, copy the page to a fresh buffer, publish the copy, {@code DONE(E)};</li>
 *   <li>the snapshot agent, in {@link #claimForSnapshot(int, long)}: {@code CLEAN -> AGENT(E)}, copy to its
 *       scratch, {@code DONE(E)}; it compresses only after that, so the writer never waits longer
 *       than one page copy.</li>
 * </ul>
 * If the other side holds the claim, the loser waits until {@code DONE(E)}: a bounded spin, then
 * {@link Thread#yield()}, because on two cores the side holding the claim may be descheduled and a pure
 * spin would burn the time slice it needs. After DONE the page is the writer's to change freely for the
 * rest of the epoch: the barrier is one state read.
 *
 * <p>Which pages are in a snapshot: those in use at the instant, below {@code coverLimit} (the page-number
 * limit then). A page free at the instant is not in it: its first write after a reuse needs no copy, so no
 * preserved copy is ever left behind for it. Pages allocated later are above the limit, or were free.
 *
 * <p>Failure: when the memory for a preserved copy cannot be had, the writer cannot both write and keep the
 * instant's bytes. It marks the page DONE with no copy and sets {@link #failed()}; the agent, finding no copy
 * for a page in use, stops the snapshot, and the owner frees every copy with {@link #end()}. Neither side
 * ever waits for memory.
 *
 * <p>States and preserved copies are kept in chunks that never move, so the agent can read them while
 * the event loop grows the page table. Counters are single-writer: copies made by the loop, copies freed
 * and pages copied by the agent; the bytes preserved at any moment are their difference.
 */
public final class WriteBarrier
{
    public static final int PHASE_WRITER = 1;
    public static final int PHASE_AGENT = 2;
    public static final int PHASE_DONE = 3;
    /** {@link #claimForSnapshot} result: the writer had no memory for a copy, the snapshot cannot go on. */
    public static final long NO_COPY = -1;

    private static final int CHUNK_SHIFT = 12;
    private static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    private static final int CHUNK_MASK = CHUNK_SIZE - 1;
    private static final long INT_BASE = UnsafeApi.arrayBaseOffset(int[].class);
    private static final long LONG_BASE = UnsafeApi.arrayBaseOffset(long[].class);
    /** Spins before yielding: well past one 64 KiB page copy (a few microseconds) on a running thread. */
    private static final int SPINS_BEFORE_YIELD = 1_000;

    private static final long COPIES_MADE_OFFSET = UnsafeApi.objectFieldOffset(WriteBarrier.class, "copiesMade");
    private static final long COPIES_FREED_OFFSET = UnsafeApi.objectFieldOffset(WriteBarrier.class, "copiesFreed");
    private static final long AGENT_PAGES_OFFSET = UnsafeApi.objectFieldOffset(WriteBarrier.class, "agentPages");

    private final PageMemory memory;
    private final int[][] states = new int[PageMemory.MAX_PAGE_NUMBERS >>> CHUNK_SHIFT][];
    private final long[][] preserved = new long[PageMemory.MAX_PAGE_NUMBERS >>> CHUNK_SHIFT][];
    private volatile int epoch;
    private volatile int coverLimit;
    private volatile boolean failed;
    private PageTableImage instant;

    // single-writer counters, read by the other thread (release/acquire)
    private long copiesMade;    // event loop: pages it preserved, this process's life
    private long copiesFreed;   // agent (or the loop in end()): preserved copies freed
    private long agentPages;    // agent: pages it copied itself, this process's life
    private long copiesMadeAtBegin;
    // copies allowed alive at once; the malloc refusal it stands for is otherwise hard to provoke in a test
    long copyLimitForTest = Long.MAX_VALUE;
    private long agentPagesAtBegin;

    WriteBarrier(final PageMemory memory)
    {
        this.memory = memory;
        ensureCapacity(1024);
    }

    void ensureCapacity(final int pages)
    {
        for (int c = 0; c <= (pages - 1) >>> CHUNK_SHIFT; c++)
        {
            if (states[c] == null)
            {
                preserved[c] = new long[CHUNK_SIZE];
                states[c] = new int[CHUNK_SIZE];
            }
        }
    }

    /**
     * Event loop, between two commands: the snapshot instant, given the page table image just captured
     * (which must stay as it is until {@link #end()}: the barrier reads which pages were free in it, and the
     * agent reads page addresses from it). Costs nothing per page.
     */
    public void begin(final int newEpoch, final PageTableImage image)
    {
        if (newEpoch <= epoch || newEpoch >= (1 << 29))
        {
            throw new IllegalArgumentException("epoch must grow: " + newEpoch);
        }
        if (image.pageNumberLimit != memory.pageNumberLimit())
        {
            throw new IllegalStateException("the image was not captured at this instant");
        }
        instant = image;
        failed = false;
        copiesMadeAtBegin = copiesMade;
        agentPagesAtBegin = UnsafeApi.getLongAcquire(this, AGENT_PAGES_OFFSET);
        coverLimit = image.pageNumberLimit;
        epoch = newEpoch;
        memory.barrierActive(true);
    }

    /**
     * Event loop, once the agent has stopped (finished, failed or aborted): no more copies, every preserved
     * copy the agent did not free is freed now, and the pages whose release waited for the agent are
     * released (see PageMemory's deferred releases).
     */
    public void end()
    {
        memory.barrierActive(false);
        final int limit = coverLimit;
        coverLimit = 0;
        for (int c = 0; c <= (limit - 1) >>> CHUNK_SHIFT && limit > 0; c++)
        {
            final long[] chunk = preserved[c];
            for (int i = 0; i < CHUNK_SIZE; i++)
            {
                final long copy = chunk[i];
                if (copy != 0)
                {
                    chunk[i] = 0;
                    UnsafeApi.freeMemory(copy);
                    UnsafeApi.putLongRelease(this, COPIES_FREED_OFFSET, copiesFreed + 1);
                }
            }
        }
        instant = null;
        memory.releaseDeferred(true);
    }

    public boolean active()
    {
        return coverLimit > 0;
    }

    public int epoch()
    {
        return epoch;
    }

    public int coverLimit()
    {
        return coverLimit;
    }

    /** A preserved copy could not be allocated in this epoch: the snapshot must be abandoned. */
    public boolean failed()
    {
        return failed;
    }

    /** Pages the event loop copied before writing them, in the running or last snapshot. */
    public long pagesPreservedByWriter()
    {
        return copiesMade - copiesMadeAtBegin;
    }

    /** Pages the agent copied itself, in the running or last snapshot. Any thread. */
    public long pagesCopiedByAgent()
    {
        return UnsafeApi.getLongAcquire(this, AGENT_PAGES_OFFSET) - agentPagesAtBegin;
    }

    /** Bytes held in preserved copies right now: counted in used_memory and against maxmemory. */
    public long preservedBytes()
    {
        return (copiesMade - UnsafeApi.getLongAcquire(this, COPIES_FREED_OFFSET)) * memory.pageSizeBytes();
    }

    /** True when {@code page} is part of the running snapshot: covered and in use at the instant. */
    boolean covers(final int page)
    {
        return page < coverLimit && instant.kind[page] != PageMemory.KIND_FREE;
    }

    /** True when the snapshot no longer needs the memory of {@code page}: it is DONE in this epoch. */
    boolean isDone(final int page)
    {
        return UnsafeApi.getIntVolatile(states[page >>> CHUNK_SHIFT], INT_BASE + ((long)(page & CHUNK_MASK) << 2)) ==
            (epoch << 2 | PHASE_DONE);
    }

    /** Event loop: called before every write to {@code page} while a snapshot is active. */
    void onWrite(final int page)
    {
        if (!covers(page))
        {
            return;
        }
        final int[] chunk = states[page >>> CHUNK_SHIFT];
        final long offset = INT_BASE + ((long)(page & CHUNK_MASK) << 2);
        final int e = epoch;
        final int done = e << 2 | PHASE_DONE;
        final int state = UnsafeApi.getIntVolatile(chunk, offset);
        if (state == done)
        {
            return;
        }
        if ((state >>> 2) != e && UnsafeApi.compareAndSetInt(chunk, offset, state, e << 2 | PHASE_WRITER))
        {
            long copy = 0;
            try
            {
                if (copiesMade - UnsafeApi.getLongAcquire(this, COPIES_FREED_OFFSET) >= copyLimitForTest)
                {
                    throw new OutOfMemoryError("preserved copy limit (test)");
                }
                copy = UnsafeApi.allocateMemory(memory.pageSizeBytes());
                UnsafeApi.copyMemory(instant.address[page], copy, memory.pageSizeBytes());
                copiesMade++;
            }
            catch (final OutOfMemoryError ex)
            {
                copy = 0;
                failed = true;
            }
            UnsafeApi.putLongRelease(preserved[page >>> CHUNK_SHIFT], LONG_BASE + ((long)(page & CHUNK_MASK) << 3), copy);
            UnsafeApi.putIntRelease(chunk, offset, done);
            return;
        }
        // the agent holds the claim: it is copying one page, then sets DONE
        awaitDone(chunk, offset, done);
    }

    /**
     * Snapshot agent: claim page {@code page} (in use at the instant) and copy it into {@code scratchAddress}.
     *
     * @return 0 when the agent copied the page itself; otherwise the address of the writer's preserved
     * copy (the caller frees it with {@link #freePreserved(int)} once written), or {@link #NO_COPY} when the
     * writer could not allocate one (the snapshot must stop).
     */
    public long claimForSnapshot(final int page, final long scratchAddress)
    {
        final int[] chunk = states[page >>> CHUNK_SHIFT];
        final long offset = INT_BASE + ((long)(page & CHUNK_MASK) << 2);
        final int e = epoch;
        final int done = e << 2 | PHASE_DONE;
        final int state = UnsafeApi.getIntVolatile(chunk, offset);
        if ((state >>> 2) != e && UnsafeApi.compareAndSetInt(chunk, offset, state, e << 2 | PHASE_AGENT))
        {
            UnsafeApi.copyMemory(instant.address[page], scratchAddress, memory.pageSizeBytes());
            UnsafeApi.putIntRelease(chunk, offset, done);
            UnsafeApi.putLongRelease(this, AGENT_PAGES_OFFSET, agentPages + 1);
            return 0;
        }
        awaitDone(chunk, offset, done);
        final long copy = UnsafeApi.getLongVolatile(preserved[page >>> CHUNK_SHIFT], LONG_BASE + ((long)(page & CHUNK_MASK) << 3));
        return copy == 0 ? NO_COPY : copy;
    }

    /** Snapshot agent: the preserved copy of {@code page} has been written; free it. */
    public void freePreserved(final int page)
    {
        final long[] chunk = preserved[page >>> CHUNK_SHIFT];
        final long offset = LONG_BASE + ((long)(page & CHUNK_MASK) << 3);
        final long copy = UnsafeApi.getLongVolatile(chunk, offset);
        if (copy != 0)
        {
            UnsafeApi.putLongRelease(chunk, offset, 0);
            UnsafeApi.freeMemory(copy);
            UnsafeApi.putLongRelease(this, COPIES_FREED_OFFSET, copiesFreed + 1);
        }
    }

    /** The other side copies one page under its claim: spin a little, then let it run. */
    private static void awaitDone(final int[] chunk, final long offset, final int done)
    {
        int spins = 0;
        while (UnsafeApi.getIntVolatile(chunk, offset) != done)
        {
            if (++spins < SPINS_BEFORE_YIELD)
            {
                Thread.onSpinWait();
            }
            else
            {
                Thread.yield();
            }
        }
    }
}
