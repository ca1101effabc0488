package io.keelkv.bench.jmh;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * ZADD and ZRANGE through the dispatcher, in process, over both encodings: 10,000 sorted sets of 64 members
 * (listpacks inside their entries) and one of 1,000,000 members (the skiplist encoding: a member dict and a
 * score tree in page memory). Members {@code m:NNNNNNN} with integer scores, keys and members visited in a
 * fixed pseudo-random order. The ZADD methods alternate a ZADD of a member that is not there and the ZREM that
 * takes it out again (so each really inserts, and the data set stays the same size); ZRANGE reads ten members
 * with their scores from a random rank. On the big set, also: ZADD of an existing member with a new score (a
 * tree delete and insert: the descent twice), ZRANK (one descent) and ZRANGEBYSCORE of ten members (a descent
 * and a walk). Run with {@code -prof gc}: every method must show ~0 B/op
 * (bench/allocation-budget.txt).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class ZsetBenchmark
{
    private static final int SMALL_SETS = 10_000;
    private static final int SMALL_MEMBERS = 64;
    private static final int BIG_MEMBERS = 1_000_000;
    private static final int ORDER = 1 << 16;

    private KeelEngine engine;
    private RespWriter writer;
    private Args[] smallAdd;
    private Args[] smallRem;
    private Args[] smallRange;
    private Args[] bigAdd;
    private Args[] bigRem;
    private Args[] bigRange;
    private Args[] bigUpdate;
    private Args[] bigRank;
    private Args[] bigRangeByScore;
    private int next;

    @Setup
    public void setup()
    {
        engine = new KeelEngine(new EngineSettings());
        writer = new RespWriter(64 * 1024);
        for (int z = 0; z < SMALL_SETS; z++)
        {
            for (int m = 0; m < SMALL_MEMBERS; m++)
            {
                run(Args.of("ZADD", "z:" + z, Integer.toString(m * 2), String.format("m:%07d", m * 2)));
            }
        }
        for (int m = 0; m < BIG_MEMBERS; m++)
        {
            run(Args.of("ZADD", "big", Integer.toString(m * 2), String.format("m:%07d", m * 2)));
        }
        final java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        smallAdd = new Args[ORDER];
        smallRem = new Args[ORDER];
        smallRange = new Args[ORDER];
        bigAdd = new Args[ORDER];
        bigRem = new Args[ORDER];
        bigRange = new Args[ORDER];
        bigUpdate = new Args[2 * ORDER];
        bigRank = new Args[ORDER];
        bigRangeByScore = new Args[ORDER];
        for (int i = 0; i < ORDER; i++)
        {
            // odd scores and members: never present, so each ZADD inserts between two existing members
            final String key = "z:" + random.nextInt(SMALL_SETS);
            final int small = random.nextInt(SMALL_MEMBERS) * 2 + 1;
            smallAdd[i] = Args.of("ZADD", key, Integer.toString(small), String.format("m:%07d", small));
            smallRem[i] = Args.of("ZREM", key, String.format("m:%07d", small));
            final int smallStart = random.nextInt(SMALL_MEMBERS - 10);
            smallRange[i] = Args.of("ZRANGE", key, Integer.toString(smallStart), Integer.toString(smallStart + 9),
                "WITHSCORES");
            final int big = random.nextInt(BIG_MEMBERS) * 2 + 1;
            bigAdd[i] = Args.of("ZADD", "big", Integer.toString(big), String.format("m:%07d", big));
            bigRem[i] = Args.of("ZREM", "big", String.format("m:%07d", big));
            final int bigStart = random.nextInt(BIG_MEMBERS - 10);
            bigRange[i] = Args.of("ZRANGE", "big", Integer.toString(bigStart), Integer.toString(bigStart + 9), "WITHSCORES");
            // an existing member moved to an odd score and back: each ZADD is a tree delete and insert
            final int present = random.nextInt(BIG_MEMBERS) * 2;
            bigUpdate[2 * i] = Args.of("ZADD", "big", Integer.toString(present + 1), String.format("m:%07d", present));
            bigUpdate[2 * i + 1] = Args.of("ZADD", "big", Integer.toString(present), String.format("m:%07d", present));
            final int ranked = random.nextInt(BIG_MEMBERS) * 2;
            bigRank[i] = Args.of("ZRANK", "big", String.format("m:%07d", ranked));
            final int low = random.nextInt(BIG_MEMBERS - 10) * 2;
            bigRangeByScore[i] = Args.of("ZRANGEBYSCORE", "big", Integer.toString(low), Integer.toString(low + 18),
                "WITHSCORES");
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
    public int zaddListpack()
    {
        final int i = next++;
        return run(((i & 1) == 0 ? smallAdd : smallRem)[(i >>> 1) & (ORDER - 1)]);
    }

    @Benchmark
    public int zrangeListpack()
    {
        return run(smallRange[next++ & (ORDER - 1)]);
    }

    @Benchmark
    public int zaddSkiplist()
    {
        final int i = next++;
        return run(((i & 1) == 0 ? bigAdd : bigRem)[(i >>> 1) & (ORDER - 1)]);
    }

    @Benchmark
    public int zrangeSkiplist()
    {
        return run(bigRange[next++ & (ORDER - 1)]);
    }

    @Benchmark
    public int zaddUpdateSkiplist()
    {
        return run(bigUpdate[next++ & (2 * ORDER - 1)]);
    }

    @Benchmark
    public int zrankSkiplist()
    {
        return run(bigRank[next++ & (ORDER - 1)]);
    }

    @Benchmark
    public int zrangebyscoreSkiplist()
    {
        return run(bigRangeByScore[next++ & (ORDER - 1)]);
    }
}
