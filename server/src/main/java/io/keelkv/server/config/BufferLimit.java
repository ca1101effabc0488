package io.keelkv.server.config;

/**
 * One class of {@code client-output-buffer-limit}: a client is disconnected when its pending output exceeds
 * the hard limit, or stays above the soft limit for {@code softSeconds}. 0 disables a limit.
 *
 * <p>Redis keeps the byte limits as unsigned 64-bit values and prints them back unchanged (so
 * {@code 18446744073709551615} survives a CONFIG GET); the accessors saturate at {@link Long#MAX_VALUE},
 * which no buffer will ever reach.
 */
public final class BufferLimit
{
    private final long hardBytesUnsigned;
    private final long softBytesUnsigned;
    private final int softSeconds;

    BufferLimit(final long hardBytesUnsigned, final long softBytesUnsigned, final int softSeconds)
    {
        this.hardBytesUnsigned = hardBytesUnsigned;
        this.softBytesUnsigned = softBytesUnsigned;
        this.softSeconds = softSeconds;
    }

    public long hardLimitBytes()
    {
        return hardBytesUnsigned < 0 ? Long.MAX_VALUE : hardBytesUnsigned;
    }

    public long softLimitBytes()
    {
        return softBytesUnsigned < 0 ? Long.MAX_VALUE : softBytesUnsigned;
    }

    public int softLimitSeconds()
    {
        return softSeconds;
    }

    /**
     * @return "hard soft seconds" as CONFIG GET prints them.
     */
    @Override
    public String toString()
    {
        return Long.toUnsignedString(hardBytesUnsigned) + " " + Long.toUnsignedString(softBytesUnsigned) + " " +
            softSeconds;
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof BufferLimit other && other.hardBytesUnsigned == hardBytesUnsigned &&
            other.softBytesUnsigned == softBytesUnsigned && other.softSeconds == softSeconds;
    }

    @Override
    public int hashCode()
    {
        return Long.hashCode(hardBytesUnsigned) * 31 + Long.hashCode(softBytesUnsigned) * 17 + softSeconds;
    }
}
