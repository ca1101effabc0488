package io.keelkv.engine.keyspace;

import org.agrona.UnsafeApi;

/**
 * The key hash: eight bytes at a time with a multiply-rotate mix and a Murmur3 finalizer, seeded at random
 * so that a client cannot precompute colliding keys (Redis seeds siphash for the same reason). The seed is
 * the page memory's ({@link io.keelkv.engine.memory.PageMemory#hashSeed()}), not the process's: the hash
 * index in the pages was built with it, so a snapshot carries it and a restored index is found again.
 * Works on heap arrays and raw memory alike ({@code base} null for an absolute address).
 */
public final class Hashing
{
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private Hashing()
    {
    }

    public static long hash(final long seed, final Object base, final long address, final int length)
    {
        long h = seed ^ (length * 0x9E3779B97F4A7C15L);
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            long k = UnsafeApi.getLong(base, address + i);
            k *= C1;
            k = Long.rotateLeft(k, 31);
            k *= C2;
            h ^= k;
            h = Long.rotateLeft(h, 27) * 5 + 0x52dce729;
        }
        if (i < length)
        {
            long k = 0;
            int shift = 0;
            for (; i < length; i++, shift += 8)
            {
                k |= (UnsafeApi.getByte(base, address + i) & 0xFFL) << shift;
            }
            k *= C1;
            k = Long.rotateLeft(k, 31);
            k *= C2;
            h ^= k;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** Byte-wise equality of two ranges, 8 bytes at a time. */
    public static boolean equals(
        final Object aBase, final long aAddress, final Object bBase, final long bAddress, final int length)
    {
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            if (UnsafeApi.getLong(aBase, aAddress + i) != UnsafeApi.getLong(bBase, bAddress + i))
            {
                return false;
            }
        }
        for (; i < length; i++)
        {
            if (UnsafeApi.getByte(aBase, aAddress + i) != UnsafeApi.getByte(bBase, bAddress + i))
            {
                return false;
            }
        }
        return true;
    }
}
