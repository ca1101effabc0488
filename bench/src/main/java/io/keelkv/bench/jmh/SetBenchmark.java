package io.keelkv.bench.jmh;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * SADD and SISMEMBER through the dispatcher, in process, over both encodings: 10,000 small sets of 64 integers
 * (intsets inside their entries) and one set of 1,000,000 members {@code m:NNNNNNN} (a hashtable in page
 * memory), visited in a fixed pseudo-random order. The SADD methods alternate SADD of a new member and SREM of
 * it, so every SADD really inserts (an intset grows its entry, a dict links a new element) and the data set stays
 * the same size. Run with {@code -prof gc}: every method must show ~0 B/op (bench/allocation-budget.txt).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class SetBenchmark
{
    private static final int SMALL_SETS = 10_000;
    private static final int SMALL_MEMBERS = 64;
    private static final int BIG_MEMBERS = 1_000_000;
    private static final int ORDER = 1 << 16;

    private KeelEngine engine;
    private RespWriter writer;
    private Args[] smallAdd;
    private Args[] smallIsMember;
    private Args[] bigAdd;
    private Args[] bigIsMember;
    private int next;

    @Setup
    public void setup()
    {
        engine = new KeelEngine(new EngineSettings());
        writer = new RespWriter(64 * 1024);
        for (int s = 0; s < SMALL_SETS; s++)
        {
            for (int m = 0; m < SMALL_MEMBERS; m++)
            {
                run(Args.of("SADD", "s:" + s, String.valueOf(m * 3)));
            }
        }
        for (int m = 0; m < BIG_MEMBERS; m++)
        {
            run(Args.of("SADD", "big", String.format("m:%07d", m)));
        }
        final java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        smallAdd = new Args[ORDER];
        smallIsMember = new Args[ORDER];
        bigAdd = new Args[ORDER];
        bigIsMember = new Args[ORDER];
        for (int i = 0; i < ORDER; i += 2)
        {
            final String key = "s:" + random.nextInt(SMALL_SETS);
            final String member = String.valueOf(random.nextInt(SMALL_MEMBERS) * 3 + 1); // between two members
            smallAdd[i] = Args.of("SADD", key, member);
            smallAdd[i + 1] = Args.of("SREM", key, member);
            final String bigMember = String.format("n:%07d", random.nextInt(BIG_MEMBERS));
            bigAdd[i] = Args.of("SADD", "big", bigMember);
            bigAdd[i + 1] = Args.of("SREM", "big", bigMember);
        }
        for (int i = 0; i < ORDER; i++)
        {
            smallIsMember[i] = Args.of("SISMEMBER", "s:" + random.nextInt(SMALL_SETS),
                String.valueOf(random.nextInt(SMALL_MEMBERS * 3)));
            bigIsMember[i] = Args.of("SISMEMBER", "big", String.format("m:%07d", random.nextInt(BIG_MEMBERS)));
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
    public int saddIntset()
    {
        return run(smallAdd[next++ & (ORDER - 1)]);
    }

    @Benchmark
    public int sismemberIntset()
    {
        return run(smallIsMember[next++ & (ORDER - 1)]);
    }

    @Benchmark
    public int saddHashtable()
    {
        return run(bigAdd[next++ & (ORDER - 1)]);
    }

    @Benchmark
    public int sismemberHashtable()
    {
        return run(bigIsMember[next++ & (ORDER - 1)]);
    }
}
