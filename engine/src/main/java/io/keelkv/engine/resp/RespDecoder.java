package io.keelkv.engine.resp;

import io.keelkv.engine.text.AsciiNumbers;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Incremental request parser: RESP multibulk ({@code *N\r\n$len\r\n...\r\n}) and inline commands, with
 * the acceptance rules and error texts of Redis 7.0's networking.c (processMultibulkBuffer,
 * processInlineBuffer, sdssplitargs), checked against redis-server 7.0.15.
 *
 * <p><b>Resumable.</b> A request may arrive in any number of reads. The decoder keeps its progress (the
 * count line, the arguments found, the bulk length it waits for, where its line scan stopped)
 * <em>relative to the request's start</em>, and {@link Args} holds relative offsets until the request is
 * complete. So between two calls the caller may compact its buffer (move the request to another
 * offset) or swap in a bigger buffer, and a request with a million arguments or a 512 MB bulk is scanned
 * once, not once per read. Once a bulk header is read, {@link #bytesNeeded()} tells the caller the size
 * of the request up to the end of that bulk, so it can grow its buffer to fit.
 *
 * <p><b>Redis's quirks, kept on purpose</b> (clients and tests rely on the same stream being accepted):
 * the two bytes after a bulk and the byte after a header's '\r' are skipped unchecked; a line is searched
 * with C's strchr, so a NUL byte before the line's end means the line never ends (the request waits
 * until 64 KiB are buffered, then fails as "too big"); a count of zero or less is an empty request; an
 * inline line ends at '\n' with one '\r' before it dropped.
 *
 * <p>Multibulk decoding allocates nothing. Inline arguments may need unescaping, so they are copied
 * into a scratch buffer the decoder owns and {@link Args} points there (inline is for humans with
 * telnet, not for throughput).
 */
public final class RespDecoder
{
    /** {@link #decode} result: the request is malformed; reply {@link #errorLine()} and close. */
    public static final int PROTOCOL_ERROR = -1;

    /** {@link #decode} result: the request is not complete yet. */
    public static final int NEED_MORE = 0;

    /**
     * Redis's PROTO_INLINE_MAX_SIZE: the most bytes buffered while looking for the end of an inline
     * request or of a count line.
     */
    public static final int INLINE_MAX_BYTES = 64 * 1024;

    /** Redis's proto-max-bulk-len default. */
    public static final long DEFAULT_MAX_BULK_LENGTH = 512L * 1024 * 1024;

    /** Redis 7.0 refuses a multibulk count above INT_MAX (the 1M limit of old releases is gone). */
    public static final long MAX_MULTIBULK_LENGTH = Integer.MAX_VALUE;

    /** Before AUTH, Redis refuses more arguments than this (CVE-2021-32675). */
    public static final int UNAUTHENTICATED_MAX_MULTIBULK_LENGTH = 10;

    /** Before AUTH, Redis refuses longer bulks than this (CVE-2021-32675). */
    public static final int UNAUTHENTICATED_MAX_BULK_LENGTH = 16384;

    private static final String INVALID_MULTIBULK_LENGTH = "Protocol error: invalid multibulk length";
    private static final String INVALID_BULK_LENGTH = "Protocol error: invalid bulk length";
    private static final String TOO_BIG_MBULK_COUNT = "Protocol error: too big mbulk count string";
    private static final String TOO_BIG_BULK_COUNT = "Protocol error: too big bulk count string";
    private static final String TOO_BIG_INLINE = "Protocol error: too big inline request";
    private static final String UNBALANCED_QUOTES = "Protocol error: unbalanced quotes in request";
    private static final String UNAUTHENTICATED_MULTIBULK = "Protocol error: unauthenticated multibulk length";
    private static final String UNAUTHENTICATED_BULK = "Protocol error: unauthenticated bulk length";

    private static final int STATE_START = 0;
    private static final int STATE_BULK_HEADER = 1;
    private static final int STATE_BULK_BODY = 2;

    private long maxBulkLength = DEFAULT_MAX_BULK_LENGTH;
    private boolean authenticated = true;

    // progress in the current request, every position relative to the request's first byte
    private int state = STATE_START;
    private int position;
    private int scanPosition;
    private int argsRemaining;
    private long bulkLength;
    private long bytesNeeded;
    // every byte Redis skips unchecked in this request so far was the CR or LF of canonical RESP
    private boolean canonical;

    private String errorMessage;
    private byte[] errorLine;
    private byte[] scratch = new byte[256];
    private final UnsafeBuffer scratchBuffer = new UnsafeBuffer(scratch);

    /**
     * @param protoMaxBulkLen the longest bulk accepted (Redis's proto-max-bulk-len).
     */
    public void maxBulkLength(final long protoMaxBulkLen)
    {
        this.maxBulkLength = protoMaxBulkLen;
    }

    /**
     * @param authenticated false while the client still has to AUTH: then Redis's small limits on the
     *                      argument count and bulk length apply.
     */
    public void authenticated(final boolean authenticated)
    {
        this.authenticated = authenticated;
    }

    /**
     * @return after {@link #PROTOCOL_ERROR}, Redis's text without the "-ERR " prefix, e.g.
     * "Protocol error: invalid bulk length". A byte quoted from the input is a char of the same value.
     */
    public String errorMessage()
    {
        return errorMessage;
    }

    /**
     * @return after {@link #PROTOCOL_ERROR}, the complete reply line Redis sends, byte for byte:
     * "-ERR " + message + "\r\n", with a quoted input byte as that raw byte (a String's UTF-8 would not be).
     */
    public byte[] errorLine()
    {
        return errorLine;
    }

    /**
     * @return after {@link #decode} returned 0 while waiting for a bulk's body: the size in bytes, from the
     * request's start, up to the end of that bulk (including its CRLF); 0 when no such size is known.
     */
    public long bytesNeeded()
    {
        return bytesNeeded;
    }

    /**
     * Drop all progress: the next {@link #decode} starts a new request. The decoder does this itself after
     * a complete request or an error; call it when the buffered input is thrown away.
     */
    public void reset()
    {
        state = STATE_START;
        position = 0;
        scanPosition = 0;
        argsRemaining = 0;
        bulkLength = 0;
        bytesNeeded = 0;
    }

    /**
     * Decode one request that starts at {@code offset}, with bytes up to {@code limit}.
     *
     * <p>After 0, call again with the same request start (possibly moved to another offset or into
     * another buffer, with its bytes unchanged) once more bytes arrived, and with the same {@code args}:
     * it holds the arguments found so far.
     *
     * @param buffer holding the input.
     * @param offset of the request's first byte.
     * @param limit  end (exclusive) of the bytes available.
     * @param args   receives the arguments: offsets absolute into {@code buffer} for a multibulk request,
     *               into the decoder's scratch for an inline one.
     * @return bytes consumed by one complete request (args filled; count 0 for an empty request, which
     * the caller skips), {@link #NEED_MORE} (0), or {@link #PROTOCOL_ERROR} with {@link #errorMessage()}.
     */
    public int decode(final DirectBuffer buffer, final int offset, final int limit, final Args args)
    {
        final int available = limit - offset;
        if (available <= 0)
        {
            return NEED_MORE;
        }
        buffer.boundsCheck(offset, available); // every read below is unchecked, within these bounds
        final byte[] array = buffer.byteArray();
        final long address = buffer.addressOffset() + offset;

        if (state == STATE_START)
        {
            if (UnsafeApi.getByte(array, address) != '*')
            {
                return decodeInline(array, address, available, args);
            }
            final int cr = findLineEnd(array, address, Math.max(1, scanPosition), available, (byte)'\r');
            if (cr < 0)
            {
                return available > INLINE_MAX_BYTES ? error(TOO_BIG_MBULK_COUNT) : needMore();
            }
            if (cr + 2 > available)
            {
                return needMore(); // Redis wants one byte after the '\r' (and never looks at it)
            }
            final long count = AsciiNumbers.parseLong(array, address + 1, cr - 1);
            if ((count == AsciiNumbers.NOT_A_LONG && !AsciiNumbers.isLongMinValue(array, address + 1, cr - 1)) ||
                count > MAX_MULTIBULK_LENGTH)
            {
                return error(INVALID_MULTIBULK_LENGTH);
            }
            if (count > UNAUTHENTICATED_MAX_MULTIBULK_LENGTH && !authenticated)
            {
                return error(UNAUTHENTICATED_MULTIBULK);
            }
            args.reset(buffer);
            if (count <= 0)
            {
                return complete(cr + 2);
            }
            canonical = UnsafeApi.getByte(array, address + cr + 1) == '\n';
            args.ensureCapacity((int)count);
            argsRemaining = (int)count;
            position = cr + 2;
            scanPosition = position;
            state = STATE_BULK_HEADER;
        }

        while (argsRemaining > 0)
        {
            if (state == STATE_BULK_HEADER)
            {
                final int cr = findLineEnd(array, address, Math.max(position, scanPosition), available, (byte)'\r');
                if (cr < 0)
                {
                    return available - position > INLINE_MAX_BYTES ? error(TOO_BIG_BULK_COUNT) : needMore();
                }
                if (cr + 2 > available)
                {
                    return needMore();
                }
                final byte marker = UnsafeApi.getByte(array, address + position);
                if (marker != '$')
                {
                    return expectedDollarError(marker);
                }
                final long length = AsciiNumbers.parseLong(array, address + position + 1, cr - position - 1);
                if (length < 0 || length > maxBulkLength) // NOT_A_LONG is negative too
                {
                    return error(INVALID_BULK_LENGTH);
                }
                if (length > UNAUTHENTICATED_MAX_BULK_LENGTH && !authenticated)
                {
                    return error(UNAUTHENTICATED_BULK);
                }
                bulkLength = length;
                canonical &= UnsafeApi.getByte(array, address + cr + 1) == '\n';
                position = cr + 2;
                state = STATE_BULK_BODY;
            }
            // Redis skips the two bytes after a bulk without checking that they are CRLF; so do we.
            // With proto-max-bulk-len near 2^63 the end's sum would wrap negative and pass for "arrived": compare
            // the length with the room left instead, and ask for at most Long.MAX_VALUE (the caller closes the
            // client: no query buffer can hold it; Redis would abort on the allocation)
            if (bulkLength > (long)available - position - 2)
            {
                bytesNeeded = bulkLength > Long.MAX_VALUE - 2 - position ? Long.MAX_VALUE : position + bulkLength + 2;
                return NEED_MORE;
            }
            final long end = position + bulkLength + 2;
            canonical &= UnsafeApi.getByte(array, address + end - 2) == '\r' &&
                UnsafeApi.getByte(array, address + end - 1) == '\n';
            args.add(position, (int)bulkLength);
            position = (int)end;
            scanPosition = position;
            argsRemaining--;
            state = STATE_BULK_HEADER;
        }

        args.rebase(buffer, offset);
        if (canonical)
        {
            args.raw(offset, position);
        }
        return complete(position);
    }

    private int complete(final int consumed)
    {
        reset();
        return consumed;
    }

    private int needMore()
    {
        bytesNeeded = 0;
        return NEED_MORE;
    }

    /**
     * Find {@code terminator} from {@code from} on, as C's strchr over the NUL-terminated query buffer:
     * a NUL byte ends the search. The scan position is kept, so a long line arriving in many reads is
     * scanned once; at a NUL it stays there, so the line stays unfinished, as in Redis.
     */
    private int findLineEnd(
        final byte[] array, final long address, final int from, final int available, final byte terminator)
    {
        for (int i = from; i < available; i++)
        {
            final byte b = UnsafeApi.getByte(array, address + i);
            if (b == terminator)
            {
                scanPosition = i;
                return i;
            }
            if (b == 0)
            {
                scanPosition = i;
                return -1;
            }
        }
        scanPosition = Math.max(from, available);
        return -1;
    }

    private int error(final String message)
    {
        errorMessage = message;
        errorLine = ("-ERR " + message + "\r\n").getBytes(StandardCharsets.US_ASCII);
        reset();
        return PROTOCOL_ERROR;
    }

    private int expectedDollarError(final byte marker)
    {
        // Redis formats this with addReplyErrorFormat, which turns CR and LF into spaces
        final byte shown = marker == '\r' || marker == '\n' ? (byte)' ' : marker;
        final String prefix = "Protocol error: expected '$', got '";
        errorMessage = prefix + (char)(shown & 0xFF) + "'";
        final byte[] line = ("-ERR " + prefix + "?'\r\n").getBytes(StandardCharsets.US_ASCII);
        line[5 + prefix.length()] = shown;
        errorLine = line;
        reset();
        return PROTOCOL_ERROR;
    }

    // ------------------------------------------------------------------------------------------------
    // inline

    private int decodeInline(final byte[] array, final long address, final int available, final Args args)
    {
        final int newline = findLineEnd(array, address, scanPosition, available, (byte)'\n');
        if (newline < 0)
        {
            return available > INLINE_MAX_BYTES ? error(TOO_BIG_INLINE) : needMore();
        }
        int end = newline;
        if (end > 0 && UnsafeApi.getByte(array, address + end - 1) == '\r')
        {
            end--;
        }
        if (!splitArgs(array, address, end, args))
        {
            return error(UNBALANCED_QUOTES);
        }
        return complete(newline + 1);
    }

    private static int hexDigit(final int c)
    {
        if (c >= '0' && c <= '9')
        {
            return c - '0';
        }
        final int lower = c | 0x20;
        if (lower >= 'a' && lower <= 'f')
        {
            return lower - 'a' + 10;
        }
        return -1;
    }

    /**
     * Redis's sdssplitargs over {@code [0, end)}: blanks (C isspace) separate; "double quotes" take
     * \n \r \t \b \a \xHH and \c escapes; 'single quotes' take only \'; quotes may start inside a word
     * (a"b c" is one argument "ab c") and a closing quote must be followed by a blank or the end.
     * Unescaped bytes go to the scratch buffer, never longer than the line.
     */
    private boolean splitArgs(final byte[] in, final long address, final int end, final Args args)
    {
        if (scratch.length < end)
        {
            scratch = new byte[Math.max(end, scratch.length * 2)];
            scratchBuffer.wrap(scratch);
        }
        final byte[] out = scratch;
        args.reset(scratchBuffer);
        int written = 0;
        int p = 0;
        while (true)
        {
            while (p < end && AsciiNumbers.isSpace(UnsafeApi.getByte(in, address + p)))
            {
                p++;
            }
            if (p >= end)
            {
                return true;
            }
            final int start = written;
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            while (!done)
            {
                // -1 plays the C string's terminating NUL (the line holds no NUL: the scan stops at one)
                final int c = p < end ? UnsafeApi.getByte(in, address + p) & 0xFF : -1;
                final int next = p + 1 < end ? UnsafeApi.getByte(in, address + p + 1) & 0xFF : -1;
                if (inDouble)
                {
                    final int high;
                    final int low;
                    if (c == '\\' && next == 'x' && p + 3 < end &&
                        (high = hexDigit(UnsafeApi.getByte(in, address + p + 2))) >= 0 &&
                        (low = hexDigit(UnsafeApi.getByte(in, address + p + 3))) >= 0)
                    {
                        out[written++] = (byte)(high * 16 + low);
                        p += 3;
                    }
                    else if (c == '\\' && next >= 0)
                    {
                        p++;
                        final int e;
                        switch (next)
                        {
                            case 'n': e = '\n'; break;
                            case 'r': e = '\r'; break;
                            case 't': e = '\t'; break;
                            case 'b': e = '\b'; break;
                            case 'a': e = 7; break;
                            default: e = next; break;
                        }
                        out[written++] = (byte)e;
                    }
                    else if (c == '"')
                    {
                        if (next >= 0 && !AsciiNumbers.isSpace(next))
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
                        out[written++] = (byte)c;
                    }
                }
                else if (inSingle)
                {
                    if (c == '\\' && next == '\'')
                    {
                        p++;
                        out[written++] = '\'';
                    }
                    else if (c == '\'')
                    {
                        if (next >= 0 && !AsciiNumbers.isSpace(next))
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
                        out[written++] = (byte)c;
                    }
                }
                else
                {
                    switch (c)
                    {
                        // only these end a word: a vertical tab or form feed inside one is kept, as in Redis
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
                            out[written++] = (byte)c;
                            break;
                    }
                }
                if (p < end)
                {
                    p++;
                }
            }
            args.add(start, written - start);
        }
    }
}
