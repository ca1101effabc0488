package io.keelkv.engine.resp;

import io.keelkv.engine.text.AsciiNumbers;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Flyweight over one decoded request: the arguments as (offset, length) pairs into ONE buffer, which is
 * the connection's query buffer (multibulk) or the decoder's scratch (inline, after unescaping). Nothing
 * is copied. Valid until the next decode into the same instance.
 *
 * <p>Keys and values are handed to the engine as {@code (array(), address(i), length(i))}: a heap array
 * plus {@code addressOffset() + offset}, or null plus an absolute address. That is exactly the
 * (base, offset) pair {@code Unsafe} copies take, so
 * {@code UnsafeApi.copyMemory(args.array(), args.address(i), null, pageAddress, args.length(i))} works for
 * both kinds of buffer.
 *
 * <p>Offsets are stored relative to a base so that the decoder can record arguments while a request is
 * still arriving, while the caller moves (compacts) or regrows its buffer between reads; the base is
 * fixed, in O(1), only when the request is complete. {@link #offset(int)} is always absolute.
 *
 * <p>Argument indexes are not range-checked beyond what the arrays do: the dispatcher checks arity first.
 */
public final class Args
{
    private static final int INITIAL_CAPACITY = 16;

    private DirectBuffer buffer;
    private int base;
    private int count;
    private int[] offsets = new int[INITIAL_CAPACITY];
    private int[] lengths = new int[INITIAL_CAPACITY];
    private long longValue;
    private double doubleValue;
    // the whole request's bytes, when the decoder found them in canonical RESP (see #rawLength)
    private int rawOffset;
    private int rawLength = -1;

    /**
     * Start an empty argument list over {@code buffer}; offsets given to {@link #add} are then absolute.
     *
     * @param buffer holding every argument of the request.
     */
    public void reset(final DirectBuffer buffer)
    {
        this.buffer = buffer;
        this.base = 0;
        this.count = 0;
        this.rawLength = -1;
    }

    /**
     * Append one argument. The arrays double when full, so a steady stream of requests allocates nothing.
     *
     * @param offset of the argument in {@link #buffer()} (relative to the base the decoder sets).
     * @param length of the argument in bytes.
     */
    public void add(final int offset, final int length)
    {
        if (count == offsets.length)
        {
            offsets = Arrays.copyOf(offsets, count * 2);
            lengths = Arrays.copyOf(lengths, count * 2);
        }
        offsets[count] = offset;
        lengths[count] = length;
        count++;
    }

    /**
     * Make room for {@code expected} arguments at once, as Redis presizes argv to at most 1024 entries:
     * a huge announced count costs nothing until its arguments actually arrive.
     */
    void ensureCapacity(final int expected)
    {
        final int target = Math.min(expected, 1024);
        if (offsets.length < target)
        {
            offsets = Arrays.copyOf(offsets, target);
            lengths = Arrays.copyOf(lengths, target);
        }
    }

    /** Point at the buffer the request lies in now and fix the base its relative offsets count from. */
    void rebase(final DirectBuffer buffer, final int base)
    {
        this.buffer = buffer;
        this.base = base;
    }

    /** The decoder found the request, {@code length} bytes at {@code offset} of {@link #buffer()}, canonical. */
    void raw(final int offset, final int length)
    {
        this.rawOffset = offset;
        this.rawLength = length;
    }

    /**
     * @return the length of the request as it arrived when those bytes are exactly the canonical RESP
     * multibulk of these arguments ({@code *N\r\n} then {@code $len\r\nbytes\r\n} each, as Redis's AOF writes a
     * command), so that they can be copied instead of encoded again; -1 otherwise (an inline request, a
     * multibulk whose line ends Redis skips unchecked were not CRLF, arguments not from a decoder).
     */
    public int rawLength()
    {
        return rawLength;
    }

    /** @return where the request's bytes start in {@link #buffer()}; meaningful when {@link #rawLength()} is not -1. */
    public int rawOffset()
    {
        return rawOffset;
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int count()
    {
        return count;
    }

    /**
     * @param i argument index.
     * @return absolute offset of argument {@code i} in {@link #buffer()}.
     */
    public int offset(final int i)
    {
        return base + offsets[i];
    }

    public int length(final int i)
    {
        return lengths[i];
    }

    /**
     * @return the heap array behind the buffer, or null when it is off-heap (then {@link #address} is
     * absolute).
     */
    public byte[] array()
    {
        return buffer.byteArray();
    }

    /**
     * @param i argument index.
     * @return {@code buffer().addressOffset() + offset(i)}: with {@link #array()}, the Unsafe address of the
     * first byte of argument {@code i}.
     */
    public long address(final int i)
    {
        return buffer.addressOffset() + base + offsets[i];
    }

    /**
     * @param i     argument index.
     * @param index byte index within the argument, below {@code length(i)}.
     * @return that byte.
     */
    public byte byteAt(final int i, final int index)
    {
        return UnsafeApi.getByte(buffer.byteArray(), address(i) + index);
    }

    /**
     * Case-insensitive ASCII match against a lower-case literal (command names, options), as Redis's
     * strcasecmp in the C locale: only A-Z fold.
     */
    public boolean equalsIgnoreCase(final int i, final byte[] lowerCaseAscii)
    {
        if (lengths[i] != lowerCaseAscii.length)
        {
            return false;
        }
        final byte[] array = buffer.byteArray();
        final long address = address(i);
        for (int j = 0; j < lowerCaseAscii.length; j++)
        {
            int b = UnsafeApi.getByte(array, address + j);
            if (b >= 'A' && b <= 'Z')
            {
                b += 'a' - 'A';
            }
            if (b != lowerCaseAscii[j])
            {
                return false;
            }
        }
        return true;
    }

    public boolean equals(final int i, final byte[] bytes)
    {
        if (lengths[i] != bytes.length)
        {
            return false;
        }
        final byte[] array = buffer.byteArray();
        final long address = address(i);
        for (int j = 0; j < bytes.length; j++)
        {
            if (UnsafeApi.getByte(array, address + j) != bytes[j])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Parse argument {@code i} with Redis's string2ll rules: an optional '-' (no '+'), "0" or no leading
     * zero, no spaces, at most 20 characters, within the signed 64-bit range. Allocates nothing.
     *
     * @param i argument index.
     * @return true with the value in {@link #longValue()}, false when Redis would reply
     * "value is not an integer or out of range".
     */
    public boolean parseLong(final int i)
    {
        final byte[] array = buffer.byteArray();
        final long address = address(i);
        final int length = lengths[i];
        final long value = AsciiNumbers.parseLong(array, address, length);
        if (value == AsciiNumbers.NOT_A_LONG && !AsciiNumbers.isLongMinValue(array, address, length))
        {
            return false;
        }
        longValue = value;
        return true;
    }

    /**
     * @return the value of the last successful {@link #parseLong(int)}.
     */
    public long longValue()
    {
        return longValue;
    }

    /**
     * Parse argument {@code i} with Redis's float rules (string2ld/strtod): decimal, exponent or hex form
     * with an optional sign, "inf"/"infinity" in any case; no leading space, no trailing byte, never NaN,
     * no overflow to infinity or underflow to zero, shorter than 5 KiB. Short decimals allocate nothing;
     * long mantissas, big exponents and hex floats take an allocating slow path.
     *
     * @param i argument index.
     * @return true with the value in {@link #doubleValue()}, false when Redis would reply
     * "value is not a valid float".
     */
    public boolean parseDouble(final int i)
    {
        final double value = AsciiNumbers.parseDouble(buffer.byteArray(), address(i), lengths[i]);
        if (Double.isNaN(value))
        {
            return false;
        }
        doubleValue = value;
        return true;
    }

    /**
     * @return the value of the last successful {@link #parseDouble(int)}.
     */
    public double doubleValue()
    {
        return doubleValue;
    }

    /**
     * Argument {@code i} as text (UTF-8). Allocates: for error messages, configuration and debugging.
     */
    public String toString(final int i)
    {
        return new String(copy(i), StandardCharsets.UTF_8);
    }

    /**
     * Argument {@code i} as Redis's "%s" and "%.Ns" print it into an error reply: up to its first NUL (the
     * argument reaches printf as a C string) and at most {@code maxBytes} bytes, one char per byte
     * (ISO-8859-1), so that {@link RespWriter#errorLatin1(String)} writes the very bytes back: an argument
     * that is not UTF-8 (0xFF ...) is echoed as it came, not as U+FFFD. Allocates: error paths only.
     */
    public String cString(final int i, final int maxBytes)
    {
        final int limit = Math.min(lengths[i], Math.max(0, maxBytes));
        int n = 0;
        while (n < limit && byteAt(i, n) != 0)
        {
            n++;
        }
        final byte[] bytes = new byte[n];
        buffer.getBytes(offset(i), bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** {@link #cString(int, int)} without a length limit: Redis's plain "%s". */
    public String cString(final int i)
    {
        return cString(i, Integer.MAX_VALUE);
    }

    /**
     * A copy of argument {@code i}. Allocates.
     */
    public byte[] copy(final int i)
    {
        final byte[] bytes = new byte[lengths[i]];
        buffer.getBytes(offset(i), bytes);
        return bytes;
    }

    /**
     * A heap-backed request, for tests and embedded callers; arguments are encoded as UTF-8.
     */
    public static Args of(final String... args)
    {
        final byte[][] parts = new byte[args.length][];
        for (int i = 0; i < args.length; i++)
        {
            parts[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return of(parts);
    }

    /**
     * A heap-backed request from raw arguments, all copied into one array.
     */
    public static Args of(final byte[]... parts)
    {
        int total = 0;
        for (final byte[] part : parts)
        {
            total += part.length;
        }
        final byte[] all = new byte[Math.max(total, 1)];
        final Args result = new Args();
        result.reset(new UnsafeBuffer(all));
        int offset = 0;
        for (final byte[] part : parts)
        {
            System.arraycopy(part, 0, all, offset, part.length);
            result.add(offset, part.length);
            offset += part.length;
        }
        return result;
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < count; i++)
        {
            sb.append(i == 0 ? "" : ", ").append(toString(i));
        }
        return sb.append(']').toString();
    }
}
