package io.keelkv.engine.snapshot;

import io.keelkv.engine.keyspace.DatabaseRoots;
import io.keelkv.engine.memory.PageTableImage;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static io.keelkv.engine.snapshot.RootBlockDescriptor.*;

/**
 * Views over the records of the root block (see {@link RootBlockDescriptor}): the fixed part, a size-class
 * record, a page record, a database record and a segment handle, each at an offset in the wrapped buffer.
 * The root block is streamed record by record through the writer's and reader's buffers (it grows with the
 * page table, so it is never held whole), and these are the only places that know a record's fields.
 */
public final class RootBlockFlyweight
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private MutableDirectBuffer buffer;

    public RootBlockFlyweight wrap(final MutableDirectBuffer buffer)
    {
        this.buffer = buffer;
        return this;
    }

    // fixed part

    public void putFixed(
        final int offset, final int sizeClassCount, final int pageNumberLimit, final int databaseCount, final long hashSeed,
        final int pendingFrees)
    {
        buffer.putInt(offset + SIZE_CLASS_COUNT_OFFSET, sizeClassCount, LE);
        buffer.putInt(offset + PAGE_NUMBER_LIMIT_OFFSET, pageNumberLimit, LE);
        buffer.putInt(offset + DATABASE_COUNT_OFFSET, databaseCount, LE);
        buffer.putInt(offset + PENDING_FREE_COUNT_OFFSET, pendingFrees, LE);
        buffer.putLong(offset + HASH_SEED_OFFSET, hashSeed, LE);
    }

    public int pendingFreeCount(final int offset)
    {
        return buffer.getInt(offset + PENDING_FREE_COUNT_OFFSET, LE);
    }

    public void putPendingFree(final int offset, final long rootHandle)
    {
        buffer.putLong(offset, rootHandle, LE);
    }

    public long pendingFree(final int offset)
    {
        return buffer.getLong(offset, LE);
    }

    public long hashSeed(final int offset)
    {
        return buffer.getLong(offset + HASH_SEED_OFFSET, LE);
    }

    public int sizeClassCount(final int offset)
    {
        return buffer.getInt(offset + SIZE_CLASS_COUNT_OFFSET, LE);
    }

    public int pageNumberLimit(final int offset)
    {
        return buffer.getInt(offset + PAGE_NUMBER_LIMIT_OFFSET, LE);
    }

    public int databaseCount(final int offset)
    {
        return buffer.getInt(offset + DATABASE_COUNT_OFFSET, LE);
    }

    // size-class records

    public void putClassRecord(final int offset, final PageTableImage image, final int sizeClass)
    {
        buffer.putInt(offset + CLASS_PARTIAL_HEAD_OFFSET, image.classPartialHead(sizeClass), LE);
        buffer.putInt(offset + CLASS_CURRENT_OFFSET, image.classCurrent(sizeClass), LE);
    }

    public void getClassRecord(final int offset, final PageTableImage image, final int sizeClass)
    {
        image.sizeClassHeads(sizeClass, buffer.getInt(offset + CLASS_PARTIAL_HEAD_OFFSET, LE),
            buffer.getInt(offset + CLASS_CURRENT_OFFSET, LE));
    }

    // page records

    public void putPageRecord(final int offset, final PageTableImage image, final int page)
    {
        buffer.putByte(offset + PAGE_KIND_OFFSET, image.kind(page));
        buffer.putByte(offset + PAGE_KIND_OFFSET + 1, (byte)0);
        buffer.putShort(offset + PAGE_SIZE_CLASS_OFFSET, image.sizeClass(page), LE);
        buffer.putInt(offset + PAGE_LIVE_OFFSET, image.live(page), LE);
        buffer.putInt(offset + PAGE_FREE_HEAD_OFFSET, image.freeHead(page), LE);
        buffer.putInt(offset + PAGE_BUMP_OFFSET, image.bump(page), LE);
        buffer.putInt(offset + PAGE_NEXT_PARTIAL_OFFSET, image.nextPartial(page), LE);
        buffer.putInt(offset + PAGE_PREV_PARTIAL_OFFSET, image.prevPartial(page), LE);
        buffer.putInt(offset + PAGE_SPAN_PAGES_OFFSET, image.spanPages(page), LE);
    }

    public void getPageRecord(final int offset, final PageTableImage image, final int page)
    {
        image.page(page,
            buffer.getByte(offset + PAGE_KIND_OFFSET),
            buffer.getShort(offset + PAGE_SIZE_CLASS_OFFSET, LE),
            buffer.getInt(offset + PAGE_LIVE_OFFSET, LE),
            buffer.getInt(offset + PAGE_FREE_HEAD_OFFSET, LE),
            buffer.getInt(offset + PAGE_BUMP_OFFSET, LE),
            buffer.getInt(offset + PAGE_NEXT_PARTIAL_OFFSET, LE),
            buffer.getInt(offset + PAGE_PREV_PARTIAL_OFFSET, LE),
            buffer.getInt(offset + PAGE_SPAN_PAGES_OFFSET, LE));
    }

    // bitmap words

    public void putBitmapWord(final int offset, final long bits)
    {
        buffer.putLong(offset, bits, LE);
    }

    public long bitmapWord(final int offset)
    {
        return buffer.getLong(offset, LE);
    }

    // database records

    public void putDatabaseRecord(final int offset, final DatabaseRoots roots)
    {
        buffer.putLong(offset + DB_TABLE0_OFFSET, roots.table0(), LE);
        buffer.putLong(offset + DB_TABLE1_OFFSET, roots.table1(), LE);
        buffer.putLong(offset + DB_USED0_OFFSET, roots.used0(), LE);
        buffer.putLong(offset + DB_USED1_OFFSET, roots.used1(), LE);
        buffer.putLong(offset + DB_REHASH_INDEX_OFFSET, roots.rehashIndex(), LE);
        buffer.putInt(offset + DB_EXP0_OFFSET, roots.exp0(), LE);
        buffer.putInt(offset + DB_EXP1_OFFSET, roots.exp1(), LE);
        buffer.putInt(offset + DB_VOLATILE_SIZE_OFFSET, roots.volatileSize(), LE);
        buffer.putInt(offset + DB_SEGMENT_COUNT_OFFSET, roots.segmentCount(), LE);
    }

    /** The segment count a database record announces: how many segment handles follow it. */
    public int segmentCount(final int offset)
    {
        return buffer.getInt(offset + DB_SEGMENT_COUNT_OFFSET, LE);
    }

    public void getDatabaseRecord(final int offset, final DatabaseRoots roots)
    {
        roots.tables(
            buffer.getLong(offset + DB_TABLE0_OFFSET, LE),
            buffer.getInt(offset + DB_EXP0_OFFSET, LE),
            buffer.getLong(offset + DB_USED0_OFFSET, LE),
            buffer.getLong(offset + DB_TABLE1_OFFSET, LE),
            buffer.getInt(offset + DB_EXP1_OFFSET, LE),
            buffer.getLong(offset + DB_USED1_OFFSET, LE),
            buffer.getLong(offset + DB_REHASH_INDEX_OFFSET, LE),
            buffer.getInt(offset + DB_VOLATILE_SIZE_OFFSET, LE),
            buffer.getInt(offset + DB_SEGMENT_COUNT_OFFSET, LE));
    }

    public void putSegment(final int offset, final long handle)
    {
        buffer.putLong(offset, handle, LE);
    }

    public long segment(final int offset)
    {
        return buffer.getLong(offset, LE);
    }

    public void putCrc(final int offset, final int crc)
    {
        buffer.putInt(offset, crc, LE);
    }

    public int crc(final int offset)
    {
        return buffer.getInt(offset, LE);
    }
}
