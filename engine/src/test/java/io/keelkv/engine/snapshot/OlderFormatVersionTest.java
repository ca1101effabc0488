package io.keelkv.engine.snapshot;

import io.keelkv.engine.KeelEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import static io.keelkv.engine.snapshot.SnapshotTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A snapshot of format version 1 (before the score tree's node layouts changed) still loads when it holds no
 * sorted set in the skiplist encoding, so an upgrade keeps every string, hash, list, set and small sorted set;
 * one that holds such a set, live or still being freed, is refused whole, saying why, and nothing is loaded.
 */
class OlderFormatVersionTest
{
    private static final int PAGE = 16 * 1024;
    private static final int DATABASES = 3;
    private Path dir;
    private KeelEngine engine;

    @BeforeEach
    void setUp() throws Exception
    {
        dir = tempDir();
        engine = engine(PAGE, DATABASES);
    }

    @AfterEach
    void tearDown() throws Exception
    {
        engine.close();
        deleteTree(dir);
    }

    /** The file as the version before wrote it: the same pages, the version field 1, the header CRC again. */
    private static Path asVersion1(final Path file) throws Exception
    {
        final byte[] content = Files.readAllBytes(file);
        final ByteBuffer view = ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(SnapshotHeaderDescriptor.FORMAT_VERSION, view.getInt(SnapshotHeaderDescriptor.VERSION_OFFSET));
        view.putInt(SnapshotHeaderDescriptor.VERSION_OFFSET, 1);
        final CRC32C crc = new CRC32C();
        crc.update(content, 0, SnapshotHeaderDescriptor.HEADER_CRC_OFFSET);
        view.putInt(SnapshotHeaderDescriptor.HEADER_CRC_OFFSET, (int)crc.getValue());
        final Path older = file.resolveSibling("v1-" + file.getFileName());
        Files.write(older, content);
        return older;
    }

    @Test
    void shouldLoadAVersion1SnapshotWithoutBigSortedSets() throws Exception
    {
        final Path file = dir.resolve("dump.rdb");
        final String digest;
        try (KeelEngine source = engine(PAGE, DATABASES))
        {
            call(source, 0, "SET", "s", "v");
            call(source, 0, "HSET", "h", "f", "1");
            call(source, 1, "RPUSH", "l", "a", "b", "c");
            call(source, 0, "SADD", "set", "1", "2", "x");
            call(source, 0, "ZADD", "small", "1", "a", "2", "b"); // a listpack: no score tree
            source.save(file);
            digest = digest(source);
        }
        engine.load(asVersion1(file));
        assertEquals(digest, digest(engine));
        assertTrue(call(engine, 0, "OBJECT", "ENCODING", "small").contains("listpack"));
    }

    @Test
    void shouldRefuseAVersion1SnapshotHoldingASkiplistSortedSetAndLoadNothing() throws Exception
    {
        final Path file = dir.resolve("dump.rdb");
        try (KeelEngine source = engine(PAGE, DATABASES))
        {
            call(source, 0, "SET", "s", "v");
            for (int i = 0; i < 200; i++)
            {
                call(source, 2, "ZADD", "big", String.valueOf(i), "m" + i);
            }
            source.save(file);
        }
        final Path older = asVersion1(file);
        final SnapshotException ex = assertThrows(SnapshotException.class, () -> engine.load(older));
        assertTrue(ex.getMessage().contains(older.toString()) && ex.getMessage().contains("format version 1") &&
            ex.getMessage().contains("holds 1 sorted set in the skiplist encoding"), ex.getMessage());
        assertEquals(0, engine.keyspace().totalKeys(), "half-loaded");
        assertEquals(0, engine.memory().pagesInUse(), "pages left behind");
        engine.load(file); // the same data as version 2 loads
        assertEquals(2, engine.keyspace().totalKeys());
    }

    @Test
    void shouldRefuseAVersion1SnapshotTakenWhileASkiplistSortedSetWasBeingFreed() throws Exception
    {
        final Path file = dir.resolve("dump.rdb");
        try (KeelEngine source = engine(PAGE, DATABASES))
        {
            call(source, 0, "SET", "s", "v");
            for (int i = 0; i < 5_000; i++)
            {
                call(source, 0, "ZADD", "big", String.valueOf(i), "member:" + i);
            }
            call(source, 0, "DEL", "big");
            assertEquals(1, source.lazyFree().pendingObjects(), "a big sorted set is freed in steps");
            source.save(file);
        }
        final SnapshotException ex = assertThrows(SnapshotException.class, () -> engine.load(asVersion1(file)));
        assertTrue(ex.getMessage().contains("holds 1 sorted set in the skiplist encoding"), ex.getMessage());
        assertEquals(0, engine.keyspace().totalKeys());
        assertEquals(0, engine.memory().pagesInUse());
    }

    @Test
    void shouldRefuseFormatVersionsItDoesNotKnow() throws Exception
    {
        final Path file = dir.resolve("dump.rdb");
        try (KeelEngine source = engine(PAGE, DATABASES))
        {
            call(source, 0, "SET", "s", "v");
            source.save(file);
        }
        for (final int version : new int[] {0, SnapshotHeaderDescriptor.FORMAT_VERSION + 1})
        {
            final byte[] content = Files.readAllBytes(file);
            final ByteBuffer view = ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN);
            view.putInt(SnapshotHeaderDescriptor.VERSION_OFFSET, version);
            final CRC32C crc = new CRC32C();
            crc.update(content, 0, SnapshotHeaderDescriptor.HEADER_CRC_OFFSET);
            view.putInt(SnapshotHeaderDescriptor.HEADER_CRC_OFFSET, (int)crc.getValue());
            final Path crafted = dir.resolve("v" + version + ".rdb");
            Files.write(crafted, content);
            final SnapshotException ex = assertThrows(SnapshotException.class, () -> engine.load(crafted));
            assertTrue(ex.getMessage().contains("format version " + version) &&
                ex.getMessage().contains("reads format versions 1 to " + SnapshotHeaderDescriptor.FORMAT_VERSION),
                ex.getMessage());
        }
    }
}
