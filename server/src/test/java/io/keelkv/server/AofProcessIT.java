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
            final AtomicBoolean stop = new AtomicBoolean();
            final List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++)
            {
                final int writer = w;
                final Thread t = new Thread(() ->
                {
                    try (RawRespClient client = new RawRespClient(port))
                    {
                        while (!stop.get())
                        {
                            final long n = next[writer];
                            if (!"+OK\r\n".equals(client.call("SET", "w" + writer + ":" + n, String.valueOf(n))))
                            {
                                return;
                            }
                            acknowledged.set(writer, n);
                            next[writer] = n + 1;
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
}
