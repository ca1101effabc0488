package io.keelkv.engine.snapshot;

import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.memory.WriteBarrier;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The home of snapshots, and the one class other packages talk to: the file, SAVE, loading, the background
 * snapshot (BGSAVE, save points, an AOF rewrite's base) and every figure INFO persistence shows. The owner
 * thread of the keyspace (the event loop) calls everything here.
 *
 * <p>Design. The work is in four parts, all on the owner thread:
 * <ul>
 *   <li>{@link ForegroundSnapshot}: SAVE and the load, whole, in one call; nothing changes under them, so the
 *       save reads the live pages ({@link LivePageSource}).</li>
 *   <li>{@link BackgroundSnapshot}: one background snapshot's life. Its instant is one call between two
 *       commands: any table still being zeroed is dropped, the page table image and the index roots are
 *       captured (O(pages), no page bytes), the {@link WriteBarrier} begins a new epoch over that image, and
 *       reads stop writing pages (no access clock, no resize steps). The {@link SnapshotAgent} then writes the
 *       pages on its own thread, each claimed under the barrier or taken from the copy the loop preserved
 *       before its first write; the barrier ends at the first {@link #poll} after the agent has read every page.
 *       Extra memory is bounded by the pages written during the snapshot and not yet passed by the agent, and
 *       counts in used_memory ({@link PageMemory#snapshotRetainedBytes}).</li>
 *   <li>{@link SaveSchedule}: when the cron starts a background save by itself (save points, BGSAVE
 *       SCHEDULE, the retry delay after a failure), and whether writes are refused.</li>
 *   <li>{@link SnapshotFigures}: what the saves and loads so far leave for INFO, LASTSAVE and MISCONF.</li>
 * </ul>
 * What stays here ties them: which may run beside which (one background snapshot at a time; a foreground save
 * beside an AOF base but not beside an RDB background save; no load while a background snapshot runs), what
 * an ending means (the figures and the listener for an RDB save, the {@link BaseListener} alone for an AOF
 * base), and {@link #poll}'s order on each cron tick: the running job first; then, only with the agent free,
 * a due save point before a scheduled BGSAVE.
 *
 * <p>What was saved is a position in the keyspace's change counter, as Redis's dirty_before_bgsave: a
 * background save that succeeds subtracts only the changes made before its instant.
 *
 * <p>Failures follow Redis 7.0. A failed background save sets {@code rdb_last_bgsave_status:err}; with save
 * points configured and {@code stop-writes-on-bgsave-error yes}, {@link #writesRefused()} is true until a save
 * succeeds (the dispatcher answers -MISCONF). A failed save point is retried after
 * {@link #BGSAVE_RETRY_DELAY_SEC}. A save aborted by FLUSHALL, DEBUG RELOAD or SHUTDOWN is not an error.
 */
public final class SnapshotControl implements AutoCloseable
{
    /** Redis's CONFIG_BGSAVE_RETRY_DELAY: after a failed background save, save points wait this long. */
    public static final long BGSAVE_RETRY_DELAY_SEC = 5;

    /**
     * Told on the owner thread when a background snapshot taken for the AOF (a rewrite's new base) ends. Such
     * a snapshot is not an RDB save: it leaves rdb_* figures, LASTSAVE and the change counter alone.
     */
    public interface BaseListener
    {
        /** Exactly one of: a result (the file is in place), a failure, or aborted (nothing was written). */
        void onBaseDone(SnapshotWriter.Result result, SnapshotException failure, boolean aborted);
    }

    /** How a BGSAVE request ended up. */
    public enum BackgroundStart
    {
        STARTED, SCHEDULED, ALREADY_RUNNING, FAILED
    }

    private final Keyspace keyspace;
    private Path file;
    private SnapshotListener listener = SnapshotListener.NONE;

    private final ForegroundSnapshot foreground;
    private final BackgroundSnapshot background;
    private final SaveSchedule schedule = new SaveSchedule();
    private final SnapshotFigures figures;

    /**
     * @param agentOnOwnThread  true to run the agent on its own thread (the server); false to run it on the
     *                          owner's thread from {@link #poll} (deterministic tests, single-threaded embedding).
     * @param agentIdleStrategy how the agent's thread idles between jobs.
     * @param pagesPerStep      frames per agent duty cycle (see {@link SnapshotAgent#DEFAULT_PAGES_PER_STEP}).
     */
    public SnapshotControl(
        final Keyspace keyspace,
        final boolean agentOnOwnThread,
        final Supplier<IdleStrategy> agentIdleStrategy,
        final int pagesPerStep,
        final boolean loadPrefaultThread)
    {
        this.keyspace = keyspace;
        this.foreground = new ForegroundSnapshot(keyspace, loadPrefaultThread);
        this.figures = new SnapshotFigures(keyspace);
        this.background = new BackgroundSnapshot(keyspace, agentOnOwnThread, agentIdleStrategy, pagesPerStep);
    }

    // ------------------------------------------------------------------------------------------------
    // configuration

    /** The file SAVE, BGSAVE and DEBUG RELOAD use (the server's dir/dbfilename), or null when none is set. */
    public Path file()
    {
        return file;
    }

    public void file(final Path file)
    {
        this.file = file;
    }

    public SnapshotListener listener()
    {
        return listener;
    }

    public void listener(final SnapshotListener listener)
    {
        this.listener = listener == null ? SnapshotListener.NONE : listener;
    }

    /** Redis's save points: a background save when {@code changes[i]} changes are {@code seconds[i]} old. */
    public void savePoints(final long[] seconds, final long[] changes)
    {
        schedule.savePoints(seconds, changes);
    }

    public boolean hasSavePoints()
    {
        return schedule.hasSavePoints();
    }

    /** Redis's stop-writes-on-bgsave-error. */
    public void stopWritesOnError(final boolean stop)
    {
        schedule.stopWritesOnError(stop);
    }

    /** Slow a background save down by this much per page (Redis's rdb-key-save-delay test knob). */
    public void pageDelayMicros(final long micros)
    {
        background.pageDelayNanos(Math.max(0, micros) * 1000);
    }

    // ------------------------------------------------------------------------------------------------
    // foreground: SAVE, the final save of a shutdown, DEBUG RELOAD

    /**
     * Write a snapshot of the whole dataset to {@link #file()}, now, on this thread (SAVE, the final save of a
     * shutdown): the instant is taken and every page written before this returns. The SAVE command counts
     * itself in rdb_saves ({@link #countSave}); the final save of a shutdown is not counted, as in Redis.
     * Refused while a background save runs (the caller answers Redis's error first). On success the changes
     * since the last save restart from zero and LASTSAVE moves; on failure the previous file stays as it was.
     *
     * @return what was written.
     * @throws SnapshotException naming the step that failed (also told to the listener).
     */
    public SnapshotWriter.Result save() throws SnapshotException
    {
        if (file == null)
        {
            final SnapshotException ex = new SnapshotException("no snapshot file is configured");
            listener.onSaveFailed(null, ex);
            throw ex;
        }
        try
        {
            final SnapshotWriter.Result result = save(file);
            listener.onSaved(file, result);
            return result;
        }
        catch (final SnapshotException ex)
        {
            listener.onSaveFailed(file, ex);
            throw ex;
        }
    }

    /**
     * The foreground save to any file (tests, tools), not counted and not told to the listener. Allowed beside
     * an AOF rewrite's background base, as Redis saves in the foreground beside its rewrite child: it reads the
     * live pages on this thread, and its image counts the pages whose release waits for the agent as free.
     *
     * @throws IllegalStateException while an RDB background save runs (the callers refuse first).
     */
    public SnapshotWriter.Result save(final Path target) throws SnapshotException
    {
        if (background.saveRunning())
        {
            throw new IllegalStateException("a background save is in progress");
        }
        final SnapshotWriter.Result result = foreground.save(target);
        figures.savedAt(keyspace.dirty());
        return result;
    }

    /** What a file of an older format version may not hold: the engine's types know (SnapshotReader.FormatCheck). */
    public void formatCheck(final SnapshotReader.FormatCheck check)
    {
        foreground.formatCheck(check);
    }

    /**
     * Load a snapshot into the keyspace, which must hold no keys (at start, or after a flush): pages are
     * restored under their numbers, then the roots; no key is re-inserted. All or nothing.
     *
     * @throws SnapshotException naming the file, the offset and the reason.
     */
    public SnapshotReader.Result load(final Path source) throws SnapshotException
    {
        if (background.running())
        {
            throw new IllegalStateException("a background save is in progress");
        }
        final SnapshotReader.Result result = foreground.load(source);
        figures.loaded(result.keys);
        return result;
    }

    /** The SAVE command ran (rdb_saves counts it whether it succeeds or not, as Redis's saveCommand). */
    public void countSave()
    {
        figures.countSave();
    }

    // ------------------------------------------------------------------------------------------------
    // background: BGSAVE, save points

    /**
     * BGSAVE [SCHEDULE], Redis 7.0's rules: one background save at a time; {@code schedule} queues one for when
     * nothing else runs (nothing else can run today: the AOF rewrite will be the other background job).
     */
    public BackgroundStart startBackgroundSave(final boolean schedule)
    {
        if (background.busy())
        {
            if (background.baseRunningOrReserved() && schedule)
            {
                this.schedule.schedule(); // Redis: BGSAVE SCHEDULE during an AOF rewrite runs once the rewrite ends
                return BackgroundStart.SCHEDULED;
            }
            return BackgroundStart.ALREADY_RUNNING;
        }
        return beginBackgroundSave() ? BackgroundStart.STARTED : BackgroundStart.FAILED;
    }

    /**
     * A background snapshot of the whole dataset into {@code target}, for the AOF: a rewrite's new base.
     * {@code atInstant} runs in the same owner-thread step as the instant, before any other command, so that
     * what it does (the AOF switching to a new incremental file) meets the snapshot exactly. The outcome goes
     * to {@code done}, not to the snapshot listener.
     *
     * @return false when a background snapshot already runs (the caller schedules it, as Redis does).
     */
    public boolean startBackgroundBase(final Path target, final Runnable atInstant, final BaseListener done)
    {
        if (background.running())
        {
            return false;
        }
        background.release();
        if (!background.takeInstant(target, done, atInstant))
        {
            done.onBaseDone(null, new SnapshotException("the snapshot agent is still busy with the last save"), false);
        }
        return true;
    }

    /** An AOF base is being written in the background, or its rewrite prepares its files (reserved). */
    public boolean backgroundBaseRunning()
    {
        return background.baseRunningOrReserved();
    }

    /**
     * An AOF rewrite about to prepare its files (off the loop) promises itself the agent, so that no BGSAVE or
     * save point takes it meanwhile: Redis's rewrite is its child from the start, and BGSAVE then answers
     * "Another child process is active". Released by {@link #startBackgroundBase} or {@link #releaseBase}.
     *
     * @return false when a background snapshot runs or is already reserved.
     */
    public boolean reserveBase()
    {
        return background.reserve();
    }

    /** The reserving rewrite failed before its instant. */
    public void releaseBase()
    {
        background.release();
    }

    /** aof_last_cow_size: bytes the event loop copied during the last AOF base. */
    public long lastBaseCopiedBytes()
    {
        return figures.lastBaseCopiedBytes();
    }

    /**
     * An RDB background save, from BGSAVE or the cron: counted in rdb_saves and as a try (the retry delay)
     * before anything can fail, then the change counter's position and the instant in the same owner-thread
     * step, so the position is exactly what the file holds.
     */
    private boolean beginBackgroundSave()
    {
        figures.countSave();
        schedule.tried(System.currentTimeMillis() / 1000);
        if (file == null)
        {
            failed(new SnapshotException("no snapshot file is configured"));
            return false;
        }
        schedule.unschedule();
        figures.backgroundInstant();
        if (!background.takeInstant(file, null, null))
        {
            failed(new SnapshotException("the snapshot agent is still busy with the last save"));
            return false;
        }
        listener.onBackgroundSaveStarted(background.runningFile());
        return true;
    }

    /** An RDB background save runs (rdb_bgsave_in_progress); not an AOF base: see {@link #backgroundBaseRunning}. */
    public boolean backgroundSaveRunning()
    {
        return background.saveRunning();
    }

    /** Any background snapshot runs, RDB or AOF base: the agent is busy, no foreground save or load now. */
    public boolean agentBusy()
    {
        return background.busy();
    }

    /**
     * Owner thread, each loop pass or cron tick: run the agent when it has no thread, end the barrier once the
     * agent has read every page, release what waited for it, take its outcome, then act on save points and a
     * scheduled BGSAVE. Bounded: O(deferred runs) plus one agent step.
     *
     * @return work done (for the loop's idle strategy).
     */
    public int poll(final long nowMs)
    {
        if (background.running())
        {
            int work = background.step();
            final SnapshotAgent.Outcome outcome = background.takeOutcome();
            if (outcome != null)
            {
                finish(outcome);
                work++;
            }
            return work;
        }
        if (background.reserved())
        {
            return 0; // the agent is promised to an AOF rewrite: save points and a scheduled BGSAVE wait
        }
        final long nowSec = nowMs / 1000;
        if (!schedule.mayTry(nowSec, figures.lastBackgroundSaveOk()))
        {
            return 0;
        }
        final int point = schedule.duePoint(nowSec, figures.changesSinceLastSave(), figures.lastSaveTimeSec());
        if (point >= 0)
        {
            listener.onSavePoint(schedule.changes(point), schedule.seconds(point));
            beginBackgroundSave();
            return 1;
        }
        if (schedule.scheduled())
        {
            beginBackgroundSave();
            return 1;
        }
        return 0;
    }

    /**
     * Stop a running background save and wait until the agent has let go of the file and the pages (FLUSHALL,
     * DEBUG RELOAD, SHUTDOWN, as Redis kills its child). The wait is one agent step, or the end of an fsync
     * already under way. Not an error: rdb_last_bgsave_status does not change.
     *
     * @return true when a save was running.
     */
    public boolean abortBackgroundSave()
    {
        if (!background.running())
        {
            schedule.unschedule();
            return false;
        }
        finish(background.abort());
        schedule.unschedule();
        return true;
    }

    private void finish(final SnapshotAgent.Outcome outcome)
    {
        final BaseListener base = background.end();
        if (base != null)
        {
            figures.baseEnded(background.lastCopiedBytes());
            base.onBaseDone(outcome.aborted || outcome.failure != null ? null : outcome.result, outcome.failure,
                outcome.aborted);
            return;
        }
        figures.backgroundEnded(System.currentTimeMillis() - background.runningSinceMs(), background.lastCopiedBytes());
        if (outcome.aborted)
        {
            listener.onBackgroundSaveAborted(background.runningFile());
        }
        else if (outcome.failure != null)
        {
            failed(outcome.failure);
        }
        else
        {
            figures.backgroundSucceeded();
            listener.onBackgroundSaveDone(background.runningFile(), outcome.result);
        }
    }

    private void failed(final SnapshotException failure)
    {
        figures.backgroundFailed();
        listener.onBackgroundSaveFailed(file, failure);
    }

    // ------------------------------------------------------------------------------------------------
    // figures (INFO persistence)

    /** rdb_changes_since_last_save. */
    public long changesSinceLastSave()
    {
        return figures.changesSinceLastSave();
    }

    /** LASTSAVE and rdb_last_save_time. */
    public long lastSaveTimeSec()
    {
        return figures.lastSaveTimeSec();
    }

    /** Set LASTSAVE (tests, and tools that restore a server's state). */
    public void lastSaveTimeSec(final long seconds)
    {
        figures.lastSaveTimeSec(seconds);
    }

    /** rdb_saves: SAVE commands and background saves started, failed ones included. */
    public long saves()
    {
        return figures.saves();
    }

    /** rdb_last_bgsave_status. */
    public boolean lastBackgroundSaveOk()
    {
        return figures.lastBackgroundSaveOk();
    }

    /** rdb_last_bgsave_time_sec: -1 until one ended. */
    public long lastBackgroundSaveTimeSec()
    {
        return figures.lastBackgroundSaveTimeSec();
    }

    /** rdb_current_bgsave_time_sec: -1 when none runs. */
    public long currentBackgroundSaveTimeSec()
    {
        return background.currentTimeSec();
    }

    /** keelkv_bgsave_last_instant_usec: how long the last background save's instant held the owner thread. */
    public long lastInstantMicros()
    {
        return background.lastInstantMicros();
    }

    /** keelkv_bgsave_max_instant_usec: the longest instant since start. */
    public long maxInstantMicros()
    {
        return background.maxInstantMicros();
    }

    /** rdb_last_cow_size: bytes the event loop copied to keep the last background save's instant. */
    public long lastCopiedBytes()
    {
        return figures.lastCopiedBytes();
    }

    /** current_cow_size: bytes held right now for a running save (copies and deferred releases). */
    public long retainedBytes()
    {
        return background.retainedBytes();
    }

    /** current_cow_peak: the most held at once during the running or last background save. */
    public long peakRetainedBytes()
    {
        return background.peakRetainedBytes();
    }

    /** current_fork_perc: pages of the running save written, in percent of the pages in it. */
    public double progressPercent()
    {
        return background.progressPercent();
    }

    /** Pages the event loop copied before writing them, in the running or last background save. */
    public long pagesCopiedByWriter()
    {
        return background.pagesCopiedByWriter();
    }

    /** Pages the agent copied itself, in the running or last background save. */
    public long pagesCopiedByAgent()
    {
        return background.pagesCopiedByAgent();
    }

    /** current_save_keys_total: the keys at the running background save's instant. */
    public long backgroundSaveKeys()
    {
        return background.keys();
    }

    /** rdb_last_load_keys_loaded. */
    public long lastLoadKeys()
    {
        return figures.lastLoadKeys();
    }

    /** Writes get -MISCONF: Redis's writeCommandsDeniedByDiskError for the RDB. */
    public boolean writesRefused()
    {
        return schedule.writesRefused(figures.lastBackgroundSaveOk());
    }

    @Override
    public void close()
    {
        abortBackgroundSave();
        background.close();
    }
}
