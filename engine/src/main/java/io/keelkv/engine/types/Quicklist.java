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
 * <p>Node fill follows Redis 7.0's _quicklistNodeAllowInsert over {@code list-max-listpack-size} ({@code fill},
 * passed to each write): negative, a node's listpack bytes (4 KB .. 64 KB); positive, elements per node (and at
 * most 8 KB). No compression ({@code list-compress-depth} 0).
 */
public final class Quicklist
{
    private final PageMemory memory;
    private final PageRegion region;
    private final ListpackFlyweight listpack = new ListpackFlyweight();
    private long root = NULL_HANDLE;

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
        this.memory = memory;
        this.region = new PageRegion(memory);
    }

    // ------------------------------------------------------------------------------------------------
    // root

    /** A new empty list's root, or NULL_HANDLE when memory is exhausted; the list is then wrapped. */
    public long create()
    {
        final long handle = memory.allocate(LENGTH, false);
        if (handle == NULL_HANDLE)
        {
            return NULL_HANDLE;
        }
        memory.fill(handle, LENGTH, (byte)0);
        memory.putInt(handle + MAGIC_OFFSET, MAGIC);
        root = handle;
        node = NULL_HANDLE;
        return handle;
    }

    /** Whether the block at {@code handle} carries the quicklist magic (what {@link LazyFree} dispatches on). */
    public static boolean isQuicklistRoot(final PageMemory memory, final long handle)
    {
        memory.checkRange(handle, LENGTH);
        return memory.getInt(handle + MAGIC_OFFSET) == MAGIC;
    }

    /** Point at the list rooted at {@code handle}, checked; throws {@link IllegalStateException} when unsound. */
    public Quicklist wrap(final long handle)
    {
        memory.checkRange(handle, LENGTH);
        root = handle;
        node = NULL_HANDLE;
        final String problem = check();
        if (problem != null)
        {
            root = NULL_HANDLE;
            throw new IllegalStateException("damaged quicklist root at 0x" + Long.toHexString(handle) + ": " + problem);
        }
        return this;
    }

    /** Why the root is not a sound quicklist, or null. O(1): the words and the end nodes. */
    public String check()
    {
        if (memory.getInt(root + MAGIC_OFFSET) != MAGIC)
        {
            return "no quicklist magic";
        }
        final long nodes = nodeCount();
        final long count = length();
        final long head = head();
        final long tail = tail();
        if (nodes < 0 || count < nodes || (nodes == 0) != (head == NULL_HANDLE) || (nodes == 0) != (tail == NULL_HANDLE) ||
            (nodes == 0 && count != 0))
        {
            return "head 0x" + Long.toHexString(head) + ", tail 0x" + Long.toHexString(tail) + ", " + nodes +
                " nodes and " + count + " elements do not fit";
        }
        if (head != NULL_HANDLE)
        {
            final String problem = checkNode(head);
            if (problem != null)
            {
                return problem;
            }
            if (memory.getLong(head + PREV_OFFSET) != NULL_HANDLE)
            {
                return "head node has a previous node";
            }
            final String tailProblem = checkNode(tail);
            if (tailProblem != null)
            {
                return tailProblem;
            }
            if (memory.getLong(tail + NEXT_OFFSET) != NULL_HANDLE)
            {
                return "tail node has a next node";
            }
        }
        return null;
    }

    private String checkNode(final long handle)
    {
        final long capacity = memory.blockCapacityBytes(handle);
        if (capacity < NODE_HEADER + ListpackDescriptor.EMPTY_LENGTH)
        {
            return "node 0x" + Long.toHexString(handle) + " is not a block of a node's size";
        }
        final long total = memory.getInt(handle + NODE_HEADER) & 0xFFFFFFFFL;
        if (total < ListpackDescriptor.EMPTY_LENGTH + 1 || total > capacity - NODE_HEADER)
        {
            return "node 0x" + Long.toHexString(handle) + " holds a listpack of " + total + " bytes in " + capacity;
        }
        return null;
    }

    public long rootHandle()
    {
        return root;
    }

    public long head()
    {
        return memory.getLong(root + HEAD_OFFSET);
    }

    public long tail()
    {
        return memory.getLong(root + TAIL_OFFSET);
    }

    public long nodeCount()
    {
        return memory.getLong(root + NODES_OFFSET);
    }

    /** LLEN. */
    public long length()
    {
        return memory.getLong(root + COUNT_OFFSET);
    }

    private void count(final long count)
    {
        memory.putLong(root + COUNT_OFFSET, count);
    }

    private void nodes(final long nodes)
    {
        memory.putLong(root + NODES_OFFSET, nodes);
    }

    public static long nextNode(final PageMemory memory, final long node)
    {
        return memory.getLong(node + NEXT_OFFSET);
    }

    public long nextNode(final long n)
    {
        return memory.getLong(n + NEXT_OFFSET);
    }

    public long prevNode(final long n)
    {
        return memory.getLong(n + PREV_OFFSET);
    }

    /** The block bytes of node {@code n} (MEMORY USAGE). */
    public long nodeBlockBytes(final long n)
    {
        return memory.blockCapacityBytes(n);
    }

    /** The listpack of node {@code n}, wrapped over its block (checked). */
    private ListpackFlyweight lp(final long n)
    {
        final String problem = checkNode(n);
        if (problem != null)
        {
            throw new IllegalStateException("damaged quicklist: " + problem);
        }
        region.wrap(n + NODE_HEADER, (int)Math.min(Integer.MAX_VALUE, memory.blockCapacityBytes(n) - NODE_HEADER));
        return listpack.wrap(region);
    }

    private int nodeCount(final long n)
    {
        return lp(n).count();
    }

    // ------------------------------------------------------------------------------------------------
    // fill

    /** _quicklistNodeAllowInsert of Redis 7.0: may an element of {@code sz} bytes go into node {@code n}. */
    private boolean allowInsert(final long n, final int fillSetting, final long sz)
    {
        if (n == NULL_HANDLE)
        {
            return false;
        }
        final int fill = clampFill(fillSetting);
        final ListpackFlyweight lp = lp(n);
        int overhead = sz < 254 ? 1 : 5;
        overhead += sz < 64 ? 1 : sz < 16384 ? 2 : 5;
        final long newSize = lp.totalBytes() + sz + overhead;
        if (fill < 0)
        {
            final int offset = -fill - 1;
            if (newSize <= OPTIMIZATION_LEVEL[offset])
            {
                return true;
            }
        }
        if (newSize > SIZE_SAFETY_LIMIT)
        {
            return false;
        }
        return lp.count() < fill;
    }

    private static int clampFill(final int fill)
    {
        return fill > FILL_MAX ? FILL_MAX : Math.max(fill, -5);
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
        long n = head ? head() : tail();
        if (allowInsert(n, fill, length))
        {
            n = ensureCapacity(n, lp(n).sizeAfterInsert(src, offset, length));
            if (n == NULL_HANDLE)
            {
                return false;
            }
            if (head)
            {
                lp(n).prepend(src, offset, length);
            }
            else
            {
                lp(n).append(src, offset, length);
            }
        }
        else
        {
            final long fresh = newNode(src, offset, length);
            if (fresh == NULL_HANDLE)
            {
                return false;
            }
            link(fresh, head ? NULL_HANDLE : tail(), head ? head() : NULL_HANDLE);
        }
        count(length() + 1);
        node = NULL_HANDLE;
        return true;
    }

    /** A node holding one element (unlinked). */
    private long newNode(final DirectBuffer src, final int offset, final int length)
    {
        final long bytes = NODE_HEADER + ListpackDescriptor.EMPTY_LENGTH + (long)length + 16;
        final long n = memory.allocate(bytes, false);
        if (n == NULL_HANDLE)
        {
            return NULL_HANDLE;
        }
        memory.putLong(n + PREV_OFFSET, NULL_HANDLE);
        memory.putLong(n + NEXT_OFFSET, NULL_HANDLE);
        region.wrap(n + NODE_HEADER, (int)Math.min(Integer.MAX_VALUE, memory.blockCapacityBytes(n) - NODE_HEADER));
        listpack.wrap(region).init();
        listpack.append(src, offset, length);
        return n;
    }

    /** Link the unlinked node {@code n} between {@code prev} and {@code next} (either may be none). */
    private void link(final long n, final long prev, final long next)
    {
        memory.putLong(n + PREV_OFFSET, prev);
        memory.putLong(n + NEXT_OFFSET, next);
        if (prev == NULL_HANDLE)
        {
            memory.putLong(root + HEAD_OFFSET, n);
        }
        else
        {
            memory.putLong(prev + NEXT_OFFSET, n);
        }
        if (next == NULL_HANDLE)
        {
            memory.putLong(root + TAIL_OFFSET, n);
        }
        else
        {
            memory.putLong(next + PREV_OFFSET, n);
        }
        nodes(nodeCount() + 1);
    }

    /** Unlink node {@code n} and free its block. */
    private void unlinkAndFree(final long n)
    {
        final long prev = prevNode(n);
        final long next = nextNode(n);
        if (prev == NULL_HANDLE)
        {
            memory.putLong(root + HEAD_OFFSET, next);
        }
        else
        {
            memory.putLong(prev + NEXT_OFFSET, next);
        }
        if (next == NULL_HANDLE)
        {
            memory.putLong(root + TAIL_OFFSET, prev);
        }
        else
        {
            memory.putLong(next + PREV_OFFSET, prev);
        }
        nodes(nodeCount() - 1);
        memory.free(n, memory.blockCapacityBytes(n));
    }

    /**
     * Node {@code n} with room for a listpack of {@code bytes}: itself, or a bigger copy in its place (the
     * neighbours and the root re-pointed). NULL_HANDLE when memory ran out (n is then unchanged).
     */
    private long ensureCapacity(final long n, final long bytes)
    {
        final long capacity = memory.blockCapacityBytes(n) - NODE_HEADER;
        if (bytes <= capacity)
        {
            return n;
        }
        final long moved = memory.allocate(NODE_HEADER + bytes + (bytes >>> 3), false);
        if (moved == NULL_HANDLE)
        {
            return NULL_HANDLE;
        }
        final long used = memory.getInt(n + NODE_HEADER) & 0xFFFFFFFFL;
        memory.copy(moved, n, NODE_HEADER + used);
        final long prev = prevNode(n);
        final long next = nextNode(n);
        memory.putLong(prev == NULL_HANDLE ? root + HEAD_OFFSET : prev + NEXT_OFFSET, moved);
        memory.putLong(next == NULL_HANDLE ? root + TAIL_OFFSET : next + PREV_OFFSET, moved);
        memory.free(n, capacity + NODE_HEADER);
        if (node == n)
        {
            node = moved;
            nodeAddress = memory.address(moved);
        }
        return moved;
    }

    // ------------------------------------------------------------------------------------------------
    // cursor

    /** Point the cursor at the element at {@code index} (negative from the tail); false when out of range. */
    public boolean seek(final long index)
    {
        final long count = length();
        final long i = index < 0 ? count + index : index;
        if (i < 0 || i >= count)
        {
            node = NULL_HANDLE;
            return false;
        }
        if (i < count / 2 + 1)
        {
            long skipped = 0;
            for (long n = head(); n != NULL_HANDLE; n = nextNode(n))
            {
                final int c = nodeCount(n);
                if (i < skipped + c)
                {
                    return at(n, listpack.seek(i - skipped));
                }
                skipped += c;
            }
        }
        else
        {
            long skipped = 0;
            final long fromTail = count - 1 - i;
            for (long n = tail(); n != NULL_HANDLE; n = prevNode(n))
            {
                final int c = nodeCount(n);
                if (fromTail < skipped + c)
                {
                    return at(n, listpack.seek(-1 - (fromTail - skipped)));
                }
                skipped += c;
            }
        }
        throw new IllegalStateException("damaged quicklist: its nodes hold fewer than " + count + " elements");
    }

    public boolean first()
    {
        final long n = head();
        return n != NULL_HANDLE ? at(n, lp(n).first()) : at(NULL_HANDLE, ListpackFlyweight.NONE);
    }

    public boolean last()
    {
        final long n = tail();
        return n != NULL_HANDLE ? at(n, lp(n).last()) : at(NULL_HANDLE, ListpackFlyweight.NONE);
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
        nodeAddress = memory.address(n);
        return true;
    }

    /** Move the cursor to the next element; false at the end. */
    public boolean next()
    {
        final int p = lp(node).next(position);
        if (p != ListpackFlyweight.NONE)
        {
            return at(node, p);
        }
        final long n = nextNode(node);
        return n == NULL_HANDLE ? at(NULL_HANDLE, p) : at(n, lp(n).first());
    }

    /** Move the cursor to the previous element; false at the start. */
    public boolean prev()
    {
        final int p = lp(node).prev(position);
        if (p != ListpackFlyweight.NONE)
        {
            return at(node, p);
        }
        final long n = prevNode(node);
        return n == NULL_HANDLE ? at(NULL_HANDLE, p) : at(n, lp(n).last());
    }

    public boolean valid()
    {
        return node != NULL_HANDLE;
    }

    /** Decode the element at the cursor. */
    public Quicklist load()
    {
        final ListpackFlyweight lp = lp(node);
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
        return lp(node).equalsBytes(position, src, offset, length);
    }

    /**
     * Delete the element at the cursor (its node freed when it empties); the cursor moves to the element that
     * followed it ({@code forward}) or preceded it, or becomes invalid.
     */
    public void deleteCurrent(final boolean forward)
    {
        final long n = node;
        final ListpackFlyweight lp = lp(n);
        final int p = position;
        final int before = forward ? ListpackFlyweight.NONE : lp.prev(p);
        final int after = lp.delete(p);
        count(length() - 1);
        if (lp.count() == 0)
        {
            final long neighbour = forward ? nextNode(n) : prevNode(n);
            unlinkAndFree(n);
            if (neighbour == NULL_HANDLE)
            {
                at(NULL_HANDLE, ListpackFlyweight.NONE);
            }
            else
            {
                at(neighbour, forward ? lp(neighbour).first() : lp(neighbour).last());
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
                final long next = nextNode(n);
                if (next == NULL_HANDLE)
                {
                    at(NULL_HANDLE, ListpackFlyweight.NONE);
                }
                else
                {
                    at(next, lp(next).first());
                }
            }
        }
        else if (before != ListpackFlyweight.NONE)
        {
            at(n, before);
        }
        else
        {
            final long prev = prevNode(n);
            if (prev == NULL_HANDLE)
            {
                at(NULL_HANDLE, ListpackFlyweight.NONE);
            }
            else
            {
                at(prev, lp(prev).last());
            }
        }
    }

    /** LSET at the cursor. @return false when memory ran out (unchanged). */
    public boolean replaceCurrent(final DirectBuffer src, final int offset, final int length)
    {
        final long n = ensureCapacity(node, lp(node).sizeAfterReplace(position, src, offset, length));
        if (n == NULL_HANDLE)
        {
            return false;
        }
        lp(n).replace(position, src, offset, length);
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
        if (allowInsert(n, fill, length))
        {
            final long grown = ensureCapacity(n, lp(n).sizeAfterInsert(src, offset, length));
            if (grown == NULL_HANDLE)
            {
                return false;
            }
            lp(grown).insert(p, after ? ListpackFlyweight.AFTER : ListpackFlyweight.BEFORE, src, offset, length);
            count(length() + 1);
            node = NULL_HANDLE;
            return true;
        }
        final ListpackFlyweight lp = lp(n);
        final boolean atTail = after && lp.next(p) == ListpackFlyweight.NONE;
        final boolean atHead = !after && lp.prev(p) == ListpackFlyweight.NONE;
        if (atTail && allowInsert(nextNode(n), fill, length))
        {
            final long next = ensureCapacity(nextNode(n), lp(nextNode(n)).sizeAfterInsert(src, offset, length));
            if (next == NULL_HANDLE)
            {
                return false;
            }
            lp(next).prepend(src, offset, length);
        }
        else if (atHead && allowInsert(prevNode(n), fill, length))
        {
            final long prev = ensureCapacity(prevNode(n), lp(prevNode(n)).sizeAfterInsert(src, offset, length));
            if (prev == NULL_HANDLE)
            {
                return false;
            }
            lp(prev).append(src, offset, length);
        }
        else
        {
            final long fresh = newNode(src, offset, length);
            if (fresh == NULL_HANDLE)
            {
                return false;
            }
            if (atTail || atHead)
            {
                link(fresh, atTail ? n : prevNode(n), atTail ? nextNode(n) : n);
            }
            else
            {
                // split: the elements from the insertion point on move to a node of their own after n
                final int from = after ? lp(n).next(p) : p;
                final long rest = splitAt(n, from);
                if (rest == NULL_HANDLE)
                {
                    memory.free(fresh, memory.blockCapacityBytes(fresh));
                    return false;
                }
                link(fresh, n, rest);
            }
        }
        count(length() + 1);
        node = NULL_HANDLE;
        return true;
    }

    /** Move the elements of node {@code n} from offset {@code from} on into a new node linked after it. */
    private long splitAt(final long n, final int from)
    {
        final ListpackFlyweight lp = lp(n);
        final int total = lp.totalBytes();
        final int bytes = total - 1 - from;
        int moving = 0;
        for (int q = from; q != ListpackFlyweight.NONE; q = lp.next(q))
        {
            moving++;
        }
        final int keep = lp.count() - moving;
        final long rest = memory.allocate(NODE_HEADER + ListpackDescriptor.EMPTY_LENGTH + bytes, false);
        if (rest == NULL_HANDLE)
        {
            return NULL_HANDLE;
        }
        final long lpBase = rest + NODE_HEADER;
        memory.putInt(lpBase + ListpackDescriptor.TOTAL_BYTES_OFFSET, ListpackDescriptor.EMPTY_LENGTH + bytes);
        final int headerCount = Math.min(moving, ListpackDescriptor.COUNT_UNKNOWN);
        memory.putByte(lpBase + ListpackDescriptor.COUNT_OFFSET, (byte)headerCount);
        memory.putByte(lpBase + ListpackDescriptor.COUNT_OFFSET + 1, (byte)(headerCount >>> 8));
        memory.copy(lpBase + ListpackDescriptor.HEADER_LENGTH, n + NODE_HEADER + from, bytes);
        memory.putByte(lpBase + ListpackDescriptor.HEADER_LENGTH + bytes, (byte)ListpackDescriptor.EOF);
        lp(n).deleteRange(keep, moving);
        link(rest, n, nextNode(n));
        return rest;
    }

    // ------------------------------------------------------------------------------------------------
    // trims

    /** Delete the first {@code k} elements (LTRIM's head part); whole nodes are freed. */
    public void trimHead(final long k)
    {
        long left = k;
        while (left > 0 && head() != NULL_HANDLE)
        {
            final long n = head();
            final int c = nodeCount(n);
            if (c <= left)
            {
                unlinkAndFree(n);
                count(length() - c);
                left -= c;
            }
            else
            {
                lp(n).deleteRange(0, left);
                count(length() - left);
                left = 0;
            }
        }
        node = NULL_HANDLE;
    }

    /** Delete the last {@code k} elements. */
    public void trimTail(final long k)
    {
        long left = k;
        while (left > 0 && tail() != NULL_HANDLE)
        {
            final long n = tail();
            final int c = nodeCount(n);
            if (c <= left)
            {
                unlinkAndFree(n);
                count(length() - c);
                left -= c;
            }
            else
            {
                lp(n).deleteRange(c - left, left);
                count(length() - left);
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
        final long source = root;
        final long copy = create();
        if (copy == NULL_HANDLE)
        {
            root = source;
            return NULL_HANDLE;
        }
        long prevCopy = NULL_HANDLE;
        for (long n = memory.getLong(source + HEAD_OFFSET); n != NULL_HANDLE; n = memory.getLong(n + NEXT_OFFSET))
        {
            final long used = memory.getInt(n + NODE_HEADER) & 0xFFFFFFFFL;
            final long c = memory.allocate(NODE_HEADER + used, false);
            if (c == NULL_HANDLE)
            {
                free(copy);
                root = source;
                return NULL_HANDLE;
            }
            memory.copy(c + NODE_HEADER, n + NODE_HEADER, used);
            root = copy;
            link(c, prevCopy, NULL_HANDLE);
            count(length() + nodeCount(c));
            prevCopy = c;
        }
        root = source;
        node = NULL_HANDLE;
        return copy;
    }

    /**
     * Free up to {@code maxBlocks} nodes of the list at {@code rootHandle} from its head, and the root with the
     * last. @return true when everything is freed.
     */
    public boolean freeStep(final long rootHandle, final int maxBlocks)
    {
        wrap(rootHandle);
        for (int i = 0; i < maxBlocks; i++)
        {
            final long n = head();
            if (n == NULL_HANDLE)
            {
                break;
            }
            final int c = nodeCount(n);
            unlinkAndFree(n);
            count(length() - c);
        }
        if (head() == NULL_HANDLE)
        {
            memory.free(rootHandle, LENGTH);
            root = NULL_HANDLE;
            return true;
        }
        return false;
    }

    /** Free a list no key holds, all at once (a failed COPY's). */
    public void free(final long rootHandle)
    {
        while (!freeStep(rootHandle, Integer.MAX_VALUE))
        {
            // one call frees everything
        }
    }
}
