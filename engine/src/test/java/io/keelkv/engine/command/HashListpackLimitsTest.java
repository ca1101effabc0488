package io.keelkv.engine.command;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hashes at the edge of the listpack encoding. KeelKV has no hashtable encoding yet, so a write that would take
 * a hash past hash-max-listpack-entries fields, or store a field or value longer than hash-max-listpack-value,
 * is refused whole (where Redis converts the hash), and a write up to the limits is served as Redis serves it.
 * The replies within the limits are compared with redis-server by the server's DifferentialTest.
 */
class HashListpackLimitsTest
{
    private static final String REFUSED = new String(HashCommands.NEEDS_HASHTABLE, StandardCharsets.US_ASCII);

    private final EngineSettings settings = new EngineSettings();
    private KeelEngine engine;
    private final RespWriter out = new RespWriter(1024);
    private final LocalClient client = new LocalClient(1, false);

    @AfterEach
    void close()
    {
        if (engine != null)
        {
            engine.close();
        }
    }

    private String call(final String... args)
    {
        if (engine == null)
        {
            engine = new KeelEngine(settings);
        }
        out.clear();
        engine.dispatcher().execute(Args.of(args), out, client);
        final byte[] reply = new byte[out.pending()];
        out.buffer().getBytes(out.readIndex(), reply);
        return new String(reply, StandardCharsets.ISO_8859_1);
    }

    @Test
    void shouldServeAHashUpToTheEntryLimitAndRefuseTheFieldPastItWithoutChangingAnything()
    {
        settings.hashMaxListpackEntries = 8;
        for (int i = 0; i < 8; i++)
        {
            assertEquals(":1\r\n", call("HSET", "h", "f" + i, "v" + i));
        }
        final String digest = call("DEBUG", "DIGEST-VALUE", "h");
        assertEquals(REFUSED, call("HSET", "h", "f0", "new", "f8", "v8"));
        assertEquals(REFUSED, call("HSETNX", "h", "f9", "v"));
        assertEquals(REFUSED, call("HINCRBY", "h", "f10", "1"));
        assertEquals(digest, call("DEBUG", "DIGEST-VALUE", "h"), "a refused write changed the hash");
        // replacing values, and fields repeated within one command, are not new fields
        assertEquals(":0\r\n", call("HSET", "h", "f0", "x", "f1", "y", "f0", "z"));
        assertEquals("$1\r\nz\r\n", call("HGET", "h", "f0"));
        assertEquals(":8\r\n", call("HLEN", "h"));
        assertEquals("$8\r\nlistpack\r\n", call("OBJECT", "ENCODING", "h"));
    }

    @Test
    void shouldRefuseAFieldOrValueLongerThanTheValueLimitAndServeOneAtIt()
    {
        final String atLimit = "x".repeat(64);
        assertEquals(":1\r\n", call("HSET", "h", atLimit, atLimit));
        assertEquals(REFUSED, call("HSET", "h", "f", atLimit + "y"));
        assertEquals(REFUSED, call("HSET", "new", atLimit + "y", "v"));
        assertEquals(":0\r\n", call("EXISTS", "new"), "a refused write created its key");
        assertEquals(":1\r\n", call("HLEN", "h"));
        assertTrue(REFUSED.contains(" is not supported: "), "the refusal names a missing feature as KeelKV's others do");
    }

    @Test
    void shouldGrowAndShrinkTheInlineListpackAcrossManyFieldsAndFreeItAll()
    {
        call("SET", "anchor", "v"); // the database's bucket table exists before the count is taken
        final long before = engineAllocated();
        for (int i = 0; i < 500; i++)
        {
            assertEquals(":1\r\n", call("HSET", "big", "field:" + i, i % 2 == 0 ? "value:" + i : String.valueOf(i)));
        }
        assertEquals(":500\r\n", call("HLEN", "big"));
        assertEquals("$9\r\nvalue:498\r\n", call("HGET", "big", "field:498"));
        assertEquals("$3\r\n499\r\n", call("HGET", "big", "field:499"));
        assertEquals(":1000\r\n", call("HINCRBY", "big", "field:499", "501"));
        for (int i = 0; i < 499; i++)
        {
            assertEquals(":1\r\n", call("HDEL", "big", "field:" + i));
        }
        assertEquals(":1\r\n", call("HDEL", "big", "field:499"));
        assertEquals(":0\r\n", call("EXISTS", "big"), "an emptied hash is deleted, as in Redis");
        assertEquals(before, engineAllocated(), "blocks were lost while the listpack grew and shrank");
    }

    private long engineAllocated()
    {
        call("PING");
        return engine.memory().allocatedBytes();
    }
}
