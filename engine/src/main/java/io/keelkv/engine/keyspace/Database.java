package io.keelkv.engine.keyspace;

import io.keelkv.engine.memory.PageMemory;

import static io.keelkv.engine.keyspace.EntryDescriptor.NEXT_OFFSET;
import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * One of the numbered databases: a chained hash index whose bucket tables and entries all live in pages.
 *
 * <p>Design. Two tables as in Redis's dict: table 0 serves, table 1 exists only while resizing. Resizing
 * is incremental: every lookup moves one bucket (at most ten empty buckets visited) and the cron moves
 * more for a bounded time, so no command ever pays O(n). The table doubles at load factor 1 and shrinks
 * below 10% fill. Bucket tables are page memory too (a span for big tables), so a snapshot copies the
 * index with the data and restores it without rehashing.
 *
 * <p>SCAN uses Redis's reverse-binary cursor: it increments the high bits first, so a cursor on a table
 * of size 2^n visits, for every bucket it has passed, all the buckets that bucket expands to in a
 * table of 2^m (m &gt; n) and all it shrinks into. Every key present for the whole scan is returned at
 * least once, across any number of resizes.
 *
 * <p>While a snapshot runs, resizing pauses (as Redis pauses it while a child is alive): lookups and the cron
 * move no buckets and shrink nothing, and a table grows only past a load factor of
 * {@link #FORCE_RESIZE_RATIO}. Moving entries writes old table pages and chains that the snapshot still
 * needs, so each step would copy pages for nothing.
 *
 * <p>The "found" protocol: {@link #find} remembers the entry and the 8-byte word that points at it (a
 * bucket slot or the previous entry's next field) so that the caller can unlink or relocate the entry
 * without a second search. Nothing that rehashes may run between a find and the use of its result;
 * rehash steps happen only at the start of find.
 */
public final class Database
{
    private static final int MIN_TABLE_EXP = 2;
    private static final int REHASH_EMPTY_VISITS = 10;
    /** While a snapshot runs, a table grows (and rehashes) only above this load factor: Redis's dict_force_resize_ratio. */
    static final int FORCE_RESIZE_RATIO = 5;
    /** A new table this big or bigger is zeroed in steps before its rehash (see expand). */
    static final long EAGER_ZERO_BYTES = 1 << 20;
    /** Bytes of a pending table zeroed per lookup: a few microseconds, page faults included. */
    static final long PREPARE_STEP_BYTES = 32 * 1024;

    private final int id;
    private final PageMemory memory;
    private final EntryFlyweight entry;
    private final EntryFlyweight scratch;
    /** Buckets whose first entries forEach touches together before visiting them. */
    private static final int AHEAD = 16;
    private final long[] aheadHeads = new long[AHEAD];
    @SuppressWarnings("unused") // only there so that the loads are not optimised away
    private long aheadSink;
    final VolatileSet volatiles;

    private long table0 = NULL_HANDLE;
    private long table1 = NULL_HANDLE;
    private int exp0 = -1;
    private int exp1 = -1;
    private long used0;
    private long used1;
    private long rehashIndex = -1;

    // a big new table is zeroed a step at a time before its rehash starts (see expand)
    private long pendingTable = NULL_HANDLE;
    private int pendingExp = -1;
    private long pendingZeroedBytes;

    private boolean snapshotRunning;

    private long foundEntry;
    private long foundSlot;
    private long foundHash;
    private int foundTable;

    // keyspace statistics kept per database, as in INFO keyspace
    long avgTtlMs;

    public Database(final int id, final PageMemory memory)
    {
        this.id = id;
        this.memory = memory;
        this.entry = new EntryFlyweight(memory);
        this.scratch = new EntryFlyweight(memory);
        this.volatiles = new VolatileSet(memory);
    }

    public int id()
    {
        return id;
    }

    public long size()
    {
        return used0 + used1;
    }

    public long volatileCount()
    {
        return volatiles.size();
    }

    public boolean isRehashing()
    {
        return rehashIndex != -1;
    }

    /** A resize is under way: its new table is still being zeroed, or entries are moving into it. */
    public boolean isResizing()
    {
        return rehashIndex != -1 || pendingTable != NULL_HANDLE;
    }

    /** A snapshot started or ended: resizing pauses while it runs (see the class comment). */
    void snapshotRunning(final boolean running)
    {
        this.snapshotRunning = running;
    }

    /** Resize work may run now: no snapshot, or the table is so full that lookups would suffer more. */
    private boolean resizeAllowed()
    {
        return !snapshotRunning || exp0 >= 0 && (used0 >>> exp0) > FORCE_RESIZE_RATIO;
    }

    /**
     * Drop a table that is still being zeroed (its rehash has not started), so that a snapshot's instant holds
     * no half-zeroed table and does not finish the memset inside the instant. The resize starts over at the
     * next insert that finds the table full.
     */
    public void abandonPendingTable()
    {
        if (pendingTable != NULL_HANDLE)
        {
            memory.free(pendingTable, (1L << pendingExp) * 8);
            pendingTable = NULL_HANDLE;
            pendingExp = -1;
            pendingZeroedBytes = 0;
        }
    }

    /**
     * One bounded step of a resize, for the cron: zero {@link #PREPARE_STEP_BYTES} more of a pending table,
     * or move up to {@code buckets} buckets. @return true if there is more to do.
     */
    public boolean resizeStep(final int buckets)
    {
        if (!resizeAllowed())
        {
            return false;
        }
        if (pendingTable != NULL_HANDLE)
        {
            return prepareStep(PREPARE_STEP_BYTES * 4) || rehashIndex != -1;
        }
        return rehash(buckets);
    }

    public long bucketCount()
    {
        return (exp0 < 0 ? 0 : 1L << exp0) + (exp1 < 0 ? 0 : 1L << exp1);
    }

    /** Bytes of bucket tables: part of the index overhead reported by MEMORY STATS/INFO. */
    public long tableBytes()
    {
        return bucketCount() * 8;
    }

    public long foundEntry()
    {
        return foundEntry;
    }

    public long foundHash()
    {
        return foundHash;
    }

    // ------------------------------------------------------------------------------------------------
    // lookup

    private IllegalStateException cycle(final int table, final long bucket)
    {
        return new IllegalStateException("damaged keyspace: database " + id + ", a chain" +
            (table < 0 ? "" : " of bucket " + bucket + " in table " + table) + " runs past its " + (used0 + used1) +
            " keys (a cycle)");
    }

    /** @return the entry handle, or {@link PageMemory#NULL_HANDLE}; the result is remembered for unlink/relink. */
    public long find(final Object base, final long address, final int length)
    {
        final long hash = Hashing.hash(memory.hashSeed(), base, address, length);
        foundHash = hash;
        foundEntry = NULL_HANDLE;
        if (used0 + used1 == 0)
        {
            return NULL_HANDLE;
        }
        if (pendingTable != NULL_HANDLE && resizeAllowed())
        {
            prepareStep(PREPARE_STEP_BYTES);
        }
        else if (rehashIndex != -1 && resizeAllowed())
        {
            rehash(1);
        }
        for (int t = 0; t <= 1; t++)
        {
            final long table = t == 0 ? table0 : table1;
            if (table == NULL_HANDLE)
            {
                continue;
            }
            final long mask = (1L << (t == 0 ? exp0 : exp1)) - 1;
            long slot = table + ((hash & mask) << 3);
            long e = memory.getLong(slot);
            // a chain holds at most every key: a longer walk is a cycle in damaged memory (a crafted snapshot),
            // which would otherwise spin the event loop for good
            long budget = used0 + used1;
            while (e != NULL_HANDLE)
            {
                if (--budget < 0)
                {
                    throw cycle(t, hash & mask);
                }
                entry.wrap(e);
                if (entry.keyEquals(base, address, length))
                {
                    foundEntry = e;
                    foundSlot = slot;
                    foundTable = t;
                    return e;
                }
                slot = e + NEXT_OFFSET;
                e = entry.next();
            }
            if (rehashIndex == -1)
            {
                break;
            }
        }
        return NULL_HANDLE;
    }

    /**
     * A read-only hint for {@link KeyPrefetcher}: the head of the chain a key with {@code hash} would be
     * found in, without rehashing, remembering anything or comparing keys. During a rehash a key may be in
     * either table (keys added since it began are in the new one): the old table's bucket is read until it
     * has moved, then the new table's; a miss of the hint only costs the prefetch.
     *
     * @return the chain's first entry handle, or {@link PageMemory#NULL_HANDLE}.
     */
    long chainHead(final long hash)
    {
        if (table0 == NULL_HANDLE || used0 + used1 == 0)
        {
            return NULL_HANDLE;
        }
        final long index0 = hash & ((1L << exp0) - 1);
        if (rehashIndex != -1 && index0 < rehashIndex && table1 != NULL_HANDLE)
        {
            return memory.getLong(table1 + ((hash & ((1L << exp1) - 1)) << 3));
        }
        return memory.getLong(table0 + (index0 << 3));
    }

    // ------------------------------------------------------------------------------------------------
    // mutation

    /**
     * Link a new entry whose key was just looked up and missed ({@link #find} set the hash).
     *
     * @return false if the entry could not be linked (never, today: a failed table growth only raises the
     * load factor).
     */
    public boolean insertAfterMiss(final long newEntry)
    {
        expandIfNeeded();
        final int t = rehashIndex != -1 ? 1 : 0;
        final long table = t == 0 ? table0 : table1;
        final long mask = (1L << (t == 0 ? exp0 : exp1)) - 1;
        final long slot = table + ((foundHash & mask) << 3);
        entry.wrap(newEntry).next(memory.getLong(slot));
        memory.putLong(slot, newEntry);
        if (t == 0)
        {
            used0++;
        }
        else
        {
            used1++;
        }
        foundEntry = newEntry;
        foundSlot = slot;
        foundTable = t;
        return true;
    }

    /** Unlink the found entry; the caller frees its memory. */
    public void unlinkFound()
    {
        entry.wrap(foundEntry);
        memory.putLong(foundSlot, entry.next());
        if (entry.hasExpire())
        {
            volatiles.remove(entry.volatileSlot());
        }
        if (foundTable == 0)
        {
            used0--;
        }
        else
        {
            used1--;
        }
        foundEntry = NULL_HANDLE;
    }

    /** Put {@code newEntry} where the found entry was (a relocation: bigger value, TTL added or removed). */
    public void relinkFound(final long newEntry)
    {
        final long next = entry.wrap(foundEntry).next();
        entry.wrap(newEntry).next(next);
        memory.putLong(foundSlot, newEntry);
        foundEntry = newEntry;
    }

    int addVolatile(final long entryHandle)
    {
        return volatiles.add(entryHandle);
    }

    void updateVolatile(final int slot, final long entryHandle)
    {
        volatiles.update(slot, entryHandle);
    }

    void removeVolatile(final int slot)
    {
        volatiles.remove(slot);
    }

    long volatileAt(final int slot)
    {
        return volatiles.get(slot);
    }

    // ------------------------------------------------------------------------------------------------
    // sizing

    private void expandIfNeeded()
    {
        if (rehashIndex != -1 || pendingTable != NULL_HANDLE)
        {
            return;
        }
        if (table0 == NULL_HANDLE)
        {
            expand(1L << MIN_TABLE_EXP);
        }
        else if (used0 >= (1L << exp0) && resizeAllowed())
        {
            expand(used0 + 1);
        }
    }

    /**
     * Make room for {@code minSize} entries: allocates the new table and starts an incremental rehash.
     *
     * <p>A new table must be all zeros (null chain heads) before the first entry moves in, and zeroing is
     * O(size): 128 MB for the 2^24 buckets of 10M keys, 70 ms in one go, a stall of every client. So a
     * table of {@link #EAGER_ZERO_BYTES} or more is allocated uninitialised and zeroed in steps, one per
     * lookup and more from the cron, while the old table goes on serving (its load factor rises a little
     * meanwhile); only then does the rehash start. Redis gets the same effect from calloc's fresh mmap pages,
     * which a JVM cannot ask malloc for.
     */
    public boolean expand(final long minSize)
    {
        if (rehashIndex != -1 || pendingTable != NULL_HANDLE || minSize < used0)
        {
            return false;
        }
        int exp = MIN_TABLE_EXP;
        while ((1L << exp) < minSize && exp < 40)
        {
            exp++;
        }
        if (exp == exp0)
        {
            return false;
        }
        final long bytes = (1L << exp) * 8;
        final boolean stepwise = table0 != NULL_HANDLE && bytes >= EAGER_ZERO_BYTES;
        final long table = memory.allocate(bytes, !stepwise);
        if (table == NULL_HANDLE)
        {
            return false;
        }
        if (table0 == NULL_HANDLE)
        {
            table0 = table;
            exp0 = exp;
            return true;
        }
        if (stepwise)
        {
            pendingTable = table;
            pendingExp = exp;
            pendingZeroedBytes = 0;
            return true;
        }
        table1 = table;
        exp1 = exp;
        rehashIndex = 0;
        return true;
    }

    /** Zero up to {@code bytes} more of the pending table; once it is all zeros, start the rehash into it. */
    private boolean prepareStep(final long bytes)
    {
        final long size = (1L << pendingExp) * 8;
        final long length = Math.min(bytes, size - pendingZeroedBytes);
        memory.fill(pendingTable + pendingZeroedBytes, length, (byte)0);
        pendingZeroedBytes += length;
        if (pendingZeroedBytes < size)
        {
            return true;
        }
        table1 = pendingTable;
        exp1 = pendingExp;
        rehashIndex = 0;
        pendingTable = NULL_HANDLE;
        pendingExp = -1;
        pendingZeroedBytes = 0;
        return false;
    }

    /** Cron: shrink a table that fell below 10% fill, as Redis's htNeedsResize. */
    public void shrinkIfNeeded()
    {
        if (rehashIndex == -1 && pendingTable == NULL_HANDLE && exp0 > MIN_TABLE_EXP && used0 * 100 / (1L << exp0) < 10 &&
            !snapshotRunning)
        {
            expand(Math.max(used0, 1L << MIN_TABLE_EXP));
        }
    }

    /** Move up to {@code buckets} buckets to the new table. @return true if there is more to do. */
    public boolean rehash(final int buckets)
    {
        if (rehashIndex == -1)
        {
            return false;
        }
        int emptyVisits = buckets * REHASH_EMPTY_VISITS;
        int remaining = buckets;
        final long size0 = 1L << exp0;
        final long mask1 = (1L << exp1) - 1;
        while (remaining-- > 0 && used0 != 0)
        {
            long slot = table0 + (rehashIndex << 3);
            long e = memory.getLong(slot);
            while (e == NULL_HANDLE)
            {
                rehashIndex++;
                if (rehashIndex >= size0 || --emptyVisits == 0)
                {
                    return rehashIndex < size0;
                }
                slot = table0 + (rehashIndex << 3);
                e = memory.getLong(slot);
            }
            long budget = used0;
            while (e != NULL_HANDLE)
            {
                if (--budget < 0)
                {
                    throw cycle(0, rehashIndex);
                }
                scratch.wrap(e);
                final long next = scratch.next();
                final long target = table1 + ((scratch.keyHash() & mask1) << 3);
                scratch.next(memory.getLong(target));
                memory.putLong(target, e);
                used0--;
                used1++;
                e = next;
            }
            memory.putLong(slot, NULL_HANDLE);
            rehashIndex++;
        }
        if (used0 == 0)
        {
            memory.free(table0, size0 * 8);
            table0 = table1;
            exp0 = exp1;
            used0 = used1;
            table1 = NULL_HANDLE;
            exp1 = -1;
            used1 = 0;
            rehashIndex = -1;
            return false;
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------
    // iteration

    /** Receives entry handles from scans and walks; implementations are reused, never allocated per call. */
    @FunctionalInterface
    public interface EntryVisitor
    {
        void visit(long entryHandle);
    }

    /**
     * One step of SCAN: visits one bucket of the small table and every bucket it expands to in the
     * large one. @return the next cursor, 0 when the scan is complete.
     */
    public long scan(final long cursor, final EntryVisitor visitor)
    {
        if (size() == 0)
        {
            return 0;
        }
        long v = cursor;
        if (rehashIndex == -1)
        {
            final long mask0 = (1L << exp0) - 1;
            visitBucket(table0, v & mask0, visitor);
            v |= ~mask0;
            v = Long.reverse(v);
            v++;
            v = Long.reverse(v);
            return v;
        }
        long tSmall = table0;
        long tLarge = table1;
        int eSmall = exp0;
        int eLarge = exp1;
        if (eSmall > eLarge)
        {
            tSmall = table1;
            tLarge = table0;
            eSmall = exp1;
            eLarge = exp0;
        }
        final long m0 = (1L << eSmall) - 1;
        final long m1 = (1L << eLarge) - 1;
        visitBucket(tSmall, v & m0, visitor);
        do
        {
            visitBucket(tLarge, v & m1, visitor);
            v |= ~m1;
            v = Long.reverse(v);
            v++;
            v = Long.reverse(v);
        }
        while ((v & (m0 ^ m1)) != 0);
        return v;
    }

    private void visitBucket(final long table, final long index, final EntryVisitor visitor)
    {
        long e = memory.getLong(table + (index << 3));
        long budget = used0 + used1;
        while (e != NULL_HANDLE)
        {
            if (--budget < 0)
            {
                throw cycle(table == table0 ? 0 : 1, index);
            }
            final long next = scratch.wrap(e).next();
            visitor.visit(e);
            e = next;
        }
    }

    /**
     * Visit every entry (KEYS, FLUSHDB, DEBUG DIGEST, the AOF's RESP base). The visitor must not change this
     * database.
     *
     * <p>The buckets are read in order, but their entries lie anywhere in page memory: one cache miss (and often
     * a TLB miss) each, paid in series, was 57% of a RESP rewrite's converting thread at 3M keys. So the
     * first entries of the next {@link #AHEAD} buckets are touched together before they are visited, and
     * their misses overlap, as {@link KeyPrefetcher} does for a pipeline's keys.
     */
    public void forEach(final EntryVisitor visitor)
    {
        for (int t = 0; t <= 1; t++)
        {
            final long table = t == 0 ? table0 : table1;
            final int exp = t == 0 ? exp0 : exp1;
            if (table == NULL_HANDLE)
            {
                continue;
            }
            final long size = 1L << exp;
            final long start = (t == 0 && rehashIndex != -1) ? rehashIndex : 0;
            for (long i = start; i < size; i += AHEAD)
            {
                final int n = (int)Math.min(AHEAD, size - i);
                touchAhead(table, i, n);
                for (int j = 0; j < n; j++)
                {
                    visitBucket(table, i + j, visitor);
                }
            }
        }
    }

    /** Load the first entry of each of buckets {@code [from, from + n)}: independent loads the CPU overlaps. */
    private void touchAhead(final long table, final long from, final int n)
    {
        for (int j = 0; j < n; j++)
        {
            aheadHeads[j] = memory.getLong(table + ((from + j) << 3));
        }
        long sum = 0;
        for (int j = 0; j < n; j++)
        {
            final long head = aheadHeads[j];
            if (head != NULL_HANDLE)
            {
                sum += memory.getLong(head + NEXT_OFFSET); // what visitBucket reads first
            }
        }
        // then the entry's last byte (its header is in cache now): a key and value past the first cache line
        for (int j = 0; j < n; j++)
        {
            final long head = aheadHeads[j];
            if (head != NULL_HANDLE)
            {
                sum += memory.getByte(head + scratch.wrap(head).length() - 1);
            }
        }
        aheadSink += sum;
    }

    /**
     * A random entry, bucket-uniform as Redis's dictGetRandomKey: pick a non-empty bucket, then a
     * position in its chain. @return NULL_HANDLE if empty.
     */
    public long randomEntry(final java.util.SplittableRandom random)
    {
        if (size() == 0)
        {
            return NULL_HANDLE;
        }
        if (rehashIndex != -1 && resizeAllowed())
        {
            rehash(1);
        }
        long head;
        do
        {
            if (rehashIndex != -1)
            {
                final long size0 = 1L << exp0;
                final long span = size0 + (1L << exp1) - rehashIndex;
                final long index = rehashIndex + random.nextLong(span);
                head = index >= size0 ? memory.getLong(table1 + ((index - size0) << 3)) :
                    memory.getLong(table0 + (index << 3));
            }
            else
            {
                head = memory.getLong(table0 + ((random.nextLong() & ((1L << exp0) - 1)) << 3));
            }
        }
        while (head == NULL_HANDLE);
        int length = 0;
        for (long e = head; e != NULL_HANDLE; e = scratch.wrap(e).next())
        {
            if (++length > used0 + used1)
            {
                throw cycle(-1, -1);
            }
        }
        long e = head;
        for (int skip = random.nextInt(length); skip > 0; skip--)
        {
            e = scratch.wrap(e).next();
        }
        return e;
    }

    // ------------------------------------------------------------------------------------------------
    // clearing

    /** Free every entry and table: FLUSHDB. O(keys). */
    public void clear()
    {
        forEach(e -> memory.free(e, scratch.wrap(e).length()));
        forgetTables(true);
    }

    /** Drop every table and counter; {@code free} false when the page memory was reset as a whole. */
    void forgetTables(final boolean free)
    {
        if (free)
        {
            if (table0 != NULL_HANDLE)
            {
                memory.free(table0, (1L << exp0) * 8);
            }
            if (table1 != NULL_HANDLE)
            {
                memory.free(table1, (1L << exp1) * 8);
            }
            if (pendingTable != NULL_HANDLE)
            {
                memory.free(pendingTable, (1L << pendingExp) * 8);
            }
            volatiles.clear();
        }
        else
        {
            volatiles.forget();
        }
        table0 = NULL_HANDLE;
        table1 = NULL_HANDLE;
        exp0 = -1;
        exp1 = -1;
        used0 = 0;
        used1 = 0;
        rehashIndex = -1;
        pendingTable = NULL_HANDLE;
        pendingExp = -1;
        pendingZeroedBytes = 0;
        foundEntry = NULL_HANDLE;
        avgTtlMs = 0;
    }

    // ------------------------------------------------------------------------------------------------
    // snapshot roots

    /** Copy the heap roots (tables, sizes, rehash position, volatile segments) into {@code roots}. */
    /**
     * The roots at a snapshot's instant. The roots have no place for a half-zeroed table: the caller drops it
     * first ({@link #abandonPendingTable}), before the page table is captured, so its pages are not in the
     * snapshot either.
     */
    public void captureRoots(final DatabaseRoots roots)
    {
        if (pendingTable != NULL_HANDLE)
        {
            throw new IllegalStateException("a pending table must be abandoned before the instant");
        }
        roots.table0 = table0;
        roots.table1 = table1;
        roots.exp0 = exp0;
        roots.exp1 = exp1;
        roots.used0 = used0;
        roots.used1 = used1;
        roots.rehashIndex = rehashIndex;
        volatiles.captureRoots(roots);
    }

    /**
     * Check that {@code roots} describe a sound index over the (restored) page memory: table handles start
     * blocks big enough for their exponents, a second table exactly while rehashing, the rehash position
     * inside the old table, sizes not negative. It does not walk the chains: the file's checksums guard the
     * bytes, and a walk would cost the O(keys) a page restore exists to avoid.
     *
     * @return null when sound, else why not.
     */
    String checkRoots(final DatabaseRoots roots)
    {
        final String table0Problem = checkTable(roots.table0, roots.exp0, "table 0");
        if (table0Problem != null)
        {
            return table0Problem;
        }
        if (roots.rehashIndex == -1)
        {
            if (roots.table1 != NULL_HANDLE || roots.exp1 != -1 || roots.used1 != 0)
            {
                return "a second table without a rehash in progress";
            }
        }
        else
        {
            final String table1Problem = checkTable(roots.table1, roots.exp1, "table 1");
            if (table1Problem != null)
            {
                return table1Problem;
            }
            if (roots.table0 == NULL_HANDLE || roots.table1 == NULL_HANDLE || roots.rehashIndex < 0 ||
                roots.rehashIndex >= 1L << roots.exp0)
            {
                return "rehash index " + roots.rehashIndex + " outside table 0";
            }
        }
        if (roots.used0 < 0 || roots.used1 < 0 || (roots.table0 == NULL_HANDLE && roots.used0 != 0))
        {
            return "key counts " + roots.used0 + "/" + roots.used1 + " do not fit the tables";
        }
        if (roots.volatileSize > roots.used0 + roots.used1)
        {
            return roots.volatileSize + " keys with a TTL but only " + (roots.used0 + roots.used1) + " keys";
        }
        return volatiles.checkRoots(roots);
    }

    private String checkTable(final long table, final int exp, final String name)
    {
        if (table == NULL_HANDLE)
        {
            return exp == -1 ? null : name + " has exponent " + exp + " but no memory";
        }
        if (exp < MIN_TABLE_EXP || exp > 40 || memory.blockCapacityBytes(table) < (1L << exp) * 8)
        {
            return name + " (handle " + table + ", 2^" + exp + " buckets) is not a block of that size";
        }
        return null;
    }

    /** Adopt checked roots ({@link #checkRoots}) after a restore of the page memory they point into. */
    void restoreRoots(final DatabaseRoots roots)
    {
        table0 = roots.table0;
        table1 = roots.table1;
        exp0 = roots.exp0;
        exp1 = roots.exp1;
        used0 = roots.used0;
        used1 = roots.used1;
        rehashIndex = roots.rehashIndex;
        pendingTable = NULL_HANDLE; // a snapshot never holds one (abandoned before its instant)
        pendingExp = -1;
        pendingZeroedBytes = 0;
        foundEntry = NULL_HANDLE;
        avgTtlMs = 0;
        volatiles.restoreRoots(roots);
    }

    /** SWAPDB: exchange contents with another database (O(1): only the roots move). */
    void swapWith(final Database other)
    {
        long l = table0; table0 = other.table0; other.table0 = l;
        l = table1; table1 = other.table1; other.table1 = l;
        int i = exp0; exp0 = other.exp0; other.exp0 = i;
        i = exp1; exp1 = other.exp1; other.exp1 = i;
        l = used0; used0 = other.used0; other.used0 = l;
        l = used1; used1 = other.used1; other.used1 = l;
        l = rehashIndex; rehashIndex = other.rehashIndex; other.rehashIndex = l;
        l = pendingTable; pendingTable = other.pendingTable; other.pendingTable = l;
        i = pendingExp; pendingExp = other.pendingExp; other.pendingExp = i;
        l = pendingZeroedBytes; pendingZeroedBytes = other.pendingZeroedBytes; other.pendingZeroedBytes = l;
        l = avgTtlMs; avgTtlMs = other.avgTtlMs; other.avgTtlMs = l;
        volatiles.swapWith(other.volatiles);
        foundEntry = NULL_HANDLE;
        other.foundEntry = NULL_HANDLE;
    }
}
