package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageMemory;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;
import static io.keelkv.engine.types.DictRootDescriptor.REHASH_INDEX_OFFSET;
import static io.keelkv.engine.types.DictRootDescriptor.TABLE0_OFFSET;
import static io.keelkv.engine.types.DictRootDescriptor.TABLE1_OFFSET;
import static io.keelkv.engine.types.DictRootDescriptor.USED0_OFFSET;
import static io.keelkv.engine.types.DictRootDescriptor.USED1_OFFSET;

/**
 * Every element of one {@link PagedDict}, once each, as a cursor: {@link #reset} at a dict, then {@link #next}
 * until it returns {@link PageMemory#NULL_HANDLE}. For HGETALL, HKEYS, HVALS, SMEMBERS, DEBUG DIGEST and the AOF
 * rewrite: no callback, and nothing allocated (make one per owner thread and reset it per collection).
 *
 * <p>Order: table 0 from its rehash index (the buckets below it are empty), then table 1, each chain from its
 * head. Like Redis's unsafe dict iterator, it moves nothing, and the dict must not change between the reset
 * and the last next: a fingerprint of the root's tables, counts and rehash index (Redis's dictFingerprint) is
 * checked on each call, so an insert, delete or rehash step in between throws {@link IllegalStateException}
 * instead of skipping or repeating elements. A value replaced into a new block is not caught (the counts do
 * not change), and is not allowed either: the iterator may hold the old block's handle as the next one.
 *
 * <p>The root is read through {@link PageMemory}'s checked reads on every call, so an iterator left over a
 * dict that was freed meanwhile fails with the guard's exception rather than reading released memory.
 */
public final class PagedDictIterator
{
    private final PageMemory memory;
    private final DictRootFlyweight root;
    private final DictElementFlyweight element;
    private long rootHandle = NULL_HANDLE;
    private boolean values;
    private long fingerprint;
    private long table1;
    private int exp1;
    private long table;
    private long tableSize;
    private long bucket;
    private long next;

    public PagedDictIterator(final PageMemory memory)
    {
        this.memory = memory;
        this.root = new DictRootFlyweight(memory);
        this.element = new DictElementFlyweight(memory);
    }

    /** Start over at the dict {@code rootHandle} (checked as {@link PagedDict#wrap} checks it). */
    public PagedDictIterator reset(final long rootHandle)
    {
        this.rootHandle = NULL_HANDLE;
        root.wrap(rootHandle);
        if (root.isFreeing())
        {
            throw new IllegalStateException("dict 0x" + Long.toHexString(rootHandle) + " is being freed");
        }
        values = root.withValues();
        table = root.table0();
        tableSize = table == NULL_HANDLE ? 0 : 1L << root.exp0();
        bucket = Math.max(root.rehashIndex(), 0);
        table1 = root.table1();
        exp1 = root.exp1();
        next = NULL_HANDLE;
        this.rootHandle = rootHandle;
        fingerprint = fingerprint();
        return this;
    }

    /** Redis's dictFingerprint: the words that change when an element is added, removed or moved. */
    private long fingerprint()
    {
        long h = 0;
        h = mix(h, memory.getLong(rootHandle + TABLE0_OFFSET));
        h = mix(h, memory.getLong(rootHandle + TABLE1_OFFSET));
        h = mix(h, memory.getLong(rootHandle + USED0_OFFSET));
        h = mix(h, memory.getLong(rootHandle + USED1_OFFSET));
        return mix(h, memory.getLong(rootHandle + REHASH_INDEX_OFFSET));
    }

    private static long mix(final long h, final long word)
    {
        long x = (h ^ word) * 0x9E3779B97F4A7C15L;
        x ^= x >>> 29;
        return x;
    }

    /**
     * @return the next element's handle (read it with {@link #element()}), or {@link PageMemory#NULL_HANDLE}
     * when every element has been returned (and on every call after that, until a reset).
     */
    public long next()
    {
        if (rootHandle == NULL_HANDLE)
        {
            throw new IllegalStateException("iterator not reset at a dict");
        }
        if (fingerprint() != fingerprint)
        {
            throw new IllegalStateException("dict 0x" + Long.toHexString(rootHandle) + " changed during iteration");
        }
        while (next == NULL_HANDLE)
        {
            if (bucket >= tableSize)
            {
                if (table1 == NULL_HANDLE || table == table1)
                {
                    return NULL_HANDLE;
                }
                table = table1;
                tableSize = 1L << exp1;
                bucket = 0;
                continue;
            }
            next = memory.getLong(table + (bucket++ << 3));
        }
        final long e = next;
        next = element.wrap(e, values).next();
        return e;
    }

    /** The element {@link #next} returned last, already wrapped: its field and value. */
    public DictElementFlyweight element()
    {
        return element;
    }
}
