package io.keelkv.engine.command;

/**
 * What the engine needs to know of the client a command runs for. The server's session implements it;
 * AOF replay and embedded use have their own small implementation ({@link LocalClient}).
 */
public interface ClientContext
{
    long id();

    /** The selected database. */
    int db();

    void db(int index);

    /** 2 or 3 (RESP version after HELLO). */
    int protocol();

    boolean authenticated();

    /** True for the AOF loader: no replies, no OOM, no propagation. */
    default boolean isReplay()
    {
        return false;
    }

    /**
     * The client's reusable blocking state, or null when it never blocks: embedded use and AOF replay, and
     * a client whose EXEC is running; its blocking commands then answer at once as if
     * timed out, as Redis does for a client with CLIENT_DENY_BLOCKING.
     */
    default BlockingState blockingState()
    {
        return null;
    }

    /** The client's transaction and watches, or null when it has used neither (or cannot). */
    default MultiState multiState()
    {
        return null;
    }

    /**
     * The client's transaction state, made at its first MULTI or WATCH; null when this client cannot hold
     * one (embedded use, AOF replay).
     */
    default MultiState openMultiState()
    {
        return null;
    }

    /**
     * Close this client once its pending replies are written (its reply stream can no longer be trusted,
     * e.g. a handler failed after part of its reply was sent). Clients without a connection ignore it.
     */
    default void closeAfterReply()
    {
    }
}
