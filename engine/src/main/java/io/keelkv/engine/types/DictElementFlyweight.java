package io.keelkv.engine.types;

import io.keelkv.engine.keyspace.Hashing;
import io.keelkv.engine.memory.PageMemory;
import org.agrona.UnsafeApi;

import static io.keelkv.engine.types.DictElementDescriptor.*;

/**
 * A view over one dict element (see {@link DictElementDescriptor}); re-pointed with {@link #wrap}, never
 * allocated per element. Reads use the raw address, which {@link #wrap} checks; writes go through
 * {@link PageMemory}, so the snapshot's write barrier and the guard see them.
 *
 * <p>Trust: element handles come from bucket tables and chains in page memory, which a snapshot file fills.
 * {@link #wrap} checks that the header, field and value end inside the block run the handle is in, and that
 * neither length is negative (two lengths that lie could otherwise add up to a small, in-range total), so a
 * damaged element throws {@link io.keelkv.engine.memory.PageAccessException} before a byte outside page memory in use is read.
 */
public final class DictElementFlyweight
{
    private final PageMemory memory;
    private final int pageSizeBytes;
    private final long pageMask;
    private boolean withValue;
    private long handle;
    private long address;

    public DictElementFlyweight(final PageMemory memory)
    {
        this.memory = memory;
        this.pageSizeBytes = memory.pageSizeBytes();
        this.pageMask = pageSizeBytes - 1L;
    }

    /**
     * Point at the element {@code handle} of a dict whose elements carry values ({@code withValue}) or not,
     * checked. An element that ends inside the page it starts in is inside page memory in use once its page is
     * (a register test); only a longer one, or lengths that lie, get the full check against the block run.
     */
    public DictElementFlyweight wrap(final long handle, final boolean withValue)
    {
        this.handle = handle;
        this.withValue = withValue;
        this.address = memory.address(handle);
        final int header = headerLength(withValue);
        final long offset = handle & pageMask;
        if (offset > pageSizeBytes - header)
        {
            memory.checkRange(handle, header);
        }
        final int fieldLength = fieldLength();
        final int valueLength = valueLength();
        if (fieldLength < 0 || valueLength < 0)
        {
            // the guard refuses a negative length with a PageAccessException naming it: a damaged element
            memory.checkRange(handle, Math.min(fieldLength, valueLength));
        }
        final long length = elementLength(withValue, fieldLength, valueLength);
        if (offset + length > pageSizeBytes)
        {
            memory.checkRange(handle, length);
        }
        return this;
    }

    /** Point at a block just allocated for an element, whose header the caller writes next: no lengths read. */
    DictElementFlyweight wrapNew(final long handle, final boolean withValue)
    {
        this.handle = handle;
        this.withValue = withValue;
        this.address = memory.address(handle);
        return this;
    }

    public long handle()
    {
        return handle;
    }

    public boolean withValue()
    {
        return withValue;
    }

    public long next()
    {
        return UnsafeApi.getLong(address + NEXT_OFFSET);
    }

    public void next(final long next)
    {
        memory.putLong(handle + NEXT_OFFSET, next);
    }

    public int fieldLength()
    {
        return UnsafeApi.getInt(address + FIELD_LENGTH_OFFSET);
    }

    /** The value's length; 0 for a set's member, which has none. */
    public int valueLength()
    {
        return withValue ? UnsafeApi.getInt(address + VALUE_LENGTH_OFFSET) : 0;
    }

    /** Write the lengths of a new element (the value length only for a hash). */
    void lengths(final int fieldLength, final int valueLength)
    {
        memory.putInt(handle + FIELD_LENGTH_OFFSET, fieldLength);
        if (withValue)
        {
            memory.putInt(handle + VALUE_LENGTH_OFFSET, valueLength);
        }
    }

    void valueLength(final int valueLength)
    {
        memory.putInt(handle + VALUE_LENGTH_OFFSET, valueLength);
    }

    public long fieldAddress()
    {
        return address + headerLength(withValue);
    }

    public long fieldHandle()
    {
        return handle + headerLength(withValue);
    }

    public long valueAddress()
    {
        return fieldAddress() + fieldLength();
    }

    public long valueHandle()
    {
        return fieldHandle() + fieldLength();
    }

    /** The block's length as allocated: what {@link PageMemory#free} is given. */
    public long length()
    {
        return elementLength(withValue, fieldLength(), valueLength());
    }

    public boolean fieldEquals(final Object base, final long fieldAddress, final int fieldLength)
    {
        return fieldLength() == fieldLength && Hashing.equals(null, fieldAddress(), base, fieldAddress, fieldLength);
    }

    /** The field's hash under {@code seed}: where a rehash moves the element. */
    public long fieldHash(final long seed)
    {
        return Hashing.hash(seed, null, fieldAddress(), fieldLength());
    }

    /** Copy the field into {@code dst} (a heap array, or null and an address); the caller sized it. */
    public void getField(final Object dstBase, final long dstAddress)
    {
        UnsafeApi.copyMemory(null, fieldAddress(), dstBase, dstAddress, fieldLength());
    }

    public void getValue(final Object dstBase, final long dstAddress)
    {
        UnsafeApi.copyMemory(null, valueAddress(), dstBase, dstAddress, valueLength());
    }

    /** The field as a new array: for tests and rare paths, never the data path. */
    public byte[] fieldBytes()
    {
        final byte[] bytes = new byte[fieldLength()];
        memory.getBytes(fieldHandle(), bytes, 0, bytes.length);
        return bytes;
    }

    /** The value as a new array: for tests and rare paths, never the data path. */
    public byte[] valueBytes()
    {
        final byte[] bytes = new byte[valueLength()];
        memory.getBytes(valueHandle(), bytes, 0, bytes.length);
        return bytes;
    }
}
