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
 * <p>Trust: {@link #wrap} checks the block's size, the magic, the level the descent expects, a count of
 * children in [1, {@link ScoreTreeDescriptor#MAX_CHILDREN}], that the children's subtree counts add up to what
 * the parent (or the root) says, and every key's length code. Children are checked when they are wrapped in
 * turn; an out-of-line key's block when its address is asked for.
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
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            final long c = subtreeCount(i);
            final int code = keyCode(i);
            if (c < 1 || (code > KEY_INLINE_MAX && code != CODE_OUT_OF_LINE) ||
                (code == CODE_OUT_OF_LINE && keyLength(i) <= KEY_INLINE_MAX))
            {
                throw damaged(handle, "child " + i + " with count " + c + " and key code " + code);
            }
            sum += c;
        }
        if (expectedCount >= 0 && sum != expectedCount)
        {
            throw damaged(handle, "children hold " + sum + " elements, the parent says " + expectedCount);
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

    int keyLength(final int i)
    {
        final int code = keyCode(i);
        return code == CODE_OUT_OF_LINE ? UnsafeApi.getInt(entry(i) + KEY_OUT_LENGTH_OFFSET) : code;
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

    void subtreeCount(final int i, final long subtreeCount)
    {
        memory.putLong(entryHandle(i) + SUBTREE_COUNT_OFFSET, subtreeCount);
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
        subtreeCount(i, subtreeCount);
        setCount(count + 1);
    }

    /** Remove entries [from, to) and close the gap; out-of-line keys among them are the caller's. */
    void remove(final int from, final int to)
    {
        memory.copy(entryHandle(from), entryHandle(to), (long)(count - to) * INNER_ENTRY);
        setCount(count - (to - from));
    }

    /** Append entries [from, to) of {@code source} at the end of this node. */
    void append(final ScoreInnerFlyweight source, final int from, final int to)
    {
        memory.copy(entryHandle(count), source.entryHandle(from), (long)(to - from) * INNER_ENTRY);
        setCount(count + to - from);
    }

    /** Insert entries [from, to) of {@code source} at the start of this node. */
    void prepend(final ScoreInnerFlyweight source, final int from, final int to)
    {
        final int n = to - from;
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
