package io.keelkv.engine.keyspace;

import io.keelkv.engine.memory.PageMemory;
import org.agrona.UnsafeApi;

import static io.keelkv.engine.keyspace.EntryDescriptor.*;

/**
 * A view over one entry (see {@link EntryDescriptor}); re-pointed with {@link #wrap(long)}, never allocated
 * per key. Reads use the raw address; writes go through {@link PageMemory}'s barrier.
 */
public final class EntryFlyweight
{
    private final PageMemory memory;
    private final int pageSizeBytes;
    private final long pageMask;
    private long handle;
    private long address;

    public EntryFlyweight(final PageMemory memory)
    {
        this.memory = memory;
        this.pageSizeBytes = memory.pageSizeBytes();
        this.pageMask = pageSizeBytes - 1L;
    }

    /**
     * Point at the entry {@code handle}, checked: its page must be in use, and its header, key and value
     * inside that page or the block run (span) it starts. Handles come from buckets and chains in page memory, which a snapshot
     * file fills: a crafted one must get an error, not a read at a wild address. Two range checks, no
     * allocation.
     */
    public EntryFlyweight wrap(final long handle)
    {
        this.handle = handle;
        this.address = memory.address(handle);
        // An entry that ends inside the page it starts in is inside page memory in use: a register test. Only
        // an entry longer than what is left of its page (a span's, or lengths that lie) gets the full check
        // against its block run; a header that itself crosses the page end is refused before it is read.
        final long offset = handle & pageMask;
        if (offset > pageSizeBytes - HEADER_LENGTH || offset + length() > pageSizeBytes)
        {
            memory.checkRange(handle, HEADER_LENGTH);
            memory.checkRange(handle, length());
        }
        return this;
    }

    /**
     * Point at a block just allocated for an entry, whose header the caller writes next: its lengths are not
     * read yet, so only the handle is checked (each write is checked by the page memory as it happens).
     */
    public EntryFlyweight wrapNew(final long handle)
    {
        this.handle = handle;
        this.address = memory.address(handle);
        return this;
    }

    public long handle()
    {
        return handle;
    }

    public long next()
    {
        return UnsafeApi.getLong(address + NEXT_OFFSET);
    }

    public void next(final long next)
    {
        memory.putLong(handle + NEXT_OFFSET, next);
    }

    public int meta()
    {
        return UnsafeApi.getInt(address + META_OFFSET);
    }

    public int type()
    {
        return meta() & TYPE_MASK;
    }

    public int encoding()
    {
        return (meta() & ENCODING_MASK) >>> ENCODING_SHIFT;
    }

    public boolean hasExpire()
    {
        return (meta() & EXPIRE_FLAG) != 0;
    }

    public int clock()
    {
        return meta() >>> CLOCK_SHIFT;
    }

    public void meta(final int type, final int encoding, final boolean hasExpire, final int clock)
    {
        memory.putInt(handle + META_OFFSET,
            (type & TYPE_MASK) | ((encoding << ENCODING_SHIFT) & ENCODING_MASK) | (hasExpire ? EXPIRE_FLAG : 0) |
            ((clock & CLOCK_MAX) << CLOCK_SHIFT));
    }

    public void encoding(final int encoding)
    {
        final int meta = meta();
        memory.putInt(handle + META_OFFSET, (meta & ~ENCODING_MASK) | ((encoding << ENCODING_SHIFT) & ENCODING_MASK));
    }

    public void clock(final int clock)
    {
        final int meta = meta();
        final int updated = (meta & ((1 << CLOCK_SHIFT) - 1)) | ((clock & CLOCK_MAX) << CLOCK_SHIFT);
        if (updated != meta)
        {
            memory.putInt(handle + META_OFFSET, updated);
        }
    }

    public int keyLength()
    {
        return UnsafeApi.getInt(address + KEY_LENGTH_OFFSET);
    }

    public int valueLength()
    {
        return UnsafeApi.getInt(address + VALUE_LENGTH_OFFSET);
    }

    public void lengths(final int keyLength, final int valueLength)
    {
        memory.putInt(handle + KEY_LENGTH_OFFSET, keyLength);
        memory.putInt(handle + VALUE_LENGTH_OFFSET, valueLength);
    }

    public void valueLength(final int valueLength)
    {
        memory.putInt(handle + VALUE_LENGTH_OFFSET, valueLength);
    }

    public long expireAt()
    {
        return hasExpire() ? UnsafeApi.getLong(address + EXPIRE_AT_OFFSET) : -1;
    }

    public void expireAt(final long expireAtMs)
    {
        memory.putLong(handle + EXPIRE_AT_OFFSET, expireAtMs);
    }

    public int volatileSlot()
    {
        return UnsafeApi.getInt(address + VOLATILE_SLOT_OFFSET);
    }

    public void volatileSlot(final int slot)
    {
        memory.putInt(handle + VOLATILE_SLOT_OFFSET, slot);
    }

    public int headerLength()
    {
        return EntryDescriptor.headerLength(hasExpire());
    }

    public long keyAddress()
    {
        return address + headerLength();
    }

    public long keyHandle()
    {
        return handle + headerLength();
    }

    public long valueAddress()
    {
        return address + headerLength() + keyLength();
    }

    public long valueHandle()
    {
        return handle + headerLength() + keyLength();
    }

    public long length()
    {
        return EntryDescriptor.entryLength(hasExpire(), keyLength(), valueLength());
    }

    public boolean keyEquals(final Object base, final long keyAddress, final int keyLength)
    {
        return keyLength() == keyLength && Hashing.equals(null, keyAddress(), base, keyAddress, keyLength);
    }

    public long keyHash()
    {
        return Hashing.hash(memory.hashSeed(), null, keyAddress(), keyLength());
    }

    public byte[] keyBytes()
    {
        final byte[] bytes = new byte[keyLength()];
        memory.getBytes(keyHandle(), bytes, 0, bytes.length);
        return bytes;
    }

    public byte[] valueBytes()
    {
        final byte[] bytes = new byte[valueLength()];
        memory.getBytes(valueHandle(), bytes, 0, bytes.length);
        return bytes;
    }
}
