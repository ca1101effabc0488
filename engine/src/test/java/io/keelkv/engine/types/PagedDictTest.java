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
}
