package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageMemory;
import org.agrona.UnsafeApi;

import static io.keelkv.engine.types.ScoreLeafFlyweight.damaged;
import static io.keelkv.engine.types.ScoreTreeDescriptor.*;

/**
 * A view over one inner node of a {@link ScoreTree} (see {@link ScoreTreeDescriptor}); re-pointed with
 * {@link #wrap}, never allocated per use. Reads use the raw address checked at wrap; writes go through
 * {@link PageMemory}.
 *
 * <p>Trust. {@link #wrap} is O(1): the block's size, the magic, the level the descent expects, a count of
 * children in [1, {@link ScoreTreeDescriptor#MAX_CHILDREN}] (so every entry index below it lies in the block),
 * and the node's total against the count its parent (or the root) gives for it. What a descent reads beyond
 * that is checked as it is read: a key's length code when the binary search looks at that key
 * ({@link #keyLength}; log2(85), about 7 keys of a node, instead of all of them), an out-of-line key's block
 * when its address is asked for, the child taken when it is wrapped in turn (its block, its magic and level,
 * its total or a leaf's count against this node's subtree count for it).
 *
 * <p>Why the total and not the sum of the children at each visit: summing reads all 85 entries of every node
 * on the way, which was most of a descent's cost. The total makes the same cross-check O(1), number against
 * number: each count a node gives for a child is compared with what the child says when it is visited, so a
 * damaged count is seen on the first descent through it. The sum of a node's counts is kept equal to its total
 * by construction (every change of a count goes through this view and moves the total with it) and is
 * checked whole by {@link #verify} (the tests' shape walk), not on the way; the other design, checking whole
 * trees when a snapshot loads, would make a load O(elements) where it is O(pages) today and never reads
 * values. A node whose counts do not add up to its total (a damaged file) gives wrong ranks and counts, never
 * an access outside a block: ranks only index children below the checked count, and a seek checks the
 * position it ends at against the leaf's count.
 */
final class ScoreInnerFlyweight
{
    private final PageMemory memory;
    private long handle;
    private long address;
    private int count;

    ScoreInnerFlyweight(final PageMemory memory)
    {
        this.memory = memory;
    }

    /** Point at the inner node {@code handle}, checked; {@code expectedCount} (or -1) is what its parent says it holds. */
    ScoreInnerFlyweight wrap(final long handle, final int level, final long expectedCount)
    {
        if (memory.blockCapacityBytes(handle) < INNER_BYTES)
        {
            throw damaged(handle, "not a block of an inner node's size");
        }
        this.handle = handle;
        this.address = memory.address(handle);
        final int n = UnsafeApi.getShort(address + INNER_COUNT_OFFSET) & 0xFFFF;
        if (UnsafeApi.getInt(address) != INNER_MAGIC || n < 1 || n > MAX_CHILDREN ||
            UnsafeApi.getByte(address + INNER_LEVEL_OFFSET) != level)
        {
            throw damaged(handle, "not an inner node of level " + level + " (" + n + " children)");
        }
        this.count = n;
        if (expectedCount >= 0 && total() != expectedCount)
        {
            throw damaged(handle, "a total of " + total() + " elements, the parent says " + expectedCount);
        }
        return this;
    }

    /**
     * Everything {@link #wrap} does not check of the node itself: every child's count is positive and they
     * add up to the total, every key's length code is valid. O(count): for the tests' shape walk.
     */
    ScoreInnerFlyweight verify()
    {
        long sum = 0;
        for (int i = 0; i < count; i++)
        {
            final long c = subtreeCount(i);
            if (c < 1)
            {
                throw damaged(handle, "child " + i + " with count " + c);
            }
            keyLength(i);
            sum += c;
        }
        if (sum != total())
        {
            throw damaged(handle, "children hold " + sum + " elements, the total says " + total());
        }
        return this;
    }

    /**
     * Point again at a node this operation's descent has already wrapped (checked) and that only this
     * operation has changed since: no second check.
     */
    ScoreInnerFlyweight at(final long handle)
    {
        this.handle = handle;
        this.address = memory.address(handle);
        this.count = UnsafeApi.getShort(address + INNER_COUNT_OFFSET) & 0xFFFF;
        return this;
    }

    /** Point at a block just allocated for an inner node and write an empty one of {@code level}. */
    ScoreInnerFlyweight init(final long handle, final int level)
    {
        this.handle = handle;
        this.address = memory.address(handle);
        memory.putInt(handle, INNER_MAGIC);
        memory.putInt(handle + INNER_COUNT_OFFSET, level << 16);
        memory.putLong(handle + INNER_TOTAL_OFFSET, 0);
        this.count = 0;
        return this;
    }

    long handle()
    {
        return handle;
    }

    int count()
    {
        return count;
    }

    /** Elements under this node, kept with the children's counts. */
    long total()
    {
        return UnsafeApi.getLong(address + INNER_TOTAL_OFFSET);
    }

    private void total(final long total)
    {
        memory.putLong(handle + INNER_TOTAL_OFFSET, total);
    }

    int level()
    {
        return UnsafeApi.getByte(address + INNER_LEVEL_OFFSET);
    }

    private long entry(final int i)
    {
        return address + INNER_ENTRIES_OFFSET + (long)i * INNER_ENTRY;
    }

    private long entryHandle(final int i)
    {
        return handle + INNER_ENTRIES_OFFSET + (long)i * INNER_ENTRY;
    }

    long child(final int i)
    {
        return UnsafeApi.getLong(entry(i) + CHILD_OFFSET);
    }

    long subtreeCount(final int i)
    {
        return UnsafeApi.getLong(entry(i) + SUBTREE_COUNT_OFFSET);
    }

    /** Sum of the subtree counts of children [from, to). */
    long counts(final int from, final int to)
    {
        long sum = 0;
        for (int i = from; i < to; i++)
        {
            sum += subtreeCount(i);
        }
        return sum;
    }

    double keyScore(final int i)
    {
        return UnsafeApi.getDouble(entry(i) + KEY_SCORE_OFFSET);
    }

    int keyCode(final int i)
    {
        return UnsafeApi.getByte(entry(i) + KEY_CODE_OFFSET) & 0xFF;
    }

    /** Key i's member length, its code checked: inline up to 23 bytes, or out of line and longer. */
    int keyLength(final int i)
    {
        final int code = keyCode(i);
        if (code <= KEY_INLINE_MAX)
        {
            return code;
        }
        final int length = UnsafeApi.getInt(entry(i) + KEY_OUT_LENGTH_OFFSET);
        if (code != CODE_OUT_OF_LINE || length <= KEY_INLINE_MAX)
        {
            throw damaged(handle, "key " + i + " with code " + code + " and length " + length);
        }
        return length;
    }

    /** The key's out-of-line block, or 0 when the key is inline. */
    long keyBlock(final int i)
    {
        return keyCode(i) == CODE_OUT_OF_LINE ? UnsafeApi.getLong(entry(i) + KEY_OUT_HANDLE_OFFSET) : 0;
    }

    long keyMemberAddress(final int i)
    {
        if (keyCode(i) != CODE_OUT_OF_LINE)
        {
            return entry(i) + KEY_MEMBER_OFFSET;
        }
        final long block = keyBlock(i);
        if (memory.blockCapacityBytes(block) < keyLength(i))
        {
            throw damaged(handle, "key " + i + "'s block 0x" + Long.toHexString(block) + " is not of its length");
        }
        return memory.address(block);
    }

    void child(final int i, final long child)
    {
        memory.putLong(entryHandle(i) + CHILD_OFFSET, child);
    }

    /** Set child i's count; the total moves with it. */
    void subtreeCount(final int i, final long subtreeCount)
    {
        final long old = subtreeCount(i);
        memory.putLong(entryHandle(i) + SUBTREE_COUNT_OFFSET, subtreeCount);
        total(total() + subtreeCount - old);
    }

    /** Add {@code delta} to child i's count and the total: an element inserted or deleted below child i. */
    void addToSubtree(final int i, final long delta)
    {
        memory.putLong(entryHandle(i) + SUBTREE_COUNT_OFFSET, subtreeCount(i) + delta);
        total(total() + delta);
    }

    /** Make key i empty (score 0, no member): the first child's key, or one whose block moved elsewhere. */
    void clearKey(final int i)
    {
        memory.putLong(entryHandle(i) + KEY_SCORE_OFFSET, 0);
        memory.putByte(entryHandle(i) + KEY_CODE_OFFSET, (byte)0);
    }

    /** Write key i: the first {@code length} bytes of (base, address) inline, or {@code block} when not 0. */
    void key(final int i, final double score, final Object base, final long memberAddress, final int length,
        final long block)
    {
        final long at = entryHandle(i);
        memory.putLong(at + KEY_SCORE_OFFSET, Double.doubleToRawLongBits(score));
        if (block == 0)
        {
            memory.putByte(at + KEY_CODE_OFFSET, (byte)length);
            memory.putBytes(at + KEY_MEMBER_OFFSET, base, memberAddress, length);
        }
        else
        {
            memory.putByte(at + KEY_CODE_OFFSET, (byte)CODE_OUT_OF_LINE);
            memory.putInt(at + KEY_OUT_LENGTH_OFFSET, length);
            memory.putLong(at + KEY_OUT_HANDLE_OFFSET, block);
        }
    }

    /** Copy key {@code from} of {@code source} (raw 32 bytes: a block moves with it) into key i of this node. */
    void copyKey(final int i, final ScoreInnerFlyweight source, final int from)
    {
        memory.copy(entryHandle(i) + KEY_OFFSET, source.entryHandle(from) + KEY_OFFSET, KEY_BYTES);
    }

    /** Open a gap of one entry at i (entries i.. move right) and write the child there, key left to the caller. */
    void insert(final int i, final long child, final long subtreeCount)
    {
        memory.copy(entryHandle(i + 1), entryHandle(i), (long)(count - i) * INNER_ENTRY);
        child(i, child);
        memory.putLong(entryHandle(i) + SUBTREE_COUNT_OFFSET, subtreeCount);
        total(total() + subtreeCount);
        setCount(count + 1);
    }

    /** Remove entries [from, to) and close the gap; out-of-line keys among them are the caller's. */
    void remove(final int from, final int to)
    {
        total(total() - counts(from, to));
        memory.copy(entryHandle(from), entryHandle(to), (long)(count - to) * INNER_ENTRY);
        setCount(count - (to - from));
    }

    /** Append entries [from, to) of {@code source} at the end of this node. */
    void append(final ScoreInnerFlyweight source, final int from, final int to)
    {
        total(total() + source.counts(from, to));
        memory.copy(entryHandle(count), source.entryHandle(from), (long)(to - from) * INNER_ENTRY);
        setCount(count + to - from);
    }

    /** Insert entries [from, to) of {@code source} at the start of this node. */
    void prepend(final ScoreInnerFlyweight source, final int from, final int to)
    {
        final int n = to - from;
        total(total() + source.counts(from, to));
        memory.copy(entryHandle(n), entryHandle(0), (long)count * INNER_ENTRY);
        memory.copy(entryHandle(0), source.entryHandle(from), (long)n * INNER_ENTRY);
        setCount(count + n);
    }

    private void setCount(final int newCount)
    {
        memory.putByte(handle + INNER_COUNT_OFFSET, (byte)newCount);
        memory.putByte(handle + INNER_COUNT_OFFSET + 1, (byte)(newCount >>> 8));
        this.count = newCount;
    }
}
