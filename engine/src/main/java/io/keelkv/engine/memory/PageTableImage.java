package io.keelkv.engine.memory;

import java.util.Arrays;

/**
 * The allocator's per-page metadata and heads at one instant, on the heap: what a snapshot needs, besides
 * the page bytes, to rebuild {@link PageMemory} exactly (docs/ARCHITECTURE.md, "Snapshots": the root block copied at
 * the instant E starts). Captured in O(pages) by {@link PageMemory#captureImage(PageTableImage)} and
 * restored by {@link PageMemory#restore(PageTableImage)}.
 *
 * <p>One image is reused across snapshots: its arrays grow only when the page table did, so a save
 * allocates nothing here in steady state. The snapshot file's root block is written from and read into an
 * image (see {@code io.keelkv.engine.snapshot.RootBlockFlyweight}); nothing here knows the file.
 */
public final class PageTableImage
{
    public static final byte KIND_FREE = PageMemory.KIND_FREE;
    public static final byte KIND_SLAB = PageMemory.KIND_SLAB;
    public static final byte KIND_SPAN_HEAD = PageMemory.KIND_SPAN_HEAD;
    public static final byte KIND_SPAN_TAIL = PageMemory.KIND_SPAN_TAIL;

    int pageSizeBytes;
    int pageNumberLimit;
    int sizeClassCount;
    long hashSeed;
    byte[] kind = new byte[0];
    short[] sizeClass = new short[0];
    int[] live = new int[0];
    int[] freeHead = new int[0];
    int[] bump = new int[0];
    int[] nextPartial = new int[0];
    int[] prevPartial = new int[0];
    int[] spanPages = new int[0];
    // where each page's memory was at the instant: what the snapshot agent copies from (never in a file)
    long[] address = new long[0];
    long[] freeNumbers = new long[0];
    int[] classPartialHead = new int[0];
    int[] classCurrent = new int[0];

    /**
     * Size the image for a page table of {@code pageNumberLimit} numbers and {@code sizeClassCount} classes;
     * contents are undefined until filled (by a capture, or by a reader setting every field).
     */
    public void reset(final int pageSizeBytes, final int pageNumberLimit, final int sizeClassCount)
    {
        if (pageNumberLimit < 1 || pageNumberLimit > PageMemory.MAX_PAGE_NUMBERS)
        {
            throw new IllegalArgumentException("page number limit out of range: " + pageNumberLimit);
        }
        this.pageSizeBytes = pageSizeBytes;
        this.pageNumberLimit = pageNumberLimit;
        this.sizeClassCount = sizeClassCount;
        if (kind.length < pageNumberLimit)
        {
            final int capacity = Math.max(pageNumberLimit, kind.length * 2);
            kind = new byte[capacity];
            sizeClass = new short[capacity];
            live = new int[capacity];
            freeHead = new int[capacity];
            bump = new int[capacity];
            nextPartial = new int[capacity];
            prevPartial = new int[capacity];
            spanPages = new int[capacity];
            address = new long[capacity];
        }
        final int words = freeNumberWords();
        if (freeNumbers.length < words)
        {
            freeNumbers = new long[Math.max(words, freeNumbers.length * 2)];
        }
        Arrays.fill(freeNumbers, 0, words, 0L);
        if (classPartialHead.length < sizeClassCount)
        {
            classPartialHead = new int[sizeClassCount];
            classCurrent = new int[sizeClassCount];
        }
    }

    public int pageSizeBytes()
    {
        return pageSizeBytes;
    }

    /** Page numbers {@code [1, limit)} have been handed out at least once; 0 is never used. */
    public int pageNumberLimit()
    {
        return pageNumberLimit;
    }

    public int sizeClassCount()
    {
        return sizeClassCount;
    }

    /** The key hash's seed the index in the pages was built with (see PageMemory#hashSeed). */
    public long hashSeed()
    {
        return hashSeed;
    }

    public void hashSeed(final long seed)
    {
        this.hashSeed = seed;
    }

    /** Words of the free page-number bitmap: one bit per number in {@code [0, limit)}. */
    public int freeNumberWords()
    {
        return (pageNumberLimit + 63) >>> 6;
    }

    /** Pages that hold data (slab pages and every page of a span): the frames a snapshot writes. */
    public int pagesInUse()
    {
        int count = 0;
        for (int page = 1; page < pageNumberLimit; page++)
        {
            if (kind[page] != KIND_FREE)
            {
                count++;
            }
        }
        return count;
    }

    public byte kind(final int page)
    {
        return kind[page];
    }

    public short sizeClass(final int page)
    {
        return sizeClass[page];
    }

    public int live(final int page)
    {
        return live[page];
    }

    public int freeHead(final int page)
    {
        return freeHead[page];
    }

    public int bump(final int page)
    {
        return bump[page];
    }

    public int nextPartial(final int page)
    {
        return nextPartial[page];
    }

    public int prevPartial(final int page)
    {
        return prevPartial[page];
    }

    public int spanPages(final int page)
    {
        return spanPages[page];
    }

    public long freeNumberWord(final int word)
    {
        return freeNumbers[word];
    }

    public int classPartialHead(final int sizeClass)
    {
        return classPartialHead[sizeClass];
    }

    public int classCurrent(final int sizeClass)
    {
        return classCurrent[sizeClass];
    }

    /** Set one page's metadata (a reader filling the image from a file). */
    public void page(
        final int page,
        final byte kind,
        final short sizeClass,
        final int live,
        final int freeHead,
        final int bump,
        final int nextPartial,
        final int prevPartial,
        final int spanPages)
    {
        this.kind[page] = kind;
        this.sizeClass[page] = sizeClass;
        this.live[page] = live;
        this.freeHead[page] = freeHead;
        this.bump[page] = bump;
        this.nextPartial[page] = nextPartial;
        this.prevPartial[page] = prevPartial;
        this.spanPages[page] = spanPages;
    }

    public void freeNumberWord(final int word, final long bits)
    {
        freeNumbers[word] = bits;
    }

    public void sizeClassHeads(final int sizeClass, final int partialHead, final int current)
    {
        classPartialHead[sizeClass] = partialHead;
        classCurrent[sizeClass] = current;
    }
}
