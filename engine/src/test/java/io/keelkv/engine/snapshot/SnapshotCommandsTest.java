package io.keelkv.engine.snapshot;

import io.keelkv.engine.KeelEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.keelkv.engine.snapshot.SnapshotTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** SAVE, LASTSAVE and DEBUG RELOAD through the dispatcher, replies as redis-server 7.0.15's. */
class SnapshotCommandsTest
{
    private static final int PAGE = 16 * 1024;

    private Path dir;
    private KeelEngine engine;
    private final List<String> events = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception
    {
        dir = tempDir();
        engine = engine(PAGE, 4);
        engine.snapshots().listener(new SnapshotListener()
        {
            @Override
            public void onSaved(final Path file, final SnapshotWriter.Result result)
            {
                events.add("saved " + result.keys);
            }

            @Override
            public void onSaveFailed(final Path file, final SnapshotException failure)
            {
                events.add("save failed " + failure.getMessage());
            }

            @Override
            public void onLoaded(final Path file, final SnapshotReader.Result result)
            {
                events.add("loaded " + result.keys);
            }

            @Override
            public void onLoadFailed(final Path file, final SnapshotException failure)
            {
                events.add("load failed " + failure.getMessage());
            }
        });
    }

    @AfterEach
    void tearDown() throws Exception
    {
        engine.close();
        deleteTree(dir);
    }

    @Test
    void shouldSaveResetTheChangeCountAndMoveLastsave() throws Exception
    {
        engine.snapshots().file(dir.resolve("dump.rdb"));
        engine.snapshots().lastSaveTimeSec(1);
        call(engine, 0, "SET", "a", "1");
        assertEquals(1, engine.snapshots().changesSinceLastSave());
        assertEquals("+OK\r\n", call(engine, 0, "SAVE"));
        assertEquals(0, engine.snapshots().changesSinceLastSave());
        assertTrue(Long.parseLong(call(engine, 0, "LASTSAVE").trim().substring(1)) >= System.currentTimeMillis() / 1000 - 5);
        assertEquals(1, engine.snapshots().saves());
        assertEquals(List.of("saved 1"), events);
        assertTrue(Files.size(dir.resolve("dump.rdb")) > 0);
        assertEquals("-ERR wrong number of arguments for 'save' command\r\n", call(engine, 0, "SAVE", "x"));
    }

    @Test
    void shouldAnswerABareErrAndKeepLastsaveWhenTheSaveFails() throws Exception
    {
        engine.snapshots().file(dir.resolve("missing-dir").resolve("dump.rdb"));
        engine.snapshots().lastSaveTimeSec(1);
        call(engine, 0, "SET", "a", "1");
        assertEquals("-ERR\r\n", call(engine, 0, "SAVE"));
        assertEquals(":1\r\n", call(engine, 0, "LASTSAVE"));
        assertEquals(1, engine.snapshots().changesSinceLastSave());
        assertEquals(1, engine.snapshots().saves(), "a failed SAVE counts in rdb_saves, as in Redis");
        assertTrue(engine.snapshots().lastBackgroundSaveOk(), "Redis 7.0 leaves rdb_last_bgsave_status alone when SAVE fails");
        assertEquals(1, events.size());
        assertTrue(events.get(0).contains("Failed opening the temp snapshot file dump.rdb.tmp-") &&
            events.get(0).contains("No such file or directory"), events.get(0));
    }

    @Test
    void shouldReloadTheSameDataset() throws Exception
    {
        engine.snapshots().file(dir.resolve("dump.rdb"));
        final long seed = seed();
        randomOps(engine, new SplittableRandom(seed), 3_000, 4, 1_000, PAGE);
        final String digest = digest(engine);
        final List<String> dump = dump(engine);
        assertEquals("+OK\r\n", call(engine, 0, "DEBUG", "RELOAD"));
        assertEquals(digest, digest(engine));
        assertEquals(dump, dump(engine));
        assertEquals(2, events.size());
        assertTrue(events.get(0).startsWith("saved ") && events.get(1).startsWith("loaded "), events.toString());

        // NOSAVE: the file as it was, whatever changed since
        call(engine, 2, "SET", "after", "the save");
        assertEquals("+OK\r\n", call(engine, 0, "DEBUG", "RELOAD", "NOSAVE"));
        assertEquals(digest, digest(engine));
        assertEquals("$-1\r\n", call(engine, 2, "GET", "after"));
    }

    @Test
    void shouldRefuseReloadOptionsItCannotHonour() throws Exception
    {
        engine.snapshots().file(dir.resolve("dump.rdb"));
        call(engine, 0, "SET", "a", "1");
        assertEquals("-ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.\r\n",
            call(engine, 0, "DEBUG", "RELOAD", "FOO"));
        assertTrue(call(engine, 0, "DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE").startsWith("-ERR DEBUG RELOAD NOFLUSH"));
        assertEquals("$1\r\n1\r\n", call(engine, 0, "GET", "a"));
        assertTrue(events.isEmpty(), events.toString());
    }

    @Test
    void shouldAnswerRedisErrorsWhenReloadFails() throws Exception
    {
        engine.snapshots().file(dir.resolve("nowhere").resolve("dump.rdb"));
        call(engine, 0, "SET", "a", "1");
        assertEquals("-ERR\r\n", call(engine, 0, "DEBUG", "RELOAD"), "a failed save keeps the data, as Redis");
        assertEquals("$1\r\n1\r\n", call(engine, 0, "GET", "a"));

        final Path file = dir.resolve("dump.rdb");
        Files.write(file, new byte[]{'R', 'E', 'D', 'I', 'S', '0', '0', '1', '0'});
        engine.snapshots().file(file);
        assertEquals("-ERR Error trying to load the RDB dump\r\n",
            call(engine, 0, "DEBUG", "RELOAD", "NOSAVE"));
        assertEquals(0, engine.keyspace().totalKeys());
        assertTrue(events.get(events.size() - 1).startsWith("load failed ") &&
            events.get(events.size() - 1).contains("Redis RDB"), events.toString());
    }
}
