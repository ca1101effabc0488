package io.keelkv.engine.snapshot;

import io.keelkv.engine.KeelEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import static io.keelkv.engine.snapshot.SnapshotTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Crafted files are refused with a message naming the file and the reason, and never half-loaded: the
 * engine is empty afterwards and still loads the good file, so a refusal leaves no allocator state behind.
 */
class SnapshotRefusalTest
{
    private static final int PAGE = 16 * 1024;
    private static final int DATABASES = 3;

    private Path dir;
    private Path good;
    private byte[] bytes;
    private String digest;
    private KeelEngine engine;

    @BeforeEach
    void setUp() throws Exception
    {
        dir = tempDir();
        good = dir.resolve("good.rdb");
        final long seed = seed();
        try (KeelEngine source = engine(PAGE, DATABASES))
        {
            randomOps(source, new SplittableRandom(seed), 3_000, DATABASES, 1_000, PAGE);
            source.save(good);
            digest = digest(source);
        }
        bytes = Files.readAllBytes(good);
        engine = engine(PAGE, DATABASES);
    }

    @AfterEach
    void tearDown() throws Exception
    {
        engine.close();
        deleteTree(dir);
    }

    /** Load {@code content}: refused with all of {@code expected} in the message, nothing loaded, good file loads. */
    private void assertRefused(final byte[] content, final String... expected) throws Exception
    {
        final Path file = dir.resolve("crafted.rdb");
        Files.write(file, content);
        final SnapshotException ex = assertThrows(SnapshotException.class, () -> engine.load(file));
        final String message = ex.getMessage();
        assertTrue(message.contains(file.toString()), message);
        for (final String part : expected)
        {
            assertTrue(message.contains(part), "expected \"" + part + "\" in: " + message);
        }
        assertEquals(0, engine.keyspace().totalKeys(), "half-loaded: " + message);
        assertEquals(0, engine.memory().pagesInUse(), "pages left behind: " + message);
        assertEquals(0, engine.memory().allocatedBytes(), "blocks left behind: " + message);
        engine.load(good);
        assertEquals(digest, digest(engine), "the good file does not load after the refusal of: " + message);
        call(engine, 0, "FLUSHALL");
    }

    private long rootBlockStart()
    {
        return SnapshotHeaderDescriptor.HEADER_LENGTH;
    }

    private long firstFrame()
    {
        return rootBlockStart() + le(bytes).getLong(SnapshotHeaderDescriptor.ROOT_BLOCK_LENGTH_OFFSET);
    }

    private static ByteBuffer le(final byte[] content)
    {
        return ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] flip(final byte[] content, final long offset)
    {
        final byte[] copy = content.clone();
        copy[(int)offset] ^= 0x5A;
        return copy;
    }

    private static void fixHeaderCrc(final byte[] content)
    {
        final CRC32C crc = new CRC32C();
        crc.update(content, 0, SnapshotHeaderDescriptor.HEADER_CRC_OFFSET);
        le(content).putInt(SnapshotHeaderDescriptor.HEADER_CRC_OFFSET, (int)crc.getValue());
    }

    @Test
    void shouldRefuseATruncatedFileAtEveryKindOfOffset() throws Exception
    {
        final long frames = firstFrame();
        final long[] cuts = {0, 5, 15, 16, 40, SnapshotHeaderDescriptor.HEADER_LENGTH,
            rootBlockStart() + 100, frames - 1, frames, frames + 10, frames + 5_000, bytes.length / 2,
            bytes.length - SnapshotTrailerDescriptor.TRAILER_LENGTH - 1,
            bytes.length - SnapshotTrailerDescriptor.TRAILER_LENGTH, bytes.length - 1};
        for (final long cut : cuts)
        {
            assertRefused(Arrays.copyOf(bytes, (int)cut), "Short read", "truncated");
        }
    }

    @Test
    void shouldRefuseAFlippedByteInAFrame() throws Exception
    {
        final long frame = firstFrame();
        assertRefused(flip(bytes, frame + PageFrameDescriptor.FRAME_HEADER_LENGTH + 3), "bad checksum in the frame of page");
        // a later frame: everything before it has been restored when the damage is found, and must be undone
        assertRefused(flip(bytes, bytes.length - SnapshotTrailerDescriptor.TRAILER_LENGTH - 2),
            "bad checksum in the frame of page");
        // the page number of the first frame: the frame no longer fits the page table or its CRC
        final byte[] renumbered = flip(bytes, frame + PageFrameDescriptor.PAGE_NUMBER_OFFSET);
        final SnapshotException ex = assertThrows(SnapshotException.class, () ->
        {
            Files.write(dir.resolve("x.rdb"), renumbered);
            engine.load(dir.resolve("x.rdb"));
        });
        assertTrue(ex.getMessage().contains("frame 0") || ex.getMessage().contains("bad checksum"), ex.getMessage());
        assertEquals(0, engine.memory().pagesInUse());
    }

    @Test
    void shouldRefuseAFlippedByteInTheRootBlock() throws Exception
    {
        // a page record, a bitmap word and the database roots near its end
        assertRefused(flip(bytes, rootBlockStart() + RootBlockDescriptor.pageRecordOffset(engine.memory().sizeClassCount(), 3) +
            RootBlockDescriptor.PAGE_LIVE_OFFSET), "bad root block checksum");
        assertRefused(flip(bytes, firstFrame() - RootBlockDescriptor.CRC_LENGTH - 20), "bad root block checksum");
    }

    @Test
    void shouldRefuseARootBlockThatDoesNotDescribeSoundMemoryEvenWithGoodChecksums() throws Exception
    {
        final int classes = engine.memory().sizeClassCount();
        final int limit = le(bytes).getInt(SnapshotHeaderDescriptor.PAGE_NUMBER_LIMIT_OFFSET);
        int slab = -1;
        for (int page = 1; page < limit && slab < 0; page++)
        {
            if (bytes[(int)(rootBlockStart() + RootBlockDescriptor.pageRecordOffset(classes, page))] == 1)
            {
                slab = page;
            }
        }
        assertTrue(slab > 0, "no slab page in the test file");
        final byte[] deadSlab = bytes.clone();
        le(deadSlab).putInt((int)(rootBlockStart() + RootBlockDescriptor.pageRecordOffset(classes, slab) +
            RootBlockDescriptor.PAGE_LIVE_OFFSET), 0);
        assertRefused(reseal(deadSlab), "cannot be restored", "page " + slab, "live count 0");

        final byte[] freeButUsed = bytes.clone();
        final int word = (int)(rootBlockStart() + RootBlockDescriptor.bitmapOffset(classes, limit) + (slab >>> 6) * 8L);
        le(freeButUsed).putLong(word, le(freeButUsed).getLong(word) | 1L << slab);
        assertRefused(reseal(freeButUsed), "cannot be restored", "disagrees with the free page-number bitmap");

        final byte[] badTable = bytes.clone();
        le(badTable).putLong((int)(rootBlockStart() + RootBlockDescriptor.databasesOffset(classes, limit) +
            RootBlockDescriptor.DB_TABLE0_OFFSET), 12345);
        assertRefused(reseal(badTable), "database roots do not fit", "database 0", "table 0");
    }

    @Test
    void shouldRefuseDroppedCollectionsToFreeThatDoNotFitThePages() throws Exception
    {
        // a file whose instant caught a lazy free: a 200-field hashtable deleted, its root in the root block
        final Path pendingFile = dir.resolve("pending.rdb");
        try (KeelEngine source = engine(PAGE, DATABASES))
        {
            for (int i = 0; i < 200; i++)
            {
                call(source, 0, "HSET", "big", "field:" + i, "x".repeat(80));
            }
            call(source, 0, "SET", "kept", "v");
            call(source, 0, "DEL", "big");
            assertEquals(1, source.lazyFree().pendingObjects());
            source.save(pendingFile);
        }
        final byte[] pending = Files.readAllBytes(pendingFile);
        final int rootLength = (int)le(pending).getLong(SnapshotHeaderDescriptor.ROOT_BLOCK_LENGTH_OFFSET);
        final int handleAt = SnapshotHeaderDescriptor.HEADER_LENGTH + rootLength - RootBlockDescriptor.CRC_LENGTH -
            RootBlockDescriptor.PENDING_FREE_HANDLE_LENGTH;
        assertEquals(1, le(pending).getInt(SnapshotHeaderDescriptor.HEADER_LENGTH +
            RootBlockDescriptor.PENDING_FREE_COUNT_OFFSET), "the pending root is not in the file");

        final byte[] wrongHandle = pending.clone();
        le(wrongHandle).putLong(handleAt, le(wrongHandle).getLong(handleAt) + 8);
        assertRefused(reseal(wrongHandle), "the collections it was freeing do not fit the pages", "dropped collection 0");

        final byte[] tooMany = pending.clone();
        le(tooMany).putInt(SnapshotHeaderDescriptor.HEADER_LENGTH + RootBlockDescriptor.PENDING_FREE_COUNT_OFFSET,
            Integer.MAX_VALUE / 4);
        assertRefused(reseal(tooMany), "dropped collections to free, more than it holds");
    }

    /**
     * Recompute the root, file and trailer CRCs (the root block's end from the file's own header): a file whose
     * bytes are "valid" but whose content is not.
     */
    private static byte[] reseal(final byte[] content)
    {
        final ByteBuffer view = le(content);
        final int rootStart = SnapshotHeaderDescriptor.HEADER_LENGTH;
        final int rootCrcAt = rootStart + (int)view.getLong(SnapshotHeaderDescriptor.ROOT_BLOCK_LENGTH_OFFSET) -
            RootBlockDescriptor.CRC_LENGTH;
        final CRC32C crc = new CRC32C();
        crc.update(content, rootStart, rootCrcAt - rootStart);
        view.putInt(rootCrcAt, (int)crc.getValue());
        final int trailer = content.length - SnapshotTrailerDescriptor.TRAILER_LENGTH;
        crc.reset();
        crc.update(content, 0, trailer);
        view.putInt(trailer + SnapshotTrailerDescriptor.FILE_CRC_OFFSET, (int)crc.getValue());
        crc.reset();
        crc.update(content, trailer, SnapshotTrailerDescriptor.TRAILER_CRC_OFFSET);
        view.putInt(trailer + SnapshotTrailerDescriptor.TRAILER_CRC_OFFSET, (int)crc.getValue());
        return content;
    }

    @Test
    void shouldRefuseAFlippedByteInTheHeaderOrTrailer() throws Exception
    {
        assertRefused(flip(bytes, SnapshotHeaderDescriptor.FRAME_COUNT_OFFSET), "bad header checksum");
        assertRefused(flip(bytes, bytes.length - SnapshotTrailerDescriptor.TRAILER_LENGTH + SnapshotTrailerDescriptor.FILE_CRC_OFFSET),
            "Short read");
    }

    @Test
    void shouldRefuseAFileWhoseWholeFileChecksumDiffers() throws Exception
    {
        // every frame and the root are intact; only the file CRC in a (valid) trailer disagrees
        final byte[] content = bytes.clone();
        final int trailer = content.length - SnapshotTrailerDescriptor.TRAILER_LENGTH;
        final ByteBuffer view = le(content);
        view.putInt(trailer + SnapshotTrailerDescriptor.FILE_CRC_OFFSET, view.getInt(trailer + SnapshotTrailerDescriptor.FILE_CRC_OFFSET) + 1);
        final CRC32C crc = new CRC32C();
        crc.update(content, trailer, SnapshotTrailerDescriptor.TRAILER_CRC_OFFSET);
        view.putInt(trailer + SnapshotTrailerDescriptor.TRAILER_CRC_OFFSET, (int)crc.getValue());
        assertRefused(content, "bad file checksum");
    }

    @Test
    void shouldRefuseAFileWithAnotherMagic() throws Exception
    {
        final byte[] content = bytes.clone();
        content[3] = 'X';
        assertRefused(content, "Wrong signature trying to load DB from file", "KEEXKV-SNAPSHOT");
        assertRefused("hello world, this is not a snapshot at all".getBytes(StandardCharsets.US_ASCII), "Wrong signature");
    }

    @Test
    void shouldRefuseARedisRdbSayingSo() throws Exception
    {
        // an empty RDB of version 10 as redis-server 7.0 writes it: magic, EOF opcode, CRC64
        final byte[] rdb = new byte[18];
        System.arraycopy("REDIS0010".getBytes(StandardCharsets.US_ASCII), 0, rdb, 0, 9);
        rdb[9] = (byte)0xFF;
        assertRefused(rdb, "Redis RDB", "REDIS0010", "cannot read RDB files yet");
        assertRefused("REDIS".getBytes(StandardCharsets.US_ASCII), "Redis RDB");
    }

    @Test
    void shouldRefuseAnotherFormatVersion() throws Exception
    {
        final byte[] content = bytes.clone();
        le(content).putInt(SnapshotHeaderDescriptor.VERSION_OFFSET, 0);
        fixHeaderCrc(content);
        assertRefused(content, "format version 0", "reads format versions 1 to 2");
        le(content).putInt(SnapshotHeaderDescriptor.VERSION_OFFSET, 3);
        fixHeaderCrc(content);
        assertRefused(content, "format version 3", "reads format versions 1 to 2");
    }

    @Test
    void shouldRefuseAHeaderAnnouncingMorePagesThanTheFileCanHoldWithoutAllocatingForThem() throws Exception
    {
        // a valid header CRC over a page-number limit of 2^28: 7 GB of page records the file does not have
        final byte[] content = bytes.clone();
        le(content).putInt(SnapshotHeaderDescriptor.PAGE_NUMBER_LIMIT_OFFSET, 1 << 28);
        fixHeaderCrc(content);
        assertRefused(content, "cannot hold " + (1 << 28) + " page records");
        final byte[] longRoot = bytes.clone();
        le(longRoot).putLong(SnapshotHeaderDescriptor.ROOT_BLOCK_LENGTH_OFFSET, 1L << 40);
        fixHeaderCrc(longRoot);
        assertRefused(longRoot, "Short read");
    }

    @Test
    void shouldRefuseAnotherPageSize() throws Exception
    {
        engine.close();
        engine = engine(64 * 1024, DATABASES);
        final Path file = dir.resolve("crafted.rdb");
        Files.write(file, bytes);
        final SnapshotException ex = assertThrows(SnapshotException.class, () -> engine.load(file));
        assertTrue(ex.getMessage().contains("page-size 16384 bytes") && ex.getMessage().contains("page-size 65536"),
            ex.getMessage());
        assertEquals(0, engine.memory().pagesInUse());
    }

    @Test
    void shouldRefuseAFileHoldingMoreDatabasesThanConfigured() throws Exception
    {
        engine.close();
        engine = engine(PAGE, 2);
        final Path file = dir.resolve("crafted.rdb");
        Files.write(file, bytes);
        final SnapshotException ex = assertThrows(SnapshotException.class, () -> engine.load(file));
        assertTrue(ex.getMessage().contains("holds database 2") && ex.getMessage().contains("databases 2"), ex.getMessage());
        assertEquals(0, engine.memory().pagesInUse());
    }

    @Test
    void shouldRefuseLoadingIntoAnEngineThatHoldsData() throws Exception
    {
        call(engine, 0, "SET", "a", "b");
        final SnapshotException ex = assertThrows(SnapshotException.class, () -> engine.load(good));
        assertTrue(ex.getMessage().contains("empty engine"), ex.getMessage());
        assertEquals("$1\r\nb\r\n", call(engine, 0, "GET", "a"));
    }

    @Test
    void shouldNameAMissingFile()
    {
        final Path missing = dir.resolve("missing.rdb");
        final SnapshotException ex = assertThrows(SnapshotException.class, () -> engine.load(missing));
        assertTrue(ex.getMessage().contains(missing.toString()) && ex.getMessage().contains("No such file"), ex.getMessage());
    }
}
