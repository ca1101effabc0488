package io.keelkv.engine.aof;

import io.keelkv.engine.command.CommandPropagator;
import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.KeyspaceListener;
import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.resp.Args;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The append-only file's home on the event loop: what is appended, when it is durable, what fails, and the
 * INFO figures.
 *
 * <p>Design. The dispatcher hands every command that changed the dataset to {@link #propagate} (Redis's
 * call() rule: only it appends); the keyspace tells of the keys it removes itself, expired or evicted,
 * through {@link KeyspaceListener}, and each becomes a {@code DEL} (Redis 7.0's propagateDeletion, with
 * lazyfree off). A {@code SELECT} is written whenever the database differs from the last one written to
 * the current file, and before the first command of a new file. Commands are encoded as RESP into a staging
 * buffer, then copied into the mapped incremental file ({@link MappedAppendFile}): no system call, no
 * allocation once the staging buffer has grown to the largest command. The {@link AofSyncAgent} thread makes
 * them durable (group commit); {@link #durableLogical()} says how far.
 *
 * <p>Failures, as Redis's rules have them:
 * <ul>
 *   <li>An append that fails (the file could not grow: disk full, ulimit -f) leaves its bytes in the
 *       staging buffer, as Redis keeps aof_buf; writes get {@code -MISCONF Errors writing to the AOF file}
 *       and {@link #afterPass()} retries, until one succeeds. Under {@code always} the owner is told to exit
 *       ({@link AofListener#onFatal}): a reply must never claim a write that is not on disk.</li>
 *   <li>A failed msync is final for the file; writes get -MISCONF (everysec, no) or the process exits
 *       (always).</li>
 * </ul>
 *
 * <p>Threads: everything here runs on the owner thread (the event loop), except the sync agent's own work.
 */
public final class AofControl implements CommandPropagator, KeyspaceListener, AutoCloseable
{
    private static final byte[] SELECT = "SELECT".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DEL = "DEL".getBytes(StandardCharsets.US_ASCII);

    private final EntryFlyweight entry;
    private final Supplier<IdleStrategy> idleStrategy;
    private final AofStaging staging = new AofStaging();
    private AofListener listener = AofListener.NONE;
    private Runnable wakeLoop = () -> { };

    private int policy = AofSyncAgent.POLICY_EVERYSEC;
    private MappedAppendFile file;
    private long fileLogicalBase;
    private int selectedDb = -1;
    private AofSyncAgent syncAgent;
    private AgentRunner syncRunner;
    private AppendFileException writeError;
    private boolean syncFailureReported;
    private long appendedCommands;
    private AofRewrite rewrite;
    private AofRewrite offlineRewrite;
    private java.util.function.Supplier<AofRewrite> offlineRewrites;
    private int autoRewritePercent = 100;
    private long autoRewriteMinSizeBytes = 64L << 20;

    public AofControl(final PageMemory memory, final Supplier<IdleStrategy> idleStrategy)
    {
        this.entry = new EntryFlyweight(memory);
        this.idleStrategy = idleStrategy;
    }

    public void listener(final AofListener listener)
    {
        this.listener = listener == null ? AofListener.NONE : listener;
    }

    public AofListener listener()
    {
        return listener;
    }

    /** How the sync agent wakes the event loop when it has published a durable position (selector wakeup). */
    public void wakeLoop(final Runnable wakeLoop)
    {
        this.wakeLoop = wakeLoop == null ? () -> { } : wakeLoop;
    }

    /** appendfsync: one of {@link AofSyncAgent#POLICY_NO}, {@code EVERYSEC}, {@code ALWAYS}. */
    public void policy(final int policy)
    {
        this.policy = policy;
        if (syncAgent != null)
        {
            syncAgent.policy(policy);
        }
        if (file != null)
        {
            file.randomFaults(policy == AofSyncAgent.POLICY_ALWAYS);
        }
    }

    public int policy()
    {
        return policy;
    }

    /** The AOF directory's manifest and rewrite while the AOF is on (or being turned on); null when off. */
    public AofRewrite rewrite()
    {
        return rewrite;
    }

    public void rewrite(final AofRewrite rewrite)
    {
        this.rewrite = rewrite;
    }

    /** How a BGREWRITEAOF with the AOF off gets its rewrite (the server knows the directory); null: none. */
    public void offlineRewrites(final java.util.function.Supplier<AofRewrite> offlineRewrites)
    {
        this.offlineRewrites = offlineRewrites;
    }

    /**
     * The rewrite BGREWRITEAOF runs: the AOF's own while it is on; with the AOF off, the one running or a new
     * offline one (a base only, as Redis 7.0 writes). Null when no directory is configured (embedded).
     */
    public AofRewrite rewriteForCommand()
    {
        if (rewrite != null)
        {
            return rewrite;
        }
        if (offlineRewrite == null || !offlineRewrite.running() && !offlineRewrite.scheduled())
        {
            offlineRewrite = offlineRewrites == null ? null : offlineRewrites.get();
        }
        return offlineRewrite;
    }

    /** The rewrite INFO reports: the AOF's own, or an offline one (BGREWRITEAOF with the AOF off). */
    public AofRewrite reportedRewrite()
    {
        return rewrite != null ? rewrite : offlineRewrite;
    }

    /** auto-aof-rewrite-percentage and auto-aof-rewrite-min-size. */
    public void autoRewrite(final int percent, final long minSizeBytes)
    {
        this.autoRewritePercent = percent;
        this.autoRewriteMinSizeBytes = minSizeBytes;
    }

    /** Owner thread, each cron tick: a scheduled or automatic rewrite, a RESP base's end. */
    public int cron()
    {
        if (rewrite != null)
        {
            rewrite.poll(autoRewritePercent, autoRewriteMinSizeBytes);
        }
        else if (offlineRewrite != null)
        {
            offlineRewrite.poll(0, Long.MAX_VALUE); // its schedule and its RESP base only: no automatic rewrite
        }
        return 0;
    }

    /** Whether commands are being appended (a file is open). */
    public boolean appending()
    {
        return file != null;
    }

    /**
     * Start or go on appending to {@code next}, the incremental file that receives commands from now on; the
     * first call starts the sync agent's thread. A later call (a rewrite's new incremental file) hands the new
     * file to the agent, which syncs the old one to its end and retires it; the old one is closed once
     * retired ({@link #afterPass()}).
     */
    public void appendTo(final MappedAppendFile next)
    {
        if (file != null)
        {
            flushStaging();
            fileLogicalBase += file.position();
        }
        file = next;
        file.randomFaults(policy == AofSyncAgent.POLICY_ALWAYS); // page-sized folios for group commits only
        selectedDb = -1; // a new file starts with a SELECT, as Redis's aof_selected_db = -1
        if (syncAgent == null)
        {
            syncAgent = new AofSyncAgent(policy, () -> wakeLoop.run());
            syncRunner = new AgentRunner(idleStrategy.get(), this::onAgentError, null, syncAgent);
            AgentRunner.startOnThread(syncRunner);
        }
        while (!syncAgent.handOver(next, fileLogicalBase))
        {
            Thread.onSpinWait(); // the queue holds 8 switches; one per rewrite
        }
    }

    private void onAgentError(final Throwable error)
    {
        System.err.println("aof-sync agent: " + error);
    }

    // ------------------------------------------------------------------------------------------------
    // propagation

    @Override
    public void propagate(final int db, final Args args)
    {
        if (file == null)
        {
            return;
        }
        stageSelect(db);
        final int raw = args.rawLength();
        if (raw > 0)
        {
            // the request as it arrived is already the canonical multibulk Redis would write: copy it
            staging.raw(args.buffer(), args.rawOffset(), raw);
        }
        else
        {
            final int count = args.count();
            staging.header(count);
            for (int i = 0; i < count; i++)
            {
                staging.bulk(args, i);
            }
        }
        appendedCommands++;
        // copied into the file once per loop pass (afterPass, before any reply of the pass is written, as
        // Redis's beforeSleep writes its aof_buf), or sooner when much is staged: one copy of a pass's commands
        // instead of one call per command; the staging buffer stays small and in cache
        if (staging.length() >= STAGING_FLUSH_BYTES)
        {
            flushStaging();
        }
    }

    @Override
    public String writeRefusal()
    {
        if (file == null)
        {
            return null;
        }
        if (writeError != null)
        {
            return "MISCONF Errors writing to the AOF file: " + reason(writeError);
        }
        final AppendFileException syncFailure = syncAgent == null ? null : syncAgent.failure();
        if (syncFailure != null)
        {
            return "MISCONF Errors writing to the AOF file: " + reason(syncFailure);
        }
        return null;
    }

    /** Staged bytes copied into the file at once rather than at the end of the pass (see propagate). */
    static final int STAGING_FLUSH_BYTES = 32 * 1024;

    private static String reason(final AppendFileException ex)
    {
        final String message = ex.getMessage();
        return message == null ? ex.toString() : message;
    }

    @Override
    public void onExpired(final Database db, final long entryHandle)
    {
        propagateDel(db, entryHandle);
    }

    @Override
    public void onEvicted(final Database db, final long entryHandle)
    {
        propagateDel(db, entryHandle);
    }

    private void propagateDel(final Database db, final long entryHandle)
    {
        if (file == null)
        {
            return;
        }
        stageSelect(db.id());
        entry.wrap(entryHandle);
        staging.header(2);
        staging.bulk(DEL);
        staging.bulk(null, entry.keyAddress(), entry.keyLength());
        appendedCommands++;
        flushStaging();
    }

    // ------------------------------------------------------------------------------------------------
    // the typed embedded API's writes: they do not pass the dispatcher, so they are logged here, in the
    // deterministic form the dispatcher's rewrites give (an absolute deadline, never a relative one)

    private static final byte[] SET = "SET".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PXAT = "PXAT".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PEXPIREAT = "PEXPIREAT".getBytes(StandardCharsets.US_ASCII);

    /** SET key value [PXAT expireAtMs] ({@code expireAtMs < 0}: none). */
    public void propagateSet(final int db, final Object keyBase, final long keyAddress, final int keyLength,
        final Object valueBase, final long valueAddress, final int valueLength, final long expireAtMs)
    {
        if (file == null)
        {
            return;
        }
        stageSelect(db);
        staging.header(expireAtMs >= 0 ? 5 : 3);
        staging.bulk(SET);
        staging.bulk(keyBase, keyAddress, keyLength);
        staging.bulk(valueBase, valueAddress, valueLength);
        if (expireAtMs >= 0)
        {
            staging.bulk(PXAT);
            staging.bulk(expireAtMs);
        }
        appendedCommands++;
        flushStaging();
    }

    /** DEL key. */
    public void propagateDel(final int db, final Object keyBase, final long keyAddress, final int keyLength)
    {
        if (file == null)
        {
            return;
        }
        stageSelect(db);
        staging.header(2);
        staging.bulk(DEL);
        staging.bulk(keyBase, keyAddress, keyLength);
        appendedCommands++;
        flushStaging();
    }

    /** PEXPIREAT key atMs. */
    public void propagatePexpireAt(final int db, final Object keyBase, final long keyAddress, final int keyLength,
        final long atMs)
    {
        if (file == null)
        {
            return;
        }
        stageSelect(db);
        staging.header(3);
        staging.bulk(PEXPIREAT);
        staging.bulk(keyBase, keyAddress, keyLength);
        staging.bulk(atMs);
        appendedCommands++;
        flushStaging();
    }

    /**
     * A typed write under {@code appendfsync always} returns only once it is durable: an embedded caller has no
     * reply to hold, so it waits here (spin briefly, then park; the sync agent is woken at once). Returns at
     * once under the other policies, or when syncing has failed (the next write is refused).
     */
    public void awaitDurable()
    {
        if (file == null || policy != AofSyncAgent.POLICY_ALWAYS)
        {
            return;
        }
        afterPass();
        final long target = appendedLogical();
        int spins = 0;
        while (syncAgent.durableLogical() < target && syncAgent.failure() == null)
        {
            if (++spins < 1_000)
            {
                Thread.onSpinWait();
            }
            else
            {
                LockSupport.parkNanos(20_000);
            }
        }
        afterPass();
    }

    private void stageSelect(final int db)
    {
        if (db != selectedDb)
        {
            staging.header(2);
            staging.bulk(SELECT);
            staging.bulk(db);
            selectedDb = db;
        }
    }

    /** Copy the staged bytes into the file; on failure keep them for the next try. */
    private void flushStaging()
    {
        if (staging.length() == 0)
        {
            return;
        }
        try
        {
            file.append(staging.buffer(), 0, staging.length());
            staging.clear();
            if (writeError != null)
            {
                writeError = null;
                listener.onWriteRecovered();
            }
        }
        catch (final AppendFileException ex)
        {
            final boolean first = writeError == null;
            writeError = ex;
            if (first)
            {
                listener.onWriteError(ex);
            }
            if (policy == AofSyncAgent.POLICY_ALWAYS)
            {
                listener.onFatal("Can't recover from AOF write error when the AOF fsync policy is 'always'. " +
                    "Exiting... (" + reason(ex) + ")");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // event loop duties

    /**
     * Owner thread, once per loop pass (after the commands of the pass, before replies are written): retry a
     * failed append, wake the sync agent when there is something to sync under {@code always}, close a file
     * the agent retired, report a sync failure.
     *
     * @return work done.
     */
    public int afterPass()
    {
        if (file == null)
        {
            return 0;
        }
        int work = 0;
        if (staging.length() > 0)
        {
            flushStaging();
            work++;
        }
        if (policy == AofSyncAgent.POLICY_ALWAYS && file.position() + fileLogicalBase > syncAgent.durableLogical())
        {
            LockSupport.unpark(syncRunner.thread());
        }
        if (file.mapAhead())
        {
            // the sync agent may be parked for up to its idle limit: wake it to fault the new chunk in now
            LockSupport.unpark(syncRunner.thread());
            work++;
        }
        final MappedAppendFile retired = syncAgent.takeRetired();
        if (retired != null)
        {
            try
            {
                retired.close();
            }
            catch (final AppendFileException ex)
            {
                listener.onWriteError(ex);
            }
            work++;
        }
        final AppendFileException syncFailure = syncAgent.failure();
        if (syncFailure != null && !syncFailureReported)
        {
            syncFailureReported = true;
            listener.onSyncFailed(syncFailure);
            if (policy == AofSyncAgent.POLICY_ALWAYS)
            {
                listener.onFatal("Can't recover from AOF fsync error when the AOF fsync policy is 'always'. " +
                    "Exiting... (" + reason(syncFailure) + ")");
            }
        }
        return work;
    }

    /** Logical position after the last byte appended (see {@link AofSyncAgent}); owner thread. */
    public long appendedLogical()
    {
        return file == null ? 0 : fileLogicalBase + file.position();
    }

    /** Logical position up to which everything is on disk; any thread. */
    public long durableLogical()
    {
        return syncAgent == null ? 0 : syncAgent.durableLogical();
    }

    /** Whether replies must wait for {@link #durableLogical()} (appendfsync always, appending). */
    public boolean repliesWaitForSync()
    {
        return file != null && policy == AofSyncAgent.POLICY_ALWAYS;
    }

    // ------------------------------------------------------------------------------------------------
    // figures (INFO persistence)

    /** aof_last_write_status. */
    public boolean lastWriteOk()
    {
        return writeError == null && (syncAgent == null || syncAgent.failure() == null);
    }

    /** aof_buffer_length: bytes staged but not in the file (after a failed append). */
    public long bufferLength()
    {
        return staging.length();
    }

    /** aof_pending_bio_fsync: 1 when appended bytes wait for a sync. */
    public int pendingSync()
    {
        return appendedLogical() > durableLogical() ? 1 : 0;
    }

    public long delayedSyncs()
    {
        return syncAgent == null ? 0 : syncAgent.delayedSyncs();
    }

    public long syncs()
    {
        return syncAgent == null ? 0 : syncAgent.syncs();
    }

    public long syncNs()
    {
        return syncAgent == null ? 0 : syncAgent.syncNs();
    }

    public long maxSyncNs()
    {
        return syncAgent == null ? 0 : syncAgent.maxSyncNs();
    }

    public long syncedBytes()
    {
        return syncAgent == null ? 0 : syncAgent.syncedBytes();
    }

    public long appendedCommands()
    {
        return appendedCommands;
    }

    /** The incremental file being appended to, or null. */
    public MappedAppendFile currentFile()
    {
        return file;
    }

    // ------------------------------------------------------------------------------------------------
    // shutdown

    /**
     * Stop appending: the sync agent makes everything durable and stops, then the file is cut to its commands
     * and closed. Idempotent.
     */
    @Override
    public void close()
    {
        if (file == null)
        {
            return;
        }
        flushStaging();
        if (syncRunner != null)
        {
            syncRunner.close(); // onClose: the final sync
            final MappedAppendFile retired = syncAgent.takeRetired();
            if (retired != null && retired != file)
            {
                closeQuietly(retired);
            }
            syncRunner = null;
            syncAgent = null;
        }
        closeQuietly(file);
        file = null;
    }

    private void closeQuietly(final MappedAppendFile f)
    {
        try
        {
            f.close();
        }
        catch (final AppendFileException ex)
        {
            listener.onWriteError(ex);
        }
    }
}
