package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageMemory;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;
import static io.keelkv.engine.types.ScoreTree.OUT_OF_MEMORY;
import static io.keelkv.engine.types.ScoreTreeDescriptor.*;

/**
 * The writes of a {@link ScoreTree}: insert with its splits, delete with its rebalancing. Package-private:
 * {@link ScoreTree} is the API, and its descent (the path from the top to the leaf, in {@link ScoreTree#pathNode}
 * and {@link ScoreTree#pathIndex}, the leaf wrapped in its {@code leaf} view) is where every write starts.
 *
 * <p>Insert allocates every block a split can need before it changes anything: the member's block, the new
 * leaf, a separator's block ({@link ScoreSeparators}), one inner node per full ancestor and a new top, so
 * {@link ScoreTree#OUT_OF_MEMORY} leaves the tree as it was. A split moves the upper part of a leaf (or of a
 * full inner node) to the new right sibling; the parent gets the sibling with the separator as its key, and an
 * inner split pushes its right half's first key up the same way. An insert past the end of the last leaf, when
 * that leaf is full, starts a new leaf with it alone: ascending scores (a time series) then fill leaves whole.
 *
 * <p>Delete rebalances a leaf under a quarter full with a neighbour under the same parent: merge when both fit
 * in one leaf, else share the bytes evenly (a new separator). An inner node under a quarter of its children
 * merges with or borrows from a neighbour, keys rotating through the parent (a key and its block move, never
 * copied); the top gives way to its only child. A share whose separator needs a block that cannot be had is
 * skipped: the leaf stays under-full rather than a delete fail.
 */
final class ScoreTreeWriter
{
    private final PageMemory memory;
    private final ScoreTree tree;
    private final ScoreTreeRootFlyweight root;
    private final ScoreLeafFlyweight leaf;
    private final ScoreLeafFlyweight leafB;
    private final ScoreLeafFlyweight leafX;
    private final ScoreInnerFlyweight inner;
    private final ScoreInnerFlyweight innerA;
    private final ScoreInnerFlyweight innerB;
    private final ScoreSeparators separators;
    private final long[] pathNode;
    private final int[] pathIndex;
    // inner nodes allocated ahead of an insert's splits
    private final long[] spare = new long[MAX_HEIGHT + 1];

    ScoreTreeWriter(final PageMemory memory, final ScoreTree tree)
    {
        this.memory = memory;
        this.tree = tree;
        this.root = tree.root;
        this.leaf = tree.leaf;
        this.pathNode = tree.pathNode;
        this.pathIndex = tree.pathIndex;
        this.leafB = new ScoreLeafFlyweight(memory);
        this.leafX = new ScoreLeafFlyweight(memory);
        this.inner = new ScoreInnerFlyweight(memory);
        this.innerA = new ScoreInnerFlyweight(memory);
        this.innerB = new ScoreInnerFlyweight(memory);
        this.separators = new ScoreSeparators(memory);
    }

    /**
     * Insert (score, member); the caller guarantees the member is not in the tree. @return 1, or
     * {@link #OUT_OF_MEMORY} with the tree unchanged.
     */
    int insert(final double score, final Object base, final long address, final int length)
    {
        if (length < 0)
        {
            throw new IllegalArgumentException("member length " + length);
        }
        final double s = ScoreTree.normalise(score);
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
        tree.targetElement(s, base, address, length);
        tree.descend(false);
        final int height = root.height();
        final int pos = tree.leafBelow(leaf);
        if (leaf.space() + entrySpace(length) <= LEAF_CAPACITY)
        {
            leaf.insert(pos, s, base, address, length, memberBlock);
            for (int d = 0; d < height - 1; d++)
            {
                inner.at(pathNode[d]).addToSubtree(pathIndex[d], 1);
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
        // an append at the very end (ascending scores: a time series) leaves the full leaf full
        final boolean append = pos == leaf.count() && leaf.next() == NULL_HANDLE;
        final int boundary = separators.chooseForSplit(leaf, pos, append, score, base, address, length);
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
        boolean ok = newLeaf != NULL_HANDLE && separators.capture();
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
            separators.release();
            freeIfAllocated(newLeaf, LEAF_BYTES);
            freeIfAllocated(memberBlock, length);
            return OUT_OF_MEMORY;
        }
        long owned = memberBytes + memory.blockBytes(LEAF_BYTES) + (long)nodes * memory.blockBytes(INNER_BYTES) +
            separators.blockBytes();

        // the leaf: entries from the boundary on move to the new leaf, linked after it
        final long left = leaf.handle();
        final long next = leaf.next();
        leafB.init(newLeaf, left, next);
        if (next != NULL_HANDLE)
        {
            tree.nodesVisited++;
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
                    inner.at(pathNode[up]).addToSubtree(pathIndex[up], 1);
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
            leftCount = inner.total();
            pendingChild = right.handle();
            pendingCount = right.total();
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
            separators.write(dst, i);
        }
        else
        {
            dst.copyKey(i, carry, 0);
            carry.clearKey(0);
        }
    }

    private void freeIfAllocated(final long handle, final long length)
    {
        if (handle != NULL_HANDLE)
        {
            memory.free(handle, length);
        }
    }

    boolean delete(final double score, final Object base, final long address, final int length)
    {
        if (root.height() == 0)
        {
            return false;
        }
        tree.targetElement(ScoreTree.normalise(score), base, address, length);
        tree.descend(false);
        final int pos = tree.leafBelow(leaf);
        if (pos == leaf.count() || !tree.equalsTarget(leaf, pos))
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
            inner.at(pathNode[d]).addToSubtree(pathIndex[d], -1);
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
        else if (leaf.space() < LEAF_MIN_USED)
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
        tree.nodesVisited += 2;
        leaf.wrap(inner.child(a), inner.subtreeCount(a));
        leafB.wrap(inner.child(b), inner.subtreeCount(b));
        long owned = 0;
        if (leaf.space() + leafB.space() <= LEAF_CAPACITY)
        {
            leaf.append(leafB, 0, leafB.count());
            final long next = leafB.next();
            leaf.next(next);
            if (next != NULL_HANDLE)
            {
                tree.nodesVisited++;
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
        final int boundary = separators.chooseForPair(leaf, leafB);
        if (!separators.capture())
        {
            return 0; // no block for a long separator: the leaf stays under-full rather than fail a delete
        }
        owned += separators.blockBytes();
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
        separators.write(inner, b);
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
        tree.wrapInner(innerA, inner.child(a), level, inner.subtreeCount(a));
        tree.wrapInner(innerB, inner.child(b), level, inner.subtreeCount(b));
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
}
