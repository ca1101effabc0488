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
 * ALPHA compares as strcoll in the C locale (bytes up to the first NUL) without STORE and as memcmp with it.
 *
 * <p>The order of ties. Only ALPHA BY has ties a client can see (equal weights, or missing ones, of different
 * elements), and they come out in whatever order Redis's sort leaves them, so both of its sorts are followed
 * step by step: a stable merge sort for glibc's qsort (a merge sort: ties keep their input order), and, for BY
 * with a LIMIT that is not the whole vector, the partial quicksort of Redis's pqsort.c (NetBSD's qsort, which
 * leaves alone the partitions wholly outside the range asked for): the same pivots, swaps and insertion sorts,
 * so that the same ties land in the same places.
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
    /** The partial quicksort's pending partitions, (first, count) pairs: no recursion, so no depth limit. */
    private int[] partitions = new int[32];

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
        if (partitions.length > KEEP_ELEMENTS)
        {
            partitions = new int[32];
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

    /**
     * order[0, n) as loaded, then sorted by the mode when {@code sort}: entirely, or, when {@link #byPattern}
     * and [{@code start}, {@code end}] (the LIMIT, clamped as sort.c clamps it) is not all of it, by Redis's
     * partial quicksort, which orders at least that range.
     */
    void order(final int n, final boolean sort, final long start, final long end)
    {
        for (int j = 0; j < n; j++)
        {
            order[j] = j;
        }
        if (!sort)
        {
            return;
        }
        if (byPattern && (start != 0 || end != n - 1))
        {
            partialQuickSort(n, start, end);
        }
        else
        {
            mergeSort(0, n);
        }
    }

    /**
     * pqsort(vector, n, ..., start, end) of Redis's pqsort.c, on order[0, n): Bentley and McIlroy's quicksort as
     * NetBSD's qsort has it (insertion sort below 7 elements; the pivot the median of three, of three medians
     * past 40; elements equal to the pivot gathered at both ends and swapped into the middle), where a partition
     * whose elements all lie before {@code start} or all after {@code end} is not sorted further. The same
     * comparisons in the same order give the same places to ties. Checked against redis-server 7.0.15, whose
     * ties show that it does not switch to an insertion sort after a pass that swapped nothing (the source
     * read has that switch; the build that runs does not behave so): with weights e3=w2 and the other six of
     * e0..e6 missing, LIMIT 0 6 gives e6 e1 e2 e0 e4 e5, the pivot swapped to the end.
     */
    private void partialQuickSort(final int n, final long start, final long end)
    {
        int pending = 0;
        partitions[pending++] = 0;
        partitions[pending++] = n;
        while (pending > 0)
        {
            final int count = partitions[--pending];
            final int first = partitions[--pending];
            pending = partition(first, count, start, end, pending);
        }
    }

    /** One pass of _pqsort over order[first, first + count); pushes what is left to sort. @return pending. */
    private int partition(final int first, final int count, final long start, final long end, final int pending)
    {
        if (count < 7)
        {
            insertionSort(first, count);
            return pending;
        }
        int pm = first + count / 2;
        if (count > 7)
        {
            int pl = first;
            int pn = first + count - 1;
            if (count > 40)
            {
                final int d = count / 8;
                pl = median3(pl, pl + d, pl + 2 * d);
                pm = median3(pm - d, pm, pm + d);
                pn = median3(pn - 2 * d, pn - d, pn);
            }
            pm = median3(pl, pm, pn);
        }
        swap(first, pm);
        int pa = first + 1;
        int pb = pa;
        int pc = first + count - 1;
        int pd = pc;
        for (;;)
        {
            int r;
            while (pb <= pc && (r = compare(order[pb], order[first])) <= 0)
            {
                if (r == 0)
                {
                    swap(pa, pb);
                    pa++;
                }
                pb++;
            }
            while (pb <= pc && (r = compare(order[pc], order[first])) >= 0)
            {
                if (r == 0)
                {
                    swap(pc, pd);
                    pd--;
                }
                pc--;
            }
            if (pb > pc)
            {
                break;
            }
            swap(pb, pc);
            pb++;
            pc--;
        }
        // no switch to an insertion sort of the whole partition when the pass swapped nothing (NetBSD's
        // swap_cnt): redis-server 7.0.15 does not take it (its ties show it), so neither is it taken here
        final int pn = first + count;
        int r = Math.min(pa - first, pb - pa);
        swapRanges(first, pb - r, r);
        r = Math.min(pd - pc, pn - pd - 1);
        swapRanges(pb, pn - r, r);
        int stack = pending;
        r = pb - pa;
        if (r > 1 && overlaps(first, r, start, end))
        {
            stack = push(stack, first, r);
        }
        r = pd - pc;
        if (r > 1 && overlaps(pn - r, r, start, end))
        {
            stack = push(stack, pn - r, r);
        }
        return stack;
    }

    /** Whether order[first, first + count) holds part of [start, end] (pqsort.c's range test, in elements). */
    private static boolean overlaps(final int first, final int count, final long start, final long end)
    {
        return !(start < first && end < first || start >= first + count && end >= first + count);
    }

    private int push(final int pending, final int first, final int count)
    {
        if (pending + 2 > partitions.length)
        {
            partitions = java.util.Arrays.copyOf(partitions, partitions.length * 2);
        }
        partitions[pending] = first;
        partitions[pending + 1] = count;
        return pending + 2;
    }

    /** pqsort.c's insertion sort: each element swapped down while its left neighbour compares greater. */
    private void insertionSort(final int first, final int count)
    {
        for (int pm = first + 1; pm < first + count; pm++)
        {
            for (int pl = pm; pl > first && compare(order[pl - 1], order[pl]) > 0; pl--)
            {
                swap(pl, pl - 1);
            }
        }
    }

    /** pqsort.c's med3: the position of the median of three, by its exact sequence of comparisons. */
    private int median3(final int a, final int b, final int c)
    {
        if (compare(order[a], order[b]) < 0)
        {
            return compare(order[b], order[c]) < 0 ? b : compare(order[a], order[c]) < 0 ? c : a;
        }
        return compare(order[b], order[c]) > 0 ? b : compare(order[a], order[c]) < 0 ? a : c;
    }

    private void swap(final int i, final int j)
    {
        final int t = order[i];
        order[i] = order[j];
        order[j] = t;
    }

    /** pqsort.c's vecswap: order[a + i] with order[b + i], for i below {@code count}. */
    private void swapRanges(final int a, final int b, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            swap(a + i, b + i);
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
