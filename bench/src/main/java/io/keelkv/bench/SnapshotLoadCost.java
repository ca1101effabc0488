package io.keelkv.bench;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.snapshot.SnapshotReader;
import org.agrona.UnsafeApi;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a snapshot load's time goes: saves {@code DEBUG POPULATE <keys> key 32} once, then loads the file
 * {@code runs} times, each into a fresh engine (fresh page memory, as at a restart), and prints each load's
 * time beside the two costs a load cannot avoid on fresh memory: the first touch of as many bytes as the pages
 * hold (page faults and the kernel's zeroing, measured on a fresh malloc of the same size) and reading the file
 * from the page cache. Figures and how they were read: native-notes/snapshot.md.
 *
 * <pre>
 *   java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED \
 *       -cp bench/target/benchmarks.jar io.keelkv.bench.SnapshotLoadCost 10000000 5
 * </pre>
 */
public final class SnapshotLoadCost
{
    private SnapshotLoadCost()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final long keys = Long.parseLong(args[0]);
        final int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        final Path dir = Files.createTempDirectory("keel-load");
        final Path file = dir.resolve("dump.rdb");
        long pages;
        try (KeelEngine engine = new KeelEngine(new EngineSettings()))
        {
            final RespWriter out = new RespWriter(1024);
            engine.execute(Args.of(b("DEBUG"), b("POPULATE"), b(Long.toString(keys)), b("key"), b("32")), out);
            pages = engine.memory().pagesInUse();
            engine.save(file);
        }
        final long pageBytes = new EngineSettings().pageSizeBytes;
        System.out.printf("%d keys, %d pages, file %d bytes%n", keys, pages, Files.size(file));
        for (int run = 0; run < runs; run++)
        {
            try (KeelEngine engine = new KeelEngine(new EngineSettings()))
            {
                final long t0 = System.nanoTime();
                final SnapshotReader.Result result = engine.load(file);
                final long t1 = System.nanoTime();
                System.out.printf("load %d: %.3f s (%d keys)%n", run, (t1 - t0) / 1e9, result.keys);
            }
            final long bytes = pages * pageBytes;
            final long t0 = System.nanoTime();
            final long address = UnsafeApi.allocateMemory(bytes);
            for (long at = 0; at < bytes; at += 4096)
            {
                UnsafeApi.putByte(address + at, (byte)1);
            }
            final long t1 = System.nanoTime();
            UnsafeApi.setMemory(address, bytes, (byte)2);
            final long t2 = System.nanoTime();
            UnsafeApi.freeMemory(address);
            final long t3 = System.nanoTime();
            final byte[] buffer = new byte[1 << 20];
            try (java.io.InputStream in = Files.newInputStream(file))
            {
                while (in.read(buffer) > 0)
                {
                    // read only
                }
            }
            final long t4 = System.nanoTime();
            System.out.printf("  first touch of %d MB: %.3f s; fill once resident: %.3f s; read file: %.3f s%n",
                bytes >> 20, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t4 - t3) / 1e9);
        }
        Files.delete(file);
        Files.delete(dir);
    }

    private static byte[] b(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
