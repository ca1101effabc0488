package io.keelkv.engine.memory;

import java.util.Arrays;

/**
 * The page runs a {@link PageMemory} released while a running snapshot still needed what they hold ({@link
 * #needed}), kept aside until the snapshot agent has passed them: apart from the allocator because this is the
 * snapshot's bookkeeping, not allocation policy, and only a free or a reset while a snapshot runs comes here.
 *
 * <p>Invariants: a run here is {@code KIND_FREE} in the page table but its numbers are not in the free
 * bitmap and its memory is not back with the backing, so neither is handed out again; {@link #pages()} is the
 * sum of the runs' lengths. Owner thread only, O(deferred runs) per pass.
 */
final class DeferredReleases
{
    private final WriteBarrier barrier;
    private final PageBacking backing;
    private final PageNumbers numbers;
    // releases that wait for the snapshot agent: {first page, page count, address, 1 if a span} per run
    private long[] deferred = new long[64];
    private int deferredRuns;
    private long deferredPages;

    DeferredReleases(final WriteBarrier barrier, final PageBacking backing, final PageNumbers numbers)
    {
        this.barrier = barrier;
        this.backing = backing;
        this.numbers = numbers;
    }

    /**
     * A run of pages leaves the allocator while a snapshot still needs what it holds (covered, not yet
     * copied): rather than copy it now (a 512 MB value would be copied inside one DEL), its memory and page
     * numbers are kept aside, untouched, until the agent has passed them ({@link PageMemory#releaseDeferred}).
     * Nothing writes released memory, so the agent still reads the instant's bytes there.
     */
    boolean needed(final boolean barrierActive, final int first, final int count)
    {
        if (!barrierActive || !barrier.covers(first))
        {
            return false;
        }
        for (int i = 0; i < count; i++)
        {
            if (!barrier.isDone(first + i))
            {
                return true;
            }
        }
        return false;
    }

    void add(final int first, final int count, final long address, final boolean span)
    {
        if ((deferredRuns + 1) * 4 > deferred.length)
        {
            deferred = Arrays.copyOf(deferred, deferred.length * 2);
        }
        final int at = deferredRuns++ * 4;
        deferred[at] = first;
        deferred[at + 1] = count;
        deferred[at + 2] = address;
        deferred[at + 3] = span ? 1 : 0;
        deferredPages += count;
    }

    /** {@link PageMemory#releaseDeferred}: the runs the agent has passed, or all; returns the pages released. */
    long release(final boolean all)
    {
        long released = 0;
        int kept = 0;
        for (int run = 0; run < deferredRuns; run++)
        {
            final int at = run * 4;
            final int first = (int)deferred[at];
            final int count = (int)deferred[at + 1];
            boolean passed = true;
            for (int i = 0; !all && passed && i < count; i++)
            {
                passed = barrier.isDone(first + i);
            }
            if (passed)
            {
                final long address = deferred[at + 2];
                if (deferred[at + 3] == 1)
                {
                    backing.releaseRun(address);
                }
                else
                {
                    backing.releasePage(address);
                }
                for (int i = 0; i < count; i++)
                {
                    numbers.release(first + i);
                }
                released += count;
            }
            else
            {
                System.arraycopy(deferred, at, deferred, kept * 4, 4);
                kept++;
            }
        }
        deferredRuns = kept;
        deferredPages -= released;
        return released;
    }

    /** Pages whose release waits for the snapshot agent. */
    long pages()
    {
        return deferredPages;
    }

    /** Mark every deferred page free in {@code image}'s page-number bitmap. */
    void markFree(final PageTableImage image)
    {
        // pages whose release waits for a running background snapshot's agent are free (KIND_FREE) but their
        // numbers are held back from reuse here; in an image taken now (a foreground SAVE beside an AOF
        // rewrite) they are free like any other, or the image's kinds and bitmap would disagree
        for (int run = 0; run < deferredRuns; run++)
        {
            final int first = (int)deferred[run * 4];
            final int count = (int)deferred[run * 4 + 1];
            for (int page = first; page < first + count; page++)
            {
                image.freeNumbers[page >>> 6] |= 1L << page;
            }
        }
    }
}
