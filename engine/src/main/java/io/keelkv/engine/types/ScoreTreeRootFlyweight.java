package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageMemory;
import org.agrona.UnsafeApi;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;
import static io.keelkv.engine.types.ScoreTreeDescriptor.*;

/**
 * A view over a score tree's root block (see {@link ScoreTreeDescriptor}); re-pointed with {@link #wrap}. Nothing
 * is cached on the heap: the root in the pages is the only copy. {@link #wrap} checks the block's size, the
 * magic, the flags and that size, height and the node handles agree (an empty tree has no nodes, a non-empty
 * one has a top node and both end leaves); the nodes themselves are checked as the descent wraps them.
 */
final class ScoreTreeRootFlyweight
{
    private final PageMemory memory;
    private long handle;
    private long address;

    ScoreTreeRootFlyweight(final PageMemory memory)
    {
        this.memory = memory;
    }

    ScoreTreeRootFlyweight wrap(final long handle)
    {
        if (memory.blockCapacityBytes(handle) < ROOT_LENGTH)
        {
            throw new IllegalStateException("damaged score tree root at 0x" + Long.toHexString(handle) + ": not a block of its size");
        }
        this.handle = handle;
        this.address = memory.address(handle);
        final String problem = check();
        if (problem != null)
        {
            this.handle = NULL_HANDLE;
            this.address = 0;
            throw new IllegalStateException("damaged score tree root at 0x" + Long.toHexString(handle) + ": " + problem);
        }
        return this;
    }

    /** Whether {@code handle} starts a block that carries a score tree root's magic (no other check). */
    static boolean isScoreTreeRoot(final PageMemory memory, final long handle)
    {
        return memory.blockCapacityBytes(handle) >= ROOT_LENGTH && memory.getInt(handle + MAGIC_OFFSET) == ROOT_MAGIC;
    }

    private String check()
    {
        if (UnsafeApi.getInt(address + MAGIC_OFFSET) != ROOT_MAGIC)
        {
            return "no score tree magic";
        }
        if ((flags() & ~KNOWN_FLAGS) != 0)
        {
            return "unknown flags 0x" + Integer.toHexString(flags());
        }
        final long size = size();
        final int height = height();
        if (height < 0 || height > MAX_HEIGHT || size < 0 || (size == 0) != (height == 0) ||
            (height == 0) != (top() == NULL_HANDLE) || (height == 0) != (firstLeaf() == NULL_HANDLE) ||
            (height == 0) != (lastLeaf() == NULL_HANDLE) || bytesOwned() < 0)
        {
            return "size " + size + ", height " + height + ", top 0x" + Long.toHexString(top());
        }
        return null;
    }

    void init()
    {
        memory.fill(handle, ROOT_LENGTH, (byte)0);
        memory.putInt(handle + MAGIC_OFFSET, ROOT_MAGIC);
        bytesOwned(memory.blockBytes(ROOT_LENGTH));
    }

    ScoreTreeRootFlyweight wrapNew(final long handle)
    {
        this.handle = handle;
        this.address = memory.address(handle);
        return this;
    }

    long handle()
    {
        return handle;
    }

    long size()
    {
        return UnsafeApi.getLong(address + SIZE_OFFSET);
    }

    long top()
    {
        return UnsafeApi.getLong(address + TOP_OFFSET);
    }

    long firstLeaf()
    {
        return UnsafeApi.getLong(address + FIRST_LEAF_OFFSET);
    }

    long lastLeaf()
    {
        return UnsafeApi.getLong(address + LAST_LEAF_OFFSET);
    }

    long bytesOwned()
    {
        return UnsafeApi.getLong(address + BYTES_OWNED_OFFSET);
    }

    int height()
    {
        return UnsafeApi.getInt(address + HEIGHT_OFFSET);
    }

    int flags()
    {
        return UnsafeApi.getInt(address + FLAGS_OFFSET);
    }

    boolean isFreeing()
    {
        return (flags() & FLAG_FREEING) != 0;
    }

    int freeMember()
    {
        return UnsafeApi.getInt(address + FREE_MEMBER_OFFSET);
    }

    int freePath(final int depth)
    {
        return UnsafeApi.getInt(address + FREE_PATH_OFFSET + 4L * depth);
    }

    void size(final long size)
    {
        memory.putLong(handle + SIZE_OFFSET, size);
    }

    void top(final long top, final int height)
    {
        memory.putLong(handle + TOP_OFFSET, top);
        memory.putInt(handle + HEIGHT_OFFSET, height);
    }

    void firstLeaf(final long leaf)
    {
        memory.putLong(handle + FIRST_LEAF_OFFSET, leaf);
    }

    void lastLeaf(final long leaf)
    {
        memory.putLong(handle + LAST_LEAF_OFFSET, leaf);
    }

    void bytesOwned(final long bytes)
    {
        memory.putLong(handle + BYTES_OWNED_OFFSET, bytes);
    }

    void startFreeing()
    {
        memory.fill(handle + FREE_PATH_OFFSET, 4L * MAX_HEIGHT, (byte)0);
        memory.putInt(handle + FREE_MEMBER_OFFSET, 0);
        memory.putInt(handle + FLAGS_OFFSET, flags() | FLAG_FREEING);
    }

    void freeMember(final int index)
    {
        memory.putInt(handle + FREE_MEMBER_OFFSET, index);
    }

    void freePath(final int depth, final int index)
    {
        memory.putInt(handle + FREE_PATH_OFFSET + 4L * depth, index);
    }
}
