package io.keelkv.engine.keyspace;

import io.keelkv.engine.memory.PageMemory;

import java.util.Arrays;

/**
 * The keys of one database that carry a TTL, as a dense vector of entry handles in page-sized segments.
 * Each such entry stores its slot, so removal is a swap with the last slot: O(1), and sampling a random
 * volatile key for active expiry or volatile-* eviction is one random index. Growing adds one segment,
 * never copies: no O(n) stall.
 */
final class VolatileSet
{
    private final PageMemory memory;
    private final EntryFlyweight moved;
    private final int segmentShift;
    private final int segmentMask;
    private long[] segments = new long[16];
    private int segmentCount;
    private int size;

    VolatileSet(final PageMemory memory)
    {
        this.memory = memory;
        this.moved = new EntryFlyweight(memory);
        final int slotsPerSegment = memory.pageSizeBytes() / 8;
        this.segmentShift = Integer.numberOfTrailingZeros(slotsPerSegment);
        this.segmentMask = slotsPerSegment - 1;
    }

    int size()
    {
        return size;
    }

    long get(final int slot)
    {
        return memory.getLong(slotHandle(slot));
    }

    /** @return the slot, or -1 when no memory could be had for a new segment. */
    int add(final long entryHandle)
    {
        final int slot = size;
        if ((slot >>> segmentShift) == segmentCount)
        {
            final long segment = memory.allocate(memory.pageSizeBytes(), false);
            if (segment == PageMemory.NULL_HANDLE)
            {
                return -1;
            }
            if (segmentCount == segments.length)
            {
                segments = Arrays.copyOf(segments, segmentCount * 2);
            }
            segments[segmentCount++] = segment;
        }
        memory.putLong(slotHandle(slot), entryHandle);
        size++;
        return slot;
    }

    void update(final int slot, final long entryHandle)
    {
        memory.putLong(slotHandle(slot), entryHandle);
    }

    void remove(final int slot)
    {
        final int last = size - 1;
        if (slot != last)
        {
            final long lastEntry = get(last);
            memory.putLong(slotHandle(slot), lastEntry);
            moved.wrap(lastEntry).volatileSlot(slot);
        }
        size = last;
        // keep one spare segment to avoid churn at a boundary; free the rest
        while (segmentCount > 1 && ((size + segmentMask) >>> segmentShift) < segmentCount - 1)
        {
            memory.free(segments[--segmentCount], memory.pageSizeBytes());
        }
    }

    void clear()
    {
        for (int i = 0; i < segmentCount; i++)
        {
            memory.free(segments[i], memory.pageSizeBytes());
        }
        segmentCount = 0;
        size = 0;
    }

    void swapWith(final VolatileSet other)
    {
        final long[] s = segments;
        segments = other.segments;
        other.segments = s;
        int i = segmentCount;
        segmentCount = other.segmentCount;
        other.segmentCount = i;
        i = size;
        size = other.size;
        other.size = i;
    }

    /** Forget segments without freeing: the page memory was reset as a whole. */
    void forget()
    {
        segmentCount = 0;
        size = 0;
    }

    void captureRoots(final DatabaseRoots roots)
    {
        roots.volatileSize = size;
        roots.ensureSegments(segmentCount);
        roots.segmentCount = segmentCount;
        System.arraycopy(segments, 0, roots.segments, 0, segmentCount);
    }

    /** @return null when the roots describe a sound vector over this memory, else why not. */
    String checkRoots(final DatabaseRoots roots)
    {
        final long slotsPerSegment = segmentMask + 1L;
        if (roots.segmentCount < 0 || roots.volatileSize < 0 ||
            roots.volatileSize > roots.segmentCount * slotsPerSegment)
        {
            return "volatile vector of " + roots.volatileSize + " keys does not fit its " + roots.segmentCount + " segments";
        }
        for (int i = 0; i < roots.segmentCount; i++)
        {
            if (memory.blockCapacityBytes(roots.segments[i]) < memory.pageSizeBytes())
            {
                return "volatile segment " + i + " (handle " + roots.segments[i] + ") is not a page-sized block";
            }
        }
        return null;
    }

    void restoreRoots(final DatabaseRoots roots)
    {
        if (segments.length < roots.segmentCount)
        {
            segments = new long[Math.max(16, roots.segmentCount * 2)];
        }
        System.arraycopy(roots.segments, 0, segments, 0, roots.segmentCount);
        segmentCount = roots.segmentCount;
        size = roots.volatileSize;
    }

    private long slotHandle(final int slot)
    {
        return segments[slot >>> segmentShift] + ((long)(slot & segmentMask) << 3);
    }
}
