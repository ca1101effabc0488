package io.keelkv.engine.types;

import io.keelkv.engine.keyspace.Hashing;
import io.keelkv.engine.memory.PageMemory;

import java.util.SplittableRandom;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;
import static io.keelkv.engine.types.DictElementDescriptor.HASH_HEADER_LENGTH;
import static io.keelkv.engine.types.DictElementDescriptor.NEXT_OFFSET;
import static io.keelkv.engine.types.DictElementDescriptor.elementLength;
import static io.keelkv.engine.types.DictRootDescriptor.LENGTH;
import static io.keelkv.engine.types.DictRootDescriptor.tableBytes;

/**
 * The paged dict: the hashtable encoding of big hashes and sets (Redis's OBJ_ENCODING_HT), with its root,
 * bucket tables and elements all in page memory (see {@link DictRootDescriptor}, {@link DictElementDescriptor}).
 *
 * <p>Design. The same algorithms as the keyspace's index ({@code keyspace.Database}), after Redis's dict: two
 * bucket tables of chained element handles, table 1 only while resizing; the table doubles at load factor 1
 * and shrinks below 10% fill (checked after each delete, as Redis's hashTypeDelete and setTypeRemove do);
 * the rehash is incremental, one bucket per access (at most {@link #REHASH_EMPTY_VISITS} empty buckets
 * visited); a new table of {@link #EAGER_ZERO_BYTES} or more is zeroed {@link #PREPARE_STEP_BYTES} per access
 * before its rehash starts, so no command pays for a big memset. Unlike the keyspace, a collection's rehash
 * steps only on access to it (as in Redis): there is no cron for it.
 *
 * <p>One instance per owner thread, re-pointed with {@link #wrap} at the dict a command works on: it holds no
 * state of a dict between commands (everything is in the root), and allocates nothing per operation. Fields
 * arrive as (base, address, length): a heap array and its array offset, or null and a raw address.
 *
 * <p>The "found" protocol, as the keyspace's: {@link #find} remembers the element and the 8-byte word that
 * points at it (a bucket slot or the previous element's next field), so {@link #insertAfterMiss},
 * {@link #replaceFoundValue} and {@link #deleteFound} need no second search. Rehash steps run only at the
 * start of find and in the random samplers, so nothing moves an element between a find and the use of its
 * result; a wrap, a random pick or a free forgets the found state, and a mutation without one throws.
 *
 * <p>While a snapshot runs ({@link #snapshotRunning}) resizing pauses, as Redis pauses it while a child
 * lives: accesses move no bucket and zero nothing, deletes shrink nothing, and the table grows only past a
 * load factor of {@link #FORCE_RESIZE_RATIO}. Each of these writes pages the snapshot still needs.
 *
 * <p>Freeing: {@link #freeStep} frees a dict a bounded number of blocks per call, resuming from a position
 * kept in its root, for the event loop's lazy free of big collections.
 */
public final class PagedDict
{
    /** Empty buckets one rehash step may pass per bucket moved (Redis's dictRehash: n * 10). */
    static final int REHASH_EMPTY_VISITS = 10;
    /** While a snapshot runs, a table grows (and rehashes) only above this load factor: dict_force_resize_ratio. */
    static final int FORCE_RESIZE_RATIO = 5;
    /** A new table this big or bigger is zeroed in steps before its rehash (the keyspace's threshold). */
    static final long EAGER_ZERO_BYTES = 1 << 20;
    /** Bytes of a pending table zeroed per access: a few microseconds, page faults included. */
    static final long PREPARE_STEP_BYTES = 32 * 1024;
    /** Elements sampled by {@link #randomElement}: Redis's GETFAIR_NUM_ENTRIES. */
    static final int FAIR_RANDOM_SAMPLES = 15;
    /** Empty buckets a free step may pass per block it may free: 64 reads of 8 bytes are 8 cache lines. */
    static final int FREE_EMPTY_VISITS_PER_BLOCK = 64;

    /** {@link #put} and {@link #add}: the field was new. */
    public static final int ADDED = 1;
    /** {@link #put}: the field's value was replaced; {@link #add}: the member was there already. */
    public static final int UPDATED = 0;
    /** {@link #put} and {@link #add}: no memory for the element; the dict is as it was. */
    public static final int OUT_OF_MEMORY = -1;

    private static final int FOUND_NONE = 0;
    private static final int FOUND_HIT = 1;
    private static final int FOUND_MISS = 2;

    /** Receives element handles from {@link #scan}; implementations are reused, never allocated per call. */
    @FunctionalInterface
    public interface ElementVisitor
    {
        void visit(long element);
    }

    private final PageMemory memory;
    private final DictRootFlyweight root;
    private final DictElementFlyweight element;
    private final DictElementFlyweight scratch;
    private final DictTraversal traversal;
    private final DictFreer freer;
    private final DictResizer resizer;
    private boolean wrapped;
    private boolean withValues;
    private boolean snapshotRunning;

    private int foundState = FOUND_NONE;
    private long foundElement;
    private long foundSlot;
    private long foundHash;
    private int foundLength;
    private int foundTable;

    // work counters, for the tests that bound what one operation does: cumulative, never reset
    long bucketsVisited;
    long zeroedInSteps;
    long zeroedAtOnce;

    public PagedDict(final PageMemory memory)
    {
        this.memory = memory;
        this.root = new DictRootFlyweight(memory);
        this.element = new DictElementFlyweight(memory);
        this.scratch = new DictElementFlyweight(memory);
        this.resizer = new DictResizer(memory, this);
        this.traversal = new DictTraversal(memory, this);
        this.freer = new DictFreer(memory, this);
    }

    /** A snapshot started or ended: resizing pauses while it runs (see the class comment). */
    public void snapshotRunning(final boolean running)
    {
        this.snapshotRunning = running;
    }

    /**
     * Make an empty dict and wrap it. Its first table is made by the first insert.
     *
     * @param withValues true for a hash (each field has a value), false for a set.
     * @return the root handle, which the key's entry stores, or {@link PageMemory#NULL_HANDLE} when out of memory.
     */
    public long create(final boolean withValues)
    {
        final long handle = memory.allocate(LENGTH, false);
        if (handle == NULL_HANDLE)
        {
            return NULL_HANDLE;
        }
        root.wrapNew(handle).init(withValues);
        this.wrapped = true;
        this.withValues = withValues;
        this.foundState = FOUND_NONE;
        return handle;
    }

    /** Point at the dict whose root is {@code rootHandle}, checked ({@link DictRootFlyweight#check}). */
    public PagedDict wrap(final long rootHandle)
    {
        wrapped = false;
        foundState = FOUND_NONE;
        root.wrap(rootHandle);
        if (root.isFreeing())
        {
            throw new IllegalStateException("dict 0x" + Long.toHexString(rootHandle) + " is being freed");
        }
        withValues = root.withValues();
        wrapped = true;
        return this;
    }

    private void requireWrapped()
    {
        if (!wrapped)
        {
            throw new IllegalStateException("no dict wrapped");
        }
    }

    public long rootHandle()
    {
        requireWrapped();
        return root.handle();
    }

    /** True for a hash's dict (fields with values), false for a set's (members only). */
    public boolean withValues()
    {
        requireWrapped();
        return withValues;
    }

    public long size()
    {
        requireWrapped();
        return root.size();
    }

    public boolean isRehashing()
    {
        requireWrapped();
        return root.rehashIndex() != -1;
    }

    /** A resize is under way: its new table is still being zeroed, or elements are moving into it. */
    public boolean isResizing()
    {
        requireWrapped();
        return root.rehashIndex() != -1 || root.pendingTable() != NULL_HANDLE;
    }

    /** Buckets of both tables (not the pending one). */
    public long bucketCount()
    {
        requireWrapped();
        return (root.exp0() < 0 ? 0 : 1L << root.exp0()) + (root.exp1() < 0 ? 0 : 1L << root.exp1());
    }

    /** Bytes of the root and the bucket tables, pending one included: the dict's overhead beside its elements. */
    public long overheadBytes()
    {
        requireWrapped();
        final int pendingExp = root.pendingExp();
        return memory.blockBytes(LENGTH) + (root.exp0() < 0 ? 0 : memory.blockBytes(tableBytes(root.exp0()))) +
            (root.exp1() < 0 ? 0 : memory.blockBytes(tableBytes(root.exp1()))) +
            (pendingExp < 0 ? 0 : memory.blockBytes(tableBytes(pendingExp)));
    }

    /** The element {@code handle} of this dict, through a view shared by every call: re-wrapped each time. */
    public DictElementFlyweight element(final long handle)
    {
        requireWrapped();
        return element.wrap(handle, withValues);
    }

    // ------------------------------------------------------------------------------------------------
    // lookup and mutation

    /**
     * Look a field up, after one step of a resize in progress. @return the element handle, or
     * {@link PageMemory#NULL_HANDLE}; either way the result is remembered for the mutations below.
     */
    public long find(final Object base, final long address, final int length)
    {
        requireWrapped();
        final long hash = Hashing.hash(memory.hashSeed(), base, address, length);
        foundState = FOUND_MISS;
        foundHash = hash;
        foundLength = length;
        foundElement = NULL_HANDLE;
        if (root.size() == 0)
        {
            return NULL_HANDLE;
        }
        resizer.step();
        final long rehashIndex = root.rehashIndex();
        for (int t = 0; t <= 1; t++)
        {
            final long table = t == 0 ? root.table0() : root.table1();
            final long mask = (1L << (t == 0 ? root.exp0() : root.exp1())) - 1;
            long slot = table + ((hash & mask) << 3);
            bucketsVisited++;
            long e = memory.getLong(slot);
            // a chain can hold at most every element: a longer walk is a cycle in damaged memory, which would
            // otherwise spin the owner thread for good
            long budget = root.size();
            while (e != NULL_HANDLE)
            {
                if (--budget < 0)
                {
                    throw new IllegalStateException("damaged dict: a chain of bucket " + (hash & mask) + " in table " +
                        t + " runs past the dict's " + root.size() + " elements (a cycle)");
                }
                scratch.wrap(e, withValues);
                if (scratch.fieldEquals(base, address, length))
                {
                    foundState = FOUND_HIT;
                    foundElement = e;
                    foundSlot = slot;
                    foundTable = t;
                    return e;
                }
                slot = e + NEXT_OFFSET;
                e = scratch.next();
            }
            if (rehashIndex == -1)
            {
                break;
            }
        }
        return NULL_HANDLE;
    }

    /**
     * Add an element for the field {@link #find} just missed (the same field: its hash is reused), with its
     * value (a set passes a null base, 0 and 0). It goes at the head of its bucket in the table that takes
     * new elements; the table grows first when full. Afterwards the new element is the found one.
     *
     * @return the new element's handle, or {@link PageMemory#NULL_HANDLE} when there is no memory for it (the
     * dict is unchanged; a failed table growth only raises the load factor).
     */
    public long insertAfterMiss(final Object fieldBase, final long fieldAddress, final int fieldLength,
        final Object valueBase, final long valueAddress, final int valueLength)
    {
        requireWrapped();
        if (foundState != FOUND_MISS || fieldLength != foundLength)
        {
            throw new IllegalStateException("insert without a miss of the same field just before");
        }
        if (fieldLength < 0 || valueLength < 0 || (!withValues && valueLength != 0))
        {
            throw new IllegalArgumentException("field length " + fieldLength + ", value length " + valueLength);
        }
        final long length = elementLength(withValues, fieldLength, valueLength);
        final long e = memory.allocate(length, false);
        if (e == NULL_HANDLE)
        {
            return NULL_HANDLE;
        }
        scratch.wrapNew(e, withValues).lengths(fieldLength, valueLength);
        memory.putBytes(scratch.fieldHandle(), fieldBase, fieldAddress, fieldLength);
        if (withValues)
        {
            memory.putBytes(scratch.fieldHandle() + fieldLength, valueBase, valueAddress, valueLength);
        }
        resizer.expandIfNeeded();
        final int t = root.rehashIndex() != -1 ? 1 : 0;
        final long table = t == 0 ? root.table0() : root.table1();
        final long slot = table + ((foundHash & ((1L << (t == 0 ? root.exp0() : root.exp1())) - 1)) << 3);
        scratch.next(memory.getLong(slot));
        memory.putLong(slot, e);
        if (t == 0)
        {
            root.used0(root.used0() + 1);
        }
        else
        {
            root.used1(root.used1() + 1);
        }
        foundState = FOUND_HIT;
        foundElement = e;
        foundSlot = slot;
        foundTable = t;
        return e;
    }

    /**
     * Give the found element (a hash's) a new value. A value of the same length is written in place; any other
     * length gets a new block holding the field and the new value, linked where the old one was (same
     * chain, same next), and the old block is freed. Afterwards the new element is the found one.
     *
     * @return the element's handle (new or not), or {@link PageMemory#NULL_HANDLE} when there is no memory for
     * the new block (the old element is unchanged).
     */
    public long replaceFoundValue(final Object valueBase, final long valueAddress, final int valueLength)
    {
        requireWrapped();
        if (foundState != FOUND_HIT || !withValues)
        {
            throw new IllegalStateException(withValues ? "replace without a found element" : "a set has no values");
        }
        if (valueLength < 0)
        {
            throw new IllegalArgumentException("value length " + valueLength);
        }
        final long old = foundElement;
        scratch.wrap(old, true);
        if (scratch.valueLength() == valueLength)
        {
            memory.putBytes(scratch.valueHandle(), valueBase, valueAddress, valueLength);
            return old;
        }
        final int fieldLength = scratch.fieldLength();
        final long oldLength = scratch.length();
        final long e = memory.allocate(elementLength(true, fieldLength, valueLength), false);
        if (e == NULL_HANDLE)
        {
            return NULL_HANDLE;
        }
        // next, lengths and field in one copy, then the new value, and only then the link: the chain never points
        // at a half-written block, and the old one is freed last, after nothing points at it
        memory.copy(e, old, HASH_HEADER_LENGTH + (long)fieldLength);
        scratch.wrapNew(e, true).valueLength(valueLength);
        memory.putBytes(scratch.valueHandle(), valueBase, valueAddress, valueLength);
        memory.putLong(foundSlot, e);
        memory.free(old, oldLength);
        foundElement = e;
        return e;
    }

    /** Unlink and free the found element, then shrink the table if it fell below 10% fill. */
    public void deleteFound()
    {
        requireWrapped();
        if (foundState != FOUND_HIT)
        {
            throw new IllegalStateException("delete without a found element");
        }
        scratch.wrap(foundElement, withValues);
        final long length = scratch.length();
        memory.putLong(foundSlot, scratch.next());
        if (foundTable == 0)
        {
            root.used0(root.used0() - 1);
        }
        else
        {
            root.used1(root.used1() - 1);
        }
        memory.free(foundElement, length);
        foundState = FOUND_NONE;
        foundElement = NULL_HANDLE;
        resizer.shrinkIfNeeded();
    }

    /** HSET of one field: {@link #ADDED}, {@link #UPDATED} or {@link #OUT_OF_MEMORY}. */
    public int put(final Object fieldBase, final long fieldAddress, final int fieldLength,
        final Object valueBase, final long valueAddress, final int valueLength)
    {
        if (find(fieldBase, fieldAddress, fieldLength) != NULL_HANDLE)
        {
            return replaceFoundValue(valueBase, valueAddress, valueLength) == NULL_HANDLE ? OUT_OF_MEMORY : UPDATED;
        }
        return insertAfterMiss(fieldBase, fieldAddress, fieldLength, valueBase, valueAddress, valueLength) == NULL_HANDLE ?
            OUT_OF_MEMORY : ADDED;
    }

    /** SADD of one member: {@link #ADDED}, {@link #UPDATED} (a member already) or {@link #OUT_OF_MEMORY}. */
    public int add(final Object memberBase, final long memberAddress, final int memberLength)
    {
        if (find(memberBase, memberAddress, memberLength) != NULL_HANDLE)
        {
            return UPDATED;
        }
        return insertAfterMiss(memberBase, memberAddress, memberLength, null, 0, 0) == NULL_HANDLE ? OUT_OF_MEMORY : ADDED;
    }

    /** HDEL/SREM of one field: @return true if it was there. */
    public boolean delete(final Object fieldBase, final long fieldAddress, final int fieldLength)
    {
        if (find(fieldBase, fieldAddress, fieldLength) == NULL_HANDLE)
        {
            return false;
        }
        deleteFound();
        return true;
    }

    // ------------------------------------------------------------------------------------------------
    // SCAN, random elements, freeing (implemented by DictTraversal and DictFreer)

    /**
     * One step of SCAN (Redis's dictScan): visit one bucket of the smaller table and every bucket it expands to
     * in the larger one, then advance the reverse-binary cursor. Every element present for the whole scan is
     * visited at least once, across any resizes between calls. Moves nothing; the visitor must not change the
     * dict. @return the next cursor, 0 when the scan is complete.
     */
    public long scan(final long cursor, final ElementVisitor visitor)
    {
        requireWrapped();
        foundState = FOUND_NONE;
        return traversal.scan(cursor, visitor);
    }

    /**
     * A random element, as Redis's dictGetFairRandomKey (HRANDFIELD, SRANDMEMBER, SPOP): sample up to
     * {@link #FAIR_RANDOM_SAMPLES} elements from a run of buckets at a random place ({@link #sampleElements})
     * and pick one of them uniformly; when the run found none (a very sparse table), fall back to a random
     * non-empty bucket and a uniform position in its chain (dictGetRandomKey). Steps a resize like any access.
     *
     * @return an element handle, or {@link PageMemory#NULL_HANDLE} when the dict is empty.
     */
    public long randomElement(final SplittableRandom random)
    {
        requireWrapped();
        foundState = FOUND_NONE;
        return traversal.randomElement(random);
    }

    /**
     * Up to {@code count} elements from consecutive buckets starting at a random one, jumping elsewhere after a
     * run of empty buckets, visiting at most {@code count * 10} buckets (Redis's dictGetSomeKeys); first a
     * rehash step per element asked for. Within one call each element is stored at most once.
     *
     * @return how many handles were stored at the start of {@code out}.
     */
    public int sampleElements(final long[] out, final int count, final SplittableRandom random)
    {
        requireWrapped();
        foundState = FOUND_NONE;
        return traversal.sampleElements(out, count, random);
    }

    /**
     * Free the dict {@code rootHandle} a step at a time: up to {@code maxBlocks} elements per call (and up to
     * {@code maxBlocks * 64} empty buckets passed), then, on the call that frees the last element, its tables and
     * its root. The position is kept in the root (which is marked as being freed at the first call: it can no
     * longer be wrapped), so calls may come on later loop passes, with other dicts used in between. The caller
     * has unlinked the dict from its key first. Leaves this instance wrapped on no dict.
     *
     * @return true when the dict is all freed, and its root handle no longer valid.
     */
    public boolean freeStep(final long rootHandle, final int maxBlocks)
    {
        wrapped = false;
        foundState = FOUND_NONE;
        return freer.freeStep(rootHandle, maxBlocks);
    }

    // ------------------------------------------------------------------------------------------------
    // for DictTraversal

    DictRootFlyweight root()
    {
        return root;
    }

    boolean snapshotRunning()
    {
        return snapshotRunning;
    }

    /** One rehash step (Redis's _dictRehashStep) if a rehash is in progress and resizing is allowed now. */
    void rehashStepIfAllowed()
    {
        if (root.rehashIndex() != -1 && resizer.allowed())
        {
            resizer.rehash(1);
        }
    }

    /** Move up to {@code buckets} buckets of a rehash in progress, allowed or not: for tests. */
    boolean rehash(final int buckets)
    {
        return resizer.rehash(buckets);
    }
}
