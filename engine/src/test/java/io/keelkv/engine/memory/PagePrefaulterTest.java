package io.keelkv.engine.memory;

import org.agrona.concurrent.AgentTerminationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** The prefaulter touches every page in use once, changes no byte, and stops where the load has written. */
class PagePrefaulterTest
{
    private static final int PAGE = 64 * 1024;

    private final PageMemory memory = new PageMemory(PAGE, Long.MAX_VALUE);

    @AfterEach
    void close()
    {
        memory.close();
    }

    @Test
    void shouldTouchEveryPageInUseOnceAndChangeNoByte()
    {
        final long seed = System.nanoTime();
        System.out.println("shouldTouchEveryPageInUseOnceAndChangeNoByte seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        final List<long[]> blocks = new ArrayList<>();
        for (int i = 0; i < 2_000; i++)
        {
            // small blocks on slab pages, and spans of several pages
            final long size = i % 50 == 0 ? 3L * PAGE + random.nextInt(PAGE) : 1 + random.nextInt(2_000);
            final long handle = memory.allocate(size, false);
            final byte pattern = (byte)(1 + random.nextInt(255));
            memory.fill(handle, size, pattern);
            blocks.add(new long[] {handle, size, pattern});
        }

        final PagePrefaulter prefaulter = new PagePrefaulter(memory);
        final int work = runToTheEnd(prefaulter);

        assertEquals(memory.pagesInUseBytes(), prefaulter.touchedBytes());
        assertTrue(work > 0);
        for (final long[] block : blocks)
        {
            for (long at = 0; at < block[1]; at += 97)
            {
                assertEquals((byte)block[2], memory.getByte(block[0] + at), "byte changed at " + at + " of " + block[0]);
            }
        }
    }

    @Test
    void shouldStopWhereTheLoadHasWritten()
    {
        for (int i = 0; i < 40; i++)
        {
            memory.allocate(PAGE - 64, false); // one page each
        }
        final PagePrefaulter met = new PagePrefaulter(memory);
        met.written(memory.pageNumberLimit());
        assertEquals(0, runToTheEnd(met));
        assertEquals(0, met.touchedBytes());

        final PagePrefaulter half = new PagePrefaulter(memory);
        final int lastPage = memory.pageNumberLimit() - 1;
        half.written(lastPage - 10); // pages above it are left to the prefaulter
        runToTheEnd(half);
        assertTrue(half.touchedBytes() > 0 && half.touchedBytes() <= 10L * PAGE, "touched " + half.touchedBytes());
    }

    private static int runToTheEnd(final PagePrefaulter prefaulter)
    {
        int work = 0;
        for (int cycles = 0; cycles < 1_000_000; cycles++)
        {
            try
            {
                work += prefaulter.doWork();
            }
            catch (final AgentTerminationException ended)
            {
                return work;
            }
        }
        throw new AssertionError("the prefaulter never terminated");
    }
}
