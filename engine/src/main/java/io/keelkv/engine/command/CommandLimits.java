package io.keelkv.engine.command;

/**
 * The limits and encoding thresholds the commands apply, set by the engine's owner from its settings (the
 * server's proto-max-bulk-len and *-max-listpack-* directives). Read on the owner thread by the handlers at
 * each command, so a CONFIG SET applies to the next write, as in Redis.
 */
public final class CommandLimits
{
    /** The longest string a command may build (SETRANGE, APPEND, DEBUG POPULATE): Redis's proto-max-bulk-len. */
    public long protoMaxBulkLen = 512L * 1024 * 1024;
    /** client-query-buffer-limit: also the most a transaction's queued commands may hold (MultiState). */
    public long queryBufferLimit = 1024L * 1024 * 1024;
    /** hash-max-listpack-entries: a hash with more fields leaves the listpack encoding. */
    public long hashMaxListpackEntries = 512;
    /** hash-max-listpack-value: a field or value longer than this makes a hash leave the listpack encoding. */
    public long hashMaxListpackValue = 64;
    /** set-max-intset-entries: a set with more members leaves the intset encoding. */
    public long setMaxIntsetEntries = 512;
    /** list-max-listpack-size: positive, entries per quicklist node; -1..-5, node bytes 4..64 KB (-2: 8 KB). */
    public int listMaxListpackSize = -2;
    /** zset-max-listpack-entries: a sorted set with more members leaves the listpack encoding. */
    public long zsetMaxListpackEntries = 128;
    /** zset-max-listpack-value: a member longer than this makes a sorted set leave the listpack encoding. */
    public long zsetMaxListpackValue = 64;
}
