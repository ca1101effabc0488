package io.keelkv.engine.memory;

import org.agrona.UnsafeApi;

import java.util.Arrays;

/**
 * Off-heap memory of the engine: fixed-size pages, a page table, and a slab allocator on top.
 *
 * <p>Design. Every byte of data (hash tables, entries, keys, values, expiry vectors) lives in pages
 * of {@code pageSizeBytes} (a power of two) and is named by a {@code long} handle:
 * <pre>
 *   handle = pageNumber &lt;&lt; pageShift | offsetInPage        (0 is the null handle; page 0 is never used)
 * </pre>
 * A block larger than half a page is a <em>span</em>: several pages with consecutive page numbers whose
 * memory is one contiguous region, so a value of any size is read and written at one address, while
 * the page table still has one row per page. That keeps the unit of copy-on-write for snapshots one
 * page, whatever the allocation sizes are.
 *
 * <p>Small blocks come from slab pages, one size class per page (8-byte steps to 256 B, then four
 * classes per doubling up to half a page). Each slab page has its own free list threaded through its
 * free blocks, a bump pointer for the never-used tail, and a live count: when the last block of a
 * page is freed the whole page goes back to the pool, so deleting keys returns memory.
 *
 * <p>Single writer. Only the thread that owns the keyspace calls anything here that writes. Every
 * write to page memory goes through {@link #beforeWrite(int)} (via the {@code put*} methods and the
 * allocator itself): that is the one barrier the snapshot's page copy-on-write hangs on. While no
 * snapshot runs it is one plain read of a field. The allocator's own per-page metadata is on the heap
 * (O(pages), never O(keys)) so a snapshot can copy it at its instant in O(pages).
 *
 * <p>Failure: allocation returns {@link #NULL_HANDLE} when the OS refuses memory or the page table is
 * full; callers map that to an OOM reply instead of throwing on the hot path.
 */
public final class PageMemory implements AutoCloseable
{
    public static final long NULL_HANDLE = 0;
    public static final int DEFAULT_PAGE_SIZE_BYTES = 64 * 1024;
    static final int MIN_BLOCK_BYTES = 16;
    static final int NO_PAGE = 0;
    /** Page numbers are below 2^28: with pages up to 16 MiB a handle stays well inside a positive long. */
    static final int MAX_PAGE_NUMBERS = 1 << 28;
    static final int NO_FREE = -1;
    /**
     * The bounds guard of {@link #checkRange} and {@link #address}: on, always, in production. The system
     * property exists to measure what it costs (native-notes/memory-guard.md): with it false the JIT folds the
     * checks away and a bad size or handle becomes a wild access again.
     */
    static final boolean GUARD = !"false".equals(System.getProperty("keelkv.memory.guard"));

    static final byte KIND_FREE = 0;
    static final byte KIND_SLAB = 1;
    static final byte KIND_SPAN_HEAD = 2;
    static final byte KIND_SPAN_TAIL = 3;

    final int pageSizeBytes;
    final int pageShift;
    private final long pageMask;
    private final int maxSmallBytes;
    final SizeClasses sizeClasses;

    // The table and counters below are package-private for PageImages alone (a snapshot's capture and restore);
    // nothing else outside this class touches them.

    // page table and per-page allocator metadata, indexed by page number
    long[] pageAddress;
    byte[] pageKind;
    short[] pageClass;
    int[] pageLive;
    int[] pageFreeHead;
    int[] pageBump;
    int[] spanPages;
    // the guard's view of the page table: for a page in use, the first page number past the slab page or span
    // it belongs to; 0 for a free page. Derived (never in a snapshot image), so it is rebuilt on restore.
    int[] pageRunEnd;
    final PageNumbers numbers;
    int pageNumberLimit = 1; // numbers in [1, limit) have been handed out at least once

    final PartialPages partial;
    final int[] classCurrent;

    // where page memory comes from: malloc, the spare pages kept for reuse, a restore's regions
    final PageBacking backing;

    long pagesInUse;
    long allocatedBytes;
    // frees, resets and restores so far: a block's capacity, checked while this count was c, holds while it is c
    long blockReleases;
    long maxPages;

    private final WriteBarrier barrier;
    boolean barrierActive;
    final DeferredReleases deferred;
    // the key hash's seed: chosen at random per memory, restored with the pages whose index was built with it
    long hashSeed = new java.security.SecureRandom().nextLong();

    public PageMemory()
    {
        this(DEFAULT_PAGE_SIZE_BYTES, Long.MAX_VALUE);
    }

    public PageMemory(final int pageSizeBytes, final long maxTotalBytes)
    {
        if (Integer.bitCount(pageSizeBytes) != 1 || pageSizeBytes < 4096 || pageSizeBytes > (1 << 24))
        {
            throw new IllegalArgumentException("pageSizeBytes must be a power of two in [4 KiB, 16 MiB]: " + pageSizeBytes);
        }
        this.pageSizeBytes = pageSizeBytes;
        this.pageShift = Integer.numberOfTrailingZeros(pageSizeBytes);
        this.pageMask = pageSizeBytes - 1L;
        this.maxSmallBytes = pageSizeBytes / 2;
        this.sizeClasses = new SizeClasses(maxSmallBytes);
        this.maxPages = Math.max(16, maxTotalBytes / pageSizeBytes);
        this.backing = new PageBacking(pageShift, 64L << 20);
        final int initial = 1024;
        pageAddress = new long[initial];
        pageKind = new byte[initial];
        pageClass = new short[initial];
        pageLive = new int[initial];
        pageFreeHead = new int[initial];
        pageBump = new int[initial];
        spanPages = new int[initial];
        pageRunEnd = new int[initial];
        numbers = new PageNumbers(initial);
        partial = new PartialPages(sizeClasses.count(), initial);
        classCurrent = new int[sizeClasses.count()];
        barrier = new WriteBarrier(this);
        deferred = new DeferredReleases(barrier, backing, numbers);
    }

    public int pageSizeBytes()
    {
        return pageSizeBytes;
    }

    public int pageShift()
    {
        return pageShift;
    }

    /** Pages currently holding data (slab or span pages), times the page size: the honest resident figure. */
    public long pagesInUseBytes()
    {
        return pagesInUse * pageSizeBytes;
    }

    public long pagesInUse()
    {
        return pagesInUse;
    }

    /**
     * While held, the native memory of a freed span is kept instead of given back to the OS, for
     * {@link #takeHeldRuns}: the allocator's state changes at once, only the munmap waits. A snapshot's instant
     * frees a half-zeroed bucket table so (32 MB at 1.5M keys: a 4.6 ms munmap inside the instant), and its
     * agent thread gives the memory back. Event loop.
     */
    public void holdFreedRuns(final boolean hold)
    {
        backing.holdRuns(hold);
    }

    /** The native memory of the spans freed while held, or null; hand it to {@link #freeRuns}. */
    public long[] takeHeldRuns()
    {
        return backing.takeHeldRuns();
    }

    /** Give back native memory taken with {@link #takeHeldRuns}; any thread, once. */
    public static void freeRuns(final long[] runs)
    {
        PageBacking.freeRuns(runs);
    }

    /**
     * Counts every free, reset and restore. A handle can start a block of another capacity only after its block
     * was released, so what was checked of a block while this count was c ({@link #blockCapacityBytes}) still
     * holds while it is c: a view may keep its checked bounds over a block across calls instead of checking
     * them again on every element.
     */
    public long blockReleases()
    {
        return blockReleases;
    }

    /** Bytes handed out to callers, rounded up to their size class; what maxmemory is measured against. */
    public long allocatedBytes()
    {
        return allocatedBytes;
    }

    /** Upper bound of page numbers ever used; a snapshot covers {@code [1, pageNumberLimit())}. */
    public int pageNumberLimit()
    {
        return pageNumberLimit;
    }

    public WriteBarrier barrier()
    {
        return barrier;
    }

    /** The seed of the key hash that the hash index in these pages was built with (see Hashing). */
    public long hashSeed()
    {
        return hashSeed;
    }

    /** The number of bytes a block of {@code bytes} really occupies (its size class or whole pages). */
    public long blockBytes(final long bytes)
    {
        if (bytes <= maxSmallBytes)
        {
            return sizeClasses.classBytes(sizeClasses.classOf((int)Math.max(bytes, MIN_BLOCK_BYTES)));
        }
        return ((bytes + pageMask) >>> pageShift) << pageShift;
    }

    // ------------------------------------------------------------------------------------------------
    // addressing

    /**
     * The address of {@code handle}, checked: the handle must name a page in use. A handle read from page
     * memory or from a snapshot file that points anywhere else fails here with a {@link PageAccessException}
     * instead of becoming a wild access.
     */
    public long address(final long handle)
    {
        final long page = handle >>> pageShift;
        if (!GUARD)
        {
            return pageAddress[(int)page] + (handle & pageMask);
        }
        if (page >= pageNumberLimit)
        {
            throw PageAccessException.outside(handle, 0, pageNumberLimit);
        }
        final long base = pageAddress[(int)page];
        if (base == 0)
        {
            throw PageAccessException.freePage(handle, 0);
        }
        return base + (handle & pageMask);
    }

    /** The address of a handle {@link #checkRange} has just passed: no second check on the same path. */
    private long checkedAddress(final long handle)
    {
        return pageAddress[(int)(handle >>> pageShift)] + (handle & pageMask);
    }

    /**
     * Check that {@code [handle, handle + length)} lies inside one slab page or span in use (the guard every
     * write passes, and reads of a length that came from page memory). Costs a few compares; throws
     * {@link PageAccessException} instead of letting a bad size or offset reach raw memory.
     */
    public void checkRange(final long handle, final long length)
    {
        if (!GUARD)
        {
            return;
        }
        final long page = handle >>> pageShift;
        final long last = (handle + length - 1) >>> pageShift;
        // handle <= 0 or a negative length, an overflowing sum (last < page), a page beyond the table, a free
        // page (run end 0), or a range past the end of its slab page or span
        if (handle <= 0 || length < 0 || last < page || page >= pageNumberLimit || last >= pageRunEnd[(int)page])
        {
            throw handle <= 0 || length < 0 || page >= pageNumberLimit ?
                PageAccessException.outside(handle, length, pageNumberLimit) :
                pageRunEnd[(int)page] == 0 ? PageAccessException.freePage(handle, length) :
                PageAccessException.pastEnd(handle, length, pageRunEnd[(int)page]);
        }
    }

    public int pageOf(final long handle)
    {
        return (int)(handle >>> pageShift);
    }

    public long pageAddress(final int page)
    {
        return pageAddress[page];
    }

    byte kindOf(final int page)
    {
        return pageKind[page];
    }

    int spanPagesOf(final int page)
    {
        return spanPages[page];
    }

    // ------------------------------------------------------------------------------------------------
    // reads (no barrier)

    public byte getByte(final long handle)
    {
        checkRange(handle, 1);
        return UnsafeApi.getByte(checkedAddress(handle));
    }

    public int getInt(final long handle)
    {
        checkRange(handle, 4);
        return UnsafeApi.getInt(checkedAddress(handle));
    }

    public long getLong(final long handle)
    {
        checkRange(handle, 8);
        return UnsafeApi.getLong(checkedAddress(handle));
    }

    public void getBytes(final long handle, final byte[] dst, final int dstOffset, final int length)
    {
        checkRange(handle, length);
        if (dstOffset < 0 || length > dst.length - dstOffset)
        {
            throw new IndexOutOfBoundsException("getBytes of " + length + " bytes into " + dst.length + " at " + dstOffset);
        }
        UnsafeApi.copyMemory(null, checkedAddress(handle), dst, UnsafeApi.arrayBaseOffset(byte[].class) + dstOffset, length);
    }

    // ------------------------------------------------------------------------------------------------
    // writes (all through the barrier)

    public void beforeWrite(final int page)
    {
        if (barrierActive)
        {
            barrier.onWrite(page);
        }
    }

    /**
     * The write barrier for {@code [handle, handle + length)}, alone: for a writer that checked the range itself
     * and writes through an address it holds (a wrapped region, {@code PageRegion}). Every other write goes
     * through the {@code put*} methods, which call it.
     */
    public void beforeWriteRange(final long handle, final long length)
    {
        if (barrierActive)
        {
            final int first = (int)(handle >>> pageShift);
            final int last = (int)((handle + Math.max(length, 1) - 1) >>> pageShift);
            for (int p = first; p <= last; p++)
            {
                barrier.onWrite(p);
            }
        }
    }

    void barrierActive(final boolean active)
    {
        barrierActive = active;
    }

    public void putByte(final long handle, final byte value)
    {
        checkRange(handle, 1);
        beforeWrite((int)(handle >>> pageShift));
        UnsafeApi.putByte(checkedAddress(handle), value);
    }

    public void putInt(final long handle, final int value)
    {
        checkRange(handle, 4);
        beforeWriteRange(handle, 4);
        UnsafeApi.putInt(checkedAddress(handle), value);
    }

    public void putLong(final long handle, final long value)
    {
        checkRange(handle, 8);
        beforeWriteRange(handle, 8);
        UnsafeApi.putLong(checkedAddress(handle), value);
    }

    /** Copy from a heap array ({@code srcBase} non-null) or raw address ({@code srcBase} null) into page memory. */
    public void putBytes(final long handle, final Object srcBase, final long srcOffset, final long length)
    {
        if (length <= 0)
        {
            return;
        }
        checkRange(handle, length);
        beforeWriteRange(handle, length);
        UnsafeApi.copyMemory(srcBase, srcOffset, null, checkedAddress(handle), length);
    }

    public void copy(final long dstHandle, final long srcHandle, final long length)
    {
        if (length <= 0)
        {
            return;
        }
        checkRange(srcHandle, length);
        checkRange(dstHandle, length);
        beforeWriteRange(dstHandle, length);
        UnsafeApi.copyMemory(checkedAddress(srcHandle), checkedAddress(dstHandle), length);
    }

    public void fill(final long handle, final long length, final byte value)
    {
        if (length <= 0)
        {
            return;
        }
        checkRange(handle, length);
        beforeWriteRange(handle, length);
        UnsafeApi.setMemory(checkedAddress(handle), length, value);
    }

    // ------------------------------------------------------------------------------------------------
    // allocation

    /**
     * Allocate a block of at least {@code bytes}. Contents are undefined unless {@code zero}.
     *
     * @return the handle, or {@link #NULL_HANDLE} when memory or page numbers are exhausted.
     */
    public long allocate(final long bytes, final boolean zero)
    {
        if (bytes < 0)
        {
            // a size that wrapped: a bug upstream, never a block of the minimum size
            throw new IllegalArgumentException("allocation of " + bytes + " bytes");
        }
        final long handle;
        final long size;
        if (bytes <= maxSmallBytes)
        {
            final int sizeClass = sizeClasses.classOf((int)Math.max(bytes, MIN_BLOCK_BYTES));
            handle = allocateSmall(sizeClass);
            size = sizeClasses.classBytes(sizeClass);
        }
        else
        {
            handle = allocateSpan(bytes);
            size = ((bytes + pageMask) >>> pageShift) << pageShift;
        }
        if (handle != NULL_HANDLE)
        {
            allocatedBytes += size;
            if (zero)
            {
                fill(handle, size, (byte)0);
            }
        }
        return handle;
    }

    /** Free a block; {@code bytes} is the size it was allocated with (entries know their own size). */
    public void free(final long handle, final long bytes)
    {
        if (blockCapacityBytes(handle) == 0)
        {
            // a free of anything but the start of a live block would corrupt the allocator's lists
            throw PageAccessException.notABlock(handle);
        }
        blockReleases++;
        final int page = (int)(handle >>> pageShift);
        if (pageKind[page] == KIND_SPAN_HEAD)
        {
            freeSpan(page);
            return;
        }
        final int sizeClass = pageClass[page];
        final int blockBytes = sizeClasses.classBytes(sizeClass);
        allocatedBytes -= blockBytes;
        final int offset = (int)(handle & pageMask);
        final boolean wasFull = pageFreeHead[page] == NO_FREE && pageBump[page] + blockBytes > pageSizeBytes;
        if (--pageLive[page] == 0)
        {
            if (!wasFull)
            {
                partial.unlink(sizeClass, page);
            }
            if (classCurrent[sizeClass] == page)
            {
                classCurrent[sizeClass] = NO_PAGE;
            }
            releasePage(page);
            return;
        }
        // thread the block onto its page's free list: a write into the page, so through the barrier
        beforeWrite(page);
        UnsafeApi.putInt(pageAddress[page] + offset, pageFreeHead[page]);
        pageFreeHead[page] = offset;
        if (wasFull)
        {
            partial.link(sizeClass, page);
        }
    }

    private long allocateSmall(final int sizeClass)
    {
        int page = classCurrent[sizeClass];
        if (page == NO_PAGE || isFull(page))
        {
            page = partial.head(sizeClass);
            if (page == NO_PAGE)
            {
                page = takePageNumber();
                if (page == NO_PAGE || !mapPage(page))
                {
                    return NULL_HANDLE;
                }
                pageKind[page] = KIND_SLAB;
                pageRunEnd[page] = page + 1;
                pageClass[page] = (short)sizeClass;
                pageLive[page] = 0;
                pageFreeHead[page] = NO_FREE;
                pageBump[page] = 0;
                partial.link(sizeClass, page);
            }
            classCurrent[sizeClass] = page;
        }
        final int blockBytes = sizeClasses.classBytes(sizeClass);
        final int offset;
        if (pageFreeHead[page] != NO_FREE)
        {
            offset = pageFreeHead[page];
            pageFreeHead[page] = UnsafeApi.getInt(pageAddress[page] + offset);
        }
        else
        {
            offset = pageBump[page];
            pageBump[page] = offset + blockBytes;
        }
        pageLive[page]++;
        if (isFull(page))
        {
            partial.unlink(sizeClass, page);
        }
        return ((long)page << pageShift) | offset;
    }

    private boolean isFull(final int page)
    {
        return pageFreeHead[page] == NO_FREE && pageBump[page] + sizeClasses.classBytes(pageClass[page]) > pageSizeBytes;
    }

    private long allocateSpan(final long bytes)
    {
        final long pages = (bytes + pageMask) >>> pageShift;
        if (pages > MAX_PAGE_NUMBERS - pageNumberLimit || pagesInUse + pages > maxPages)
        {
            return NULL_HANDLE;
        }
        final int count = (int)pages;
        // the memory first: a refusal then leaves the page table as it was, never grown for nothing
        final long base = backing.allocateRun(count);
        if (base == 0)
        {
            return NULL_HANDLE;
        }
        final int first = takePageRun(count);
        if (first == NO_PAGE)
        {
            backing.releaseRun(base);
            return NULL_HANDLE;
        }
        for (int i = 0; i < count; i++)
        {
            final int page = first + i;
            pageAddress[page] = base + ((long)i << pageShift);
            pageKind[page] = i == 0 ? KIND_SPAN_HEAD : KIND_SPAN_TAIL;
            spanPages[page] = i == 0 ? count : 0;
            pageRunEnd[page] = first + count;
        }
        pagesInUse += count;
        return (long)first << pageShift;
    }

    private void freeSpan(final int first)
    {
        final int count = spanPages[first];
        final long address = pageAddress[first];
        allocatedBytes -= (long)count << pageShift;
        final boolean defer = deferred.needed(barrierActive, first, count);
        for (int i = 0; i < count; i++)
        {
            pageAddress[first + i] = 0;
            pageKind[first + i] = KIND_FREE;
            spanPages[first + i] = 0;
            pageRunEnd[first + i] = 0;
            if (!defer)
            {
                returnPageNumber(first + i);
            }
        }
        pagesInUse -= count;
        if (defer)
        {
            deferred.add(first, count, address, true);
        }
        else
        {
            backing.releaseRun(address);
        }
    }

    /**
     * Release the deferred runs the snapshot agent has passed (every page DONE), or all of them when
     * {@code all} (the snapshot ended). Owner thread; O(deferred runs).
     *
     * @return pages released.
     */
    public long releaseDeferred(final boolean all)
    {
        return deferred.release(all);
    }

    /** Bytes kept for a running snapshot: deferred releases and preserved copies (used_memory counts them). */
    public long snapshotRetainedBytes()
    {
        return (deferred.pages() << pageShift) + barrier.preservedBytes();
    }

    /** Pages whose release waits for the snapshot agent. */
    public long deferredPages()
    {
        return deferred.pages();
    }

    private boolean mapPage(final int page)
    {
        if (pagesInUse + 1 > maxPages)
        {
            returnPageNumber(page);
            return false;
        }
        final long address = backing.allocatePage();
        if (address == 0)
        {
            returnPageNumber(page);
            return false;
        }
        pageAddress[page] = address;
        pagesInUse++;
        return true;
    }

    private void releasePage(final int page)
    {
        final long address = pageAddress[page];
        final boolean defer = deferred.needed(barrierActive, page, 1);
        pageAddress[page] = 0;
        pageKind[page] = KIND_FREE;
        pageRunEnd[page] = 0;
        pagesInUse--;
        if (defer)
        {
            deferred.add(page, 1, address, false);
            return;
        }
        backing.releasePage(address);
        returnPageNumber(page);
    }

    /**
     * Give spare page memory back to the OS (after FLUSHALL, or when used memory must drop). Released pages of
     * a restore region stay until the whole region is free (see {@link PageBacking}).
     */
    public void trimSpares()
    {
        backing.trimSpares();
    }

    /** Restore regions still holding pages in use (tests). */
    int restoreRegions()
    {
        return backing.regionCount();
    }

    // ------------------------------------------------------------------------------------------------
    // page numbers: a bitmap of free numbers, so spans find runs and numbers never leak

    private int takePageNumber()
    {
        final int page = numbers.take(pageNumberLimit);
        return page != NO_PAGE ? page : growNumbers(1);
    }

    private int takePageRun(final int count)
    {
        final int first = numbers.takeRun(count, pageNumberLimit);
        if (first != NO_PAGE)
        {
            return first;
        }
        if (count == 1)
        {
            return takePageNumber();
        }
        return growNumbers(count);
    }

    private int growNumbers(final int count)
    {
        final long newLimit = (long)pageNumberLimit + count;
        if (newLimit >= MAX_PAGE_NUMBERS)
        {
            return NO_PAGE;
        }
        if (!ensurePageCapacity((int)newLimit))
        {
            return NO_PAGE;
        }
        final int first = pageNumberLimit;
        pageNumberLimit = (int)newLimit;
        return first;
    }

    private void returnPageNumber(final int page)
    {
        numbers.release(page);
    }

    /**
     * Grow the page table to hold {@code required} page numbers. All or nothing: the arrays are grown into
     * locals and swapped in together, so a heap that runs out half way leaves the table as it was (arrays of
     * different lengths would break every later growth). The barrier, the partial lists and the number bitmap
     * grow their own arrays, each whole; one grown before a refusal only has room to spare.
     *
     * @return false when the heap could not hold the bigger table.
     */
    boolean ensurePageCapacity(final int required)
    {
        if (required <= pageAddress.length)
        {
            return true;
        }
        int capacity = pageAddress.length;
        while (capacity < required)
        {
            capacity *= 2;
        }
        final long[] newAddress;
        final byte[] newKind;
        final short[] newClass;
        final int[] newLive;
        final int[] newFreeHead;
        final int[] newBump;
        final int[] newSpanPages;
        final int[] newRunEnd;
        try
        {
            newAddress = Arrays.copyOf(pageAddress, capacity);
            newKind = Arrays.copyOf(pageKind, capacity);
            newClass = Arrays.copyOf(pageClass, capacity);
            newLive = Arrays.copyOf(pageLive, capacity);
            newFreeHead = Arrays.copyOf(pageFreeHead, capacity);
            newBump = Arrays.copyOf(pageBump, capacity);
            newSpanPages = Arrays.copyOf(spanPages, capacity);
            newRunEnd = Arrays.copyOf(pageRunEnd, capacity);
            barrier.ensureCapacity(capacity);
            partial.ensureCapacity(capacity);
            // last: it swaps its own bigger bitmap in, so nothing after it can fail
            numbers.ensureCapacity(capacity);
        }
        catch (final OutOfMemoryError ex)
        {
            return false;
        }
        pageAddress = newAddress;
        pageKind = newKind;
        pageClass = newClass;
        pageLive = newLive;
        pageFreeHead = newFreeHead;
        pageBump = newBump;
        spanPages = newSpanPages;
        pageRunEnd = newRunEnd;
        return true;
    }

    // ------------------------------------------------------------------------------------------------
    // snapshot support: the metadata image at an instant, and restoring pages under their numbers

    public int sizeClassCount()
    {
        return sizeClasses.count();
    }

    /** Bytes of a block of {@code sizeClass}. */
    public int classBytes(final int sizeClass)
    {
        return sizeClasses.classBytes(sizeClass);
    }

    /**
     * Copy the per-page metadata, the free page-number bitmap and the size-class heads into {@code image}:
     * O(pages) plain copies and no allocation once the image is big enough. Owner thread; this is the part
     * of a snapshot's instant that is not in pages.
     */
    public void captureImage(final PageTableImage image)
    {
        PageImages.capture(this, image);
    }

    /**
     * Make this (empty) memory the one {@code image} describes: memory is mapped for every page in use,
     * under its page number, each span again one contiguous region, and the allocator's metadata is set
     * from the image. Page contents are undefined until the caller copies each page into
     * {@link #pageAddress(int)}; then {@link #verifyFreeLists()} checks the free lists threaded through them.
     *
     * <p>The image is checked first (kinds, size classes, bump pointers and live counts within a page,
     * span lengths, the free-number bitmap against the kinds, partial lists linked both ways and holding
     * exactly the slab pages with room), so a crafted or damaged image is refused before anything is
     * mapped. All or nothing: on refusal or when memory cannot be had, this memory is left empty.
     *
     * @return null when restored, else why not.
     */
    public String restore(final PageTableImage image)
    {
        return PageImages.restore(this, image);
    }

    /**
     * After a restore and the page copies: walk the free list threaded through each slab page and check it
     * holds exactly the free blocks below the bump pointer, each once, at block boundaries. O(free blocks).
     *
     * @return null when every list is sound, else the first page whose list is not.
     */
    public String verifyFreeLists()
    {
        return PageImages.verifyFreeLists(this);
    }

    /**
     * The bytes of the block {@code handle} starts, or 0 when it does not start one: a span's head page at
     * offset 0, or a block boundary below a slab page's bump pointer. The check a restore applies to every
     * root handle (hash tables, volatile segments) before it trusts it.
     */
    public long blockCapacityBytes(final long handle)
    {
        final long page = handle >>> pageShift;
        if (handle <= 0 || page >= pageNumberLimit)
        {
            return 0;
        }
        final int p = (int)page;
        final int offset = (int)(handle & pageMask);
        if (pageKind[p] == KIND_SPAN_HEAD)
        {
            return offset == 0 ? (long)spanPages[p] << pageShift : 0;
        }
        if (pageKind[p] == KIND_SLAB)
        {
            final int blockBytes = sizeClasses.classBytes(pageClass[p]);
            return offset < pageBump[p] && offset % blockBytes == 0 ? blockBytes : 0;
        }
        return 0;
    }

    /** Free everything at once: FLUSHALL. O(pages), never O(keys). */
    public void reset()
    {
        blockReleases++;
        for (int page = 1; page < pageNumberLimit; page++)
        {
            if (pageKind[page] == KIND_SLAB)
            {
                releasePage(page);
            }
            else if (pageKind[page] == KIND_SPAN_HEAD)
            {
                freeSpan(page);
            }
        }
        partial.clear();
        Arrays.fill(classCurrent, NO_PAGE);
        allocatedBytes = 0;
    }

    public void setMaxTotalBytes(final long maxTotalBytes)
    {
        this.maxPages = Math.max(16, maxTotalBytes / pageSizeBytes);
    }

    @Override
    public void close()
    {
        reset();
        trimSpares();
    }
}
