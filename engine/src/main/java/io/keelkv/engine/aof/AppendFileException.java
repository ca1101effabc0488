package io.keelkv.engine.aof;

import java.io.IOException;

/**
 * An append file could not be created, grown, mapped, synced or closed. The message names the file,
 * the byte range and the OS error; what was already made durable stays so (see {@link MappedAppendFile}).
 *
 * <p>Checked on purpose: every caller on the write path has to decide what Redis's rules say
 * (-MISCONF for writes, or exit under {@code appendfsync always}); none may swallow it.
 */
public class AppendFileException extends IOException
{
    private static final long serialVersionUID = 1L;

    public AppendFileException(final String message)
    {
        super(message);
    }

    public AppendFileException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
