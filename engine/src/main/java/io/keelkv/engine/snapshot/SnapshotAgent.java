package io.keelkv.engine.snapshot;

import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.memory.WriteBarrier;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.nio.file.Path;

/**
 * The background snapshot's thread: writes one snapshot file at a time from a {@link SnapshotImage} taken
 * at an instant on the event loop, reading pages through the {@link WriteBarrier} ({@link BarrierPageSource}).
 *
 * <p>Design. The event loop hands a {@link Job} over a one-slot queue and learns the end of it from one
 * published {@link Outcome}; in between, the only shared state is the barrier's page states and the
 * published progress. Each duty cycle is one bounded step: open the file (header and root block), or the
 * frames of {@code pagesPerStep} pages, or the end (trailer, fsync, rename, directory fsync). Between two
 * steps the agent looks at the abort flag, so an abort waits at most one step (or the end's fsync, which must
 * finish or fail before the loop may write the target file itself). Once every frame is written the agent
 * no longer reads page memory and says so ({@link #pagesDone()}), so the loop can end the barrier before the
 * fsync.
 *
 * <p>Runs on its own thread under an {@code AgentRunner}, or on the caller's thread under an
 * {@code AgentInvoker} (tests, deterministic interleavings with the writer).
 */
public final class SnapshotAgent implements Agent
{
    /** Frames per duty cycle: 16 pages of 64 KiB compress in about a millisecond, the bound on an abort's wait. */
    public static final int DEFAULT_PAGES_PER_STEP = 16;

    /** What the loop asks for: the instant's image, the file, and the temp file written first. */
    public static final class Job
    {
        final SnapshotImage image;
        final Path target;
        final Path temp;
        // native memory of spans the instant freed, given back on this agent's thread (PageMemory#takeHeldRuns)
        long[] heldRuns;

        public Job(final SnapshotImage image, final Path target, final Path temp)
        {
            this.image = image;
            this.target = target;
            this.temp = temp;
        }

        public Job heldRuns(final long[] runs)
        {
            this.heldRuns = runs;
            return this;
        }
    }

    /** How a job ended: exactly one of written, failed or aborted. */
    public static final class Outcome
    {
        public final SnapshotWriter.Result result;
        public final SnapshotException failure;
        public final boolean aborted;

        Outcome(final SnapshotWriter.Result result, final SnapshotException failure, final boolean aborted)
        {
            this.result = result;
            this.failure = failure;
            this.aborted = aborted;
        }
    }

    private final int pageSizeBytes;
    private SnapshotWriter writer; // made in onStart, on the agent's own thread
    private final BarrierPageSource source;
    private final int pagesPerStep;
    private final OneToOneConcurrentArrayQueue<Job> jobs = new OneToOneConcurrentArrayQueue<>(1);

    private volatile long pageDelayNanos;
    private volatile boolean abortRequested;
    private volatile boolean pagesDone;
    private volatile int progressPage;
    private volatile Outcome outcome;
    private Job current;

    public SnapshotAgent(final WriteBarrier barrier, final int pageSizeBytes, final int pagesPerStep)
    {
        this.pageSizeBytes = pageSizeBytes;
        this.source = new BarrierPageSource(barrier, pageSizeBytes);
        this.pagesPerStep = pagesPerStep;
    }

    /**
     * The writer's buffers and the LZ4 library are set up here, on the agent's thread, not by the event loop
     * that builds the agent at the first background save: done on the loop, it stalled every client 18 ms.
     */
    @Override
    public void onStart()
    {
        writer = new SnapshotWriter(pageSizeBytes);
    }

    @Override
    public String roleName()
    {
        return "keelkv-snapshot";
    }

    /**
     * Event loop: start a job. The barrier must have begun at the image's instant.
     *
     * @return false when a job is still running or its outcome has not been taken.
     */
    public boolean start(final Job job)
    {
        if (outcome != null)
        {
            return false;
        }
        abortRequested = false;
        pagesDone = false;
        progressPage = 0;
        return jobs.offer(job);
    }

    /** Slow each page down by this much (Redis's rdb-key-save-delay, a test knob): 0 for none. */
    public void pageDelayNanos(final long nanos)
    {
        this.pageDelayNanos = Math.max(0, nanos);
    }

    /** Event loop: ask the running job to stop; its outcome says whether it stopped or had already finished. */
    public void requestAbort()
    {
        abortRequested = true;
    }

    /** Every frame of the running job is written: the agent reads no page memory until the next job. */
    public boolean pagesDone()
    {
        return pagesDone;
    }

    /** Every page number below this one is written (INFO's progress). */
    public int progressPage()
    {
        return progressPage;
    }

    /** Event loop: the outcome of the last job, taken once; null while it runs (or none ran). */
    public Outcome takeOutcome()
    {
        final Outcome taken = outcome;
        if (taken != null)
        {
            outcome = null;
        }
        return taken;
    }

    @Override
    public int doWork()
    {
        if (current == null)
        {
            final Job job = jobs.poll();
            if (job == null)
            {
                return 0;
            }
            current = job;
            PageMemory.freeRuns(job.heldRuns);
            job.heldRuns = null;
            try
            {
                writer.open(job.image, job.target, job.temp);
            }
            catch (final SnapshotException ex)
            {
                end(null, ex, false);
            }
            return 1;
        }
        if (abortRequested)
        {
            writer.abort();
            end(null, null, true);
            return 1;
        }
        try
        {
            if (!pagesDone)
            {
                final int before = writer.nextPage();
                pagesDone = writer.step(source, pagesPerStep);
                progressPage = writer.nextPage();
                final long delay = pageDelayNanos;
                if (delay > 0)
                {
                    java.util.concurrent.locks.LockSupport.parkNanos(delay * (writer.nextPage() - before));
                }
                return 1;
            }
            end(writer.finish(), null, false);
        }
        catch (final SnapshotException ex)
        {
            end(null, ex, false);
        }
        catch (final RuntimeException ex)
        {
            writer.abort();
            end(null, new SnapshotException("Background snapshot failed: " + ex, ex), false);
        }
        return 1;
    }

    @Override
    public void onClose()
    {
        if (writer != null)
        {
            writer.abort();
        }
    }

    private void end(final SnapshotWriter.Result result, final SnapshotException failure, final boolean aborted)
    {
        current = null;
        pagesDone = true;
        outcome = new Outcome(result, failure, aborted);
    }
}
