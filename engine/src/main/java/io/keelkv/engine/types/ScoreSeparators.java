package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageMemory;
import org.agrona.UnsafeApi;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;
import static io.keelkv.engine.types.ScoreTreeDescriptor.*;

/**
 * Where a run of leaf entries is cut in two leaves, and the separator key the parent gets for the cut (see the
 * descriptor's "Separators"), for a {@link ScoreTree}'s splits and shares. Package-private.
 *
 * <p>The run is virtual: one full leaf with a new entry at a position (a split), or two neighbour leaves (a
 * share on delete). The cut is the one nearest the middle of the bytes whose separator fits inline, within
 * {@link #WINDOW} entries of it, each side within a leaf and at least a quarter full (bytes of entries and
 * their slots); failing that, the middle,
 * with its separator in a block of its own. The separator is the right side's first score and the shortest
 * prefix of its member that is above the left side's last element: nothing when the scores differ, one byte
 * past the common prefix when they are equal. {@link #capture} keeps it (inline in a heap scratch, or in a new
 * block) before any entry moves, since it is read from the entries themselves.
 */
final class ScoreSeparators
{
    /** Cuts tried on each side of the middle in search of a separator that fits inline. */
    static final int WINDOW = 24;
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    private final PageMemory memory;
    private ScoreLeafFlyweight first;
    private ScoreLeafFlyweight second;
    private boolean isSplit;
    private int newPos;
    private double newScore;
    private Object newBase;
    private long newAddress;
    private int newLength;
    private final int[] prefix = new int[2 * LEAF_MAX_ENTRIES + 4];

    private double leftScore;
    private Object leftBase;
    private long leftAddress;
    private int leftLength;
    private double rightScore;
    private Object rightBase;
    private long rightAddress;
    private int rightLength;

    private double sepScore;
    private int sepLength;
    private long sepBlock;
    private final byte[] sepBytes = new byte[KEY_INLINE_MAX];

    ScoreSeparators(final PageMemory memory)
    {
        this.memory = memory;
    }

    /**
     * The cut of a full leaf with the new entry (score, member) at {@code pos}: a boundary b of the run of
     * count + 1 entries (the left leaf keeps [0, b)). {@code append}: the new last entry goes alone to the right.
     */
    int chooseForSplit(final ScoreLeafFlyweight leaf, final int pos, final boolean append, final double score,
        final Object base, final long address, final int length)
    {
        first = leaf;
        second = null;
        isSplit = true;
        newPos = pos;
        newScore = score;
        newBase = base;
        newAddress = address;
        newLength = length;
        return choose(leaf.count() + 1, append);
    }

    /** The cut of two neighbour leaves' entries, taken as one run. */
    int chooseForPair(final ScoreLeafFlyweight left, final ScoreLeafFlyweight right)
    {
        first = left;
        second = right;
        isSplit = false;
        newBase = null;
        return choose(left.count() + right.count(), false);
    }

    /** Bytes entry v of the run takes in a leaf, its slot included. */
    private int entrySpace(final int v)
    {
        if (isSplit)
        {
            return v < newPos ? first.entrySpace(v) : v == newPos ? ScoreTreeDescriptor.entrySpace(newLength) :
                first.entrySpace(v - 1);
        }
        return v < first.count() ? first.entrySpace(v) : second.entrySpace(v - first.count());
    }

    /** Load entry v of the run into the left or the right key. */
    private void load(final int v, final boolean right)
    {
        if (isSplit && v == newPos)
        {
            setKey(right, newScore, newBase, newAddress, newLength);
            return;
        }
        final ScoreLeafFlyweight l;
        final int i;
        if (isSplit)
        {
            l = first;
            i = v < newPos ? v : v - 1;
        }
        else
        {
            l = v < first.count() ? first : second;
            i = v < first.count() ? v : v - first.count();
        }
        setKey(right, l.score(i), null, l.memberAddress(i), l.memberLength(i));
    }

    private void setKey(final boolean right, final double score, final Object base, final long address, final int length)
    {
        if (right)
        {
            rightScore = score;
            rightBase = base;
            rightAddress = address;
            rightLength = length;
        }
        else
        {
            leftScore = score;
            leftBase = base;
            leftAddress = address;
            leftLength = length;
        }
    }

    /** Length of the shortest key separating entries b - 1 and b of the run (loads both). */
    private int separatorLength(final int b)
    {
        load(b - 1, false);
        load(b, true);
        if (leftScore < rightScore)
        {
            return 0;
        }
        return ScoreOrder.commonPrefix(leftBase, leftAddress, leftLength, rightBase, rightAddress, rightLength) + 1;
    }

    private int choose(final int n, final boolean append)
    {
        // a block captured before belongs to the key it was written to: never released from here
        sepBlock = NULL_HANDLE;
        prefix[0] = 0;
        for (int v = 0; v < n; v++)
        {
            prefix[v + 1] = prefix[v] + entrySpace(v);
        }
        if (append)
        {
            sepLength = separatorLength(n - 1);
            return n - 1;
        }
        final int total = prefix[n];
        int middle = 1;
        while (middle < n - 1 && prefix[middle] < total / 2)
        {
            middle++;
        }
        for (int step = 0; step <= 2 * WINDOW; step++)
        {
            final int b = middle + ((step & 1) == 0 ? step / 2 : -(step + 1) / 2);
            if (b < 1 || b > n - 1 || prefix[b] > LEAF_CAPACITY || total - prefix[b] > LEAF_CAPACITY ||
                (step > 0 && (prefix[b] < LEAF_MIN_USED || total - prefix[b] < LEAF_MIN_USED)))
            {
                continue;
            }
            final int length = separatorLength(b);
            if (length <= KEY_INLINE_MAX)
            {
                sepLength = length;
                return b;
            }
        }
        sepLength = separatorLength(middle);
        return middle;
    }

    /**
     * Keep the separator of the cut just chosen before entries move: inline in a heap scratch, or in a block of
     * its own. @return false when that block cannot be had (nothing is kept then).
     */
    boolean capture()
    {
        sepScore = rightScore;
        sepBlock = NULL_HANDLE;
        if (sepLength <= KEY_INLINE_MAX)
        {
            UnsafeApi.copyMemory(rightBase, rightAddress, sepBytes, BYTE_BASE, sepLength);
            return true;
        }
        sepBlock = memory.allocate(sepLength, false);
        if (sepBlock == NULL_HANDLE)
        {
            return false;
        }
        memory.putBytes(sepBlock, rightBase, rightAddress, sepLength);
        return true;
    }

    /** Bytes of the captured separator's block, 0 when it is inline. */
    long blockBytes()
    {
        return sepBlock == NULL_HANDLE ? 0 : memory.blockBytes(sepLength);
    }

    /** Give back the captured separator's block, when an insert cannot go on. */
    void release()
    {
        if (sepBlock != NULL_HANDLE)
        {
            memory.free(sepBlock, sepLength);
            sepBlock = NULL_HANDLE;
        }
    }

    /** Write the captured separator as key i of {@code dst}, which then owns its block if it has one. */
    void write(final ScoreInnerFlyweight dst, final int i)
    {
        if (sepBlock == NULL_HANDLE)
        {
            dst.key(i, sepScore, sepBytes, BYTE_BASE, sepLength, 0);
        }
        else
        {
            dst.key(i, sepScore, null, 0, sepLength, sepBlock);
        }
    }
}
