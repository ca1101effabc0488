package io.keelkv.engine.memory;

import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class PageBackingTest
{
    private static final int SHIFT = 16;

    @Test
    void shouldMapARestoreInRegionsOfContiguousPages()
    {
        final PageBacking backing = new PageBacking(SHIFT, 64L << 20);
        final long[] pages = new long[PageBacking.REGION_PAGES + 10];
        assertTrue(backing.allocateForRestore(pages, 0, pages.length));
        assertEquals(2, backing.regionCount());
        for (int i = 1; i < PageBacking.REGION_PAGES; i++)
        {
            assertEquals(pages[i - 1] + (1L << SHIFT), pages[i], "page " + i + " follows the one before in its region");
        }
        final Set<Long> distinct = new HashSet<>();
        for (final long page : pages)
        {
            assertTrue(distinct.add(page));
            UnsafeApi.putLong(page, 42); // mapped and writable
            UnsafeApi.putLong(page + (1L << SHIFT) - 8, 42);
        }
        for (final long page : pages)
        {
            backing.releasePage(page);
        }
        assertEquals(0, backing.regionCount());
        assertEquals(0, backing.keptPages(), "a freed region leaves none of its pages behind for reuse");
    }

    @Test
    void shouldKeepARegionUntilItsLastPageIsReleasedAndReuseItsReleasedPagesFirst()
    {
        final PageBacking backing = new PageBacking(SHIFT, 64L << 20);
        final long[] pages = new long[8];
        assertTrue(backing.allocateForRestore(pages, 0, pages.length));
        assertEquals(1, backing.regionCount());
        for (int i = 0; i < 7; i++)
        {
            backing.releasePage(pages[i]);
        }
        assertEquals(1, backing.regionCount(), "one page of the region is still in use");
        assertEquals(7, backing.keptPages());
        final long reused = backing.allocatePage();
        assertTrue(reused >= pages[0] && reused <= pages[6], "a released region page is handed out before malloc");
        backing.releasePage(reused);
        backing.releasePage(pages[7]);
        assertEquals(0, backing.regionCount());
        assertEquals(0, backing.keptPages());
    }

    @Test
    void shouldRestoreIntoSparePagesFirst()
    {
        final PageBacking backing = new PageBacking(SHIFT, 64L << 20);
        final long spare = backing.allocatePage();
        backing.releasePage(spare);
        assertEquals(1, backing.keptPages());
        final long[] pages = new long[3];
        assertTrue(backing.allocateForRestore(pages, 0, pages.length));
        assertEquals(spare, pages[0]);
        assertEquals(1, backing.regionCount(), "the other two pages come in one region");
        for (final long page : pages)
        {
            backing.releasePage(page);
        }
        assertEquals(0, backing.regionCount());
        backing.trimSpares();
        assertEquals(0, backing.keptPages());
    }

    @Test
    void shouldFreeEveryRegionWhenAPageMemoryIsReset()
    {
        final PageMemory memory = new PageMemory();
        final long[] handles = new long[20_000];
        for (int i = 0; i < handles.length; i++)
        {
            handles[i] = memory.allocate(100, false);
            memory.putLong(handles[i], i);
        }
        final PageTableImage image = new PageTableImage();
        memory.captureImage(image);
        final long pages = memory.pagesInUse();
        final PageMemory restored = new PageMemory();
        assertNull(restored.restore(image));
        assertEquals(pages, restored.pagesInUse());
        assertEquals(1, restored.restoreRegions());
        restored.reset();
        assertEquals(0, restored.restoreRegions(), "no region outlives the pages it held");
        restored.close();
        memory.close();
    }
}
