package io.keelkv.server;

import io.keelkv.engine.snapshot.SnapshotException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * SAVE, LASTSAVE, SHUTDOWN's final save, DEBUG RELOAD, INFO persistence and loading at start, in a real
 * server in this JVM; the failure replies and INFO fields side by side with redis-server 7.0.15.
 */
class SnapshotCommandTest
{
    private Path dir;
    private KeelServer server;

    @BeforeEach
    void setUp() throws Exception
    {
        dir = Files.createTempDirectory("keel-save");
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (server != null)
        {
            server.close();
        }
        deleteTree(dir);
    }

    private KeelServer start(final String... extra) throws Exception
    {
        final String[] args = new String[extra.length + 4];
        args[0] = "--dir";
        args[1] = dir.toString();
        args[2] = "--enable-debug-command";
        args[3] = "yes";
        System.arraycopy(extra, 0, args, 4, extra.length);
        server = TestServers.start(args);
        return server;
    }

    private void restart(final String... extra) throws Exception
    {
        server.close();
        server = null;
        start(extra);
    }

    static String field(final RawRespClient client, final String name) throws Exception
    {
        for (final String line : client.call("INFO", "persistence").split("\r\n"))
        {
            if (line.startsWith(name + ":"))
            {
                return line;
            }
        }
        throw new AssertionError("no " + name + " in INFO persistence");
    }

    static void deleteTree(final Path root) throws Exception
    {
        if (Files.exists(root))
        {
            try (java.util.stream.Stream<Path> files = Files.walk(root))
            {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    void shouldSaveAndLoadTheSameDatasetAtTheNextStart() throws Exception
    {
        start();
        final String digest;
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals("+OK\r\n", client.call("DEBUG", "POPULATE", "2000", "key", "100"));
            assertEquals("+OK\r\n", client.call("SELECT", "3"));
            assertEquals("+OK\r\n", client.call("SET", "ttl", "v", "PX", "3600000"));
            assertEquals("+OK\r\n", client.call("SET", "big", "x".repeat(300_000)));
            digest = client.call("DEBUG", "DIGEST");
            assertEquals("rdb_changes_since_last_save:2", field(client, "rdb_changes_since_last_save"));
            assertEquals("+OK\r\n", client.call("SAVE"));
            assertEquals("rdb_changes_since_last_save:0", field(client, "rdb_changes_since_last_save"));
            assertEquals("rdb_saves:1", field(client, "rdb_saves"));
            assertEquals("rdb_last_bgsave_status:ok", field(client, "rdb_last_bgsave_status"));
            final long lastSave = Long.parseLong(client.call("LASTSAVE").trim().substring(1));
            assertTrue(Math.abs(lastSave - System.currentTimeMillis() / 1000) <= 2, "LASTSAVE " + lastSave);
            assertEquals("rdb_last_save_time:" + lastSave, field(client, "rdb_last_save_time"));
        }
        assertTrue(Files.size(dir.resolve("dump.rdb")) > 10_000);
        restart();
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals(digest, client.call("DEBUG", "DIGEST"));
            assertEquals("rdb_last_load_keys_loaded:2002", field(client, "rdb_last_load_keys_loaded"));
            assertEquals("+OK\r\n", client.call("SELECT", "3"));
            final long ttl = Long.parseLong(client.call("PTTL", "ttl").trim().substring(1));
            assertTrue(ttl > 3_500_000 && ttl <= 3_600_000, "PTTL " + ttl);
            assertEquals("rdb_changes_since_last_save:0", field(client, "rdb_changes_since_last_save"));
        }
    }

    @Test
    void shouldReloadWithDebugReload() throws Exception
    {
        start();
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals("+OK\r\n", client.call("DEBUG", "POPULATE", "5000"));
            final String digest = client.call("DEBUG", "DIGEST");
            assertEquals("+OK\r\n", client.call("DEBUG", "RELOAD"));
            assertEquals(digest, client.call("DEBUG", "DIGEST"));
            assertEquals(":5000\r\n", client.call("DBSIZE"));
        }
    }

    @Test
    void shouldSaveOnPlainShutdownOnlyWithSavePoints() throws Exception
    {
        start("--save", "3600 1");
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            client.call("SET", "a", "1");
            client.send("SHUTDOWN", "NOSAVE");
            assertTrue(client.isClosedByPeer());
        }
        assertTrue(server.awaitStopped(5_000));
        assertFalse(Files.exists(dir.resolve("dump.rdb")), "SHUTDOWN NOSAVE saved");
        restart("--save", "3600 1");
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            client.call("SET", "a", "2");
            client.send("SHUTDOWN");
            assertTrue(client.isClosedByPeer());
        }
        assertTrue(server.awaitStopped(5_000));
        restart();
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals("$1\r\n2\r\n", client.call("GET", "a"));
            client.send("SHUTDOWN");
            assertTrue(client.isClosedByPeer());
        }
        // without save points a plain SHUTDOWN does not save (the file still holds a=2, not what came after)
        assertTrue(server.awaitStopped(5_000));
    }

    @Test
    void shouldRefuseToShutdownWhenTheFinalSaveFailsUnlessForced() throws Exception
    {
        start("--save", "3600 1");
        Files.createDirectory(dir.resolve("dump.rdb"));
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            client.call("SET", "a", "1");
            assertEquals("-ERR Errors trying to SHUTDOWN. Check logs.\r\n", client.call("SHUTDOWN"));
            assertEquals("-ERR Errors trying to SHUTDOWN. Check logs.\r\n", client.call("SHUTDOWN", "SAVE"));
            assertEquals("+PONG\r\n", client.call("PING"));
            assertFalse(server.awaitStopped(100));
            client.send("SHUTDOWN", "SAVE", "FORCE");
            assertTrue(client.isClosedByPeer());
        }
        assertTrue(server.awaitStopped(5_000));
        try (java.util.stream.Stream<Path> files = Files.list(dir))
        {
            assertEquals(java.util.List.of(dir.resolve("dump.rdb")), files.toList(), "a temp file was left");
        }
    }

    @Test
    void shouldRefuseToStartOnASnapshotItCannotLoad() throws Exception
    {
        Files.write(dir.resolve("dump.rdb"), "REDIS0010garbage".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        final SnapshotException ex = assertThrows(SnapshotException.class, this::start);
        assertTrue(ex.getMessage().contains("Redis RDB") && ex.getMessage().contains(dir.resolve("dump.rdb").toString()),
            ex.getMessage());
    }

    @Test
    void shouldMakeTheSnapshotTheAofBaseWhenAppendonlyIsOnWithoutAnAofThenLoadTheAof() throws Exception
    {
        start();
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            client.call("SET", "a", "1");
            assertEquals("+OK\r\n", client.call("SAVE"));
        }
        // Redis 7.0.15 starts empty here (it looks for the AOF only) and drops dump.rdb's data at its first rewrite
        restart("--appendonly", "yes");
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals("$1\r\n1\r\n", client.call("GET", "a"), "the snapshot was not loaded into the new AOF");
            client.call("SET", "b", "2");
            assertEquals("+OK\r\n", client.call("SAVE"));
            client.call("DEL", "b"); // in the AOF, not in dump.rdb
        }
        restart("--appendonly", "yes");
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals(":1\r\n", client.call("DBSIZE"), "with an AOF, the AOF is loaded, not dump.rdb");
            assertEquals("$1\r\n1\r\n", client.call("GET", "a"));
        }
    }

    /**
     * The failures a user meets, against redis-server: dir removed under the server (the temp file cannot be
     * created) and dump.rdb being a directory (the rename fails). Same replies (Redis's bare -ERR, SHUTDOWN's
     * error), the same INFO persistence fields, LASTSAVE unchanged, and both keep serving.
     */
    @Test
    void shouldFailSaveAsRedisServerDoes() throws Exception
    {
        final Path redisDir = Files.createTempDirectory("keel-save-oracle");
        try (RedisOracle redis = RedisOracle.start("--dir", redisDir.toString()))
        {
            start();
            try (RawRespClient keel = new RawRespClient(server.port()); RawRespClient oracle = new RawRespClient(redis.port()))
            {
                for (final RawRespClient client : new RawRespClient[]{keel, oracle})
                {
                    assertEquals("+OK\r\n", client.call("SET", "a", "1"));
                }
                Files.createDirectory(dir.resolve("dump.rdb"));
                Files.createDirectory(redisDir.resolve("dump.rdb"));
                compareFailedSave(keel, oracle);
                Files.delete(dir.resolve("dump.rdb"));
                Files.delete(redisDir.resolve("dump.rdb"));
                deleteTree(dir);
                deleteTree(redisDir);
                compareFailedSave(keel, oracle);
                for (final RawRespClient client : new RawRespClient[]{keel, oracle})
                {
                    assertEquals("-ERR Errors trying to SHUTDOWN. Check logs.\r\n", client.call("SHUTDOWN", "SAVE"));
                    assertEquals("+PONG\r\n", client.call("PING"));
                }
            }
            Files.createDirectories(dir);
            Files.createDirectories(redisDir);
        }
        finally
        {
            deleteTree(redisDir);
        }
    }

    private static void compareFailedSave(final RawRespClient keel, final RawRespClient oracle) throws Exception
    {
        final String lastSave = keel.call("LASTSAVE");
        final String oracleLastSave = oracle.call("LASTSAVE");
        final String reply = keel.call("SAVE");
        assertEquals(oracle.call("SAVE"), reply);
        assertEquals("-ERR\r\n", reply);
        assertEquals(lastSave, keel.call("LASTSAVE"));
        assertEquals(oracleLastSave, oracle.call("LASTSAVE"));
        for (final String name : new String[]{"rdb_changes_since_last_save", "rdb_last_bgsave_status", "rdb_saves",
            "rdb_bgsave_in_progress", "loading"})
        {
            assertEquals(field(oracle, name), field(keel, name), name);
        }
    }
}
