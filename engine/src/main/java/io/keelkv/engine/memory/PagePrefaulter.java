package io.keelkv.engine.memory;

import org.agrona.UnsafeApi;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Faults in the memory of restored pages on a second thread while a snapshot load writes them on its own.
 *
 * <p>Why. A restart writes every byte of page memory once, into memory the process has never touched: each
 * 4 KiB costs the kernel a page fault and a zeroed page. On this machine (a VM) that first touch costs ~18 us
 * per 4 KiB, 3.3-3.5 s for the 738 MB of a 10M-key dataset: five times the load's own work (reading, CRCs,
 * LZ4). The faults of different threads are served in parallel, so a second thread takes half of them.
 *
 * <p>How. The load writes pages in ascending page-number order and publishes how far it got
 * ({@link #written}); this agent touches pages from the other end, descending, and stops where the two meet.
 * A touch is {@code compareAndSet(0, 0)} on one long per 4 KiB: a write access, so the page is mapped writable,
 * that never changes a byte: it stores 0 over 0 or nothing, atomically, so it cannot lose a byte the load
 * writes at the same place when the two threads meet. The page table's addresses are copied at construction
 * (owner thread), so this thread reads nothing the owner changes.
 *
 * <p>Measured (native-notes/snapshot.md): a 10M-key load's frames took 3.2-3.5 s with this thread and 4.0-4.2 s
 * without. Two threads fault no faster than one in total here (the hypervisor's first touch is the limit);
 * the gain is that the load's own work no longer waits for the faults it does not take. Tried and left out:
 * madvise(MADV_HUGEPAGE) on the regions (8% faster, but it needs the JNR binding: 300 ms to load, 11 MB of
 * RSS) and madvise(MADV_POPULATE_WRITE) instead of touching (slower).
 *
 * <p>Lifetime: one load. The agent terminates itself when it meets the load or runs out of pages.
 */
public final class PagePrefaulter implements Agent
{
    private static final int TOUCH_STRIDE = 4096;
    /** Pages touched per duty cycle: 2 MiB, so meeting the load is noticed within a few milliseconds. */
    private static final int PAGES_PER_STEP = 32;

    private final int[] pageNumbers; // ascending
    private final long[] addresses;
    private final long[] lengths;
    private final AtomicInteger written = new AtomicInteger();
    private int next; // index into pageNumbers, descending
    private long touchedBytes;

    /** Owner thread, after {@link PageMemory#restore}: the pages in use (slab pages and span heads) and their memory. */
    public PagePrefaulter(final PageMemory memory)
    {
        final int limit = memory.pageNumberLimit();
        int count = 0;
        for (int page = 1; page < limit; page++)
        {
            final byte kind = memory.kindOf(page);
            count += kind == PageMemory.KIND_SLAB || kind == PageMemory.KIND_SPAN_HEAD ? 1 : 0;
        }
        pageNumbers = new int[count];
        addresses = new long[count];
        lengths = new long[count];
        int at = 0;
        for (int page = 1; page < limit; page++)
        {
            final byte kind = memory.kindOf(page);
            if (kind == PageMemory.KIND_SLAB || kind == PageMemory.KIND_SPAN_HEAD)
            {
                pageNumbers[at] = page;
                addresses[at] = memory.pageAddress(page);
                lengths[at] = (long)(kind == PageMemory.KIND_SLAB ? 1 : memory.spanPagesOf(page)) * memory.pageSizeBytes();
                at++;
            }
        }
        next = count - 1;
    }

    /** Owner thread: every page numbered {@code page} or below has been written. */
    public void written(final int page)
    {
        written.lazySet(page);
    }

    /** Bytes this agent faulted in (read after it terminated). */
    public long touchedBytes()
    {
        return touchedBytes;
    }

    @Override
    public int doWork()
    {
        int work = 0;
        while (work < PAGES_PER_STEP)
        {
            if (next < 0 || pageNumbers[next] <= written.get())
            {
                throw new AgentTerminationException();
            }
            final long address = addresses[next];
            final long length = lengths[next];
            for (long at = 0; at < length; at += TOUCH_STRIDE)
            {
                UnsafeApi.compareAndSetLong(null, address + at, 0L, 0L);
            }
            touchedBytes += length;
            next--;
            work++;
        }
        return work;
    }

    @Override
    public String roleName()
    {
        return "keel-prefault";
    }
}
