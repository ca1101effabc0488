package io.keelkv.server.net;

import org.agrona.concurrent.IdleStrategy;

import java.util.function.LongSupplier;

/**
 * Idle strategies of the event loop (config {@code idle-strategy}). The loop's own duty cycle polls the
 * selector without blocking; what differs is what it does when a pass found nothing:
 * <ul>
 *   <li>{@code busy-spin}: nothing, poll again at once (lowest latency, burns a core: pin it);</li>
 *   <li>{@code yield}: {@link Thread#yield()};</li>
 *   <li>{@code backoff} (default): poll ten more passes, then for an <em>adaptive window</em> of at most
 *       {@code idle-spin-us} after the last work (default 20), then <em>block in the selector</em> until a
 *       socket is ready or the next timer is due. It costs no CPU when idle and still wakes on the first
 *       byte of a request, which a plain parking backoff cannot do;</li>
 *   <li>{@code sleep}: block in the selector for at most 1 ms at a time.</li>
 * </ul>
 *
 * <p>Why the window adapts. A loop that blocks pays a sleep and a wake-up per idle gap, and the client whose
 * write wakes it pays the wake-up in its own system time: with redis-benchmark at pipeline 1 on 2 cores the
 * loop slept once per 6 requests, and a 20 µs window (which covers almost every gap at saturation) served
 * lrange_100 8-10% faster (native-notes/event-loop.md). But a fixed window burns CPU under a light load,
 * where the gaps are longer than the window: an open-loop driver at 25% load on 2 cores had its p99 tripled
 * by a loop that kept polling. So the window doubles each time work arrived within it (the gaps are short:
 * polling saves the sleep) and halves each time it ran out (polling was wasted): gaps mostly shorter than
 * the window keep it at its cap, gaps mostly longer drive it to nothing but the ten polls, as before.
 */
public final class EventLoopIdleStrategy implements IdleStrategy
{
    /** What the strategy calls to wait for readiness: the loop processes ready keys inside it. */
    public interface Blocker
    {
        int block(long timeoutMs);
    }

    /** Polls before the clock is consulted, so that a short gap costs no clock reads. */
    private static final int SPINS = 10;
    /** The smallest window: below it a failure leaves only the ten polls, and a success grows from it. */
    private static final long MIN_WINDOW_NS = 1_000;

    private final String name;
    private final Blocker blocker;
    private final long maxBlockMs;
    private final LongSupplier nanoClock;
    private volatile long maxWindowNs;
    private long windowNs;
    private int idleCount;
    private long idleSinceNs;

    public EventLoopIdleStrategy(final String name, final Blocker blocker, final long maxBlockMs)
    {
        this(name, blocker, maxBlockMs, System::nanoTime);
    }

    EventLoopIdleStrategy(final String name, final Blocker blocker, final long maxBlockMs, final LongSupplier nanoClock)
    {
        switch (name)
        {
            case "busy-spin":
            case "yield":
            case "backoff":
            case "sleep":
                break;
            default:
                throw new IllegalArgumentException("idle-strategy must be busy-spin, yield, backoff or sleep: " + name);
        }
        this.name = name;
        this.blocker = blocker;
        this.maxBlockMs = Math.max(1, maxBlockMs);
        this.nanoClock = nanoClock;
    }

    /** backoff: the longest it polls after the last work before blocking (CONFIG SET idle-spin-us). */
    public void spinMicros(final long micros)
    {
        this.maxWindowNs = Math.max(0, micros) * 1000;
        this.windowNs = maxWindowNs;
    }

    /** backoff: the window now (tests). */
    long windowNanos()
    {
        return Math.min(windowNs, maxWindowNs);
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            if (idleCount > 0 && idleCount <= SPINS)
            {
                // work arrived while polling (not after a block): the gap was short, polling saved a sleep
                windowNs = Math.min(maxWindowNs, Math.max(MIN_WINDOW_NS, windowNs << 1));
            }
            idleCount = 0;
            return;
        }
        idle();
    }

    @Override
    public void idle()
    {
        switch (name)
        {
            case "busy-spin":
                Thread.onSpinWait();
                break;
            case "yield":
                Thread.yield();
                break;
            case "sleep":
                blocker.block(1);
                break;
            default:
                backoff();
                break;
        }
    }

    private void backoff()
    {
        if (idleCount < SPINS)
        {
            if (idleCount++ == 0)
            {
                idleSinceNs = nanoClock.getAsLong();
            }
            Thread.onSpinWait();
            return;
        }
        final long window = Math.min(windowNs, maxWindowNs);
        if (window > 0 && nanoClock.getAsLong() - idleSinceNs < window)
        {
            Thread.onSpinWait();
            return;
        }
        if (idleCount == SPINS)
        {
            // the window ran out once in this idle gap: polling was wasted, poll less next time
            idleCount++;
            windowNs = (window >> 1) < MIN_WINDOW_NS ? 0 : window >> 1;
        }
        if (blocker.block(maxBlockMs) > 0)
        {
            // the work was served inside the block: the next gap starts afresh, and this one was no success
            idleCount = 0;
        }
    }

    @Override
    public void reset()
    {
        idleCount = 0;
    }

    @Override
    public String alias()
    {
        return name;
    }
}
