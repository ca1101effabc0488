package io.keelkv.engine.snapshot;

import io.keelkv.engine.KeelEngine;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static io.keelkv.engine.snapshot.SnapshotTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * What a save allocates on the heap, measured with the JVM's per-thread counter. Not zero: each save
 * allocates its paths, the file channel and its result, and the image's arrays grow with the page table.
 * But nothing per page: once warm, saving thousands of frames allocates a few KB, the same as saving a few.
 */
class SnapshotAllocationTest
{
    private static long allocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void shouldAllocateNothingPerPageWhenSaving() throws Exception
    {
        final long seed = seed();
        final Path dir = tempDir();
        try (KeelEngine engine = engine(16 * 1024, 2))
        {
            randomOps(engine, new SplittableRandom(seed), 20_000, 2, 10_000, 16 * 1024);
            final Path file = dir.resolve("dump.rdb");
            engine.save(file); // warm: buffers, the image's arrays, the class loading of the file system code
            engine.save(file);
            long least = Long.MAX_VALUE;
            for (int i = 0; i < 3; i++)
            {
                final long before = allocatedBytes();
                engine.save(file);
                least = Math.min(least, allocatedBytes() - before);
            }
            final long pages = engine.memory().pagesInUse();
            System.out.println("a save of " + pages + " pages allocated " + least + " bytes on the heap");
            assertTrue(pages > 1_000, "too few pages to tell: " + pages);
            assertTrue(least < 16 * 1024, "a save of " + pages + " pages allocated " + least + " bytes");
        }
        finally
        {
            deleteTree(dir);
        }
    }
}
