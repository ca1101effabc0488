package io.keelkv.engine.keyspace;

/**
 * Told when the keyspace itself removes a key (lazy or active expiry, eviction), before the entry is
 * freed, so that the AOF can log a DEL for it as Redis propagates one, and WATCH can see the change. Called on the owning thread.
 */
public interface KeyspaceListener
{
    KeyspaceListener NONE = new KeyspaceListener()
    {
    };

    default void onExpired(final Database db, final long entryHandle)
    {
    }

    default void onEvicted(final Database db, final long entryHandle)
    {
    }

    /** Tell {@code first}, then {@code second}. */
    static KeyspaceListener both(final KeyspaceListener first, final KeyspaceListener second)
    {
        return new KeyspaceListener()
        {
            @Override
            public void onExpired(final Database db, final long entryHandle)
            {
                first.onExpired(db, entryHandle);
                second.onExpired(db, entryHandle);
            }

            @Override
            public void onEvicted(final Database db, final long entryHandle)
            {
                first.onEvicted(db, entryHandle);
                second.onEvicted(db, entryHandle);
            }
        };
    }
}
