package io.keelkv.engine.keyspace;

/** maxmemory-policy values, with Redis's names. */
public enum EvictionPolicy
{
    NOEVICTION("noeviction", false, false),
    ALLKEYS_LRU("allkeys-lru", false, false),
    VOLATILE_LRU("volatile-lru", true, false),
    ALLKEYS_LFU("allkeys-lfu", false, false),
    VOLATILE_LFU("volatile-lfu", true, false),
    ALLKEYS_RANDOM("allkeys-random", false, true),
    VOLATILE_RANDOM("volatile-random", true, true),
    VOLATILE_TTL("volatile-ttl", true, false);

    private final String redisName;
    private final boolean volatileOnly;
    private final boolean random;

    EvictionPolicy(final String redisName, final boolean volatileOnly, final boolean random)
    {
        this.redisName = redisName;
        this.volatileOnly = volatileOnly;
        this.random = random;
    }

    public String redisName()
    {
        return redisName;
    }

    public boolean volatileOnly()
    {
        return volatileOnly;
    }

    public boolean random()
    {
        return random;
    }

    public boolean isLfu()
    {
        return this == ALLKEYS_LFU || this == VOLATILE_LFU;
    }

    public static EvictionPolicy fromRedisName(final String name)
    {
        for (final EvictionPolicy policy : values())
        {
            if (policy.redisName.equalsIgnoreCase(name))
            {
                return policy;
            }
        }
        return null;
    }
}
