package io.keelkv.engine.memory;

import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

class WriteBarrierTest
{
    private static final int PAGE = 64 * 1024;

    @Test
    void shouldPreserveThePageContentOfTheSnapshotInstantWhenTheWriterComesFirst()
    {
        try (PageMemory memory = new PageMemory(PAGE, Long.MAX_VALUE))
        {
            final long handle = memory.allocate(100, false);
            memory.putLong(handle, 42);
            final WriteBarrier barrier = memory.barrier();
            barrier.begin(1);
            memory.putLong(handle, 43); // first write in epoch 1: the page is copied before it changes
            final long scratch = UnsafeApi.allocateMemory(PAGE);
            final long copy = barrier.claimForSnapshot(memory.pageOf(handle), scratch, memory.pageAddress(memory.pageOf(handle)));
            assertTrue(copy > 0, "the agent must get the writer's preserved copy");
            final long offset = handle & (PAGE - 1);
            assertEquals(42, UnsafeApi.getLong(copy + offset));
            assertEquals(43, memory.getLong(handle));
            assertEquals(1, barrier.pagesPreservedByWriter());
            barrier.freePreserved(memory.pageOf(handle));
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
            barrier.begin(1);
            final int page = memory.pageOf(handle);
            final long scratch = UnsafeApi.allocateMemory(PAGE);
            assertEquals(0, barrier.claimForSnapshot(page, scratch, memory.pageAddress(page)));
            assertEquals(7, UnsafeApi.getLong(scratch + (handle & (PAGE - 1))));
            memory.putLong(handle, 8); // already DONE in this epoch: no copy
            assertEquals(0, barrier.pagesPreservedByWriter());
            barrier.end();
            UnsafeApi.freeMemory(scratch);
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
                barrier.begin(epoch);
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
                            final long copy = barrier.claimForSnapshot(page, scratch, memory.pageAddress(page));
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
            }
        }
    }
}
