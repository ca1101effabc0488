package io.keelkv.engine.types;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * INCRBYFLOAT arithmetic as Redis does it on x86-64: operands parsed with {@code strtold} into the x87
 * 80-bit long double (64-bit mantissa), added in long double, printed with {@code "%.17Lf"} and stripped
 * of trailing zeros (Redis's ld2string, LD_STR_HUMAN). Java has no long double, so this rounds exact
 * decimal values to a 64-bit binary mantissa (round-half-even, as the FPU does) at the same points.
 * strtold's hexadecimal form ("0x10", "0x1.8p3") is read too, as Redis reads it. Allocates; only INCRBYFLOAT
 * and the blocking commands' fractional or huge timeouts ({@link #timeoutMillis}) use it.
 */
public final class LongDouble
{
    private static final BigInteger TWO_63 = BigInteger.ONE.shiftLeft(63);
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
    /**
     * LDBL_MAX, (2^64 - 1) * 2^16320, about 1.18973e4932: a value that rounds past it is infinite, so strtold
     * reports ERANGE with HUGE_VALL (refused by string2ld) and a sum past it is INCRBYFLOAT's "Infinity".
     */
    private static final BigDecimal MAX_VALUE = new BigDecimal(TWO_64.subtract(BigInteger.ONE).shiftLeft(16320));
    /**
     * Half the smallest subnormal, 2^-16446 (about 1.82e-4951): a non-zero value up to it rounds to zero (ties
     * to even), strtold's ERANGE with zero, refused; anything above it rounds to a subnormal, which Redis takes.
     */
    private static final BigDecimal ZERO_THRESHOLD = new BigDecimal(BigInteger.valueOf(5).pow(16446), 16446);
    /** Decimal exponents past which no exact comparison is needed: 1e4933 overflows, 1e-4952 underflows. */
    private static final int MAX_DECIMAL_EXPONENT = 4932;
    private static final int MIN_DECIMAL_EXPONENT = -4952;
    /** A long double is below 2^16384 (binary exponent of its highest bit at most 16383). */
    private static final int MAX_BINARY_EXPONENT = 16383;
    /** Its smallest subnormal is 2^-16445; half of it and less round to zero, which strtold reports as ERANGE. */
    private static final int MIN_BINARY_EXPONENT = -16445;

    private LongDouble()
    {
    }

    /** Redis's string2ld acceptance: no leading space, whole string consumed, not NaN, no overflow. */
    public static boolean isValid(final String s)
    {
        if (s.isEmpty() || s.length() >= 5 * 1024)
        {
            return false;
        }
        final Hex hex = Hex.parse(s);
        if (hex != null)
        {
            // strtold's ERANGE on overflow and on underflow to zero, from the highest bit's binary exponent
            final long highest = hex.mantissa.bitLength() - 1 + hex.exponent;
            return hex.mantissa.signum() == 0 || highest <= MAX_BINARY_EXPONENT && highest >= MIN_BINARY_EXPONENT;
        }
        if (!isDecimalSyntax(s))
        {
            return false;
        }
        if (isInfinity(s))
        {
            return true;
        }
        final BigDecimal value = parse(s);
        if (value == null)
        {
            return false; // a non-zero mantissa with an exponent past int range: overflow or underflow
        }
        if (value.signum() == 0)
        {
            return true;
        }
        // strtold's ERANGE on overflow (HUGE_VAL) and on underflow to zero: both refused by string2ld; the
        // exact bounds are compared only near them, where the cost of the big numbers is paid once
        final long exponent = (long)value.precision() - value.scale() - 1;
        if (exponent > MAX_DECIMAL_EXPONENT || exponent < MIN_DECIMAL_EXPONENT)
        {
            return false;
        }
        if (exponent >= MAX_DECIMAL_EXPONENT - 1)
        {
            return round64(value).abs().compareTo(MAX_VALUE) <= 0;
        }
        if (exponent <= MIN_DECIMAL_EXPONENT + 2)
        {
            return value.abs().compareTo(ZERO_THRESHOLD) > 0;
        }
        return true;
    }

    /**
     * The exact value of text {@link #isDecimalSyntax} accepted (not infinity), or null when its exponent
     * is past int range with a non-zero mantissa. A zero mantissa is zero whatever the exponent, as strtold
     * reads "0e99999999999".
     */
    private static BigDecimal parse(final String s)
    {
        try
        {
            return new BigDecimal(stripPlus(s));
        }
        catch (final NumberFormatException ex)
        {
            for (int i = 0; i < s.length(); i++)
            {
                final char c = s.charAt(i);
                if (c == 'e' || c == 'E')
                {
                    break;
                }
                if (c >= '1' && c <= '9')
                {
                    return null;
                }
            }
            return BigDecimal.ZERO;
        }
    }

    /** {@code a + b} (both accepted by {@link #isValid}) as Redis prints it, or null when NaN or infinite. */
    public static String add(final String a, final String b)
    {
        final boolean infA = isInfinity(a);
        final boolean infB = isInfinity(b);
        if (infA || infB)
        {
            return null; // inf + x is inf, inf - inf is nan: both refused
        }
        final BigDecimal sum = round64(round64(value(a)).add(round64(value(b))));
        if (sum.abs().compareTo(MAX_VALUE) > 0)
        {
            return null; // rounded past LDBL_MAX: infinite
        }
        String text = sum.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
        if (text.indexOf('.') >= 0)
        {
            int end = text.length();
            while (text.charAt(end - 1) == '0')
            {
                end--;
            }
            if (text.charAt(end - 1) == '.')
            {
                end--;
            }
            text = text.substring(0, end);
        }
        return text.equals("-0") ? "0" : text;
    }

    /**
     * Redis 7.0's {@code (long long) ceill(ftval * 1000.0)} of getTimeoutFromObjectOrReply, {@code ftval} being
     * {@code s} (accepted by {@link #isValid}) read by strtold: the product rounded to a 64-bit mantissa, its
     * ceiling, then x86's conversion, which gives LLONG_MIN for anything past a long long (an infinity too). The
     * roundings decide at the edges: "-0.001" is read a little above -0.001, so its product is above -1 and its
     * ceiling -0, that is 0 (block for good); "9223372036854775" seconds are 9223372036854775000 ms exactly,
     * which a double rounds up to 2^63.
     */
    public static long timeoutMillis(final String s)
    {
        if (isInfinity(s))
        {
            return Long.MIN_VALUE;
        }
        final BigDecimal value = value(s);
        if (value == null || value.signum() == 0)
        {
            return value == null ? Long.MIN_VALUE : 0; // null: an exponent past int range, and isValid took it huge
        }
        final long exponent = (long)value.precision() - value.scale() - 1;
        if (exponent > 20)
        {
            return Long.MIN_VALUE; // past 1e20 seconds: past a long long of milliseconds whatever the rounding
        }
        if (exponent < -40)
        {
            return value.signum() > 0 ? 1 : 0; // a tiny product: its ceiling is 1, or -0 below zero
        }
        final BigDecimal ms = round64(round64(value).multiply(BigDecimal.valueOf(1000)));
        final BigInteger ceiling = ms.setScale(0, RoundingMode.CEILING).toBigIntegerExact();
        return ceiling.bitLength() > 63 ? Long.MIN_VALUE : ceiling.longValueExact();
    }

    /** Round to the nearest value with a 64-bit binary mantissa, ties to even. */
    static BigDecimal round64(final BigDecimal x)
    {
        if (x.signum() == 0)
        {
            return BigDecimal.ZERO;
        }
        final BigDecimal a = x.abs();
        // estimate e with 2^63 <= a / 2^e < 2^64, then correct
        final double log2 = (a.unscaledValue().bitLength() - 1) - a.scale() * (Math.log(10) / Math.log(2));
        int e = (int)Math.floor(log2) - 63;
        BigInteger m;
        while (true)
        {
            final BigDecimal scaled = e >= 0 ?
                a.divide(new BigDecimal(BigInteger.ONE.shiftLeft(e))) : a.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(-e)));
            if (scaled.compareTo(new BigDecimal(TWO_63)) < 0)
            {
                e--;
                continue;
            }
            if (scaled.compareTo(new BigDecimal(TWO_64)) >= 0)
            {
                e++;
                continue;
            }
            m = scaled.setScale(0, RoundingMode.HALF_EVEN).toBigIntegerExact();
            break;
        }
        if (m.equals(TWO_64))
        {
            m = TWO_63;
            e++;
        }
        BigDecimal result = new BigDecimal(m);
        result = e >= 0 ? result.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(e))) :
            result.divide(new BigDecimal(BigInteger.ONE.shiftLeft(-e)));
        return x.signum() < 0 ? result.negate() : result;
    }

    private static String stripPlus(final String s)
    {
        return s.startsWith("+") ? s.substring(1) : s;
    }

    /** Whether {@code s} (accepted by {@link #isValid}) is an infinity: "inf", "-Infinity" and the like. */
    public static boolean isInfinity(final String s)
    {
        final String t = s.startsWith("+") || s.startsWith("-") ? s.substring(1) : s;
        return t.equalsIgnoreCase("inf") || t.equalsIgnoreCase("infinity");
    }

    /** strtod/strtold's decimal grammar (hex floats are not accepted here): Java's parser is wider. */
    public static boolean isDecimalSyntax(final String s)
    {
        if (isInfinity(s))
        {
            return true;
        }
        int p = 0;
        final int n = s.length();
        if (s.charAt(0) == '+' || s.charAt(0) == '-')
        {
            p++;
        }
        int digits = 0;
        while (p < n && s.charAt(p) >= '0' && s.charAt(p) <= '9')
        {
            p++;
            digits++;
        }
        if (p < n && s.charAt(p) == '.')
        {
            p++;
            while (p < n && s.charAt(p) >= '0' && s.charAt(p) <= '9')
            {
                p++;
                digits++;
            }
        }
        if (digits == 0)
        {
            return false;
        }
        if (p < n && (s.charAt(p) == 'e' || s.charAt(p) == 'E'))
        {
            p++;
            if (p < n && (s.charAt(p) == '+' || s.charAt(p) == '-'))
            {
                p++;
            }
            final int expStart = p;
            while (p < n && s.charAt(p) >= '0' && s.charAt(p) <= '9')
            {
                p++;
            }
            if (p == expStart)
            {
                return false;
            }
        }
        return p == n;
    }

    /** The exact value of a valid operand, decimal or hexadecimal. */
    private static BigDecimal value(final String s)
    {
        final Hex hex = Hex.parse(s);
        if (hex == null)
        {
            return parse(s);
        }
        if (hex.mantissa.signum() == 0)
        {
            return BigDecimal.ZERO; // whatever its exponent ("0x0p99999999" is valid)
        }
        final BigDecimal mantissa = new BigDecimal(hex.negative ? hex.mantissa.negate() : hex.mantissa);
        final BigDecimal scale = new BigDecimal(BigInteger.ONE.shiftLeft((int)Math.abs(hex.exponent)));
        return hex.exponent >= 0 ? mantissa.multiply(scale) : mantissa.divide(scale);
    }

    /**
     * strtold's hexadecimal form: an optional sign, "0x" or "0X", hex digits with at most one '.' (at least
     * one digit), then an optional binary exponent 'p' or 'P', an optional sign and decimal digits. The
     * value is {@code mantissa * 2^exponent}.
     */
    private static final class Hex
    {
        /** Past this the exponent cannot matter: the value over- or underflows whatever the mantissa's length. */
        private static final long EXPONENT_CAP = 1L << 40;

        final boolean negative;
        final BigInteger mantissa;
        final long exponent;

        private Hex(final boolean negative, final BigInteger mantissa, final long exponent)
        {
            this.negative = negative;
            this.mantissa = mantissa;
            this.exponent = exponent;
        }

        /** The parts of {@code s}, or null when it is not entirely in this form. */
        static Hex parse(final String s)
        {
            final int n = s.length();
            int p = 0;
            final boolean negative = n > 0 && s.charAt(0) == '-';
            if (n > 0 && (s.charAt(0) == '+' || s.charAt(0) == '-'))
            {
                p++;
            }
            if (p + 2 > n || s.charAt(p) != '0' || (s.charAt(p + 1) != 'x' && s.charAt(p + 1) != 'X'))
            {
                return null;
            }
            p += 2;
            final StringBuilder digits = new StringBuilder();
            long exponent = 0;
            boolean point = false;
            for (; p < n; p++)
            {
                final char c = s.charAt(p);
                if (c == '.' && !point)
                {
                    point = true;
                }
                else if (Character.digit(c, 16) >= 0 && c < 128)
                {
                    digits.append(c);
                    if (point)
                    {
                        exponent -= 4;
                    }
                }
                else
                {
                    break;
                }
            }
            if (digits.length() == 0)
            {
                return null;
            }
            if (p < n && (s.charAt(p) == 'p' || s.charAt(p) == 'P'))
            {
                p++;
                boolean negativeExponent = false;
                if (p < n && (s.charAt(p) == '+' || s.charAt(p) == '-'))
                {
                    negativeExponent = s.charAt(p) == '-';
                    p++;
                }
                final int start = p;
                long e = 0;
                for (; p < n && s.charAt(p) >= '0' && s.charAt(p) <= '9'; p++)
                {
                    e = Math.min(EXPONENT_CAP, e * 10 + (s.charAt(p) - '0'));
                }
                if (p == start)
                {
                    return null; // "0x1p" with no digits: strtold stops before the 'p', and Redis wants it all read
                }
                exponent += negativeExponent ? -e : e;
            }
            if (p != n)
            {
                return null;
            }
            return new Hex(negative, new BigInteger(digits.toString(), 16), exponent);
        }
    }
}
