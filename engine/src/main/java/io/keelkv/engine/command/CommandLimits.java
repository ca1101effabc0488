package io.keelkv.engine.command;

/**
 * The limits the commands apply to what clients send, set by the engine's owner from its settings (the
 * server's proto-max-bulk-len). Read on the owner thread by the handlers; no other command settings live here.
 */
public final class CommandLimits
{
    /** The longest string a command may build (SETRANGE, APPEND, DEBUG POPULATE): Redis's proto-max-bulk-len. */
    public long protoMaxBulkLen = 512L * 1024 * 1024;
}
