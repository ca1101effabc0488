package io.keelkv.server.net;

import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespDecoder;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.server.session.ClientSession;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One client connection: its socket, a query buffer, a decoder with its progress, a reply buffer.
 *
 * <p>The query buffer holds bytes read but not yet consumed in {@code [readIndex, writeIndex)}. It grows
 * only when one request needs more room than it has (a big bulk) and never beyond
 * {@code client-query-buffer-limit}; it is compacted (unconsumed bytes moved to the front) only when the
 * free tail is too small for a read, so a pipelined stream costs no copying in the common case.
 */
final class Connection
{
    static final int INITIAL_BUFFER_BYTES = 16 * 1024;
    /** The largest query buffer a ByteBuffer can be (an int capacity, less the JDK's array header slack). */
    static final long MAX_BUFFER_BYTES = Integer.MAX_VALUE - 16;

    final SocketChannel channel;
    final ClientSession session;
    final RespDecoder decoder = new RespDecoder();
    final Args args = new Args();
    final RespWriter out;
    SelectionKey key;

    ByteBuffer in;
    final UnsafeBuffer inBuffer = new UnsafeBuffer(0, 0);
    int readIndex;
    int writeIndex;

    boolean closeAfterWrite;
    boolean closed;
    boolean writeInterest;
    /** In the event loop's list of replies to write at the end of this pass. */
    boolean flushQueued;
    /** Input processing paused because the reply buffer is over its soft mark: resume when drained. */
    boolean pausedForOutput;
    /**
     * appendfsync always: the AOF's logical position this connection's replies wait for (0: none). While it
     * is set the connection's input is read but not run, as Redis runs a client's next commands only after
     * the fsync that answers its last ones.
     */
    long heldUntil;
    long outputSoftLimitSinceMs;
    /** Why growing the query buffer last failed for want of memory (null: it was the limit), for the log. */
    String allocationFailure;

    Connection(final SocketChannel channel, final ClientSession session)
    {
        this.channel = channel;
        this.session = session;
        this.in = ByteBuffer.allocateDirect(INITIAL_BUFFER_BYTES);
        this.inBuffer.wrap(in);
        this.out = new RespWriter(INITIAL_BUFFER_BYTES);
    }

    int pendingInput()
    {
        return writeIndex - readIndex;
    }

    /**
     * Make room for at least {@code bytes} more after writeIndex, for the next socket read: compact first,
     * else double the buffer (never past {@code limit}).
     */
    boolean ensureRoom(final long bytes, final long limit)
    {
        if (in.capacity() - writeIndex >= bytes)
        {
            return true;
        }
        final int pending = pendingInput();
        final long required = pending + bytes;
        if (required > limit)
        {
            return false;
        }
        if (readIndex > 0 && in.capacity() >= required)
        {
            compact();
            return true;
        }
        long capacity = in.capacity();
        while (capacity < required)
        {
            capacity *= 2;
        }
        return reallocate(Math.min(capacity, Math.max(limit, required)));
    }

    /**
     * Make the buffer hold {@code totalBytes} from readIndex (one request the decoder knows the size of):
     * compact first, else reallocate at exactly that size, as Redis sizes its query buffer for a big
     * argument. The caller grows in steps as the bytes arrive (see QueryBufferGrowth).
     */
    boolean growTo(final long totalBytes, final long limit)
    {
        if (in.capacity() - readIndex >= totalBytes)
        {
            return true;
        }
        if (totalBytes > limit)
        {
            return false;
        }
        if (in.capacity() >= totalBytes)
        {
            compact();
            return true;
        }
        return reallocate(totalBytes);
    }

    private boolean reallocate(final long capacity)
    {
        if (capacity > MAX_BUFFER_BYTES)
        {
            return false;
        }
        final ByteBuffer grown;
        try
        {
            grown = ByteBuffer.allocateDirect((int)capacity);
        }
        catch (final OutOfMemoryError ex)
        {
            // the OS (or -XX:MaxDirectMemorySize) refused: this client is closed, every other one is served
            allocationFailure = ex.getMessage();
            return false;
        }
        final int pending = pendingInput();
        in.limit(writeIndex).position(readIndex);
        grown.put(in);
        org.agrona.BufferUtil.free(in);
        in = grown;
        inBuffer.wrap(in);
        writeIndex = pending;
        readIndex = 0;
        return true;
    }

    private void compact()
    {
        final int pending = pendingInput();
        inBuffer.putBytes(0, inBuffer, readIndex, pending);
        readIndex = 0;
        writeIndex = pending;
    }

    /** Give a grown query buffer back once it is empty, so idle clients hold 16 KiB, not their peak. */
    void shrinkIfIdle()
    {
        if (readIndex == writeIndex)
        {
            readIndex = 0;
            writeIndex = 0;
            if (in.capacity() > 4 * INITIAL_BUFFER_BYTES)
            {
                final ByteBuffer old = in;
                in = ByteBuffer.allocateDirect(INITIAL_BUFFER_BYTES);
                inBuffer.wrap(in);
                org.agrona.BufferUtil.free(old);
            }
        }
    }

    /**
     * Free both buffers at close. Left to their cleaners they would be returned only at the next GC, and
     * this process allocates so little that GCs are rare: every past client would stay resident.
     */
    void releaseBuffers()
    {
        final ByteBuffer old = in;
        in = ByteBuffer.allocate(0);
        inBuffer.wrap(new byte[0]);
        readIndex = 0;
        writeIndex = 0;
        org.agrona.BufferUtil.free(old);
        out.release();
    }
}
