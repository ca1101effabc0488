package io.keelkv.engine.command;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.Status;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The typed API's numbers: a TTL that overflows the clock, offsets and lengths into the caller's buffers. */
class EmbeddedApiLimitsTest
{
    private final KeelEngine engine = new KeelEngine(new EngineSettings());

    @AfterEach
    void close()
    {
        engine.close();
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void shouldRefuseATtlWhoseDeadlineOverflowsInsteadOfDroppingTheTtl()
    {
        engine.set(bytes("k"), bytes("v"));
        assertEquals(Status.OK, engine.expire(bytes("k"), 100_000));
        final long ttl = engine.ttlMs(bytes("k"));
        assertEquals(Status.OVERFLOW, engine.expire(bytes("k"), Long.MAX_VALUE));
        assertEquals(Status.OVERFLOW, engine.expire(bytes("missing"), Long.MAX_VALUE - 1000));
        final long after = engine.ttlMs(bytes("k"));
        assertEquals(ttl, after, 1_000, "the key keeps the TTL it had");
        assertEquals(Status.OK, engine.expire(bytes("k"), Long.MAX_VALUE - System.currentTimeMillis() - 60_000));
    }

    @Test
    void shouldRefuseRangesOutsideTheCallersBuffers()
    {
        final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(8));
        key.putBytes(0, bytes("key"));
        final UnsafeBuffer value = new UnsafeBuffer(bytes("value"));
        final UnsafeBuffer dst = new UnsafeBuffer(ByteBuffer.allocateDirect(16));

        assertThrows(IndexOutOfBoundsException.class, () -> engine.set(0, key, 0, 3, value, 0, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> engine.set(0, key, 0, 3, value, 1, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> engine.set(0, key, -1, 3, value, 0, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> engine.set(0, key, 6, 3, value, 0, 5));
        assertNull(engine.get(bytes("key")), "nothing stored by a refused call");

        assertEquals(Status.OK, engine.set(0, key, 0, 3, value, 0, 5));
        // a negative destination offset made "room" look larger and copied before the buffer
        assertThrows(IndexOutOfBoundsException.class, () -> engine.get(0, key, 0, 3, dst, -8));
        assertThrows(IndexOutOfBoundsException.class, () -> engine.get(0, key, 0, 9, dst, 0));
        assertEquals(5, engine.get(0, key, 0, 3, dst, 16), "no room: the length, nothing copied");
        assertEquals(5, engine.get(0, key, 0, 3, dst, 11));
        final byte[] copied = new byte[5];
        dst.getBytes(11, copied);
        assertArrayEquals(bytes("value"), copied);
    }
}
