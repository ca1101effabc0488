package io.keelkv.engine.command;

import io.keelkv.engine.EngineSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A set's two encodings and the life of a hashtable set: an intset converts where Redis 7.0 converts (a member
 * that is not a canonical integer, or more than set-max-intset-entries members after an add), never back (but
 * SPOP's rebuild of a few kept members, as Redis's); store commands give their destination Redis's encoding;
 * and every way a key can go (DEL, SET over it, an expiry, RENAME, MOVE, COPY) gives back exactly the memory
 * it held, big sets in steps from the cron. The replies themselves are compared with redis-server by the
 * server's DifferentialTest.
 */
class SetEncodingTest
{
    private static final String INTSET = "$6\r\nintset\r\n";
    private static final String HASHTABLE = "$9\r\nhashtable\r\n";


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

    private long settledBytes()
    {
        return calls.settledBytes();
    }

    private void fill(final String key, final int members, final String prefix)
    {
        for (int i = 0; i < members; i++)
        {
            call("SADD", key, prefix + i);
        }
    }

    /** The members of a set reply, in any order. */
    private static Set<String> members(final String reply)
    {
        final String[] lines = reply.split("\r\n");
        final Set<String> members = new HashSet<>();
        for (int i = 2; i < lines.length; i += 2)
        {
            members.add(lines[i]);
        }
        return members;
    }

    @Test
    void shouldConvertAnIntsetPastTheEntryLimitOrOnAStringAndNeverBack()
    {
        settings.setMaxIntsetEntries = 8;
        fill("s", 8, "");
        assertEquals(INTSET, encoding("s"));
        assertEquals(":1\r\n", call("SADD", "s", "8"));
        assertEquals(HASHTABLE, encoding("s"));
        assertEquals(":9\r\n", call("SCARD", "s"));
        for (int i = 0; i < 9; i++)
        {
            assertEquals(":1\r\n", call("SISMEMBER", "s", String.valueOf(i)), "member " + i + " survived the conversion");
        }
        assertEquals(":8\r\n", call("SREM", "s", "0", "1", "2", "3", "4", "5", "6", "7"));
        assertEquals(HASHTABLE, encoding("s"), "a hashtable never converts back");
        assertEquals(":1\r\n", call("SREM", "s", "8"));
        assertEquals(":0\r\n", call("EXISTS", "s"), "an emptied set is deleted");

        assertEquals(":2\r\n", call("SADD", "t", "1", "-9223372036854775808"));
        assertEquals(INTSET, encoding("t"), "every width fits an intset");
        assertEquals(":1\r\n", call("SADD", "t", "007"));
        assertEquals(HASHTABLE, encoding("t"), "007 is no canonical integer");
        assertEquals(":1\r\n", call("SADD", "u", "x"));
        assertEquals(HASHTABLE, encoding("u"), "a set made by a string member starts as a hashtable");
    }

    @Test
    void shouldGiveStoreResultsRedisEncodings()
    {
        call("SADD", "ints", "3", "1", "2");
        call("SADD", "mixed", "1", "2", "x");
        assertEquals(":2\r\n", call("SINTERSTORE", "d", "mixed", "ints"));
        assertEquals(INTSET, encoding("d"), "an all-integer result is an intset even from a hashtable");
        assertEquals("*2\r\n$1\r\n1\r\n$1\r\n2\r\n", call("SMEMBERS", "d"));
        assertEquals(":4\r\n", call("SUNIONSTORE", "d", "mixed", "ints"));
        assertEquals(HASHTABLE, encoding("d"));
        call("SET", "str", "v");
        call("EXPIRE", "str", "100");
        assertEquals(":1\r\n", call("SDIFFSTORE", "str", "ints", "mixed"));
        assertEquals("+set\r\n", call("TYPE", "str"), "a store overwrites a key of any type");
        assertEquals(":-1\r\n", call("TTL", "str"), "a store drops the destination's TTL");
        assertEquals(":0\r\n", call("SINTERSTORE", "str", "ints", "nokey"));
        assertEquals(":0\r\n", call("EXISTS", "str"), "an empty result deletes the destination");
    }

    @Test
    void shouldServeABigSetAndGiveBackAllItsMemoryInStepsAfterADel()
    {
        call("SET", "anchor", "v");
        final long before = settledBytes();
        fill("big", 100_000, "member:");
        assertEquals(":100000\r\n", call("SCARD", "big"));
        assertEquals(":1\r\n", call("SISMEMBER", "big", "member:99999"));
        assertEquals(":0\r\n", call("SISMEMBER", "big", "member:100000"));
        assertTrue(call("SRANDMEMBER", "big", "5").startsWith("*5\r\n"));
        assertTrue(call("SPOP", "big", "3").startsWith("*3\r\n"));
        assertEquals(":99997\r\n", call("SCARD", "big"));
        assertEquals(":1\r\n", call("DEL", "big"));
        assertEquals(1, calls.engine().lazyFree().pendingObjects(), "a big set is freed in steps, not in the DEL");
        assertEquals(before, settledBytes(), "the set's tables or elements were not all freed");
    }

    @Test
    void shouldGiveBackASetOverwrittenBySetOrExpiredOrRebuiltBySpop()
    {
        call("SET", "anchor", "v");
        call("EXPIRE", "anchor", "100000"); // the database's table of volatile keys exists before the count too
        final long before = settledBytes();
        fill("s", 600, "m");
        assertEquals(HASHTABLE, encoding("s"));
        assertEquals("+OK\r\n", call("SET", "s", "now a string"));
        call("DEL", "s");
        assertEquals(before, settledBytes(), "SET over a hashtable set leaked it");

        fill("s", 600, "m");
        call("PEXPIREAT", "s", "1");
        assertEquals(":0\r\n", call("EXISTS", "s"));
        assertEquals(before, settledBytes(), "an expired hashtable set leaked");

        // SPOP of nearly all rebuilds the set from the few kept (Redis's CASE 3): all integers give an intset
        fill("s", 600, "");
        call("SADD", "s", "x");
        call("SREM", "s", "x");
        assertEquals(HASHTABLE, encoding("s"));
        call("EXPIRE", "s", "1000");
        assertTrue(call("SPOP", "s", "590").startsWith("*590\r\n"));
        assertEquals(":10\r\n", call("SCARD", "s"));
        assertEquals(INTSET, encoding("s"), "Redis's SPOP rebuilds the kept members with setTypeCreate/setTypeAdd");
        assertTrue(Long.parseLong(call("TTL", "s").substring(1).trim()) > 0, "SPOP keeps the TTL (dbOverwrite)");
        call("DEL", "s");
        assertEquals(before, settledBytes(), "SPOP's rebuild leaked the old dict");
    }

    @Test
    void shouldMoveAHashtableSetWithRenameAndMoveAndDuplicateItWithCopy()
    {
        call("SET", "anchor", "v");
        call("SELECT", "2");
        call("SET", "anchor", "v");
        call("SELECT", "0");
        final long before = settledBytes();
        fill("s", 600, "m");
        call("SADD", "i", "1", "2", "3");
        final String digest = call("DEBUG", "DIGEST-VALUE", "s");
        assertEquals("+OK\r\n", call("RENAME", "s", "r"));
        assertEquals(digest, call("DEBUG", "DIGEST-VALUE", "r"));
        assertEquals(":1\r\n", call("MOVE", "r", "2"));
        call("SELECT", "2");
        assertEquals(digest, call("DEBUG", "DIGEST-VALUE", "r"));
        assertEquals(":1\r\n", call("COPY", "r", "c"));
        assertEquals(":1\r\n", call("SADD", "c", "only-in-copy"));
        assertEquals(":0\r\n", call("SISMEMBER", "r", "only-in-copy"), "the copy shares the original's dict");
        call("DEL", "r");
        assertEquals(":601\r\n", call("SCARD", "c"), "deleting the original freed the copy's dict");
        call("DEL", "c");
        call("SELECT", "0");
        assertEquals(":1\r\n", call("COPY", "i", "j"));
        assertEquals(INTSET, encoding("j"));
        assertEquals(call("DEBUG", "DIGEST-VALUE", "i"), call("DEBUG", "DIGEST-VALUE", "j"));
        call("DEL", "i", "j");
        assertEquals(before, settledBytes());
    }

    @Test
    void shouldScanAHashtableSetWithACursorAndDoTheAlgebraOverBothEncodings()
    {
        fill("h", 1_000, "");
        call("SADD", "h", "x");
        final Set<String> seen = new HashSet<>();
        String cursor = "0";
        int calls = 0;
        do
        {
            final String[] lines = call("SSCAN", "h", cursor, "COUNT", "20").split("\r\n");
            cursor = lines[2];
            for (int i = 5; i < lines.length; i += 2)
            {
                seen.add(lines[i]);
            }
            calls++;
        }
        while (!cursor.equals("0"));
        assertTrue(calls > 10, "a hashtable is scanned a part at a time: " + calls);
        assertEquals(1_001, seen.size());
        call("SADD", "odd", "1", "3", "5", "x", "nope");
        assertEquals(Set.of("1", "3", "5", "x"), members(call("SINTER", "h", "odd")));
        assertEquals(":4\r\n", call("SINTERCARD", "2", "odd", "h"));
        assertEquals(":2\r\n", call("SINTERCARD", "2", "odd", "h", "LIMIT", "2"));
        assertEquals(Set.of("nope"), members(call("SDIFF", "odd", "h")));
        assertEquals("*1002\r\n", call("SUNION", "h", "odd").substring(0, 7));
        assertEquals(":1\r\n", call("SMOVE", "odd", "h", "nope"));
        assertEquals(":1002\r\n", call("SCARD", "h"));
    }
}
