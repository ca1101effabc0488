package io.keelkv.engine.memory;

import org.agrona.UnsafeApi;

import java.util.Arrays;

import static io.keelkv.engine.memory.PageMemory.KIND_FREE;
import static io.keelkv.engine.memory.PageMemory.KIND_SLAB;
import static io.keelkv.engine.memory.PageMemory.KIND_SPAN_HEAD;
import static io.keelkv.engine.memory.PageMemory.KIND_SPAN_TAIL;
import static io.keelkv.engine.memory.PageMemory.NO_FREE;
import static io.keelkv.engine.memory.PageMemory.NO_PAGE;

/**
 * Snapshot support of {@link PageMemory}: its allocator metadata copied into a {@link PageTableImage} at an
 * instant, and an empty memory made the one an image describes, with pages mapped again under their numbers.
 *
 * <p>Why apart: this is the translation between the live page table and its image (O(pages), run once per save
 * or load), not allocation; it reads and sets {@code PageMemory}'s table and counters directly (package-private
 * for this class alone; nothing else outside {@code PageMemory} writes them), so the hot path keeps its fields
 * where it reads them. Invariants: an image is validated in full before anything is mapped, and a restore is
 * all or nothing (refused or out of memory, the memory is left empty). Owner thread only.
 */
final class PageImages
{
    private PageImages()
    {
    }

    /** {@link PageMemory#captureImage}: O(pages) plain copies, no allocation once the image is big enough. */
    static void capture(final PageMemory memory, final PageTableImage image)
    {
        final int limit = memory.pageNumberLimit;
        image.reset(memory.pageSizeBytes, limit, memory.sizeClasses.count());
        System.arraycopy(memory.pageKind, 0, image.kind, 0, limit);
        System.arraycopy(memory.pageClass, 0, image.sizeClass, 0, limit);
        System.arraycopy(memory.pageLive, 0, image.live, 0, limit);
        System.arraycopy(memory.pageFreeHead, 0, image.freeHead, 0, limit);
        System.arraycopy(memory.pageBump, 0, image.bump, 0, limit);
        memory.partial.capture(image, limit);
        System.arraycopy(memory.spanPages, 0, image.spanPages, 0, limit);
        System.arraycopy(memory.pageAddress, 0, image.address, 0, limit);
        memory.numbers.capture(image, limit);
        memory.deferred.markFree(image);
        System.arraycopy(memory.classCurrent, 0, image.classCurrent, 0, memory.sizeClasses.count());
        image.hashSeed = memory.hashSeed;
    }

    /** {@link PageMemory#restore}: validate, map every page in use under its number, then set the metadata. */
    static String restore(final PageMemory memory, final PageTableImage image)
    {
        memory.blockReleases++;
        if (memory.pagesInUse != 0)
        {
            return "page memory is not empty (" + memory.pagesInUse + " pages in use)";
        }
        if (memory.barrierActive)
        {
            return "a snapshot is running";
        }
        final String invalid = validate(memory, image);
        if (invalid != null)
        {
            return invalid;
        }
        final int limit = image.pageNumberLimit;
        long pages = 0;
        for (int page = 1; page < limit; page++)
        {
            pages += image.kind[page] == KIND_FREE ? 0 : 1;
        }
        if (pages > memory.maxPages)
        {
            return pages + " pages needed, " + memory.maxPages + " allowed";
        }
        if (!memory.ensurePageCapacity(limit))
        {
            return "no heap for a page table of " + limit + " pages";
        }
        Arrays.fill(memory.pageAddress, 0);
        Arrays.fill(memory.pageRunEnd, 0);
        int slabPages = 0;
        for (int page = 1; page < limit; page++)
        {
            slabPages += image.kind[page] == KIND_SLAB ? 1 : 0;
        }
        // slab pages in regions, in page-number order: the order a load writes them in
        final long[] slabMemory = new long[slabPages];
        if (!memory.backing.allocateForRestore(slabMemory, 0, slabPages))
        {
            Arrays.fill(memory.pageAddress, 0);
            return "out of memory mapping " + slabPages + " slab pages";
        }
        long allocated = 0;
        int slab = 0;
        for (int page = 1; page < limit; page++)
        {
            final byte kind = image.kind[page];
            if (kind == KIND_SLAB)
            {
                memory.pageAddress[page] = slabMemory[slab++];
                memory.pageRunEnd[page] = page + 1;
                allocated += (long)image.live[page] * memory.sizeClasses.classBytes(image.sizeClass[page]);
            }
            else if (kind == KIND_SPAN_HEAD)
            {
                final int count = image.spanPages[page];
                final long address = memory.backing.allocateRun(count);
                if (address == 0)
                {
                    unmapRestored(memory, image, page, slabMemory, slab);
                    return "out of memory mapping page " + page + " of " + limit;
                }
                for (int i = 0; i < count; i++)
                {
                    memory.pageAddress[page + i] = address + ((long)i << memory.pageShift);
                    memory.pageRunEnd[page + i] = page + count;
                }
                allocated += (long)count << memory.pageShift;
            }
        }
        memory.pageNumberLimit = limit;
        System.arraycopy(image.kind, 0, memory.pageKind, 0, limit);
        System.arraycopy(image.sizeClass, 0, memory.pageClass, 0, limit);
        System.arraycopy(image.live, 0, memory.pageLive, 0, limit);
        System.arraycopy(image.freeHead, 0, memory.pageFreeHead, 0, limit);
        System.arraycopy(image.bump, 0, memory.pageBump, 0, limit);
        memory.partial.restore(image, limit);
        System.arraycopy(image.spanPages, 0, memory.spanPages, 0, limit);
        memory.numbers.restore(image);
        System.arraycopy(image.classCurrent, 0, memory.classCurrent, 0, memory.sizeClasses.count());
        memory.pagesInUse = pages;
        memory.allocatedBytes = allocated;
        memory.hashSeed = image.hashSeed;
        return null;
    }

    /**
     * Free what {@link #restore} mapped after a failure at page {@code upTo}: the pages below it, and the slab
     * memory not handed to a page yet ({@code slabMemory} from {@code nextSlab}). The metadata was not set yet.
     */
    private static void unmapRestored(final PageMemory memory, final PageTableImage image, final int upTo,
        final long[] slabMemory, final int nextSlab)
    {
        for (int page = 1; page < upTo; page++)
        {
            final byte kind = image.kind[page];
            if (kind == KIND_SLAB)
            {
                memory.backing.releasePage(memory.pageAddress[page]);
            }
            else if (kind == KIND_SPAN_HEAD)
            {
                memory.backing.releaseRun(memory.pageAddress[page]);
            }
        }
        for (int i = nextSlab; i < slabMemory.length; i++)
        {
            memory.backing.releasePage(slabMemory[i]);
        }
        // tails of a span that started below upTo were set too
        Arrays.fill(memory.pageAddress, 0);
        Arrays.fill(memory.pageRunEnd, 0);
    }

    /** {@link PageMemory#verifyFreeLists}: O(free blocks). */
    static String verifyFreeLists(final PageMemory memory)
    {
        for (int page = 1; page < memory.pageNumberLimit; page++)
        {
            if (memory.pageKind[page] != KIND_SLAB)
            {
                continue;
            }
            final int blockBytes = memory.sizeClasses.classBytes(memory.pageClass[page]);
            final int expected = memory.pageBump[page] / blockBytes - memory.pageLive[page];
            int count = 0;
            int offset = memory.pageFreeHead[page];
            while (offset != NO_FREE)
            {
                if (offset < 0 || offset >= memory.pageBump[page] || offset % blockBytes != 0 || ++count > expected)
                {
                    return "page " + page + ": free list of size class " + memory.pageClass[page] + " (" + blockBytes +
                        " B) is broken at block offset " + offset;
                }
                offset = UnsafeApi.getInt(memory.pageAddress[page] + offset);
            }
            if (count != expected)
            {
                return "page " + page + ": free list holds " + count + " blocks, " + expected + " expected";
            }
        }
        return null;
    }

    /**
     * Check an image before anything is mapped for it: kinds, size classes, bump pointers and live counts
     * within a page, span lengths, the free-number bitmap against the kinds, partial lists linked both ways and
     * holding exactly the slab pages with room.
     *
     * @return null when sound, else the first thing wrong.
     */
    private static String validate(final PageMemory memory, final PageTableImage image)
    {
        if (image.pageSizeBytes != memory.pageSizeBytes)
        {
            return "page size " + image.pageSizeBytes + " differs from " + memory.pageSizeBytes;
        }
        if (image.sizeClassCount != memory.sizeClasses.count())
        {
            return image.sizeClassCount + " size classes, " + memory.sizeClasses.count() + " expected";
        }
        final int limit = image.pageNumberLimit;
        if ((image.freeNumbers[0] & 1L) != 0)
        {
            return "page number 0 is marked free";
        }
        if ((limit & 63) != 0 && (image.freeNumbers[image.freeNumberWords() - 1] & -(1L << (limit & 63))) != 0)
        {
            return "page memory.numbers at or above the limit " + limit + " are marked free";
        }
        int slabsWithRoom = 0;
        for (int page = 1; page < limit; page++)
        {
            final byte kind = image.kind[page];
            final boolean free = (image.freeNumbers[page >>> 6] & (1L << page)) != 0;
            if (free != (kind == KIND_FREE))
            {
                return "page " + page + ": kind " + kind + " disagrees with the free page-number bitmap";
            }
            if (kind == KIND_SLAB)
            {
                final int sizeClass = image.sizeClass[page];
                if (sizeClass < 0 || sizeClass >= memory.sizeClasses.count())
                {
                    return "page " + page + ": size class " + sizeClass + " out of range";
                }
                final int blockBytes = memory.sizeClasses.classBytes(sizeClass);
                final int bump = image.bump[page];
                final int live = image.live[page];
                final int freeHead = image.freeHead[page];
                if (bump < 0 || bump > memory.pageSizeBytes || bump % blockBytes != 0 || live < 1 || live > bump / blockBytes)
                {
                    return "page " + page + ": bump " + bump + " and live count " + live + " do not fit blocks of " +
                        blockBytes + " B";
                }
                if (freeHead != NO_FREE && (freeHead < 0 || freeHead >= bump || freeHead % blockBytes != 0))
                {
                    return "page " + page + ": free-list head " + freeHead + " is not a block below the bump " + bump;
                }
                if ((freeHead == NO_FREE) != (live == bump / blockBytes))
                {
                    return "page " + page + ": free-list head " + freeHead + " disagrees with live count " + live;
                }
                if (!(freeHead == NO_FREE && bump + blockBytes > memory.pageSizeBytes))
                {
                    slabsWithRoom++;
                }
            }
            else if (kind == KIND_SPAN_HEAD)
            {
                final int count = image.spanPages[page];
                if (count < 1 || (long)page + count > limit)
                {
                    return "page " + page + ": span of " + count + " pages does not fit below the limit " + limit;
                }
                for (int i = 1; i < count; i++)
                {
                    if (image.kind[page + i] != KIND_SPAN_TAIL ||
                        (image.freeNumbers[(page + i) >>> 6] & (1L << (page + i))) != 0)
                    {
                        return "page " + (page + i) + " should continue the span that starts at page " + page;
                    }
                }
                page += count - 1;
            }
            else if (kind != KIND_FREE)
            {
                return "page " + page + ": kind " + kind + (kind == KIND_SPAN_TAIL ? " without its span's head" : " unknown");
            }
        }
        int linked = 0;
        for (int sizeClass = 0; sizeClass < memory.sizeClasses.count(); sizeClass++)
        {
            int prev = NO_PAGE;
            for (int page = image.classPartialHead[sizeClass]; page != NO_PAGE; page = image.nextPartial[page])
            {
                if (page < 1 || page >= limit || image.kind[page] != KIND_SLAB || image.sizeClass[page] != sizeClass ||
                    image.prevPartial[page] != prev || ++linked > slabsWithRoom)
                {
                    return "memory.partial list of size class " + sizeClass + " is broken at page " + page;
                }
                prev = page;
            }
            final int current = image.classCurrent[sizeClass];
            if (current != NO_PAGE && (current < 1 || current >= limit || image.kind[current] != KIND_SLAB ||
                image.sizeClass[current] != sizeClass))
            {
                return "current page " + current + " of size class " + sizeClass + " is not one of its slab pages";
            }
        }
        if (linked != slabsWithRoom)
        {
            return linked + " pages on memory.partial lists, but " + slabsWithRoom + " slab pages have room";
        }
        return null;
    }
}
