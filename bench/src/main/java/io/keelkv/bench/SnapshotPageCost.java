package io.keelkv.bench;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.memory.PageTableImage;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a foreground SAVE's time goes, per page, on {@code DEBUG POPULATE <keys> key 32} data in one engine:
 * the copy of each page in use to a scratch buffer, its LZ4 compression and decompression (best of 5 passes
 * over every page), then three whole {@code KeelEngine.save} calls to a temp dir (write, fsync, rename,
 * directory fsync included). Not JMH: one pass over a whole dataset, the way a snapshot walks it; the
 * single-page JMH figure is {@code jmh.Lz4PageBenchmark}. Figures and how they were read: native-notes/snapshot.md.
 *
 * <pre>
 *   java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp bench/target/benchmarks.jar \
 *       io.keelkv.bench.SnapshotPageCost 10000000
 * </pre>
 */
public final class SnapshotPageCost
{
    private SnapshotPageCost()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final long keys = Long.parseLong(args[0]);
        final EngineSettings settings = new EngineSettings();
        try (KeelEngine engine = new KeelEngine(settings))
        {
            final RespWriter out = new RespWriter(1024);
            engine.execute(Args.of(b("DEBUG"), b("POPULATE"), b(Long.toString(keys)), b("key"), b("32")), out);
            final PageMemory memory = engine.memory();
            final PageTableImage image = new PageTableImage();
            memory.captureImage(image);
            final int page = memory.pageSizeBytes();
            System.out.println(LZ4Factory.fastestInstance() + ", " + memory.pagesInUse() + " pages of " + page + " bytes");
            final LZ4Compressor compressor = LZ4Factory.fastestInstance().fastCompressor();
            final LZ4SafeDecompressor decompressor = LZ4Factory.fastestInstance().safeDecompressor();
            final ByteBuffer scratch = ByteBuffer.allocateDirect(page);
            final ByteBuffer compressed = ByteBuffer.allocateDirect(compressor.maxCompressedLength(page));
            final ByteBuffer restored = ByteBuffer.allocateDirect(page);
            long bestCompress = Long.MAX_VALUE;
            long bestDecompress = Long.MAX_VALUE;
            long bestCopy = Long.MAX_VALUE;
            long stored = 0;
            int pages = 0;
            for (int pass = 0; pass < 5; pass++)
            {
                long compressNs = 0;
                long decompressNs = 0;
                long copyNs = 0;
                stored = 0;
                pages = 0;
                for (int p = 1; p < image.pageNumberLimit(); p++)
                {
                    if (image.kind(p) == PageTableImage.KIND_FREE)
                    {
                        continue;
                    }
                    final long t0 = System.nanoTime();
                    UnsafeApi.copyMemory(memory.pageAddress(p), BufferUtil.address(scratch), page);
                    final long t1 = System.nanoTime();
                    final int n = compressor.compress(scratch, 0, page, compressed, 0, compressed.capacity());
                    final long t2 = System.nanoTime();
                    decompressor.decompress(compressed, 0, n, restored, 0, page);
                    final long t3 = System.nanoTime();
                    copyNs += t1 - t0;
                    compressNs += t2 - t1;
                    decompressNs += t3 - t2;
                    stored += n;
                    pages++;
                }
                bestCompress = Math.min(bestCompress, compressNs);
                bestDecompress = Math.min(bestDecompress, decompressNs);
                bestCopy = Math.min(bestCopy, copyNs);
            }
            System.out.printf("page copy %.1f us/page; LZ4 compress %.1f us/page (%.0f MB/s); decompress %.1f us/page " +
                "(%.0f MB/s); ratio %.3f%n",
                bestCopy / 1e3 / pages, bestCompress / 1e3 / pages, (double)pages * page / (bestCompress / 1e9) / 1e6,
                bestDecompress / 1e3 / pages, (double)pages * page / (bestDecompress / 1e9) / 1e6,
                (double)stored / ((long)pages * page));
            final Path dir = Files.createTempDirectory("lz4m");
            final Path file = dir.resolve("dump.rdb");
            for (int i = 0; i < 3; i++)
            {
                final long t0 = System.nanoTime();
                final io.keelkv.engine.snapshot.SnapshotWriter.Result result = engine.save(file);
                System.out.printf("engine.save: %.3f s, %d bytes%n", (System.nanoTime() - t0) / 1e9, result.fileBytes);
            }
            Files.delete(file);
            Files.delete(dir);
        }
    }

    private static byte[] b(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
