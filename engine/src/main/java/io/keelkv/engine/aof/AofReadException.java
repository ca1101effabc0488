package io.keelkv.engine.aof;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An AOF file cannot be loaded: it is damaged, holds more than KeelKV reads, could not be read, or a
 * command in it was refused. Never a torn tail: a cut or zero-filled end is a normal outcome of
 * {@link AofReader#read}, reported in its {@link AofReadResult}, because only the caller knows whether
 * {@code aof-load-truncated} allows cutting it and whether the file is the last one.
 *
 * <p>Checked on purpose: the server must stop on it, as Redis exits on "Bad file format reading the
 * append only file"; the message names the file, the offset of the damage and, when known, the length
 * up to which the file is valid (what {@code redis-check-aof --fix} would keep).
 */
public class AofReadException extends IOException
{
    private static final long serialVersionUID = 1L;

    /** What went wrong; each maps to one of Redis's loader outcomes, named in the message. */
    public enum Reason
    {
        /** Redis: "Bad file format reading the append only file". */
        BAD_FORMAT("Bad file format reading the append only file"),
        /**
         * Zeros where a command or its next part should be, followed by more data: a crash can leave this
         * hole when pages reach the disk out of order, but what follows it cannot be trusted, and Redis
         * 7.0 calls it a bad format too.
         */
        ZEROS_BEFORE_DATA("Bad file format reading the append only file"),
        /** An argument longer than proto-max-bulk-len, or a command longer than one read buffer. */
        TOO_LARGE("Bad file format reading the append only file"),
        /** MULTI inside a transaction (redis-check-aof: "Unexpected MULTI"). */
        NESTED_MULTI("Bad file format reading the append only file"),
        /** EXEC outside a transaction (redis-check-aof: "Unexpected EXEC"). */
        EXEC_WITHOUT_MULTI("Bad file format reading the append only file"),
        /** The file does not exist (Redis: "The append log file ... doesn't exist"). */
        NO_SUCH_FILE("Cannot open the append only file"),
        /** Open or read failed (Redis: "Unrecoverable error reading the append only file"). */
        READ_ERROR("Unrecoverable error reading the append only file"),
        /** The command sink refused a command (Redis: "Unknown command ... reading the append only file"). */
        REFUSED("Cannot replay a command of the append only file");

        private final String redisWords;

        Reason(final String redisWords)
        {
            this.redisWords = redisWords;
        }

        public String redisWords()
        {
            return redisWords;
        }
    }

    private final Path file;
    private final long offset;
    private final long validLength;
    private final Reason reason;
    private final String detail;

    /**
     * @param file        the AOF file.
     * @param offset      where the problem is (the byte, or the command a sink refused).
     * @param validLength the end of the last complete command or transaction before it, or -1 if unknown.
     * @param reason      what kind of problem.
     * @param detail      what exactly, for the log.
     * @param cause       the underlying failure, or null.
     */
    public AofReadException(final Path file, final long offset, final long validLength, final Reason reason,
        final String detail, final Throwable cause)
    {
        super(message(file, offset, validLength, reason, detail), cause);
        this.file = file;
        this.offset = offset;
        this.validLength = validLength;
        this.reason = reason;
        this.detail = detail;
    }

    /** For a {@link CommandSink} that refuses the command at {@code offset}. */
    public AofReadException(final Path file, final long offset, final String detail)
    {
        this(file, offset, -1, Reason.REFUSED, detail, null);
    }

    public Path file()
    {
        return file;
    }

    /** @return the byte offset of the problem in {@link #file()}. */
    public long offset()
    {
        return offset;
    }

    /**
     * @return the end of the last complete command or transaction before the problem (redis-check-aof's
     * {@code ok_up_to}), or -1 when not known.
     */
    public long validLength()
    {
        return validLength;
    }

    public Reason reason()
    {
        return reason;
    }

    public String detail()
    {
        return detail;
    }

    private static String message(final Path file, final long offset, final long validLength, final Reason reason,
        final String detail)
    {
        final StringBuilder sb = new StringBuilder(reason.redisWords()).append(' ').append(file)
            .append(" at offset ").append(offset).append(": ").append(detail);
        if (validLength >= 0)
        {
            sb.append(" (the file is valid up to ").append(validLength).append(" bytes");
            if (reason != Reason.READ_ERROR && reason != Reason.NO_SUCH_FILE && reason != Reason.REFUSED)
            {
                sb.append("; make a backup of it, then redis-check-aof --fix cuts it there, losing what follows");
            }
            sb.append(')');
        }
        return sb.toString();
    }
}
