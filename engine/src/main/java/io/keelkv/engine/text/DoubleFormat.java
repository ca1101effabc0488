package io.keelkv.engine.text;

/**
 * C's {@code printf("%.17g")} for doubles, as Redis 7.0's addReplyDouble prints scores and distances,
 * written into a byte array with no allocation.
 *
 * <p>glibc prints the exact decimal value of the double rounded to 17 significant digits, ties to even.
 * Shortest-representation algorithms (Java's Double.toString, Ryu) print different digits ("0.1" where
 * Redis prints "0.10000000000000001"), so this expands the double exactly instead: a double is
 * {@code m * 2^e}; for {@code e >= 0} that is an integer, for {@code e < 0} it is
 * {@code m * 5^-e / 10^-e}, so its decimal digits are those of the integer {@code m * 5^-e}. Small cases
 * fit a long; the rest use a fixed-size big integer (at most 2,550 bits, for the smallest denormals).
 * One instance per thread: the scratch arrays are reused.
 */
public final class DoubleFormat
{
    /** Longest output: "-2.2250738585072014e-308" is 24 bytes. */
    public static final int MAX_LENGTH = 32;

    private static final int PRECISION = 17;
    private static final long MASK = 0xFFFF_FFFFL;
    private static final int FIVE_POW_13 = 1_220_703_125;
    private static final int BILLION = 1_000_000_000;
    private static final long[] FIVE_POWERS = new long[28];

    static
    {
        FIVE_POWERS[0] = 1;
        for (int i = 1; i < FIVE_POWERS.length; i++)
        {
            FIVE_POWERS[i] = FIVE_POWERS[i - 1] * 5;
        }
    }

    private final int[] limbs = new int[96];
    private final int[] chunks = new int[96];
    private final byte[] digits = new byte[96 * 9];

    /**
     * Write {@code value} as "%.17g" into {@code out} from index 0, with "inf", "-inf", "nan" and "-nan"
     * as glibc prints them.
     *
     * @return the number of bytes written, at most {@link #MAX_LENGTH}.
     */
    public int format(final double value, final byte[] out)
    {
        final long bits = Double.doubleToRawLongBits(value);
        int pos = 0;
        if (bits < 0)
        {
            out[pos++] = '-';
        }
        final int biasedExponent = (int)((bits >>> 52) & 0x7FF);
        final long fraction = bits & ((1L << 52) - 1);
        if (biasedExponent == 0x7FF)
        {
            return putAscii(out, pos, fraction == 0 ? "inf" : "nan");
        }
        if (biasedExponent == 0 && fraction == 0)
        {
            out[pos++] = '0';
            return pos;
        }

        long mantissa = biasedExponent == 0 ? fraction : fraction | (1L << 52);
        int binaryExponent = (biasedExponent == 0 ? 1 : biasedExponent) - 1075;
        final int trailingZeros = Long.numberOfTrailingZeros(mantissa);
        mantissa >>>= trailingZeros;
        binaryExponent += trailingZeros;

        // value = D * 10^-fractionDigits where D is the integer whose digits we now produce
        final int fractionDigits = Math.max(0, -binaryExponent);
        final int count;
        if (binaryExponent >= 0 && binaryExponent < Long.numberOfLeadingZeros(mantissa))
        {
            count = longDigits(mantissa << binaryExponent);
        }
        else if (binaryExponent < 0 && fractionDigits < FIVE_POWERS.length &&
            mantissa <= Long.MAX_VALUE / FIVE_POWERS[fractionDigits])
        {
            count = longDigits(mantissa * FIVE_POWERS[fractionDigits]);
        }
        else
        {
            count = bigDigits(mantissa, binaryExponent);
        }

        int exponent = count - 1 - fractionDigits;
        int n = count;
        if (n > PRECISION)
        {
            final int next = digits[PRECISION];
            boolean roundUp = next > 5;
            if (next == 5)
            {
                boolean sticky = false;
                for (int i = PRECISION + 1; i < count && !sticky; i++)
                {
                    sticky = digits[i] != 0;
                }
                roundUp = sticky || (digits[PRECISION - 1] & 1) == 1;
            }
            n = PRECISION;
            if (roundUp)
            {
                int i = PRECISION - 1;
                while (i >= 0 && digits[i] == 9)
                {
                    digits[i] = 0;
                    i--;
                }
                if (i < 0)
                {
                    digits[0] = 1;
                    exponent++;
                }
                else
                {
                    digits[i]++;
                }
            }
        }
        while (n > 1 && digits[n - 1] == 0)
        {
            n--;
        }

        if (exponent < -4 || exponent >= PRECISION)
        {
            out[pos++] = (byte)('0' + digits[0]);
            if (n > 1)
            {
                out[pos++] = '.';
                for (int i = 1; i < n; i++)
                {
                    out[pos++] = (byte)('0' + digits[i]);
                }
            }
            out[pos++] = 'e';
            out[pos++] = (byte)(exponent < 0 ? '-' : '+');
            final int abs = Math.abs(exponent);
            if (abs >= 100)
            {
                out[pos++] = (byte)('0' + abs / 100);
            }
            out[pos++] = (byte)('0' + (abs / 10) % 10);
            out[pos++] = (byte)('0' + abs % 10);
        }
        else if (exponent >= 0)
        {
            for (int i = 0; i <= exponent; i++)
            {
                out[pos++] = (byte)(i < n ? '0' + digits[i] : '0');
            }
            if (n > exponent + 1)
            {
                out[pos++] = '.';
                for (int i = exponent + 1; i < n; i++)
                {
                    out[pos++] = (byte)('0' + digits[i]);
                }
            }
        }
        else
        {
            out[pos++] = '0';
            out[pos++] = '.';
            for (int i = -1; i > exponent; i--)
            {
                out[pos++] = '0';
            }
            for (int i = 0; i < n; i++)
            {
                out[pos++] = (byte)('0' + digits[i]);
            }
        }
        return pos;
    }

    private static int putAscii(final byte[] out, final int from, final String text)
    {
        int pos = from;
        for (int i = 0; i < text.length(); i++)
        {
            out[pos++] = (byte)text.charAt(i);
        }
        return pos;
    }

    /** Decimal digits (values 0-9) of a positive long into {@code digits}; returns their count. */
    private int longDigits(final long value)
    {
        int count = 0;
        long v = value;
        while (v != 0)
        {
            digits[count++] = (byte)(v % 10);
            v /= 10;
        }
        reverse(count);
        return count;
    }

    private void reverse(final int count)
    {
        for (int i = 0, j = count - 1; i < j; i++, j--)
        {
            final byte t = digits[i];
            digits[i] = digits[j];
            digits[j] = t;
        }
    }

    /** Digits of {@code m * 2^e} (e >= 0) or of {@code m * 5^-e} (e < 0) with a big integer. */
    private int bigDigits(final long mantissa, final int binaryExponent)
    {
        final int[] limbs = this.limbs;
        int length;
        if (binaryExponent >= 0)
        {
            final int limbShift = binaryExponent >>> 5;
            final int bitShift = binaryExponent & 31;
            for (int i = 0; i < limbShift; i++)
            {
                limbs[i] = 0;
            }
            // mantissa < 2^53 shifted by < 32 bits fits in 85 bits: three limbs
            final long low = mantissa << bitShift;
            final long high = bitShift == 0 ? 0 : mantissa >>> (64 - bitShift);
            limbs[limbShift] = (int)low;
            limbs[limbShift + 1] = (int)(low >>> 32);
            limbs[limbShift + 2] = (int)high;
            length = limbShift + 3;
        }
        else
        {
            limbs[0] = (int)mantissa;
            limbs[1] = (int)(mantissa >>> 32);
            length = 2;
            int fives = -binaryExponent;
            while (fives > 0)
            {
                final int step = Math.min(fives, 13);
                final long multiplier = step == 13 ? FIVE_POW_13 : FIVE_POWERS[step];
                long carry = 0;
                for (int i = 0; i < length; i++)
                {
                    final long product = (limbs[i] & MASK) * multiplier + carry;
                    limbs[i] = (int)product;
                    carry = product >>> 32;
                }
                if (carry != 0)
                {
                    limbs[length++] = (int)carry;
                }
                fives -= step;
            }
        }
        while (length > 0 && limbs[length - 1] == 0)
        {
            length--;
        }

        int chunkCount = 0;
        while (length > 0)
        {
            long remainder = 0;
            for (int i = length - 1; i >= 0; i--)
            {
                final long current = (remainder << 32) | (limbs[i] & MASK);
                limbs[i] = (int)(current / BILLION);
                remainder = current % BILLION;
            }
            chunks[chunkCount++] = (int)remainder;
            while (length > 0 && limbs[length - 1] == 0)
            {
                length--;
            }
        }

        int count = 0;
        for (int c = chunkCount - 1; c >= 0; c--)
        {
            int chunk = chunks[c];
            if (c == chunkCount - 1)
            {
                final int start = count;
                while (chunk != 0)
                {
                    digits[count++] = (byte)(chunk % 10);
                    chunk /= 10;
                }
                for (int i = start, j = count - 1; i < j; i++, j--)
                {
                    final byte t = digits[i];
                    digits[i] = digits[j];
                    digits[j] = t;
                }
            }
            else
            {
                for (int i = 8; i >= 0; i--)
                {
                    digits[count + i] = (byte)(chunk % 10);
                    chunk /= 10;
                }
                count += 9;
            }
        }
        return count;
    }
}
