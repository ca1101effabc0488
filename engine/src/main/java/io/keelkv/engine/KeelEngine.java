package io.keelkv.engine;

import io.keelkv.engine.command.CommandTable;
import io.keelkv.engine.command.Commands;
import io.keelkv.engine.command.Dispatcher;
import io.keelkv.engine.command.LocalClient;
import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.ErrorStats;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.snapshot.LivePageSource;
import io.keelkv.engine.snapshot.SnapshotException;
import io.keelkv.engine.snapshot.SnapshotImage;
import io.keelkv.engine.snapshot.SnapshotListener;
import io.keelkv.engine.snapshot.SnapshotReader;
import io.keelkv.engine.snapshot.SnapshotWriter;
import io.keelkv.engine.types.ObjectType;
import io.keelkv.engine.types.Strings;
import org.agrona.UnsafeApi;

import java.nio.file.Path;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * The engine as a library: page memory, keyspace, command table and dispatcher, plus a typed Java API
 * for in-process users. Not thread-safe by design: one thread owns an engine (DESIGN.md, "Threads").
 * The server drives it from its event loop; an embedding application calls it from its own thread.
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
    private final CommandTable commandTable;
    private final Dispatcher dispatcher;
    private final EntryFlyweight entry;
    private final LocalClient localClient = new LocalClient(0, false);
    private final ErrorStats errorStats = new ErrorStats();
    private final long startTimeMs = System.currentTimeMillis();

    private long dirtyAtLastSave;
    private long lastSaveTimeSec = System.currentTimeMillis() / 1000;
    private Path snapshotFile;
    private SnapshotListener snapshotListener = SnapshotListener.NONE;
    private SnapshotImage snapshotImage;
    private SnapshotWriter snapshotWriter;
    private SnapshotReader snapshotReader;
    private long snapshotSaves;
    private boolean lastBackgroundSaveOk = true;
    private long lastLoadKeys;
    private long overheadBytes;
    private long rehashBudgetNs = 1_000_000;

    public KeelEngine(final EngineSettings settings)
    {
        this.settings = settings.conclude();
        this.memory = new PageMemory(settings.pageSizeBytes, Long.MAX_VALUE);
        this.keyspace = new Keyspace(memory, settings.databases, settings.seed);
        this.commandTable = new CommandTable();
        this.entry = new EntryFlyweight(memory);
        applySettings();
        this.dispatcher = new Dispatcher(this);
        Commands.bindAll(this, commandTable);
    }

    public KeelEngine()
    {
        this(new EngineSettings());
    }

    /** Re-read mutable settings (after CONFIG SET maxmemory-policy, lfu-*). */
    public void applySettings()
    {
        keyspace.lfuPolicy(settings.maxMemoryPolicy.isLfu(), settings.lfuLogFactor, settings.lfuDecayTimeMinutes);
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

    public CommandTable commandTable()
    {
        return commandTable;
    }

    public Dispatcher dispatcher()
    {
        return dispatcher;
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

    public long dirty()
    {
        return keyspace.dirty() - dirtyAtLastSave;
    }

    public void addDirty(final long changes)
    {
        keyspace.addDirty(changes);
    }

    public long lastSaveTimeSec()
    {
        return lastSaveTimeSec;
    }

    public void lastSaveTimeSec(final long seconds)
    {
        lastSaveTimeSec = seconds;
    }

    // ------------------------------------------------------------------------------------------------
    // snapshots (the foreground part: SAVE, loading; see io.keelkv.engine.snapshot)

    /**
     * Write a snapshot of the whole dataset to {@code file}, now, on this thread (Redis's SAVE and the save
     * before SHUTDOWN): the instant is taken and every page written before this returns, so nothing changes
     * underneath. On success the changes-since-last-save count is reset and LASTSAVE moves; on failure the
     * previous file is left as it was and nothing here changes.
     *
     * @param file the snapshot file; its directory must exist.
     * @return what was written.
     * @throws SnapshotException naming the step that failed.
     */
    public SnapshotWriter.Result save(final Path file) throws SnapshotException
    {
        if (snapshotWriter == null)
        {
            snapshotWriter = new SnapshotWriter(memory.pageSizeBytes());
            snapshotImage = new SnapshotImage();
        }
        snapshotImage.capture(keyspace);
        final SnapshotWriter.Result result = snapshotWriter.save(snapshotImage, new LivePageSource(memory), file);
        dirtyAtLastSave = keyspace.dirty();
        lastSaveTimeSec = System.currentTimeMillis() / 1000;
        // a successful save clears the error state a failed background save left, as rdbSave does
        lastBackgroundSaveOk = true;
        return result;
    }

    /**
     * Load a snapshot into this engine, which must hold no keys (at start, or after a flush): pages are
     * restored under their numbers, then the roots; no key is re-inserted. All or nothing: when the file is
     * refused the engine stays empty.
     *
     * @param file the snapshot file.
     * @return what was restored.
     * @throws SnapshotException naming the file, the offset and the reason.
     */
    public SnapshotReader.Result load(final Path file) throws SnapshotException
    {
        if (snapshotReader == null)
        {
            snapshotReader = new SnapshotReader(memory);
        }
        final SnapshotReader.Result result = snapshotReader.load(file, keyspace);
        dirtyAtLastSave = keyspace.dirty();
        lastLoadKeys = result.keys;
        return result;
    }

    /** The file SAVE and DEBUG RELOAD use (the server's dir/dbfilename), or null when none is set. */
    public Path snapshotFile()
    {
        return snapshotFile;
    }

    public void snapshotFile(final Path file)
    {
        this.snapshotFile = file;
    }

    public SnapshotListener snapshotListener()
    {
        return snapshotListener;
    }

    public void snapshotListener(final SnapshotListener listener)
    {
        this.snapshotListener = listener == null ? SnapshotListener.NONE : listener;
    }

    /** SAVE commands run, failed ones included (INFO rdb_saves, as Redis's stat_rdb_saves). */
    public long snapshotSaves()
    {
        return snapshotSaves;
    }

    public void countSnapshotSave()
    {
        snapshotSaves++;
    }

    /** INFO rdb_last_bgsave_status: ok until a background save fails (none exists yet); a SAVE that succeeds sets it ok. */
    public boolean lastBackgroundSaveOk()
    {
        return lastBackgroundSaveOk;
    }

    /** Keys restored by the last load (INFO rdb_last_load_keys_loaded). */
    public long lastLoadKeys()
    {
        return lastLoadKeys;
    }

    /**
     * Bytes counted against maxmemory: blocks handed out by the allocator (size-class rounding included)
     * plus the {@link #overheadBytes(long) overhead} the owner reports. Not the pages in use: evicting a key
     * frees its block but rarely a whole page, so a measure of pages would evict far more than needed.
     */
    public long usedMemoryForEviction()
    {
        return memory.allocatedBytes() + overheadBytes;
    }

    /**
     * Memory outside the pages that counts against maxmemory too, as Redis counts its client buffers and
     * its own structures: the server samples its Java heap in use and its clients' buffers into this.
     * Eviction treats it as a constant, since evicting keys does not shrink it. 0 for embedded use.
     */
    public void overheadBytes(final long bytes)
    {
        this.overheadBytes = Math.max(0, bytes);
    }

    /**
     * Evict until under maxmemory, as Redis's performEvictions. @return false when still over the limit
     * and nothing more can be evicted (the caller refuses write commands that may grow memory).
     */
    public boolean freeMemoryIfNeeded()
    {
        final long max = settings.maxMemoryBytes;
        if (max <= 0)
        {
            return true;
        }
        while (usedMemoryForEviction() > max)
        {
            if (!keyspace.evictOne(settings.maxMemoryPolicy, settings.maxMemorySamples))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Periodic work, called {@code hz} times a second by the owner thread: active expiry within its
     * budget, incremental rehash, shrinking sparse tables. Each step is bounded.
     */
    public int cron(final int hz)
    {
        keyspace.nowMs(System.currentTimeMillis());
        int work = keyspace.activeExpireCycle(1_000_000_000L / Math.max(hz, 1) * settings.activeExpireBudgetPercent / 100);
        final long deadline = System.nanoTime() + rehashBudgetNs;
        for (int i = 0; i < keyspace.databaseCount(); i++)
        {
            final Database db = keyspace.database(i);
            db.shrinkIfNeeded();
            while (db.isResizing() && System.nanoTime() - deadline < 0)
            {
                db.resizeStep(100);
                work++;
            }
        }
        return work;
    }

    /** Run one request as the embedded local client (tests, embedded RESP use). */
    public void execute(final Args args, final RespWriter out)
    {
        dispatcher.execute(args, out, localClient);
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
        if (!freeMemoryIfNeeded())
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
        if (!freeMemoryIfNeeded())
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
        return Status.OK;
    }

    public boolean delete(final byte[] key)
    {
        keyspace.nowMs(System.currentTimeMillis());
        final boolean deleted = keyspace.delete(keyspace.database(0), key, BYTE_ARRAY_BASE, key.length);
        if (deleted)
        {
            keyspace.addDirty(1);
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
        final Database db = keyspace.database(0);
        if (keyspace.lookupWrite(db, key, BYTE_ARRAY_BASE, key.length) == NULL_HANDLE)
        {
            return Status.NOT_FOUND;
        }
        final long at = keyspace.nowMs() + ttlMs;
        if (ttlMs <= 0)
        {
            keyspace.deleteFound(db);
        }
        else if (keyspace.setExpire(db, at) == NULL_HANDLE)
        {
            return Status.OOM;
        }
        keyspace.addDirty(1);
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
        keyspace.flushAll();
        memory.close();
    }
}
