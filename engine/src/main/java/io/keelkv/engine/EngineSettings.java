package io.keelkv.engine;

import io.keelkv.engine.keyspace.EvictionPolicy;
import io.keelkv.engine.snapshot.SnapshotAgent;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The settings the engine itself reads. The server's config layer (or an embedding application) fills
 * them before {@link KeelEngine} is built and may change the mutable ones at runtime on the engine's thread.
 */
public final class EngineSettings
{
    public int databases = 16;
    public int pageSizeBytes = 64 * 1024;
    public long maxMemoryBytes;
    public EvictionPolicy maxMemoryPolicy = EvictionPolicy.NOEVICTION;
    public int maxMemorySamples = 5;
    public int lfuLogFactor = 10;
    public int lfuDecayTimeMinutes = 1;
    public long protoMaxBulkLen = 512L * 1024 * 1024;
    /** client-query-buffer-limit: bounds a transaction's queued commands too. */
    public long queryBufferLimit = 1024L * 1024 * 1024;
    /** hash-max-listpack-entries and hash-max-listpack-value: past either, a hash leaves the listpack encoding. */
    public long hashMaxListpackEntries = 512;
    public long hashMaxListpackValue = 64;
    /** set-max-intset-entries: past it, a set leaves the intset encoding. */
    public long setMaxIntsetEntries = 512;
    /** list-max-listpack-size: the fill of a quicklist node. */
    public int listMaxListpackSize = -2;
    /** zset-max-listpack-entries and zset-max-listpack-value: past either, a sorted set leaves the listpack encoding. */
    public long zsetMaxListpackEntries = 128;
    public long zsetMaxListpackValue = 64;
    public int activeExpireBudgetPercent = 25;
    public long seed = System.nanoTime();
    /**
     * Run the background snapshot's agent on a thread of its own (started at the first BGSAVE). False runs
     * it on the owner's thread from each {@code cron}/poll step: deterministic, and slower.
     */
    public boolean snapshotAgentThread = true;
    /**
     * How the snapshot agent's thread waits between saves: never a busy spin (it is idle almost always); the
     * default parks up to 20 ms, and a save's start unparks it, so it starts at once and an idle agent wakes
     * 50 times a second (at 1 ms it woke 1000 times, a context switch each, beside the loop on 2 cores).
     */
    public Supplier<IdleStrategy> snapshotIdleStrategy =
        () -> new BackoffIdleStrategy(10, 10, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(20));
    /**
     * How the aof-sync thread waits for work: it parks (up to 10 ms, which also paces everysec's check and the
     * prefault of the file's next pages), and under {@code appendfsync always} the event loop unparks it as
     * soon as a pass appended something, so a group commit starts within microseconds without a core
     * spinning for it.
     */
    public Supplier<IdleStrategy> aofSyncIdleStrategy =
        () -> new BackoffIdleStrategy(10, 10, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(10));
    /** Pages per snapshot agent duty cycle: the bound on how long an abort waits. */
    public int snapshotPagesPerStep = SnapshotAgent.DEFAULT_PAGES_PER_STEP;
    /**
     * A snapshot load faults in its page memory on a second thread while it writes the pages (see
     * {@link io.keelkv.engine.memory.PagePrefaulter}): on by default where there is a second CPU. The system
     * property {@code keelkv.load.prefault} exists to measure it (bench/scripts/compare-restart.sh).
     */
    public boolean loadPrefaultThread = Boolean.parseBoolean(System.getProperty("keelkv.load.prefault",
        Boolean.toString(Runtime.getRuntime().availableProcessors() > 1)));

    /** Validate before anything is mapped (Aeron's conclude()). */
    public EngineSettings conclude()
    {
        if (databases < 1)
        {
            throw new IllegalArgumentException("databases must be >= 1: " + databases);
        }
        if (Integer.bitCount(pageSizeBytes) != 1 || pageSizeBytes < 4096 || pageSizeBytes > (16 << 20))
        {
            throw new IllegalArgumentException("page-size must be a power of two in [4kb, 16mb]: " + pageSizeBytes);
        }
        if (maxMemorySamples < 1)
        {
            throw new IllegalArgumentException("maxmemory-samples must be >= 1");
        }
        return this;
    }
}
