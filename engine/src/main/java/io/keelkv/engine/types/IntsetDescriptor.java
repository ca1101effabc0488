package io.keelkv.engine.types;

/**
 * Layout of an intset, byte for byte Redis 7.0's (src/intset.c): a small set of integers, sorted, every
 * member in the one width the widest member needs. All numbers little-endian.
 * <pre>
 *  +---------------+---------------+---------------+---------------+
 *  |          encoding: bytes per member (uint32: 2, 4 or 8)        |
 *  +---------------+---------------+---------------+---------------+
 *  |                   length: member count (uint32)               |
 *  +---------------+---------------+---------------+---------------+
 *  |  members: length x encoding bytes, signed, strictly ascending  |
 *  +---------------------------------------------------------------+
 * </pre>
 * A member too wide for the encoding upgrades the whole set (each member rewritten wider, in place, from
 * the end); a removal never downgrades it, as in Redis. An empty intset is 8 bytes, but never a stored
 * value: Redis deletes an empty set, and its RDB loader refuses an empty intset.
 */
public final class IntsetDescriptor
{
    public static final int ENCODING_OFFSET = 0;
    public static final int LENGTH_OFFSET = 4;
    public static final int HEADER_LENGTH = 8;

    public static final int ENC_INT16 = 2;
    public static final int ENC_INT32 = 4;
    public static final int ENC_INT64 = 8;

    private IntsetDescriptor()
    {
    }

    /** The narrowest encoding holding {@code value} (Redis's _intsetValueEncoding). */
    public static int encodingOf(final long value)
    {
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)
        {
            return ENC_INT64;
        }
        return value < Short.MIN_VALUE || value > Short.MAX_VALUE ? ENC_INT32 : ENC_INT16;
    }

    /** Bytes of an intset of {@code length} members of {@code encoding} bytes each. */
    public static long sizeOf(final int encoding, final long length)
    {
        return HEADER_LENGTH + (long)encoding * length;
    }
}
