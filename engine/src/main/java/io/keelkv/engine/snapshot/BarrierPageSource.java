package io.keelkv.engine.snapshot;

import io.keelkv.engine.memory.WriteBarrier;
import org.agrona.UnsafeApi;

/**
 * The pages of a running background snapshot, as they were at its instant: each is claimed under the
 * {@link WriteBarrier} and copied into the writer's scratch by the agent itself, or, when the event loop
 * wrote it first, taken from the copy the loop preserved (then freed at once, so the extra memory of a
 * snapshot is only the pages written during it and not yet passed).
 *
 * <p>Snapshot agent thread only.
 */
public final class BarrierPageSource implements PageSource
{
    private final WriteBarrier barrier;
    private final int pageSizeBytes;

    public BarrierPageSource(final WriteBarrier barrier, final int pageSizeBytes)
    {
        this.barrier = barrier;
        this.pageSizeBytes = pageSizeBytes;
    }

    @Override
    public void copyPage(final int page, final long scratchAddress)
    {
        final long copy = barrier.claimForSnapshot(page, scratchAddress);
        if (copy == WriteBarrier.NO_COPY)
        {
            throw new IllegalStateException("the event loop had no memory to preserve page " + page +
                " before writing it: the snapshot cannot hold its instant");
        }
        if (copy != 0)
        {
            UnsafeApi.copyMemory(copy, scratchAddress, pageSizeBytes);
            barrier.freePreserved(page);
        }
    }

    @Override
    public void pageWritten(final int page)
    {
        // a preserved copy was freed as soon as it was in the scratch
    }
}
