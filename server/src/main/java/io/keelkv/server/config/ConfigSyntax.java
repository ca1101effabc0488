package io.keelkv.server.config;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The text rules of redis.conf and CONFIG SET, ported from Redis's sds.c and util.c so that every edge case
 * reads the same: argument splitting with quotes (sdssplitargs), quoting for display (sdscatrepr), the plain
 * split of multi-argument CONFIG SET values (sdssplitlen on " "), and the number parsers (string2ll, strtoll,
 * memtoull, string2d).
 *
 * <p>Bytes, not characters: config files are read as ISO-8859-1 so that one char is one byte while quotes
 * and {@code \xHH} escapes are resolved, and each finished argument is then decoded as UTF-8. A command-line
 * argument goes the other way ({@link #repr}), so both paths meet in the same tokenizer.
 */
final class ConfigSyntax
{
    private ConfigSyntax()
    {
    }

    /**
     * sdssplitargs: splits a line of ISO-8859-1 chars into UTF-8 decoded arguments.
     *
     * @return the arguments, or null when quotes are unbalanced (or a closing quote is not followed by a space).
     */
    static List<String> splitArgs(final String line)
    {
        final List<String> args = new ArrayList<>();
        final int n = line.length();
        int p = 0;
        while (true)
        {
            while (p < n && isSpace(line.charAt(p)))
            {
                p++;
            }
            if (p >= n)
            {
                return args;
            }

            boolean inDoubleQuotes = false;
            boolean inSingleQuotes = false;
            boolean done = false;
            final StringBuilder current = new StringBuilder();
            while (!done)
            {
                final char c = p < n ? line.charAt(p) : '\0';
                if (inDoubleQuotes)
                {
                    if (c == '\\' && at(line, p + 1) == 'x' && isHex(at(line, p + 2)) && isHex(at(line, p + 3)))
                    {
                        current.append((char)(hexValue(at(line, p + 2)) * 16 + hexValue(at(line, p + 3))));
                        p += 3;
                    }
                    else if (c == '\\' && p + 1 < n)
                    {
                        p++;
                        final char e = line.charAt(p);
                        switch (e)
                        {
                            case 'n' -> current.append('\n');
                            case 'r' -> current.append('\r');
                            case 't' -> current.append('\t');
                            case 'b' -> current.append('\b');
                            case 'a' -> current.append((char)7);
                            default -> current.append(e);
                        }
                    }
                    else if (c == '"')
                    {
                        // a closing quote must be followed by a space or nothing at all
                        if (p + 1 < n && !isSpace(line.charAt(p + 1)))
                        {
                            return null;
                        }
                        done = true;
                    }
                    else if (p >= n)
                    {
                        return null;
                    }
                    else
                    {
                        current.append(c);
                    }
                }
                else if (inSingleQuotes)
                {
                    if (c == '\\' && at(line, p + 1) == '\'')
                    {
                        p++;
                        current.append('\'');
                    }
                    else if (c == '\'')
                    {
                        if (p + 1 < n && !isSpace(line.charAt(p + 1)))
                        {
                            return null;
                        }
                        done = true;
                    }
                    else if (p >= n)
                    {
                        return null;
                    }
                    else
                    {
                        current.append(c);
                    }
                }
                else
                {
                    switch (c)
                    {
                        case ' ', '\n', '\r', '\t', '\0' -> done = true;
                        case '"' -> inDoubleQuotes = true;
                        case '\'' -> inSingleQuotes = true;
                        default -> current.append(c);
                    }
                }
                if (p < n)
                {
                    p++;
                }
            }
            args.add(decodeBytes(current));
        }
    }

    /**
     * sdscatrepr: the argument quoted so that {@link #splitArgs} gives it back, as redis-server writes
     * command-line arguments into the config text (and so into error reports: {@code maxmemory "x"}).
     */
    static String repr(final String arg)
    {
        final byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
        final StringBuilder sb = new StringBuilder(bytes.length + 2).append('"');
        for (final byte b : bytes)
        {
            final int c = b & 0xFF;
            switch (c)
            {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case 7 -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                default ->
                {
                    if (c >= 0x20 && c <= 0x7E)
                    {
                        sb.append((char)c);
                    }
                    else
                    {
                        sb.append(String.format("\\x%02x", c));
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /**
     * sdssplitlen(value, " "): how CONFIG SET splits the value of a multi-argument directive. Empty pieces are
     * kept ("a  b" is three pieces) and an empty value has no piece at all.
     */
    static List<String> splitOnSpace(final String value)
    {
        if (value.isEmpty())
        {
            return List.of();
        }
        return List.of(value.split(" ", -1));
    }

    /**
     * The display form of a raw (ISO-8859-1) config line: its bytes decoded as UTF-8.
     */
    static String displayLine(final String rawLine)
    {
        return new String(rawLine.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    /**
     * Redis's sdstrim(line, " \t\r\n").
     */
    static String trim(final String s)
    {
        int start = 0;
        int end = s.length();
        while (start < end && isTrimmed(s.charAt(start)))
        {
            start++;
        }
        while (end > start && isTrimmed(s.charAt(end - 1)))
        {
            end--;
        }
        return s.substring(start, end);
    }

    /**
     * string2ll: a strict base-10 long. No sign but '-', no leading zero, no space, at most 20 chars.
     *
     * @return the value, or null when the text is not such a number or out of the long range.
     */
    static Long parseStrictLong(final String s)
    {
        final int n = s.length();
        if (n == 0 || n >= 21)
        {
            return null;
        }
        if (n == 1 && s.charAt(0) == '0')
        {
            return 0L;
        }
        int p = 0;
        if (s.charAt(0) == '-')
        {
            p = 1;
            if (n == 1)
            {
                return null;
            }
        }
        final char first = s.charAt(p);
        if (first < '1' || first > '9')
        {
            return null;
        }
        for (int i = p + 1; i < n; i++)
        {
            final char c = s.charAt(i);
            if (c < '0' || c > '9')
            {
                return null;
            }
        }
        try
        {
            return Long.parseLong(s);
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
    }

    /**
     * C's strtoll(s, &end, 10): leading white space, an optional sign, digits, saturating on overflow.
     *
     * @return {value, index of the first char not used}; the index is 0 when no digit was found.
     */
    static long[] strtoll(final String s)
    {
        final int n = s.length();
        int p = 0;
        while (p < n && isSpace(s.charAt(p)))
        {
            p++;
        }
        boolean negative = false;
        if (p < n && (s.charAt(p) == '+' || s.charAt(p) == '-'))
        {
            negative = s.charAt(p) == '-';
            p++;
        }
        final int digitsStart = p;
        long value = 0;
        boolean overflow = false;
        while (p < n && s.charAt(p) >= '0' && s.charAt(p) <= '9')
        {
            final int d = s.charAt(p) - '0';
            if (!overflow)
            {
                // accumulate negatively so that Long.MIN_VALUE is reachable
                if (value < (Long.MIN_VALUE + d) / 10)
                {
                    overflow = true;
                }
                else
                {
                    value = value * 10 - d;
                }
            }
            p++;
        }
        if (p == digitsStart)
        {
            return new long[] {0, 0};
        }
        if (overflow)
        {
            return new long[] {negative ? Long.MIN_VALUE : Long.MAX_VALUE, p};
        }
        if (!negative)
        {
            value = value == Long.MIN_VALUE ? Long.MAX_VALUE : -value;
        }
        return new long[] {value, p};
    }

    /**
     * strtoll used the way config.c validates a whole argument: the number must use every char. Note that,
     * as in C, an empty string is a valid 0.
     *
     * @return the value, or null when chars are left over.
     */
    static Long strtollWhole(final String s)
    {
        final long[] r = strtoll(s);
        return r[1] == s.length() ? r[0] : null;
    }

    /**
     * strtoll(s, &end, radix) checked the way numericParseString checks an octal config: errno must stay 0 (no
     * overflow) and the number must use every char. As in C, an empty string is a valid 0, while a string with
     * no digit at all ("  ", "-") is not, since end is then s itself.
     *
     * @param radix 2 to 10 (the digits used are '0' up to radix - 1).
     * @return the value, or null.
     */
    static Long strtollWholeRadix(final String s, final int radix)
    {
        final int n = s.length();
        int p = 0;
        while (p < n && isSpace(s.charAt(p)))
        {
            p++;
        }
        boolean negative = false;
        if (p < n && (s.charAt(p) == '+' || s.charAt(p) == '-'))
        {
            negative = s.charAt(p) == '-';
            p++;
        }
        final int digitsStart = p;
        long value = 0;
        while (p < n && s.charAt(p) >= '0' && s.charAt(p) < '0' + radix)
        {
            final int d = s.charAt(p) - '0';
            // accumulate negatively so that Long.MIN_VALUE is reachable; ERANGE is a failure here
            if (value < (Long.MIN_VALUE + d) / radix)
            {
                return null;
            }
            value = value * radix - d;
            p++;
        }
        if (p == digitsStart)
        {
            return n == 0 ? 0L : null;
        }
        if (p != n)
        {
            return null;
        }
        if (!negative)
        {
            if (value == Long.MIN_VALUE)
            {
                return null;
            }
            value = -value;
        }
        return value;
    }

    /**
     * memtoull: digits followed by b, k (1000), kb (1024), m, mb, g or gb, case-insensitive. As in Redis, the
     * digits overflow to ULLONG_MAX and the multiplication wraps: the result is an unsigned 64-bit value
     * in a long. An empty number is 0 ("" and "kb" are both 0).
     *
     * @return the unsigned byte count, or null when not a memory value.
     */
    static Long parseMemory(final String s)
    {
        if (s.startsWith("-"))
        {
            return null;
        }
        int u = 0;
        while (u < s.length() && s.charAt(u) >= '0' && s.charAt(u) <= '9')
        {
            u++;
        }
        final long multiplier;
        switch (s.substring(u).toLowerCase(java.util.Locale.ROOT))
        {
            case "", "b" -> multiplier = 1;
            case "k" -> multiplier = 1000;
            case "kb" -> multiplier = 1024;
            case "m" -> multiplier = 1000 * 1000;
            case "mb" -> multiplier = 1024 * 1024;
            case "g" -> multiplier = 1000L * 1000 * 1000;
            case "gb" -> multiplier = 1024L * 1024 * 1024;
            default ->
            {
                return null;
            }
        }
        if (u >= 128)
        {
            return null;
        }
        long value = 0;
        for (int i = 0; i < u; i++)
        {
            final int d = s.charAt(i) - '0';
            // strtoull saturates at ULLONG_MAX and Redis does not check ERANGE
            if (Long.compareUnsigned(value, Long.divideUnsigned(-1L - d, 10)) > 0)
            {
                value = -1L;
                break;
            }
            value = value * 10 + d;
        }
        return value * multiplier;
    }

    /**
     * string2d: the whole string one number as strtod reads it (decimal, or C99 hex "0x1.8p1"; "inf" and
     * "infinity"), no leading space, no NaN; and, as strtod's ERANGE makes string2d refuse them, no finite text
     * that overflows to infinity ("1e400") or underflows to zero ("1e-400"). A subnormal result is accepted.
     *
     * @return the value, or null.
     */
    static Double parseDouble(final String s)
    {
        if (s.isEmpty() || isSpace(s.charAt(0)))
        {
            return null;
        }
        final String lower = s.toLowerCase(java.util.Locale.ROOT);
        final String unsigned = lower.startsWith("-") || lower.startsWith("+") ? lower.substring(1) : lower;
        if (unsigned.equals("inf") || unsigned.equals("infinity"))
        {
            return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        final double value;
        final String mantissa;
        if (lower.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?"))
        {
            value = Double.parseDouble(lower);
            mantissa = lower.split("e", 2)[0];
        }
        else if (lower.matches("[+-]?0x([0-9a-f]+\\.?[0-9a-f]*|\\.[0-9a-f]+)(p[+-]?\\d+)?"))
        {
            // Java reads C's hex form only with its binary exponent
            value = Double.parseDouble(lower.indexOf('p') < 0 ? lower + "p0" : lower);
            mantissa = lower.split("p", 2)[0].replaceFirst("0x", "");
        }
        else
        {
            return null;
        }
        if (Double.isInfinite(value) || (value == 0 && mantissa.matches(".*[1-9a-f].*")))
        {
            return null;
        }
        return value;
    }

    /**
     * sprintf("%f") then trimDoubleString: 99.9 prints as "99.9", 50 as "50".
     */
    static String formatDouble(final double value)
    {
        String s = String.format(java.util.Locale.ROOT, "%f", value);
        if (s.indexOf('.') >= 0)
        {
            int end = s.length();
            while (s.charAt(end - 1) == '0')
            {
                end--;
            }
            if (s.charAt(end - 1) == '.')
            {
                end--;
            }
            s = s.substring(0, end);
        }
        return s;
    }

    static boolean isSpace(final char c)
    {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == '\f';
    }

    private static boolean isTrimmed(final char c)
    {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static char at(final String s, final int i)
    {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private static boolean isHex(final char c)
    {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hexValue(final char c)
    {
        return Character.digit(c, 16);
    }

    private static String decodeBytes(final CharSequence latin1)
    {
        final byte[] bytes = new byte[latin1.length()];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)latin1.charAt(i);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
