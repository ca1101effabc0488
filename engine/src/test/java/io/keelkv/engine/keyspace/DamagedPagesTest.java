package io.keelkv.engine.keyspace;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Pages whose content lies (as a crafted snapshot file with good checksums could make them): an entry that
 * claims more bytes than its block, a chain that points at a free page. Every command that meets them gets an
 * error reply from the page memory's guard; nothing reads or writes at a wild address.
 */
class DamagedPagesTest
{
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    private final KeelEngine engine = new KeelEngine(new EngineSettings());
    private final RespWriter out = new RespWriter(1024);

    @AfterEach
    void close()
    {
        engine.close();
    }

    private String call(final String... args)
    {
        out.clear();
        engine.execute(Args.of(args), out);
        final byte[] bytes = new byte[out.pending()];
        out.buffer().getBytes(out.readIndex(), bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private long entryOf(final String key)
    {
        final byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        final long e = engine.keyspace().lookupNoTouch(engine.keyspace().database(0), k, BYTE_BASE, k.length);
        assertNotEquals(PageMemory.NULL_HANDLE, e);
        return e;
    }

    @Test
    void shouldAnswerAnErrorWhenAnEntryClaimsMoreBytesThanItsBlock()
    {
        call("SET", "k", "value");
        final long e = entryOf("k");
        engine.memory().putInt(e + EntryDescriptor.VALUE_LENGTH_OFFSET, Integer.MAX_VALUE);
        for (final String[] request : new String[][] {{"GET", "k"}, {"STRLEN", "k"}, {"APPEND", "k", "x"},
            {"SETRANGE", "k", "2", "x"}, {"GETRANGE", "k", "0", "-1"}, {"KEYS", "*"}, {"SCAN", "0"}, {"DEL", "k"}})
        {
            final String reply = call(request);
            assertTrue(reply.startsWith("-ERR internal error in '"), String.join(" ", request) + " -> " + reply);
        }
        assertEquals("+PONG\r\n", call("PING"));
    }

    @Test
    void shouldAnswerAnErrorWhenAChainPointsAtAFreePage()
    {
        call("SET", "k", "v");
        final long e = entryOf("k");
        // a span allocated and freed: its page numbers are below the limit but hold no memory
        final long span = engine.memory().allocate(3L * engine.memory().pageSizeBytes(), false);
        engine.memory().free(span, 3L * engine.memory().pageSizeBytes());
        engine.memory().putLong(e + EntryDescriptor.NEXT_OFFSET, span + 64);
        for (final String[] request : new String[][] {{"KEYS", "*"}, {"SCAN", "0", "COUNT", "1000"}, {"RANDOMKEY"}})
        {
            final String reply = call(request);
            assertTrue(reply.startsWith("-ERR internal error in '"), String.join(" ", request) + " -> " + reply);
        }
        engine.memory().putLong(e + EntryDescriptor.NEXT_OFFSET, Long.MAX_VALUE);
        final String reply = call("KEYS", "*");
        assertTrue(reply.startsWith("-ERR internal error in 'keys'"), reply);
        assertEquals("+PONG\r\n", call("PING"));
    }
}
