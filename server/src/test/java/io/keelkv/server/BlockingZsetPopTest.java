package io.keelkv.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.keelkv.server.BlockingPopTest.awaitBlocked;
import static io.keelkv.server.SnapshotCommandTest.deleteTree;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The blocking sorted-set pops on a real server (BZPOPMIN, BZPOPMAX, BZMPOP), on the blocking table the list pops
 * use: served by a ZADD from another client in the order the clients blocked, timeouts, the AOF under
 * appendfsync always, and the reply bytes against redis-server in RESP2 and RESP3. Every wait is bounded: a client
 * is known blocked (INFO blocked_clients) before the write that serves it.
 */
class BlockingZsetPopTest
{
    private static KeelServer server;
    private static int port;

    @BeforeAll
    static void start() throws Exception
    {
        server = TestServers.start("--enable-debug-command", "yes");
        port = server.port();
    }

    @AfterAll
    static void stop()
    {
        if (server != null)
        {
            server.close();
        }
    }

    @BeforeEach
    void flush() throws Exception
    {
        try (RawRespClient admin = new RawRespClient(port))
        {
            assertEquals("+OK\r\n", admin.call("FLUSHALL"));
        }
    }

    private static String bulk(final String s)
    {
        return "$" + s.length() + "\r\n" + s + "\r\n";
    }

    @Test
    void shouldServeBzpopWaitersInTheOrderTheyBlockedWhenAnotherClientAdds() throws Exception
    {
        try (RawRespClient first = new RawRespClient(port); RawRespClient second = new RawRespClient(port);
            RawRespClient admin = new RawRespClient(port))
        {
            first.send("BZPOPMIN", "missing", "z", "0");
            awaitBlocked(admin, 1);
            second.send("BZPOPMAX", "z", "0");
            awaitBlocked(admin, 2);
            assertEquals(0, first.pendingAfter(20), "no reply while blocked");
            assertEquals(":3\r\n", admin.call("ZADD", "z", "1", "a", "2", "b", "3", "c"));
            assertEquals("*3\r\n" + bulk("z") + bulk("a") + bulk("1"), first.readReply());
            assertEquals("*3\r\n" + bulk("z") + bulk("c") + bulk("3"), second.readReply());
            assertEquals("*2\r\n" + bulk("b") + bulk("2"), admin.call("ZRANGE", "z", "0", "-1", "WITHSCORES"));
            awaitBlocked(admin, 0);
            assertEquals(0, server.engine().blocking().keysWithWaiters(), "no key left in the waiting table");
        }
    }

    @Test
    void shouldLogTheServedPopsUnderAppendfsyncAlways() throws Exception
    {
        final Path dir = Files.createTempDirectory("keel-blocking-zset-aof");
        KeelServer aofServer = TestServers.start("--dir", dir.toString(), "--appendonly", "yes", "--appendfsync", "always",
            "--enable-debug-command", "yes");
        try
        {
            final String digest;
            try (RawRespClient one = new RawRespClient(aofServer.port()); RawRespClient many = new RawRespClient(aofServer.port());
                RawRespClient admin = new RawRespClient(aofServer.port()))
            {
                one.send("BZPOPMAX", "z", "0");
                many.send("BZMPOP", "0", "1", "z", "MIN", "COUNT", "2");
                awaitBlocked(admin, 2);
                assertEquals(":4\r\n", admin.call("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"));
                assertEquals("*3\r\n" + bulk("z") + bulk("d") + bulk("4"), one.readReply());
                assertEquals("*2\r\n" + bulk("z") + "*2\r\n*2\r\n" + bulk("a") + bulk("1") + "*2\r\n" + bulk("b") + bulk("2"),
                    many.readReply());
                assertEquals("*3\r\n" + bulk("z") + bulk("c") + bulk("3"), admin.call("BZPOPMIN", "z", "0"), "served at once");
                digest = admin.call("DEBUG", "DIGEST");
            }
            final String aof;
            try (Stream<Path> files = Files.list(dir.resolve("appendonlydir")))
            {
                final Path incr = files.filter(p -> p.toString().endsWith(".incr.aof")).findFirst().orElseThrow();
                aof = Files.readString(incr);
            }
            assertTrue(aof.contains(new String(RawRespClient.request("ZPOPMAX", "z"))), aof);
            assertTrue(aof.contains(new String(RawRespClient.request("ZPOPMIN", "z", "2"))), aof);
            assertTrue(aof.contains(new String(RawRespClient.request("ZPOPMIN", "z"))), aof);
            assertFalse(aof.contains("BZ"), aof);
            aofServer.close();
            aofServer = TestServers.start("--dir", dir.toString(), "--appendonly", "yes", "--enable-debug-command", "yes");
            try (RawRespClient admin = new RawRespClient(aofServer.port()))
            {
                assertEquals(digest, admin.call("DEBUG", "DIGEST"));
                assertEquals(":0\r\n", admin.call("EXISTS", "z"));
            }
        }
        finally
        {
            aofServer.close();
            deleteTree(dir);
        }
    }

    /** The same script on redis-server and KeelKV, RESP2 then RESP3: every reply byte for byte. */
    @Test
    void shouldReplyAsRedisServerDoes() throws Exception
    {
        BlockingPopTest.assertScriptRepliesAsRedis(port, BlockingZsetPopTest::script);
    }

    private static List<String> script(final int port, final String protocol) throws Exception
    {
        final List<String> replies = new ArrayList<>();
        try (RawRespClient a = new RawRespClient(port); RawRespClient b = new RawRespClient(port);
            RawRespClient admin = new RawRespClient(port))
        {
            admin.call("FLUSHALL");
            admin.call("CONFIG", "RESETSTAT");
            a.call("HELLO", protocol);
            b.call("HELLO", protocol);
            // timeouts and immediate answers
            replies.add(a.call("BZPOPMIN", "k", "0.01"));
            replies.add(a.call("BZPOPMAX", "k", "k2", "0.01"));
            replies.add(a.call("BZMPOP", "0.01", "2", "k", "k2", "MIN"));
            admin.call("ZADD", "im", "1", "a", "2.5", "b", "3", "c", "-inf", "m", "+inf", "p");
            replies.add(a.call("BZPOPMIN", "k", "im", "0"));
            replies.add(a.call("BZPOPMAX", "im", "0"));
            replies.add(a.call("BZMPOP", "0", "2", "k", "im", "MAX", "COUNT", "2"));
            replies.add(a.call("BZMPOP", "0", "1", "im", "MIN", "COUNT", "9"));
            replies.add(admin.call("EXISTS", "im"));
            // served later
            a.send("BZPOPMAX", "s1", "s2", "0");
            awaitBlocked(admin, 1);
            b.send("BZMPOP", "0", "1", "s2", "MIN", "COUNT", "2");
            awaitBlocked(admin, 2);
            replies.add(admin.call("ZADD", "s2", "1", "x", "2", "y", "3", "z", "4", "w"));
            replies.add(a.readReply());
            replies.add(b.readReply());
            replies.add(admin.call("ZRANGE", "s2", "0", "-1", "WITHSCORES"));
            // errors, in Redis's order
            admin.call("SET", "str", "v");
            for (final String[] command : List.of(new String[] {"BZPOPMIN", "k", "abc"}, new String[] {"BZPOPMIN", "k", "-1"},
                new String[] {"BZPOPMAX", "k", "1e30"}, new String[] {"BZPOPMIN", "str", "0"},
                new String[] {"BZPOPMIN", "str", "k", "x"}, new String[] {"BZMPOP", "x", "0", "k", "MIN"},
                new String[] {"BZMPOP", "x", "1", "k", "MIDDLE"}, new String[] {"BZMPOP", "x", "1", "k", "MIN", "COUNT", "0"},
                new String[] {"BZMPOP", "x", "1", "k", "MIN"}, new String[] {"BZMPOP", "0.01", "3", "k", "MIN"},
                new String[] {"BZMPOP", "0", "1", "str", "MAX"}, new String[] {"BZMPOP", "-1", "1", "k", "MAX"}))
            {
                replies.add(String.join(" ", command) + " -> " + a.call(command));
            }
            BlockingPopTest.addBlockingStats(replies, admin, "cmdstat_bz");
        }
        return replies;
    }
}
