package io.keelkv.engine.snapshot;

import io.keelkv.engine.KeelEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.keelkv.engine.snapshot.SnapshotTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A save that dies (SIGKILL while writing) or fails (file size limit, the stand-in for a full disk) leaves
 * the previous snapshot intact: it loads, with its digest. What the dead save left is at most a temp file,
 * which is refused as truncated if anyone loads it.
 */
class SnapshotCrashTest
{
    private Path dir;

    @BeforeEach
    void setUp() throws Exception
    {
        dir = tempDir();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        deleteTree(dir);
    }

    @Test
    void shouldKeepThePreviousSnapshotWhenTheSavingProcessIsKilled() throws Exception
    {
        final long seed = seed();
        final Process child = io.keelkv.engine.ChildJvm.start(SnapshotChild.class, 0, "crash", dir.toString(), Long.toString(seed));
        try
        {
            final BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            final String saved = out.readLine();
            assertNotNull(saved, "the child died before its first save");
            assertTrue(saved.startsWith("SAVED "), saved);
            final String digest = saved.substring("SAVED ".length()) + "\r\n";
            final String saving = out.readLine();
            assertTrue(saving != null && saving.startsWith("SAVING "), String.valueOf(saving));
            final Path temp = dir.resolve("dump.rdb.tmp-" + child.pid());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(Files.exists(temp) && Files.size(temp) > (1 << 20)))
            {
                assertTrue(child.isAlive(), "the child ended before it could be killed mid-save");
                assertTrue(System.nanoTime() < deadline, "the temp file did not grow");
                Thread.sleep(5);
            }
            assertEquals(0, new ProcessBuilder("kill", "-KILL", Long.toString(child.pid())).start().waitFor());
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, child.exitValue());

            try (KeelEngine engine = engine(SnapshotChild.PAGE, 2))
            {
                engine.load(dir.resolve("dump.rdb"));
                assertEquals(digest, digest(engine), "the previous snapshot changed");
            }
            assertTrue(Files.exists(temp), "a killed save leaves its temp file");
            try (KeelEngine engine = engine(SnapshotChild.PAGE, 2))
            {
                final SnapshotException ex = assertThrows(SnapshotException.class, () -> engine.load(temp));
                assertTrue(ex.getMessage().contains("Short read"), ex.getMessage());
            }
        }
        finally
        {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldFailCleanlyWhenTheFileCannotGrowAndKeepThePreviousSnapshot() throws Exception
    {
        final long seed = seed();
        // 64 MiB: room for generation 1 (a few MB), not for generation 2 (~290 MB of random values)
        final Process child = io.keelkv.engine.ChildJvm.start(SnapshotChild.class, 65536, "full", dir.toString(),
            Long.toString(seed));
        try
        {
            final BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            final String saved = out.readLine();
            assertTrue(saved != null && saved.startsWith("SAVED "), String.valueOf(saved));
            final String digest = saved.substring("SAVED ".length()) + "\r\n";
            final String refused = out.readLine();
            assertTrue(child.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, child.exitValue(), refused);
            assertNotNull(refused);
            assertTrue(refused.startsWith("REFUSED Write error saving the snapshot to "), refused);
            assertTrue(refused.contains("File too large") && refused.contains("dump.rdb is unchanged"), refused);
            try (java.util.stream.Stream<Path> files = Files.list(dir))
            {
                assertEquals(List.of(dir.resolve("dump.rdb")), files.toList(), "the temp file was not removed");
            }
            try (KeelEngine engine = engine(SnapshotChild.PAGE, 2))
            {
                engine.load(dir.resolve("dump.rdb"));
                assertEquals(digest, digest(engine));
            }
        }
        finally
        {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
