package io.keelkv.engine.snapshot;

import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.keyspace.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static io.keelkv.engine.snapshot.SnapshotTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Save and load through the engine: the same dataset (DEBUG DIGEST, and every key, value, TTL and type),
 * the same allocator and index state, and an engine that goes on exactly as the original would.
 */
class SnapshotRoundTripTest
{
    private static final int PAGE = 16 * 1024;
    private static final int DATABASES = 4;

    private Path dir;
    private KeelEngine original;
    private KeelEngine loaded;

    @BeforeEach
    void setUp() throws Exception
    {
        dir = tempDir();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (original != null)
        {
            original.close();
        }
        if (loaded != null)
        {
            loaded.close();
        }
        deleteTree(dir);
    }

    @Test
    void shouldRestoreTheSameDatasetAndAllocatorStateAndGoOnIdentically() throws Exception
    {
        final long seed = seed();
        final SplittableRandom random = new SplittableRandom(seed);
        original = engine(PAGE, DATABASES);
        randomOps(original, random, 20_000, DATABASES, 5_000, PAGE);
        // deletes leave pages with free blocks and partial lists; a database mid-rehash too
        final Database rehashing = original.keyspace().database(DATABASES - 1);
        int i = 0;
        while (!rehashing.isRehashing())
        {
            call(original, DATABASES - 1, "SET", "grow:" + i++, "v");
        }
        assertTrue(original.memory().pagesInUse() > 50, "too small a dataset to mean anything");
        final String digest = digest(original);
        final List<String> dump = dump(original);
        final String state = allocatorState(original);

        final Path file = dir.resolve("dump.rdb");
        final SnapshotWriter.Result saved = original.save(file);
        assertEquals(original.memory().pagesInUse(), saved.frames);
        assertEquals(Files.size(file), saved.fileBytes);
        assertFalse(Files.exists(SnapshotWriter.tempFileFor(file)), "the temp file is left behind");
        assertEquals(0, original.snapshots().changesSinceLastSave());

        loaded = engine(PAGE, DATABASES);
        final SnapshotReader.Result result = loaded.load(file);
        assertEquals(original.keyspace().totalKeys(), result.keys);
        assertEquals(digest, digest(loaded));
        assertEquals(dump, dump(loaded));
        assertEquals(state, allocatorState(loaded));
        assertTrue(loaded.keyspace().database(DATABASES - 1).isRehashing(), "the rehash in progress was lost");

        // the same history from here on must give the same dataset and the same allocator decisions
        final long more = random.nextLong();
        randomOps(original, new SplittableRandom(more), 20_000, DATABASES, 8_000, PAGE);
        randomOps(loaded, new SplittableRandom(more), 20_000, DATABASES, 8_000, PAGE);
        assertEquals(digest(original), digest(loaded));
        assertEquals(dump(original), dump(loaded));
        assertEquals(allocatorState(original), allocatorState(loaded));

        // and deleting everything returns every page, so no block was lost or counted twice
        call(loaded, 0, "FLUSHALL");
        assertEquals(0, loaded.memory().pagesInUse());
        assertEquals(0, loaded.memory().allocatedBytes());
    }

    @Test
    void shouldLoadTheSameDatasetWithOrWithoutThePrefaultThread() throws Exception
    {
        final long seed = seed();
        final SplittableRandom random = new SplittableRandom(seed);
        original = engine(PAGE, 1);
        // past two regions of page memory (PageBacking.REGION_PAGES pages each), with spans among the slab pages
        for (int i = 0; i < 20_000; i++)
        {
            final int length = i % 500 == 0 ? 3 * PAGE + random.nextInt(PAGE) : 1 + random.nextInt(4_000);
            call(original, 0, bytes("SET"), bytes("k:" + i), value(random, length));
        }
        assertTrue(original.memory().pagesInUse() > 2 * 512, "under two regions of 512 pages: " + original.memory().pagesInUse());
        final String digest = digest(original);
        final Path file = dir.resolve("dump.rdb");
        original.save(file);

        for (final boolean prefault : new boolean[] {true, false})
        {
            try (KeelEngine engine = engine(PAGE, 1, prefault))
            {
                final SnapshotReader.Result result = engine.load(file);
                assertEquals(digest, digest(engine), "prefault " + prefault);
                assertTrue(result.prefaultedBytes >= 0 && result.prefaultedBytes <= engine.memory().pagesInUseBytes(),
                    "prefaulted " + result.prefaultedBytes);
                if (!prefault)
                {
                    assertEquals(0, result.prefaultedBytes);
                }
                assertEquals(result.elapsedNs, result.rootNs + result.mapNs + result.framesNs + result.checksNs);

                // a load refused after its frames began, while the prefault thread runs, leaves nothing behind
                call(engine, 0, "FLUSHALL"); // the engine is reused: a load needs it empty
                final byte[] damaged = Files.readAllBytes(file);
                damaged[damaged.length - SnapshotTrailerDescriptor.TRAILER_LENGTH - 2] ^= 0x40;
                final Path bad = dir.resolve("bad.rdb");
                Files.write(bad, damaged);
                assertThrows(SnapshotException.class, () -> engine.load(bad));
                assertEquals(0, engine.memory().pagesInUse());
                engine.load(file);
                assertEquals(digest, digest(engine), "prefault " + prefault + ", after a refusal");
            }
        }
    }

    @Test
    void shouldFreeEveryPageWhenLoadedKeysAreDeletedOneByOne() throws Exception
    {
        final long seed = seed();
        original = engine(PAGE, 2);
        randomOps(original, new SplittableRandom(seed), 5_000, 2, 2_000, PAGE);
        final Path file = dir.resolve("dump.rdb");
        original.save(file);
        loaded = engine(PAGE, 2);
        loaded.load(file);
        for (int db = 0; db < 2; db++)
        {
            for (int k = 0; k < 2_000; k++)
            {
                call(loaded, db, "DEL", "k:" + k);
                call(loaded, db, "DEL", "h:" + k); // randomOps's hashes
                call(loaded, db, "DEL", "s:" + k); // and sets
                call(loaded, db, "DEL", "l:" + k); // and lists
                call(loaded, db, "DEL", "z:" + k); // and sorted sets
            }
            while (loaded.keyspace().database(db).isRehashing())
            {
                loaded.keyspace().database(db).rehash(100);
            }
        }
        assertEquals(0, loaded.keyspace().totalKeys());
        // what is left is the (empty) bucket tables and the one volatile segment each keeps: nothing of the entries
        long kept = 0;
        final io.keelkv.engine.keyspace.DatabaseRoots roots = new io.keelkv.engine.keyspace.DatabaseRoots();
        for (int db = 0; db < 2; db++)
        {
            kept += loaded.memory().blockBytes(loaded.keyspace().database(db).tableBytes());
            loaded.keyspace().database(db).captureRoots(roots);
            kept += (long)roots.segmentCount() * PAGE;
        }
        assertEquals(kept, loaded.memory().allocatedBytes());
    }

    @Test
    void shouldRoundTripAnEmptyEngine() throws Exception
    {
        original = engine(PAGE, 16);
        final Path file = dir.resolve("dump.rdb");
        original.save(file);
        loaded = engine(PAGE, 16);
        assertEquals(0, loaded.load(file).keys);
        assertEquals(digest(original), digest(loaded));
        assertEquals("+OK\r\n", call(loaded, 5, "SET", "a", "b"));
        assertEquals("$1\r\nb\r\n", call(loaded, 5, "GET", "a"));
    }

    @Test
    void shouldReplaceThePreviousSnapshotAtomically() throws Exception
    {
        original = engine(PAGE, 2);
        final Path file = dir.resolve("dump.rdb");
        call(original, 0, "SET", "generation", "1");
        original.save(file);
        call(original, 0, "SET", "generation", "2");
        original.save(file);
        loaded = engine(PAGE, 2);
        loaded.load(file);
        assertEquals("$1\r\n2\r\n", call(loaded, 0, "GET", "generation"));
        try (java.util.stream.Stream<Path> files = Files.list(dir))
        {
            assertEquals(List.of(file), files.toList(), "only the snapshot itself is left in dir");
        }
    }

    @Test
    void shouldLoadIntoAServerWithMoreDatabases() throws Exception
    {
        original = engine(PAGE, 2);
        call(original, 1, "SET", "a", "1");
        final Path file = dir.resolve("dump.rdb");
        original.save(file);
        loaded = engine(PAGE, 16);
        loaded.load(file);
        assertEquals("$1\r\n1\r\n", call(loaded, 1, "GET", "a"));
        assertEquals(digest(original), digest(loaded));
    }
}
