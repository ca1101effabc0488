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
 * incremental file (docs/ARCHITECTURE.md, "Append-only file"). The native file (descriptors, growth,
 * chunk mappings, every system call) is {@link AppendFileStorage}.
 *
 * <p>Design. The file holds plain RESP commands, byte for byte as the dispatcher encoded them, from
 * offset 0 to {@link #position()}. While it is open, the rest of the file up to the end of the last
 * chunk is zeros; {@link #close()} cuts the file at the position, so a cleanly closed file is exactly the
 * commands and {@code redis-check-aof} accepts it.
 * <ul>
 *   <li><b>Append.</b> The appender copies the bytes straight into the mapping (Chronicle Bytes maps the
 *       file chunk by chunk, {@link MappedFile}); a command may straddle two chunks and is split there.
 *       Within a mapped chunk an append is one memory copy and one release store; it allocates nothing
 *       and makes no system call. The page faults of fresh pages are the kernel's part of the cost.</li>
 *   <li><b>Growth.</b> The file grows by whole chunks ({@link #DEFAULT_CHUNK_SIZE_BYTES} unless told).
 *       Growth reserves the blocks first ({@code fallocate}), then sets the length ({@code ftruncate}):
 *       ftruncate alone would leave a sparse file, and a full disk would show up as a SIGBUS on some later
 *       page fault of the appender; this way it fails the append that needed the space, as a clear
 *       exception with nothing of that append written. Then the file is fsynced before any byte is
 *       written into the new chunk, because the file's length is metadata that msync does not promise
 *       to carry: a synced byte beyond a length that was never made durable would be lost in a crash.
 *       The directory is fsynced once, after the file is created or opened, so the name survives too.
 *       Growth and mapping a chunk are the only slow steps of the appender (one per chunk, and a few
 *       hundred bytes of Chronicle objects); the growth's fsync writes back whatever the file holds dirty
 *       (tens of ms), so the sync thread grows the file a chunk ahead ({@link #prepareGrowth}) under a lock
 *       the appender's own growth shares, and the appender then only maps. The sync thread also faults in
 *       the pages ahead of the appended position ({@link #prefaultAhead}).</li>
 *   <li><b>Sync.</b> {@link #syncUpTo(long)} is the aof-sync agent's group commit: it msyncs
 *       ({@code MS_SYNC}) only the pages of {@code [synced, position)}, once for the whole batch, then
 *       publishes the durable position. Chronicle's own {@code MappedBytesStore.syncUpTo} issues the same
 *       msync, but it only logs a failure and moves on as if it had succeeded, so the msync is issued here
 *       through the same posix binding with its result checked. Sync count, total sync time and bytes
 *       synced are counted for INFO.</li>
 * </ul>
 *
 * <p>Threads and memory ordering. One <em>appender</em> thread (the event loop) calls {@link #append},
 * {@link #position()} and {@link #close()} (it may be handed the file by the thread that created or opened
 * it, after a happens-before edge: an AOF rewrite creates the next file on a helper thread); one
 * <em>sync</em> thread calls {@link #syncUpTo(long)}, {@link #prefaultAhead} and {@link #prepareGrowth}; any thread may read {@link #appendedPosition()}, {@link #durablePosition()}
 * and the counters.
 * <ul>
 *   <li>Every append ends with a release store of the appended position; {@code syncUpTo} begins with an
 *       acquire load of it. So the copied bytes, and the addresses of any chunk mapped for them, are
 *       visible to the sync thread before it msyncs them, however the caller passed the position on
 *       (the JCTools queue of the AOF, or nothing at all).</li>
 *   <li>{@code syncUpTo} publishes the durable position with a release store after its msync calls have
 *       returned; readers load it with acquire. It never decreases, and a reader that sees position P
 *       may release every reply whose write ends at or before P (appendfsync always).</li>
 *   <li>The appender unmaps a chunk only when the durable position (acquire) has passed its end, so the
 *       sync thread never msyncs memory that is gone. Under {@code appendfsync no} nothing syncs and old
 *       chunks stay mapped until close: address space only, the page cache still writes them back.</li>
 *   <li>{@code close()} must come after the sync thread has stopped calling {@code syncUpTo}.</li>
 * </ul>
 * No padding between the two sides' fields: they touch each other's cache line once per batch, not
 * once per append.
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
 *   <li>{@link #syncUpTo} throws when msync fails, and so does every later call: Linux may drop the dirty
 *       pages' error state once it has been reported, so a retry could succeed while the data is lost
 *       (PostgreSQL's "fsyncgate"). The durable position stays where it was. This is stricter than Redis,
 *       which retries the fsync: the AOF answers writes with -MISCONF, exits under {@code always}, and
 *       the way out is a new file (BGREWRITEAOF). A failed fsync after growth makes appends fail the
 *       same way, for good.</li>
 *   <li>Opening refuses a file when native calls are unavailable (Chronicle's posix binding falls back
 *       to a no-op whose msync reports success without writing anything).</li>
 * </ul>
 */
public final class MappedAppendFile implements AutoCloseable
{
    public static final long DEFAULT_CHUNK_SIZE_BYTES = 64L << 20;
    public static final long MIN_CHUNK_SIZE_BYTES = 64L << 10;
    /** A sync of at most this many bytes is a group commit: the pages after it are touched again at once. */
    static final long SMALL_SYNC_BYTES = 64L << 10;
    public static final long MAX_CHUNK_SIZE_BYTES = 1L << 30;

    private static final long APPENDED_POSITION_OFFSET =
        UnsafeApi.objectFieldOffset(MappedAppendFile.class, "appendedPosition");
    private static final long DURABLE_POSITION_OFFSET =
        UnsafeApi.objectFieldOffset(MappedAppendFile.class, "durablePosition");
    private static final long SYNC_COUNT_OFFSET = UnsafeApi.objectFieldOffset(MappedAppendFile.class, "syncCount");
    private static final long SYNC_TOTAL_NS_OFFSET = UnsafeApi.objectFieldOffset(MappedAppendFile.class, "syncTotalNs");
    private static final long SYNCED_BYTES_OFFSET = UnsafeApi.objectFieldOffset(MappedAppendFile.class, "syncedBytes");

    /**
     * The msync of a range, returning 0 or the errno. A seam so tests can make it fail: no real
     * file system here can be made to fail an msync on demand.
     */
    @FunctionalInterface
    interface Msync
    {
        int msync(long address, long lengthBytes);
    }

    private final Path file;
    private final long chunkSizeBytes;
    private final int chunkShift;
    private final long pageMask;
    private final Msync msync;
    private final AppendFileStorage storage;

    // appender thread
    private long position;
    private long chunkBase;
    private long chunkEnd;
    private long chunkAddress;
    private long mappedLimit;
    private int lowestMappedChunk;
    private MappedBytesStore[] stores = new MappedBytesStore[16];
    private long[] chunkAddresses = new long[16]; // read by the sync thread after its acquire of appendedPosition
    private boolean closed;

    // written by the appender with release, read with acquire
    @SuppressWarnings("unused")
    private volatile long appendedPosition;

    // sync thread; the published ones written with release
    private long syncedPosition;
    private long prefaultedPosition;
    // below this (from the start position on) the file's blocks are written extents (settleAhead)
    private long settledPosition;
    @SuppressWarnings("unused")
    private volatile long durablePosition;
    @SuppressWarnings("unused")
    private volatile long syncCount;
    @SuppressWarnings("unused")
    private volatile long syncTotalNs;
    @SuppressWarnings("unused")
    private volatile long syncedBytes;
    private volatile AppendFileException syncFailure;

    private MappedAppendFile(final Path file, final long chunkSizeBytes, final long startPosition,
        final PosixAPI posix, final Msync msync) throws AppendFileException
    {
        this.file = file;
        this.chunkSizeBytes = chunkSizeBytes;
        this.chunkShift = Long.numberOfTrailingZeros(chunkSizeBytes);
        this.pageMask = OS.pageSize() - 1L;
        this.storage = new AppendFileStorage(file, chunkSizeBytes, posix);
        this.msync = msync != null ? msync : storage::msync;
        try
        {
            // anything past the start (zeros, a torn command) must go, or it would follow the new commands
            storage.cutTo(startPosition);
            position = startPosition;
            appendedPosition = startPosition;
            syncedPosition = startPosition;
            settledPosition = (startPosition + pageMask) & ~pageMask;
            durablePosition = startPosition;
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

    static MappedAppendFile create(final Path file, final long chunkSizeBytes, final Msync msync)
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
        final Msync msync) throws AppendFileException
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
        AppendFileException failure = syncFailure != null ? syncFailure : storage.growthFailure();
        try
        {
            releaseChunks(Integer.MAX_VALUE);
            storage.cutAndForce(position);
            if (failure == null)
            {
                syncedPosition = position;
                UnsafeApi.putLongRelease(this, DURABLE_POSITION_OFFSET, position);
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
        storage.adviseRandom(chunkAddresses[chunk]);
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
        final long durable = storage.isClosing() ? Long.MAX_VALUE : UnsafeApi.getLongAcquire(this, DURABLE_POSITION_OFFSET);
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

    // ------------------------------------------------------------------------------------------------
    // sync thread

    /**
     * Make the file durable up to {@code position}: one msync of the dirty pages {@code [synced, position)},
     * then publish {@code position} as the durable position. A position at or below the synced one does
     * nothing. Sync thread only; allocation-free.
     *
     * @param position to sync up to: at most {@link #appendedPosition()}.
     * @return the durable position.
     * @throws AppendFileException if an msync fails, now or earlier (see the class comment).
     * @throws IllegalArgumentException if {@code position} is beyond what was appended.
     */
    public long syncUpTo(final long position) throws AppendFileException
    {
        final AppendFileException failure = syncFailure;
        if (failure != null)
        {
            throw new AppendFileException("no sync of " + file + " after an msync failure: " + failure.getMessage(), failure);
        }
        if (storage.isClosing())
        {
            throw new IllegalStateException(file + " is closed");
        }
        final long appended = UnsafeApi.getLongAcquire(this, APPENDED_POSITION_OFFSET);
        if (position > appended)
        {
            throw new IllegalArgumentException("cannot sync " + file + " up to " + position + ": only " + appended +
                " bytes were appended");
        }
        final long from = syncedPosition;
        if (position <= from)
        {
            return from;
        }
        final long startNs = System.nanoTime();
        final long end = (position + pageMask) & ~pageMask;
        final long bytes = msyncRange(from & ~pageMask, end);
        syncedPosition = position;
        if (bytes <= SMALL_SYNC_BYTES)
        {
            // a group commit (appendfsync always): the writeback cleaned, so write-protected, the page the
            // appender is filling and the folio or two after it, not more (a few 4-8 KiB writes a sync,
            // traced). Touched again here, at once, the appender's next store does not fault; before this it
            // took one write fault per sync, and resetting the whole window ahead made every sync re-touch
            // 8 MiB (2,048 CASes, ~0.2 ms of this thread) before the next sync could start
            touchAgain(position & ~pageMask, SMALL_SYNC_BYTES);
        }
        else
        {
            // the writeback write-protects more than the range: whole folios, megabytes past the position
            // here (traced: runs of 700-930 write faults by the appender right after each msync under
            // everysec). The pages already touched ahead are touched again by the next prefaultAhead, before
            // the appender gets there (prepareGrowth's fsync does the same to all of them)
            touchAgainFrom(end);
        }
        UnsafeApi.putLongRelease(this, SYNC_COUNT_OFFSET, UnsafeApi.getLong(this, SYNC_COUNT_OFFSET) + 1);
        UnsafeApi.putLongRelease(this, SYNCED_BYTES_OFFSET, UnsafeApi.getLong(this, SYNCED_BYTES_OFFSET) + bytes);
        UnsafeApi.putLongRelease(this, SYNC_TOTAL_NS_OFFSET,
            UnsafeApi.getLong(this, SYNC_TOTAL_NS_OFFSET) + System.nanoTime() - startNs);
        UnsafeApi.putLongRelease(this, DURABLE_POSITION_OFFSET, position);
        return position;
    }

    /**
     * Sync thread: grow the file by one chunk before the appender needs it, once less than half a chunk is left
     * past the appended position ({@link AppendFileStorage#growAhead}: reserve, extend, fsync). The fsync writes
     * back whatever the file holds dirty, tens of milliseconds here (a 30 ms stall of every client, once per
     * chunk, when the event loop did it). Done here, the appender finds the length in place and only maps the
     * chunk. Both threads grow under one lock; the appender grows itself when this has not (or failed), with
     * the same checks and failure reports as before. Must not be called after {@link #close()} began.
     *
     * @return true when the file was grown.
     */
    public boolean prepareGrowth()
    {
        if (storage.growAheadRefused())
        {
            return false;
        }
        if (!storage.growAhead(UnsafeApi.getLongAcquire(this, APPENDED_POSITION_OFFSET)))
        {
            return false;
        }
        // the fsync wrote back, and so write-protected, every page touched ahead: touch them again
        touchAgainFrom(UnsafeApi.getLongAcquire(this, APPENDED_POSITION_OFFSET));
        return true;
    }

    /**
     * Sync thread: touch again the pages of [{@code from}, {@code from + bytes}) that were touched before (up to
     * the prefault mark), now. A CAS write-accesses its long even when the compare fails, so the tail page,
     * which holds appended bytes, is made writable too, and its bytes are written back unchanged, atomically
     * against the appender's stores (see {@link #prefaultAhead}).
     */
    private void touchAgain(final long from, final long bytes)
    {
        touch(from, Math.min(prefaultedPosition, from + bytes));
    }

    /**
     * Sync thread: touch each page of the page-aligned [{@code from}, {@code limit}) with a CAS of 0 with 0 (see
     * {@link #prefaultAhead}), up to the first chunk not mapped. @return where it stopped.
     */
    private long touch(final long from, final long limit)
    {
        final long[] addresses = chunkAddresses;
        long at = from;
        while (at < limit)
        {
            final int chunk = (int)(at >>> chunkShift);
            if (chunk >= addresses.length || addresses[chunk] == 0)
            {
                break;
            }
            final long base = (long)chunk << chunkShift;
            final long chunkLimit = Math.min(base + chunkSizeBytes, limit);
            while (at < chunkLimit)
            {
                UnsafeApi.compareAndSetLong(null, addresses[chunk] + (at - base), 0L, 0L);
                at += pageMask + 1;
            }
        }
        return at;
    }

    /**
     * Sync thread: msync the page-aligned [{@code from}, {@code end}), chunk by chunk. A failure is final for the
     * file: it is recorded, and every later sync refuses. @return the bytes msynced.
     */
    private long msyncRange(final long from, final long end) throws AppendFileException
    {
        final long[] addresses = chunkAddresses;
        long at = from;
        while (at < end)
        {
            final int chunk = (int)(at >>> chunkShift);
            final long base = (long)chunk << chunkShift;
            final long rangeEnd = Math.min(end, base + chunkSizeBytes);
            final int errno = msync.msync(addresses[chunk] + (at - base), rangeEnd - at);
            if (errno != 0)
            {
                syncFailure = new AppendFileException("msync of " + file + " [" + at + ", " + rangeEnd + ") failed: " +
                    storage.strerror(errno) + " (errno " + errno + "); durable up to " + syncedPosition + " only");
                throw syncFailure;
            }
            at = rangeEnd;
        }
        return end - from;
    }

    /**
     * Sync thread, for group commits: write back, once, up to {@code maxBytes} of the zero pages already touched
     * ahead of the appended position, then touch them again. Growth reserves blocks as <em>unwritten</em>
     * extents (fallocate), and the first writeback of a block converts its extent, which costs the sync that
     * does it a metadata write before the flush: under appendfsync always that was every second or third group
     * commit (a small sync grows into a new block that often), 155-160 us a sync against 123-129 us over
     * written blocks (native-notes/aof-mmap.md). Settled here first, the blocks are written zeros by the time
     * the appender's commits reach them; it costs a second write of those pages and one flush per step, off
     * the clients' path. Never the appender's current page: the settled range starts at the page after it.
     *
     * @return the bytes settled, 0 when nothing touched ahead is left to settle.
     * @throws AppendFileException if the msync failed: final for the file, as a failed sync is.
     */
    public long settleAhead(final long maxBytes) throws AppendFileException
    {
        if (storage.isClosing() || syncFailure != null)
        {
            return 0;
        }
        final long appended = UnsafeApi.getLongAcquire(this, APPENDED_POSITION_OFFSET);
        final long from = Math.max(settledPosition, (appended + pageMask) & ~pageMask);
        final long to = Math.min(prefaultedPosition, from + maxBytes);
        if (to <= from)
        {
            return 0;
        }
        msyncRange(from, to);
        settledPosition = to;
        touchAgain(from, to - from); // the writeback write-protected them
        return to - from;
    }

    /** Sync thread: after a writeback, the pages from {@code position}'s page end on are to be touched again. */
    private void touchAgainFrom(final long position)
    {
        prefaultedPosition = Math.min(prefaultedPosition, (position + pageMask) & ~pageMask);
    }

    /**
     * Sync thread: fault in the file's pages ahead of the appended position, so that the appender's stores
     * land on pages already mapped writable. On this machine the first store into a fresh page of the file
     * costs ~18 us (the kernel allocates and zeroes a page-cache page); at one fault per 65 SETs that was a
     * third of the event loop's time at pipeline 16 (native-notes/aof-mmap.md). Only chunks at or past the
     * appended position are touched, the next one once the appender mapped it ahead ({@link #mapAhead}): a
     * chunk stays mapped until the durable position, which only this thread moves, has passed its end. This
     * may also run on the thread that created the file, before the file is handed to the sync thread. A touch is a compare-and-set of 0 with 0 on one long per page: a write
     * access that changes no byte, and that cannot lose a byte the appender writes there at the same time
     * (the CAS either finds it written and does nothing, or completes before it). Pages past the appended
     * position are zeros (reserved, unwritten blocks), so the CAS finds 0 there.
     *
     * @param bytesAhead how far past the appended position to keep pages faulted in.
     * @param slackBytes  do nothing while at least this much is faulted in ahead (touch in larger steps).
     * @return bytes newly faulted in.
     */
    public long prefaultAhead(final long bytesAhead, final long slackBytes)
    {
        if (storage.isClosing())
        {
            return 0;
        }
        final long appended = UnsafeApi.getLongAcquire(this, APPENDED_POSITION_OFFSET);
        if (prefaultedPosition - appended >= slackBytes)
        {
            return 0;
        }
        final long start = Math.max(prefaultedPosition, (appended + pageMask) & ~pageMask);
        // the chunk of the appended position, and the next one once the appender has mapped it ahead
        final long at = touch(start, appended + bytesAhead);
        prefaultedPosition = Math.max(prefaultedPosition, at);
        return Math.max(0, at - start);
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
        return UnsafeApi.getLongAcquire(this, DURABLE_POSITION_OFFSET);
    }

    /**
     * @return the number of syncs that issued msync (no-op calls are not counted).
     */
    public long syncCount()
    {
        return UnsafeApi.getLongAcquire(this, SYNC_COUNT_OFFSET);
    }

    /**
     * @return the total time spent in those syncs, in nanoseconds.
     */
    public long syncTotalNs()
    {
        return UnsafeApi.getLongAcquire(this, SYNC_TOTAL_NS_OFFSET);
    }

    /**
     * @return the bytes passed to msync: whole pages, so at least the bytes appended and synced.
     */
    public long syncedBytes()
    {
        return UnsafeApi.getLongAcquire(this, SYNCED_BYTES_OFFSET);
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
