package io.keelkv.engine.command;

import io.keelkv.engine.text.AsciiNumbers;
import io.keelkv.engine.types.HashFlyweight;
import org.agrona.UnsafeApi;

/**
 * SORT's vector (redisSortObject[] in sort.c) as primitive arrays reused across commands: per element its
 * page-memory address and length (or its integer value, length {@link #INTEGER}), its numeric weight or its
 * ALPHA BY weight (address and length, {@link #MISSING} when the BY key is missing), and the sorted order. Arrays
 * grown past {@link #KEEP_ELEMENTS} are dropped after the command, so one huge sort does not pin the heap.
 *
 * <p>Comparisons as Redis's sortCompare: numeric weights with ties broken by the elements' bytes (memcmp);
 * ALPHA compares as strcoll in the C locale (bytes up to the first NUL) without STORE and as memcmp with it. A
 * stable merge sort stands for glibc's qsort (a merge sort: Redis's ties keep their input order); Redis uses an
 * unstable partial quicksort for BY with LIMIT, where ALPHA ties may come out in another order.
 */
final class SortVector
{
    /** A length marking an integer-encoded value (its value in the address slot). */
    static final int INTEGER = -1;
    /** A length marking a missing weight (ALPHA BY of a missing key). */
    static final int MISSING = -2;
    private static final int KEEP_ELEMENTS = 1 << 16;
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    private final byte[] digitsA = new byte[24];
    private final byte[] digitsB = new byte[24];
    long[] elemAddress = new long[16];
    int[] elemLength = new int[16];
    /** ALPHA BY weights' addresses, or numeric weights' bits (a command uses one or the other). */
    long[] cmpAddress = new long[16];
    int[] cmpLength = new int[16];
    int[] order = new int[16];
    private int[] merge = new int[16];

    /** The comparison's mode for the running command. */
    boolean desc;
    boolean alpha;
    boolean byPattern;
    boolean storing;

    /** After a command: drop arrays grown past {@link #KEEP_ELEMENTS}. */
    void release()
    {
        if (elemAddress.length > KEEP_ELEMENTS)
        {
            elemAddress = new long[16];
            elemLength = new int[16];
            cmpAddress = new long[16];
            cmpLength = new int[16];
            order = new int[16];
            merge = new int[16];
        }
    }

    void ensure(final int n)
    {
        if (elemAddress.length < n)
        {
            final int size = (int)Math.max(n, Math.min(Integer.MAX_VALUE - 8, elemAddress.length * 2L));
            elemAddress = new long[size];
            elemLength = new int[size];
            cmpAddress = new long[size];
            cmpLength = new int[size];
            order = new int[size];
            merge = new int[size];
        }
    }

    double score(final int j)
    {
        return Double.longBitsToDouble(cmpAddress[j]);
    }

    void score(final int j, final double value)
    {
        cmpAddress[j] = Double.doubleToRawLongBits(value);
    }

    void keep(final int j, final boolean integer, final long value, final long address, final int length)
    {
        elemAddress[j] = integer ? value : address;
        elemLength[j] = integer ? INTEGER : length;
    }

    /**
     * A weight as Redis reads it with strtod: the text up to its first NUL (an empty one is 0), leading white
     * space skipped, all of the rest a number in a double's range. NaN when it is not one.
     */
    static double weight(final long address, final int length)
    {
        int end = 0;
        while (end < length && UnsafeApi.getByte(null, address + end) != 0)
        {
            end++;
        }
        if (end == 0)
        {
            return 0;
        }
        int start = 0;
        while (start < end && isSpace(UnsafeApi.getByte(null, address + start)))
        {
            start++;
        }
        if (start == end)
        {
            return Double.NaN;
        }
        final double value = AsciiNumbers.parseDouble(null, address + start, end - start);
        if (value != 0 && Math.abs(value) < Double.MIN_NORMAL && !exactDecimal(address + start, end - start, value))
        {
            return Double.NaN; // glibc's strtod sets ERANGE for an inexact subnormal result (1e-310)
        }
        return value;
    }

    /** Whether a subnormal value is the decimal text exactly (a hex float is taken as exact). Rare: allocates. */
    private static boolean exactDecimal(final long address, final int length, final double value)
    {
        final byte[] text = new byte[length];
        UnsafeApi.copyMemory(null, address, text, BYTE_BASE, length);
        final String s = new String(text, java.nio.charset.StandardCharsets.ISO_8859_1);
        if (s.indexOf('x') >= 0 || s.indexOf('X') >= 0)
        {
            return true;
        }
        try
        {
            return new java.math.BigDecimal(s).compareTo(new java.math.BigDecimal(value)) == 0;
        }
        catch (final NumberFormatException e)
        {
            return true;
        }
    }

    private static boolean isSpace(final byte b)
    {
        return b == ' ' || b == '\t' || b == '\n' || b == '\u000b' || b == '\f' || b == '\r';
    }

    /** order[0, n) as loaded, then sorted by the mode when {@code sort}. */
    void order(final int n, final boolean sort)
    {
        for (int j = 0; j < n; j++)
        {
            order[j] = j;
        }
        if (sort)
        {
            mergeSort(0, n);
        }
    }

    /** A stable top-down merge sort of order[from, to) (glibc's qsort is a merge sort: ties keep their order). */
    private void mergeSort(final int from, final int to)
    {
        if (to - from < 2)
        {
            return;
        }
        if (to - from <= 8)
        {
            for (int i = from + 1; i < to; i++)
            {
                final int v = order[i];
                int k = i - 1;
                while (k >= from && compare(order[k], v) > 0)
                {
                    order[k + 1] = order[k];
                    k--;
                }
                order[k + 1] = v;
            }
            return;
        }
        final int mid = (from + to) >>> 1;
        mergeSort(from, mid);
        mergeSort(mid, to);
        if (compare(order[mid - 1], order[mid]) <= 0)
        {
            return;
        }
        System.arraycopy(order, from, merge, from, to - from);
        int a = from;
        int b = mid;
        for (int k = from; k < to; k++)
        {
            if (b >= to || (a < mid && compare(merge[a], merge[b]) <= 0))
            {
                order[k] = merge[a++];
            }
            else
            {
                order[k] = merge[b++];
            }
        }
    }

    /** sortCompare. */
    private int compare(final int x, final int y)
    {
        int cmp;
        if (!alpha)
        {
            cmp = Double.compare(score(x), score(y));
            if (score(x) == score(y))
            {
                cmp = compareBytes(elemAddress[x], elemLength[x], elemAddress[y], elemLength[y], false);
            }
        }
        else if (byPattern)
        {
            if (cmpLength[x] == MISSING || cmpLength[y] == MISSING)
            {
                cmp = cmpLength[x] == cmpLength[y] ? 0 : cmpLength[x] == MISSING ? -1 : 1;
            }
            else
            {
                cmp = compareBytes(cmpAddress[x], cmpLength[x], cmpAddress[y], cmpLength[y], !storing);
            }
        }
        else
        {
            cmp = compareBytes(elemAddress[x], elemLength[x], elemAddress[y], elemLength[y], !storing);
        }
        return desc ? -cmp : cmp;
    }

    /**
     * memcmp then length (compareStringObjects), or with {@code cString} strcmp, which stops at the first NUL
     * (strcoll in the C locale). Integer-encoded values compare as their decimal text.
     */
    private int compareBytes(final long a, final int aLength, final long b, final int bLength, final boolean cString)
    {
        final Object aBase = aLength == INTEGER ? digitsA : null;
        final long aAddress = aLength == INTEGER ? BYTE_BASE : a;
        final int la = aLength == INTEGER ? HashFlyweight.formatLong(a, digitsA) : aLength;
        final Object bBase = bLength == INTEGER ? digitsB : null;
        final long bAddress = bLength == INTEGER ? BYTE_BASE : b;
        final int lb = bLength == INTEGER ? HashFlyweight.formatLong(b, digitsB) : bLength;
        final int min = Math.min(la, lb);
        for (int i = 0; i < min; i++)
        {
            final int ca = UnsafeApi.getByte(aBase, aAddress + i) & 0xFF;
            final int cb = UnsafeApi.getByte(bBase, bAddress + i) & 0xFF;
            if (ca != cb)
            {
                return ca < cb ? -1 : 1;
            }
            if (cString && ca == 0)
            {
                return 0;
            }
        }
        if (la == lb)
        {
            return 0;
        }
        if (cString)
        {
            // the shorter ends where the longer has a NUL: equal as C strings
            final int next = la < lb ? UnsafeApi.getByte(bBase, bAddress + min) : UnsafeApi.getByte(aBase, aAddress + min);
            if (next == 0)
            {
                return 0;
            }
        }
        return la < lb ? -1 : 1;
    }
}
