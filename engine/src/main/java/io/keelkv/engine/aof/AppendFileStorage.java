package io.keelkv.engine.aof;

import net.openhft.chronicle.bytes.MappedBytesStore;
import net.openhft.chronicle.bytes.MappedFile;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.io.ReferenceOwner;
import net.openhft.posix.MAdviseFlag;
import net.openhft.posix.MSyncFlag;
import net.openhft.posix.OpenFlag;
import net.openhft.posix.PosixAPI;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The native side of a {@link MappedAppendFile}: its descriptors, its length and reserved blocks, its growth
 * by whole chunks, and Chronicle's mapping of each chunk. Every system call of the append file is issued here
 * (native-notes/aof-mmap.md says what each one relies on).
 *
 * <p>Design. This is its own class because growth is the one step both threads take: the appender grows the
 * file when an append needs a chunk that is not there, and the sync thread grows it a chunk ahead
 * ({@link #growAhead}) so that the growth's fsync, which writes back whatever the file holds dirty (tens of
 * ms), stays off the event loop. Both grow under one lock; the appender then finds the length in place and
 * only maps. Growth reserves the blocks first ({@code fallocate}), then sets the length ({@code ftruncate}):
 * ftruncate alone would leave a sparse file, and a full disk would show up as a SIGBUS on a later page fault
 * of the appender; this way it fails the append that needed the space, as a clear exception with nothing of
 * that append written. Then the file is fsynced before any byte goes into the new chunk: the length is
 * metadata that msync does not promise to carry, and a synced byte beyond a length that never reached the
 * disk would be lost in a crash.
 *
 * <p>Threads. The appender grows ({@link #growTo}), maps and unmaps chunks, and closes; the sync thread
 * grows ahead and issues its msyncs through {@link #msync}; {@link #fileLength()} and {@link #isClosing()}
 * may be read from either. The file's length is written by either thread under the growth lock and read
 * without it for the fast checks. {@code closing} is the appender's close as the sync thread sees it: once
 * it is set no sync, touch, settle or growth ahead starts, since the mappings and descriptors are going.
 * Ordering with the positions: the appender's {@link #growTo} returns only after its fsync, and
 * {@link #growAhead} publishes a new length only after its fsync, so appends (and then syncs) reach a new
 * chunk only once the length covering it is on disk; msync never has to carry the length.
 *
 * <p>Failures. A growth that cannot reserve or extend throws with nothing written and can be retried by the
 * next append. A failed fsync after growth is final for the file: Linux may drop the error once reported, so
 * every later growth refuses, and close reports it. A failure of the sync thread's growth ahead only stops
 * growing ahead: the appender grows itself when it gets there and reports what fails then.
 */
final class AppendFileStorage
{
    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final int EOPNOTSUPP = 95;

    private final Path file;
    private final long chunkSizeBytes;
    private final int chunkShift;
    private final PosixAPI posix;
    private final MappedFile mappedFile;
    private final RandomAccessFile raf;
    private final FileChannel channel;
    private final int fd;
    private final ReferenceOwner owner;

    // the file's length: written by either thread under growthLock (the appender's growth, or the sync
    // thread's growAhead), read without it for the fast checks
    private final Object growthLock = new Object();
    private volatile long fileLength;
    private boolean growthAheadStopped;
    private volatile AppendFileException growthFailure; // read by the sync thread outside the lock
    private boolean reservesBlocks = true;
    // the appender's closed flag as the sync thread sees it: a sync after close is refused, not run
    private volatile boolean closing;

    /**
     * Map the file with Chronicle and open our own descriptor on it (for fallocate). The length is set by
     * {@link #cutTo} next.
     */
    AppendFileStorage(final Path file, final long chunkSizeBytes, final PosixAPI posix) throws AppendFileException
    {
        this.file = file;
        this.chunkSizeBytes = chunkSizeBytes;
        this.chunkShift = Long.numberOfTrailingZeros(chunkSizeBytes);
        this.posix = posix;
        this.owner = ReferenceOwner.temporary("aof " + file);
        try
        {
            mappedFile = MappedFile.of(file.toFile(), chunkSizeBytes, 0, false);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new AppendFileException("cannot open " + file + " for mapping: " + ex, ex);
        }
        // syncs are ours (checked); Chronicle must not msync on its own when a chunk is released
        mappedFile.syncMode(SyncMode.NONE);
        raf = mappedFile.raf();
        channel = raf.getChannel();
        fd = posix.open(file.toString(), OpenFlag.O_RDWR.value(), 0);
        if (fd < 0)
        {
            final int errno = posix.lastError();
            mappedFile.close();
            throw new AppendFileException("cannot open " + file + ": " + posix.strerror(errno) + " (errno " + errno + ")");
        }
    }

    /** Appender, at open: set the length to {@code length}, cutting whatever follows. */
    void cutTo(final long length) throws IOException
    {
        raf.setLength(length);
        fileLength = length;
    }

    /** @return the file's length now: whole chunks while open. Either thread. */
    long fileLength()
    {
        return fileLength;
    }

    /** @return true once the appender began to close (or failed to open) the file. Either thread. */
    boolean isClosing()
    {
        return closing;
    }

    /** @return the failed fsync after growth that made the file unusable, or null. Appender thread. */
    AppendFileException growthFailure()
    {
        return growthFailure;
    }

    // ------------------------------------------------------------------------------------------------
    // appender thread

    /**
     * Make the file at least {@code newLimit} long: reserve, extend and fsync, unless the sync thread grew it
     * ahead already. Refused for good after a failed fsync.
     *
     * @param position the append's position, for the messages: nothing of that append is written on failure.
     */
    void growTo(final long newLimit, final long position) throws AppendFileException
    {
        if (growthFailure != null)
        {
            throw new AppendFileException("cannot grow " + file + ": an earlier fsync failed, the file is unusable", growthFailure);
        }
        if (fileLength < newLimit)
        {
            growLocked(newLimit, position);
        }
    }

    /** Reserve, extend and fsync up to {@code newLimit}, under the lock the sync thread's growth ahead takes too. */
    private void growLocked(final long newLimit, final long position) throws AppendFileException
    {
        synchronized (growthLock)
        {
            if (fileLength >= newLimit)
            {
                return; // the sync thread grew it ahead (growAhead): nothing left but to map
            }
            reserve(fileLength, newLimit, position);
            try
            {
                raf.setLength(newLimit);
            }
            catch (final IOException ex)
            {
                throw new AppendFileException("cannot grow " + file + " from " + fileLength + " to " + newLimit +
                    " bytes: " + ex.getMessage() + "; nothing of the append at " + position + " was written", ex);
            }
            try
            {
                channel.force(true);
            }
            catch (final IOException ex)
            {
                growthFailure = new AppendFileException("fsync of " + file + " after growing it to " + newLimit +
                    " bytes failed: " + ex, ex);
                throw growthFailure;
            }
            // published only once durable, as growAhead does: mapAhead maps a chunk when the length covers it,
            // so a length published before a failed fsync let the next append land past it and succeed
            fileLength = newLimit;
        }
    }

    /**
     * Map chunk {@code chunk} (Chronicle caches and reference-counts the store).
     *
     * @param position the append's position, for the message: nothing of that append is written on failure.
     */
    MappedBytesStore map(final int chunk, final long position) throws AppendFileException
    {
        final long base = (long)chunk << chunkShift;
        try
        {
            return mappedFile.acquireByteStore(owner, base);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new AppendFileException("cannot map chunk " + chunk + " [" + base + ", " + (base + chunkSizeBytes) +
                ") of " + file + ": " + ex + "; nothing of the append at " + position + " was written", ex);
        }
    }

    /**
     * How the faults of the chunk mapped at {@code address} fill the page cache. {@code random}: page-sized
     * folios; without it a fault reads around and allocates folios of up to 256 KiB, and a store through the
     * mapping dirties a whole folio, so each group commit (appendfsync always) wrote 256 KiB for a kilobyte of
     * commands. Otherwise the kernel's default: large folios, written back a folio at a time, which under
     * everysec cost far less (one write-protect and TLB shootdown per folio, not per page; native-notes/aof-mmap.md).
     * Advice only: a failure costs speed, not data.
     */
    void advise(final long address, final boolean random)
    {
        posix.madvise(address, chunkSizeBytes, random ? MAdviseFlag.MADV_RANDOM : MAdviseFlag.MADV_NORMAL);
    }

    /** madvise(2)'s MADV_PAGEOUT (Linux 5.4): reclaim the range's pages now; clean file pages are dropped. */
    private static final int MADV_PAGEOUT = 21;

    /**
     * Sync thread: give the page cache back the synced pages of {@code [address, address + lengthBytes)} (of a
     * mapped chunk), which the appender will never touch again. A dirty page is never dropped by it (reclaim
     * does not discard data), so this is advice only: a failure (an older kernel) costs memory, not data.
     *
     * @return false when the kernel refused it.
     */
    boolean pageOut(final long address, final long lengthBytes)
    {
        return posix.madvise(address, lengthBytes, MADV_PAGEOUT) == 0;
    }

    /** Unmap a chunk mapped by {@link #map} (Chronicle may do it later, on its releaser thread). */
    void unmap(final MappedBytesStore store)
    {
        store.release(owner);
    }

    /** The appender begins to close: from now on the sync thread starts nothing on the file. */
    void beginClose()
    {
        closing = true;
    }

    /** Clean close: ftruncate to {@code length} (even when equal: frees blocks reserved past it) and fsync. */
    void cutAndForce(final long length) throws IOException
    {
        raf.setLength(length);
        channel.force(true);
    }

    /** Close the descriptors and the mapped file; the chunks must have been unmapped. */
    void release()
    {
        posix.close(fd);
        mappedFile.close();
    }

    // ------------------------------------------------------------------------------------------------
    // sync thread

    /**
     * Sync thread: whether growth ahead is off for good (closing, a failure of its own, or a failed fsync of
     * the appender's growth), checked before the appended position is read.
     */
    boolean growAheadRefused()
    {
        return closing || growthAheadStopped || growthFailure != null;
    }

    /**
     * Sync thread: grow the file by one chunk once less than half a chunk is left past {@code appended}:
     * reserve, extend, fsync, under the lock the appender's growth shares. Never throws: a failure stops
     * growing ahead, and the appender grows itself when it gets there and reports what fails then, nothing
     * written; an fsync that failed here fails there too (Linux may have dropped the error: it is not retried
     * as a success, the appender's own fsync decides).
     *
     * @return true when the file was grown; its fsync wrote back, and so write-protected, every dirty page.
     */
    boolean growAhead(final long appended)
    {
        if (fileLength - appended > chunkSizeBytes / 2)
        {
            return false;
        }
        synchronized (growthLock)
        {
            final long from = fileLength;
            if (closing || from - appended > chunkSizeBytes / 2)
            {
                return false;
            }
            final long newLimit = from + chunkSizeBytes;
            try
            {
                reserve(from, newLimit, appended);
                raf.setLength(newLimit);
                channel.force(true);
                fileLength = newLimit;
                return true;
            }
            catch (final IOException | RuntimeException ex)
            {
                growthAheadStopped = true;
                return false;
            }
        }
    }

    /** Sync thread: msync(MS_SYNC) of the page-aligned range, returning 0 or the errno. */
    int msync(final long address, final long lengthBytes)
    {
        return posix.msync(address, lengthBytes, MSyncFlag.MS_SYNC) == 0 ? 0 : Math.max(1, posix.lastError());
    }

    String strerror(final int errno)
    {
        return posix.strerror(errno);
    }

    // ------------------------------------------------------------------------------------------------

    /**
     * Allocate the blocks of [from, to) without changing the length (FALLOC_FL_KEEP_SIZE; the length follows
     * with ftruncate, whose failure Java reports with the OS's words). Keeping the size here also keeps the
     * posix binding on its direct path: with mode 0 it falls back to posix_fallocate, which leaves errno
     * stale, so the reason for a failure would be lost.
     */
    private void reserve(final long from, final long to, final long position) throws AppendFileException
    {
        if (!reservesBlocks || posix.fallocate(fd, FALLOC_FL_KEEP_SIZE, from, to - from) == 0)
        {
            return;
        }
        final int errno = posix.lastError();
        if (errno == EOPNOTSUPP)
        {
            // a file system without fallocate: the file grows sparse, and a full disk shows up as SIGBUS later
            reservesBlocks = false;
            return;
        }
        throw new AppendFileException("cannot reserve [" + from + ", " + to + ") of " + file + ": " +
            posix.strerror(errno) + " (errno " + errno + "); nothing of the append at " + position + " was written");
    }

    /** Chronicle's posix binding falls back to a no-op when the native library cannot load: its msync lies. */
    static PosixAPI nativePosix() throws AppendFileException
    {
        final PosixAPI posix = PosixAPI.posix();
        try
        {
            if (posix.getpid() == ProcessHandle.current().pid())
            {
                return posix;
            }
        }
        catch (final RuntimeException ignore)
        {
            // the no-op binding throws here; refused below
        }
        throw new AppendFileException("native POSIX calls are unavailable (Chronicle's posix binding is " +
            posix.getClass().getName() + "): its msync would report success without writing, so no append file is opened");
    }

    /** fsync {@code file}'s directory, so that its name survives a crash too. */
    static void syncDirectoryOf(final Path file) throws AppendFileException
    {
        final Path directory = file.toAbsolutePath().getParent();
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ))
        {
            dir.force(true);
        }
        catch (final IOException ex)
        {
            throw new AppendFileException("fsync of directory " + directory + " failed: " + ex, ex);
        }
    }
}
