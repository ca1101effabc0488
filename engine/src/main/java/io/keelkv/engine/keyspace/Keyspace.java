package io.keelkv.engine.keyspace;

import io.keelkv.engine.memory.PageMemory;

import java.util.SplittableRandom;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * All databases over one {@link PageMemory}: lookups with Redis's lazy expiry and access clock, entry
 * creation and relocation, TTLs, active expiry and sampled eviction.
 *
 * <p>Single writer: only the thread that owns the engine calls this. Every operation that changes an
 * entry follows a lookup on the same database (the "found" protocol of {@link Database}); nothing in
 * between may touch that database.
 *
 * <p>Expiry follows Redis: a key is logically gone once its deadline passed; a read or write that
 * meets such a key deletes it (lazy), and {@link #activeExpireCycle(long)} samples keys with a TTL
 * and deletes expired ones, repeating while more than 10% of a sample was stale, within a time budget.
 */
public final class Keyspace
{
    public static final int LFU_INIT_VAL = 5;
    private static final int ACTIVE_EXPIRE_KEYS_PER_LOOP = 20;
    private static final int ACTIVE_EXPIRE_ACCEPTABLE_STALE = 10;

    private final PageMemory memory;
    private final Database[] databases;
    private final EntryFlyweight entry;
    private final EntryFlyweight moved;
    private final Database.EntryVisitor clearVisitor = this::releaseIfOwning;
    private ValueReleaser releaser = ValueReleaser.NONE;
    private final SplittableRandom random;
    private KeyspaceListener listener = KeyspaceListener.NONE;
    private KeyReadyListener keyReady;

    private long nowMs = System.currentTimeMillis();
    private boolean nowStale;
    private boolean lfu;
    private int lfuLogFactor = 10;
    private int lfuDecayTimeMinutes = 1;
    private boolean touchClock = true;
    private long dirty;

    // statistics, named as INFO stats names them
    private long expiredKeys;
    private long evictedKeys;
    private long keyspaceHits;
    private long keyspaceMisses;
    private long expiredTimeCapReachedCount;
    private double expiredStalePercent;

    private int activeExpireDb;

    public Keyspace(final PageMemory memory, final int databaseCount, final long seed)
    {
        this.memory = memory;
        this.databases = new Database[databaseCount];
        for (int i = 0; i < databaseCount; i++)
        {
            databases[i] = new Database(i, memory);
        }
        this.entry = new EntryFlyweight(memory);
        this.moved = new EntryFlyweight(memory);
        this.random = new SplittableRandom(seed);
    }

    public PageMemory memory()
    {
        return memory;
    }

    public int databaseCount()
    {
        return databases.length;
    }

    public Database database(final int index)
    {
        return databases[index];
    }

    /** Who hears of keys that may serve blocked clients; null (the default) while no client is blocked. */
    public void keyReadyListener(final KeyReadyListener listener)
    {
        this.keyReady = listener;
    }

    public void listener(final KeyspaceListener listener)
    {
        this.listener = listener == null ? KeyspaceListener.NONE : listener;
    }

    public SplittableRandom random()
    {
        return random;
    }

    /**
     * The time commands see: read from the wall clock at most once per command, at its first use, and the same
     * for the rest of it (Redis caches mstime per call the same way). Reading it at the first use rather than
     * at the start is never earlier than the command's start, and most commands never use it (a key without a
     * TTL needs no time): a clock read is ~20 ns here, 9% of the loop under pipelined RPUSH
     * (native-notes/event-loop.md).
     */
    public long nowMs()
    {
        if (nowStale)
        {
            nowMs = System.currentTimeMillis();
            nowStale = false;
        }
        return nowMs;
    }

    /** Set the time commands see (the cron, the typed API, a served blocked client). */
    public void nowMs(final long nowMs)
    {
        this.nowMs = nowMs;
        this.nowStale = false;
    }

    /**
     * A command starts: its first {@link #nowMs()} reads the wall clock. The access clocks (LRU seconds, LFU
     * minutes) keep the last time read, refreshed at least at each cron tick, as Redis's lruclock is (its
     * resolution is a second).
     */
    public void commandStarts()
    {
        nowStale = true;
    }

    public void lfuPolicy(final boolean lfu, final int logFactor, final int decayTimeMinutes)
    {
        this.lfu = lfu;
        this.lfuLogFactor = logFactor;
        this.lfuDecayTimeMinutes = decayTimeMinutes;
    }

    public boolean isLfu()
    {
        return lfu;
    }

    /**
     * A snapshot started or ended. While it runs reads write nothing (no access-clock updates) and resizing
     * pauses (see Database), so that only real changes copy pages.
     */
    public void snapshotRunning(final boolean running)
    {
        this.touchClock = !running;
        for (final Database db : databases)
        {
            db.snapshotRunning(running);
        }
    }

    /**
     * Changes to the dataset since this keyspace was made, as Redis's server.dirty but never reset: what was
     * saved is remembered as a position in it (see the snapshot control), so "changes since the last save" is
     * a difference and a background save that ends can subtract only what it covered.
     */
    public long dirty()
    {
        return dirty;
    }

    public void addDirty(final long changes)
    {
        dirty += changes;
    }

    public long expiredKeys()
    {
        return expiredKeys;
    }

    public long evictedKeys()
    {
        return evictedKeys;
    }

    public long keyspaceHits()
    {
        return keyspaceHits;
    }

    public long keyspaceMisses()
    {
        return keyspaceMisses;
    }

    public long expiredTimeCapReachedCount()
    {
        return expiredTimeCapReachedCount;
    }

    public double expiredStalePercent()
    {
        return expiredStalePercent;
    }

    public void resetStats()
    {
        expiredKeys = 0;
        evictedKeys = 0;
        keyspaceHits = 0;
        keyspaceMisses = 0;
        expiredTimeCapReachedCount = 0;
        expiredStalePercent = 0;
    }

    public long totalKeys()
    {
        long total = 0;
        for (final Database db : databases)
        {
            total += db.size();
        }
        return total;
    }

    // ------------------------------------------------------------------------------------------------
    // lookups

    /** Lookup for a read command: lazy expiry, access clock, hit/miss statistics. */
    public long lookupRead(final Database db, final Object base, final long address, final int length)
    {
        final long e = lookup(db, base, address, length, true);
        if (e == NULL_HANDLE)
        {
            keyspaceMisses++;
        }
        else
        {
            keyspaceHits++;
        }
        return e;
    }

    /** Lookup for a write command: lazy expiry and access clock, no hit/miss statistics. */
    public long lookupWrite(final Database db, final Object base, final long address, final int length)
    {
        return lookup(db, base, address, length, true);
    }

    /** Lookup that leaves the access clock alone (TYPE, TTL, OBJECT, SCAN filters). */
    public long lookupNoTouch(final Database db, final Object base, final long address, final int length)
    {
        return lookup(db, base, address, length, false);
    }

    private long lookup(final Database db, final Object base, final long address, final int length, final boolean touch)
    {
        final long e = db.find(base, address, length);
        if (e == NULL_HANDLE)
        {
            return NULL_HANDLE;
        }
        entry.wrap(e);
        if (entry.hasExpire() && entry.expireAt() <= nowMs())
        {
            expireFound(db);
            return NULL_HANDLE;
        }
        if (touch && touchClock)
        {
            entry.clock(lfu ? lfuTouch(entry.clock()) : lruClock());
        }
        return e;
    }

    /** True if the entry's deadline has passed (without deleting it: KEYS and SCAN filters). */
    public boolean isExpired(final long entryHandle)
    {
        entry.wrap(entryHandle);
        return entry.hasExpire() && entry.expireAt() <= nowMs();
    }

    private void expireFound(final Database db)
    {
        listener.onExpired(db, db.foundEntry());
        deleteFound(db);
        expiredKeys++;
    }

    // ------------------------------------------------------------------------------------------------
    // mutation, after a lookup on the same database

    /**
     * Create an entry for a key that was just looked up and missed. The value bytes are left for the
     * caller to write. @return the entry handle, or NULL_HANDLE when memory is exhausted.
     */
    public long addEntry(
        final Database db,
        final Object keyBase,
        final long keyAddress,
        final int keyLength,
        final int type,
        final int encoding,
        final long valueLength,
        final long expireAtMs)
    {
        checkValueLength(valueLength);
        final boolean hasExpire = expireAtMs >= 0;
        final long length = EntryDescriptor.entryLength(hasExpire, keyLength, valueLength);
        final long e = memory.allocate(length, false);
        if (e == NULL_HANDLE)
        {
            return NULL_HANDLE;
        }
        entry.wrapNew(e);
        entry.meta(type, encoding, hasExpire, lfu ? lfuInit() : lruClock());
        entry.lengths(keyLength, (int)valueLength);
        if (hasExpire)
        {
            entry.expireAt(expireAtMs);
            final int slot = db.addVolatile(e);
            if (slot < 0)
            {
                memory.free(e, length);
                return NULL_HANDLE;
            }
            entry.volatileSlot(slot);
        }
        memory.putBytes(entry.keyHandle(), keyBase, keyAddress, keyLength);
        db.insertAfterMiss(e);
        if (keyReady != null)
        {
            keyReady.keyAdded(db.id(), keyBase, keyAddress, keyLength);
        }
        return e;
    }

    /**
     * Give the found entry room for a value of {@code newValueLength} bytes, keeping key, type, clock and
     * TTL. The first {@code keepValueBytes} bytes of the old value are kept. The entry moves only when its
     * block size changes. @return the (possibly new) handle, or NULL_HANDLE when memory is exhausted (the
     * old entry is then untouched).
     */
    public long resizeValue(final Database db, final long newValueLength, final long keepValueBytes)
    {
        checkValueLength(newValueLength);
        final long old = db.foundEntry();
        entry.wrap(old);
        final boolean hasExpire = entry.hasExpire();
        final int keyLength = entry.keyLength();
        final long oldLength = entry.length();
        final long newLength = EntryDescriptor.entryLength(hasExpire, keyLength, newValueLength);
        if (memory.blockBytes(newLength) == memory.blockBytes(oldLength))
        {
            entry.valueLength((int)newValueLength);
            return old;
        }
        final long e = memory.allocate(newLength, false);
        if (e == NULL_HANDLE)
        {
            return NULL_HANDLE;
        }
        final long keep = Math.min(Math.min(keepValueBytes, entry.valueLength()), newValueLength);
        memory.copy(e, old, entry.headerLength() + keyLength + keep);
        moved.wrapNew(e).valueLength((int)newValueLength);
        if (hasExpire)
        {
            db.updateVolatile(moved.volatileSlot(), e);
        }
        db.relinkFound(e);
        memory.free(old, oldLength);
        return e;
    }

    /**
     * The last line of defence for page memory: a value length the int field cannot hold, or a negative one
     * (a wrapped sum), would size the block one way and the entry another, and the writes after it would
     * land outside the block. Commands refuse such lengths with Redis's error before they get here.
     */
    private static void checkValueLength(final long valueLength)
    {
        if (valueLength < 0 || valueLength > EntryDescriptor.MAX_VALUE_LENGTH)
        {
            throw new IllegalArgumentException("value length out of range: " + valueLength);
        }
    }

    /**
     * Set ({@code expireAtMs >= 0}) or remove ({@code -1}) the found entry's TTL. Moves the entry when it
     * gains or loses its expire fields. @return the (possibly new) handle, or NULL_HANDLE on OOM.
     */
    public long setExpire(final Database db, final long expireAtMs)
    {
        final long old = db.foundEntry();
        entry.wrap(old);
        final boolean had = entry.hasExpire();
        final boolean wants = expireAtMs >= 0;
        if (had && wants)
        {
            entry.expireAt(expireAtMs);
            return old;
        }
        if (!had && !wants)
        {
            return old;
        }
        final int keyLength = entry.keyLength();
        final int valueLength = entry.valueLength();
        final long oldLength = entry.length();
        final long newLength = EntryDescriptor.entryLength(wants, keyLength, valueLength);
        final long e = memory.allocate(newLength, false);
        if (e == NULL_HANDLE)
        {
            return NULL_HANDLE;
        }
        final int meta = entry.meta();
        final int oldHeader = entry.headerLength();
        moved.wrapNew(e);
        memory.putInt(e + EntryDescriptor.META_OFFSET, wants ? meta | EntryDescriptor.EXPIRE_FLAG : meta & ~EntryDescriptor.EXPIRE_FLAG);
        moved.lengths(keyLength, valueLength);
        memory.copy(e + EntryDescriptor.headerLength(wants), old + oldHeader, (long)keyLength + valueLength);
        if (wants)
        {
            moved.expireAt(expireAtMs);
            final int slot = db.addVolatile(e);
            if (slot < 0)
            {
                memory.free(e, newLength);
                return NULL_HANDLE;
            }
            moved.volatileSlot(slot);
        }
        else
        {
            db.removeVolatile(entry.volatileSlot());
        }
        // relinkFound reads the old entry's next; unlink bookkeeping of the volatile set is done above
        db.relinkFound(e);
        memory.free(old, oldLength);
        return e;
    }

    /**
     * Releases what a collection value owns outside its entry (see {@link ObjectType#ownsBlocks}); the engine
     * sets the types layer's implementation, which may free at once or in steps later (lazy free).
     */
    public interface ValueReleaser
    {
        ValueReleaser NONE = new ValueReleaser()
        {
            @Override
            public void release(final long rootHandle)
            {
                throw new IllegalStateException("no value releaser is set for a value that owns blocks");
            }

            @Override
            public void reset()
            {
            }

            @Override
            public int pendingCount()
            {
                return 0;
            }

            @Override
            public long pendingRoot(final int index)
            {
                throw new IndexOutOfBoundsException("nothing is pending");
            }

            @Override
            public String adoptPending(final long[] roots, final int count)
            {
                return count == 0 ? null : "no value releaser is set to free " + count + " dropped collections";
            }
        };

        /**
         * A value that owns blocks is dropped: free what hangs off its root (the value's 8 bytes, see
         * {@link ObjectType#ownsBlocks}); the entry block is the caller's.
         */
        void release(long rootHandle);

        /** The page memory was reset: forget anything queued for freeing. */
        void reset();

        /**
         * Dropped values whose blocks are not all freed yet: a snapshot's instant records them, because their
         * pages go into the file and, restored, would otherwise be in use for good.
         */
        int pendingCount();

        /** The root handle of pending value {@code index}, {@code [0, pendingCount())}. */
        long pendingRoot(int index);

        /** After a load: go on freeing what the snapshot's instant had pending. @return null, or why not. */
        String adoptPending(long[] roots, int count);
    }

    public ValueReleaser valueReleaser()
    {
        return releaser;
    }

    public void valueReleaser(final ValueReleaser releaser)
    {
        this.releaser = releaser;
    }

    /** Unlink and free the found entry, and release what its value owns. */
    public void deleteFound(final Database db)
    {
        final long e = db.foundEntry();
        final long owned = ownedRoot(e);
        final long length = entry.wrap(e).length();
        db.unlinkFound();
        memory.free(e, length);
        if (owned != NULL_HANDLE)
        {
            releaser.release(owned);
        }
    }

    /** The root handle a value owns blocks through (its 8 bytes), or NULL_HANDLE for a value inside its entry. */
    public long ownedRoot(final long entryHandle)
    {
        entry.wrap(entryHandle);
        return ObjectType.ownsBlocks(entry.encoding()) ? memory.getLong(entry.valueHandle()) : NULL_HANDLE;
    }

    /**
     * Release what an overwritten value owned ({@link #ownedRoot} read before the overwrite): SET over a hash
     * calls this only once the entry holds the string, so a refused write leaves the hash whole.
     */
    public void releaseOwned(final long rootHandle)
    {
        if (rootHandle != NULL_HANDLE)
        {
            releaser.release(rootHandle);
        }
    }

    /**
     * Unlink and free the found entry whose value now belongs to another entry (RENAME and MOVE copy the entry
     * under the new key, value bytes included: a collection's root handle moves with them).
     */
    public void unlinkFoundMoved(final Database db)
    {
        final long e = db.foundEntry();
        final long length = entry.wrap(e).length();
        db.unlinkFound();
        memory.free(e, length);
    }

    /** FLUSHDB: every entry of {@code db} and its tables, with what their values own. O(keys). */
    public void clear(final Database db)
    {
        db.forEach(clearVisitor);
        db.clear();
    }

    private void releaseIfOwning(final long e)
    {
        releaseOwned(ownedRoot(e));
    }

    /** Whether a background snapshot runs: collections pause their resizing too. */
    public boolean snapshotRunning()
    {
        return !touchClock;
    }

    /** Delete a key if present (and not expired). @return true if a live key was deleted. */
    public boolean delete(final Database db, final Object base, final long address, final int length)
    {
        if (lookupWrite(db, base, address, length) == NULL_HANDLE)
        {
            return false;
        }
        deleteFound(db);
        return true;
    }

    public void flushAll()
    {
        for (final Database db : databases)
        {
            db.forgetTables(false);
        }
        releaser.reset();
        memory.reset();
    }

    /**
     * Adopt the roots of a restored page memory for databases {@code [0, count)}; the others are left empty.
     * All roots are checked before any is adopted, so a refusal leaves every database as it was (empty).
     *
     * @return null when adopted, else why not.
     */
    public String restoreRoots(final DatabaseRoots[] roots, final int count)
    {
        if (totalKeys() != 0)
        {
            return "the keyspace is not empty (" + totalKeys() + " keys)";
        }
        if (count > databases.length)
        {
            return count + " databases in the snapshot, " + databases.length + " configured";
        }
        for (int i = 0; i < count; i++)
        {
            final String problem = databases[i].checkRoots(roots[i]);
            if (problem != null)
            {
                return "database " + i + ": " + problem;
            }
        }
        for (int i = 0; i < count; i++)
        {
            databases[i].restoreRoots(roots[i]);
        }
        return null;
    }

    public void swapDatabases(final int a, final int b)
    {
        if (a != b)
        {
            databases[a].swapWith(databases[b]);
            if (keyReady != null)
            {
                keyReady.databasesSwapped(a, b);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // access clock: LRU seconds or LFU minutes+counter, as Redis's evict.c

    public int lruClock()
    {
        return (int)((nowMs / 1000) & EntryDescriptor.CLOCK_MAX);
    }

    /** Idle time in ms of an entry under LRU (OBJECT IDLETIME), handling clock wrap. */
    public long idleMs(final long entryHandle)
    {
        final int clock = entry.wrap(entryHandle).clock();
        final int now = lruClock();
        final long seconds = now >= clock ? now - clock : (EntryDescriptor.CLOCK_MAX - clock) + now;
        return seconds * 1000;
    }

    private int lfuMinutes()
    {
        return (int)((nowMs / 60000) & 0x7FFF);
    }

    private int lfuInit()
    {
        return lfuMinutes() << 8 | LFU_INIT_VAL;
    }

    /** The decayed LFU counter of an entry (OBJECT FREQ). */
    public int lfuCounter(final long entryHandle)
    {
        return lfuDecay(entry.wrap(entryHandle).clock());
    }

    private int lfuDecay(final int clock)
    {
        final int then = clock >>> 8;
        int counter = clock & 0xFF;
        final int now = lfuMinutes();
        final int elapsed = now >= then ? now - then : 0x7FFF - then + now;
        final int periods = lfuDecayTimeMinutes > 0 ? elapsed / lfuDecayTimeMinutes : 0;
        if (periods > 0)
        {
            counter = periods > counter ? 0 : counter - periods;
        }
        return counter;
    }

    private int lfuTouch(final int clock)
    {
        int counter = lfuDecay(clock);
        if (counter < 255)
        {
            final double r = random.nextDouble();
            final double baseval = Math.max(0, counter - LFU_INIT_VAL);
            final double p = 1.0 / (baseval * lfuLogFactor + 1);
            if (r < p)
            {
                counter++;
            }
        }
        return lfuMinutes() << 8 | counter;
    }

    // ------------------------------------------------------------------------------------------------
    // active expiry

    /**
     * Sample keys with a TTL and delete the expired ones, database by database, while more than 10% of
     * a sample was stale and the budget lasts. @return keys expired.
     */
    public int activeExpireCycle(final long budgetNs)
    {
        final long start = System.nanoTime();
        int expired = 0;
        long sampledTotal = 0;
        long expiredTotal = 0;
        for (int n = 0; n < databases.length; n++)
        {
            final Database db = databases[activeExpireDb];
            activeExpireDb = (activeExpireDb + 1) % databases.length;
            int stalePercent;
            do
            {
                final int volatileCount = (int)db.volatileCount();
                if (volatileCount == 0)
                {
                    break;
                }
                final int samples = Math.min(volatileCount, ACTIVE_EXPIRE_KEYS_PER_LOOP);
                int found = 0;
                for (int i = 0; i < samples && db.volatileCount() > 0; i++)
                {
                    final long e = db.volatileAt(random.nextInt((int)db.volatileCount()));
                    entry.wrap(e);
                    if (entry.expireAt() <= nowMs())
                    {
                        db.find(null, entry.keyAddress(), entry.keyLength());
                        expireFound(db);
                        found++;
                    }
                }
                expired += found;
                sampledTotal += samples;
                expiredTotal += found;
                stalePercent = found * 100 / samples;
                if (System.nanoTime() - start > budgetNs)
                {
                    expiredTimeCapReachedCount++;
                    updateStale(sampledTotal, expiredTotal);
                    return expired;
                }
            }
            while (stalePercent > ACTIVE_EXPIRE_ACCEPTABLE_STALE);
        }
        updateStale(sampledTotal, expiredTotal);
        return expired;
    }

    private void updateStale(final long sampled, final long expired)
    {
        final double current = sampled == 0 ? 0 : (double)expired / sampled;
        expiredStalePercent = current * 0.05 + expiredStalePercent * 0.95;
    }

    // ------------------------------------------------------------------------------------------------
    // eviction

    /**
     * Evict one key according to {@code policy}, sampling {@code samples} candidates across databases.
     * @return true if a key was evicted, false if none could be (no candidates under this policy).
     */
    public boolean evictOne(final EvictionPolicy policy, final int samples)
    {
        if (policy == EvictionPolicy.NOEVICTION)
        {
            return false;
        }
        Database bestDb = null;
        long best = NULL_HANDLE;
        long bestScore = Long.MIN_VALUE;
        for (int attempt = 0; attempt < 2 && best == NULL_HANDLE; attempt++)
        {
            for (final Database db : databases)
            {
                final long candidates = policy.volatileOnly() ? db.volatileCount() : db.size();
                if (candidates == 0)
                {
                    continue;
                }
                final int n = policy.random() ? 1 : samples;
                for (int i = 0; i < n; i++)
                {
                    final long e = policy.volatileOnly() ?
                        db.volatileAt(random.nextInt((int)db.volatileCount())) : db.randomEntry(random);
                    if (e == NULL_HANDLE)
                    {
                        continue;
                    }
                    final long score = score(policy, e);
                    if (best == NULL_HANDLE || score > bestScore)
                    {
                        best = e;
                        bestDb = db;
                        bestScore = score;
                    }
                }
                if (policy.random() && best != NULL_HANDLE)
                {
                    break;
                }
            }
        }
        if (best == NULL_HANDLE)
        {
            return false;
        }
        entry.wrap(best);
        bestDb.find(null, entry.keyAddress(), entry.keyLength());
        listener.onEvicted(bestDb, best);
        deleteFound(bestDb);
        evictedKeys++;
        return true;
    }

    /** Higher is a better eviction candidate. */
    private long score(final EvictionPolicy policy, final long e)
    {
        entry.wrap(e);
        switch (policy)
        {
            case ALLKEYS_LRU:
            case VOLATILE_LRU:
                return idleMs(e);
            case ALLKEYS_LFU:
            case VOLATILE_LFU:
                return 255 - lfuDecay(entry.clock());
            case VOLATILE_TTL:
                return -entry.expireAt();
            default:
                return 0;
        }
    }
}
