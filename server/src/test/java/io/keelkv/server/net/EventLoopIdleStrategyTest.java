package io.keelkv.server.net;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventLoopIdleStrategyTest
{
    private final AtomicInteger blocks = new AtomicInteger();

    private int block(final long timeoutMs)
    {
        blocks.incrementAndGet();
        return 0;
    }

    @Test
    void shouldBlockAfterTenPollsByDefault()
    {
        final EventLoopIdleStrategy idle = new EventLoopIdleStrategy("backoff", this::block, 100);
        for (int i = 0; i < 10; i++)
        {
            idle.idle(0);
        }
        assertEquals(0, blocks.get());
        idle.idle(0);
        assertEquals(1, blocks.get());
    }

    @Test
    void shouldKeepPollingForTheSpinWindowAfterTheLastWork()
    {
        final EventLoopIdleStrategy idle = new EventLoopIdleStrategy("backoff", this::block, 100);
        idle.spinMicros(20_000);
        final long start = System.nanoTime();
        idle.idle(1); // work: the window starts at the next idle pass
        while (blocks.get() == 0)
        {
            idle.idle(0);
        }
        final long waitedNs = System.nanoTime() - start;
        assertTrue(waitedNs >= 20_000_000L, "blocked after " + waitedNs + " ns");

        blocks.set(0);
        idle.idle(1);
        idle.spinMicros(0);
        for (int i = 0; i < 11; i++)
        {
            idle.idle(0);
        }
        assertEquals(1, blocks.get(), "CONFIG SET idle-spin-us 0 applies at once");
    }

    @Test
    void shouldHalveTheWindowWhenItRanOutAndDoubleItWhenWorkCameWithinIt()
    {
        final long[] now = {0};
        final EventLoopIdleStrategy idle = new EventLoopIdleStrategy("backoff", this::block, 100, () -> now[0]);
        idle.spinMicros(20);
        assertEquals(20_000, idle.windowNanos());

        // light load: each gap outlives the window, so each costs a wasted window and then a block
        for (int gap = 0; gap < 3; gap++)
        {
            idle.idle(1);
            idleUntilBlocked(idle, now);
        }
        assertEquals(3, blocks.get());
        assertEquals(2_500, idle.windowNanos(), "20 -> 10 -> 5 -> 2.5 us");
        for (int gap = 0; gap < 10; gap++)
        {
            idle.idle(1);
            idleUntilBlocked(idle, now);
        }
        assertEquals(0, idle.windowNanos(), "only the ten polls are left");

        // saturation: the work comes within the ten polls, and the window grows back to its cap
        for (int gap = 0; gap < 6; gap++)
        {
            idle.idle(1);
            idle.idle(0);
            idle.idle(0);
        }
        idle.idle(1);
        assertEquals(20_000, idle.windowNanos(), "1 -> 2 -> 4 -> 8 -> 16 -> 20 us");

        // work within the window (after the ten polls, before its end) blocks nothing and keeps the window
        final int blocked = blocks.get();
        for (int i = 0; i < 10; i++)
        {
            idle.idle(0);
        }
        now[0] += 15_000;
        idle.idle(0);
        idle.idle(1);
        assertEquals(blocked, blocks.get());
        assertEquals(20_000, idle.windowNanos());
    }

    private void idleUntilBlocked(final EventLoopIdleStrategy idle, final long[] now)
    {
        final int before = blocks.get();
        while (blocks.get() == before)
        {
            idle.idle(0);
            now[0] += 1_000;
        }
    }
}
