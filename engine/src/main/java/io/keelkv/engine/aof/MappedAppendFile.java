package io.keelkv.engine.aof;

import net.openhft.chronicle.bytes.MappedBytesStore;
import net.openhft.chronicle.bytes.MappedFile;
import net.openhft.chronicle.core.OS;
import net.openhft.posix.PosixAPI;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A memory-mapped file that one thread appends to and another makes durable: the storage of an AOF
 * incremental file (docs/ARCHITECTURE.md, "Append-only file"). This class is its face and its appender side;
 * the sync side is {@link AppendFileSync} and the native file (descriptors, growth, mappings) is
 * {@link AppendFileStorage}. Callers see one object: the sync side's calls are forwarded.
 *
 * <p>Design. The file holds plain RESP commands, byte for byte as the dispatcher encoded them, from
 * offset 0 to {@link #position()}. While it is open, the rest of the file up to the end of the last
 * chunk is zeros; {@link #close()} cuts the file at the position, so a cleanly closed file is exactly the
 * commands and {@code redis-check-aof} accepts it.
 * <ul>
 *   <li><b>Append</b> (here). The appender copies the bytes straight into the mapping (Chronicle Bytes maps
 *       the file chunk by chunk, {@link MappedFile}); a command may straddle two chunks and is split there.
 *       Within a mapped chunk an append is one memory copy and one release store, on this object's own
 *       fields; it allocates nothing and makes no system call. The page faults of fresh pages are the
 *       kernel's part of the cost. Split off the sync side, the appender's fields are the only state the
 *       fast path touches.</li>
 *   <li><b>Growth</b> ({@link AppendFileStorage}). The file grows by whole chunks
 *       ({@link #DEFAULT_CHUNK_SIZE_BYTES} unless told): blocks reserved, length set, file fsynced before any
 *       byte goes into the new chunk. The directory is fsynced once, after the file is created or opened, so
 *       the name survives too. Growth and mapping a chunk are the only slow steps of the appender (one per
 *       chunk, and a few hundred bytes of Chronicle objects); the sync thread grows the file a chunk ahead
 *       ({@link #prepareGrowth}) and the appender maps the next chunk ahead ({@link #mapAhead}).</li>
 *   <li><b>Sync</b> ({@link AppendFileSync}). {@link #syncUpTo(long)} is the aof-sync agent's group commit:
 *       it msyncs ({@code MS_SYNC}) only the pages of {@code [synced, position)}, once for the whole batch,
 *       then publishes the durable position. Chronicle's own {@code MappedBytesStore.syncUpTo} issues the
 *       same msync, but it only logs a failure and moves on as if it had succeeded, so the msync is issued
 *       through the same posix binding with its result checked. The sync thread also faults in the pages
 *       ahead of the appended position ({@link #prefaultAhead}) and settles them ({@link #settleAhead}).</li>
 * </ul>
 *
 * <p>Threads and memory ordering. One <em>appender</em> thread (the event loop) calls {@link #append},
 * {@link #position()}, {@link #mapAhead()} and {@link #close()} (it may be handed the file by the thread that
 * created or opened it, after a happens-before edge: an AOF rewrite creates the next file on a helper
 * thread); one <em>sync</em> thread calls {@link #syncUpTo(long)}, {@link #prefaultAhead}, {@link #settleAhead}
 * and {@link #prepareGrowth}; any thread may read {@link #appendedPosition()}, {@link #durablePosition()} and
 * the counters.
 * <ul>
 *   <li>Every append ends with a release store of the appended position (the Unsafe offset below); the sync
 *       side begins each step with an acquire load of it, so the copied bytes and the addresses of any chunk
 *       mapped for them are visible to it first. The durable position is published by the sync side with a
 *       release store after its msyncs returned, never decreases, and never passes the appended position
 *       ({@link AppendFileSync} has the whole contract).</li>
 *   <li>The appender unmaps a chunk only when the durable position (acquire) has passed its end, so the
 *       sync thread never msyncs or touches memory that is gone. Under {@code appendfsync no} nothing syncs
 *       and old chunks stay mapped until close: address space only, the page cache still writes them back.</li>
 *   <li>{@code close()} must come after the sync thread has stopped calling {@code syncUpTo}.</li>
 * </ul>
 * The two sides' fields are in two objects, unpadded: they read each other's once per batch, not once per
 * append.
 *
 * <p>Crash and reopen. After a crash, {@code [0, durable)} is on disk. {@code [durable, appended)} may be
 * there in part and with holes of zeros, because the kernel writes dirty pages back in any order; after
 * that come the zeros of the never-written tail. So the file end is not found here: the AOF loader
 * ({@link AofReader}, {@link AofDirectory}) parses commands from offset 0 and stops at the end of the last
 * complete command: zeros right after it are the unused tail; a cut command, or zeros then more data (a
 * hole, in the last file), is a torn tail cut with {@code aof-load-truncated yes}, since nothing past a
 * sync was ever reported durable. It passes that validated length to
 * {@link #openForAppend(Path, long, long)}, which cuts the file there (so no stale byte can follow
 * the new commands), grows it to a whole chunk and fsyncs it, which also makes the replayed prefix durable
 * if the crashed process had not synced it.
 *
 * <p>Failures, and how the AOF maps them to Redis's rules:
 * <ul>
 *   <li>{@link #append} throws {@link AppendFileException} when the file cannot grow (disk full, file
 *       size limit) or a chunk cannot be mapped. Nothing of that append is in the file and the position
 *       is unchanged, so the caller can keep the bytes and retry, as Redis keeps {@code aof_buf}: the AOF
 *       answers writes with -MISCONF until a retry succeeds, and exits under {@code appendfsync always}.</li>
 *   <li>{@link #syncUpTo} throws when msync fails, and so does every later call; a failed msync of
 *       {@link #settleAhead} counts the same. The durable position stays where it was: a failed msync is
 *       final for the file (Linux may drop the error once reported; see {@link AppendFileSync}). The AOF
 *       answers writes with -MISCONF, exits under {@code always}, and the way out is a new file
 *       (BGREWRITEAOF). A failed fsync after growth makes appends fail the same way, for good.</li>
 *   <li>Opening refuses a file when native calls are unavailable (Chronicle's posix binding falls back
 *       to a no-op whose msync reports success without writing anything).</li>
 * </ul>
 */
public final class MappedAppendFile implements AutoCloseable
{
    public static final long DEFAULT_CHUNK_SIZE_BYTES = 64L << 20;
    public static final long MIN_CHUNK_SIZE_BYTES = 64L << 10;
    public static final long MAX_CHUNK_SIZE_BYTES = 1L << 30;

    private static final long APPENDED_POSITION_OFFSET =
        UnsafeApi.objectFieldOffset(MappedAppendFile.class, "appendedPosition");

    private final Path file;
    private final long chunkSizeBytes;
    private final int chunkShift;
    private final AppendFileStorage storage;
    private final AppendFileSync sync;

    // appender thread
    private long position;
    private long chunkBase;
    private long chunkEnd;
    private long chunkAddress;
    private long mappedLimit;
    private int lowestMappedChunk;
    private MappedBytesStore[] stores = new MappedBytesStore[16];
    private long[] chunkAddresses = new long[16]; // read by the sync thread after its acquire of appendedPosition
    // page-sized page-cache folios for the chunks (appendfsync always), else the kernel's large ones
    private boolean randomFaults = true;
    private boolean closed;

    // written by the appender with release, read with acquire
    @SuppressWarnings("unused")
    private volatile long appendedPosition;

    private MappedAppendFile(final Path file, final long chunkSizeBytes, final long startPosition,
        final PosixAPI posix, final AppendFileSync.Msync msync) throws AppendFileException
    {
        this.file = file;
        this.chunkSizeBytes = chunkSizeBytes;
        this.chunkShift = Long.numberOfTrailingZeros(chunkSizeBytes);
        this.storage = new AppendFileStorage(file, chunkSizeBytes, posix);
        this.sync = new AppendFileSync(this, storage, file, chunkSizeBytes, startPosition, msync);
        try
        {
            // anything past the start (zeros, a torn command) must go, or it would follow the new commands
            storage.cutTo(startPosition);
            position = startPosition;
            appendedPosition = startPosition;
            lowestMappedChunk = (int)(startPosition >>> chunkShift);
            mappedLimit = (long)lowestMappedChunk << chunkShift;
            grow(mappedLimit + chunkSizeBytes);
            enterChunk(lowestMappedChunk);
        }
        catch (final IOException | RuntimeException ex)
        {
            releaseResources();
            throw ex instanceof AppendFileException ? (AppendFileException)ex :
                new AppendFileException("cannot prepare " + file + " for appending at " + startPosition + ": " + ex, ex);
        }
    }

    /**
     * Create a new, empty append file (it must not exist), grown to one chunk; the file and its directory
     * are fsynced before this returns.
     *
     * @param file           to create.
     * @param chunkSizeBytes growth step: a power of two in [{@link #MIN_CHUNK_SIZE_BYTES}, {@link #MAX_CHUNK_SIZE_BYTES}].
     * @return the file, appending at 0.
     * @throws AppendFileException if the file exists or cannot be created, grown, mapped or fsynced.
     */
    public static MappedAppendFile create(final Path file, final long chunkSizeBytes) throws AppendFileException
    {
        return create(file, chunkSizeBytes, null);
    }

    static MappedAppendFile create(final Path file, final long chunkSizeBytes, final AppendFileSync.Msync msync)
        throws AppendFileException
    {
        validateChunkSize(chunkSizeBytes);
        final PosixAPI posix = AppendFileStorage.nativePosix();
        try
        {
            Files.createFile(file);
        }
        catch (final FileAlreadyExistsException ex)
        {
            throw new AppendFileException(file + " already exists: an append file is created once, then reopened " +
                "with openForAppend at its validated length");
        }
        catch (final IOException ex)
        {
            throw new AppendFileException("cannot create " + file + ": " + ex, ex);
        }
        return withDirectorySynced(new MappedAppendFile(file, chunkSizeBytes, 0, posix, msync));
    }

    /**
     * Reopen an existing append file to go on appending at {@code validLengthBytes}: the length of the
     * complete commands the loader found (see the class comment). Everything after it is cut off, then the
     * file is grown to the end of that chunk and fsynced, and its directory too.
     *
     * @param file             to reopen.
     * @param validLengthBytes where appending continues; at most the file's current length.
     * @param chunkSizeBytes   growth step, as for {@link #create(Path, long)}; need not be the one the file was
     *                         written with.
     * @return the file, appending at {@code validLengthBytes}, durable up to there.
     * @throws AppendFileException if the file is missing, shorter than {@code validLengthBytes}, or cannot be
     *                             cut, grown, mapped or fsynced.
     */
    public static MappedAppendFile openForAppend(final Path file, final long validLengthBytes, final long chunkSizeBytes)
        throws AppendFileException
    {
        return openForAppend(file, validLengthBytes, chunkSizeBytes, null);
    }

    static MappedAppendFile openForAppend(final Path file, final long validLengthBytes, final long chunkSizeBytes,
        final AppendFileSync.Msync msync) throws AppendFileException
    {
        validateChunkSize(chunkSizeBytes);
        final PosixAPI posix = AppendFileStorage.nativePosix();
        final long size;
        try
        {
            size = Files.size(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw new AppendFileException(file + " does not exist: nothing to append to");
        }
        catch (final IOException ex)
        {
            throw new AppendFileException("cannot read the size of " + file + ": " + ex, ex);
        }
        if (validLengthBytes < 0 || validLengthBytes > size)
        {
            throw new AppendFileException("cannot append to " + file + " at " + validLengthBytes + ": the file holds " +
                size + " bytes");
        }
        return withDirectorySynced(new MappedAppendFile(file, chunkSizeBytes, validLengthBytes, posix, msync));
    }

    // ------------------------------------------------------------------------------------------------
    // appender thread

    /**
     * Append bytes to the file: straight into the mapping, allocation-free within a chunk.
     *
     * @param src    holding the bytes (heap or off-heap).
     * @param offset of the first byte in {@code src}.
     * @param length of the bytes.
     * @throws AppendFileException if the file had to grow or map a chunk and could not; then nothing of
     *                             these bytes was written and {@link #position()} is unchanged.
     */
    public void append(final DirectBuffer src, final int offset, final int length) throws AppendFileException
    {
        src.boundsCheck(offset, length);
        final long end = position + length;
        if (end <= chunkEnd)
        {
            UnsafeApi.copyMemory(src.byteArray(), src.addressOffset() + offset, null, chunkAddress + (position - chunkBase), length);
        }
        else
        {
            appendAcrossChunks(src.byteArray(), src.addressOffset() + offset, length);
        }
        position = end;
        UnsafeApi.putLongRelease(this, APPENDED_POSITION_OFFSET, end);
    }

    /**
     * @return where the next append goes: the bytes written so far. Appender thread only.
     */
    public long position()
    {
        return position;
    }

    /**
     * @return the file's length now: whole chunks while open, {@link #position()} after close. Appender thread only.
     */
    public long fileLengthBytes()
    {
        return closed ? position : storage.fileLength();
    }

    /**
     * Clean shutdown: unmap, cut the file at {@link #position()} and fsync it, so that it holds exactly the
     * commands; release the file. Call after the sync thread has stopped. Idempotent.
     *
     * @throws AppendFileException if cutting or fsyncing failed, or an earlier msync or growth fsync
     *                             had failed: then what is on disk past the durable position is unknown.
     */
    @Override
    public void close() throws AppendFileException
    {
        if (closed)
        {
            return;
        }
        closed = true;
        storage.beginClose();
        final AppendFileException syncFailure = sync.failure();
        AppendFileException failure = syncFailure != null ? syncFailure : storage.growthFailure();
        try
        {
            releaseChunks(Integer.MAX_VALUE);
            storage.cutAndForce(position);
            if (failure == null)
            {
                sync.closedDurableAt(position);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            failure = new AppendFileException("cannot close " + file + " at " + position + " bytes: " + ex, ex);
        }
        finally
        {
            releaseResources();
        }
        if (failure != null)
        {
            throw failure;
        }
    }

    private void appendAcrossChunks(final Object srcBase, final long srcOffset, final int length)
        throws AppendFileException
    {
        final long end = position + length;
        if (end > mappedLimit)
        {
            grow(roundUpToChunk(end));
        }
        long at = position;
        long from = srcOffset;
        long left = length;
        while (left > 0)
        {
            if (at == chunkEnd)
            {
                enterChunk((int)(at >>> chunkShift));
            }
            final long bytes = Math.min(left, chunkEnd - at);
            UnsafeApi.copyMemory(srcBase, from, null, chunkAddress + (at - chunkBase), bytes);
            at += bytes;
            from += bytes;
            left -= bytes;
        }
    }

    /**
     * Whether faults through the mapping fill the page cache a page at a time (true, the default: what a group
     * commit under appendfsync always needs) or in the kernel's large folios (everysec, no); see
     * {@link AppendFileStorage#advise}. Applies to the chunks mapped now and later. Appender thread.
     */
    public void randomFaults(final boolean random)
    {
        if (random == randomFaults || closed)
        {
            return;
        }
        randomFaults = random;
        for (int chunk = 0; chunk < stores.length; chunk++)
        {
            if (stores[chunk] != null)
            {
                storage.advise(chunkAddresses[chunk], random);
            }
        }
    }

    /**
     * Map the next chunk before the appender reaches it, once it is past the middle of its last mapped chunk
     * and the sync thread has already grown the file over the next one ({@link #prepareGrowth}). Mapping is
     * one mmap, cheap; its point is that the sync thread can then fault the next chunk's first pages in
     * ({@link #prefaultAhead}) before any append lands there. Without it every chunk began with the event
     * loop taking a page fault per fresh page (each a readahead-sized folio zeroed) until the sync thread's
     * next pass, up to its park time (native-notes/aof-mmap.md). Never grows the file, never throws: a chunk
     * that cannot be mapped now is mapped, and its failure reported, by the append that needs it.
     *
     * @return true when a chunk was mapped.
     */
    public boolean mapAhead()
    {
        if (closed || mappedLimit - position > chunkSizeBytes / 2 || storage.fileLength() < mappedLimit + chunkSizeBytes)
        {
            return false;
        }
        try
        {
            mapChunk((int)(mappedLimit >>> chunkShift));
        }
        catch (final AppendFileException ex)
        {
            return false;
        }
        mappedLimit += chunkSizeBytes;
        return true;
    }

    /** Reserve [fileLength, newLimit), extend the length, fsync (it must be durable before data goes there), map. */
    private void grow(final long newLimit) throws AppendFileException
    {
        storage.growTo(newLimit, position);
        while (mappedLimit < newLimit)
        {
            mapChunk((int)(mappedLimit >>> chunkShift));
            mappedLimit += chunkSizeBytes;
        }
    }

    private void mapChunk(final int chunk) throws AppendFileException
    {
        final long base = (long)chunk << chunkShift;
        final MappedBytesStore store = storage.map(chunk, position);
        if (chunk >= stores.length)
        {
            final int capacity = Math.max(stores.length * 2, chunk + 1);
            stores = Arrays.copyOf(stores, capacity);
            // a new array, filled before it is published: the sync thread may still read the old one
            chunkAddresses = Arrays.copyOf(chunkAddresses, capacity);
        }
        stores[chunk] = store;
        chunkAddresses[chunk] = store.addressForWrite(base);
        storage.advise(chunkAddresses[chunk], randomFaults);
    }

    private void enterChunk(final int chunk)
    {
        chunkBase = (long)chunk << chunkShift;
        chunkEnd = chunkBase + chunkSizeBytes;
        chunkAddress = chunkAddresses[chunk];
        releaseChunks(chunk);
    }

    /** Unmap chunks below {@code belowChunk} that the sync thread is done with (all of them when closing). */
    private void releaseChunks(final int belowChunk)
    {
        final long durable = storage.isClosing() ? Long.MAX_VALUE : sync.durablePosition();
        final int limit = Math.min(belowChunk, (int)(mappedLimit >>> chunkShift));
        while (lowestMappedChunk < limit && ((long)(lowestMappedChunk + 1) << chunkShift) <= durable)
        {
            final MappedBytesStore store = stores[lowestMappedChunk];
            stores[lowestMappedChunk] = null;
            chunkAddresses[lowestMappedChunk] = 0;
            lowestMappedChunk++;
            if (store != null)
            {
                storage.unmap(store);
            }
        }
    }

    private void releaseResources()
    {
        storage.beginClose();
        closed = true;
        for (int i = 0; i < stores.length; i++)
        {
            if (stores[i] != null)
            {
                storage.unmap(stores[i]);
                stores[i] = null;
            }
        }
        storage.release();
    }

    /**
     * The chunks' addresses by chunk index, 0 where not mapped: read by the sync side after its acquire of the
     * appended position (a grown table is a new array, filled before it is published).
     */
    long[] chunkAddresses()
    {
        return chunkAddresses;
    }

    // ------------------------------------------------------------------------------------------------
    // sync thread: the sync side (AppendFileSync has the contracts)

    /**
     * Make the file durable up to {@code position} (at most {@link #appendedPosition()}): one msync of the dirty
     * pages since the last sync, then publish the durable position. Sync thread only; allocation-free.
     *
     * @return the durable position.
     * @throws AppendFileException if an msync fails, now or earlier: final for the file.
     * @throws IllegalArgumentException if {@code position} is beyond what was appended.
     * @see AppendFileSync#syncUpTo(long)
     */
    public long syncUpTo(final long position) throws AppendFileException
    {
        return sync.syncUpTo(position);
    }

    /** Sync thread (tests): bytes of synced pages given back to the page cache so far. */
    long releasedBytes()
    {
        return sync.releasedBytes();
    }

    /**
     * Write back once up to {@code maxBytes} of the zero pages touched ahead (group commits). Sync thread.
     *
     * @return the bytes settled, 0 when nothing is left to settle.
     * @throws AppendFileException if the msync failed: final for the file, as a failed sync is.
     * @see AppendFileSync#settleAhead(long)
     */
    public long settleAhead(final long maxBytes) throws AppendFileException
    {
        return sync.settleAhead(maxBytes);
    }

    /**
     * Fault in the pages up to {@code bytesAhead} past the appended position, in steps of {@code slackBytes}.
     * Sync thread (or the creating thread before the hand-over).
     *
     * @return bytes newly faulted in.
     * @see AppendFileSync#prefaultAhead(long, long)
     */
    public long prefaultAhead(final long bytesAhead, final long slackBytes)
    {
        return sync.prefaultAhead(bytesAhead, slackBytes);
    }

    /**
     * Grow the file by one chunk before the appender needs it. Sync thread; not after {@link #close()} began.
     *
     * @return true when the file was grown.
     * @see AppendFileSync#prepareGrowth()
     */
    public boolean prepareGrowth()
    {
        return sync.prepareGrowth();
    }

    // ------------------------------------------------------------------------------------------------
    // any thread

    /**
     * @return the bytes appended so far, as published by the appender (acquire).
     */
    public long appendedPosition()
    {
        return UnsafeApi.getLongAcquire(this, APPENDED_POSITION_OFFSET);
    }

    /**
     * @return the bytes known to be on disk (acquire); never decreases.
     */
    public long durablePosition()
    {
        return sync.durablePosition();
    }

    /**
     * @return the number of syncs that issued msync (no-op calls are not counted).
     */
    public long syncCount()
    {
        return sync.syncCount();
    }

    /**
     * @return the total time spent in those syncs, in nanoseconds.
     */
    public long syncTotalNs()
    {
        return sync.syncTotalNs();
    }

    /**
     * @return the bytes passed to msync: whole pages, so at least the bytes appended and synced.
     */
    public long syncedBytes()
    {
        return sync.syncedBytes();
    }

    public Path file()
    {
        return file;
    }

    public long chunkSizeBytes()
    {
        return chunkSizeBytes;
    }

    // ------------------------------------------------------------------------------------------------

    private long roundUpToChunk(final long bytes)
    {
        return ((bytes + chunkSizeBytes - 1) >>> chunkShift) << chunkShift;
    }

    private static void validateChunkSize(final long chunkSizeBytes)
    {
        if (Long.bitCount(chunkSizeBytes) != 1 || chunkSizeBytes < MIN_CHUNK_SIZE_BYTES ||
            chunkSizeBytes > MAX_CHUNK_SIZE_BYTES || chunkSizeBytes < OS.pageSize())
        {
            throw new IllegalArgumentException("chunkSizeBytes must be a power of two in [" + MIN_CHUNK_SIZE_BYTES +
                ", " + MAX_CHUNK_SIZE_BYTES + "]: " + chunkSizeBytes);
        }
    }

    private static MappedAppendFile withDirectorySynced(final MappedAppendFile appendFile) throws AppendFileException
    {
        try
        {
            AppendFileStorage.syncDirectoryOf(appendFile.file);
        }
        catch (final AppendFileException ex)
        {
            appendFile.releaseResources();
            throw ex;
        }
        return appendFile;
    }
}
