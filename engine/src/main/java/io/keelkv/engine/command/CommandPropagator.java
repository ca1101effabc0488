package io.keelkv.engine.command;

import io.keelkv.engine.resp.Args;

/**
 * Receives every command that changed the dataset, after it ran, with the database it ran in. The AOF
 * appender implements it; only the {@link Dispatcher} calls it (Redis's call() rule). A handler whose
 * effect depends on time or randomness rewrites itself first with {@link Dispatcher#propagateAs}.
 */
public interface CommandPropagator
{
    CommandPropagator NONE = (db, args) -> { };

    void propagate(int db, Args args);
}
