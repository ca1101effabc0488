package io.keelkv.engine.types;

import org.agrona.UnsafeApi;

/**
 * A score range or a lex range of a sorted-set command (Redis's zrangespec and zlexrangespec), parsed by the
 * commands and read by {@link ZsetFlyweight}'s range lookups. One reusable instance per command family: the lex
 * bounds reference the command's argument bytes (a heap array and its Unsafe offset), valid for one command.
 *
 * <p>The comparisons are Redis's: zslValueGteMin/zslValueLteMax for scores, and for lex bounds sdscmplex, where
 * "-" sorts before every string and "+" after every string (and each equals itself).
 */
public final class ZsetRange
{
    /** A lex bound's kinds: "-", "+", "[member", "(member". */
    public static final int LEX_MIN = 0;
    public static final int LEX_MAX = 1;
    public static final int LEX_INCLUSIVE = 2;
    public static final int LEX_EXCLUSIVE = 3;

    // score range
    public double min;
    public double max;
    public boolean minExclusive;
    public boolean maxExclusive;

    // lex range
    public int minKind;
    public byte[] minBase;
    public long minAddress;
    public int minLength;
    public int maxKind;
    public byte[] maxBase;
    public long maxAddress;
    public int maxLength;

    public boolean scoreGteMin(final double value)
    {
        return minExclusive ? value > min : value >= min;
    }

    public boolean scoreLteMax(final double value)
    {
        return maxExclusive ? value < max : value <= max;
    }

    /** A score range no element can be in (zslIsInRange's first test). */
    public boolean scoreRangeEmpty()
    {
        return min > max || (min == max && (minExclusive || maxExclusive));
    }

    /** A lex range no member can be in (zslIsInLexRange's first test). */
    public boolean lexRangeEmpty()
    {
        // Redis parses "-" and "+" as exclusive bounds, so "- -" and "+ +" are empty ranges
        final int cmp = compareBounds();
        return cmp > 0 || (cmp == 0 && (minKind != LEX_INCLUSIVE || maxKind != LEX_INCLUSIVE));
    }

    /** zslLexValueGteMin for a member's bytes (base null: a raw address). */
    public boolean lexGteMin(final Object base, final long address, final int length)
    {
        final int cmp = compareToBound(base, address, length, minKind, minBase, minAddress, minLength);
        return minKind == LEX_EXCLUSIVE ? cmp > 0 : cmp >= 0;
    }

    /** zslLexValueLteMax for a member's bytes. */
    public boolean lexLteMax(final Object base, final long address, final int length)
    {
        final int cmp = compareToBound(base, address, length, maxKind, maxBase, maxAddress, maxLength);
        return maxKind == LEX_EXCLUSIVE ? cmp < 0 : cmp <= 0;
    }

    private int compareBounds()
    {
        if (minKind == maxKind && (minKind == LEX_MIN || minKind == LEX_MAX))
        {
            return 0;
        }
        if (minKind == LEX_MIN || maxKind == LEX_MAX)
        {
            return -1;
        }
        if (minKind == LEX_MAX || maxKind == LEX_MIN)
        {
            return 1;
        }
        return compare(minBase, minAddress, minLength, maxBase, maxAddress, maxLength);
    }

    private static int compareToBound(final Object base, final long address, final int length, final int kind,
        final byte[] boundBase, final long boundAddress, final int boundLength)
    {
        if (kind == LEX_MIN)
        {
            return 1;
        }
        if (kind == LEX_MAX)
        {
            return -1;
        }
        return compare(base, address, length, boundBase, boundAddress, boundLength);
    }

    /** sdscmp: unsigned bytes, then the shorter first on a common prefix. */
    public static int compare(final Object aBase, final long aAddress, final int aLength, final Object bBase,
        final long bAddress, final int bLength)
    {
        final int n = Math.min(aLength, bLength);
        for (int i = 0; i < n; i++)
        {
            final int a = UnsafeApi.getByte(aBase, aAddress + i) & 0xFF;
            final int b = UnsafeApi.getByte(bBase, bAddress + i) & 0xFF;
            if (a != b)
            {
                return a - b;
            }
        }
        return Integer.compare(aLength, bLength);
    }
}
