package io.keelkv.server.net;

import io.keelkv.server.session.ClientSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The query buffer's growth policy on a bare connection (no socket: only its buffers are used). */
class QueryBufferGrowthTest
{
    private static final long LIMIT = 1024L * 1024 * 1024;

    private final Connection c = new Connection(null, new ClientSession(1, "127.0.0.1:1", "127.0.0.1:2", true, true));

    @AfterEach
    void release()
    {
        c.releaseBuffers();
    }

    private void received(final int bytes)
    {
        assertTrue(QueryBufferGrowth.roomForRead(c, LIMIT));
        c.writeIndex += bytes;
    }

    @Test
    void shouldGrowTowardsABigRequestInStepsNeverAheadOfItsBytes()
    {
        received(100); // a bulk header announcing 512 MB
        final long needed = 512L * 1024 * 1024 + 100;
        assertTrue(QueryBufferGrowth.roomForIncomplete(c, needed, LIMIT));
        assertEquals(4 * Connection.INITIAL_BUFFER_BYTES, c.in.capacity());
        assertTrue(QueryBufferGrowth.roomForIncomplete(c, needed, LIMIT));
        assertEquals(8 * Connection.INITIAL_BUFFER_BYTES, c.in.capacity());
        assertEquals(100, c.pendingInput());
    }

    @Test
    void shouldGrowToExactlyTheRequestsSizeOnTheLastStep()
    {
        received(10);
        final long needed = 5 * Connection.INITIAL_BUFFER_BYTES + 7;
        assertTrue(QueryBufferGrowth.roomForIncomplete(c, needed, LIMIT));
        assertTrue(QueryBufferGrowth.roomForIncomplete(c, needed, LIMIT));
        assertEquals(needed, c.in.capacity());
        assertTrue(QueryBufferGrowth.roomForIncomplete(c, needed, LIMIT)); // it fits now: nothing changes
        assertEquals(needed, c.in.capacity());
    }

    @Test
    void shouldRefuseARequestOverTheLimitAtOnceWithoutGrowing()
    {
        received(10);
        assertFalse(QueryBufferGrowth.roomForIncomplete(c, 2 * Connection.INITIAL_BUFFER_BYTES, Connection.INITIAL_BUFFER_BYTES));
        assertFalse(QueryBufferGrowth.roomForIncomplete(c, Connection.MAX_BUFFER_BYTES + 1, Long.MAX_VALUE));
        assertEquals(Connection.INITIAL_BUFFER_BYTES, c.in.capacity());
        assertNull(c.allocationFailure);
    }

    @Test
    void shouldCloseWhenBufferedBytesOfAnIncompleteRequestReachTheLimit()
    {
        received(1000); // an inline line with no end yet: the decoder cannot tell its size
        assertTrue(QueryBufferGrowth.roomForIncomplete(c, 0, 1001));
        assertFalse(QueryBufferGrowth.roomForIncomplete(c, 0, 1000));
    }

    @Test
    void shouldRefuseAReadThatWouldPassTheLimit()
    {
        received(Connection.INITIAL_BUFFER_BYTES); // full: the next read needs room
        assertFalse(QueryBufferGrowth.roomForRead(c, Connection.INITIAL_BUFFER_BYTES + 100));
        assertTrue(QueryBufferGrowth.roomForRead(c, LIMIT));
        assertEquals(2 * Connection.INITIAL_BUFFER_BYTES, c.in.capacity());
    }
}
