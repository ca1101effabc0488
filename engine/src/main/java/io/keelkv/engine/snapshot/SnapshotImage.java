package io.keelkv.engine.snapshot;

import io.keelkv.engine.keyspace.DatabaseRoots;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.memory.PageTableImage;

/**
 * A snapshot's instant, on the heap: the allocator's page table image and every database's roots. What
 * the root block is written from; the page bytes come from a {@link PageSource}. Captured by the thread that
 * owns the keyspace, between two commands, in O(pages + databases), never O(keys). Reused across snapshots.
 */
public final class SnapshotImage
{
    private final PageTableImage pages = new PageTableImage();
    private DatabaseRoots[] databases = new DatabaseRoots[0];
    private int databaseCount;
    private long createdAtMs;
    private int pagesInUse;
    private long[] pendingFrees = new long[0];
    private int pendingFreeCount;

    /** Take the instant. Owner thread of {@code keyspace}. */
    public SnapshotImage capture(final Keyspace keyspace)
    {
        for (int i = 0; i < keyspace.databaseCount(); i++)
        {
            // before the page table: a dropped table's pages must not be in the image
            keyspace.database(i).abandonPendingTable();
        }
        keyspace.memory().captureImage(pages);
        databases(keyspace.databaseCount());
        for (int i = 0; i < databaseCount; i++)
        {
            keyspace.database(i).captureRoots(databases[i]);
        }
        final Keyspace.ValueReleaser releaser = keyspace.valueReleaser();
        pendingFrees(releaser.pendingCount());
        for (int i = 0; i < pendingFreeCount; i++)
        {
            pendingFrees[i] = releaser.pendingRoot(i);
        }
        pagesInUse = pages.pagesInUse();
        createdAtMs = System.currentTimeMillis();
        return this;
    }

    /** Dropped collections not yet freed at the instant: their roots (see Keyspace.ValueReleaser). */
    void pendingFrees(final int count)
    {
        if (pendingFrees.length < count)
        {
            pendingFrees = new long[Math.max(count, pendingFrees.length * 2)];
        }
        pendingFreeCount = count;
    }

    public int pendingFreeCount()
    {
        return pendingFreeCount;
    }

    long[] pendingFreeArray()
    {
        return pendingFrees;
    }

    void databases(final int count)
    {
        if (databases.length < count)
        {
            final DatabaseRoots[] grown = new DatabaseRoots[count];
            System.arraycopy(databases, 0, grown, 0, databases.length);
            for (int i = databases.length; i < count; i++)
            {
                grown[i] = new DatabaseRoots();
            }
            databases = grown;
        }
        databaseCount = count;
    }

    void createdAtMs(final long createdAtMs)
    {
        this.createdAtMs = createdAtMs;
    }

    void pagesInUse(final int pagesInUse)
    {
        this.pagesInUse = pagesInUse;
    }

    public PageTableImage pages()
    {
        return pages;
    }

    public DatabaseRoots database(final int index)
    {
        return databases[index];
    }

    DatabaseRoots[] databaseArray()
    {
        return databases;
    }

    public int databaseCount()
    {
        return databaseCount;
    }

    public long createdAtMs()
    {
        return createdAtMs;
    }

    /** The frames the snapshot holds: pages in use at the instant. */
    public int pagesInUse()
    {
        return pagesInUse;
    }

    /** Keys in all databases at the instant. */
    public long keys()
    {
        long keys = 0;
        for (int i = 0; i < databaseCount; i++)
        {
            keys += databases[i].keys();
        }
        return keys;
    }
}
