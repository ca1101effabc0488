package io.keelkv.engine.snapshot;

import io.keelkv.engine.KeelEngine;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.keelkv.engine.snapshot.SnapshotTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The background snapshot as its owner drives it: the instant, the agent on the owner's thread (each
 * {@link SnapshotControl#poll} runs one step), save points, failures, aborts and the figures INFO shows.
 */
class SnapshotControlTest
{
    private static final int PAGE = 16 * 1024;
    private static final int DATABASES = 2;

    private Path dir;
    private KeelEngine engine;
    private KeelEngine loaded;
    private SnapshotControl control;
    private final List<String> events = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception
    {
        dir = tempDir();
        engine = engine(PAGE, DATABASES);
        control = new SnapshotControl(engine.keyspace(), false, BackoffIdleStrategy::new, 2, true);
        control.file(dir.resolve("dump.rdb"));
        control.listener(new SnapshotListener()
        {
            @Override
            public void onBackgroundSaveStarted(final Path file)
            {
                events.add("started");
            }

            @Override
            public void onBackgroundSaveDone(final Path file, final SnapshotWriter.Result result)
            {
                events.add("done");
            }

            @Override
            public void onBackgroundSaveFailed(final Path file, final SnapshotException failure)
            {
                events.add("failed");
            }

            @Override
            public void onBackgroundSaveAborted(final Path file)
            {
                events.add("aborted");
            }

            @Override
            public void onSavePoint(final long changes, final long seconds)
            {
                events.add("save point " + changes + " " + seconds);
            }
        });
    }

    @AfterEach
    void tearDown() throws Exception
    {
        control.close();
        engine.close();
        if (loaded != null)
        {
            loaded.close();
        }
        deleteTree(dir);
    }

    private void runToEnd()
    {
        while (control.backgroundSaveRunning())
        {
            control.poll(System.currentTimeMillis());
        }
    }

    private List<String> loadedDump() throws Exception
    {
        loaded = engine(PAGE, DATABASES);
        loaded.load(control.file());
        return dump(loaded);
    }

    @Test
    void shouldSaveTheInstantInTheBackgroundWhileWritesGoOn() throws Exception
    {
        final long seed = seed();
        final SplittableRandom random = new SplittableRandom(seed);
        randomOps(engine, random, 5_000, DATABASES, 2_000, PAGE);
        final List<String> before = dump(engine);
        assertEquals(SnapshotControl.BackgroundStart.STARTED, control.startBackgroundSave(false));
        assertTrue(control.backgroundSaveRunning());
        assertEquals(0, control.currentBackgroundSaveTimeSec());
        final long changesAtInstant = control.changesSinceLastSave();
        assertEquals(SnapshotControl.BackgroundStart.ALREADY_RUNNING, control.startBackgroundSave(false));
        assertEquals(SnapshotControl.BackgroundStart.ALREADY_RUNNING, control.startBackgroundSave(true));
        long writes = 0;
        while (control.backgroundSaveRunning())
        {
            call(engine, 0, "SET", "during:" + writes, "x");
            call(engine, 1, "SET", "key:" + random.nextInt(2_000), "changed");
            writes += 2;
            control.poll(System.currentTimeMillis());
        }
        assertEquals(List.of("started", "done"), events);
        assertTrue(control.lastBackgroundSaveOk());
        assertEquals(1, control.saves());
        assertEquals(writes, control.changesSinceLastSave(), "only the changes before the instant were saved");
        assertTrue(changesAtInstant > 0);
        assertEquals(-1, control.currentBackgroundSaveTimeSec());
        assertEquals(0, control.lastBackgroundSaveTimeSec());
        assertTrue(control.pagesCopiedByWriter() + control.pagesCopiedByAgent() > 0);
        assertEquals(control.pagesCopiedByWriter() * PAGE, control.lastCopiedBytes());
        assertEquals(0, control.retainedBytes());
        assertFalse(engine.memory().barrier().active());
        assertEquals(before, loadedDump());
    }

    @Test
    void shouldSaveInTheForegroundBesideABackgroundBaseWhilePageReleasesAreHeldBack() throws Exception
    {
        for (int i = 0; i < 2_000; i++)
        {
            call(engine, 0, "SET", "key:" + i, "v".repeat(100));
        }
        for (int i = 0; i < 50; i++)
        {
            // values past a page are spans: freeing one releases its pages without writing them, so the
            // release waits for the agent (a page written first would have been preserved instead)
            call(engine, 0, "SET", "big:" + i, String.valueOf(i).repeat(40_000));
        }
        final List<String> atInstant = dump(engine);
        final Path base = dir.resolve("appendonly.aof.1.base.rdb");
        final boolean[] atInstantRan = {false};
        assertTrue(control.startBackgroundBase(base, () -> atInstantRan[0] = true,
            (result, failure, aborted) -> events.add(result != null ? "base done" : "base failed")));
        assertTrue(atInstantRan[0], "what must happen at the instant runs in the same step");
        assertTrue(control.backgroundBaseRunning());
        assertFalse(control.backgroundSaveRunning(), "an AOF base is not an RDB save");
        assertEquals(SnapshotControl.BackgroundStart.ALREADY_RUNNING, control.startBackgroundSave(false));
        assertEquals(SnapshotControl.BackgroundStart.SCHEDULED, control.startBackgroundSave(true));
        for (int i = 0; i < 50; i++)
        {
            call(engine, 0, "DEL", "big:" + i);
        }
        assertTrue(engine.memory().deferredPages() > 0, "no page release is held back: the case is not made");
        final List<String> now = dump(engine);
        final Path foreground = dir.resolve("foreground.rdb");
        control.save(foreground); // as SAVE beside an AOF rewrite
        loaded = engine(PAGE, DATABASES);
        loaded.load(foreground);
        assertEquals(now, dump(loaded), "the foreground save beside the base");
        loaded.close();
        loaded = null;

        while (control.agentBusy())
        {
            control.poll(System.currentTimeMillis());
        }
        assertEquals(List.of("base done"), events, "the base's outcome goes to its own listener");
        loaded = engine(PAGE, DATABASES);
        loaded.load(base);
        assertEquals(atInstant, dump(loaded), "the base holds the instant");
        assertEquals(0, control.saves(), "an AOF base is not counted as an RDB save");
    }

    @Test
    void shouldStartASaveWhenASavePointIsReachedAndNotBefore() throws Exception
    {
        control.savePoints(new long[] {3600, 0}, new long[] {1, 100});
        for (int i = 0; i < 99; i++)
        {
            call(engine, 0, "SET", "k" + i, "v");
        }
        control.poll(System.currentTimeMillis() + 1_000);
        assertFalse(control.backgroundSaveRunning(), "99 changes: no save point reached");
        call(engine, 0, "SET", "k99", "v");
        control.poll(System.currentTimeMillis() + 1_000);
        assertTrue(control.backgroundSaveRunning());
        assertEquals(List.of("save point 100 0", "started"), events);
        runToEnd();
        assertEquals(0, control.changesSinceLastSave());
        assertEquals(100, loadedDump().size());
    }

    @Test
    void shouldReportAFailedSaveRefuseWritesAndRetryOnlyAfterTheDelay() throws Exception
    {
        control.file(dir.resolve("missing-dir").resolve("dump.rdb"));
        call(engine, 0, "SET", "k", "v");
        assertEquals(SnapshotControl.BackgroundStart.STARTED, control.startBackgroundSave(false));
        runToEnd();
        assertEquals(List.of("started", "failed"), events);
        assertFalse(control.lastBackgroundSaveOk());
        assertFalse(control.writesRefused(), "no save points: writes go on, as in Redis");
        control.savePoints(new long[] {0}, new long[] {1});
        assertTrue(control.writesRefused(), "save points and stop-writes-on-bgsave-error: MISCONF");
        control.stopWritesOnError(false);
        assertFalse(control.writesRefused());
        control.stopWritesOnError(true);

        control.poll(System.currentTimeMillis());
        assertFalse(control.backgroundSaveRunning(), "a failed save point waits before it is tried again");
        control.poll(System.currentTimeMillis() + (SnapshotControl.BGSAVE_RETRY_DELAY_SEC + 2) * 1000);
        assertTrue(control.backgroundSaveRunning(), "tried again after the delay");
        runToEnd();

        control.file(dir.resolve("dump.rdb"));
        control.save();
        assertTrue(control.lastBackgroundSaveOk(), "a successful save clears the error");
        assertFalse(control.writesRefused());
    }

    @Test
    void shouldLeaveThePreviousFileAndNoErrorWhenASaveIsAborted() throws Exception
    {
        for (int i = 0; i < 3_000; i++)
        {
            call(engine, 0, "SET", "key:" + i, "value:" + i);
        }
        control.save();
        final byte[] previous = Files.readAllBytes(control.file());
        call(engine, 0, "SET", "key:1", "changed");
        control.startBackgroundSave(false);
        control.poll(System.currentTimeMillis());
        control.poll(System.currentTimeMillis());
        call(engine, 0, "SET", "key:2", "changed");
        assertTrue(control.abortBackgroundSave());
        assertFalse(control.backgroundSaveRunning());
        assertFalse(control.abortBackgroundSave(), "nothing left to abort");
        assertEquals(List.of("started", "aborted"), events);
        assertTrue(control.lastBackgroundSaveOk(), "an abort is not a failure");
        assertEquals(2, control.changesSinceLastSave());
        assertEquals(0, control.retainedBytes());
        assertFalse(engine.memory().barrier().active());
        assertArrayEquals(previous, Files.readAllBytes(control.file()));
        assertFalse(Files.exists(SnapshotWriter.backgroundTempFileFor(control.file())));
    }

    @Test
    void shouldRefuseAForegroundSaveOrLoadWhileABackgroundSaveRuns() throws Exception
    {
        call(engine, 0, "SET", "k", "v");
        control.startBackgroundSave(false);
        assertThrows(IllegalStateException.class, () -> control.save(dir.resolve("other.rdb")));
        assertThrows(IllegalStateException.class, () -> control.load(dir.resolve("other.rdb")));
        runToEnd();
        control.save(dir.resolve("other.rdb"));
    }
}
