package io.keelkv.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Unmodified clients against a real server: Jedis (Java) and redis-cli (Debian's redis-tools). */
class ClientCompatibilityTest
{
    private static KeelServer server;

    @BeforeAll
    static void start() throws Exception
    {
        server = TestServers.start();
    }

    @AfterAll
    static void stop()
    {
        server.close();
    }

    @Test
    void shouldServeJedisStringsKeysAndPipelines()
    {
        try (Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("PONG", jedis.ping());
            jedis.flushAll();
            assertEquals("OK", jedis.set("greeting", "hello"));
            assertEquals("hello", jedis.get("greeting"));
            assertEquals("OK", jedis.set("ttl", "x", SetParams.setParams().ex(100)));
            assertTrue(jedis.ttl("ttl") > 90);
            assertEquals(5, jedis.incrBy("n", 5));
            assertEquals(6.5, jedis.incrByFloat("n", 1.5), 1e-9);
            assertEquals(List.of("hello", "6.5"), jedis.mget("greeting", "n"));
            final byte[] binary = {0, '\r', '\n', (byte)0xFF, 'z'};
            jedis.set("bin".getBytes(StandardCharsets.US_ASCII), binary);
            assertArrayEquals(binary, jedis.get("bin".getBytes(StandardCharsets.US_ASCII)));
            final String big = "v".repeat(3 * 1024 * 1024);
            jedis.set("big", big);
            assertEquals(big, jedis.get("big"));
            assertEquals(5, jedis.append("greeting2", "world"));
            assertEquals(1, jedis.del("greeting2"));

            final Pipeline pipeline = jedis.pipelined();
            final List<Response<String>> replies = new ArrayList<>();
            for (int i = 0; i < 10_000; i++)
            {
                pipeline.set("p:" + i, String.valueOf(i));
                replies.add(pipeline.get("p:" + i));
            }
            pipeline.sync();
            for (int i = 0; i < 10_000; i++)
            {
                assertEquals(String.valueOf(i), replies.get(i).get());
            }

            final Set<String> scanned = new HashSet<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            do
            {
                final ScanResult<String> page = jedis.scan(cursor, new ScanParams().match("p:*").count(500));
                scanned.addAll(page.getResult());
                cursor = page.getCursor();
            }
            while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertEquals(10_000, scanned.size());
            assertEquals(10_000 + 5, jedis.dbSize());
            assertTrue(jedis.info("keyspace").contains("db0:keys=10005"));
        }
    }

    @Test
    void shouldServeJedisHashes()
    {
        try (Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            jedis.flushAll();
            assertEquals(2, jedis.hset("user:1", java.util.Map.of("name", "alice", "age", "30")));
            assertEquals("alice", jedis.hget("user:1", "name"));
            assertEquals(java.util.Map.of("name", "alice", "age", "30"), jedis.hgetAll("user:1"));
            assertEquals(31, jedis.hincrBy("user:1", "age", 1));
            assertEquals(1.5, jedis.hincrByFloat("user:1", "score", 1.5), 1e-9);
            assertEquals(java.util.Arrays.asList("alice", null), jedis.hmget("user:1", "name", "missing"));
            assertEquals(1, jedis.hdel("user:1", "score"));
            assertEquals("listpack", jedis.objectEncoding("user:1"));
            final java.util.Map<String, String> many = new java.util.HashMap<>();
            for (int i = 0; i < 3_000; i++)
            {
                many.put("field:" + i, "value:" + i);
            }
            assertEquals(3_000, jedis.hset("big", many));
            assertEquals("hashtable", jedis.objectEncoding("big"));
            final Set<String> scanned = new HashSet<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            do
            {
                final ScanResult<java.util.Map.Entry<String, String>> page = jedis.hscan("big", cursor,
                    new ScanParams().count(200));
                page.getResult().forEach(e -> scanned.add(e.getKey()));
                cursor = page.getCursor();
            }
            while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertEquals(many.keySet(), scanned);
            assertEquals(many, jedis.hgetAll("big"));
            assertEquals(3_000, jedis.hlen("big"));
        }
    }

    @Test
    void shouldServeJedisSortedSets()
    {
        try (Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            jedis.flushAll();
            assertEquals(1, jedis.zadd("board", 10, "alice"));
            assertEquals(2, jedis.zadd("board", java.util.Map.of("bob", 7.5, "carol", 12.0)));
            assertEquals(List.of("bob", "alice", "carol"), jedis.zrange("board", 0, -1));
            assertEquals(List.of("alice", "carol"), jedis.zrangeByScore("board", "(7.5", "+inf"));
            assertEquals(List.of("carol", "alice"), jedis.zrevrangeByScore("board", 20, 8));
            assertEquals(List.of("alice"), jedis.zrangeByScore("board", 0, 100, 1, 1));
            final List<redis.clients.jedis.resps.Tuple> withScores = jedis.zrangeWithScores("board", 0, 0);
            assertEquals("bob", withScores.get(0).getElement());
            assertEquals(7.5, withScores.get(0).getScore(), 0);
            assertEquals(10.5, jedis.zincrby("board", 0.5, "alice"), 0);
            assertEquals(10.5, jedis.zscore("board", "alice"), 0);
            assertNull(jedis.zscore("board", "nobody"));
            assertEquals(1L, jedis.zrank("board", "alice"));
            assertEquals(3, jedis.zcard("board"));
            assertEquals("listpack", jedis.objectEncoding("board"));
            final java.util.Map<String, Double> many = new java.util.HashMap<>();
            for (int i = 0; i < 1_000; i++)
            {
                many.put("player:" + i, (double)i);
            }
            assertEquals(1_000, jedis.zadd("big", many));
            assertEquals("skiplist", jedis.objectEncoding("big"));
            assertEquals(List.of("player:500", "player:501"), jedis.zrangeByScore("big", 500, 501));
            assertEquals(100, jedis.zcount("big", "(899", "+inf"));
            assertEquals("player:0", jedis.zpopmin("big").getElement());
            assertEquals(1, jedis.zrem("big", "player:1"));
            assertEquals(998, jedis.zcard("big"));
        }
    }

    @Test
    void shouldServeRedisCli() throws Exception
    {
        final boolean available = new File("/usr/bin/redis-cli").canExecute();
        if (!available)
        {
            if ("1".equals(System.getenv("KEEL_REQUIRE_ORACLE")))
            {
                fail("redis-cli is required (apt-get install -y redis-tools)");
            }
            Assumptions.abort("redis-cli not installed");
        }
        assertEquals("OK", cli("set", "cli:key", "hello world"));
        assertEquals("hello world", cli("get", "cli:key"));
        assertEquals("(integer) 1", cli("--no-raw", "exists", "cli:key"));
        // redis-cli fetches COMMAND DOCS at start for its hints; a bad reply shape would print an error here
        assertEquals("string", cli("type", "cli:key"));
        // inline commands through stdin, as `redis-cli` with a pipe or telnet users send them
        final Process inline = new ProcessBuilder("redis-cli", "-p", String.valueOf(server.port())).start();
        inline.getOutputStream().write("PING\nECHO \"two words\"\n".getBytes(StandardCharsets.US_ASCII));
        inline.getOutputStream().close();
        assertTrue(inline.waitFor(10, TimeUnit.SECONDS));
        assertEquals("PONG\ntwo words\n", new String(inline.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static String cli(final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(server.port())));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(process.waitFor(10, TimeUnit.SECONDS));
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }
}
