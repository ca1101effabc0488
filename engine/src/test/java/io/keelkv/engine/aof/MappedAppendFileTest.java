package io.keelkv.engine.aof;

import net.openhft.chronicle.core.OS;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.keelkv.engine.aof.AofTestSupport.allZero;
import static io.keelkv.engine.aof.AofTestSupport.append;
import static io.keelkv.engine.aof.AofTestSupport.randomSet;
import static io.keelkv.engine.aof.AofTestSupport.redisCheckAof;
import static io.keelkv.engine.aof.AofTestSupport.set;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The AOF's append file on a real file system (the JUnit temp directory): byte-exact appends across
 * chunks, growth, reopen, close, group-commit syncs from another thread, and what survives a SIGKILL.
 * Random command streams print their seed; rerun one with {@code -Dkeel.aof.seed=N}.
 */
class MappedAppendFileTest
{
    private static final long CHUNK = MappedAppendFile.MIN_CHUNK_SIZE_BYTES;

    @TempDir
    Path dir;

    private static SplittableRandom random(final String test)
    {
        final long seed = Long.getLong("keel.aof.seed", System.nanoTime());
        System.out.println(test + " seed " + seed);
        return new SplittableRandom(seed);
    }

    @Test
    void shouldReadBackByteExactAcrossChunkBoundaries() throws Exception
    {
        final SplittableRandom random = random("shouldReadBackByteExactAcrossChunkBoundaries");
        final Path path = dir.resolve("appendonly.aof.1.incr.aof");
        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        int straddling = 0;
        try (MappedAppendFile file = MappedAppendFile.create(path, CHUNK))
        {
            while (file.position() < 3 * CHUNK)
            {
                final long before = file.position();
                append(file, randomSet(random, 2000), expected);
                if (before / CHUNK != (file.position() - 1) / CHUNK)
                {
                    straddling++;
                }
            }
            // one command larger than two chunks: grows by several chunks at once
            final byte[] big = new byte[(int)(2 * CHUNK + 777)];
            Arrays.fill(big, (byte)'v');
            append(file, set("big", big), expected);
            append(file, set("after-big", "x".getBytes(StandardCharsets.US_ASCII)), expected);

            assertEquals(expected.size(), file.position());
            assertEquals(file.position(), file.appendedPosition());
            assertEquals(0, file.fileLengthBytes() % CHUNK, "grown by whole chunks");
            final byte[] open = Files.readAllBytes(path);
            assertEquals(file.fileLengthBytes(), open.length);
            assertArrayEquals(expected.toByteArray(), Arrays.copyOf(open, expected.size()));
            assertTrue(allZero(open, expected.size(), open.length), "zeros after the position while open");
        }
        assertTrue(straddling >= 2, "commands split across chunk boundaries: " + straddling);
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(path));
    }

    @Test
    void shouldCutTheFileToItsWrittenLengthOnClose() throws Exception
    {
        final Path path = dir.resolve("closed.aof");
        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        final MappedAppendFile file = MappedAppendFile.create(path, CHUNK);
        assertEquals(CHUNK, Files.size(path), "one chunk at creation");
        append(file, set("key:1", "hello".getBytes(StandardCharsets.US_ASCII)), expected);
        append(file, set("key:2", new byte[32]), expected);
        file.close();
        file.close();

        assertEquals(expected.size(), Files.size(path));
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(path));
        assertEquals(expected.size(), file.durablePosition(), "a clean close makes everything durable");
        final AofTestSupport.CheckResult check = redisCheckAof(path);
        assertTrue(check.valid(), check.output());
        assertEquals(expected.size(), check.okUpTo(), check.output());
    }

    @Test
    void shouldCloseAnEmptyFileToZeroBytes() throws Exception
    {
        final Path path = dir.resolve("empty.aof");
        MappedAppendFile.create(path, CHUNK).close();
        assertEquals(0, Files.size(path));
        assertTrue(redisCheckAof(path).valid());
    }

    @Test
    void shouldContinueAppendingAfterReopeningAtTheValidatedLength() throws Exception
    {
        final SplittableRandom random = random("shouldContinueAppendingAfterReopeningAtTheValidatedLength");
        final Path path = dir.resolve("reopened.aof");
        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        try (MappedAppendFile file = MappedAppendFile.create(path, CHUNK))
        {
            while (file.position() < CHUNK + 100)
            {
                append(file, randomSet(random, 500), expected);
            }
        }
        // a torn command after the valid ones, as a crash mid-write leaves it, then zeros
        final long valid = expected.size();
        Files.write(path, "*3\r\n$3\r\nSET\r\n$5\r\nke".getBytes(StandardCharsets.US_ASCII), java.nio.file.StandardOpenOption.APPEND);
        Files.write(path, new byte[5000], java.nio.file.StandardOpenOption.APPEND);

        try (MappedAppendFile file = MappedAppendFile.openForAppend(path, valid, CHUNK * 2))
        {
            assertEquals(valid, file.position());
            assertEquals(valid, file.durablePosition());
            assertEquals(CHUNK * 2, file.fileLengthBytes(), "grown to the end of the (new) chunk holding the position");
            final byte[] reopened = Files.readAllBytes(path);
            assertEquals(CHUNK * 2, reopened.length);
            assertTrue(allZero(reopened, (int)valid, reopened.length), "the torn command is gone before anything is appended");
            while (file.position() < 3 * CHUNK)
            {
                append(file, randomSet(random, 500), expected);
            }
            file.syncUpTo(file.appendedPosition());
        }
        try (MappedAppendFile file = MappedAppendFile.openForAppend(path, expected.size(), CHUNK))
        {
            append(file, set("last", "1".getBytes(StandardCharsets.US_ASCII)), expected);
        }
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(path), "the torn bytes are gone, nothing else");
        final AofTestSupport.CheckResult check = redisCheckAof(path);
        assertTrue(check.valid(), check.output());
    }

    @Test
    void shouldReopenAtAChunkBoundary() throws Exception
    {
        final Path path = dir.resolve("boundary.aof");
        final byte[] exact = new byte[(int)CHUNK];
        Arrays.fill(exact, (byte)'a');
        try (MappedAppendFile file = MappedAppendFile.create(path, CHUNK))
        {
            file.append(new UnsafeBuffer(exact), 0, exact.length);
            assertEquals(CHUNK, file.fileLengthBytes(), "a full chunk does not grow the file yet");
        }
        try (MappedAppendFile file = MappedAppendFile.openForAppend(path, CHUNK, CHUNK))
        {
            assertEquals(2 * CHUNK, file.fileLengthBytes());
            file.append(new UnsafeBuffer(new byte[] {'b'}), 0, 1);
        }
        final byte[] bytes = Files.readAllBytes(path);
        assertEquals(CHUNK + 1, bytes.length);
        assertEquals('b', bytes[(int)CHUNK]);
        assertEquals('a', bytes[(int)CHUNK - 1]);
    }

    @Test
    void shouldMsyncOnlyTheDirtyPagesOncePerBatch() throws Exception
    {
        final long page = OS.pageSize();
        try (MappedAppendFile file = MappedAppendFile.create(dir.resolve("pages.aof"), CHUNK))
        {
            file.append(new UnsafeBuffer(new byte[100]), 0, 100);
            assertEquals(100, file.syncUpTo(100));
            assertEquals(1, file.syncCount());
            assertEquals(page, file.syncedBytes(), "the first page");

            assertEquals(100, file.syncUpTo(100), "nothing new: no msync");
            assertEquals(100, file.syncUpTo(50), "never backwards");
            assertEquals(1, file.syncCount());

            file.append(new UnsafeBuffer(new byte[10]), 0, 10);
            file.syncUpTo(110);
            assertEquals(2 * page, file.syncedBytes(), "the same page again, not the ones before");

            final int bytes = (int)(2 * page);
            file.append(new UnsafeBuffer(new byte[bytes]), 0, bytes);
            file.syncUpTo(file.appendedPosition());
            assertEquals(2 * page + 3 * page, file.syncedBytes(), "pages 0 to 2 for [110, 110 + 2 pages)");

            // a batch across a chunk boundary is two msyncs, one per mapping, still one sync
            final int toBoundary = (int)(CHUNK - file.position() + 10);
            file.append(new UnsafeBuffer(new byte[toBoundary]), 0, toBoundary);
            final long syncedBefore = file.syncedBytes();
            file.syncUpTo(file.appendedPosition());
            assertEquals(4, file.syncCount());
            assertEquals(CHUNK + page - 2 * page, file.syncedBytes() - syncedBefore);
            assertTrue(file.syncTotalNs() > 0);
        }
    }

    @Test
    void shouldPublishTheDurablePositionMonotonicallyFromAnotherThread() throws Exception
    {
        final SplittableRandom random = random("shouldPublishTheDurablePositionMonotonicallyFromAnotherThread");
        final Path path = dir.resolve("threads.aof");
        final byte[][] commands = new byte[4000][];
        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < commands.length; i++)
        {
            commands[i] = randomSet(random, 200);
            expected.writeBytes(commands[i]);
        }
        final MappedAppendFile file = MappedAppendFile.create(path, CHUNK);
        final AtomicBoolean appending = new AtomicBoolean(true);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final long[] syncs = new long[1];
        final Thread syncer = new Thread(() ->
        {
            try
            {
                long last = 0;
                boolean more = true;
                while (more)
                {
                    more = appending.get();
                    final long appended = file.appendedPosition();
                    final long durable = file.syncUpTo(appended);
                    if (durable < last || durable != Math.max(last, appended))
                    {
                        throw new AssertionError("durable " + durable + " after " + last + ", appended " + appended);
                    }
                    if (durable > last)
                    {
                        syncs[0]++;
                    }
                    last = durable;
                }
            }
            catch (final Throwable ex)
            {
                failure.compareAndSet(null, ex);
            }
        }, "aof-sync");
        final Thread observer = new Thread(() ->
        {
            long last = 0;
            while (appending.get())
            {
                final long durable = file.durablePosition();
                final long appended = file.appendedPosition();
                if (durable < last || durable > appended)
                {
                    failure.compareAndSet(null, new AssertionError("observed durable " + durable + " after " + last +
                        " with appended " + appended));
                }
                last = durable;
            }
        }, "observer");
        syncer.start();
        observer.start();
        for (int i = 0; i < commands.length; i++)
        {
            file.append(new UnsafeBuffer(commands[i]), 0, commands[i].length);
            if ((i & 63) == 0)
            {
                Thread.yield(); // let the syncer batch some and catch up with others
            }
        }
        appending.set(false);
        syncer.join(TimeUnit.SECONDS.toMillis(60));
        observer.join(TimeUnit.SECONDS.toMillis(10));
        assertNull(failure.get(), () -> failure.get().toString());
        assertEquals(expected.size(), file.durablePosition(), "the syncer's last call covered every append");
        assertEquals(syncs[0], file.syncCount());
        assertTrue(file.syncCount() >= 1 && file.syncCount() <= commands.length, "syncs " + file.syncCount());
        System.out.printf("%d appends, %d syncs, %.1f us per sync%n", commands.length, file.syncCount(),
            file.syncTotalNs() / 1e3 / file.syncCount());
        file.close();
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(path));
    }

    @Test
    void shouldKeepEverySyncedByteWhenTheProcessIsKilled() throws Exception
    {
        final long seed = Long.getLong("keel.aof.seed", System.nanoTime());
        System.out.println("shouldKeepEverySyncedByteWhenTheProcessIsKilled seed " + seed);
        final Path path = dir.resolve("killed.aof");
        final Process child = io.keelkv.engine.ChildJvm.start(AppendFileChild.class, 0, "crash", path.toString(),
            String.valueOf(CHUNK), String.valueOf(seed));
        final String report;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
        {
            report = out.readLine();
        }
        finally
        {
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, no unmap
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        assertNotNull(report, "the child reported nothing");
        assertEquals(137, child.exitValue(), "killed by SIGKILL");
        final String[] words = report.split(" ");
        final long synced = Long.parseLong(words[1]);
        final long appended = Long.parseLong(words[3]);
        assertTrue(synced > CHUNK && synced < appended, report);

        final SplittableRandom random = new SplittableRandom(seed);
        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        while (expected.size() < appended)
        {
            expected.writeBytes(randomSet(random, 300));
        }
        assertEquals(appended, expected.size());
        final byte[] bytes = Files.readAllBytes(path);
        assertEquals(0, bytes.length % CHUNK, "an unclosed file ends at a chunk end");
        assertArrayEquals(Arrays.copyOf(expected.toByteArray(), (int)synced), Arrays.copyOf(bytes, (int)synced),
            "every synced byte is there");
        // the page cache outlives the process, so here even the unsynced bytes are: only a power cut loses them
        assertArrayEquals(expected.toByteArray(), Arrays.copyOf(bytes, (int)appended));
        assertTrue(allZero(bytes, (int)appended, bytes.length), "zeros after the last append");

        final AofTestSupport.CheckResult torn = redisCheckAof(path);
        assertFalse(torn.valid(), "the zero tail is not RESP: " + torn.output());
        assertEquals(appended, torn.okUpTo(), "the valid length a loader finds");
        try (MappedAppendFile file = MappedAppendFile.openForAppend(path, torn.okUpTo(), CHUNK))
        {
            assertEquals(appended, file.durablePosition());
        }
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(path));
        assertTrue(redisCheckAof(path).valid());
    }

    @Test
    void shouldRefuseAnAppendThatCannotGrowTheFileAndKeepWhatWasWritten() throws Exception
    {
        // ENOSPC needs a small file system; the file size limit makes the same fallocate fail (EFBIG)
        final long seed = Long.getLong("keel.aof.seed", System.nanoTime());
        System.out.println("shouldRefuseAnAppendThatCannotGrowTheFileAndKeepWhatWasWritten seed " + seed);
        final Path path = dir.resolve("limited.aof");
        final long limitKiB = 4 * CHUNK / 1024;
        final Process child = io.keelkv.engine.ChildJvm.start(AppendFileChild.class, limitKiB, "grow-until-refused",
            path.toString(), String.valueOf(CHUNK), String.valueOf(seed));
        final String refused;
        final String closed;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
        {
            refused = out.readLine();
            closed = out.readLine();
        }
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, child.exitValue(), refused + " / " + closed);
        assertNotNull(refused);
        assertTrue(refused.startsWith("REFUSED "), refused);
        assertTrue(refused.contains("cannot grow") && refused.contains("File too large") && refused.contains(path.toString()),
            refused);
        final long position = Long.parseLong(refused.split(" ")[1]);
        assertTrue(position > 3 * CHUNK && position <= 4 * CHUNK, refused);
        assertEquals("CLOSED " + position, closed);

        final SplittableRandom random = new SplittableRandom(seed);
        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        while (expected.size() < position)
        {
            expected.writeBytes(randomSet(random, 300));
        }
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(path), "every accepted append, nothing of the refused one");
        assertTrue(redisCheckAof(path).valid());
    }

    @Test
    void shouldNeverReportDurabilityAgainAfterAFailedMsync() throws Exception
    {
        final boolean[] fail = {false};
        final Path path = dir.resolve("eio.aof");
        final MappedAppendFile file = MappedAppendFile.create(path, CHUNK, (address, length) -> fail[0] ? 5 : 0);
        file.append(new UnsafeBuffer(new byte[100]), 0, 100);
        file.syncUpTo(100);
        file.append(new UnsafeBuffer(new byte[100]), 0, 100);
        fail[0] = true;
        final AppendFileException failed = assertThrows(AppendFileException.class, () -> file.syncUpTo(200));
        assertTrue(failed.getMessage().contains("msync of " + path) && failed.getMessage().contains("errno 5") &&
            failed.getMessage().contains("durable up to 100"), failed.getMessage());
        assertEquals(100, file.durablePosition());

        fail[0] = false; // the kernel may report success now though the pages are lost: not believed
        assertThrows(AppendFileException.class, () -> file.syncUpTo(200));
        assertEquals(100, file.durablePosition());
        assertEquals(1, file.syncCount());
        assertThrows(AppendFileException.class, file::close, "close reports the earlier failure");
        assertEquals(100, file.durablePosition());
        assertEquals(200, Files.size(path), "the file is still cut and released");
    }

    @Test
    void shouldSettleOnlyTouchedPagesPastTheAppendersPageAndTreatAFailedSettleAsAFailedSync() throws Exception
    {
        final boolean[] fail = {false};
        final long[] lastMsync = new long[2];
        final Path path = dir.resolve("settle.aof");
        final MappedAppendFile file = MappedAppendFile.create(path, 1L << 20, (address, length) ->
        {
            lastMsync[0] = address;
            lastMsync[1] = length;
            return fail[0] ? 5 : 0;
        });
        file.append(new UnsafeBuffer(new byte[100]), 0, 100);
        assertEquals(0, file.settleAhead(1 << 20), "nothing touched ahead yet");
        file.prefaultAhead(64 * 1024, 16 * 1024);
        assertEquals(16 * 1024, file.settleAhead(16 * 1024), "one step");
        assertEquals(16 * 1024, lastMsync[1]);
        assertEquals(64 * 1024 - 16 * 1024, file.settleAhead(1 << 20),
            "the rest of what was touched, from the page after the appender's");
        assertEquals(0, file.settleAhead(1 << 20));
        assertEquals(0, file.syncCount(), "settling is not a sync");
        assertEquals(0, file.durablePosition());

        file.append(new UnsafeBuffer(new byte[100]), 0, 100);
        file.syncUpTo(200);
        assertTrue(file.prefaultAhead(256 * 1024, 256 * 1024) > 0, "more touched ahead, not settled yet");
        fail[0] = true;
        final AppendFileException failed = assertThrows(AppendFileException.class, () -> file.settleAhead(1 << 20));
        assertTrue(failed.getMessage().contains("errno 5") && failed.getMessage().contains("durable up to 200"),
            failed.getMessage());
        fail[0] = false;
        file.append(new UnsafeBuffer(new byte[100]), 0, 100);
        assertThrows(AppendFileException.class, () -> file.syncUpTo(300), "final for the file, as a failed sync");
        assertEquals(200, file.durablePosition());
        assertThrows(AppendFileException.class, file::close, "close reports the earlier failure");
    }

    @Test
    void shouldUnmapChunksOnceSyncedAndEverythingOnClose() throws Exception
    {
        final Path path = dir.resolve("unmap.aof");
        final byte[] half = new byte[(int)CHUNK / 2];
        try (MappedAppendFile file = MappedAppendFile.create(path, CHUNK))
        {
            for (int i = 0; i < 4; i++)
            {
                file.append(new UnsafeBuffer(half), 0, half.length);
            }
            assertEquals(2 * CHUNK, mappedBytes(path), "chunks 0 and 1, none synced");
            file.syncUpTo(file.appendedPosition());
            file.append(new UnsafeBuffer(half), 0, half.length);
            assertEquals(CHUNK, mappedBytes(path), "entering chunk 2 unmapped the synced 0 and 1");
        }
        assertEquals(0, mappedBytes(path), "nothing left mapped");
    }

    @Test
    void shouldGiveSyncedPagesBackAndStillHoldEveryByte() throws Exception
    {
        final SplittableRandom random = random("shouldGiveSyncedPagesBackAndStillHoldEveryByte");
        final Path path = dir.resolve("release.aof");
        final long chunk = 16L << 20;
        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        try (MappedAppendFile file = MappedAppendFile.create(path, chunk))
        {
            while (file.position() < 6L << 20)
            {
                append(file, randomSet(random, 4000), expected);
            }
            assertTrue(residentBytes(path) >= 5L << 20, "appended pages are resident: " + residentBytes(path));
            file.syncUpTo(file.appendedPosition());
            final long released = file.releasedBytes();
            final String[] version = System.getProperty("os.version").split("[.-]");
            final int major = Integer.parseInt(version[0]);
            final int minor = Integer.parseInt(version[1]);
            assertEquals(major > 5 || major == 5 && minor >= 4, released > 0,
                "MADV_PAGEOUT (Linux 5.4) used where the kernel has it: " + System.getProperty("os.version"));
            if (released > 0) // refused, the pages only stay cached
            {
                assertEquals(file.appendedPosition() & ~(OS.pageSize() - 1L), released, "every whole synced page");
                assertTrue(residentBytes(path) < 1L << 20, "synced pages given back: " + residentBytes(path));
            }
            // a sync of less than the step gives nothing back; the appender goes on past the released pages
            append(file, set("after", "y".getBytes(StandardCharsets.US_ASCII)), expected);
            file.syncUpTo(file.appendedPosition());
            assertEquals(released, file.releasedBytes(), "less than a step: nothing more given back");
            while (file.position() < 20L << 20) // into the second chunk
            {
                append(file, randomSet(random, 4000), expected);
            }
            file.syncUpTo(file.appendedPosition());
            assertArrayEquals(expected.toByteArray(), Arrays.copyOf(Files.readAllBytes(path), expected.size()),
                "every byte read back from the file, released pages included");
        }
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(path));
    }

    /** Resident bytes of this process's mappings of {@code file}, from /proc/self/smaps. */
    private static long residentBytes(final Path file) throws Exception
    {
        long bytes = 0;
        boolean ours = false;
        for (final String line : Files.readAllLines(Path.of("/proc/self/smaps")))
        {
            if (Character.isDigit(line.charAt(0)) || line.charAt(0) >= 'a' && line.charAt(0) <= 'f' && line.indexOf('-') > 0 &&
                line.indexOf(' ') > line.indexOf('-'))
            {
                ours = line.endsWith(" " + file.toRealPath()) || line.endsWith(" " + file);
            }
            else if (ours && line.startsWith("Rss:"))
            {
                bytes += Long.parseLong(line.substring(4).trim().split(" ")[0]) * 1024;
            }
        }
        return bytes;
    }

    /** Bytes of this process's address space mapped from {@code file}, from /proc/self/maps. */
    private static long mappedBytes(final Path file) throws Exception
    {
        // Chronicle may unmap on its background releaser thread
        BackgroundResourceReleaser.releasePendingResources();
        long bytes = 0;
        for (final String line : Files.readAllLines(Path.of("/proc/self/maps")))
        {
            if (line.endsWith(" " + file.toRealPath()) || line.endsWith(" " + file))
            {
                final String[] range = line.substring(0, line.indexOf(' ')).split("-");
                bytes += Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16);
            }
        }
        return bytes;
    }

    @Test
    void shouldAppendWithoutAllocatingWithinAChunk() throws Exception
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final UnsafeBuffer command = new UnsafeBuffer(set("key:12345", new byte[32]));
        try (MappedAppendFile file = MappedAppendFile.create(dir.resolve("alloc.aof"), 16 * CHUNK * 32))
        {
            for (int i = 0; i < 50_000; i++)
            {
                file.append(command, 0, command.capacity());
            }
            // the best of three rounds: one round in CI saw 2,496 bytes, once and not again in later runs, most
            // likely a JIT event on this thread (a deoptimisation re-materialises scalar-replaced objects); an
            // allocation per append would show in every round, 100,000 times over
            long allocated = Long.MAX_VALUE;
            for (int round = 0; round < 3 && allocated >= 1000; round++)
            {
                final long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 100_000; i++)
                {
                    file.append(command, 0, command.capacity());
                }
                allocated = Math.min(allocated, threads.getCurrentThreadAllocatedBytes() - before);
            }
            assertTrue(file.position() < file.chunkSizeBytes(), "stayed within the first chunk");
            assertTrue(allocated < 1000, "allocated " + allocated + " bytes in 100,000 appends");
        }
    }

    @Test
    void shouldRefuseMisuse() throws Exception
    {
        final Path path = dir.resolve("misuse.aof");
        assertThrows(IllegalArgumentException.class, () -> MappedAppendFile.create(path, 100_000));
        assertThrows(IllegalArgumentException.class, () -> MappedAppendFile.create(path, 4096));
        assertFalse(Files.exists(path), "nothing created for bad settings");
        try (MappedAppendFile file = MappedAppendFile.create(path, CHUNK))
        {
            final AppendFileException exists = assertThrows(AppendFileException.class, () -> MappedAppendFile.create(path, CHUNK));
            assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
            file.append(new UnsafeBuffer(new byte[10]), 0, 10);
            assertThrows(IllegalArgumentException.class, () -> file.syncUpTo(11));
            assertThrows(IndexOutOfBoundsException.class, () -> file.append(new UnsafeBuffer(new byte[10]), 5, 6));
            assertEquals(10, file.position());
        }
        final AppendFileException beyond = assertThrows(AppendFileException.class,
            () -> MappedAppendFile.openForAppend(path, 11, CHUNK));
        assertTrue(beyond.getMessage().contains("holds 10 bytes"), beyond.getMessage());
        assertThrows(AppendFileException.class, () -> MappedAppendFile.openForAppend(dir.resolve("missing.aof"), 0, CHUNK));
        assertEquals(10, Files.size(path), "a refused reopen leaves the file alone");
    }

    @Test
    void shouldPrefaultAheadFromTheSyncThreadWithoutChangingAByteTheAppenderWrites() throws Exception
    {
        final SplittableRandom random = random("shouldPrefaultAheadFromTheSyncThreadWithoutChangingAByteTheAppenderWrites");
        final Path path = dir.resolve("prefault.aof");
        final long chunk = 1L << 20;
        final MappedAppendFile file = MappedAppendFile.create(path, chunk);
        final java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        final java.util.concurrent.atomic.AtomicLong touched = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong settled = new java.util.concurrent.atomic.AtomicLong();
        final Thread sync = new Thread(() ->
        {
            try
            {
                while (!stop.get())
                {
                    touched.addAndGet(file.prefaultAhead(64 * 1024, 16 * 1024));
                    // written back and touched again while the appender writes the page before them
                    settled.addAndGet(file.settleAhead(16 * 1024));
                    file.prepareGrowth(); // so that the appender maps chunks ahead and the touches cross into them
                    file.syncUpTo(file.appendedPosition());
                }
            }
            catch (final AppendFileException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        sync.start();
        final byte[] record = new byte[61];
        for (int i = 0; i < 60_000; i++) // past three chunks
        {
            random.nextBytes(record);
            record[0] = (byte)(1 + (record[0] & 0x7f)); // never all zeros: a lost byte would show
            file.append(new UnsafeBuffer(record), 0, record.length);
            expected.write(record);
            if (i % 64 == 0)
            {
                file.mapAhead(); // once per loop pass in the server
            }
        }
        stop.set(true);
        sync.join();
        assertTrue(touched.get() > 0, "nothing was prefaulted");
        assertTrue(settled.get() > 0, "nothing was settled");
        file.prefaultAhead(64 * 1024, 16 * 1024);
        assertEquals(0, file.prefaultAhead(64 * 1024, 16 * 1024), "within the slack: no work");
        file.close();
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(path));
    }

    @Test
    void shouldMapTheNextChunkAheadSoThatItsPagesAreFaultedInBeforeTheAppenderGetsThere() throws Exception
    {
        final Path path = dir.resolve("map-ahead.aof");
        final MappedAppendFile file = MappedAppendFile.create(path, CHUNK);
        final byte[] record = new byte[1024];
        java.util.Arrays.fill(record, (byte)'m');
        assertFalse(file.mapAhead(), "the appender is in the first half of its only chunk");
        long appended = 0;
        while (appended < CHUNK / 2 + 1)
        {
            file.append(new UnsafeBuffer(record), 0, record.length);
            appended += record.length;
        }
        assertFalse(file.mapAhead(), "the file does not reach past this chunk yet: mapping ahead never grows it");
        assertTrue(file.prepareGrowth());
        assertTrue(file.mapAhead(), "grown by the sync thread: the next chunk is mapped");
        assertFalse(file.mapAhead(), "mapped already");
        final long touched = file.prefaultAhead(CHUNK, 0);
        assertTrue(touched > CHUNK - appended, "the touches went on into the next chunk: " + touched);
        while (appended < 2 * CHUNK - record.length)
        {
            file.append(new UnsafeBuffer(record), 0, record.length);
            appended += record.length;
        }
        assertEquals(2 * CHUNK, Files.size(path), "no growth by the appender: mapped ahead, it only entered the chunk");
        file.syncUpTo(file.appendedPosition());
        file.close();
        final byte[] content = Files.readAllBytes(path);
        assertEquals(appended, content.length);
        for (final byte b : content)
        {
            assertEquals((byte)'m', b);
        }
    }

    @Test
    void shouldGrowAheadFromTheSyncThreadSoTheAppenderOnlyMapsTheNextChunk() throws Exception
    {
        final Path path = dir.resolve("grow-ahead.aof");
        final MappedAppendFile file = MappedAppendFile.create(path, CHUNK);
        final byte[] record = new byte[1024];
        java.util.Arrays.fill(record, (byte)'r');
        assertFalse(file.prepareGrowth(), "a whole chunk is left: nothing to do");
        long appended = 0;
        while (appended < CHUNK / 2 + 1)
        {
            file.append(new UnsafeBuffer(record), 0, record.length);
            appended += record.length;
        }
        assertTrue(file.prepareGrowth(), "less than half a chunk left: grow one chunk");
        assertEquals(2 * CHUNK, Files.size(path));
        assertFalse(file.prepareGrowth(), "grown: a chunk and a half left");
        while (appended < CHUNK + CHUNK / 4)
        {
            file.append(new UnsafeBuffer(record), 0, record.length);
            appended += record.length;
        }
        assertEquals(2 * CHUNK, Files.size(path), "the appender found the length in place");
        file.syncUpTo(file.appendedPosition());
        file.close();
        final byte[] content = Files.readAllBytes(path);
        assertEquals(appended, content.length);
        for (final byte b : content)
        {
            assertEquals((byte)'r', b);
        }
    }
}
