package io.keelkv.engine.command;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hash's two encodings and the life of a hashtable: conversion where Redis 7.0 converts (past
 * hash-max-listpack-entries fields after a write, or before a write with a field or value longer than
 * hash-max-listpack-value), never back; and every way a key can go (DEL, SET over it, FLUSHDB, an expiry, a
 * RENAME or MOVE, which move it, a COPY, which duplicates it) giving back exactly the memory it held, big
 * hashes in steps from the cron. The replies themselves are compared with redis-server by the server's
 * DifferentialTest.
 */
class HashEncodingTest
{

    private final EngineCalls calls = new EngineCalls();
    private final EngineSettings settings = calls.settings;

    @AfterEach
    void close()
    {
        calls.close();
    }

    private String call(final String... args)
    {
        return calls.call(args);
    }

    private String encoding(final String key)
    {
        return call("OBJECT", "ENCODING", key);
    }

    private static final String LISTPACK = "$8\r\nlistpack\r\n";
    private static final String HASHTABLE = "$9\r\nhashtable\r\n";

    private long settledBytes()
    {
        return calls.settledBytes();
    }

    private void fill(final String key, final int fields)
    {
        for (int i = 0; i < fields; i++)
        {
            call("HSET", key, "field:" + i, i % 2 == 0 ? "value:" + i : String.valueOf(i));
        }
    }

    @Test
    void shouldConvertPastTheEntryLimitAfterTheWriteAndKeepEveryField()
    {
        settings.hashMaxListpackEntries = 8;
        fill("h", 8);
        assertEquals(LISTPACK, encoding("h"));
        assertEquals(":1\r\n", call("HSET", "h", "field:8", "v"));
        assertEquals(HASHTABLE, encoding("h"));
        assertEquals(":9\r\n", call("HLEN", "h"));
        for (int i = 0; i < 8; i++)
        {
            final String expected = i % 2 == 0 ? "value:" + i : String.valueOf(i);
            assertEquals("$" + expected.length() + "\r\n" + expected + "\r\n", call("HGET", "h", "field:" + i));
        }
        assertEquals(":1000\r\n", call("HINCRBY", "h", "field:1", "999"));
        for (int i = 0; i < 9; i++)
        {
            call("HDEL", "h", "field:" + i);
            if (i < 8)
            {
                assertEquals(HASHTABLE, encoding("h"), "a hashtable never converts back");
            }
        }
        assertEquals(":0\r\n", call("EXISTS", "h"), "an emptied hash is deleted");
    }

    @Test
    void shouldConvertBeforeAWriteOfALongFieldOrValueAndOnHincrbyPastTheEntries()
    {
        final String atLimit = "x".repeat(64);
        assertEquals(":1\r\n", call("HSET", "a", atLimit, atLimit));
        assertEquals(LISTPACK, encoding("a"));
        assertEquals(":1\r\n", call("HSET", "b", "f", atLimit + "y"));
        assertEquals(HASHTABLE, encoding("b"));
        assertEquals(":1\r\n", call("HSETNX", "c", atLimit + "y", "v"));
        assertEquals(HASHTABLE, encoding("c"));
        settings.hashMaxListpackEntries = 2;
        calls.engine().applySettings(); // as CONFIG SET does
        call("HSET", "d", "1", "1", "2", "2");
        assertEquals(":5\r\n", call("HINCRBY", "d", "3", "5"));
        assertEquals(HASHTABLE, encoding("d"));
        assertEquals("$3\r\n2.5\r\n", call("HINCRBYFLOAT", "d", "4", "2.5"));
        assertEquals(":4\r\n", call("HLEN", "d"));
    }

    @Test
    void shouldServeABigHashAndGiveBackAllItsMemoryInStepsAfterADel()
    {
        call("SET", "anchor", "v"); // the database's bucket table exists before the count is taken
        final long before = settledBytes();
        fill("big", 100_000);
        assertEquals(":100000\r\n", call("HLEN", "big"));
        assertEquals("$11\r\nvalue:99998\r\n", call("HGET", "big", "field:99998"));
        assertEquals("$5\r\n99999\r\n", call("HGET", "big", "field:99999"));
        assertEquals(":1\r\n", call("HEXISTS", "big", "field:5"));
        assertEquals(":1\r\n", call("DEL", "big"));
        assertEquals(1, calls.engine().lazyFree().pendingObjects(), "a big hash is freed in steps, not in the DEL");
        assertEquals(before, settledBytes(), "the hashtable's tables or elements were not all freed");
    }

    @Test
    void shouldGiveBackAHashtableOverwrittenByASetFlushedOrExpired()
    {
        call("SET", "anchor", "v");
        final long before = settledBytes();
        fill("h", 600);
        assertEquals(HASHTABLE, encoding("h"));
        assertEquals("+OK\r\n", call("SET", "h", "now a string"));
        assertEquals("$12\r\nnow a string\r\n", call("GET", "h"));
        call("DEL", "h");
        assertEquals(before, settledBytes(), "SET over a hashtable leaked it");

        fill("h", 600);
        call("PEXPIREAT", "h", "1");
        assertEquals(":0\r\n", call("EXISTS", "h"), "expired on access");
        assertEquals(before, settledBytes(), "an expired hashtable leaked");

        call("SELECT", "1");
        fill("h", 600);
        fill("g", 10);
        call("FLUSHDB");
        call("SELECT", "0");
        assertEquals(before, settledBytes(), "FLUSHDB leaked a hashtable");
    }

    @Test
    void shouldMoveAHashtableWithRenameAndMoveAndDuplicateItWithCopy()
    {
        call("SET", "anchor", "v");
        call("SELECT", "2");
        call("SET", "anchor", "v"); // db 2's bucket table too
        call("SELECT", "0");
        final long before = settledBytes();
        fill("h", 600);
        final String digest = call("DEBUG", "DIGEST-VALUE", "h");
        assertEquals("+OK\r\n", call("RENAME", "h", "r"));
        assertEquals(digest, call("DEBUG", "DIGEST-VALUE", "r"));
        assertEquals(":1\r\n", call("MOVE", "r", "2"));
        call("SELECT", "2");
        assertEquals(digest, call("DEBUG", "DIGEST-VALUE", "r"));
        assertEquals(":1\r\n", call("COPY", "r", "c"));
        assertEquals(":1\r\n", call("HSET", "c", "only-in-copy", "x"));
        assertEquals(":0\r\n", call("HEXISTS", "r", "only-in-copy"), "the copy shares the original's dict");
        assertEquals(digest, call("DEBUG", "DIGEST-VALUE", "r"));
        assertEquals(":601\r\n", call("HLEN", "c"));
        call("DEL", "r");
        assertEquals(":601\r\n", call("HLEN", "c"), "deleting the original freed the copy's dict");
        assertEquals("$9\r\nvalue:598\r\n", call("HGET", "c", "field:598"));
        call("DEL", "c");
        call("SELECT", "0");
        assertEquals(before, settledBytes());
    }

    @Test
    void shouldFinishAfterALoadTheLazyFreeASnapshotCaught(@TempDir final Path dir) throws Exception
    {
        call("SET", "anchor", "v");
        fill("big", 20_000);
        fill("kept", 1_000);
        call("DEL", "big");
        assertEquals(1, calls.engine().lazyFree().pendingObjects());
        calls.engine().lazyFree().step(5_000); // a free under way: the instant sees it part done
        final Path file = dir.resolve("dump.rdb");
        calls.engine().save(file);
        final String digest = call("DEBUG", "DIGEST");
        final long settled = settledBytes();

        final KeelEngine loaded = new KeelEngine(settings);
        try
        {
            loaded.load(file);
            assertEquals(1, loaded.lazyFree().pendingObjects(), "the snapshot forgot the collection being freed");
            for (int i = 0; i < 10_000 && loaded.lazyFree().pendingObjects() > 0; i++)
            {
                loaded.cron(10);
            }
            assertEquals(settled, loaded.memory().allocatedBytes(), "the restored engine kept the dropped hash's blocks");
            final RespWriter w = new RespWriter(1024);
            loaded.dispatcher().execute(Args.of("DEBUG", "DIGEST"), w, calls.client());
            final byte[] reply = new byte[w.pending()];
            w.buffer().getBytes(w.readIndex(), reply);
            assertEquals(digest, new String(reply, StandardCharsets.ISO_8859_1));
        }
        finally
        {
            loaded.close();
        }
    }

    @Test
    void shouldScanAHashtableWithACursorAndReturnEveryField()
    {
        fill("h", 1_000);
        final java.util.Set<String> seen = new java.util.HashSet<>();
        String cursor = "0";
        int calls = 0;
        do
        {
            final String reply = call("HSCAN", "h", cursor, "COUNT", "20");
            final String[] lines = reply.split("\r\n");
            cursor = lines[2];
            for (int i = 5; i < lines.length; i += 4) // *2, $n, cursor, *m, then $n field $n value ...
            {
                seen.add(lines[i]);
            }
            calls++;
        }
        while (!cursor.equals("0"));
        assertTrue(calls > 10, "a hashtable is scanned a part at a time, not in one call: " + calls);
        assertEquals(1_000, seen.size());
        assertTrue(call("HRANDFIELD", "h", "5").startsWith("*5\r\n"));
        assertTrue(call("HRANDFIELD", "h", "-2000", "WITHVALUES").startsWith("*4000\r\n"));
        assertTrue(call("HRANDFIELD", "h", "900").startsWith("*900\r\n"));
    }
}
