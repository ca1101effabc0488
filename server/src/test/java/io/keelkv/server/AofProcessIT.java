package io.keelkv.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

import static io.keelkv.server.Launched.*;
import static io.keelkv.server.SnapshotCommandTest.deleteTree;
import static io.keelkv.server.SnapshotCommandTest.field;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The AOF in the real process, started by bin/keel-server: acknowledged writes across kill -9 under
 * appendfsync always, a snapshot that becomes the AOF's base when the AOF is turned on, a torn tail.
 */
class AofProcessIT
{
    private Path dir;
    private Process process;

    @BeforeEach
    void setUp() throws Exception
    {
        dir = Files.createTempDirectory("keel-aof-it");
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (process != null)
        {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        deleteTree(dir);
    }

    private int start(final String... extra) throws Exception
    {
        final int port = freePort();
        final List<String> args = new ArrayList<>(List.of("--port", String.valueOf(port), "--dir", dir.toString(),
            "--enable-debug-command", "yes", "--save", ""));
        args.addAll(List.of(extra));
        process = launch(args.toArray(new String[0]));
        awaitPing(port, process);
        return port;
    }

    private void kill9() throws Exception
    {
        signal(process, "KILL");
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        process = null;
    }

    private Path incr(final int seq)
    {
        return dir.resolve("appendonlydir").resolve("appendonly.aof." + seq + ".incr.aof");
    }

    /** One request of a writer thread, recording what was acknowledged; false stops the writer. */
    @FunctionalInterface
    private interface WriterStep
    {
        boolean write(RawRespClient client, int writer) throws Exception;
    }

    /** Writer threads write to the server until, 0.3 to 1 s in, it is killed -9 under them. */
    private void killUnderWriters(final int port, final int writers, final SplittableRandom random, final WriterStep step)
        throws Exception
    {
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++)
        {
            final int writer = w;
            final Thread t = new Thread(() ->
            {
                try (RawRespClient client = new RawRespClient(port))
                {
                    while (!stop.get() && step.write(client, writer))
                    {
                        // the step records what was acknowledged
                    }
                }
                catch (final Exception killed)
                {
                    // the server was killed under it: what was acknowledged is recorded
                }
            }, "writer-" + w);
            threads.add(t);
            t.start();
        }
        Thread.sleep(300 + random.nextInt(700));
        kill9();
        stop.set(true);
        for (final Thread t : threads)
        {
            t.join(10_000);
        }
    }

    @Test
    void shouldKeepEveryAcknowledgedWriteAcrossKill9UnderAlways() throws Exception
    {
        final long seed = Long.getLong("keel.seed", System.nanoTime());
        System.out.println("shouldKeepEveryAcknowledgedWriteAcrossKill9UnderAlways seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        final int writers = 4;
        // per writer: the highest n whose SET w:n was acknowledged; each writer's keys are written in order
        final AtomicLongArray acknowledged = new AtomicLongArray(writers);
        for (int w = 0; w < writers; w++)
        {
            acknowledged.set(w, -1);
        }
        final long[] next = new long[writers];
        for (int round = 0; round < 4; round++)
        {
            final int port = start("--appendonly", "yes", "--appendfsync", "always");
            try (RawRespClient check = new RawRespClient(port))
            {
                for (int w = 0; w < writers; w++)
                {
                    final long last = acknowledged.get(w);
                    if (last >= 0)
                    {
                        assertEquals("$" + String.valueOf(last).length() + "\r\n" + last + "\r\n",
                            check.call("GET", "w" + w + ":" + last), "round " + round + ": writer " + w +
                                "'s acknowledged write " + last + " was lost");
                    }
                }
            }
            killUnderWriters(port, writers, random, (client, writer) ->
            {
                final long n = next[writer];
                if (!"+OK\r\n".equals(client.call("SET", "w" + writer + ":" + n, String.valueOf(n))))
                {
                    return false;
                }
                acknowledged.set(writer, n);
                next[writer] = n + 1;
                return true;
            });
        }
        long total = 0;
        for (int w = 0; w < writers; w++)
        {
            total += acknowledged.get(w) + 1;
        }
        assertTrue(total > 100, "too few writes to mean anything: " + total);
        // the last round's acknowledged writes, after the last kill
        final int port = start("--appendonly", "yes", "--appendfsync", "always");
        try (RawRespClient check = new RawRespClient(port))
        {
            // a write may have been made durable and not acknowledged (killed before its reply): one per writer
            final long size = Long.parseLong(check.call("DBSIZE").trim().substring(1));
            assertTrue(size >= total && size <= total + writers, "DBSIZE " + size + " for " + total + " acknowledged");
            for (int w = 0; w < writers; w++)
            {
                final long last = acknowledged.get(w);
                assertEquals("$" + String.valueOf(last).length() + "\r\n" + last + "\r\n", check.call("GET", "w" + w + ":" + last));
            }
        }
    }

    /**
     * Transactions are replayed whole or not at all: writers run MULTI, INCR a, SET of a 40 KB value, INCR b,
     * EXEC, and the server is killed under them. The value passes the AOF's 32 KB staging, so each transaction
     * reaches the file in two copies with the loop's work between them; a kill there leaves a cut transaction
     * for the loader to drop (rare: the run prints how many starts dropped one). After each restart a equals b
     * for every writer, and covers every acknowledged EXEC.
     */
    @Test
    void shouldReplayTransactionsWholeOrNotAtAllAfterKill9() throws Exception
    {
        final long seed = Long.getLong("keel.seed", System.nanoTime());
        System.out.println("shouldReplayTransactionsWholeOrNotAtAllAfterKill9 seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        final int writers = 3;
        final AtomicLongArray acknowledged = new AtomicLongArray(writers);
        final String big = "v".repeat(40 * 1024);
        int reverted = 0;
        for (int round = 0; round < 4; round++)
        {
            final int port = start("--appendonly", "yes", "--appendfsync", "always");
            if (Launched.output(process).contains("Revert incomplete MULTI/EXEC transaction"))
            {
                reverted++;
            }
            try (RawRespClient check = new RawRespClient(port))
            {
                for (int w = 0; w < writers; w++)
                {
                    final String a = check.call("GET", "a" + w);
                    final String b = check.call("GET", "b" + w);
                    assertEquals(a, b, "round " + round + ": writer " + w + "'s transaction was replayed in part");
                    final long value = a.startsWith("$-1") ? 0 : Long.parseLong(a.split("\r\n")[1]);
                    assertTrue(value >= acknowledged.get(w), "round " + round + ": writer " + w + " had " +
                        acknowledged.get(w) + " transactions acknowledged, the data holds " + value);
                    acknowledged.set(w, value); // one more may have been durable, not acknowledged
                }
            }
            killUnderWriters(port, writers, random, (client, writer) ->
            {
                client.send("MULTI");
                client.send("INCR", "a" + writer);
                client.send("SET", "big" + writer, big);
                client.send("INCR", "b" + writer);
                client.send("EXEC");
                client.readReply();
                client.readReply();
                client.readReply();
                client.readReply();
                final String exec = client.readReply();
                if (!exec.startsWith("*3\r\n:"))
                {
                    return false;
                }
                acknowledged.set(writer, Long.parseLong(exec.split("\r\n")[1].substring(1)));
                return true;
            });
        }
        long total = 0;
        for (int w = 0; w < writers; w++)
        {
            total += acknowledged.get(w);
        }
        assertTrue(total > 30, "too few transactions to mean anything: " + total);
        System.out.println("transactions acknowledged " + total + "; starts that dropped a cut transaction: " + reverted);
        final int port = start("--appendonly", "yes", "--appendfsync", "always");
        try (RawRespClient check = new RawRespClient(port))
        {
            for (int w = 0; w < writers; w++)
            {
                assertEquals(check.call("GET", "a" + w), check.call("GET", "b" + w), "writer " + w);
            }
        }
    }

    @Test
    void shouldMakeTheSnapshotTheBaseWhenTheAofIsTurnedOnAtStart() throws Exception
    {
        int port = start();
        final String digest;
        try (RawRespClient client = new RawRespClient(port))
        {
            client.call("DEBUG", "POPULATE", "10000");
            assertEquals("+OK\r\n", client.call("SAVE"));
            digest = client.call("DEBUG", "DIGEST");
        }
        kill9();
        // Redis 7.0.15 would start empty here and drop the snapshot's data at its first rewrite
        port = start("--appendonly", "yes");
        final String after;
        try (RawRespClient client = new RawRespClient(port))
        {
            assertEquals(digest, client.call("DEBUG", "DIGEST"), "the snapshot was not loaded");
            assertEquals("aof_enabled:1", field(client, "aof_enabled"));
            client.call("SET", "after", "1");
            client.call("DEL", "key:1");
            after = client.call("DEBUG", "DIGEST");
        }
        assertTrue(Files.exists(dir.resolve("appendonlydir").resolve("appendonly.aof.1.base.rdb")));
        assertTrue(Files.readString(dir.resolve("appendonlydir").resolve("appendonly.aof.manifest"))
            .contains("file appendonly.aof.1.base.rdb seq 1 type b\n"));
        kill9();
        Files.delete(dir.resolve("dump.rdb")); // the AOF alone holds the data now
        port = start("--appendonly", "yes");
        try (RawRespClient client = new RawRespClient(port))
        {
            assertEquals(after, client.call("DEBUG", "DIGEST"), "the base and the writes after it");
        }
    }

    @Test
    void shouldCutATornTailWhenAllowedAndRefuseToStartWhenNot() throws Exception
    {
        int port = start("--appendonly", "yes");
        final String digest;
        try (RawRespClient client = new RawRespClient(port))
        {
            client.call("SET", "a", "1");
            client.call("SET", "b", "2");
            digest = client.call("DEBUG", "DIGEST");
            client.sendRaw(new String(RawRespClient.request("SHUTDOWN", "NOSAVE"), StandardCharsets.US_ASCII));
        }
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        process = null;
        final long clean = Files.size(incr(1));
        Files.write(incr(1), "*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);

        final int refusedPort = freePort();
        final Process refused = launch("--port", String.valueOf(refusedPort), "--dir", dir.toString(), "--save", "",
            "--appendonly", "yes", "--aof-load-truncated", "no");
        assertTrue(refused.waitFor(120, TimeUnit.SECONDS), "a torn AOF was served with aof-load-truncated no");
        assertEquals(1, refused.exitValue());
        assertTrue(output(refused).contains("Unexpected end of file"), output(refused));

        port = start("--appendonly", "yes", "--enable-debug-command", "yes");
        try (RawRespClient client = new RawRespClient(port))
        {
            assertEquals(digest, client.call("DEBUG", "DIGEST"));
            assertTrue(output(process).contains("loaded anyway because aof-load-truncated is enabled"), output(process));
            client.call("SET", "c", "3");
        }
        kill9();
        assertTrue(Files.size(incr(1)) > clean, "appending goes on after the cut");
        port = start("--appendonly", "yes");
        try (RawRespClient client = new RawRespClient(port))
        {
            assertEquals("$1\r\n3\r\n", client.call("GET", "c"));
        }
    }

    private void awaitExit(final Process p, final String why) throws Exception
    {
        if (!p.waitFor(60, TimeUnit.SECONDS))
        {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // no server outlives the test
            fail(why + ": still running\n" + output(p));
        }
    }

    @Test
    void shouldRefuseWritesWithMisconfWhenTheDiskFillsUnderEverysecAndExitUnderAlways() throws Exception
    {
        // ulimit -f of 96 MiB: the first 64 MiB chunk of the incremental file fits, the second cannot be reserved
        for (final String policy : new String[] {"everysec", "always"})
        {
            deleteTree(dir);
            Files.createDirectories(dir);
            final int port = freePort();
            process = launchWithFileLimit(96 * 1024, "--port", String.valueOf(port), "--dir", dir.toString(),
                "--save", "", "--appendonly", "yes", "--appendfsync", policy);
            awaitPing(port, process);
            final String value = "v".repeat(4_000);
            String refused = null;
            try (RawRespClient client = new RawRespClient(port))
            {
                for (int i = 0; i < 30_000 && refused == null; i++)
                {
                    final String reply = client.call("SET", "key:" + i, value);
                    if (!"+OK\r\n".equals(reply))
                    {
                        refused = reply;
                    }
                }
                if ("everysec".equals(policy))
                {
                    assertNotNull(refused, "64 MiB of writes were all accepted past the file size limit");
                    assertTrue(refused.startsWith("-MISCONF Errors writing to the AOF file: "), refused);
                    assertEquals("$4000\r\n" + value + "\r\n", client.call("GET", "key:0"), "reads go on");
                    assertTrue(client.call("INFO", "persistence").contains("aof_last_write_status:err"));
                    Thread.sleep(1_500); // cron ticks: no automatic rewrite may carry the unwritten commands off
                    final String again = client.call("SET", "again", "1");
                    assertTrue(again.startsWith("-MISCONF"), "still refused: " + again + "\n" + output(process));
                }
            }
            catch (final java.io.IOException closed)
            {
                assertEquals("always", policy, "the connection closed under " + policy + ": " + output(process));
            }
            if ("always".equals(policy))
            {
                awaitExit(process, "under appendfsync always a failed AOF write must stop the server");
                assertEquals(1, process.exitValue());
                assertTrue(output(process).contains("Can't recover from AOF write error when the AOF fsync policy " +
                    "is 'always'. Exiting..."), output(process));
                process = null;
                // and what was acknowledged before is there after a restart (without the limit)
                final int again = start("--appendonly", "yes");
                try (RawRespClient client = new RawRespClient(again))
                {
                    assertEquals("$4000\r\n" + value + "\r\n", client.call("GET", "key:0"));
                }
            }
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            process = null;
        }
    }

    @Test
    void shouldRefuseToStartOnADamagedDirectoryNamingTheFile() throws Exception
    {
        int port = start("--appendonly", "yes");
        try (RawRespClient client = new RawRespClient(port))
        {
            for (int i = 0; i < 100; i++)
            {
                client.call("SET", "k" + i, "v" + i);
            }
        }
        kill9();
        final Path aofDir = dir.resolve("appendonlydir");
        final Path manifest = aofDir.resolve("appendonly.aof.manifest");
        final String goodManifest = Files.readString(manifest);
        final byte[] goodIncr = Files.readAllBytes(incr(1));

        // garbage in the middle of the last file: not a torn tail, the start stops, naming file and offset
        final byte[] garbage = goodIncr.clone();
        garbage[200] = '!'; // among the commands (the file is followed by the zeros of its chunk)
        Files.write(incr(1), garbage);
        assertRefused("appendonly.aof.1.incr.aof", "Bad file format");
        Files.write(incr(1), goodIncr);

        // a manifest naming a file that is not there
        Files.writeString(manifest, goodManifest + "file appendonly.aof.2.incr.aof seq 2 type i\n");
        assertRefused("appendonly.aof.2.incr.aof");
        // a bad manifest line
        Files.writeString(manifest, goodManifest + "file appendonly.aof.3.incr.aof seq\n");
        assertRefused("Invalid AOF manifest file format");
        // a missing base
        Files.writeString(manifest, goodManifest);
        final Path base = aofDir.resolve("appendonly.aof.1.base.rdb");
        final byte[] goodBase = Files.readAllBytes(base);
        Files.delete(base);
        assertRefused("appendonly.aof.1.base.rdb");
        Files.write(base, goodBase);

        // an unfinished MULTI at the tail is dropped (KeelKV writes none, Redis may have): after the commands,
        // so first without the zeros a kill leaves after them in the chunk
        int commandsEnd = 0;
        while (commandsEnd < goodIncr.length && goodIncr[commandsEnd] != 0)
        {
            commandsEnd++;
        }
        Files.write(incr(1), java.util.Arrays.copyOf(goodIncr, commandsEnd));
        Files.write(incr(1), "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nz\r\n$1\r\n1\r\n"
            .getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);
        port = start("--appendonly", "yes");
        try (RawRespClient client = new RawRespClient(port))
        {
            assertEquals(":100\r\n", client.call("DBSIZE"), "the commands before the MULTI, nothing of it");
        }
        assertTrue(output(process).contains("MULTI"), output(process));
    }

    private void assertRefused(final String... expected) throws Exception
    {
        final Process refused = launch("--port", String.valueOf(freePort()), "--dir", dir.toString(), "--save", "",
            "--appendonly", "yes");
        awaitExit(refused, "a damaged AOF was served");
        assertEquals(1, refused.exitValue(), output(refused));
        for (final String part : expected)
        {
            assertTrue(output(refused).contains(part), "expected \"" + part + "\" in:\n" + output(refused));
        }
    }

    private static Process startRedis(final Path redisDir, final int port) throws Exception
    {
        final Process redis = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
            "--dir", redisDir.toString(), "--save", "", "--appendonly", "yes", "--appendfsync", "always",
            "--enable-debug-command", "yes").redirectErrorStream(true)
            .redirectOutput(redisDir.resolve("redis.log").toFile()).start();
        awaitPing(port, redis);
        return redis;
    }

    @Test
    void shouldHoldTheSameDataAsRedisServerAfterBothAreKilledUnderAlways() throws Exception
    {
        RedisOracle.requireTool("redis-server", "redis-server");
        final long seed = Long.getLong("keel.seed", System.nanoTime());
        System.out.println("shouldHoldTheSameDataAsRedisServerAfterBothAreKilledUnderAlways seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        final Path redisDir = Files.createTempDirectory("keel-aof-redis");
        final int redisPort = freePort();
        Process redis = startRedis(redisDir, redisPort);
        try
        {
            int port = start("--appendonly", "yes", "--appendfsync", "always");
            final String digest;
            try (RawRespClient keel = new RawRespClient(port); RawRespClient oracle = new RawRespClient(redisPort))
            {
                for (int i = 0; i < 3_000; i++)
                {
                    final String[] command = randomWrite(random);
                    final String expected = oracle.call(command);
                    assertEquals(expected, keel.call(command), "seed " + seed + ": " + String.join(" ", command));
                }
                digest = oracle.call("DEBUG", "DIGEST");
                assertEquals(digest, keel.call("DEBUG", "DIGEST"), "seed " + seed + ": before the kill");
            }
            kill9();
            redis.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL, as kill -9
            redis = startRedis(redisDir, redisPort);
            port = start("--appendonly", "yes", "--appendfsync", "always");
            try (RawRespClient keel = new RawRespClient(port); RawRespClient oracle = new RawRespClient(redisPort))
            {
                assertEquals(digest, oracle.call("DEBUG", "DIGEST"), "redis-server after its kill");
                assertEquals(digest, keel.call("DEBUG", "DIGEST"), "seed " + seed + ": KeelKV after its kill");
            }
        }
        finally
        {
            redis.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            deleteTree(redisDir);
        }
    }

    /** A write whose AOF form must be deterministic: relative times, floats, rewrites Redis makes. */
    private static String[] randomWrite(final SplittableRandom random)
    {
        final String k = "k" + random.nextInt(30);
        final String v = "v" + random.nextInt(1_000);
        switch (random.nextInt(16))
        {
            case 0: return new String[] {"SET", k, v};
            case 1: return new String[] {"SET", k, v, "EX", String.valueOf(1_000 + random.nextInt(1_000))};
            case 2: return new String[] {"SET", k, v, "PX", String.valueOf(1_000_000 + random.nextInt(1_000)), "GET"};
            case 3: return new String[] {"INCR", "n" + random.nextInt(5)};
            case 4: return new String[] {"INCRBYFLOAT", "f" + random.nextInt(5), String.valueOf(random.nextInt(100) / 8.0)};
            case 5: return new String[] {"APPEND", k, v};
            case 6: return new String[] {"DEL", k, "k" + random.nextInt(30)};
            case 7: return new String[] {"EXPIRE", k, String.valueOf(500 + random.nextInt(500))};
            case 8: return new String[] {"PERSIST", k};
            case 9: return new String[] {"SETRANGE", k, String.valueOf(random.nextInt(8)), "zz"};
            case 10: return new String[] {"GETDEL", k};
            case 11: return new String[] {"MSET", k, v, "k" + random.nextInt(30), "w"};
            case 12: return new String[] {"SELECT", String.valueOf(random.nextInt(3))};
            case 13: return new String[] {"GETEX", k, "PX", String.valueOf(100_000 + random.nextInt(1_000))};
            case 14: return new String[] {"SETNX", k, v};
            default: return new String[] {"PEXPIREAT", k, String.valueOf(System.currentTimeMillis() + 3_600_000L)};
        }
    }

    @Test
    void shouldLoadEverythingAfterAKill9AtAnyPointOfARewrite() throws Exception
    {
        final long seed = Long.getLong("keel.seed", System.nanoTime());
        System.out.println("shouldLoadEverythingAfterAKill9AtAnyPointOfARewrite seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        int port = start("--appendonly", "yes", "--rdb-key-save-delay", "2000");
        try (RawRespClient client = new RawRespClient(port))
        {
            // DEBUG POPULATE is not logged (nor by Redis: it changes no dirty count): a first rewrite puts its
            // keys into the AOF's base
            client.call("DEBUG", "POPULATE", "100000");
            assertTrue(client.call("BGREWRITEAOF").startsWith("+Background append only file rewriting"));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!client.call("INFO", "persistence").contains("aof_rewrite_in_progress:0"))
            {
                assertTrue(System.nanoTime() < deadline, "the first rewrite did not end");
                Thread.sleep(20);
            }
        }
        for (int round = 0; round < 4; round++)
        {
            final String digest;
            try (RawRespClient client = new RawRespClient(port))
            {
                assertTrue(client.call("BGREWRITEAOF").startsWith("+Background append only file rewriting"));
                final long until = System.currentTimeMillis() + random.nextInt(700); // the rewrite takes ~0.5 s
                int i = 0;
                while (System.currentTimeMillis() < until)
                {
                    client.call("INCR", "counter");
                    client.call("SET", "key:" + random.nextInt(100_000), "round" + round + ":" + i++);
                    client.call("DEL", "key:" + random.nextInt(100_000));
                }
                digest = client.call("DEBUG", "DIGEST");
            }
            kill9(); // a write acknowledged before is in the page cache, which a kill -9 does not lose
            port = start("--appendonly", "yes", "--rdb-key-save-delay", "2000");
            try (RawRespClient client = new RawRespClient(port))
            {
                assertEquals(digest, client.call("DEBUG", "DIGEST"), "seed " + seed + ", round " + round);
            }
        }
    }
}
