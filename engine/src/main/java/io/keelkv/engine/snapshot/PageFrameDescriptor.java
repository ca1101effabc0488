package io.keelkv.engine.snapshot;

/**
 * Layout of one page frame: a frame header followed by the page's stored bytes. All numbers little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         page number                           |
 *  +---------------+---------------+-------------------------------+
 *  |     kind      |   encoding    |           reserved            |
 *  +---------------+---------------+-------------------------------+
 *  |                    raw length (page size)                     |
 *  +---------------------------------------------------------------+
 *  |                        stored length                          |
 *  +---------------------------------------------------------------+
 *  |        CRC32C of bytes [0, 16) and of the stored bytes        |
 *  +---------------------------------------------------------------+
 *  |                           reserved                            |
 *  +---------------------------------------------------------------+
 *  |                     stored bytes ...                          |
 *  +---------------------------------------------------------------+
 * </pre>
 * Kind repeats the allocator's page kind (slab, span head, span tail) from the root block, so that a frame
 * in the wrong place is caught. Encoding is LZ4 (block format) or raw when LZ4 would not make the page
 * smaller. The CRC covers the stored bytes, not the decompressed page, so a damaged frame is refused before
 * the decompressor reads it. Raw length is the page size today; it is in the frame so that a later writer
 * may store only a page's used prefix.
 */
public final class PageFrameDescriptor
{
    public static final byte ENCODING_RAW = 0;
    public static final byte ENCODING_LZ4 = 1;

    public static final int PAGE_NUMBER_OFFSET = 0;
    public static final int KIND_OFFSET = 4;
    public static final int ENCODING_OFFSET = 5;
    public static final int RAW_LENGTH_OFFSET = 8;
    public static final int STORED_LENGTH_OFFSET = 12;
    /** The CRC covers the header up to here, then the stored bytes. */
    public static final int CRC_COVERED_HEADER_LENGTH = 16;
    public static final int CRC_OFFSET = 16;
    public static final int FRAME_HEADER_LENGTH = 24;

    private PageFrameDescriptor()
    {
    }
}
