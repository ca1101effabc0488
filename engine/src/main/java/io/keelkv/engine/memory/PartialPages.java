package io.keelkv.engine.memory;

import java.util.Arrays;

/**
 * The partial-page lists of a {@link PageMemory}: per size class, the slab pages that have room, doubly linked
 * through heap arrays indexed by page number, so a free that makes a full page partial and an allocation that
 * fills one both cost O(1), and a snapshot copies the lists with the page table in O(pages).
 *
 * <p>Invariants: a slab page is on its class's list exactly when it has room (a free block or bump space);
 * {@code prev} of a list's head is 0, and 0 ends a list (page 0 is never used). Which page a class allocates
 * from next ({@code classCurrent}) stays in {@link PageMemory}: every small allocation reads it. Owner thread only.
 */
final class PartialPages
{
    private static final int NO_PAGE = 0;

    private final int[] classPartialHead;
    private int[] pageNextPartial;
    private int[] pagePrevPartial;

    PartialPages(final int sizeClassCount, final int capacity)
    {
        classPartialHead = new int[sizeClassCount];
        pageNextPartial = new int[capacity];
        pagePrevPartial = new int[capacity];
    }

    /** The first page of {@code sizeClass} with room, or 0. */
    int head(final int sizeClass)
    {
        return classPartialHead[sizeClass];
    }

    void link(final int sizeClass, final int page)
    {
        final int head = classPartialHead[sizeClass];
        pageNextPartial[page] = head;
        pagePrevPartial[page] = NO_PAGE;
        if (head != NO_PAGE)
        {
            pagePrevPartial[head] = page;
        }
        classPartialHead[sizeClass] = page;
    }

    void unlink(final int sizeClass, final int page)
    {
        final int next = pageNextPartial[page];
        final int prev = pagePrevPartial[page];
        if (prev != NO_PAGE)
        {
            pageNextPartial[prev] = next;
        }
        else if (classPartialHead[sizeClass] == page)
        {
            classPartialHead[sizeClass] = next;
        }
        if (next != NO_PAGE)
        {
            pagePrevPartial[next] = prev;
        }
        pageNextPartial[page] = NO_PAGE;
        pagePrevPartial[page] = NO_PAGE;
    }

    /** Every list empty: FLUSHALL, once every slab page was released. */
    void clear()
    {
        Arrays.fill(classPartialHead, NO_PAGE);
    }

    /**
     * Room for {@code capacity} page numbers. Both arrays are grown before either is swapped in, so an
     * {@link OutOfMemoryError} (left to the page table's growth, which refuses as a whole) leaves them as they
     * were; grown a little ahead of a refused page table they only have room to spare.
     */
    void ensureCapacity(final int capacity)
    {
        if (capacity > pageNextPartial.length)
        {
            final int[] newNextPartial = Arrays.copyOf(pageNextPartial, capacity);
            final int[] newPrevPartial = Arrays.copyOf(pagePrevPartial, capacity);
            pageNextPartial = newNextPartial;
            pagePrevPartial = newPrevPartial;
        }
    }

    void capture(final PageTableImage image, final int limit)
    {
        System.arraycopy(pageNextPartial, 0, image.nextPartial, 0, limit);
        System.arraycopy(pagePrevPartial, 0, image.prevPartial, 0, limit);
        System.arraycopy(classPartialHead, 0, image.classPartialHead, 0, classPartialHead.length);
    }

    /** Make the lists the (validated) image's. */
    void restore(final PageTableImage image, final int limit)
    {
        System.arraycopy(image.nextPartial, 0, pageNextPartial, 0, limit);
        System.arraycopy(image.prevPartial, 0, pagePrevPartial, 0, limit);
        System.arraycopy(image.classPartialHead, 0, classPartialHead, 0, classPartialHead.length);
    }
}
