package io.keelkv.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.keelkv.server.SnapshotCommandTest.deleteTree;
import static io.keelkv.server.SnapshotCommandTest.field;
import static org.junit.jupiter.api.Assertions.*;

/**
 * BGSAVE, save points and what stops a background save, in a real server in this JVM; the replies side by
 * side with redis-server 7.0.15 where Redis behaves the same way. A slowed save (rdb-key-save-delay, per page
 * here) leaves time to act while it runs.
 */
class BackgroundSaveTest
{
    private static final long WAIT_MS = 20_000;

    private Path dir;
    private KeelServer server;

    @BeforeEach
    void setUp() throws Exception
    {
        dir = Files.createTempDirectory("keel-bgsave");
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

    private static void awaitNoBackgroundSave(final RawRespClient client) throws Exception
    {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!field(client, "rdb_bgsave_in_progress").endsWith(":0"))
        {
            assertTrue(System.currentTimeMillis() < deadline, "the background save did not end");
            Thread.sleep(10);
        }
    }

    /** The same requests, one after the other, to KeelKV and to redis-server: the same replies. */
    @Test
    void shouldAnswerBgsaveAndSaveAsRedisDoesWhileOneRuns() throws Exception
    {
        start("--rdb-key-save-delay", "20000");
        try (RedisOracle oracle = RedisOracle.start("--dir", Files.createTempDirectory("keel-oracle-bg").toString(),
            "--rdb-key-save-delay", "2000");
            RawRespClient redis = new RawRespClient(oracle.port());
            RawRespClient keel = new RawRespClient(server.port()))
        {
            for (final RawRespClient client : new RawRespClient[] {redis, keel})
            {
                client.call("DEBUG", "POPULATE", "20000");
            }
            final String[][] requests = {
                {"BGSAVE", "FOO"}, {"BGSAVE", "SCHEDULE", "X"}, {"BGSAVE"}, {"BGSAVE"}, {"BGSAVE", "SCHEDULE"},
                {"SAVE"}};
            for (final String[] request : requests)
            {
                assertEquals(redis.call(request), keel.call(request), String.join(" ", request));
            }
            assertEquals("rdb_bgsave_in_progress:1", field(keel, "rdb_bgsave_in_progress"));
            assertEquals("current_save_keys_total:20000", field(keel, "current_save_keys_total"));
            assertEquals("rdb_saves:1", field(keel, "rdb_saves"), "one BGSAVE started, the refused SAVE not counted");
            // stop both (Redis kills its child) rather than wait
            assertEquals(redis.call("FLUSHALL"), keel.call("FLUSHALL"));
            assertEquals("rdb_bgsave_in_progress:0", field(keel, "rdb_bgsave_in_progress"));
            assertEquals("rdb_last_bgsave_status:ok", field(keel, "rdb_last_bgsave_status"), "stopped, not failed");
        }
        assertFalse(Files.exists(dir.resolve("dump.rdb")), "the stopped save left no file (no save points)");
        try (java.util.stream.Stream<Path> files = Files.list(dir))
        {
            assertEquals(0, files.count(), "and no temp file");
        }
    }

    @Test
    void shouldSaveTheDatasetOfTheInstantWhateverIsWrittenDuringTheSave() throws Exception
    {
        start("--rdb-key-save-delay", "2000");
        final String digest;
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            client.call("DEBUG", "POPULATE", "50000");
            digest = client.call("DEBUG", "DIGEST");
            assertEquals("+Background saving started\r\n", client.call("BGSAVE"));
            for (int i = 0; i < 50_000; i++)
            {
                client.sendRaw(new String(RawRespClient.request("SET", "key:" + i, "overwritten during the save"),
                    java.nio.charset.StandardCharsets.US_ASCII));
            }
            for (int i = 0; i < 50_000; i++)
            {
                assertEquals("+OK\r\n", client.readReply());
            }
            client.call("DEL", "key:7");
            assertNotEquals(digest, client.call("DEBUG", "DIGEST"));
            awaitNoBackgroundSave(client);
            assertEquals("rdb_last_bgsave_status:ok", field(client, "rdb_last_bgsave_status"));
            assertEquals("rdb_changes_since_last_save:50001", field(client, "rdb_changes_since_last_save"),
                "the writes during the save are not in it");
            final long copied = Long.parseLong(field(client, "keelkv_bgsave_pages_copied_by_writer").split(":")[1]);
            assertTrue(copied > 0, "the writes overtook the agent: the loop preserved pages");
            final long instantUs = Long.parseLong(field(client, "keelkv_bgsave_last_instant_usec").split(":")[1]);
            final long maxInstantUs = Long.parseLong(field(client, "keelkv_bgsave_max_instant_usec").split(":")[1]);
            assertTrue(instantUs > 0 && instantUs <= maxInstantUs, "the instant was timed: " + instantUs + " <= " + maxInstantUs);
        }
        server.close();
        server = null;
        start();
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals(digest, client.call("DEBUG", "DIGEST"), "the file holds the instant");
            assertEquals("$7\r\nvalue:7\r\n", client.call("GET", "key:7"));
        }
    }

    @Test
    void shouldStartASaveAtASavePointInCron() throws Exception
    {
        start("--save", "1 3");
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            client.call("SET", "a", "1");
            client.call("SET", "b", "2");
            Thread.sleep(1_500);
            assertEquals("rdb_saves:0", field(client, "rdb_saves"), "two changes: under the save point");
            client.call("SET", "c", "3");
            final long deadline = System.currentTimeMillis() + WAIT_MS;
            while (!field(client, "rdb_saves").equals("rdb_saves:1") ||
                !field(client, "rdb_bgsave_in_progress").endsWith(":0"))
            {
                assertTrue(System.currentTimeMillis() < deadline, "no save at the save point");
                Thread.sleep(20);
            }
            assertEquals("rdb_changes_since_last_save:0", field(client, "rdb_changes_since_last_save"));
            assertEquals("rdb_last_bgsave_status:ok", field(client, "rdb_last_bgsave_status"));
        }
        assertTrue(Files.size(dir.resolve("dump.rdb")) > 0);
    }

    @Test
    void shouldRefuseWritesWithRedisMisconfAfterAFailedBackgroundSave() throws Exception
    {
        final Path gone = Files.createDirectory(dir.resolve("gone"));
        start("--save", "3600 1", "--enable-protected-configs", "yes");
        try (RedisOracle oracle = RedisOracle.start("--save", "3600 1", "--enable-protected-configs", "yes");
            RawRespClient redis = new RawRespClient(oracle.port());
            RawRespClient keel = new RawRespClient(server.port()))
        {
            final Path redisGone = Files.createDirectory(oracle.dir().resolve("gone"));
            assertEquals("+OK\r\n", keel.call("CONFIG", "SET", "dir", gone.toString()));
            assertEquals("+OK\r\n", redis.call("CONFIG", "SET", "dir", redisGone.toString()));
            Files.delete(gone);
            Files.delete(redisGone);
            for (final RawRespClient client : new RawRespClient[] {redis, keel})
            {
                client.call("SET", "k", "v");
                assertEquals("+Background saving started\r\n", client.call("BGSAVE"));
                awaitNoBackgroundSave(client);
                assertEquals("rdb_last_bgsave_status:err", field(client, "rdb_last_bgsave_status"));
            }
            for (final String[] request : new String[][] {{"SET", "k", "w"}, {"PING"}, {"GET", "k"}, {"DEL", "k"},
                {"CONFIG", "SET", "stop-writes-on-bgsave-error", "no"}, {"SET", "k", "x"},
                {"CONFIG", "SET", "stop-writes-on-bgsave-error", "yes"}, {"SET", "k", "y"}})
            {
                assertEquals(redis.call(request), keel.call(request), String.join(" ", request));
            }
            // a save that succeeds clears the error, as in Redis
            assertEquals("+OK\r\n", keel.call("CONFIG", "SET", "dir", dir.toString()));
            assertEquals("+OK\r\n", keel.call("SAVE"));
            assertEquals("rdb_last_bgsave_status:ok", field(keel, "rdb_last_bgsave_status"));
            assertEquals("+OK\r\n", keel.call("SET", "k", "z"));
        }
    }

    @Test
    void shouldStopARunningSaveForDebugReloadAndReloadWhatItSaves() throws Exception
    {
        start("--rdb-key-save-delay", "20000");
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            client.call("DEBUG", "POPULATE", "30000");
            client.call("SET", "after", "populate");
            final String digest = client.call("DEBUG", "DIGEST");
            assertEquals("+Background saving started\r\n", client.call("BGSAVE"));
            assertEquals("+OK\r\n", client.call("DEBUG", "RELOAD"));
            assertEquals("rdb_bgsave_in_progress:0", field(client, "rdb_bgsave_in_progress"));
            assertEquals(digest, client.call("DEBUG", "DIGEST"));
            Thread.sleep(300); // a save that was not stopped would rename its older file over the reloaded one now
            assertEquals("+OK\r\n", client.call("DEBUG", "RELOAD", "NOSAVE"));
            assertEquals(digest, client.call("DEBUG", "DIGEST"));
        }
    }

    @Test
    void shouldStopARunningSaveOnShutdownAndSaveTheDatasetOfTheShutdown() throws Exception
    {
        start("--rdb-key-save-delay", "20000", "--save", "3600 1000000");
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            client.call("DEBUG", "POPULATE", "30000");
            assertEquals("+Background saving started\r\n", client.call("BGSAVE"));
            client.call("SET", "last", "write");
            final String digest = client.call("DEBUG", "DIGEST");
            client.sendRaw("*1\r\n$8\r\nSHUTDOWN\r\n");
            assertTrue(client.isClosedByPeer(), "SHUTDOWN closes the connection");
            assertTrue(server.awaitStopped(WAIT_MS));
            server.close();
            server = null;
            start();
            try (RawRespClient again = new RawRespClient(server.port()))
            {
                assertEquals(digest, again.call("DEBUG", "DIGEST"));
            }
        }
    }
}
