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
}
