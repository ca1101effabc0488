package io.keelkv.engine.memory;

import org.agrona.UnsafeApi;

/**
 * The page copy-on-write barrier that snapshots rest on (DESIGN.md, "Snapshots").
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
 * If the other side holds the claim, the loser spins until {@code DONE(E)}. After DONE the page is the
 * writer's to change freely for the rest of the epoch: the barrier is one state read.
 *
 * <p>States and preserved copies are kept in chunks that never move, so the agent can read them while
 * the event loop grows the page table. Only pages below {@code coverLimit} (the page-number limit at
 * the snapshot instant) are in a snapshot; later pages are new and need no copy.
 */
public final class WriteBarrier
{
    public static final int PHASE_WRITER = 1;
    public static final int PHASE_AGENT = 2;
    public static final int PHASE_DONE = 3;

    private static final int CHUNK_SHIFT = 12;
    private static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    private static final int CHUNK_MASK = CHUNK_SIZE - 1;
    private static final long INT_BASE = UnsafeApi.arrayBaseOffset(int[].class);
    private static final long LONG_BASE = UnsafeApi.arrayBaseOffset(long[].class);

    private final PageMemory memory;
    private final int[][] states = new int[PageMemory.MAX_PAGE_NUMBERS >>> CHUNK_SHIFT][];
    private final long[][] preserved = new long[PageMemory.MAX_PAGE_NUMBERS >>> CHUNK_SHIFT][];
    private volatile int epoch;
    private volatile int coverLimit;
    private long pagesPreservedByWriter;

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

    /** Event loop, between two commands: the snapshot instant. Costs nothing per page. */
    public void begin(final int newEpoch)
    {
        if (newEpoch <= epoch || newEpoch >= (1 << 29))
        {
            throw new IllegalArgumentException("epoch must grow: " + newEpoch);
        }
        coverLimit = memory.pageNumberLimit();
        epoch = newEpoch;
        memory.barrierActive(true);
    }

    /** Event loop, once the agent has written every covered page. */
    public void end()
    {
        memory.barrierActive(false);
        coverLimit = 0;
    }

    public int epoch()
    {
        return epoch;
    }

    public int coverLimit()
    {
        return coverLimit;
    }

    public long pagesPreservedByWriter()
    {
        return pagesPreservedByWriter;
    }

    /** Event loop: called before the first write to {@code page} while a snapshot is active. */
    void onWrite(final int page)
    {
        if (page >= coverLimit)
        {
            return;
        }
        final int[] chunk = states[page >>> CHUNK_SHIFT];
        final long offset = INT_BASE + ((long)(page & CHUNK_MASK) << 2);
        final int e = epoch;
        final int done = e << 2 | PHASE_DONE;
        int state = UnsafeApi.getIntVolatile(chunk, offset);
        if (state == done)
        {
            return;
        }
        if ((state >>> 2) != e && UnsafeApi.compareAndSetInt(chunk, offset, state, e << 2 | PHASE_WRITER))
        {
            final long source = memory.pageAddress(page);
            long copy = 0;
            if (source != 0)
            {
                copy = UnsafeApi.allocateMemory(memory.pageSizeBytes());
                UnsafeApi.copyMemory(source, copy, memory.pageSizeBytes());
            }
            UnsafeApi.putLongRelease(preserved[page >>> CHUNK_SHIFT], LONG_BASE + ((long)(page & CHUNK_MASK) << 3), copy);
            UnsafeApi.putIntRelease(chunk, offset, done);
            pagesPreservedByWriter++;
            return;
        }
        // the agent holds the claim: it is copying one page, then sets DONE
        while (UnsafeApi.getIntVolatile(chunk, offset) != done)
        {
            Thread.onSpinWait();
        }
    }

    /**
     * Snapshot agent: claim a page for epoch {@code e} and copy it into {@code scratchAddress}.
     *
     * @return 0 when the agent copied the page itself; otherwise the address of the writer's preserved
     * copy (the caller frees it with {@link #freePreserved(int)} once written), or -1 when the page had no
     * memory when it was preserved (it was free at the instant).
     */
    public long claimForSnapshot(final int page, final long scratchAddress, final long sourceAddress)
    {
        final int[] chunk = states[page >>> CHUNK_SHIFT];
        final long offset = INT_BASE + ((long)(page & CHUNK_MASK) << 2);
        final int e = epoch;
        final int done = e << 2 | PHASE_DONE;
        final int state = UnsafeApi.getIntVolatile(chunk, offset);
        if ((state >>> 2) != e && UnsafeApi.compareAndSetInt(chunk, offset, state, e << 2 | PHASE_AGENT))
        {
            UnsafeApi.copyMemory(sourceAddress, scratchAddress, memory.pageSizeBytes());
            UnsafeApi.putIntRelease(chunk, offset, done);
            return 0;
        }
        while (UnsafeApi.getIntVolatile(chunk, offset) != done)
        {
            Thread.onSpinWait();
        }
        final long copy = UnsafeApi.getLongVolatile(preserved[page >>> CHUNK_SHIFT], LONG_BASE + ((long)(page & CHUNK_MASK) << 3));
        return copy == 0 ? -1 : copy;
    }

    public void freePreserved(final int page)
    {
        final long[] chunk = preserved[page >>> CHUNK_SHIFT];
        final long offset = LONG_BASE + ((long)(page & CHUNK_MASK) << 3);
        final long copy = UnsafeApi.getLongVolatile(chunk, offset);
        if (copy != 0)
        {
            UnsafeApi.putLongRelease(chunk, offset, 0);
            UnsafeApi.freeMemory(copy);
        }
    }
}
