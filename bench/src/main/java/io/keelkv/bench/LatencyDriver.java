package io.keelkv.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Open-loop, fixed-rate latency driver for any RESP server (KeelKV and redis-server alike).
 *
 * <p>Requests are <em>scheduled</em> at a fixed rate, spread round-robin over the connections, and sent
 * whether or not earlier replies came back (pipelining on a connection when needed). Each latency is
 * measured from the request's intended send time, not from when it was actually written: when the
 * server (or the driver) stalls, every request scheduled during the stall is charged the wait, which is
 * what corrects coordinated omission. Latencies go into an HdrHistogram (1 µs to 60 s, 3 digits).
 *
 * <p>One thread, one selector, no allocation per request; the driver checks it kept up with the
 * schedule and says so when it did not (then the numbers measure the driver, not the server).
 *
 * <pre>
 * LatencyDriver --port P --rate R --seconds S [--connections 50] [--value-bytes 32] [--keys 100000]
 *               [--get-percent 80] [--label name] [--hgrm file] [--warmup 3] [--report-stalls-ms N]
 * </pre>
 * Prints one line: label, rate, achieved rate, p50, p99, p99.9, max (µs), and optionally writes the
 * histogram's percentile distribution. With {@code --report-stalls-ms N}, every latency of N ms or more
 * is also reported on stderr with its wall-clock time (at most ten a second), to line up with a server's
 * GC, JIT or safepoint log.
 */
public final class LatencyDriver
{
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private static final class Conn
    {
        final SocketChannel channel;
        final ByteBuffer out = ByteBuffer.allocateDirect(1 << 20);
        final ByteBuffer in = ByteBuffer.allocateDirect(1 << 20);
        long[] intended = new long[1024];
        int head;
        int tail;

        Conn(final SocketChannel channel)
        {
            this.channel = channel;
        }

        void push(final long intendedNs)
        {
            if (tail - head == intended.length)
            {
                final long[] grown = new long[intended.length * 2];
                for (int i = head; i < tail; i++)
                {
                    grown[i - head] = intended[i & (intended.length - 1)];
                }
                tail -= head;
                head = 0;
                intended = grown;
            }
            intended[tail++ & (intended.length - 1)] = intendedNs;
        }

        long pop()
        {
            return intended[head++ & (intended.length - 1)];
        }

        int outstanding()
        {
            return tail - head;
        }
    }

    public static void main(final String[] argv) throws Exception
    {
        int port = 6379;
        long rate = 10_000;
        int seconds = 10;
        int connections = 50;
        int valueBytes = 32;
        int keys = 100_000;
        int getPercent = 80;
        String label = "server";
        String hgrm = null;
        int warmupSeconds = 3;
        long stallReportMs = 0;
        for (int i = 0; i < argv.length; i += 2)
        {
            switch (argv[i])
            {
                case "--port": port = Integer.parseInt(argv[i + 1]); break;
                case "--rate": rate = Long.parseLong(argv[i + 1]); break;
                case "--seconds": seconds = Integer.parseInt(argv[i + 1]); break;
                case "--connections": connections = Integer.parseInt(argv[i + 1]); break;
                case "--value-bytes": valueBytes = Integer.parseInt(argv[i + 1]); break;
                case "--keys": keys = Integer.parseInt(argv[i + 1]); break;
                case "--get-percent": getPercent = Integer.parseInt(argv[i + 1]); break;
                case "--label": label = argv[i + 1]; break;
                case "--hgrm": hgrm = argv[i + 1]; break;
                case "--warmup": warmupSeconds = Integer.parseInt(argv[i + 1]); break;
                case "--report-stalls-ms": stallReportMs = Long.parseLong(argv[i + 1]); break;
                default: throw new IllegalArgumentException("unknown option " + argv[i]);
            }
        }
        final Histogram histogram = run(port, rate, seconds, warmupSeconds, connections, valueBytes, keys, getPercent, System.out, label,
            stallReportMs);
        if (hgrm != null)
        {
            try (PrintStream out = new PrintStream(Files.newOutputStream(Path.of(hgrm)), true, "UTF-8"))
            {
                histogram.outputPercentileDistribution(out, 1.0);
            }
        }
    }

    static Histogram run(
        final int port, final long rate, final int seconds, final int warmupSeconds, final int connectionCount,
        final int valueBytes,
        final int keys, final int getPercent, final PrintStream report, final String label, final long stallReportMs)
        throws IOException
    {
        final long stallReportUs = stallReportMs > 0 ? stallReportMs * 1000 : Long.MAX_VALUE;
        long lastStallReportNs = 0;
        final Histogram histogram = new Histogram(60_000_000L, 3);
        final byte[][] setRequests = new byte[keys][];
        final byte[][] getRequests = new byte[keys][];
        final String value = "x".repeat(valueBytes);
        for (int k = 0; k < keys; k++)
        {
            final String key = String.format(Locale.ROOT, "key:%06d", k);
            setRequests[k] = ("*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$" + valueBytes + "\r\n" + value + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
            getRequests[k] = ("*2\r\n$3\r\nGET\r\n$" + key.length() + "\r\n" + key + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }
        final Selector selector = Selector.open();
        final List<Conn> conns = new ArrayList<>();
        for (int i = 0; i < connectionCount; i++)
        {
            final SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
            final Conn conn = new Conn(channel);
            channel.register(selector, SelectionKey.OP_READ, conn);
            conns.add(conn);
        }
        final SplittableRandom random = new SplittableRandom(42);
        final long intervalNs = NANOS_PER_SECOND / rate;
        // the first warmupSeconds of the schedule run for real but are not recorded: the driver's own JIT
        final long total = rate * (seconds + warmupSeconds);
        final long startNs = System.nanoTime() + 100_000_000L;
        final long recordFromNs = startNs + warmupSeconds * NANOS_PER_SECOND;
        long recorded = 0;
        long sent = 0;
        long received = 0;
        long maxLagNs = 0;
        int next = 0;
        final long deadlineNs = startNs + (seconds + warmupSeconds + 30L) * NANOS_PER_SECOND;
        while (received < total && System.nanoTime() < deadlineNs)
        {
            final long nowNs = System.nanoTime();
            // send everything whose time has come (the schedule never waits for replies: open loop)
            while (sent < total && startNs + sent * intervalNs <= nowNs)
            {
                final long intendedNs = startNs + sent * intervalNs;
                maxLagNs = Math.max(maxLagNs, nowNs - intendedNs);
                final Conn conn = conns.get(next);
                next = next + 1 == conns.size() ? 0 : next + 1;
                final int k = random.nextInt(keys);
                final byte[] request = random.nextInt(100) < getPercent ? getRequests[k] : setRequests[k];
                if (conn.out.remaining() < request.length)
                {
                    flush(conn);
                }
                conn.out.put(request);
                conn.push(intendedNs);
                sent++;
            }
            for (final Conn conn : conns)
            {
                if (conn.out.position() > 0)
                {
                    flush(conn);
                }
            }
            selector.selectNow();
            for (final SelectionKey key : selector.selectedKeys())
            {
                final Conn conn = (Conn)key.attachment();
                final int n = conn.channel.read(conn.in);
                if (n < 0)
                {
                    throw new IOException("server closed the connection");
                }
                conn.in.flip();
                while (oneReply(conn.in) > 0)
                {
                    final long intendedNs = conn.pop();
                    if (intendedNs >= recordFromNs)
                    {
                        final long latencyUs = Math.max(1, (System.nanoTime() - intendedNs) / 1000);
                        histogram.recordValue(latencyUs);
                        recorded++;
                        if (latencyUs >= stallReportUs && System.nanoTime() - lastStallReportNs > 100_000_000L)
                        {
                            // wall-clock time of the stall, to line up with the server's GC/JIT/safepoint logs
                            lastStallReportNs = System.nanoTime();
                            System.err.println("stall " + label + " rate=" + rate + " at " + java.time.LocalTime.now() + " latency " + latencyUs / 1000 + " ms");
                        }
                    }
                    received++;
                }
                conn.in.compact();
            }
            selector.selectedKeys().clear();
        }
        for (final Conn conn : conns)
        {
            conn.channel.close();
        }
        selector.close();
        final double achieved = recorded * (double)NANOS_PER_SECOND / Math.max(1, System.nanoTime() - recordFromNs);
        report.printf(Locale.ROOT, "%s rate=%d achieved=%.0f p50=%d p99=%d p99.9=%d max=%d us%s%n", label, rate, achieved,
            histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9),
            histogram.getMaxValue(), maxLagNs > 50_000_000L ? " (driver fell behind by " + maxLagNs / 1_000_000 + " ms)" : "");
        return histogram;
    }

    private static void flush(final Conn conn) throws IOException
    {
        conn.out.flip();
        while (conn.out.hasRemaining())
        {
            if (conn.channel.write(conn.out) == 0)
            {
                Thread.onSpinWait();
            }
        }
        conn.out.clear();
    }

    /**
     * Consume one complete simple reply (+, -, :, $) from {@code in} if it is all there.
     * @return 1 when one was consumed, 0 when more bytes are needed.
     */
    private static int oneReply(final ByteBuffer in)
    {
        final int start = in.position();
        final int limit = in.limit();
        int cr = -1;
        for (int i = start; i + 1 < limit; i++)
        {
            if (in.get(i) == '\r' && in.get(i + 1) == '\n')
            {
                cr = i;
                break;
            }
        }
        if (cr < 0)
        {
            return 0;
        }
        if (in.get(start) == '$')
        {
            long length = 0;
            boolean negative = false;
            for (int i = start + 1; i < cr; i++)
            {
                final byte b = in.get(i);
                if (b == '-')
                {
                    negative = true;
                }
                else
                {
                    length = length * 10 + (b - '0');
                }
            }
            if (!negative)
            {
                final long end = (long)cr + 2 + length + 2;
                if (end > limit)
                {
                    return 0;
                }
                in.position((int)end);
                return 1;
            }
        }
        in.position(cr + 2);
        return 1;
    }
}
