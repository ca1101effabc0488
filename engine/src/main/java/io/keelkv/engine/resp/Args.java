package io.keelkv.engine.resp;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Flyweight over one decoded request: the arguments as (offset, length) pairs into one buffer, which is
 * the connection's query buffer (multibulk) or the decoder's scratch (inline, after unescaping). Nothing
 * is copied. Valid until the next decode on the same connection.
 *
 * <p>Keys and values are handed to the engine as {@code (array(), address(i), length(i))}: a heap array
 * plus an offset, or null plus an absolute address, which is what {@code Unsafe} copies take.
 */
public final class Args
{
    private DirectBuffer buffer;
    private int count;
    private int[] offsets = new int[16];
    private int[] lengths = new int[16];
    private long longValue;
    private double doubleValue;

    public void reset(final DirectBuffer buffer)
    {
        this.buffer = buffer;
        this.count = 0;
    }

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

    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int count()
    {
        return count;
    }

    public int offset(final int i)
    {
        return offsets[i];
    }

    public int length(final int i)
    {
        return lengths[i];
    }

    /** The heap array behind the buffer, or null when it is off-heap (then {@link #address} is absolute). */
    public byte[] array()
    {
        return buffer.byteArray();
    }

    public long address(final int i)
    {
        return buffer.addressOffset() + offsets[i];
    }

    public byte byteAt(final int i, final int index)
    {
        return UnsafeApi.getByte(buffer.byteArray(), buffer.addressOffset() + offsets[i] + index);
    }

    /** Case-insensitive ASCII match against a lower-case literal. */
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
            byte b = UnsafeApi.getByte(array, address + j);
            if (b >= 'A' && b <= 'Z')
            {
                b += 32;
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
     * Parse argument {@code i} with Redis's string2ll rules (optional '-', no '+', no leading zeros but
     * "0", no spaces, at most 20 characters, in range). The value is then in {@link #longValue()}.
     */
    public boolean parseLong(final int i)
    {
        final byte[] array = buffer.byteArray();
        final long address = address(i);
        if (!io.keelkv.engine.types.Strings.isCanonicalLong(array, address, lengths[i]))
        {
            return false;
        }
        longValue = io.keelkv.engine.types.Strings.parseCanonicalLong(array, address, lengths[i]);
        return true;
    }

    public long longValue()
    {
        return longValue;
    }

    /**
     * Parse argument {@code i} as Redis's string2ld/strtod acceptance: no leading space, no trailing bytes,
     * decimal or exponent form, "inf"/"infinity" with a sign, never NaN. Value in {@link #doubleValue()}.
     * May allocate (not on the GET/SET path).
     */
    public boolean parseDouble(final int i)
    {
        final int length = lengths[i];
        if (length == 0 || length > 5 * 1024)
        {
            return false;
        }
        final String s = toString(i);
        if (!io.keelkv.engine.types.LongDouble.isDecimalSyntax(s))
        {
            return false;
        }
        final double value;
        final String lower = s.toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith("inf") || lower.endsWith("infinity"))
        {
            value = lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        else
        {
            try
            {
                value = Double.parseDouble(s);
            }
            catch (final NumberFormatException ex)
            {
                return false;
            }
        }
        if (Double.isNaN(value))
        {
            return false;
        }
        doubleValue = value;
        return true;
    }

    public double doubleValue()
    {
        return doubleValue;
    }

    public String toString(final int i)
    {
        return new String(copy(i), StandardCharsets.UTF_8);
    }

    public byte[] copy(final int i)
    {
        final byte[] bytes = new byte[lengths[i]];
        buffer.getBytes(offsets[i], bytes);
        return bytes;
    }

    /** A heap-backed request, for tests and embedded callers. */
    public static Args of(final String... args)
    {
        final byte[][] parts = new byte[args.length][];
        for (int i = 0; i < args.length; i++)
        {
            parts[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return of(parts);
    }

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
