package io.keelkv.engine.command;

/**
 * How a blocked client is served once one of its keys holds a value of the type it waits for: the pop it
 * asked for, run as the non-blocking command would run it. One instance per blocking command, made at bind
 * time (no allocation per block). Lists have theirs in {@code ListBlockingCommands}; a blocking sorted-set pop
 * (BZPOPMIN ...) plugs in the same way: its handler calls {@link CommandContext#block} with its own.
 */
@FunctionalInterface
public interface BlockedPop
{
    /**
     * Serve the client from key argument {@code keyArg}. {@code ctx} is the blocked client's: its arguments are
     * the copy kept since it blocked (so argument indexes are those of the original command), its writer the
     * client's, its database the one it blocked in. The key exists and holds the awaited type. Exactly one
     * reply is written; a change to the dataset is counted with {@link CommandContext#dirty} and logged through
     * {@link CommandContext#propagateAs} (Redis propagates the pop a blocked client got, never the blocking
     * command).
     */
    void serve(CommandContext ctx, int keyArg);
}
