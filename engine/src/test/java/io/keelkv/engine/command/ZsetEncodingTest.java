package io.keelkv.engine.command;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.types.ZsetRootDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sorted set's two encodings and the life of a skiplist set: a listpack converts where Redis 7.0 converts (a
 * new member past zset-max-listpack-entries, a member longer than zset-max-listpack-value, a new key whose first
 * member is too long or with the entry limit 0), never back; store results get the encoding their size calls for;
 * and every way a key can go (DEL, SET over it, an expiry, emptied by pops or range removals, RENAME, MOVE, COPY)
 * gives back exactly the memory it held, big sets in steps from the cron. The replies themselves are compared with
 * redis-server by the server's DifferentialTest.
 */
class ZsetEncodingTest
{
    private static final String LISTPACK = "$8\r\nlistpack\r\n";
    private static final String SKIPLIST = "$8\r\nskiplist\r\n";

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

    /** ZADD of {@code members} members "prefix+i" with score i, 1000 pairs a command. */
    private void fill(final String key, final int members, final String prefix)
    {
        for (int from = 0; from < members; from += 1000)
        {
            final List<String> args = new ArrayList<>(List.of("ZADD", key));
            for (int i = from; i < Math.min(members, from + 1000); i++)
            {
                args.add(String.valueOf(i));
                args.add(prefix + i);
            }
            call(args.toArray(new String[0]));
        }
    }

    @Test
    void shouldConvertAListpackPastEitherThresholdAndNeverBack()
    {
        settings.zsetMaxListpackEntries = 8;
        fill("z", 8, "m");
        assertEquals(LISTPACK, encoding("z"));
        assertEquals(":0\r\n", call("ZADD", "z", "100", "m1"), "an update does not convert");
        assertEquals(LISTPACK, encoding("z"));
        assertEquals(":1\r\n", call("ZADD", "z", "9", "m9"));
        assertEquals(SKIPLIST, encoding("z"), "the ninth member passes zset-max-listpack-entries");
        assertEquals("*4\r\n$2\r\nm0\r\n$1\r\n0\r\n$2\r\nm2\r\n$1\r\n2\r\n", call("ZRANGE", "z", "0", "1", "WITHSCORES"));
        assertEquals(":8\r\n", call("ZREMRANGEBYRANK", "z", "0", "7"));
        assertEquals(":1\r\n", call("ZCARD", "z"));
        assertEquals(SKIPLIST, encoding("z"), "never back to a listpack");

        call("ZADD", "v", "1", "x".repeat(64));
        assertEquals(LISTPACK, encoding("v"), "64 bytes is within zset-max-listpack-value");
        call("ZADD", "v", "2", "y".repeat(65));
        assertEquals(SKIPLIST, encoding("v"));
        assertEquals(":1\r\n", call("ZRANK", "v", "y".repeat(65)));

        call("ZADD", "w", "1", "y".repeat(65), "2", "a");
        assertEquals(SKIPLIST, encoding("w"), "a new key whose first member is too long starts as a skiplist");
        call("ZADD", "w2", "1", "a", "2", "y".repeat(65));
        assertEquals(SKIPLIST, encoding("w2"));
        call("ZADD", "w3", "XX", "1", "y".repeat(65));
        assertEquals(":0\r\n", call("EXISTS", "w3"), "XX on a missing key creates nothing");
        call("ZINCRBY", "w4", "1", "y".repeat(65));
        assertEquals(SKIPLIST, encoding("w4"));

        calls.engine().settings().zsetMaxListpackEntries = 0;
        calls.engine().applySettings();
        call("ZADD", "e", "1", "a");
        assertEquals(SKIPLIST, encoding("e"), "zset-max-listpack-entries 0 makes every new set a skiplist");
    }

    /**
     * Recorded from redis-server 7.0.15 (zset-max-listpack-value 3): ZRANGESTORE adds the members in range
     * order to a listpack, which stores -0 as 0, until a member too long converts it; -0 stays from there on.
     */
    @Test
    void shouldKeepMinusZeroInAZrangestoreResultOnlyFromTheMemberThatMadeItASkiplist()
    {
        settings.zsetMaxListpackValue = 3;
        calls.engine().applySettings();
        call("ZADD", "src", "-0", "a", "1", "b", "2", "cccc", "3", "c", "4", "d");
        call("ZADD", "src", "-0", "e");
        assertEquals(SKIPLIST, encoding("src"));
        final String fromListpack = "*12\r\n$1\r\na\r\n$1\r\n0\r\n$1\r\ne\r\n$1\r\n0\r\n";
        final String keptMinusZero = "*12\r\n$1\r\na\r\n$1\r\n0\r\n$1\r\ne\r\n$2\r\n-0\r\n";
        assertTrue(call("ZRANGE", "src", "0", "-1", "WITHSCORES").startsWith(keptMinusZero));
        assertEquals(":6\r\n", call("ZRANGESTORE", "d1", "src", "0", "-1"));
        assertTrue(call("ZRANGE", "d1", "0", "-1", "WITHSCORES").startsWith(fromListpack), "e was added before cccc");
        assertEquals(":6\r\n", call("ZRANGESTORE", "d2", "src", "-inf", "+inf", "BYSCORE"));
        assertTrue(call("ZRANGE", "d2", "0", "-1", "WITHSCORES").startsWith(fromListpack));
        assertEquals(":6\r\n", call("ZRANGESTORE", "d3", "src", "0", "-1", "REV"));
        assertTrue(call("ZRANGE", "d3", "0", "-1", "WITHSCORES").startsWith(keptMinusZero), "e was added after cccc");
    }

    @Test
    void shouldGiveStoreResultsRedisEncodings()
    {
        settings.zsetMaxListpackEntries = 16;
        fill("big", 40, "m");
        fill("small", 5, "m");
        assertEquals(SKIPLIST, encoding("big"));
        assertEquals(":5\r\n", call("ZINTERSTORE", "d", "2", "big", "small"));
        assertEquals(LISTPACK, encoding("d"), "a small result of skiplist sources is a listpack");
        assertEquals(":40\r\n", call("ZUNIONSTORE", "d", "2", "big", "small"));
        assertEquals(SKIPLIST, encoding("d"));
        assertEquals(":16\r\n", call("ZRANGESTORE", "d", "big", "0", "15"));
        assertEquals(LISTPACK, encoding("d"));
        assertEquals(":17\r\n", call("ZRANGESTORE", "d", "big", "0", "16"));
        assertEquals(SKIPLIST, encoding("d"));
        assertEquals(":35\r\n", call("ZDIFFSTORE", "d", "2", "big", "small"));
        assertEquals(SKIPLIST, encoding("d"));
        call("ZADD", "long", "1", "z".repeat(70));
        assertEquals(":1\r\n", call("ZUNIONSTORE", "d", "1", "long"));
        assertEquals(SKIPLIST, encoding("d"), "a member past zset-max-listpack-value keeps a result a skiplist");
        call("SET", "str", "v");
        call("EXPIRE", "str", "100");
        assertEquals(":5\r\n", call("ZRANGESTORE", "str", "small", "0", "-1"));
        assertEquals("+zset\r\n", call("TYPE", "str"), "a store overwrites a key of any type");
        assertEquals(":-1\r\n", call("TTL", "str"), "a store drops the destination's TTL");
        assertEquals(":0\r\n", call("ZINTERSTORE", "str", "2", "small", "nokey"));
        assertEquals(":0\r\n", call("EXISTS", "str"), "an empty result deletes the destination");
    }

    @Test
    void shouldServeABigSortedSetAndGiveBackAllItsMemoryInStepsAfterADel()
    {
        call("SET", "anchor", "v");
        final long before = settledBytes();
        fill("big", 100_000, "member:");
        assertEquals(SKIPLIST, encoding("big"));
        assertEquals(":100000\r\n", call("ZCARD", "big"));
        assertEquals(":99999\r\n", call("ZRANK", "big", "member:99999"));
        assertEquals(":0\r\n", call("ZREVRANK", "big", "member:99999"));
        assertEquals("$5\r\n12345\r\n", call("ZSCORE", "big", "member:12345"));
        assertEquals(":1001\r\n", call("ZCOUNT", "big", "5000", "6000"));
        assertEquals("*2\r\n$12\r\nmember:50000\r\n$12\r\nmember:50001\r\n",
            call("ZRANGE", "big", "50000", "50001"));
        assertEquals("*1\r\n$12\r\nmember:70003\r\n", call("ZRANGEBYSCORE", "big", "(70000", "+inf", "LIMIT", "2", "1"));
        assertTrue(call("ZRANDMEMBER", "big", "5").startsWith("*5\r\n"));
        assertTrue(call("ZPOPMIN", "big", "3").startsWith("*6\r\n"));
        assertEquals(":997\r\n", call("ZREMRANGEBYSCORE", "big", "1000", "(1997"));
        assertEquals(":99000\r\n", call("ZCARD", "big"));
        assertEquals(":1\r\n", call("DEL", "big"));
        assertEquals(1, calls.engine().lazyFree().pendingObjects(), "a big sorted set is freed in steps, not in the DEL");
        assertEquals(before, settledBytes(), "the set's dict, tree or root were not all freed");
    }

    @Test
    void shouldGiveBackASkiplistOverwrittenExpiredOrEmptied()
    {
        call("SET", "anchor", "v");
        call("EXPIRE", "anchor", "100000"); // the database's table of volatile keys exists before the count too
        final long before = settledBytes();
        fill("z", 300, "m");
        assertEquals(SKIPLIST, encoding("z"));
        assertEquals("+OK\r\n", call("SET", "z", "now a string"));
        call("DEL", "z");
        assertEquals(before, settledBytes(), "SET over a skiplist set leaked it");

        fill("z", 300, "m");
        call("PEXPIREAT", "z", "1");
        assertEquals(":0\r\n", call("EXISTS", "z"));
        assertEquals(before, settledBytes(), "an expired skiplist set leaked");

        fill("z", 300, "m");
        assertTrue(call("ZPOPMAX", "z", "1000").startsWith("*600\r\n"));
        assertEquals(":0\r\n", call("EXISTS", "z"));
        assertEquals(before, settledBytes(), "a skiplist set emptied by ZPOPMAX leaked");

        fill("z", 300, "m");
        assertEquals(":300\r\n", call("ZREMRANGEBYLEX", "z", "-", "+"));
        fill("z", 300, "m");
        call("ZUNIONSTORE", "z", "1", "z", "WEIGHTS", "2");
        assertEquals(":300\r\n", call("ZREMRANGEBYSCORE", "z", "-inf", "+inf"));
        assertEquals(before, settledBytes(), "a store over a skiplist, or a range removal, leaked");
    }

    @Test
    void shouldMoveASkiplistWithRenameAndMoveAndDuplicateItWithCopy()
    {
        call("SET", "anchor", "v");
        call("SELECT", "2");
        call("SET", "anchor", "v");
        call("SELECT", "0");
        final long before = settledBytes();
        fill("z", 600, "m");
        call("ZADD", "small", "1", "a", "2", "b");
        final String digest = call("DEBUG", "DIGEST-VALUE", "z");
        assertEquals("+OK\r\n", call("RENAME", "z", "r"));
        assertEquals(digest, call("DEBUG", "DIGEST-VALUE", "r"));
        assertEquals(":1\r\n", call("MOVE", "r", "2"));
        call("SELECT", "2");
        assertEquals(digest, call("DEBUG", "DIGEST-VALUE", "r"));
        assertEquals(":1\r\n", call("COPY", "r", "c"));
        assertEquals(SKIPLIST, encoding("c"));
        assertEquals(digest, call("DEBUG", "DIGEST-VALUE", "c"));
        assertEquals(":1\r\n", call("ZADD", "c", "1", "only-in-copy"));
        assertEquals("$-1\r\n", call("ZSCORE", "r", "only-in-copy"), "the copy shares the original's dict or tree");
        call("DEL", "r");
        assertEquals(":601\r\n", call("ZCARD", "c"), "deleting the original freed the copy's structures");
        assertEquals(":601\r\n", call("ZCOUNT", "c", "-inf", "+inf"));
        call("DEL", "c");
        call("SELECT", "0");
        assertEquals(":1\r\n", call("COPY", "small", "s2"));
        assertEquals(LISTPACK, encoding("s2"));
        assertEquals(call("DEBUG", "DIGEST-VALUE", "small"), call("DEBUG", "DIGEST-VALUE", "s2"));
        call("DEL", "small", "s2");
        assertEquals(before, settledBytes());
    }

    @Test
    void shouldSnapshotASkiplistWhoseDictIsBeingFreedAndFinishTheFreeAfterALoad(@TempDir final Path dir)
        throws Exception
    {
        snapshotMidFreeAndLoad(dir, false);
    }

    @Test
    void shouldSnapshotASkiplistWhoseTreeIsBeingFreedAndFinishTheFreeAfterALoad(@TempDir final Path dir)
        throws Exception
    {
        snapshotMidFreeAndLoad(dir, true);
    }

    /** A big set deleted, its free stopped in the dict's phase or the tree's, saved, loaded and finished. */
    private void snapshotMidFreeAndLoad(final Path dir, final boolean treePhase) throws Exception
    {
        fill("kept", 500, "k");
        fill("big", 20_000, "member:");
        call("DEL", "big");
        final KeelEngine source = calls.engine();
        assertEquals(1, source.lazyFree().pendingObjects());
        final long root = source.lazyFree().pendingRoot(0);
        if (treePhase)
        {
            // the dict's elements and tables, 64 a step, then a block of the tree
            while (source.memory().getLong(root + ZsetRootDescriptor.DICT_OFFSET) != 0)
            {
                source.lazyFree().step(64);
            }
            source.lazyFree().step(1);
        }
        else
        {
            for (int i = 0; i < 150; i++)
            {
                source.lazyFree().step(64); // about half of the dict's 20,000 elements
            }
            assertTrue(source.memory().getLong(root + ZsetRootDescriptor.DICT_OFFSET) != 0);
        }
        assertEquals(1, source.lazyFree().pendingObjects(), "the free should still be under way");
        final Path file = dir.resolve("dump.rdb");
        source.save(file);
        final long settled = settledBytes();
        try (KeelEngine loaded = new KeelEngine(new EngineSettings()))
        {
            loaded.load(file);
            assertEquals(1, loaded.lazyFree().pendingObjects(), "the dropped set's root comes back to the lazy free");
            for (int i = 0; i < 100_000 && loaded.lazyFree().pendingObjects() > 0; i++)
            {
                loaded.cron(10);
            }
            assertEquals(0, loaded.lazyFree().pendingObjects());
            assertEquals(settled, loaded.memory().allocatedBytes(), "the loaded engine finished the free exactly");
            final RespWriter out = new RespWriter(1 << 16);
            loaded.dispatcher().execute(Args.of("ZCARD", "kept"), out, new LocalClient(1, false));
            final byte[] reply = new byte[out.pending()];
            out.buffer().getBytes(out.readIndex(), reply);
            assertEquals(":500\r\n", new String(reply, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void shouldKeepBigMembersAndScanASkiplistWithACursor()
    {
        call("SET", "anchor", "v");
        final long before = settledBytes();
        final String big = "b".repeat(300_000);
        final String bigger = "c".repeat(2_000_000);
        call("ZADD", "z", "2", big, "1", bigger, "3", "small");
        assertEquals(SKIPLIST, encoding("z"));
        assertEquals("$1\r\n2\r\n", call("ZSCORE", "z", big));
        assertEquals(":0\r\n", call("ZRANK", "z", bigger));
        assertEquals("*1\r\n$2000000\r\n" + bigger + "\r\n", call("ZRANGE", "z", "0", "0"));
        assertEquals("*1\r\n$300000\r\n" + big + "\r\n", call("ZRANGEBYSCORE", "z", "(1", "(3"));
        assertEquals(":1\r\n", call("ZREM", "z", bigger));
        fill("z", 2_000, "m");
        final Set<String> seen = new HashSet<>();
        String cursor = "0";
        int rounds = 0;
        do
        {
            final String reply = call("ZSCAN", "z", cursor, "COUNT", "50");
            final String[] lines = reply.split("\r\n");
            cursor = lines[2];
            for (int i = 5; i < lines.length; i += 4)
            {
                seen.add(lines[i]);
            }
            rounds++;
        }
        while (!cursor.equals("0"));
        assertEquals(2_002, seen.size(), "ZSCAN of a skiplist visits every member");
        assertTrue(rounds > 10, "a skiplist is scanned by cursor, a page at a time");
        call("DEL", "z");
        assertEquals(before, settledBytes(), "big members' blocks were not all freed");
    }
}
