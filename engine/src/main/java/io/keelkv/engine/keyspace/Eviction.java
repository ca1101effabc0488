package io.keelkv.engine.keyspace;

import io.keelkv.engine.memory.PageMemory;

/**
 * maxmemory and its policy: what counts as used memory, and eviction until under the limit, as Redis's
 * performEvictions. Owner thread.
 *
 * <p>Used memory is the blocks handed out by the allocator (size-class rounding included), what a running
 * snapshot holds (preserved page copies and releases waiting for the agent: real memory the process has), and
 * the overhead the owner reports (the server's heap and client buffers, as Redis counts its client buffers).
 * Not the pages in use: evicting a key frees its block but rarely a whole page, so a measure of pages would
 * evict far more than needed.
 */
public final class Eviction
{
    private final Keyspace keyspace;
    private final PageMemory memory;
    private long maxMemoryBytes;
    private EvictionPolicy policy = EvictionPolicy.NOEVICTION;
    private int samples = 5;
    private long overheadBytes;

    public Eviction(final Keyspace keyspace)
    {
        this.keyspace = keyspace;
        this.memory = keyspace.memory();
    }

    /** maxmemory (0: no limit), maxmemory-policy, maxmemory-samples. */
    public void configure(final long maxMemoryBytes, final EvictionPolicy policy, final int samples)
    {
        this.maxMemoryBytes = maxMemoryBytes;
        this.policy = policy;
        this.samples = samples;
    }

    public long maxMemoryBytes()
    {
        return maxMemoryBytes;
    }

    public EvictionPolicy policy()
    {
        return policy;
    }

    /** Bytes counted against maxmemory (see the class comment). */
    public long usedMemory()
    {
        return memory.allocatedBytes() + memory.snapshotRetainedBytes() + overheadBytes;
    }

    /**
     * Memory outside the pages that counts against maxmemory too: the server samples its Java heap in use and
     * its clients' buffers into this. Eviction treats it as a constant, since evicting keys does not shrink it.
     * 0 for embedded use.
     */
    public void overheadBytes(final long bytes)
    {
        this.overheadBytes = Math.max(0, bytes);
    }

    public long overheadBytes()
    {
        return overheadBytes;
    }

    /**
     * Evict until under maxmemory. @return false when still over the limit and nothing more can be evicted
     * (the caller refuses write commands that may grow memory).
     */
    public boolean freeMemoryIfNeeded()
    {
        if (maxMemoryBytes <= 0)
        {
            return true;
        }
        while (usedMemory() > maxMemoryBytes)
        {
            if (!keyspace.evictOne(policy, samples))
            {
                return false;
            }
        }
        return true;
    }
}
