package io.keelkv.server.net;

/**
 * When a connection's query buffer may grow, by how much, and when its client is closed instead
 * ({@code client-query-buffer-limit}). {@link Connection} has the mechanics (compact, reallocate, shrink
 * when idle); this is the policy the event loop applies before a read and when a request is incomplete.
 *
 * <p>Grow with the bytes that arrive, never ahead of them: a bulk header alone must not make the server
 * reserve (and zero, as direct buffers are zeroed) 512 MB, so a big argument doubles the buffer step by
 * step and the last step is exactly the request's size (copying stays O(n)). A request that no query
 * buffer may hold, over the limit or over the 2 GB a buffer can be, is refused at once rather than after
 * growing towards it. A request still incomplete once the buffered bytes reach the limit closes the client
 * too (a line with no end, for one). A refused allocation closes only that client (Connection records why, for the log).
 *
 * <p>Static and allocation-free: the loop calls it before every read, on its per-request path.
 */
final class QueryBufferGrowth
{
    private QueryBufferGrowth()
    {
    }

    /**
     * Room for the next socket read: a quarter of the buffer, at most its initial size, compacting before
     * growing. False when that would pass {@code limit} or the memory was refused: close the client.
     */
    static boolean roomForRead(final Connection c, final long limit)
    {
        return c.ensureRoom(Math.min(Connection.INITIAL_BUFFER_BYTES, Math.max(1, c.in.capacity() / 4)), limit);
    }

    /**
     * The request at the connection's readIndex is incomplete and the decoder needs {@code needed} bytes
     * for it in all (0 when it cannot tell yet). Grow towards that size, or leave the buffer as it
     * is. False when the client must be closed instead.
     */
    static boolean roomForIncomplete(final Connection c, final long needed, final long limit)
    {
        if (needed > 0 && needed > c.in.capacity() - c.readIndex)
        {
            final long target = Math.min(needed, Math.max(2L * c.in.capacity(), 4L * Connection.INITIAL_BUFFER_BYTES));
            return needed <= limit && needed <= Connection.MAX_BUFFER_BYTES && c.growTo(target, limit);
        }
        return c.pendingInput() < limit;
    }
}
