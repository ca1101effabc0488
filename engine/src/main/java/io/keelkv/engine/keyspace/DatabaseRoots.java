package io.keelkv.engine.keyspace;

import java.util.Arrays;

/**
 * The roots of one {@link Database} that live on the heap, at one instant: the handles and sizes of its two
 * hash tables, the incremental rehash position, and its volatile-key vector's segments. Everything they point
 * at is in pages, so with these and the pages a snapshot restores the index as it was, mid-rehash included,
 * without touching a key. One instance per database, reused across snapshots.
 */
public final class DatabaseRoots
{
    long table0;
    long table1;
    int exp0 = -1;
    int exp1 = -1;
    long used0;
    long used1;
    long rehashIndex = -1;
    int volatileSize;
    int segmentCount;
    long[] segments = new long[16];

    public long table0()
    {
        return table0;
    }

    public long table1()
    {
        return table1;
    }

    public int exp0()
    {
        return exp0;
    }

    public int exp1()
    {
        return exp1;
    }

    public long used0()
    {
        return used0;
    }

    public long used1()
    {
        return used1;
    }

    public long rehashIndex()
    {
        return rehashIndex;
    }

    /** Keys with a TTL: the volatile vector's size. */
    public int volatileSize()
    {
        return volatileSize;
    }

    public int segmentCount()
    {
        return segmentCount;
    }

    public long segment(final int index)
    {
        return segments[index];
    }

    public long keys()
    {
        return used0 + used1;
    }

    /** Set every root (a reader filling these from a file); segments follow with {@link #segment(int, long)}. */
    public void tables(
        final long table0,
        final int exp0,
        final long used0,
        final long table1,
        final int exp1,
        final long used1,
        final long rehashIndex,
        final int volatileSize,
        final int segmentCount)
    {
        this.table0 = table0;
        this.exp0 = exp0;
        this.used0 = used0;
        this.table1 = table1;
        this.exp1 = exp1;
        this.used1 = used1;
        this.rehashIndex = rehashIndex;
        this.volatileSize = volatileSize;
        ensureSegments(segmentCount);
        this.segmentCount = segmentCount;
    }

    public void segment(final int index, final long handle)
    {
        segments[index] = handle;
    }

    void ensureSegments(final int count)
    {
        if (segments.length < count)
        {
            segments = Arrays.copyOf(segments, Math.max(count, segments.length * 2));
        }
    }
}
