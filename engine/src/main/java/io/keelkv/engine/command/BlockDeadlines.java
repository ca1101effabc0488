package io.keelkv.engine.command;

import java.util.Arrays;

/**
 * The deadlines of the blocked clients that have one (Redis's clients_timeout_table): a binary min-heap of their
 * states by deadline. Each state keeps its index in the heap, so the removal of a client served, unblocked or
 * gone before its deadline is O(log n), and the earliest deadline is O(1) for the loop's every pass.
 */
final class BlockDeadlines
{
    private BlockingState[] heap = new BlockingState[16];
    private int size;

    int size()
    {
        return size;
    }

    /** The client with the earliest deadline, or null. */
    BlockingState first()
    {
        return size == 0 ? null : heap[0];
    }

    void add(final BlockingState s)
    {
        if (size == heap.length)
        {
            heap = Arrays.copyOf(heap, size * 2);
        }
        heap[size] = s;
        s.heapIndex = size;
        size++;
        siftUp(s.heapIndex);
    }

    void remove(final BlockingState removed)
    {
        final int i = removed.heapIndex;
        if (i < 0)
        {
            return;
        }
        removed.heapIndex = -1;
        size--;
        if (i == size)
        {
            heap[i] = null;
            return;
        }
        final BlockingState last = heap[size];
        heap[size] = null;
        heap[i] = last;
        last.heapIndex = i;
        siftDown(i);
        siftUp(last.heapIndex);
    }

    private void siftUp(final int index)
    {
        int i = index;
        final BlockingState s = heap[i];
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            final BlockingState p = heap[parent];
            if (p.deadlineMs <= s.deadlineMs)
            {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = s;
        s.heapIndex = i;
    }

    private void siftDown(final int index)
    {
        int i = index;
        final BlockingState s = heap[i];
        while (true)
        {
            final int left = 2 * i + 1;
            if (left >= size)
            {
                break;
            }
            final int right = left + 1;
            final int child = right < size && heap[right].deadlineMs < heap[left].deadlineMs ? right : left;
            if (heap[child].deadlineMs >= s.deadlineMs)
            {
                break;
            }
            heap[i] = heap[child];
            heap[i].heapIndex = i;
            i = child;
        }
        heap[i] = s;
        s.heapIndex = i;
    }
}
