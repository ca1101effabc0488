package io.keelkv.engine.snapshot;

import io.keelkv.engine.keyspace.DatabaseRoots;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.memory.PagePrefaulter;
import io.keelkv.engine.memory.PageTableImage;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import static io.keelkv.engine.snapshot.PageFrameDescriptor.*;

/**
 * Loads a snapshot file into an empty keyspace: pages go back into page memory under their own page
 * numbers (each span one contiguous region again), then the allocator metadata and the database roots are
 * adopted. No key is re-inserted and nothing is rehashed; a table that was mid-rehash goes on rehashing.
 *
 * <p>Refusals. Before anything is mapped the reader checks, in this order: the magic (a Redis RDB, "REDIS",
 * gets its own message), the format version, the header CRC, the page size and size classes against this
 * engine, and the trailer (so a truncated file is refused before any page is touched). While loading it
 * checks the root block's CRC and its structure (kinds, spans, partial lists, bitmap: see
 * {@link PageMemory#restore}), every frame's CRC before decompressing it, that each page in use comes exactly
 * once and with its kind, then the whole-file CRC, the free lists inside the pages and the database roots.
 * Every refusal is a {@link SnapshotException} naming the file and the byte offset; after one, the page
 * memory is reset and the keyspace is as empty as before: never half-loaded.
 *
 * <p>Memory: a 1 MiB input buffer and a one-page scratch, direct and allocated once, plus a bitmap of the
 * pages seen and the image's arrays (O(pages)). Not thread-safe.
 *
 * <p>Speed. On fresh memory (a restart) most of a load is the kernel's first touch of the page memory, not
 * the reading, checking and decompressing: so the page memory comes in large regions ({@link PageMemory#restore}),
 * and with {@code prefault} a {@link PagePrefaulter} thread faults pages in from the far end while this thread
 * writes from the near end. The prefaulter is stopped before anything is freed or the load returns.
 */
public final class SnapshotReader
{
    private static final int INPUT_BYTES = 1 << 20;
    private static final int RDB_MAGIC_SHOWN = 9;

    private final PageMemory memory;
    private final int pageSizeBytes;
    private final LZ4SafeDecompressor decompressor = LZ4Factory.fastestInstance().safeDecompressor();
    private final int maxStoredBytes;
    private final ByteBuffer in;
    private final UnsafeBuffer inBuffer;
    private final long inAddress;
    private final ByteBuffer scratch;
    private final long scratchAddress;
    // header and trailer each keep their own bytes: both are consulted until the load ends
    private final ByteBuffer headerBytes = ByteBuffer.allocateDirect(SnapshotHeaderDescriptor.HEADER_LENGTH);
    private final ByteBuffer trailerBytes = ByteBuffer.allocateDirect(SnapshotTrailerDescriptor.TRAILER_LENGTH);
    private final UnsafeBuffer headerView = new UnsafeBuffer(headerBytes);
    private final UnsafeBuffer trailerView = new UnsafeBuffer(trailerBytes);
    private final CRC32C fileCrc = new CRC32C();
    private final CRC32C recordCrc = new CRC32C();
    private final SnapshotHeaderFlyweight header = new SnapshotHeaderFlyweight();
    private final RootBlockFlyweight root = new RootBlockFlyweight();
    private final PageFrameFlyweight frame = new PageFrameFlyweight();
    private final SnapshotTrailerFlyweight trailer = new SnapshotTrailerFlyweight();
    private final SnapshotImage image = new SnapshotImage();

    private final boolean prefault;
    private PagePrefaulter prefaulter;
    private AgentRunner prefaultRunner;
    private Path file;
    private FileChannel channel;
    private int inPosition;
    private int inLimit;
    private long filePosition; // file offset of in[inPosition]
    private int version;
    private FormatCheck formatCheck;

    /**
     * What a file of an older format version may not hold, for the layouts that changed since: asked after its
     * pages and roots are restored, before the load returns. Given by the engine, which knows the types.
     */
    @FunctionalInterface
    public interface FormatCheck
    {
        /** @return why the keyspace restored from a file of {@code version} cannot be served, or null. */
        String refusal(int version, Keyspace keyspace);
    }

    /** @param check what an older file may not hold (null: older files hold nothing that changed). */
    public void formatCheck(final FormatCheck check)
    {
        this.formatCheck = check;
    }

    public SnapshotReader(final PageMemory memory)
    {
        this(memory, false);
    }

    public SnapshotReader(final PageMemory memory, final boolean prefault)
    {
        this.prefault = prefault;
        this.memory = memory;
        this.pageSizeBytes = memory.pageSizeBytes();
        this.maxStoredBytes = LZ4Factory.fastestInstance().fastCompressor().maxCompressedLength(pageSizeBytes);
        this.in = ByteBuffer.allocateDirect(INPUT_BYTES + FRAME_HEADER_LENGTH + maxStoredBytes);
        this.inBuffer = new UnsafeBuffer(in);
        this.inAddress = BufferUtil.address(in);
        this.scratch = ByteBuffer.allocateDirect(pageSizeBytes);
        this.scratchAddress = BufferUtil.address(scratch);
        root.wrap(inBuffer);
    }

    /** What a load restored. */
    public static final class Result
    {
        public final long keys;
        public final int pages;
        public final long fileBytes;
        public final long createdAtMs;
        public final long elapsedNs;
        /** Where the time went: the header and root block, mapping the page memory, the frames, the checks after. */
        public final long rootNs;
        public final long mapNs;
        public final long framesNs;
        public final long checksNs;
        /** Bytes of page memory the prefault thread faulted in (0 without one). */
        public final long prefaultedBytes;

        Result(final long keys, final int pages, final long fileBytes, final long createdAtMs, final long elapsedNs,
            final long rootNs, final long mapNs, final long framesNs, final long checksNs, final long prefaultedBytes)
        {
            this.keys = keys;
            this.pages = pages;
            this.fileBytes = fileBytes;
            this.createdAtMs = createdAtMs;
            this.elapsedNs = elapsedNs;
            this.rootNs = rootNs;
            this.mapNs = mapNs;
            this.framesNs = framesNs;
            this.checksNs = checksNs;
            this.prefaultedBytes = prefaultedBytes;
        }
    }

    /**
     * Load {@code file} into {@code keyspace}, which must be empty and over this reader's page memory.
     *
     * @return what was restored.
     * @throws SnapshotException when the file is missing, unreadable or refused; the keyspace is then empty.
     */
    public Result load(final Path file, final Keyspace keyspace) throws SnapshotException
    {
        if (keyspace.memory() != memory)
        {
            throw new IllegalArgumentException("the keyspace is over another page memory");
        }
        if (keyspace.totalKeys() != 0 || memory.pagesInUse() != 0)
        {
            throw new SnapshotException("a snapshot loads into an empty engine only: " + keyspace.totalKeys() +
                " keys and " + memory.pagesInUse() + " pages are in use");
        }
        final long startNs = System.nanoTime();
        this.file = file.toAbsolutePath();
        try
        {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        }
        catch (final NoSuchFileException ex)
        {
            throw new SnapshotException("Cannot open " + this.file + ": No such file or directory", ex);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new SnapshotException("Cannot open " + this.file + ": " + SnapshotWriter.reason(ex), ex);
        }
        boolean restored = false;
        try
        {
            final long size = channel.size();
            checkHeader(size);
            checkTrailer(size);
            inPosition = 0;
            inLimit = 0;
            filePosition = 0;
            fileCrc.reset();
            channel.position(0);
            consume(require(SnapshotHeaderDescriptor.HEADER_LENGTH, "the header"), SnapshotHeaderDescriptor.HEADER_LENGTH);
            final int databaseCount = readRootBlock(keyspace);
            final long rootDoneNs = System.nanoTime();
            final String refused = memory.restore(image.pages());
            if (refused != null)
            {
                throw refuse("the page table in the root block cannot be restored: " + refused, SnapshotHeaderDescriptor.HEADER_LENGTH);
            }
            restored = true;
            final long mappedNs = System.nanoTime();
            startPrefault();
            readFrames(size);
            final long prefaulted = stopPrefault();
            final long framesDoneNs = System.nanoTime();
            final String freeLists = memory.verifyFreeLists();
            if (freeLists != null)
            {
                throw refuse("the allocator's free lists inside the pages are inconsistent: " + freeLists, -1);
            }
            final String roots = keyspace.restoreRoots(image.databaseArray(), databaseCount);
            if (roots != null)
            {
                throw refuse("the database roots do not fit the pages: " + roots, SnapshotHeaderDescriptor.HEADER_LENGTH);
            }
            final String pending = keyspace.valueReleaser().adoptPending(image.pendingFreeArray(), image.pendingFreeCount());
            if (pending != null)
            {
                keyspace.flushAll(); // the roots were adopted: empty the keyspace again, nothing half-loaded
                throw refuse("the collections it was freeing do not fit the pages: " + pending,
                    SnapshotHeaderDescriptor.HEADER_LENGTH);
            }
            final String older = version == SnapshotHeaderDescriptor.FORMAT_VERSION || formatCheck == null ? null :
                formatCheck.refusal(version, keyspace);
            if (older != null)
            {
                keyspace.flushAll(); // forgets the roots and the pages without walking a value
                throw refuse("it is a KeelKV snapshot of format version " + version + " and " + older,
                    SnapshotHeaderDescriptor.VERSION_OFFSET);
            }
            final long endNs = System.nanoTime();
            return new Result(keyspace.totalKeys(), image.pagesInUse(), size, image.createdAtMs(), endNs - startNs,
                rootDoneNs - startNs, mappedNs - rootDoneNs, framesDoneNs - mappedNs, endNs - framesDoneNs, prefaulted);
        }
        catch (final SnapshotException ex)
        {
            stopPrefault(); // before the memory it touches is freed
            if (restored)
            {
                memory.reset();
            }
            throw ex;
        }
        catch (final IOException | RuntimeException ex)
        {
            stopPrefault();
            if (restored)
            {
                memory.reset();
            }
            throw new SnapshotException("Error reading " + this.file + " at offset " + (filePosition + inPosition) +
                ": " + SnapshotWriter.reason(ex) + "; nothing was loaded", filePosition + inPosition, ex);
        }
        finally
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // read-only: nothing to lose
            }
            channel = null;
        }
    }

    // ------------------------------------------------------------------------------------------------
    // header and trailer, read in place before anything is restored

    private void checkHeader(final long size) throws IOException
    {
        final int available = readAt(headerBytes, 0, (int)Math.min(size, SnapshotHeaderDescriptor.HEADER_LENGTH));
        header.wrap(headerView, 0);
        if (header.startsWith(SnapshotHeaderDescriptor.REDIS_RDB_MAGIC, available))
        {
            throw refuse("it is a Redis RDB file (it starts with \"" + header.printablePrefix(Math.min(available,
                RDB_MAGIC_SHOWN)) + "\"): KeelKV cannot read RDB files yet, only its own snapshots (magic " +
                "\"KEELKV-SNAPSHOT\"). Move it away, or point dir/dbfilename elsewhere, to start", 0);
        }
        if (available < SnapshotHeaderDescriptor.MAGIC_LENGTH && header.isMagicPrefix(available))
        {
            throw truncated(size, "the end of the magic \"KEELKV-SNAPSHOT\"");
        }
        if (!header.startsWith(SnapshotHeaderDescriptor.MAGIC, available))
        {
            throw refuse("Wrong signature trying to load DB from file: it starts with \"" +
                header.printablePrefix(Math.min(available, SnapshotHeaderDescriptor.MAGIC_LENGTH)) +
                "\", not a KeelKV snapshot's \"KEELKV-SNAPSHOT\"", 0);
        }
        if (available < SnapshotHeaderDescriptor.HEADER_LENGTH)
        {
            throw truncated(size, "the " + SnapshotHeaderDescriptor.HEADER_LENGTH + "-byte header");
        }
        if (header.version() < SnapshotHeaderDescriptor.OLDEST_FORMAT_VERSION ||
            header.version() > SnapshotHeaderDescriptor.FORMAT_VERSION)
        {
            throw refuse("it is a KeelKV snapshot of format version " + header.version() + ", and this KeelKV reads " +
                "format versions " + SnapshotHeaderDescriptor.OLDEST_FORMAT_VERSION + " to " +
                SnapshotHeaderDescriptor.FORMAT_VERSION, SnapshotHeaderDescriptor.VERSION_OFFSET);
        }
        version = header.version();
        if (header.headerLength() != SnapshotHeaderDescriptor.HEADER_LENGTH ||
            header.headerCrc() != crcOf(headerBytes, 0, SnapshotHeaderDescriptor.HEADER_CRC_OFFSET))
        {
            throw refuse("bad header checksum", SnapshotHeaderDescriptor.HEADER_CRC_OFFSET);
        }
        if ((header.flags() & SnapshotHeaderDescriptor.FLAG_LITTLE_ENDIAN) == 0 ||
            ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
        {
            throw refuse("its pages are in another byte order than this host's", SnapshotHeaderDescriptor.FLAGS_OFFSET);
        }
        if (header.pageSizeBytes() != pageSizeBytes)
        {
            throw refuse("it was written with page-size " + header.pageSizeBytes() + " bytes and this server runs " +
                "page-size " + pageSizeBytes + ": KeelKV restores pages as they are and does not re-lay them out; start " +
                "with page-size " + header.pageSizeBytes() + " to load it", SnapshotHeaderDescriptor.PAGE_SIZE_OFFSET);
        }
        if (header.sizeClassCount() != memory.sizeClassCount())
        {
            throw refuse("it was written by an allocator with " + header.sizeClassCount() + " size classes, this one " +
                "has " + memory.sizeClassCount(), SnapshotHeaderDescriptor.SIZE_CLASS_COUNT_OFFSET);
        }
        if (header.pageNumberLimit() < 1 || header.frameCount() < 0 || header.frameCount() >= header.pageNumberLimit() ||
            header.databaseCount() < 0 || header.rootBlockLength() < RootBlockDescriptor.FIXED_LENGTH)
        {
            throw refuse("header counts are out of range", SnapshotHeaderDescriptor.PAGE_NUMBER_LIMIT_OFFSET);
        }
        // the root block holds a record per page number and per database: a length that cannot hold them is a
        // damaged header, and checking it against the file's size bounds what the image allocates below
        final long leastRoot = RootBlockDescriptor.databasesOffset(header.sizeClassCount(), header.pageNumberLimit()) +
            (long)header.databaseCount() * RootBlockDescriptor.DB_RECORD_LENGTH + RootBlockDescriptor.CRC_LENGTH;
        if (header.rootBlockLength() < leastRoot)
        {
            throw refuse("the header's root block length " + header.rootBlockLength() + " cannot hold " +
                header.pageNumberLimit() + " page records and " + header.databaseCount() + " databases",
                SnapshotHeaderDescriptor.ROOT_BLOCK_LENGTH_OFFSET);
        }
        final long minimum = SnapshotHeaderDescriptor.HEADER_LENGTH + header.rootBlockLength() +
            (long)header.frameCount() * FRAME_HEADER_LENGTH + SnapshotTrailerDescriptor.TRAILER_LENGTH;
        if (size < minimum)
        {
            throw truncated(size, "at least " + minimum + " bytes for the header, the root block, " +
                header.frameCount() + " frames and the trailer");
        }
        image.databases(header.databaseCount());
        image.createdAtMs(header.createdAtMs());
        image.pagesInUse(header.frameCount());
        image.pages().reset(pageSizeBytes, header.pageNumberLimit(), header.sizeClassCount());
    }

    private void checkTrailer(final long size) throws IOException
    {
        final int frames = header.frameCount();
        final long at = size - SnapshotTrailerDescriptor.TRAILER_LENGTH;
        readAt(trailerBytes, at, SnapshotTrailerDescriptor.TRAILER_LENGTH);
        trailer.wrap(trailerView, 0);
        if (!trailer.hasMagic() || trailer.trailerCrc() != crcOf(trailerBytes, 0, SnapshotTrailerDescriptor.TRAILER_CRC_OFFSET))
        {
            throw truncated(size, "a trailer at offset " + at + " (the file ends without one: cut short, or not " +
                "written to the end)");
        }
        if (trailer.fileLength() != size || trailer.frameCount() != frames)
        {
            throw refuse("the trailer says " + trailer.fileLength() + " bytes and " + trailer.frameCount() +
                " frames, the file has " + size + " bytes and its header " + frames + " frames", at);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // root block

    private int readRootBlock(final Keyspace keyspace) throws IOException
    {
        final long start = filePosition + inPosition;
        final PageTableImage pages = image.pages();
        final CRC32C crc = recordCrc;
        crc.reset();
        int at = require(RootBlockDescriptor.FIXED_LENGTH, "the root block");
        if (root.sizeClassCount(at) != header.sizeClassCount() || root.pageNumberLimit(at) != header.pageNumberLimit() ||
            root.databaseCount(at) != header.databaseCount())
        {
            throw refuse("the root block's counts differ from the header's", start);
        }
        pages.hashSeed(root.hashSeed(at));
        final int pendingFrees = root.pendingFreeCount(at);
        if (pendingFrees < 0 || (long)pendingFrees * RootBlockDescriptor.PENDING_FREE_HANDLE_LENGTH > header.rootBlockLength())
        {
            throw refuse("the root block announces " + pendingFrees + " dropped collections to free, more than it holds",
                start);
        }
        image.pendingFrees(pendingFrees);
        consumeRoot(crc, at, RootBlockDescriptor.FIXED_LENGTH);
        for (int c = 0; c < pages.sizeClassCount(); c++)
        {
            at = require(RootBlockDescriptor.CLASS_RECORD_LENGTH, "size-class record " + c);
            root.getClassRecord(at, pages, c);
            consumeRoot(crc, at, RootBlockDescriptor.CLASS_RECORD_LENGTH);
        }
        for (int page = 0; page < pages.pageNumberLimit(); page++)
        {
            at = require(RootBlockDescriptor.PAGE_RECORD_LENGTH, "page record " + page);
            root.getPageRecord(at, pages, page);
            consumeRoot(crc, at, RootBlockDescriptor.PAGE_RECORD_LENGTH);
        }
        for (int word = 0; word < pages.freeNumberWords(); word++)
        {
            at = require(8, "free page-number bitmap word " + word);
            pages.freeNumberWord(word, root.bitmapWord(at));
            consumeRoot(crc, at, 8);
        }
        final long rootEnd = start + header.rootBlockLength();
        for (int i = 0; i < header.databaseCount(); i++)
        {
            final DatabaseRoots roots = image.database(i);
            at = require(RootBlockDescriptor.DB_RECORD_LENGTH, "the roots of database " + i);
            final int segments = root.segmentCount(at);
            if (segments < 0 || filePosition + at + RootBlockDescriptor.databaseRecordLength(segments) > rootEnd)
            {
                throw refuse("database " + i + " announces " + segments + " volatile segments, more than the root " +
                    "block holds", filePosition + at);
            }
            root.getDatabaseRecord(at, roots);
            consumeRoot(crc, at, RootBlockDescriptor.DB_RECORD_LENGTH);
            for (int s = 0; s < segments; s++)
            {
                at = require(RootBlockDescriptor.SEGMENT_HANDLE_LENGTH, "volatile segment " + s + " of database " + i);
                roots.segment(s, root.segment(at));
                consumeRoot(crc, at, RootBlockDescriptor.SEGMENT_HANDLE_LENGTH);
            }
        }
        for (int i = 0; i < pendingFrees; i++)
        {
            at = require(RootBlockDescriptor.PENDING_FREE_HANDLE_LENGTH, "dropped collection " + i + " to free");
            image.pendingFreeArray()[i] = root.pendingFree(at);
            consumeRoot(crc, at, RootBlockDescriptor.PENDING_FREE_HANDLE_LENGTH);
        }
        at = require(RootBlockDescriptor.CRC_LENGTH, "the root block's checksum");
        if (root.crc(at) != (int)crc.getValue())
        {
            throw refuse("bad root block checksum (the root block spans offsets " + start + " to " + rootEnd + ")",
                filePosition + at);
        }
        consume(at, RootBlockDescriptor.CRC_LENGTH);
        if (filePosition + inPosition != rootEnd)
        {
            throw refuse("the root block is " + (filePosition + inPosition - start) + " bytes, the header says " +
                header.rootBlockLength(), start);
        }
        int count = image.databaseCount();
        if (count > keyspace.databaseCount())
        {
            for (int i = keyspace.databaseCount(); i < count; i++)
            {
                final DatabaseRoots roots = image.database(i);
                if (roots.table0() != 0 || roots.segmentCount() != 0)
                {
                    throw refuse("it holds database " + i + " but this server is configured with databases " +
                        keyspace.databaseCount(), start);
                }
            }
            count = keyspace.databaseCount();
        }
        return count;
    }

    private void consumeRoot(final CRC32C crc, final int at, final int length)
    {
        update(crc, in, at, length);
        consume(at, length);
    }

    // ------------------------------------------------------------------------------------------------
    // frames

    private void readFrames(final long size) throws IOException
    {
        final PageTableImage pages = image.pages();
        final long[] seen = new long[pages.freeNumberWords()];
        final int frames = header.frameCount();
        for (int i = 0; i < frames; i++)
        {
            final long frameOffset = filePosition + inPosition;
            final int at = require(FRAME_HEADER_LENGTH, "frame " + i + " of " + frames);
            frame.wrap(inBuffer, at);
            final int page = frame.pageNumber();
            final int stored = frame.storedLength();
            final byte encoding = frame.encoding();
            if (page < 1 || page >= pages.pageNumberLimit() || pages.kind(page) == PageTableImage.KIND_FREE ||
                frame.kind() != pages.kind(page) || frame.rawLength() != pageSizeBytes ||
                stored < 1 || stored > maxStoredBytes ||
                (encoding != ENCODING_LZ4 && (encoding != ENCODING_RAW || stored != pageSizeBytes)))
            {
                throw refuse("frame " + i + " (page " + page + ", kind " + frame.kind() + ", encoding " + encoding +
                    ", " + stored + " bytes stored) does not match the page table", frameOffset);
            }
            if ((seen[page >>> 6] & (1L << page)) != 0)
            {
                throw refuse("page " + page + " has a second frame", frameOffset);
            }
            seen[page >>> 6] |= 1L << page;
            final int base = require(FRAME_HEADER_LENGTH + stored, "the " + stored + " bytes of page " + page);
            frame.wrap(inBuffer, base);
            recordCrc.reset();
            update(recordCrc, in, base, CRC_COVERED_HEADER_LENGTH);
            update(recordCrc, in, base + FRAME_HEADER_LENGTH, stored);
            if ((int)recordCrc.getValue() != frame.crc())
            {
                throw refuse("bad checksum in the frame of page " + page + " (frame " + i + ")", frameOffset);
            }
            final int payload = base + FRAME_HEADER_LENGTH;
            final long pageAddress = memory.pageAddress(page);
            if (encoding == ENCODING_RAW)
            {
                UnsafeApi.copyMemory(inAddress + payload, pageAddress, pageSizeBytes);
            }
            else
            {
                final int length;
                try
                {
                    length = decompressor.decompress(in, payload, stored, scratch, 0, pageSizeBytes);
                }
                catch (final LZ4Exception ex)
                {
                    throw refuse("the LZ4 data of page " + page + " does not decompress: " + ex.getMessage(), frameOffset);
                }
                if (length != pageSizeBytes)
                {
                    throw refuse("page " + page + " decompresses to " + length + " bytes, not " + pageSizeBytes, frameOffset);
                }
                // LZ4 needs a ByteBuffer and page memory is raw malloc'd memory: one page copy more
                UnsafeApi.copyMemory(scratchAddress, pageAddress, pageSizeBytes);
            }
            consume(base, FRAME_HEADER_LENGTH + stored);
            if (prefaulter != null)
            {
                prefaulter.written(page);
            }
        }
        final long end = filePosition + inPosition;
        if (end != size - SnapshotTrailerDescriptor.TRAILER_LENGTH)
        {
            throw refuse((size - SnapshotTrailerDescriptor.TRAILER_LENGTH - end) + " unexpected bytes after the last " +
                "frame", end);
        }
        if ((int)fileCrc.getValue() != trailer.fileCrc())
        {
            throw refuse("bad file checksum", size - SnapshotTrailerDescriptor.TRAILER_LENGTH + SnapshotTrailerDescriptor.FILE_CRC_OFFSET);
        }
        for (int page = 1; page < pages.pageNumberLimit(); page++)
        {
            if (pages.kind(page) != PageTableImage.KIND_FREE && (seen[page >>> 6] & (1L << page)) == 0)
            {
                throw refuse("page " + page + " is in use but has no frame", end);
            }
        }
    }

    private void startPrefault()
    {
        if (prefault)
        {
            prefaulter = new PagePrefaulter(memory);
            prefaultRunner = new AgentRunner(NoOpIdleStrategy.INSTANCE, error -> { }, null, prefaulter);
            AgentRunner.startOnThread(prefaultRunner);
        }
    }

    /**
     * Returns once the prefault thread has ended: nothing touches page memory after it.
     *
     * @return bytes it faulted in.
     */
    private long stopPrefault()
    {
        long touched = 0;
        if (prefaultRunner != null)
        {
            prefaultRunner.close();
            touched = prefaulter.touchedBytes();
            prefaultRunner = null;
            prefaulter = null;
        }
        return touched;
    }

    // ------------------------------------------------------------------------------------------------
    // input

    /** Make {@code length} bytes available at the returned buffer offset, reading on; EOF is a truncation. */
    private int require(final int length, final String what) throws IOException
    {
        if (inLimit - inPosition < length)
        {
            final int remaining = inLimit - inPosition;
            inBuffer.putBytes(0, inBuffer, inPosition, remaining);
            filePosition += inPosition;
            inPosition = 0;
            inLimit = remaining;
            in.limit(in.capacity()).position(inLimit);
            while (inLimit < length)
            {
                final int read = channel.read(in);
                if (read < 0)
                {
                    throw truncated(channel.size(), what + " at offset " + filePosition);
                }
                inLimit += read;
            }
            in.clear();
        }
        return inPosition;
    }

    /** The bytes [at, at + length) are done with: they count in the file CRC. */
    private void consume(final int at, final int length)
    {
        update(fileCrc, in, at, length);
        inPosition = at + length;
    }

    private int readAt(final ByteBuffer small, final long position, final int length) throws IOException
    {
        small.clear().limit(length);
        long at = position;
        while (small.hasRemaining())
        {
            final int read = channel.read(small, at);
            if (read < 0)
            {
                break;
            }
            at += read;
        }
        final int available = small.position();
        small.clear();
        return available;
    }

    private static void update(final CRC32C crc, final ByteBuffer buffer, final int at, final int length)
    {
        buffer.limit(at + length).position(at);
        crc.update(buffer);
        buffer.clear();
    }

    private int crcOf(final ByteBuffer buffer, final int at, final int length)
    {
        recordCrc.reset();
        update(recordCrc, buffer, at, length);
        return (int)recordCrc.getValue();
    }

    private SnapshotException refuse(final String reason, final long offset)
    {
        return new SnapshotException("Refusing to load " + file + (offset >= 0 ? " (offset " + offset + ")" : "") +
            ": " + reason + ". Nothing was loaded.", offset, null);
    }

    private SnapshotException truncated(final long size, final String expected)
    {
        return new SnapshotException("Short read loading " + file + ": the file is " + size + " bytes and ends " +
            "before " + expected + ". It is truncated; nothing was loaded.", size, null);
    }
}
