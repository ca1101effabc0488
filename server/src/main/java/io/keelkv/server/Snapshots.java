package io.keelkv.server;

import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.snapshot.SnapshotException;
import io.keelkv.engine.snapshot.SnapshotListener;
import io.keelkv.engine.snapshot.SnapshotReader;
import io.keelkv.engine.snapshot.SnapshotWriter;
import io.keelkv.server.config.ServerConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The server's side of snapshots: which file (dir/dbfilename, followed through CONFIG SET), loading it at
 * start, the final save before a shutdown, and the log lines Redis writes for each. The file format, SAVE
 * and DEBUG RELOAD are the engine's (io.keelkv.engine.snapshot); this class only decides when and says so.
 *
 * <p>Redis's rules, 7.0: at start the snapshot is loaded when {@code appendonly} is no and the file exists;
 * a file that cannot be loaded stops the start (exit 1), never a silent empty start. On SHUTDOWN or
 * SIGTERM the dataset is saved when save points are configured (or SHUTDOWN SAVE), in the foreground; when
 * that save fails the server refuses to exit (unless FORCE) and keeps serving. Save points themselves are
 * not acted on yet: the background snapshot that runs them does not exist, and a blocking save in cron
 * would stall every client, which is what KeelKV is for avoiding.
 *
 * <p>Everything here runs on the event loop thread (SHUTDOWN, the signal's prepared shutdown, the
 * listener), or on the main thread before the loop starts (the load).
 */
public final class Snapshots implements SnapshotListener
{
    private final ServerConfig config;
    private final KeelEngine engine;

    Snapshots(final ServerConfig config, final KeelEngine engine)
    {
        this.config = config;
        this.engine = engine;
        engine.snapshotListener(this);
        onConfigChange();
    }

    /** dir or dbfilename may have changed (CONFIG SET): SAVE and DEBUG RELOAD follow. */
    void onConfigChange()
    {
        engine.snapshotFile(file());
    }

    public Path file()
    {
        return Path.of(config.dir()).resolve(config.dbFilename());
    }

    /**
     * At start, before the first client: load dir/dbfilename if it exists and the AOF is off.
     *
     * @throws SnapshotException when the file is there but refused: the start must stop.
     */
    void loadAtStart() throws SnapshotException
    {
        final Path file = file();
        if (config.appendOnly())
        {
            if (Files.exists(file))
            {
                Log.warning("appendonly is yes, so " + file + " is not loaded (Redis loads the AOF instead), and the " +
                    "AOF is not implemented yet: starting with an empty dataset.");
            }
            return;
        }
        if (!Files.exists(file))
        {
            return;
        }
        final SnapshotReader.Result result;
        try
        {
            result = engine.load(file);
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
    }

    /** True when a plain SHUTDOWN or SIGTERM saves: save points are configured, as Redis's saveparamslen. */
    public boolean savesOnShutdown()
    {
        return !config.save().isEmpty();
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
        final Path file = file();
        try
        {
            onSaved(file, engine.save(file));
            return true;
        }
        catch (final SnapshotException ex)
        {
            Log.warning(ex.getMessage());
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
    // SnapshotListener: SAVE and DEBUG RELOAD, logged as Redis logs them

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
}
