package io.keelkv.bench.jmh;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * HSET and HGET through the dispatcher, in process, over both encodings: 10,000 small hashes of 16 fields
 * (listpacks inside their entries) and one hash of 1,000,000 fields (a hashtable in page memory). Fields
 * {@code field:NN} / {@code f:NNNNNNN}, 16-byte values, visited in a fixed pseudo-random order; HSET
 * replaces existing values, so the data set stays the same size. Run with {@code -prof gc}: every method
 * must show ~0 B/op (bench/allocation-budget.txt).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class HashBenchmark
{
    private static final int SMALL_HASHES = 10_000;
    private static final int SMALL_FIELDS = 16;
    private static final int BIG_FIELDS = 1_000_000;
    private static final int ORDER = 1 << 16;

    private KeelEngine engine;
    private RespWriter writer;
    private Args[] smallSet;
    private Args[] smallGet;
    private Args[] bigSet;
    private Args[] bigGet;
    private int next;

    @Setup
    public void setup()
    {
        engine = new KeelEngine(new EngineSettings());
        writer = new RespWriter(64 * 1024);
        final String value = "v".repeat(16);
        for (int h = 0; h < SMALL_HASHES; h++)
        {
            for (int f = 0; f < SMALL_FIELDS; f++)
            {
                run(Args.of("HSET", "h:" + h, String.format("field:%02d", f), value));
            }
        }
        for (int f = 0; f < BIG_FIELDS; f++)
        {
            run(Args.of("HSET", "big", String.format("f:%07d", f), value));
        }
        final java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        smallSet = new Args[ORDER];
        smallGet = new Args[ORDER];
        bigSet = new Args[ORDER];
        bigGet = new Args[ORDER];
        for (int i = 0; i < ORDER; i++)
        {
            final String key = "h:" + random.nextInt(SMALL_HASHES);
            final String field = String.format("field:%02d", random.nextInt(SMALL_FIELDS));
            smallSet[i] = Args.of("HSET", key, field, value);
            smallGet[i] = Args.of("HGET", key, field);
            final String bigField = String.format("f:%07d", random.nextInt(BIG_FIELDS));
            bigSet[i] = Args.of("HSET", "big", bigField, value);
            bigGet[i] = Args.of("HGET", "big", bigField);
        }
    }

    @TearDown
    public void tearDown()
    {
        engine.close();
    }

    private int run(final Args args)
    {
        writer.clear();
        engine.execute(args, writer);
        return writer.pending();
    }

    @Benchmark
    public int hsetListpack()
    {
        return run(smallSet[next++ & (ORDER - 1)]);
    }

    @Benchmark
    public int hgetListpack()
    {
        return run(smallGet[next++ & (ORDER - 1)]);
    }

    @Benchmark
    public int hsetHashtable()
    {
        return run(bigSet[next++ & (ORDER - 1)]);
    }

    @Benchmark
    public int hgetHashtable()
    {
        return run(bigGet[next++ & (ORDER - 1)]);
    }
}
