package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageMemory;
import org.agrona.DirectBuffer;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;
import static io.keelkv.engine.types.QuicklistDescriptor.*;

/**
 * A paged quicklist (see {@link QuicklistDescriptor}): a doubly linked list of listpack nodes in page memory,
 * the list type's one encoding, as Redis 7.0 keeps every list. One instance is re-pointed with {@link #wrap}
 * at a root, never allocated per call; every write goes through {@link PageMemory}. A push or pop touches the
 * root and one node (two when a node is added or freed); index operations walk node counts from the nearer end.
 *
 * <p>Cursor. {@link #seek}, {@link #first}, {@link #last} point a cursor at an element; {@link #next} and
 * {@link #prev} move it; {@link #load} decodes it ({@link #isInteger}, {@link #integer}, or {@link #address}
 * and {@link #stringLength}, a raw page-memory range valid until the next write). {@link #deleteCurrent} and
 * {@link #replaceCurrent} write at the cursor.
 *
 * <p>The node structure under it (root words, node blocks, links, growth, split, copy and free) is
 * {@link QuicklistNodes}; this class is the list as the commands see it.
 *
 * <p>Node fill follows Redis 7.0's _quicklistNodeAllowInsert over {@code list-max-listpack-size} ({@code fill},
 * passed to each write): negative, a node's listpack bytes (4 KB .. 64 KB); positive, elements per node (and at
 * most 8 KB). No compression ({@code list-compress-depth} 0).
 */
public final class Quicklist
{
    private final QuicklistNodes nodes;

    // cursor
    private long node = NULL_HANDLE;
    private int position = ListpackFlyweight.NONE;
    private long nodeAddress;

    // the element decoded by load
    private boolean elementInteger;
    private long elementValue;
    private long elementAddress;
    private int elementLength;

    public Quicklist(final PageMemory memory)
    {
        this.nodes = new QuicklistNodes(memory);
    }

    // ------------------------------------------------------------------------------------------------
    // root

    /** A new empty list's root, or NULL_HANDLE when memory is exhausted; the list is then wrapped. */
    public long create()
    {
        node = NULL_HANDLE;
        return nodes.create();
    }

    /** Whether the block at {@code handle} carries the quicklist magic (what {@link LazyFree} dispatches on). */
    public static boolean isQuicklistRoot(final PageMemory memory, final long handle)
    {
        return QuicklistNodes.isRoot(memory, handle);
    }

    /** Point at the list rooted at {@code handle}, checked; throws {@link IllegalStateException} when unsound. */
    public Quicklist wrap(final long handle)
    {
        node = NULL_HANDLE;
        nodes.wrap(handle);
        return this;
    }

    /** Why the root is not a sound quicklist, or null. O(1): the words and the end nodes. */
    public String check()
    {
        return nodes.check();
    }

    public long rootHandle()
    {
        return nodes.root;
    }

    public long head()
    {
        return nodes.head();
    }

    public long tail()
    {
        return nodes.tail();
    }

    public long nodeCount()
    {
        return nodes.nodeCount();
    }

    /** LLEN. */
    public long length()
    {
        return nodes.length();
    }

    public static long nextNode(final PageMemory memory, final long node)
    {
        return memory.getLong(node + NEXT_OFFSET);
    }

    public long nextNode(final long n)
    {
        return nodes.nextNode(n);
    }

    public long prevNode(final long n)
    {
        return nodes.prevNode(n);
    }

    /** The block bytes of node {@code n} (MEMORY USAGE). */
    public long nodeBlockBytes(final long n)
    {
        return nodes.memory.blockCapacityBytes(n);
    }

    /** {@link QuicklistNodes#ensureCapacity}, the cursor following its node when that one moves. */
    private long grow(final long n, final long bytes)
    {
        final long moved = nodes.ensureCapacity(n, bytes);
        if (moved != NULL_HANDLE && node == n)
        {
            node = moved;
            nodeAddress = nodes.memory.address(moved);
        }
        return moved;
    }

    // ------------------------------------------------------------------------------------------------
    // push

    /**
     * LPUSH ({@code head}) or RPUSH of the bytes.
     *
     * @return false when memory ran out (the list is then unchanged).
     */
    public boolean push(final boolean head, final DirectBuffer src, final int offset, final int length, final int fill)
    {
        long n = head ? nodes.head() : nodes.tail();
        if (nodes.allowInsert(n, fill, length))
        {
            n = grow(n, nodes.lp(n).sizeAfterInsert(src, offset, length));
            if (n == NULL_HANDLE)
            {
                return false;
            }
            if (head)
            {
                nodes.lp(n).prepend(src, offset, length);
            }
            else
            {
                nodes.lp(n).append(src, offset, length);
            }
        }
        else
        {
            final long fresh = nodes.newNode(src, offset, length);
            if (fresh == NULL_HANDLE)
            {
                return false;
            }
            nodes.link(fresh, head ? NULL_HANDLE : nodes.tail(), head ? nodes.head() : NULL_HANDLE);
        }
        nodes.count(nodes.length() + 1);
        node = NULL_HANDLE;
        return true;
    }

    // ------------------------------------------------------------------------------------------------
    // cursor

    /** Point the cursor at the element at {@code index} (negative from the tail); false when out of range. */
    public boolean seek(final long index)
    {
        final long count = nodes.length();
        final long i = index < 0 ? count + index : index;
        if (i < 0 || i >= count)
        {
            node = NULL_HANDLE;
            return false;
        }
        if (i < count / 2 + 1)
        {
            long skipped = 0;
            for (long n = nodes.head(); n != NULL_HANDLE; n = nodes.nextNode(n))
            {
                final int c = nodes.elements(n);
                if (i < skipped + c)
                {
                    return at(n, nodes.lp(n).seek(i - skipped));
                }
                skipped += c;
            }
        }
        else
        {
            long skipped = 0;
            final long fromTail = count - 1 - i;
            for (long n = nodes.tail(); n != NULL_HANDLE; n = nodes.prevNode(n))
            {
                final int c = nodes.elements(n);
                if (fromTail < skipped + c)
                {
                    return at(n, nodes.lp(n).seek(-1 - (fromTail - skipped)));
                }
                skipped += c;
            }
        }
        throw new IllegalStateException("damaged quicklist: its nodes hold fewer than " + count + " elements");
    }

    public boolean first()
    {
        final long n = nodes.head();
        return n != NULL_HANDLE ? at(n, nodes.lp(n).first()) : at(NULL_HANDLE, ListpackFlyweight.NONE);
    }

    public boolean last()
    {
        final long n = nodes.tail();
        return n != NULL_HANDLE ? at(n, nodes.lp(n).last()) : at(NULL_HANDLE, ListpackFlyweight.NONE);
    }

    private boolean at(final long n, final int p)
    {
        if (n == NULL_HANDLE || p == ListpackFlyweight.NONE)
        {
            node = NULL_HANDLE;
            position = ListpackFlyweight.NONE;
            return false;
        }
        node = n;
        position = p;
        nodeAddress = nodes.memory.address(n);
        return true;
    }

    /** What {@link #visit} hands each element to: a string's bytes in page memory, or an integer. */
    public interface ElementVisitor
    {
        void string(long address, int length);

        void integer(long value);
    }

    /**
     * Visit up to {@code count} elements from the cursor's on, backwards when {@code reverse}, a node's listpack
     * at a time: one check and one address a node instead of a cursor step and a load an element (LRANGE's
     * replies). The cursor ends on the element after the last visited, or invalid. The visitor must not change
     * the list.
     */
    public void visit(final long count, final boolean reverse, final ElementVisitor visitor)
    {
        long left = count;
        while (left > 0 && node != NULL_HANDLE)
        {
            final ListpackFlyweight lp = nodes.lp(node);
            final long strings = nodeAddress + NODE_HEADER;
            int p = position;
            while (left > 0 && p != ListpackFlyweight.NONE)
            {
                lp.load(p);
                if (lp.isInteger())
                {
                    visitor.integer(lp.integer());
                }
                else
                {
                    visitor.string(strings + lp.stringOffset(), lp.stringLength());
                }
                left--;
                p = reverse ? lp.prev(p) : lp.next(p);
            }
            if (p != ListpackFlyweight.NONE)
            {
                at(node, p);
                return;
            }
            final long n = reverse ? nodes.prevNode(node) : nodes.nextNode(node);
            if (n == NULL_HANDLE)
            {
                at(NULL_HANDLE, ListpackFlyweight.NONE);
                return;
            }
            at(n, reverse ? nodes.lp(n).last() : nodes.lp(n).first());
        }
    }

    /** Move the cursor to the next element; false at the end. */
    public boolean next()
    {
        final int p = nodes.lp(node).next(position);
        if (p != ListpackFlyweight.NONE)
        {
            return at(node, p);
        }
        final long n = nodes.nextNode(node);
        return n == NULL_HANDLE ? at(NULL_HANDLE, p) : at(n, nodes.lp(n).first());
    }

    /** Move the cursor to the previous element; false at the start. */
    public boolean prev()
    {
        final int p = nodes.lp(node).prev(position);
        if (p != ListpackFlyweight.NONE)
        {
            return at(node, p);
        }
        final long n = nodes.prevNode(node);
        return n == NULL_HANDLE ? at(NULL_HANDLE, p) : at(n, nodes.lp(n).last());
    }

    public boolean valid()
    {
        return node != NULL_HANDLE;
    }

    /** Decode the element at the cursor. */
    public Quicklist load()
    {
        final ListpackFlyweight lp = nodes.lp(node);
        lp.load(position);
        elementInteger = lp.isInteger();
        if (elementInteger)
        {
            elementValue = lp.integer();
            elementAddress = 0;
            elementLength = 0;
        }
        else
        {
            elementValue = 0;
            elementAddress = nodeAddress + NODE_HEADER + lp.stringOffset();
            elementLength = lp.stringLength();
        }
        return this;
    }

    public boolean isInteger()
    {
        return elementInteger;
    }

    public long integer()
    {
        return elementValue;
    }

    public long address()
    {
        return elementAddress;
    }

    public int stringLength()
    {
        return elementLength;
    }

    /** Whether the element at the cursor equals the bytes (LREM, LPOS, LINSERT's pivot). */
    public boolean currentEquals(final DirectBuffer src, final int offset, final int length)
    {
        return nodes.lp(node).equalsBytes(position, src, offset, length);
    }

    /**
     * Delete the element at the cursor (its node freed when it empties); the cursor moves to the element that
     * followed it ({@code forward}) or preceded it, or becomes invalid.
     */
    public void deleteCurrent(final boolean forward)
    {
        final long n = node;
        final ListpackFlyweight lp = nodes.lp(n);
        final int p = position;
        final int before = forward ? ListpackFlyweight.NONE : lp.prev(p);
        final int after = lp.delete(p);
        nodes.count(nodes.length() - 1);
        if (lp.count() == 0)
        {
            final long neighbour = forward ? nodes.nextNode(n) : nodes.prevNode(n);
            nodes.unlinkAndFree(n);
            if (neighbour == NULL_HANDLE)
            {
                at(NULL_HANDLE, ListpackFlyweight.NONE);
            }
            else
            {
                at(neighbour, forward ? nodes.lp(neighbour).first() : nodes.lp(neighbour).last());
            }
            return;
        }
        if (forward)
        {
            if (after != ListpackFlyweight.NONE)
            {
                at(n, after);
            }
            else
            {
                final long next = nodes.nextNode(n);
                if (next == NULL_HANDLE)
                {
                    at(NULL_HANDLE, ListpackFlyweight.NONE);
                }
                else
                {
                    at(next, nodes.lp(next).first());
                }
            }
        }
        else if (before != ListpackFlyweight.NONE)
        {
            at(n, before);
        }
        else
        {
            final long prev = nodes.prevNode(n);
            if (prev == NULL_HANDLE)
            {
                at(NULL_HANDLE, ListpackFlyweight.NONE);
            }
            else
            {
                at(prev, nodes.lp(prev).last());
            }
        }
    }

    /** LSET at the cursor. @return false when memory ran out (unchanged). */
    public boolean replaceCurrent(final DirectBuffer src, final int offset, final int length)
    {
        final long n = grow(node, nodes.lp(node).sizeAfterReplace(position, src, offset, length));
        if (n == NULL_HANDLE)
        {
            return false;
        }
        nodes.lp(n).replace(position, src, offset, length);
        node = NULL_HANDLE;
        return true;
    }

    /**
     * LINSERT: the bytes before or after the element at the cursor, splitting its node when it is full (Redis's
     * _quicklistInsert). @return false when memory ran out (unchanged).
     */
    public boolean insertAtCurrent(final boolean after, final DirectBuffer src, final int offset, final int length,
        final int fill)
    {
        final long n = node;
        final int p = position;
        if (nodes.allowInsert(n, fill, length))
        {
            final long grown = grow(n, nodes.lp(n).sizeAfterInsert(src, offset, length));
            if (grown == NULL_HANDLE)
            {
                return false;
            }
            nodes.lp(grown).insert(p, after ? ListpackFlyweight.AFTER : ListpackFlyweight.BEFORE, src, offset, length);
            nodes.count(nodes.length() + 1);
            node = NULL_HANDLE;
            return true;
        }
        final ListpackFlyweight lp = nodes.lp(n);
        final boolean atTail = after && lp.next(p) == ListpackFlyweight.NONE;
        final boolean atHead = !after && lp.prev(p) == ListpackFlyweight.NONE;
        if (atTail && nodes.allowInsert(nodes.nextNode(n), fill, length))
        {
            final long next = grow(nodes.nextNode(n), nodes.lp(nodes.nextNode(n)).sizeAfterInsert(src, offset, length));
            if (next == NULL_HANDLE)
            {
                return false;
            }
            nodes.lp(next).prepend(src, offset, length);
        }
        else if (atHead && nodes.allowInsert(nodes.prevNode(n), fill, length))
        {
            final long prev = grow(nodes.prevNode(n), nodes.lp(nodes.prevNode(n)).sizeAfterInsert(src, offset, length));
            if (prev == NULL_HANDLE)
            {
                return false;
            }
            nodes.lp(prev).append(src, offset, length);
        }
        else
        {
            final long fresh = nodes.newNode(src, offset, length);
            if (fresh == NULL_HANDLE)
            {
                return false;
            }
            if (atTail || atHead)
            {
                nodes.link(fresh, atTail ? n : nodes.prevNode(n), atTail ? nodes.nextNode(n) : n);
            }
            else
            {
                // split: the elements from the insertion point on move to a node of their own after n
                final int from = after ? nodes.lp(n).next(p) : p;
                final long rest = nodes.splitAt(n, from);
                if (rest == NULL_HANDLE)
                {
                    nodes.memory.free(fresh, nodes.memory.blockCapacityBytes(fresh));
                    return false;
                }
                nodes.link(fresh, n, rest);
            }
        }
        nodes.count(nodes.length() + 1);
        node = NULL_HANDLE;
        return true;
    }

    // ------------------------------------------------------------------------------------------------
    // trims

    /** Delete the first {@code k} elements (LTRIM's head part); whole nodes are freed. */
    public void trimHead(final long k)
    {
        long left = k;
        while (left > 0 && nodes.head() != NULL_HANDLE)
        {
            final long n = nodes.head();
            final int c = nodes.elements(n);
            if (c <= left)
            {
                nodes.unlinkAndFree(n);
                nodes.count(nodes.length() - c);
                left -= c;
            }
            else
            {
                nodes.lp(n).deleteRange(0, left);
                nodes.count(nodes.length() - left);
                left = 0;
            }
        }
        node = NULL_HANDLE;
    }

    /** Delete the last {@code k} elements. */
    public void trimTail(final long k)
    {
        long left = k;
        while (left > 0 && nodes.tail() != NULL_HANDLE)
        {
            final long n = nodes.tail();
            final int c = nodes.elements(n);
            if (c <= left)
            {
                nodes.unlinkAndFree(n);
                nodes.count(nodes.length() - c);
                left -= c;
            }
            else
            {
                nodes.lp(n).deleteRange(c - left, left);
                nodes.count(nodes.length() - left);
                left = 0;
            }
        }
        node = NULL_HANDLE;
    }

    // ------------------------------------------------------------------------------------------------
    // lifecycle

    /**
     * A deep copy (COPY): every node's block copied. @return the new root, or NULL_HANDLE when memory ran out
     * (nothing is left allocated). Leaves this instance wrapped at the source.
     */
    public long copy()
    {
        node = NULL_HANDLE;
        return nodes.copy();
    }

    /**
     * Free up to {@code maxBlocks} nodes of the list at {@code rootHandle} from its head, and the root with the
     * last. @return true when everything is freed.
     */
    public boolean freeStep(final long rootHandle, final int maxBlocks)
    {
        node = NULL_HANDLE;
        return nodes.freeStep(rootHandle, maxBlocks);
    }

    /** Free a list no key holds, all at once (a failed COPY's). */
    public void free(final long rootHandle)
    {
        node = NULL_HANDLE;
        nodes.free(rootHandle);
    }
}
