package io.keelkv.engine.types;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A {@link ByteRegion} over {@code [offset, offset + capacity)} of an Agrona buffer: the heap form, for
 * tests, scratch space and blobs read from a file before they are placed in page memory. Re-pointed with
 * {@link #wrap}, never allocated per use. Agrona's own bounds checks stay on; the region check below keeps a
 * codec inside its window even when the buffer is larger.
 */
public final class BufferRegion implements ByteRegion
{
    private MutableDirectBuffer buffer;
    private int offset;
    private int capacity;

    public BufferRegion wrap(final MutableDirectBuffer buffer, final int offset, final int capacity)
    {
        if (offset < 0 || capacity < 0 || (long)offset + capacity > buffer.capacity())
        {
            throw new IndexOutOfBoundsException("region [" + offset + ", +" + capacity + ") of " + buffer.capacity());
        }
        this.buffer = buffer;
        this.offset = offset;
        this.capacity = capacity;
        return this;
    }

    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
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
        return buffer.getByte(offset + index);
    }

    @Override
    public void putByte(final int index, final byte value)
    {
        check(index, 1);
        buffer.putByte(offset + index, value);
    }

    @Override
    public void putBytes(final int index, final DirectBuffer src, final int srcIndex, final int length)
    {
        check(index, length);
        buffer.putBytes(offset + index, src, srcIndex, length);
    }

    @Override
    public void move(final int dstIndex, final int srcIndex, final int length)
    {
        check(dstIndex, length);
        check(srcIndex, length);
        // Agrona copies with Unsafe.copyMemory, which HotSpot implements as a conjoint (overlap-safe) copy
        buffer.putBytes(offset + dstIndex, buffer, offset + srcIndex, length);
    }

    @Override
    public void getBytes(final int index, final MutableDirectBuffer dst, final int dstIndex, final int length)
    {
        check(index, length);
        dst.putBytes(dstIndex, buffer, offset + index, length);
    }
}
