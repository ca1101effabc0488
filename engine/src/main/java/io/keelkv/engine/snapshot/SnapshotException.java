package io.keelkv.engine.snapshot;

import java.io.IOException;

/**
 * A snapshot could not be written, or a snapshot file was refused. The message names the file, and for a
 * refused file the byte offset and what was expected there; the target file of a failed save is the
 * previous snapshot, untouched, and an engine whose load was refused is empty.
 *
 * <p>Checked on purpose, as {@code AppendFileException}: the caller must decide what Redis's rules say (an
 * error reply to SAVE, no exit on SHUTDOWN, a refused start), and none may swallow it.
 */
public class SnapshotException extends IOException
{
    private static final long serialVersionUID = 1L;

    private final long offset;

    public SnapshotException(final String message)
    {
        this(message, -1, null);
    }

    public SnapshotException(final String message, final Throwable cause)
    {
        this(message, -1, cause);
    }

    public SnapshotException(final String message, final long offset, final Throwable cause)
    {
        super(message, cause);
        this.offset = offset;
    }

    /** @return the byte offset in the file where reading stopped, or -1 when it does not apply. */
    public long offset()
    {
        return offset;
    }
}
