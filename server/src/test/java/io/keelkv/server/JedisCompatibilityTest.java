package io.keelkv.server;

import io.keelkv.server.ComparedServers.Target;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.args.ExpiryOption;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ClientKillParams;
import redis.clients.jedis.params.GetExParams;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Jedis, unmodified, against KeelKV and against Debian's redis-server with the very same assertions, in
 * RESP2 and RESP3 where Jedis offers both. What passes on redis-server is the behaviour Jedis users rely on,
 * so a failure on KeelKV alone is a KeelKV difference.
 *
 * <p>Without redis-server the REDIS rows are skipped (failed under KEEL_REQUIRE_ORACLE=1). Random choices are
 * seeded and the seeds printed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JedisCompatibilityTest
{
    private static final String PASSWORD = "jedis-pass";
    private static final int TIMEOUT_MS = 20_000;

    private static ComparedServers servers;

    @BeforeAll
    static void start() throws Exception
    {
        servers = ComparedServers.start(PASSWORD);
    }

    @AfterAll
    static void stop() throws Exception
    {
        if (servers != null)
        {
            servers.close();
        }
    }

    static Stream<Arguments> targets()
    {
        final List<Arguments> rows = new ArrayList<>();
        for (final Target target : Target.values())
        {
            rows.add(Arguments.of(target, RedisProtocol.RESP2));
            rows.add(Arguments.of(target, RedisProtocol.RESP3));
        }
        return rows.stream();
    }

    private static int port(final Target target, final boolean auth)
    {
        return servers.port(target, auth);
    }

    private static DefaultJedisClientConfig.Builder config(final RedisProtocol protocol)
    {
        return DefaultJedisClientConfig.builder().protocol(protocol).timeoutMillis(TIMEOUT_MS);
    }

    private static Jedis jedis(final Target target, final RedisProtocol protocol)
    {
        final Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", port(target, false)), config(protocol).build());
        jedis.flushAll();
        return jedis;
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void shouldServeAJedisPoolFromManyThreads(final Target target) throws Exception
    {
        final int threads = 8;
        final int opsPerThread = 2_000;
        final GenericObjectPoolConfig<Jedis> poolConfig = new GenericObjectPoolConfig<>();
        poolConfig.setMaxTotal(6);
        poolConfig.setMaxWait(Duration.ofSeconds(30));
        final ExecutorService executor = Executors.newFixedThreadPool(threads);
        try (JedisPool pool = new JedisPool(poolConfig, new HostAndPort("127.0.0.1", port(target, false)),
            config(RedisProtocol.RESP2).database(1).build()))
        {
            try (Jedis jedis = pool.getResource())
            {
                jedis.flushDB();
            }
            final List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                // fewer connections than threads: borrowing waits, connections are returned and reused
                futures.add(executor.submit(() ->
                {
                    for (int i = 0; i < opsPerThread; i++)
                    {
                        try (Jedis jedis = pool.getResource())
                        {
                            final String key = "t" + thread + ":" + (i % 100);
                            jedis.set(key, String.valueOf(i));
                            assertEquals(String.valueOf(i), jedis.get(key));
                            jedis.incr("shared");
                            assertEquals(1, jedis.getDB());
                        }
                    }
                    return null;
                }));
            }
            for (final Future<?> future : futures)
            {
                future.get(90, TimeUnit.SECONDS);
            }
            try (Jedis jedis = pool.getResource())
            {
                assertEquals(String.valueOf(threads * opsPerThread), jedis.get("shared"));
                assertEquals(threads * 100 + 1, jedis.dbSize());
                final long clients = jedis.clientList().lines().filter(line -> line.contains(" db=1 ")).count();
                assertTrue(clients >= 1 && clients <= 6, "pool connections: " + clients);
                jedis.flushDB();
            }
        }
        finally
        {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void shouldAuthenticateAndSelectThroughThePool(final Target target, final RedisProtocol protocol)
    {
        final HostAndPort address = new HostAndPort("127.0.0.1", port(target, true));
        try (JedisPool pool = new JedisPool(new GenericObjectPoolConfig<>(), address,
            config(protocol).password(PASSWORD).database(2).clientName("jedis-pool").build()))
        {
            try (Jedis jedis = pool.getResource())
            {
                jedis.flushAll();
                assertEquals("OK", jedis.set("in2", "yes"));
                assertEquals("jedis-pool", jedis.clientGetname());
                assertEquals(2, jedis.getDB());
                assertEquals("OK", jedis.select(0));
                assertNull(jedis.get("in2"));
                assertEquals("OK", jedis.select(2));
                assertEquals("yes", jedis.get("in2"));
                assertEquals("OK", jedis.auth(PASSWORD));
                assertEquals("OK", jedis.auth("default", PASSWORD));
                final JedisAccessControlException ex = assertThrows(JedisAccessControlException.class, () -> jedis.auth("bad"));
                assertEquals("WRONGPASS invalid username-password pair or user is disabled.", ex.getMessage());
                assertEquals("yes", jedis.get("in2"));
            }
        }

        // Jedis with an explicit protocol sends HELLO at connect, with AUTH when it has a password: the server
        // refuses the connection there, before any command
        final JedisAccessControlException anonymous = assertThrows(JedisAccessControlException.class,
            () -> new Jedis(address, config(protocol).build()).close());
        assertTrue(anonymous.getMessage().startsWith("NOAUTH HELLO must be called with the client already authenticated"),
            anonymous.getMessage());
        final JedisAccessControlException wrong = assertThrows(JedisAccessControlException.class,
            () -> new Jedis(address, config(protocol).password("nope").build()).close());
        assertEquals("WRONGPASS invalid username-password pair or user is disabled.", wrong.getMessage());
        // a plain Jedis (no protocol given) connects without HELLO and is refused command by command
        try (Jedis plain = new Jedis("127.0.0.1", address.getPort(), TIMEOUT_MS))
        {
            final JedisDataException ex = assertThrows(JedisDataException.class, () -> plain.get("in2"));
            assertEquals("NOAUTH Authentication required.", ex.getMessage());
            assertEquals("OK", plain.auth(PASSWORD));
            plain.select(2);
            assertEquals("yes", plain.get("in2"));
        }
        try (Jedis jedis = new Jedis(address, config(protocol).password(PASSWORD).build()))
        {
            jedis.flushAll();
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void shouldServeTheExpiryFamilyGetExAndGetDel(final Target target, final RedisProtocol protocol)
    {
        try (Jedis jedis = jedis(target, protocol))
        {
            jedis.set("k", "v");
            assertEquals(-1, jedis.ttl("k"));
            assertEquals(-2, jedis.pttl("none"));
            assertEquals(-2, jedis.expireTime("none"));
            assertEquals(0, jedis.expire("none", 10));
            assertEquals(1, jedis.expire("k", 500));
            assertEquals(0, jedis.expire("k", 600, ExpiryOption.NX));
            assertEquals(1, jedis.expire("k", 600, ExpiryOption.XX));
            assertEquals(1, jedis.expire("k", 700, ExpiryOption.GT));
            assertEquals(0, jedis.expire("k", 650, ExpiryOption.GT));
            assertEquals(1, jedis.expire("k", 650, ExpiryOption.LT));
            assertTrue(jedis.ttl("k") > 640);
            assertEquals(1, jedis.pexpire("k", 900_000));
            assertEquals(0, jedis.pexpire("k", 800_000, ExpiryOption.GT));
            assertTrue(jedis.pttl("k") > 890_000);
            final long at = Instant.now().getEpochSecond() + 10_000;
            assertEquals(1, jedis.expireAt("k", at));
            assertEquals(at, jedis.expireTime("k"));
            assertEquals(1, jedis.pexpireAt("k", at * 1000 + 5));
            assertEquals(at * 1000 + 5, jedis.pexpireTime("k"));
            assertEquals(0, jedis.expireAt("k", at + 5, ExpiryOption.LT));
            assertEquals(1, jedis.persist("k"));
            assertEquals(-1, jedis.expireTime("k"));

            assertEquals("v", jedis.getEx("k", GetExParams.getExParams().ex(100)));
            assertTrue(jedis.ttl("k") > 90);
            assertEquals("v", jedis.getEx("k", GetExParams.getExParams().px(200_000)));
            assertTrue(jedis.pttl("k") > 190_000);
            assertEquals("v", jedis.getEx("k", GetExParams.getExParams().exAt(at)));
            assertEquals(at, jedis.expireTime("k"));
            assertEquals("v", jedis.getEx("k", GetExParams.getExParams().pxAt(at * 1000 + 9)));
            assertEquals(at * 1000 + 9, jedis.pexpireTime("k"));
            assertEquals("v", jedis.getEx("k", GetExParams.getExParams().persist()));
            assertEquals(-1, jedis.ttl("k"));
            assertEquals("v", jedis.getEx("k", GetExParams.getExParams()));
            assertNull(jedis.getEx("none", GetExParams.getExParams().ex(5)));
            assertEquals("v", jedis.getDel("k"));
            assertNull(jedis.getDel("k"));
            assertEquals(0, jedis.exists("k") ? 1 : 0);

            // an expiry in the past deletes at once
            jedis.set("old", "v");
            assertEquals(1, jedis.expireAt("old", 1));
            assertFalse(jedis.exists("old"));
            jedis.set("old", "v");
            assertEquals(1, jedis.expire("old", -1));
            assertFalse(jedis.exists("old"));
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void shouldServeSetWithEveryParameter(final Target target, final RedisProtocol protocol)
    {
        try (Jedis jedis = jedis(target, protocol))
        {
            final long at = Instant.now().getEpochSecond() + 20_000;
            assertEquals("OK", jedis.set("s", "1", SetParams.setParams().nx()));
            assertNull(jedis.set("s", "2", SetParams.setParams().nx()));
            assertEquals("OK", jedis.set("s", "2", SetParams.setParams().xx()));
            assertNull(jedis.set("t", "2", SetParams.setParams().xx()));
            assertEquals("OK", jedis.set("s", "3", SetParams.setParams().ex(1000)));
            assertTrue(jedis.ttl("s") > 990);
            assertEquals("OK", jedis.set("s", "4", SetParams.setParams().keepTtl()));
            assertTrue(jedis.ttl("s") > 990);
            assertEquals("OK", jedis.set("s", "5"));
            assertEquals(-1, jedis.ttl("s"));
            assertEquals("OK", jedis.set("s", "6", SetParams.setParams().px(2_000_000)));
            assertTrue(jedis.pttl("s") > 1_990_000);
            assertEquals("OK", jedis.set("s", "7", SetParams.setParams().exAt(at)));
            assertEquals(at, jedis.expireTime("s"));
            assertEquals("OK", jedis.set("s", "8", SetParams.setParams().pxAt(at * 1000 + 1)));
            assertEquals(at * 1000 + 1, jedis.pexpireTime("s"));
            assertEquals("OK", jedis.set("s", "9", SetParams.setParams().xx().ex(500)));
            assertNull(jedis.set("s", "10", SetParams.setParams().nx().px(500)));
            assertEquals("9", jedis.setGet("s", "11"));
            assertEquals(-1, jedis.ttl("s"));
            assertEquals("11", jedis.setGet("s", "12", SetParams.setParams().ex(300)));
            assertNull(jedis.setGet("fresh", "1", SetParams.setParams().nx()));
            assertEquals("1", jedis.setGet("fresh", "2", SetParams.setParams().nx()));
            assertEquals("1", jedis.get("fresh"));
            assertEquals("12", jedis.setGet("s", "13", SetParams.setParams().xx().keepTtl()));
            assertTrue(jedis.ttl("s") > 290);
            assertNull(jedis.setGet("missing", "1", SetParams.setParams().xx()));
            assertFalse(jedis.exists("missing"));

            // SetParams keeps one of EX/PX and one of NX/XX: the conflicting forms are sent raw
            final JedisDataException syntax = assertThrows(JedisDataException.class,
                () -> jedis.sendCommand(Protocol.Command.SET, "s", "x", "EX", "10", "PX", "100"));
            assertEquals("ERR syntax error", syntax.getMessage());
            final JedisDataException expire = assertThrows(JedisDataException.class,
                () -> jedis.set("s", "x", SetParams.setParams().ex(-3)));
            assertEquals("ERR invalid expire time in 'set' command", expire.getMessage());
            final JedisDataException both = assertThrows(JedisDataException.class,
                () -> jedis.sendCommand(Protocol.Command.SET, "s", "x", "NX", "XX"));
            assertEquals("ERR syntax error", both.getMessage());
            final JedisDataException keep = assertThrows(JedisDataException.class,
                () -> jedis.sendCommand(Protocol.Command.SET, "s", "x", "KEEPTTL", "EX", "10"));
            assertEquals("ERR syntax error", keep.getMessage());
            assertEquals("13", jedis.get("s"));
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void shouldCopyAndMoveBetweenDatabases(final Target target, final RedisProtocol protocol)
    {
        try (Jedis jedis = jedis(target, protocol))
        {
            jedis.set("src", "value", SetParams.setParams().ex(5000));
            assertTrue(jedis.copy("src", "dst", false));
            assertEquals("value", jedis.get("dst"));
            assertTrue(jedis.ttl("dst") > 4990, "COPY keeps the TTL");
            jedis.set("other", "x");
            assertFalse(jedis.copy("src", "other", false));
            assertTrue(jedis.copy("src", "other", true));
            assertEquals("value", jedis.get("other"));
            assertTrue(jedis.copy("src", "src", 3, false));
            assertFalse(jedis.copy("src", "src", 3, false));
            assertTrue(jedis.copy("src", "src", 3, true));
            assertFalse(jedis.copy("missing", "x", false));
            final JedisDataException same = assertThrows(JedisDataException.class, () -> jedis.copy("src", "src", false));
            assertEquals("ERR source and destination objects are the same", same.getMessage());

            assertEquals(0, jedis.move("src", 3), "the key exists in db 3 already");
            assertEquals(1, jedis.move("dst", 4));
            assertFalse(jedis.exists("dst"));
            assertEquals(0, jedis.move("missing", 4));
            final JedisDataException sameDb = assertThrows(JedisDataException.class, () -> jedis.move("src", 0));
            assertEquals("ERR source and destination objects are the same", sameDb.getMessage());
            final JedisDataException range = assertThrows(JedisDataException.class, () -> jedis.move("src", 16));
            assertEquals("ERR DB index is out of range", range.getMessage());
            jedis.select(4);
            assertEquals("value", jedis.get("dst"));
            assertTrue(jedis.ttl("dst") > 4990, "MOVE keeps the TTL");
            jedis.select(3);
            assertEquals("value", jedis.get("src"));
            jedis.flushAll();
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void shouldScanWithMatchCountAndType(final Target target, final RedisProtocol protocol)
    {
        try (Jedis jedis = jedis(target, protocol))
        {
            final Pipeline pipeline = jedis.pipelined();
            for (int i = 0; i < 2000; i++)
            {
                pipeline.set("user:" + i, "u");
                pipeline.set("item:" + i, "i");
            }
            pipeline.sync();
            assertEquals(Set.of(), scanAll(jedis, new ScanParams().match("user:*").count(50), "hash"));
            assertEquals(2000, scanAll(jedis, new ScanParams().match("user:*").count(50), "string").size());
            assertEquals(2000, scanAll(jedis, new ScanParams().match("item:*"), null).size());
            assertEquals(4000, scanAll(jedis, new ScanParams().count(1000), "STRING").size());
            final Set<String> endsIn7 = new HashSet<>();
            for (int tens = 1; tens <= 9; tens++)
            {
                endsIn7.add("user:" + tens + "7");
            }
            assertEquals(endsIn7, scanAll(jedis, new ScanParams().match("user:?7").count(10_000), null));
            final Set<String> oneOf = scanAll(jedis, new ScanParams().match("user:1[0-9]").count(100), null);
            assertEquals(10, oneOf.size());
            final JedisDataException bad = assertThrows(JedisDataException.class,
                () -> jedis.scan("notacursor", new ScanParams()));
            assertEquals("ERR invalid cursor", bad.getMessage());
        }
    }

    private static String stripVerbatim(final String text)
    {
        return text.startsWith("txt:") ? text.substring(4) : text;
    }

    private static Set<String> scanAll(final Jedis jedis, final ScanParams params, final String type)
    {
        final Set<String> keys = new HashSet<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        int pages = 0;
        do
        {
            final ScanResult<String> page = type == null ? jedis.scan(cursor, params) : jedis.scan(cursor, params, type);
            keys.addAll(page.getResult());
            cursor = page.getCursor();
            assertTrue(++pages < 100_000, "SCAN does not end");
        }
        while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return keys;
    }

    @ParameterizedTest
    @MethodSource("targets")
    void shouldReportObjectAndMemory(final Target target, final RedisProtocol protocol)
    {
        try (Jedis jedis = jedis(target, protocol))
        {
            jedis.set("int", "12345");
            jedis.set("short", "hello");
            jedis.set("long", "x".repeat(100));
            jedis.append("appended", "abc");
            assertEquals("int", jedis.objectEncoding("int"));
            assertEquals("embstr", jedis.objectEncoding("short"));
            assertEquals("raw", jedis.objectEncoding("long"));
            // APPEND to a missing key stores its argument as it came (embstr); a real append makes it raw
            assertEquals("embstr", jedis.objectEncoding("appended"));
            jedis.append("appended", "def");
            assertEquals("raw", jedis.objectEncoding("appended"));
            assertNull(jedis.objectEncoding("missing"));
            assertTrue(jedis.objectIdletime("short") >= 0 && jedis.objectIdletime("short") < 100);
            assertNull(jedis.objectIdletime("missing"));
            assertTrue(jedis.objectRefcount("short") >= 1);
            final JedisDataException lfu = assertThrows(JedisDataException.class, () -> jedis.objectFreq("short"));
            assertTrue(lfu.getMessage().startsWith("ERR An LFU maxmemory policy is not selected"), lfu.getMessage());
            assertEquals("OK", jedis.configSet("maxmemory-policy", "allkeys-lfu"));
            try
            {
                assertTrue(jedis.objectFreq("short") >= 0);
                final JedisDataException lru = assertThrows(JedisDataException.class, () -> jedis.objectIdletime("short"));
                assertTrue(lru.getMessage().startsWith("ERR An LFU maxmemory policy is selected, idle time not tracked"), lru.getMessage());
            }
            finally
            {
                jedis.configSet("maxmemory-policy", "noeviction");
            }
            final long small = jedis.memoryUsage("short");
            final long big = jedis.memoryUsage("long");
            assertTrue(small > 5 && big > 100 && big > small, small + " " + big);
            assertNull(jedis.memoryUsage("missing"));
            assertTrue(jedis.memoryUsage("long", 5) > 100);
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void shouldServeClientCommands(final Target target, final RedisProtocol protocol)
    {
        try (Jedis jedis = jedis(target, protocol); Jedis other = jedis(target, protocol))
        {
            assertNull(jedis.clientGetname());
            assertEquals("OK", jedis.clientSetname("first"));
            assertEquals("first", jedis.clientGetname());
            final JedisDataException spaces = assertThrows(JedisDataException.class, () -> jedis.clientSetname("two words"));
            assertEquals("ERR Client names cannot contain spaces, newlines or special characters.", spaces.getMessage());
            assertEquals("OK", jedis.clientSetname(""));
            assertNull(jedis.clientGetname());
            jedis.clientSetname("first");
            final long id = jedis.clientId();
            final long otherId = other.clientId();
            assertNotEquals(id, otherId);
            // Jedis 5.2 hands a RESP3 verbatim string over with its "txt:" format prefix
            final String info = stripVerbatim(jedis.clientInfo());
            assertTrue(info.startsWith("id=" + id + " addr=127.0.0.1:"), info);
            assertTrue(info.contains(" name=first ") && info.contains(" cmd=client|info "), info);
            assertTrue(info.endsWith("\n"), info);
            final String list = stripVerbatim(other.clientList());
            assertTrue(list.lines().anyMatch(line -> line.startsWith("id=" + id + " ") && line.contains(" name=first ")), list);
            assertTrue(list.lines().anyMatch(line -> line.startsWith("id=" + otherId + " ") && line.contains(" cmd=client|list ")), list);
            assertEquals(1, stripVerbatim(other.clientList(id)).lines().count());
            assertEquals("OK", jedis.clientNoEvictOn());
            assertEquals("OK", jedis.clientNoEvictOff());

            final String addr = info.substring(info.indexOf(" addr=") + 6, info.indexOf(' ', info.indexOf(" addr=") + 1));
            assertEquals(1, other.clientKill(ClientKillParams.clientKillParams().addr(addr)));
            assertThrows(JedisConnectionException.class, jedis::ping, "killed connection is closed");
            assertEquals(0, other.clientKill(ClientKillParams.clientKillParams().id(String.valueOf(id))));
            final JedisDataException noSuch = assertThrows(JedisDataException.class, () -> other.clientKill("127.0.0.1:1"));
            assertEquals("ERR No such client", noSuch.getMessage());
            assertEquals(0, other.clientKill(ClientKillParams.clientKillParams().id(String.valueOf(otherId))),
                "SKIPME yes by default");
            assertEquals("PONG", other.ping());
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void shouldAnswerPipelinesOfAHundredThousand(final Target target, final RedisProtocol protocol)
    {
        final long seed = System.nanoTime();
        System.out.println("shouldAnswerPipelinesOfAHundredThousand " + target + " " + protocol + " seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        try (Jedis jedis = jedis(target, protocol))
        {
            final int count = 100_000;
            final Pipeline pipeline = jedis.pipelined();
            final List<Response<String>> sets = new ArrayList<>(count);
            final long[] expected = new long[100];
            for (int i = 0; i < count; i++)
            {
                sets.add(pipeline.set("pipe:" + i, String.valueOf(i)));
                final int counter = random.nextInt(100);
                expected[counter]++;
                pipeline.incr("counter:" + counter);
            }
            pipeline.sync();
            for (final Response<String> set : sets)
            {
                assertEquals("OK", set.get());
            }
            final Pipeline reads = jedis.pipelined();
            final List<Response<String>> gets = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                gets.add(reads.get("pipe:" + i));
            }
            final Response<Long> size = reads.dbSize();
            reads.sync();
            for (int i = 0; i < count; i++)
            {
                assertEquals(String.valueOf(i), gets.get(i).get());
            }
            long total = 0;
            for (int i = 0; i < 100; i++)
            {
                total += expected[i] > 0 ? 1 : 0;
                assertEquals(expected[i] == 0 ? null : String.valueOf(expected[i]), jedis.get("counter:" + i));
            }
            assertEquals(count + total, size.get());
            jedis.flushAll();
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void shouldRunTransactionsAndFailAWatchedOneWhenAnotherClientWrites(final Target target, final RedisProtocol protocol)
    {
        try (Jedis jedis = jedis(target, protocol); Jedis other = jedis(target, protocol))
        {
            jedis.del("jtx:a", "jtx:n");
            final Transaction tx = jedis.multi();
            final Response<String> set = tx.set("jtx:a", "1");
            final Response<Long> incr = tx.incr("jtx:n");
            final Response<String> get = tx.get("jtx:a");
            final List<Object> results = tx.exec();
            assertEquals(3, results.size());
            assertEquals("OK", set.get());
            assertEquals(1L, incr.get());
            assertEquals("1", get.get());

            jedis.watch("jtx:a");
            other.set("jtx:a", "changed");
            final Transaction failed = jedis.multi();
            failed.set("jtx:a", "mine");
            assertEquals(null, failed.exec(), "a watched key changed: EXEC answers the null array");
            assertEquals("changed", jedis.get("jtx:a"));

            jedis.watch("jtx:a");
            final Transaction discarded = jedis.multi();
            discarded.set("jtx:a", "never");
            assertEquals("OK", discarded.discard());
            assertEquals("changed", jedis.get("jtx:a"));
            jedis.del("jtx:a", "jtx:n");
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void shouldWakeABlpopWithAPushFromAnotherClient(final Target target, final RedisProtocol protocol) throws Exception
    {
        try (Jedis waiter = jedis(target, protocol);
            Jedis pusher = new Jedis(new HostAndPort("127.0.0.1", port(target, false)), config(protocol).build()))
        {
            final java.util.concurrent.CompletableFuture<List<String>> popped =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> waiter.blpop(0, "jedis:queue"));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!pusher.info("clients").contains("blocked_clients:1"))
            {
                assertTrue(System.nanoTime() < deadline, "the BLPOP never blocked");
                Thread.sleep(2);
            }
            assertEquals(1, pusher.lpush("jedis:queue", "hello"));
            assertEquals(List.of("jedis:queue", "hello"), popped.get(10, TimeUnit.SECONDS));
            assertNull(waiter.blpop(0.05, "jedis:queue"), "a timeout is a null reply");
            assertEquals(0, pusher.exists("jedis:queue") ? 1 : 0);
        }
    }
}
