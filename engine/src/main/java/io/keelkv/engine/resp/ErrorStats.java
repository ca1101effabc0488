package io.keelkv.engine.resp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Error replies counted by their code, the first word of the error ("ERR", "WRONGTYPE", "NOAUTH" ...), as
 * Redis's INFO errorstats ({@code errorstat_ERR:count=3}) and {@code total_error_replies}.
 *
 * <p>One instance per engine, shared by every {@link RespWriter} of its clients; only the thread that owns
 * the keyspace writes replies, so plain fields suffice (INFO runs on the same thread).
 *
 * <p>Counting allocates nothing once a code has been seen: codes live in a small array searched linearly
 * (there are a handful in practice). As Redis (ERROR_STATS_NUMBER), at most {@link #MAX_CODES} distinct
 * codes are tracked, so that a client inventing codes (a script's error_reply, later) cannot grow it
 * without bound; errors past that limit still count in the total.
 */
public final class ErrorStats
{
    /** Redis's ERROR_STATS_NUMBER. */
    public static final int MAX_CODES = 128;

    private byte[][] codes = new byte[8][];
    private long[] counts = new long[8];
    private int size;
    private long total;

    /** Count an error whose text (without the leading '-') is {@code message}. */
    public void count(final CharSequence message, final int from, final int to)
    {
        total++;
        int end = from;
        while (end < to && message.charAt(end) != ' ')
        {
            end++;
        }
        final int length = end - from;
        for (int i = 0; i < size; i++)
        {
            final byte[] code = codes[i];
            if (code.length == length && sameChars(code, message, from))
            {
                counts[i]++;
                return;
            }
        }
        final byte[] code = new byte[length];
        for (int i = 0; i < length; i++)
        {
            code[i] = (byte)message.charAt(from + i);
        }
        add(code);
    }

    /** Count a pre-encoded error line: {@code line[0]} is '-', the code runs to the first space or CR. */
    public void count(final byte[] line)
    {
        total++;
        int end = 1;
        while (end < line.length && line[end] != ' ' && line[end] != '\r')
        {
            end++;
        }
        final int length = end - 1;
        for (int i = 0; i < size; i++)
        {
            final byte[] code = codes[i];
            if (code.length == length && Arrays.equals(code, 0, length, line, 1, end))
            {
                counts[i]++;
                return;
            }
        }
        add(Arrays.copyOfRange(line, 1, end));
    }

    private static boolean sameChars(final byte[] code, final CharSequence message, final int from)
    {
        for (int i = 0; i < code.length; i++)
        {
            if ((code[i] & 0xFF) != message.charAt(from + i))
            {
                return false;
            }
        }
        return true;
    }

    private void add(final byte[] code)
    {
        if (size == MAX_CODES)
        {
            return;
        }
        if (size == codes.length)
        {
            codes = Arrays.copyOf(codes, size * 2);
            counts = Arrays.copyOf(counts, size * 2);
        }
        codes[size] = code;
        counts[size] = 1;
        size++;
    }

    /** Every error reply since start or the last {@link #reset()}: INFO's total_error_replies. */
    public long total()
    {
        return total;
    }

    /** Number of distinct codes tracked. */
    public int size()
    {
        return size;
    }

    /** The i-th code, in first-seen order. */
    public String code(final int i)
    {
        return new String(codes[i], StandardCharsets.ISO_8859_1);
    }

    /** The count of the i-th code. */
    public long count(final int i)
    {
        return counts[i];
    }

    /** CONFIG RESETSTAT. */
    public void reset()
    {
        Arrays.fill(codes, 0, size, null);
        Arrays.fill(counts, 0, size, 0);
        size = 0;
        total = 0;
    }
}
