package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageMemory;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;
import static io.keelkv.engine.types.DictRootDescriptor.MAX_TABLE_EXP;
import static io.keelkv.engine.types.DictRootDescriptor.MIN_TABLE_EXP;
import static io.keelkv.engine.types.DictRootDescriptor.tableBytes;
import static io.keelkv.engine.types.PagedDict.EAGER_ZERO_BYTES;
import static io.keelkv.engine.types.PagedDict.FORCE_RESIZE_RATIO;
import static io.keelkv.engine.types.PagedDict.PREPARE_STEP_BYTES;
import static io.keelkv.engine.types.PagedDict.REHASH_EMPTY_VISITS;

/**
 * The sizing of a {@link PagedDict}: when a table grows or shrinks, the stepped zeroing of a big new table,
 * and the incremental rehash, all after {@code keyspace.Database}'s (itself Redis's dict). Package-private:
 * {@link PagedDict} calls it on the dict it has wrapped, only at the start of a find, in an insert before
 * the new element is linked, after a delete, and from the samplers, so that nothing moves an element between
 * a find and the use of its result.
 *
 * <p>Every piece of work is bounded: a step moves one bucket (passing at most {@link
 * PagedDict#REHASH_EMPTY_VISITS} empty ones) or zeroes {@link PagedDict#PREPARE_STEP_BYTES}; a table made at once
 * is below {@link PagedDict#EAGER_ZERO_BYTES}. While a snapshot runs, nothing moves and nothing shrinks, and a
 * table grows only past a load factor of {@link PagedDict#FORCE_RESIZE_RATIO}.
 */
final class DictResizer
{
    private final PageMemory memory;
    private final PagedDict dict;
    private final DictRootFlyweight root;
    private final DictElementFlyweight scratch;

    DictResizer(final PageMemory memory, final PagedDict dict)
    {
        this.memory = memory;
        this.dict = dict;
        this.root = dict.root();
        this.scratch = new DictElementFlyweight(memory);
    }

    /** Resize work may run now: no snapshot, or the table is so full that lookups would suffer more. */
    boolean allowed()
    {
        final int exp0 = root.exp0();
        return !dict.snapshotRunning() || exp0 >= 0 && (root.used0() >>> exp0) > FORCE_RESIZE_RATIO;
    }

    /** Redis's _dictRehashStep, plus the stepped zeroing: one bounded piece of a resize in progress. */
    void step()
    {
        if (!allowed())
        {
            return;
        }
        if (root.pendingTable() != NULL_HANDLE)
        {
            prepareStep(PREPARE_STEP_BYTES);
        }
        else if (root.rehashIndex() != -1)
        {
            rehash(1);
        }
    }

    void expandIfNeeded()
    {
        if (root.rehashIndex() != -1 || root.pendingTable() != NULL_HANDLE)
        {
            return;
        }
        if (root.table0() == NULL_HANDLE)
        {
            expand(1L << MIN_TABLE_EXP);
        }
        else if (root.used0() >= (1L << root.exp0()) && allowed())
        {
            expand(root.used0() + 1);
        }
    }

    /** Redis's htNeedsResize and dictResize: shrink to the smallest power of two holding the elements. */
    void shrinkIfNeeded()
    {
        final int exp0 = root.exp0();
        if (!dict.snapshotRunning() && root.rehashIndex() == -1 && root.pendingTable() == NULL_HANDLE && exp0 > MIN_TABLE_EXP &&
            root.used0() * 100 / (1L << exp0) < 10)
        {
            expand(Math.max(root.used0(), 1L << MIN_TABLE_EXP));
        }
    }

    /**
     * Make a table for {@code minSize} elements: the first table, or the target of a resize. A table of
     * {@link PagedDict#EAGER_ZERO_BYTES} or more is allocated uninitialised and zeroed in steps (a pending table) while
     * the old one goes on serving; a smaller one is zeroed at allocation and its rehash starts at once.
     *
     * @return false when no resize is needed or possible (already resizing, same size, no memory).
     */
    private boolean expand(final long minSize)
    {
        if (root.rehashIndex() != -1 || root.pendingTable() != NULL_HANDLE || minSize < root.used0())
        {
            return false;
        }
        int exp = MIN_TABLE_EXP;
        while ((1L << exp) < minSize && exp < MAX_TABLE_EXP)
        {
            exp++;
        }
        if (exp == root.exp0())
        {
            return false;
        }
        final long bytes = tableBytes(exp);
        final boolean stepwise = root.table0() != NULL_HANDLE && bytes >= EAGER_ZERO_BYTES;
        final long table = memory.allocate(bytes, !stepwise);
        if (table == NULL_HANDLE)
        {
            return false;
        }
        if (root.table0() == NULL_HANDLE)
        {
            dict.zeroedAtOnce += bytes;
            root.table0(table, exp);
        }
        else if (stepwise)
        {
            root.pendingTable(table, exp, 0);
        }
        else
        {
            dict.zeroedAtOnce += bytes;
            root.table1(table, exp);
            root.rehashIndex(0);
        }
        return true;
    }

    /** Zero up to {@code bytes} more of the pending table; once it is all zeros, start the rehash into it. */
    private void prepareStep(final long bytes)
    {
        final long table = root.pendingTable();
        final int exp = root.pendingExp();
        final long size = tableBytes(exp);
        final long zeroed = root.pendingZeroed();
        final long length = Math.min(bytes, size - zeroed);
        memory.fill(table + zeroed, length, (byte)0);
        dict.zeroedInSteps += length;
        if (zeroed + length < size)
        {
            root.pendingZeroed(zeroed + length);
            return;
        }
        root.pendingTable(NULL_HANDLE, -1, 0);
        root.table1(table, exp);
        root.rehashIndex(0);
    }

    /**
     * Move up to {@code buckets} buckets of table 0 into table 1, passing at most {@code buckets * 10} empty
     * ones (Redis's dictRehash). When table 0 is empty, table 1 becomes table 0.
     *
     * @return true if there is more to move.
     */
    boolean rehash(final int buckets)
    {
        long index = root.rehashIndex();
        if (index == -1)
        {
            return false;
        }
        final long table0 = root.table0();
        final long table1 = root.table1();
        final long size0 = 1L << root.exp0();
        final long mask1 = (1L << root.exp1()) - 1;
        final long seed = memory.hashSeed();
        final boolean values = root.withValues();
        long used0 = root.used0();
        long used1 = root.used1();
        int emptyVisits = buckets * REHASH_EMPTY_VISITS;
        int remaining = buckets;
        scan:
        while (remaining-- > 0 && used0 != 0)
        {
            long slot = table0 + (index << 3);
            dict.bucketsVisited++;
            long e = memory.getLong(slot);
            while (e == NULL_HANDLE)
            {
                index++;
                if (index >= size0)
                {
                    // used 0 says an element is left, and no bucket holds one: the root lies
                    throw new IllegalStateException("damaged dict: " + used0 + " elements left past the last bucket");
                }
                if (--emptyVisits == 0)
                {
                    break scan;
                }
                slot = table0 + (index << 3);
                dict.bucketsVisited++;
                e = memory.getLong(slot);
            }
            while (e != NULL_HANDLE)
            {
                scratch.wrap(e, values);
                final long next = scratch.next();
                final long target = table1 + ((scratch.fieldHash(seed) & mask1) << 3);
                scratch.next(memory.getLong(target));
                memory.putLong(target, e);
                // the bucket lets go of each element as it moves: if a damaged element further down the chain
                // throws at its wrap, no moved element stays reachable from both tables (moving it again would
                // link it to itself, and every later walk of that chain would spin)
                memory.putLong(slot, next);
                used0--;
                used1++;
                e = next;
            }
            index++;
        }
        if (used0 == 0)
        {
            memory.free(table0, tableBytes(root.exp0()));
            root.table0(table1, root.exp1());
            root.used0(used1);
            root.table1(NULL_HANDLE, -1);
            root.used1(0);
            root.rehashIndex(-1);
            return false;
        }
        root.used0(used0);
        root.used1(used1);
        root.rehashIndex(index);
        return true;
    }

}
