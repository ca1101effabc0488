package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageMemory;
import org.agrona.DirectBuffer;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;
import static io.keelkv.engine.types.QuicklistDescriptor.*;

/**
 * The node structure of a paged quicklist (see {@link QuicklistDescriptor}): the root's words, the node blocks
 * and their links, a node's growth (reallocated in its place), its split, and the list's copy and stepped free.
 * {@link Quicklist} is the list's one public view: its pushes, cursor and edits are written over these.
 *
 * <p>Every write goes through {@link PageMemory}. A node is checked ({@link #checkNode}) before its listpack is
 * read, so damaged memory throws {@link IllegalStateException} instead of reading outside a block. Nothing here
 * knows a cursor: an operation that moves a node ({@link #ensureCapacity}) returns the new handle and the
 * caller re-points what it holds.
 */
final class QuicklistNodes
{
    final PageMemory memory;
    private final PageRegion region;
    // the root's words, through a view checked when it was wrapped (wrap); memory's own accessors otherwise
    private final PageRegion rootView;
    private long rootViewAtReleases;
    private final ListpackFlyweight listpack = new ListpackFlyweight();
    // the node the listpack view is over, checked while the memory's release count was wrappedAtReleases
    private long wrappedNode = NULL_HANDLE;
    private long wrappedAtReleases;
    long root = NULL_HANDLE;
    // the root wrap last found sound, while the memory's release count was checkedRootAtReleases
    private long checkedRoot = NULL_HANDLE;
    private long checkedRootAtReleases;

    QuicklistNodes(final PageMemory memory)
    {
        this.memory = memory;
        this.region = new PageRegion(memory);
        this.rootView = new PageRegion(memory);
    }

    // ------------------------------------------------------------------------------------------------
    // root

    /** A new empty list's root, which becomes the current one, or NULL_HANDLE when memory is exhausted. */
    long create()
    {
        final long handle = memory.allocate(LENGTH, false);
        if (handle == NULL_HANDLE)
        {
            return NULL_HANDLE;
        }
        memory.fill(handle, LENGTH, (byte)0);
        memory.putInt(handle + MAGIC_OFFSET, MAGIC);
        root = handle;
        return handle;
    }

    static boolean isRoot(final PageMemory memory, final long handle)
    {
        memory.checkRange(handle, LENGTH);
        return memory.getInt(handle + MAGIC_OFFSET) == MAGIC;
    }

    /**
     * Point at the list rooted at {@code handle}, checked; throws {@link IllegalStateException} when unsound. The
     * root last checked is not checked again while no block was released since (as {@link #lp} keeps its node
     * view): only this code has written it in between, and a load, reset or free counts as a release. The
     * check reads ten words through the guard; a push to the same list reads it every time.
     */
    void wrap(final long handle)
    {
        if (handle == checkedRoot && memory.blockReleases() == checkedRootAtReleases)
        {
            root = handle;
            if (rootView.handle() != handle || rootViewAtReleases != checkedRootAtReleases)
            {
                wrapRootView(handle);
            }
            return;
        }
        memory.checkRange(handle, LENGTH);
        root = handle;
        final String problem = check();
        if (problem != null)
        {
            root = NULL_HANDLE;
            checkedRoot = NULL_HANDLE;
            throw new IllegalStateException("damaged quicklist root at 0x" + Long.toHexString(handle) + ": " + problem);
        }
        checkedRoot = handle;
        checkedRootAtReleases = memory.blockReleases();
        wrapRootView(handle);
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

    String checkNode(final long handle)
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

    long head()
    {
        return rootWord(HEAD_OFFSET);
    }

    long tail()
    {
        return rootWord(TAIL_OFFSET);
    }

    long nodeCount()
    {
        return rootWord(NODES_OFFSET);
    }

    long length()
    {
        return rootWord(COUNT_OFFSET);
    }

    void count(final long count)
    {
        rootWord(COUNT_OFFSET, count);
    }

    private void nodes(final long nodes)
    {
        rootWord(NODES_OFFSET, nodes);
    }

    /**
     * A word of the current root: through the view when it was checked over this root with no block released
     * since (a freed page may come back at another address), else through the guarded accessors. A push reads
     * four and writes one.
     */
    private long rootWord(final int offset)
    {
        return rootViewCurrent() ? rootView.getLong(offset) : memory.getLong(root + offset);
    }

    private void rootWord(final int offset, final long value)
    {
        if (rootViewCurrent())
        {
            rootView.putLong(offset, value);
        }
        else
        {
            memory.putLong(root + offset, value);
        }
    }

    private boolean rootViewCurrent()
    {
        return root != NULL_HANDLE && rootView.handle() == root && memory.blockReleases() == rootViewAtReleases;
    }

    private void wrapRootView(final long handle)
    {
        rootView.wrap(handle, LENGTH);
        rootViewAtReleases = memory.blockReleases();
    }

    long nextNode(final long n)
    {
        return memory.getLong(n + NEXT_OFFSET);
    }

    long prevNode(final long n)
    {
        return memory.getLong(n + PREV_OFFSET);
    }

    /** The listpack of node {@code n}, wrapped over its block (checked). */
    ListpackFlyweight lp(final long n)
    {
        if (n == wrappedNode && memory.blockReleases() == wrappedAtReleases)
        {
            // checked already, and no block was released since: its bounds hold. A cursor walking a node asks
            // for it once per element (LRANGE: three times), and the check was half of LRANGE 600's time
            return listpack;
        }
        final String problem = checkNode(n);
        if (problem != null)
        {
            throw new IllegalStateException("damaged quicklist: " + problem);
        }
        return wrapOver(n);
    }

    /** The listpack view over node {@code n}'s block, remembered as checked while no block is released. */
    private ListpackFlyweight wrapOver(final long n)
    {
        region.wrap(n + NODE_HEADER, (int)Math.min(Integer.MAX_VALUE, memory.blockCapacityBytes(n) - NODE_HEADER));
        wrappedNode = n;
        wrappedAtReleases = memory.blockReleases();
        return listpack.wrap(region);
    }

    /** The elements of node {@code n}. */
    int elements(final long n)
    {
        return lp(n).count();
    }

    // ------------------------------------------------------------------------------------------------
    // fill

    /** _quicklistNodeAllowInsert of Redis 7.0: may an element of {@code sz} bytes go into node {@code n}. */
    boolean allowInsert(final long n, final int fillSetting, final long sz)
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
    // nodes

    /** A node holding one element (unlinked). */
    long newNode(final DirectBuffer src, final int offset, final int length)
    {
        final long bytes = NODE_HEADER + ListpackDescriptor.EMPTY_LENGTH + (long)length + 16;
        final long n = memory.allocate(bytes, false);
        if (n == NULL_HANDLE)
        {
            return NULL_HANDLE;
        }
        memory.putLong(n + PREV_OFFSET, NULL_HANDLE);
        memory.putLong(n + NEXT_OFFSET, NULL_HANDLE);
        wrapOver(n).init();
        listpack.append(src, offset, length);
        return n;
    }

    /** Link the unlinked node {@code n} between {@code prev} and {@code next} (either may be none). */
    void link(final long n, final long prev, final long next)
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
    void unlinkAndFree(final long n)
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
     * neighbours and the root re-pointed). NULL_HANDLE when memory ran out (n is then unchanged). A cursor on n must follow the move.
     */
    long ensureCapacity(final long n, final long bytes)
    {
        lp(n); // the node's checked view: its region's capacity is the block's, less the header (wrapOver)
        final long capacity = region.capacity();
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
        return moved;
    }

    /** Move the elements of node {@code n} from offset {@code from} on into a new node linked after it. */
    long splitAt(final long n, final int from)
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
            count(length() + elements(c));
            prevCopy = c;
        }
        root = source;
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
            final int c = elements(n);
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
