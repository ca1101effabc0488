package io.keelkv.engine.keyspace;

import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.keyspace.ObjectType;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;
import static org.junit.jupiter.api.Assertions.*;

class DatabaseTest
{
    private static final long BASE = UnsafeApi.arrayBaseOffset(byte[].class);
    private final PageMemory memory = new PageMemory();
    private final Keyspace keyspace = new Keyspace(memory, 16, 1);
    private final Database db = keyspace.database(0);
    private final EntryFlyweight entry = new EntryFlyweight(memory);

    @AfterEach
    void close()
    {
        memory.close();
    }

    private long put(final String key, final String value, final long expireAt)
    {
        final byte[] k = key.getBytes(StandardCharsets.UTF_8);
        final byte[] v = value.getBytes(StandardCharsets.UTF_8);
        assertEquals(NULL_HANDLE, keyspace.lookupWrite(db, k, BASE, k.length), "key exists: " + key);
        final long e = keyspace.addEntry(db, k, BASE, k.length, ObjectType.STRING, 0, v.length, expireAt);
        memory.putBytes(entry.wrap(e).valueHandle(), v, BASE, v.length);
        return e;
    }

    private String get(final String key)
    {
        final byte[] k = key.getBytes(StandardCharsets.UTF_8);
        final long e = keyspace.lookupRead(db, k, BASE, k.length);
        return e == NULL_HANDLE ? null : new String(entry.wrap(e).valueBytes(), StandardCharsets.UTF_8);
    }

    private boolean delete(final String key)
    {
        final byte[] k = key.getBytes(StandardCharsets.UTF_8);
        return keyspace.delete(db, k, BASE, k.length);
    }

    /**
     * An entry keeps its value length in an int: a longer or negative length (a wrapped sum in a command)
     * would size the block one way and the entry another. The keyspace refuses it before allocating.
     */
    @Test
    void shouldRefuseAValueLengthAnEntryCannotHold()
    {
        final byte[] k = "k".getBytes(StandardCharsets.UTF_8);
        assertEquals(NULL_HANDLE, keyspace.lookupWrite(db, k, BASE, k.length));
        assertThrows(IllegalArgumentException.class,
            () -> keyspace.addEntry(db, k, BASE, k.length, ObjectType.STRING, 0, -1, -1));
        assertThrows(IllegalArgumentException.class,
            () -> keyspace.addEntry(db, k, BASE, k.length, ObjectType.STRING, 0, EntryDescriptor.MAX_VALUE_LENGTH + 1, -1));
        assertEquals(0, db.size());

        put("k", "value", -1);
        assertNotEquals(NULL_HANDLE, keyspace.lookupWrite(db, k, BASE, k.length));
        assertThrows(IllegalArgumentException.class, () -> keyspace.resizeValue(db, -1, 0));
        assertThrows(IllegalArgumentException.class,
            () -> keyspace.resizeValue(db, EntryDescriptor.MAX_VALUE_LENGTH + 1, 5));
        assertEquals("value", get("k"));
    }

    @Test
    void shouldThrowInsteadOfSpinningOnAChainThatLoopsBackOnItself()
    {
        // damaged memory (a crafted snapshot passes its checksums): an entry whose next is itself
        final long e = put("a", "1", -1);
        put("b", "2", -1);
        while (db.isResizing())
        {
            db.resizeStep(1000);
        }
        memory.putLong(e + EntryDescriptor.NEXT_OFFSET, e);
        int cycles = 0;
        for (int i = 0; i < 64; i++) // some miss lands in a's bucket
        {
            final byte[] k = ("missing:" + i).getBytes(StandardCharsets.UTF_8);
            try
            {
                db.find(k, BASE, k.length);
            }
            catch (final IllegalStateException ex)
            {
                assertTrue(ex.getMessage().contains("a cycle"), ex.getMessage());
                cycles++;
            }
        }
        assertTrue(cycles > 0, "a lookup in the looping bucket must fail, not spin");
        assertThrows(IllegalStateException.class, () -> db.forEach(h -> { }), "KEYS, DEBUG DIGEST");
        assertThrows(IllegalStateException.class, () ->
        {
            long cursor = 0;
            do
            {
                cursor = db.scan(cursor, h -> { });
            }
            while (cursor != 0);
        }, "SCAN");
    }

    @Test
    void shouldFindEveryKeyAcrossIncrementalRehash()
    {
        for (int i = 0; i < 100_000; i++)
        {
            put("key:" + i, "value:" + i, -1);
            if (i % 997 == 0)
            {
                assertEquals("value:" + (i / 2), get("key:" + (i / 2)));
            }
        }
        assertEquals(100_000, db.size());
        for (int i = 0; i < 100_000; i++)
        {
            assertEquals("value:" + i, get("key:" + i));
        }
        assertNull(get("key:100000"));
    }

    /**
     * A table of a megabyte or more is zeroed a step per lookup before its rehash starts, never in one go (a
     * 128 MB table took 70 ms at once); meanwhile the old table keeps serving every key.
     */
    @Test
    void shouldZeroABigNewTableInStepsBeforeRehashingIntoIt()
    {
        final int before = (int)(Database.EAGER_ZERO_BYTES / 8); // buckets of the first table that big
        for (int i = 0; i < before; i++)
        {
            put("key:" + i, "v" + i, -1);
        }
        while (db.isResizing())
        {
            db.resizeStep(1000);
        }
        put("key:" + before, "v" + before, -1); // reaches load factor 1: the next table is 2 MiB
        assertTrue(db.isResizing(), "a resize started");
        assertFalse(db.isRehashing(), "the new table is zeroed first, not rehashed into at once");
        int lookups = 0;
        while (!db.isRehashing())
        {
            final int k = lookups++ % (before + 1);
            assertEquals("v" + k, get("key:" + k), "served by the old table while the new one is zeroed");
        }
        final long expected = 2 * Database.EAGER_ZERO_BYTES / Database.PREPARE_STEP_BYTES;
        assertTrue(lookups >= expected - 1 && lookups <= expected + 1, "one step per lookup: " + lookups);
        while (db.isResizing())
        {
            db.resizeStep(1000);
        }
        for (int i = 0; i <= before; i++)
        {
            assertEquals("v" + i, get("key:" + i));
        }
        assertEquals(2L * before, db.bucketCount());
    }

    @Test
    void shouldPauseResizingWhileASnapshotRunsUnlessTheTableIsFiveTimesFull()
    {
        for (int i = 0; i < 1000; i++)
        {
            put("key:" + i, "v" + i, -1);
        }
        while (db.isResizing())
        {
            db.resizeStep(1000);
        }
        final long buckets = db.bucketCount();
        keyspace.snapshotRunning(true);
        int i = 1000;
        for (; i < (Database.FORCE_RESIZE_RATIO + 1) * buckets; i++)
        {
            put("key:" + i, "v" + i, -1);
            assertFalse(db.isResizing(), "no resize up to the force ratio: " + i);
        }
        assertFalse(db.resizeStep(1000), "the cron moves nothing either");
        put("key:" + i, "v" + i, -1); // six entries per bucket: grow anyway, as Redis does
        assertTrue(db.isResizing());
        keyspace.snapshotRunning(false);
        while (db.isResizing())
        {
            db.resizeStep(1000);
        }
        for (int k = 0; k <= i; k++)
        {
            assertEquals("v" + k, get("key:" + k));
        }
    }

    @Test
    void shouldMoveNoBucketOnALookupWhileASnapshotRuns()
    {
        int i = 0;
        while (!db.isRehashing())
        {
            put("key:" + i, "v" + i, -1);
            i++;
        }
        keyspace.snapshotRunning(true);
        final String roots = roots();
        for (int k = 0; k < i; k++)
        {
            assertEquals("v" + k, get("key:" + k));
        }
        assertEquals(roots, roots(), "a read moved buckets while a snapshot runs");
        keyspace.snapshotRunning(false);
        get("key:0");
        assertNotEquals(roots, roots(), "resumed");
    }

    @Test
    void shouldDropAPendingTableRatherThanZeroItAtASnapshotInstant()
    {
        final int before = (int)(Database.EAGER_ZERO_BYTES / 8);
        for (int i = 0; i <= before; i++)
        {
            put("key:" + i, "v" + i, -1);
            while (i < before && db.isResizing())
            {
                db.resizeStep(1000);
            }
        }
        assertTrue(db.isResizing() && !db.isRehashing(), "a big table is being zeroed");
        final long pages = memory.pagesInUse();
        db.abandonPendingTable();
        assertFalse(db.isResizing());
        assertEquals(pages - 2 * Database.EAGER_ZERO_BYTES / memory.pageSizeBytes(), memory.pagesInUse(), "freed");
        db.captureRoots(new DatabaseRoots());
        put("again", "v", -1); // the next insert over the load factor starts the resize over
        assertTrue(db.isResizing());
    }

    private String roots()
    {
        final DatabaseRoots roots = new DatabaseRoots();
        db.captureRoots(roots);
        return roots.table0 + " " + roots.table1 + " " + roots.used0 + " " + roots.used1 + " " + roots.rehashIndex;
    }

    /** A big table (zeroed in steps, then rehashed in steps): every key is reachable mid-rehash and after. */
    @Test
    void shouldFindEveryKeyThroughoutTheRehashOfABigTable()
    {
        final int keys = 1 << 18; // the next insert grows a 2 MiB table into a 4 MiB one
        for (int i = 0; i <= keys; i++)
        {
            put("key:" + i, "v" + i, -1);
            if (i == keys / 2)
            {
                while (db.isResizing())
                {
                    db.resizeStep(1000);
                }
            }
        }
        while (!db.isRehashing())
        {
            db.resizeStep(1000); // zero the new table
        }
        final SplittableRandom random = new SplittableRandom(7);
        int checked = 0;
        while (db.isRehashing())
        {
            db.rehash(5000);
            for (int n = 0; n < 200; n++)
            {
                final int k = random.nextInt(keys + 1);
                assertEquals("v" + k, get("key:" + k));
                checked++;
            }
        }
        assertTrue(checked > 1000, "looked up mid-rehash: " + checked);
        for (int i = 0; i <= keys; i++)
        {
            assertEquals("v" + i, get("key:" + i));
        }
        assertTrue(delete("key:0") && get("key:0") == null);
    }

    @Test
    void shouldPointPrefetchAtTheChainHoldingTheKeyAcrossRehash()
    {
        final KeyPrefetcher prefetcher = new KeyPrefetcher(memory);
        boolean sawRehash = false;
        for (int i = 0; i < 20_000; i++)
        {
            put("key:" + i, "v", -1);
            sawRehash |= db.isRehashing();
            if (i % 101 == 0)
            {
                // outside a rehash the hint's chain holds the key (during one, a key may be in either table)
                for (int j = 0; j <= i && !db.isRehashing(); j += 1 + i / 50)
                {
                    final byte[] k = ("key:" + j).getBytes(StandardCharsets.UTF_8);
                    long e = db.chainHead(Hashing.hash(memory.hashSeed(), k, BASE, k.length));
                    while (e != NULL_HANDLE && !entry.wrap(e).keyEquals(k, BASE, k.length))
                    {
                        e = entry.next();
                    }
                    assertNotEquals(NULL_HANDLE, e, "key:" + j + " not on its hinted chain");
                }
                final long sizeBefore = db.size();
                final byte[] k = ("key:" + i).getBytes(StandardCharsets.UTF_8);
                prefetcher.clear();
                prefetcher.addAll(k, new long[] {BASE, BASE}, new int[] {k.length, 2}, 2);
                assertEquals(2, prefetcher.size());
                final long sinkBefore = prefetcher.sink();
                final boolean rehashing = db.isRehashing();
                prefetcher.prefetch(db);
                if (!rehashing)
                {
                    assertNotEquals(sinkBefore, prefetcher.sink(), "the entry header was read");
                }
                assertEquals(0, prefetcher.size());
                assertEquals(sizeBefore, db.size());
                assertEquals("v", get("key:" + i), "the keyspace is unchanged by a prefetch");
            }
        }
        assertTrue(sawRehash, "the test must cross a rehash");
    }

    @Test
    void shouldShrinkAndKeepKeysAfterMassDeletes()
    {
        for (int i = 0; i < 50_000; i++)
        {
            put("k" + i, "v", -1);
        }
        final long bucketsFull = db.bucketCount();
        for (int i = 0; i < 49_900; i++)
        {
            assertTrue(delete("k" + i));
        }
        for (int i = 0; i < 100; i++)
        {
            db.shrinkIfNeeded();
            while (db.rehash(100))
            {
                // finish
            }
        }
        assertTrue(db.bucketCount() < bucketsFull / 8, "table did not shrink: " + db.bucketCount());
        for (int i = 49_900; i < 50_000; i++)
        {
            assertEquals("v", get("k" + i));
        }
        assertEquals(100, db.size());
    }

    @Test
    void shouldExpireLazilyOnLookup()
    {
        keyspace.nowMs(1_000_000);
        put("gone", "x", 999_999);
        put("stays", "y", 2_000_000);
        assertEquals(2, db.size());
        assertNull(get("gone"));
        assertEquals(1, db.size());
        assertEquals(1, keyspace.expiredKeys());
        assertEquals("y", get("stays"));
    }

    @Test
    void shouldExpireActivelyWithoutLookups()
    {
        keyspace.nowMs(1_000_000);
        for (int i = 0; i < 10_000; i++)
        {
            put("t" + i, "v", i % 2 == 0 ? 1_000_500 : 5_000_000);
        }
        keyspace.nowMs(1_001_000);
        // a cycle stops at the first sample that is at most 10% stale (Redis's rule), so one cycle may
        // leave expired keys; repeated cycles (the cron) must take them to zero
        assertTrue(keyspace.activeExpireCycle(50_000_000) > 0);
        for (int i = 0; i < 50_000 && db.size() > 5_000; i++)
        {
            keyspace.activeExpireCycle(50_000_000);
        }
        assertEquals(5_000, db.size());
        assertEquals(5_000, db.volatileCount());
    }

    @Test
    void shouldMoveEntryWhenTtlIsAddedAndRemovedKeepingItsValue()
    {
        put("k", "value", -1);
        final byte[] k = "k".getBytes(StandardCharsets.UTF_8);
        keyspace.lookupWrite(db, k, BASE, 1);
        keyspace.setExpire(db, Long.MAX_VALUE / 2);
        assertEquals(1, db.volatileCount());
        assertEquals("value", get("k"));
        keyspace.lookupWrite(db, k, BASE, 1);
        keyspace.setExpire(db, -1);
        assertEquals(0, db.volatileCount());
        assertEquals("value", get("k"));
        assertEquals(-1, entry.wrap(keyspace.lookupRead(db, k, BASE, 1)).expireAt());
    }

    @Test
    void shouldReturnEveryKeyPresentForTheWholeScanAcrossResizes()
    {
        final long seed = System.nanoTime();
        System.out.println("shouldReturnEveryKeyPresentForTheWholeScanAcrossResizes seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 5_000; i++)
        {
            put("stable:" + i, "v", -1);
        }
        final Set<String> seen = new HashSet<>();
        long cursor = 0;
        int churn = 0;
        do
        {
            cursor = db.scan(cursor, e -> seen.add(new String(entry.wrap(e).keyBytes(), StandardCharsets.UTF_8)));
            // grow, then shrink, while the scan runs: the guarantee must hold across both
            final int phase = churn++;
            for (int j = 0; j < 200; j++)
            {
                if (phase < 40)
                {
                    put("churn:" + phase + ":" + j, "v", -1);
                }
                else if (phase < 80)
                {
                    delete("churn:" + (phase - 40) + ":" + j);
                }
            }
            if (random.nextInt(4) == 0)
            {
                db.shrinkIfNeeded();
            }
        }
        while (cursor != 0);
        for (int i = 0; i < 5_000; i++)
        {
            assertTrue(seen.contains("stable:" + i), "SCAN missed stable:" + i);
        }
    }

    @Test
    void shouldPickRandomEntriesFromAllOverTheTable()
    {
        for (int i = 0; i < 100; i++)
        {
            put("r" + i, "v", -1);
        }
        final Set<String> picked = new HashSet<>();
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 5_000; i++)
        {
            picked.add(new String(entry.wrap(db.randomEntry(random)).keyBytes(), StandardCharsets.UTF_8));
        }
        assertEquals(100, picked.size());
    }

    @Test
    void shouldSwapDatabasesInConstantTime()
    {
        put("a", "1", -1);
        final Database other = keyspace.database(1);
        keyspace.swapDatabases(0, 1);
        assertEquals(0, db.size());
        assertEquals(1, other.size());
        final byte[] k = "a".getBytes(StandardCharsets.UTF_8);
        assertNotEquals(NULL_HANDLE, keyspace.lookupRead(other, k, BASE, 1));
    }

    @Test
    void shouldEvictUnderEveryPolicyUntilNoCandidateRemains()
    {
        keyspace.nowMs(1_000_000);
        for (int i = 0; i < 100; i++)
        {
            put("e" + i, "v", i < 10 ? 9_000_000 : -1);
        }
        int evicted = 0;
        while (keyspace.evictOne(EvictionPolicy.VOLATILE_TTL, 5))
        {
            evicted++;
        }
        assertEquals(10, evicted);
        assertFalse(keyspace.evictOne(EvictionPolicy.NOEVICTION, 5));
        while (keyspace.evictOne(EvictionPolicy.ALLKEYS_LRU, 5))
        {
            evicted++;
        }
        assertEquals(100, evicted);
        assertEquals(0, db.size());
    }
}
