package io.keelkv.server.net;

import io.keelkv.engine.KeelEngine;

/**
 * The event loop's timers: the cron tick ({@code hz} times a second) and how long the loop may block.
 *
 * <p>Order inside a tick: the engine's cron first (active expiry, incremental rehash, table shrinking, the
 * background snapshot's poll and the save points), then the client timeouts, then the server's listener
 * (INFO's samples). The next tick is scheduled from the
 * moment this one starts, on the monotonic clock; the timeouts compare wall-clock times, as the sessions
 * record them.
 *
 * <p>Client timeouts. An idle {@code timeout} never closes a blocked client (its own timeout is
 * BlockingKeys's, and Redis exempts it as well). A client whose pending replies have stayed over the soft
 * output limit (the loop's flush records since when, and clears it once under) for longer than the soft
 * seconds is closed as the hard limit closes one. With neither limit set the tick walks no connection.
 *
 * <p>The blocking wait ({@link #msUntilDue()}) ends at the next tick or at the earliest blocked client's
 * deadline, whichever is first, so a pop's timeout fires on time with no traffic; and never less than
 * 1 ms, as the selector takes a timeout of 0 for no timeout at all, which a deadline already passed (or
 * under a millisecond away) would otherwise ask for. Loop thread only.
 */
final class LoopCron
{
    private final KeelEngine engine;
    private final EventLoopAgent.Limits limits;
    private final ConnectionTable connections;
    private EventLoopAgent.CronListener listener = nowMs -> { };
    private long nextCronNs;

    LoopCron(final KeelEngine engine, final EventLoopAgent.Limits limits, final ConnectionTable connections)
    {
        this.engine = engine;
        this.limits = limits;
        this.connections = connections;
    }

    void listener(final EventLoopAgent.CronListener listener)
    {
        this.listener = listener;
    }

    /** Run a tick if one is due at {@code nowNs} (System.nanoTime); the work done, 0 when none was due. */
    int runIfDue(final long nowNs)
    {
        if (nowNs - nextCronNs >= 0)
        {
            nextCronNs = nowNs + 1_000_000_000L / Math.max(1, limits.hz);
            return tick();
        }
        return 0;
    }

    /** How long the loop may block in the selector: to the next tick or blocked client's deadline, at least 1 ms. */
    long msUntilDue()
    {
        return Math.max(1, Math.min((nextCronNs - System.nanoTime()) / 1_000_000,
            engine.blocking().msUntilNextDeadline())); // a blocked client's timeout wakes the loop, no sooner
    }

    private int tick()
    {
        final long nowMs = System.currentTimeMillis();
        int work = engine.cron(limits.hz);
        final long timeoutSec = limits.idleTimeoutSec;
        if (timeoutSec > 0 || limits.outputSoftLimit > 0)
        {
            for (final Connection c : connections.snapshot())
            {
                if (timeoutSec > 0 && nowMs - c.session.lastInteractionMs > timeoutSec * 1000 && !c.session.isBlocked())
                {
                    connections.close(c);
                    work++;
                }
                else if (c.outputSoftLimitSinceMs > 0 && nowMs - c.outputSoftLimitSinceMs > limits.outputSoftSeconds * 1000)
                {
                    connections.closeForOutputLimit(c);
                    work++;
                }
            }
        }
        listener.onCron(nowMs);
        return work;
    }
}
