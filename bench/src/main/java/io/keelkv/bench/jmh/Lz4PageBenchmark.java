package io.keelkv.bench.jmh;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.memory.PageMemory;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import org.openjdk.jmh.annotations.*;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * LZ4 compression of one 64 KiB page as the snapshot agent will do it: the page holds real entries
 * (DEBUG POPULATE's keys and 32-byte values), copied to a scratch buffer first as the COW protocol
 * does. One op is one page; divide 64 KiB by the time for MB/s. Fast compressor, direct buffers.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class Lz4PageBenchmark
{
    private KeelEngine engine;
    private ByteBuffer page;
    private ByteBuffer compressed;
    private LZ4Compressor compressor;

    @Setup
    public void setup()
    {
        engine = new KeelEngine(new EngineSettings());
        engine.execute(io.keelkv.engine.resp.Args.of("DEBUG", "POPULATE", "20000", "key", "32"), new io.keelkv.engine.resp.RespWriter(64));
        final PageMemory memory = engine.memory();
        page = ByteBuffer.allocateDirect(memory.pageSizeBytes());
        // a page from the middle of the data: full of entries, as most pages are
        final int pageNumber = memory.pageNumberLimit() / 2;
        final long address = memory.pageAddress(pageNumber);
        new org.agrona.concurrent.UnsafeBuffer(page).putBytes(0,
            new org.agrona.concurrent.UnsafeBuffer(address, memory.pageSizeBytes()), 0, memory.pageSizeBytes());
        compressor = LZ4Factory.fastestInstance().fastCompressor();
        compressed = ByteBuffer.allocateDirect(compressor.maxCompressedLength(memory.pageSizeBytes()));
    }

    @TearDown
    public void tearDown()
    {
        engine.close();
    }

    @Benchmark
    public int compressPage()
    {
        page.clear();
        compressed.clear();
        compressor.compress(page, compressed);
        return compressed.position();
    }
}
