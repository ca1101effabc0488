package io.keelkv.engine.types;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.keyspace.ObjectType;
import io.keelkv.engine.memory.PageMemory;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * What a snapshot of an older format version may not hold, because its layout inside the pages changed since
 * (the snapshot package restores pages as they are and knows no type: see SnapshotHeaderDescriptor).
 *
 * <p>Version 1 laid the score tree's nodes out without a leaf slot directory or an inner total. A sorted set
 * in the big encoding, live or still being freed, cannot be read from such a file; everything else can. So a
 * version 1 file is served when it holds none, and refused whole otherwise: never a dataset with some sorted
 * sets unreadable. The walk is O(keys), once, and only for version 1 files.
 */
public final class OlderSnapshotFormats
{
    private OlderSnapshotFormats()
    {
    }

    /** @return why {@code keyspace}, restored from a file of {@code version}, cannot be served; null if it can. */
    public static String refusal(final int version, final Keyspace keyspace)
    {
        if (version != 1)
        {
            return null;
        }
        final PageMemory memory = keyspace.memory();
        final EntryFlyweight entry = new EntryFlyweight(memory);
        final long[] trees = new long[1];
        for (int i = 0; i < keyspace.databaseCount(); i++)
        {
            keyspace.database(i).forEach(handle ->
            {
                entry.wrap(handle);
                if (entry.type() == ObjectType.ZSET && entry.encoding() == ObjectType.ENCODING_SKIPLIST)
                {
                    trees[0]++;
                }
            });
        }
        final Keyspace.ValueReleaser releaser = keyspace.valueReleaser();
        for (int i = 0; i < releaser.pendingCount(); i++)
        {
            final long root = releaser.pendingRoot(i);
            if (ZsetSkiplist.isZsetRoot(memory, root) &&
                memory.getLong(root + ZsetRootDescriptor.TREE_OFFSET) != NULL_HANDLE)
            {
                trees[0]++;
            }
        }
        return trees[0] == 0 ? null : "holds " + trees[0] + " sorted set" + (trees[0] == 1 ? "" : "s") +
            " in the skiplist encoding, whose score tree layout changed in format version 2 (this KeelKV reads " +
            "none of them); load it with the KeelKV that wrote it and save their members another way (ZRANGE, " +
            "or BGREWRITEAOF with aof-use-rdb-preamble no)";
    }
}
