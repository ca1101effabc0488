package io.keelkv.engine.command;

/**
 * Decides whether a client may run a PROTECTED command (DEBUG behind enable-debug-command). The engine
 * knows the flag; only the embedder knows its configuration and whether a client is local, so the server
 * supplies the gate. The dispatcher asks it after the arity check and before authentication, in Redis 7's
 * order.
 */
@FunctionalInterface
public interface CommandGate
{
    /** Lets everything run: embedded use and AOF replay, which are in-process. */
    CommandGate ALLOW_ALL = (spec, client) -> null;

    /**
     * @return null when {@code client} may run {@code spec}, else the error reply (without '-').
     */
    String deny(CommandSpec spec, ClientContext client);
}
