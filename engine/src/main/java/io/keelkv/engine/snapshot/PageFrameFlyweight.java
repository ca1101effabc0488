package io.keelkv.engine.snapshot;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static io.keelkv.engine.snapshot.PageFrameDescriptor.*;

/** A view over one frame header (see {@link PageFrameDescriptor}); re-pointed with {@link #wrap}, never allocated per page. */
public final class PageFrameFlyweight
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private MutableDirectBuffer buffer;
    private int offset;

    public PageFrameFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public int offset()
    {
        return offset;
    }

    /** Where the stored bytes start in the wrapped buffer. */
    public int payloadOffset()
    {
        return offset + FRAME_HEADER_LENGTH;
    }

    public int pageNumber()
    {
        return buffer.getInt(offset + PAGE_NUMBER_OFFSET, LE);
    }

    public byte kind()
    {
        return buffer.getByte(offset + KIND_OFFSET);
    }

    public byte encoding()
    {
        return buffer.getByte(offset + ENCODING_OFFSET);
    }

    public int rawLength()
    {
        return buffer.getInt(offset + RAW_LENGTH_OFFSET, LE);
    }

    public int storedLength()
    {
        return buffer.getInt(offset + STORED_LENGTH_OFFSET, LE);
    }

    public int crc()
    {
        return buffer.getInt(offset + CRC_OFFSET, LE);
    }

    /** Write every header field but the CRC, which covers them and the stored bytes. */
    public PageFrameFlyweight header(
        final int pageNumber, final byte kind, final byte encoding, final int rawLength, final int storedLength)
    {
        buffer.putInt(offset + PAGE_NUMBER_OFFSET, pageNumber, LE);
        buffer.putByte(offset + KIND_OFFSET, kind);
        buffer.putByte(offset + ENCODING_OFFSET, encoding);
        buffer.putShort(offset + ENCODING_OFFSET + 1, (short)0, LE);
        buffer.putInt(offset + RAW_LENGTH_OFFSET, rawLength, LE);
        buffer.putInt(offset + STORED_LENGTH_OFFSET, storedLength, LE);
        buffer.putInt(offset + CRC_OFFSET + 4, 0, LE);
        return this;
    }

    public PageFrameFlyweight crc(final int crc)
    {
        buffer.putInt(offset + CRC_OFFSET, crc, LE);
        return this;
    }
}
