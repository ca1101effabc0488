package io.keelkv.engine.types;

/**
 * Layouts of the score tree ({@link ScoreTree}): the B+ tree ordered by (score, member) that backs the big
 * ("skiplist") encoding of sorted sets. Three kinds of block, all numbers little-endian as the pages are.
 *
 * <p><b>Root block</b> ({@link #ROOT_LENGTH} bytes): everything the tree needs, so the root alone describes it
 * (a snapshot restores it with the pages; a stepped free resumes from it). The magic word sits at the same
 * offset as the dict root's ({@link DictRootDescriptor#MAGIC_OFFSET}) so one read tells the kinds apart.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                      size: elements (8)                       |  0
 *  +---------------------------------------------------------------+
 *  |           top node (handle; a leaf when height is 1)          |  8
 *  +---------------------------------------------------------------+
 *  |                     first leaf (handle)                       | 16
 *  +---------------------------------------------------------------+
 *  |                      last leaf (handle)                       | 24
 *  +---------------------------------------------------------------+
 *  |        bytes owned: every block of the tree, as allocated     | 32
 *  +-------------------------------+-------------------------------+
 *  |  height (0: empty, 1: a leaf) |            flags              | 40
 *  +-------------------------------+-------------------------------+
 *  |  free member: next entry of   |           reserved            | 48
 *  |  the leaf being freed         |                               |
 *  +-------------------------------+-------------------------------+
 *  |           reserved            |     magic "KZTR" 0x52545A4B   | 56
 *  +-------------------------------+-------------------------------+
 *  |  free path: MAX_HEIGHT (16) ints, per depth the child being   | 64 .. 127
 *  |  freed (only while FLAG_FREEING)                              |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p><b>Leaf</b> ({@link #LEAF_BYTES} bytes): a run of entries in order, packed from the header up, and a slot
 * directory growing down from the block's end, linked both ways to its neighbours.
 * <pre>
 *  +---------------+-------+-------+
 *  | magic "KZL2"  | count | used  |  0   (count, used: unsigned 16 bits; used: bytes of entries, not slots)
 *  +---------------+-------+-------+
 *  |    previous leaf (handle)     |  8
 *  +-------------------------------+
 *  |      next leaf (handle)       | 16
 *  +-------------------------------+
 *  |   entries ... (used bytes)    | 24   entry i+1 right after entry i
 *  +-------------------------------+
 *  |            free               |
 *  +-------+-------+-------+-------+
 *  |slot   | ...   |slot 1 |slot 0 |  LEAF_BYTES - 2 * count .. LEAF_BYTES
 *  |count-1|       |       |       |  (slot i: unsigned 16 bits, where entry i starts in the block)
 *  +-------+-------+-------+-------+
 *
 *  inline entry (member of 0..254 bytes)      out-of-line entry (member of 255 bytes or more)
 *  +-----------+------+--------------+         +-----------+------+------------+------------------+
 *  | score (8) | len  | member bytes |         | score (8) | 0xFF | length (4) | member handle (8)|
 *  +-----------+------+--------------+         +-----------+------+------------+------------------+
 * </pre>
 * An inline entry costs 9 bytes beside its member, plus its 2-byte slot; an out-of-line one 21 bytes in the
 * leaf plus its slot plus a block of exactly its length (a span when big), so a leaf always holds at least 15
 * entries and a member of any length (up to the 512 MB bulk limit) works. Why slots: entries are of variable
 * length, so without them finding entry i means walking the entries before it (a binary search over a leaf
 * would read all of them). With them, a search reads log2(count) entries; entries stay packed in order, so a
 * range walk reads consecutive bytes and a split, merge or share moves one run of bytes plus the slots (their
 * values shift by the bytes moved). The slot directory belongs to the layout: "KZL2" (the layout before slots
 * was "KZLF") and the snapshot format version 2 say so.
 *
 * <p><b>Inner node</b> ({@link #INNER_BYTES} bytes): {@code count} children, each with its subtree's element
 * count and its lower-bound key (the first child's key is unused and always empty), and the sum of the
 * children's counts in the header.
 * <pre>
 *  +---------------+-------+---+---+
 *  | magic "KZI2"  | count |lvl|pad|  0  (lvl: 1 when the children are leaves)
 *  +---------------+-------+---+---+
 *  |   total: sum of the subtree   |  8
 *  |   counts below                |
 *  +-------------------------------+---------------------------------------------------------+
 *  | child (8) | subtree count (8) | key score (8) | key code (1) | key bytes (23)            | 16 + 48 * i
 *  +-----------------------------------------------------------------------------------------+
 *   key code 0..23: the key's member is that many bytes inline; 0xFF: the first 12 key bytes are
 *   length (4) | handle (8) of a block holding the key's member (rare, see below).
 * </pre>
 * The total is what a node is checked against when it is visited: it must equal the count its parent (or the
 * root's size, for the top) gives for it, one comparison where summing the children would read every entry.
 * Every change of a count updates the total with it (the same block, so no page more is written). The total
 * belongs to the layout: "KZI2" (the layout before was "KZIN") and the snapshot format version 2 say so.
 *
 * <p>Separators. Keys of inner nodes are not copies of elements: a key is the shortest (score, member) that
 * is above the last element of the left side and at or below the first of the right side, chosen when a
 * leaf splits or lends entries. Two elements of different scores are separated by (right score, empty
 * member); two of equal score by the right member's prefix one byte past their common prefix. So keys are
 * almost always a few bytes, and the split point is chosen among the near-balanced ones to get a key that
 * fits inline. Only equal scores with members sharing a prefix of 23 bytes or more over the whole candidate
 * range force a key into a block of its own; the inner entry then owns that block (freed with the key,
 * moved with it between nodes). Keys being bounds rather than elements, a delete never has to fix one up.
 * Keeping fixed-size inner entries keeps inner splits, merges and rotations plain array moves.
 */
public final class ScoreTreeDescriptor
{
    // root block
    public static final int SIZE_OFFSET = 0;
    public static final int TOP_OFFSET = 8;
    public static final int FIRST_LEAF_OFFSET = 16;
    public static final int LAST_LEAF_OFFSET = 24;
    public static final int BYTES_OWNED_OFFSET = 32;
    public static final int HEIGHT_OFFSET = 40;
    public static final int FLAGS_OFFSET = 44;
    public static final int FREE_MEMBER_OFFSET = 48;
    public static final int MAGIC_OFFSET = DictRootDescriptor.MAGIC_OFFSET;
    public static final int FREE_PATH_OFFSET = 64;
    /** Deeper than any tree can get: with at least 2 children at the top and 21 below, 16 levels is past 2^60. */
    public static final int MAX_HEIGHT = 16;
    public static final int ROOT_LENGTH = FREE_PATH_OFFSET + 4 * MAX_HEIGHT;
    public static final int ROOT_MAGIC = 0x52545A4B;
    public static final int FLAG_FREEING = 0x01;
    public static final int KNOWN_FLAGS = FLAG_FREEING;

    // leaf
    /** "KZL2": the leaf with a slot directory (the one before, without, was "KZLF"). */
    public static final int LEAF_MAGIC = 0x324C5A4B;
    public static final int LEAF_COUNT_OFFSET = 4;
    public static final int LEAF_USED_OFFSET = 6;
    public static final int LEAF_PREV_OFFSET = 8;
    public static final int LEAF_NEXT_OFFSET = 16;
    public static final int LEAF_ENTRIES_OFFSET = 24;
    /**
     * 4 KiB, a size class of its own: about 150 entries of 16-byte members, so a leaf is filled in a few
     * dozen microseconds of memmove at worst, and a write copies one such block's page during a snapshot.
     */
    public static final int LEAF_BYTES = 4096;
    /** Bytes for entries and their slots. */
    public static final int LEAF_CAPACITY = LEAF_BYTES - LEAF_ENTRIES_OFFSET;
    /** A leaf other than the only one takes at least this many bytes (entries and slots) after a delete's rebalance. */
    public static final int LEAF_MIN_USED = LEAF_CAPACITY / 4;
    public static final int LEAF_SLOT_BYTES = 2;

    // leaf entries
    public static final int ENTRY_SCORE_OFFSET = 0;
    public static final int ENTRY_CODE_OFFSET = 8;
    public static final int ENTRY_MEMBER_OFFSET = 9;
    public static final int ENTRY_OUT_LENGTH_OFFSET = 9;
    public static final int ENTRY_OUT_HANDLE_OFFSET = 13;
    public static final int ENTRY_HEADER = 9;
    public static final int OUT_OF_LINE_ENTRY = 21;
    public static final int INLINE_MAX = 254;
    public static final int CODE_OUT_OF_LINE = 0xFF;
    public static final int LEAF_MAX_ENTRIES = LEAF_CAPACITY / (ENTRY_HEADER + LEAF_SLOT_BYTES);
    public static final int MAX_ENTRY = ENTRY_HEADER + INLINE_MAX;

    // inner node
    /** "KZI2": the inner node with a total in its header (the one before, without, was "KZIN"). */
    public static final int INNER_MAGIC = 0x32495A4B;
    public static final int INNER_COUNT_OFFSET = 4;
    public static final int INNER_LEVEL_OFFSET = 6;
    public static final int INNER_TOTAL_OFFSET = 8;
    public static final int INNER_ENTRIES_OFFSET = 16;
    public static final int INNER_ENTRY = 48;
    public static final int CHILD_OFFSET = 0;
    public static final int SUBTREE_COUNT_OFFSET = 8;
    public static final int KEY_OFFSET = 16;
    public static final int KEY_SCORE_OFFSET = 16;
    public static final int KEY_CODE_OFFSET = 24;
    public static final int KEY_MEMBER_OFFSET = 25;
    public static final int KEY_OUT_LENGTH_OFFSET = 25;
    public static final int KEY_OUT_HANDLE_OFFSET = 29;
    public static final int KEY_BYTES = 32;
    public static final int KEY_INLINE_MAX = 23;
    public static final int INNER_BYTES = 4096;
    public static final int MAX_CHILDREN = (INNER_BYTES - INNER_ENTRIES_OFFSET) / INNER_ENTRY;
    /** An inner node other than the top one keeps at least this many children after a delete's rebalance. */
    public static final int MIN_CHILDREN = MAX_CHILDREN / 4;

    private ScoreTreeDescriptor()
    {
    }

    /** Bytes of a leaf entry for a member of {@code length} bytes. */
    public static int entryLength(final int length)
    {
        return length <= INLINE_MAX ? ENTRY_HEADER + length : OUT_OF_LINE_ENTRY;
    }

    /** Bytes a leaf gives an entry for a member of {@code length} bytes: the entry and its slot. */
    public static int entrySpace(final int length)
    {
        return entryLength(length) + LEAF_SLOT_BYTES;
    }

    /** Where slot i lies in a leaf, from the block's start. */
    public static int leafSlotOffset(final int i)
    {
        return LEAF_BYTES - LEAF_SLOT_BYTES * (i + 1);
    }
}
