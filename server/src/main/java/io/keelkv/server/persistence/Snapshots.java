package io.keelkv.server.persistence;

import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.snapshot.SnapshotControl;
import io.keelkv.engine.snapshot.SnapshotException;
import io.keelkv.engine.snapshot.SnapshotListener;
import io.keelkv.engine.snapshot.SnapshotReader;
import io.keelkv.engine.snapshot.SnapshotWriter;
import io.keelkv.server.config.SavePoint;
import io.keelkv.server.config.ServerConfig;
import io.keelkv.server.log.Log;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The server's side of snapshots: the configuration the engine's {@link SnapshotControl} follows (dir,
 * dbfilename, save points, stop-writes-on-bgsave-error, through CONFIG SET too), loading at start, the final
 * save of a shutdown, and the log lines Redis writes for each. SAVE, BGSAVE, save points and DEBUG RELOAD
 * are the engine's; this class only says when the server starts and stops, and logs.
 *
 * <p>Redis's rules, 7.0: at start the snapshot is loaded when {@code appendonly} is no and the file exists
 * (and, better than Redis, when the AOF is on but there is no AOF yet: {@link Aof});
 * a file that cannot be loaded stops the start (exit 1), never a silent empty start. On SHUTDOWN or
 * SIGTERM a running background save is stopped ("Stopping it!", where Redis says "Killing it!"), then the dataset is saved when save points
 * are configured (or SHUTDOWN SAVE), in the foreground; when that save fails the server refuses to exit
 * (unless FORCE) and keeps serving.
 *
 * <p>Everything here runs on the event loop thread (commands, the signal's prepared shutdown, the listener),
 * or on the main thread before the loop starts (the load).
 */
public final class Snapshots implements SnapshotListener
{
    private final ServerConfig config;
    private final KeelEngine engine;
    private final SnapshotControl control;

    /** Becomes the engine's snapshot listener and applies the configuration's snapshot settings. */
    public Snapshots(final ServerConfig config, final KeelEngine engine)
    {
        this.config = config;
        this.engine = engine;
        this.control = engine.snapshots();
        control.listener(this);
        onConfigChange();
    }

    /** dir, dbfilename, save or stop-writes-on-bgsave-error may have changed (CONFIG SET): follow them. */
    public void onConfigChange()
    {
        control.file(file());
        final List<SavePoint> points = config.save();
        final long[] seconds = new long[points.size()];
        final long[] changes = new long[points.size()];
        for (int i = 0; i < points.size(); i++)
        {
            seconds[i] = points.get(i).seconds();
            changes[i] = points.get(i).changes();
        }
        control.savePoints(seconds, changes);
        control.stopWritesOnError(config.stopWritesOnBgsaveError());
        control.pageDelayMicros(Math.max(0, config.rdbKeySaveDelayMicros()));
    }

    public Path file()
    {
        return Path.of(config.dir()).resolve(config.dbFilename());
    }

    /**
     * At start, before the first client: load dir/dbfilename if it exists. Called when the AOF is off, or on
     * without an AOF to load: the snapshot then becomes the new AOF's base (see {@link Aof}).
     *
     * @throws SnapshotException when the file is there but refused: the start must stop.
     */
    public void loadAtStart() throws SnapshotException
    {
        final Path file = file();
        if (!Files.exists(file))
        {
            return;
        }
        final SnapshotReader.Result result;
        try
        {
            result = control.load(file);
        }
        catch (final SnapshotException ex)
        {
            Log.warning(ex.getMessage());
            Log.warning("Fatal error loading the DB from " + file + ". Exiting.");
            throw ex;
        }
        Log.notice("Done loading the snapshot " + file + ", keys loaded: " + result.keys + ", keys expired: 0 (" +
            result.pages + " pages, " + result.fileBytes + " bytes).");
        Log.notice(String.format(Locale.ROOT, "DB loaded from disk: %.3f seconds", result.elapsedNs / 1e9));
        Log.verbose(String.format(Locale.ROOT, "Load phases: header and root block %.3f s, page memory mapped %.3f s, " +
            "frames read, checked and restored %.3f s (%d MB faulted in by the prefault thread), checks after %.3f s",
            result.rootNs / 1e9, result.mapNs / 1e9, result.framesNs / 1e9, result.prefaultedBytes >> 20,
            result.checksNs / 1e9));
    }

    /** True when a plain SHUTDOWN or SIGTERM saves: save points are configured, as Redis's saveparamslen. */
    public boolean savesOnShutdown()
    {
        return control.hasSavePoints();
    }

    /**
     * The start of every shutdown, as prepareForShutdown: a running background save is stopped (its temp file
     * removed); the previous snapshot stays as it was. Loop thread.
     */
    public void prepareForShutdown()
    {
        if (control.backgroundSaveRunning())
        {
            Log.warning("There is a background save in progress. Stopping it!");
            control.abortBackgroundSave();
        }
    }

    /**
     * The final save of a shutdown, as prepareForShutdown: logs Redis's lines. Loop thread.
     *
     * @param force exit even when the save fails (SHUTDOWN ... FORCE).
     * @return true when the server may exit: saved, or failed under FORCE.
     */
    public boolean finalSave(final boolean force)
    {
        Log.notice("Saving the final RDB snapshot before exiting.");
        try
        {
            control.save();
            return true;
        }
        catch (final SnapshotException ex)
        {
            if (force)
            {
                Log.warning("Error trying to save the DB. Exit anyway.");
                return true;
            }
            Log.warning("Error trying to save the DB, can't exit.");
            Log.warning("Errors trying to shut down the server. Check the logs for more information.");
            return false;
        }
    }

    // ------------------------------------------------------------------------------------------------
    // SnapshotListener: SAVE, BGSAVE, save points and DEBUG RELOAD, logged as Redis logs them

    @Override
    public void onSaved(final Path file, final SnapshotWriter.Result result)
    {
        Log.notice("DB saved on disk");
        Log.verbose(String.format(Locale.ROOT, "Snapshot %s: %d keys, %d pages, %d bytes in %.3f seconds", file,
            result.keys, result.frames, result.fileBytes, result.elapsedNs / 1e9));
    }

    @Override
    public void onSaveFailed(final Path file, final SnapshotException failure)
    {
        Log.warning(failure.getMessage());
    }

    @Override
    public void onLoaded(final Path file, final SnapshotReader.Result result)
    {
        Log.warning("DB reloaded by DEBUG RELOAD");
    }

    @Override
    public void onLoadFailed(final Path file, final SnapshotException failure)
    {
        Log.warning(failure.getMessage());
    }

    @Override
    public void onSavePoint(final long changes, final long seconds)
    {
        Log.notice(changes + " changes in " + seconds + " seconds. Saving...");
    }

    @Override
    public void onBackgroundSaveStarted(final Path file)
    {
        Log.notice("Background saving started by the snapshot agent");
    }

    @Override
    public void onBackgroundSaveDone(final Path file, final SnapshotWriter.Result result)
    {
        Log.notice("DB saved on disk");
        Log.notice(String.format(Locale.ROOT, "Snapshot copy-on-write: %d pages copied by the event loop (%d MB), " +
            "%d by the agent; %d keys, %d bytes in %.3f seconds", control.pagesCopiedByWriter(),
            control.lastCopiedBytes() >> 20, control.pagesCopiedByAgent(), result.keys, result.fileBytes,
            result.elapsedNs / 1e9));
        Log.notice("Background saving terminated with success");
    }

    @Override
    public void onBackgroundSaveFailed(final Path file, final SnapshotException failure)
    {
        Log.warning(failure.getMessage());
        Log.warning("Background saving error");
    }

    @Override
    public void onBackgroundSaveAborted(final Path file)
    {
        Log.warning("Background saving stopped before its end: " + file + " is unchanged");
    }
}
