package io.keelkv.bench.jmh;

import io.keelkv.engine.aof.MappedAppendFile;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * The AOF write path, one op = one batch of {@code batchSize} pre-encoded RESP commands
 * {@code SET key:<n> <32-byte value>} (62 to 64 bytes each), as one event-loop pass would log them:
 * <ul>
 *   <li>{@code mappedAppend}: the event loop's part, one {@link MappedAppendFile#append} per command
 *       into the mapping, no sync: what appending costs.</li>
 *   <li>{@code mappedAppendMsync}: the same, then {@code syncUpTo} the batch end: one group commit, an
 *       msync(MS_SYNC) of the dirty pages (on the aof-sync agent in the server; here on the same
 *       thread, so one op is the commit latency of a batch).</li>
 *   <li>{@code channelWrite} and {@code channelWriteForce}: the naive baseline, one
 *       {@code FileChannel.write} of the whole batch at the end of a file opened for writing, without
 *       and with {@code force(false)} (fdatasync): Redis's write + fdatasync under appendfsync always.</li>
 * </ul>
 *
 * <p>Settings: files in {@code dir} (default /tmp; this must be a disk file system for the sync figures to
 * mean anything: on tmpfs msync and fdatasync have nothing to write; check with {@code df -T}); mapped
 * chunks of {@code chunkSizeMiB} (64 MiB, the default of the AOF); single thread. Every file is new and
 * written once: appends fault in fresh page-cache pages over fallocated blocks, as a real AOF does, and
 * nothing is read back. Page cache: each iteration (1 s) starts with fresh files, made before its clock
 * starts; the previous ones are cut to zero bytes first, which drops their dirty pages unwritten. So an
 * append-only run dirties at most about one second of appends (well below this machine's 2.3 GB
 * background-writeback threshold) and measures appending, not the disk's write bandwidth; the sync
 * variants write every batch to the disk. Should an iteration reach {@link #ROLLOVER_BYTES} anyway, the
 * op that does rolls the file over itself; that artefact (a real AOF never cuts) is counted and printed
 * at tear-down, and did not happen in the published run.
 *
 * <p>Allocation: {@code mappedAppend} allocates nothing within a chunk; growth (every chunk) and the
 * benchmark's rollover allocate a few objects. Budget in bench/allocation-budget.txt.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AofAppendBenchmark
{
    /** A bound on one file (and on dirty page cache) should an iteration append more than expected. */
    static final long ROLLOVER_BYTES = 1536L << 20;
    private static final int VALUE_BYTES = 32;

    // initial values are what AllocationBudgetTest drives; JMH sets each @Param
    @Param({"1", "16", "128"})
    public int batchSize = 16;

    @Param("/tmp")
    public String dir = "/tmp";

    @Param("64")
    public int chunkSizeMiB = 64;

    private UnsafeBuffer batch;
    private ByteBuffer batchByteBuffer;
    private int[] offsets;
    private int[] lengths;
    private int batchBytes;

    private Path mappedPath;
    private MappedAppendFile mapped;
    private Path channelPath;
    private FileChannel channel;

    private long rollovers;
    private long rolloverNs;
    private long rolledOverBytes;

    @Setup
    public void setup() throws IOException
    {
        final byte[][] commands = new byte[batchSize][];
        int total = 0;
        for (int i = 0; i < batchSize; i++)
        {
            final String value = String.format("%032d", 31L * i + 7);
            final String key = "key:" + i;
            commands[i] = ("*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$" + VALUE_BYTES + "\r\n" + value + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
            total += commands[i].length;
        }
        batchByteBuffer = BufferUtil.allocateDirectAligned(org.agrona.BitUtil.align(total, 64), 64);
        batch = new UnsafeBuffer(batchByteBuffer);
        offsets = new int[batchSize];
        lengths = new int[batchSize];
        int offset = 0;
        for (int i = 0; i < batchSize; i++)
        {
            batch.putBytes(offset, commands[i]);
            offsets[i] = offset;
            lengths[i] = commands[i].length;
            offset += commands[i].length;
        }
        batchBytes = total;

        final String name = "keel-aof-bench-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        mappedPath = Path.of(dir, name + "-mapped.aof");
        channelPath = Path.of(dir, name + "-channel.aof");
        mapped = MappedAppendFile.create(mappedPath, (long)chunkSizeMiB << 20);
        channel = FileChannel.open(channelPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /**
     * Fresh files for every iteration, outside its measured time. Safe to call before {@link #setup()}
     * (AllocationBudgetTest calls every @Setup method once, in no particular order).
     */
    @Setup(Level.Iteration)
    public void freshFiles() throws IOException
    {
        if (mapped != null && mapped.position() > 0)
        {
            replaceMappedFile();
        }
        if (channel != null && channel.position() > 0)
        {
            channel.truncate(0);
            channel.position(0);
        }
    }

    @TearDown
    public void tearDown() throws IOException
    {
        mapped.close();
        channel.close();
        Files.deleteIfExists(mappedPath);
        Files.deleteIfExists(channelPath);
        if (rollovers > 0)
        {
            System.out.printf("%n[rollover artefact] %d rollovers within ops, %.1f ms in total, %.2f us per rolled-over " +
                "MiB (inside the op times above; subtract for the append cost alone)%n", rollovers, rolloverNs / 1e6,
                rolloverNs / 1e3 / (rolledOverBytes / (double)(1 << 20)));
        }
    }

    @Benchmark
    public long mappedAppend() throws IOException
    {
        if (mapped.position() + batchBytes > ROLLOVER_BYTES)
        {
            rollOverMapped();
        }
        final MappedAppendFile file = mapped;
        final UnsafeBuffer batch = this.batch;
        for (int i = 0; i < batchSize; i++)
        {
            file.append(batch, offsets[i], lengths[i]);
        }
        return file.position();
    }

    @Benchmark
    public long mappedAppendMsync() throws IOException
    {
        mappedAppend();
        return mapped.syncUpTo(mapped.appendedPosition());
    }

    @Benchmark
    public long channelWrite() throws IOException
    {
        if (channel.position() + batchBytes > ROLLOVER_BYTES)
        {
            rollOverChannel();
        }
        batchByteBuffer.limit(batchBytes).position(0);
        while (batchByteBuffer.hasRemaining())
        {
            channel.write(batchByteBuffer);
        }
        return channel.position();
    }

    @Benchmark
    public long channelWriteForce() throws IOException
    {
        final long position = channelWrite();
        channel.force(false);
        return position;
    }

    private void rollOverMapped() throws IOException
    {
        final long startNs = System.nanoTime();
        rolledOverBytes += mapped.position();
        replaceMappedFile();
        rollovers++;
        rolloverNs += System.nanoTime() - startNs;
    }

    private void replaceMappedFile() throws IOException
    {
        // cut the file under the mapping first, so that close() has no dirty page left to write: the
        // benchmark throws these bytes away, an AOF never would
        try (FileChannel cut = FileChannel.open(mappedPath, StandardOpenOption.WRITE))
        {
            cut.truncate(0);
        }
        mapped.close();
        Files.delete(mappedPath);
        mapped = MappedAppendFile.create(mappedPath, (long)chunkSizeMiB << 20);
    }

    private void rollOverChannel() throws IOException
    {
        final long startNs = System.nanoTime();
        rolledOverBytes += channel.position();
        channel.truncate(0);
        channel.position(0);
        rollovers++;
        rolloverNs += System.nanoTime() - startNs;
    }
}
