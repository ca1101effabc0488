package io.keelkv.engine.types;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.keyspace.ObjectType;
import io.keelkv.engine.memory.PageMemory;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * A sorted set being computed outside any key: ZUNION/ZINTER/ZDIFF (stored or replied) and ZRANGESTORE's
 * result (Redis's dstzset / dstobj). Members and scores are kept in reused heap scratch (an arena of member bytes,
 * parallel arrays of offsets, lengths and scores, and an open-addressing table of indexes for the member lookups
 * the algebra needs), with no Java object per member; the arrays only grow, so a reused builder allocates nothing
 * once warm. {@link #sort} orders the members by (score, member) as Redis's skiplist would; {@link #install}
 * then writes them under a key as a listpack, Redis 7.0's choice for a result of at most zset-max-listpack-entries
 * members none longer than zset-max-listpack-value (zsetConvertToListpackIfNeeded).
 *
 * <p>Scratch, not page memory: a result lives for one command and is bounded by its sources, which are.
 */
public final class ZsetBuilder
{
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);
    private static final int NO = -1;

    private final PageMemory memory;
    private final EntryFlyweight entry;
    private final ListpackFlyweight listpack = new ListpackFlyweight();
    private final BufferRegion region = new BufferRegion();
    private final byte[] scoreText = new byte[io.keelkv.engine.text.DoubleFormat.MAX_LENGTH];
    private final UnsafeBuffer scoreBuffer = new UnsafeBuffer(scoreText);
    private final UnsafeBuffer memberBuffer = new UnsafeBuffer(new byte[0]);
    private final ZsetFlyweight formatter;
    private final ZsetSkiplist skiplist;
    private UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);

    private byte[] arena = new byte[1024];
    private int arenaUsed;
    private int[] offsets = new int[64];
    private int[] lengths = new int[64];
    private double[] scores = new double[64];
    private boolean[] removed = new boolean[64];
    private int[] order = new int[64];
    private int[] sortScratch = new int[64];
    private int[] table = new int[128];
    private int size;
    private int live;

    public ZsetBuilder(final PageMemory memory)
    {
        this.memory = memory;
        this.entry = new EntryFlyweight(memory);
        this.formatter = new ZsetFlyweight(memory);
        this.skiplist = new ZsetSkiplist(memory);
        java.util.Arrays.fill(table, NO);
    }

    /** Start an empty result. */
    public ZsetBuilder reset()
    {
        if (size > 0)
        {
            java.util.Arrays.fill(table, NO);
        }
        arenaUsed = 0;
        size = 0;
        live = 0;
        return this;
    }

    /** Members in the result (removed ones not counted). */
    public int size()
    {
        return live;
    }

    /** The index of the member, or -1 (removed members are not found). */
    public int find(final Object base, final long address, final int length)
    {
        final int mask = table.length - 1;
        for (int slot = hash(base, address, length) & mask; ; slot = (slot + 1) & mask)
        {
            final int index = table[slot];
            if (index == NO)
            {
                return NO;
            }
            if (!removed[index] && lengths[index] == length &&
                ZsetRange.compare(arena, BYTE_BASE + offsets[index], length, base, address, length) == 0)
            {
                return index;
            }
        }
    }

    /** Add a member not in the result; returns its index. */
    public int add(final Object base, final long address, final int length, final double score)
    {
        if (size == offsets.length)
        {
            final int capacity = size * 2;
            offsets = java.util.Arrays.copyOf(offsets, capacity);
            lengths = java.util.Arrays.copyOf(lengths, capacity);
            scores = java.util.Arrays.copyOf(scores, capacity);
            removed = java.util.Arrays.copyOf(removed, capacity);
            order = new int[capacity];
            sortScratch = new int[capacity];
        }
        if ((size + 1) * 2 > table.length)
        {
            rehash(table.length * 2);
        }
        if (arenaUsed + length > arena.length)
        {
            arena = java.util.Arrays.copyOf(arena, Math.max(arena.length * 2, arenaUsed + length));
        }
        UnsafeApi.copyMemory(base, address, arena, BYTE_BASE + arenaUsed, length);
        final int index = size++;
        offsets[index] = arenaUsed;
        lengths[index] = length;
        scores[index] = score;
        removed[index] = false;
        arenaUsed += length;
        live++;
        insertIndex(index);
        return index;
    }

    /** Remove the member at {@code index} (ZDIFF's second algorithm). */
    public void remove(final int index)
    {
        if (!removed[index])
        {
            removed[index] = true;
            live--;
        }
    }

    public double score(final int index)
    {
        return scores[index];
    }

    public void score(final int index, final double score)
    {
        scores[index] = score;
    }

    /** The longest member's length (the listpack threshold check). */
    public int maxLength()
    {
        int max = 0;
        for (int i = 0; i < size; i++)
        {
            if (!removed[i])
            {
                max = Math.max(max, lengths[i]);
            }
        }
        return max;
    }

    // ------------------------------------------------------------------------------------------------
    // the sorted result

    /** Order the live members by (score, member): afterwards {@link #sorted} gives the index at each rank. */
    public void sort()
    {
        int n = 0;
        for (int i = 0; i < size; i++)
        {
            if (!removed[i])
            {
                order[n++] = i;
            }
        }
        mergeSort(0, n);
    }

    /** The member index at rank {@code rank} after {@link #sort}. */
    public int sorted(final int rank)
    {
        return order[rank];
    }

    /** The raw Unsafe address of member {@code index}'s bytes in {@link #memberBase()} (valid until the next add). */
    public long memberAddress(final int index)
    {
        return BYTE_BASE + offsets[index];
    }

    public byte[] memberBase()
    {
        return arena;
    }

    public int memberLength(final int index)
    {
        return lengths[index];
    }

    private void mergeSort(final int from, final int to)
    {
        if (to - from < 2)
        {
            return;
        }
        if (to - from <= 12)
        {
            for (int i = from + 1; i < to; i++)
            {
                final int v = order[i];
                int j = i - 1;
                while (j >= from && compare(order[j], v) > 0)
                {
                    order[j + 1] = order[j];
                    j--;
                }
                order[j + 1] = v;
            }
            return;
        }
        final int mid = (from + to) >>> 1;
        mergeSort(from, mid);
        mergeSort(mid, to);
        int i = from;
        int j = mid;
        int k = from;
        while (i < mid && j < to)
        {
            sortScratch[k++] = compare(order[i], order[j]) <= 0 ? order[i++] : order[j++];
        }
        while (i < mid)
        {
            sortScratch[k++] = order[i++];
        }
        while (j < to)
        {
            sortScratch[k++] = order[j++];
        }
        System.arraycopy(sortScratch, from, order, from, to - from);
    }

    private int compare(final int a, final int b)
    {
        final double sa = scores[a];
        final double sb = scores[b];
        if (sa < sb)
        {
            return -1;
        }
        if (sa > sb)
        {
            return 1;
        }
        return ZsetRange.compare(arena, BYTE_BASE + offsets[a], lengths[a], arena, BYTE_BASE + offsets[b], lengths[b]);
    }

    // ------------------------------------------------------------------------------------------------
    // installing

    /**
     * ZRANGESTORE's scores as Redis 7.0 leaves them. It makes the destination with zsetTypeCreate(sizeHint) and
     * adds the members one by one in the order they were added here: while the destination is still a listpack
     * a score of -0 is stored as 0 (double2ll takes it for an integer), and from the add that converts it to a
     * skiplist (one member too many or too long) on, -0 is kept. Call before {@link #sort}.
     */
    public void addedAsRedisStores(final long sizeHint, final long maxEntries, final long maxValue)
    {
        if (sizeHint > maxEntries)
        {
            return; // a skiplist from the start
        }
        for (int i = 0; i < size; i++)
        {
            if (i + 1 > maxEntries || lengths[i] > maxValue)
            {
                return; // this add converts it
            }
            if (scores[i] == 0.0)
            {
                scores[i] = 0.0; // -0 == 0: the listpack's integer 0
            }
        }
    }

    /** Whether the (sorted) result fits the listpack encoding under the given thresholds. */
    public boolean fitsListpack(final long maxEntries, final long maxValue)
    {
        return live <= maxEntries && maxLength() <= maxValue;
    }

    /**
     * Make the sorted, non-empty result the value of a key, as Redis's setKey (the TTL goes): a listpack when it
     * fits the thresholds given (zsetConvertToListpackIfNeeded), else a skiplist set. A
     * lookupWrite of the key must come just before: db's found entry is the key's (of any type: it is
     * overwritten) or none (a new entry is added under the key bytes given).
     *
     * @return the entry handle, or NULL_HANDLE when memory ran out (the key is then left as it was).
     */
    public long install(final Keyspace keyspace, final Database db, final Object keyBase, final long keyAddress,
        final int keyLength, final long maxEntries, final long maxValue)
    {
        final boolean listpackResult = fitsListpack(maxEntries, maxValue);
        long root = NULL_HANDLE;
        final int bytes;
        if (listpackResult)
        {
            bytes = buildListpack();
        }
        else
        {
            root = buildSkiplist();
            if (root == NULL_HANDLE)
            {
                return NULL_HANDLE;
            }
            bytes = ZsetFlyweight.ROOT_BYTES;
        }
        final int encoding = listpackResult ? ObjectType.ENCODING_LISTPACK : ObjectType.ENCODING_SKIPLIST;
        final long e = installEntry(keyspace, db, keyBase, keyAddress, keyLength, bytes, encoding);
        if (e == NULL_HANDLE)
        {
            if (root != NULL_HANDLE)
            {
                skiplist.free(root);
            }
            return NULL_HANDLE;
        }
        if (listpackResult)
        {
            memory.putBytes(entry.valueHandle(), scratch.byteArray(), scratch.addressOffset(), bytes);
        }
        else
        {
            memory.putLong(entry.valueHandle(), root);
        }
        return e;
    }

    /** The result as a skiplist set (a root with its dict and tree), or NULL_HANDLE when memory ran out. */
    private long buildSkiplist()
    {
        final long root = skiplist.create();
        if (root == NULL_HANDLE)
        {
            return NULL_HANDLE;
        }
        for (int r = 0; r < live; r++)
        {
            final int index = order[r];
            if (skiplist.insert(scores[index], arena, BYTE_BASE + offsets[index], lengths[index]) != ZsetSkiplist.OK)
            {
                skiplist.free(root);
                return NULL_HANDLE;
            }
        }
        return root;
    }

    /** The key's entry resized (or added) for a value of {@code bytes}, its TTL dropped, typed a zset. */
    private long installEntry(final Keyspace keyspace, final Database db, final Object keyBase, final long keyAddress,
        final int keyLength, final int bytes, final int encoding)
    {
        long e = db.foundEntry();
        if (e == NULL_HANDLE)
        {
            e = keyspace.addEntry(db, keyBase, keyAddress, keyLength, ObjectType.ZSET, encoding, bytes, -1);
            if (e == NULL_HANDLE)
            {
                return NULL_HANDLE;
            }
            entry.wrap(e);
        }
        else
        {
            if (entry.wrap(e).hasExpire())
            {
                e = keyspace.setExpire(db, -1);
                if (e == NULL_HANDLE)
                {
                    return NULL_HANDLE;
                }
            }
            // the old value's root (if it owns blocks) is read first and released only after the resize: a failed
            // resize leaves the old value whole
            final long owned = keyspace.ownedRoot(e);
            e = keyspace.resizeValue(db, bytes, 0);
            if (e == NULL_HANDLE)
            {
                return NULL_HANDLE;
            }
            keyspace.releaseOwned(owned);
            entry.wrap(e);
            entry.meta(ObjectType.ZSET, encoding, entry.hasExpire(), entry.clock());
        }
        return e;
    }

    /** The sorted result as a listpack in {@link #scratch}; returns its bytes. */
    private int buildListpack()
    {
        long bound = ListpackDescriptor.EMPTY_LENGTH;
        for (int r = 0; r < live; r++)
        {
            bound += lengths[order[r]] + 10L + scoreText.length + 10L;
        }
        if (bound > Integer.MAX_VALUE - 16)
        {
            throw new IllegalStateException("a listpack result of " + bound + " bytes");
        }
        if (scratch.capacity() < bound)
        {
            scratch = new UnsafeBuffer(new byte[(int)Math.max(bound, scratch.capacity() * 2L)]);
        }
        region.wrap(scratch, 0, scratch.capacity());
        listpack.wrap(region).init();
        for (int r = 0; r < live; r++)
        {
            final int index = order[r];
            memberBuffer.wrap(arena, offsets[index], lengths[index]);
            listpack.append(memberBuffer, 0, lengths[index]);
            final int scoreLength = formatter.d2string(scores[index], scoreText);
            listpack.append(scoreBuffer, 0, scoreLength);
        }
        return listpack.totalBytes();
    }

    // ------------------------------------------------------------------------------------------------
    // the member table

    private void rehash(final int capacity)
    {
        table = new int[capacity];
        java.util.Arrays.fill(table, NO);
        for (int i = 0; i < size; i++)
        {
            insertIndex(i);
        }
    }

    private void insertIndex(final int index)
    {
        final int mask = table.length - 1;
        int slot = hash(arena, BYTE_BASE + offsets[index], lengths[index]) & mask;
        while (table[slot] != NO)
        {
            slot = (slot + 1) & mask;
        }
        table[slot] = index;
    }

    private static int hash(final Object base, final long address, final int length)
    {
        int h = 0x811C9DC5;
        for (int i = 0; i < length; i++)
        {
            h = (h ^ (UnsafeApi.getByte(base, address + i) & 0xFF)) * 0x01000193;
        }
        return h ^ (h >>> 16);
    }
}
