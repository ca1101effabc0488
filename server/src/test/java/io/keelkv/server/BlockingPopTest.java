package io.keelkv.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.keelkv.server.SnapshotCommandTest.deleteTree;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The blocking list pops on a real server (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, CLIENT UNBLOCK): served by
 * a push from another client, in the order the clients blocked, per database; timeouts; disconnects; pipelined
 * commands behind a blocked one; the AOF under appendfsync always; and the reply bytes against redis-server.
 * Every wait is bounded: a client is known blocked (INFO blocked_clients) before the push that serves it.
 */
class BlockingPopTest
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

    private static RawRespClient client() throws Exception
    {
        return new RawRespClient(port);
    }

    static void awaitBlocked(final RawRespClient admin, final int expected) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true)
        {
            final String info = admin.call("INFO", "clients");
            if (info.contains("blocked_clients:" + expected + "\r\n"))
            {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "blocked_clients never reached " + expected + ": " + info);
            Thread.sleep(2);
        }
    }

    private static String bulk(final String s)
    {
        return "$" + s.length() + "\r\n" + s + "\r\n";
    }

    private static String keyAndElement(final String key, final String element)
    {
        return "*2\r\n" + bulk(key) + bulk(element);
    }

    @Test
    void shouldServeABlpopWhenAnotherClientPushes() throws Exception
    {
        try (RawRespClient waiter = client(); RawRespClient admin = client())
        {
            waiter.send("BLPOP", "missing", "list", "0");
            awaitBlocked(admin, 1);
            assertEquals(0, waiter.pendingAfter(20), "no reply while blocked");
            assertTrue(admin.call("CLIENT", "LIST").contains("flags=b "));
            assertEquals(":2\r\n", admin.call("RPUSH", "list", "a", "b"));
            assertEquals(keyAndElement("list", "a"), waiter.readReply());
            assertEquals("*1\r\n" + bulk("b"), admin.call("LRANGE", "list", "0", "-1"));
            awaitBlocked(admin, 0);
            assertEquals(0, server.engine().blocking().keysWithWaiters(), "no key left in the waiting table");
        }
    }

    @Test
    void shouldServeWaitersInTheOrderTheyBlockedAndAPushOfTwoServesTwo() throws Exception
    {
        try (RawRespClient first = client(); RawRespClient second = client(); RawRespClient third = client();
            RawRespClient admin = client())
        {
            first.send("BLPOP", "q", "0");
            awaitBlocked(admin, 1);
            second.send("BRPOP", "other", "q", "0");
            awaitBlocked(admin, 2);
            third.send("BLMPOP", "0", "1", "q", "LEFT", "COUNT", "5");
            awaitBlocked(admin, 3);
            assertEquals(":2\r\n", admin.call("RPUSH", "q", "1", "2"));
            assertEquals(keyAndElement("q", "1"), first.readReply());
            assertEquals(keyAndElement("q", "2"), second.readReply());
            assertEquals(0, third.pendingAfter(20));
            assertEquals(":0\r\n", admin.call("EXISTS", "q"));
            assertEquals(":3\r\n", admin.call("RPUSH", "q", "x", "y", "z"));
            assertEquals("*2\r\n" + bulk("q") + "*3\r\n" + bulk("x") + bulk("y") + bulk("z"), third.readReply());
            awaitBlocked(admin, 0);
        }
    }

    @Test
    void shouldTimeOutAfterAFractionOfASecond() throws Exception
    {
        try (RawRespClient c = client())
        {
            for (final String[] command : List.of(new String[] {"BLPOP", "k", "0.1"},
                new String[] {"BLMOVE", "k", "d", "LEFT", "RIGHT", "0.1"}, new String[] {"BRPOPLPUSH", "k", "d", "0.1"},
                new String[] {"BLMPOP", "0.1", "1", "k", "RIGHT"}))
            {
                final long start = System.nanoTime();
                assertEquals("*-1\r\n", c.call(command), String.join(" ", command));
                final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(elapsedMs >= 95 && elapsedMs < 2_000, "timed out after " + elapsedMs + " ms");
            }
            c.call("HELLO", "3");
            assertEquals("_\r\n", c.call("BRPOP", "k", "0.05"));
            assertTrue(server.engine().blocking().clientsInTimeoutTable() == 0);
        }
    }

    @Test
    void shouldServeABlmoveChainIntoAListOthersWaitOn() throws Exception
    {
        try (RawRespClient mover = client(); RawRespClient reader = client(); RawRespClient admin = client())
        {
            mover.send("BLMOVE", "src", "dst", "RIGHT", "LEFT", "0");
            awaitBlocked(admin, 1);
            reader.send("BLPOP", "dst", "0");
            awaitBlocked(admin, 2);
            assertEquals(":1\r\n", admin.call("LPUSH", "src", "e"));
            assertEquals(bulk("e"), mover.readReply());
            assertEquals(keyAndElement("dst", "e"), reader.readReply());
            assertEquals(":0\r\n", admin.call("EXISTS", "src", "dst"));
        }
    }

    @Test
    void shouldUnblockWithClientUnblockTimeoutOrError() throws Exception
    {
        try (RawRespClient waiter = client(); RawRespClient admin = client())
        {
            final String id = waiter.call("CLIENT", "ID").substring(1).trim();
            assertEquals(":0\r\n", admin.call("CLIENT", "UNBLOCK", id));
            waiter.send("BLPOP", "k", "0");
            awaitBlocked(admin, 1);
            assertEquals("-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n",
                admin.call("CLIENT", "UNBLOCK", id, "later"));
            assertEquals("-ERR value is not an integer or out of range\r\n", admin.call("CLIENT", "UNBLOCK", "x"));
            assertEquals(":1\r\n", admin.call("CLIENT", "UNBLOCK", id, "TIMEOUT"));
            assertEquals("*-1\r\n", waiter.readReply());
            waiter.send("BLMOVE", "k", "d", "LEFT", "LEFT", "0");
            awaitBlocked(admin, 1);
            assertEquals(":1\r\n", admin.call("CLIENT", "UNBLOCK", id, "error"));
            assertEquals("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n", waiter.readReply());
            assertEquals("+PONG\r\n", waiter.call("PING"));
        }
    }

    @Test
    void shouldForgetAClientThatDisconnectsWhileBlocked() throws Exception
    {
        try (RawRespClient admin = client())
        {
            try (RawRespClient waiter = client())
            {
                waiter.send("BLPOP", "gone", "other", "0");
                awaitBlocked(admin, 1);
            }
            awaitBlocked(admin, 0);
            assertEquals(0, server.engine().blocking().keysWithWaiters());
            assertEquals(":1\r\n", admin.call("RPUSH", "gone", "kept"));
            assertEquals("*1\r\n" + bulk("kept"), admin.call("LRANGE", "gone", "0", "-1"));
        }
    }

    @Test
    void shouldAnswerWrongTypeForAKeyOfAnotherTypeAtCallTime() throws Exception
    {
        try (RawRespClient c = client())
        {
            c.call("SET", "s", "v");
            c.call("RPUSH", "l", "e");
            final String wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
            assertEquals(wrongType, c.call("BLPOP", "missing", "s", "0"));
            assertEquals(keyAndElement("l", "e"), c.call("BLPOP", "l", "s", "0"), "a list met first is served");
            assertEquals(wrongType, c.call("BLMOVE", "s", "d", "LEFT", "LEFT", "0"));
            assertEquals(wrongType, c.call("BLMPOP", "0", "2", "missing", "s", "LEFT"));
        }
    }

    @Test
    void shouldLeaveWaitersBlockedWhileTheKeyHoldsAnotherType() throws Exception
    {
        try (RawRespClient waiter = client(); RawRespClient admin = client())
        {
            waiter.send("BLPOP", "k", "0");
            awaitBlocked(admin, 1);
            assertEquals("+OK\r\n", admin.call("SET", "k", "string"));
            assertTrue(admin.call("LPUSH", "k", "v").startsWith("-WRONGTYPE"));
            assertEquals(0, waiter.pendingAfter(20));
            awaitBlocked(admin, 1);
            admin.call("DEL", "k");
            admin.call("LPUSH", "k", "v");
            assertEquals(keyAndElement("k", "v"), waiter.readReply());
        }
    }

    @Test
    void shouldRunPipelinedCommandsOfABlockedClientOnlyOnceItIsServed() throws Exception
    {
        try (RawRespClient waiter = client(); RawRespClient admin = client())
        {
            waiter.sendRaw(new String(RawRespClient.request("BLPOP", "p", "0")) +
                new String(RawRespClient.request("SET", "after", "1")) + new String(RawRespClient.request("PING")));
            awaitBlocked(admin, 1);
            assertEquals(0, waiter.pendingAfter(20));
            assertEquals("$-1\r\n", admin.call("GET", "after"), "the SET behind the BLPOP has not run");
            admin.call("LPUSH", "p", "v");
            assertEquals(keyAndElement("p", "v"), waiter.readReply());
            assertEquals("+OK\r\n", waiter.readReply());
            assertEquals("+PONG\r\n", waiter.readReply());
            assertEquals(bulk("1"), admin.call("GET", "after"));
        }
    }

    @Test
    void shouldKeepWaitersInTheirDatabase() throws Exception
    {
        try (RawRespClient waiter = client(); RawRespClient admin = client())
        {
            waiter.call("SELECT", "1");
            waiter.send("BLPOP", "w", "0");
            awaitBlocked(admin, 1);
            admin.call("LPUSH", "w", "in-db-0");
            assertEquals(0, waiter.pendingAfter(20));
            admin.call("FLUSHALL");
            awaitBlocked(admin, 1);
            admin.call("LPUSH", "w", "swapped-in");
            assertEquals("+OK\r\n", admin.call("SWAPDB", "0", "1"));
            assertEquals(keyAndElement("w", "swapped-in"), waiter.readReply());
        }
    }

    @Test
    void shouldNotCloseABlockedClientForIdleness() throws Exception
    {
        final KeelServer idle = TestServers.start("--timeout", "1");
        try (RawRespClient waiter = new RawRespClient(idle.port()); RawRespClient quiet = new RawRespClient(idle.port());
            RawRespClient admin = new RawRespClient(idle.port()))
        {
            final String waiterId = waiter.call("CLIENT", "ID").substring(1).trim();
            final String quietId = quiet.call("CLIENT", "ID").substring(1).trim();
            waiter.send("BLPOP", "k", "0");
            awaitBlocked(admin, 1);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (admin.call("CLIENT", "LIST").contains("id=" + quietId + " "))
            {
                assertTrue(System.nanoTime() < deadline, "the idle client was never closed");
                Thread.sleep(50);
            }
            assertTrue(admin.call("CLIENT", "LIST").contains("id=" + waiterId + " "), "the blocked client stays");
            admin.call("RPUSH", "k", "v");
            assertEquals(keyAndElement("k", "v"), waiter.readReply());
        }
        finally
        {
            idle.close();
        }
    }

    @Test
    void shouldLogTheServedPopUnderAppendfsyncAlways() throws Exception
    {
        final Path dir = Files.createTempDirectory("keel-blocking-aof");
        KeelServer aofServer = TestServers.start("--dir", dir.toString(), "--appendonly", "yes", "--appendfsync", "always",
            "--enable-debug-command", "yes");
        try
        {
            final String digest;
            try (RawRespClient waiter = new RawRespClient(aofServer.port());
                RawRespClient mover = new RawRespClient(aofServer.port());
                RawRespClient admin = new RawRespClient(aofServer.port()))
            {
                waiter.send("BLMPOP", "0", "1", "l", "RIGHT", "COUNT", "2");
                mover.send("BLMOVE", "m", "l2", "LEFT", "RIGHT", "0");
                awaitBlocked(admin, 2);
                assertEquals(":3\r\n", admin.call("RPUSH", "l", "a", "b", "c"));
                assertEquals("*2\r\n" + bulk("l") + "*2\r\n" + bulk("c") + bulk("b"), waiter.readReply());
                admin.call("RPUSH", "m", "x", "y");
                assertEquals(bulk("x"), mover.readReply());
                digest = admin.call("DEBUG", "DIGEST");
            }
            final String aof;
            try (Stream<Path> files = Files.list(dir.resolve("appendonlydir")))
            {
                final Path incr = files.filter(p -> p.toString().endsWith(".incr.aof")).findFirst().orElseThrow();
                aof = Files.readString(incr);
            }
            assertTrue(aof.contains(new String(RawRespClient.request("RPOP", "l", "2"))), aof);
            assertTrue(aof.contains(new String(RawRespClient.request("LMOVE", "m", "l2", "left", "right"))), aof);
            assertFalse(aof.contains("BLMPOP") || aof.contains("BLMOVE"), aof);
            aofServer.close();
            aofServer = TestServers.start("--dir", dir.toString(), "--appendonly", "yes", "--enable-debug-command", "yes");
            try (RawRespClient admin = new RawRespClient(aofServer.port()))
            {
                assertEquals(digest, admin.call("DEBUG", "DIGEST"));
                assertEquals("*1\r\n" + bulk("a"), admin.call("LRANGE", "l", "0", "-1"));
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
        assertScriptRepliesAsRedis(port, BlockingPopTest::script);
    }

    /** A script of calls against a server on a port, in a protocol: its replies. */
    interface Script
    {
        List<String> run(int port, String protocol) throws Exception;
    }

    /** Runs {@code script} on redis-server and on KeelKV at {@code keelPort}, RESP2 then RESP3; the replies must be equal. */
    static void assertScriptRepliesAsRedis(final int keelPort, final Script script) throws Exception
    {
        try (RedisOracle oracle = RedisOracle.start())
        {
            for (final String protocol : List.of("2", "3"))
            {
                final List<String> expected = script.run(oracle.port(), protocol);
                final List<String> actual = script.run(keelPort, protocol);
                assertEquals(expected, actual, "RESP" + protocol);
            }
        }
    }

    /**
     * The blocking figures of INFO clients, and the calls and failed calls of the commands whose commandstats
     * name starts with {@code prefix} (the time is each server's own, so it is dropped).
     */
    static void addBlockingStats(final List<String> replies, final RawRespClient admin, final String prefix) throws Exception
    {
        replies.add(admin.call("INFO", "clients").lines()
            .filter(l -> l.startsWith("blocked_clients") || l.startsWith("clients_in_timeout"))
            .reduce("", String::concat));
        replies.add(admin.call("INFO", "commandstats").lines().filter(l -> l.startsWith(prefix))
            .map(l -> l.replaceAll("usec=[0-9]+,usec_per_call=[0-9.]+,", "")).sorted().reduce("", String::concat));
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
            replies.add(a.call("BLPOP", "k", "0.01"));
            replies.add(a.call("BLMOVE", "k", "d", "LEFT", "RIGHT", "0.01"));
            replies.add(a.call("BRPOPLPUSH", "k", "d", "0.01"));
            replies.add(a.call("BLMPOP", "0.01", "2", "k", "k2", "LEFT"));
            admin.call("RPUSH", "im", "1", "2", "3", "4", "5");
            replies.add(a.call("BLPOP", "k", "im", "0"));
            replies.add(a.call("BRPOP", "im", "0"));
            replies.add(a.call("BLMOVE", "im", "d", "LEFT", "LEFT", "0"));
            replies.add(a.call("BLMPOP", "0", "1", "im", "RIGHT", "COUNT", "9"));
            // served later
            a.send("BLPOP", "s1", "s2", "0");
            awaitBlocked(admin, 1);
            b.send("BLMPOP", "0", "1", "s2", "RIGHT", "COUNT", "2");
            awaitBlocked(admin, 2);
            replies.add(admin.call("RPUSH", "s2", "x", "y", "z"));
            replies.add(a.readReply());
            replies.add(b.readReply());
            a.send("BRPOPLPUSH", "s3", "s4", "0");
            awaitBlocked(admin, 1);
            replies.add(admin.call("LPUSH", "s3", "v"));
            replies.add(a.readReply());
            final String id = a.call("CLIENT", "ID").substring(1).trim();
            a.send("BLPOP", "u", "0");
            awaitBlocked(admin, 1);
            replies.add(admin.call("CLIENT", "UNBLOCK", id, "ERROR"));
            replies.add(a.readReply());
            // errors, in Redis's order
            for (final String[] command : List.of(new String[] {"BLPOP", "k", "abc"}, new String[] {"BLPOP", "k", "-1"},
                new String[] {"BLPOP", "k", "1e30"}, new String[] {"BLPOP", "k", "inf"}, new String[] {"BLPOP", "k", ""},
                new String[] {"BLMPOP", "x", "0", "k", "LEFT"}, new String[] {"BLMPOP", "x", "1", "k", "MIDDLE"},
                new String[] {"BLMPOP", "x", "1", "k", "LEFT", "COUNT", "0"}, new String[] {"BLMPOP", "x", "1", "k", "LEFT"},
                new String[] {"BLMPOP", "0.01", "3", "k", "LEFT"}, new String[] {"BLMOVE", "a", "b", "UP", "LEFT", "x"},
                new String[] {"BLMOVE", "a", "b", "LEFT", "LEFT", "x"}, new String[] {"BRPOPLPUSH", "a", "b", "-0.5"},
                new String[] {"CLIENT", "UNBLOCK", "1", "2", "3"}))
            {
                replies.add(String.join(" ", command) + " -> " + a.call(command));
            }
            addBlockingStats(replies, admin, "cmdstat_b");
        }
        return replies;
    }
}
