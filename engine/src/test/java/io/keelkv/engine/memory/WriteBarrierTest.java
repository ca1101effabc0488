package io.keelkv.engine.memory;

import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

class WriteBarrierTest
{
    private static final int PAGE = 64 * 1024;

    private static PageTableImage begin(final PageMemory memory, final int epoch)
    {
        final PageTableImage image = new PageTableImage();
        memory.captureImage(image);
        memory.barrier().begin(epoch, image);
        return image;
    }

    @Test
    void shouldPreserveThePageContentOfTheSnapshotInstantWhenTheWriterComesFirst()
    {
        try (PageMemory memory = new PageMemory(PAGE, Long.MAX_VALUE))
        {
            final long handle = memory.allocate(100, false);
            memory.putLong(handle, 42);
            final WriteBarrier barrier = memory.barrier();
            begin(memory, 1);
            memory.putLong(handle, 43); // first write in epoch 1: the page is copied before it changes
            assertEquals(PAGE, barrier.preservedBytes());
            assertEquals(PAGE, memory.snapshotRetainedBytes());
            final long scratch = UnsafeApi.allocateMemory(PAGE);
            final long copy = barrier.claimForSnapshot(memory.pageOf(handle), scratch);
            assertTrue(copy > 0, "the agent must get the writer's preserved copy");
            final long offset = handle & (PAGE - 1);
            assertEquals(42, UnsafeApi.getLong(copy + offset));
            assertEquals(43, memory.getLong(handle));
            assertEquals(1, barrier.pagesPreservedByWriter());
            barrier.freePreserved(memory.pageOf(handle));
            assertEquals(0, barrier.preservedBytes());
            barrier.end();
            UnsafeApi.freeMemory(scratch);
        }
    }

    @Test
    void shouldLetTheAgentCopyAPageTheWriterHasNotTouched()
    {
        try (PageMemory memory = new PageMemory(PAGE, Long.MAX_VALUE))
        {
            final long handle = memory.allocate(100, false);
            memory.putLong(handle, 7);
            final WriteBarrier barrier = memory.barrier();
            begin(memory, 1);
            final int page = memory.pageOf(handle);
            final long scratch = UnsafeApi.allocateMemory(PAGE);
            assertEquals(0, barrier.claimForSnapshot(page, scratch));
            assertEquals(7, UnsafeApi.getLong(scratch + (handle & (PAGE - 1))));
            memory.putLong(handle, 8); // already DONE in this epoch: no copy
            assertEquals(0, barrier.pagesPreservedByWriter());
            assertEquals(1, barrier.pagesCopiedByAgent());
            barrier.end();
            UnsafeApi.freeMemory(scratch);
        }
    }

    @Test
    void shouldNotCopyAPageThatWasFreeAtTheInstantWhenItIsReused()
    {
        try (PageMemory memory = new PageMemory(PAGE, Long.MAX_VALUE))
        {
            final long keep = memory.allocate(100, false);
            final long span = memory.allocate(4L * PAGE, false);
            memory.free(span, 4L * PAGE); // four page numbers free at the instant
            begin(memory, 1);
            final long reused = memory.allocate(4L * PAGE, false);
            assertEquals(memory.pageOf(span), memory.pageOf(reused), "the free run is reused");
            memory.fill(reused, 4L * PAGE, (byte)9);
            final long small = memory.allocate(40_000, false); // and numbers above the instant's limit
            memory.fill(small, 40_000, (byte)1);
            assertEquals(0, memory.barrier().pagesPreservedByWriter());
            assertEquals(0, memory.snapshotRetainedBytes());
            memory.putLong(keep, 1); // a page in use at the instant is copied
            assertEquals(1, memory.barrier().pagesPreservedByWriter());
            memory.barrier().end();
            assertEquals(0, memory.snapshotRetainedBytes());
        }
    }

    @Test
    void shouldDeferTheReleaseOfABigValueTheAgentHasNotPassedInsteadOfCopyingIt()
    {
        try (PageMemory memory = new PageMemory(PAGE, Long.MAX_VALUE))
        {
            final long span = memory.allocate(64L * PAGE, false);
            memory.fill(span, 64L * PAGE, (byte)5);
            final int first = memory.pageOf(span);
            final WriteBarrier barrier = memory.barrier();
            final PageTableImage image = begin(memory, 1);
            memory.free(span, 64L * PAGE); // a DEL of a 4 MB value inside one command
            assertEquals(0, barrier.pagesPreservedByWriter(), "nothing copied");
            assertEquals(64, memory.deferredPages());
            assertEquals(64L * PAGE, memory.snapshotRetainedBytes());
            assertEquals(0, memory.allocatedBytes(), "the value is gone from the dataset");
            final long other = memory.allocate(64L * PAGE, false);
            assertNotEquals(first, memory.pageOf(other), "deferred page numbers are not reused");
            // the agent still reads the instant's bytes
            final long scratch = UnsafeApi.allocateMemory(PAGE);
            for (int i = 0; i < 63; i++)
            {
                assertEquals(0, barrier.claimForSnapshot(first + i, scratch));
                assertEquals(5, UnsafeApi.getByte(scratch + PAGE - 1));
            }
            assertEquals(0, memory.releaseDeferred(false), "not passed yet: one page left");
            assertEquals(0, barrier.claimForSnapshot(first + 63, scratch));
            assertEquals(64, memory.releaseDeferred(false));
            assertEquals(0, memory.snapshotRetainedBytes());
            barrier.end();
            UnsafeApi.freeMemory(scratch);
            assertNotNull(image);
        }
    }

    @Test
    void shouldFreeEveryCopyAndDeferredPageWhenASnapshotEndsEarly()
    {
        try (PageMemory memory = new PageMemory(PAGE, Long.MAX_VALUE))
        {
            final long[] handles = new long[32];
            for (int i = 0; i < handles.length; i++)
            {
                handles[i] = memory.allocate(40_000, false);
            }
            final long big = memory.allocate(8L * PAGE, false);
            begin(memory, 1);
            for (final long handle : handles)
            {
                memory.putLong(handle, 1);
            }
            memory.free(big, 8L * PAGE);
            assertEquals((32L + 8) * PAGE, memory.snapshotRetainedBytes());
            memory.barrier().end(); // the agent stopped (aborted) before taking any page
            assertEquals(0, memory.snapshotRetainedBytes());
            assertEquals(0, memory.barrier().preservedBytes());
            assertEquals(0, memory.deferredPages());
        }
    }

    @Test
    void shouldFailTheSnapshotRatherThanWaitWhenACopyCannotBeAllocated()
    {
        try (PageMemory memory = new PageMemory(PAGE, Long.MAX_VALUE))
        {
            final long a = memory.allocate(40_000, false);
            final long b = memory.allocate(40_000, false);
            memory.putLong(a, 1);
            memory.putLong(b, 2);
            final WriteBarrier barrier = memory.barrier();
            barrier.copyLimitForTest = 1;
            begin(memory, 1);
            memory.putLong(a, 10);
            assertFalse(barrier.failed());
            memory.putLong(b, 20); // no memory for its copy: the write goes on, the snapshot is doomed
            assertTrue(barrier.failed());
            assertEquals(20, memory.getLong(b));
            final long scratch = UnsafeApi.allocateMemory(PAGE);
            assertTrue(barrier.claimForSnapshot(memory.pageOf(a), scratch) > 0);
            assertEquals(WriteBarrier.NO_COPY, barrier.claimForSnapshot(memory.pageOf(b), scratch));
            barrier.end();
            assertEquals(0, barrier.preservedBytes());
            UnsafeApi.freeMemory(scratch);
            barrier.copyLimitForTest = Long.MAX_VALUE;
            begin(memory, 2);
            assertFalse(barrier.failed(), "a new snapshot starts clean");
            barrier.end();
        }
    }

    @Test
    void shouldNeverLetTheSnapshotSeeAWriteMadeAfterTheInstant() throws Exception
    {
        final long seed = System.nanoTime();
        System.out.println("shouldNeverLetTheSnapshotSeeAWriteMadeAfterTheInstant seed=" + seed);
        try (PageMemory memory = new PageMemory(PAGE, Long.MAX_VALUE))
        {
            final int pages = 200;
            final long[] handles = new long[pages];
            for (int i = 0; i < pages; i++)
            {
                handles[i] = memory.allocate(40_000, false); // one block per page (40 KB > half page: spans)
                memory.putLong(handles[i], 1);
            }
            for (int epoch = 1; epoch <= 20; epoch++)
            {
                final WriteBarrier barrier = memory.barrier();
                begin(memory, epoch);
                final int e = epoch;
                final CountDownLatch go = new CountDownLatch(1);
                final AtomicReference<String> failure = new AtomicReference<>();
                final Thread agent = new Thread(() ->
                {
                    final long scratch = UnsafeApi.allocateMemory(PAGE);
                    try
                    {
                        go.await();
                        for (int i = pages - 1; i >= 0; i--)
                        {
                            final int page = memory.pageOf(handles[i]);
                            final long copy = barrier.claimForSnapshot(page, scratch);
                            final long seen = UnsafeApi.getLong((copy > 0 ? copy : scratch) + (handles[i] & (PAGE - 1)));
                            if (seen != e)
                            {
                                failure.set("page " + page + " epoch " + e + " saw " + seen);
                            }
                            if (copy > 0)
                            {
                                barrier.freePreserved(page);
                            }
                        }
                    }
                    catch (final InterruptedException ex)
                    {
                        failure.set(ex.toString());
                    }
                    finally
                    {
                        UnsafeApi.freeMemory(scratch);
                    }
                });
                agent.start();
                go.countDown();
                for (int i = 0; i < pages; i++)
                {
                    memory.putLong(handles[i], e + 1); // races with the agent page by page
                }
                agent.join();
                barrier.end();
                assertNull(failure.get());
                assertEquals(0, barrier.preservedBytes(), "every copy freed");
            }
        }
    }
}
