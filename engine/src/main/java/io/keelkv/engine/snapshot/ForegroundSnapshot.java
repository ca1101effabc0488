package io.keelkv.engine.snapshot;

import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.memory.PageMemory;

import java.nio.file.Path;

/**
 * The snapshot file written or read whole, in one call on the owner thread: the foreground save (SAVE, the
 * saves of SHUTDOWN, FLUSHALL and DEBUG RELOAD, tools) and the load (at start, DEBUG RELOAD).
 *
 * <p>Design. Nothing changes under either, because the only thread that changes the dataset is the one
 * writing or reading: the save reads the live pages ({@link LivePageSource}), no barrier, no copy. The
 * writer's and the reader's direct buffers are made at their first use and kept for the engine's life, so a
 * save or a load allocates nothing per page and an engine that never saves or loads holds none of them. The
 * image and writer here are not the background snapshot's: a foreground save beside an AOF base's background
 * snapshot never touches the image the agent is reading ({@link BackgroundSnapshot}).
 *
 * <p>Failure. A failed save leaves the previous file whole ({@link SnapshotWriter}'s order of write, fsync,
 * rename, directory fsync); a refused load closes its prefault thread and leaves the page memory empty, never
 * half-loaded ({@link SnapshotReader}). Whether either may run now, and what it changes in the figures, is
 * {@link SnapshotControl}'s.
 */
final class ForegroundSnapshot
{
    private final Keyspace keyspace;
    private final PageMemory memory;
    private final boolean loadPrefaultThread;
    private SnapshotImage image;
    private SnapshotWriter writer;
    private SnapshotReader reader;
    private SnapshotReader.FormatCheck formatCheck;

    ForegroundSnapshot(final Keyspace keyspace, final boolean loadPrefaultThread)
    {
        this.keyspace = keyspace;
        this.memory = keyspace.memory();
        this.loadPrefaultThread = loadPrefaultThread;
    }

    /** What a file of an older format version may not hold, for every later load. */
    void formatCheck(final SnapshotReader.FormatCheck check)
    {
        this.formatCheck = check;
        if (reader != null)
        {
            reader.formatCheck(check);
        }
    }

    /** Capture the instant and write every page in use to {@code target}, now. */
    SnapshotWriter.Result save(final Path target) throws SnapshotException
    {
        if (writer == null)
        {
            writer = new SnapshotWriter(memory.pageSizeBytes());
            image = new SnapshotImage();
        }
        image.capture(keyspace);
        return writer.save(image, new LivePageSource(memory), target);
    }

    /** Restore the pages of {@code source} under their numbers, then the roots: all or nothing. */
    SnapshotReader.Result load(final Path source) throws SnapshotException
    {
        if (reader == null)
        {
            reader = new SnapshotReader(memory, loadPrefaultThread);
            reader.formatCheck(formatCheck);
        }
        return reader.load(source, keyspace);
    }
}
