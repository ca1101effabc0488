package io.keelkv.engine.types;

import static io.keelkv.engine.types.IntsetDescriptor.*;

/**
 * A view over one intset (see {@link IntsetDescriptor}) in a {@link ByteRegion}; re-pointed with
 * {@link #wrap}, never allocated per call.
 *
 * <p>Why this shape: as for {@link ListpackFlyweight}, a write that grows the set has a size-first twin
 * ({@link #sizeAfterAdd}) so the caller grows the block before {@link #add} moves bytes; a write into a
 * region too small throws {@link IllegalArgumentException} before changing anything. {@link #remove} only
 * shrinks: read {@link #sizeInBytes()} after. Lookups are binary searches over the sorted members;
 * {@link #get} by index is the hook SRANDMEMBER and SPOP use (Redis's intsetRandom picks an index).
 *
 * <p>Trust: operations assume a well-formed intset; bytes from a snapshot or a RESTORE payload must pass
 * {@link #validate} first, which reads nothing outside {@code [0, size)} and never throws on bad bytes.
 */
public final class IntsetFlyweight
{
    private ByteRegion region;

    public IntsetFlyweight wrap(final ByteRegion region)
    {
        this.region = region;
        return this;
    }

    public ByteRegion region()
    {
        return region;
    }

    /** Write an empty 16-bit intset (8 bytes) at the start of the region. */
    public IntsetFlyweight init()
    {
        requireCapacity(HEADER_LENGTH);
        putLE(ENCODING_OFFSET, 4, ENC_INT16);
        putLE(LENGTH_OFFSET, 4, 0);
        return this;
    }

    public int encoding()
    {
        return (int)getLE(ENCODING_OFFSET, 4);
    }

    public int length()
    {
        return (int)getLE(LENGTH_OFFSET, 4);
    }

    public int sizeInBytes()
    {
        return (int)sizeOf(encoding(), length());
    }

    /** The member at {@code index} in ascending order (0 <= index < length()). */
    public long get(final int index)
    {
        if (index < 0 || index >= length())
        {
            throw new IndexOutOfBoundsException("intset index " + index + " of " + length());
        }
        return member(index, encoding());
    }

    public boolean contains(final long value)
    {
        return encodingOf(value) <= encoding() && search(value) >= 0;
    }

    /** The index of {@code value}, or {@code -(insertion point) - 1} when absent (as Arrays.binarySearch). */
    public int search(final long value)
    {
        final int encoding = encoding();
        int low = 0;
        int high = length() - 1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final long m = member(mid, encoding);
            if (m < value)
            {
                low = mid + 1;
            }
            else if (m > value)
            {
                high = mid - 1;
            }
            else
            {
                return mid;
            }
        }
        return -low - 1;
    }

    /** Total bytes after adding {@code value}: unchanged when present, every member wider when it upgrades. */
    public long sizeAfterAdd(final long value)
    {
        final int encoding = encoding();
        final int needed = encodingOf(value);
        if (needed > encoding)
        {
            return sizeOf(needed, length() + 1L);
        }
        return search(value) >= 0 ? sizeInBytes() : sizeOf(encoding, length() + 1L);
    }

    /** Add {@code value}; false when it was a member already (nothing is written then). */
    public boolean add(final long value)
    {
        final int encoding = encoding();
        final int length = length();
        final int needed = encodingOf(value);
        if (needed > encoding)
        {
            // a wider value is below or above every member: rewrite from the end so no member is overwritten
            // before it is read (each new slot is at or after its old one)
            requireCapacity(sizeOf(needed, length + 1L));
            final int shift = value < 0 ? 1 : 0;
            for (int i = length - 1; i >= 0; i--)
            {
                putMember(i + shift, needed, member(i, encoding));
            }
            putMember(value < 0 ? 0 : length, needed, value);
            putLE(ENCODING_OFFSET, 4, needed);
            putLE(LENGTH_OFFSET, 4, length + 1L);
            return true;
        }
        final int found = search(value);
        if (found >= 0)
        {
            return false;
        }
        final int at = -found - 1;
        requireCapacity(sizeOf(encoding, length + 1L));
        final int from = HEADER_LENGTH + at * encoding;
        region.move(from + encoding, from, (length - at) * encoding);
        putMember(at, encoding, value);
        putLE(LENGTH_OFFSET, 4, length + 1L);
        return true;
    }

    /** Remove {@code value}; false when it was not a member. The encoding stays as it is. */
    public boolean remove(final long value)
    {
        final int encoding = encoding();
        if (encodingOf(value) > encoding)
        {
            return false;
        }
        final int at = search(value);
        if (at < 0)
        {
            return false;
        }
        final int length = length();
        final int from = HEADER_LENGTH + (at + 1) * encoding;
        region.move(from - encoding, from, (length - at - 1) * encoding);
        putLE(LENGTH_OFFSET, 4, length - 1L);
        return true;
    }

    /**
     * Whether {@code [0, size)} of the region is a well-formed, non-empty intset (Redis's deep
     * intsetValidateIntegrity): null when it is, else why not. Never throws on bad bytes.
     */
    public String validate(final int size)
    {
        if (size < HEADER_LENGTH)
        {
            return "shorter than the header";
        }
        if (size > region.capacity())
        {
            return "longer than its region";
        }
        final long encoding = getLE(ENCODING_OFFSET, 4);
        if (encoding != ENC_INT16 && encoding != ENC_INT32 && encoding != ENC_INT64)
        {
            return "unknown encoding";
        }
        final long length = getLE(LENGTH_OFFSET, 4);
        if (sizeOf((int)encoding, length) != size)
        {
            return "length does not match the size";
        }
        if (length == 0)
        {
            return "empty";
        }
        long previous = member(0, (int)encoding);
        for (int i = 1; i < length; i++)
        {
            final long current = member(i, (int)encoding);
            if (current <= previous)
            {
                return "members not strictly ascending";
            }
            previous = current;
        }
        return null;
    }

    private long member(final int index, final int encoding)
    {
        final long raw = getLE(HEADER_LENGTH + index * encoding, encoding);
        final int unused = 64 - 8 * encoding;
        return raw << unused >> unused; // sign-extend from the encoding's width
    }

    private void putMember(final int index, final int encoding, final long value)
    {
        putLE(HEADER_LENGTH + index * encoding, encoding, value);
    }

    private long getLE(final int index, final int bytes)
    {
        long v = 0;
        for (int i = bytes - 1; i >= 0; i--)
        {
            v = v << 8 | (region.getByte(index + i) & 0xFF);
        }
        return v;
    }

    private void putLE(final int index, final int bytes, final long value)
    {
        for (int i = 0; i < bytes; i++)
        {
            region.putByte(index + i, (byte)(value >>> (8 * i)));
        }
    }

    private void requireCapacity(final long bytes)
    {
        if (bytes > region.capacity())
        {
            throw new IllegalArgumentException("intset needs " + bytes + " bytes; region holds " + region.capacity());
        }
    }
}
