package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageMemory;
import org.agrona.UnsafeApi;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;
import static io.keelkv.engine.types.DictRootDescriptor.*;

/**
 * A view over a dict's root block (see {@link DictRootDescriptor}); re-pointed with {@link #wrap}, never
 * allocated per use. Reads use the raw address checked at wrap; every write goes through {@link PageMemory}.
 * Nothing is cached on the heap: the root in the pages is the only copy, so two views of one root, a restore
 * or a stepped free never see a stale word.
 *
 * <p>Trust: a root is page memory a snapshot file fills, and its handle comes from an entry's value. {@link
 * #wrap} checks the magic and that the words describe a sound dict ({@link #check}): tables that are blocks
 * of the size their exponents say, a second table exactly while rehashing, a rehash index inside table 0, a
 * pending table only before a rehash, no negative count. A bucket index below the table's size then stays
 * inside the table's block, so a damaged root fails here rather than reading or writing other blocks. It
 * does not walk chains (that is O(elements)); each element is checked as it is wrapped.
 */
public final class DictRootFlyweight
{
    private final PageMemory memory;
    private long handle;
    private long address;

    public DictRootFlyweight(final PageMemory memory)
    {
        this.memory = memory;
    }

    /** Point at the root {@code handle}, checked; throws {@link IllegalStateException} when it is not sound. */
    public DictRootFlyweight wrap(final long handle)
    {
        memory.checkRange(handle, LENGTH);
        this.handle = handle;
        this.address = memory.address(handle);
        final String problem = check();
        if (problem != null)
        {
            this.handle = NULL_HANDLE;
            this.address = 0;
            throw new IllegalStateException("damaged dict root at 0x" + Long.toHexString(handle) + ": " + problem);
        }
        return this;
    }

    /** Point at a block just allocated for a root, which the caller initialises next ({@link #init}). */
    DictRootFlyweight wrapNew(final long handle)
    {
        memory.checkRange(handle, LENGTH);
        this.handle = handle;
        this.address = memory.address(handle);
        return this;
    }

    /** Write an empty dict: no table yet (the first insert makes one), not rehashing. */
    void init(final boolean withValues)
    {
        memory.fill(handle, LENGTH, (byte)0);
        rehashIndex(-1);
        memory.putByte(handle + EXP0_OFFSET, (byte)-1);
        memory.putByte(handle + EXP1_OFFSET, (byte)-1);
        memory.putByte(handle + PENDING_EXP_OFFSET, (byte)-1);
        memory.putByte(handle + FLAGS_OFFSET, (byte)(withValues ? FLAG_VALUES : 0));
        memory.putInt(handle + MAGIC_OFFSET, MAGIC);
    }

    /**
     * Why the root is not a sound dict, or null. O(1): a few words and three block lookups.
     */
    public String check()
    {
        if (UnsafeApi.getInt(address + MAGIC_OFFSET) != MAGIC)
        {
            return "no dict magic";
        }
        if ((flags() & ~KNOWN_FLAGS) != 0)
        {
            return "unknown flags 0x" + Integer.toHexString(flags());
        }
        String problem = checkTable(table0(), exp0(), "table 0");
        if (problem == null)
        {
            problem = checkTable(table1(), exp1(), "table 1");
        }
        if (problem == null)
        {
            problem = checkTable(pendingTable(), pendingExp(), "pending table");
        }
        if (problem != null)
        {
            return problem;
        }
        final long rehashIndex = rehashIndex();
        if (rehashIndex == -1)
        {
            if (table1() != NULL_HANDLE || used1() != 0)
            {
                return "a second table without a rehash in progress";
            }
        }
        else if (table0() == NULL_HANDLE || table1() == NULL_HANDLE || rehashIndex < 0 || rehashIndex >= 1L << exp0())
        {
            return "rehash index " + rehashIndex + " outside table 0";
        }
        if (pendingTable() != NULL_HANDLE &&
            (rehashIndex != -1 || table0() == NULL_HANDLE || pendingZeroed() < 0 || pendingZeroed() > tableBytes(pendingExp())))
        {
            return "pending table with rehash index " + rehashIndex + " and " + pendingZeroed() + " bytes zeroed";
        }
        if (used0() < 0 || used1() < 0 || (table0() == NULL_HANDLE && used0() != 0))
        {
            return "element counts " + used0() + "/" + used1() + " do not fit the tables";
        }
        if (isFreeing() && (freeBucket() < 0 || freeNext() < 0))
        {
            return "free position " + freeBucket() + "/" + freeNext();
        }
        return null;
    }

    private String checkTable(final long table, final int exp, final String name)
    {
        if (table == NULL_HANDLE)
        {
            return exp == -1 ? null : name + " has exponent " + exp + " but no memory";
        }
        if (exp < MIN_TABLE_EXP || exp > MAX_TABLE_EXP || memory.blockCapacityBytes(table) < tableBytes(exp))
        {
            return name + " (handle 0x" + Long.toHexString(table) + ", 2^" + exp + " buckets) is not a block of that size";
        }
        return null;
    }

    public long handle()
    {
        return handle;
    }

    public long table0()
    {
        return UnsafeApi.getLong(address + TABLE0_OFFSET);
    }

    public long table1()
    {
        return UnsafeApi.getLong(address + TABLE1_OFFSET);
    }

    public long used0()
    {
        return UnsafeApi.getLong(address + USED0_OFFSET);
    }

    public long used1()
    {
        return UnsafeApi.getLong(address + USED1_OFFSET);
    }

    public long rehashIndex()
    {
        return UnsafeApi.getLong(address + REHASH_INDEX_OFFSET);
    }

    public long pendingTable()
    {
        return UnsafeApi.getLong(address + PENDING_TABLE_OFFSET);
    }

    public long pendingZeroed()
    {
        return UnsafeApi.getLong(address + PENDING_ZEROED_OFFSET);
    }

    public int exp0()
    {
        return UnsafeApi.getByte(address + EXP0_OFFSET);
    }

    public int exp1()
    {
        return UnsafeApi.getByte(address + EXP1_OFFSET);
    }

    public int pendingExp()
    {
        return UnsafeApi.getByte(address + PENDING_EXP_OFFSET);
    }

    public int flags()
    {
        return UnsafeApi.getByte(address + FLAGS_OFFSET) & 0xFF;
    }

    public boolean withValues()
    {
        return (flags() & FLAG_VALUES) != 0;
    }

    public boolean isFreeing()
    {
        return (flags() & FLAG_FREEING) != 0;
    }

    public long freeBucket()
    {
        return UnsafeApi.getLong(address + FREE_BUCKET_OFFSET);
    }

    public long freeNext()
    {
        return UnsafeApi.getLong(address + FREE_NEXT_OFFSET);
    }

    public long size()
    {
        return used0() + used1();
    }

    // writes: each one word through the barrier

    void table0(final long table, final int exp)
    {
        memory.putLong(handle + TABLE0_OFFSET, table);
        memory.putByte(handle + EXP0_OFFSET, (byte)exp);
    }

    void table1(final long table, final int exp)
    {
        memory.putLong(handle + TABLE1_OFFSET, table);
        memory.putByte(handle + EXP1_OFFSET, (byte)exp);
    }

    void pendingTable(final long table, final int exp, final long zeroed)
    {
        memory.putLong(handle + PENDING_TABLE_OFFSET, table);
        memory.putByte(handle + PENDING_EXP_OFFSET, (byte)exp);
        memory.putLong(handle + PENDING_ZEROED_OFFSET, zeroed);
    }

    void pendingZeroed(final long zeroed)
    {
        memory.putLong(handle + PENDING_ZEROED_OFFSET, zeroed);
    }

    void used0(final long used)
    {
        memory.putLong(handle + USED0_OFFSET, used);
    }

    void used1(final long used)
    {
        memory.putLong(handle + USED1_OFFSET, used);
    }

    void rehashIndex(final long index)
    {
        memory.putLong(handle + REHASH_INDEX_OFFSET, index);
    }

    void startFreeing()
    {
        memory.putLong(handle + FREE_BUCKET_OFFSET, 0);
        memory.putLong(handle + FREE_NEXT_OFFSET, NULL_HANDLE);
        memory.putByte(handle + FLAGS_OFFSET, (byte)(flags() | FLAG_FREEING));
    }

    void freePosition(final long bucket, final long next)
    {
        memory.putLong(handle + FREE_BUCKET_OFFSET, bucket);
        memory.putLong(handle + FREE_NEXT_OFFSET, next);
    }
}
