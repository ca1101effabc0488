package io.keelkv.engine.resp;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The hot path allocates nothing: decoding pipelined SET/GET/ZSCORE-like requests and encoding their
 * replies, measured with the JVM's per-thread allocation counter over a warm loop.
 */
class RespAllocationTest
{
    private static final int ITERATIONS = 100_000;

    private static long allocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static final byte[] PIPELINE = (
        "*3\r\n$3\r\nSET\r\n$8\r\nkey:0001\r\n$16\r\nvalue-0123456789\r\n" +
        "*2\r\n$3\r\nGET\r\n$8\r\nkey:0001\r\n" +
        "*4\r\n$6\r\nINCRBY\r\n$3\r\nctr\r\n$20\r\n-9223372036854775808\r\n$3\r\n1.5\r\n" +
        "*5\r\n$4\r\nMSET\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n").getBytes(StandardCharsets.US_ASCII);

    private static final byte[] SET = "set".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GET = "get".getBytes(StandardCharsets.US_ASCII);

    private long checksum;
    private static Object sink;

    private void round(final RespDecoder decoder, final Args args, final UnsafeBuffer in, final RespWriter out,
        final ByteBuffer value)
    {
        int offset = 0;
        while (offset < PIPELINE.length)
        {
            final int consumed = decoder.decode(in, offset, PIPELINE.length, args);
            if (consumed <= 0)
            {
                throw new IllegalStateException("decode " + consumed);
            }
            offset += consumed;
            if (args.equalsIgnoreCase(0, SET))
            {
                out.ok();
            }
            else if (args.equalsIgnoreCase(0, GET))
            {
                out.bulkFromAddress(args.address(1), args.length(1));
                out.bulk(args.buffer(), args.offset(1), args.length(1));
            }
            else if (args.count() == 4)
            {
                if (args.parseLong(2) && args.parseDouble(3))
                {
                    out.integer(args.longValue());
                    out.doubleValue(args.doubleValue());
                    out.doubleValue(0.1 * args.doubleValue());
                    out.bulkLong(args.longValue());
                }
            }
            else
            {
                out.mapHeader(2);
                out.setHeader(2);
                out.nullBulk();
                out.bool(true);
                out.simpleString("QUEUED");
                out.bulkString("text");
            }
        }
        checksum += out.pending();
        out.consumed(out.pending() / 2);
        out.consumed(out.pending());
    }

    @Test
    void shouldDecodeAndEncodeWithoutAllocating()
    {
        final RespDecoder decoder = new RespDecoder();
        final Args args = new Args();
        final UnsafeBuffer in = new UnsafeBuffer(ByteBuffer.allocateDirect(PIPELINE.length));
        in.putBytes(0, PIPELINE);
        final RespWriter out = new RespWriter(16 * 1024);
        final ByteBuffer value = ByteBuffer.allocateDirect(64);
        final long probe = allocatedBytes();
        sink = new byte[4096];
        assertTrue(allocatedBytes() - probe >= 4096, "the allocation counter works");
        for (final int protocol : new int[] {2, 3})
        {
            out.protocol(protocol);
            for (int i = 0; i < ITERATIONS; i++)
            {
                round(decoder, args, in, out, value); // warm up: JIT, and the arrays reach their size
            }
            final long empty = allocatedBytes();
            final long before = allocatedBytes();
            for (int i = 0; i < ITERATIONS; i++)
            {
                round(decoder, args, in, out, value);
            }
            final long allocated = allocatedBytes() - before - (before - empty); // minus the counter's own cost
            System.out.println("RESP" + protocol + ": " + allocated + " bytes allocated in " + ITERATIONS + " rounds");
            assertTrue(allocated < 256, "RESP" + protocol + " allocated " + allocated + " bytes in " + ITERATIONS +
                " rounds");
        }
        assertTrue(checksum > 0);
    }
}
