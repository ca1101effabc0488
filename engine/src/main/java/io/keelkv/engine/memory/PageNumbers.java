package io.keelkv.engine.memory;

import java.util.Arrays;

/**
 * The free page numbers of a {@link PageMemory}: a bitmap of free numbers, so spans find runs and numbers never
 * leak.
 *
 * <p>Invariants: a bit is set (1 = page number unused) only for a number below the memory's page-number limit
 * that was handed out at least once and given back; number 0 (the null page) is never set. The limit itself
 * stays in {@link PageMemory} (every checked access reads it), so it is passed in, and growing past it is the
 * memory's business (the page table grows with it). Owner thread only, like the memory.
 */
final class PageNumbers
{
    private static final int NO_PAGE = 0;

    private long[] freeNumbers; // bitmap: 1 = page number unused

    PageNumbers(final int capacity)
    {
        freeNumbers = new long[capacity / 64];
    }

    /** The lowest free number below {@code limit}, taken, or 0 when there is none. */
    int take(final int limit)
    {
        for (int w = 0; w < freeNumbers.length; w++)
        {
            final long bits = freeNumbers[w];
            if (bits != 0)
            {
                final int page = (w << 6) + Long.numberOfTrailingZeros(bits);
                if (page < limit)
                {
                    freeNumbers[w] = bits & (bits - 1);
                    return page;
                }
                break;
            }
        }
        return NO_PAGE;
    }

    /** The first of {@code count > 1} consecutive free numbers below {@code limit}, taken, or 0 when none. */
    int takeRun(final int count, final int limit)
    {
        int runStart = -1;
        int runLength = 0;
        for (int page = 1; page < limit && count > 1; page++)
        {
            if ((freeNumbers[page >>> 6] & (1L << page)) != 0)
            {
                if (runLength++ == 0)
                {
                    runStart = page;
                }
                if (runLength == count)
                {
                    for (int i = runStart; i < runStart + count; i++)
                    {
                        freeNumbers[i >>> 6] &= ~(1L << i);
                    }
                    return runStart;
                }
            }
            else
            {
                runLength = 0;
            }
        }
        return NO_PAGE;
    }

    void release(final int page)
    {
        freeNumbers[page >>> 6] |= 1L << page;
    }

    /**
     * Room for {@code capacity} numbers (a multiple of 64). The bigger bitmap is built before it replaces the
     * old one, so an {@link OutOfMemoryError} (left to the page table's growth, which refuses as a whole) leaves
     * it as it was; called last in that growth, so nothing after it can fail.
     */
    void ensureCapacity(final int capacity)
    {
        if (capacity / 64 > freeNumbers.length)
        {
            freeNumbers = Arrays.copyOf(freeNumbers, capacity / 64);
        }
    }

    /** Copy the bitmap below {@code limit} into {@code image}, whose {@code freeNumbers} was sized for it. */
    void capture(final PageTableImage image, final int limit)
    {
        final int words = image.freeNumberWords();
        System.arraycopy(freeNumbers, 0, image.freeNumbers, 0, words);
        if ((limit & 63) != 0)
        {
            // numbers at or above the limit were never handed out: not part of the image
            image.freeNumbers[words - 1] &= (1L << (limit & 63)) - 1;
        }
    }

    /** Make the bitmap the (validated) image's. */
    void restore(final PageTableImage image)
    {
        Arrays.fill(freeNumbers, 0L);
        System.arraycopy(image.freeNumbers, 0, freeNumbers, 0, image.freeNumberWords());
    }
}
