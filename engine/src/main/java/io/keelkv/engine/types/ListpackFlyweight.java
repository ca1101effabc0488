package io.keelkv.engine.types;

import org.agrona.DirectBuffer;

import static io.keelkv.engine.types.ListpackDescriptor.*;

/**
 * A view over one listpack (see {@link ListpackDescriptor}) in a {@link ByteRegion}; re-pointed with
 * {@link #wrap}, never allocated per element or per call.
 *
 * <p>Why this shape. Elements are named by their byte offset in the region (Redis's element pointers), or
 * {@link #NONE}. Reading an element is {@link #load}: it decodes the element into this flyweight's fields,
 * so the caller reads {@link #isInteger()} and {@link #integer()}, or {@link #stringOffset()} and
 * {@link #stringLength()} (a byte range of the region), with no object per element. Writes never allocate
 * either: each one has a {@code sizeAfter*} twin that computes the new total bytes first, so the caller
 * grows the block (and re-wraps) before the write moves bytes; a write into a region too small for it
 * throws {@link IllegalArgumentException} before changing anything. Deletes only shrink: the caller reads
 * {@link #totalBytes()} after and may shrink the block.
 *
 * <p>Trust. Iteration, lookup and writes assume a well-formed listpack (one this engine wrote, or one
 * {@link #validate} accepted), as Redis's do; on malformed bytes they may return nonsense or throw, but the
 * region's bounds checks keep every access inside it. Bytes from a snapshot or a DUMP payload must pass
 * {@link #validate} first: it checks every length and backlen before reading past it, never throws on bad
 * data, and reads nothing outside {@code [0, size)}.
 *
 * <p>The element count in the header is kept as Redis keeps it, including the "unknown" value 65535 reached
 * by counting up; {@link #count()} walks in that case but, unlike Redis's lpLength, never writes the header
 * back (a read stays a read, which matters under the snapshot's write barrier).
 */
public final class ListpackFlyweight
{
    /** No element: the end of an iteration, a failed seek or find. */
    public static final int NONE = -1;
    public static final int BEFORE = 0;
    public static final int AFTER = 1;

    private ByteRegion region;

    // the element decoded by load()
    private boolean elementInteger;
    private long elementValue;
    private int elementStringOffset;
    private int elementStringLength;

    public ListpackFlyweight wrap(final ByteRegion region)
    {
        this.region = region;
        return this;
    }

    public ByteRegion region()
    {
        return region;
    }

    /** Write an empty listpack (7 bytes) at the start of the region. */
    public ListpackFlyweight init()
    {
        requireCapacity(EMPTY_LENGTH);
        putU32(TOTAL_BYTES_OFFSET, EMPTY_LENGTH);
        putU16(COUNT_OFFSET, 0);
        region.putByte(HEADER_LENGTH, (byte)EOF);
        return this;
    }

    // ------------------------------------------------------------------------------------------------
    // header

    public int totalBytes()
    {
        return (int)u32(TOTAL_BYTES_OFFSET);
    }

    /** The header's count: exact below 65535, {@link ListpackDescriptor#COUNT_UNKNOWN} otherwise. */
    public int headerCount()
    {
        return u16(COUNT_OFFSET);
    }

    /** The number of elements: the header's, or a walk when the header says unknown (nothing is written). */
    public int count()
    {
        final int header = headerCount();
        if (header != COUNT_UNKNOWN)
        {
            return header;
        }
        int n = 0;
        for (int p = first(); p != NONE; p = next(p))
        {
            n++;
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------------
    // iteration

    public int first()
    {
        return u8(HEADER_LENGTH) == EOF ? NONE : HEADER_LENGTH;
    }

    public int last()
    {
        return prev(totalBytes() - 1);
    }

    /** The element after {@code p}, or {@link #NONE} after the last. */
    public int next(final int p)
    {
        final int q = p + elementLength(p);
        return u8(q) == EOF ? NONE : q;
    }

    /** The element before {@code p} (which may be the terminator's offset), or {@link #NONE} before the first. */
    public int prev(final int p)
    {
        if (p <= HEADER_LENGTH)
        {
            return NONE;
        }
        final long size = decodeBacklen(p - 1);
        return (int)(p - size - backlenSize(size));
    }

    /** The element at {@code index}, negative counting from the end (-1 the last), or {@link #NONE} when out of range. */
    public int seek(final long index)
    {
        long i = index;
        boolean forward = true;
        final int n = headerCount();
        if (n != COUNT_UNKNOWN)
        {
            if (i < 0)
            {
                i += n;
            }
            if (i < 0 || i >= n)
            {
                return NONE;
            }
            if (i > n / 2)
            {
                forward = false;
                i -= n;
            }
        }
        else if (i < 0)
        {
            forward = false;
        }
        if (forward)
        {
            int p = first();
            for (; i > 0 && p != NONE; i--)
            {
                p = next(p);
            }
            return p;
        }
        int p = last();
        for (; i < -1 && p != NONE; i++)
        {
            p = prev(p);
        }
        return p;
    }

    // ------------------------------------------------------------------------------------------------
    // element access

    /** Decode the element at {@code p} into this flyweight (see {@link #isInteger()} and the accessors after it). */
    public ListpackFlyweight load(final int p)
    {
        final int b = u8(p);
        if ((b & 0x80) == 0)
        {
            integer(b);
        }
        else if ((b & 0xC0) == ENC_6BIT_STR)
        {
            string(p + 1, b & 0x3F);
        }
        else if ((b & 0xE0) == ENC_13BIT_INT)
        {
            final int u = (b & 0x1F) << 8 | u8(p + 1);
            integer(u >= 4096 ? u - 8192 : u);
        }
        else if ((b & 0xF0) == ENC_12BIT_STR)
        {
            string(p + 2, (b & 0x0F) << 8 | u8(p + 1));
        }
        else
        {
            switch (b)
            {
                case ENC_32BIT_STR -> string(p + 5, (int)u32(p + 1));
                case ENC_16BIT_INT -> integer((short)u16(p + 1));
                case ENC_24BIT_INT -> integer((long)(u8(p + 1) | u8(p + 2) << 8 | u8(p + 3) << 16) << 40 >> 40);
                case ENC_32BIT_INT -> integer((int)u32(p + 1));
                case ENC_64BIT_INT -> integer(u32(p + 1) | u32(p + 5) << 32);
                default -> throw new IllegalStateException("no listpack element at " + p + ": encoding " + b);
            }
        }
        return this;
    }

    private void integer(final long value)
    {
        elementInteger = true;
        elementValue = value;
        elementStringOffset = 0;
        elementStringLength = 0;
    }

    private void string(final int offset, final int length)
    {
        elementInteger = false;
        elementValue = 0;
        elementStringOffset = offset;
        elementStringLength = length;
    }

    /** Whether the loaded element is stored as an integer ({@link #integer()}), else as bytes. */
    public boolean isInteger()
    {
        return elementInteger;
    }

    public long integer()
    {
        return elementValue;
    }

    /** Where the loaded string's bytes start in the region. */
    public int stringOffset()
    {
        return elementStringOffset;
    }

    public int stringLength()
    {
        return elementStringLength;
    }

    /** The whole element at {@code p} in bytes: encoding, data and backlen. */
    public int elementLength(final int p)
    {
        final long size = encodedSize(p);
        return (int)(size + backlenSize(size));
    }

    /** Encoding + data bytes of the element at {@code p} (0 for an unknown encoding byte). */
    private long encodedSize(final int p)
    {
        final int b = u8(p);
        if ((b & 0x80) == 0)
        {
            return 1;
        }
        if ((b & 0xC0) == ENC_6BIT_STR)
        {
            return 1 + (b & 0x3F);
        }
        if ((b & 0xE0) == ENC_13BIT_INT)
        {
            return 2;
        }
        if ((b & 0xF0) == ENC_12BIT_STR)
        {
            return 2 + ((b & 0x0F) << 8 | u8(p + 1));
        }
        return switch (b)
        {
            case ENC_32BIT_STR -> 5 + u32(p + 1);
            case ENC_16BIT_INT -> 3;
            case ENC_24BIT_INT -> 4;
            case ENC_32BIT_INT -> 5;
            case ENC_64BIT_INT -> 9;
            case EOF -> 1;
            default -> 0;
        };
    }

    // ------------------------------------------------------------------------------------------------
    // lookup

    /** Whether the element at {@code p} equals the bytes (Redis's lpCompare: an integer equals its decimal form). */
    public boolean equalsBytes(final int p, final DirectBuffer src, final int offset, final int length)
    {
        final boolean searchInteger = isCanonical(src, offset, length);
        return matches(p, src, offset, length, searchInteger, searchInteger ? parseCanonical(src, offset, length) : 0);
    }

    /**
     * The first element from {@code p} on equal to the bytes, comparing one element then skipping {@code skip}
     * (Redis's lpFind: skip 1 visits only the fields of a hash's field/value pairs), or {@link #NONE}.
     */
    public int find(final int p, final DirectBuffer src, final int offset, final int length, final int skip)
    {
        final boolean searchInteger = isCanonical(src, offset, length);
        final long searchValue = searchInteger ? parseCanonical(src, offset, length) : 0;
        int skipped = 0;
        for (int q = p; q != NONE; q = next(q))
        {
            if (skipped == 0)
            {
                if (matches(q, src, offset, length, searchInteger, searchValue))
                {
                    return q;
                }
                skipped = skip;
            }
            else
            {
                skipped--;
            }
        }
        return NONE;
    }

    /** {@link #find} for the decimal form of {@code value}, with no bytes to parse. */
    public int findInteger(final int p, final long value, final int skip)
    {
        int skipped = 0;
        for (int q = p; q != NONE; q = next(q))
        {
            if (skipped == 0)
            {
                if (isIntegerEncoding(u8(q)) && load(q).elementValue == value)
                {
                    return q;
                }
                skipped = skip;
            }
            else
            {
                skipped--;
            }
        }
        return NONE;
    }

    private boolean matches(
        final int p, final DirectBuffer src, final int offset, final int length, final boolean searchInteger,
        final long searchValue)
    {
        // a stored integer's decimal form is canonical, so it equals the bytes exactly when they parse to it;
        // a stored string is compared byte for byte (Redis may hold "007" as a string, never 7 as one)
        if (isIntegerEncoding(u8(p)))
        {
            return searchInteger && load(p).elementValue == searchValue;
        }
        load(p);
        if (elementStringLength != length)
        {
            return false;
        }
        final int from = elementStringOffset;
        for (int i = 0; i < length; i++)
        {
            if (region.getByte(from + i) != src.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isIntegerEncoding(final int b)
    {
        return (b & 0x80) == 0 || (b & 0xE0) == ENC_13BIT_INT || (b >= ENC_16BIT_INT && b <= ENC_64BIT_INT);
    }

    // ------------------------------------------------------------------------------------------------
    // writes: sizes first

    /** Total bytes after inserting the bytes (as an integer when canonical, else as a string). */
    public long sizeAfterInsert(final DirectBuffer src, final int offset, final int length)
    {
        return totalBytes() + elementSize(valueSize(src, offset, length));
    }

    public long sizeAfterInsertInteger(final long value)
    {
        return totalBytes() + elementSize(integerSize(value));
    }

    /** Total bytes after replacing the element at {@code p} with the bytes. */
    public long sizeAfterReplace(final int p, final DirectBuffer src, final int offset, final int length)
    {
        return totalBytes() - elementLength(p) + elementSize(valueSize(src, offset, length));
    }

    public long sizeAfterReplaceInteger(final int p, final long value)
    {
        return totalBytes() - elementLength(p) + elementSize(integerSize(value));
    }

    // ------------------------------------------------------------------------------------------------
    // writes

    /** Insert the bytes before or after the element at {@code p} (before the terminator's offset appends); returns the new element's offset. */
    public int insert(final int p, final int where, final DirectBuffer src, final int offset, final int length)
    {
        final boolean asInteger = isCanonical(src, offset, length);
        final long value = asInteger ? parseCanonical(src, offset, length) : 0;
        final long size = asInteger ? integerSize(value) : stringSize(length);
        final int at = where == AFTER ? p + elementLength(p) : p;
        open(at, size);
        writeElement(at, size, asInteger, value, src, offset, length);
        return at;
    }

    public int insertInteger(final int p, final int where, final long value)
    {
        final int size = integerSize(value);
        final int at = where == AFTER ? p + elementLength(p) : p;
        open(at, size);
        writeElement(at, size, true, value, null, 0, 0);
        return at;
    }

    /** Append at the tail (RPUSH, HSET's new field and value); returns the new element's offset. */
    public int append(final DirectBuffer src, final int offset, final int length)
    {
        return insert(totalBytes() - 1, BEFORE, src, offset, length);
    }

    public int appendInteger(final long value)
    {
        return insertInteger(totalBytes() - 1, BEFORE, value);
    }

    /** Insert at the head (LPUSH). */
    public int prepend(final DirectBuffer src, final int offset, final int length)
    {
        return insert(HEADER_LENGTH, BEFORE, src, offset, length);
    }

    /** Replace the element at {@code p} (HSET of an existing field's value, LSET); returns {@code p}. */
    public int replace(final int p, final DirectBuffer src, final int offset, final int length)
    {
        final boolean asInteger = isCanonical(src, offset, length);
        final long value = asInteger ? parseCanonical(src, offset, length) : 0;
        final long size = asInteger ? integerSize(value) : stringSize(length);
        resize(p, elementLength(p), elementSize(size));
        writeElement(p, size, asInteger, value, src, offset, length);
        return p;
    }

    public int replaceInteger(final int p, final long value)
    {
        final int size = integerSize(value);
        resize(p, elementLength(p), elementSize(size));
        writeElement(p, size, true, value, null, 0, 0);
        return p;
    }

    /** Delete the element at {@code p}; returns the element now at {@code p} (the one after), or {@link #NONE}. */
    public int delete(final int p)
    {
        final int total = totalBytes();
        final int length = elementLength(p);
        region.move(p, p + length, total - p - length);
        putU32(TOTAL_BYTES_OFFSET, total - length);
        final int n = headerCount();
        if (n != COUNT_UNKNOWN)
        {
            putU16(COUNT_OFFSET, n - 1);
        }
        return u8(p) == EOF ? NONE : p;
    }

    /**
     * Delete {@code count} elements from {@code index} (negative from the end), fewer when the list ends first
     * (Redis's lpDeleteRange); returns how many were deleted (0 when {@code index} is out of range).
     */
    public int deleteRange(final long index, final long count)
    {
        final int n = count();
        final int p = seek(index);
        if (p == NONE || count <= 0)
        {
            return 0;
        }
        final long from = index < 0 ? n + index : index;
        final int total = totalBytes();
        if (n - from <= count)
        {
            region.putByte(p, (byte)EOF);
            putU32(TOTAL_BYTES_OFFSET, p + 1);
            putU16(COUNT_OFFSET, (int)Math.min(from, COUNT_UNKNOWN));
            return (int)(n - from);
        }
        int q = p;
        for (long i = 0; i < count; i++)
        {
            q += elementLength(q);
        }
        region.move(p, q, total - q);
        putU32(TOTAL_BYTES_OFFSET, total - (q - p));
        // Redis writes len - num truncated to 16 bits; past 65534 "unknown" is the value that stays true
        putU16(COUNT_OFFSET, (int)Math.min(n - count, COUNT_UNKNOWN));
        return (int)count;
    }

    /** Make room for an element of {@code size} (encoding + data) at {@code at}, and count it. */
    private void open(final int at, final long size)
    {
        final int total = totalBytes();
        final long element = elementSize(size);
        requireCapacity(total + element);
        region.move((int)(at + element), at, total - at);
        putU32(TOTAL_BYTES_OFFSET, total + element);
        final int n = headerCount();
        if (n != COUNT_UNKNOWN)
        {
            putU16(COUNT_OFFSET, n + 1); // 65534 + 1 becomes "unknown", as in Redis
        }
    }

    /** Change the element at {@code p} from {@code oldLength} to {@code newLength} bytes, moving what follows. */
    private void resize(final int p, final int oldLength, final long newLength)
    {
        final int total = totalBytes();
        final long newTotal = total - oldLength + newLength;
        requireCapacity(newTotal);
        region.move((int)(p + newLength), p + oldLength, total - p - oldLength);
        putU32(TOTAL_BYTES_OFFSET, newTotal);
    }

    private void writeElement(
        final int at, final long size, final boolean asInteger, final long value, final DirectBuffer src,
        final int offset, final int length)
    {
        if (asInteger)
        {
            writeInteger(at, (int)size, value);
        }
        else if (length < 64)
        {
            region.putByte(at, (byte)(ENC_6BIT_STR | length));
            region.putBytes(at + 1, src, offset, length);
        }
        else if (length < 4096)
        {
            region.putByte(at, (byte)(ENC_12BIT_STR | length >> 8));
            region.putByte(at + 1, (byte)length);
            region.putBytes(at + 2, src, offset, length);
        }
        else
        {
            region.putByte(at, (byte)ENC_32BIT_STR);
            putU32(at + 1, length);
            region.putBytes(at + 5, src, offset, length);
        }
        writeBacklen((int)(at + size), size);
    }

    private void writeInteger(final int at, final int size, final long value)
    {
        switch (size)
        {
            case 1 -> region.putByte(at, (byte)value);
            case 2 ->
            {
                final long u = value < 0 ? value + 8192 : value;
                region.putByte(at, (byte)(ENC_13BIT_INT | u >> 8));
                region.putByte(at + 1, (byte)u);
            }
            default ->
            {
                region.putByte(at, (byte)(size == 3 ? ENC_16BIT_INT : size == 4 ? ENC_24BIT_INT :
                    size == 5 ? ENC_32BIT_INT : ENC_64BIT_INT));
                for (int i = 1; i < size; i++)
                {
                    region.putByte(at + i, (byte)(value >>> (8 * (i - 1))));
                }
            }
        }
    }

    private void writeBacklen(final int at, final long size)
    {
        final int n = backlenSize(size);
        for (int i = 0; i < n; i++)
        {
            final int bits = (int)(size >>> (7 * (n - 1 - i))) & 0x7F;
            region.putByte(at + i, (byte)(i == 0 ? bits : bits | 0x80));
        }
    }

    /** The size a backlen ending at {@code end} records, read right to left; -1 when longer than 5 bytes. */
    private long decodeBacklen(final int end)
    {
        long value = 0;
        for (int shift = 0, at = end; shift <= 28; shift += 7, at--)
        {
            final int b = u8(at);
            value |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
        return -1;
    }

    private void requireCapacity(final long bytes)
    {
        if (bytes > region.capacity())
        {
            throw new IllegalArgumentException("listpack needs " + bytes + " bytes; region holds " + region.capacity());
        }
    }

    // ------------------------------------------------------------------------------------------------
    // validation

    /**
     * Whether the region's first {@code size} bytes are a well-formed listpack: null when they are, else why
     * not (see {@link ListpackValidation}). Never throws on bad bytes, never reads outside {@code [0, size)}.
     */
    public String validate(final int size)
    {
        return ListpackValidation.validate(region, size);
    }

    // ------------------------------------------------------------------------------------------------
    // little-endian helpers over the region

    private int u8(final int index)
    {
        return region.getByte(index) & 0xFF;
    }

    private int u16(final int index)
    {
        return u8(index) | u8(index + 1) << 8;
    }

    private long u32(final int index)
    {
        return (u8(index) | u8(index + 1) << 8 | u8(index + 2) << 16 | (long)u8(index + 3) << 24) & 0xFFFFFFFFL;
    }

    private void putU16(final int index, final int value)
    {
        region.putByte(index, (byte)value);
        region.putByte(index + 1, (byte)(value >>> 8));
    }

    private void putU32(final int index, final long value)
    {
        for (int i = 0; i < 4; i++)
        {
            region.putByte(index + i, (byte)(value >>> (8 * i)));
        }
    }
}
