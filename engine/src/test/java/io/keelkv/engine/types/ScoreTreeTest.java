package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.memory.PageTableImage;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;
import static io.keelkv.engine.types.ScoreTreeDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The score tree against a sorted-list model through random inserts, deletes, ranks, counts, seeks and cursor
 * walks; its shape and the pages one write touches at a million elements; the stepped free; out of memory in
 * the middle of an insert; damaged roots and nodes; and no allocation once warm. Random tests print their seed;
 * rerun one with {@code -Dkeel.seed=<seed>}.
 */
class ScoreTreeTest
{
    static final long BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    private final PageMemory memory = new PageMemory();
    private final ScoreTree tree = new ScoreTree(memory);
    private final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(200_000));

    @AfterEach
    void close()
    {
        memory.close();
    }

    static long seed(final String test)
    {
        final long seed = Long.getLong("keel.seed", System.nanoTime());
        System.out.println("ScoreTreeTest " + test + " seed " + seed + " (rerun with -Dkeel.seed=" + seed + ")");
        return seed;
    }

    record Elem(double score, byte[] member)
    {
        @Override
        public String toString()
        {
            return score + ":" + (member.length > 40 ? member.length + " bytes" : new String(member, StandardCharsets.ISO_8859_1));
        }
    }

    static final Comparator<Elem> ORDER = (a, b) ->
        a.score < b.score ? -1 : a.score > b.score ? 1 : Arrays.compareUnsigned(a.member, b.member);

    private int insert(final Elem e, final boolean viaDirect)
    {
        if (viaDirect && e.member.length <= direct.capacity())
        {
            direct.putBytes(0, e.member);
            return tree.insert(e.score, null, direct.addressOffset(), e.member.length);
        }
        return tree.insert(e.score, e.member, BASE, e.member.length);
    }

    private boolean delete(final Elem e)
    {
        return tree.delete(e.score, e.member, BASE, e.member.length);
    }

    private long rank(final Elem e)
    {
        return tree.rank(e.score, e.member, BASE, e.member.length);
    }

    private static byte[] memberAt(final ScoreTree.Cursor c)
    {
        final byte[] m = new byte[c.memberLength()];
        UnsafeApi.copyMemory(null, c.memberAddress(), m, BASE, m.length);
        return m;
    }

    private static int lowerBound(final List<Elem> sorted, final Elem e)
    {
        final int i = Collections.binarySearch(sorted, e, ORDER);
        return i >= 0 ? i : -i - 1;
    }

    private static long countBelowScore(final List<Elem> sorted, final double score, final boolean inclusive)
    {
        int lo = 0;
        int hi = sorted.size();
        while (lo < hi)
        {
            final int mid = (lo + hi) >>> 1;
            final double s = sorted.get(mid).score;
            if (inclusive ? s <= score : s < score)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    private static Elem elem(final double score, final String member)
    {
        return new Elem(score == 0 ? 0.0 : score, member.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Walk every leaf and inner node: subtree counts add up to the totals and the leaves' slots are in order
     * over packed entries (the flyweights' verify), every leaf but a lone
     * top and the last is at least a quarter full, every inner node but the top has at least a quarter of its children, all
     * leaves are at one depth, and the leaf chain links both ways and ends where the root says.
     */
    private void checkShape(final long root, final String context)
    {
        tree.wrap(root);
        final int height = tree.height();
        if (height == 0)
        {
            assertEquals(0, tree.size(), context);
            return;
        }
        final long top = memory.getLong(root + TOP_OFFSET);
        final List<Long> leaves = new ArrayList<>();
        checkNode(top, height - 1, tree.size(), true, leaves, context);
        final ScoreLeafFlyweight view = new ScoreLeafFlyweight(memory);
        long prev = NULL_HANDLE;
        long at = memory.getLong(root + FIRST_LEAF_OFFSET);
        int i = 0;
        while (at != NULL_HANDLE)
        {
            view.wrap(at, -1).verify();
            assertEquals(leaves.get(i++), at, context + ": the leaf chain is not in tree order");
            assertEquals(prev, view.prev(), context);
            // the last leaf may be short: an insert past the end of a full last leaf starts a new one (ascending
            // scores then fill it), and only a delete rebalances
            if (height > 1 && view.next() != NULL_HANDLE)
            {
                assertTrue(view.space() >= LEAF_MIN_USED, context + ": a leaf of " + view.space() + " bytes");
            }
            prev = at;
            at = view.next();
        }
        assertEquals(leaves.size(), i, context);
        assertEquals(prev, memory.getLong(root + LAST_LEAF_OFFSET), context);
    }

    private void checkNode(final long node, final int level, final long expected, final boolean top,
        final List<Long> leaves, final String context)
    {
        if (level == 0)
        {
            new ScoreLeafFlyweight(memory).wrap(node, expected).verify();
            leaves.add(node);
            return;
        }
        final ScoreInnerFlyweight view = new ScoreInnerFlyweight(memory).wrap(node, level, expected).verify();
        assertTrue(top ? view.count() >= 2 : view.count() >= MIN_CHILDREN, context + ": inner node of " + view.count());
        assertEquals(0, view.keyCode(0), context + ": key 0 not empty");
        for (int i = 0; i < view.count(); i++)
        {
            checkNode(view.child(i), level - 1, view.subtreeCount(i), false, leaves, context);
        }
    }

    private void checkAgainstModel(final long root, final List<Elem> sorted, final String context)
    {
        tree.wrap(root);
        assertEquals(sorted.size(), tree.size(), context);
        if (sorted.isEmpty())
        {
            return;
        }
        ScoreTree.Cursor c = tree.seek(0);
        for (int i = 0; i < sorted.size(); i++)
        {
            assertTrue(c.valid(), context);
            assertEquals(sorted.get(i).score, c.score(), context + " at " + i);
            assertArrayEquals(sorted.get(i).member, memberAt(c), context + " at " + i);
            assertEquals(i < sorted.size() - 1, c.next(), context);
        }
        assertFalse(c.valid());
        for (int i = 0; i < sorted.size(); i++)
        {
            assertEquals(i, rank(sorted.get(i)), context + ": rank of " + sorted.get(i));
        }
        c = tree.seek(sorted.size() - 1);
        for (int i = sorted.size() - 1; i >= 0; i--)
        {
            assertEquals(sorted.get(i).score, c.score(), context + " at " + i);
            assertArrayEquals(sorted.get(i).member, memberAt(c), context + " at " + i);
            assertEquals(i > 0, c.previous(), context);
        }
        checkShape(root, context);
    }

    private static final double[] SCORES = {0, 1, 2, 3, 1.5, -1, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 1e300};

    private static Elem randomElem(final SplittableRandom random)
    {
        final double score = random.nextInt(2) == 0 ? SCORES[random.nextInt(SCORES.length)] :
            random.nextInt(2) == 0 ? random.nextInt(50) : random.nextDouble(-1e6, 1e6);
        final int kind = random.nextInt(100);
        final byte[] member;
        if (kind < 2)
        {
            member = new byte[random.nextInt(2)]; // empty or 1 byte
            if (member.length == 1)
            {
                member[0] = (byte)random.nextInt(256);
            }
        }
        else if (kind < 5)
        {
            member = new byte[300];
            random.nextBytes(member);
        }
        else if (kind == 5 && random.nextInt(10) == 0)
        {
            member = new byte[100 * 1024];
            random.nextBytes(member);
        }
        else if (kind < 20)
        {
            // a long shared prefix: equal scores then need long separators
            member = new byte[40 + random.nextInt(40)];
            Arrays.fill(member, (byte)'p');
            for (int i = 30; i < member.length; i++)
            {
                member[i] = (byte)('a' + random.nextInt(3));
            }
        }
        else if (kind < 40)
        {
            // short members of a small alphabet: one is often another plus a byte, so a separator equals an element
            member = new byte[random.nextInt(4)];
            for (int i = 0; i < member.length; i++)
            {
                member[i] = (byte)('a' + random.nextInt(3));
            }
        }
        else
        {
            member = new byte[random.nextInt(24)];
            for (int i = 0; i < member.length; i++)
            {
                member[i] = (byte)(random.nextInt(4) == 0 ? random.nextInt(256) : 'a' + random.nextInt(6));
            }
        }
        return new Elem(score == 0 ? 0.0 : score, member);
    }

    // ------------------------------------------------------------------------------------------------

    @Test
    void shouldMatchASortedModelThroughRandomInsertsDeletesRanksCountsAndWalks()
    {
        final long seed = seed("model");
        final SplittableRandom random = new SplittableRandom(seed);
        final long allocatedBefore = memory.allocatedBytes();
        final long root = tree.create();
        final List<Elem> sorted = new ArrayList<>();
        final Map<String, Elem> byMember = new HashMap<>();
        int maxHeight = 0;
        for (int batch = 0; batch < 60; batch++)
        {
            final boolean growing = (batch / 10) % 3 != 2;
            for (int op = 0; op < 1_000; op++)
            {
                tree.wrap(root);
                final String context = "seed " + seed + " batch " + batch + " op " + op;
                final int kind = random.nextInt(10);
                if (kind < (growing ? 5 : 2))
                {
                    final Elem e = randomElem(random);
                    final String key = new String(e.member, StandardCharsets.ISO_8859_1);
                    if (byMember.containsKey(key))
                    {
                        continue;
                    }
                    // the negative zero goes in as such: the tree stores it as 0.0
                    final Elem given = e.score == 0 && random.nextBoolean() ? new Elem(-0.0, e.member) : e;
                    assertEquals(1, insert(given, random.nextBoolean()), context);
                    byMember.put(key, e);
                    sorted.add(lowerBound(sorted, e), e);
                }
                else if (kind < 6 && !sorted.isEmpty())
                {
                    final Elem victim = random.nextInt(5) == 0 ? randomElem(random) : sorted.get(random.nextInt(sorted.size()));
                    final int i = Collections.binarySearch(sorted, victim, ORDER);
                    assertEquals(i >= 0, delete(victim), context + " delete " + victim);
                    if (i >= 0)
                    {
                        sorted.remove(i);
                        byMember.remove(new String(victim.member, StandardCharsets.ISO_8859_1));
                    }
                }
                else if (kind < 7)
                {
                    final Elem probe = !sorted.isEmpty() && random.nextBoolean() ? sorted.get(random.nextInt(sorted.size())) :
                        randomElem(random);
                    final int i = Collections.binarySearch(sorted, probe, ORDER);
                    assertEquals(i >= 0 ? i : -1, rank(probe), context + " rank " + probe);
                    final double s = probe.score == 0 ? -0.0 : probe.score;
                    assertEquals(countBelowScore(sorted, probe.score, false), tree.countBelowScore(s, false), context);
                    final long upTo = tree.countBelowScore(s, true);
                    assertEquals(countBelowScore(sorted, probe.score, true), upTo, context);
                    // a seek right after a count (a range's first or last element) starts from the counted leaf,
                    // unless the tree changed in between
                    if (random.nextInt(4) == 0)
                    {
                        final Elem e = randomElem(random);
                        final String key = new String(e.member, StandardCharsets.ISO_8859_1);
                        if (!byMember.containsKey(key))
                        {
                            assertEquals(1, insert(e, false), context);
                            byMember.put(key, e);
                            sorted.add(lowerBound(sorted, e), e);
                        }
                    }
                    for (final long r : new long[] {upTo - 1, upTo, upTo + 1, upTo - 200, random.nextInt(sorted.size() + 1)})
                    {
                        if (r >= 0 && r < sorted.size())
                        {
                            final ScoreTree.Cursor c = tree.seek(r);
                            assertEquals(sorted.get((int)r).score, c.score(), context + " seek " + r + " after a count");
                            assertArrayEquals(sorted.get((int)r).member, memberAt(c), context + " seek " + r + " after a count");
                        }
                    }
                }
                else if (kind < 8 && !sorted.isEmpty())
                {
                    final int start = random.nextInt(sorted.size());
                    final ScoreTree.Cursor c = tree.seek(start);
                    final boolean forward = random.nextBoolean();
                    int i = start;
                    for (int step = 0; step < 300 && i >= 0 && i < sorted.size(); step++)
                    {
                        assertEquals(sorted.get(i).score, c.score(), context + " walk at " + i);
                        assertArrayEquals(sorted.get(i).member, memberAt(c), context + " walk at " + i);
                        final boolean moved = forward ? c.next() : c.previous();
                        i += forward ? 1 : -1;
                        assertEquals(i >= 0 && i < sorted.size(), moved, context);
                    }
                }
            }
            maxHeight = Math.max(maxHeight, tree.height());
            checkAgainstModel(root, sorted, "seed " + seed + " batch " + batch);
            System.out.println("model test: batch " + batch + ", " + sorted.size() + " elements, height " + tree.height() +
                ", " + tree.bytesUsed() + " bytes");
        }
        assertTrue(maxHeight >= 3, "the tree never got three levels: " + maxHeight);
        tree.wrap(root);
        assertEquals(memory.allocatedBytes() - allocatedBefore, tree.bytesUsed(), "bytesUsed is not what the tree holds");
        // delete everything left, in random order, then free
        Collections.shuffle(sorted, new java.util.Random(seed));
        for (final Elem e : sorted)
        {
            assertTrue(delete(e));
        }
        assertEquals(0, tree.size());
        assertEquals(0, tree.height());
        assertEquals(memory.blockBytes(ROOT_LENGTH), tree.bytesUsed());
        assertTrue(tree.freeStep(root, 10));
        assertEquals(allocatedBefore, memory.allocatedBytes());
    }

    /**
     * Equal scores and members sharing a 60-byte prefix: no separator fits inline, so every split and share
     * keeps its key in a block of its own, which merges and rotations move and free.
     */
    @Test
    void shouldKeepLongSeparatorsInBlocksOfTheirOwnAndFreeThem()
    {
        final long seed = seed("separators");
        final SplittableRandom random = new SplittableRandom(seed);
        final long allocatedBefore = memory.allocatedBytes();
        final long root = tree.create();
        final List<Elem> sorted = new ArrayList<>();
        final java.util.Set<String> seen = new java.util.HashSet<>();
        for (int round = 0; round < 4; round++)
        {
            for (int i = 0; i < 15_000; i++)
            {
                final byte[] member = new byte[64 + random.nextInt(12)];
                Arrays.fill(member, (byte)'x');
                for (int j = 60; j < member.length; j++)
                {
                    member[j] = (byte)('a' + random.nextInt(4));
                }
                final Elem e = new Elem(round % 2, member);
                if (seen.add(new String(member, StandardCharsets.ISO_8859_1)))
                {
                    assertEquals(1, insert(e, false));
                    sorted.add(lowerBound(sorted, e), e);
                }
            }
            System.out.println("separator test: round " + round + ", " + sorted.size() + " elements after inserts");
            for (int i = 0; i < 6_000 && !sorted.isEmpty(); i++)
            {
                final Elem victim = sorted.remove(random.nextInt(sorted.size()));
                seen.remove(new String(victim.member, StandardCharsets.ISO_8859_1));
                assertTrue(delete(victim), "seed " + seed);
            }
            checkAgainstModel(root, sorted, "seed " + seed + " round " + round);
            tree.wrap(root);
            assertEquals(memory.allocatedBytes() - allocatedBefore, tree.bytesUsed(), "seed " + seed);
            System.out.println("separator test: round " + round + ", " + sorted.size() + " elements, height " + tree.height());
        }
        assertTrue(tree.height() >= 3);
        final int blocks = outOfLineKeys(memory.getLong(root + TOP_OFFSET), tree.height() - 1);
        System.out.println("separator test: " + blocks + " keys in blocks of their own");
        assertTrue(blocks > 10, "seed " + seed + ": long separators stayed inline?");
        while (!tree.freeStep(root, 7))
        {
            // stepped free, out-of-line keys included
        }
        assertEquals(allocatedBefore, memory.allocatedBytes());
    }

    private int outOfLineKeys(final long node, final int level)
    {
        if (level == 0)
        {
            return 0;
        }
        final ScoreInnerFlyweight view = new ScoreInnerFlyweight(memory).wrap(node, level, -1);
        int blocks = 0;
        for (int i = 0; i < view.count(); i++)
        {
            blocks += view.keyBlock(i) != 0 ? 1 : 0;
            final int n = outOfLineKeys(view.child(i), level - 1);
            view.wrap(node, level, -1);
            blocks += n;
        }
        return blocks;
    }

    @Test
    void shouldKeepTheCursorAcrossQueriesAndOtherTreesButNotAChangeOfItsOwn()
    {
        final long first = tree.create();
        final byte[] m = new byte[8];
        for (int i = 0; i < 1_000; i++)
        {
            UnsafeApi.putLong(m, BASE, i);
            tree.insert(i, m, BASE, m.length);
        }
        final long second = tree.create();
        final ScoreTree.Cursor c = tree.wrap(first).seek(500);
        assertEquals(500, c.score());
        tree.rank(3, m, BASE, m.length);
        tree.countBelowScore(10, true);
        tree.wrap(second).insert(1, m, BASE, m.length);
        assertTrue(c.valid());
        assertTrue(c.next());
        assertEquals(501, c.score());
        UnsafeApi.putLong(m, BASE, 5_000);
        tree.wrap(first).insert(5_000, m, BASE, m.length);
        assertFalse(c.valid(), "an insert into the walked tree invalidates the cursor");
        assertThrows(IllegalStateException.class, c::score);
        assertFalse(c.next());
    }

    @Test
    void shouldOrderMembersAsSdscmpAndScoresWithNegativeZeroAsZero()
    {
        final long root = tree.create();
        final String[] members = {"", "\u0000", "a", "ab", "b", "\u007f", "\u0080", "\u00ff", "\u00ff\u00ff"};
        final List<Elem> sorted = new ArrayList<>();
        for (int i = members.length - 1; i >= 0; i--)
        {
            final Elem e = elem(0, members[i]);
            assertEquals(1, tree.insert(-0.0, e.member, BASE, e.member.length));
            sorted.add(e);
        }
        sorted.add(elem(Double.NEGATIVE_INFINITY, "z"));
        sorted.add(elem(Double.POSITIVE_INFINITY, ""));
        tree.insert(Double.NEGATIVE_INFINITY, sorted.get(sorted.size() - 2).member, BASE, 1);
        tree.insert(Double.POSITIVE_INFINITY, new byte[0], BASE, 0);
        sorted.sort(ORDER);
        checkAgainstModel(root, sorted, "sdscmp");
        assertEquals(1, tree.rank(0.0, new byte[0], BASE, 0), "-inf first, then the empty member");
        assertEquals(1, tree.rank(-0.0, new byte[0], BASE, 0), "-0.0 is 0.0");
        assertEquals(1, tree.seek(1).score() == 0 && Double.doubleToRawLongBits(tree.seek(1).score()) == 0 ? 1 : 0,
            "stored as +0.0");
        assertEquals(1, tree.countBelowScore(-0.0, false));
        assertEquals(1 + members.length, tree.countBelowScore(0.0, true));
        assertEquals(1 + members.length + 1, tree.countBelowScore(Double.POSITIVE_INFINITY, true));
        assertEquals(0, tree.countBelowScore(Double.NEGATIVE_INFINITY, false));
    }

    @Test
    void shouldCountBelowAMemberWhenAllScoresAreEqual()
    {
        final long seed = seed("lex");
        final SplittableRandom random = new SplittableRandom(seed);
        final long root = tree.create();
        final List<Elem> sorted = new ArrayList<>();
        final java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 20_000; i++)
        {
            final Elem e = randomElem(random);
            final Elem same = new Elem(7, e.member);
            if (seen.add(new String(e.member, StandardCharsets.ISO_8859_1)))
            {
                assertEquals(1, insert(same, false));
                sorted.add(lowerBound(sorted, same), same);
            }
            if (i % 3 == 0 && !sorted.isEmpty())
            {
                final Elem victim = sorted.remove(random.nextInt(sorted.size()));
                seen.remove(new String(victim.member, StandardCharsets.ISO_8859_1));
                assertTrue(delete(victim));
            }
        }
        checkAgainstModel(root, sorted, "seed " + seed);
        for (int i = 0; i < 5_000; i++)
        {
            final byte[] bound = random.nextBoolean() ? sorted.get(random.nextInt(sorted.size())).member : randomElem(random).member;
            long below = 0;
            long atMost = 0;
            for (final Elem e : sorted)
            {
                final int c = Arrays.compareUnsigned(e.member, bound);
                below += c < 0 ? 1 : 0;
                atMost += c <= 0 ? 1 : 0;
            }
            assertEquals(below, tree.countBelowMember(bound, BASE, bound.length, false), "seed " + seed);
            assertEquals(atMost, tree.countBelowMember(bound, BASE, bound.length, true), "seed " + seed);
        }
    }

    /**
     * A million elements of 16-byte members: the depth stays logarithmic (4 levels), and each insert and delete
     * writes a bounded number of pages, counted by the snapshot's write barrier (each page written in an epoch
     * is copied once) and by the nodes the operation wraps. Prints the bytes per element.
     */
    @Test
    void shouldStayShallowAndTouchFewPagesPerWriteAtAMillionElements()
    {
        final long seed = seed("million");
        final SplittableRandom random = new SplittableRandom(seed);
        final long root = tree.create();
        final byte[] m = new byte[16];
        final int n = 1_000_000;
        for (int i = 0; i < n; i++)
        {
            UnsafeApi.putLong(m, BASE, random.nextLong());
            UnsafeApi.putLong(m, BASE + 8, i);
            assertEquals(1, tree.insert(random.nextInt(100_000), m, BASE, 16));
        }
        assertEquals(n, tree.size());
        final double perElement = (double)tree.bytesUsed() / tree.size();
        System.out.printf("million test: random scores, %d elements of 16-byte members, height %d, %d bytes used, %.1f bytes per element%n",
            tree.size(), tree.height(), tree.bytesUsed(), perElement);
        assertTrue(tree.height() <= 4, "height " + tree.height());
        assertTrue(perElement < 50, perElement + " bytes per element");

        // bounded pages per write: each operation in an epoch of its own
        final PageTableImage image = new PageTableImage();
        int epoch = 1;
        long worstPages = 0;
        long worstNodes = 0;
        final SplittableRandom ops = new SplittableRandom(seed + 1);
        long splitsSeen = 0;
        for (int i = 0; i < 3_000; i++)
        {
            memory.captureImage(image);
            memory.barrier().begin(epoch++, image);
            final long nodes = tree.nodesVisited;
            UnsafeApi.putLong(m, BASE, ops.nextLong());
            UnsafeApi.putLong(m, BASE + 8, -i);
            final double score = ops.nextInt(100_000);
            final long bytes = tree.bytesUsed();
            assertEquals(1, tree.insert(score, m, BASE, 16));
            splitsSeen += tree.bytesUsed() > bytes ? 1 : 0;
            assertTrue(tree.delete(score, m, BASE, 16));
            worstPages = Math.max(worstPages, memory.barrier().pagesPreservedByWriter());
            worstNodes = Math.max(worstNodes, tree.nodesVisited - nodes);
            memory.barrier().end();
        }
        System.out.println("million test: an insert and a delete wrote at most " + worstPages + " pages and wrapped at most " +
            worstNodes + " nodes (" + splitsSeen + " of the inserts split a leaf)");
        assertTrue(splitsSeen > 0, "no insert split a leaf");
        assertTrue(worstPages <= 2 * (2 * tree.height() + 4), "pages written: " + worstPages);
        assertTrue(worstNodes <= 2 * (tree.height() + 4), "nodes wrapped: " + worstNodes);
        assertEquals(n, tree.size());

        // delete down to a tenth: the tree shrinks and stays at least a quarter full
        final SplittableRandom again = new SplittableRandom(seed);
        for (int i = 0; i < n; i++)
        {
            UnsafeApi.putLong(m, BASE, again.nextLong());
            UnsafeApi.putLong(m, BASE + 8, i);
            final double score = again.nextInt(100_000);
            if (i % 10 != 0)
            {
                assertTrue(tree.delete(score, m, BASE, 16));
            }
        }
        assertEquals(n / 10, tree.size());
        System.out.printf("million test: after deleting 90%%, height %d, %.1f bytes per element%n",
            tree.height(), (double)tree.bytesUsed() / tree.size());
        checkShape(root, "seed " + seed);
        assertTrue((double)tree.bytesUsed() / tree.size() < 4 * 25 + 20);
    }

    @Test
    void shouldFillLeavesWhenScoresOnlyGrow()
    {
        final long root = tree.create();
        final byte[] m = new byte[16];
        for (int i = 0; i < 200_000; i++)
        {
            UnsafeApi.putLong(m, BASE, i);
            assertEquals(1, tree.insert(i, m, BASE, 16));
        }
        final double perElement = (double)tree.bytesUsed() / tree.size();
        System.out.printf("ascending test: %.1f bytes per element%n", perElement);
        assertTrue(perElement < 28, perElement + " bytes per element");
        checkShape(root, "ascending");
    }

    @Test
    void shouldFreeTwoHundredThousandElementsInBoundedStepsAndGiveBackEveryByte()
    {
        final long allocatedBefore = memory.allocatedBytes();
        final long pagesBefore = memory.pagesInUse();
        final long root = tree.create();
        final byte[] big = new byte[400];
        final byte[] m = new byte[12];
        for (int i = 0; i < 200_000; i++)
        {
            if (i % 1000 == 0)
            {
                UnsafeApi.putInt(big, BASE, i);
                assertEquals(1, tree.insert(i % 7, big, BASE, big.length));
            }
            UnsafeApi.putInt(m, BASE, i);
            assertEquals(1, tree.insert(i % 7, m, BASE, m.length));
        }
        assertEquals(allocatedBefore + tree.bytesUsed(), memory.allocatedBytes());
        // another tree used between the steps: the free's position is in the root, not in the instance
        final long other = tree.create();
        tree.insert(1, m, BASE, m.length);
        final int maxBlocks = 100;
        int calls = 0;
        long previous = memory.allocatedBytes();
        boolean done = false;
        while (!done)
        {
            done = tree.freeStep(root, maxBlocks);
            calls++;
            final long freed = previous - memory.allocatedBytes();
            previous = memory.allocatedBytes();
            assertTrue(freed <= (long)(maxBlocks + MAX_CHILDREN) * LEAF_BYTES, "a step freed " + freed + " bytes");
            tree.wrap(other);
            assertEquals(0, tree.rank(1, m, BASE, m.length));
            if (!done)
            {
                assertThrows(IllegalStateException.class, () -> tree.wrap(root), "a tree being freed cannot be used");
            }
        }
        System.out.println("free test: " + calls + " steps of up to " + maxBlocks + " blocks");
        assertTrue(calls > 10, "too few steps: " + calls);
        tree.freeStep(other, 10);
        assertEquals(allocatedBefore, memory.allocatedBytes());
        assertEquals(pagesBefore, memory.pagesInUse());
    }

    /**
     * Every separator in a block of its own (equal scores, members sharing 40 bytes), memory at its limit: a split
     * that cannot have its new leaf gives back what it took and nothing else (no separator block of an earlier
     * split, which belongs to a key by then).
     */
    @Test
    void shouldGiveBackExactlyWhatAFailedSplitTookWhenSeparatorsAreLong()
    {
        final long allocatedBefore = memory.allocatedBytes();
        final long root = tree.create();
        final List<Elem> sorted = new ArrayList<>();
        final String prefix = "x".repeat(40);
        int i = 0;
        for (; i < 20_000; i++)
        {
            final Elem e = elem(5, prefix + Integer.toString(i * 7919 % 20_011, 36));
            assertEquals(1, insert(e, false));
            sorted.add(lowerBound(sorted, e), e);
        }
        memory.setMaxTotalBytes(memory.pagesInUseBytes());
        int failures = 0;
        for (; failures < 50 && i < 100_000; i++)
        {
            // "-": no base-36 digit, so never a member of the first run ("y" was one: "ab" + "y" = "aby")
            final Elem e = elem(5, prefix + Integer.toString(i * 7919 % 100_003, 36) + "-");
            final long allocated = memory.allocatedBytes();
            if (insert(e, false) == ScoreTree.OUT_OF_MEMORY)
            {
                failures++;
                assertEquals(allocated, memory.allocatedBytes(), "a failed insert changed the memory in use");
            }
            else
            {
                sorted.add(lowerBound(sorted, e), e);
            }
        }
        assertEquals(50, failures);
        checkShape(root, "long separators at the memory limit");
        checkAgainstModel(root, sorted, "long separators at the memory limit");
        assertEquals(memory.allocatedBytes() - allocatedBefore, tree.bytesUsed());
        memory.setMaxTotalBytes(Long.MAX_VALUE);
        while (!tree.freeStep(root, 100))
        {
            // stepped free
        }
        assertEquals(allocatedBefore, memory.allocatedBytes());
    }

    /** Short members of random scores, and a third of equal score sharing a 40-byte prefix (long separators). */
    private static Elem oomElem(final SplittableRandom random, final String unique)
    {
        if (random.nextInt(3) == 0)
        {
            return new Elem(5, ("x".repeat(40) + unique).getBytes(StandardCharsets.ISO_8859_1));
        }
        return new Elem(random.nextInt(1000), (unique + "-" + random.nextInt(1000)).getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void shouldLeaveTheTreeUnchangedWhenMemoryRunsOutMidInsert()
    {
        final long seed = seed("oom");
        final SplittableRandom random = new SplittableRandom(seed);
        final long allocatedBefore = memory.allocatedBytes();
        final long root = tree.create();
        final List<Elem> sorted = new ArrayList<>();
        for (int i = 0; i < 20_000; i++)
        {
            final Elem e = oomElem(random, "m" + i);
            assertEquals(1, insert(e, false));
            sorted.add(lowerBound(sorted, e), e);
        }
        // no page beyond those in use: inserts go on while their blocks fit in pages already there
        memory.setMaxTotalBytes(memory.pagesInUseBytes());
        int failures = 0;
        int successes = 0;
        for (int i = 0; i < 20_000 && failures < 200; i++)
        {
            final Elem e;
            if (random.nextInt(20) == 0)
            {
                final byte[] member = new byte[300 + random.nextInt(3000)];
                UnsafeApi.putInt(member, BASE, i);
                e = new Elem(random.nextInt(1000), member);
            }
            else
            {
                e = oomElem(random, "n" + i);
            }
            final long allocated = memory.allocatedBytes();
            final long used = tree.bytesUsed();
            final int result = insert(e, false);
            if (result == ScoreTree.OUT_OF_MEMORY)
            {
                failures++;
                assertEquals(allocated, memory.allocatedBytes(), "seed " + seed + ": a failed insert kept memory");
                assertEquals(used, tree.bytesUsed());
                assertEquals(sorted.size(), tree.size());
                assertEquals(-1, rank(e));
            }
            else
            {
                successes++;
                assertEquals(1, result);
                sorted.add(lowerBound(sorted, e), e);
            }
            if (i % 7 == 0)
            {
                // deletes need no memory
                final Elem victim = sorted.remove(random.nextInt(sorted.size()));
                assertTrue(delete(victim), "seed " + seed);
            }
            if (i % 500 == 0)
            {
                checkAgainstModel(root, sorted, "seed " + seed + " op " + i);
            }
        }
        System.out.println("oom test: " + successes + " inserts fitted, " + failures + " ran out of memory");
        tree.wrap(root);
        assertEquals(memory.allocatedBytes() - allocatedBefore, tree.bytesUsed(), "seed " + seed);
        assertTrue(failures > 0 && successes > 0, "seed " + seed + ": " + successes + " successes, " + failures + " failures");
        checkAgainstModel(root, sorted, "seed " + seed + " after");
        // a member bigger than all memory
        final byte[] huge = new byte[1 << 20];
        final long allocated = memory.allocatedBytes();
        assertEquals(ScoreTree.OUT_OF_MEMORY, tree.insert(1, huge, BASE, huge.length));
        assertEquals(allocated, memory.allocatedBytes());
        assertEquals(sorted.size(), tree.size());
        memory.setMaxTotalBytes(Long.MAX_VALUE);
        for (final Elem e : sorted)
        {
            assertTrue(delete(e));
        }
        assertEquals(0, tree.size());
    }

    @Test
    void shouldRefuseADamagedRootOrNode()
    {
        final long root = tree.create();
        final byte[] m = new byte[20];
        for (int i = 0; i < 5_000; i++)
        {
            UnsafeApi.putInt(m, BASE, i);
            tree.insert(i, m, BASE, m.length);
        }
        final byte[] big = new byte[1000];
        tree.insert(-5, big, BASE, big.length);
        UnsafeApi.putInt(m, BASE, 4_000);
        assertEquals(4_001, tree.rank(4_000, m, BASE, m.length));

        // the root: magic, height, a top that is not a node
        corrupt(root + MAGIC_OFFSET, 4, () -> tree.wrap(root));
        corrupt(root + HEIGHT_OFFSET, 1, () -> tree.wrap(root));
        final long top = memory.getLong(root + TOP_OFFSET);
        memory.putLong(root + TOP_OFFSET, root);
        assertThrows(IllegalStateException.class, () -> tree.wrap(root).rank(4_000, m, BASE, m.length));
        memory.putLong(root + TOP_OFFSET, top);
        // an inner node: magic, count, a subtree count or a total that disagrees, a key of a bad length, a child
        // that is no node
        final long entry0 = top + INNER_ENTRIES_OFFSET;
        corrupt(top, 1, () -> tree.wrap(root).rank(4_000, m, BASE, m.length));
        corrupt(top + INNER_COUNT_OFFSET, 1, () -> tree.wrap(root).rank(4_000, m, BASE, m.length));
        corrupt(top + INNER_TOTAL_OFFSET, 1, () -> tree.wrap(root).rank(4_000, m, BASE, m.length));
        corrupt(entry0 + SUBTREE_COUNT_OFFSET, 1, () -> tree.wrap(root).seek(10));
        corrupt(entry0 + INNER_ENTRY + KEY_CODE_OFFSET, 1, () -> tree.wrap(root).countBelowScore(3, false));
        final long inSecondLeaf = memory.getLong(entry0 + SUBTREE_COUNT_OFFSET) + 1;
        corrupt(entry0 + INNER_ENTRY + CHILD_OFFSET, 1, () -> tree.wrap(root).seek(inSecondLeaf));
        corrupt(entry0 + INNER_ENTRY + CHILD_OFFSET + 4, 1, () -> tree.wrap(root).seek(inSecondLeaf));
        // a leaf: magic, count, used bytes; a slot outside the entries, an entry running past the used bytes, an
        // out-of-line member that is no block
        final long first = memory.getLong(root + FIRST_LEAF_OFFSET);
        corrupt(first, 1, () -> tree.wrap(root).seek(0));
        corrupt(first + LEAF_COUNT_OFFSET, 1, () -> tree.wrap(root).seek(0));
        corrupt(first + LEAF_USED_OFFSET + 1, 1, () -> tree.wrap(root).seek(0));
        corrupt(first + leafSlotOffset(1) + 1, 1, () -> tree.wrap(root).seek(1).score());
        withSlot(first, 1, LEAF_ENTRIES_OFFSET - 10, () -> tree.wrap(root).seek(1).score());
        final int used = (memory.getByte(first + LEAF_USED_OFFSET) & 0xFF) | (memory.getByte(first + LEAF_USED_OFFSET + 1) & 0xFF) << 8;
        withSlot(first, 1, LEAF_ENTRIES_OFFSET + used - 5, () -> tree.wrap(root).seek(1).score());
        withSlot(first, 1, LEAF_BYTES - 2, () -> tree.wrap(root).seek(1).score());
        final int leafCount = memory.getByte(first + LEAF_COUNT_OFFSET) & 0xFF;
        final int lastEntry = (memory.getByte(first + leafSlotOffset(leafCount - 1)) & 0xFF) |
            (memory.getByte(first + leafSlotOffset(leafCount - 1) + 1) & 0xFF) << 8;
        corrupt(first + lastEntry + ENTRY_CODE_OFFSET, 1, () -> tree.wrap(root).seek(leafCount - 1).memberLength());
        final long bigLength = first + LEAF_ENTRIES_OFFSET + ENTRY_OUT_LENGTH_OFFSET;
        memory.putInt(bigLength, 100);
        assertThrows(IllegalStateException.class, () -> tree.wrap(root).seek(0).memberLength());
        memory.putInt(bigLength, 1000);
        final long bigHandle = first + LEAF_ENTRIES_OFFSET + ENTRY_OUT_HANDLE_OFFSET;
        final long saved = memory.getLong(bigHandle);
        memory.putLong(bigHandle, first + 8);
        assertThrows(IllegalStateException.class, () -> tree.wrap(root).seek(0).memberAddress());
        memory.putLong(bigHandle, saved);
        // all restored: the tree is whole again
        tree.wrap(root);
        assertEquals(4_001, tree.rank(4_000, m, BASE, m.length));
        assertEquals(1000, tree.seek(0).memberLength());
    }

    /** Set slot i of {@code leaf} to {@code value}, expect the action to throw IllegalStateException, restore it. */
    private void withSlot(final long leaf, final int i, final int value, final org.junit.jupiter.api.function.Executable action)
    {
        final long at = leaf + leafSlotOffset(i);
        final byte low = memory.getByte(at);
        final byte high = memory.getByte(at + 1);
        memory.putByte(at, (byte)value);
        memory.putByte(at + 1, (byte)(value >>> 8));
        assertThrows(IllegalStateException.class, action, "slot " + i + " = " + value + " not seen");
        memory.putByte(at, low);
        memory.putByte(at + 1, high);
    }

    /**
     * Counts that do not add up where no one compares them (a child's count and the node's total moved
     * together, the root's size with them, so every number agrees with the one above it): ranks come out wrong,
     * but a seek to every rank either lands on an element or throws IllegalStateException, and the shape walk
     * sees it (the first leaf's count against its parent's).
     */
    @Test
    void shouldStayInsideTheLeavesWhenCountsDoNotAddUp()
    {
        final long root = tree.create();
        final byte[] m = new byte[20];
        for (int i = 0; i < 5_000; i++)
        {
            UnsafeApi.putInt(m, BASE, i);
            tree.insert(i, m, BASE, m.length);
        }
        final long top = memory.getLong(root + TOP_OFFSET);
        final long firstCount = top + INNER_ENTRIES_OFFSET + SUBTREE_COUNT_OFFSET;
        for (final long delta : new long[] {1_000, -100})
        {
            memory.putLong(firstCount, memory.getLong(firstCount) + delta);
            memory.putLong(top + INNER_TOTAL_OFFSET, memory.getLong(top + INNER_TOTAL_OFFSET) + delta);
            memory.putLong(root + SIZE_OFFSET, memory.getLong(root + SIZE_OFFSET) + delta);
            tree.wrap(root);
            int landed = 0;
            int refused = 0;
            for (long r = 0; r < tree.size(); r++)
            {
                try
                {
                    tree.seek(r).score();
                    landed++;
                }
                catch (final IllegalStateException e)
                {
                    refused++;
                }
            }
            assertTrue(refused > 0, "delta " + delta + ": no seek saw the damage (" + landed + " landed)");
            assertThrows(IllegalStateException.class, () -> checkShape(root, "counts moved by " + delta));
            memory.putLong(firstCount, memory.getLong(firstCount) - delta);
            memory.putLong(top + INNER_TOTAL_OFFSET, memory.getLong(top + INNER_TOTAL_OFFSET) - delta);
            memory.putLong(root + SIZE_OFFSET, memory.getLong(root + SIZE_OFFSET) - delta);
        }
        checkShape(root, "restored");
    }

    /**
     * Random damage to the tree's nodes (bytes of leaves and inner nodes overwritten at random, as a damaged
     * snapshot file would fill them): every query and write either works or throws IllegalStateException, with
     * the page memory's bounds guard (on in tests) seeing no write outside a block in use.
     */
    @Test
    void shouldOnlyThrowIllegalStateOnRandomlyDamagedNodes()
    {
        final long seed = seed("damage");
        final SplittableRandom random = new SplittableRandom(seed);
        final byte[] m = new byte[12];
        int refused = 0;
        int guarded = 0;
        for (int round = 0; round < 40; round++)
        {
            final long root = tree.create();
            for (int i = 0; i < 3_000; i++)
            {
                UnsafeApi.putInt(m, BASE, random.nextInt(1_000_000));
                tree.insert(random.nextInt(100), m, BASE, 4 + random.nextInt(8));
            }
            final List<Long> nodes = new ArrayList<>();
            collectNodes(memory.getLong(root + TOP_OFFSET), tree.height() - 1, nodes);
            for (int k = 0; k < 1 + random.nextInt(4); k++)
            {
                final long node = nodes.get(random.nextInt(nodes.size()));
                final int at = random.nextBoolean() ? random.nextInt(64) :
                    random.nextBoolean() ? LEAF_BYTES - 1 - random.nextInt(400) : random.nextInt(LEAF_BYTES);
                memory.putByte(node + at, (byte)random.nextInt(256));
            }
            for (int op = 0; op < 300; op++)
            {
                UnsafeApi.putInt(m, BASE, random.nextInt(1_000_000));
                final double score = random.nextInt(100);
                try
                {
                    tree.wrap(root);
                    switch (random.nextInt(6))
                    {
                        case 0 -> tree.rank(score, m, BASE, 4 + random.nextInt(8));
                        case 1 -> tree.countBelowScore(score, random.nextBoolean());
                        case 2 ->
                        {
                            final ScoreTree.Cursor c = tree.seek(random.nextLong(Math.max(1, tree.size())));
                            for (int step = 0; step < 50 && c.valid(); step++)
                            {
                                c.score();
                                c.memberAddress();
                                c.memberLength();
                                if (random.nextBoolean() ? !c.next() : !c.previous())
                                {
                                    break;
                                }
                            }
                        }
                        case 3 -> tree.delete(score, m, BASE, 4 + random.nextInt(8));
                        default -> tree.insert(score, m, BASE, 4 + random.nextInt(8));
                    }
                }
                catch (final IllegalStateException | IllegalArgumentException e)
                {
                    // IllegalArgumentException: a seek past a damaged size
                    refused++;
                }
                catch (final io.keelkv.engine.memory.PageAccessException e)
                {
                    // the guard refused a free of a damaged handle (an out-of-line key's or member's block)
                    guarded++;
                }
            }
            memory.reset();
        }
        System.out.println("damage test: seed " + seed + ", " + refused + " operations refused, " + guarded +
            " stopped by the page guard");
        assertTrue(refused > 0, "no damage seen");
    }

    private void collectNodes(final long node, final int level, final List<Long> nodes)
    {
        nodes.add(node);
        if (level > 0)
        {
            final ScoreInnerFlyweight view = new ScoreInnerFlyweight(memory).wrap(node, level, -1);
            for (int i = 0; i < view.count(); i++)
            {
                collectNodes(view.child(i), level - 1, nodes);
            }
        }
    }

    /** Flip a byte at {@code handle + offset}, expect the action to throw IllegalStateException, restore it. */
    private void corrupt(final long at, final int bytes, final org.junit.jupiter.api.function.Executable action)
    {
        final byte saved = memory.getByte(at + bytes - 1);
        memory.putByte(at + bytes - 1, (byte)(saved ^ 0x5A));
        assertThrows(IllegalStateException.class, action, "damage at 0x" + Long.toHexString(at) + " not seen");
        memory.putByte(at + bytes - 1, saved);
    }

    @Test
    void shouldInsertDeleteRankSeekAndWalkWithoutAllocatingOnceWarm()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        final long root = tree.create();
        final byte[] m = new byte[16];
        for (int i = 0; i < 20_000; i++)
        {
            UnsafeApi.putLong(m, BASE, i * 7919L);
            tree.insert(i % 100, m, BASE, m.length);
        }
        final long[] sink = new long[1];
        long allocated = 0;
        for (int warm = 0; warm < 4; warm++)
        {
            final long before = threads.getThreadAllocatedBytes(thread);
            for (int round = 0; round < 50; round++)
            {
                tree.wrap(root);
                // enough inserts to split leaves and inner nodes, then deletes that merge them back
                for (int i = 20_000; i < 24_000; i++)
                {
                    UnsafeApi.putLong(m, BASE, i * 7919L);
                    tree.insert(i % 100, m, BASE, m.length);
                }
                for (int i = 20_000; i < 24_000; i++)
                {
                    UnsafeApi.putLong(m, BASE, i * 7919L);
                    sink[0] += tree.rank(i % 100, m, BASE, m.length);
                    tree.delete(i % 100, m, BASE, m.length);
                }
                sink[0] += tree.countBelowScore(round, true) + tree.countBelowMember(m, BASE, m.length, false);
                final ScoreTree.Cursor c = tree.seek(round * 100);
                for (int i = 0; i < 1_000 && c.next(); i++)
                {
                    sink[0] += c.memberLength();
                }
                for (int i = 0; i < 2_000 && c.previous(); i++)
                {
                    sink[0] += (long)c.score();
                }
            }
            allocated = threads.getThreadAllocatedBytes(thread) - before;
        }
        System.out.println("allocation test: " + allocated + " bytes over 50 rounds of 4,000 inserts, ranks and deletes");
        assertEquals(0, allocated);
        assertNotEquals(42, sink[0]);
    }
}
