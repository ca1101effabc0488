package io.keelkv.server.net;

import java.nio.channels.Selector;
import java.util.function.BooleanSupplier;

/**
 * A stop of the event loop, asked from any thread and carried out on the loop thread between two passes,
 * never in the middle of a command.
 *
 * <p>Two ways in. {@link #request} (SHUTDOWN, tests) stops for certain: its action runs on the loop thread,
 * then the loop ends and closes every socket. {@link #requestAsap} (SIGTERM, SIGINT, as Redis's
 * shutdown_asap) hands the loop a preparation, the final save among others, which may refuse: when it
 * returns false the loop goes on serving, as redis-server does when prepareForShutdown fails; when it
 * returns true the loop stops with no further action. Either one wakes a loop blocked in the selector.
 *
 * <p>Publication: the action is written before the volatile flag and read after it, so the loop never
 * sees the flag without the action. Only one preparation is pending at a time (a second signal replaces
 * a first one not yet taken), and the loop takes it before it looks at the flag.
 */
final class LoopShutdown
{
    private final Selector selector;
    private volatile boolean requested;
    private Runnable action = () -> { };
    private volatile BooleanSupplier pendingPrepare;

    LoopShutdown(final Selector selector)
    {
        this.selector = selector;
    }

    /** Any thread: stop the loop; {@code action} runs on the loop thread before it closes sockets. */
    void request(final Runnable action)
    {
        this.action = action;
        requested = true;
        selector.wakeup();
    }

    /** Any thread: run {@code prepare} on the loop between two passes, and stop when it returns true. */
    void requestAsap(final BooleanSupplier prepare)
    {
        pendingPrepare = prepare;
        selector.wakeup();
    }

    boolean isRequested()
    {
        return requested;
    }

    /** Whether the loop has a stop or a preparation to take (it must not block in the selector). */
    boolean isPending()
    {
        return requested || pendingPrepare != null;
    }

    /**
     * Loop thread, at the start of a pass: run a pending preparation, then, when a stop is requested, its
     * action. True when the loop must end now.
     */
    boolean runIfRequested()
    {
        final BooleanSupplier prepare = pendingPrepare;
        if (prepare != null)
        {
            pendingPrepare = null;
            if (prepare.getAsBoolean())
            {
                action = () -> { };
                requested = true;
            }
        }
        if (requested)
        {
            action.run();
            return true;
        }
        return false;
    }
}
