package io.keelkv.engine.types;

import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.memory.PageMemory;
import org.agrona.collections.LongArrayList;

/**
 * Frees what a deleted or overwritten collection owns outside its entry, as Redis's lazyfree does, but on the
 * owner thread: a small collection at once (up to {@link #SYNC_FREE_ELEMENTS} elements, Redis's
 * LAZYFREE_THRESHOLD), a bigger one queued and freed by {@link #step} a bounded number of blocks at a time,
 * from the engine's cron. So DEL, UNLINK, an expiry, an eviction or a SET over a 1M-field hash costs O(1) in
 * that command, and no other thread ever writes pages.
 *
 * <p>Queued collections are unreachable (their key is gone) and their memory still counts as used, as in Redis
 * until its background thread has freed them. {@link #reset} forgets the queue when the page memory is reset
 * as a whole (FLUSHALL, a reload): the blocks are gone with it. During a background snapshot a free is
 * deferred by the page memory like any other, so freeing copies no page.
 *
 * <p>Snapshots. A snapshot (or an AOF base) taken while collections are queued holds their pages, unreachable
 * from any key; the queue's roots go into the snapshot's root block ({@link #pendingRoot}), and a load adopts
 * them ({@link #adoptPending}) so the restored engine finishes freeing them. Each root keeps its own stepped-free
 * position, so a free that had started resumes where the instant saw it.
 */
public final class LazyFree implements Keyspace.ValueReleaser
{
    /** Collections of up to this many elements are freed in the command that drops them. */
    public static final int SYNC_FREE_ELEMENTS = 64;

    private final PageMemory memory;
    private final PagedDict dict;
    private final DictRootFlyweight rootView;
    private final Quicklist quicklist;
    private final ZsetSkiplist zsets;
    private final LongArrayList pending = new LongArrayList();
    private long freedObjects;

    public LazyFree(final PageMemory memory)
    {
        this.memory = memory;
        this.dict = new PagedDict(memory);
        this.rootView = new DictRootFlyweight(memory);
        this.quicklist = new Quicklist(memory);
        this.zsets = new ZsetSkiplist(memory);
    }

    @Override
    public void release(final long root)
    {
        if (ZsetSkiplist.isZsetRoot(memory, root))
        {
            // a sorted set's effort is its member count (the dict's elements; the tree's leaves hold many each)
            if (zsets.freeEffort(root) <= SYNC_FREE_ELEMENTS)
            {
                zsets.free(root);
                freedObjects++;
            }
            else
            {
                pending.addLong(root);
            }
            return;
        }
        if (Quicklist.isQuicklistRoot(memory, root))
        {
            // Redis's free effort of a list is its node count
            if (quicklist.wrap(root).nodeCount() <= SYNC_FREE_ELEMENTS)
            {
                quicklist.free(root);
                freedObjects++;
            }
            else
            {
                pending.addLong(root);
            }
            return;
        }
        if (dict.wrap(root).size() <= SYNC_FREE_ELEMENTS)
        {
            while (!dict.freeStep(root, SYNC_FREE_ELEMENTS))
            {
                // at most a few calls: each frees up to SYNC_FREE_ELEMENTS elements, the last one the tables
            }
            freedObjects++;
        }
        else
        {
            pending.addLong(root);
        }
    }

    @Override
    public void reset()
    {
        pending.clear();
    }

    /**
     * Free up to {@code maxBlocks} elements of the oldest queued collection (and, with its last, its tables and
     * root). The caller bounds the calls by time, as the cron bounds its rehash steps.
     *
     * @return false when nothing is queued.
     */
    public boolean step(final int maxBlocks)
    {
        if (pending.isEmpty())
        {
            return false;
        }
        final long root = pending.getLong(0);
        final boolean done = ZsetSkiplist.isZsetRoot(memory, root) ? zsets.freeStep(root, maxBlocks) :
            Quicklist.isQuicklistRoot(memory, root) ? quicklist.freeStep(root, maxBlocks) : dict.freeStep(root, maxBlocks);
        if (done)
        {
            pending.removeAt(0);
            freedObjects++;
        }
        return true;
    }

    @Override
    public int pendingCount()
    {
        return pending.size();
    }

    @Override
    public long pendingRoot(final int index)
    {
        return pending.getLong(index);
    }

    @Override
    public String adoptPending(final long[] roots, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final String problem = checkRoot(roots[i]);
            if (problem != null)
            {
                return "dropped collection " + i + " (root 0x" + Long.toHexString(roots[i]) + "): " + problem;
            }
        }
        for (int i = 0; i < count; i++)
        {
            pending.addLong(roots[i]);
        }
        return null;
    }

    private String checkRoot(final long handle)
    {
        try
        {
            if (ZsetSkiplist.isZsetRoot(memory, handle))
            {
                return zsets.check(handle);
            }
            if (Quicklist.isQuicklistRoot(memory, handle))
            {
                quicklist.wrap(handle);
            }
            else
            {
                rootView.wrap(handle);
            }
            return null;
        }
        catch (final RuntimeException ex) // PageAccessException for a handle outside pages in use, else damage
        {
            return ex.getMessage();
        }
    }

    /** INFO lazyfree_pending_objects. */
    public int pendingObjects()
    {
        return pending.size();
    }

    /** INFO lazyfreed_objects. */
    public long freedObjects()
    {
        return freedObjects;
    }
}
