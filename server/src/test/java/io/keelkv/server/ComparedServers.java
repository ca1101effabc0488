package io.keelkv.server;

/**
 * The four servers a client-compatibility test runs the same assertions against: KeelKV and Debian's
 * redis-server, each once without and once with requirepass. Without redis-server on the PATH only the
 * KeelKV pair starts, and {@link #port} skips a REDIS row (fails it under KEEL_REQUIRE_ORACLE=1).
 */
final class ComparedServers implements AutoCloseable
{
    enum Target
    {
        REDIS, KEELKV
    }

    private final KeelServer keel;
    private final KeelServer keelAuth;
    private final RedisOracle redis;
    private final RedisOracle redisAuth;

    private ComparedServers(final KeelServer keel, final KeelServer keelAuth, final RedisOracle redis,
        final RedisOracle redisAuth)
    {
        this.keel = keel;
        this.keelAuth = keelAuth;
        this.redis = redis;
        this.redisAuth = redisAuth;
    }

    /**
     * @param password  the requirepass of the second server of each pair.
     * @param keelArgs  extra directives for the KeelKV server without a password.
     */
    static ComparedServers start(final String password, final String... keelArgs) throws Exception
    {
        final KeelServer keel = TestServers.start(keelArgs);
        final KeelServer keelAuth = TestServers.start("--requirepass", password);
        RedisOracle redis = null;
        RedisOracle redisAuth = null;
        if (RedisOracle.onPath("redis-server"))
        {
            redis = RedisOracle.start();
            redisAuth = RedisOracle.start("--requirepass", password);
        }
        return new ComparedServers(keel, keelAuth, redis, redisAuth);
    }

    int port(final Target target, final boolean auth)
    {
        if (target == Target.REDIS)
        {
            RedisOracle.require(redis != null, "redis-server not installed: apt-get install -y redis-server");
            return auth ? redisAuth.port() : redis.port();
        }
        return auth ? keelAuth.port() : keel.port();
    }

    @Override
    public void close() throws Exception
    {
        for (final AutoCloseable closeable : new AutoCloseable[] {keel, keelAuth, redis, redisAuth})
        {
            if (closeable != null)
            {
                closeable.close();
            }
        }
    }
}
