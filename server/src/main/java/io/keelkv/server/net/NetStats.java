package io.keelkv.server.net;

/** Network counters with INFO's names; written by the event loop only. */
public final class NetStats
{
    public long totalConnectionsReceived;
    public long rejectedConnections;
    public long totalCommandsProcessed;
    public long totalNetInputBytes;
    public long totalNetOutputBytes;
    public long totalReadsProcessed;
    public long totalWritesProcessed;

    public void reset()
    {
        totalConnectionsReceived = 0;
        rejectedConnections = 0;
        totalCommandsProcessed = 0;
        totalNetInputBytes = 0;
        totalNetOutputBytes = 0;
        totalReadsProcessed = 0;
        totalWritesProcessed = 0;
    }
}
