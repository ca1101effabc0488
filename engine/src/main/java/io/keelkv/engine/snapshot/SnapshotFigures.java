package io.keelkv.engine.snapshot;

import io.keelkv.engine.keyspace.Keyspace;

/**
 * What the saves and loads so far leave behind for INFO persistence, LASTSAVE and MISCONF: the position in
 * the change counter last saved, LASTSAVE, rdb_saves, the last background save's status, time and
 * copy-on-write, and the keys of the last load. The live figures of a running background save are the job's
 * ({@link BackgroundSnapshot}).
 *
 * <p>Design. What was saved is a position in the keyspace's change counter, as Redis's dirty_before_bgsave:
 * the position is taken at the instant, on the owner thread between two commands, and a background save that
 * succeeds moves the last-saved position to it, so rdb_changes_since_last_save keeps the changes made while
 * the agent wrote. A foreground save and a load take the counter as it is: nothing changes under them.
 *
 * <p>Failure, as Redis 7.0: any successful save (foreground or background) clears the error a failed
 * background save left, as rdbSave does; a failed or aborted one leaves LASTSAVE and the saved position
 * alone; an aborted one leaves the status alone too. rdb_saves counts attempts, failed ones included. An AOF
 * base is not an RDB save and only sets aof_last_cow_size. Owner thread only.
 */
final class SnapshotFigures
{
    private final Keyspace keyspace;
    private long dirtyAtLastSave;
    private long dirtyAtInstant;
    private long lastSaveTimeSec = System.currentTimeMillis() / 1000;
    private boolean lastBackgroundSaveOk = true;
    private long lastBackgroundSaveTimeSec = -1;
    private long saves;
    private long lastCopiedBytes;
    private long lastBaseCopiedBytes;
    private long lastLoadKeys;

    SnapshotFigures(final Keyspace keyspace)
    {
        this.keyspace = keyspace;
    }

    /** A SAVE command or a background save was tried. */
    void countSave()
    {
        saves++;
    }

    /** A foreground save succeeded with the change counter at {@code dirty}. */
    void savedAt(final long dirty)
    {
        dirtyAtLastSave = dirty;
        lastSaveTimeSec = System.currentTimeMillis() / 1000;
        // a successful save clears the error a failed background save left, as rdbSave does
        lastBackgroundSaveOk = true;
    }

    /** A load succeeded: what is in memory is what is on disk. */
    void loaded(final long keys)
    {
        dirtyAtLastSave = keyspace.dirty();
        lastLoadKeys = keys;
    }

    /** A background save takes its instant now: remember the position it saves. */
    void backgroundInstant()
    {
        dirtyAtInstant = keyspace.dirty();
    }

    /** A background save ended, in any way: how long it ran and what the loop copied for it. */
    void backgroundEnded(final long elapsedMs, final long copiedBytes)
    {
        lastBackgroundSaveTimeSec = elapsedMs / 1000;
        lastCopiedBytes = copiedBytes;
    }

    /** A background save failed, or could not start: rdb_last_bgsave_status:err. */
    void backgroundFailed()
    {
        lastBackgroundSaveOk = false;
    }

    /** A background save is on disk: the changes before its instant are saved. */
    void backgroundSucceeded()
    {
        dirtyAtLastSave = dirtyAtInstant;
        lastSaveTimeSec = System.currentTimeMillis() / 1000;
        lastBackgroundSaveOk = true;
    }

    /** An AOF base ended: aof_last_cow_size. */
    void baseEnded(final long copiedBytes)
    {
        lastBaseCopiedBytes = copiedBytes;
    }

    long changesSinceLastSave()
    {
        return keyspace.dirty() - dirtyAtLastSave;
    }

    long lastSaveTimeSec()
    {
        return lastSaveTimeSec;
    }

    void lastSaveTimeSec(final long seconds)
    {
        this.lastSaveTimeSec = seconds;
    }

    long saves()
    {
        return saves;
    }

    boolean lastBackgroundSaveOk()
    {
        return lastBackgroundSaveOk;
    }

    long lastBackgroundSaveTimeSec()
    {
        return lastBackgroundSaveTimeSec;
    }

    long lastCopiedBytes()
    {
        return lastCopiedBytes;
    }

    long lastBaseCopiedBytes()
    {
        return lastBaseCopiedBytes;
    }

    long lastLoadKeys()
    {
        return lastLoadKeys;
    }
}
