package io.keelkv.engine.types;

/**
 * Layout of the root block of a paged dict ({@link PagedDict}): the one fixed-size block a big hash or set's
 * entry points at. Everything the dict needs is here, so the root alone describes it (a snapshot restores it
 * with the pages, and a stepped free resumes from it). All numbers little-endian, as the pages are.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 table 0: bucket table (handle)                |  0
 *  +---------------------------------------------------------------+
 *  |     table 1: the table being rehashed into (handle, or 0)     |  8
 *  +---------------------------------------------------------------+
 *  |                  used 0: elements in table 0                  | 16
 *  +---------------------------------------------------------------+
 *  |                  used 1: elements in table 1                  | 24
 *  +---------------------------------------------------------------+
 *  |       rehash index: next bucket of table 0 to move, or -1     | 32
 *  +---------------------------------------------------------------+
 *  |  pending table: a new table being zeroed in steps (or 0)      | 40
 *  +---------------------------------------------------------------+
 *  |             pending zeroed: its bytes zeroed so far           | 48
 *  +---------------+---------------+---------------+---------------+
 *  |     exp 0     |     exp 1     |  pending exp  |     flags     | 56   (signed bytes, -1: no table)
 *  +---------------+---------------+---------------+---------------+
 *  |                    magic "KDCT" (0x5443444B)                  | 60
 *  +---------------------------------------------------------------+
 *  |  free bucket: next bucket to free (table 0, then table 1)     | 64   (only while FLAG_FREEING)
 *  +---------------------------------------------------------------+
 *  |  free next: the next element of the chain being freed, or 0   | 72   (only while FLAG_FREEING)
 *  +---------------------------------------------------------------+
 * </pre>
 * A table of exponent e holds 2^e 8-byte element handles (the chain heads); each is a block of its own (a
 * span when big). The element count is used 0 + used 1. Flags: {@link #FLAG_VALUES} (a hash: each element
 * has a value; a set's has none) and {@link #FLAG_FREEING} (a stepped free has begun: the dict is no longer
 * usable, and only the free goes on).
 */
public final class DictRootDescriptor
{
    public static final int TABLE0_OFFSET = 0;
    public static final int TABLE1_OFFSET = 8;
    public static final int USED0_OFFSET = 16;
    public static final int USED1_OFFSET = 24;
    public static final int REHASH_INDEX_OFFSET = 32;
    public static final int PENDING_TABLE_OFFSET = 40;
    public static final int PENDING_ZEROED_OFFSET = 48;
    public static final int EXP0_OFFSET = 56;
    public static final int EXP1_OFFSET = 57;
    public static final int PENDING_EXP_OFFSET = 58;
    public static final int FLAGS_OFFSET = 59;
    public static final int MAGIC_OFFSET = 60;
    public static final int FREE_BUCKET_OFFSET = 64;
    public static final int FREE_NEXT_OFFSET = 72;
    public static final int LENGTH = 80;

    public static final int MAGIC = 0x5443444B;

    public static final int FLAG_VALUES = 0x01;
    public static final int FLAG_FREEING = 0x02;
    public static final int KNOWN_FLAGS = FLAG_VALUES | FLAG_FREEING;

    /** The smallest table: 4 buckets (Redis's DICT_HT_INITIAL_SIZE). */
    public static final int MIN_TABLE_EXP = 2;
    /** The largest table: 2^40 buckets (8 TiB of handles), as Database's bound; a larger exponent is damage. */
    public static final int MAX_TABLE_EXP = 40;

    private DictRootDescriptor()
    {
    }

    /** Bytes of a bucket table of exponent {@code exp}. */
    public static long tableBytes(final int exp)
    {
        return (1L << exp) * 8;
    }
}
