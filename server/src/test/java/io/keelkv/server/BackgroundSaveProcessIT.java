package io.keelkv.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.keelkv.server.Launched.*;
import static io.keelkv.server.SnapshotCommandTest.deleteTree;
import static io.keelkv.server.SnapshotCommandTest.field;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The background snapshot in the real process, started by bin/keel-server: kill -9 at random points of a
 * BGSAVE, a disk that fills during one, SIGTERM during one, and the point in time surviving a kill -9.
 * A slowed save (rdb-key-save-delay, microseconds per page) leaves time to act while it runs.
 */
class BackgroundSaveProcessIT
{
    private Path dir;
    private Process process;

    @BeforeEach
    void setUp() throws Exception
    {
        dir = Files.createTempDirectory("keel-bgsave-it");
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
        final String[] args = new String[extra.length + 6];
        args[0] = "--port";
        args[1] = String.valueOf(port);
        args[2] = "--dir";
        args[3] = dir.toString();
        args[4] = "--enable-debug-command";
        args[5] = "yes";
        System.arraycopy(extra, 0, args, 6, extra.length);
        process = launch(args);
        awaitPing(port, process);
        return port;
    }

    private void kill9() throws Exception
    {
        signal(process, "KILL");
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        process = null;
    }

    private static void awaitSaveEnd(final RawRespClient client) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!field(client, "rdb_bgsave_in_progress").endsWith(":0"))
        {
            assertTrue(System.nanoTime() < deadline, "the background save did not end");
            Thread.sleep(20);
        }
    }

    @Test
    void shouldLeaveALoadableSnapshotWhenKilledAtAnyPointOfABackgroundSave() throws Exception
    {
        final long seed = Long.getLong("keel.seed", System.nanoTime());
        System.out.println("shouldLeaveALoadableSnapshotWhenKilledAtAnyPointOfABackgroundSave seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        int port = start("--rdb-key-save-delay", "1500");
        String saved;
        try (RawRespClient client = new RawRespClient(port))
        {
            client.call("DEBUG", "POPULATE", "200000");
            assertEquals("+OK\r\n", client.call("SAVE"));
            saved = client.call("DEBUG", "DIGEST");
        }
        for (int round = 0; round < 3; round++)
        {
            final String next;
            try (RawRespClient client = new RawRespClient(port))
            {
                assertEquals(saved, client.call("DEBUG", "DIGEST"), "round " + round + ": the last snapshot loaded");
                client.call("SET", "round", String.valueOf(round));
                client.call("DEL", "key:" + round);
                next = client.call("DEBUG", "DIGEST");
                assertEquals("+Background saving started\r\n", client.call("BGSAVE"));
                Thread.sleep(random.nextInt(600)); // the save takes about half a second here
                final boolean finished = field(client, "rdb_bgsave_in_progress").endsWith(":0");
                kill9();
                port = start("--rdb-key-save-delay", "1500");
                try (RawRespClient again = new RawRespClient(port))
                {
                    final String loaded = again.call("DEBUG", "DIGEST");
                    assertTrue(loaded.equals(saved) || loaded.equals(next), "round " + round + ": neither snapshot");
                    if (finished)
                    {
                        assertEquals(next, loaded, "round " + round + ": a finished save was lost");
                    }
                    saved = loaded;
                }
            }
        }
    }

    @Test
    void shouldKeepThePointInTimeAcrossAKill9AfterTheSave() throws Exception
    {
        final int port = start("--rdb-key-save-delay", "500");
        final String digest;
        try (RawRespClient client = new RawRespClient(port))
        {
            client.call("DEBUG", "POPULATE", "100000");
            digest = client.call("DEBUG", "DIGEST");
            assertEquals("+Background saving started\r\n", client.call("BGSAVE"));
            final StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 100_000; i++)
            {
                batch.append(new String(RawRespClient.request("SET", "key:" + i, "overwritten"),
                    java.nio.charset.StandardCharsets.US_ASCII));
                if (batch.length() > 1 << 16 || i == 99_999)
                {
                    client.sendRaw(batch.toString());
                    batch.setLength(0);
                }
            }
            for (int i = 0; i < 100_000; i++)
            {
                assertEquals("+OK\r\n", client.readReply());
            }
            awaitSaveEnd(client);
            assertEquals("rdb_last_bgsave_status:ok", field(client, "rdb_last_bgsave_status"));
        }
        kill9();
        final int again = start();
        try (RawRespClient client = new RawRespClient(again))
        {
            assertEquals(digest, client.call("DEBUG", "DIGEST"));
        }
    }

    @Test
    void shouldReportAFullDiskRefuseWritesAndKeepThePreviousSnapshot() throws Exception
    {
        final int port = freePort();
        process = launchWithFileLimit(4096, "--port", String.valueOf(port), "--dir", dir.toString(),
            "--enable-debug-command", "yes", "--save", "3600 1000000");
        awaitPing(port, process);
        try (RawRespClient client = new RawRespClient(port))
        {
            client.call("SET", "small", "dataset");
            assertEquals("+OK\r\n", client.call("SAVE"));
            final byte[] previous = Files.readAllBytes(dir.resolve("dump.rdb"));
            client.call("DEBUG", "POPULATE", "300000", "key", "100"); // a file past 4 MiB
            assertEquals("+Background saving started\r\n", client.call("BGSAVE"));
            awaitSaveEnd(client);
            assertEquals("rdb_last_bgsave_status:err", field(client, "rdb_last_bgsave_status"));
            assertTrue(client.call("SET", "k", "v").startsWith("-MISCONF "), "writes refused while saving fails");
            assertTrue(client.call("GET", "small").startsWith("$7"), "reads served");
            assertArrayEquals(previous, Files.readAllBytes(dir.resolve("dump.rdb")), "the previous snapshot stays");
            try (java.util.stream.Stream<Path> files = Files.list(dir))
            {
                assertEquals(1, files.count(), "no temp file left");
            }
            assertTrue(output(process).contains("Background saving error"), output(process));
        }
    }

    @Test
    void shouldStopARunningSaveOnSigtermAndSaveTheLatestDataset() throws Exception
    {
        final int port = start("--rdb-key-save-delay", "20000", "--save", "3600 1000000");
        final String digest;
        try (RawRespClient client = new RawRespClient(port))
        {
            client.call("DEBUG", "POPULATE", "50000");
            assertEquals("+Background saving started\r\n", client.call("BGSAVE"));
            client.call("SET", "written", "during the save");
            digest = client.call("DEBUG", "DIGEST");
        }
        signal(process, "TERM");
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output(process));
        assertTrue(output(process).contains("There is a background save in progress. Stopping it!"), output(process));
        process = null;
        final int again = start();
        try (RawRespClient client = new RawRespClient(again))
        {
            assertEquals(digest, client.call("DEBUG", "DIGEST"));
        }
    }
}
