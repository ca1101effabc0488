package io.keelkv.engine.memory;

import org.agrona.UnsafeApi;

import java.util.Arrays;

/**
 * Where page memory comes from and where it goes: the allocator's view of the OS, apart from the page table.
 *
 * <p>Three sources, tried in this order for a page:
 * <ul>
 *   <li><b>restore regions</b>: a snapshot load maps its slab pages in regions of up to {@link #REGION_PAGES}
 *   pages, one malloc each, not one malloc per page. At a restart from a 10M-key file that is 23 calls instead of
 *   11,814, each of which grew the heap by a system call on a fresh process (0.3-0.4 s on this machine), and it
 *   gives a prefault thread large ranges to touch. A region is one allocation, so its memory goes back to the
 *   OS only as a whole: a page of a region that is released is kept for the next page allocation, and the
 *   region is freed once none of its pages is in use.</li>
 *   <li><b>spare pages</b>: released pages kept for reuse up to a cap (64 MiB), so churn does not go to malloc
 *   each time; {@link #trimSpares} gives them back.</li>
 *   <li><b>malloc</b>, one call per page, and one per span (a span is one contiguous allocation).</li>
 * </ul>
 *
 * <p>Owner thread only. Not on the hot path: a page is allocated or released once per 64 KiB of data at most;
 * a release looks its address up among the regions (a binary search over a few dozen).
 */
final class PageBacking
{
    /** Pages per restore region: 32 MiB with 64 KiB pages, the size glibc's dynamic mmap threshold stops at. */
    static final int REGION_PAGES = 512;

    private final int pageShift;
    private final int maxSparePages;

    private long[] spare = new long[64];
    private int spareCount;

    // restore regions, sorted by base address: [base, base + pages << pageShift), with the pages handed out
    private long[] regionBase = new long[8];
    private int[] regionPages = new int[8];
    private int[] regionLive = new int[8];
    private int regionCount;
    // released pages of live regions, reused first
    private long[] regionFree = new long[64];

    // spans freed while held (a snapshot's instant): their native memory is given back later, elsewhere
    private boolean holdingRuns;
    private long[] heldRuns = new long[4];
    private int heldRunCount;
    private int regionFreeCount;

    PageBacking(final int pageShift, final long maxSpareBytes)
    {
        this.pageShift = pageShift;
        this.maxSparePages = Math.max(16, (int)Math.min(1024, maxSpareBytes >>> pageShift));
    }

    /** @return the address of one page's memory, or 0 when the OS refuses it. */
    long allocatePage()
    {
        if (regionFreeCount > 0)
        {
            final long address = regionFree[--regionFreeCount];
            regionLive[regionOf(address)]++;
            return address;
        }
        if (spareCount > 0)
        {
            return spare[--spareCount];
        }
        try
        {
            return UnsafeApi.allocateMemory(1L << pageShift);
        }
        catch (final OutOfMemoryError ex)
        {
            return 0;
        }
    }

    /** One page's memory is no longer in use. */
    void releasePage(final long address)
    {
        final int region = regionOf(address);
        if (region >= 0)
        {
            if (--regionLive[region] == 0)
            {
                freeRegion(region);
            }
            else
            {
                if (regionFreeCount == regionFree.length)
                {
                    regionFree = Arrays.copyOf(regionFree, regionFreeCount * 2);
                }
                regionFree[regionFreeCount++] = address;
            }
            return;
        }
        if (spareCount < maxSparePages)
        {
            if (spareCount == spare.length)
            {
                spare = Arrays.copyOf(spare, spareCount * 2);
            }
            spare[spareCount++] = address;
            return;
        }
        UnsafeApi.freeMemory(address);
    }

    /** @return the address of {@code pages} contiguous pages (a span), or 0 when the OS refuses them. */
    long allocateRun(final int pages)
    {
        try
        {
            return UnsafeApi.allocateMemory((long)pages << pageShift);
        }
        catch (final OutOfMemoryError ex)
        {
            return 0;
        }
    }

    void releaseRun(final long address)
    {
        if (holdingRuns)
        {
            if (heldRunCount == heldRuns.length)
            {
                heldRuns = Arrays.copyOf(heldRuns, heldRunCount * 2);
            }
            heldRuns[heldRunCount++] = address;
            return;
        }
        UnsafeApi.freeMemory(address);
    }

    void holdRuns(final boolean hold)
    {
        holdingRuns = hold;
    }

    /** The runs held since the last take, or null; the caller frees them ({@link #freeRuns}), on any thread. */
    long[] takeHeldRuns()
    {
        if (heldRunCount == 0)
        {
            return null;
        }
        final long[] runs = Arrays.copyOf(heldRuns, heldRunCount);
        heldRunCount = 0;
        return runs;
    }

    static void freeRuns(final long[] runs)
    {
        if (runs != null)
        {
            for (final long address : runs)
            {
                UnsafeApi.freeMemory(address);
            }
        }
    }

    /**
     * Memory for {@code count} slab pages of a restore, in regions: {@code into[from + i]} gets page i's address.
     * Spare pages go first (a DEBUG RELOAD restores into the memory it just released).
     *
     * @return false when the OS refused a region; what was mapped here is then released again.
     */
    boolean allocateForRestore(final long[] into, final int from, final int count)
    {
        int i = 0;
        while (i < count && spareCount > 0)
        {
            into[from + i++] = spare[--spareCount];
        }
        while (i < count)
        {
            final int pages = Math.min(REGION_PAGES, count - i);
            final long base = allocateRun(pages);
            if (base == 0)
            {
                for (int j = 0; j < i; j++)
                {
                    releasePage(into[from + j]);
                }
                return false;
            }
            if (pages > 1)
            {
                addRegion(base, pages); // a lone page is an ordinary page: released to the spares or to malloc
            }
            for (int p = 0; p < pages; p++)
            {
                into[from + i++] = base + ((long)p << pageShift);
            }
        }
        return true;
    }

    /** Give spare page memory back to the OS (after FLUSHALL, or when used memory must drop). */
    void trimSpares()
    {
        while (spareCount > 0)
        {
            UnsafeApi.freeMemory(spare[--spareCount]);
        }
    }

    int regionCount()
    {
        return regionCount;
    }

    /** Pages kept for reuse: spare pages and released pages of live regions. */
    long keptPages()
    {
        return spareCount + regionFreeCount;
    }

    private void addRegion(final long base, final int pages)
    {
        if (regionCount == regionBase.length)
        {
            regionBase = Arrays.copyOf(regionBase, regionCount * 2);
            regionPages = Arrays.copyOf(regionPages, regionCount * 2);
            regionLive = Arrays.copyOf(regionLive, regionCount * 2);
        }
        int at = regionCount;
        while (at > 0 && regionBase[at - 1] > base)
        {
            regionBase[at] = regionBase[at - 1];
            regionPages[at] = regionPages[at - 1];
            regionLive[at] = regionLive[at - 1];
            at--;
        }
        regionBase[at] = base;
        regionPages[at] = pages;
        regionLive[at] = pages;
        regionCount++;
    }

    private void freeRegion(final int region)
    {
        final long base = regionBase[region];
        final long end = base + ((long)regionPages[region] << pageShift);
        int kept = 0;
        for (int i = 0; i < regionFreeCount; i++)
        {
            final long address = regionFree[i];
            if (address < base || address >= end)
            {
                regionFree[kept++] = address;
            }
        }
        regionFreeCount = kept;
        System.arraycopy(regionBase, region + 1, regionBase, region, regionCount - region - 1);
        System.arraycopy(regionPages, region + 1, regionPages, region, regionCount - region - 1);
        System.arraycopy(regionLive, region + 1, regionLive, region, regionCount - region - 1);
        regionCount--;
        UnsafeApi.freeMemory(base);
    }

    /** @return the region holding {@code address}, or -1. */
    private int regionOf(final long address)
    {
        int low = 0;
        int high = regionCount - 1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final long base = regionBase[mid];
            if (address < base)
            {
                high = mid - 1;
            }
            else if (address >= base + ((long)regionPages[mid] << pageShift))
            {
                low = mid + 1;
            }
            else
            {
                return mid;
            }
        }
        return -1;
    }
}
