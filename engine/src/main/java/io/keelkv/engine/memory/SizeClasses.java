package io.keelkv.engine.memory;

/**
 * Size classes of the slab allocator: 8-byte steps up to 256 bytes (where most keys and small values
 * fall, so rounding wastes at most 7 bytes), then four classes per doubling (at most 25% waste) up to
 * the largest small block. A lookup table answers sizes up to 1 KiB without a loop.
 */
final class SizeClasses
{
    private static final int STEP = 8;
    private static final int LINEAR_LIMIT = 256;
    private static final int TABLE_LIMIT = 1024;

    private final int[] classBytes;
    private final short[] classOfSmall; // index: (size + 7) / 8 for size <= TABLE_LIMIT

    SizeClasses(final int maxBytes)
    {
        final int[] sizes = new int[256];
        int count = 0;
        for (int size = PageMemory.MIN_BLOCK_BYTES; size <= LINEAR_LIMIT; size += STEP)
        {
            sizes[count++] = size;
        }
        for (int base = LINEAR_LIMIT; base < maxBytes; base *= 2)
        {
            for (int quarter = 1; quarter <= 4; quarter++)
            {
                final int size = base + base / 4 * quarter;
                if (size > maxBytes)
                {
                    break;
                }
                sizes[count++] = size;
            }
        }
        if (sizes[count - 1] != maxBytes)
        {
            sizes[count++] = maxBytes;
        }
        classBytes = java.util.Arrays.copyOf(sizes, count);
        classOfSmall = new short[TABLE_LIMIT / STEP + 1];
        int sizeClass = 0;
        for (int i = 0; i < classOfSmall.length; i++)
        {
            final int size = i * STEP;
            while (sizeClass < count - 1 && classBytes[sizeClass] < size)
            {
                sizeClass++;
            }
            classOfSmall[i] = (short)sizeClass;
        }
    }

    int count()
    {
        return classBytes.length;
    }

    int classBytes(final int sizeClass)
    {
        return classBytes[sizeClass];
    }

    /** The smallest class holding {@code bytes}; callers guarantee {@code bytes <= maxBytes}. */
    int classOf(final int bytes)
    {
        if (bytes <= TABLE_LIMIT)
        {
            return classOfSmall[(bytes + STEP - 1) / STEP];
        }
        int lo = classOfSmall[TABLE_LIMIT / STEP];
        int hi = classBytes.length - 1;
        while (lo < hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (classBytes[mid] < bytes)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}
