package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageMemory;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;
import static io.keelkv.engine.types.DictRootDescriptor.LENGTH;
import static io.keelkv.engine.types.DictRootDescriptor.tableBytes;

/**
 * The stepped free of a {@link PagedDict} (see {@link PagedDict#freeStep}): the lazy free of a big hash or set,
 * a bounded number of blocks per event-loop pass. Package-private: {@link PagedDict} is the API.
 *
 * <p>Why this shape. The position is kept in the dict's root ({@link DictRootDescriptor#FREE_BUCKET_OFFSET},
 * {@link DictRootDescriptor#FREE_NEXT_OFFSET}), not on the heap, so any number of dicts can be in the middle of
 * their free at once with one instance, and the root alone says where to go on. Buckets are walked in place
 * and never written: the only page writes are the root's position and the allocator's own (a block freed
 * into a slab page's free list), so during a snapshot a dict being freed does not have its table pages
 * copied for nothing. An element's link is read before its block is freed, since the allocator threads its
 * free list through the block's first bytes.
 */
final class DictFreer
{
    private final PageMemory memory;
    private final DictRootFlyweight root;
    private final DictElementFlyweight scratch;
    private final PagedDict dict;

    DictFreer(final PageMemory memory, final PagedDict dict)
    {
        this.memory = memory;
        this.dict = dict;
        this.root = dict.root();
        this.scratch = new DictElementFlyweight(memory);
    }

    boolean freeStep(final long rootHandle, final int maxBlocks)
    {
        if (maxBlocks < 1)
        {
            throw new IllegalArgumentException("maxBlocks " + maxBlocks);
        }
        root.wrap(rootHandle);
        final boolean values = root.withValues();
        if (!root.isFreeing())
        {
            root.startFreeing();
            // table 0's buckets below the rehash index are empty: start past them
            root.freePosition(Math.max(root.rehashIndex(), 0), NULL_HANDLE);
        }
        if (root.pendingTable() != NULL_HANDLE)
        {
            memory.free(root.pendingTable(), tableBytes(root.pendingExp()));
            root.pendingTable(NULL_HANDLE, -1, 0);
        }
        // buckets are numbered across both tables: [0, size 0) is table 0, then table 1's
        final long table0 = root.table0();
        final long table1 = root.table1();
        final long size0 = table0 == NULL_HANDLE ? 0 : 1L << root.exp0();
        final long size1 = table1 == NULL_HANDLE ? 0 : 1L << root.exp1();
        long bucket = root.freeBucket();
        long next = root.freeNext();
        int blocks = maxBlocks;
        long emptyVisits = (long)maxBlocks * PagedDict.FREE_EMPTY_VISITS_PER_BLOCK;
        while (blocks > 0)
        {
            if (next == NULL_HANDLE)
            {
                if (bucket >= size0 + size1)
                {
                    if (table0 != NULL_HANDLE)
                    {
                        memory.free(table0, tableBytes(root.exp0()));
                    }
                    if (table1 != NULL_HANDLE)
                    {
                        memory.free(table1, tableBytes(root.exp1()));
                    }
                    memory.free(rootHandle, LENGTH);
                    return true;
                }
                dict.bucketsVisited++;
                next = memory.getLong(bucket < size0 ? table0 + (bucket << 3) : table1 + ((bucket - size0) << 3));
                if (next == NULL_HANDLE)
                {
                    bucket++;
                    if (--emptyVisits == 0)
                    {
                        break;
                    }
                    continue;
                }
            }
            scratch.wrap(next, values);
            final long after = scratch.next();
            memory.free(next, scratch.length());
            blocks--;
            next = after;
            if (next == NULL_HANDLE)
            {
                bucket++;
            }
        }
        root.freePosition(bucket, next);
        return false;
    }
}
