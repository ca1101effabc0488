package io.keelkv.engine.snapshot;

/**
 * Where the snapshot writer gets each page's bytes as they were at the snapshot instant.
 *
 * <p>The writer asks for every page the instant's {@link SnapshotImage} says is in use, in page-number
 * order, one at a time: {@link #copyPage} then, once the frame is written, {@link #pageWritten}. The
 * foreground SAVE uses {@link LivePageSource}: the engine thread is the one writing, nothing changes under
 * it, so the live page is the instant's page. The background snapshot (BGSAVE) runs the same writer on
 * the snapshot agent's thread with a source over {@code WriteBarrier}: {@code copyPage} claims the page
 * ({@code claimForSnapshot}) and copies it into the scratch, or copies the writer's preserved copy when the
 * event loop claimed it first; {@code pageWritten} frees that preserved copy ({@code freePreserved}).
 */
public interface PageSource
{
    /**
     * Copy page {@code page} as it was at the instant into {@code scratchAddress} (page size bytes).
     *
     * @param page           a page number in use at the instant.
     * @param scratchAddress the writer's scratch buffer, one page long.
     */
    void copyPage(int page, long scratchAddress);

    /**
     * The frame of {@code page} has been written: anything kept for it may go.
     *
     * @param page the page number just written.
     */
    void pageWritten(int page);
}
