package io.keelkv.engine.text;

import org.agrona.UnsafeApi;

import java.nio.charset.StandardCharsets;

/**
 * Numbers read from request bytes with exactly Redis's acceptance rules, straight from memory.
 *
 * <p>Bytes are addressed as {@code (array, address)}: a heap array plus {@code ARRAY_BASE_OFFSET + index},
 * or null plus an absolute off-heap address, which is how the RESP layer's Args hands arguments out and how
 * page memory is read. In a package of its own (text) because the RESP layer and the value types both read numbers
 * and neither may depend on the other. Nothing here
 * allocates except the rare slow path of {@link #parseDouble} (long mantissas, big exponents, hex).
 */
public final class AsciiNumbers
{
    /**
     * Returned by {@link #parseLong} for text that is not an integer. It is also the value of the one valid
     * text "-9223372036854775808", which {@link #isLongMinValue} tells apart.
     */
    public static final long NOT_A_LONG = Long.MIN_VALUE;

    /** Redis's LONG_STR_SIZE: a valid integer is at most 20 characters ("-9223372036854775808"). */
    public static final int MAX_LONG_CHARS = 20;

    /** Redis's MAX_LONG_DOUBLE_CHARS: string2ld refuses anything this long or longer. */
    public static final int MAX_DOUBLE_CHARS = 5 * 1024;

    private static final byte[] LONG_MIN_VALUE = "-9223372036854775808".getBytes(StandardCharsets.US_ASCII);

    /** Exact powers of ten as doubles: a product or quotient with one of them is correctly rounded. */
    private static final double[] POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };

    private AsciiNumbers()
    {
    }

    /**
     * Redis's string2ll (util.c): an optional '-', then "0" alone or a digit 1-9 followed by digits, at
     * most 20 characters, in the signed 64-bit range. No '+', no spaces, no leading zeros, no "-0".
     *
     * @return the value, or {@link #NOT_A_LONG} when the text is not such an integer.
     */
    public static long parseLong(final byte[] array, final long address, final int length)
    {
        if (length == 0 || length > MAX_LONG_CHARS)
        {
            return NOT_A_LONG;
        }
        int i = 0;
        final boolean negative = UnsafeApi.getByte(array, address) == '-';
        if (negative)
        {
            if (length == 1)
            {
                return NOT_A_LONG;
            }
            i = 1;
        }
        int b = UnsafeApi.getByte(array, address + i);
        if (b == '0')
        {
            return length == 1 ? 0 : NOT_A_LONG;
        }
        if (b < '1' || b > '9')
        {
            return NOT_A_LONG;
        }
        // accumulate negatively: the negative range is one larger, so Long.MIN_VALUE needs no special case
        long value = -(b - '0');
        for (i++; i < length; i++)
        {
            b = UnsafeApi.getByte(array, address + i);
            if (b < '0' || b > '9' || value < Long.MIN_VALUE / 10)
            {
                return NOT_A_LONG;
            }
            value *= 10;
            final int digit = b - '0';
            if (value < Long.MIN_VALUE + digit)
            {
                return NOT_A_LONG;
            }
            value -= digit;
        }
        if (negative)
        {
            return value;
        }
        return value == Long.MIN_VALUE ? NOT_A_LONG : -value;
    }

    /** Whether the text is exactly "-9223372036854775808", the one valid integer equal to NOT_A_LONG. */
    public static boolean isLongMinValue(final byte[] array, final long address, final int length)
    {
        if (length != LONG_MIN_VALUE.length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (UnsafeApi.getByte(array, address + i) != LONG_MIN_VALUE[i])
            {
                return false;
            }
        }
        return true;
    }

    public static boolean isSpace(final int c)
    {
        // C's isspace in the "C" locale
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    /**
     * Redis's float argument rules (string2ld / string2d over strtold / strtod): the whole text must be
     * one number as C's strtod reads it (decimal with optional fraction and exponent, or C99 hex float,
     * or "inf"/"infinity" in any case, each with an optional sign); no leading space (strtod would skip
     * it, Redis refuses it), no trailing byte, never NaN; overflow to infinity and underflow to zero are
     * refused, as strtod's ERANGE makes Redis refuse them. Java has no long double, so the range is the
     * double's: INCRBYFLOAT's 80-bit range (1e400 is accepted by Redis there) is not reproduced.
     *
     * @return the value, or NaN when the text is not accepted (NaN itself is never accepted).
     */
    public static double parseDouble(final byte[] array, final long address, final int length)
    {
        if (length == 0 || length >= MAX_DOUBLE_CHARS)
        {
            return Double.NaN;
        }
        int i = 0;
        boolean negative = false;
        int b = UnsafeApi.getByte(array, address) & 0xFF;
        if (b == '+' || b == '-')
        {
            negative = b == '-';
            i++;
        }
        if (i == length)
        {
            return Double.NaN;
        }
        b = UnsafeApi.getByte(array, address + i) & 0xFF;
        if (b == 'i' || b == 'I')
        {
            return isInfinity(array, address + i, length - i) ?
                (negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY) : Double.NaN;
        }
        if (b == '0' && i + 1 < length && (UnsafeApi.getByte(array, address + i + 1) | 0x20) == 'x')
        {
            return parseHexDouble(array, address, length, i + 2);
        }

        long mantissa = 0;
        int significantDigits = 0;
        int exponent = 0;
        boolean anyDigit = false;
        boolean nonZeroDropped = false;
        boolean pointSeen = false;
        for (; i < length; i++)
        {
            b = UnsafeApi.getByte(array, address + i);
            if (b == '.' && !pointSeen)
            {
                pointSeen = true;
                continue;
            }
            if (b < '0' || b > '9')
            {
                break;
            }
            anyDigit = true;
            final int digit = b - '0';
            if (mantissa == 0 && digit == 0)
            {
                if (pointSeen)
                {
                    exponent--;
                }
            }
            else if (significantDigits < 18) // 18 digits always fit a long; a 19th may not (9223372036854775808)
            {
                mantissa = mantissa * 10 + digit;
                significantDigits++;
                if (pointSeen)
                {
                    exponent--;
                }
            }
            else
            {
                nonZeroDropped |= digit != 0;
                if (!pointSeen)
                {
                    exponent++;
                }
            }
        }
        if (!anyDigit)
        {
            return Double.NaN;
        }
        if (i < length)
        {
            // only an exponent may follow, and strtod takes 'e' only with at least one digit after it
            b = UnsafeApi.getByte(array, address + i);
            if (b != 'e' && b != 'E')
            {
                return Double.NaN;
            }
            i++;
            boolean negativeExponent = false;
            if (i < length)
            {
                b = UnsafeApi.getByte(array, address + i);
                if (b == '+' || b == '-')
                {
                    negativeExponent = b == '-';
                    i++;
                }
            }
            if (i == length)
            {
                return Double.NaN;
            }
            int explicitExponent = 0;
            for (; i < length; i++)
            {
                b = UnsafeApi.getByte(array, address + i);
                if (b < '0' || b > '9')
                {
                    return Double.NaN;
                }
                // saturate: past 10^5 every double has overflowed or underflowed anyway
                explicitExponent = Math.min(100_000, explicitExponent * 10 + (b - '0'));
            }
            exponent += negativeExponent ? -explicitExponent : explicitExponent;
        }

        if (mantissa == 0)
        {
            return negative ? -0.0 : 0.0;
        }
        final double value;
        if (!nonZeroDropped && mantissa < (1L << 53) && exponent >= -22 && exponent <= 22)
        {
            // both operands exact, so one IEEE operation gives the correctly rounded result (Clinger)
            value = exponent >= 0 ? mantissa * POWERS_OF_TEN[exponent] : mantissa / POWERS_OF_TEN[-exponent];
        }
        else
        {
            value = Math.abs(Double.parseDouble(latin1(array, address, length)));
            if (Double.isInfinite(value) || value == 0)
            {
                return Double.NaN; // strtod's ERANGE: overflow, or underflow of a non-zero number
            }
        }
        return negative ? -value : value;
    }

    private static boolean isInfinity(final byte[] array, final long address, final int length)
    {
        if (length != 3 && length != 8)
        {
            return false;
        }
        final String word = "infinity";
        for (int i = 0; i < length; i++)
        {
            if ((UnsafeApi.getByte(array, address + i) | 0x20) != word.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    private static int hexDigit(final int b)
    {
        if (b >= '0' && b <= '9')
        {
            return b - '0';
        }
        final int lower = b | 0x20;
        if (lower >= 'a' && lower <= 'f')
        {
            return lower - 'a' + 10;
        }
        return -1;
    }

    /** C99 hex float after "0x": hex digits with an optional point, then an optional binary 'p' exponent. */
    private static double parseHexDouble(final byte[] array, final long address, final int length, final int from)
    {
        int i = from;
        boolean anyDigit = false;
        boolean nonZero = false;
        boolean pointSeen = false;
        for (; i < length; i++)
        {
            final int b = UnsafeApi.getByte(array, address + i);
            if (b == '.' && !pointSeen)
            {
                pointSeen = true;
                continue;
            }
            final int digit = hexDigit(b);
            if (digit < 0)
            {
                break;
            }
            anyDigit = true;
            nonZero |= digit != 0;
        }
        if (!anyDigit)
        {
            return Double.NaN;
        }
        boolean hasExponent = false;
        if (i < length)
        {
            if ((UnsafeApi.getByte(array, address + i) | 0x20) != 'p')
            {
                return Double.NaN;
            }
            i++;
            if (i < length && (UnsafeApi.getByte(array, address + i) == '+' ||
                UnsafeApi.getByte(array, address + i) == '-'))
            {
                i++;
            }
            if (i == length)
            {
                return Double.NaN;
            }
            for (; i < length; i++)
            {
                final int b = UnsafeApi.getByte(array, address + i);
                if (b < '0' || b > '9')
                {
                    return Double.NaN;
                }
            }
            hasExponent = true;
        }
        // the syntax is now known to be valid C; Java's parser wants the 'p' exponent to be present
        final String text = latin1(array, address, length);
        final double value = Double.parseDouble(hasExponent ? text : text + "p0");
        if (Double.isInfinite(value) || (value == 0 && nonZero))
        {
            return Double.NaN;
        }
        return value;
    }

    private static String latin1(final byte[] array, final long address, final int length)
    {
        final byte[] bytes = new byte[length];
        UnsafeApi.copyMemory(array, address, bytes, UnsafeApi.arrayBaseOffset(byte[].class), length);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
