package io.keelkv.engine.aof;

/**
 * What the AOF tells its owner (the server's log, and its exit under {@code appendfsync always}). Called on
 * the owner thread, from {@link AofControl#afterPass()} or the call that failed.
 */
public interface AofListener
{
    AofListener NONE = new AofListener()
    {
    };

    /** An append failed (disk full, file size limit): writes get -MISCONF until a retry succeeds. */
    default void onWriteError(final AppendFileException error)
    {
    }

    /** A retried append succeeded: Redis's "AOF write error looks solved, Redis can write again." */
    default void onWriteRecovered()
    {
    }

    /** An msync failed: nothing more of this file will ever be durable. */
    default void onSyncFailed(final AppendFileException error)
    {
    }

    /** A rewrite ended: the manifest names the new base ({@code ok}), or it failed and the old files stay. */
    default void onRewriteDone(final boolean ok, final String detail)
    {
    }

    /**
     * Under {@code appendfsync always} a write or sync failed: Redis exits, since it cannot keep its promise
     * that a reply means the write is on disk. The owner stops the process.
     */
    default void onFatal(final String message)
    {
    }
}
