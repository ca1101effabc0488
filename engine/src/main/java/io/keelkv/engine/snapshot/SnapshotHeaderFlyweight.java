package io.keelkv.engine.snapshot;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static io.keelkv.engine.snapshot.SnapshotHeaderDescriptor.*;

/** A view over the header (see {@link SnapshotHeaderDescriptor}) in a buffer; re-pointed with {@link #wrap}. */
public final class SnapshotHeaderFlyweight
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private MutableDirectBuffer buffer;
    private int offset;

    public SnapshotHeaderFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public SnapshotHeaderFlyweight putMagic()
    {
        buffer.putBytes(offset + MAGIC_OFFSET, MAGIC);
        return this;
    }

    /** @return true when the buffer starts with {@code magic} (which may be shorter than the magic field). */
    public boolean startsWith(final byte[] magic, final int available)
    {
        if (available < magic.length)
        {
            return false;
        }
        for (int i = 0; i < magic.length; i++)
        {
            if (buffer.getByte(offset + MAGIC_OFFSET + i) != magic[i])
            {
                return false;
            }
        }
        return true;
    }

    /** @return true when the first {@code available} bytes are the start of the magic: a file cut in its magic. */
    public boolean isMagicPrefix(final int available)
    {
        for (int i = 0; i < available && i < MAGIC_LENGTH; i++)
        {
            if (buffer.getByte(offset + MAGIC_OFFSET + i) != MAGIC[i])
            {
                return false;
            }
        }
        return true;
    }

    /** The first {@code length} bytes as printable ASCII, for messages about a foreign file. */
    public String printablePrefix(final int length)
    {
        final StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            final int b = buffer.getByte(offset + i) & 0xFF;
            sb.append(b >= 0x20 && b < 0x7F ? (char)b : '.');
        }
        return sb.toString();
    }

    public int version()
    {
        return buffer.getInt(offset + VERSION_OFFSET, LE);
    }

    public SnapshotHeaderFlyweight version(final int version)
    {
        buffer.putInt(offset + VERSION_OFFSET, version, LE);
        return this;
    }

    public int headerLength()
    {
        return buffer.getInt(offset + HEADER_LENGTH_OFFSET, LE);
    }

    public SnapshotHeaderFlyweight headerLength(final int length)
    {
        buffer.putInt(offset + HEADER_LENGTH_OFFSET, length, LE);
        return this;
    }

    public int pageSizeBytes()
    {
        return buffer.getInt(offset + PAGE_SIZE_OFFSET, LE);
    }

    public SnapshotHeaderFlyweight pageSizeBytes(final int pageSizeBytes)
    {
        buffer.putInt(offset + PAGE_SIZE_OFFSET, pageSizeBytes, LE);
        return this;
    }

    public int pageNumberLimit()
    {
        return buffer.getInt(offset + PAGE_NUMBER_LIMIT_OFFSET, LE);
    }

    public SnapshotHeaderFlyweight pageNumberLimit(final int limit)
    {
        buffer.putInt(offset + PAGE_NUMBER_LIMIT_OFFSET, limit, LE);
        return this;
    }

    public int frameCount()
    {
        return buffer.getInt(offset + FRAME_COUNT_OFFSET, LE);
    }

    public SnapshotHeaderFlyweight frameCount(final int count)
    {
        buffer.putInt(offset + FRAME_COUNT_OFFSET, count, LE);
        return this;
    }

    public int databaseCount()
    {
        return buffer.getInt(offset + DATABASE_COUNT_OFFSET, LE);
    }

    public SnapshotHeaderFlyweight databaseCount(final int count)
    {
        buffer.putInt(offset + DATABASE_COUNT_OFFSET, count, LE);
        return this;
    }

    public int sizeClassCount()
    {
        return buffer.getInt(offset + SIZE_CLASS_COUNT_OFFSET, LE);
    }

    public SnapshotHeaderFlyweight sizeClassCount(final int count)
    {
        buffer.putInt(offset + SIZE_CLASS_COUNT_OFFSET, count, LE);
        return this;
    }

    public int flags()
    {
        return buffer.getInt(offset + FLAGS_OFFSET, LE);
    }

    public SnapshotHeaderFlyweight flags(final int flags)
    {
        buffer.putInt(offset + FLAGS_OFFSET, flags, LE);
        return this;
    }

    public long rootBlockLength()
    {
        return buffer.getLong(offset + ROOT_BLOCK_LENGTH_OFFSET, LE);
    }

    public SnapshotHeaderFlyweight rootBlockLength(final long length)
    {
        buffer.putLong(offset + ROOT_BLOCK_LENGTH_OFFSET, length, LE);
        return this;
    }

    public long createdAtMs()
    {
        return buffer.getLong(offset + CREATED_AT_MS_OFFSET, LE);
    }

    public SnapshotHeaderFlyweight createdAtMs(final long ms)
    {
        buffer.putLong(offset + CREATED_AT_MS_OFFSET, ms, LE);
        return this;
    }

    public int headerCrc()
    {
        return buffer.getInt(offset + HEADER_CRC_OFFSET, LE);
    }

    public SnapshotHeaderFlyweight headerCrc(final int crc)
    {
        buffer.putInt(offset + HEADER_CRC_OFFSET, crc, LE);
        buffer.putInt(offset + RESERVED_OFFSET, 0, LE);
        return this;
    }
}
