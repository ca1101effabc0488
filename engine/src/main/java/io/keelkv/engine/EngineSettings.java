package io.keelkv.engine;

import io.keelkv.engine.keyspace.EvictionPolicy;

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
    public int activeExpireBudgetPercent = 25;
    public long seed = System.nanoTime();

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
