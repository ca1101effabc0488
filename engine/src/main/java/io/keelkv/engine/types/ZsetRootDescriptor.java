package io.keelkv.engine.types;

/**
 * Layout of the root block of a sorted set in the skiplist encoding (Redis's zset struct: a dict and, in place of
 * the skip list, a {@link ScoreTree}). The zset entry's value is this block's 8-byte handle
 * ({@code ENCODING_SKIPLIST}). All numbers little-endian, as the pages are.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |        member -> score PagedDict root (handle, or 0)          |  0
 *  +---------------------------------------------------------------+
 *  |             (score, member) ScoreTree root (handle, or 0)     |  8
 *  +---------------------------------------------------------------+
 *  |                      reserved (zero) x 44 bytes               | 16..59
 *  +---------------------------------------------------------------+
 *  |                    magic "KZSR" (0x52535A4B)                  | 60
 *  +---------------------------------------------------------------+
 * </pre>
 * The dict (withValues: the value is the score's 8 bytes, the raw bits of a double) answers ZSCORE and ZADD's
 * lookup in O(1); the tree answers ranks and ranges in O(log n). Both hold every member. The magic sits at the
 * same offset as the dict root's ({@link DictRootDescriptor#MAGIC_OFFSET}) and the quicklist root's, so
 * {@link LazyFree} tells the three kinds apart by that word. A stepped free frees the dict, then the tree, zeroing
 * each handle once its structure is gone, then the root block itself.
 */
public final class ZsetRootDescriptor
{
    public static final int DICT_OFFSET = 0;
    public static final int TREE_OFFSET = 8;
    public static final int MAGIC_OFFSET = 60;
    public static final int LENGTH = 64;
    public static final int MAGIC = 0x52535A4B;
    /** A dict value: the score's bits. */
    public static final int SCORE_BYTES = 8;

    private ZsetRootDescriptor()
    {
    }

    static
    {
        if (MAGIC_OFFSET != DictRootDescriptor.MAGIC_OFFSET || MAGIC_OFFSET != QuicklistDescriptor.MAGIC_OFFSET)
        {
            throw new AssertionError("the zset, quicklist and dict root magics must share an offset");
        }
    }
}
