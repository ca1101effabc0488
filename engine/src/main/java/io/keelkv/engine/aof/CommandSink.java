package io.keelkv.engine.aof;

import io.keelkv.engine.resp.Args;

/**
 * Receives the commands {@link AofReader} reads from a file, in file order. An interface and not the
 * dispatcher itself so that the reader knows nothing of commands: the server's sink replays into the
 * engine, tests record, a checker counts.
 */
@FunctionalInterface
public interface CommandSink
{
    /**
     * @param args   the command; valid only during this call (it points into the reader's buffer, which
     *               the next command overwrites).
     * @param offset of the command's {@code *} in the file.
     * @throws AofReadException to stop loading, e.g. for a command the engine does not know (Redis:
     *                          "Unknown command '%s' reading the append only file").
     */
    void onCommand(Args args, long offset) throws AofReadException;
}
