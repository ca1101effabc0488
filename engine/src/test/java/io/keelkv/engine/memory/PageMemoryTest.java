package io.keelkv.engine.memory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class PageMemoryTest
{
    private final PageMemory memory = new PageMemory(64 * 1024, Long.MAX_VALUE);

    @AfterEach
    void close()
    {
        memory.close();
    }

    @Test
    void shouldCountEveryReleaseSoThatCheckedBlockBoundsCanBeKept()
    {
        final long before = memory.blockReleases();
        final long a = memory.allocate(100, false);
        final long b = memory.allocate(100_000, false); // a span
        assertEquals(before, memory.blockReleases(), "allocating releases nothing: checked bounds still hold");
        memory.free(a, 100);
        assertEquals(before + 1, memory.blockReleases());
        memory.free(b, 100_000);
        assertEquals(before + 2, memory.blockReleases());
        memory.allocate(100, false);
        memory.reset();
        assertEquals(before + 3, memory.blockReleases(), "a reset releases every block");
    }

    @Test
    void shouldKeepTheNativeMemoryOfSpansFreedWhileHeldForAnotherThreadToGiveBack() throws Exception
    {
        final long span = memory.allocate(1 << 20, true);
        final long bytes = memory.allocatedBytes();
        memory.holdFreedRuns(true);
        memory.free(span, 1 << 20);
        memory.holdFreedRuns(false);
        assertEquals(bytes - (1 << 20), memory.allocatedBytes(), "the allocator's state changes at once");
        final long again = memory.allocate(1 << 20, true); // the page numbers are free again
        assertNotEquals(0, again);
        final long[] runs = memory.takeHeldRuns();
        assertNotNull(runs);
        assertEquals(1, runs.length, "the freed span's memory, not given back yet");
        assertNull(memory.takeHeldRuns(), "taken once");
        final Thread other = new Thread(() -> PageMemory.freeRuns(runs));
        other.start();
        other.join();
        memory.free(again, 1 << 20);
        assertNull(memory.takeHeldRuns(), "not held: given back at once");
    }

    @Test
    void shouldNeverHandOutTheNullHandle()
    {
        for (int i = 0; i < 10_000; i++)
        {
            assertNotEquals(PageMemory.NULL_HANDLE, memory.allocate(16, false));
        }
    }

    @Test
    void shouldKeepBlocksDisjointAndContentsIntactUnderRandomChurn()
    {
        final long seed = System.nanoTime();
        System.out.println("shouldKeepBlocksDisjointAndContentsIntactUnderRandomChurn seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        final Map<Long, long[]> live = new HashMap<>(); // handle -> {size, pattern}
        final List<Long> handles = new ArrayList<>();
        for (int step = 0; step < 200_000; step++)
        {
            if (handles.isEmpty() || random.nextInt(100) < 55)
            {
                final long size = random.nextInt(100) < 95 ? 1 + random.nextInt(600) : 1 + random.nextInt(300_000);
                final long handle = memory.allocate(size, false);
                assertNotEquals(PageMemory.NULL_HANDLE, handle);
                final byte pattern = (byte)random.nextInt(256);
                memory.fill(handle, size, pattern);
                assertNull(live.put(handle, new long[] {size, pattern}), "handle handed out twice: " + handle);
                handles.add(handle);
            }
            else
            {
                final int index = random.nextInt(handles.size());
                final long handle = handles.get(index);
                handles.set(index, handles.get(handles.size() - 1));
                handles.remove(handles.size() - 1);
                final long[] meta = live.remove(handle);
                assertPattern(handle, meta[0], (byte)meta[1]);
                memory.free(handle, meta[0]);
            }
        }
        for (final Map.Entry<Long, long[]> e : live.entrySet())
        {
            assertPattern(e.getKey(), e.getValue()[0], (byte)e.getValue()[1]);
        }
    }

    private void assertPattern(final long handle, final long size, final byte pattern)
    {
        // first, last and a middle byte: enough to catch overlapping blocks without O(n^2) time
        assertEquals(pattern, memory.getByte(handle));
        assertEquals(pattern, memory.getByte(handle + size - 1));
        assertEquals(pattern, memory.getByte(handle + size / 2));
    }

    @Test
    void shouldReturnPagesWhenEveryBlockIsFreed()
    {
        final List<Long> handles = new ArrayList<>();
        for (int i = 0; i < 100_000; i++)
        {
            handles.add(memory.allocate(64, false));
        }
        assertTrue(memory.pagesInUse() >= 100_000 * 64 / (64 * 1024));
        assertEquals(100_000L * 64, memory.allocatedBytes());
        for (final long handle : handles)
        {
            memory.free(handle, 64);
        }
        assertEquals(0, memory.pagesInUse());
        assertEquals(0, memory.allocatedBytes());
    }

    @Test
    void shouldAllocateSpansAsContiguousMemoryAcrossPages()
    {
        final long size = 5L * 64 * 1024 + 123;
        final long handle = memory.allocate(size, true);
        assertEquals(memory.address(handle) + size - 1, memory.address(handle + size - 1),
            "a span must be one contiguous region");
        assertEquals(0, memory.getByte(handle + size - 1));
        assertEquals(6, memory.pagesInUse());
        memory.free(handle, size);
        assertEquals(0, memory.pagesInUse());
    }

    @Test
    void shouldReusePageNumbersOfFreedSpans()
    {
        for (int i = 0; i < 1000; i++)
        {
            final long handle = memory.allocate(1 << 20, false);
            memory.free(handle, 1 << 20);
        }
        assertTrue(memory.pageNumberLimit() < 40, "page numbers leaked: " + memory.pageNumberLimit());
    }

    @Test
    void shouldRefuseAllocationBeyondTheLimitWithNullHandle()
    {
        try (PageMemory small = new PageMemory(64 * 1024, 16L * 64 * 1024))
        {
            int allocated = 0;
            while (small.allocate(32 * 1024, false) != PageMemory.NULL_HANDLE)
            {
                allocated++;
                assertTrue(allocated < 1000);
            }
            assertEquals(PageMemory.NULL_HANDLE, small.allocate(1 << 20, false));
        }
    }

    @Test
    void shouldRoundSmallSizesUpToTheirClass()
    {
        assertEquals(16, memory.blockBytes(1));
        assertEquals(64, memory.blockBytes(57));
        assertEquals(64, memory.blockBytes(64));
        assertEquals(72, memory.blockBytes(65));
        assertEquals(64 * 1024, memory.blockBytes(40_000));
    }

    // ------------------------------------------------------------------------------------------------
    // the guard: no access outside the pages in use ever reaches raw memory

    @Test
    void shouldRefuseWritesOutsideTheBlockRunTheyStartIn()
    {
        final long small = memory.allocate(100, false);
        final int pageSize = memory.pageSizeBytes();
        final long pageStart = small & -pageSize;
        // inside the slab page: allowed (the guard is per page or span, not per block)
        memory.fill(small, 100, (byte)1);
        memory.putLong(pageStart + pageSize - 8, 7L);
        // one byte past the slab page, a length that overflows the handle, a negative length
        assertThrows(PageAccessException.class, () -> memory.fill(pageStart + pageSize - 8, 9, (byte)0));
        assertThrows(PageAccessException.class, () -> memory.putLong(pageStart + pageSize - 4, 1L));
        assertThrows(PageAccessException.class, () -> memory.fill(small, Long.MAX_VALUE, (byte)0));
        assertThrows(PageAccessException.class, () -> memory.putBytes(small, new byte[8], 16, Long.MAX_VALUE - 4));
        assertThrows(PageAccessException.class, () -> memory.copy(small, small + 8, Long.MAX_VALUE));

        final long span = memory.allocate(3L * pageSize, false);
        memory.fill(span, 3L * pageSize, (byte)2);
        assertThrows(PageAccessException.class, () -> memory.fill(span, 3L * pageSize + 1, (byte)0));
        assertThrows(PageAccessException.class, () -> memory.copy(small, span + 3L * pageSize - 4, 8));
        assertThrows(PageAccessException.class, () -> memory.copy(span + 3L * pageSize - 4, small, 8));
        // the refused writes changed nothing
        assertPattern(span, 3L * pageSize, (byte)2);
        assertEquals(7L, memory.getLong(pageStart + pageSize - 8));
    }

    @Test
    void shouldRefuseAccessToPagesNotInUse()
    {
        final long handle = memory.allocate(64, false);
        final int pageSize = memory.pageSizeBytes();
        assertThrows(PageAccessException.class, () -> memory.putInt(0, 1));
        assertThrows(PageAccessException.class, () -> memory.putInt(-8, 1));
        assertThrows(PageAccessException.class, () -> memory.getLong(-8));
        assertThrows(PageAccessException.class, () -> memory.address(Long.MAX_VALUE));
        assertThrows(PageAccessException.class, () -> memory.putLong((long)memory.pageNumberLimit() * pageSize, 1L));
        assertThrows(PageAccessException.class, () -> memory.address((long)memory.pageNumberLimit() * pageSize + 8));

        final long span = memory.allocate(2L * pageSize, false);
        memory.free(span, 2L * pageSize); // its page numbers are free again, but below the limit
        assertThrows(PageAccessException.class, () -> memory.address(span));
        assertThrows(PageAccessException.class, () -> memory.address(span + pageSize + 16));
        assertThrows(PageAccessException.class, () -> memory.putLong(span, 1L));
        assertThrows(PageAccessException.class, () -> memory.getInt(span + 4));
        assertThrows(PageAccessException.class, () -> memory.getBytes(span, new byte[8], 0, 8));

        memory.free(handle, 64); // the last block of its slab page: the page is released
        assertThrows(PageAccessException.class, () -> memory.putLong(handle, 1L));
        assertThrows(PageAccessException.class, () -> memory.address(handle));
    }

    @Test
    void shouldRefuseToFreeWhatDoesNotStartABlockInUse()
    {
        final long a = memory.allocate(48, false);
        final long b = memory.allocate(48, false);
        final long span = memory.allocate(2L * memory.pageSizeBytes(), false);
        final long allocated = memory.allocatedBytes();
        assertThrows(PageAccessException.class, () -> memory.free(a + 8, 48));
        assertThrows(PageAccessException.class, () -> memory.free(span + memory.pageSizeBytes(), 1));
        assertThrows(PageAccessException.class, () -> memory.free(span + 16, 1));
        assertThrows(PageAccessException.class, () -> memory.free(0, 48));
        assertThrows(PageAccessException.class, () -> memory.free((long)memory.pageNumberLimit() << memory.pageShift(), 48));
        assertEquals(allocated, memory.allocatedBytes(), "a refused free changed the accounting");
        memory.free(a, 48);
        memory.free(b, 48);
        memory.free(span, 2L * memory.pageSizeBytes());
        assertEquals(0, memory.allocatedBytes());
    }

    @Test
    void shouldRefuseReadsIntoTooSmallAnArray()
    {
        final long handle = memory.allocate(64, false);
        assertThrows(IndexOutOfBoundsException.class, () -> memory.getBytes(handle, new byte[8], 4, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> memory.getBytes(handle, new byte[8], -1, 4));
    }

    @Test
    void shouldRefuseANegativeSizeAndASpanPastEveryPageNumberWithoutGrowingTheTable()
    {
        final long handle = memory.allocate(64, false);
        assertThrows(IllegalArgumentException.class, () -> memory.allocate(-1, false));
        assertThrows(IllegalArgumentException.class, () -> memory.allocate(Long.MIN_VALUE, false));
        final int limit = memory.pageNumberLimit();
        assertEquals(PageMemory.NULL_HANDLE, memory.allocate((long)PageMemory.MAX_PAGE_NUMBERS * memory.pageSizeBytes(), false));
        assertEquals(PageMemory.NULL_HANDLE, memory.allocate(Long.MAX_VALUE, false));
        assertEquals(limit, memory.pageNumberLimit(), "the page table did not grow for a refused request");
        memory.putLong(handle, 1L); // and the memory goes on
        assertNotEquals(PageMemory.NULL_HANDLE, memory.allocate(3L * memory.pageSizeBytes(), false));
    }
}
