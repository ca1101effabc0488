package io.keelkv.engine.snapshot;

import java.nio.file.Path;

/**
 * Told about snapshots the engine's own commands take (SAVE, DEBUG RELOAD), so the owner can log them as
 * Redis does ("DB saved on disk") without the engine knowing any log. Called on the engine thread.
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
}
