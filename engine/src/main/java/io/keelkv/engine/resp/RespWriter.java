package io.keelkv.engine.resp;

import io.keelkv.engine.text.DoubleFormat;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reply encoder into a growable off-heap buffer, in RESP2 or RESP3 (after HELLO 3), with Redis 7.0's
 * exact bytes for every reply type.
 *
 * <p>The buffer is a direct {@link ByteBuffer} so the event loop writes it to the socket with no copy.
 * Pending bytes are {@code [readIndex, writeIndex)}: a partial socket write only advances readIndex
 * ({@link #consumed}), so there is no memmove per write; both go back to 0 once everything is sent.
 * When a reply does not fit at the end, the pending bytes are moved to the front only if that frees at
 * least as much as it moves (amortised O(1) per byte even for a slow reader); otherwise the buffer doubles,
 * up to a hard cap. Past the cap the writer sets {@link #overflowed()} and drops every further write,
 * and the server disconnects the client: one huge reply can never take the process down.
 *
 * <p>Numbers and text are written straight into the buffer, constant replies are pre-encoded
 * ({@link RespConstants}); nothing here allocates except growth. In discard mode (AOF replay) every
 * method writes nothing. Do not keep {@link #byteBuffer()} or {@link #buffer()} across calls that may
 * grow or shrink the buffer.
 */
public final class RespWriter
{
    /** Default hard cap: a 512 MB bulk (proto-max-bulk-len) twice over, plus room for headers. */
    public static final long DEFAULT_MAX_CAPACITY = (1L << 30) + (1L << 20);

    private static final int MIN_CAPACITY = 64;
    private static final int MAX_HEADER_BYTES = 1 + 20 + 2;
    private static final long LARGEST_BUFFER = Integer.MAX_VALUE - 64;

    private ByteBuffer byteBuffer;
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private long address;
    private int readIndex;
    private int writeIndex;
    private int mark = -1;
    private int protocol = 2;
    private boolean discard;
    private boolean overflowed;
    private long maxCapacity = DEFAULT_MAX_CAPACITY;
    private int errorCount;
    private ErrorStats errorStats;
    private final int initialCapacity;
    private final DoubleFormat doubleFormat = new DoubleFormat();
    private final byte[] doubleText = new byte[DoubleFormat.MAX_LENGTH];

    /**
     * @param initialCapacity of the reply buffer in bytes (at least 64); also the floor for
     *                        {@link #shrinkTo(int)}.
     */
    public RespWriter(final int initialCapacity)
    {
        this.initialCapacity = Math.max(MIN_CAPACITY, initialCapacity);
        wrap(ByteBuffer.allocateDirect(this.initialCapacity));
    }

    // ------------------------------------------------------------------------------------------------
    // buffer management

    /**
     * @return the direct buffer holding the replies; pending bytes are {@code [readIndex(), writeIndex())}.
     * Its position and limit are the caller's to set. See also {@link #pendingByteBuffer()}.
     */
    public ByteBuffer byteBuffer()
    {
        return byteBuffer;
    }

    /**
     * @return {@link #byteBuffer()} with position and limit set to the pending bytes, ready for a socket
     * write; follow the write with {@link #consumed(int)}.
     */
    public ByteBuffer pendingByteBuffer()
    {
        byteBuffer.limit(writeIndex).position(readIndex);
        return byteBuffer;
    }

    /**
     * @return an {@link UnsafeBuffer} view over {@link #byteBuffer()}.
     */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    public int readIndex()
    {
        return readIndex;
    }

    public int writeIndex()
    {
        return writeIndex;
    }

    /**
     * @return bytes written and not yet consumed.
     */
    public int pending()
    {
        return writeIndex - readIndex;
    }

    public int capacity()
    {
        return byteBuffer.capacity();
    }

    /**
     * The socket took {@code bytes} of the pending replies: advance the read index, no copying.
     *
     * @param bytes written to the socket, at most {@link #pending()}.
     */
    public void consumed(final int bytes)
    {
        if (bytes < 0 || bytes > pending())
        {
            throw new IllegalArgumentException("consumed " + bytes + " of " + pending() + " pending bytes");
        }
        readIndex += bytes;
        if (readIndex == writeIndex)
        {
            shift(readIndex);
            readIndex = 0;
            writeIndex = 0;
        }
    }

    /**
     * Drop every pending byte and the overflow flag (a reused writer, or a test).
     */
    public void clear()
    {
        readIndex = 0;
        writeIndex = 0;
        mark = -1;
        overflowed = false;
    }

    /**
     * Give memory back when idle: reallocate at {@code capacity} (at least the initial capacity), only if
     * nothing is pending and the buffer is bigger.
     *
     * @param capacity to shrink to, in bytes.
     */
    public void shrinkTo(final int capacity)
    {
        final int target = Math.max(initialCapacity, capacity);
        if (pending() == 0 && byteBuffer.capacity() > target)
        {
            final ByteBuffer old = byteBuffer;
            wrap(ByteBuffer.allocateDirect(target));
            readIndex = 0;
            writeIndex = 0;
            mark = -1;
            BufferUtil.free(old);
        }
    }

    /**
     * Free the reply buffer now (a closed connection). A zero-allocation process rarely runs a GC, so
     * direct buffers left to their cleaner would keep every past client's memory resident.
     * The writer discards everything afterwards.
     */
    public void release()
    {
        final ByteBuffer old = byteBuffer;
        byteBuffer = ByteBuffer.allocate(0);
        buffer.wrap(new byte[0]);
        address = buffer.addressOffset();
        readIndex = 0;
        writeIndex = 0;
        mark = -1;
        discard = true;
        BufferUtil.free(old);
    }

    /**
     * @param maxCapacity the most bytes the buffer may grow to; a write beyond it sets {@link #overflowed()}.
     */
    public void maxCapacity(final long maxCapacity)
    {
        this.maxCapacity = maxCapacity;
    }

    /** The fewest bytes an element of an array reply takes: an empty bulk string, {@code $0\r\n\r\n}. */
    public static final int MIN_ELEMENT_BYTES = 6;

    /**
     * Whether a reply of {@code elements} more elements of at least {@code minBytesEach} bytes each can fit
     * under the cap at all. When it cannot, the writer overflows now, as it would have once a cap's worth of
     * reply was written: HRANDFIELD key -9223372036854775807 used to draw fields for 18 s (a gigabyte of
     * reply) before the client was dropped, every other client waiting. Redis 7.0.15 draws them too, until
     * it runs out of memory. @return false, with {@link #overflowed()} set, when the reply cannot fit.
     */
    public boolean mayFit(final long elements, final int minBytesEach)
    {
        if (discard || overflowed)
        {
            return !overflowed;
        }
        final long room = Math.min(maxCapacity, LARGEST_BUFFER) - pending();
        if (elements > room / minBytesEach)
        {
            overflowed = true;
            return false;
        }
        return true;
    }

    /**
     * The header of an array of {@code elements} elements, written only when they can all fit under the cap
     * ({@link #mayFit}, at the fewest bytes an element takes): the random samples, whose count a client chooses.
     * @return false, with {@link #overflowed()} set and nothing written, when they cannot.
     */
    public boolean arrayHeaderIfFits(final long elements)
    {
        if (!mayFit(elements, MIN_ELEMENT_BYTES))
        {
            return false;
        }
        arrayHeader(elements);
        return true;
    }

    /**
     * @return true once a write was dropped because the buffer would exceed its cap; every later write is
     * dropped too, as the pending stream is no longer valid RESP. The client must be disconnected.
     */
    public boolean overflowed()
    {
        return overflowed;
    }

    /**
     * @param errorStats the engine-wide tally every error reply of this writer is counted in (INFO
     *                   errorstats); null counts nowhere.
     */
    public void errorStats(final ErrorStats errorStats)
    {
        this.errorStats = errorStats;
    }

    /**
     * @return error replies written so far (the dispatcher compares before and after a command).
     */
    public int errorCount()
    {
        return errorCount;
    }

    /**
     * @param version 2 or 3: RESP2 (default) or RESP3 after HELLO 3.
     */
    public void protocol(final int version)
    {
        if (version != 2 && version != 3)
        {
            throw new IllegalArgumentException("protocol must be 2 or 3: " + version);
        }
        this.protocol = version;
    }

    public int protocol()
    {
        return protocol;
    }

    /**
     * @param discard true to write nothing at all (AOF replay, commands run for their effect only).
     */
    public void discard(final boolean discard)
    {
        this.discard = discard;
    }

    public boolean discard()
    {
        return discard;
    }

    /**
     * Remember the current end of the replies, to take back what follows with {@link #resetToMark()}
     * (e.g. a reply begun before an error is found).
     */
    public void mark()
    {
        mark = writeIndex;
    }

    /**
     * Drop everything written since {@link #mark()}.
     *
     * @return false, dropping nothing, when there is no mark or part of what followed it was already
     * consumed by the socket.
     */
    public boolean resetToMark()
    {
        if (mark < readIndex || mark > writeIndex)
        {
            mark = -1;
            return false;
        }
        writeIndex = mark;
        mark = -1;
        return true;
    }

    private void wrap(final ByteBuffer newBuffer)
    {
        byteBuffer = newBuffer;
        buffer.wrap(newBuffer);
        address = buffer.addressOffset();
    }

    /** The pending bytes moved {@code by} bytes towards the front: keep the mark on the same byte. */
    private void shift(final int by)
    {
        if (mark >= 0)
        {
            mark -= by;
        }
    }

    /** Room for {@code bytes} more at writeIndex; false (and overflowed past the cap) when not writing. */
    private boolean ensure(final long bytes)
    {
        if (discard || overflowed)
        {
            return false;
        }
        final int capacity = byteBuffer.capacity();
        if (writeIndex + bytes <= capacity)
        {
            return true;
        }
        final int pending = pending();
        final long needed = pending + bytes;
        final long limit = Math.min(maxCapacity, LARGEST_BUFFER);
        if (needed <= capacity && (readIndex >= pending || capacity >= limit))
        {
            // moving the pending bytes frees at least as many as it copies (or the buffer may not grow)
            buffer.putBytes(0, buffer, readIndex, pending);
            shift(readIndex);
            readIndex = 0;
            writeIndex = pending;
            return true;
        }
        if (needed > limit)
        {
            overflowed = true;
            return false;
        }
        long newCapacity = 2L * capacity;
        while (newCapacity < needed)
        {
            newCapacity *= 2;
        }
        newCapacity = Math.min(newCapacity, limit);
        final ByteBuffer grown;
        try
        {
            grown = ByteBuffer.allocateDirect((int)newCapacity);
        }
        catch (final OutOfMemoryError ex)
        {
            // the OS refused the memory: this reply stream is cut like one over the cap (the client is
            // disconnected), rather than the error taking the event loop and every other client down
            overflowed = true;
            return false;
        }
        final long grownAddress = BufferUtil.address(grown);
        UnsafeApi.copyMemory(address + readIndex, grownAddress, pending);
        final ByteBuffer old = byteBuffer;
        wrap(grown);
        shift(readIndex);
        readIndex = 0;
        writeIndex = pending;
        // direct memory is otherwise returned only when a GC runs, and this process rarely collects
        BufferUtil.free(old);
        return true;
    }

    // ------------------------------------------------------------------------------------------------
    // primitives: callers have ensured the room

    private void put(final byte b)
    {
        UnsafeApi.putByte(address + writeIndex++, b);
    }

    private void putCrLf()
    {
        UnsafeApi.putByte(address + writeIndex, (byte)'\r');
        UnsafeApi.putByte(address + writeIndex + 1, (byte)'\n');
        writeIndex += 2;
    }

    private void putLong(final long value)
    {
        writeIndex += buffer.putLongAscii(writeIndex, value);
    }

    private void header(final byte type, final long n)
    {
        if (ensure(MAX_HEADER_BYTES))
        {
            put(type);
            putLong(n);
            putCrLf();
        }
    }

    private void putBulkHeader(final long length)
    {
        // most elements of a collection are short: their header in one or two stores instead of the general
        // digit loop (putLong was 7% of the loop's samples under LRANGE). Little-endian: '$' is the first byte
        if (length < 10)
        {
            buffer.putInt(writeIndex, '$' | (int)('0' + length) << 8 | '\r' << 16 | '\n' << 24, ByteOrder.LITTLE_ENDIAN);
            writeIndex += 4;
            return;
        }
        if (length < 100)
        {
            final int tens = (int)length / 10;
            buffer.putInt(writeIndex, '$' | ('0' + tens) << 8 | ('0' + (int)length - 10 * tens) << 16 | '\r' << 24,
                ByteOrder.LITTLE_ENDIAN);
            buffer.putByte(writeIndex + 4, (byte)'\n');
            writeIndex += 5;
            return;
        }
        put((byte)'$');
        putLong(length);
        putCrLf();
    }

    // ------------------------------------------------------------------------------------------------
    // replies

    /**
     * Pre-encoded bytes, copied as they are ({@link RespConstants}). A line starting with '-' counts as an
     * error reply.
     */
    public void raw(final byte[] preEncoded)
    {
        if (ensure(preEncoded.length))
        {
            buffer.putBytes(writeIndex, preEncoded);
            writeIndex += preEncoded.length;
            if (preEncoded.length > 0 && preEncoded[0] == '-')
            {
                errorCount++;
                if (errorStats != null)
                {
                    errorStats.count(preEncoded);
                }
            }
        }
    }

    /** Pre-encoded bytes from a buffer, copied as they are (e.g. a command re-encoded for replication). */
    public void raw(final DirectBuffer source, final int offset, final int length)
    {
        if (ensure(length))
        {
            buffer.putBytes(writeIndex, source, offset, length);
            writeIndex += length;
        }
    }

    /** "+OK\r\n". */
    public void ok()
    {
        raw(RespConstants.OK);
    }

    /** "+" + s + "\r\n"; {@code s} must not contain CR or LF. */
    public void simpleString(final byte[] s)
    {
        if (ensure(s.length + 3L))
        {
            put((byte)'+');
            buffer.putBytes(writeIndex, s);
            writeIndex += s.length;
            putCrLf();
        }
    }

    /** "+" + s + "\r\n", as UTF-8, with CR and LF turned into spaces so the stream stays valid RESP. */
    public void simpleString(final String s)
    {
        line((byte)'+', s, 0, s.length());
    }

    /**
     * An error reply "-" + message + "\r\n"; {@code message} has no leading '-' and starts with the error
     * code ("ERR syntax error", "WRONGTYPE ..."). As Redis's addReplyErrorFormat: CR and LF at either end
     * are trimmed, those inside become spaces. UTF-8.
     */
    public void error(final String message)
    {
        int from = 0;
        int to = message.length();
        while (from < to && isCrOrLf(message.charAt(from)))
        {
            from++;
        }
        while (to > from && isCrOrLf(message.charAt(to - 1)))
        {
            to--;
        }
        if (line((byte)'-', message, from, to))
        {
            errorCount++;
            if (errorStats != null)
            {
                errorStats.count(message, from, to);
            }
        }
    }

    /**
     * {@link #error(String)} for a message that echoes argument bytes ({@link Args#cString}): every char is
     * one byte (ISO-8859-1), so bytes that are not UTF-8 go out as the client sent them, as Redis's
     * byte-wise printf does. Same trimming and CR/LF mapping; a char above 0xFF (never made by cString)
     * becomes '?'.
     */
    public void errorLatin1(final String message)
    {
        int from = 0;
        int to = message.length();
        while (from < to && isCrOrLf(message.charAt(from)))
        {
            from++;
        }
        while (to > from && isCrOrLf(message.charAt(to - 1)))
        {
            to--;
        }
        if (ensure(to - from + 3L))
        {
            put((byte)'-');
            for (int i = from; i < to; i++)
            {
                final char c = message.charAt(i);
                put(isCrOrLf(c) ? (byte)' ' : c > 0xFF ? (byte)'?' : (byte)c);
            }
            putCrLf();
            errorCount++;
            if (errorStats != null)
            {
                errorStats.count(message, from, to);
            }
        }
    }

    /** A pre-encoded full error line ("-ERR ...\r\n"). */
    public void error(final byte[] preEncodedFullLine)
    {
        raw(preEncodedFullLine);
    }

    private static boolean isCrOrLf(final char c)
    {
        return c == '\r' || c == '\n';
    }

    private boolean line(final byte type, final String s, final int from, final int to)
    {
        if (ensure(utf8Length(s, from, to) + 3L))
        {
            put(type);
            putUtf8(s, from, to, true);
            putCrLf();
            return true;
        }
        return false;
    }

    /** ":" + value + "\r\n". */
    public void integer(final long value)
    {
        if (value == 0)
        {
            raw(RespConstants.ZERO);
        }
        else if (value == 1)
        {
            raw(RespConstants.ONE);
        }
        else
        {
            header((byte)':', value);
        }
    }

    /** A bulk string "$len\r\n" + bytes + "\r\n". */
    public void bulk(final byte[] bytes)
    {
        bulk(bytes, 0, bytes.length);
    }

    public void bulk(final byte[] bytes, final int offset, final int length)
    {
        if (ensure(length + (MAX_HEADER_BYTES + 2L)))
        {
            putBulkHeader(length);
            buffer.putBytes(writeIndex, bytes, offset, length);
            writeIndex += length;
            putCrLf();
        }
    }

    public void bulk(final DirectBuffer source, final int offset, final int length)
    {
        if (ensure(length + (MAX_HEADER_BYTES + 2L)))
        {
            putBulkHeader(length);
            buffer.putBytes(writeIndex, source, offset, length);
            writeIndex += length;
            putCrLf();
        }
    }

    /**
     * A bulk string copied from raw off-heap memory: values live in pages.
     *
     * @param address absolute address of the first byte.
     * @param length  in bytes.
     */
    public void bulkFromAddress(final long address, final long length)
    {
        if (length < 0)
        {
            throw new IllegalArgumentException("negative length " + length);
        }
        if (ensure(length + (MAX_HEADER_BYTES + 2L)))
        {
            putBulkHeader(length);
            UnsafeApi.copyMemory(address, this.address + writeIndex, length);
            writeIndex += (int)length;
            putCrLf();
        }
    }

    /** A bulk string from text, as UTF-8, allocation-free (INFO, CONFIG GET, CLIENT LIST). */
    public void bulkString(final String s)
    {
        final int length = utf8Length(s, 0, s.length());
        if (ensure(length + (MAX_HEADER_BYTES + 2L)))
        {
            putBulkHeader(length);
            putUtf8(s, 0, s.length(), false);
            putCrLf();
        }
    }

    /** Same as {@link #bulkString(String)}. */
    public void bulk(final String s)
    {
        bulkString(s);
    }

    /** An integer as a bulk string (SCAN cursors, INCR results for RESP2 clients that want text). */
    public void bulkLong(final long value)
    {
        if (ensure(2L * MAX_HEADER_BYTES))
        {
            final int digits = asciiLength(value);
            put((byte)'$');
            if (digits >= 10)
            {
                put((byte)('0' + digits / 10));
            }
            put((byte)('0' + digits % 10));
            putCrLf();
            putLong(value);
            putCrLf();
        }
    }

    /** Characters of {@code value} in decimal, sign included. */
    static int asciiLength(final long value)
    {
        if (value == Long.MIN_VALUE)
        {
            return 20;
        }
        long v = value < 0 ? -value : value;
        int length = value < 0 ? 2 : 1;
        while (v >= 10)
        {
            v /= 10;
            length++;
        }
        return length;
    }

    /** RESP2 "$-1\r\n", RESP3 "_\r\n". */
    public void nullBulk()
    {
        raw(protocol == 3 ? RespConstants.NULL3 : RespConstants.NULL_BULK);
    }

    /** RESP2 "*-1\r\n", RESP3 "_\r\n". */
    public void nullArray()
    {
        raw(protocol == 3 ? RespConstants.NULL3 : RespConstants.NULL_ARRAY);
    }

    /** "*n\r\n". */
    public void arrayHeader(final long n)
    {
        if (n == 0)
        {
            raw(RespConstants.EMPTY_ARRAY);
        }
        else
        {
            header((byte)'*', n);
        }
    }

    /** A map of {@code n} pairs: RESP3 "%n\r\n", RESP2 a flat array "*2n\r\n". */
    public void mapHeader(final long n)
    {
        if (protocol == 3)
        {
            header((byte)'%', n);
        }
        else
        {
            arrayHeader(n * 2);
        }
    }

    /** RESP3 "~n\r\n", RESP2 "*n\r\n". */
    public void setHeader(final long n)
    {
        if (protocol == 3)
        {
            header((byte)'~', n);
        }
        else
        {
            arrayHeader(n);
        }
    }

    /** An out-of-band push (pub/sub messages, invalidations): RESP3 ">n\r\n", RESP2 "*n\r\n". */
    public void pushHeader(final long n)
    {
        header(protocol == 3 ? (byte)'>' : (byte)'*', n);
    }

    /** Same as {@link #pushHeader(long)}. */
    public void push(final long n)
    {
        pushHeader(n);
    }

    /**
     * RESP3 attribute "|n\r\n" ({@code n} pairs follow, then the reply they describe). RESP2 has no
     * attributes and Redis asserts it never sends one there: the caller must check {@link #protocol()}.
     */
    public void attributeHeader(final long n)
    {
        if (protocol != 3)
        {
            throw new IllegalStateException("attributes exist only in RESP3");
        }
        header((byte)'|', n);
    }

    /** RESP3 "#t\r\n"/"#f\r\n", RESP2 ":1\r\n"/":0\r\n". */
    public void bool(final boolean value)
    {
        if (protocol == 3)
        {
            raw(value ? RespConstants.TRUE3 : RespConstants.FALSE3);
        }
        else
        {
            raw(value ? RespConstants.ONE : RespConstants.ZERO);
        }
    }

    /**
     * A double as Redis 7.0's addReplyDouble: C's "%.17g" ("3", "0.10000000000000001", "1e+17"),
     * "inf"/"-inf"; RESP3 ",text\r\n", RESP2 a bulk string. Allocation-free.
     */
    public void doubleValue(final double value)
    {
        final int length = doubleFormat.format(value, doubleText);
        if (protocol == 3)
        {
            if (ensure(length + 3L))
            {
                put((byte)',');
                buffer.putBytes(writeIndex, doubleText, 0, length);
                writeIndex += length;
                putCrLf();
            }
        }
        else
        {
            bulk(doubleText, 0, length);
        }
    }

    /**
     * RESP3 verbatim string "=len\r\nfmt:text\r\n" (Redis pads a format shorter than 3 with spaces);
     * RESP2 a plain bulk string of {@code text}.
     *
     * @param format3chars the format, "txt" or "mkd".
     * @param text         the content.
     */
    public void verbatim(final String format3chars, final byte[] text)
    {
        if (protocol != 3)
        {
            bulk(text);
            return;
        }
        if (ensure(text.length + (MAX_HEADER_BYTES + 6L)))
        {
            put((byte)'=');
            putLong(text.length + 4L);
            putCrLf();
            for (int i = 0; i < 3; i++)
            {
                put(i < format3chars.length() ? (byte)format3chars.charAt(i) : (byte)' ');
            }
            put((byte)':');
            buffer.putBytes(writeIndex, text);
            writeIndex += text.length;
            putCrLf();
        }
    }

    /**
     * C's printf("%.17g") as Redis 7.0 prints doubles. Allocates: for tests and text replies (INFO).
     */
    public static String formatDouble(final double value)
    {
        final byte[] text = new byte[DoubleFormat.MAX_LENGTH];
        final int length = new DoubleFormat().format(value, text);
        return new String(text, 0, length, StandardCharsets.US_ASCII);
    }

    // ------------------------------------------------------------------------------------------------
    // UTF-8 without allocation

    private static int utf8Length(final String s, final int from, final int to)
    {
        int length = 0;
        for (int i = from; i < to; i++)
        {
            final char c = s.charAt(i);
            if (c < 0x80)
            {
                length++;
            }
            else if (c < 0x800)
            {
                length += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1)))
            {
                length += 4;
                i++;
            }
            else
            {
                length += Character.isSurrogate(c) ? 1 : 3; // a lone surrogate becomes '?', as String.getBytes
            }
        }
        return length;
    }

    private void putUtf8(final String s, final int from, final int to, final boolean crLfToSpace)
    {
        for (int i = from; i < to; i++)
        {
            final char c = s.charAt(i);
            if (c < 0x80)
            {
                put(crLfToSpace && (c == '\r' || c == '\n') ? (byte)' ' : (byte)c);
            }
            else if (c < 0x800)
            {
                put((byte)(0xC0 | (c >> 6)));
                put((byte)(0x80 | (c & 0x3F)));
            }
            else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1)))
            {
                final int codePoint = Character.toCodePoint(c, s.charAt(++i));
                put((byte)(0xF0 | (codePoint >> 18)));
                put((byte)(0x80 | ((codePoint >> 12) & 0x3F)));
                put((byte)(0x80 | ((codePoint >> 6) & 0x3F)));
                put((byte)(0x80 | (codePoint & 0x3F)));
            }
            else if (Character.isSurrogate(c))
            {
                put((byte)'?');
            }
            else
            {
                put((byte)(0xE0 | (c >> 12)));
                put((byte)(0x80 | ((c >> 6) & 0x3F)));
                put((byte)(0x80 | (c & 0x3F)));
            }
        }
    }
}
