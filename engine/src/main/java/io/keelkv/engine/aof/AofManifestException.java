package io.keelkv.engine.aof;

import java.io.IOException;

/**
 * An AOF manifest could not be read, parsed, written, or does not agree with the files of its directory.
 *
 * <p>Why a class of its own: Redis exits on every one of these at startup, and so must the AOF; the caller
 * needs Redis's own words ({@link #reason()}, for the log and for tests held against redis-server) apart from
 * where they apply (the file, and the line when the format is at fault). The message holds both. Checked,
 * as {@link AppendFileException} is: no caller may go on with a manifest it could not trust.
 */
public class AofManifestException extends IOException
{
    private static final long serialVersionUID = 1L;

    private final String reason;
    private final int line;

    /**
     * A format error at a line of a manifest, as Redis reports it while loading.
     *
     * @param reason   Redis's error string, e.g. {@code Found duplicate base file information}.
     * @param source   the manifest: its path, or whatever named the text that was parsed.
     * @param line     1-based line (as Redis counts them, see {@link AofManifest}); 0 when none applies.
     * @param lineText the line, trimmed as Redis shows it; null when Redis shows none.
     */
    public AofManifestException(final String reason, final String source, final int line, final String lineText)
    {
        super(reason + " in " + source + (line > 0 ? " at line " + line : "") +
            (lineText != null ? ": '" + lineText + "'" : ""));
        this.reason = reason;
        this.line = line;
    }

    /**
     * A failure that is not about a line: I/O, or the files of the directory.
     *
     * @param reason  what failed, in Redis's words where Redis has them.
     * @param message the full message, naming the file.
     * @param cause   the I/O error, or null.
     */
    public AofManifestException(final String reason, final String message, final Throwable cause)
    {
        super(message, cause);
        this.reason = reason;
        this.line = 0;
    }

    /** Redis's words for the failure, without file or line: what redis-server logs as the last line. */
    public String reason()
    {
        return reason;
    }

    /** The 1-based line of the manifest at fault, or 0. */
    public int line()
    {
        return line;
    }
}
