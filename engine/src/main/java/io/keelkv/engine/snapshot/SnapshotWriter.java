package io.keelkv.engine.snapshot;

import io.keelkv.engine.keyspace.DatabaseRoots;
import io.keelkv.engine.memory.PageTableImage;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import static io.keelkv.engine.snapshot.PageFrameDescriptor.*;

/**
 * Writes a snapshot file: header, root block, one LZ4 frame per page in use, trailer
 * (docs/ARCHITECTURE.md, "Snapshots"; the layouts are in {@link SnapshotHeaderDescriptor}, {@link RootBlockDescriptor},
 * {@link PageFrameDescriptor} and {@link SnapshotTrailerDescriptor}).
 *
 * <p>Design. The writer knows nothing of threads or the keyspace: it is given the instant, a
 * {@link SnapshotImage} captured by the owner thread, and a {@link PageSource} for the page bytes. A save is
 * {@link #open} (header and root block), {@link #step} (a bounded number of frames), {@link #finish} (trailer,
 * fsync, rename) or {@link #abort}. The foreground SAVE runs them all at once through {@link #save} with
 * {@link LivePageSource} on the engine thread; the background snapshot's agent runs the same steps on its
 * own thread with a {@link BarrierPageSource}, a few pages per duty cycle, so it can be stopped between
 * two pages. Frames are written in page-number order; a reader needs no order, but it keeps a span's pages
 * together and lets the owner release pages the agent has passed.
 *
 * <p>Durability, in Redis's order (rdbSave): write everything to {@code <name>.tmp-<pid>} beside the target,
 * {@code fsync} it, {@code rename} it over the target, then {@code fsync} the directory so the rename itself
 * survives a power cut. Until the rename the target is the previous snapshot, whole; after it, the new one,
 * whole. A failure at any step (open, a short write, disk full, fsync, rename, the directory fsync) is a
 * {@link SnapshotException} naming the step, and the temp file is removed; only a failed directory fsync
 * leaves the new file in place, with its name not yet known to be durable (Redis reports that as an error
 * too). A crash at any point leaves at most a stale temp file, which the next save of the same pid truncates
 * and which no reader ever opens.
 *
 * <p>Memory. The writer owns a 1 MiB output buffer and a one-page scratch, both direct and allocated once;
 * compression goes straight into the output buffer and CRC32C runs over it in place, so writing frames
 * allocates nothing per page. A save allocates the temp path, the channel and the result; the image's arrays
 * grow only with the page table. Not thread-safe: one save at a time per writer, on one thread at a time.
 */
public final class SnapshotWriter
{
    private static final int OUTPUT_BYTES = 1 << 20;

    private final int pageSizeBytes;
    private final LZ4Compressor compressor = LZ4Factory.fastestInstance().fastCompressor();
    private final int maxCompressedBytes;
    private final ByteBuffer out;
    private final UnsafeBuffer outBuffer;
    private final ByteBuffer scratch;
    private final long scratchAddress;
    private final UnsafeBuffer scratchBuffer;
    private final CRC32C fileCrc = new CRC32C();
    private final CRC32C recordCrc = new CRC32C();
    private final SnapshotHeaderFlyweight header = new SnapshotHeaderFlyweight();
    private final RootBlockFlyweight root = new RootBlockFlyweight();
    private final PageFrameFlyweight frame = new PageFrameFlyweight();
    private final SnapshotTrailerFlyweight trailer = new SnapshotTrailerFlyweight();

    private FileChannel channel;
    private int outPosition;
    private long filePosition;
    private long storedBytes;
    // the open save
    private SnapshotImage image;
    private Path target;
    private Path temp;
    private long startNs;
    private long rawBytes;
    private int framesWritten;
    private int nextPage;

    public SnapshotWriter(final int pageSizeBytes)
    {
        this.pageSizeBytes = pageSizeBytes;
        this.maxCompressedBytes = compressor.maxCompressedLength(pageSizeBytes);
        this.out = ByteBuffer.allocateDirect(OUTPUT_BYTES + FRAME_HEADER_LENGTH + maxCompressedBytes)
            .order(ByteOrder.LITTLE_ENDIAN);
        this.outBuffer = new UnsafeBuffer(out);
        this.scratch = ByteBuffer.allocateDirect(pageSizeBytes);
        this.scratchAddress = BufferUtil.address(scratch);
        this.scratchBuffer = new UnsafeBuffer(scratch);
        header.wrap(outBuffer, 0);
        root.wrap(outBuffer);
    }

    /** What a save wrote. */
    public static final class Result
    {
        public final Path file;
        public final long fileBytes;
        public final int frames;
        public final long rawPageBytes;
        public final long keys;
        public final long elapsedNs;

        Result(final Path file, final long fileBytes, final int frames, final long rawPageBytes, final long keys,
            final long elapsedNs)
        {
            this.file = file;
            this.fileBytes = fileBytes;
            this.frames = frames;
            this.rawPageBytes = rawPageBytes;
            this.keys = keys;
            this.elapsedNs = elapsedNs;
        }
    }

    /** The temp file a SAVE of {@code target} writes first: {@code <name>.tmp-<pid>} in the same directory. */
    public static Path tempFileFor(final Path target)
    {
        return target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    }

    /**
     * The temp file a background save writes first, {@code <name>.tmp-<pid>-bg}: its own, so that a SAVE (or
     * the final save of a shutdown) never writes into the file a BGSAVE is still writing, as Redis's SAVE and
     * its child each have their own temp-&lt;pid&gt;.rdb.
     */
    public static Path backgroundTempFileFor(final Path target)
    {
        return target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-bg");
    }

    /**
     * Write the snapshot of {@code image} to {@code target}, atomically (see the class comment), in one go:
     * {@link #open}, {@link #step} until every frame is written, {@link #finish}.
     *
     * @param image  the instant, captured by the owner thread.
     * @param source the page bytes as they were at the instant.
     * @param target the snapshot file (dir/dbfilename).
     * @return what was written.
     * @throws SnapshotException naming the step that failed; {@code target} is then the previous snapshot.
     */
    public Result save(final SnapshotImage image, final PageSource source, final Path target) throws SnapshotException
    {
        open(image, target, tempFileFor(target.toAbsolutePath()));
        while (!step(source, Integer.MAX_VALUE))
        {
            // all frames in one step
        }
        return finish();
    }

    /**
     * Start a save: open {@code temp} and write the header and the root block. Then {@link #step} writes the
     * frames a bounded number at a time (the snapshot agent's duty cycle), and {@link #finish} or
     * {@link #abort} ends it.
     *
     * @throws SnapshotException naming the step that failed; nothing is left open then.
     */
    public void open(final SnapshotImage image, final Path target, final Path temp) throws SnapshotException
    {
        if (channel != null)
        {
            throw new IllegalStateException("a save is already open: " + this.temp);
        }
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
        {
            throw new SnapshotException("snapshots store pages in the engine's little-endian layout: this host is big-endian");
        }
        final PageTableImage pages = image.pages();
        if (pages.pageSizeBytes() != pageSizeBytes)
        {
            throw new SnapshotException("image of page size " + pages.pageSizeBytes() + " given to a writer of " + pageSizeBytes);
        }
        startNs = System.nanoTime();
        this.image = image;
        this.target = target.toAbsolutePath();
        this.temp = temp.toAbsolutePath();
        try
        {
            channel = FileChannel.open(this.temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        }
        catch (final IOException | RuntimeException ex)
        {
            channel = null;
            throw new SnapshotException("Failed opening the temp snapshot file " + this.temp.getFileName() + " (in dir " +
                this.target.getParent() + ") for saving: " + reason(ex), ex);
        }
        try
        {
            outPosition = 0;
            filePosition = 0;
            storedBytes = 0;
            rawBytes = 0;
            framesWritten = 0;
            nextPage = 1;
            fileCrc.reset();
            writeHeader(image);
            writeRootBlock(image);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw writeFailed(ex);
        }
    }

    /** True between {@link #open} and {@link #finish} or {@link #abort}. */
    public boolean isOpen()
    {
        return channel != null;
    }

    /**
     * Write the frames of up to {@code maxPages} more pages in use at the instant, in page-number order.
     *
     * @return true when every frame has been written (then call {@link #finish}).
     * @throws SnapshotException naming the offset; the save is aborted (temp file removed) before it is thrown.
     */
    public boolean step(final PageSource source, final int maxPages) throws SnapshotException
    {
        try
        {
            return writeFrames(image, source, maxPages);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw writeFailed(ex);
        }
    }

    /** The next page number a {@link #step} looks at: every page below it is written (progress, for INFO). */
    public int nextPage()
    {
        return nextPage;
    }

    /**
     * Finish a save whose frames are all written: trailer, fsync, close, rename over the target, fsync the
     * directory.
     *
     * @return what was written.
     * @throws SnapshotException naming the step that failed; the target is then the previous snapshot.
     */
    public Result finish() throws SnapshotException
    {
        if (nextPage < image.pages().pageNumberLimit())
        {
            throw new IllegalStateException("frames left to write: next page " + nextPage);
        }
        try
        {
            writeTrailer(image.pagesInUse());
            channel.force(true);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw writeFailed(ex);
        }
        final Path temp = this.temp;
        final Path absoluteTarget = this.target;
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            deleteQuietly(temp);
            throw new SnapshotException("Error closing " + temp + ": " + reason(ex), ex);
        }
        finally
        {
            channel = null;
        }
        try
        {
            Files.move(temp, absoluteTarget, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final AtomicMoveNotSupportedException ex)
        {
            deleteQuietly(temp);
            throw new SnapshotException("Error moving temp snapshot file " + temp.getFileName() + " on the final " +
                "destination " + absoluteTarget + ": the file system cannot rename atomically", ex);
        }
        catch (final IOException | RuntimeException ex)
        {
            deleteQuietly(temp);
            throw new SnapshotException("Error moving temp snapshot file " + temp.getFileName() + " on the final " +
                "destination " + absoluteTarget.getFileName() + " (in dir " + absoluteTarget.getParent() + "): " +
                reason(ex), ex);
        }
        fsyncDirectory(absoluteTarget.getParent());
        return new Result(absoluteTarget, filePosition, image.pagesInUse(), rawBytes, image.keys(),
            System.nanoTime() - startNs);
    }

    /** Give up an open save: close and remove the temp file; the target is untouched. Idempotent. */
    public void abort()
    {
        if (channel != null)
        {
            closeQuietly();
            deleteQuietly(temp);
        }
    }

    private SnapshotException writeFailed(final Throwable ex)
    {
        final long offset = filePosition + outPosition;
        abort();
        return new SnapshotException("Write error saving the snapshot to " + temp + " at offset " + offset + ": " +
            reason(ex) + "; " + target.getFileName() + " is unchanged", offset, ex);
    }

    /** Bytes of compressed (or raw) page payload in the last save, frame headers not included. */
    public long storedBytes()
    {
        return storedBytes;
    }

    /** The root block's length for {@code image}: fixed part, class and page records, bitmap, databases, CRC. */
    static long rootBlockLength(final SnapshotImage image)
    {
        final PageTableImage pages = image.pages();
        long length = RootBlockDescriptor.databasesOffset(pages.sizeClassCount(), pages.pageNumberLimit());
        for (int i = 0; i < image.databaseCount(); i++)
        {
            length += RootBlockDescriptor.databaseRecordLength(image.database(i).segmentCount());
        }
        length += (long)image.pendingFreeCount() * RootBlockDescriptor.PENDING_FREE_HANDLE_LENGTH;
        return length + RootBlockDescriptor.CRC_LENGTH;
    }

    private void writeHeader(final SnapshotImage image) throws IOException
    {
        final PageTableImage pages = image.pages();
        final int at = reserve(SnapshotHeaderDescriptor.HEADER_LENGTH);
        header.wrap(outBuffer, at)
            .putMagic()
            .version(SnapshotHeaderDescriptor.FORMAT_VERSION)
            .headerLength(SnapshotHeaderDescriptor.HEADER_LENGTH)
            .pageSizeBytes(pageSizeBytes)
            .pageNumberLimit(pages.pageNumberLimit())
            .frameCount(image.pagesInUse())
            .databaseCount(image.databaseCount())
            .sizeClassCount(pages.sizeClassCount())
            .flags(SnapshotHeaderDescriptor.FLAG_LITTLE_ENDIAN)
            .rootBlockLength(rootBlockLength(image))
            .createdAtMs(image.createdAtMs());
        header.headerCrc(crc(recordCrc, at, SnapshotHeaderDescriptor.HEADER_CRC_OFFSET));
        outPosition += SnapshotHeaderDescriptor.HEADER_LENGTH;
    }

    /** Streamed record by record; the root CRC runs over each record as it is placed. */
    private void writeRootBlock(final SnapshotImage image) throws IOException
    {
        final PageTableImage pages = image.pages();
        final CRC32C crc = recordCrc;
        crc.reset();
        int at = reserve(RootBlockDescriptor.FIXED_LENGTH);
        root.putFixed(at, pages.sizeClassCount(), pages.pageNumberLimit(), image.databaseCount(), pages.hashSeed(),
            image.pendingFreeCount());
        commitRoot(crc, at, RootBlockDescriptor.FIXED_LENGTH);
        for (int c = 0; c < pages.sizeClassCount(); c++)
        {
            at = reserve(RootBlockDescriptor.CLASS_RECORD_LENGTH);
            root.putClassRecord(at, pages, c);
            commitRoot(crc, at, RootBlockDescriptor.CLASS_RECORD_LENGTH);
        }
        for (int page = 0; page < pages.pageNumberLimit(); page++)
        {
            at = reserve(RootBlockDescriptor.PAGE_RECORD_LENGTH);
            root.putPageRecord(at, pages, page);
            commitRoot(crc, at, RootBlockDescriptor.PAGE_RECORD_LENGTH);
        }
        for (int word = 0; word < pages.freeNumberWords(); word++)
        {
            at = reserve(8);
            root.putBitmapWord(at, pages.freeNumberWord(word));
            commitRoot(crc, at, 8);
        }
        for (int i = 0; i < image.databaseCount(); i++)
        {
            final DatabaseRoots roots = image.database(i);
            at = reserve(RootBlockDescriptor.DB_RECORD_LENGTH);
            root.putDatabaseRecord(at, roots);
            commitRoot(crc, at, RootBlockDescriptor.DB_RECORD_LENGTH);
            for (int s = 0; s < roots.segmentCount(); s++)
            {
                at = reserve(RootBlockDescriptor.SEGMENT_HANDLE_LENGTH);
                root.putSegment(at, roots.segment(s));
                commitRoot(crc, at, RootBlockDescriptor.SEGMENT_HANDLE_LENGTH);
            }
        }
        for (int i = 0; i < image.pendingFreeCount(); i++)
        {
            at = reserve(RootBlockDescriptor.PENDING_FREE_HANDLE_LENGTH);
            root.putPendingFree(at, image.pendingFreeArray()[i]);
            commitRoot(crc, at, RootBlockDescriptor.PENDING_FREE_HANDLE_LENGTH);
        }
        at = reserve(RootBlockDescriptor.CRC_LENGTH);
        root.putCrc(at, (int)crc.getValue());
        outPosition += RootBlockDescriptor.CRC_LENGTH;
    }

    private void commitRoot(final CRC32C crc, final int at, final int length)
    {
        update(crc, at, length);
        outPosition += length;
    }

    private boolean writeFrames(final SnapshotImage image, final PageSource source, final int maxPages) throws IOException
    {
        final PageTableImage pages = image.pages();
        final int limit = pages.pageNumberLimit();
        int budget = maxPages;
        int page = nextPage;
        for (; page < limit && budget > 0; page++)
        {
            final byte kind = pages.kind(page);
            if (kind == PageTableImage.KIND_FREE)
            {
                continue; // free page numbers have no frame: nothing of them is needed to rebuild the dataset
            }
            budget--;
            source.copyPage(page, scratchAddress);
            final int at = reserve(FRAME_HEADER_LENGTH + maxCompressedBytes);
            final int payload = at + FRAME_HEADER_LENGTH;
            int stored = compressor.compress(scratch, 0, pageSizeBytes, out, payload, maxCompressedBytes);
            byte encoding = ENCODING_LZ4;
            if (stored >= pageSizeBytes)
            {
                // incompressible (random values): storing it raw costs less to read back than LZ4's expansion
                outBuffer.putBytes(payload, scratchBuffer, 0, pageSizeBytes);
                stored = pageSizeBytes;
                encoding = ENCODING_RAW;
            }
            frame.wrap(outBuffer, at).header(page, kind, encoding, pageSizeBytes, stored);
            recordCrc.reset();
            update(recordCrc, at, CRC_COVERED_HEADER_LENGTH);
            update(recordCrc, payload, stored);
            frame.crc((int)recordCrc.getValue());
            outPosition += FRAME_HEADER_LENGTH + stored;
            storedBytes += stored;
            rawBytes += pageSizeBytes;
            framesWritten++;
            source.pageWritten(page);
        }
        nextPage = page;
        if (page < limit)
        {
            return false;
        }
        if (framesWritten != image.pagesInUse())
        {
            throw new IllegalStateException(framesWritten + " frames written, the image counted " + image.pagesInUse());
        }
        return true;
    }

    private void writeTrailer(final int frames) throws IOException
    {
        final int at = reserve(SnapshotTrailerDescriptor.TRAILER_LENGTH);
        // the file CRC covers every byte before the trailer: the ones flushed, then the ones still buffered
        update(fileCrc, 0, at);
        final long fileLength = filePosition + at + SnapshotTrailerDescriptor.TRAILER_LENGTH;
        trailer.wrap(outBuffer, at).put(frames, fileLength, (int)fileCrc.getValue());
        trailer.trailerCrc(crc(recordCrc, at, SnapshotTrailerDescriptor.TRAILER_CRC_OFFSET));
        outPosition = at + SnapshotTrailerDescriptor.TRAILER_LENGTH;
        writeOut();
    }

    /** Room for {@code length} bytes at the returned buffer offset, flushing what is buffered if needed. */
    private int reserve(final int length) throws IOException
    {
        if (outPosition + length > out.capacity())
        {
            flush();
        }
        return outPosition;
    }

    private void flush() throws IOException
    {
        update(fileCrc, 0, outPosition);
        writeOut();
    }

    /** Write the buffered bytes out whole (a short write is retried until it fails). */
    private void writeOut() throws IOException
    {
        out.limit(outPosition).position(0);
        while (out.hasRemaining())
        {
            channel.write(out);
        }
        filePosition += outPosition;
        outPosition = 0;
        out.clear();
    }

    private int crc(final CRC32C crc, final int at, final int length)
    {
        crc.reset();
        update(crc, at, length);
        return (int)crc.getValue();
    }

    private void update(final CRC32C crc, final int at, final int length)
    {
        out.limit(at + length).position(at);
        crc.update(out);
        out.clear();
    }

    private void fsyncDirectory(final Path directory) throws SnapshotException
    {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ))
        {
            dir.force(true);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new SnapshotException("Failed to fsync directory " + directory + " after renaming the snapshot " +
                "into it: " + reason(ex) + "; the new file is in place but its name may not survive a crash", ex);
        }
    }

    private void closeQuietly()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // the save already failed: that error is the one reported
        }
        channel = null;
    }

    private static void deleteQuietly(final Path temp)
    {
        try
        {
            Files.deleteIfExists(temp);
        }
        catch (final IOException ignore)
        {
            // a stale temp file is harmless: no reader opens it, and the next save truncates it
        }
    }

    static String reason(final Throwable ex)
    {
        if (ex instanceof java.nio.file.NoSuchFileException)
        {
            return "No such file or directory";
        }
        if (ex instanceof java.nio.file.AccessDeniedException)
        {
            return "Permission denied";
        }
        if (ex instanceof java.nio.file.DirectoryNotEmptyException || ex instanceof java.nio.file.FileSystemException &&
            ex.getMessage() != null && ex.getMessage().contains("Is a directory"))
        {
            return "Is a directory";
        }
        final String message = ex.getMessage();
        return message == null ? ex.toString() : message;
    }
}
