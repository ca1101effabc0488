package io.keelkv.engine.command;

/**
 * Executes one command: reads its arguments from {@link CommandContext#args()}, changes the keyspace,
 * writes exactly one reply to {@link CommandContext#out()}. Arity, authentication, OOM and AOF are the
 * dispatcher's business, never the handler's.
 */
@FunctionalInterface
public interface CommandHandler
{
    void execute(CommandContext ctx);
}
