package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageMemory;
import org.agrona.UnsafeApi;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;
import static io.keelkv.engine.types.ScoreTreeDescriptor.*;

/**
 * The score tree: a B+ tree ordered by (score, member) whose inner nodes carry subtree counts, with its root,
 * nodes and long members all in page memory (see {@link ScoreTreeDescriptor}). It is the ordered half of a
 * sorted set's big ("skiplist") encoding, in place of Redis's skip list; a member-to-score {@link PagedDict}
 * is the other half.
 *
 * <p>Design. Leaves of 4 KiB hold entries inline (score, a length byte, the member), so an element costs its
 * member plus 9 bytes plus the leaves' slack, and a range walk reads consecutive bytes; a member over
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
 * <p>Writes. Insert allocates everything a split can need (the member's block, the new leaf, a separator's
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

    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);
    private static final int MODE_FULL = 0;
    private static final int MODE_SCORE = 1;
    private static final int MODE_MEMBER = 2;
    /** Split points tried on each side of the balanced one in search of a separator that fits inline. */
    private static final int SEPARATOR_WINDOW = 24;

    private final PageMemory memory;
    private final ScoreTreeRootFlyweight root;
    private final ScoreLeafFlyweight leaf;
    private final ScoreLeafFlyweight leafB;
    private final ScoreLeafFlyweight leafX;
    private final ScoreInnerFlyweight inner;
    private ScoreInnerFlyweight innerA;
    private ScoreInnerFlyweight innerB;
    private final ScoreTreeFreer freer;
    private final Cursor cursor;
    private boolean wrapped;

    // the path of the last descent: node handles from the top (depth 0) to the leaf (depth height - 1), and the
    // child taken in each inner node
    private final long[] pathNode = new long[MAX_HEIGHT];
    private final int[] pathIndex = new int[MAX_HEIGHT];
    // inner nodes allocated ahead of an insert's splits
    private final long[] spare = new long[MAX_HEIGHT + 1];

    // the target of a descent: what "below" means
    private int targetMode;
    private boolean targetInclusive;
    private double targetScore;
    private Object targetBase;
    private long targetAddress;
    private int targetLength;

    // a virtual run of leaf entries a boundary is chosen in: one leaf with a new entry at seqPos (a split), or two
    // neighbours (a share)
    private boolean seqIsSplit;
    private int seqPos;
    private final int[] prefix = new int[2 * LEAF_MAX_ENTRIES + 4];
    private double leftScore;
    private Object leftBase;
    private long leftAddress;
    private int leftLength;
    private double rightScore;
    private Object rightBase;
    private long rightAddress;
    private int rightLength;

    // the separator chosen for a boundary: its score, length, and bytes (inline here, or in sepBlock)
    private double sepScore;
    private int sepLength;
    private long sepBlock;
    private final byte[] sepBytes = new byte[KEY_INLINE_MAX];

    // work counter for the tests that bound what one operation does: blocks (nodes) wrapped, cumulative
    long nodesVisited;

    public ScoreTree(final PageMemory memory)
    {
        this.memory = memory;
        this.root = new ScoreTreeRootFlyweight(memory);
        this.leaf = new ScoreLeafFlyweight(memory);
        this.leafB = new ScoreLeafFlyweight(memory);
        this.leafX = new ScoreLeafFlyweight(memory);
        this.inner = new ScoreInnerFlyweight(memory);
        this.innerA = new ScoreInnerFlyweight(memory);
        this.innerB = new ScoreInnerFlyweight(memory);
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
        wrapped = true;
        return handle;
    }

    /** Point at the tree {@code rootHandle}; throws {@link IllegalStateException} when its root is damaged. */
    public ScoreTree wrap(final long rootHandle)
    {
        wrapped = false;
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
        final long before = descend();
        final int pos = leafBelow(leaf);
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
        final long before = descend();
        return before + leafBelow(leaf);
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
        final long before = descend();
        return before + leafBelow(leaf);
    }

    /** Position the cursor at {@code rank} (0 &lt;= rank &lt; size). */
    public Cursor seek(final long rank)
    {
        requireWrapped();
        final long size = root.size();
        if (rank < 0 || rank >= size)
        {
            throw new IllegalArgumentException("rank " + rank + " outside a tree of " + size);
        }
        final int height = root.height();
        long node = root.top();
        long expected = size;
        long remaining = rank;
        for (int d = 0; d < height - 1; d++)
        {
            wrapInner(inner, node, height - 1 - d, expected);
            int i = 0;
            while (remaining >= inner.subtreeCount(i))
            {
                remaining -= inner.subtreeCount(i);
                i++;
            }
            expected = inner.subtreeCount(i);
            node = inner.child(i);
        }
        nodesVisited++;
        cursor.leaf.wrap(node, expected);
        cursor.index = (int)remaining;
        cursor.tree = root.handle();
        cursor.valid = true;
        return cursor;
    }

    private static double normalise(final double score)
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

    private boolean equalsTarget(final ScoreLeafFlyweight l, final int i)
    {
        return ScoreOrder.compare(l.score(i), null, l.memberAddress(i), l.memberLength(i),
            targetScore, targetBase, targetAddress, targetLength) == 0;
    }

    /**
     * Descend from the top to the leaf where the target belongs, filling the path; leaves that leaf wrapped in
     * {@link #leaf}. A child's key is a lower bound of everything in it and above everything before it: the
     * descent takes the last child whose key it passes ({@link #keyPassed}). @return the elements of the
     * subtrees passed on the left.
     */
    private long descend()
    {
        final int height = root.height();
        long node = root.top();
        long expected = root.size();
        long before = 0;
        for (int d = 0; d < height - 1; d++)
        {
            wrapInner(inner, node, height - 1 - d, expected);
            int lo = 1;
            int hi = inner.count() - 1;
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
            before += inner.counts(0, found);
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

    private void wrapInner(final ScoreInnerFlyweight view, final long node, final int level, final long expected)
    {
        nodesVisited++;
        view.wrap(node, level, expected);
    }

    /** Entries of the leaf below the target: a binary search over its index. */
    private int leafBelow(final ScoreLeafFlyweight l)
    {
        int lo = 0;
        int hi = l.count();
        while (lo < hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (below(l.score(mid), null, l.memberAddress(mid), l.memberLength(mid)))
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
    // insert

    /**
     * Insert (score, member); the caller guarantees the member is not in the tree. @return 1, or
     * {@link #OUT_OF_MEMORY} with the tree unchanged.
     */
    public int insert(final double score, final Object base, final long address, final int length)
    {
        requireWrapped();
        cursor.invalidateIn(root.handle());
        if (length < 0)
        {
            throw new IllegalArgumentException("member length " + length);
        }
        final double s = normalise(score);
        long memberBlock = NULL_HANDLE;
        if (length > INLINE_MAX)
        {
            memberBlock = memory.allocate(length, false);
            if (memberBlock == NULL_HANDLE)
            {
                return OUT_OF_MEMORY;
            }
            memory.putBytes(memberBlock, base, address, length);
        }
        final long memberBytes = memberBlock == NULL_HANDLE ? 0 : memory.blockBytes(length);
        if (root.height() == 0)
        {
            final long first = memory.allocate(LEAF_BYTES, false);
            if (first == NULL_HANDLE)
            {
                freeIfAllocated(memberBlock, length);
                return OUT_OF_MEMORY;
            }
            leaf.init(first, NULL_HANDLE, NULL_HANDLE).insert(0, s, base, address, length, memberBlock);
            root.top(first, 1);
            root.firstLeaf(first);
            root.lastLeaf(first);
            root.size(1);
            root.bytesOwned(root.bytesOwned() + memory.blockBytes(LEAF_BYTES) + memberBytes);
            return 1;
        }
        target(MODE_FULL, false, s, base, address, length);
        descend();
        final int height = root.height();
        final int pos = leafBelow(leaf);
        if (leaf.used() + entryLength(length) <= LEAF_CAPACITY)
        {
            leaf.insert(pos, s, base, address, length, memberBlock);
            for (int d = 0; d < height - 1; d++)
            {
                inner.at(pathNode[d]);
                inner.subtreeCount(pathIndex[d], inner.subtreeCount(pathIndex[d]) + 1);
            }
            root.size(root.size() + 1);
            root.bytesOwned(root.bytesOwned() + memberBytes);
            return 1;
        }
        return split(pos, s, base, address, length, memberBlock, memberBytes);
    }

    /**
     * Insert into a full leaf: plan the split point and its separator, allocate every block the split and its
     * upward cascade need, then change the tree.
     */
    private int split(final int pos, final double score, final Object base, final long address, final int length,
        final long memberBlock, final long memberBytes)
    {
        final int height = root.height();
        seqIsSplit = true;
        seqPos = pos;
        // an append at the very end (ascending scores: a time series) leaves the full leaf full
        final boolean append = pos == leaf.count() && leaf.next() == NULL_HANDLE;
        final int boundary = chooseBoundary(leaf.count() + 1, append, score, base, address, length);
        // inner nodes that split: the full ones from the leaf's parent up; a new top when all are (or no parent)
        int splits = 0;
        while (splits < height - 1)
        {
            inner.at(pathNode[height - 2 - splits]);
            if (inner.count() < MAX_CHILDREN)
            {
                break;
            }
            splits++;
        }
        final boolean newTop = splits == height - 1;
        if (newTop && height == MAX_HEIGHT)
        {
            throw new IllegalStateException("score tree of height " + height + " cannot grow");
        }
        final int nodes = splits + (newTop ? 1 : 0);
        final long newLeaf = memory.allocate(LEAF_BYTES, false);
        boolean ok = newLeaf != NULL_HANDLE && captureSeparator(boundary);
        int allocated = 0;
        while (ok && allocated < nodes)
        {
            spare[allocated] = memory.allocate(INNER_BYTES, false);
            ok = spare[allocated] != NULL_HANDLE;
            allocated += ok ? 1 : 0;
        }
        if (!ok)
        {
            for (int i = 0; i < allocated; i++)
            {
                memory.free(spare[i], INNER_BYTES);
            }
            freeIfAllocated(sepBlock, sepLength);
            freeIfAllocated(newLeaf, LEAF_BYTES);
            freeIfAllocated(memberBlock, length);
            return OUT_OF_MEMORY;
        }
        long owned = memberBytes + memory.blockBytes(LEAF_BYTES) + (long)nodes * memory.blockBytes(INNER_BYTES) +
            (sepBlock == NULL_HANDLE ? 0 : memory.blockBytes(sepLength));

        // the leaf: entries from the boundary on move to the new leaf, linked after it
        final long left = leaf.handle();
        final long next = leaf.next();
        leafB.init(newLeaf, left, next);
        if (next != NULL_HANDLE)
        {
            nodesVisited++;
            leafX.wrap(next, -1).prev(newLeaf);
        }
        else
        {
            root.lastLeaf(newLeaf);
        }
        leaf.next(newLeaf);
        final int count = leaf.count();
        if (pos < boundary)
        {
            leafB.append(leaf, boundary - 1, count);
            leaf.remove(boundary - 1, count);
            leaf.insert(pos, score, base, address, length, memberBlock);
        }
        else
        {
            leafB.append(leaf, boundary, count);
            leaf.remove(boundary, count);
            leafB.insert(pos - boundary, score, base, address, length, memberBlock);
        }

        // upwards: each level takes the new right sibling of the level below, with its key; a full node splits
        long leftCount = leaf.count();
        long pendingChild = newLeaf;
        long pendingCount = leafB.count();
        ScoreInnerFlyweight carry = null; // the node whose key 0 is the pending key; null: the separator
        int used = 0;
        int d = height - 2;
        for (; d >= 0; d--)
        {
            inner.at(pathNode[d]);
            final int i = pathIndex[d];
            inner.subtreeCount(i, leftCount);
            if (inner.count() < MAX_CHILDREN)
            {
                inner.insert(i + 1, pendingChild, pendingCount);
                pendingKey(inner, i + 1, carry);
                for (int up = d - 1; up >= 0; up--)
                {
                    inner.at(pathNode[up]);
                    inner.subtreeCount(pathIndex[up], inner.subtreeCount(pathIndex[up]) + 1);
                }
                break;
            }
            final ScoreInnerFlyweight right = carry == innerA ? innerB : innerA;
            right.init(spare[used++], inner.level());
            final int half = (MAX_CHILDREN + 1) / 2;
            final int at = i + 1;
            if (at < half)
            {
                right.append(inner, half - 1, MAX_CHILDREN);
                inner.remove(half - 1, MAX_CHILDREN);
                inner.insert(at, pendingChild, pendingCount);
                pendingKey(inner, at, carry);
            }
            else
            {
                right.append(inner, half, MAX_CHILDREN);
                inner.remove(half, MAX_CHILDREN);
                right.insert(at - half, pendingChild, pendingCount);
                pendingKey(right, at - half, carry);
            }
            leftCount = inner.counts(0, inner.count());
            pendingChild = right.handle();
            pendingCount = right.counts(0, right.count());
            carry = right;
        }
        if (d < 0)
        {
            final long oldTop = root.top();
            final ScoreInnerFlyweight top = carry == innerA ? innerB : innerA;
            top.init(spare[used++], height);
            top.insert(0, oldTop, leftCount);
            top.clearKey(0);
            top.insert(1, pendingChild, pendingCount);
            pendingKey(top, 1, carry);
            root.top(top.handle(), height + 1);
        }
        root.size(root.size() + 1);
        root.bytesOwned(root.bytesOwned() + owned);
        return 1;
    }

    /** Write the pending key into key i of {@code dst}: the separator, or key 0 of {@code carry}, which moves. */
    private void pendingKey(final ScoreInnerFlyweight dst, final int i, final ScoreInnerFlyweight carry)
    {
        if (carry == null)
        {
            writeSeparator(dst, i);
        }
        else
        {
            dst.copyKey(i, carry, 0);
            carry.clearKey(0);
        }
    }

    private void writeSeparator(final ScoreInnerFlyweight dst, final int i)
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

    private void freeIfAllocated(final long handle, final long length)
    {
        if (handle != NULL_HANDLE)
        {
            memory.free(handle, length);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // boundaries and separators

    /** Entries of the run a boundary is chosen in. */
    private int seqEntrySize(final int v, final int newLength)
    {
        if (seqIsSplit)
        {
            return v < seqPos ? leaf.entrySize(v) : v == seqPos ? entryLength(newLength) : leaf.entrySize(v - 1);
        }
        return v < leaf.count() ? leaf.entrySize(v) : leafB.entrySize(v - leaf.count());
    }

    /** Load entry v of the run into the left or the right key. */
    private void seqLoad(final int v, final boolean right, final double newScore, final Object newBase,
        final long newAddress, final int newLength)
    {
        final ScoreLeafFlyweight l;
        final int i;
        if (seqIsSplit)
        {
            if (v == seqPos)
            {
                setKey(right, newScore, newBase, newAddress, newLength);
                return;
            }
            l = leaf;
            i = v < seqPos ? v : v - 1;
        }
        else
        {
            l = v < leaf.count() ? leaf : leafB;
            i = v < leaf.count() ? v : v - leaf.count();
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
    private int separatorLength(final int b, final double newScore, final Object newBase, final long newAddress,
        final int newLength)
    {
        seqLoad(b - 1, false, newScore, newBase, newAddress, newLength);
        seqLoad(b, true, newScore, newBase, newAddress, newLength);
        if (leftScore < rightScore)
        {
            return 0;
        }
        return ScoreOrder.commonPrefix(leftBase, leftAddress, leftLength, rightBase, rightAddress, rightLength) + 1;
    }

    /**
     * Choose where a run of {@code n} entries is cut in two leaves: the cut nearest the middle of the bytes whose
     * separator fits inline, within {@link #SEPARATOR_WINDOW} entries of it, each side within a leaf and at least a
     * quarter full; else the middle. {@code append}: the new last entry alone on the right.
     */
    private int chooseBoundary(final int n, final boolean append, final double newScore, final Object newBase,
        final long newAddress, final int newLength)
    {
        prefix[0] = 0;
        for (int v = 0; v < n; v++)
        {
            prefix[v + 1] = prefix[v] + seqEntrySize(v, newLength);
        }
        if (append)
        {
            sepLength = separatorLength(n - 1, newScore, newBase, newAddress, newLength);
            return n - 1;
        }
        final int total = prefix[n];
        int middle = 1;
        while (middle < n - 1 && prefix[middle] < total / 2)
        {
            middle++;
        }
        for (int step = 0; step <= 2 * SEPARATOR_WINDOW; step++)
        {
            final int b = middle + ((step & 1) == 0 ? step / 2 : -(step + 1) / 2);
            if (b < 1 || b > n - 1 || prefix[b] > LEAF_CAPACITY || total - prefix[b] > LEAF_CAPACITY ||
                (step > 0 && (prefix[b] < LEAF_MIN_USED || total - prefix[b] < LEAF_MIN_USED)))
            {
                continue;
            }
            final int length = separatorLength(b, newScore, newBase, newAddress, newLength);
            if (length <= KEY_INLINE_MAX)
            {
                sepLength = length;
                return b;
            }
        }
        sepLength = separatorLength(middle, newScore, newBase, newAddress, newLength);
        return middle;
    }

    /**
     * Keep the separator of the boundary {@link #chooseBoundary} chose (the right key's score and the first
     * {@link #sepLength} bytes of its member) before entries move: inline in a heap scratch, or in a block of
     * its own. @return false when that block cannot be had.
     */
    private boolean captureSeparator(final int boundary)
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

    // ------------------------------------------------------------------------------------------------
    // delete

    /** Delete (score, member) if present. @return whether it was. */
    public boolean delete(final double score, final Object base, final long address, final int length)
    {
        requireWrapped();
        cursor.invalidateIn(root.handle());
        if (root.height() == 0)
        {
            return false;
        }
        target(MODE_FULL, false, normalise(score), base, address, length);
        descend();
        final int pos = leafBelow(leaf);
        if (pos == leaf.count() || !equalsTarget(leaf, pos))
        {
            return false;
        }
        long owned = root.bytesOwned();
        if (leaf.outOfLine(pos))
        {
            memory.free(leaf.memberHandle(pos), leaf.memberLength(pos));
            owned -= memory.blockBytes(leaf.memberLength(pos));
        }
        leaf.remove(pos, pos + 1);
        final int height = root.height();
        for (int d = 0; d < height - 1; d++)
        {
            inner.at(pathNode[d]);
            inner.subtreeCount(pathIndex[d], inner.subtreeCount(pathIndex[d]) - 1);
        }
        root.size(root.size() - 1);
        if (height == 1)
        {
            if (leaf.count() == 0)
            {
                memory.free(leaf.handle(), LEAF_BYTES);
                owned -= memory.blockBytes(LEAF_BYTES);
                root.top(NULL_HANDLE, 0);
                root.firstLeaf(NULL_HANDLE);
                root.lastLeaf(NULL_HANDLE);
            }
        }
        else if (leaf.used() < LEAF_MIN_USED)
        {
            owned += rebalanceLeaf(height);
        }
        root.bytesOwned(owned);
        return true;
    }

    /**
     * A leaf under a quarter full after a delete: merge it with a neighbour under the same parent when both fit
     * in one leaf, else share their bytes evenly. @return the change in bytes owned.
     */
    private long rebalanceLeaf(final int height)
    {
        final int depth = height - 2;
        inner.at(pathNode[depth]);
        final int a = pathIndex[depth] + 1 < inner.count() ? pathIndex[depth] : pathIndex[depth] - 1;
        final int b = a + 1;
        nodesVisited += 2;
        leaf.wrap(inner.child(a), inner.subtreeCount(a));
        leafB.wrap(inner.child(b), inner.subtreeCount(b));
        long owned = 0;
        if (leaf.used() + leafB.used() <= LEAF_CAPACITY)
        {
            leaf.append(leafB, 0, leafB.count());
            final long next = leafB.next();
            leaf.next(next);
            if (next != NULL_HANDLE)
            {
                nodesVisited++;
                leafX.wrap(next, -1).prev(leaf.handle());
            }
            else
            {
                root.lastLeaf(leaf.handle());
            }
            memory.free(leafB.handle(), LEAF_BYTES);
            owned -= memory.blockBytes(LEAF_BYTES);
            inner.subtreeCount(a, leaf.count());
            owned -= freeKey(inner, b);
            inner.remove(b, b + 1);
            return owned + rebalanceInner(depth, height);
        }
        seqIsSplit = false;
        final int n = leaf.count() + leafB.count();
        final int boundary = chooseBoundary(n, false, 0, null, 0, 0);
        if (!captureSeparator(boundary))
        {
            return 0; // no block for a long separator: the leaf stays under-full rather than fail a delete
        }
        owned += sepBlock == NULL_HANDLE ? 0 : memory.blockBytes(sepLength);
        final int leftCount = leaf.count();
        if (boundary < leftCount)
        {
            leafB.prepend(leaf, boundary, leftCount);
            leaf.remove(boundary, leftCount);
        }
        else
        {
            leaf.append(leafB, 0, boundary - leftCount);
            leafB.remove(0, boundary - leftCount);
        }
        owned -= freeKey(inner, b);
        writeSeparator(inner, b);
        inner.subtreeCount(a, leaf.count());
        inner.subtreeCount(b, leafB.count());
        return owned;
    }

    /**
     * The inner node at {@code depth} lost a child: the top gives way to its only child; any other node under a
     * quarter full merges with or borrows from a neighbour under the same parent, keys rotating through the
     * parent. @return the change in bytes owned.
     */
    private long rebalanceInner(final int depth, final int height)
    {
        inner.at(pathNode[depth]);
        if (depth == 0)
        {
            if (inner.count() > 1)
            {
                return 0;
            }
            root.top(inner.child(0), height - 1);
            memory.free(inner.handle(), INNER_BYTES);
            return -memory.blockBytes(INNER_BYTES);
        }
        if (inner.count() >= MIN_CHILDREN)
        {
            return 0;
        }
        inner.at(pathNode[depth - 1]);
        final int a = pathIndex[depth - 1] + 1 < inner.count() ? pathIndex[depth - 1] : pathIndex[depth - 1] - 1;
        final int b = a + 1;
        final int level = height - 1 - depth;
        wrapInner(innerA, inner.child(a), level, inner.subtreeCount(a));
        wrapInner(innerB, inner.child(b), level, inner.subtreeCount(b));
        final int countA = innerA.count();
        final int countB = innerB.count();
        if (countA + countB <= MAX_CHILDREN)
        {
            // B's first child gets the parent's key for B as its key: that key moves down, its block with it
            innerA.append(innerB, 0, countB);
            innerA.copyKey(countA, inner, b);
            inner.subtreeCount(a, inner.subtreeCount(a) + inner.subtreeCount(b));
            inner.remove(b, b + 1);
            memory.free(innerB.handle(), INNER_BYTES);
            return rebalanceInner(depth - 1, height) - memory.blockBytes(INNER_BYTES);
        }
        if (countA < countB)
        {
            final int k = (countB - countA) / 2;
            final long moved = innerB.counts(0, k);
            innerA.append(innerB, 0, k);
            innerA.copyKey(countA, inner, b);
            inner.copyKey(b, innerB, k);
            innerB.remove(0, k);
            innerB.clearKey(0);
            inner.subtreeCount(a, inner.subtreeCount(a) + moved);
            inner.subtreeCount(b, inner.subtreeCount(b) - moved);
        }
        else
        {
            final int k = (countA - countB) / 2;
            final long moved = innerA.counts(countA - k, countA);
            innerB.copyKey(0, inner, b);
            innerB.prepend(innerA, countA - k, countA);
            inner.copyKey(b, innerB, 0);
            innerB.clearKey(0);
            innerA.remove(countA - k, countA);
            inner.subtreeCount(a, inner.subtreeCount(a) - moved);
            inner.subtreeCount(b, inner.subtreeCount(b) + moved);
        }
        return 0;
    }

    /** Free key i's out-of-line block, if it has one. @return the bytes freed. */
    private long freeKey(final ScoreInnerFlyweight node, final int i)
    {
        final long block = node.keyBlock(i);
        if (block == 0)
        {
            return 0;
        }
        final int length = node.keyLength(i);
        memory.free(block, length);
        return memory.blockBytes(length);
    }

    // ------------------------------------------------------------------------------------------------
    // freeing

    /**
     * Free the tree {@code rootHandle} (which need not be the wrapped one) up to {@code maxBlocks} blocks per call,
     * resuming from a position kept in its root (which is marked as being freed: it can no longer be wrapped).
     * Leaves this instance wrapped on no tree. @return true when the whole tree, root included, is freed.
     */
    public boolean freeStep(final long rootHandle, final int maxBlocks)
    {
        wrapped = false;
        cursor.invalidateIn(rootHandle);
        return freer.freeStep(rootHandle, maxBlocks);
    }

    // ------------------------------------------------------------------------------------------------

    /**
     * A reusable cursor (one per tree instance) over the elements in order: valid until the tree it walks
     * changes. An insert, delete or free of that tree through this instance makes it invalid; queries, wraps
     * and changes to other trees leave it as it is (ZRANGESTORE may read one tree while it fills another, with
     * one instance). A change of the same tree through another instance is the caller's to avoid. It holds the
     * leaf's entry index, so stepping either way is O(1) and crossing to a neighbour leaf costs one index of
     * that leaf.
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
            leaf.wrap(handle, -1);
            if (leaf.count() == 0)
            {
                valid = false;
                throw ScoreLeafFlyweight.damaged(handle, "an empty leaf in a non-empty tree");
            }
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
