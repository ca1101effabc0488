package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageMemory;
import org.agrona.UnsafeApi;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * The skiplist encoding of a sorted set (Redis's zset: a dict plus an ordered index), over a root block
 * ({@link ZsetRootDescriptor}) holding a member-to-score {@link PagedDict} and a {@link ScoreTree} ordered by
 * (score, member). {@link ZsetFlyweight} walks both encodings and calls this for the big one; store results,
 * COPY and {@link LazyFree} use it directly. One instance per owner thread, re-pointed with {@link #wrap}; it
 * keeps no state of a set between commands and allocates nothing per element (a member deleted by rank is copied
 * into a scratch array that only grows).
 *
 * <p>Both structures hold every member, so a write changes both or neither: an insert goes into the dict, then
 * the tree, and a failed tree insert takes the member back out of the dict; a score update inserts the new
 * (score, member) into the tree before deleting the old one, so running out of memory leaves the old element.
 * A score of -0 is kept as such in the dict (Redis's skiplist keeps it, and replies "-0"), while the tree holds 0
 * (it orders with {@code <}, where they are equal): {@link #cursorScore} asks the dict for the sign of a zero.
 */
public final class ZsetSkiplist
{
    public static final int OK = 0;
    public static final int OUT_OF_MEMORY = -1;
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    private final PageMemory memory;
    private final PagedDict dict;
    private final ScoreTree tree;
    private final PagedDictIterator iterator;
    private final ScoreTree reader;
    private final PagedDict readerDict;
    private final DictRootFlyweight dictRootView;
    private final byte[] scoreBits = new byte[ZsetRootDescriptor.SCORE_BYTES];
    private byte[] memberScratch = new byte[64];
    private long root = NULL_HANDLE;

    public ZsetSkiplist(final PageMemory memory)
    {
        this.memory = memory;
        this.dict = new PagedDict(memory);
        this.tree = new ScoreTree(memory);
        this.iterator = new PagedDictIterator(memory);
        this.reader = new ScoreTree(memory);
        this.readerDict = new PagedDict(memory);
        this.dictRootView = new DictRootFlyweight(memory);
    }

    /** Whether {@code handle} is a zset root block (by its magic word; the block must be in pages in use). */
    public static boolean isZsetRoot(final PageMemory memory, final long handle)
    {
        memory.checkRange(handle, ZsetRootDescriptor.LENGTH);
        return memory.getInt(handle + ZsetRootDescriptor.MAGIC_OFFSET) == ZsetRootDescriptor.MAGIC;
    }

    /** A new empty set, wrapped: its root handle, or NULL_HANDLE when memory ran out (nothing left allocated). */
    public long create()
    {
        final long handle = memory.allocate(ZsetRootDescriptor.LENGTH, true);
        if (handle == NULL_HANDLE)
        {
            return NULL_HANDLE;
        }
        final long dictRoot = dict.create(true);
        if (dictRoot == NULL_HANDLE)
        {
            memory.free(handle, ZsetRootDescriptor.LENGTH);
            return NULL_HANDLE;
        }
        final long treeRoot = tree.create();
        if (treeRoot == NULL_HANDLE)
        {
            freeAll(dictRoot);
            memory.free(handle, ZsetRootDescriptor.LENGTH);
            return NULL_HANDLE;
        }
        memory.putLong(handle + ZsetRootDescriptor.DICT_OFFSET, dictRoot);
        memory.putLong(handle + ZsetRootDescriptor.TREE_OFFSET, treeRoot);
        memory.putInt(handle + ZsetRootDescriptor.MAGIC_OFFSET, ZsetRootDescriptor.MAGIC);
        root = handle;
        return handle;
    }

    /** Point at the set rooted at {@code handle}; throws {@link IllegalStateException} when it is not one. */
    public ZsetSkiplist wrap(final long handle)
    {
        if (!isZsetRoot(memory, handle))
        {
            throw new IllegalStateException("0x" + Long.toHexString(handle) + " is not a zset root");
        }
        final long dictRoot = memory.getLong(handle + ZsetRootDescriptor.DICT_OFFSET);
        final long treeRoot = memory.getLong(handle + ZsetRootDescriptor.TREE_OFFSET);
        if (dictRoot == NULL_HANDLE || treeRoot == NULL_HANDLE)
        {
            throw new IllegalStateException("zset root 0x" + Long.toHexString(handle) + " is being freed");
        }
        dict.wrap(dictRoot);
        tree.wrap(treeRoot);
        if (dict.size() != tree.size())
        {
            throw new IllegalStateException("zset root 0x" + Long.toHexString(handle) + ": dict holds " + dict.size() +
                " members, tree " + tree.size());
        }
        root = handle;
        return this;
    }

    public long rootHandle()
    {
        return root;
    }

    public void snapshotRunning(final boolean running)
    {
        dict.snapshotRunning(running);
    }

    public long size()
    {
        return tree.size();
    }

    /** The score of the member, NaN when absent; a hit stays the dict's found element. */
    public double score(final Object base, final long address, final int length)
    {
        final long element = dict.find(base, address, length);
        return element == NULL_HANDLE ? Double.NaN : elementScore(element);
    }

    /** The score held by dict element {@code element}. */
    public double elementScore(final long element)
    {
        return Double.longBitsToDouble(UnsafeApi.getLong(null, dict.element(element).valueAddress()));
    }

    /** The dict element's member (ZSCAN): its raw address and length through the flyweight returned. */
    public DictElementFlyweight element(final long element)
    {
        return dict.element(element);
    }

    public long rank(final Object base, final long address, final int length)
    {
        final double score = score(base, address, length);
        return Double.isNaN(score) ? -1 : tree.rank(score, base, address, length);
    }

    /** Add a member known to be absent (a {@link #score} miss just before). */
    public int insert(final double score, final Object base, final long address, final int length)
    {
        UnsafeApi.putLong(scoreBits, BYTE_BASE, Double.doubleToRawLongBits(score));
        dict.find(base, address, length);
        if (dict.insertAfterMiss(base, address, length, scoreBits, BYTE_BASE, scoreBits.length) == NULL_HANDLE)
        {
            return OUT_OF_MEMORY;
        }
        if (tree.insert(score, base, address, length) == ScoreTree.OUT_OF_MEMORY)
        {
            dict.delete(base, address, length);
            return OUT_OF_MEMORY;
        }
        return OK;
    }

    /** Change a present member's score (zslUpdateScore and the dict's value). */
    public int update(final double oldScore, final double newScore, final Object base, final long address,
        final int length)
    {
        if (tree.insert(newScore, base, address, length) == ScoreTree.OUT_OF_MEMORY)
        {
            return OUT_OF_MEMORY;
        }
        tree.delete(oldScore, base, address, length);
        UnsafeApi.putLong(scoreBits, BYTE_BASE, Double.doubleToRawLongBits(newScore));
        dict.find(base, address, length);
        dict.replaceFoundValue(scoreBits, BYTE_BASE, scoreBits.length); // same length: in place, never fails
        return OK;
    }

    /** Delete a present member. */
    public void delete(final double score, final Object base, final long address, final int length)
    {
        tree.delete(score, base, address, length);
        dict.delete(base, address, length);
    }

    /** Delete {@code count} elements from rank {@code start} (both in range). */
    public void deleteRange(final long start, final long count)
    {
        for (long i = 0; i < count; i++)
        {
            final ScoreTree.Cursor c = tree.seek(start);
            final double score = c.score();
            final int length = c.memberLength();
            if (memberScratch.length < length)
            {
                memberScratch = new byte[Math.max(length, memberScratch.length * 2)];
            }
            // the member's bytes live in the tree: copy them out before either structure lets them go
            UnsafeApi.copyMemory(null, c.memberAddress(), memberScratch, BYTE_BASE, length);
            delete(score, memberScratch, BYTE_BASE, length);
        }
    }

    /** The score at the cursor: the tree's, or for a zero the dict's (which keeps -0). */
    public double cursorScore(final ScoreTree.Cursor c)
    {
        final double score = c.score();
        return score == 0 ? score(null, c.memberAddress(), c.memberLength()) : score;
    }

    /** Position the tree's cursor at {@code rank} (0 <= rank < size). */
    public ScoreTree.Cursor seek(final long rank)
    {
        return tree.seek(rank);
    }

    public long countBelowScore(final double score, final boolean exclusive)
    {
        return tree.countBelowScore(score, exclusive);
    }

    public long countBelowMember(final Object base, final long address, final int length, final boolean exclusive)
    {
        return tree.countBelowMember(base, address, length, exclusive);
    }

    /** SCAN over the dict (Redis's dictScan cursor). */
    public long scan(final long cursor, final PagedDict.ElementVisitor visitor)
    {
        return dict.scan(cursor, visitor);
    }

    /** A dict element at random (Redis's dictGetFairRandomKey). */
    public long randomElement(final java.util.SplittableRandom random)
    {
        return dict.randomElement(random);
    }

    /**
     * MEMORY USAGE's part outside the entry: the root block, the dict's root and tables, its element blocks
     * estimated from the first {@code samples} (Redis's sampling), and every block of the tree.
     */
    public long bytesUsed(final long samples)
    {
        long sampled = 0;
        long bytes = 0;
        for (long e = iterator.reset(dict.rootHandle()).next(); e != NULL_HANDLE && sampled < samples; e = iterator.next())
        {
            bytes += memory.blockBytes(iterator.element().length());
            sampled++;
        }
        return memory.blockBytes(ZsetRootDescriptor.LENGTH) + dict.overheadBytes() +
            (sampled == 0 ? 0 : bytes / sampled * dict.size()) + tree.bytesUsed();
    }

    /**
     * A copy of the wrapped set (COPY): a new root, dict and tree with every element.
     *
     * @return the new root, or NULL_HANDLE when memory ran out (nothing is left allocated; this stays wrapped on
     *         the source).
     */
    public long copy()
    {
        final long source = root;
        final long sourceTree = tree.rootHandle();
        final long size = tree.size();
        final long copy = create();
        if (copy == NULL_HANDLE)
        {
            wrap(source);
            return NULL_HANDLE;
        }
        // the reader's cursor walks the source while the copy's tree changes under this instance's
        ScoreTree.Cursor c = size == 0 ? null : reader.wrap(sourceTree).seek(0);
        for (long i = 0; i < size; i++, c.next())
        {
            final double score = c.score() == 0 ? sourceScore(source, c) : c.score();
            if (insert(score, null, c.memberAddress(), c.memberLength()) != OK)
            {
                free(copy);
                wrap(source);
                return NULL_HANDLE;
            }
        }
        wrap(source);
        return copy;
    }

    /** The sign of a zero score in the source set's dict, while this instance holds the copy. */
    private double sourceScore(final long source, final ScoreTree.Cursor c)
    {
        final PagedDict d = readerDict.wrap(memory.getLong(source + ZsetRootDescriptor.DICT_OFFSET));
        final long element = d.find(null, c.memberAddress(), c.memberLength());
        return Double.longBitsToDouble(UnsafeApi.getLong(null, d.element(element).valueAddress()));
    }

    /** Free a whole set at once (a failed COPY's or store's, a small one dropped). */
    public void free(final long handle)
    {
        while (!freeStep(handle, Integer.MAX_VALUE))
        {
            // one call frees everything; the loop only guards the contract
        }
    }

    /**
     * Free up to about {@code maxBlocks} blocks of the set rooted at {@code handle}: the dict first, then the tree,
     * each handle zeroed once its structure is gone, then the root. @return true when all is freed.
     */
    public boolean freeStep(final long handle, final int maxBlocks)
    {
        root = NULL_HANDLE;
        final long dictRoot = memory.getLong(handle + ZsetRootDescriptor.DICT_OFFSET);
        if (dictRoot != NULL_HANDLE)
        {
            if (!dict.freeStep(dictRoot, maxBlocks))
            {
                return false;
            }
            memory.putLong(handle + ZsetRootDescriptor.DICT_OFFSET, NULL_HANDLE);
            return false;
        }
        final long treeRoot = memory.getLong(handle + ZsetRootDescriptor.TREE_OFFSET);
        if (treeRoot != NULL_HANDLE)
        {
            if (!tree.freeStep(treeRoot, maxBlocks))
            {
                return false;
            }
            memory.putLong(handle + ZsetRootDescriptor.TREE_OFFSET, NULL_HANDLE);
            return false;
        }
        memory.putInt(handle + ZsetRootDescriptor.MAGIC_OFFSET, 0);
        memory.free(handle, ZsetRootDescriptor.LENGTH);
        return true;
    }

    /** The number of elements a release frees (Redis's free effort): for LazyFree's choice. */
    public long freeEffort(final long handle)
    {
        final long dictRoot = memory.getLong(handle + ZsetRootDescriptor.DICT_OFFSET);
        return dictRoot == NULL_HANDLE ? 0 : dict.wrap(dictRoot).size();
    }

    /** A snapshot's pending root check: null when the structures it still holds look sound, else why not. */
    public String check(final long handle)
    {
        if (!isZsetRoot(memory, handle))
        {
            return "not a zset root";
        }
        final long dictRoot = memory.getLong(handle + ZsetRootDescriptor.DICT_OFFSET);
        final long treeRoot = memory.getLong(handle + ZsetRootDescriptor.TREE_OFFSET);
        if (dictRoot != NULL_HANDLE)
        {
            dictRootView.wrap(dictRoot); // a root check that accepts a dict the free has begun on
        }
        if (treeRoot != NULL_HANDLE && !ScoreTree.isScoreTreeRoot(memory, treeRoot))
        {
            return "its tree root 0x" + Long.toHexString(treeRoot) + " is not a score tree root";
        }
        return null;
    }

    private void freeAll(final long dictRoot)
    {
        while (!dict.freeStep(dictRoot, Integer.MAX_VALUE))
        {
            // one call frees everything
        }
    }
}
