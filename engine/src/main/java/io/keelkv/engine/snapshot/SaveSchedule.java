package io.keelkv.engine.snapshot;

/**
 * When the cron may start a background save by itself: Redis's save points, a queued BGSAVE SCHEDULE, the
 * retry delay after a failure, and whether writes are refused meanwhile (stop-writes-on-bgsave-error).
 *
 * <p>Design. Only decisions live here, no job: {@link SnapshotControl#poll} asks on each cron tick, once no
 * background snapshot runs and no AOF rewrite holds the agent, and starts the save itself, so a save point
 * and a BGSAVE typed by a client go through the one same instant. The figures it decides on (the changes
 * since the last save, LASTSAVE, whether the last background save failed) are passed in, never kept twice.
 * Owner thread only, like everything {@link SnapshotControl} holds.
 *
 * <p>Failure. A failed background save makes save points and a scheduled BGSAVE wait
 * {@link SnapshotControl#BGSAVE_RETRY_DELAY_SEC} after the last try (Redis's CONFIG_BGSAVE_RETRY_DELAY), so a
 * full disk is not hammered once per tick; a try counts from its start, whether it ran or failed at once. A
 * scheduled BGSAVE stays queued until a try gets past the configuration check (a missing file is retried).
 */
final class SaveSchedule
{
    private long[] savePointSeconds = new long[0];
    private long[] savePointChanges = new long[0];
    private boolean stopWritesOnError = true;
    private boolean scheduled;
    private long lastBackgroundTrySec;

    /** Redis's save points: a background save when {@code changes[i]} changes are {@code seconds[i]} old. */
    void savePoints(final long[] seconds, final long[] changes)
    {
        if (seconds.length != changes.length)
        {
            throw new IllegalArgumentException("save points come in pairs");
        }
        this.savePointSeconds = seconds.clone();
        this.savePointChanges = changes.clone();
    }

    boolean hasSavePoints()
    {
        return savePointSeconds.length > 0;
    }

    void stopWritesOnError(final boolean stop)
    {
        this.stopWritesOnError = stop;
    }

    /** BGSAVE SCHEDULE while another background job holds the agent: run once nothing else does. */
    void schedule()
    {
        scheduled = true;
    }

    boolean scheduled()
    {
        return scheduled;
    }

    /** A background save got to its instant (or was stopped): the queued BGSAVE is served. */
    void unschedule()
    {
        scheduled = false;
    }

    /** A background save is being tried, now (rdb_saves counts it too): the retry delay counts from here. */
    void tried(final long nowSec)
    {
        lastBackgroundTrySec = nowSec;
    }

    /** Whether the cron may try a background save now: always after a success, else after the retry delay. */
    boolean mayTry(final long nowSec, final boolean lastBackgroundSaveOk)
    {
        return nowSec - lastBackgroundTrySec > SnapshotControl.BGSAVE_RETRY_DELAY_SEC || lastBackgroundSaveOk;
    }

    /**
     * The first save point that is due: at least its changes since the last save, and that save more than its
     * seconds old.
     *
     * @return its index, or -1 when none is due.
     */
    int duePoint(final long nowSec, final long changesSinceLastSave, final long lastSaveTimeSec)
    {
        for (int i = 0; i < savePointSeconds.length; i++)
        {
            if (changesSinceLastSave >= savePointChanges[i] && nowSec - lastSaveTimeSec > savePointSeconds[i])
            {
                return i;
            }
        }
        return -1;
    }

    long seconds(final int point)
    {
        return savePointSeconds[point];
    }

    long changes(final int point)
    {
        return savePointChanges[point];
    }

    /** Redis's writeCommandsDeniedByDiskError for the RDB: only with save points and the option on. */
    boolean writesRefused(final boolean lastBackgroundSaveOk)
    {
        return stopWritesOnError && savePointSeconds.length > 0 && !lastBackgroundSaveOk;
    }
}
