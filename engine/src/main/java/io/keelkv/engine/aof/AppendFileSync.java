package io.keelkv.engine.aof;

import net.openhft.chronicle.core.OS;
import org.agrona.UnsafeApi;

import java.nio.file.Path;

/**
 * The sync side of a {@link MappedAppendFile}: what the aof-sync agent does to the file. It makes the
 * appended bytes durable (group commit: {@link #syncUpTo}, one msync for a whole batch), publishes the
 * durable position and the sync statistics, and keeps the file ready for the appender: it faults in the pages
 * ahead of the appended position ({@link #prefaultAhead}), touches again those a writeback write-protected,
 * writes back once the zero pages touched ahead so that their extents are written before a commit reaches
 * them ({@link #settleAhead}), and grows the file a chunk ahead ({@link #prepareGrowth}).
 *
 * <p>Design. Everything here runs on the sync thread (prefaultAhead may also run on the thread that created
 * the file, before the file is handed over), and none of it may cost the appender anything: the appender's
 * fast path writes only its own fields ({@link MappedAppendFile}), and this class reads them through their
 * ordering only. So its state (synced, touched and settled marks, the durable position, the counters) is
 * kept apart from the appender's, and the appender reads the durable position only when it enters a chunk.
 *
 * <p>Ordering between the two positions.
 * <ul>
 *   <li>Every append ends with a release store of the appended position; {@code syncUpTo}, the touches and
 *       the settle begin with an acquire load of it. So the copied bytes, and the addresses of any chunk
 *       mapped for them ({@link MappedAppendFile#chunkAddresses()}), are visible here before they are msynced
 *       or touched, however the caller passed the position on (the JCTools queue of the AOF, or nothing).</li>
 *   <li>{@code syncUpTo} publishes the durable position with a release store after its msync calls have
 *       returned; readers load it with acquire. It never decreases, never passes the appended position, and a
 *       reader that sees position P may release every reply whose write ends at or before P (appendfsync
 *       always). The appender unmaps a chunk only once the durable position has passed its end, so no msync
 *       or touch here reaches memory that is gone.</li>
 *   <li>The counters are published with release stores beside it (written by this thread only); any thread
 *       reads them with acquire, for INFO.</li>
 * </ul>
 *
 * <p>Failures. A failed msync is final for the file, whether a sync's or a settle's: it is recorded, the
 * durable position stays where it was, and every later sync throws; a settle does nothing more, and close
 * reports it. Linux may drop the dirty pages' error state once it has been reported, so a retry could
 * succeed while the data is lost (PostgreSQL's "fsyncgate"). This is stricter than Redis, which retries the
 * fsync: the AOF answers writes with -MISCONF, exits under {@code always}, and the way out is a new file
 * (BGREWRITEAOF). A sync after the appender began to close is refused; touches and settles then do nothing.
 */
final class AppendFileSync
{
    /** A sync of at most this many bytes is a group commit: the pages after it are touched again at once. */
    static final long SMALL_SYNC_BYTES = 64L << 10;

    /** Synced pages are given back to the page cache in steps of at least this much ({@link #releaseBehind}). */
    static final long RELEASE_STEP_BYTES = 2L << 20;

    private static final long DURABLE_POSITION_OFFSET =
        UnsafeApi.objectFieldOffset(AppendFileSync.class, "durablePosition");
    private static final long SYNC_COUNT_OFFSET = UnsafeApi.objectFieldOffset(AppendFileSync.class, "syncCount");
    private static final long SYNC_TOTAL_NS_OFFSET = UnsafeApi.objectFieldOffset(AppendFileSync.class, "syncTotalNs");
    private static final long SYNCED_BYTES_OFFSET = UnsafeApi.objectFieldOffset(AppendFileSync.class, "syncedBytes");

    /**
     * The msync of a range, returning 0 or the errno. A seam so tests can make it fail: no real
     * file system here can be made to fail an msync on demand.
     */
    @FunctionalInterface
    interface Msync
    {
        int msync(long address, long lengthBytes);
    }

    private final MappedAppendFile appender;
    private final AppendFileStorage storage;
    private final Path file;
    private final long chunkSizeBytes;
    private final int chunkShift;
    private final long pageMask;
    private final Msync msync;

    // sync thread; the published ones written with release
    private long syncedPosition;
    private long prefaultedPosition;
    // below this (from the start position on) the file's blocks are written extents (settleAhead)
    private long settledPosition;
    // below this (from the start position on) the synced pages were given back (releaseBehind)
    private long releasedPosition;
    private boolean pageOutRefused;
    private long releasedBytes;
    @SuppressWarnings("unused")
    private volatile long durablePosition;
    @SuppressWarnings("unused")
    private volatile long syncCount;
    @SuppressWarnings("unused")
    private volatile long syncTotalNs;
    @SuppressWarnings("unused")
    private volatile long syncedBytes;
    private volatile AppendFileException syncFailure;

    /**
     * @param startPosition where the appender starts: durable already (the file was cut there and fsynced).
     * @param msync         null for the real msync ({@link AppendFileStorage#msync}).
     */
    AppendFileSync(final MappedAppendFile appender, final AppendFileStorage storage, final Path file,
        final long chunkSizeBytes, final long startPosition, final Msync msync)
    {
        this.appender = appender;
        this.storage = storage;
        this.file = file;
        this.chunkSizeBytes = chunkSizeBytes;
        this.chunkShift = Long.numberOfTrailingZeros(chunkSizeBytes);
        this.pageMask = OS.pageSize() - 1L;
        this.msync = msync != null ? msync : storage::msync;
        syncedPosition = startPosition;
        settledPosition = (startPosition + pageMask) & ~pageMask;
        releasedPosition = startPosition & ~pageMask;
        durablePosition = startPosition;
    }

    /**
     * Make the file durable up to {@code position}: one msync of the dirty pages {@code [synced, position)},
     * then publish {@code position} as the durable position. A position at or below the synced one does
     * nothing. Sync thread only; allocation-free.
     *
     * @param position to sync up to: at most {@link MappedAppendFile#appendedPosition()}.
     * @return the durable position.
     * @throws AppendFileException if an msync fails, now or earlier (see the class comment).
     * @throws IllegalArgumentException if {@code position} is beyond what was appended.
     */
    long syncUpTo(final long position) throws AppendFileException
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
        final long appended = appender.appendedPosition();
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
        // before the durable position moves: until then no chunk past the old one can be unmapped
        releaseBehind(from, position);
        UnsafeApi.putLongRelease(this, SYNC_COUNT_OFFSET, UnsafeApi.getLong(this, SYNC_COUNT_OFFSET) + 1);
        UnsafeApi.putLongRelease(this, SYNCED_BYTES_OFFSET, UnsafeApi.getLong(this, SYNCED_BYTES_OFFSET) + bytes);
        UnsafeApi.putLongRelease(this, SYNC_TOTAL_NS_OFFSET,
            UnsafeApi.getLong(this, SYNC_TOTAL_NS_OFFSET) + System.nanoTime() - startNs);
        UnsafeApi.putLongRelease(this, DURABLE_POSITION_OFFSET, position);
        return position;
    }

    /**
     * Sync thread, after an msync up to {@code position} and before it is published: give the page cache back the
     * whole pages below {@code position} (MADV_PAGEOUT), in steps of at least {@link #RELEASE_STEP_BYTES}. The
     * appender never touches them again (it writes at its position and past it), nothing reads the file while
     * it is appended to, and they are clean, just written back, so reclaim drops them instead of the kernel
     * keeping the whole log cached (and in this process's RSS while its chunk is mapped): under load 8 MiB of
     * the file stay resident, the prefault window, instead of up to a chunk. And each fresh page of the file
     * costs a page-cache page allocated and zeroed (prefaultAhead: half of the aof-sync thread's samples under
     * everysec at pipeline 16), where memory freed a moment ago is cheaper to touch than memory freed long
     * ago: on this machine's VM, which returns free memory to its host within seconds, 1.4-2.1 us a page
     * against 8-11 (native-notes/aof-mmap.md; no change in throughput was measurable). PostgreSQL drops its
     * WAL segments' pages likewise.
     *
     * <p>Only chunks still mapped: those whose end is past {@code previousSynced} (the durable position the
     * appender has seen: it unmaps a chunk only once that passed the chunk's end). What lies in chunks already
     * unmapped stays cached until reclaim: a sync that crossed a whole chunk, rare.
     */
    private void releaseBehind(final long previousSynced, final long position)
    {
        final long limit = position & ~pageMask;
        if (pageOutRefused || limit - releasedPosition < RELEASE_STEP_BYTES)
        {
            return;
        }
        final long[] addresses = appender.chunkAddresses();
        long at = Math.max(releasedPosition, (previousSynced >>> chunkShift) << chunkShift);
        while (at < limit)
        {
            final int chunk = (int)(at >>> chunkShift);
            final long base = (long)chunk << chunkShift;
            final long rangeEnd = Math.min(limit, base + chunkSizeBytes);
            if (chunk < addresses.length && addresses[chunk] != 0)
            {
                if (!storage.pageOut(addresses[chunk] + (at - base), rangeEnd - at))
                {
                    pageOutRefused = true;
                    return;
                }
                releasedBytes += rangeEnd - at;
            }
            at = rangeEnd;
        }
        releasedPosition = limit;
    }

    /** Sync thread (tests): bytes of synced pages given back so far. */
    long releasedBytes()
    {
        return releasedBytes;
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
        final long[] addresses = appender.chunkAddresses();
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
        final long[] addresses = appender.chunkAddresses();
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
    long settleAhead(final long maxBytes) throws AppendFileException
    {
        if (storage.isClosing() || syncFailure != null)
        {
            return 0;
        }
        final long appended = appender.appendedPosition();
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
     * appended position are touched, the next one once the appender mapped it ahead
     * ({@link MappedAppendFile#mapAhead}): a chunk stays mapped until the durable position, which only this
     * thread moves, has passed its end. This may also run on the thread that created the file, before the file
     * is handed to the sync thread. A touch is a compare-and-set of 0 with 0 on one long per page: a write
     * access that changes no byte, and that cannot lose a byte the appender writes there at the same time
     * (the CAS either finds it written and does nothing, or completes before it). Pages past the appended
     * position are zeros (reserved, unwritten blocks), so the CAS finds 0 there.
     *
     * @param bytesAhead how far past the appended position to keep pages faulted in.
     * @param slackBytes  do nothing while at least this much is faulted in ahead (touch in larger steps).
     * @return bytes newly faulted in.
     */
    long prefaultAhead(final long bytesAhead, final long slackBytes)
    {
        if (storage.isClosing())
        {
            return 0;
        }
        final long appended = appender.appendedPosition();
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

    /**
     * Sync thread: grow the file by one chunk before the appender needs it, once less than half a chunk is left
     * past the appended position ({@link AppendFileStorage#growAhead}: reserve, extend, fsync). The fsync writes
     * back whatever the file holds dirty, tens of milliseconds here (a 30 ms stall of every client, once per
     * chunk, when the event loop did it). Done here, the appender finds the length in place and only maps the
     * chunk. Both threads grow under one lock; the appender grows itself when this has not (or failed), with
     * the same checks and failure reports as before. Must not be called after the appender began to close.
     *
     * @return true when the file was grown.
     */
    boolean prepareGrowth()
    {
        if (storage.growAheadRefused())
        {
            return false;
        }
        if (!storage.growAhead(appender.appendedPosition()))
        {
            return false;
        }
        // the fsync wrote back, and so write-protected, every page touched ahead: touch them again
        touchAgainFrom(appender.appendedPosition());
        return true;
    }

    /**
     * Appender, at a clean close (after the sync thread has stopped): the file was cut at {@code position} and
     * fsynced, so everything is durable.
     */
    void closedDurableAt(final long position)
    {
        syncedPosition = position;
        UnsafeApi.putLongRelease(this, DURABLE_POSITION_OFFSET, position);
    }

    /** @return the msync failure that made the file unusable, or null. */
    AppendFileException failure()
    {
        return syncFailure;
    }

    /** @return the bytes known to be on disk (acquire); never decreases. */
    long durablePosition()
    {
        return UnsafeApi.getLongAcquire(this, DURABLE_POSITION_OFFSET);
    }

    /** @return the number of syncs that issued msync (no-op calls are not counted). */
    long syncCount()
    {
        return UnsafeApi.getLongAcquire(this, SYNC_COUNT_OFFSET);
    }

    /** @return the total time spent in those syncs, in nanoseconds. */
    long syncTotalNs()
    {
        return UnsafeApi.getLongAcquire(this, SYNC_TOTAL_NS_OFFSET);
    }

    /** @return the bytes passed to msync: whole pages, so at least the bytes appended and synced. */
    long syncedBytes()
    {
        return UnsafeApi.getLongAcquire(this, SYNCED_BYTES_OFFSET);
    }
}
