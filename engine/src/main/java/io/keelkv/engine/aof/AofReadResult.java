package io.keelkv.engine.aof;

import java.nio.file.Path;

/**
 * What {@link AofReader#read} found in one file: what kind of file it is, how many commands it delivered,
 * where the valid commands end and what, if anything, follows them.
 *
 * <p>Why the tail is a result and not an exception: whether a torn tail may be cut depends on
 * {@code aof-load-truncated} and on whether the file is the last of the manifest (Redis: "Fatal error: the
 * truncated file is not the last file"), which only the caller knows. The caller cuts nothing itself:
 * {@link MappedAppendFile#openForAppend} cuts the last file at {@link #validLength()} when it reopens it.
 */
public final class AofReadResult
{
    /** What the file holds. */
    public enum Kind
    {
        /** RESP commands (possibly none, possibly only zeros). */
        COMMANDS,
        /** A file of zero bytes (Redis's AOF_EMPTY): nothing to load. */
        EMPTY,
        /** Starts with "REDIS": a Redis RDB base (or RDB-preamble AOF), which KeelKV does not read. */
        REDIS_RDB,
        /** Starts with KeelKV's snapshot magic: a base for the snapshot reader, not for this one. */
        KEEL_SNAPSHOT
    }

    /** What follows the last complete command or transaction; {@link #torn()} says whether commands were lost. */
    public enum Tail
    {
        /** Nothing: the file ends right after a complete command or annotation. */
        NONE(false),
        /**
         * Only zeros: the unused, preallocated end of a {@link MappedAppendFile} chunk, which only a file
         * that was not closed has (a crash, or a file that is not the last one: the caller decides). Nothing lost.
         */
        ZERO_PADDING(false),
        /** An annotation line without its end (Redis skips it); no command lost, but it must be cut. */
        CUT_ANNOTATION(false),
        /** A command cut by the end of the file (Redis: "Unexpected end of file", a short read). */
        CUT_COMMAND(true),
        /** A command whose rest is zeros up to the end of the file: a crash before its pages were written. */
        CUT_INTO_ZEROS(true),
        /** A MULTI without its EXEC (Redis: "Revert incomplete MULTI/EXEC transaction"). */
        UNFINISHED_MULTI(true);

        private final boolean torn;

        Tail(final boolean torn)
        {
            this.torn = torn;
        }

        public boolean torn()
        {
            return torn;
        }
    }

    private final Path file;
    private final Kind kind;
    private final Tail tail;
    private final long commands;
    private final long startOffset;
    private final long validLength;
    private final long fileSize;

    AofReadResult(final Path file, final Kind kind, final Tail tail, final long commands, final long startOffset,
        final long validLength, final long fileSize)
    {
        this.file = file;
        this.kind = kind;
        this.tail = tail;
        this.commands = commands;
        this.startOffset = startOffset;
        this.validLength = validLength;
        this.fileSize = fileSize;
    }

    public Path file()
    {
        return file;
    }

    public Kind kind()
    {
        return kind;
    }

    public Tail tail()
    {
        return tail;
    }

    /** @return true if commands were dropped at the tail: load only with aof-load-truncated yes, last file only. */
    public boolean torn()
    {
        return tail.torn();
    }

    /** @return commands handed to the sink (MULTI and EXEC are not handed on, so not counted). */
    public long commands()
    {
        return commands;
    }

    /** @return the offset reading started at. */
    public long startOffset()
    {
        return startOffset;
    }

    /**
     * @return the end of the last complete command, annotation or transaction: the length to cut the file
     * to before appending. {@link #fileSize()} when the tail is {@link Tail#NONE}; 0 unless
     * {@link Kind#COMMANDS}.
     */
    public long validLength()
    {
        return validLength;
    }

    public long fileSize()
    {
        return fileSize;
    }

    /** @return a line for the log, in Redis's words where Redis has them. */
    public String describe()
    {
        switch (kind)
        {
            case EMPTY:
                return file + " is empty";
            case REDIS_RDB:
                return file + " starts with \"REDIS\": it is a Redis RDB file, which KeelKV does not read";
            case KEEL_SNAPSHOT:
                return file + " is a KeelKV snapshot, read by the snapshot reader";
            default:
                break;
        }
        final String loaded = commands + " commands from " + file + " [" + startOffset + ", " + validLength + ")";
        switch (tail)
        {
            case NONE:
                return loaded;
            case ZERO_PADDING:
                return loaded + ", then " + (fileSize - validLength) + " bytes of unused zeros";
            case CUT_ANNOTATION:
                return loaded + ", then an annotation cut at the end of the file";
            case UNFINISHED_MULTI:
                return loaded + "; Revert incomplete MULTI/EXEC transaction in AOF file " + file + ": " +
                    (fileSize - validLength) + " bytes from offset " + validLength;
            default:
                return loaded + "; short read while loading the AOF file " + file + ": " +
                    (tail == Tail.CUT_INTO_ZEROS ? "a command cut by zeros" : "a command cut by the end of the file") +
                    ", " + (fileSize - validLength) + " bytes from offset " + validLength;
        }
    }

    @Override
    public String toString()
    {
        return "AofReadResult{" + kind + ", " + tail + ", commands=" + commands + ", valid=[" + startOffset + ", " +
            validLength + "), size=" + fileSize + '}';
    }
}
