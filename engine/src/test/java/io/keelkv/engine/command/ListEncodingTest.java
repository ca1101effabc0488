package io.keelkv.engine.command;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.types.Quicklist;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The list type's quicklist: nodes fill by list-max-listpack-size (bytes or entries), split on LINSERT into a
 * full node, free when emptied; index operations over many nodes agree with a model list; and every way a key
 * can go (DEL, SET over it, an expiry, RENAME, MOVE, COPY) gives back exactly the memory it held, big lists in
 * steps from the cron. The replies themselves are compared with redis-server by the server's DifferentialTest.
 */
class ListEncodingTest
{
    private static final String QUICKLIST = "$9\r\nquicklist\r\n";


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

    private long settledBytes()
    {
        return calls.settledBytes();
    }

    /** The list at db 0's {@code key}, its quicklist wrapped. */
    private Quicklist quicklist(final String key)
    {
        final byte[] k = key.getBytes(StandardCharsets.ISO_8859_1);
        final long e = calls.engine().keyspace().database(0).find(k, org.agrona.UnsafeApi.arrayBaseOffset(byte[].class), k.length);
        assertTrue(e != NULL_HANDLE, key);
        final EntryFlyweight entry = new EntryFlyweight(calls.engine().memory());
        return new Quicklist(calls.engine().memory()).wrap(calls.engine().memory().getLong(entry.wrap(e).valueHandle()));
    }

    private static String bulks(final List<String> elements)
    {
        final StringBuilder s = new StringBuilder("*" + elements.size() + "\r\n");
        for (final String e : elements)
        {
            s.append('$').append(e.length()).append("\r\n").append(e).append("\r\n");
        }
        return elements.isEmpty() ? "*0\r\n" : s.toString();
    }

    /**
     * Lists emptied and made again, and FLUSHALL now and then, so that a new root or node takes the block (and
     * the page) of a freed one, between pushes to other lists: a view over a root or node must not outlive a release (a freed page may
     * come back at another address). The checked-root view once did, and a push read a stale root.
     */
    @Test
    void shouldKeepListsRightWhileOthersAreEmptiedAndMadeAgain()
    {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        final java.util.Map<String, java.util.ArrayDeque<String>> model = new java.util.HashMap<>();
        for (int i = 0; i < 20_000; i++)
        {
            if (i % 997 == 996)
            {
                call("FLUSHALL"); // every block and page goes back at once
                model.clear();
            }
            final String key = "l" + random.nextInt(4);
            final java.util.ArrayDeque<String> list = model.computeIfAbsent(key, k -> new java.util.ArrayDeque<>());
            if (random.nextInt(3) > 0 || list.isEmpty())
            {
                final String v = "v" + i + "x".repeat(random.nextInt(40));
                call("RPUSH", key, v, v);
                list.addLast(v);
                list.addLast(v);
            }
            else
            {
                final int n = 1 + random.nextInt(list.size());
                call("LPOP", key, String.valueOf(n)); // may empty it: the key and its blocks go
                for (int j = 0; j < n; j++)
                {
                    list.removeFirst();
                }
            }
            assertEquals(":" + list.size() + "\r\n", call("LLEN", key), "step " + i);
        }
        for (final java.util.Map.Entry<String, java.util.ArrayDeque<String>> kv : model.entrySet())
        {
            final StringBuilder expected = new StringBuilder("*" + kv.getValue().size() + "\r\n");
            for (final String v : kv.getValue())
            {
                expected.append('$').append(v.length()).append("\r\n").append(v).append("\r\n");
            }
            assertEquals(expected.toString(), call("LRANGE", kv.getKey(), "0", "-1"));
        }
    }

    @Test
    void shouldFillNodesByEntriesOrBytesAsListMaxListpackSizeSays()
    {
        settings.listMaxListpackSize = 4;
        for (int i = 0; i < 10; i++)
        {
            call("RPUSH", "l", "e" + i);
        }
        assertEquals(QUICKLIST, call("OBJECT", "ENCODING", "l"));
        assertEquals(3, quicklist("l").nodeCount(), "4 entries per node: 10 elements in 3 nodes");
        calls.engine().settings().listMaxListpackSize = -1;
        calls.engine().applySettings();
        for (int i = 0; i < 100; i++)
        {
            call("LPUSH", "m", "x".repeat(100));
        }
        final long nodes = quicklist("m").nodeCount();
        assertTrue(nodes >= 3 && nodes <= 4, "100 x ~102 bytes in 4 KB nodes: " + nodes);
        calls.engine().settings().listMaxListpackSize = 1;
        calls.engine().applySettings();
        call("RPUSH", "one", "a", "b", "c");
        assertEquals(3, quicklist("one").nodeCount());
        assertEquals(bulks(List.of("a", "b", "c")), call("LRANGE", "one", "0", "-1"));
        assertEquals("*1\r\n$1\r\na\r\n", call("LPOP", "one", "1"));
        assertEquals(2, quicklist("one").nodeCount(), "a node emptied by a pop is freed");
    }

    @Test
    void shouldSplitAFullNodeOnInsertAndFreeEmptiedNodes()
    {
        settings.listMaxListpackSize = 4;
        call("RPUSH", "l", "a", "b", "c", "d");
        assertEquals(1, quicklist("l").nodeCount());
        assertEquals(":5\r\n", call("LINSERT", "l", "AFTER", "b", "x"));
        assertEquals(bulks(List.of("a", "b", "x", "c", "d")), call("LRANGE", "l", "0", "-1"));
        assertEquals(3, quicklist("l").nodeCount(), "the full node split around the new element's node");
        assertEquals(":1\r\n", call("LREM", "l", "0", "c"));
        assertEquals(":1\r\n", call("LREM", "l", "0", "x"));
        assertEquals(2, quicklist("l").nodeCount(), "emptied nodes are freed");
        assertEquals(":0\r\n", call("LREM", "l", "0", "zz"));
    }

    @Test
    void shouldVisitRunsOfElementsForwardAndBackwardAcrossNodes()
    {
        calls.engine().settings().listMaxListpackSize = 3; // many small nodes
        calls.engine().applySettings();
        final List<String> model = new ArrayList<>();
        for (int i = 0; i < 40; i++)
        {
            final String e = i % 3 == 0 ? String.valueOf(i * 7) : "s" + i; // integers and strings
            call("RPUSH", "v", e);
            model.add(e);
        }
        final Quicklist list = quicklist("v");
        final List<String> seen = new ArrayList<>();
        final Quicklist.ElementVisitor collect = new Quicklist.ElementVisitor()
        {
            @Override
            public void string(final long address, final int length)
            {
                final byte[] bytes = new byte[length];
                // an absolute address, as RespWriter.bulkFromAddress takes it
                org.agrona.UnsafeApi.copyMemory(null, address, bytes, org.agrona.UnsafeApi.arrayBaseOffset(byte[].class), length);
                seen.add(new String(bytes, StandardCharsets.ISO_8859_1));
            }

            @Override
            public void integer(final long value)
            {
                seen.add(String.valueOf(value));
            }
        };
        for (final int[] run : new int[][] {{0, 40}, {5, 7}, {2, 1}, {37, 10}, {39, 1}})
        {
            seen.clear();
            assertTrue(list.seek(run[0]));
            list.visit(run[1], false, collect);
            assertEquals(model.subList(run[0], Math.min(40, run[0] + run[1])), seen, "forward " + run[0] + "+" + run[1]);
            seen.clear();
            assertTrue(list.seek(run[0]));
            list.visit(run[1], true, collect);
            final List<String> backward = new ArrayList<>(model.subList(Math.max(0, run[0] - run[1] + 1), run[0] + 1));
            java.util.Collections.reverse(backward);
            assertEquals(backward, seen, "backward " + run[0] + "-" + run[1]);
        }
        assertTrue(list.seek(10));
        list.visit(5, false, collect);
        assertTrue(list.valid());
        list.load();
        assertEquals(model.get(15), list.isInteger() ? String.valueOf(list.integer()) : "s15", "the cursor ends after the run");
    }

    @Test
    void shouldAgreeWithAModelAcrossManyNodes()
    {
        final SplittableRandom random = new SplittableRandom(42);
        for (final int fill : new int[] {-2, -1, 1, 2, 5, -5})
        {
            calls.engine().settings().listMaxListpackSize = fill;
            calls.engine().applySettings();
            call("DEL", "l");
            final List<String> model = new ArrayList<>();
            for (int op = 0; op < 3000; op++)
            {
                final String e = random.nextInt(4) == 0 ? String.valueOf(random.nextInt(1000)) :
                    "v" + "w".repeat(random.nextInt(random.nextInt(20) == 0 ? 3000 : 40));
                switch (random.nextInt(8))
                {
                    case 0, 1 -> { call("LPUSH", "l", e); model.add(0, e); }
                    case 2, 3 -> { call("RPUSH", "l", e); model.add(e); }
                    case 4 -> {
                        if (!model.isEmpty())
                        {
                            final int i = random.nextInt(model.size());
                            assertEquals("+OK\r\n", call("LSET", "l", String.valueOf(i), e));
                            model.set(i, e);
                        }
                    }
                    case 5 -> {
                        if (!model.isEmpty())
                        {
                            final String pivot = model.get(random.nextInt(model.size()));
                            final boolean after = random.nextBoolean();
                            call("LINSERT", "l", after ? "AFTER" : "BEFORE", pivot, e);
                            final int at = model.indexOf(pivot);
                            model.add(after ? at + 1 : at, e);
                        }
                    }
                    case 6 -> {
                        if (!model.isEmpty() && random.nextInt(4) == 0)
                        {
                            call(random.nextBoolean() ? "LPOP" : "RPOP", "l");
                            model.clear();
                            call("DEL", "l");
                        }
                    }
                    default -> {
                        if (!model.isEmpty())
                        {
                            final int i = random.nextInt(model.size());
                            final String got = call("LINDEX", "l", String.valueOf(i - model.size()));
                            assertEquals("$" + model.get(i).length() + "\r\n" + model.get(i) + "\r\n", got);
                        }
                    }
                }
            }
            assertEquals(bulks(model), call("LRANGE", "l", "0", "-1"), "fill " + fill);
            assertEquals(":" + model.size() + "\r\n", call("LLEN", "l"));
        }
    }

    @Test
    void shouldServeABigListAndGiveBackAllItsMemoryInStepsAfterADel()
    {
        call("SET", "anchor", "v");
        final long before = settledBytes();
        for (int i = 0; i < 200_000; i += 100)
        {
            final String[] args = new String[102];
            args[0] = "RPUSH";
            args[1] = "big";
            for (int j = 0; j < 100; j++)
            {
                args[2 + j] = "element:" + (i + j);
            }
            call(args);
        }
        assertEquals(":200000\r\n", call("LLEN", "big"));
        assertEquals("$14\r\nelement:100000\r\n", call("LINDEX", "big", "100000"));
        assertEquals("$14\r\nelement:199999\r\n", call("LINDEX", "big", "-1"));
        assertTrue(quicklist("big").nodeCount() > 64);
        assertEquals(":1\r\n", call("DEL", "big"));
        assertEquals(1, calls.engine().lazyFree().pendingObjects(), "a big list is freed in steps, not in the DEL");
        assertEquals(before, settledBytes(), "the list's nodes or root were not all freed");
    }

    @Test
    void shouldGiveBackAListOverwrittenOrExpiredAndMoveOrCopyIt()
    {
        call("SET", "anchor", "v");
        call("EXPIRE", "anchor", "100000");
        call("SELECT", "2");
        call("SET", "anchor", "v");
        call("SELECT", "0");
        final long before = settledBytes();
        call("RPUSH", "l", "a", "1", "b");
        assertEquals("+OK\r\n", call("SET", "l", "now a string"));
        call("DEL", "l");
        assertEquals(before, settledBytes(), "SET over a list leaked it");

        call("RPUSH", "l", "a", "1", "b");
        call("PEXPIREAT", "l", "1");
        assertEquals(":0\r\n", call("EXISTS", "l"));
        assertEquals(before, settledBytes(), "an expired list leaked");

        for (int i = 0; i < 2000; i++)
        {
            call("RPUSH", "l", "m" + i, String.valueOf(i));
        }
        final String digest = call("DEBUG", "DIGEST-VALUE", "l");
        assertEquals("+OK\r\n", call("RENAME", "l", "r"));
        assertEquals(digest, call("DEBUG", "DIGEST-VALUE", "r"));
        assertEquals(":1\r\n", call("MOVE", "r", "2"));
        call("SELECT", "2");
        assertEquals(digest, call("DEBUG", "DIGEST-VALUE", "r"));
        assertEquals(":1\r\n", call("COPY", "r", "c"));
        assertEquals(digest, call("DEBUG", "DIGEST-VALUE", "c"));
        assertEquals(":4001\r\n", call("RPUSH", "c", "only-in-copy"));
        assertEquals(":4000\r\n", call("LLEN", "r"), "the copy shares the original's nodes");
        call("DEL", "r");
        assertEquals("$12\r\nonly-in-copy\r\n", call("LINDEX", "c", "-1"), "deleting the original freed the copy's nodes");
        call("DEL", "c");
        call("SELECT", "0");
        assertEquals(before, settledBytes());
    }
}
