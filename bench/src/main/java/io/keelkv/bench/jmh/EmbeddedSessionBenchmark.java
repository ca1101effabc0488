package io.keelkv.bench.jmh;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.command.LocalClient;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespDecoder;
import io.keelkv.engine.resp.RespWriter;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The server's per-connection work without sockets: a buffer of 16 pipelined requests, pre-encoded, is
 * decoded, dispatched and answered into a reply buffer, exactly as the event loop does after a read.
 * This is the ceiling above TCP: compare it with redis-benchmark -P 16 to see what the network costs.
 *
 * <p>Settings: 100,000 keys {@code key:NNNNNN}, 32-byte values; each op is one batch of 16 SETs or 16 GETs
 * on pseudo-random keys (reported per batch: multiply by 16 for requests). 0 B/op expected.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EmbeddedSessionBenchmark
{
    private static final int KEYS = 100_000;
    private static final int PIPELINE = 16;
    private static final int BATCHES = 256;

    private KeelEngine engine;
    private final LocalClient client = new LocalClient(1, false);
    private final RespDecoder decoder = new RespDecoder();
    private final Args args = new Args();
    private final RespWriter writer = new RespWriter(64 * 1024);
    private UnsafeBuffer[] setBatches;
    private UnsafeBuffer[] getBatches;
    private int next;

    @Setup
    public void setup()
    {
        engine = new KeelEngine(new EngineSettings());
        final java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        final String value = "x".repeat(32);
        setBatches = new UnsafeBuffer[BATCHES];
        getBatches = new UnsafeBuffer[BATCHES];
        for (int b = 0; b < BATCHES; b++)
        {
            final StringBuilder sets = new StringBuilder();
            final StringBuilder gets = new StringBuilder();
            for (int i = 0; i < PIPELINE; i++)
            {
                final String key = String.format("key:%06d", random.nextInt(KEYS));
                sets.append("*3\r\n$3\r\nSET\r\n$10\r\n").append(key).append("\r\n$32\r\n").append(value).append("\r\n");
                gets.append("*2\r\n$3\r\nGET\r\n$10\r\n").append(key).append("\r\n");
            }
            setBatches[b] = direct(sets.toString());
            getBatches[b] = direct(gets.toString());
        }
        for (int b = 0; b < BATCHES; b++)
        {
            run(setBatches[b]);
        }
    }

    @TearDown
    public void tearDown()
    {
        engine.close();
    }

    private static UnsafeBuffer direct(final String s)
    {
        final byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes.length));
        buffer.putBytes(0, bytes);
        return buffer;
    }

    private int run(final UnsafeBuffer batch)
    {
        writer.clear();
        int offset = 0;
        while (offset < batch.capacity())
        {
            final int consumed = decoder.decode(batch, offset, batch.capacity(), args);
            decoder.reset();
            engine.dispatcher().execute(args, writer, client);
            offset += consumed;
        }
        return writer.pending();
    }

    @Benchmark
    public int pipelinedSet16()
    {
        return run(setBatches[next++ & (BATCHES - 1)]);
    }

    @Benchmark
    public int pipelinedGet16()
    {
        return run(getBatches[next++ & (BATCHES - 1)]);
    }
}
