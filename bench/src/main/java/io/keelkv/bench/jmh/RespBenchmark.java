package io.keelkv.bench.jmh;

import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespDecoder;
import io.keelkv.engine.resp.RespWriter;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * RESP decode of typical requests and encode of typical replies, on buffers as the event loop has them.
 *
 * <p>Settings: a SET with a 10-byte key and 32-byte value and a GET as multibulk requests, decoded from a
 * direct buffer; replies "+OK", a 32-byte bulk and an integer encoded into a reused writer. One op is one
 * request decoded or one reply encoded. Run with {@code -prof gc}: all must be 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RespBenchmark
{
    private final RespDecoder decoder = new RespDecoder();
    private final Args args = new Args();
    private final RespWriter writer = new RespWriter(64 * 1024);
    private UnsafeBuffer set;
    private UnsafeBuffer get;
    private final byte[] value = "x".repeat(32).getBytes(StandardCharsets.US_ASCII);

    @Setup
    public void setup()
    {
        set = direct("*3\r\n$3\r\nSET\r\n$10\r\nkey:000123\r\n$32\r\n" + "x".repeat(32) + "\r\n");
        get = direct("*2\r\n$3\r\nGET\r\n$10\r\nkey:000123\r\n");
    }

    private static UnsafeBuffer direct(final String s)
    {
        final byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes.length));
        buffer.putBytes(0, bytes);
        return buffer;
    }

    @Benchmark
    public int decodeSet()
    {
        final int consumed = decoder.decode(set, 0, set.capacity(), args);
        decoder.reset();
        return consumed + args.count();
    }

    @Benchmark
    public int decodeGet()
    {
        final int consumed = decoder.decode(get, 0, get.capacity(), args);
        decoder.reset();
        return consumed + args.count();
    }

    @Benchmark
    public int encodeOk()
    {
        writer.clear();
        writer.ok();
        return writer.pending();
    }

    @Benchmark
    public int encodeBulk()
    {
        writer.clear();
        writer.bulk(value);
        return writer.pending();
    }

    @Benchmark
    public int encodeInteger()
    {
        writer.clear();
        writer.integer(1234567);
        return writer.pending();
    }
}
