package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageMemory;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;
import static io.keelkv.engine.types.ScoreTreeDescriptor.*;

/**
 * The score tree: a B+ tree ordered by (score, member) whose inner nodes carry subtree counts, with its root,
 * nodes and long members all in page memory (see {@link ScoreTreeDescriptor}). It is the ordered half of a
 * sorted set's big ("skiplist") encoding, in place of Redis's skip list; a member-to-score {@link PagedDict}
 * is the other half.
 *
 * <p>Design. Leaves of 4 KiB hold entries inline (score, a length byte, the member) with a 2-byte slot each
 * saying where it starts, so an element costs its member plus 11 bytes plus the leaves' slack, a search in a
 * leaf reads log2(count) entries, and a range walk reads consecutive bytes; a member over
 * {@link ScoreTreeDescriptor#INLINE_MAX} bytes lives in a block of its own referenced from the leaf. Inner
 * nodes hold up to {@link ScoreTreeDescriptor#MAX_CHILDREN} children with their subtree counts and short
 * separator keys (why and how: the descriptor's "Separators"), so rank, the count below a score or a member
 * and seek by rank are O(log n): one binary search per node plus a sum of the counts before the child taken.
 * A write touches one leaf and its ancestors (three levels at 1M elements), plus a sibling and a neighbour's
 * link when a leaf splits or merges: during a snapshot that is a handful of pages copied, never O(n).
 *
 * <p>Order: score ascending (never NaN; -0.0 is stored as 0.0, as Redis compares scores with {@code <}), then
 * member bytes unsigned, the shorter first on a common prefix ({@link ScoreOrder}).
 *
 * <p>Writes ({@link ScoreTreeWriter}). Insert allocates everything a split can need (the member's block, the new leaf, a separator's
 * block, one inner node per full ancestor and a new top) before it changes anything, so
 * {@link #OUT_OF_MEMORY} leaves the tree as it was. Delete rebalances a leaf that falls under a quarter full
 * with a neighbour under the same parent (merge when both fit in one leaf, else share the bytes evenly), and an
 * inner node under a quarter of its children likewise; the top shrinks when it has one child. Delete never
 * needs memory, except in the rare case where sharing entries needs a separator too long to keep inline: when
 * that block cannot be had, the leaf just stays under-full.
 *
 * <p>One instance per owner thread, re-pointed with {@link #wrap}: it holds no state of a tree between
 * commands (everything is in the root block), and allocates nothing per operation. Members arrive as
 * (base, address, length). {@link Cursor#memberAddress} gives the raw address of a member's bytes in page
 * memory, read as the rest of the engine reads page memory (UnsafeApi, or a wrapped buffer).
 */
public final class ScoreTree
{
    /** An allocation failed; the tree is unchanged. */
    public static final int OUT_OF_MEMORY = -1;

    private static final int MODE_FULL = 0;
    private static final int MODE_SCORE = 1;
    private static final int MODE_MEMBER = 2;

    private final PageMemory memory;
    final ScoreTreeRootFlyweight root;
    // the leaf a descent ends at, which the writer goes on with
    final ScoreLeafFlyweight leaf;
    private final ScoreInnerFlyweight inner;
    private final ScoreTreeWriter writer;
    private final ScoreTreeFreer freer;
    private final Cursor cursor;
    private boolean wrapped;

    // the path of the last descent: node handles from the top (depth 0) to the leaf (depth height - 1), and the
    // child taken in each inner node
    final long[] pathNode = new long[MAX_HEIGHT];
    final int[] pathIndex = new int[MAX_HEIGHT];

    // the target of a descent: what "below" means
    private int targetMode;
    private boolean targetInclusive;
    private double targetScore;
    private Object targetBase;
    private long targetAddress;
    private int targetLength;

    // where the last count (rank, countBelow*) ended: its leaf, the entry index in it and that entry's rank, so
    // that a seek to a rank in that leaf right after it (a range's first or last element) needs no second
    // descent; forgotten by every wrap and every change, so it never outlives the tree state it was read in
    private long countedLeaf = NULL_HANDLE;
    private int countedIndex;
    private long countedRank;

    // work counter for the tests that bound what one operation does: blocks (nodes) wrapped, cumulative
    long nodesVisited;

    public ScoreTree(final PageMemory memory)
    {
        this.memory = memory;
        this.root = new ScoreTreeRootFlyweight(memory);
        this.leaf = new ScoreLeafFlyweight(memory);
        this.inner = new ScoreInnerFlyweight(memory);
        this.writer = new ScoreTreeWriter(memory, this);
        this.freer = new ScoreTreeFreer(memory);
        this.cursor = new Cursor();
    }

    /** Whether {@code handle} starts a block carrying a score tree root's magic: for a caller telling kinds apart. */
    public static boolean isScoreTreeRoot(final PageMemory memory, final long handle)
    {
        return ScoreTreeRootFlyweight.isScoreTreeRoot(memory, handle);
    }

    /** A new empty tree, wrapped. @return its root handle, or {@link PageMemory#NULL_HANDLE} when out of memory. */
    public long create()
    {
        final long handle = memory.allocate(ROOT_LENGTH, false);
        if (handle == NULL_HANDLE)
        {
            return NULL_HANDLE;
        }
        root.wrapNew(handle).init();
        countedLeaf = NULL_HANDLE;
        wrapped = true;
        return handle;
    }

    /** Point at the tree {@code rootHandle}; throws {@link IllegalStateException} when its root is damaged. */
    public ScoreTree wrap(final long rootHandle)
    {
        wrapped = false;
        countedLeaf = NULL_HANDLE;
        root.wrap(rootHandle);
        if (root.isFreeing())
        {
            throw new IllegalStateException("score tree 0x" + Long.toHexString(rootHandle) + " is being freed");
        }
        wrapped = true;
        return this;
    }

    private void requireWrapped()
    {
        if (!wrapped)
        {
            throw new IllegalStateException("no score tree wrapped");
        }
    }

    public long rootHandle()
    {
        requireWrapped();
        return root.handle();
    }

    public long size()
    {
        requireWrapped();
        return root.size();
    }

    /** Bytes of every block the tree owns (root, nodes, out-of-line members and keys), as allocated. */
    public long bytesUsed()
    {
        requireWrapped();
        return root.bytesOwned();
    }

    /** Levels: 0 when empty, 1 when the top is a leaf. */
    public int height()
    {
        requireWrapped();
        return root.height();
    }

    // ------------------------------------------------------------------------------------------------
    // queries

    /** 0-based rank of (score, member) in ascending order, or -1 when absent. */
    public long rank(final double score, final Object base, final long address, final int length)
    {
        requireWrapped();
        if (root.height() == 0)
        {
            return -1;
        }
        target(MODE_FULL, false, normalise(score), base, address, length);
        final long before = descend(true);
        final int pos = leafBelow(leaf);
        counted(before, pos);
        return pos < leaf.count() && equalsTarget(leaf, pos) ? before + pos : -1;
    }

    /** Elements whose score is below {@code score} ({@code exclusive} false) or at most it ({@code exclusive} true). */
    public long countBelowScore(final double score, final boolean exclusive)
    {
        requireWrapped();
        if (root.height() == 0)
        {
            return 0;
        }
        target(MODE_SCORE, exclusive, normalise(score), null, 0, 0);
        final long before = descend(true);
        return counted(before, leafBelow(leaf));
    }

    /** Elements whose member is below the bound ({@code exclusive} false) or at most it: for lex ranges, all scores equal. */
    public long countBelowMember(final Object base, final long address, final int length, final boolean exclusive)
    {
        requireWrapped();
        if (root.height() == 0)
        {
            return 0;
        }
        target(MODE_MEMBER, exclusive, 0, base, address, length);
        final long before = descend(true);
        return counted(before, leafBelow(leaf));
    }

    /**
     * Position the cursor at {@code rank} (0 &lt;= rank &lt; size): a descent by the subtree counts, or none when
     * the rank falls in the leaf where the last count on this tree ended and nothing changed since (a range by
     * score or member is a count, then a seek to it or just before it).
     */
    public Cursor seek(final long rank)
    {
        requireWrapped();
        final long size = root.size();
        if (rank < 0 || rank >= size)
        {
            throw new IllegalArgumentException("rank " + rank + " outside a tree of " + size);
        }
        if (countedLeaf != NULL_HANDLE && rank - countedRank >= -countedIndex &&
            rank - countedRank < LEAF_MAX_ENTRIES - countedIndex)
        {
            // in the leaf the last count ended in, when the rank falls inside it: wrapped again (O(1)), no descent
            final int index = (int)(rank - countedRank) + countedIndex;
            nodesVisited++;
            cursor.valid = false;
            cursor.leaf.wrap(countedLeaf, -1);
            if (index < cursor.leaf.count())
            {
                cursor.index = index;
                cursor.tree = root.handle();
                cursor.valid = true;
                return cursor;
            }
        }
        final int height = root.height();
        long node = root.top();
        long expected = size;
        long remaining = rank;
        for (int d = 0; d < height - 1; d++)
        {
            wrapInner(inner, node, height - 1 - d, expected);
            // the counts are summed from the nearer end (the total is the node's checked count); a child index
            // never leaves [0, count) whatever the counts say, and the leaf checks the position it ends at
            final int last = inner.count() - 1;
            int i;
            if (remaining < expected >>> 1)
            {
                i = 0;
                while (i < last && remaining >= inner.subtreeCount(i))
                {
                    remaining -= inner.subtreeCount(i);
                    i++;
                }
            }
            else
            {
                long after = expected - remaining; // elements from the rank sought to this subtree's end
                i = last;
                while (i > 0 && after > inner.subtreeCount(i))
                {
                    after -= inner.subtreeCount(i);
                    i--;
                }
                remaining = inner.subtreeCount(i) - after;
            }
            expected = inner.subtreeCount(i);
            node = inner.child(i);
        }
        nodesVisited++;
        cursor.valid = false;
        cursor.leaf.wrap(node, expected);
        if (remaining < 0 || remaining >= cursor.leaf.count())
        {
            throw ScoreLeafFlyweight.damaged(node, "rank " + rank + " falls at " + remaining + " of a leaf of " +
                cursor.leaf.count() + ": counts above it do not add up");
        }
        cursor.index = (int)remaining;
        cursor.tree = root.handle();
        cursor.valid = true;
        return cursor;
    }

    /** Remember where a count ended (see {@link #countedLeaf}). @return the count: {@code before + pos}. */
    private long counted(final long before, final int pos)
    {
        countedLeaf = leaf.handle();
        countedIndex = pos;
        countedRank = before + pos;
        return countedRank;
    }

    static double normalise(final double score)
    {
        if (score != score)
        {
            throw new IllegalArgumentException("NaN score");
        }
        return score == 0 ? 0.0 : score;
    }

    private void target(final int mode, final boolean inclusive, final double score, final Object base,
        final long address, final int length)
    {
        targetMode = mode;
        targetInclusive = inclusive;
        targetScore = score;
        targetBase = base;
        targetAddress = address;
        targetLength = length;
    }

    /** Whether a key or element is below the target (is counted). */
    /** The target of the writes' descents: one element. */
    void targetElement(final double score, final Object base, final long address, final int length)
    {
        target(MODE_FULL, false, score, base, address, length);
    }

    private boolean below(final double score, final Object base, final long address, final int length)
    {
        final int c;
        if (targetMode == MODE_SCORE)
        {
            c = ScoreOrder.compareScores(score, targetScore);
        }
        else if (targetMode == MODE_MEMBER)
        {
            c = ScoreOrder.compareMembers(base, address, length, targetBase, targetAddress, targetLength);
        }
        else
        {
            c = ScoreOrder.compare(score, base, address, length, targetScore, targetBase, targetAddress, targetLength);
        }
        return targetInclusive ? c <= 0 : c < 0;
    }

    /**
     * Whether the descent goes right of a child's key: when everything below the key is counted. With the key at
     * or below a full or member target, every element under it is below the target, and when it is above, no
     * element from it on is (whether the count is of elements below the target or at most it). Against a score
     * alone the key's member is no bound, so the score must pass the count's own test.
     */
    private boolean keyPassed(final double score, final long address, final int length)
    {
        if (targetMode == MODE_SCORE)
        {
            return targetInclusive ? score <= targetScore : score < targetScore;
        }
        if (targetMode == MODE_MEMBER)
        {
            return ScoreOrder.compareMembers(null, address, length, targetBase, targetAddress, targetLength) <= 0;
        }
        return ScoreOrder.compare(score, null, address, length, targetScore, targetBase, targetAddress, targetLength) <= 0;
    }

    boolean equalsTarget(final ScoreLeafFlyweight l, final int i)
    {
        final int at = l.offset(i);
        return ScoreOrder.compare(l.scoreAt(at), null, l.memberAddressAt(at), l.memberLengthAt(at),
            targetScore, targetBase, targetAddress, targetLength) == 0;
    }

    /**
     * Descend from the top to the leaf where the target belongs, filling the path; leaves that leaf wrapped in
     * {@link #leaf}. A child's key is a lower bound of everything in it and above everything before it: the
     * descent takes the last child whose key it passes ({@link #keyPassed}). Each node costs its O(1) check
     * and a binary search over its keys; {@code rank}: also the elements of the subtrees passed on the left,
     * summed from the nearer end of the node (the writes do not need them). @return those elements, 0 when not
     * {@code rank}.
     */
    long descend(final boolean rank)
    {
        final int height = root.height();
        long node = root.top();
        long expected = root.size();
        long before = 0;
        for (int d = 0; d < height - 1; d++)
        {
            wrapInner(inner, node, height - 1 - d, expected);
            final int n = inner.count();
            int lo = 1;
            int hi = n - 1;
            int found = 0;
            while (lo <= hi)
            {
                final int mid = (lo + hi) >>> 1;
                if (keyPassed(inner.keyScore(mid), inner.keyMemberAddress(mid), inner.keyLength(mid)))
                {
                    found = mid;
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }
            if (rank)
            {
                before += found <= n >>> 1 ? inner.counts(0, found) : expected - inner.counts(found, n);
            }
            pathNode[d] = node;
            pathIndex[d] = found;
            expected = inner.subtreeCount(found);
            node = inner.child(found);
        }
        pathNode[height - 1] = node;
        nodesVisited++;
        leaf.wrap(node, expected);
        return before;
    }

    void wrapInner(final ScoreInnerFlyweight view, final long node, final int level, final long expected)
    {
        nodesVisited++;
        view.wrap(node, level, expected);
    }

    /** Entries of the leaf below the target: a binary search through its slots, log2(count) entries read. */
    int leafBelow(final ScoreLeafFlyweight l)
    {
        int lo = 0;
        int hi = l.count();
        while (lo < hi)
        {
            final int mid = (lo + hi) >>> 1;
            final int at = l.offset(mid);
            if (below(l.scoreAt(at), null, l.memberAddressAt(at), l.memberLengthAt(at)))
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    // ------------------------------------------------------------------------------------------------
    // writes (ScoreTreeWriter) and freeing (ScoreTreeFreer)

    /**
     * Insert (score, member); the caller guarantees the member is not in the tree. @return 1, or
     * {@link #OUT_OF_MEMORY} with the tree unchanged.
     */
    public int insert(final double score, final Object base, final long address, final int length)
    {
        requireWrapped();
        cursor.invalidateIn(root.handle());
        countedLeaf = NULL_HANDLE;
        return writer.insert(score, base, address, length);
    }

    /** Delete (score, member) if present. @return whether it was. */
    public boolean delete(final double score, final Object base, final long address, final int length)
    {
        requireWrapped();
        cursor.invalidateIn(root.handle());
        countedLeaf = NULL_HANDLE;
        return writer.delete(score, base, address, length);
    }

    /**
     * Free the tree {@code rootHandle} (which need not be the wrapped one) up to {@code maxBlocks} blocks per call,
     * resuming from a position kept in its root (which is marked as being freed: it can no longer be wrapped).
     * Leaves this instance wrapped on no tree. @return true when the whole tree, root included, is freed.
     */
    public boolean freeStep(final long rootHandle, final int maxBlocks)
    {
        wrapped = false;
        countedLeaf = NULL_HANDLE;
        cursor.invalidateIn(rootHandle);
        return freer.freeStep(rootHandle, maxBlocks);
    }

    // ------------------------------------------------------------------------------------------------

    /**
     * A reusable cursor (one per tree instance) over the elements in order: valid until the tree it walks
     * changes. An insert, delete or free of that tree through this instance makes it invalid; queries, wraps
     * and changes to other trees leave it as it is (ZRANGESTORE may read one tree while it fills another, with
     * one instance). A change of the same tree through another instance is the caller's to avoid. It holds the
     * leaf's entry index, so stepping either way is O(1), crossing to a neighbour leaf included (its O(1)
     * check); each entry is checked through its slot as it is read.
     */
    public final class Cursor
    {
        private final ScoreLeafFlyweight leaf = new ScoreLeafFlyweight(memory);
        private int index;
        private boolean valid;
        private long tree;

        private void invalidateIn(final long rootHandle)
        {
            if (tree == rootHandle)
            {
                valid = false;
            }
        }

        public boolean valid()
        {
            return valid;
        }

        public double score()
        {
            requireValid();
            return leaf.score(index);
        }

        /** The raw address of the member's bytes in page memory (inline in the leaf, or its own block). */
        public long memberAddress()
        {
            requireValid();
            return leaf.memberAddress(index);
        }

        public int memberLength()
        {
            requireValid();
            return leaf.memberLength(index);
        }

        /** To the next rank; false (and invalid) past the end. */
        public boolean next()
        {
            if (!valid)
            {
                return false;
            }
            if (++index < leaf.count())
            {
                return true;
            }
            final long next = leaf.next();
            if (next == NULL_HANDLE)
            {
                valid = false;
                return false;
            }
            enter(next);
            index = 0;
            return true;
        }

        /** To the previous rank; false (and invalid) before the start. */
        public boolean previous()
        {
            if (!valid)
            {
                return false;
            }
            if (--index >= 0)
            {
                return true;
            }
            final long prev = leaf.prev();
            if (prev == NULL_HANDLE)
            {
                valid = false;
                return false;
            }
            enter(prev);
            index = leaf.count() - 1;
            return true;
        }

        private void enter(final long handle)
        {
            valid = false;
            leaf.wrap(handle, -1);
            if (leaf.count() == 0)
            {
                throw ScoreLeafFlyweight.damaged(handle, "an empty leaf in a non-empty tree");
            }
            valid = true;
        }

        private void requireValid()
        {
            if (!valid)
            {
                throw new IllegalStateException("cursor not positioned");
            }
        }
    }
}
