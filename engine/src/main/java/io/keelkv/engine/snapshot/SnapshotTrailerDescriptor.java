package io.keelkv.engine.snapshot;

import java.nio.charset.StandardCharsets;

/**
 * Layout of the snapshot file's trailer, its last 32 bytes. All numbers little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |               magic "KEEL-END" (8 bytes, ASCII)               |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         frame count                           |
 *  +---------------------------------------------------------------+
 *  |                           reserved                            |
 *  +---------------------------------------------------------------+
 *  |            file length (bytes, trailer included)              |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |       CRC32C of every byte before the trailer (file CRC)      |
 *  +---------------------------------------------------------------+
 *  |               CRC32C of trailer bytes [0, 28)                 |
 *  +---------------------------------------------------------------+
 * </pre>
 * A file is complete only with its trailer: a reader checks it first, so a truncated file (a copy cut short,
 * a disk that filled after a rename it should never have seen) is refused before anything is restored.
 */
public final class SnapshotTrailerDescriptor
{
    public static final byte[] MAGIC = "KEEL-END".getBytes(StandardCharsets.US_ASCII);

    public static final int MAGIC_OFFSET = 0;
    public static final int MAGIC_LENGTH = 8;
    public static final int FRAME_COUNT_OFFSET = 8;
    public static final int FILE_LENGTH_OFFSET = 16;
    public static final int FILE_CRC_OFFSET = 24;
    public static final int TRAILER_CRC_OFFSET = 28;
    public static final int TRAILER_LENGTH = 32;

    private SnapshotTrailerDescriptor()
    {
    }
}
