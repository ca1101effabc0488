package io.keelkv.engine.keyspace;

/**
 * Layout of one key-value entry in page memory. Entries of a bucket are chained through {@code next}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  next entry in bucket (handle)                |
 *  |                                                               |
 *  +-------+-------+-+---------------------------------------------+
 *  | type  |  enc  |X|        access clock, LRU or LFU (23 bits)   |
 *  +-------+-------+-+---------------------------------------------+
 *  |                        key length                             |
 *  +---------------------------------------------------------------+
 *  |                       value length                            |
 *  +---------------------------------------------------------------+
 *  |          expire at, ms since epoch (only when X is set)       |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |        slot in the volatile-key vector (only when X)          |
 *  +---------------------------------------------------------------+
 *  |                      key bytes ...                            |
 *  +---------------------------------------------------------------+
 *  |                      value bytes ...                          |
 *  +---------------------------------------------------------------+
 * </pre>
 * The meta word (little-endian int) packs type (bits 0-3), encoding (bits 4-7), the expire flag X (bit 8)
 * and the access clock (bits 9-31): seconds for LRU (wraps after 97 days, as Redis's 24-bit clock wraps
 * after 194), or minutes and a log counter for LFU. For strings the value bytes are the
 * string; for collection types (later) the value holds a handle to the collection's own structure.
 */
public final class EntryDescriptor
{
    public static final int NEXT_OFFSET = 0;
    public static final int META_OFFSET = 8;
    public static final int KEY_LENGTH_OFFSET = 12;
    public static final int VALUE_LENGTH_OFFSET = 16;
    public static final int HEADER_LENGTH = 20;
    public static final int EXPIRE_AT_OFFSET = 20;
    public static final int VOLATILE_SLOT_OFFSET = 28;
    public static final int HEADER_LENGTH_WITH_EXPIRE = 32;

    /**
     * The longest value an entry can hold: its length is an int field. Redis's strings go up to
     * proto-max-bulk-len, which may be set past this; a KeelKV string may not, whatever the setting.
     */
    public static final long MAX_VALUE_LENGTH = Integer.MAX_VALUE;

    public static final int TYPE_MASK = 0x0F;
    public static final int ENCODING_SHIFT = 4;
    public static final int ENCODING_MASK = 0xF0;
    public static final int EXPIRE_FLAG = 0x100;
    public static final int CLOCK_SHIFT = 9;
    public static final int CLOCK_MAX = (1 << 23) - 1;

    private EntryDescriptor()
    {
    }

    public static int headerLength(final boolean hasExpire)
    {
        return hasExpire ? HEADER_LENGTH_WITH_EXPIRE : HEADER_LENGTH;
    }

    public static long entryLength(final boolean hasExpire, final int keyLength, final long valueLength)
    {
        return headerLength(hasExpire) + (long)keyLength + valueLength;
    }
}
