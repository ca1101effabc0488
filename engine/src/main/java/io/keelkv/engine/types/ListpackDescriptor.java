package io.keelkv.engine.types;

import org.agrona.DirectBuffer;

/**
 * Layout of a listpack, byte for byte Redis 7.0's (src/listpack.c), so that an inline hash, sorted set or
 * list node is the blob redis-server would DUMP. All multi-byte numbers little-endian.
 * <pre>
 *  +---------------+---------------+---------------+---------------+
 *  |                 total bytes (uint32, whole blob)              |
 *  +---------------+---------------+-------------------------------+
 *  | element count (uint16; 65535 = unknown, count by walking)     |
 *  +---------------+---------------+-------------------------------+
 *  | element 0: encoding [+ length] | data | backlen (1..5 bytes)  |
 *  | element 1 ...                                                 |
 *  +---------------+-----------------------------------------------+
 *  |     0xFF      |  terminator: the last byte of the blob
 *  +---------------+
 *
 *  encoding byte    element                         size before backlen
 *  0xxxxxxx         7-bit unsigned int              1
 *  10LLLLLL         string, 6-bit length            1 + len
 *  110xxxxx x       13-bit signed int               2
 *  1110LLLL L       string, 12-bit length           2 + len
 *  11110000 L*4     string, 32-bit LE length        5 + len
 *  11110001 x*2     16-bit signed int (LE)          3
 *  11110010 x*3     24-bit signed int (LE)          4
 *  11110011 x*4     32-bit signed int (LE)          5
 *  11110100 x*8     64-bit signed int (LE)          9
 *  11111111         terminator                      1
 * </pre>
 * The backlen is the element's size before the backlen, written so it can be read right to left from the
 * byte before the next element: 7 bits per byte, the last byte holds the low 7 bits, and every byte but the
 * first (leftmost) has bit 7 set. It takes 1 byte up to 127, 2 below 16383, 3 below 2097151, 4 below
 * 268435455, else 5 (Redis's exact thresholds: note the strict comparisons).
 *
 * <p>A string that is a canonical decimal int64 ({@link #parseCanonical}) is always stored as the
 * smallest integer encoding that holds it; every other string as the shortest string encoding.
 */
public final class ListpackDescriptor
{
    public static final int TOTAL_BYTES_OFFSET = 0;
    public static final int COUNT_OFFSET = 4;
    public static final int HEADER_LENGTH = 6;
    public static final int EMPTY_LENGTH = HEADER_LENGTH + 1;
    public static final int COUNT_UNKNOWN = 0xFFFF;
    public static final int EOF = 0xFF;

    public static final int ENC_6BIT_STR = 0x80;
    public static final int ENC_13BIT_INT = 0xC0;
    public static final int ENC_12BIT_STR = 0xE0;
    public static final int ENC_32BIT_STR = 0xF0;
    public static final int ENC_16BIT_INT = 0xF1;
    public static final int ENC_24BIT_INT = 0xF2;
    public static final int ENC_32BIT_INT = 0xF3;
    public static final int ENC_64BIT_INT = 0xF4;

    /** Room for the longest int64 in decimal ("-9223372036854775808"); longer input is never an integer. */
    public static final int MAX_INT64_DIGITS = 20;

    private ListpackDescriptor()
    {
    }

    /** Bytes of the backlen that records an element of {@code size} bytes (encoding + data). */
    public static int backlenSize(final long size)
    {
        return size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5;
    }

    /** Encoding + data bytes of the integer {@code value}, in the smallest integer encoding holding it. */
    public static int integerSize(final long value)
    {
        if (value >= 0 && value <= 127)
        {
            return 1;
        }
        if (value >= -4096 && value <= 4095)
        {
            return 2;
        }
        if (value >= -32768 && value <= 32767)
        {
            return 3;
        }
        if (value >= -8388608 && value <= 8388607)
        {
            return 4;
        }
        return value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE ? 5 : 9;
    }

    /** Encoding + data bytes of a string of {@code length} bytes stored as a string. */
    public static long stringSize(final long length)
    {
        return length < 64 ? 1 + length : length < 4096 ? 2 + length : 5 + length;
    }

    /** The whole element (with backlen) for encoding + data of {@code size} bytes. */
    public static long elementSize(final long size)
    {
        return size + backlenSize(size);
    }

    /**
     * Whether {@code [offset, offset + length)} of {@code src} is a canonical decimal int64, the strings Redis
     * stores as integers (lpStringToInt64, string2ll): an optional '-', then "0" alone or a first digit 1-9
     * and more digits, nothing else (no '+', no spaces, no leading zeros, no "-0"), in the int64 range.
     */
    public static boolean isCanonical(final DirectBuffer src, final int offset, final int length)
    {
        if (length <= 0 || length > MAX_INT64_DIGITS)
        {
            return false;
        }
        final byte first = src.getByte(offset);
        if (length == 1 && first == '0')
        {
            return true;
        }
        final boolean negative = first == '-';
        int i = negative ? 1 : 0;
        if (i == length)
        {
            return false;
        }
        final byte lead = src.getByte(offset + i);
        if (lead < '1' || lead > '9')
        {
            return false;
        }
        // accumulate as a negative number: -2^63 fits, 2^63 does not
        long v = 0;
        for (; i < length; i++)
        {
            final int d = src.getByte(offset + i) - '0';
            if (d < 0 || d > 9)
            {
                return false;
            }
            if (v < (Long.MIN_VALUE + d) / 10)
            {
                return false;
            }
            v = v * 10 - d;
        }
        return negative || v != Long.MIN_VALUE;
    }

    /** The value of a string {@link #isCanonical} accepted; undefined for any other. */
    public static long parseCanonical(final DirectBuffer src, final int offset, final int length)
    {
        final boolean negative = src.getByte(offset) == '-';
        long v = 0;
        for (int i = negative ? 1 : 0; i < length; i++)
        {
            v = v * 10 - (src.getByte(offset + i) - '0');
        }
        return negative ? v : -v;
    }

    /** Encoding + data bytes of {@code src} as Redis would store it: an integer when canonical, else a string. */
    public static long valueSize(final DirectBuffer src, final int offset, final int length)
    {
        return isCanonical(src, offset, length) ? integerSize(parseCanonical(src, offset, length)) : stringSize(length);
    }
}
