package io.keelkv.engine.snapshot;

import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.memory.WriteBarrier;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * One background snapshot's life on the owner thread, RDB save or AOF base alike: the instant, the barrier
 * while the agent needs the instant's pages, the agent's thread, the end, and the figures of the running job
 * (current_cow_size, current_fork_perc, the instant's time). What an ending means (LASTSAVE, the status, the
 * log lines, an AOF rewrite going on) is {@link SnapshotControl}'s.
 *
 * <p>Threads. Everything here runs on the owner thread (the event loop); the {@link SnapshotAgent} writes the
 * pages on its own thread ({@code keelkv-snapshot}), or on the owner's thread under an {@link AgentInvoker}
 * stepped from {@link #step} (deterministic tests, single-threaded embedding). The two share only the
 * {@link WriteBarrier}'s page states and copies, the agent's one-slot job queue, and the volatile fields it
 * publishes (progress, every frame written, the outcome). The thread starts at the first background save, not
 * with the engine: its writer buffers cost RSS; it parks between jobs, so each job unparks it.
 *
 * <p>Ordering. The instant is one owner-thread step between two commands: the page table image and the roots
 * are captured with freed spans' native memory held back (their munmap would otherwise land on the loop; the
 * agent gives it back when it takes the job), the barrier begins its epoch over that image, reads stop writing
 * pages, then {@code atInstant} runs (an AOF rewrite's switch of files, so it meets the snapshot exactly), and
 * only then is the job offered. The barrier ends at the first {@link #step} after the agent has read every
 * page, without waiting for its fsync, or at the job's {@link #end} when the agent stopped before that.
 *
 * <p>Failure. When the agent will not take the job (it still holds the last one), the barrier is ended again
 * and the held memory freed: nothing runs. An abort waits for the agent to let go of the file and the pages,
 * one step or an fsync already under way, yielding then parking. An exception escaping the agent is a bug in
 * it (it turns every failure of a save into its outcome), so it is only printed.
 */
final class BackgroundSnapshot implements AutoCloseable
{
    private final Keyspace keyspace;
    private final PageMemory memory;
    private final boolean agentOnOwnThread;
    private final Supplier<IdleStrategy> agentIdleStrategy;
    private final SnapshotAgent agent;
    private final ErrorHandler agentErrors = this::onAgentError;
    private AgentRunner runner;
    private AgentInvoker invoker;
    private final SnapshotImage image = new SnapshotImage();
    private int epoch;
    private boolean running;
    private boolean barrierOpen;
    private long runningSinceMs;
    private Path runningFile;
    private SnapshotControl.BaseListener baseListener; // non-null while the running snapshot is an AOF base
    private boolean baseReserved;                      // an AOF rewrite prepares its files: the agent is promised to it

    private long lastPagesCopiedByWriter;
    private long lastPagesCopiedByAgent;
    private long peakRetainedBytes;
    private long lastInstantNs;
    private long maxInstantNs;

    BackgroundSnapshot(
        final Keyspace keyspace,
        final boolean agentOnOwnThread,
        final Supplier<IdleStrategy> agentIdleStrategy,
        final int pagesPerStep)
    {
        this.keyspace = keyspace;
        this.memory = keyspace.memory();
        this.agentOnOwnThread = agentOnOwnThread;
        this.agentIdleStrategy = agentIdleStrategy;
        // The agent object (no thread, no writer buffers: those cost RSS, so they wait for the first background
        // save) and the classes the instant uses are made now. Loaded at the first BGSAVE, inside the instant,
        // they held the loop 4-6 ms on this machine: every client waited that long.
        this.agent = new SnapshotAgent(memory.barrier(), memory.pageSizeBytes(), pagesPerStep);
        new SnapshotAgent.Job(image, null, SnapshotWriter.backgroundTempFileFor(Path.of("dump.rdb")));
    }

    /** Slow the agent down by this much per page (rdb-key-save-delay). */
    void pageDelayNanos(final long nanos)
    {
        agent.pageDelayNanos(nanos);
    }

    // ------------------------------------------------------------------------------------------------
    // who holds the agent

    /** A background snapshot runs, RDB save or AOF base. */
    boolean running()
    {
        return running;
    }

    /** An RDB background save runs (not an AOF base). */
    boolean saveRunning()
    {
        return running && baseListener == null;
    }

    /** An AOF base runs, or an AOF rewrite has the agent promised to it. */
    boolean baseRunningOrReserved()
    {
        return running && baseListener != null || baseReserved;
    }

    /** The agent is taken: a snapshot runs or an AOF rewrite has it promised. */
    boolean busy()
    {
        return running || baseReserved;
    }

    boolean reserved()
    {
        return baseReserved;
    }

    /** Promise the agent to an AOF rewrite preparing its files: false when it is taken already. */
    boolean reserve()
    {
        if (running || baseReserved)
        {
            return false;
        }
        baseReserved = true;
        return true;
    }

    /** The promise ends: the rewrite takes its instant now, or failed before it. */
    void release()
    {
        baseReserved = false;
    }

    /** The target of the running (or last) background snapshot. */
    Path runningFile()
    {
        return runningFile;
    }

    /** When the running (or last) background snapshot took its instant, wall clock. */
    long runningSinceMs()
    {
        return runningSinceMs;
    }

    // ------------------------------------------------------------------------------------------------
    // the instant

    /**
     * The instant, in one owner-thread step, for an RDB save ({@code base} null) or an AOF base: capture the
     * root block and the allocator image, begin the barrier's epoch, run {@code atInstant} (the AOF's switch
     * of files), hand the job to the agent.
     *
     * @return false when the agent would not take the job (the barrier is ended again, nothing runs).
     */
    boolean takeInstant(final Path target, final SnapshotControl.BaseListener base, final Runnable atInstant)
    {
        final long startNs = System.nanoTime();
        try
        {
            return instant(target, base, atInstant);
        }
        finally
        {
            // what a fork costs Redis (latest_fork_usec): the one step every client waits for
            lastInstantNs = System.nanoTime() - startNs;
            maxInstantNs = Math.max(maxInstantNs, lastInstantNs);
        }
    }

    private boolean instant(final Path target, final SnapshotControl.BaseListener base, final Runnable atInstant)
    {
        ensureAgent();
        memory.holdFreedRuns(true);
        try
        {
            image.capture(keyspace);
        }
        finally
        {
            memory.holdFreedRuns(false);
        }
        final long[] heldRuns = memory.takeHeldRuns();
        memory.barrier().begin(++epoch, image.pages());
        keyspace.snapshotRunning(true);
        barrierOpen = true;
        running = true;
        runningFile = target;
        baseListener = base;
        runningSinceMs = System.currentTimeMillis();
        peakRetainedBytes = 0;
        if (atInstant != null)
        {
            atInstant.run();
        }
        final boolean offered = agent.start(new SnapshotAgent.Job(image, target,
            SnapshotWriter.backgroundTempFileFor(target)).heldRuns(heldRuns));
        if (!offered)
        {
            PageMemory.freeRuns(heldRuns);
        }
        wakeAgent();
        if (!offered)
        {
            endBarrier();
            running = false;
            baseListener = null;
        }
        return offered;
    }

    /** The agent's thread (or invoker) starts at the first background save: see the constructor. */
    private void ensureAgent()
    {
        if (runner != null || invoker != null)
        {
            return;
        }
        if (agentOnOwnThread)
        {
            runner = new AgentRunner(agentIdleStrategy.get(), agentErrors, null, agent);
            AgentRunner.startOnThread(runner);
        }
        else
        {
            invoker = new AgentInvoker(agentErrors, null, agent);
            invoker.start();
        }
    }

    /** The agent parks between saves: a job must not wait for its park to time out. */
    private void wakeAgent()
    {
        if (runner != null && runner.thread() != null)
        {
            LockSupport.unpark(runner.thread());
        }
    }

    private void onAgentError(final Throwable error)
    {
        // the agent turns every failure of a save into its outcome; this is a bug in the agent itself
        System.err.println("snapshot agent: " + error);
    }

    // ------------------------------------------------------------------------------------------------
    // while it runs, and its end

    /**
     * Owner thread, while a snapshot runs: one agent step when it has no thread, then end the barrier once the
     * agent has read every page, or else release what waited for it. Bounded: O(deferred runs) plus one step.
     *
     * @return work done (for the loop's idle strategy).
     */
    int step()
    {
        int work = 0;
        if (invoker != null)
        {
            work += invoker.invoke();
        }
        peakRetainedBytes = Math.max(peakRetainedBytes, memory.snapshotRetainedBytes());
        if (barrierOpen && agent.pagesDone())
        {
            endBarrier();
            work++;
        }
        else if (barrierOpen && memory.deferredPages() > 0)
        {
            work += (int)Math.min(Integer.MAX_VALUE, memory.releaseDeferred(false));
        }
        return work;
    }

    /** The agent's outcome, once it has published one (then {@link #end} the job), or null. */
    SnapshotAgent.Outcome takeOutcome()
    {
        return agent.takeOutcome();
    }

    /**
     * Stop the running snapshot and wait until the agent has let go of the file and the pages: one agent step,
     * or the end of an fsync already under way. Then {@link #end} the job.
     *
     * @return the outcome: aborted, or what the agent finished meanwhile.
     */
    SnapshotAgent.Outcome abort()
    {
        agent.requestAbort();
        wakeAgent();
        SnapshotAgent.Outcome outcome;
        int idle = 0;
        while ((outcome = agent.takeOutcome()) == null)
        {
            if (invoker != null)
            {
                invoker.invoke();
            }
            else if (++idle < 100)
            {
                Thread.yield();
            }
            else
            {
                LockSupport.parkNanos(50_000);
            }
        }
        return outcome;
    }

    /**
     * The outcome is taken: the barrier ends if it had not, and the agent is free.
     *
     * @return the listener of the AOF base that ended, or null when it was an RDB save.
     */
    SnapshotControl.BaseListener end()
    {
        if (barrierOpen)
        {
            endBarrier();
        }
        running = false;
        final SnapshotControl.BaseListener base = baseListener;
        baseListener = null;
        return base;
    }

    private void endBarrier()
    {
        final WriteBarrier barrier = memory.barrier();
        lastPagesCopiedByWriter = barrier.pagesPreservedByWriter();
        lastPagesCopiedByAgent = barrier.pagesCopiedByAgent();
        barrier.end();
        keyspace.snapshotRunning(false);
        barrierOpen = false;
    }

    // ------------------------------------------------------------------------------------------------
    // figures of the running (or last) job

    /** Bytes the event loop copied to keep the last job's instant (rdb_last_cow_size, aof_last_cow_size). */
    long lastCopiedBytes()
    {
        return lastPagesCopiedByWriter * memory.pageSizeBytes();
    }

    long currentTimeSec()
    {
        return running ? (System.currentTimeMillis() - runningSinceMs) / 1000 : -1;
    }

    long lastInstantMicros()
    {
        return lastInstantNs / 1000;
    }

    long maxInstantMicros()
    {
        return maxInstantNs / 1000;
    }

    long retainedBytes()
    {
        return memory.snapshotRetainedBytes();
    }

    long peakRetainedBytes()
    {
        return Math.max(peakRetainedBytes, memory.snapshotRetainedBytes());
    }

    double progressPercent()
    {
        if (!running)
        {
            return 0;
        }
        final int limit = image.pages().pageNumberLimit();
        return limit <= 1 ? 100.0 : Math.min(100.0, 100.0 * agent.progressPage() / limit);
    }

    long pagesCopiedByWriter()
    {
        return barrierOpen ? memory.barrier().pagesPreservedByWriter() : lastPagesCopiedByWriter;
    }

    long pagesCopiedByAgent()
    {
        return barrierOpen ? memory.barrier().pagesCopiedByAgent() : lastPagesCopiedByAgent;
    }

    long keys()
    {
        return running ? image.keys() : 0;
    }

    @Override
    public void close()
    {
        if (runner != null)
        {
            runner.close();
            runner = null;
        }
        if (invoker != null)
        {
            invoker.close();
            invoker = null;
        }
    }
}
