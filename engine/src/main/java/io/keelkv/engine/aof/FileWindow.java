package io.keelkv.engine.aof;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A sliding window over a file, in one direct buffer that grows when a command needs more and is reused
 * for every file the {@link AofReader} reads.
 *
 * <p>Why direct: {@code FileChannel.read} into a heap buffer goes through a temporary direct buffer as
 * large as the read, which the JDK then caches per thread; for a 512 MB argument that would be a second
 * 512 MB. Reading straight into our own direct buffer costs one copy (the kernel's), and the buffer is
 * what {@link io.keelkv.engine.resp.Args} points into, so arguments are handed on without another copy.
 *
 * <p>Invariant: buffer index {@code i} holds file byte {@code start + i} for {@code i < length}.
 * {@link #ensure} keeps the bytes from a caller's {@code keepFrom} (the start of the command being
 * parsed) so that every argument already recorded stays in the buffer; it moves them to index 0 first
 * (so indices recorded relative to {@code keepFrom} stay valid) and only then grows or reads. Reads fill
 * the whole buffer when the file has the bytes: small commands cost one read per buffer, not per command.
 *
 * <p>The caller checks sizes before asking: a request beyond the file's end or beyond the largest buffer
 * is a bug here, never an allocation attempt.
 */
final class FileWindow implements AutoCloseable
{
    private final int maxCapacity;
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private ByteBuffer byteBuffer;
    private FileChannel channel;
    private long size;
    private long start;
    private int length;

    FileWindow(final int initialCapacity, final int maxCapacity)
    {
        this.maxCapacity = maxCapacity;
        this.byteBuffer = ByteBuffer.allocateDirect(initialCapacity);
        buffer.wrap(byteBuffer);
    }

    /** Point at a new file (the buffer is kept); the channel stays the caller's to close. */
    void open(final FileChannel channel, final long size)
    {
        this.channel = channel;
        this.size = size;
        this.start = 0;
        this.length = 0;
    }

    /** The buffer the arguments lie in: the same instance for the reader's life, rewrapped on growth. */
    UnsafeBuffer buffer()
    {
        return buffer;
    }

    int capacity()
    {
        return byteBuffer.capacity();
    }

    /** @return the buffer index of file offset {@code position}, which must be in the window. */
    int index(final long position)
    {
        return (int)(position - start);
    }

    /**
     * @return the byte at {@code position} (0..255), or -1 at or past the end of the file.
     */
    int byteAt(final long keepFrom, final long position) throws IOException
    {
        if (position >= size)
        {
            return -1;
        }
        ensure(keepFrom, position, 1);
        return buffer.getByte((int)(position - start)) & 0xFF;
    }

    /**
     * Make {@code [position, position + bytes)} readable while keeping {@code [keepFrom, position)}.
     *
     * @param keepFrom at most {@code position}: the start of the command being parsed.
     * @param position first byte wanted.
     * @param bytes    wanted; {@code position + bytes <= size} and {@code position + bytes - keepFrom <= maxCapacity}.
     * @throws IOException if the read fails, the file got shorter, or the buffer cannot be allocated.
     */
    void ensure(final long keepFrom, final long position, final int bytes) throws IOException
    {
        final long end = position + bytes;
        if (keepFrom >= start && end <= start + length)
        {
            return;
        }
        if (end > size || end - keepFrom > maxCapacity || keepFrom > position)
        {
            throw new IllegalStateException("window request [" + keepFrom + ", " + end + ") in a file of " + size +
                " bytes with at most " + maxCapacity + " buffered");
        }
        if (keepFrom >= start && keepFrom <= start + length)
        {
            final int from = (int)(keepFrom - start);
            buffer.putBytes(0, buffer, from, length - from);
            length -= from;
        }
        else
        {
            length = 0;
        }
        start = keepFrom;
        final int needed = (int)(end - keepFrom);
        if (needed > byteBuffer.capacity())
        {
            grow(needed);
        }
        final int fill = (int)Math.min(byteBuffer.capacity(), size - start);
        while (length < fill)
        {
            byteBuffer.limit(fill).position(length);
            final int read = channel.read(byteBuffer, start + length);
            if (read < 0)
            {
                throw new EOFException("the file ended at " + (start + length) + " bytes while reading it; it had " +
                    size + " when the read began");
            }
            length += read;
        }
    }

    /** @return whether the file starts with {@code magic}; {@code [0, available)} must be in the window. */
    boolean startsWith(final byte[] magic, final int available)
    {
        if (available < magic.length || start != 0)
        {
            return false;
        }
        for (int i = 0; i < magic.length; i++)
        {
            if (buffer.getByte(i) != magic[i])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return the offset of the first byte that is not zero in {@code [from, size)}, or -1 if they all are.
     */
    long firstNonZero(final long from) throws IOException
    {
        long position = from;
        while (position < size)
        {
            ensure(position, position, 1);
            final int end = length;
            int i = (int)(position - start);
            while (i + Long.BYTES <= end && buffer.getLong(i) == 0)
            {
                i += Long.BYTES;
            }
            while (i < end)
            {
                if (buffer.getByte(i) != 0)
                {
                    return start + i;
                }
                i++;
            }
            position = start + end;
        }
        return -1;
    }

    private void grow(final int needed) throws IOException
    {
        final long doubled = Math.min((long)maxCapacity, 2L * byteBuffer.capacity());
        final int capacity = (int)Math.max(needed, doubled);
        final ByteBuffer grown;
        try
        {
            grown = ByteBuffer.allocateDirect(capacity);
        }
        catch (final OutOfMemoryError ex)
        {
            // the direct memory limit (-XX:MaxDirectMemorySize), not the heap: reported, the reader stays usable
            throw new IOException("cannot allocate a " + capacity + "-byte read buffer for a command of " + needed +
                " bytes at offset " + start + ": " + ex.getMessage(), ex);
        }
        buffer.getBytes(0, grown, 0, length);
        BufferUtil.free(byteBuffer);
        byteBuffer = grown;
        buffer.wrap(grown);
    }

    /** Free the buffer now rather than when the collector finds it: it may be hundreds of MB. */
    @Override
    public void close()
    {
        if (byteBuffer != null)
        {
            buffer.wrap(0, 0);
            BufferUtil.free(byteBuffer);
            byteBuffer = null;
        }
        channel = null;
    }
}
