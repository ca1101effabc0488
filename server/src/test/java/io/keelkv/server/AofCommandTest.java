package io.keelkv.server;

import io.keelkv.engine.aof.AofManifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.keelkv.server.SnapshotCommandTest.deleteTree;
import static org.junit.jupiter.api.Assertions.*;

/**
 * BGREWRITEAOF, turning the AOF on at run time, and the RESP base redis-server loads, in a real server in
 * this JVM; the directory checked file by file, the data by DEBUG DIGEST after a restart.
 */
class AofCommandTest
{
    private Path dir;
    private KeelServer server;

    @BeforeEach
    void setUp() throws Exception
    {
        dir = Files.createTempDirectory("keel-aof");
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

    private static String info(final RawRespClient client, final String name) throws Exception
    {
        for (final String line : client.call("INFO", "persistence").split("\r\n"))
        {
            if (line.startsWith(name + ":"))
            {
                return line.substring(name.length() + 1);
            }
        }
        throw new AssertionError("no INFO field " + name);
    }

    private static void awaitRewriteEnd(final RawRespClient client) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!"0".equals(info(client, "aof_rewrite_in_progress")) || !"0".equals(info(client, "aof_rewrite_scheduled")))
        {
            assertTrue(System.nanoTime() < deadline, "the rewrite did not end");
            Thread.sleep(10);
        }
    }

    private List<String> aofFiles() throws Exception
    {
        try (Stream<Path> files = Files.list(dir.resolve("appendonlydir")))
        {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void shouldRewriteWhileWritesGoOnAndLoadTheSameDataAfterARestart() throws Exception
    {
        start("--appendonly", "yes", "--rdb-key-save-delay", "200");
        final String digest;
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            client.call("DEBUG", "POPULATE", "50000");
            client.call("SET", "counter", "10");
            client.call("HSET", "hash", "a", "1", "b", "two");
            assertEquals("+Background append only file rewriting started\r\n", client.call("BGREWRITEAOF"));
            assertEquals("-ERR Background append only file rewriting already in progress\r\n",
                client.call("BGREWRITEAOF"));
            assertEquals("1", info(client, "aof_rewrite_in_progress"));
            assertEquals("0", info(client, "rdb_bgsave_in_progress"), "an AOF rewrite is not an RDB save");
            assertTrue(client.call("BGSAVE").startsWith("-ERR Another child process is active (AOF?)"));
            // writes during the rewrite go to the new incremental file, after the base's instant
            for (int i = 0; i < 1_000; i++)
            {
                client.call("INCR", "counter");
                client.call("SET", "key:" + i, "changed");
                client.call("DEL", "key:" + (49_000 + i));
                client.call("HINCRBY", "hash", "a", "1");
                client.call("HSET", "hash" + (i % 10), "f" + i, "v");
            }
            awaitRewriteEnd(client);
            assertEquals("ok", info(client, "aof_last_bgrewrite_status"));
            assertEquals("1", info(client, "aof_rewrites"));
            digest = client.call("DEBUG", "DIGEST");
            assertEquals("$4\r\n1010\r\n", client.call("GET", "counter"));
        }
        assertEquals(List.of("appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"),
            aofFiles(), "the old base and incremental file are gone");
        final AofManifest manifest = AofManifest.parse(dir.resolve("appendonlydir/appendonly.aof.manifest"));
        assertTrue(manifest.history().isEmpty());
        restart("--appendonly", "yes");
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals(digest, client.call("DEBUG", "DIGEST"), "the new base plus the new incremental file");
        }
    }

    @Test
    void shouldTurnTheAofOnAtRunTimeWithABaseOfTheDataAsItIs() throws Exception
    {
        start("--appendonly", "no");
        final String digest;
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            client.call("DEBUG", "POPULATE", "20000");
            assertFalse(Files.exists(dir.resolve("appendonlydir")));
            assertEquals("+OK\r\n", client.call("CONFIG", "SET", "appendonly", "yes"));
            client.call("SET", "during", "1");
            awaitRewriteEnd(client);
            client.call("SET", "after", "2");
            assertEquals("1", info(client, "aof_enabled"));
            assertEquals("ok", info(client, "aof_last_bgrewrite_status"));
            digest = client.call("DEBUG", "DIGEST");
        }
        assertEquals(List.of("appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof", "appendonly.aof.manifest"),
            aofFiles());
        // no snapshot was saved: the AOF alone brings the data back (Redis's trap would be an empty start)
        assertFalse(Files.exists(dir.resolve("dump.rdb")));
        restart("--appendonly", "yes");
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals(digest, client.call("DEBUG", "DIGEST"));
            assertEquals("+OK\r\n", client.call("CONFIG", "SET", "appendonly", "no"));
            assertEquals("0", info(client, "aof_enabled"));
            client.call("SET", "notLogged", "1");
        }
        restart("--appendonly", "yes");
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals(digest, client.call("DEBUG", "DIGEST"), "a write with the AOF off is not in it");
        }
    }

    @Test
    void shouldWriteAnAofThatRedisServerLoadsWithTheSameDigest() throws Exception
    {
        RedisOracle.requireTool("redis-server", "redis-server");
        start("--appendonly", "yes", "--aof-use-rdb-preamble", "no");
        final String digest;
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            client.call("DEBUG", "POPULATE", "2000", "k", "20");
            client.call("SET", "ttl", "v", "PX", "3600000");
            client.call("SET", "bin", "a\r\nb\u0000c");
            // a hash of 100 fields (two HMSET commands of at most 64 pairs in the base), integers and binary
            for (int i = 0; i < 100; i++)
            {
                client.call("HSET", "h", "f" + i, i % 3 == 0 ? String.valueOf(i * 1000) : "v\r\n" + i);
            }
            client.call("HSET", "hbin", "\u0000", "-17", "12", "x");
            // and a hashtable: more fields than hash-max-listpack-entries (512), one value past 64 bytes
            for (int i = 0; i < 700; i++)
            {
                client.call("HSET", "big", "f" + i, i == 7 ? "v".repeat(100) : String.valueOf(i));
            }
            assertEquals("$9\r\nhashtable\r\n", client.call("OBJECT", "ENCODING", "big"));
            // sets: an intset of 100 members of every width (two SADD commands of at most 64 in the base), and a
            // hashtable of strings and integers
            for (int i = 0; i < 100; i++)
            {
                client.call("SADD", "iset", String.valueOf(i % 2 == 0 ? i : -i * 1_000_000_007L));
            }
            assertEquals("$6\r\nintset\r\n", client.call("OBJECT", "ENCODING", "iset"));
            for (int i = 0; i < 300; i++)
            {
                client.call("SADD", "hset", i % 2 == 0 ? String.valueOf(i) : "m\r\n" + i);
            }
            assertEquals("$9\r\nhashtable\r\n", client.call("OBJECT", "ENCODING", "hset"));
            // lists: a quicklist of 150 elements (three RPUSH of at most 64 in the base), integers and strings
            for (int i = 0; i < 150; i++)
            {
                client.call(i % 2 == 0 ? "RPUSH" : "LPUSH", "list", i % 3 == 0 ? String.valueOf(i * 7) : "e\r\n" + i);
            }
            client.call("RPUSH", "list2", "a", "b", "c", "d");
            // sorted sets: a listpack of 100 members (two ZADD of at most 64 pairs in the base) with integer,
            // fractional, infinite and -0 scores, and a skiplist of 300 (past zset-max-listpack-entries, 128)
            for (int i = 0; i < 100; i++)
            {
                client.call("ZADD", "zl", i % 4 == 0 ? String.valueOf(i) : i % 4 == 1 ? (i / 10.0) + "" :
                    i % 4 == 2 ? "0.1" : i == 3 ? "-inf" : i == 7 ? "-0" : "1e20", i % 3 == 0 ? String.valueOf(i) : "z\r\n" + i);
            }
            assertEquals("$8\r\nlistpack\r\n", client.call("OBJECT", "ENCODING", "zl"));
            for (int i = 0; i < 300; i++)
            {
                client.call("ZADD", "zs", String.valueOf(i * 0.5), i % 2 == 0 ? String.valueOf(i) : "m\r\n" + i);
            }
            // (not -0 in a skiplist: Redis keeps it there, but its own AOF reloads it through a listpack as 0)
            client.call("ZADD", "zs", "-inf", "bottom", "inf", "top");
            assertEquals("$8\r\nskiplist\r\n", client.call("OBJECT", "ENCODING", "zs"));
            client.call("PEXPIRE", "list", "3600000");
            client.call("PEXPIRE", "iset", "3600000");
            client.call("PEXPIRE", "hbin", "3600000");
            client.call("SELECT", "3");
            client.call("SET", "in3", "x");
            client.call("HSET", "h3", "a", "b");
            client.call("SELECT", "0");
            assertEquals("+Background append only file rewriting started\r\n", client.call("BGREWRITEAOF"));
            client.call("INCRBYFLOAT", "f", "1.5");
            client.call("EXPIRE", "k:1", "1000");
            client.call("DEL", "k:2");
            client.call("HINCRBYFLOAT", "h", "f1", "0.25");
            client.call("HINCRBY", "h", "f3", "-1");
            client.call("HDEL", "h", "f4", "f5");
            // random pops are logged as SREM of what was popped (or DEL); the store commands as themselves
            client.call("SPOP", "iset");
            client.call("SPOP", "hset", "3");
            client.call("SPOP", "iset", "90");
            client.call("SMOVE", "hset", "moved", "0");
            client.call("SUNIONSTORE", "union", "iset", "hset");
            // list writes during the rewrite: LMPOP is logged as LPOP/RPOP key count, the others as themselves
            client.call("LMPOP", "2", "nolist", "list", "RIGHT", "COUNT", "3");
            client.call("LMOVE", "list", "list2", "LEFT", "RIGHT");
            client.call("RPOPLPUSH", "list2", "list3");
            client.call("LSET", "list", "5", "set");
            client.call("LINSERT", "list", "BEFORE", "set", "inserted");
            client.call("LREM", "list", "-1", "e\r\n1");
            client.call("LTRIM", "list2", "1", "-1");
            // sorted-set writes during the rewrite: ZMPOP is logged as ZPOPMIN/ZPOPMAX key count, the others as
            // themselves
            client.call("ZMPOP", "2", "nozset", "zs", "MAX", "COUNT", "3");
            client.call("ZPOPMIN", "zl", "2");
            client.call("ZINCRBY", "zl", "2.5", "new");
            client.call("ZADD", "zs", "INCR", "1", "0");
            client.call("ZREMRANGEBYSCORE", "zs", "10", "(20");
            client.call("ZUNIONSTORE", "zu", "2", "zl", "zs", "WEIGHTS", "2", "1");
            client.call("ZRANGESTORE", "zr", "zs", "0", "9");
            awaitRewriteEnd(client);
            assertEquals("ok", info(client, "aof_last_bgrewrite_status"));
            client.call("APPEND", "bin", "more");
            // a transaction of several writes is logged inside MULTI ... EXEC, across a SELECT
            client.call("MULTI");
            client.call("SET", "tx1", "a");
            client.call("INCR", "tx2");
            client.call("SELECT", "2");
            client.call("RPUSH", "tx3", "b");
            client.call("SELECT", "0");
            assertEquals("*5\r\n+OK\r\n:1\r\n+OK\r\n:1\r\n+OK\r\n", client.call("EXEC"));
            digest = client.call("DEBUG", "DIGEST");
        }
        server.close();
        server = null;
        final String incr = Files.readString(dir.resolve("appendonlydir/appendonly.aof.2.incr.aof"), StandardCharsets.ISO_8859_1);
        assertTrue(incr.contains("*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$3\r\ntx1\r\n$1\r\na\r\n"), incr);
        assertTrue(incr.endsWith("$3\r\ntx3\r\n$1\r\nb\r\n*1\r\n$4\r\nEXEC\r\n"), incr);
        final Path base = dir.resolve("appendonlydir/appendonly.aof.2.base.aof");
        assertTrue(Files.readString(base, StandardCharsets.ISO_8859_1).startsWith("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"),
            "a RESP base");
        try (RedisOracle redis = RedisOracle.start("--dir", dir.toString(), "--appendonly", "yes",
            "--aof-use-rdb-preamble", "no");
             RawRespClient client = new RawRespClient(redis.port()))
        {
            assertEquals(digest, client.call("DEBUG", "DIGEST"), "redis-server loads KeelKV's directory to the same data");
        }
    }

    @Test
    void shouldWriteABaseOnBgrewriteaofWithTheAofOffAsRedisDoes() throws Exception
    {
        start("--appendonly", "no");
        final String digest;
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            client.call("DEBUG", "POPULATE", "5000");
            assertEquals("+Background append only file rewriting started\r\n", client.call("BGREWRITEAOF"));
            awaitRewriteEnd(client);
            assertEquals("ok", info(client, "aof_last_bgrewrite_status"));
            assertEquals("0", info(client, "aof_enabled"));
            digest = client.call("DEBUG", "DIGEST");
            client.call("SET", "notLogged", "1"); // the AOF is off
        }
        assertEquals(List.of("appendonly.aof.1.base.rdb", "appendonly.aof.manifest"), aofFiles());
        restart("--appendonly", "yes");
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals(digest, client.call("DEBUG", "DIGEST"), "the base alone, then a new incremental file");
        }
        assertEquals(List.of("appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof", "appendonly.aof.manifest"),
            aofFiles());
    }

    private int check(final String input, final StringBuilder output, final String... args)
    {
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        final int status = io.keelkv.server.persistence.CheckAof.run(args,
            new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8),
            new java.io.BufferedReader(new java.io.StringReader(input)));
        output.setLength(0);
        output.append(bytes.toString(StandardCharsets.UTF_8));
        return status;
    }

    @Test
    void shouldCheckTheDirectoryAndFixATornTailAsRedisCheckAofDoes() throws Exception
    {
        start("--appendonly", "yes");
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            client.call("DEBUG", "POPULATE", "3000");
            assertEquals("+Background append only file rewriting started\r\n", client.call("BGREWRITEAOF"));
            awaitRewriteEnd(client);
            client.call("SET", "a", "1");
            client.call("INCR", "n");
        }
        server.close();
        server = null;
        final Path manifest = dir.resolve("appendonlydir/appendonly.aof.manifest");
        final Path incr = dir.resolve("appendonlydir/appendonly.aof.2.incr.aof");
        final StringBuilder out = new StringBuilder();
        assertEquals(0, check("", out, manifest.toString()), out.toString());
        assertTrue(out.toString().contains("KeelKV snapshot base: 3000 keys") &&
            out.toString().contains("All AOF files and manifest are valid"), out.toString());
        if (RedisOracle.onPath("redis-check-aof"))
        {
            final Process p = new ProcessBuilder("redis-check-aof", incr.toString()).redirectErrorStream(true).start();
            final String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), said);
            assertTrue(said.contains("is valid"), "redis-check-aof on KeelKV's incremental file: " + said);
        }

        final long clean = Files.size(incr);
        final byte[] torn = "*2\r\n$3\r\nDEL\r\n$1".getBytes(StandardCharsets.US_ASCII);
        Files.write(incr, torn, java.nio.file.StandardOpenOption.APPEND);
        assertEquals(1, check("", out, manifest.toString()));
        assertTrue(out.toString().contains("is not valid. Use the --fix option to try fixing it."), out.toString());
        assertEquals(1, check("n\n", out, "--fix", manifest.toString()), "not fixed without a yes");
        assertEquals(clean + torn.length, Files.size(incr));
        assertEquals(0, check("y\n", out, "--fix", manifest.toString()), out.toString());
        assertTrue(out.toString().contains("Successfully truncated AOF appendonly.aof.2.incr.aof"), out.toString());
        assertEquals(clean, Files.size(incr));
        assertEquals(0, check("", out, incr.toString()), "one file given: " + out);

        final Path base = dir.resolve("appendonlydir/appendonly.aof.2.base.rdb");
        final byte[] bytes = Files.readAllBytes(base);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(base, bytes);
        assertEquals(1, check("y\n", out, "--fix", manifest.toString()));
        assertTrue(out.toString().contains("--fix cannot fix it"), out.toString());
    }

    @Test
    void shouldSaveBesideARewriteAndLoadThatSnapshotEvenWithPagesFreedDuringIt() throws Exception
    {
        start("--appendonly", "yes", "--rdb-key-save-delay", "20000");
        final String digest;
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            client.call("DEBUG", "POPULATE", "30000", "key", "200");
            assertEquals("+Background append only file rewriting started\r\n", client.call("BGREWRITEAOF"));
            // pages freed while the agent has not passed them are held back (deferred); a SAVE now must still
            // write a snapshot that loads
            for (int i = 15_000; i < 30_000; i++) // populated in order: whole pages emptied, late in the agent's order
            {
                client.call("DEL", "key:" + i);
            }
            assertEquals("1", info(client, "aof_rewrite_in_progress"), "the rewrite should still run");
            assertEquals("+OK\r\n", client.call("SAVE"));
            digest = client.call("DEBUG", "DIGEST");
            awaitRewriteEnd(client);
            assertEquals("ok", info(client, "aof_last_bgrewrite_status"));
        }
        restart("--appendonly", "no");
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals(digest, client.call("DEBUG", "DIGEST"), "dump.rdb saved beside the rewrite");
            assertEquals(":15000\r\n", client.call("DBSIZE"));
        }
        restart("--appendonly", "yes");
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals(digest, client.call("DEBUG", "DIGEST"), "the AOF written by the rewrite");
        }
    }
}
