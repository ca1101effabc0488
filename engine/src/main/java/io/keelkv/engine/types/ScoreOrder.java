package io.keelkv.engine.types;

import org.agrona.UnsafeApi;

/**
 * The order of a sorted set's elements, as Redis's zslValueGteMin/zslInsert compare them: score ascending, then
 * member bytes as sdscmp compares them (unsigned memcmp, the shorter first on a common prefix). Members are
 * (base, address, length): a heap array and its array offset, or null and a raw address. Words are read 8 bytes
 * at a time and compared big-endian, since the pages (and the JVM's heap) are little-endian on every platform
 * the engine runs on.
 */
final class ScoreOrder
{
    private ScoreOrder()
    {
    }

    static int compareScores(final double a, final double b)
    {
        return a < b ? -1 : a > b ? 1 : 0;
    }

    static int compare(final double aScore, final Object aBase, final long aAddress, final int aLength,
        final double bScore, final Object bBase, final long bAddress, final int bLength)
    {
        final int c = compareScores(aScore, bScore);
        return c != 0 ? c : compareMembers(aBase, aAddress, aLength, bBase, bAddress, bLength);
    }

    static int compareMembers(final Object aBase, final long aAddress, final int aLength,
        final Object bBase, final long bAddress, final int bLength)
    {
        final int n = Math.min(aLength, bLength);
        int i = 0;
        for (; i + 8 <= n; i += 8)
        {
            final long x = UnsafeApi.getLong(aBase, aAddress + i);
            final long y = UnsafeApi.getLong(bBase, bAddress + i);
            if (x != y)
            {
                return Long.compareUnsigned(Long.reverseBytes(x), Long.reverseBytes(y));
            }
        }
        for (; i < n; i++)
        {
            final int x = UnsafeApi.getByte(aBase, aAddress + i) & 0xFF;
            final int y = UnsafeApi.getByte(bBase, bAddress + i) & 0xFF;
            if (x != y)
            {
                return x - y;
            }
        }
        return Integer.compare(aLength, bLength);
    }

    /** Bytes two members share at their start. */
    static int commonPrefix(final Object aBase, final long aAddress, final int aLength,
        final Object bBase, final long bAddress, final int bLength)
    {
        final int n = Math.min(aLength, bLength);
        int i = 0;
        for (; i + 8 <= n; i += 8)
        {
            final long x = UnsafeApi.getLong(aBase, aAddress + i);
            final long y = UnsafeApi.getLong(bBase, bAddress + i);
            if (x != y)
            {
                return i + Long.numberOfTrailingZeros(x ^ y) / 8;
            }
        }
        while (i < n && UnsafeApi.getByte(aBase, aAddress + i) == UnsafeApi.getByte(bBase, bAddress + i))
        {
            i++;
        }
        return i;
    }
}
