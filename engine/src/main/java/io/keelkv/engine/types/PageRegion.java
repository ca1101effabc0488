package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageMemory;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;

/**
 * A {@link ByteRegion} over {@code [handle, handle + capacity)} in page memory: where an inline listpack or
 * intset lives (the value part of an entry). As in {@code EntryFlyweight}, reads use the raw address, which
 * {@link #wrap} checks once against the block run with {@link PageMemory#checkRange}, plus a register
 * compare per read against the region; every write goes through {@link PageMemory}'s put/copy, so the write
 * barrier and the guard see it. Re-pointed with {@link #wrap}, never allocated per use.
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
        return this;
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

    @Override
    public void putByte(final int index, final byte value)
    {
        check(index, 1);
        memory.putByte(handle + index, value);
    }

    @Override
    public void putBytes(final int index, final DirectBuffer src, final int srcIndex, final int length)
    {
        check(index, length);
        src.boundsCheck(srcIndex, length);
        memory.putBytes(handle + index, src.byteArray(), src.addressOffset() + srcIndex, length);
    }

    @Override
    public void move(final int dstIndex, final int srcIndex, final int length)
    {
        check(dstIndex, length);
        check(srcIndex, length);
        // PageMemory.copy is Unsafe.copyMemory: conjoint (overlap-safe) in HotSpot; ListpackFlyweightTest checks it
        memory.copy(handle + dstIndex, handle + srcIndex, length);
    }

    @Override
    public void getBytes(final int index, final MutableDirectBuffer dst, final int dstIndex, final int length)
    {
        check(index, length);
        dst.boundsCheck(dstIndex, length);
        UnsafeApi.copyMemory(null, address + index, dst.byteArray(), dst.addressOffset() + dstIndex, length);
    }
}
