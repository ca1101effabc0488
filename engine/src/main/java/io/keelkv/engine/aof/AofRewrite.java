package io.keelkv.engine.aof;

import io.keelkv.engine.snapshot.SnapshotControl;
import io.keelkv.engine.snapshot.SnapshotException;
import io.keelkv.engine.snapshot.SnapshotWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The AOF directory while the AOF is on: the manifest in force, and the rewrite that replaces the base and
 * incremental files with a new base (BGREWRITEAOF, auto-aof-rewrite-*, turning the AOF on at run time).
 *
 * <p>A rewrite never blocks the event loop for the data's sake. At its start, in one owner-thread step:
 * a new incremental file is created and (for a rewrite of a running AOF) added to the manifest, then the
 * background snapshot takes its instant and, in the same step, appending switches to the new file
 * ({@link SnapshotControl#startBackgroundBase}). So the new base holds exactly what the commands before the
 * switch did, and the new incremental file exactly what came after. When the snapshot agent has written
 * the base, the manifest is switched (temp file, rename, directory fsync) to the new base and the new
 * incremental file; the old files become history and are deleted after. The base is a KeelKV snapshot
 * ({@code aof-use-rdb-preamble yes}); with the preamble off, see {@link #respBase}.
 *
 * <p>A kill -9 at any point leaves a directory that loads: before the manifest switch it names the old
 * base, the old incremental files and the new one (each command once, in order); after, the new base and
 * the new incremental file. History files left behind by a kill are not in the manifest and are removed
 * at the next rewrite, as Redis does.
 *
 * <p>Turning the AOF on at run time is a rewrite into an AOF that is not yet in force: commands go to the new
 * incremental file from the instant, but the manifest names it only with the new base, so a kill before the
 * base is complete leaves the directory as it was (Redis's AOF_WAIT_REWRITE and its temp incr file).
 *
 * <p>Owner thread only.
 */
public final class AofRewrite
{
    /** How a rewrite request ended up (Redis's replies to BGREWRITEAOF). */
    public enum Start
    {
        STARTED, SCHEDULED, ALREADY_RUNNING, FAILED
    }

    private final AofControl aof;
    private final SnapshotControl snapshots;
    private final Path dir;
    private final String prefix;
    private final long chunkSizeBytes;
    private AofManifest manifest;
    private SnapshotToResp respBase;
    private enum Phase
    {
        IDLE, PREPARING, PREPARED, SNAPSHOT, INSTALLING
    }

    private Phase phase = Phase.IDLE;
    private Thread helper;
    private volatile IOException helperFailure;
    private volatile MappedAppendFile prepared;
    private AofManifest manifestAfterPrepare;

    private boolean running;
    private boolean scheduled;
    private boolean enabling;
    private boolean offline; // the AOF is off: a new base only, no incremental file, nothing switches
    private AofManifest pending; // the manifest the running rewrite installs when its base is complete
    private long startedMs;
    private long lastTimeSec = -1;
    private boolean lastOk = true;
    private long rewrites;
    private long consecutiveFailures;
    private long sizeAtLastRewrite;
    private String lastFailure;
    private long failedAtMs;
    private static final long RETRY_DELAY_MS = 5_000;

    /**
     * @param manifest the manifest in force (the AOF is on and appending to its last incremental file), or
     *                 null when the AOF is being turned on ({@link #enable}).
     */
    public AofRewrite(final AofControl aof, final SnapshotControl snapshots, final Path dir, final String prefix,
        final AofManifest manifest, final long chunkSizeBytes)
    {
        this.aof = aof;
        this.snapshots = snapshots;
        this.dir = dir;
        this.prefix = prefix;
        this.manifest = manifest;
        this.chunkSizeBytes = chunkSizeBytes;
        this.sizeAtLastRewrite = manifest == null ? 0 : currentSize();
    }

    /** Turns a snapshot file into a file of RESP commands holding the same data. */
    @FunctionalInterface
    public interface SnapshotToResp
    {
        void convert(Path snapshot, Path resp) throws IOException;
    }

    /**
     * With {@code aof-use-rdb-preamble no}: how the snapshot the agent wrote becomes a RESP base before the
     * manifest names it (null: the snapshot itself is the base). It runs on a thread of its own: it reads the
     * file, never the live pages, so it holds the instant's data while the loop goes on.
     */
    public void respBase(final SnapshotToResp respBase)
    {
        this.respBase = respBase;
    }

    public AofManifest manifest()
    {
        return manifest;
    }

    public Path dir()
    {
        return dir;
    }

    /** BGREWRITEAOF: start now, or schedule when another background snapshot runs (Redis's rules). */
    public Start start()
    {
        if (running)
        {
            return Start.ALREADY_RUNNING;
        }
        if (!snapshots.reserveBase())
        {
            scheduled = true;
            return Start.SCHEDULED;
        }
        return begin() ? Start.STARTED : Start.FAILED;
    }

    /**
     * For BGREWRITEAOF while the AOF is off, as Redis 7.0 does it: a new base of the data as it is, and a
     * manifest that names it alone (the old incremental files are covered by it and become history). Nothing
     * is appended; a later start with {@code appendonly yes} loads this base and adds an incremental file.
     */
    public AofRewrite offline()
    {
        offline = true;
        return this;
    }

    /** Turn the AOF on at run time: a rewrite whose manifest is written only once the base is complete. */
    public Start enable()
    {
        enabling = true;
        return start();
    }

    /**
     * Owner thread, each cron tick: a scheduled rewrite once the snapshot agent is free, and the automatic
     * rewrite (auto-aof-rewrite-percentage of growth over the size after the last rewrite, past min-size).
     */
    public void poll(final int growthPercent, final long minSizeBytes)
    {
        if (helper != null && !helper.isAlive())
        {
            final Phase was = phase;
            helper = null;
            if (was == Phase.PREPARING)
            {
                if (helperFailure != null)
                {
                    phase = Phase.IDLE;
                    running = false;
                    snapshots.releaseBase();
                    fail(helperFailure.getMessage());
                    return;
                }
                phase = Phase.PREPARED;
            }
            else if (was == Phase.INSTALLING)
            {
                installed();
                return;
            }
        }
        if (phase == Phase.PREPARED)
        {
            takeInstant();
            return;
        }
        if (running || snapshots.agentBusy())
        {
            return;
        }
        if (scheduled)
        {
            if (snapshots.reserveBase())
            {
                begin();
            }
            return;
        }
        if (enabling && System.currentTimeMillis() - failedAtMs > RETRY_DELAY_MS)
        {
            if (snapshots.reserveBase())
            {
                begin(); // turning on failed: try again, as Redis retries while in AOF_WAIT_REWRITE
            }
            return;
        }
        // not while commands wait in the staging buffer (an append failed: disk full), nor within 5 s of a failed
        // rewrite, so that a full disk does not start a rewrite every tick
        if (growthPercent > 0 && manifest != null && aof.bufferLength() == 0 &&
            System.currentTimeMillis() - failedAtMs > RETRY_DELAY_MS)
        {
            final long size = currentSize();
            final long base = Math.max(1, sizeAtLastRewrite);
            if (size > minSizeBytes && (size - base) * 100 / base >= growthPercent && snapshots.reserveBase())
            {
                begin();
            }
        }
    }

    /**
     * Start a rewrite: the slow file work (creating the new incremental file, writing the manifest: fsyncs,
     * tens of ms here) runs on a helper thread; the instant itself is taken by {@link #poll} on the owner
     * thread once the file is ready.
     */
    private boolean begin()
    {
        scheduled = false;
        if (!offline && aof.bufferLength() > 0)
        {
            // commands the old file could not take (it could not grow) are covered by the new base, but not by
            // the old incremental file: switching now would either log them twice (in the new file, after the
            // base that holds them) or lose them if the rewrite then failed. The file must take them first.
            snapshots.releaseBase();
            fail("the AOF holds " + aof.bufferLength() + " bytes of commands it could not write yet");
            return false;
        }
        final AofManifest current = manifest == null ? AofManifest.empty() : manifest;
        final AofManifest withIncr = offline ? current : current.withNewIncr(prefix);
        pending = withIncr.withRewrite(prefix, respBase == null, !offline);
        startedMs = System.currentTimeMillis();
        running = true;
        prepared = null;
        helperFailure = null;
        final boolean writeManifest = !offline && !enabling;
        helper = new Thread(() ->
        {
            try
            {
                Files.createDirectories(dir);
                Files.deleteIfExists(dir.resolve(pending.base().orElseThrow().fileName())); // a kill's leftover
                if (!offline)
                {
                    final MappedAppendFile file = MappedAppendFile.create(
                        dir.resolve(withIncr.lastIncr().orElseThrow().fileName()), chunkSizeBytes);
                    // its first pages faulted in here, off the loop: the sync agent only starts on them once the
                    // loop has switched to the file, and until then the loop would fault each fresh page itself
                    file.prefaultAhead(AofSyncAgent.PREFAULT_AHEAD_BYTES, AofSyncAgent.PREFAULT_AHEAD_BYTES);
                    if (writeManifest)
                    {
                        // a kill from now on finds the new, empty incremental file after the old ones
                        withIncr.writeAtomically(dir, prefix);
                    }
                    prepared = file;
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                helperFailure = ex instanceof IOException ? (IOException)ex : new IOException(ex.toString(), ex);
            }
        }, "keelkv-aof-files");
        phase = Phase.PREPARING;
        helper.start();
        manifestAfterPrepare = writeManifest ? withIncr : manifest;
        return true;
    }

    /** Owner thread: the helper has prepared the files; take the instant and switch in one step. */
    private void takeInstant()
    {
        final Path base = dir.resolve(pending.base().orElseThrow().fileName());
        final MappedAppendFile file = prepared;
        final Runnable atInstant = file == null ? () -> { } : () -> aof.appendTo(file);
        if (!snapshots.startBackgroundBase(base, atInstant, this::onBaseDone))
        {
            return; // a BGSAVE took the agent meanwhile: try again at the next tick
        }
        manifest = manifestAfterPrepare;
        phase = Phase.SNAPSHOT;
    }

    private void onBaseDone(final SnapshotWriter.Result result, final SnapshotException failure, final boolean aborted)
    {
        if (result == null)
        {
            phase = Phase.IDLE;
            running = false;
            lastTimeSec = (System.currentTimeMillis() - startedMs) / 1000;
            fail(aborted ? "stopped before its end" : failure.getMessage());
            return;
        }
        final Path base = dir.resolve(pending.base().orElseThrow().fileName());
        final AofManifest toInstall = pending;
        helperFailure = null;
        helper = new Thread(() ->
        {
            try
            {
                if (respBase != null)
                {
                    // the base must be RESP: the snapshot file (never the live pages) turned into commands
                    final Path resp = base.resolveSibling(base.getFileName() + ".resp-temp");
                    Files.deleteIfExists(resp);
                    respBase.convert(base, resp);
                    Files.move(resp, base, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                }
                toInstall.writeAtomically(dir, prefix);
                for (final AofManifest.Entry old : toInstall.history())
                {
                    Files.deleteIfExists(dir.resolve(old.fileName()));
                }
                toInstall.withoutHistory().writeAtomically(dir, prefix);
                AofDirectory.fsync(dir);
            }
            catch (final IOException | RuntimeException ex)
            {
                helperFailure = ex instanceof IOException ? (IOException)ex : new IOException(ex.toString(), ex);
            }
        }, "keelkv-aof-files");
        phase = Phase.INSTALLING;
        helper.start();
    }

    /** Owner thread: the helper has switched the manifest to the new base (or failed to). */
    private void installed()
    {
        phase = Phase.IDLE;
        running = false;
        lastTimeSec = (System.currentTimeMillis() - startedMs) / 1000;
        if (helperFailure != null)
        {
            fail(helperFailure.getMessage());
            return;
        }
        manifest = pending.withoutHistory();
        pending = null;
        enabling = false;
        rewrites++;
        consecutiveFailures = 0;
        lastOk = true;
        sizeAtLastRewrite = currentSize();
        aof.listener().onRewriteDone(true, manifest.base().orElseThrow().fileName() +
            (manifest.lastIncr().isPresent() ? " and " + manifest.lastIncr().get().fileName() : "") + ", " +
            sizeAtLastRewrite + " bytes");
    }

    private void fail(final String reason)
    {
        failedAtMs = System.currentTimeMillis();
        lastOk = false;
        lastFailure = reason;
        consecutiveFailures++;
        pending = null;
        aof.listener().onRewriteDone(false, reason);
    }

    /** The base and incremental files named by the manifest in force, in bytes (aof_current_size). */
    public long currentSize()
    {
        if (manifest == null)
        {
            return 0;
        }
        long total = baseSize();
        final MappedAppendFile current = aof.currentFile();
        for (final AofManifest.Entry incr : manifest.incrs())
        {
            final Path file = dir.resolve(incr.fileName());
            total += current != null && current.file().equals(file) ? current.position() : AofDirectory.sizeOf(file);
        }
        return total;
    }

    /** aof_base_size. */
    public long baseSize()
    {
        return manifest == null || manifest.base().isEmpty() ? 0 :
            AofDirectory.sizeOf(dir.resolve(manifest.base().get().fileName()));
    }

    public boolean running()
    {
        return running;
    }

    public boolean scheduled()
    {
        return scheduled;
    }

    /** Turning on at run time and the base is not complete yet. */
    public boolean enabling()
    {
        return enabling;
    }

    public long lastTimeSec()
    {
        return lastTimeSec;
    }

    public long currentTimeSec()
    {
        return running ? (System.currentTimeMillis() - startedMs) / 1000 : -1;
    }

    public boolean lastOk()
    {
        return lastOk;
    }

    public String lastFailure()
    {
        return lastFailure;
    }

    public long rewrites()
    {
        return rewrites;
    }

    public long consecutiveFailures()
    {
        return consecutiveFailures;
    }
}
