package io.keelkv.engine.memory;

/**
 * An access to page memory outside the pages in use: a size, offset or handle that a bug let through (a
 * client's number that overflowed, a handle read from a damaged page or file). Thrown by {@link PageMemory}'s
 * guard before any byte is touched, so the command that caused it fails with an error reply and the process,
 * the other clients and the data stay as they were.
 */
public final class PageAccessException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private PageAccessException(final String message)
    {
        super(message);
    }

    static PageAccessException outside(final long handle, final long length, final int pageNumberLimit)
    {
        return new PageAccessException("page memory access outside the pages in use: handle 0x" +
            Long.toHexString(handle) + ", length " + length + ", page numbers below " + pageNumberLimit);
    }

    static PageAccessException freePage(final long handle, final long length)
    {
        return new PageAccessException("page memory access to a free page: handle 0x" + Long.toHexString(handle) +
            ", length " + length);
    }

    static PageAccessException pastEnd(final long handle, final long length, final int runEnd)
    {
        return new PageAccessException("page memory access past the end of its page or span: handle 0x" +
            Long.toHexString(handle) + ", length " + length + ", block ends before page " + runEnd);
    }

    static PageAccessException notABlock(final long handle)
    {
        return new PageAccessException("free of 0x" + Long.toHexString(handle) + ", which does not start a block in use");
    }
}
