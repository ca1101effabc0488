package io.keelkv.engine.snapshot;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static io.keelkv.engine.snapshot.SnapshotTrailerDescriptor.*;

/** A view over the trailer (see {@link SnapshotTrailerDescriptor}); re-pointed with {@link #wrap}. */
public final class SnapshotTrailerFlyweight
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private MutableDirectBuffer buffer;
    private int offset;

    public SnapshotTrailerFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public boolean hasMagic()
    {
        for (int i = 0; i < MAGIC_LENGTH; i++)
        {
            if (buffer.getByte(offset + MAGIC_OFFSET + i) != MAGIC[i])
            {
                return false;
            }
        }
        return true;
    }

    public SnapshotTrailerFlyweight put(final int frameCount, final long fileLength, final int fileCrc)
    {
        buffer.putBytes(offset + MAGIC_OFFSET, MAGIC);
        buffer.putInt(offset + FRAME_COUNT_OFFSET, frameCount, LE);
        buffer.putInt(offset + FRAME_COUNT_OFFSET + 4, 0, LE);
        buffer.putLong(offset + FILE_LENGTH_OFFSET, fileLength, LE);
        buffer.putInt(offset + FILE_CRC_OFFSET, fileCrc, LE);
        return this;
    }

    public int frameCount()
    {
        return buffer.getInt(offset + FRAME_COUNT_OFFSET, LE);
    }

    public long fileLength()
    {
        return buffer.getLong(offset + FILE_LENGTH_OFFSET, LE);
    }

    public int fileCrc()
    {
        return buffer.getInt(offset + FILE_CRC_OFFSET, LE);
    }

    public int trailerCrc()
    {
        return buffer.getInt(offset + TRAILER_CRC_OFFSET, LE);
    }

    public SnapshotTrailerFlyweight trailerCrc(final int crc)
    {
        buffer.putInt(offset + TRAILER_CRC_OFFSET, crc, LE);
        return this;
    }
}
