package io.keelkv.server.persistence;

import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.aof.AofControl;
import io.keelkv.engine.aof.AofDirectory;
import io.keelkv.engine.aof.AofListener;
import io.keelkv.engine.aof.AofManifest;
import io.keelkv.engine.aof.AofRespBase;
import io.keelkv.engine.aof.AofRewrite;
import io.keelkv.engine.aof.AofSyncAgent;
import io.keelkv.engine.aof.AppendFileException;
import io.keelkv.engine.aof.MappedAppendFile;
import io.keelkv.server.config.ServerConfig;
import io.keelkv.server.log.Log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The server's side of the append-only file: the configuration the engine's {@link AofControl} follows
 * (appendonly, appendfsync, appenddirname, appendfilename, aof-use-rdb-preamble, aof-load-truncated), the
 * directory at start, and the log lines Redis writes.
 *
 * <p>At start, with {@code appendonly yes}: the AOF directory is loaded when it holds an AOF (and the
 * snapshot is not: Redis's rule). When it holds none, the snapshot is loaded if there is one, and the AOF
 * directory is created with the data as it is then as its base. That is where KeelKV does better than
 * Redis 7.0, which in that case starts empty and, at its first rewrite, drops the snapshot's data.
 *
 * <p>{@code appendfsync always} failures stop the process, as in Redis: a reply must never claim a write
 * that is not on disk. Runs on the main thread before the loop starts, then on the loop thread.
 */
public final class Aof implements AofListener
{
    private final ServerConfig config;
    private final KeelEngine engine;
    private final AofControl control;
    private AofManifest manifest;
    private long lastIncrLength;
    private Path dir;
    private boolean on;

    public Aof(final ServerConfig config, final KeelEngine engine)
    {
        this.config = config;
        this.engine = engine;
        this.control = engine.aof();
        control.listener(this);
        // BGREWRITEAOF with the AOF off writes a base as Redis 7.0 does: the directory as configured then
        control.offlineRewrites(() ->
        {
            final AofDirectory directory = directory();
            AofManifest found = null;
            try
            {
                found = directory.find().orElse(null);
            }
            catch (final IOException ex)
            {
                Log.warning("The AOF directory " + directory.dir() + " is damaged (" + ex.getMessage() + "): its " +
                    "manifest is replaced");
            }
            dir = directory.dir();
            final AofRewrite rewrite = newRewrite(found);
            return rewrite.offline();
        });
        onConfigChange();
    }

    /**
     * appendfsync, auto-aof-rewrite-* or appendonly may have changed (CONFIG SET): follow them. Turning the
     * AOF on at run time starts a rewrite that writes the base from the data as it is (the AOF is in force once
     * that base is complete); turning it off stops a running rewrite and closes the file, as Redis's
     * stopAppendOnly.
     */
    public void onConfigChange()
    {
        control.policy(policy(config.appendFsync()));
        control.autoRewrite(config.autoAofRewritePercentage(), config.autoAofRewriteMinSizeBytes());
        if (!on)
        {
            return; // at start: startAtStart() follows appendonly
        }
        if (config.appendOnly() && control.rewrite() == null)
        {
            enableAtRunTime();
        }
        else if (!config.appendOnly() && control.rewrite() != null)
        {
            disable();
        }
    }

    private void enableAtRunTime()
    {
        final AofDirectory directory = directory();
        dir = directory.dir();
        try
        {
            manifest = directory.find().orElse(null); // not loaded: its files become history after the rewrite
        }
        catch (final IOException ex)
        {
            Log.warning("The AOF directory " + dir + " is damaged (" + ex.getMessage() + "): a new one is written");
            manifest = null;
        }
        final AofRewrite rewrite = newRewrite(manifest);
        control.rewrite(rewrite);
        final AofRewrite.Start start = rewrite.enable();
        Log.notice(start == AofRewrite.Start.SCHEDULED ? "AOF was enabled but there is already another background " +
            "operation. An AOF background was scheduled to start when possible." :
            "Background append only file rewriting started");
    }

    private void disable()
    {
        final AofRewrite rewrite = control.rewrite();
        if (rewrite.running() && engine.snapshots().backgroundBaseRunning())
        {
            Log.notice("Killing running AOF rewrite child");
            engine.snapshots().abortBackgroundSave();
        }
        control.rewrite(null);
        close();
    }

    private AofRewrite newRewrite(final AofManifest inForce)
    {
        final AofRewrite rewrite = new AofRewrite(control, engine.snapshots(), dir, config.appendFilename(), inForce,
            MappedAppendFile.DEFAULT_CHUNK_SIZE_BYTES);
        if (!config.aofUseRdbPreamble())
        {
            rewrite.respBase(this::snapshotToResp);
        }
        return rewrite;
    }

    /**
     * aof-use-rdb-preamble no: a rewrite's base must be RESP, so the snapshot the agent wrote is loaded into a
     * scratch engine on the converting thread and written out as commands. It costs a second copy of the
     * data's memory while it runs (Redis's fork can cost as much under writes).
     */
    private void snapshotToResp(final Path snapshot, final Path resp) throws IOException
    {
        final io.keelkv.engine.EngineSettings settings = new io.keelkv.engine.EngineSettings();
        settings.pageSizeBytes = engine.settings().pageSizeBytes;
        settings.databases = engine.settings().databases;
        settings.snapshotAgentThread = false;
        settings.loadPrefaultThread = false;
        try (KeelEngine scratch = new KeelEngine(settings))
        {
            scratch.load(snapshot);
            new AofRespBase(scratch.keyspace(), scratch.memory()).write(resp);
        }
    }

    static int policy(final String appendFsync)
    {
        switch (appendFsync.toLowerCase(Locale.ROOT))
        {
            case "always":
                return AofSyncAgent.POLICY_ALWAYS;
            case "no":
                return AofSyncAgent.POLICY_NO;
            default:
                return AofSyncAgent.POLICY_EVERYSEC;
        }
    }

    private AofDirectory directory()
    {
        return new AofDirectory(Path.of(config.dir()).resolve(config.appendDirName()), config.appendFilename());
    }

    /**
     * At start, before the snapshot: load the AOF when {@code appendonly yes} and the directory holds one.
     *
     * @return true when the AOF was loaded (the snapshot must then not be).
     * @throws IOException naming the file and offset when the AOF cannot be loaded: the start must stop.
     */
    public boolean loadAtStart() throws IOException
    {
        if (!config.appendOnly())
        {
            return false;
        }
        final AofDirectory directory = directory().progress(Log::notice);
        dir = directory.dir();
        final Optional<AofManifest> found;
        try
        {
            found = directory.find();
        }
        catch (final IOException ex)
        {
            Log.warning(ex.getMessage());
            Log.warning("Fatal error loading the AOF in " + dir + ". Exiting.");
            throw ex;
        }
        if (found.isEmpty() || found.get().hasNothingToLoad())
        {
            return false;
        }
        manifest = found.get();
        final AofDirectory.Loaded loaded;
        try
        {
            loaded = directory.load(manifest, engine.snapshots(), engine.dispatcher(), config.protoMaxBulkLen(),
                config.aofLoadTruncated(), Log::warning);
        }
        catch (final IOException | RuntimeException ex)
        {
            Log.warning(String.valueOf(ex.getMessage()));
            Log.warning("Fatal error loading the AOF in " + dir + ". Exiting.");
            throw ex instanceof IOException ? (IOException)ex : new IOException(ex);
        }
        lastIncrLength = loaded.lastIncrLength;
        Log.notice(String.format(Locale.ROOT, "DB loaded from append only file: %.3f seconds", loaded.elapsedNs / 1e9));
        Log.verbose("AOF " + dir + ": " + loaded.commands + " commands" +
            (loaded.baseKeys >= 0 ? ", a snapshot base of " + loaded.baseKeys + " keys" : "") + ", " + loaded.bytes +
            " bytes" + (loaded.truncated ? ", " + loaded.truncation : ""));
        return true;
    }

    /**
     * After loading, before the first client: with {@code appendonly yes}, create the AOF directory if there is
     * none (its base is the data as loaded), then append to its last incremental file.
     */
    public void startAtStart() throws IOException
    {
        if (config.appendOnly())
        {
            start();
            control.rewrite(newRewrite(manifest));
        }
        on = true;
    }

    private void start() throws IOException
    {
        final AofDirectory directory = directory();
        dir = directory.dir();
        if (manifest == null)
        {
            final boolean snapshotBase = config.aofUseRdbPreamble();
            manifest = directory.create(engine.snapshots(),
                snapshotBase ? null : new AofRespBase(engine.keyspace(), engine.memory()));
            lastIncrLength = 0;
            Log.notice("Creating AOF base file " + manifest.base().orElseThrow().fileName() + " on server start" +
                (engine.keyspace().totalKeys() > 0 ? " (" + engine.keyspace().totalKeys() + " keys, as loaded)" : ""));
            Log.notice("Creating AOF incr file " + manifest.lastIncr().orElseThrow().fileName() + " on server start");
        }
        else if (manifest.lastIncr().isEmpty())
        {
            Log.notice("Creating AOF incr file " + manifest.nextIncrName(config.appendFilename()) + " on server start");
        }
        manifest = directory.startAppending(manifest, lastIncrLength, control);
    }

    /** Stop appending: everything appended is made durable and the file is cut to its commands. Loop thread. */
    public void close()
    {
        if (control.appending())
        {
            Log.notice("Calling fsync() on the AOF file.");
            control.close();
        }
    }

    /** aof_base_size (0 with the AOF off). */
    public long baseSize()
    {
        return control.rewrite() == null ? 0 : control.rewrite().baseSize();
    }

    /** aof_current_size: the base and the incremental files in force. */
    public long currentSize()
    {
        return control.rewrite() == null ? 0 : control.rewrite().currentSize();
    }

    /** The AOF directory (dir/appenddirname) once started, or null. */
    public Path dir()
    {
        return dir;
    }

    public AofManifest manifest()
    {
        return control.rewrite() == null ? manifest : control.rewrite().manifest();
    }

    // ------------------------------------------------------------------------------------------------
    // AofListener: Redis's log lines

    @Override
    public void onWriteError(final AppendFileException error)
    {
        Log.warning("Error writing to the AOF file: " + error.getMessage());
    }

    @Override
    public void onWriteRecovered()
    {
        Log.warning("AOF write error looks solved, Redis can write again.");
    }

    @Override
    public void onSyncFailed(final AppendFileException error)
    {
        Log.warning("Fsync of the AOF failed: " + error.getMessage() + ". Writes are refused with -MISCONF; " +
            "BGREWRITEAOF makes a new file.");
    }

    @Override
    public void onRewriteDone(final boolean ok, final String detail)
    {
        if (ok)
        {
            Log.notice("Background AOF rewrite terminated with success");
            Log.notice("Background AOF rewrite finished successfully (" + detail + ")");
        }
        else
        {
            Log.warning("Background AOF rewrite failed: " + detail);
        }
    }

    @Override
    public void onFatal(final String message)
    {
        Log.warning(message);
        // as Redis's exit(1): a reply must not claim a write the disk did not take
        Runtime.getRuntime().halt(1);
    }
}
