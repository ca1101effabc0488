package io.keelkv.engine.text;

import org.agrona.UnsafeApi;

/**
 * Reads a plain decimal ("-12.000000000000002", "0.10000000000000001": no exponent, at most 18 digits, at most 22
 * after the point) into the nearest double, ties to even, with no allocation. This is the form "%.17g" gives
 * every double between 1e-5 and 1e17, so a sorted set's listpack, which stores non-integer scores as that text
 * (Redis's d2string), reads its scores back on the hot path without the allocating fallback of
 * {@link AsciiNumbers#parseDouble} (which takes mantissas past 2^53 to Double.parseDouble).
 *
 * <p>How. The value is m / 10^k with m < 10^18 and k <= 22. A first guess divides in double arithmetic (two
 * roundings: within a couple of ulps); it is then corrected by comparing m with the exact midpoints between
 * neighbouring doubles scaled by 10^k: with d = M * 2^E, the midpoint above d is (2M + 1) * 2^(E - 1), and
 * x > it exactly when m > (2M + 1) * 5^k * 2^(E - 1 + k), a product below 2^107 compared in 128-bit integers.
 */
public final class ExactDecimal
{
    private static final int MAX_DIGITS = 18;
    private static final int MAX_FRACTION = 22;
    private static final double[] POWERS_OF_TEN = new double[MAX_FRACTION + 1];
    private static final long[] POWERS_OF_FIVE = new long[MAX_FRACTION + 1];

    static
    {
        double ten = 1;
        long five = 1;
        for (int i = 0; i <= MAX_FRACTION; i++)
        {
            POWERS_OF_TEN[i] = ten;
            POWERS_OF_FIVE[i] = five;
            ten *= 10;
            five *= 5;
        }
    }

    private ExactDecimal()
    {
    }

    /**
     * The double nearest to the plain decimal in the bytes (a heap array and its Unsafe offset, or null and a raw
     * address), or NaN when the text is not of that form (an exponent, "inf", too many digits): the caller then
     * takes the general parser.
     */
    public static double parse(final byte[] array, final long address, final int length)
    {
        int i = 0;
        boolean negative = false;
        if (length > 0 && UnsafeApi.getByte(array, address) == '-')
        {
            negative = true;
            i++;
        }
        long m = 0;
        int digits = 0;
        boolean anyDigit = false;
        int fraction = -1;
        for (; i < length; i++)
        {
            final int b = UnsafeApi.getByte(array, address + i);
            if (b == '.' && fraction < 0)
            {
                fraction = 0;
                continue;
            }
            if (b < '0' || b > '9')
            {
                return Double.NaN;
            }
            anyDigit = true;
            if (m != 0 || b != '0')
            {
                if (++digits > MAX_DIGITS)
                {
                    return Double.NaN;
                }
                m = m * 10 + (b - '0');
            }
            if (fraction >= 0 && ++fraction > MAX_FRACTION)
            {
                return Double.NaN;
            }
        }
        if (!anyDigit)
        {
            return Double.NaN; // "", "-", "."
        }
        final int k = Math.max(fraction, 0);
        final double value = m == 0 ? 0 : nearest(m, k);
        return negative ? -value : value;
    }

    /** The double nearest to m / 10^k (m > 0, k <= 22), ties to even. */
    static double nearest(final long m, final int k)
    {
        if (k == 0)
        {
            return m; // long to double rounds to nearest, ties to even
        }
        double d = m / POWERS_OF_TEN[k];
        for (int step = 0; step < 16; step++)
        {
            final int above = compareWithUpperMidpoint(m, k, d);
            if (above > 0 || (above == 0 && odd(d)))
            {
                d = Math.nextUp(d);
                continue;
            }
            final double down = Math.nextDown(d);
            final int below = compareWithUpperMidpoint(m, k, down);
            if (below < 0 || (below == 0 && odd(d)))
            {
                d = down;
                continue;
            }
            return d;
        }
        throw new IllegalStateException("no nearest double found for " + m + "e-" + k);
    }

    private static boolean odd(final double d)
    {
        return (Double.doubleToRawLongBits(d) & 1) != 0;
    }

    /** The sign of m / 10^k minus the midpoint between d (positive, normal) and the next double up. */
    private static int compareWithUpperMidpoint(final long m, final int k, final double d)
    {
        final long bits = Double.doubleToRawLongBits(d);
        final int biased = (int)(bits >>> 52) & 0x7FF;
        final long mantissa = (bits & ((1L << 52) - 1)) | (biased == 0 ? 0 : 1L << 52);
        final int exponent = (biased == 0 ? 1 : biased) - 1075;
        // m / 10^k ? (2M + 1) * 2^(E - 1)  <=>  m ? (2M + 1) * 5^k * 2^(E - 1 + k)
        return compareScaled(m, 2 * mantissa + 1, POWERS_OF_FIVE[k], exponent - 1 + k);
    }

    /** The sign of m - a * b * 2^s, for 0 < m < 2^63, 0 < a < 2^55, 0 < b < 2^52: a * b fits 107 bits. */
    private static int compareScaled(final long m, final long a, final long b, final int s)
    {
        final long lo = a * b;
        final long hi = Math.multiplyHigh(a, b);
        if (s >= 0)
        {
            if (s >= 64 || (s > 0 && (hi << s >>> s) != hi) || (hi << s | (s == 0 ? 0 : lo >>> (64 - s))) != 0)
            {
                return -1; // the product times 2^s is at least 2^64, past any m
            }
            return Long.compareUnsigned(m, lo << s);
        }
        final int t = -s;
        if (64 - Long.numberOfLeadingZeros(m) + t > 127)
        {
            return 1; // m * 2^t is at least 2^127, past the product
        }
        final long mHi = t >= 64 ? m << (t - 64) : m >>> (64 - t);
        final long mLo = t >= 64 ? 0 : m << t;
        final int c = Long.compareUnsigned(mHi, hi);
        return c != 0 ? c : Long.compareUnsigned(mLo, lo);
    }
}
