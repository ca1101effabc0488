package io.keelkv.engine.snapshot;

import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.memory.WriteBarrier;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static io.keelkv.engine.snapshot.SnapshotTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The snapshot agent over the write barrier, below the engine's control: on the caller's thread (every
 * interleaving of agent steps and writes is chosen by the seed) and on its own thread.
 */
class SnapshotAgentTest
{
    private static final int PAGE = 16 * 1024;
    private static final int DATABASES = 2;

    private Path dir;
    private KeelEngine engine;
    private KeelEngine loaded;

    @BeforeEach
    void setUp() throws Exception
    {
        dir = tempDir();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (engine != null)
        {
            engine.close();
        }
        if (loaded != null)
        {
            loaded.close();
        }
        deleteTree(dir);
    }

    private SnapshotAgent.Job begin(final int epoch, final Path file)
    {
        final SnapshotImage image = new SnapshotImage().capture(engine.keyspace());
        engine.memory().barrier().begin(epoch, image.pages());
        return new SnapshotAgent.Job(image, file, SnapshotWriter.backgroundTempFileFor(file));
    }

    private List<String> loadDump(final Path file) throws Exception
    {
        loaded = engine(PAGE, DATABASES);
        loaded.load(file);
        final List<String> dump = dump(loaded);
        assertNull(loaded.memory().verifyFreeLists());
        return dump;
    }

    @Test
    void shouldWriteTheInstantWhatEverTheWriterDoesBetweenTwoSteps() throws Exception
    {
        final long seed = seed();
        final SplittableRandom random = new SplittableRandom(seed);
        engine = engine(PAGE, DATABASES);
        randomOps(engine, random, 8_000, DATABASES, 3_000, PAGE);
        final List<String> before = dump(engine);
        final String digest = digest(engine);
        final Path file = dir.resolve("dump.rdb");

        final SnapshotAgent agent = new SnapshotAgent(engine.memory().barrier(), PAGE, 1 + random.nextInt(8));
        agent.onStart(); // as an AgentRunner would: the writer is made on the agent's thread
        final AgentInvoker invoker = new AgentInvoker(Throwable::printStackTrace, null, agent);
        invoker.start();
        assertTrue(agent.start(begin(1, file)));
        SnapshotAgent.Outcome outcome;
        while ((outcome = agent.takeOutcome()) == null)
        {
            // writes of every kind between two steps: overwrites, growth and deletes of big values, new pages
            randomOps(engine, random, random.nextInt(200), DATABASES, 3_000, PAGE);
            invoker.invoke();
            engine.memory().releaseDeferred(false);
        }
        engine.memory().barrier().end();
        assertNull(outcome.failure);
        assertFalse(outcome.aborted);
        assertEquals(0, engine.memory().snapshotRetainedBytes(), "every copy and deferred page released");
        assertNotEquals(digest, digest(engine), "the writes changed the live dataset");
        assertFalse(Files.exists(SnapshotWriter.backgroundTempFileFor(file)));
        assertEquals(before, loadDump(file), "the file holds the dataset of the instant");
        assertEquals(digest, digest(loaded));
        invoker.close();
    }

    @Test
    void shouldStopAtAnAbortAndLeaveThePreviousFileAsItWas() throws Exception
    {
        engine = engine(PAGE, DATABASES);
        randomOps(engine, new SplittableRandom(1), 4_000, DATABASES, 2_000, PAGE);
        final Path file = dir.resolve("dump.rdb");
        engine.save(file);
        final byte[] previous = Files.readAllBytes(file);
        call(engine, 0, "SET", "after", "the save");

        final SnapshotAgent agent = new SnapshotAgent(engine.memory().barrier(), PAGE, 2);
        agent.onStart(); // as an AgentRunner would: the writer is made on the agent's thread
        assertTrue(agent.start(begin(1, file)));
        agent.doWork(); // open
        agent.doWork(); // two pages
        assertTrue(Files.exists(SnapshotWriter.backgroundTempFileFor(file)));
        assertFalse(agent.pagesDone());
        agent.requestAbort();
        agent.doWork();
        final SnapshotAgent.Outcome outcome = agent.takeOutcome();
        assertTrue(outcome.aborted);
        assertNull(agent.takeOutcome(), "taken once");
        engine.memory().barrier().end();
        assertArrayEquals(previous, Files.readAllBytes(file));
        assertFalse(Files.exists(SnapshotWriter.backgroundTempFileFor(file)), "the temp file is removed");
    }

    @Test
    void shouldFailWhenTheLoopCannotPreserveAPageAndFreeEveryCopy() throws Exception
    {
        engine = engine(PAGE, DATABASES);
        for (int i = 0; i < 2_000; i++)
        {
            call(engine, 0, "SET", "key:" + i, "value:" + i);
        }
        final Path file = dir.resolve("dump.rdb");
        final WriteBarrier barrier = engine.memory().barrier();
        final SnapshotAgent agent = new SnapshotAgent(barrier, PAGE, 4);
        agent.onStart(); // as an AgentRunner would: the writer is made on the agent's thread
        assertTrue(agent.start(begin(1, file)));
        agent.doWork();
        setCopyLimit(barrier, 2);
        for (int i = 0; i < 2_000; i += 10)
        {
            call(engine, 0, "SET", "key:" + i, "changed"); // more pages written than copies allowed
        }
        assertTrue(barrier.failed());
        SnapshotAgent.Outcome outcome;
        while ((outcome = agent.takeOutcome()) == null)
        {
            agent.doWork();
        }
        assertNotNull(outcome.failure);
        assertTrue(outcome.failure.getMessage().contains("no memory to preserve page"), outcome.failure.getMessage());
        barrier.end();
        assertEquals(0, engine.memory().snapshotRetainedBytes());
        assertFalse(Files.exists(file));
        assertFalse(Files.exists(SnapshotWriter.backgroundTempFileFor(file)));
        setCopyLimit(barrier, Long.MAX_VALUE);
    }

    @Test
    void shouldWriteTheInstantFromItsOwnThreadWhileTheLoopWrites() throws Exception
    {
        final long seed = seed();
        final SplittableRandom random = new SplittableRandom(seed);
        engine = engine(PAGE, DATABASES);
        randomOps(engine, random, 10_000, DATABASES, 4_000, PAGE);
        final List<String> before = dump(engine);
        final Path file = dir.resolve("dump.rdb");
        final SnapshotAgent agent = new SnapshotAgent(engine.memory().barrier(), PAGE, 4);
        agent.onStart(); // as an AgentRunner would: the writer is made on the agent's thread
        try (AgentRunner runner = new AgentRunner(new BackoffIdleStrategy(), Throwable::printStackTrace, null, agent))
        {
            AgentRunner.startOnThread(runner);
            assertTrue(agent.start(begin(1, file)));
            SnapshotAgent.Outcome outcome;
            while ((outcome = agent.takeOutcome()) == null)
            {
                randomOps(engine, random, 50, DATABASES, 4_000, PAGE);
                engine.memory().releaseDeferred(false);
            }
            engine.memory().barrier().end();
            assertNull(outcome.failure);
        }
        assertEquals(0, engine.memory().snapshotRetainedBytes());
        assertEquals(before, loadDump(file));
    }

    private static void setCopyLimit(final WriteBarrier barrier, final long limit) throws Exception
    {
        final java.lang.reflect.Field field = WriteBarrier.class.getDeclaredField("copyLimitForTest");
        field.setAccessible(true);
        field.setLong(barrier, limit);
    }
}
