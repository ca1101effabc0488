package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageMemory;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static io.keelkv.engine.types.ListpackFlyweight.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The listpack codec: byte for byte against redis-server 7.0's DUMP of hashes, sorted sets and list nodes,
 * then round trips, every insert and delete position, validation of damaged blobs, and no allocation.
 */
class ListpackFlyweightTest
{
    /** Every integer-encoding edge, and strings that look numeric but are not canonical. */
    static final String[] EDGES = {
        "0", "-1", "1", "12", "127", "128", "-128", "4095", "4096", "-4096", "-4097", "32767", "32768", "-32768",
        "-32769", "8388607", "8388608", "-8388608", "-8388609", "2147483647", "2147483648", "-2147483648",
        "-2147483649", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
        "-9223372036854775809", "007", "+1", "1e3", "-0", "00", "", " 1", "1 ", "-", "abc", "0x10", "1.5"};
    static final int[] STRING_LENGTHS = {0, 1, 63, 64, 65, 127, 128, 4095, 4096, 4097, 16383, 16384};

    private final UnsafeBuffer backing = new UnsafeBuffer(new byte[1 << 20]);
    private final BufferRegion region = new BufferRegion();
    private final ListpackFlyweight lp = new ListpackFlyweight();

    static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] randomValue(final Random random)
    {
        final int kind = random.nextInt(6);
        if (kind == 0)
        {
            return bytes(EDGES[random.nextInt(EDGES.length)]);
        }
        if (kind == 1)
        {
            return bytes(Long.toString(random.nextLong() >> random.nextInt(64)));
        }
        if (kind == 2)
        {
            final byte[] b = new byte[STRING_LENGTHS[random.nextInt(STRING_LENGTHS.length)] % 4200];
            random.nextBytes(b);
            return b;
        }
        final byte[] b = new byte[random.nextInt(kind == 3 ? 70 : 12)];
        for (int i = 0; i < b.length; i++)
        {
            b[i] = (byte)('a' + random.nextInt(26));
        }
        return b;
    }

    private void empty()
    {
        region.wrap(backing, 0, ListpackDescriptor.EMPTY_LENGTH);
        lp.wrap(region).init();
    }

    /** Re-wrap the region to exactly the size the flyweight announced, so a wrong size fails the write. */
    private void grow(final long size)
    {
        region.wrap(backing, 0, (int)Math.max(size, lp.totalBytes()));
    }

    private void checkSize(final long announced)
    {
        assertEquals(announced, lp.totalBytes(), "sizeAfter* must announce the exact new total");
    }

    private int append(final byte[] value)
    {
        final UnsafeBuffer v = new UnsafeBuffer(value);
        final long size = lp.sizeAfterInsert(v, 0, value.length);
        grow(size);
        final int p = lp.append(v, 0, value.length);
        checkSize(size);
        return p;
    }

    private int insert(final int p, final int where, final byte[] value)
    {
        final UnsafeBuffer v = new UnsafeBuffer(value);
        final long size = lp.sizeAfterInsert(v, 0, value.length);
        grow(size);
        final int at = lp.insert(p, where, v, 0, value.length);
        checkSize(size);
        return at;
    }

    private void replace(final int p, final byte[] value)
    {
        final UnsafeBuffer v = new UnsafeBuffer(value);
        final long size = lp.sizeAfterReplace(p, v, 0, value.length);
        grow(size);
        lp.replace(p, v, 0, value.length);
        checkSize(size);
    }

    private byte[] valueAt(final int p)
    {
        lp.load(p);
        if (lp.isInteger())
        {
            return bytes(Long.toString(lp.integer()));
        }
        final byte[] out = new byte[lp.stringLength()];
        region.getBytes(lp.stringOffset(), new UnsafeBuffer(out), 0, out.length);
        return out;
    }

    private byte[] blob()
    {
        final byte[] out = new byte[lp.totalBytes()];
        backing.getBytes(0, out);
        return out;
    }

    private void assertModel(final List<byte[]> model)
    {
        assertNull(lp.validate(lp.totalBytes()));
        assertEquals(model.size(), lp.count());
        int i = 0;
        for (int p = lp.first(); p != NONE; p = lp.next(p), i++)
        {
            assertArrayEquals(model.get(i), valueAt(p), "forward element " + i);
        }
        assertEquals(model.size(), i);
        i = model.size() - 1;
        for (int p = lp.last(); p != NONE; p = lp.prev(p), i--)
        {
            assertArrayEquals(model.get(i), valueAt(p), "backward element " + i);
        }
        assertEquals(-1, i);
    }

    // ------------------------------------------------------------------------------------------------
    // byte for byte against redis-server

    @Test
    void shouldBuildTheHashListpackRedisDumps() throws Exception
    {
        final long seed = System.nanoTime();
        System.out.println("ListpackFlyweightTest hash seed " + seed);
        final Random random = new Random(seed);
        try (RedisDumpOracle redis = RedisDumpOracle.start())
        {
            redis.call("CONFIG", "SET", "hash-max-listpack-entries", "100000");
            redis.call("CONFIG", "SET", "hash-max-listpack-value", "100000");
            for (int round = 0; round < 6; round++)
            {
                redis.call("DEL", "h");
                empty();
                final List<byte[]> fields = new ArrayList<>();
                for (int i = 0; i < 40; i++)
                {
                    fields.add(randomValue(random));
                }
                for (final String edge : EDGES)
                {
                    fields.add(bytes(edge));
                }
                for (int op = 0; op < 120; op++)
                {
                    final byte[] field = fields.get(random.nextInt(fields.size()));
                    final byte[] value = randomValue(random);
                    redis.call(bytes("HSET"), bytes("h"), field, value);
                    // hashTypeSet: find the field among the fields (skip the values), replace its value, else append both
                    final int first = lp.first();
                    final int f = first == NONE ? NONE : lp.find(first, new UnsafeBuffer(field), 0, field.length, 1);
                    if (f != NONE)
                    {
                        replace(lp.next(f), value);
                    }
                    else
                    {
                        append(field);
                        append(value);
                    }
                }
                assertEquals("listpack", new String((byte[])redis.call("OBJECT", "ENCODING", "h"), StandardCharsets.US_ASCII));
                final byte[] expected = RedisDumpOracle.blobOf((byte[])redis.call("DUMP", "h"), RedisDumpOracle.RDB_TYPE_HASH_LISTPACK);
                assertArrayEquals(expected, blob(), "seed " + seed + " round " + round);
            }
        }
    }

    /** Scores as Redis's d2string writes these (integers and halves), the member order of zzlInsert. */
    @Test
    void shouldBuildTheSortedSetListpackRedisDumps() throws Exception
    {
        final long seed = System.nanoTime();
        System.out.println("ListpackFlyweightTest zset seed " + seed);
        final Random random = new Random(seed);
        try (RedisDumpOracle redis = RedisDumpOracle.start())
        {
            redis.call("CONFIG", "SET", "zset-max-listpack-entries", "100000");
            redis.call("CONFIG", "SET", "zset-max-listpack-value", "100000");
            for (int round = 0; round < 6; round++)
            {
                redis.call("DEL", "z");
                empty();
                final List<Object[]> sorted = new ArrayList<>();
                final Comparator<Object[]> order = Comparator.<Object[]>comparingDouble(e -> (Double)e[0])
                    .thenComparing(e -> (byte[])e[1], Arrays::compareUnsigned);
                for (int op = 0; op < 80; op++)
                {
                    final byte[] member = randomValue(random);
                    if (sorted.stream().anyMatch(e -> Arrays.equals((byte[])e[1], member)))
                    {
                        continue;
                    }
                    final double score = (random.nextInt(200) - 100) / (random.nextBoolean() ? 1.0 : 2.0);
                    final String scoreText = score == Math.rint(score) ? Long.toString((long)score) : Double.toString(score);
                    redis.call(bytes("ZADD"), bytes("z"), bytes(scoreText), member);
                    final Object[] element = {score, member};
                    int index = 0;
                    while (index < sorted.size() && order.compare(sorted.get(index), element) < 0)
                    {
                        index++;
                    }
                    sorted.add(index, element);
                    final int at = lp.seek(2L * index);
                    if (at == NONE)
                    {
                        append(member);
                        append(bytes(scoreText));
                    }
                    else
                    {
                        final int m = insert(at, BEFORE, member);
                        insert(m, AFTER, bytes(scoreText));
                    }
                }
                final byte[] expected = RedisDumpOracle.blobOf((byte[])redis.call("DUMP", "z"), RedisDumpOracle.RDB_TYPE_ZSET_LISTPACK);
                assertArrayEquals(expected, blob(), "seed " + seed + " round " + round);
            }
        }
    }

    @Test
    void shouldBuildTheListNodeRedisDumps() throws Exception
    {
        final long seed = System.nanoTime();
        System.out.println("ListpackFlyweightTest list seed " + seed);
        final Random random = new Random(seed);
        try (RedisDumpOracle redis = RedisDumpOracle.start())
        {
            redis.call("CONFIG", "SET", "list-max-listpack-size", "-5"); // one node up to 64 KB
            for (int round = 0; round < 6; round++)
            {
                redis.call("DEL", "l");
                empty();
                int size = 0;
                for (int op = 0; op < 100; op++)
                {
                    final byte[] value = randomValue(random);
                    final int action = size < 2 ? 0 : random.nextInt(10);
                    if (action < 4)
                    {
                        redis.call(bytes("RPUSH"), bytes("l"), value);
                        append(value);
                        size++;
                    }
                    else if (action < 7)
                    {
                        redis.call(bytes("LPUSH"), bytes("l"), value);
                        insert(lp.first(), BEFORE, value);
                        size++;
                    }
                    else if (action < 8)
                    {
                        final int index = random.nextInt(size) - (random.nextBoolean() ? size : 0);
                        redis.call(bytes("LSET"), bytes("l"), bytes(Integer.toString(index)), value);
                        replace(lp.seek(index), value);
                    }
                    else if (action < 9)
                    {
                        redis.call("LPOP", "l");
                        lp.delete(lp.first());
                        size--;
                    }
                    else
                    {
                        redis.call("RPOP", "l");
                        lp.delete(lp.last());
                        size--;
                    }
                }
                final byte[] expected = RedisDumpOracle.blobOf((byte[])redis.call("DUMP", "l"), RedisDumpOracle.RDB_TYPE_LIST_QUICKLIST_2);
                assertArrayEquals(expected, blob(), "seed " + seed + " round " + round);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // behaviour without the oracle

    @Test
    void shouldStoreOnlyCanonicalDecimalsAsIntegers()
    {
        for (final String edge : EDGES)
        {
            final byte[] b = bytes(edge);
            boolean canonical;
            try
            {
                canonical = Long.toString(Long.parseLong(edge)).equals(edge);
            }
            catch (final NumberFormatException e)
            {
                canonical = false;
            }
            assertEquals(canonical, ListpackDescriptor.isCanonical(new UnsafeBuffer(b), 0, b.length), edge);
            empty();
            lp.load(append(b));
            assertEquals(canonical, lp.isInteger(), edge);
        }
    }

    @Test
    void shouldRoundTripEveryEncodingBothWays()
    {
        final Random random = new Random(7);
        empty();
        final List<byte[]> model = new ArrayList<>();
        for (final String edge : EDGES)
        {
            model.add(bytes(edge));
            append(bytes(edge));
        }
        for (final int length : STRING_LENGTHS)
        {
            final byte[] b = new byte[length];
            random.nextBytes(b);
            model.add(b);
            append(b);
        }
        assertModel(model);
        for (int i = 0; i < model.size(); i++)
        {
            assertArrayEquals(model.get(i), valueAt(lp.seek(i)), "seek " + i);
            assertArrayEquals(model.get(model.size() - 1 - i), valueAt(lp.seek(-1 - i)), "seek " + (-1 - i));
        }
        assertEquals(NONE, lp.seek(model.size()));
        assertEquals(NONE, lp.seek(-model.size() - 1));
    }

    @Test
    void shouldInsertReplaceAndDeleteAtEveryPosition()
    {
        final Random random = new Random(11);
        final List<byte[]> base = new ArrayList<>();
        for (int i = 0; i < 24; i++)
        {
            base.add(randomValue(random));
        }
        for (int at = 0; at <= base.size(); at++)
        {
            for (int where = BEFORE; where <= AFTER; where++)
            {
                if (where == AFTER && at == base.size())
                {
                    continue;
                }
                empty();
                base.forEach(this::append);
                final List<byte[]> model = new ArrayList<>(base);
                final byte[] value = randomValue(random);
                final int p = at == base.size() ? lp.totalBytes() - 1 : lp.seek(at);
                final int inserted = insert(p, where, value);
                model.add(where == AFTER ? at + 1 : at, value);
                assertArrayEquals(value, valueAt(inserted));
                assertModel(model);
            }
        }
        for (int at = 0; at < base.size(); at++)
        {
            empty();
            base.forEach(this::append);
            final List<byte[]> model = new ArrayList<>(base);
            final byte[] value = randomValue(random);
            replace(lp.seek(at), value);
            model.set(at, value);
            assertModel(model);
            final int next = lp.delete(lp.seek(at));
            model.remove(at);
            assertModel(model);
            assertEquals(at == model.size() ? NONE : lp.seek(at), next);
        }
    }

    @Test
    void shouldDeleteRangesAsRedisDoes()
    {
        final Random random = new Random(13);
        final List<byte[]> base = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            base.add(randomValue(random));
        }
        for (int index = -12; index <= 11; index++)
        {
            for (int count = 0; count <= 12; count++)
            {
                empty();
                base.forEach(this::append);
                final List<byte[]> model = new ArrayList<>(base);
                final int from = index < 0 ? index + model.size() : index;
                final int expected = from < 0 || from >= model.size() ? 0 : Math.min(count, model.size() - from);
                for (int i = 0; i < expected; i++)
                {
                    model.remove(from);
                }
                assertEquals(expected, lp.deleteRange(index, count), "index " + index + " count " + count);
                assertModel(model);
            }
        }
    }

    @Test
    void shouldFindFieldsButNotValuesWithSkip()
    {
        empty();
        final String[] pairs = {"a", "1", "1", "b", "007", "7", "7", "x", "", "e"};
        for (final String s : pairs)
        {
            append(bytes(s));
        }
        assertEquals(lp.seek(2), find("1", 1), "the field 1, not the value 1 before it");
        assertEquals(lp.seek(6), find("7", 1), "7 as a field (integer), not the string 007 nor the value");
        assertEquals(lp.seek(4), find("007", 1));
        assertEquals(lp.seek(8), find("", 1));
        assertEquals(NONE, find("b", 1), "b is only a value");
        assertEquals(lp.seek(3), find("b", 0));
        assertEquals(NONE, find("+7", 0));
        assertEquals(lp.seek(6), lp.findInteger(lp.first(), 7, 1));
        assertEquals(NONE, lp.findInteger(lp.first(), 8, 0));
    }

    private int find(final String s, final int skip)
    {
        final byte[] b = bytes(s);
        return lp.find(lp.first(), new UnsafeBuffer(b), 0, b.length, skip);
    }

    @Test
    void shouldRefuseTruncatedAndCorruptedBlobsWithoutReadingOutside()
    {
        final Random random = new Random(17);
        empty();
        for (final String edge : EDGES)
        {
            append(bytes(edge));
        }
        for (final int length : new int[]{63, 64, 200, 4096})
        {
            append(new byte[length]);
        }
        final byte[] good = blob();
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[good.length]);
        final BufferRegion exact = new BufferRegion();
        final ListpackFlyweight check = new ListpackFlyweight();
        int accepted = 0;
        for (int size = 0; size < good.length; size++)
        {
            // plain truncation, then a truncation made to look whole: its header says size and it ends in 0xFF
            scratch.putBytes(0, good, 0, size);
            assertNotNull(check.wrap(exact.wrap(scratch, 0, size)).validate(size), "truncated to " + size);
            if (size >= ListpackDescriptor.EMPTY_LENGTH)
            {
                scratch.putInt(0, size, java.nio.ByteOrder.LITTLE_ENDIAN);
                scratch.putByte(size - 1, (byte)0xFF);
                accepted += walkIfAccepted(check, size);
            }
        }
        for (int offset = 0; offset < good.length; offset++)
        {
            for (final int damage : new int[]{0x00, 0xFF, 0x80, 0x7F, 0xF0, 0xE0, random.nextInt(256)})
            {
                scratch.putBytes(0, good);
                scratch.putByte(offset, (byte)damage);
                scratch.putByte(offset, (byte)(good[offset] == (byte)damage ? damage ^ 1 : damage));
                exact.wrap(scratch, 0, good.length);
                accepted += walkIfAccepted(check.wrap(exact), good.length);
            }
        }
        assertNull(check.wrap(exact.wrap(new UnsafeBuffer(good), 0, good.length)).validate(good.length));
        assertTrue(accepted < good.length * 7, "most damage must be refused");
    }

    /** A blob validate accepts must be walkable both ways, to its count, inside its region. */
    private static int walkIfAccepted(final ListpackFlyweight check, final int size)
    {
        if (check.validate(size) != null)
        {
            return 0;
        }
        int forward = 0;
        for (int p = check.first(); p != NONE; p = check.next(p))
        {
            check.load(p);
            forward++;
        }
        int backward = 0;
        for (int p = check.last(); p != NONE; p = check.prev(p))
        {
            check.load(p);
            backward++;
        }
        assertEquals(check.count(), forward);
        assertEquals(forward, backward);
        return 1;
    }

    @Test
    void shouldWriteTheSameBytesInPageMemory()
    {
        final Random random = new Random(19);
        try (PageMemory memory = new PageMemory())
        {
            final int capacity = 40_000;
            final long handle = memory.allocate(capacity, true);
            final PageRegion page = new PageRegion(memory).wrap(handle, capacity);
            final ListpackFlyweight inPages = new ListpackFlyweight().wrap(page).init();
            empty();
            for (int i = 0; i < 200; i++)
            {
                final byte[] value = randomValue(random);
                final UnsafeBuffer v = new UnsafeBuffer(value);
                if (inPages.sizeAfterInsert(v, 0, value.length) > capacity)
                {
                    break;
                }
                final int at = random.nextInt(lp.count() + 1);
                final int p = at == lp.count() ? lp.totalBytes() - 1 : lp.seek(at);
                insert(p, BEFORE, value);
                inPages.insert(at == inPages.count() ? inPages.totalBytes() - 1 : inPages.seek(at), BEFORE, v, 0, value.length);
                if (random.nextInt(4) == 0)
                {
                    final int d = random.nextInt(lp.count());
                    lp.delete(lp.seek(d));
                    inPages.delete(inPages.seek(d));
                }
            }
            final byte[] fromPages = new byte[inPages.totalBytes()];
            memory.getBytes(handle, fromPages, 0, fromPages.length);
            assertArrayEquals(blob(), fromPages);
            assertNull(inPages.validate(inPages.totalBytes()));
        }
    }

    @Test
    void shouldRefuseAWriteTheRegionCannotHold()
    {
        empty();
        final byte[] value = bytes("hello");
        final UnsafeBuffer v = new UnsafeBuffer(value);
        final byte[] before = blob();
        assertThrows(IllegalArgumentException.class, () -> lp.append(v, 0, value.length));
        assertArrayEquals(before, blob(), "a refused write changes nothing");
    }

    @Test
    void shouldIterateAndFindWithoutAllocating()
    {
        final Random random = new Random(23);
        empty();
        for (int i = 0; i < 64; i++)
        {
            append(randomValue(random));
        }
        final byte[] missing = bytes("not-there-at-all");
        final UnsafeBuffer key = new UnsafeBuffer(missing);
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        long sink = 0;
        final int ops = 200_000;
        for (int warm = 0; warm < 2; warm++)
        {
            final long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < ops; i++)
            {
                for (int p = lp.first(); p != NONE; p = lp.next(p))
                {
                    lp.load(p);
                    sink += lp.isInteger() ? lp.integer() : lp.stringLength();
                }
                for (int p = lp.last(); p != NONE; p = lp.prev(p))
                {
                    sink += p;
                }
                sink += lp.find(lp.first(), key, 0, missing.length, 1);
                sink += lp.seek(-(i % 64) - 1);
            }
            final long allocated = threads.getThreadAllocatedBytes(thread) - before;
            if (warm == 1)
            {
                assertTrue(allocated <= ops / 100, "allocated " + allocated + " bytes over " + ops + " ops");
            }
        }
        assertNotEquals(42, sink);
    }
}
