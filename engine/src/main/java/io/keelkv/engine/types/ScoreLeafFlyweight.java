package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageMemory;
import org.agrona.UnsafeApi;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;
import static io.keelkv.engine.types.ScoreTreeDescriptor.*;

/**
 * A view over one leaf of a {@link ScoreTree} (see {@link ScoreTreeDescriptor}); re-pointed with {@link #wrap},
 * never allocated per use. Reads use the raw address checked at wrap; every write goes through {@link PageMemory}.
 *
 * <p>Trust: leaves are page memory a snapshot file fills. {@link #wrap} is O(1): the handle starts a block of a
 * leaf's size, the magic, a count within {@link ScoreTreeDescriptor#LEAF_MAX_ENTRIES}, and the used bytes and
 * the count's slots together within the block, so the entries' area and the slot directory cannot overlap or
 * leave the block. Each entry is checked when it is reached through its slot ({@link #offset}): the slot points
 * into the used bytes, and the entry's header and whole length (from its own code) end inside them; an
 * out-of-line entry has a long length, and its member block is checked when its address is asked for. So any
 * read is inside the block whatever the slots say, and a search reads only the log2(count) entries it visits,
 * not every entry of the leaf. What is not checked on the way is that the slots are in order and the entries
 * packed: damage there gives wrong answers (an entry found in the wrong place), never a read or write outside
 * the leaf; the changes ({@link #insert}, {@link #remove}, {@link #append}, {@link #prepend}) check that the
 * bytes they move stay inside the used bytes and the block. {@link #verify} checks everything (the tests'
 * shape walk).
 */
final class ScoreLeafFlyweight
{
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    private final PageMemory memory;
    // new slot values staged in block order (the highest slot first), then written with one putBytes
    private final byte[] slots = new byte[LEAF_SLOT_BYTES * (LEAF_MAX_ENTRIES + 1)];
    private long handle;
    private long address;
    private int count;
    // where the entries end, from the block's start: LEAF_ENTRIES_OFFSET + used
    private int end;

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
        if (n > LEAF_MAX_ENTRIES || used + LEAF_SLOT_BYTES * n > LEAF_CAPACITY || used < ENTRY_HEADER * n ||
            (n == 0 && used != 0) || (expectedCount >= 0 && n != expectedCount))
        {
            throw damaged(handle, n + " entries in " + used + " bytes (parent says " + expectedCount + ")");
        }
        this.count = n;
        this.end = LEAF_ENTRIES_OFFSET + used;
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
        this.end = LEAF_ENTRIES_OFFSET;
        return this;
    }

    static IllegalStateException damaged(final long handle, final String problem)
    {
        return new IllegalStateException("damaged score tree node at 0x" + Long.toHexString(handle) + ": " + problem);
    }

    /** Slot i as it is in the block, unchecked. */
    private int slot(final int i)
    {
        return UnsafeApi.getShort(address + leafSlotOffset(i)) & 0xFFFF;
    }

    /**
     * Where entry i (0 &lt;= i &lt; count) starts, from the block's start, checked: its header and its whole length
     * lie inside the used bytes, and an out-of-line entry's length is a long one.
     */
    int offset(final int i)
    {
        final int at = slot(i);
        if (at < LEAF_ENTRIES_OFFSET || at > end - ENTRY_HEADER)
        {
            throw damaged(handle, "slot " + i + " points at " + at + ", outside the entries [24, " + end + ")");
        }
        final int code = UnsafeApi.getByte(address + at + ENTRY_CODE_OFFSET) & 0xFF;
        if (code != CODE_OUT_OF_LINE)
        {
            if (at + ENTRY_HEADER + code > end)
            {
                throw damaged(handle, "entry " + i + " at " + at + " runs past the used bytes " + end);
            }
        }
        else if (at + OUT_OF_LINE_ENTRY > end || UnsafeApi.getInt(address + at + ENTRY_OUT_LENGTH_OFFSET) <= INLINE_MAX)
        {
            throw damaged(handle, "out-of-line entry " + i + " at " + at + " runs past " + end + " or is short");
        }
        return at;
    }

    /** Where entry i starts, or the end of the entries for i == count: a bound of a run of entries. */
    private int runStart(final int i)
    {
        return i < count ? offset(i) : end;
    }

    /**
     * Everything {@link #wrap} and {@link #offset} do not check: the slots in order and the entries packed from
     * the header to the used bytes' end. O(count): for the tests' shape walk.
     */
    ScoreLeafFlyweight verify()
    {
        int expected = LEAF_ENTRIES_OFFSET;
        for (int i = 0; i < count; i++)
        {
            final int at = offset(i);
            if (at != expected)
            {
                throw damaged(handle, "entry " + i + " at " + at + ", not right after the one before (" + expected + ")");
            }
            expected += sizeAt(at);
        }
        if (expected != end)
        {
            throw damaged(handle, count + " entries end at " + expected + ", not at " + end);
        }
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

    /** Bytes taken: the entries and their slots (what {@link ScoreTreeDescriptor#LEAF_CAPACITY} bounds). */
    int space()
    {
        return end - LEAF_ENTRIES_OFFSET + LEAF_SLOT_BYTES * count;
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

    /** Bytes entry i takes with its slot. */
    int entrySpace(final int i)
    {
        return sizeAt(offset(i)) + LEAF_SLOT_BYTES;
    }

    // by offset: an offset from offset(i), so checked

    private int sizeAt(final int at)
    {
        final int code = UnsafeApi.getByte(address + at + ENTRY_CODE_OFFSET) & 0xFF;
        return code == CODE_OUT_OF_LINE ? OUT_OF_LINE_ENTRY : ENTRY_HEADER + code;
    }

    double scoreAt(final int at)
    {
        return UnsafeApi.getDouble(address + at + ENTRY_SCORE_OFFSET);
    }

    boolean outOfLineAt(final int at)
    {
        return (UnsafeApi.getByte(address + at + ENTRY_CODE_OFFSET) & 0xFF) == CODE_OUT_OF_LINE;
    }

    int memberLengthAt(final int at)
    {
        final int code = UnsafeApi.getByte(address + at + ENTRY_CODE_OFFSET) & 0xFF;
        return code == CODE_OUT_OF_LINE ? UnsafeApi.getInt(address + at + ENTRY_OUT_LENGTH_OFFSET) : code;
    }

    /** The raw address of the member bytes of the entry at {@code at}; an out-of-line block is checked to hold its length. */
    long memberAddressAt(final int at)
    {
        if (!outOfLineAt(at))
        {
            return address + at + ENTRY_MEMBER_OFFSET;
        }
        final long member = UnsafeApi.getLong(address + at + ENTRY_OUT_HANDLE_OFFSET);
        if (memory.blockCapacityBytes(member) < memberLengthAt(at))
        {
            throw damaged(handle, "the member block 0x" + Long.toHexString(member) + " of the entry at " + at +
                " is not of its length");
        }
        return memory.address(member);
    }

    // by index

    double score(final int i)
    {
        return scoreAt(offset(i));
    }

    boolean outOfLine(final int i)
    {
        return outOfLineAt(offset(i));
    }

    int memberLength(final int i)
    {
        return memberLengthAt(offset(i));
    }

    long memberHandle(final int i)
    {
        return UnsafeApi.getLong(address + offset(i) + ENTRY_OUT_HANDLE_OFFSET);
    }

    long memberAddress(final int i)
    {
        return memberAddressAt(offset(i));
    }

    // changes: entries move as one run of bytes, slots as one run of shorts staged on the heap

    /** Stage new slot k of a run of {@code n} new slots starting at {@code from}. */
    private void stage(final int from, final int n, final int k, final int value)
    {
        UnsafeApi.putShort(slots, BYTE_BASE + (long)LEAF_SLOT_BYTES * (from + n - 1 - k), (short)value);
    }

    /** Write the run of {@code n} staged slots starting at slot {@code from}. */
    private void writeSlots(final int from, final int n)
    {
        if (n > 0)
        {
            memory.putBytes(handle + leafSlotOffset(from + n - 1), slots, BYTE_BASE, (long)LEAF_SLOT_BYTES * n);
        }
    }

    /** Check that a change leaving {@code newCount} entries ending at {@code newEnd} stays inside the block. */
    private void requireRoom(final int newCount, final int newEnd, final int bytes)
    {
        if (bytes < 0 || newEnd + LEAF_SLOT_BYTES * newCount > LEAF_BYTES)
        {
            throw damaged(handle, "a change to " + newCount + " entries ending at " + newEnd + " (" + bytes +
                " bytes moved) does not fit");
        }
    }

    /**
     * Open a gap of {@code size} bytes for a new entry at position {@code i} and write it: the member inline
     * from (base, address), or, when {@code memberBlock} is not null, the block already holding it.
     */
    void insert(final int i, final double score, final Object base, final long memberAddress, final int length,
        final long memberBlock)
    {
        final int size = entryLength(length);
        final int at = runStart(i);
        requireRoom(count + 1, end + size, size);
        memory.copy(handle + at + size, handle + at, end - at);
        writeEntry(at, score, base, memberAddress, length, memberBlock);
        final int n = count + 1 - i;
        stage(i, n, i, at);
        for (int k = i; k < count; k++)
        {
            stage(i, n, k + 1, slot(k) + size);
        }
        writeSlots(i, n);
        setCountAndEnd(count + 1, end + size);
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
        final int start = runStart(from);
        final int stop = runStart(to);
        final int gap = stop - start;
        requireRoom(count - (to - from), end - gap, gap);
        memory.copy(handle + start, handle + stop, end - stop);
        final int n = count - to;
        for (int k = to; k < count; k++)
        {
            stage(from, n, k - to + from, slot(k) - gap);
        }
        writeSlots(from, n);
        setCountAndEnd(count - (to - from), end - gap);
    }

    /** Append entries [from, to) of {@code source} (another leaf) at the end of this one. */
    void append(final ScoreLeafFlyweight source, final int from, final int to)
    {
        final int start = source.runStart(from);
        final int bytes = source.runStart(to) - start;
        final int n = to - from;
        requireRoom(count + n, end + bytes, bytes);
        memory.copy(handle + end, source.handle + start, bytes);
        for (int k = from; k < to; k++)
        {
            stage(count, n, count + k - from, source.slot(k) - start + end);
        }
        writeSlots(count, n);
        setCountAndEnd(count + n, end + bytes);
    }

    /** Insert entries [from, to) of {@code source} (another leaf) at the start of this one. */
    void prepend(final ScoreLeafFlyweight source, final int from, final int to)
    {
        final int start = source.runStart(from);
        final int bytes = source.runStart(to) - start;
        final int n = to - from;
        requireRoom(count + n, end + bytes, bytes);
        memory.copy(handle + LEAF_ENTRIES_OFFSET + bytes, handle + LEAF_ENTRIES_OFFSET, end - LEAF_ENTRIES_OFFSET);
        memory.copy(handle + LEAF_ENTRIES_OFFSET, source.handle + start, bytes);
        final int total = count + n;
        for (int k = 0; k < count; k++)
        {
            stage(0, total, k + n, slot(k) + bytes);
        }
        for (int k = from; k < to; k++)
        {
            stage(0, total, k - from, source.slot(k) - start + LEAF_ENTRIES_OFFSET);
        }
        writeSlots(0, total);
        setCountAndEnd(total, end + bytes);
    }

    private void setCountAndEnd(final int newCount, final int newEnd)
    {
        memory.putInt(handle + LEAF_COUNT_OFFSET, (newCount & 0xFFFF) | (newEnd - LEAF_ENTRIES_OFFSET) << 16);
        this.count = newCount;
        this.end = newEnd;
    }
}
