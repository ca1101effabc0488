package io.keelkv.engine.resp;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reply encoder into a growable off-heap buffer, in RESP2 or RESP3 (after HELLO 3).
 *
 * <p>The buffer is a direct {@link ByteBuffer} so the event loop writes it to the socket with no copy.
 * Pending bytes are {@code [readIndex, writeIndex)}: a partial socket write only advances readIndex
 * (no memmove per write); both reset to 0 once everything is sent. The buffer doubles when a reply
 * does not fit, up to a hard cap; past the cap the writer sets {@link #overflowed()} and drops the
 * write, and the server disconnects the client, so a reply can never take the process down.
 *
 * <p>Numbers are written as ASCII straight into the buffer; constant replies are pre-encoded
 * ({@link RespConstants}). Nothing here allocates on the normal path. In discard mode (AOF replay)
 * every method writes nothing.
 */
public final class RespWriter
{
    private static final long DEFAULT_MAX_CAPACITY = (1L << 30) + (1L << 20);

    private ByteBuffer byteBuffer;
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private int readIndex;
    private int writeIndex;
    private int protocol = 2;
    private boolean discard;
    private boolean overflowed;
    private long maxCapacity = DEFAULT_MAX_CAPACITY;
    private int errorCount;
    private final int initialCapacity;

    public RespWriter(final int initialCapacity)
    {
        this.initialCapacity = Math.max(64, initialCapacity);
        this.byteBuffer = ByteBuffer.allocateDirect(this.initialCapacity);
        this.buffer.wrap(byteBuffer);
    }

    // ------------------------------------------------------------------------------------------------
    // buffer management

    public ByteBuffer byteBuffer()
    {
        return byteBuffer;
    }

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

    public int pending()
    {
        return writeIndex - readIndex;
    }

    public int capacity()
    {
        return byteBuffer.capacity();
    }

    /** The socket took {@code bytes} of the pending replies. */
    public void consumed(final int bytes)
    {
        readIndex += bytes;
        if (readIndex == writeIndex)
        {
            readIndex = 0;
            writeIndex = 0;
        }
    }

    public void clear()
    {
        readIndex = 0;
        writeIndex = 0;
    }

    /** Give memory back: reallocate at {@code capacity} (at least the initial size) when empty. */
    public void shrinkTo(final int capacity)
    {
        final int target = Math.max(initialCapacity, capacity);
        if (pending() == 0 && byteBuffer.capacity() > target)
        {
            final ByteBuffer old = byteBuffer;
            byteBuffer = ByteBuffer.allocateDirect(target);
            buffer.wrap(byteBuffer);
            readIndex = 0;
            writeIndex = 0;
            org.agrona.BufferUtil.free(old);
        }
    }

    /**
     * Free the reply buffer now (a closed connection). A zero-allocation process rarely runs a GC, so
     * direct buffers left to their cleaner would keep every past client's memory resident.
     * The writer must not be used afterwards.
     */
    public void release()
    {
        final ByteBuffer old = byteBuffer;
        byteBuffer = ByteBuffer.allocate(0);
        buffer.wrap(new byte[0]);
        readIndex = 0;
        writeIndex = 0;
        discard = true;
        org.agrona.BufferUtil.free(old);
    }

    public void maxCapacity(final long maxCapacity)
    {
        this.maxCapacity = maxCapacity;
    }

    public boolean overflowed()
    {
        return overflowed;
    }

    public int errorCount()
    {
        return errorCount;
    }

    public void protocol(final int version)
    {
        this.protocol = version;
    }

    public int protocol()
    {
        return protocol;
    }

    public void discard(final boolean discard)
    {
        this.discard = discard;
    }

    /** Ensure room for {@code bytes} more; false (and overflowed) past the cap or when discarding. */
    private boolean ensure(final long bytes)
    {
        if (discard || overflowed)
        {
            return false;
        }
        final long required = (long)writeIndex + bytes;
        if (required <= byteBuffer.capacity())
        {
            return true;
        }
        if (readIndex > 0 && pending() + bytes <= byteBuffer.capacity())
        {
            buffer.putBytes(0, buffer, readIndex, pending());
            writeIndex = pending();
            readIndex = 0;
            return true;
        }
        final long needed = pending() + bytes;
        if (needed > maxCapacity || needed > Integer.MAX_VALUE - 64)
        {
            overflowed = true;
            return false;
        }
        long capacity = byteBuffer.capacity();
        while (capacity < needed)
        {
            capacity *= 2;
        }
        capacity = Math.min(capacity, Math.min(maxCapacity, Integer.MAX_VALUE - 64));
        final ByteBuffer grown = ByteBuffer.allocateDirect((int)capacity);
        final UnsafeBuffer view = new UnsafeBuffer(grown);
        view.putBytes(0, buffer, readIndex, pending());
        writeIndex = pending();
        readIndex = 0;
        final ByteBuffer old = byteBuffer;
        byteBuffer = grown;
        buffer.wrap(grown);
        // direct memory is otherwise returned only when a GC runs, and this process rarely collects
        org.agrona.BufferUtil.free(old);
        return true;
    }

    // ------------------------------------------------------------------------------------------------
    // primitives

    private void putCrLf()
    {
        buffer.putByte(writeIndex++, (byte)'\r');
        buffer.putByte(writeIndex++, (byte)'\n');
    }

    private void header(final byte type, final long n)
    {
        if (ensure(24))
        {
            buffer.putByte(writeIndex++, type);
            writeIndex += buffer.putLongAscii(writeIndex, n);
            putCrLf();
        }
    }

    /** Pre-encoded bytes, copied as they are. */
    public void raw(final byte[] preEncoded)
    {
        if (ensure(preEncoded.length))
        {
            buffer.putBytes(writeIndex, preEncoded);
            writeIndex += preEncoded.length;
            if (preEncoded.length > 0 && preEncoded[0] == '-')
            {
                errorCount++;
            }
        }
    }

    public void ok()
    {
        raw(RespConstants.OK);
    }

    public void simpleString(final byte[] s)
    {
        if (ensure(s.length + 3L))
        {
            buffer.putByte(writeIndex++, (byte)'+');
            buffer.putBytes(writeIndex, s);
            writeIndex += s.length;
            putCrLf();
        }
    }

    public void simpleString(final String s)
    {
        simpleString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** An error reply; {@code message} has no leading '-'. Newlines become spaces, as Redis does. */
    public void error(final String message)
    {
        final byte[] bytes = message.replace('\r', ' ').replace('\n', ' ').getBytes(StandardCharsets.UTF_8);
        if (ensure(bytes.length + 3L))
        {
            buffer.putByte(writeIndex++, (byte)'-');
            buffer.putBytes(writeIndex, bytes);
            writeIndex += bytes.length;
            putCrLf();
            errorCount++;
        }
    }

    /** A pre-encoded full error line ("-ERR ...\r\n"). */
    public void error(final byte[] preEncodedFullLine)
    {
        raw(preEncodedFullLine);
    }

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

    public void bulk(final byte[] bytes)
    {
        bulk(bytes, 0, bytes.length);
    }

    public void bulk(final byte[] bytes, final int offset, final int length)
    {
        if (ensure(length + 32L))
        {
            buffer.putByte(writeIndex++, (byte)'$');
            writeIndex += buffer.putNaturalIntAscii(writeIndex, length);
            putCrLf();
            buffer.putBytes(writeIndex, bytes, offset, length);
            writeIndex += length;
            putCrLf();
        }
    }

    public void bulk(final DirectBuffer src, final int offset, final int length)
    {
        if (ensure(length + 32L))
        {
            buffer.putByte(writeIndex++, (byte)'$');
            writeIndex += buffer.putNaturalIntAscii(writeIndex, length);
            putCrLf();
            buffer.putBytes(writeIndex, src, offset, length);
            writeIndex += length;
            putCrLf();
        }
    }

    /** A bulk string copied from raw off-heap memory (values live in pages). */
    public void bulkFromAddress(final long address, final long length)
    {
        if (ensure(length + 32L))
        {
            buffer.putByte(writeIndex++, (byte)'$');
            writeIndex += buffer.putLongAscii(writeIndex, length);
            putCrLf();
            UnsafeApi.copyMemory(address, buffer.addressOffset() + writeIndex, length);
            writeIndex += (int)length;
            putCrLf();
        }
    }

    public void bulkString(final String s)
    {
        bulk(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A bulk string from text (UTF-8); off the hot path. */
    public void bulk(final String s)
    {
        bulkString(s);
    }

    /** An integer as a bulk string (SCAN cursors, INCRBYFLOAT results). */
    public void bulkLong(final long value)
    {
        if (ensure(48))
        {
            final int start = writeIndex;
            // write the digits after a worst-case header, then the header, then move: simpler to count first
            final int digits = digits(value);
            buffer.putByte(writeIndex++, (byte)'$');
            writeIndex += buffer.putNaturalIntAscii(writeIndex, digits);
            putCrLf();
            writeIndex += buffer.putLongAscii(writeIndex, value);
            putCrLf();
            assert writeIndex - start > 0;
        }
    }

    private static int digits(final long value)
    {
        if (value == Long.MIN_VALUE)
        {
            return 20;
        }
        long v = Math.abs(value);
        int n = value < 0 ? 2 : 1;
        while (v >= 10)
        {
            v /= 10;
            n++;
        }
        return n;
    }

    public void nullBulk()
    {
        raw(protocol == 3 ? RespConstants.NULL3 : RespConstants.NULL_BULK);
    }

    public void nullArray()
    {
        raw(protocol == 3 ? RespConstants.NULL3 : RespConstants.NULL_ARRAY);
    }

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

    public void pushHeader(final long n)
    {
        header(protocol == 3 ? (byte)'>' : (byte)'*', n);
    }

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

    /** A double as Redis's addReplyDouble: "%.17g", inf/-inf; RESP3 ',' type, RESP2 bulk string. */
    public void doubleValue(final double value)
    {
        final String text = formatDouble(value);
        if (protocol == 3)
        {
            final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
            if (ensure(bytes.length + 3L))
            {
                buffer.putByte(writeIndex++, (byte)',');
                buffer.putBytes(writeIndex, bytes);
                writeIndex += bytes.length;
                putCrLf();
            }
        }
        else
        {
            bulkString(text);
        }
    }

    /** RESP3 verbatim string ({@code =len\r\nfmt:text}); a bulk string in RESP2. */
    public void verbatim(final String format, final byte[] text)
    {
        if (protocol != 3)
        {
            bulk(text);
            return;
        }
        final byte[] fmt = format.getBytes(StandardCharsets.US_ASCII);
        if (ensure(text.length + 40L))
        {
            buffer.putByte(writeIndex++, (byte)'=');
            writeIndex += buffer.putNaturalIntAscii(writeIndex, text.length + 4);
            putCrLf();
            buffer.putBytes(writeIndex, fmt, 0, 3);
            writeIndex += 3;
            buffer.putByte(writeIndex++, (byte)':');
            buffer.putBytes(writeIndex, text);
            writeIndex += text.length;
            putCrLf();
        }
    }

    /** C's printf("%.17g"): 17 significant digits, trailing zeros dropped, exponent form outside [-4, 17). */
    public static String formatDouble(final double value)
    {
        if (Double.isInfinite(value))
        {
            return value > 0 ? "inf" : "-inf";
        }
        if (Double.isNaN(value))
        {
            return "nan";
        }
        if (value == 0)
        {
            return (1 / value < 0) ? "-0" : "0";
        }
        final BigDecimal rounded = new BigDecimal(value).round(new MathContext(17, RoundingMode.HALF_EVEN));
        final int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent < -4 || exponent >= 17)
        {
            final BigDecimal mantissa = rounded.movePointLeft(exponent).stripTrailingZeros();
            String m = mantissa.toPlainString();
            final String sign = exponent < 0 ? "-" : "+";
            final int abs = Math.abs(exponent);
            return m + "e" + sign + (abs < 10 ? "0" : "") + abs;
        }
        final String plain = rounded.stripTrailingZeros().toPlainString();
        return plain;
    }
}
