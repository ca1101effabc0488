package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageMemory;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;

/**
 * A {@link ByteRegion} over {@code [handle, handle + capacity)} in page memory: where an inline listpack or
 * intset lives (the value part of an entry), or a quicklist node's. As in {@code EntryFlyweight}, reads and
 * writes use the raw address, which {@link #wrap} checks once against the block run with
 * {@link PageMemory#checkRange}, plus a register compare per access against the region. Every write passes
 * the write barrier ({@link PageMemory#beforeWriteRange}); and when any block was released since the wrap
 * (PageMemory#blockReleases), the first write checks the range against the block run again, as PageMemory's
 * own writes do on each call, so a region over a freed page throws instead of writing. That per-write check
 * (page table lookups for every byte a listpack header changes) was 13% of the loop under pipelined LPUSH
 * (native-notes/memory-guard.md). Re-pointed with {@link #wrap}, never allocated per use.
 *
 * <p>The address is taken at wrap time: re-wrap after anything that may move or free the block (a
 * reallocation to grow it, a restore).
 */
public final class PageRegion implements ByteRegion
{
    private final PageMemory memory;
    private long handle;
    private long address;
    private int capacity;
    private long releasesAtCheck;

    public PageRegion(final PageMemory memory)
    {
        this.memory = memory;
    }

    public PageRegion wrap(final long handle, final int capacity)
    {
        if (capacity < 0)
        {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        memory.checkRange(handle, Math.max(capacity, 1));
        this.handle = handle;
        this.address = memory.address(handle);
        this.capacity = capacity;
        this.releasesAtCheck = memory.blockReleases();
        return this;
    }

    /**
     * Where a write of {@code length} bytes at {@code index} goes, after the region's bounds, the block run if
     * a block was released since it was last checked, and the write barrier.
     */
    private long writeAddress(final int index, final int length)
    {
        check(index, length);
        if (memory.blockReleases() != releasesAtCheck)
        {
            memory.checkRange(handle, Math.max(capacity, 1));
            address = memory.address(handle);
            releasesAtCheck = memory.blockReleases();
        }
        memory.beforeWriteRange(handle + index, length);
        return address + index;
    }

    public long handle()
    {
        return handle;
    }

    @Override
    public int capacity()
    {
        return capacity;
    }

    private void check(final int index, final int length)
    {
        ByteRegion.check(index, length, capacity);
    }

    @Override
    public byte getByte(final int index)
    {
        check(index, 1);
        return UnsafeApi.getByte(address + index);
    }

    /** A word of the region (native order, as {@link PageMemory#getLong}). */
    public long getLong(final int index)
    {
        check(index, 8);
        return UnsafeApi.getLong(address + index);
    }

    public void putLong(final int index, final long value)
    {
        UnsafeApi.putLong(writeAddress(index, 8), value);
    }

    @Override
    public void putByte(final int index, final byte value)
    {
        UnsafeApi.putByte(writeAddress(index, 1), value);
    }

    @Override
    public void putBytes(final int index, final DirectBuffer src, final int srcIndex, final int length)
    {
        src.boundsCheck(srcIndex, length);
        if (length > 0)
        {
            UnsafeApi.copyMemory(src.byteArray(), src.addressOffset() + srcIndex, null, writeAddress(index, length), length);
        }
        else
        {
            check(index, length);
        }
    }

    @Override
    public void move(final int dstIndex, final int srcIndex, final int length)
    {
        check(srcIndex, length);
        if (length > 0)
        {
            final long to = writeAddress(dstIndex, length);
            // Unsafe.copyMemory is conjoint (overlap-safe) in HotSpot; ListpackFlyweightTest checks it
            UnsafeApi.copyMemory(address + srcIndex, to, length);
        }
        else
        {
            check(dstIndex, length);
        }
    }

    @Override
    public void getBytes(final int index, final MutableDirectBuffer dst, final int dstIndex, final int length)
    {
        check(index, length);
        dst.boundsCheck(dstIndex, length);
        UnsafeApi.copyMemory(null, address + index, dst.byteArray(), dst.addressOffset() + dstIndex, length);
    }
}
