package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageMemory;
import org.agrona.UnsafeApi;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;
import static io.keelkv.engine.types.ScoreTreeDescriptor.*;

/**
 * A view over one leaf of a {@link ScoreTree} (see {@link ScoreTreeDescriptor}); re-pointed with {@link #wrap},
 * never allocated per use. Reads use the raw address checked at wrap; every write goes through {@link PageMemory}.
 *
 * <p>Trust: leaves are page memory a snapshot file fills. {@link #wrap} checks that the handle starts a block
 * of a leaf's size, the magic, and walks the entries once (their length bytes only) to index where each one
 * starts: every entry must end inside the used bytes, the used bytes inside the block, and the walk must find
 * exactly {@code count} entries, so a damaged leaf throws {@link IllegalStateException} before a byte outside
 * it is read. The index also makes positions O(1) (a binary search by key, a cursor stepping backwards) where
 * variable-length entries would otherwise need a walk from the start. An out-of-line member's handle is
 * checked when its address is asked for.
 */
final class ScoreLeafFlyweight
{
    private final PageMemory memory;
    // offsets[i]: where entry i starts, from the block's start; offsets[count] is the end of the used bytes
    private final int[] offsets = new int[LEAF_MAX_ENTRIES + 2];
    private long handle;
    private long address;
    private int count;

    ScoreLeafFlyweight(final PageMemory memory)
    {
        this.memory = memory;
    }

    /** Point at the leaf {@code handle}, checked; {@code expectedCount} (or -1) is what its parent says it holds. */
    ScoreLeafFlyweight wrap(final long handle, final long expectedCount)
    {
        if (memory.blockCapacityBytes(handle) < LEAF_BYTES)
        {
            throw damaged(handle, "not a block of a leaf's size");
        }
        this.handle = handle;
        this.address = memory.address(handle);
        if (UnsafeApi.getInt(address) != LEAF_MAGIC)
        {
            throw damaged(handle, "no leaf magic");
        }
        final int n = UnsafeApi.getShort(address + LEAF_COUNT_OFFSET) & 0xFFFF;
        final int used = UnsafeApi.getShort(address + LEAF_USED_OFFSET) & 0xFFFF;
        if (n > LEAF_MAX_ENTRIES || used > LEAF_CAPACITY || (expectedCount >= 0 && n != expectedCount))
        {
            throw damaged(handle, n + " entries in " + used + " bytes (parent says " + expectedCount + ")");
        }
        this.count = n;
        reindex(used);
        return this;
    }

    /** Point at a block just allocated for a leaf and write an empty one. */
    ScoreLeafFlyweight init(final long handle, final long prev, final long next)
    {
        this.handle = handle;
        this.address = memory.address(handle);
        memory.putInt(handle, LEAF_MAGIC);
        memory.putInt(handle + LEAF_COUNT_OFFSET, 0);
        memory.putLong(handle + LEAF_PREV_OFFSET, prev);
        memory.putLong(handle + LEAF_NEXT_OFFSET, next);
        this.count = 0;
        offsets[0] = LEAF_ENTRIES_OFFSET;
        return this;
    }

    private void reindex(final int used)
    {
        final int end = LEAF_ENTRIES_OFFSET + used;
        int offset = LEAF_ENTRIES_OFFSET;
        for (int i = 0; i < count; i++)
        {
            offsets[i] = offset;
            if (offset + ENTRY_HEADER > end)
            {
                throw damaged(handle, "entry " + i + " at " + offset + " runs past the used bytes " + end);
            }
            final int code = UnsafeApi.getByte(address + offset + ENTRY_CODE_OFFSET) & 0xFF;
            offset += code == CODE_OUT_OF_LINE ? OUT_OF_LINE_ENTRY : ENTRY_HEADER + code;
            if (offset > end)
            {
                throw damaged(handle, "entry " + i + " runs past the used bytes " + end);
            }
            if (code == CODE_OUT_OF_LINE && UnsafeApi.getInt(address + offsets[i] + ENTRY_OUT_LENGTH_OFFSET) <= INLINE_MAX)
            {
                throw damaged(handle, "entry " + i + " is out of line with a short length");
            }
        }
        if (offset != end)
        {
            throw damaged(handle, count + " entries end at " + offset + ", not at " + end);
        }
        offsets[count] = end;
    }

    static IllegalStateException damaged(final long handle, final String problem)
    {
        return new IllegalStateException("damaged score tree node at 0x" + Long.toHexString(handle) + ": " + problem);
    }

    long handle()
    {
        return handle;
    }

    int count()
    {
        return count;
    }

    /** Bytes of entries. */
    int used()
    {
        return offsets[count] - LEAF_ENTRIES_OFFSET;
    }

    long prev()
    {
        return UnsafeApi.getLong(address + LEAF_PREV_OFFSET);
    }

    long next()
    {
        return UnsafeApi.getLong(address + LEAF_NEXT_OFFSET);
    }

    void prev(final long prev)
    {
        memory.putLong(handle + LEAF_PREV_OFFSET, prev);
    }

    void next(final long next)
    {
        memory.putLong(handle + LEAF_NEXT_OFFSET, next);
    }

    int entrySize(final int i)
    {
        return offsets[i + 1] - offsets[i];
    }

    /** Bytes of entries [from, to). */
    int bytes(final int from, final int to)
    {
        return offsets[to] - offsets[from];
    }

    double score(final int i)
    {
        return UnsafeApi.getDouble(address + offsets[i] + ENTRY_SCORE_OFFSET);
    }

    boolean outOfLine(final int i)
    {
        return (UnsafeApi.getByte(address + offsets[i] + ENTRY_CODE_OFFSET) & 0xFF) == CODE_OUT_OF_LINE;
    }

    int memberLength(final int i)
    {
        final int code = UnsafeApi.getByte(address + offsets[i] + ENTRY_CODE_OFFSET) & 0xFF;
        return code == CODE_OUT_OF_LINE ? UnsafeApi.getInt(address + offsets[i] + ENTRY_OUT_LENGTH_OFFSET) : code;
    }

    long memberHandle(final int i)
    {
        return UnsafeApi.getLong(address + offsets[i] + ENTRY_OUT_HANDLE_OFFSET);
    }

    /** The raw address of entry i's member bytes; an out-of-line block is checked to hold its length. */
    long memberAddress(final int i)
    {
        if (!outOfLine(i))
        {
            return address + offsets[i] + ENTRY_MEMBER_OFFSET;
        }
        final long member = memberHandle(i);
        if (memory.blockCapacityBytes(member) < memberLength(i))
        {
            throw damaged(handle, "entry " + i + "'s member block 0x" + Long.toHexString(member) + " is not of its length");
        }
        return memory.address(member);
    }

    /**
     * Open a gap of {@code size} bytes for a new entry at position {@code i} and write it: the member inline
     * from (base, address), or, when {@code memberBlock} is not null, the block already holding it.
     */
    void insert(final int i, final double score, final Object base, final long memberAddress, final int length,
        final long memberBlock)
    {
        final int size = entryLength(length);
        final int at = offsets[i];
        final int end = offsets[count];
        memory.copy(handle + at + size, handle + at, end - at);
        writeEntry(at, score, base, memberAddress, length, memberBlock);
        setCountAndUsed(count + 1, end + size - LEAF_ENTRIES_OFFSET);
    }

    private void writeEntry(final int at, final double score, final Object base, final long memberAddress,
        final int length, final long memberBlock)
    {
        memory.putLong(handle + at + ENTRY_SCORE_OFFSET, Double.doubleToRawLongBits(score));
        if (memberBlock == NULL_HANDLE)
        {
            memory.putByte(handle + at + ENTRY_CODE_OFFSET, (byte)length);
            memory.putBytes(handle + at + ENTRY_MEMBER_OFFSET, base, memberAddress, length);
        }
        else
        {
            memory.putByte(handle + at + ENTRY_CODE_OFFSET, (byte)CODE_OUT_OF_LINE);
            memory.putInt(handle + at + ENTRY_OUT_LENGTH_OFFSET, length);
            memory.putLong(handle + at + ENTRY_OUT_HANDLE_OFFSET, memberBlock);
        }
    }

    /** Remove entries [from, to) (their out-of-line blocks are the caller's) and close the gap. */
    void remove(final int from, final int to)
    {
        final int start = offsets[from];
        final int gap = offsets[to] - start;
        final int end = offsets[count];
        memory.copy(handle + start, handle + offsets[to], end - offsets[to]);
        setCountAndUsed(count - (to - from), end - gap - LEAF_ENTRIES_OFFSET);
    }

    /** Append entries [from, to) of {@code source} (another leaf) at the end of this one. */
    void append(final ScoreLeafFlyweight source, final int from, final int to)
    {
        final int bytes = source.bytes(from, to);
        final int end = offsets[count];
        memory.copy(handle + end, source.handle + source.offsets[from], bytes);
        setCountAndUsed(count + to - from, end + bytes - LEAF_ENTRIES_OFFSET);
    }

    /** Insert entries [from, to) of {@code source} (another leaf) at the start of this one. */
    void prepend(final ScoreLeafFlyweight source, final int from, final int to)
    {
        final int bytes = source.bytes(from, to);
        final int end = offsets[count];
        memory.copy(handle + LEAF_ENTRIES_OFFSET + bytes, handle + LEAF_ENTRIES_OFFSET, end - LEAF_ENTRIES_OFFSET);
        memory.copy(handle + LEAF_ENTRIES_OFFSET, source.handle + source.offsets[from], bytes);
        setCountAndUsed(count + to - from, end + bytes - LEAF_ENTRIES_OFFSET);
    }

    private void setCountAndUsed(final int newCount, final int used)
    {
        memory.putInt(handle + LEAF_COUNT_OFFSET, (newCount & 0xFFFF) | used << 16);
        this.count = newCount;
        reindex(used);
    }
}
