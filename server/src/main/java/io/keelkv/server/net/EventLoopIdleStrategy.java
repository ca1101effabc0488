package io.keelkv.server.net;

import org.agrona.concurrent.IdleStrategy;

/**
 * Idle strategies of the event loop (config {@code idle-strategy}). The loop's own duty cycle polls the
 * selector without blocking; what differs is what it does when a pass found nothing:
 * <ul>
 *   <li>{@code busy-spin}: nothing, poll again at once (lowest latency, burns a core: pin it);</li>
 *   <li>{@code yield}: {@link Thread#yield()};</li>
 *   <li>{@code backoff} (default): poll ten more passes, and for {@code idle-spin-us} after the last work
 *       (default 0), then <em>block in the selector</em> until a socket is ready or the next timer is due.
 *       It costs no CPU when idle and still wakes on the first byte of a request, which a plain parking
 *       backoff cannot do. The spin phase is short by default: measured with the open-loop driver at 25%
 *       load on 2 cores, 100 spins + 10 yields gave p99 8.5 ms (the spinning loop competes with everything
 *       else for the CPU), 10 spins gave 2.9 ms; with redis-benchmark, windows of 20-200 µs changed
 *       nothing measurable (native-notes/event-loop.md). A longer window suits a loop with a core of its
 *       own;</li>
 *   <li>{@code sleep}: block in the selector for at most 1 ms at a time.</li>
 * </ul>
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

    private final String name;
    private final Blocker blocker;
    private final long maxBlockMs;
    private volatile long spinNs;
    private int idleCount;
    private long idleSinceNs;

    public EventLoopIdleStrategy(final String name, final Blocker blocker, final long maxBlockMs)
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
    }

    /** backoff: poll for this long after the last work before blocking (CONFIG SET idle-spin-us). */
    public void spinMicros(final long micros)
    {
        this.spinNs = Math.max(0, micros) * 1000;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
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
                if (idleCount < SPINS)
                {
                    if (idleCount++ == 0)
                    {
                        idleSinceNs = System.nanoTime();
                    }
                    Thread.onSpinWait();
                }
                else if (System.nanoTime() - idleSinceNs < spinNs)
                {
                    Thread.onSpinWait();
                }
                else if (blocker.block(maxBlockMs) > 0)
                {
                    idleCount = 0;
                }
                break;
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
