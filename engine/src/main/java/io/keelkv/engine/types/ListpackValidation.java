package io.keelkv.engine.types;

import static io.keelkv.engine.types.ListpackDescriptor.*;

/**
 * Validation of a listpack read from untrusted bytes (a snapshot, a RESTORE payload): Redis's deep
 * lpValidateIntegrity, stricter in two places, both of which Redis's own writer always satisfies: the
 * terminator must be the last byte (Redis stops at the first 0xFF), and each backlen must be the canonical
 * encoding of its element's size (Redis decodes it and compares the value).
 *
 * <p>Why its own class: it shares no state with the flyweight, and it is the one piece that must assume
 * nothing. Every length is checked against the end before the bytes it covers are read; all arithmetic on
 * lengths read from the blob is done in {@code long}, so a 32-bit string length near 2^32 cannot wrap.
 */
final class ListpackValidation
{
    private ListpackValidation()
    {
    }

    /** Null when {@code [0, size)} of the region is a well-formed listpack, else the first reason it is not. */
    static String validate(final ByteRegion region, final int size)
    {
        if (size < EMPTY_LENGTH)
        {
            return "shorter than a header and terminator";
        }
        if (size > region.capacity())
        {
            return "longer than its region";
        }
        if (u32(region, TOTAL_BYTES_OFFSET) != size)
        {
            return "total bytes differs from the size";
        }
        final int end = size - 1; // the terminator's offset: every element ends at or before it
        if (u8(region, end) != EOF)
        {
            return "no terminator at the end";
        }
        long count = 0;
        int p = HEADER_LENGTH;
        while (p < end)
        {
            final int b = u8(region, p);
            final int headerBytes = (b & 0x80) == 0 || (b & 0xC0) == ENC_6BIT_STR || (b & 0xE0) == ENC_13BIT_INT ? 1 :
                (b & 0xF0) == ENC_12BIT_STR ? 2 : b == ENC_32BIT_STR ? 5 : b >= ENC_16BIT_INT && b <= ENC_64BIT_INT ? 1 : 0;
            if (headerBytes == 0)
            {
                return b == EOF ? "terminator before the end" : "unknown element encoding";
            }
            if ((long)p + headerBytes > end)
            {
                return "element header past the end";
            }
            final long encoded = encodedSize(region, p, b);
            final long element = elementSize(encoded);
            if (p + element > end)
            {
                return "element past the end";
            }
            final int backlen = (int)(p + encoded);
            final int n = backlenSize(encoded);
            for (int i = 0; i < n; i++)
            {
                final int bits = (int)(encoded >>> (7 * (n - 1 - i))) & 0x7F;
                if (u8(region, backlen + i) != (i == 0 ? bits : bits | 0x80))
                {
                    return "backlen does not match the element";
                }
            }
            count++;
            p += (int)element;
        }
        final int header = u8(region, COUNT_OFFSET) | u8(region, COUNT_OFFSET + 1) << 8;
        if (header != COUNT_UNKNOWN && header != count)
        {
            return "element count differs from the header";
        }
        return null;
    }

    /** Encoding + data bytes of the element at {@code p} whose first byte {@code b} is a known encoding. */
    private static long encodedSize(final ByteRegion region, final int p, final int b)
    {
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
            return 2 + ((b & 0x0F) << 8 | u8(region, p + 1));
        }
        return switch (b)
        {
            case ENC_32BIT_STR -> 5 + u32(region, p + 1);
            case ENC_16BIT_INT -> 3;
            case ENC_24BIT_INT -> 4;
            case ENC_32BIT_INT -> 5;
            default -> 9;
        };
    }

    private static int u8(final ByteRegion region, final int index)
    {
        return region.getByte(index) & 0xFF;
    }

    private static long u32(final ByteRegion region, final int index)
    {
        return u8(region, index) | u8(region, index + 1) << 8 | u8(region, index + 2) << 16 | (long)u8(region, index + 3) << 24;
    }
}
