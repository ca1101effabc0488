package io.keelkv.engine.snapshot;

import java.nio.file.Path;

/**
 * Told about snapshots (SAVE, BGSAVE, save points, DEBUG RELOAD), so the owner can log them as Redis does
 * ("DB saved on disk", "Background saving started") without the engine knowing any log. Called on the
 * engine's owner thread.
 */
public interface SnapshotListener
{
    SnapshotListener NONE = new SnapshotListener()
    {
    };

    default void onSaved(final Path file, final SnapshotWriter.Result result)
    {
    }

    default void onSaveFailed(final Path file, final SnapshotException failure)
    {
    }

    default void onLoaded(final Path file, final SnapshotReader.Result result)
    {
    }

    default void onLoadFailed(final Path file, final SnapshotException failure)
    {
    }

    /** A save point was reached ("{changes} changes in {seconds} seconds. Saving..."). */
    default void onSavePoint(final long changes, final long seconds)
    {
    }

    default void onBackgroundSaveStarted(final Path file)
    {
    }

    default void onBackgroundSaveDone(final Path file, final SnapshotWriter.Result result)
    {
    }

    /** A background save failed, or could not start; rdb_last_bgsave_status is err. */
    default void onBackgroundSaveFailed(final Path file, final SnapshotException failure)
    {
    }

    /** A background save was stopped (FLUSHALL, DEBUG RELOAD, SHUTDOWN): not an error. */
    default void onBackgroundSaveAborted(final Path file)
    {
    }
}
