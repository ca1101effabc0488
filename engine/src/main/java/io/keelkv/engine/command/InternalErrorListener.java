package io.keelkv.engine.command;

/**
 * Told when a command handler threw: a bug (a guard of the page memory that fired, a refused allocation),
 * never a client's mistake, which gets its Redis error instead. The server logs it; the default writes one
 * line to standard error.
 */
@FunctionalInterface
public interface InternalErrorListener
{
    InternalErrorListener STDERR = (command, error, datasetChanged) -> System.err.println(describe(command, error,
        datasetChanged));

    /**
     * @param command        the command's full name (lower case, {@code config|set} for a subcommand).
     * @param error          what the handler threw.
     * @param datasetChanged true when the handler had changed the dataset before it threw (the change stays,
     *                       and is not propagated to the AOF).
     */
    void onInternalError(String command, Throwable error, boolean datasetChanged);

    /** One log line: the error and its stack, frames joined by " <- ", the innermost first. */
    static String describe(final String command, final Throwable error, final boolean datasetChanged)
    {
        final StringBuilder line = new StringBuilder(256).append("internal error in '").append(command)
            .append("' command").append(datasetChanged ? " (after it changed the dataset)" : "").append(": ")
            .append(error);
        final StackTraceElement[] frames = error.getStackTrace();
        for (int i = 0; i < Math.min(frames.length, 24); i++)
        {
            line.append(i == 0 ? " at " : " <- ").append(frames[i]);
        }
        if (frames.length > 24)
        {
            line.append(" <- ... ").append(frames.length - 24).append(" more");
        }
        return line.toString();
    }
}
