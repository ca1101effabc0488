package io.keelkv.engine.snapshot;

import io.keelkv.engine.memory.PageMemory;
import org.agrona.UnsafeApi;

/**
 * The live pages as the source of a foreground snapshot: valid only while the thread that owns the page
 * memory is the one writing the snapshot, so that no page changes between the instant and its frame.
 */
public final class LivePageSource implements PageSource
{
    private final PageMemory memory;

    public LivePageSource(final PageMemory memory)
    {
        this.memory = memory;
    }

    @Override
    public void copyPage(final int page, final long scratchAddress)
    {
        UnsafeApi.copyMemory(memory.pageAddress(page), scratchAddress, memory.pageSizeBytes());
    }

    @Override
    public void pageWritten(final int page)
    {
        // nothing was kept: the live page is the source
    }
}
