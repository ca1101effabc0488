package io.keelkv.engine.types;

/**
 * Layout of a paged quicklist (Redis 7.0's quicklist.c, without compression): the list value's root block and
 * its nodes. The list entry's value is the root's 8-byte handle ({@code ENCODING_QUICKLIST}). All numbers
 * little-endian, as the pages are.
 * <pre>
 * root block (LENGTH bytes):
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     head node (handle, or 0)                  |  0
 *  +---------------------------------------------------------------+
 *  |                     tail node (handle, or 0)                  |  8
 *  +---------------------------------------------------------------+
 *  |                          node count                           | 16
 *  +---------------------------------------------------------------+
 *  |                         element count                         | 24
 *  +---------------------------------------------------------------+
 *  |                      reserved (zero) x 28 bytes               | 32..59
 *  +---------------------------------------------------------------+
 *  |                    magic "KQLS" (0x534C514B)                  | 60
 *  +---------------------------------------------------------------+
 *
 * node block (a block of its own, at least NODE_HEADER + 7 bytes):
 *  +---------------------------------------------------------------+
 *  |                     prev node (handle, or 0)                  |  0
 *  +---------------------------------------------------------------+
 *  |                     next node (handle, or 0)                  |  8
 *  +---------------------------------------------------------------+
 *  |     listpack (ListpackDescriptor), up to the block's end      | 16
 *  +---------------------------------------------------------------+
 * </pre>
 * The magic sits at the same offset as the dict root's ({@link DictRootDescriptor#MAGIC_OFFSET}), so {@link
 * LazyFree} tells a quicklist root from a dict root by that word. A node is never empty: the last element
 * popped from a node frees it. A stepped free takes nodes off the head, so the root stays a sound list (the
 * element count drops with each node) until it is freed itself.
 */
public final class QuicklistDescriptor
{
    public static final int HEAD_OFFSET = 0;
    public static final int TAIL_OFFSET = 8;
    public static final int NODES_OFFSET = 16;
    public static final int COUNT_OFFSET = 24;
    public static final int MAGIC_OFFSET = 60;
    public static final int LENGTH = 64;
    public static final int MAGIC = 0x534C514B;

    public static final int PREV_OFFSET = 0;
    public static final int NEXT_OFFSET = 8;
    public static final int NODE_HEADER = 16;

    /** Redis's optimization_level: node bytes for list-max-listpack-size -1..-5. */
    static final int[] OPTIMIZATION_LEVEL = {4096, 8192, 16384, 32768, 65536};
    /** Redis's SIZE_SAFETY_LIMIT: a count-limited node stops growing past this many bytes. */
    static final int SIZE_SAFETY_LIMIT = 8192;
    /** Redis's FILL_MAX. */
    static final int FILL_MAX = (1 << 15) - 1;

    private QuicklistDescriptor()
    {
    }

    static {
        if (MAGIC_OFFSET != DictRootDescriptor.MAGIC_OFFSET)
        {
            throw new AssertionError("the quicklist and dict magics must share an offset");
        }
    }
}
