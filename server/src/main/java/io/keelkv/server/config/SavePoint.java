package io.keelkv.server.config;

/**
 * One {@code save <seconds> <changes>} pair: snapshot after {@code seconds} when at least {@code changes}
 * writes happened.
 */
public record SavePoint(long seconds, int changes)
{
    @Override
    public String toString()
    {
        return seconds + " " + changes;
    }
}
