package io.keelkv.server;

import io.keelkv.server.ComparedServers.Target;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.CopyArgs;
import io.lettuce.core.ExpireArgs;
import io.lettuce.core.GetExArgs;
import io.lettuce.core.KeyScanArgs;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Lettuce, unmodified, against KeelKV and against Debian's redis-server with the very same assertions:
 * what passes on redis-server is what Lettuce users rely on, so a failure on KeelKV alone is a KeelKV
 * difference. Every scenario runs in RESP2 and in RESP3 (Lettuce's default, HELLO 3 at connect).
 *
 * <p>Without redis-server the REDIS rows are skipped (failed under KEEL_REQUIRE_ORACLE=1) and the KEELKV
 * rows still run. Random data is seeded; the seed is printed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LettuceCompatibilityTest
{
    private static final String PASSWORD = "s3cret pass";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static ComparedServers servers;
    private static ClientResources resources;

    @BeforeAll
    static void start() throws Exception
    {
        servers = ComparedServers.start(PASSWORD);
        // one small event-loop group for every client of the class: 2 cores are shared with other builds
        resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
    }

    @AfterAll
    static void stop() throws Exception
    {
        if (resources != null)
        {
            resources.shutdown(0, 5, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
        }
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
            for (final ProtocolVersion protocol : new ProtocolVersion[] {ProtocolVersion.RESP2, ProtocolVersion.RESP3})
            {
                rows.add(Arguments.of(target, protocol));
            }
        }
        return rows.stream();
    }

    private static int port(final Target target, final boolean auth)
    {
        return servers.port(target, auth);
    }

    private static RedisURI.Builder uri(final Target target, final boolean auth)
    {
        return RedisURI.builder().withHost("127.0.0.1").withPort(port(target, auth)).withTimeout(TIMEOUT);
    }

    private static RedisClient client(final RedisURI uri, final ProtocolVersion protocol)
    {
        final RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder().protocolVersion(protocol).autoReconnect(false).build());
        return client;
    }

    /** A client and its connection, closed together. */
    private static final class Session implements AutoCloseable
    {
        final RedisClient client;
        final StatefulRedisConnection<String, String> connection;

        Session(final RedisURI uri, final ProtocolVersion protocol)
        {
            client = client(uri, protocol);
            connection = client.connect();
        }

        RedisCommands<String, String> sync()
        {
            return connection.sync();
        }

        @Override
        public void close()
        {
            connection.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        }
    }

    private static Session session(final Target target, final ProtocolVersion protocol)
    {
        final Session session = new Session(uri(target, false).build(), protocol);
        session.sync().flushall();
        return session;
    }

    @ParameterizedTest
    @MethodSource("targets")
    void shouldServeSyncStringAndKeyCommands(final Target target, final ProtocolVersion protocol)
    {
        try (Session session = session(target, protocol))
        {
            final RedisCommands<String, String> sync = session.sync();
            assertEquals("PONG", sync.ping());
            assertEquals("hi there", sync.echo("hi there"));
            assertEquals("OK", sync.set("greeting", "hello"));
            assertEquals("hello", sync.get("greeting"));
            assertNull(sync.get("missing"));
            assertEquals("hello", sync.setGet("greeting", "world"));
            assertEquals(Boolean.FALSE, sync.setnx("greeting", "again"));
            assertEquals(10L, sync.append("greeting", "!!!!!"));
            assertEquals(10L, sync.strlen("greeting"));
            assertEquals("orl", sync.getrange("greeting", 1, 3));
            assertEquals(10L, sync.setrange("greeting", 0, "W"));
            assertEquals("World!!!!!", sync.get("greeting"));
            assertEquals(1L, sync.incr("counter"));
            assertEquals(11L, sync.incrby("counter", 10));
            assertEquals(10L, sync.decr("counter"));
            assertEquals(0L, sync.decrby("counter", 10));
            assertEquals(2.5, sync.incrbyfloat("counter", 2.5), 0.0);
            assertEquals("OK", sync.mset(Map.of("m1", "a", "m2", "b")));
            assertEquals(Boolean.FALSE, sync.msetnx(Map.of("m2", "x", "m3", "y")));
            final List<io.lettuce.core.KeyValue<String, String>> values = sync.mget("m1", "m2", "m3");
            assertEquals("a", values.get(0).getValue());
            assertEquals("b", values.get(1).getValue());
            assertFalse(values.get(2).hasValue());
            assertEquals(2L, sync.exists("m1", "m2", "m3"));
            assertEquals("string", sync.type("m1"));
            assertEquals("none", sync.type("m3"));
            assertEquals("OK", sync.rename("m1", "m1b"));
            assertEquals(Boolean.FALSE, sync.renamenx("m1b", "m2"));
            assertEquals(Boolean.TRUE, sync.copy("m1b", "m4"));
            assertEquals(Boolean.FALSE, sync.copy("m1b", "m4"));
            assertEquals(Boolean.TRUE, sync.copy("m2", "m4", CopyArgs.Builder.replace(true)));
            assertEquals("b", sync.get("m4"));
            assertEquals(Boolean.TRUE, sync.move("m4", 1));
            assertEquals(0L, sync.exists("m4"));
            assertEquals(2L, sync.touch("m1b", "m2", "m3"));
            assertEquals(Set.of("m1b", "m2"), new HashSet<>(sync.keys("m*")));
            assertNotNull(sync.randomkey());
            assertEquals(4L, sync.dbsize());
            assertEquals("embstr", sync.objectEncoding("m1b"));
            sync.set("counter", "12");
            assertEquals("int", sync.objectEncoding("counter"));
            sync.set("long", "x".repeat(45));
            assertEquals("raw", sync.objectEncoding("long"));
            assertTrue(sync.memoryUsage("long") > 45);
            assertEquals(2L, sync.del("m1b", "m2", "m3"));
            assertEquals(1L, sync.unlink("long"));
            assertEquals("OK", sync.flushdb());
            assertEquals(0L, sync.dbsize());
            final List<String> time = sync.time();
            assertEquals(2, time.size());
            assertTrue(Math.abs(Long.parseLong(time.get(0)) - Instant.now().getEpochSecond()) < 60, time.toString());
            assertTrue(Long.parseLong(time.get(1)) < 1_000_000, time.toString());
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void shouldRunTransactionsAndFailAWatchedOne(final Target target, final ProtocolVersion protocol)
    {
        try (Session session = session(target, protocol); Session other = session(target, protocol))
        {
            final RedisCommands<String, String> sync = session.sync();
            sync.del("ltx:a", "ltx:n");
            assertEquals("OK", sync.multi());
            assertNull(sync.set("ltx:a", "1"), "queued: the reply comes with EXEC");
            assertNull(sync.incr("ltx:n"));
            final io.lettuce.core.TransactionResult result = sync.exec();
            assertFalse(result.wasDiscarded());
            assertEquals(List.of("OK", 1L), result.stream().collect(java.util.stream.Collectors.toList()));

            assertEquals("OK", sync.watch("ltx:a"));
            other.sync().set("ltx:a", "changed");
            sync.multi();
            sync.set("ltx:a", "mine");
            assertTrue(sync.exec().wasDiscarded(), "a watched key changed: EXEC answers the null array");
            assertEquals("changed", sync.get("ltx:a"));

            sync.multi();
            sync.incr("ltx:n");
            assertEquals("OK", sync.discard());
            assertEquals("1", sync.get("ltx:n"));
            sync.del("ltx:a", "ltx:n");
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void shouldServeHashes(final Target target, final ProtocolVersion protocol)
    {
        try (Session session = session(target, protocol))
        {
            final RedisCommands<String, String> sync = session.sync();
            assertEquals(2L, sync.hset("user:1", Map.of("name", "alice", "age", "30")));
            assertEquals("alice", sync.hget("user:1", "name"));
            assertEquals(Map.of("name", "alice", "age", "30"), sync.hgetall("user:1"));
            assertEquals(31L, sync.hincrby("user:1", "age", 1));
            assertEquals(Boolean.FALSE, sync.hsetnx("user:1", "name", "bob"));
            assertEquals(2L, sync.hlen("user:1"));
            final java.util.Map<String, String> many = new java.util.HashMap<>();
            for (int i = 0; i < 1_000; i++)
            {
                many.put("f" + i, "v".repeat(i % 100));
            }
            sync.hset("big", many);
            assertEquals("hashtable", sync.objectEncoding("big"));
            assertEquals(many, sync.hgetall("big"));
            assertEquals(1L, sync.hdel("big", "f1"));
            assertEquals(999L, sync.hlen("big"));
            assertEquals(2L, sync.del("user:1", "big"));
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void shouldServeAsyncAndManuallyFlushedPipelines(final Target target, final ProtocolVersion protocol) throws Exception
    {
        try (Session session = session(target, protocol))
        {
            final RedisAsyncCommands<String, String> async = session.connection.async();
            assertEquals("OK", async.set("a", "1").get(10, TimeUnit.SECONDS));
            assertEquals(2L, async.incr("a").get(10, TimeUnit.SECONDS));

            // autoflush off: everything below is written in one go when flushCommands() runs, a pipeline of
            // 20k commands with errors in between that must fail only their own futures
            final int count = 20_000;
            session.connection.setAutoFlushCommands(false);
            try
            {
                final List<RedisFuture<String>> sets = new ArrayList<>(count);
                final List<RedisFuture<String>> gets = new ArrayList<>(count);
                final List<RedisFuture<Long>> errors = new ArrayList<>();
                for (int i = 0; i < count; i++)
                {
                    sets.add(async.set("p:" + i, "v" + i));
                    gets.add(async.get("p:" + i));
                    if (i % 1000 == 0)
                    {
                        errors.add(async.incr("p:" + i));
                    }
                }
                final RedisFuture<Long> size = async.dbsize();
                session.connection.flushCommands();
                assertTrue(LettuceFutures.awaitAll(Duration.ofSeconds(60), sets.toArray(new RedisFuture[0])));
                assertTrue(LettuceFutures.awaitAll(Duration.ofSeconds(60), gets.toArray(new RedisFuture[0])));
                for (int i = 0; i < count; i++)
                {
                    assertEquals("OK", sets.get(i).get());
                    assertEquals("v" + i, gets.get(i).get());
                }
                for (final RedisFuture<Long> error : errors)
                {
                    final ExecutionException ex = assertThrows(ExecutionException.class, () -> error.get(10, TimeUnit.SECONDS));
                    assertEquals("ERR value is not an integer or out of range", ex.getCause().getMessage());
                }
                assertEquals(count + 1L, size.get(10, TimeUnit.SECONDS));
            }
            finally
            {
                session.connection.setAutoFlushCommands(true);
            }
            assertEquals("v7", async.get("p:7").get(10, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void shouldAuthenticateWithRequirepass(final Target target, final ProtocolVersion protocol)
    {
        final RedisURI good = uri(target, true).withPassword(PASSWORD.toCharArray()).withClientName("authed").build();
        try (Session session = new Session(good, protocol))
        {
            assertEquals("OK", session.sync().set("secret", "value"));
            assertEquals("value", session.sync().get("secret"));
            assertEquals("authed", session.sync().clientGetname());
            assertEquals("OK", session.sync().auth(PASSWORD));
            assertEquals("OK", session.sync().auth("default", PASSWORD));
            assertError("WRONGPASS invalid username-password pair or user is disabled.", () -> session.sync().auth("nope"));
            // a failed AUTH leaves the connection authenticated
            assertEquals("value", session.sync().get("secret"));
            assertEquals(1L, session.sync().del("secret"));
        }

        final RedisURI wrong = uri(target, true).withPassword("wrong".toCharArray()).build();
        final RedisClient wrongClient = client(wrong, protocol);
        try
        {
            // Lettuce 7.7 closes the channel on a failed handshake and, now and then, reports that close
            // ("RedisHandshakeHandler not registered", seen once on JDK 25) instead of the server's error.
            // The connect must always fail; the server's WRONGPASS must come through in one of three tries.
            final List<String> messages = new ArrayList<>();
            for (int attempt = 0; attempt < 3; attempt++)
            {
                final RedisConnectionException ex = assertThrows(RedisConnectionException.class, wrongClient::connect);
                messages.add(rootMessage(ex));
                if (rootMessage(ex).startsWith("WRONGPASS invalid username-password pair"))
                {
                    break;
                }
            }
            assertTrue(messages.get(messages.size() - 1).startsWith("WRONGPASS invalid username-password pair"),
                messages.toString());
        }
        finally
        {
            wrongClient.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        }

        // without a password the connection is refused at connect: RESP3 by Lettuce's HELLO, RESP2 by the PING
        // Lettuce sends before it hands out a connection
        final RedisClient anonymous = client(uri(target, true).build(), protocol);
        try
        {
            final String expected = protocol == ProtocolVersion.RESP3 ?
                "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH " +
                "<user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time" : "NOAUTH Authentication required.";
            // the same Lettuce race as above ("RedisHandshakeHandler not registered", seen once in CI on JDK 17):
            // the connect must always fail, and the server's NOAUTH come through in one of three tries
            String message = null;
            for (int attempt = 0; attempt < 3 && !expected.equals(message); attempt++)
            {
                message = rootMessage(assertThrows(RedisConnectionException.class, anonymous::connect));
            }
            assertEquals(expected, message);
        }
        finally
        {
            anonymous.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void shouldSelectDatabaseAndNameClientFromUri(final Target target, final ProtocolVersion protocol)
    {
        try (Session db0 = session(target, protocol);
            Session db3 = new Session(uri(target, false).withDatabase(3).withClientName("lettuce-db3").build(), protocol))
        {
            assertEquals("OK", db3.sync().set("where", "three"));
            assertNull(db0.sync().get("where"));
            assertEquals("three", db3.sync().get("where"));
            assertEquals("lettuce-db3", db3.sync().clientGetname());
            assertNull(db0.sync().clientGetname());
            final String info = db3.sync().clientInfo();
            assertTrue(info.contains(" name=lettuce-db3 "), info);
            assertTrue(info.contains(" db=3 "), info);
            final long id = db3.sync().clientId();
            final String list = db0.sync().clientList();
            final String line = list.lines().filter(l -> l.startsWith("id=" + id + " ")).findFirst().orElseThrow();
            assertTrue(line.contains(" name=lettuce-db3 ") && line.contains(" db=3 "), line);
            assertEquals("OK", db3.sync().clientSetname("renamed"));
            assertEquals("renamed", db3.sync().clientGetname());
            assertEquals("OK", db0.sync().select(3));
            assertEquals("three", db0.sync().get("where"));
            assertEquals("OK", db0.sync().swapdb(3, 4));
            assertNull(db3.sync().get("where"));
            db0.sync().select(4);
            assertEquals("three", db0.sync().get("where"));
            db0.sync().flushall();
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void shouldIterateWithScan(final Target target, final ProtocolVersion protocol)
    {
        try (Session session = session(target, protocol))
        {
            final RedisCommands<String, String> sync = session.sync();
            final Set<String> wanted = new HashSet<>();
            final Map<String, String> batch = new HashMap<>();
            for (int i = 0; i < 1500; i++)
            {
                wanted.add("scan:" + i);
                batch.put("scan:" + i, "v");
                batch.put("other:" + i, "v");
            }
            sync.mset(batch);

            final Set<String> seen = new HashSet<>();
            final ScanIterator<String> iterator = ScanIterator.scan(sync, ScanArgs.Builder.matches("scan:*").limit(100));
            while (iterator.hasNext())
            {
                seen.add(iterator.next());
            }
            assertEquals(wanted, seen);

            final Set<String> strings = new HashSet<>();
            ScanIterator.scan(sync, KeyScanArgs.Builder.type("string").limit(500)).forEachRemaining(strings::add);
            assertEquals(3000, strings.size());
            assertFalse(ScanIterator.scan(sync, KeyScanArgs.Builder.type("hash")).hasNext());

            // the cursor API by hand: every page is a list, the last cursor is finished
            io.lettuce.core.KeyScanCursor<String> cursor = sync.scan(ScanArgs.Builder.limit(1000));
            int total = cursor.getKeys().size();
            while (!cursor.isFinished())
            {
                cursor = sync.scan(cursor, ScanArgs.Builder.limit(1000));
                total += cursor.getKeys().size();
            }
            assertTrue(total >= 3000, "scan returns every key at least once: " + total);
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void shouldServeTheExpiryFamily(final Target target, final ProtocolVersion protocol)
    {
        try (Session session = session(target, protocol))
        {
            final RedisCommands<String, String> sync = session.sync();
            sync.set("e", "v");
            assertEquals(-1L, sync.ttl("e"));
            assertEquals(-2L, sync.ttl("missing"));
            assertEquals(-1L, sync.expiretime("e"));
            assertEquals(Boolean.TRUE, sync.expire("e", 1000));
            assertTrue(sync.ttl("e") > 990);
            assertEquals(Boolean.FALSE, sync.expire("e", 2000, ExpireArgs.Builder.nx()));
            assertEquals(Boolean.TRUE, sync.expire("e", 2000, ExpireArgs.Builder.gt()));
            assertEquals(Boolean.FALSE, sync.expire("e", 1500, ExpireArgs.Builder.gt()));
            assertEquals(Boolean.TRUE, sync.expire("e", 1500, ExpireArgs.Builder.lt()));
            assertEquals(Boolean.TRUE, sync.expire("e", Duration.ofSeconds(1200), ExpireArgs.Builder.xx()));
            assertEquals(Boolean.TRUE, sync.pexpire("e", 3_000_000));
            assertTrue(sync.pttl("e") > 2_990_000);
            final long at = Instant.now().getEpochSecond() + 5000;
            assertEquals(Boolean.TRUE, sync.expireat("e", at));
            assertEquals(at, sync.expiretime("e"));
            assertEquals(at * 1000, sync.pexpiretime("e"));
            assertEquals(Boolean.TRUE, sync.pexpireat("e", at * 1000 + 123));
            assertEquals(at * 1000 + 123, sync.pexpiretime("e"));
            assertEquals(Boolean.TRUE, sync.persist("e"));
            assertEquals(Boolean.FALSE, sync.persist("e"));
            assertEquals(-1L, sync.pttl("e"));

            assertEquals("OK", sync.set("s", "1", SetArgs.Builder.ex(100)));
            assertTrue(sync.ttl("s") > 90);
            assertEquals("OK", sync.set("s", "2", SetArgs.Builder.keepttl()));
            assertTrue(sync.ttl("s") > 90);
            assertEquals("OK", sync.set("s", "3", SetArgs.Builder.px(200_000)));
            assertTrue(sync.pttl("s") > 190_000);
            assertEquals("OK", sync.set("s", "4", SetArgs.Builder.exAt(at)));
            assertEquals(at, sync.expiretime("s"));
            assertEquals("OK", sync.set("s", "5", SetArgs.Builder.pxAt(at * 1000 + 7)));
            assertEquals(at * 1000 + 7, sync.pexpiretime("s"));
            assertNull(sync.set("s", "6", SetArgs.Builder.nx()));
            assertEquals("OK", sync.set("s", "6", SetArgs.Builder.xx()));
            assertNull(sync.set("nope", "6", SetArgs.Builder.xx()));
            assertEquals("6", sync.setGet("s", "7", SetArgs.Builder.ex(50)));
            assertTrue(sync.ttl("s") <= 50);
            assertEquals("OK", sync.setex("sx", 300, "v"));
            assertEquals("OK", sync.psetex("px", 300_000, "v"));
            assertTrue(sync.ttl("sx") > 290 && sync.pttl("px") > 290_000);

            assertEquals("7", sync.getex("s", GetExArgs.Builder.persist()));
            assertEquals(-1L, sync.ttl("s"));
            assertEquals("7", sync.getex("s", GetExArgs.Builder.ex(Duration.ofSeconds(77))));
            assertTrue(sync.ttl("s") > 70);
            assertEquals("7", sync.getex("s", GetExArgs.Builder.exAt(at)));
            assertEquals(at, sync.expiretime("s"));
            assertEquals("7", sync.getex("s", GetExArgs.Builder.px(99_000)));
            assertTrue(sync.pttl("s") > 90_000);
            assertEquals("7", sync.getdel("s"));
            assertNull(sync.getdel("s"));
            assertNull(sync.getex("s", GetExArgs.Builder.persist()));

            // a key past its time is gone for every command
            sync.set("short", "v", SetArgs.Builder.pxAt(System.currentTimeMillis() - 1));
            assertNull(sync.get("short"));
            sync.set("gone", "v");
            assertEquals(Boolean.TRUE, sync.pexpireat("gone", 1));
            assertEquals(0L, sync.exists("gone"));
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void shouldRoundTripBinaryAndBigValues(final Target target, final ProtocolVersion protocol)
    {
        final long seed = System.nanoTime();
        System.out.println("shouldRoundTripBinaryAndBigValues " + target + " " + protocol + " seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        final RedisClient client = client(uri(target, false).build(), protocol);
        try (StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE))
        {
            final RedisCommands<byte[], byte[]> sync = connection.sync();
            sync.flushall();
            final byte[] every = new byte[256];
            for (int i = 0; i < 256; i++)
            {
                every[i] = (byte)i;
            }
            final byte[] key = {'k', 0, '\r', '\n', (byte)0xFF, ' ', '*', '$'};
            assertEquals("OK", sync.set(key, every));
            assertArrayEquals(every, sync.get(key));
            assertEquals(256L, sync.strlen(key));
            assertArrayEquals(java.util.Arrays.copyOfRange(every, 10, 15), sync.getrange(key, 10, 14));
            assertEquals(1L, sync.exists(key));
            final List<byte[]> keys = sync.keys("k*");
            assertEquals(1, keys.size());
            assertArrayEquals(key, keys.get(0));
            assertArrayEquals(every, sync.echo(every));

            final byte[] big = new byte[8 * 1024 * 1024 + 3];
            random.nextBytes(big);
            assertEquals("OK", sync.set(b("big"), big));
            assertArrayEquals(big, sync.get(b("big")));
            assertEquals((long)big.length, sync.strlen(b("big")));
            final byte[] tail = new byte[1024 * 1024];
            random.nextBytes(tail);
            assertEquals((long)big.length + tail.length, sync.append(b("big"), tail));
            assertArrayEquals(concat(big, tail), sync.get(b("big")));
            assertArrayEquals(java.util.Arrays.copyOfRange(big, 1000, 2001), sync.getrange(b("big"), 1000, 2000));

            // several MB values in one pipeline, read back in another
            connection.setAutoFlushCommands(false);
            try
            {
                final List<byte[]> values = new ArrayList<>();
                final List<RedisFuture<String>> sets = new ArrayList<>();
                for (int i = 0; i < 6; i++)
                {
                    final byte[] value = new byte[(1 + i) * 512 * 1024 + random.nextInt(100)];
                    random.nextBytes(value);
                    values.add(value);
                    sets.add(connection.async().set(b("mb:" + i), value));
                }
                connection.flushCommands();
                assertTrue(LettuceFutures.awaitAll(Duration.ofSeconds(60), sets.toArray(new RedisFuture[0])));
                final List<RedisFuture<byte[]>> gets = new ArrayList<>();
                for (int i = 0; i < 6; i++)
                {
                    gets.add(connection.async().get(b("mb:" + i)));
                }
                connection.flushCommands();
                for (int i = 0; i < 6; i++)
                {
                    assertArrayEquals(values.get(i), gets.get(i).get(60, TimeUnit.SECONDS));
                }
            }
            catch (final Exception ex)
            {
                throw new AssertionError(ex);
            }
            finally
            {
                connection.setAutoFlushCommands(true);
            }
            sync.flushall();
        }
        finally
        {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void shouldAnswerInfoThatParses(final Target target, final ProtocolVersion protocol)
    {
        try (Session session = session(target, protocol))
        {
            final RedisCommands<String, String> sync = session.sync();
            sync.set("a", "1");
            sync.set("b", "2", SetArgs.Builder.ex(1000));
            final Map<String, String> server = parseInfo(sync.info("server"));
            assertEquals("7.0.15", server.get("redis_version"));
            assertEquals("standalone", server.get("redis_mode"));
            assertEquals(String.valueOf(port(target, false)), server.get("tcp_port"));
            assertTrue(Long.parseLong(server.get("uptime_in_seconds")) >= 0);
            final Map<String, String> clients = parseInfo(sync.info("clients"));
            assertTrue(Long.parseLong(clients.get("connected_clients")) >= 1);
            final Map<String, String> keyspace = parseInfo(sync.info("keyspace"));
            assertTrue(keyspace.get("db0").startsWith("keys=2,expires=1,avg_ttl="), keyspace.get("db0"));
            final Map<String, String> all = parseInfo(sync.info());
            for (final String field : new String[] {"redis_version", "connected_clients", "used_memory", "total_commands_processed",
                "keyspace_hits", "role", "db0", "rdb_changes_since_last_save", "used_cpu_sys"})
            {
                assertTrue(all.containsKey(field), field + " missing from INFO");
            }
            assertEquals("master", all.get("role"));
            final Map<String, String> stats = parseInfo(sync.info("stats"));
            assertTrue(Long.parseLong(stats.get("total_commands_processed")) > 0);
            final String sections = sync.info("server");
            assertTrue(sections.startsWith("# Server\r\n"), sections.substring(0, 20));
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void shouldKeepTheConnectionAfterServerErrors(final Target target, final ProtocolVersion protocol)
    {
        try (Session session = session(target, protocol))
        {
            final RedisCommands<String, String> sync = session.sync();
            final long id = sync.clientId();
            sync.set("text", "abc");
            assertError("ERR value is not an integer or out of range", () -> sync.incr("text"));
            assertError("ERR value is not a valid float", () -> sync.incrbyfloat("text", 1.0));
            assertError("ERR syntax error", () -> sync.set("k", "v", SetArgs.Builder.nx().xx()));
            assertError("ERR invalid expire time in 'set' command", () -> sync.set("k", "v", SetArgs.Builder.ex(0)));
            assertError("ERR invalid expire time in 'setex' command", () -> sync.setex("k", -1, "v"));
            assertError("ERR no such key", () -> sync.rename("missing", "other"));
            assertError("ERR DB index is out of range", () -> sync.select(99));
            assertError("ERR DB index is out of range", () -> sync.move("text", 99));
            assertError("ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' 'b' ",
                () -> sync.dispatch(CommandKeyword.NOSUCHCMD, new StatusOutput<>(StringCodec.UTF8),
                    new CommandArgs<>(StringCodec.UTF8).add("a").add("b")));
            assertError("ERR wrong number of arguments for 'get' command",
                () -> sync.dispatch(CommandKeyword.GET, new StatusOutput<>(StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8)));
            assertError("ERR unknown subcommand 'NOPE'. Try OBJECT HELP.",
                () -> sync.dispatch(CommandKeyword.OBJECT, new StatusOutput<>(StringCodec.UTF8),
                    new CommandArgs<>(StringCodec.UTF8).add("NOPE")));
            sync.set("max", "9223372036854775807");
            assertError("ERR increment or decrement would overflow", () -> sync.incr("max"));
            // still the same connection, still in step
            assertEquals(id, sync.clientId());
            assertEquals("abc", sync.get("text"));
            assertEquals("PONG", sync.ping());
        }
    }

    private static void assertError(final String expected, final org.junit.jupiter.api.function.Executable call)
    {
        final RedisCommandExecutionException ex = assertThrows(RedisCommandExecutionException.class, call);
        assertEquals(expected, ex.getMessage());
    }

    private static Map<String, String> parseInfo(final String info)
    {
        final Map<String, String> fields = new HashMap<>();
        for (final String line : info.split("\r\n"))
        {
            final int colon = line.indexOf(':');
            if (!line.isEmpty() && !line.startsWith("#") && colon > 0)
            {
                fields.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return fields;
    }

    private static String rootMessage(final Throwable ex)
    {
        Throwable t = ex;
        while (t.getCause() != null)
        {
            t = t.getCause();
        }
        return t.getMessage();
    }

    private static byte[] b(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(final byte[] a, final byte[] b)
    {
        final byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    /** Commands Lettuce has no method for, sent with dispatch. */
    private enum CommandKeyword implements ProtocolKeyword
    {
        NOSUCHCMD, GET, OBJECT;

        @Override
        public byte[] getBytes()
        {
            return name().getBytes(StandardCharsets.US_ASCII);
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void shouldWakeAnAsyncBlpopWithAPushFromAnotherConnection(final Target target, final ProtocolVersion protocol)
        throws Exception
    {
        try (Session waiter = session(target, protocol); Session pusher = new Session(uri(target, false).build(), protocol))
        {
            final RedisFuture<io.lettuce.core.KeyValue<String, String>> popped =
                waiter.connection.async().blpop(0, "lettuce:queue");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!pusher.sync().info("clients").contains("blocked_clients:1"))
            {
                assertTrue(System.nanoTime() < deadline, "the BLPOP never blocked");
                Thread.sleep(2);
            }
            assertEquals(2, pusher.sync().rpush("lettuce:queue", "first", "second"), "the length before the waiter is served");
            assertEquals(io.lettuce.core.KeyValue.just("lettuce:queue", "first"), popped.get(10, TimeUnit.SECONDS));
            assertEquals("second", waiter.sync().brpoplpush(1, "lettuce:queue", "lettuce:other"));
            assertNull(waiter.sync().blpop(0.05, "lettuce:queue"), "a timeout is a null reply");
        }
    }
}
