package io.keelkv.bench.jmh;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.aof.AofSyncAgent;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * SET with the AOF on, through the same code the server runs:
 * <ul>
 *   <li>{@code commandSetAof}: a SET command through the dispatcher with {@code appendfsync everysec}: the
 *       command, its propagation (RESP encoding into the staging buffer, the copy into the mapped file) and the
 *       reply; the aof-sync agent syncs on its own thread. Compare with {@code EngineBenchmark.commandSet}.</li>
 *   <li>{@code typedSetAlways}: the typed embedded API under {@code appendfsync always}: one op returns once
 *       its write is durable (the unpark of the aof-sync agent, its msync, the wait for the published
 *       position), so one op is a commit's latency.</li>
 * </ul>
 * Files under {@code dir} (default /tmp, a disk file system here). Run with {@code -prof gc}: both paths
 * allocate nothing per request on the calling thread (budget in bench/allocation-budget.txt).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class AofCommandBenchmark
{
    private static final int KEYS = 100_000;
    private static final int VALUE_BYTES = 32;
    private static final int KEY_BYTES = 10;

    @Param("/tmp")
    public String dir = "/tmp";

    private Path work;
    private KeelEngine everysec;
    private KeelEngine always;
    private Args[] setArgs;
    private UnsafeBuffer packedKeys;
    private UnsafeBuffer value;
    private RespWriter writer;
    private int[] order;
    private int next;

    @Setup
    public void setup() throws IOException
    {
        work = Files.createTempDirectory(Path.of(dir), "keel-aof-bench");
        everysec = new KeelEngine(new EngineSettings());
        everysec.openAof(work.resolve("everysec"), "appendonly.aof", true);
        everysec.aof().policy(AofSyncAgent.POLICY_EVERYSEC);
        always = new KeelEngine(new EngineSettings());
        always.openAof(work.resolve("always"), "appendonly.aof", true);
        always.aof().policy(AofSyncAgent.POLICY_ALWAYS);
        setArgs = new Args[KEYS];
        final byte[] v = new byte[VALUE_BYTES];
        java.util.Arrays.fill(v, (byte)'x');
        value = new UnsafeBuffer(ByteBuffer.allocateDirect(VALUE_BYTES));
        value.putBytes(0, v);
        packedKeys = new UnsafeBuffer(ByteBuffer.allocateDirect(KEYS * KEY_BYTES));
        writer = new RespWriter(64 * 1024);
        for (int i = 0; i < KEYS; i++)
        {
            final byte[] k = String.format("key:%06d", i).getBytes(StandardCharsets.US_ASCII);
            packedKeys.putBytes(i * KEY_BYTES, k);
            setArgs[i] = Args.of("SET", new String(k, StandardCharsets.US_ASCII), new String(v, StandardCharsets.US_ASCII));
        }
        order = new int[1 << 16];
        final java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        for (int i = 0; i < order.length; i++)
        {
            order[i] = random.nextInt(KEYS);
        }
    }

    @TearDown
    public void tearDown() throws IOException
    {
        everysec.close();
        always.close();
        try (Stream<Path> walk = Files.walk(work))
        {
            for (final Path p : (Iterable<Path>)walk.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.delete(p);
            }
        }
    }

    private int nextKey()
    {
        return order[next++ & (order.length - 1)];
    }

    @Benchmark
    public int commandSetAof()
    {
        writer.clear();
        everysec.execute(setArgs[nextKey()], writer);
        return writer.pending();
    }

    @Benchmark
    public Object typedSetAlways()
    {
        return always.set(0, packedKeys, nextKey() * KEY_BYTES, KEY_BYTES, value, 0, VALUE_BYTES);
    }
}
