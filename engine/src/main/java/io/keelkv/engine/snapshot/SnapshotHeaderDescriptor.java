package io.keelkv.engine.snapshot;

import java.nio.charset.StandardCharsets;

/**
 * Layout of the snapshot file's header, at offset 0. All numbers little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |         magic "KEELKV-SNAPSHOT\n" (16 bytes, ASCII)           |
 *  |                                                               |
 *  |                                                               |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        format version                         |
 *  +---------------------------------------------------------------+
 *  |                   header length (bytes, 72)                   |
 *  +---------------------------------------------------------------+
 *  |                       page size (bytes)                       |
 *  +---------------------------------------------------------------+
 *  |                      page number limit                        |
 *  +---------------------------------------------------------------+
 *  |                frame count (pages in use)                     |
 *  +---------------------------------------------------------------+
 *  |                       database count                          |
 *  +---------------------------------------------------------------+
 *  |                       size class count                        |
 *  +---------------------------------------------------------------+
 *  |                  flags (bit 0: little-endian pages)           |
 *  +---------------------------------------------------------------+
 *  |                   root block length (bytes)                   |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              created at (ms since the epoch)                  |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |               CRC32C of bytes [0, 64) (header CRC)            |
 *  +---------------------------------------------------------------+
 *  |                           reserved                            |
 *  +---------------------------------------------------------------+
 * </pre>
 * The magic makes the file self-describing ({@code head -c 16 dump.rdb} says what it is) and is distinct
 * from Redis's {@code "REDIS"}, so neither server mistakes the other's file for its own. The page size and
 * size-class count are here because page bytes and allocator metadata are only meaningful for the
 * allocator that wrote them; the reader refuses another page size rather than re-laying out entries.
 */
public final class SnapshotHeaderDescriptor
{
    public static final byte[] MAGIC = "KEELKV-SNAPSHOT\n".getBytes(StandardCharsets.US_ASCII);
    /** A Redis RDB file starts with "REDIS" and four version digits. */
    public static final byte[] REDIS_RDB_MAGIC = "REDIS".getBytes(StandardCharsets.US_ASCII);
    /**
     * Bumped whenever a layout inside the pages changes, since pages are restored as they are: 2 since the
     * score tree's leaves have a slot directory and its inner nodes a total ({@code ScoreTreeDescriptor}).
     */
    public static final int FORMAT_VERSION = 2;
    /**
     * The oldest version read. Version 1 differs only in the score tree's node layouts, so a version 1 file is
     * loaded when it holds no sorted set in the big encoding, checked once restored ({@link
     * SnapshotReader.FormatCheck}), and refused whole otherwise: the snapshots written before sorted sets
     * existed, every string, hash, list and set in them, still load after an upgrade.
     */
    public static final int OLDEST_FORMAT_VERSION = 1;
    public static final int FLAG_LITTLE_ENDIAN = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int MAGIC_LENGTH = 16;
    public static final int VERSION_OFFSET = 16;
    public static final int HEADER_LENGTH_OFFSET = 20;
    public static final int PAGE_SIZE_OFFSET = 24;
    public static final int PAGE_NUMBER_LIMIT_OFFSET = 28;
    public static final int FRAME_COUNT_OFFSET = 32;
    public static final int DATABASE_COUNT_OFFSET = 36;
    public static final int SIZE_CLASS_COUNT_OFFSET = 40;
    public static final int FLAGS_OFFSET = 44;
    public static final int ROOT_BLOCK_LENGTH_OFFSET = 48;
    public static final int CREATED_AT_MS_OFFSET = 56;
    public static final int HEADER_CRC_OFFSET = 64;
    public static final int RESERVED_OFFSET = 68;
    public static final int HEADER_LENGTH = 72;

    private SnapshotHeaderDescriptor()
    {
    }
}
