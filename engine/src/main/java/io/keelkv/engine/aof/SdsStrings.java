package io.keelkv.engine.aof;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The few C string routines of Redis that decide what a manifest line means: sdssplitargs, sdsneedsrepr,
 * sdscatrepr (sds.c), atoll (glibc), and a C string's end at its first NUL.
 *
 * <p>Why copies of C behaviour rather than Java's own splitting and number parsing: the manifest has to mean
 * the same to redis-server and to KeelKV, so each quirk is kept (a token may switch into quotes midway,
 * {@code 12abc} is 12, a number too large saturates, a \x00 escape ends a name). Bytes in, bytes out: the
 * caller decides what the bytes are.
 */
final class SdsStrings
{
    private SdsStrings()
    {
    }

    /** sdsneedsrepr, plus the apostrophe (see AofManifestFormat). */
    static boolean needsRepr(final byte[] name)
    {
        for (final byte b : name)
        {
            if (b <= ' ' || b >= 0x7F || b == '\\' || b == '"' || b == '\'')
            {
                return true;
            }
        }
        return false;
    }

    /** sdscatrepr: printable ASCII as it is, the five C escapes, anything else as \xhh (lower case). */
    static void catRepr(final ByteArrayOutputStream out, final byte[] name)
    {
        out.write('"');
        for (final byte b : name)
        {
            switch (b)
            {
                case '\\', '"' ->
                {
                    out.write('\\');
                    out.write(b);
                }
                case '\n' -> out.writeBytes(new byte[] {'\\', 'n'});
                case '\r' -> out.writeBytes(new byte[] {'\\', 'r'});
                case '\t' -> out.writeBytes(new byte[] {'\\', 't'});
                case 7 -> out.writeBytes(new byte[] {'\\', 'a'});
                case '\b' -> out.writeBytes(new byte[] {'\\', 'b'});
                default ->
                {
                    if (b >= ' ' && b < 0x7F)
                    {
                        out.write(b);
                    }
                    else
                    {
                        out.writeBytes(String.format("\\x%02x", b & 0xFF).getBytes(StandardCharsets.US_ASCII));
                    }
                }
            }
        }
        out.write('"');
    }

    /** C's isspace in the C locale. */
    private static boolean isSpace(final int b)
    {
        return b == ' ' || (b >= '\t' && b <= '\r');
    }

    /**
     * sdssplitargs on a line without NUL: the fields, or null where Redis returns NULL (unbalanced quotes,
     * a closing quote followed by anything but a blank). The end of the line plays the C string's NUL.
     */
    static List<byte[]> splitArgs(final byte[] line)
    {
        final List<byte[]> fields = new ArrayList<>();
        int p = 0;
        while (true)
        {
            while (p < line.length && isSpace(line[p]))
            {
                p++;
            }
            if (p == line.length)
            {
                return fields;
            }
            final ByteArrayOutputStream field = new ByteArrayOutputStream();
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            while (!done)
            {
                final int c = at(line, p);
                if (inDouble)
                {
                    if (c == '\\' && at(line, p + 1) == 'x' && isHex(at(line, p + 2)) && isHex(at(line, p + 3)))
                    {
                        field.write(Character.digit(at(line, p + 2), 16) * 16 + Character.digit(at(line, p + 3), 16));
                        p += 3;
                    }
                    else if (c == '\\' && at(line, p + 1) != 0)
                    {
                        p++;
                        field.write(unescape(at(line, p)));
                    }
                    else if (c == '"')
                    {
                        if (at(line, p + 1) != 0 && !isSpace(at(line, p + 1)))
                        {
                            return null;
                        }
                        done = true;
                    }
                    else if (c == 0)
                    {
                        return null;
                    }
                    else
                    {
                        field.write(c);
                    }
                }
                else if (inSingle)
                {
                    if (c == '\\' && at(line, p + 1) == '\'')
                    {
                        p++;
                        field.write('\'');
                    }
                    else if (c == '\'')
                    {
                        if (at(line, p + 1) != 0 && !isSpace(at(line, p + 1)))
                        {
                            return null;
                        }
                        done = true;
                    }
                    else if (c == 0)
                    {
                        return null;
                    }
                    else
                    {
                        field.write(c);
                    }
                }
                else if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0)
                {
                    done = true;
                }
                else if (c == '"')
                {
                    inDouble = true;
                }
                else if (c == '\'')
                {
                    inSingle = true;
                }
                else
                {
                    field.write(c);
                }
                if (c != 0)
                {
                    p++;
                }
            }
            fields.add(field.toByteArray());
        }
    }

    private static int at(final byte[] line, final int index)
    {
        return index < line.length ? line[index] & 0xFF : 0;
    }

    private static boolean isHex(final int c)
    {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int unescape(final int c)
    {
        return switch (c)
        {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'b' -> '\b';
            case 'a' -> 7;
            default -> c;
        };
    }

    /** A field as C code sees it: up to its first NUL (a \x00 escape cuts it there). */
    static byte[] cString(final byte[] field)
    {
        for (int i = 0; i < field.length; i++)
        {
            if (field[i] == 0)
            {
                final byte[] cut = new byte[i];
                System.arraycopy(field, 0, cut, 0, i);
                return cut;
            }
        }
        return field;
    }

    /** glibc atoll (strtoll base 10): blanks, a sign, digits, the rest ignored; saturates on overflow. */
    static long atoll(final byte[] value)
    {
        int i = 0;
        while (i < value.length && isSpace(value[i]))
        {
            i++;
        }
        boolean negative = false;
        if (i < value.length && (value[i] == '+' || value[i] == '-'))
        {
            negative = value[i] == '-';
            i++;
        }
        long result = 0; // accumulated as a negative number: its range holds Long.MIN_VALUE
        for (; i < value.length && value[i] >= '0' && value[i] <= '9'; i++)
        {
            final int digit = value[i] - '0';
            if (result < (Long.MIN_VALUE + digit) / 10)
            {
                return negative ? Long.MIN_VALUE : Long.MAX_VALUE;
            }
            result = result * 10 - digit;
        }
        if (negative)
        {
            return result;
        }
        return result == Long.MIN_VALUE ? Long.MAX_VALUE : -result;
    }
}
