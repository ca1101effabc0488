package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageMemory;

import java.util.SplittableRandom;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * The reads of a {@link PagedDict} that walk its buckets rather than look a field up: SCAN and the random
 * samplers. Package-private: {@link PagedDict} is the API and delegates here, on the dict it has wrapped.
 *
 * <p>SCAN moves nothing (Redis pauses rehashing during a dictScan for the same reason: the cursor's promise
 * holds only if no element moves within one step). The samplers do step a resize first, as Redis's do.
 */
final class DictTraversal
{
    private final PageMemory memory;
    private final PagedDict dict;
    private final DictRootFlyweight root;
    private final DictElementFlyweight scratch;
    private final long[] sample = new long[PagedDict.FAIR_RANDOM_SAMPLES];

    DictTraversal(final PageMemory memory, final PagedDict dict)
    {
        this.memory = memory;
        this.dict = dict;
        this.root = dict.root();
        this.scratch = new DictElementFlyweight(memory);
    }

    /** See {@link PagedDict#scan}. */
    long scan(final long cursor, final PagedDict.ElementVisitor visitor)
    {
        if (root.size() == 0)
        {
            return 0;
        }
        final boolean values = root.withValues();
        long v = cursor;
        if (root.rehashIndex() == -1)
        {
            final long mask0 = (1L << root.exp0()) - 1;
            visitBucket(root.table0(), v & mask0, values, visitor);
            return nextCursor(v, mask0);
        }
        long small = root.table0();
        long large = root.table1();
        int smallExp = root.exp0();
        int largeExp = root.exp1();
        if (smallExp > largeExp)
        {
            small = root.table1();
            large = root.table0();
            smallExp = root.exp1();
            largeExp = root.exp0();
        }
        final long m0 = (1L << smallExp) - 1;
        final long m1 = (1L << largeExp) - 1;
        visitBucket(small, v & m0, values, visitor);
        // every bucket of the larger table that the smaller one's bucket v & m0 expands to
        do
        {
            visitBucket(large, v & m1, values, visitor);
            v = nextCursor(v, m1);
        }
        while ((v & (m0 ^ m1)) != 0);
        return v;
    }

    /** Increment the cursor's bits under {@code mask} from the top down (Redis's reverse-binary increment). */
    private static long nextCursor(final long cursor, final long mask)
    {
        return Long.reverse(Long.reverse(cursor | ~mask) + 1);
    }

    private void visitBucket(final long table, final long index, final boolean values, final PagedDict.ElementVisitor visitor)
    {
        dict.bucketsVisited++;
        long e = memory.getLong(table + (index << 3));
        while (e != NULL_HANDLE)
        {
            // the link is read before the visitor runs: it sees a whole element, and may read it as it likes
            final long next = scratch.wrap(e, values).next();
            visitor.visit(e);
            e = next;
        }
    }

    /** See {@link PagedDict#randomElement}. */
    long randomElement(final SplittableRandom random)
    {
        final int found = sampleElements(sample, sample.length, random);
        if (found == 0)
        {
            return root.size() == 0 ? NULL_HANDLE : bucketRandomElement(random);
        }
        return sample[random.nextInt(found)];
    }

    /** See {@link PagedDict#sampleElements}; Redis's dictGetSomeKeys, step for step. */
    int sampleElements(final long[] out, final int count, final SplittableRandom random)
    {
        final int wanted = (int)Math.min(Math.min(count, out.length), root.size());
        if (wanted <= 0)
        {
            return 0;
        }
        for (int j = 0; j < wanted && root.rehashIndex() != -1; j++)
        {
            dict.rehashStepIfAllowed();
        }
        final boolean values = root.withValues();
        final long rehashIndex = root.rehashIndex();
        final int tables = rehashIndex != -1 ? 2 : 1;
        final long size0 = 1L << root.exp0();
        final long size1 = tables == 2 ? 1L << root.exp1() : 0;
        final long maxMask = Math.max(size0, size1) - 1;
        long steps = wanted * 10L;
        long i = random.nextLong() & maxMask;
        long emptyRun = 0;
        int stored = 0;
        while (stored < wanted && steps-- > 0)
        {
            for (int t = 0; t < tables; t++)
            {
                if (tables == 2 && t == 0 && i < rehashIndex)
                {
                    // table 0 is empty below the rehash index: when table 1 is too small to hold i either (a
                    // shrink), jump to the rehash index, else look at table 1 only
                    if (i >= size1)
                    {
                        i = rehashIndex;
                    }
                    else
                    {
                        continue;
                    }
                }
                if (i >= (t == 0 ? size0 : size1))
                {
                    continue;
                }
                dict.bucketsVisited++;
                long e = memory.getLong((t == 0 ? root.table0() : root.table1()) + (i << 3));
                if (e == NULL_HANDLE)
                {
                    // a long run of empty buckets: jump elsewhere rather than spend the steps here
                    if (++emptyRun >= 5 && emptyRun > wanted)
                    {
                        i = random.nextLong() & maxMask;
                        emptyRun = 0;
                    }
                    continue;
                }
                emptyRun = 0;
                while (e != NULL_HANDLE)
                {
                    out[stored++] = e;
                    if (stored == wanted)
                    {
                        return stored;
                    }
                    e = scratch.wrap(e, values).next();
                }
            }
            i = (i + 1) & maxMask;
        }
        return stored;
    }

    /** Redis's dictGetRandomKey: a uniformly random non-empty bucket, then a uniform position in its chain. */
    private long bucketRandomElement(final SplittableRandom random)
    {
        dict.rehashStepIfAllowed();
        final boolean values = root.withValues();
        final long rehashIndex = root.rehashIndex();
        long head;
        do
        {
            dict.bucketsVisited++;
            if (rehashIndex != -1)
            {
                // table 0 below the rehash index is empty: draw from the rest of table 0 and all of table 1
                final long size0 = 1L << root.exp0();
                final long index = rehashIndex + random.nextLong(size0 + (1L << root.exp1()) - rehashIndex);
                head = memory.getLong(index >= size0 ? root.table1() + ((index - size0) << 3) : root.table0() + (index << 3));
            }
            else
            {
                head = memory.getLong(root.table0() + ((random.nextLong() & ((1L << root.exp0()) - 1)) << 3));
            }
        }
        while (head == NULL_HANDLE);
        int length = 0;
        for (long e = head; e != NULL_HANDLE; e = scratch.wrap(e, values).next())
        {
            length++;
        }
        long e = head;
        for (int skip = random.nextInt(length); skip > 0; skip--)
        {
            e = scratch.wrap(e, values).next();
        }
        return e;
    }
}
