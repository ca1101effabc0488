package io.keelkv.bench.jmh;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Engine GET, SET, INCR and EXPIRE, in process, no sockets.
 *
 * <p>Settings: 100,000 keys of the form {@code key:NNNNNN} (10 bytes), 32-byte values, and 100,000
 * counters {@code ctr:NNNNNN}; keys visited in a fixed pseudo-random order; single thread (the engine is
 * single-writer by design). The typed API reads its keys from one packed direct buffer, as the server
 * reads them from a query buffer: with one small direct buffer per key (an earlier version) the harness's
 * own cache misses cost more than the lookup (GET 2.3 vs 3.8 ops/us, 2026-12-01). Three ways in: the typed API over Agrona buffers (GET, SET, EXPIRE), the
 * command path (dispatcher + RESP reply into a reused writer; INCR and EXPIRE included, EXPIRE also
 * builds its PEXPIREAT form for the AOF), and a naive baseline: {@code ConcurrentHashMap<ByteBuffer,
 * byte[]>} on the heap.
 * Run with {@code -prof gc}: the KeelKV paths must show ~0 B/op (budget in bench/allocation-budget.txt).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class EngineBenchmark
{
    private static final int KEYS = 100_000;
    private static final int VALUE_BYTES = 32;
    private static final int KEY_BYTES = 10;

    private KeelEngine engine;
    private UnsafeBuffer packedKeys;
    private UnsafeBuffer value;
    private UnsafeBuffer getOut;
    private Args[] getArgs;
    private Args[] setArgs;
    private Args[] incrArgs;
    private Args[] expireArgs;
    private byte[][] keyBytes;
    private RespWriter writer;
    private ConcurrentHashMap<ByteBuffer, byte[]> baseline;
    private ByteBuffer[] baselineKeys;
    private byte[] baselineValue;
    private int[] order;
    private int next;

    @Setup
    public void setup()
    {
        engine = new KeelEngine(new EngineSettings());
        getArgs = new Args[KEYS];
        setArgs = new Args[KEYS];
        incrArgs = new Args[KEYS];
        expireArgs = new Args[KEYS];
        keyBytes = new byte[KEYS][];
        baselineKeys = new ByteBuffer[KEYS];
        baseline = new ConcurrentHashMap<>();
        final byte[] v = new byte[VALUE_BYTES];
        java.util.Arrays.fill(v, (byte)'x');
        value = new UnsafeBuffer(ByteBuffer.allocateDirect(VALUE_BYTES));
        value.putBytes(0, v);
        baselineValue = v.clone();
        getOut = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
        writer = new RespWriter(64 * 1024);
        packedKeys = new UnsafeBuffer(ByteBuffer.allocateDirect(KEYS * KEY_BYTES));
        for (int i = 0; i < KEYS; i++)
        {
            final byte[] k = String.format("key:%06d", i).getBytes(StandardCharsets.US_ASCII);
            packedKeys.putBytes(i * KEY_BYTES, k);
            engine.set(0, packedKeys, i * KEY_BYTES, KEY_BYTES, value, 0, VALUE_BYTES);
            getArgs[i] = Args.of("GET", new String(k, StandardCharsets.US_ASCII));
            setArgs[i] = Args.of("SET", new String(k, StandardCharsets.US_ASCII), new String(v, StandardCharsets.US_ASCII));
            incrArgs[i] = Args.of("INCR", String.format("ctr:%06d", i));
            expireArgs[i] = Args.of("EXPIRE", new String(k, StandardCharsets.US_ASCII), "100000");
            keyBytes[i] = k;
            baselineKeys[i] = ByteBuffer.wrap(k);
            baseline.put(ByteBuffer.wrap(k.clone()), v.clone());
        }
        order = new int[1 << 16];
        final java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        for (int i = 0; i < order.length; i++)
        {
            order[i] = random.nextInt(KEYS);
        }
    }

    @TearDown
    public void tearDown()
    {
        engine.close();
    }

    private int nextKey()
    {
        return order[next++ & (order.length - 1)];
    }

    @Benchmark
    public int engineGet()
    {
        return engine.get(0, packedKeys, nextKey() * KEY_BYTES, KEY_BYTES, getOut, 0);
    }

    @Benchmark
    public Object engineSet()
    {
        return engine.set(0, packedKeys, nextKey() * KEY_BYTES, KEY_BYTES, value, 0, VALUE_BYTES);
    }

    @Benchmark
    public int commandGet()
    {
        writer.clear();
        engine.execute(getArgs[nextKey()], writer);
        return writer.pending();
    }

    @Benchmark
    public int commandSet()
    {
        writer.clear();
        engine.execute(setArgs[nextKey()], writer);
        return writer.pending();
    }

    @Benchmark
    public int commandIncr()
    {
        writer.clear();
        engine.execute(incrArgs[nextKey()], writer);
        return writer.pending();
    }

    @Benchmark
    public int commandExpire()
    {
        writer.clear();
        engine.execute(expireArgs[nextKey()], writer);
        return writer.pending();
    }

    @Benchmark
    public Object engineExpire()
    {
        return engine.expire(keyBytes[nextKey()], 100_000_000L);
    }

    @Benchmark
    public byte[] baselineGet()
    {
        return baseline.get(baselineKeys[nextKey()]);
    }

    @Benchmark
    public byte[] baselineSet()
    {
        return baseline.put(baselineKeys[nextKey()], baselineValue);
    }
}
