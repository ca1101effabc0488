package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageAccessException;
import io.keelkv.engine.memory.PageMemory;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The paged dict against a HashMap model, across grows, shrinks and snapshots; SCAN's promise across resizes;
 * the stepped free; the bound on what one operation does; and the damaged-page checks. Random tests print
 * their seed; rerun one with {@code -Dkeel.seed=<seed>} (the engine tests' convention, SnapshotTestSupport).
 */
class PagedDictTest
{
    static final long BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    private final PageMemory memory = new PageMemory();
    private final PagedDict dict = new PagedDict(memory);
    private final PagedDictIterator iterator = new PagedDictIterator(memory);
    // a direct buffer: fields arrive as raw addresses as well as heap arrays
    private final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(256));

    @AfterEach
    void close()
    {
        memory.close();
    }

    static long seed(final String test)
    {
        final long seed = Long.getLong("keel.seed", System.nanoTime());
        System.out.println("PagedDictTest " + test + " seed " + seed + " (rerun with -Dkeel.seed=" + seed + ")");
        return seed;
    }

    static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String string(final byte[] b)
    {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private long find(final String field, final boolean viaDirect)
    {
        final byte[] f = bytes(field);
        if (viaDirect)
        {
            direct.putBytes(0, f);
            return dict.find(null, direct.addressOffset(), f.length);
        }
        return dict.find(f, BASE, f.length);
    }

    private int put(final String field, final String value)
    {
        final byte[] f = bytes(field);
        final byte[] v = bytes(value);
        return dict.put(f, BASE, f.length, v, BASE, v.length);
    }

    private boolean delete(final String field)
    {
        final byte[] f = bytes(field);
        return dict.delete(f, BASE, f.length);
    }

    private String get(final String field)
    {
        final long e = find(field, false);
        return e == NULL_HANDLE ? null : string(dict.element(e).valueBytes());
    }

    private Map<String, String> iterateAll(final long root)
    {
        final Map<String, String> seen = new HashMap<>();
        iterator.reset(root);
        for (long e = iterator.next(); e != NULL_HANDLE; e = iterator.next())
        {
            final DictElementFlyweight el = iterator.element();
            assertNull(seen.put(string(el.fieldBytes()), string(el.valueBytes())), "an element returned twice");
        }
        return seen;
    }

    private static String randomValue(final SplittableRandom random)
    {
        // lengths 0..40, so a replace keeps the length sometimes (in place) and changes it others (a new block)
        final char[] c = new char[random.nextInt(41)];
        for (int i = 0; i < c.length; i++)
        {
            c[i] = (char)('a' + random.nextInt(26));
        }
        return new String(c);
    }

    // ------------------------------------------------------------------------------------------------

    @Test
    void shouldMatchAHashMapThroughRandomChangesAcrossGrowsShrinksAndSnapshots()
    {
        final long seed = seed("model");
        final SplittableRandom random = new SplittableRandom(seed);
        final long allocatedBefore = memory.allocatedBytes();
        final long root = dict.create(true);
        final Map<String, String> model = new HashMap<>();
        int grows = 0;
        int shrinks = 0;
        long lastBuckets = 0;
        for (int batch = 0; batch < 120; batch++)
        {
            final boolean snapshot = random.nextInt(4) == 0;
            dict.snapshotRunning(snapshot);
            dict.wrap(root);
            // phases: grow to a few thousand fields, then delete most of them, so tables grow and shrink
            final boolean growing = (batch / 15) % 2 == 0;
            final int keySpace = 1 + random.nextInt(growing ? 20_000 : 4_000);
            for (int op = 0; op < 600; op++)
            {
                final String field = "f" + random.nextInt(keySpace);
                final int kind = random.nextInt(10);
                final String context = "seed " + seed + " batch " + batch + " op " + op + " field " + field;
                if (kind < (growing ? 5 : 2))
                {
                    final String value = randomValue(random);
                    final int result = put(field, value);
                    assertEquals(model.put(field, value) == null ? PagedDict.ADDED : PagedDict.UPDATED, result, context);
                }
                else if (kind < 8)
                {
                    // while shrinking, deletes reach every field ever added, so most go
                    final String victim = growing ? field : "f" + random.nextInt(20_000);
                    assertEquals(model.remove(victim) != null, delete(victim), context);
                }
                else
                {
                    final long e = find(field, random.nextBoolean());
                    final String expected = model.get(field);
                    assertEquals(expected != null, e != NULL_HANDLE, context);
                    if (expected != null)
                    {
                        assertEquals(expected, string(dict.element(e).valueBytes()), context);
                    }
                }
            }
            final long buckets = dict.bucketCount();
            grows += buckets > lastBuckets ? 1 : 0;
            shrinks += buckets < lastBuckets ? 1 : 0;
            lastBuckets = buckets;
            assertEquals(model.size(), dict.size(), "seed " + seed + " batch " + batch);
            for (final Map.Entry<String, String> e : model.entrySet())
            {
                assertEquals(e.getValue(), get(e.getKey()), "seed " + seed + " batch " + batch);
            }
            assertEquals(model, iterateAll(root), "seed " + seed + " batch " + batch);
        }
        System.out.println("model test: " + grows + " batches ended bigger, " + shrinks + " smaller");
        assertTrue(grows >= 2 && shrinks >= 2, "grows " + grows + ", shrinks " + shrinks);
        dict.snapshotRunning(false);
        while (!dict.freeStep(root, 100))
        {
            // stepped free
        }
        assertEquals(allocatedBefore, memory.allocatedBytes());
    }

    @Test
    void shouldReturnEveryElementPresentForTheWholeScanWhileTheTableGrowsAndShrinks()
    {
        final long seed = seed("scan");
        final SplittableRandom random = new SplittableRandom(seed);
        final long root = dict.create(true);
        final Set<String> seen = new HashSet<>();
        final PagedDict.ElementVisitor collect = e -> seen.add(string(dict.element(e).fieldBytes()));
        int resizesSeen = 0;
        int grows = 0;
        int shrinks = 0;
        for (int round = 0; round < 10; round++)
        {
            dict.wrap(root);
            final int stable = 100 + random.nextInt(500);
            for (int i = 0; i < stable; i++)
            {
                put("s:" + round + ":" + i, "v");
            }
            seen.clear();
            int transients = 0;
            long cursor = 0;
            do
            {
                cursor = dict.scan(cursor, collect);
                // between calls: a burst of new fields (a grow), or all of them deleted (a shrink), then lookups
                // that step the rehash, so calls see one table, two, or a table of another size
                final long bucketsBefore = dict.bucketCount();
                final int action = random.nextInt(8);
                if (action == 0)
                {
                    final int burst = random.nextInt(12 * stable);
                    for (int i = 0; i < burst; i++)
                    {
                        put("t:" + transients++, "x");
                    }
                }
                else if (action == 1)
                {
                    for (int i = 0; i < transients; i++)
                    {
                        delete("t:" + i);
                    }
                    transients = 0;
                }
                final boolean before = dict.isResizing();
                for (int i = random.nextInt(40); i > 0; i--)
                {
                    find("s:" + round + ":" + random.nextInt(stable), false);
                }
                resizesSeen += before || dict.isResizing() ? 1 : 0;
                grows += dict.bucketCount() > bucketsBefore ? 1 : 0;
                shrinks += dict.bucketCount() < bucketsBefore ? 1 : 0;
            }
            while (cursor != 0);
            for (int i = 0; i < stable; i++)
            {
                assertTrue(seen.contains("s:" + round + ":" + i), "seed " + seed + " round " + round + ": s:" + round + ":" + i);
            }
            for (int i = 0; i < transients; i++)
            {
                delete("t:" + i);
            }
            for (int i = 0; i < stable; i++)
            {
                delete("s:" + round + ":" + i);
            }
            assertEquals(0, dict.size());
        }
        System.out.println("scan test: " + resizesSeen + " scan calls met a resize under way; the buckets grew between " +
            grows + " calls and shrank between " + shrinks);
        assertTrue(resizesSeen > 20 && grows > 5 && shrinks > 5, "too few resizes between scan calls");
    }

    @Test
    void shouldFreeAHundredThousandElementsInBoundedStepsAndGiveBackEveryPage()
    {
        final long allocatedBefore = memory.allocatedBytes();
        final long pagesBefore = memory.pagesInUse();
        final long root = dict.create(true);
        for (int i = 0; i < 100_000; i++)
        {
            assertEquals(PagedDict.ADDED, put("field:" + i, "value:" + i));
        }
        System.out.println("free test: 100k elements, resizing " + dict.isResizing() + ", pages " + memory.pagesInUse());
        // another dict used between the steps: the free's position is in its own root, not in the instance
        final long other = dict.create(false);
        final byte[] member = bytes("member");
        dict.add(member, BASE, member.length);
        final int maxBlocks = 1_000;
        int calls = 0;
        long previous = memory.allocatedBytes();
        boolean done = false;
        while (!done)
        {
            final long visitedBefore = dict.bucketsVisited;
            done = dict.freeStep(root, maxBlocks);
            calls++;
            final long freed = previous - memory.allocatedBytes();
            previous = memory.allocatedBytes();
            assertTrue(dict.bucketsVisited - visitedBefore <= (long)maxBlocks * PagedDict.FREE_EMPTY_VISITS_PER_BLOCK,
                "a step visited " + (dict.bucketsVisited - visitedBefore) + " buckets");
            // the largest element here is 48 bytes; the last step also frees the tables and the root
            assertTrue(done || freed <= maxBlocks * 48L, "a step freed " + freed + " bytes");
            dict.wrap(other);
            assertNotEquals(NULL_HANDLE, dict.find(member, BASE, member.length));
            assertThrows(IllegalStateException.class, () -> dict.wrap(root), "a dict being freed cannot be used");
        }
        System.out.println("free test: " + calls + " steps of up to " + maxBlocks + " elements");
        assertTrue(calls >= 100_000 / maxBlocks, "too few steps: " + calls);
        dict.freeStep(other, 10);
        assertEquals(allocatedBefore, memory.allocatedBytes());
        assertEquals(pagesBefore, memory.pagesInUse());
    }

    /**
     * Grows through a table of 1 MiB or more (zeroed in steps) and shrinks back through one, checking after
     * every operation what it did: at most one non-empty bucket moved and ten empty ones passed by the rehash
     * (plus the lookup's two buckets), at most one zeroing step, and no table zeroed at once of a size that
     * should have gone in steps.
     */
    @Test
    void shouldBoundTheBucketsAndZeroingOfEveryOperation()
    {
        final long root = dict.create(false);
        final int n = 300_000; // past 2^18: the tables of 2^18 and 2^19 buckets are 2 and 4 MiB
        final long maxBuckets = 2 + 1 + PagedDict.REHASH_EMPTY_VISITS;
        final byte[] f = new byte[8];
        long worstBuckets = 0;
        long worstSteps = 0;
        long worstAtOnce = 0;
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < n; i++)
            {
                UnsafeApi.putLong(f, BASE, i);
                final long buckets = dict.bucketsVisited;
                final long steps = dict.zeroedInSteps;
                final long atOnce = dict.zeroedAtOnce;
                if (pass == 0)
                {
                    assertEquals(PagedDict.ADDED, dict.add(f, BASE, f.length));
                }
                else
                {
                    assertTrue(dict.delete(f, BASE, f.length));
                }
                worstBuckets = Math.max(worstBuckets, dict.bucketsVisited - buckets);
                worstSteps = Math.max(worstSteps, dict.zeroedInSteps - steps);
                worstAtOnce = Math.max(worstAtOnce, dict.zeroedAtOnce - atOnce);
            }
        }
        System.out.println("bounded test: worst op visited " + worstBuckets + " buckets, zeroed " + worstSteps +
            " bytes in a step and " + worstAtOnce + " at once; " + dict.zeroedInSteps + " bytes zeroed in steps in all");
        assertTrue(worstBuckets <= maxBuckets, "an operation visited " + worstBuckets + " buckets");
        assertTrue(worstSteps <= PagedDict.PREPARE_STEP_BYTES, "an operation zeroed " + worstSteps + " bytes in a step");
        assertTrue(worstAtOnce < PagedDict.EAGER_ZERO_BYTES, "an operation zeroed a table of " + worstAtOnce + " bytes");
        // growing, the tables of 2^17, 2^18 and 2^19 buckets (1, 2 and 4 MiB); shrinking from 2^19 at 10% fill goes
        // straight to 2^16, under the threshold
        assertEquals(7L << 20, dict.zeroedInSteps, "the big tables were not zeroed in steps");
        assertEquals(0, dict.size());
        while (!dict.freeStep(root, 1_000))
        {
            // stepped free
        }
    }

    @Test
    void shouldPauseResizingWhileASnapshotRunsExceptPastTheForcedRatio()
    {
        final long root = dict.create(true);
        for (int i = 0; i < 64; i++)
        {
            put("a" + i, "v");
        }
        while (dict.isRehashing())
        {
            dict.rehash(100);
        }
        final long buckets = dict.bucketCount();
        dict.snapshotRunning(true);
        // up to a load factor of 5 the table keeps its size: no table is made, no bucket moves
        int i = 0;
        while (dict.size() < PagedDict.FORCE_RESIZE_RATIO * buckets)
        {
            put("b" + i++, "v");
        }
        assertEquals(buckets, dict.bucketCount());
        assertFalse(dict.isResizing());
        // deletes shrink nothing
        for (int j = 0; j < i; j++)
        {
            delete("b" + j);
        }
        for (int j = 0; j < 60; j++)
        {
            delete("a" + j);
        }
        assertEquals(buckets, dict.bucketCount(), "a shrink ran during a snapshot");
        // past the forced ratio it grows (and rehashes) even so
        i = 0;
        while (!dict.isResizing())
        {
            put("c" + i++, "v");
        }
        assertTrue(dict.size() > PagedDict.FORCE_RESIZE_RATIO * buckets, "grew at " + dict.size() + " elements in " + buckets);
        dict.snapshotRunning(false);
        for (int j = 0; j < 10_000 && dict.isResizing(); j++)
        {
            find("a60", false);
        }
        assertFalse(dict.isResizing());
        assertEquals("v", get("c0"));
        assertEquals(4 + i, dict.size());
        dict.freeStep(root, Integer.MAX_VALUE);
    }

    @Test
    void shouldKeepSetMembersWithoutValues()
    {
        final long root = dict.create(false);
        assertFalse(dict.withValues());
        for (int i = 0; i < 1_000; i++)
        {
            final byte[] m = bytes("m" + i);
            assertEquals(PagedDict.ADDED, dict.add(m, BASE, m.length));
            assertEquals(PagedDict.UPDATED, dict.add(m, BASE, m.length));
        }
        final byte[] m7 = bytes("m7");
        final long e = dict.find(m7, BASE, m7.length);
        assertEquals(0, dict.element(e).valueLength());
        assertEquals(DictElementDescriptor.SET_HEADER_LENGTH + 2, dict.element(e).length());
        assertThrows(IllegalStateException.class, () -> dict.replaceFoundValue(m7, BASE, 1));
        final Set<String> members = new HashSet<>(iterateAll(root).keySet());
        assertEquals(1_000, members.size());
        assertTrue(members.contains("m999"));
        dict.freeStep(root, Integer.MAX_VALUE);
    }

    @Test
    void shouldRefuseMutationsWithoutTheFindTheyFollow()
    {
        final long root = dict.create(true);
        put("a", "1");
        dict.wrap(root); // forgets what the put found
        final byte[] b = bytes("b");
        assertThrows(IllegalStateException.class, () -> dict.insertAfterMiss(b, BASE, 1, b, BASE, 1));
        assertThrows(IllegalStateException.class, () -> dict.deleteFound());
        find("a", false);
        assertThrows(IllegalStateException.class, () -> dict.insertAfterMiss(b, BASE, 1, b, BASE, 1), "a hit is not a miss");
        find("b", false);
        assertThrows(IllegalStateException.class, () -> dict.deleteFound(), "a miss is not a hit");
        // a value of a new length moves the element to a new block, linked where the old one was
        put("c", "3");
        find("a", false);
        final long old = dict.element(dict.find(bytes("a"), BASE, 1)).handle();
        final byte[] longer = bytes("a much longer value than before");
        final long moved = dict.replaceFoundValue(longer, BASE, longer.length);
        assertNotEquals(old, moved);
        assertEquals("a much longer value than before", get("a"));
        assertEquals("3", get("c"));
        assertEquals(2, dict.size());
        dict.freeStep(root, Integer.MAX_VALUE);
    }

    @Test
    void shouldRefuseADamagedRootOrElement()
    {
        final long root = dict.create(true);
        for (int i = 0; i < 10; i++)
        {
            put("f" + i, "v" + i);
        }
        // a root whose exponent says more buckets than its table holds
        final byte exp0 = memory.getByte(root + DictRootDescriptor.EXP0_OFFSET);
        memory.putByte(root + DictRootDescriptor.EXP0_OFFSET, (byte)20);
        assertThrows(IllegalStateException.class, () -> dict.wrap(root));
        memory.putByte(root + DictRootDescriptor.EXP0_OFFSET, exp0);
        dict.wrap(root);
        // a handle that is not a dict
        final long notADict = memory.allocate(DictRootDescriptor.LENGTH, true);
        assertThrows(IllegalStateException.class, () -> dict.wrap(notADict));
        dict.wrap(root);
        // an element whose field length runs past its block
        final long e = find("f3", false);
        memory.putInt(e + DictElementDescriptor.FIELD_LENGTH_OFFSET, 1 << 20);
        assertThrows(PageAccessException.class, () -> iterateAll(root));
        memory.putInt(e + DictElementDescriptor.FIELD_LENGTH_OFFSET, -100);
        assertThrows(PageAccessException.class, () -> find("f3", false));
        memory.putInt(e + DictElementDescriptor.FIELD_LENGTH_OFFSET, 2);
        assertEquals("v3", get("f3"));
    }

    @Test
    void shouldThrowInsteadOfSpinningWhenAChainLoopsBackOnItself()
    {
        final long root = dict.create(true);
        for (int i = 0; i < 10; i++)
        {
            put("f" + i, "v" + i);
        }
        while (dict.isResizing())
        {
            find("f0", false); // each access steps the rehash
        }
        final long e = find("f3", false);
        memory.putLong(e + DictElementDescriptor.NEXT_OFFSET, e); // damaged: the element points at itself
        final long mask = (1L << new DictRootFlyweight(memory).wrap(root).exp0()) - 1;
        final long bucket = io.keelkv.engine.keyspace.Hashing.hash(memory.hashSeed(), bytes("f3"), BASE, 2) & mask;
        String miss = null;
        for (int i = 0; miss == null; i++)
        {
            final byte[] candidate = bytes("miss" + i);
            if ((io.keelkv.engine.keyspace.Hashing.hash(memory.hashSeed(), candidate, BASE, candidate.length) & mask) == bucket)
            {
                miss = "miss" + i;
            }
        }
        final String looking = miss;
        final IllegalStateException thrown = assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
            () -> assertThrows(IllegalStateException.class, () -> find(looking, false)));
        assertTrue(thrown.getMessage().contains("a cycle"), thrown.getMessage());
    }

    /**
     * dictGetFairRandomKey's distribution is not exactly uniform (elements of long chains and runs are
     * sampled together), but every element is reachable and none is favoured by much.
     */
    @Test
    void shouldPickEveryElementAtRandomWithoutFavouringAny()
    {
        final long seed = seed("random");
        final SplittableRandom random = new SplittableRandom(seed);
        dict.create(true);
        final int n = 500;
        for (int i = 0; i < n; i++)
        {
            put("r" + i, "v");
        }
        final Map<String, Integer> counts = new HashMap<>();
        final int draws = 500_000;
        for (int i = 0; i < draws; i++)
        {
            counts.merge(string(dict.element(dict.randomElement(random)).fieldBytes()), 1, Integer::sum);
        }
        assertEquals(n, counts.size(), "seed " + seed + ": not every element was picked");
        final int min = counts.values().stream().min(Integer::compare).orElseThrow();
        final int max = counts.values().stream().max(Integer::compare).orElseThrow();
        System.out.println("random test: " + draws + " draws over " + n + " elements, each picked " + min + " to " + max +
            " times (uniform: " + draws / n + ")");
        assertTrue(min > draws / n / 4 && max < draws / n * 4, "seed " + seed + ": picks from " + min + " to " + max);
    }

    @Test
    void shouldInsertFindAndDeleteWithoutAllocatingOnceWarm()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        final long root = dict.create(true);
        final byte[] f = new byte[12];
        final byte[] v = new byte[20];
        for (int i = 0; i < 1_100; i++)
        {
            UnsafeApi.putLong(f, BASE, i);
            dict.put(f, BASE, f.length, v, BASE, v.length);
        }
        final SplittableRandom random = new SplittableRandom(1);
        final long[] sink = new long[1];
        final PagedDict.ElementVisitor visitor = e -> sink[0] += e;
        long allocated = 0;
        for (int warm = 0; warm < 3; warm++)
        {
            final long before = threads.getThreadAllocatedBytes(thread);
            for (int round = 0; round < 200; round++)
            {
                dict.wrap(root);
                // 1,100 to 1,200 elements in 2,048 buckets: no resize in steady state
                for (int i = 1_100; i < 1_200; i++)
                {
                    UnsafeApi.putLong(f, BASE, i);
                    dict.put(f, BASE, f.length, v, BASE, v.length);
                    v[0]++;
                    dict.put(f, BASE, f.length, v, BASE, v.length);
                    sink[0] += dict.find(f, BASE, f.length);
                }
                for (int i = 1_100; i < 1_200; i++)
                {
                    UnsafeApi.putLong(f, BASE, i);
                    dict.delete(f, BASE, f.length);
                }
                sink[0] += dict.randomElement(random);
                sink[0] += dict.scan(round, visitor);
                iterator.reset(root);
                while (iterator.next() != NULL_HANDLE)
                {
                    sink[0]++;
                }
            }
            allocated = threads.getThreadAllocatedBytes(thread) - before;
        }
        System.out.println("allocation test: " + allocated + " bytes over 200 rounds of 300 puts, 100 finds, 100 deletes");
        assertEquals(0, allocated);
        assertNotEquals(42, sink[0]);
    }

    @Test
    void shouldRefuseToGoOnIteratingADictThatChanged()
    {
        final long root = dict.create(true);
        for (int i = 0; i < 100; i++)
        {
            put("f" + i, "v");
        }
        iterator.reset(root);
        assertNotEquals(NULL_HANDLE, iterator.next());
        put("new", "v");
        assertThrows(IllegalStateException.class, iterator::next);
        iterator.reset(root);
        int count = 0;
        while (iterator.next() != NULL_HANDLE)
        {
            count++;
        }
        assertEquals(101, count);
        assertEquals(NULL_HANDLE, iterator.next(), "an iterator at its end stays there");
    }
}
