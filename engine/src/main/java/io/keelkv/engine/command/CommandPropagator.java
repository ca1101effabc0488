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

    /**
     * Why write commands are refused now (the AOF cannot write or sync: Redis's "-MISCONF Errors writing to
     * the AOF file: ..."), without the leading '-'; null when they are not. Called for every write command:
     * it must not allocate when it returns null.
     */
    default String writeRefusal()
    {
        return null;
    }
}
