package io.keelkv.engine.snapshot;

/**
 * Layout of the root block, right after the header: everything needed to rebuild the dataset that is not
 * in pages. All numbers little-endian. Four sections follow a fixed part, then a CRC:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                      size class count (C)                     |
 *  +---------------------------------------------------------------+
 *  |                    page number limit (L)                      |
 *  +---------------------------------------------------------------+
 *  |                       database count (D)                      |
 *  +---------------------------------------------------------------+
 *  |        pending frees (P): 0 in files written before them      |
 *  +---------------------------------------------------------------+
 *  |               key hash seed (the index was built with it)     |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |  C size-class records:  partial-list head | current page      |  8 bytes each
 *  +---------------------------------------------------------------+
 *  |  L page records (page 0 included, always free), 28 bytes each:|
 *  |  +-------+-------+---------------+                            |
 *  |  | kind  |  res  |  size class   |                            |
 *  |  +-------+-------+---------------+                            |
 *  |  |  live blocks | free-list head | bump | next partial |      |
 *  |  |  prev partial | span length (pages, head only)       |      |
 *  +---------------------------------------------------------------+
 *  |  free page-number bitmap: (L + 63) / 64 words, bit = free     |
 *  +---------------------------------------------------------------+
 *  |  D database records, 56 bytes each, then their segments:      |
 *  |   table 0 handle (8) | table 1 handle (8) | used 0 (8)        |
 *  |   used 1 (8) | rehash index (8) | exp 0 (4) | exp 1 (4)       |
 *  |   keys with a TTL (4) | volatile segment count S (4)          |
 *  |   S segment handles (8 each)                                  |
 *  +---------------------------------------------------------------+
 *  |  P root handles (8 each) of dropped collections whose blocks   |
 *  |  the lazy free had not all freed at the instant               |
 *  +---------------------------------------------------------------+
 *  |              CRC32C of every byte above (root CRC)            |
 *  +---------------------------------------------------------------+
 * </pre>
 * The page records are the allocator's per-page metadata as {@code PageMemory} keeps it on the heap; the
 * free lists themselves are threaded through free blocks inside the pages, so they travel with the frames.
 * Counters that can be derived (pages in use, bytes allocated) are recomputed on load, not stored. The
 * hash seed is here because bucket positions depend on it: an index restored under another seed finds nothing.
 * Statistics (hits, misses, expired keys) are not persisted, as Redis does not persist them.
 */
public final class RootBlockDescriptor
{
    public static final int SIZE_CLASS_COUNT_OFFSET = 0;
    public static final int PAGE_NUMBER_LIMIT_OFFSET = 4;
    public static final int DATABASE_COUNT_OFFSET = 8;
    /** Was reserved (always 0), so older files read as having nothing pending. */
    public static final int PENDING_FREE_COUNT_OFFSET = 12;
    public static final int PENDING_FREE_HANDLE_LENGTH = 8;
    public static final int HASH_SEED_OFFSET = 16;
    public static final int FIXED_LENGTH = 24;

    public static final int CLASS_PARTIAL_HEAD_OFFSET = 0;
    public static final int CLASS_CURRENT_OFFSET = 4;
    public static final int CLASS_RECORD_LENGTH = 8;

    public static final int PAGE_KIND_OFFSET = 0;
    public static final int PAGE_SIZE_CLASS_OFFSET = 2;
    public static final int PAGE_LIVE_OFFSET = 4;
    public static final int PAGE_FREE_HEAD_OFFSET = 8;
    public static final int PAGE_BUMP_OFFSET = 12;
    public static final int PAGE_NEXT_PARTIAL_OFFSET = 16;
    public static final int PAGE_PREV_PARTIAL_OFFSET = 20;
    public static final int PAGE_SPAN_PAGES_OFFSET = 24;
    public static final int PAGE_RECORD_LENGTH = 28;

    public static final int DB_TABLE0_OFFSET = 0;
    public static final int DB_TABLE1_OFFSET = 8;
    public static final int DB_USED0_OFFSET = 16;
    public static final int DB_USED1_OFFSET = 24;
    public static final int DB_REHASH_INDEX_OFFSET = 32;
    public static final int DB_EXP0_OFFSET = 40;
    public static final int DB_EXP1_OFFSET = 44;
    public static final int DB_VOLATILE_SIZE_OFFSET = 48;
    public static final int DB_SEGMENT_COUNT_OFFSET = 52;
    public static final int DB_RECORD_LENGTH = 56;
    public static final int SEGMENT_HANDLE_LENGTH = 8;

    public static final int CRC_LENGTH = 4;

    private RootBlockDescriptor()
    {
    }

    public static int classRecordOffset(final int sizeClass)
    {
        return FIXED_LENGTH + sizeClass * CLASS_RECORD_LENGTH;
    }

    public static long pageRecordOffset(final int sizeClassCount, final int page)
    {
        return FIXED_LENGTH + (long)sizeClassCount * CLASS_RECORD_LENGTH + (long)page * PAGE_RECORD_LENGTH;
    }

    public static long bitmapOffset(final int sizeClassCount, final int pageNumberLimit)
    {
        return pageRecordOffset(sizeClassCount, pageNumberLimit);
    }

    public static long databasesOffset(final int sizeClassCount, final int pageNumberLimit)
    {
        return bitmapOffset(sizeClassCount, pageNumberLimit) + (long)((pageNumberLimit + 63) >>> 6) * 8;
    }

    /** The length of a database record with {@code segments} volatile segments. */
    public static long databaseRecordLength(final int segments)
    {
        return DB_RECORD_LENGTH + (long)segments * SEGMENT_HANDLE_LENGTH;
    }
}
