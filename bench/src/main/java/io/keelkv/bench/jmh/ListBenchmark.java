package io.keelkv.bench.jmh;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * LPUSH, LPOP and LRANGE through the dispatcher, in process, over quicklists in page memory: 10,000 lists of
 * 100 items and one list of 1,000,000 items, keys visited in a fixed pseudo-random order. The push methods
 * alternate an LPUSH and the LPOP that takes it back (so the data set stays the same size and every call
 * really writes a node); LRANGE 0 99 reads the first hundred items of a small list. Run with {@code -prof gc}:
 * every method must show ~0 B/op (bench/allocation-budget.txt).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class ListBenchmark
{
    private static final int SMALL_LISTS = 10_000;
    private static final int SMALL_ITEMS = 100;
    private static final int BIG_ITEMS = 1_000_000;
    private static final int ORDER = 1 << 16;

    private KeelEngine engine;
    private RespWriter writer;
    private Args[] smallPush;
    private Args[] smallPop;
    private Args[] smallRange;
    private Args bigPush;
    private Args bigPop;
    private int next;

    @Setup
    public void setup()
    {
        engine = new KeelEngine(new EngineSettings());
        writer = new RespWriter(64 * 1024);
        final String item = "item:%07d";
        for (int l = 0; l < SMALL_LISTS; l++)
        {
            for (int i = 0; i < SMALL_ITEMS; i++)
            {
                run(Args.of("RPUSH", "l:" + l, String.format(item, i)));
            }
        }
        for (int i = 0; i < BIG_ITEMS; i++)
        {
            run(Args.of("RPUSH", "big", String.format(item, i)));
        }
        final java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        smallPush = new Args[ORDER];
        smallPop = new Args[ORDER];
        smallRange = new Args[ORDER];
        for (int i = 0; i < ORDER; i++)
        {
            final String key = "l:" + random.nextInt(SMALL_LISTS);
            smallPush[i] = Args.of("LPUSH", key, String.format(item, i));
            smallPop[i] = Args.of("LPOP", key);
            smallRange[i] = Args.of("LRANGE", key, "0", "99");
        }
        bigPush = Args.of("LPUSH", "big", "pushed:0000000");
        bigPop = Args.of("LPOP", "big");
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
    public int lpushLpopSmall()
    {
        final int i = next++;
        return run(((i & 1) == 0 ? smallPush : smallPop)[(i >>> 1) & (ORDER - 1)]);
    }

    @Benchmark
    public int lpushLpopBig()
    {
        return run((next++ & 1) == 0 ? bigPush : bigPop);
    }

    @Benchmark
    public int lrange100()
    {
        return run(smallRange[next++ & (ORDER - 1)]);
    }
}
