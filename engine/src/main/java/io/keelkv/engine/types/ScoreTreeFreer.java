package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageMemory;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;
import static io.keelkv.engine.types.ScoreTreeDescriptor.*;

/**
 * The stepped free of a {@link ScoreTree} (see {@link ScoreTree#freeStep}): the lazy free of a big sorted set's
 * tree, a bounded number of blocks per event-loop pass. Package-private: {@link ScoreTree} is the API.
 *
 * <p>Why this shape. A depth-first walk whose position is kept in the tree's root: per depth, the child being
 * freed ({@link ScoreTreeDescriptor#FREE_PATH_OFFSET}), and in the leaf being freed, the next entry whose
 * out-of-line member is to go ({@link ScoreTreeDescriptor#FREE_MEMBER_OFFSET}). Each call descends from the top
 * along that path (a few node reads), so any number of trees can be mid-free with one instance and the root
 * alone says where to go on. Nodes are only read, never written: the only page writes are the root's position
 * and the allocator's own, so during a snapshot a tree being freed has no node page copied for nothing. A node
 * is freed after all its children; an inner node's out-of-line keys go with it (a node has at most
 * {@link ScoreTreeDescriptor#MAX_CHILDREN} of them, so a call frees at most that many blocks past its budget).
 */
final class ScoreTreeFreer
{
    private final PageMemory memory;
    private final ScoreTreeRootFlyweight root;
    private final ScoreInnerFlyweight inner;
    private final ScoreLeafFlyweight leaf;

    ScoreTreeFreer(final PageMemory memory)
    {
        this.memory = memory;
        this.root = new ScoreTreeRootFlyweight(memory);
        this.inner = new ScoreInnerFlyweight(memory);
        this.leaf = new ScoreLeafFlyweight(memory);
    }

    boolean freeStep(final long rootHandle, final int maxBlocks)
    {
        if (maxBlocks < 1)
        {
            throw new IllegalArgumentException("maxBlocks " + maxBlocks);
        }
        root.wrap(rootHandle);
        if (!root.isFreeing())
        {
            root.startFreeing();
        }
        int blocks = maxBlocks;
        while (blocks > 0)
        {
            final int height = root.height();
            if (height == 0)
            {
                memory.free(rootHandle, ROOT_LENGTH);
                return true;
            }
            long node = root.top();
            int depth = 0;
            boolean freedInner = false;
            while (depth < height - 1)
            {
                inner.wrap(node, height - 1 - depth, -1);
                final int i = root.freePath(depth);
                if (i < inner.count())
                {
                    node = inner.child(i);
                    depth++;
                    continue;
                }
                for (int k = 1; k < inner.count(); k++)
                {
                    final long block = inner.keyBlock(k);
                    if (block != 0)
                    {
                        memory.free(block, inner.keyLength(k));
                        blocks--;
                    }
                }
                memory.free(node, INNER_BYTES);
                blocks--;
                finished(depth);
                freedInner = true;
                break;
            }
            if (freedInner)
            {
                continue;
            }
            leaf.wrap(node, -1);
            int m = root.freeMember();
            while (m < leaf.count() && blocks > 0)
            {
                if (leaf.outOfLine(m))
                {
                    memory.free(leaf.memberHandle(m), leaf.memberLength(m));
                    blocks--;
                }
                m++;
            }
            if (m < leaf.count())
            {
                root.freeMember(m);
                return false;
            }
            root.freeMember(0);
            if (blocks == 0)
            {
                // the leaf itself goes first thing next call: its members are all freed, the index says so
                root.freeMember(leaf.count());
                return false;
            }
            memory.free(node, LEAF_BYTES);
            blocks--;
            finished(depth);
        }
        return false;
    }

    /** The node at {@code depth} is freed: its parent moves to its next child, or the tree is now empty. */
    private void finished(final int depth)
    {
        root.freePath(depth, 0);
        if (depth == 0)
        {
            root.top(NULL_HANDLE, 0);
            root.size(0);
            root.firstLeaf(NULL_HANDLE);
            root.lastLeaf(NULL_HANDLE);
            return;
        }
        root.freePath(depth - 1, root.freePath(depth - 1) + 1);
    }
}
