package io.keelkv.engine;

import io.keelkv.engine.aof.AofCommands;
import io.keelkv.engine.aof.AofControl;
import io.keelkv.engine.aof.AofDirectory;
import io.keelkv.engine.aof.AofManifest;
import io.keelkv.engine.command.CommandLimits;
import io.keelkv.engine.command.CommandTable;
import io.keelkv.engine.command.Commands;
import io.keelkv.engine.command.Dispatcher;
import io.keelkv.engine.command.LocalClient;
import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Eviction;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.keyspace.KeyspaceListener;
import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.ErrorStats;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.snapshot.SnapshotControl;
import io.keelkv.engine.snapshot.SnapshotException;
import io.keelkv.engine.snapshot.SnapshotReader;
import io.keelkv.engine.types.OlderSnapshotFormats;
import io.keelkv.engine.snapshot.SnapshotWriter;
import io.keelkv.engine.keyspace.ObjectType;
import io.keelkv.engine.types.LazyFree;
import io.keelkv.engine.types.Strings;
import org.agrona.UnsafeApi;

import java.io.IOException;
import java.nio.file.Path;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * The engine as a library: the composition root (page memory, keyspace, eviction, snapshots, command table
 * and dispatcher) plus a typed Java API for in-process users. Not thread-safe by design: one thread owns an
 * engine. The server drives it from its event loop; an embedding application calls it from its own thread.
 * Each subsystem has its own home and figures ({@link Eviction}, {@link SnapshotControl}); this class wires
 * them and offers the typed API, nothing more.
 *
 * <p>The typed API and the RESP commands share the same code below the command layer ({@link Strings},
 * {@link Keyspace}), so they cannot disagree. Typed calls return a {@link Status} instead of throwing.
 */
public final class KeelEngine implements AutoCloseable
{
    private static final long BYTE_ARRAY_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    private final EngineSettings settings;
    private final PageMemory memory;
    private final Keyspace keyspace;
    /** Frees dropped collections; the cron gives it up to a millisecond a tick, 1024 elements a call. */
    private final LazyFree lazyFree;
    private static final int LAZY_FREE_BLOCKS_PER_STEP = 1024;
    private final Eviction eviction;
    private final SnapshotControl snapshots;
    private final AofControl aof;
    private final CommandLimits limits = new CommandLimits();
    private final CommandTable commandTable;
    private final Dispatcher dispatcher;
    private final EntryFlyweight entry;
    private final LocalClient localClient = new LocalClient(0, false);
    private final ErrorStats errorStats = new ErrorStats();
    private final long startTimeMs = System.currentTimeMillis();
    private long rehashBudgetNs = 1_000_000;

    public KeelEngine(final EngineSettings settings)
    {
        this.settings = settings.conclude();
        this.memory = new PageMemory(settings.pageSizeBytes, Long.MAX_VALUE);
        this.keyspace = new Keyspace(memory, settings.databases, settings.seed);
        this.lazyFree = new LazyFree(memory);
        keyspace.valueReleaser(lazyFree);
        this.eviction = new Eviction(keyspace);
        this.snapshots = new SnapshotControl(keyspace, settings.snapshotAgentThread, settings.snapshotIdleStrategy,
            settings.snapshotPagesPerStep, settings.loadPrefaultThread);
        this.snapshots.formatCheck(OlderSnapshotFormats::refusal);
        this.commandTable = new CommandTable();
        this.entry = new EntryFlyweight(memory);
        applySettings();
        this.aof = new AofControl(memory, settings.aofSyncIdleStrategy);
        Commands.bindAll(commandTable, keyspace, eviction, snapshots);
        AofCommands.bind(commandTable, aof); // the AOF's own commands: command knows nothing of the AOF
        this.dispatcher = new Dispatcher(keyspace, commandTable, eviction, snapshots, limits); // after the binding
        // the AOF hears every change: the dispatcher's commands, and the keys the keyspace removes itself;
        // it appends nothing until a file is opened (appendonly yes)
        dispatcher.propagator(aof);
        // the keys the keyspace removes itself are logged as DELs, then touched for WATCH, as Redis's
        // deleteExpiredKeyAndPropagate does both
        keyspace.listener(KeyspaceListener.both(aof, dispatcher.watches()));
    }

    public KeelEngine()
    {
        this(new EngineSettings());
    }

    /** Re-read mutable settings (after CONFIG SET maxmemory*, lfu-*, proto-max-bulk-len). */
    public void applySettings()
    {
        keyspace.lfuPolicy(settings.maxMemoryPolicy.isLfu(), settings.lfuLogFactor, settings.lfuDecayTimeMinutes);
        eviction.configure(settings.maxMemoryBytes, settings.maxMemoryPolicy, settings.maxMemorySamples);
        limits.protoMaxBulkLen = settings.protoMaxBulkLen;
        limits.queryBufferLimit = settings.queryBufferLimit;
        limits.hashMaxListpackEntries = settings.hashMaxListpackEntries;
        limits.hashMaxListpackValue = settings.hashMaxListpackValue;
        limits.setMaxIntsetEntries = settings.setMaxIntsetEntries;
        limits.listMaxListpackSize = settings.listMaxListpackSize;
        limits.zsetMaxListpackEntries = settings.zsetMaxListpackEntries;
        limits.zsetMaxListpackValue = settings.zsetMaxListpackValue;
    }

    /** INFO lazyfree_pending_objects and lazyfreed_objects. */
    public LazyFree lazyFree()
    {
        return lazyFree;
    }

    public EngineSettings settings()
    {
        return settings;
    }

    public PageMemory memory()
    {
        return memory;
    }

    public Keyspace keyspace()
    {
        return keyspace;
    }

    public Eviction eviction()
    {
        return eviction;
    }

    /** The append-only file: appending, syncing, and their INFO figures. */
    public AofControl aof()
    {
        return aof;
    }

    /**
     * Embedded use: turn the AOF on over {@code dir} (Redis 7.0's layout, file names from {@code prefix}). An
     * AOF there is loaded into this engine, which must be empty; without one, a new directory is made whose
     * base is the data as it is now (a snapshot). From then on every change, through commands or this typed
     * API, is appended; under {@code appendfsync always} ({@link AofControl#policy}) a typed write returns once
     * it is durable. Call {@link #cron} regularly, as the server does, and {@link #close} at the end.
     *
     * @return what was loaded, or null when the directory was created.
     * @throws IOException naming the file and the offset when the AOF there cannot be loaded.
     */
    public AofDirectory.Loaded openAof(final Path dir, final String prefix, final boolean loadTruncated)
        throws IOException
    {
        final AofDirectory directory = new AofDirectory(dir, prefix);
        final java.util.Optional<AofManifest> found = directory.find();
        AofDirectory.Loaded loaded = null;
        AofManifest manifest;
        if (found.isPresent() && !found.get().hasNothingToLoad())
        {
            manifest = found.get();
            loaded = directory.load(manifest, snapshots, dispatcher, settings.protoMaxBulkLen, loadTruncated, warning -> { });
        }
        else
        {
            manifest = directory.create(snapshots, null);
        }
        directory.startAppending(manifest, loaded == null ? 0 : loaded.lastIncrLength, aof);
        return loaded;
    }

    /** Snapshots: the file, SAVE, BGSAVE, save points, loading, and their INFO figures. */
    public SnapshotControl snapshots()
    {
        return snapshots;
    }

    public CommandTable commandTable()
    {
        return commandTable;
    }

    public Dispatcher dispatcher()
    {
        return dispatcher;
    }

    /** The clients blocked on keys (BLPOP ...): the server times them out and resumes them. */
    public io.keelkv.engine.command.BlockingKeys blocking()
    {
        return dispatcher.blocking();
    }

    /** Error replies by code, shared by every client's reply writer (INFO errorstats). */
    public ErrorStats errorStats()
    {
        return errorStats;
    }

    public long startTimeMs()
    {
        return startTimeMs;
    }

    /**
     * Write a snapshot of the whole dataset to {@code file}, now, on this thread (see
     * {@link SnapshotControl#save(Path)}).
     *
     * @throws SnapshotException naming the step that failed.
     */
    public SnapshotWriter.Result save(final Path file) throws SnapshotException
    {
        return snapshots.save(file);
    }

    /**
     * Load a snapshot into this engine, which must hold no keys: pages are restored under their numbers, no
     * key is re-inserted. All or nothing.
     *
     * @throws SnapshotException naming the file, the offset and the reason.
     */
    public SnapshotReader.Result load(final Path file) throws SnapshotException
    {
        return snapshots.load(file);
    }

    /**
     * Periodic work, called {@code hz} times a second by the owner thread: active expiry within its budget,
     * incremental rehash, shrinking sparse tables, and the snapshot's duties (its end, save points). Each step
     * is bounded.
     */
    public int cron(final int hz)
    {
        final long nowMs = System.currentTimeMillis();
        keyspace.nowMs(nowMs);
        int work = keyspace.activeExpireCycle(1_000_000_000L / Math.max(hz, 1) * settings.activeExpireBudgetPercent / 100);
        final long deadline = System.nanoTime() + rehashBudgetNs;
        for (int i = 0; i < keyspace.databaseCount(); i++)
        {
            final Database db = keyspace.database(i);
            db.shrinkIfNeeded();
            while (db.isResizing() && System.nanoTime() - deadline < 0 && db.resizeStep(100))
            {
                work++;
            }
        }
        // big collections dropped since the last tick, a bounded number of blocks at a time (see LazyFree)
        final long freeDeadline = System.nanoTime() + rehashBudgetNs;
        while (System.nanoTime() - freeDeadline < 0 && lazyFree.step(LAZY_FREE_BLOCKS_PER_STEP))
        {
            work++;
        }
        work += snapshots.poll(nowMs);
        work += aof.cron();
        return work;
    }

    /** Run one request as the embedded local client (tests, embedded RESP use). */
    public void execute(final Args args, final RespWriter out)
    {
        dispatcher.execute(args, out, localClient);
        // the AOF copies a pass's commands into its file at the end of the pass; an embedded call is its own pass
        aof.afterPass();
    }

    // ------------------------------------------------------------------------------------------------
    // typed API (database 0 unless given)

    public Status set(final byte[] key, final byte[] value)
    {
        return set(0, key, value, -1);
    }

    /** SET with an optional absolute expiry ({@code expireAtMs < 0}: none). */
    public Status set(final int db, final byte[] key, final byte[] value, final long expireAtMs)
    {
        keyspace.nowMs(System.currentTimeMillis());
        if (aof.writeRefusal() != null)
        {
            return Status.MISCONF;
        }
        if (!eviction.freeMemoryIfNeeded())
        {
            return Status.OOM;
        }
        final Database database = keyspace.database(db);
        keyspace.lookupWrite(database, key, BYTE_ARRAY_BASE, key.length);
        final long e = Strings.set(keyspace, database, key, BYTE_ARRAY_BASE, key.length, value, BYTE_ARRAY_BASE,
            value.length, expireAtMs, false, entry);
        if (e == NULL_HANDLE)
        {
            return Status.OOM;
        }
        keyspace.addDirty(1);
        aof.propagateSet(db, key, BYTE_ARRAY_BASE, key.length, value, BYTE_ARRAY_BASE, value.length, expireAtMs);
        aof.awaitDurable();
        return Status.OK;
    }

    public byte[] get(final byte[] key)
    {
        return get(0, key);
    }

    /** @return the value, or null when the key is missing; throws nothing: a non-string value gives null. */
    public byte[] get(final int db, final byte[] key)
    {
        keyspace.nowMs(System.currentTimeMillis());
        final long e = keyspace.lookupRead(keyspace.database(db), key, BYTE_ARRAY_BASE, key.length);
        if (e == NULL_HANDLE || entry.wrap(e).type() != ObjectType.STRING)
        {
            return null;
        }
        return entry.valueBytes();
    }

    /**
     * Allocation-free GET: copies the value into {@code dst} at {@code dstOffset}.
     *
     * @return the value length, {@code -1} when missing, {@code -2} when not a string; when the length is
     * larger than the room in dst nothing is copied and the caller may retry with a bigger buffer.
     */
    public int get(final int db, final org.agrona.DirectBuffer key, final int keyOffset, final int keyLength,
        final org.agrona.MutableDirectBuffer dst, final int dstOffset)
    {
        // the ranges go to raw copies below: a negative offset or length would read or write outside them
        key.boundsCheck(keyOffset, keyLength);
        dst.boundsCheck(dstOffset, 0);
        keyspace.nowMs(System.currentTimeMillis());
        final long e = keyspace.lookupRead(keyspace.database(db), key.byteArray(), key.addressOffset() + keyOffset, keyLength);
        if (e == NULL_HANDLE)
        {
            return -1;
        }
        entry.wrap(e);
        if (entry.type() != ObjectType.STRING)
        {
            return -2;
        }
        final int length = entry.valueLength();
        if (length <= dst.capacity() - dstOffset)
        {
            UnsafeApi.copyMemory(null, entry.valueAddress(), dst.byteArray(), dst.addressOffset() + dstOffset, length);
        }
        return length;
    }

    /** Allocation-free SET of a key and value held in Agrona buffers. */
    public Status set(final int db, final org.agrona.DirectBuffer key, final int keyOffset, final int keyLength,
        final org.agrona.DirectBuffer value, final int valueOffset, final int valueLength)
    {
        // the ranges go to raw copies: outside them a read could fault, a negative length size an entry wrong
        key.boundsCheck(keyOffset, keyLength);
        value.boundsCheck(valueOffset, valueLength);
        keyspace.nowMs(System.currentTimeMillis());
        if (aof.writeRefusal() != null)
        {
            return Status.MISCONF;
        }
        if (!eviction.freeMemoryIfNeeded())
        {
            return Status.OOM;
        }
        final Database database = keyspace.database(db);
        final Object kb = key.byteArray();
        final long ka = key.addressOffset() + keyOffset;
        keyspace.lookupWrite(database, kb, ka, keyLength);
        final long e = Strings.set(keyspace, database, kb, ka, keyLength, value.byteArray(),
            value.addressOffset() + valueOffset, valueLength, -1, false, entry);
        if (e == NULL_HANDLE)
        {
            return Status.OOM;
        }
        keyspace.addDirty(1);
        aof.propagateSet(db, kb, ka, keyLength, value.byteArray(), value.addressOffset() + valueOffset, valueLength, -1);
        aof.awaitDurable();
        return Status.OK;
    }

    /**
     * @return true when the key existed and was deleted.
     * @throws IllegalStateException when writes are refused (the AOF cannot write or sync): nothing deleted.
     */
    public boolean delete(final byte[] key)
    {
        keyspace.nowMs(System.currentTimeMillis());
        if (aof.writeRefusal() != null)
        {
            throw new IllegalStateException(aof.writeRefusal());
        }
        final boolean deleted = keyspace.delete(keyspace.database(0), key, BYTE_ARRAY_BASE, key.length);
        if (deleted)
        {
            keyspace.addDirty(1);
            aof.propagateDel(0, key, BYTE_ARRAY_BASE, key.length);
            aof.awaitDurable();
        }
        return deleted;
    }

    /**
     * Set a relative TTL. @return NOT_FOUND when the key does not exist, OVERFLOW when the deadline is past
     * Long.MAX_VALUE ms (PEXPIRE's "invalid expire time"; the sum once wrapped negative, which reads as "no
     * TTL", and made the key persistent).
     */
    public Status expire(final byte[] key, final long ttlMs)
    {
        keyspace.nowMs(System.currentTimeMillis());
        if (ttlMs > Long.MAX_VALUE - keyspace.nowMs())
        {
            return Status.OVERFLOW;
        }
        if (aof.writeRefusal() != null)
        {
            return Status.MISCONF;
        }
        final Database db = keyspace.database(0);
        if (keyspace.lookupWrite(db, key, BYTE_ARRAY_BASE, key.length) == NULL_HANDLE)
        {
            return Status.NOT_FOUND;
        }
        final long at = keyspace.nowMs() + ttlMs;
        if (ttlMs <= 0)
        {
            keyspace.deleteFound(db);
            aof.propagateDel(0, key, BYTE_ARRAY_BASE, key.length);
        }
        else if (keyspace.setExpire(db, at) == NULL_HANDLE)
        {
            return Status.OOM;
        }
        else
        {
            aof.propagatePexpireAt(0, key, BYTE_ARRAY_BASE, key.length, at);
        }
        keyspace.addDirty(1);
        aof.awaitDurable();
        return Status.OK;
    }

    /** @return remaining TTL in ms, -1 without TTL, -2 when missing (as PTTL). */
    public long ttlMs(final byte[] key)
    {
        keyspace.nowMs(System.currentTimeMillis());
        final long e = keyspace.lookupNoTouch(keyspace.database(0), key, BYTE_ARRAY_BASE, key.length);
        if (e == NULL_HANDLE)
        {
            return -2;
        }
        final long at = entry.wrap(e).expireAt();
        return at < 0 ? -1 : Math.max(0, at - keyspace.nowMs());
    }

    public long dbSize(final int db)
    {
        return keyspace.database(db).size();
    }

    @Override
    public void close()
    {
        aof.close();
        snapshots.close();
        keyspace.flushAll();
        memory.close();
    }
}
