package io.keelkv.engine.keyspace;

/**
 * Told when the keyspace itself removes a key (lazy or active expiry, eviction), before the entry is
 * freed, so that the AOF can log a DEL for it as Redis propagates one. Called on the owning thread.
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
}
