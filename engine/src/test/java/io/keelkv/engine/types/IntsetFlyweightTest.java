package io.keelkv.engine.types;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/** The intset codec: byte for byte against redis-server 7.0's DUMP of integer sets, then behaviour and validation. */
class IntsetFlyweightTest
{
    private final UnsafeBuffer backing = new UnsafeBuffer(new byte[1 << 16]);
    private final BufferRegion region = new BufferRegion();
    private final IntsetFlyweight set = new IntsetFlyweight();

    private void empty()
    {
        region.wrap(backing, 0, IntsetDescriptor.HEADER_LENGTH);
        set.wrap(region).init();
    }

    /** Add through the size-first protocol: the region is exactly as large as announced. */
    private boolean add(final long value)
    {
        final long size = set.sizeAfterAdd(value);
        region.wrap(backing, 0, (int)Math.max(size, set.sizeInBytes()));
        final boolean added = set.add(value);
        assertEquals(size, set.sizeInBytes(), "sizeAfterAdd must announce the exact new size");
        return added;
    }

    private byte[] blob()
    {
        final byte[] out = new byte[set.sizeInBytes()];
        backing.getBytes(0, out);
        return out;
    }

    private void assertModel(final TreeSet<Long> model)
    {
        assertEquals(model.size(), set.length());
        int i = 0;
        for (final long v : model)
        {
            assertEquals(v, set.get(i), "index " + i);
            assertEquals(i, set.search(v));
            assertTrue(set.contains(v));
            i++;
        }
        if (!model.isEmpty())
        {
            assertNull(set.validate(set.sizeInBytes()));
        }
    }

    private static long randomMember(final Random random, final int widest)
    {
        return switch (random.nextInt(widest))
        {
            case 0 -> random.nextInt(200) - 100;
            case 1 -> (short)random.nextInt();
            case 2 -> random.nextInt();
            default -> random.nextLong();
        };
    }

    @Test
    void shouldBuildTheIntsetRedisDumpsThroughEveryUpgrade() throws Exception
    {
        final long seed = System.nanoTime();
        System.out.println("IntsetFlyweightTest seed " + seed);
        final Random random = new Random(seed);
        try (RedisDumpOracle redis = RedisDumpOracle.start())
        {
            for (int round = 0; round < 8; round++)
            {
                redis.call("DEL", "s");
                empty();
                final TreeSet<Long> model = new TreeSet<>();
                final long[] edges = {0, -1, 32767, -32768, 32768, -32769, Integer.MAX_VALUE, Integer.MIN_VALUE,
                    Integer.MAX_VALUE + 1L, Integer.MIN_VALUE - 1L, Long.MAX_VALUE, Long.MIN_VALUE};
                for (int op = 0; op < 150; op++)
                {
                    // widen over the round so every upgrade (16 to 32, 32 to 64, 16 to 64) happens on a populated set
                    final long value = random.nextInt(10) == 0 ? edges[random.nextInt(edges.length)] :
                        randomMember(random, 1 + Math.min(3, op / (20 + 10 * (round % 3))));
                    if (model.size() > 1 && random.nextInt(6) == 0)
                    {
                        final long victim = random.nextBoolean() ? value : model.first();
                        assertEquals((Long)redis.call("SREM", "s", Long.toString(victim)) == 1, set.remove(victim));
                        model.remove(victim);
                    }
                    else
                    {
                        assertEquals((Long)redis.call("SADD", "s", Long.toString(value)) == 1, add(value));
                        model.add(value);
                    }
                }
                assertModel(model);
                final byte[] expected = RedisDumpOracle.blobOf((byte[])redis.call("DUMP", "s"), RedisDumpOracle.RDB_TYPE_SET_INTSET);
                assertArrayEquals(expected, blob(), "seed " + seed + " round " + round);
            }
        }
    }

    @Test
    void shouldUpgradeByPrependingNegativesAndAppendingPositives()
    {
        empty();
        add(5);
        add(-3);
        add(100);
        assertEquals(IntsetDescriptor.ENC_INT16, set.encoding());
        assertTrue(add(-100_000));
        assertEquals(IntsetDescriptor.ENC_INT32, set.encoding());
        assertTrue(add(1L << 40));
        assertEquals(IntsetDescriptor.ENC_INT64, set.encoding());
        assertFalse(add(5));
        final TreeSet<Long> model = new TreeSet<>(java.util.List.of(5L, -3L, 100L, -100_000L, 1L << 40));
        assertModel(model);
        assertTrue(set.remove(1L << 40));
        assertFalse(set.remove(1L << 40));
        assertEquals(IntsetDescriptor.ENC_INT64, set.encoding(), "a removal never downgrades");
        model.remove(1L << 40);
        assertModel(model);
        assertFalse(set.contains(1L << 50));
        assertEquals(-1, set.search(Long.MIN_VALUE));
    }

    @Test
    void shouldRefuseAnAddTheRegionCannotHold()
    {
        empty();
        final byte[] before = blob();
        assertThrows(IllegalArgumentException.class, () -> set.add(7));
        assertArrayEquals(before, blob());
    }

    @Test
    void shouldRefuseDamagedBlobsWithoutReadingOutside()
    {
        empty();
        for (final long v : new long[]{-70_000, -5, 0, 9, 70_000})
        {
            add(v);
        }
        final byte[] good = blob();
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[good.length]);
        final BufferRegion exact = new BufferRegion();
        final IntsetFlyweight check = new IntsetFlyweight();
        assertNull(check.wrap(exact.wrap(new UnsafeBuffer(good), 0, good.length)).validate(good.length));
        for (int size = 0; size < good.length; size++)
        {
            scratch.putBytes(0, good, 0, size);
            assertNotNull(check.wrap(exact.wrap(scratch, 0, size)).validate(size), "truncated to " + size);
        }
        for (int offset = 0; offset < good.length; offset++)
        {
            for (final int damage : new int[]{0x00, 0xFF, 0x80, 0x01})
            {
                scratch.putBytes(0, good);
                scratch.putByte(offset, (byte)(good[offset] == (byte)damage ? damage ^ 0x40 : damage));
                final String reason = check.wrap(exact.wrap(scratch, 0, good.length)).validate(good.length);
                if (offset < 8)
                {
                    assertNotNull(reason, "header byte " + offset + " damaged to " + damage);
                }
                else if (reason == null)
                {
                    for (int i = 1; i < check.length(); i++)
                    {
                        assertTrue(check.get(i - 1) < check.get(i));
                    }
                }
            }
        }
        final UnsafeBuffer emptySet = new UnsafeBuffer(new byte[8]);
        emptySet.putInt(0, 2, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals("empty", check.wrap(exact.wrap(emptySet, 0, 8)).validate(8));
    }

    @Test
    void shouldMatchASortedModelUnderRandomAddsAndRemoves()
    {
        final Random random = new Random(29);
        empty();
        final TreeSet<Long> model = new TreeSet<>();
        for (int op = 0; op < 3000; op++)
        {
            final long value = randomMember(random, 1 + Math.min(3, op / 700));
            if (random.nextInt(3) == 0)
            {
                assertEquals(model.remove(value), set.remove(value));
            }
            else
            {
                assertEquals(model.add(value), add(value));
            }
            if (op % 100 == 0)
            {
                assertModel(model);
            }
        }
        assertModel(model);
    }
}
