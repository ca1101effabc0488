package io.keelkv.engine.command;

import org.agrona.UnsafeApi;

import java.util.Arrays;

/**
 * The clients waiting on one key of one database (BlockingKeys' table), oldest first, as a doubly linked list of
 * their {@link BlockingState.WaitLink}s; its own copy of the key. It is its own map key: (database, key bytes).
 * Pooled by BlockingKeys, so the copy's array is reused.
 */
final class WaitQueue
{
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    int db;
    byte[] key = new byte[16];
    int length;
    int hash;
    BlockingState.WaitLink head;
    BlockingState.WaitLink tail;
    boolean ready;
    boolean busy;

    void set(final int db, final Object base, final long address, final int length)
    {
        copy(db, base, address, length);
    }

    void copy(final int db, final Object base, final long address, final int length)
    {
        if (key.length < length)
        {
            key = new byte[Math.max(length, key.length * 2)];
        }
        UnsafeApi.copyMemory(base, address, key, BYTE_BASE, length);
        this.db = db;
        this.length = length;
        int h = 31 * db + length;
        for (int i = 0; i < length; i++)
        {
            h = 31 * h + key[i];
        }
        this.hash = h;
    }

    void append(final BlockingState.WaitLink link)
    {
        link.queue = this;
        link.next = null;
        link.prev = tail;
        if (tail == null)
        {
            head = link;
        }
        else
        {
            tail.next = link;
        }
        tail = link;
    }

    void remove(final BlockingState.WaitLink link)
    {
        if (link.prev == null)
        {
            head = link.next;
        }
        else
        {
            link.prev.next = link.next;
        }
        if (link.next == null)
        {
            tail = link.prev;
        }
        else
        {
            link.next.prev = link.prev;
        }
        link.prev = null;
        link.next = null;
        link.queue = null;
    }

    @Override
    public int hashCode()
    {
        return hash;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!(o instanceof WaitQueue))
        {
            return false;
        }
        final WaitQueue other = (WaitQueue)o;
        return other.db == db && other.length == length &&
            Arrays.equals(key, 0, length, other.key, 0, length);
    }
}
