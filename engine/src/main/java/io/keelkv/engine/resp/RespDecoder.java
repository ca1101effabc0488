package io.keelkv.engine.resp;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * Incremental request parser: RESP multibulk ({@code *N\r\n$len\r\n...}) and inline commands, with the
 * acceptance rules and error texts of Redis 7's networking.c (processMultibulkBuffer,
 * processInlineBuffer).
 *
 * <p>Resumable. A request may arrive in any number of pieces; the decoder keeps its progress (header
 * read, arguments found, the length of the bulk it waits for) <em>relative to the request's start</em>,
 * so the caller may compact its buffer between calls and a request with a million arguments or a
 * 512 MB bulk is scanned once, not once per read. {@link #bytesNeeded()} tells the caller how big the
 * request is once a bulk header is known, so it can grow its buffer to fit.
 *
 * <p>Multibulk decoding allocates nothing; inline arguments are unescaped into a scratch buffer the
 * decoder owns (inline is for humans with telnet, not for throughput).
 */
public final class RespDecoder
{
    public static final int PROTOCOL_ERROR = -1;
    /** Redis's PROTO_INLINE_MAX_SIZE: the longest inline request and the longest count line. */
    public static final int INLINE_MAX_BYTES = 64 * 1024;
    private static final int UNAUTHENTICATED_MAX_ARGS = 10;
    private static final int UNAUTHENTICATED_MAX_BULK = 16384;

    private long maxBulkLength = 512L * 1024 * 1024;
    private boolean authenticated = true;

    // progress within the current multibulk request, relative to its start
    private boolean inMultibulk;
    private int expectedArgs;
    private int parsedArgs;
    private int position;
    private long bulkLength = -1;
    private long bytesNeeded;
    private int[] argOffsets = new int[16];
    private int[] argLengths = new int[16];

    private String errorMessage;
    private final UnsafeBuffer inlineScratch = new UnsafeBuffer(new byte[256]);

    public void maxBulkLength(final long protoMaxBulkLen)
    {
        this.maxBulkLength = protoMaxBulkLen;
    }

    public void authenticated(final boolean authenticated)
    {
        this.authenticated = authenticated;
    }

    public String errorMessage()
    {
        return errorMessage;
    }

    /** The minimum size in bytes of the request being decoded, counted from its start; 0 if unknown. */
    public long bytesNeeded()
    {
        return bytesNeeded;
    }

    /** Drop progress: after a complete request, an error, or when the caller discards its buffer. */
    public void reset()
    {
        inMultibulk = false;
        expectedArgs = 0;
        parsedArgs = 0;
        position = 0;
        bulkLength = -1;
        bytesNeeded = 0;
    }

    /**
     * Decode one request starting at {@code offset}, with bytes up to {@code limit}.
     *
     * @return bytes consumed by one complete request (args filled, possibly with count 0 for an empty
     * request), 0 when more bytes are needed, or {@link #PROTOCOL_ERROR} with {@link #errorMessage()}.
     */
    public int decode(final DirectBuffer buffer, final int offset, final int limit, final Args args)
    {
        if (limit <= offset)
        {
            return 0;
        }
        if (!inMultibulk && position == 0)
        {
            if (buffer.getByte(offset) != '*')
            {
                return decodeInline(buffer, offset, limit, args);
            }
            final int cr = indexOfCr(buffer, offset + 1, limit);
            if (cr < 0 || cr + 1 >= limit)
            {
                if (limit - offset > INLINE_MAX_BYTES)
                {
                    return error("Protocol error: too big mbulk count string");
                }
                return 0;
            }
            final long count = parseNumber(buffer, offset + 1, cr);
            if (count == Long.MIN_VALUE || count > Integer.MAX_VALUE)
            {
                return error("Protocol error: invalid multibulk length");
            }
            if (count > UNAUTHENTICATED_MAX_ARGS && !authenticated)
            {
                return error("Protocol error: unauthenticated multibulk length");
            }
            position = cr + 2 - offset;
            if (count <= 0)
            {
                args.reset(buffer);
                final int consumed = position;
                reset();
                return consumed;
            }
            inMultibulk = true;
            expectedArgs = (int)count;
            parsedArgs = 0;
            bulkLength = -1;
            if (argOffsets.length < Math.min(expectedArgs, 1 << 20))
            {
                final int capacity = Math.min(Integer.highestOneBit(expectedArgs - 1) << 1, 1 << 20);
                argOffsets = Arrays.copyOf(argOffsets, Math.max(capacity, 16));
                argLengths = Arrays.copyOf(argLengths, Math.max(capacity, 16));
            }
        }
        while (parsedArgs < expectedArgs)
        {
            final int start = offset + position;
            if (bulkLength < 0)
            {
                if (start >= limit)
                {
                    return 0;
                }
                final int cr = indexOfCr(buffer, start, limit);
                if (cr < 0 || cr + 1 >= limit)
                {
                    if (limit - start > INLINE_MAX_BYTES)
                    {
                        return error("Protocol error: too big bulk count string");
                    }
                    return 0;
                }
                final byte marker = buffer.getByte(start);
                if (marker != '$')
                {
                    return error("Protocol error: expected '$', got '" + (char)(marker & 0xFF) + "'");
                }
                final long length = parseNumber(buffer, start + 1, cr);
                if (length == Long.MIN_VALUE || length < 0 || length > maxBulkLength)
                {
                    return error("Protocol error: invalid bulk length");
                }
                if (length > UNAUTHENTICATED_MAX_BULK && !authenticated)
                {
                    return error("Protocol error: unauthenticated bulk length");
                }
                bulkLength = length;
                position = cr + 2 - offset;
            }
            // Redis skips the two bytes after a bulk without checking them; so do we
            final long end = (long)offset + position + bulkLength + 2;
            if (end > limit)
            {
                bytesNeeded = end - offset;
                return 0;
            }
            if (parsedArgs == argOffsets.length)
            {
                argOffsets = Arrays.copyOf(argOffsets, parsedArgs * 2);
                argLengths = Arrays.copyOf(argLengths, parsedArgs * 2);
            }
            argOffsets[parsedArgs] = position;
            argLengths[parsedArgs] = (int)bulkLength;
            parsedArgs++;
            position = (int)(end - offset);
            bulkLength = -1;
            bytesNeeded = 0;
        }
        args.reset(buffer);
        for (int i = 0; i < parsedArgs; i++)
        {
            args.add(offset + argOffsets[i], argLengths[i]);
        }
        final int consumed = position;
        reset();
        return consumed;
    }

    private int error(final String message)
    {
        errorMessage = message;
        reset();
        return PROTOCOL_ERROR;
    }

    private static int indexOfCr(final DirectBuffer buffer, final int from, final int limit)
    {
        for (int i = from; i < limit; i++)
        {
            if (buffer.getByte(i) == '\r')
            {
                return i;
            }
        }
        return -1;
    }

    /** Redis's string2ll over [from, to): Long.MIN_VALUE when it is not a canonical integer. */
    private static long parseNumber(final DirectBuffer buffer, final int from, final int to)
    {
        final int length = to - from;
        if (length == 0 || length > 20)
        {
            return Long.MIN_VALUE;
        }
        int p = from;
        boolean negative = false;
        if (buffer.getByte(p) == '-')
        {
            negative = true;
            p++;
            if (p == to)
            {
                return Long.MIN_VALUE;
            }
        }
        if (buffer.getByte(p) == '0')
        {
            return to - p == 1 ? 0 : Long.MIN_VALUE;
        }
        long value = 0;
        for (; p < to; p++)
        {
            final byte b = buffer.getByte(p);
            if (b < '0' || b > '9' || value > (Long.MAX_VALUE - 9) / 10)
            {
                return Long.MIN_VALUE;
            }
            value = value * 10 + (b - '0');
        }
        return negative ? -value : value;
    }

    // ------------------------------------------------------------------------------------------------
    // inline

    private int decodeInline(final DirectBuffer buffer, final int offset, final int limit, final Args args)
    {
        int newline = -1;
        for (int i = offset; i < limit; i++)
        {
            if (buffer.getByte(i) == '\n')
            {
                newline = i;
                break;
            }
        }
        if (newline < 0)
        {
            if (limit - offset > INLINE_MAX_BYTES)
            {
                return error("Protocol error: too big inline request");
            }
            return 0;
        }
        int end = newline;
        if (end > offset && buffer.getByte(end - 1) == '\r')
        {
            end--;
        }
        // an embedded NUL ends the line, as it ends the C string sdssplitargs reads
        for (int i = offset; i < end; i++)
        {
            if (buffer.getByte(i) == 0)
            {
                end = i;
                break;
            }
        }
        if (!splitArgs(buffer, offset, end, args))
        {
            return error("Protocol error: unbalanced quotes in request");
        }
        reset();
        return newline + 1 - offset;
    }

    private static boolean isSpace(final int c)
    {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == '\f';
    }

    private static int hex(final int c)
    {
        if (c >= '0' && c <= '9')
        {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f')
        {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F')
        {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** Redis's sdssplitargs: spaces separate, "double" quotes with escapes, 'single' quotes with \'. */
    private boolean splitArgs(final DirectBuffer in, final int from, final int to, final Args args)
    {
        if (inlineScratch.capacity() < to - from)
        {
            inlineScratch.wrap(new byte[Math.max(to - from, inlineScratch.capacity() * 2)]);
        }
        args.reset(inlineScratch);
        int out = 0;
        int p = from;
        while (true)
        {
            while (p < to && isSpace(in.getByte(p) & 0xFF))
            {
                p++;
            }
            if (p >= to)
            {
                return true;
            }
            final int start = out;
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            while (!done)
            {
                final int c = p < to ? in.getByte(p) & 0xFF : -1;
                final int c1 = p + 1 < to ? in.getByte(p + 1) & 0xFF : -1;
                if (inDouble)
                {
                    if (c == '\\' && c1 == 'x' && p + 3 < to &&
                        hex(in.getByte(p + 2) & 0xFF) >= 0 && hex(in.getByte(p + 3) & 0xFF) >= 0)
                    {
                        inlineScratch.putByte(out++,
                            (byte)(hex(in.getByte(p + 2) & 0xFF) * 16 + hex(in.getByte(p + 3) & 0xFF)));
                        p += 3;
                    }
                    else if (c == '\\' && c1 >= 0)
                    {
                        p++;
                        final int e;
                        switch (c1)
                        {
                            case 'n': e = '\n'; break;
                            case 'r': e = '\r'; break;
                            case 't': e = '\t'; break;
                            case 'b': e = '\b'; break;
                            case 'a': e = 7; break;
                            default: e = c1; break;
                        }
                        inlineScratch.putByte(out++, (byte)e);
                    }
                    else if (c == '"')
                    {
                        if (c1 >= 0 && !isSpace(c1))
                        {
                            return false;
                        }
                        done = true;
                    }
                    else if (c < 0)
                    {
                        return false;
                    }
                    else
                    {
                        inlineScratch.putByte(out++, (byte)c);
                    }
                }
                else if (inSingle)
                {
                    if (c == '\\' && c1 == '\'')
                    {
                        p++;
                        inlineScratch.putByte(out++, (byte)'\'');
                    }
                    else if (c == '\'')
                    {
                        if (c1 >= 0 && !isSpace(c1))
                        {
                            return false;
                        }
                        done = true;
                    }
                    else if (c < 0)
                    {
                        return false;
                    }
                    else
                    {
                        inlineScratch.putByte(out++, (byte)c);
                    }
                }
                else
                {
                    switch (c)
                    {
                        case ' ':
                        case '\n':
                        case '\r':
                        case '\t':
                        case -1:
                            done = true;
                            break;
                        case '"':
                            inDouble = true;
                            break;
                        case '\'':
                            inSingle = true;
                            break;
                        default:
                            inlineScratch.putByte(out++, (byte)c);
                            break;
                    }
                }
                if (p < to)
                {
                    p++;
                }
            }
            args.add(start, out - start);
        }
    }
}
