package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.keyspace.ObjectType;
import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.types.PagedDict;
import io.keelkv.engine.types.SetBuilder;
import io.keelkv.engine.types.SetFlyweight;

import java.util.Arrays;

import static io.keelkv.engine.command.RewrittenArgs.literal;
import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * The set algebra of Redis 7.0's t_set.c: SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE
 * and SMEMBERS (which Redis 7.0 serves with sinterCommand). The order of checks is Redis's: every key is looked up
 * and type-checked before a missing one ends an intersection; a store's destination is overwritten whatever its
 * type (and loses its TTL), or deleted when the result is empty.
 *
 * <p>Algorithms as Redis's, so replies and costs match: an intersection walks the smallest set and probes the
 * others (a key given twice is not probed against itself, which also keeps a hashtable's iterator valid);
 * SDIFF picks between probing the other sets for each member of the first (sorted by size, biggest first) and
 * removing each other set's members from a copy, by Redis's work estimate. A non-stored intersection is
 * replied in two passes (count, then members) rather than through a temporary set, so it allocates nothing and
 * keeps Redis's order (the smallest set's). Unions, differences and stored results go through a {@link
 * SetBuilder}, which gives a stored result Redis's encoding (an intset while every member is an integer and
 * there are at most set-max-intset-entries).
 */
final class SetOperations
{
    private static final byte[] NUMKEYS = RespConstants.bytes("-ERR numkeys should be greater than 0\r\n");
    private static final byte[] TOO_MANY_KEYS =
        RespConstants.bytes("-ERR Number of keys can't be greater than number of args\r\n");
    private static final byte[] LIMIT_NEGATIVE = RespConstants.bytes("-ERR LIMIT can't be negative\r\n");
    private static final byte[] LIMIT = literal("limit");

    private static final int UNION = 0;
    private static final int DIFF = 1;

    private final Keyspace keyspace;
    private final PageMemory memory;
    private final EntryFlyweight entry;
    private final SetBuilder builder;
    /** One view per distinct source key, grown to the most keys a command has named; views[i] null = missing. */
    private SetFlyweight[] pool = new SetFlyweight[4];
    private SetFlyweight[] views = new SetFlyweight[4];
    private long[] handles = new long[4];

    private SetOperations(final Keyspace keyspace)
    {
        this.keyspace = keyspace;
        this.memory = keyspace.memory();
        this.entry = new EntryFlyweight(memory);
        this.builder = new SetBuilder(memory);
    }

    static void bind(final Keyspace keyspace, final CommandTable table)
    {
        final SetOperations c = new SetOperations(keyspace);
        table.bind("smembers", ctx -> c.sinter(ctx, 1, ctx.args().count() - 1, -1, false, 0));
        table.bind("sinter", ctx -> c.sinter(ctx, 1, ctx.args().count() - 1, -1, false, 0));
        table.bind("sinterstore", ctx -> c.sinter(ctx, 2, ctx.args().count() - 2, 1, false, 0));
        table.bind("sintercard", c::sintercard);
        table.bind("sunion", ctx -> c.unionDiff(ctx, 1, ctx.args().count() - 1, -1, UNION));
        table.bind("sunionstore", ctx -> c.unionDiff(ctx, 2, ctx.args().count() - 2, 1, UNION));
        table.bind("sdiff", ctx -> c.unionDiff(ctx, 1, ctx.args().count() - 1, -1, DIFF));
        table.bind("sdiffstore", ctx -> c.unionDiff(ctx, 2, ctx.args().count() - 2, 1, DIFF));
    }

    /**
     * Look up keys {@code [first, first + count)} (write lookups for a store, as Redis's lookupKeyWrite) into
     * {@link #views}: a view per key, the same view for a key named twice, null for a missing key.
     *
     * @return the number of missing keys, or -1 after writing WRONGTYPE.
     */
    private int collect(final CommandContext ctx, final int first, final int count, final boolean write)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        if (views.length < count)
        {
            views = new SetFlyweight[count];
            handles = new long[count];
            pool = Arrays.copyOf(pool, count);
        }
        int missing = 0;
        for (int j = 0; j < count; j++)
        {
            final int arg = first + j;
            final long e = write ? keyspace.lookupWrite(db, args.array(), args.address(arg), args.length(arg)) :
                keyspace.lookupRead(db, args.array(), args.address(arg), args.length(arg));
            handles[j] = e;
            views[j] = null;
            if (e == NULL_HANDLE)
            {
                missing++;
                continue;
            }
            if (entry.wrap(e).type() != ObjectType.SET)
            {
                ctx.out().raw(RespConstants.WRONGTYPE);
                return -1;
            }
            for (int k = 0; k < j; k++)
            {
                if (handles[k] == e)
                {
                    views[j] = views[k];
                    break;
                }
            }
            if (views[j] == null)
            {
                if (pool[j] == null)
                {
                    pool[j] = new SetFlyweight(memory);
                }
                views[j] = pool[j].wrap(e);
                views[j].snapshotRunning(keyspace.snapshotRunning());
            }
        }
        return missing;
    }

    private static long size(final SetFlyweight view)
    {
        return view == null ? 0 : view.length();
    }

    /** Sort views[from, to) by size, ascending or descending (a few keys: insertion sort, no allocation). */
    private void sortBySize(final int from, final int to, final boolean ascending)
    {
        for (int i = from + 1; i < to; i++)
        {
            final SetFlyweight v = views[i];
            int j = i - 1;
            while (j >= from && (ascending ? size(views[j]) > size(v) : size(views[j]) < size(v)))
            {
                views[j + 1] = views[j];
                j--;
            }
            views[j + 1] = v;
        }
    }

    // ------------------------------------------------------------------------------------------------

    /** sintercardCommand: numkeys, the key count against the arguments, then LIMIT, then the keys. */
    private void sintercard(final CommandContext ctx)
    {
        final Args args = ctx.args();
        if (!args.parseLong(1) || args.longValue() < 1)
        {
            ctx.out().raw(NUMKEYS);
            return;
        }
        final long numkeys = args.longValue();
        if (numkeys > args.count() - 2)
        {
            ctx.out().raw(TOO_MANY_KEYS);
            return;
        }
        long limit = 0;
        for (int j = 2 + (int)numkeys; j < args.count(); j++)
        {
            if (KeyCommands.option(args, j, LIMIT) && j + 1 < args.count())
            {
                j++;
                if (!args.parseLong(j) || args.longValue() < 0)
                {
                    ctx.out().raw(LIMIT_NEGATIVE);
                    return;
                }
                limit = args.longValue();
            }
            else
            {
                ctx.out().raw(RespConstants.SYNTAX_ERROR);
                return;
            }
        }
        sinter(ctx, 2, (int)numkeys, -1, true, limit);
    }

    /**
     * sinterGenericCommand over keys {@code [first, first + count)}; {@code dstArg} is the destination's
     * argument or -1; {@code cardinalityOnly} with {@code limit} (0: none) is SINTERCARD.
     */
    private void sinter(final CommandContext ctx, final int first, final int count, final int dstArg,
        final boolean cardinalityOnly, final long limit)
    {
        final RespWriter out = ctx.out();
        final int missing = collect(ctx, first, count, dstArg >= 0);
        if (missing < 0)
        {
            return;
        }
        if (missing > 0)
        {
            if (dstArg >= 0)
            {
                deleteDestination(ctx, dstArg);
                out.raw(RespConstants.ZERO);
            }
            else if (cardinalityOnly)
            {
                out.raw(RespConstants.ZERO);
            }
            else
            {
                out.setHeader(0);
            }
            return;
        }
        sortBySize(0, count, true);
        final SetFlyweight smallest = views[0];
        if (dstArg >= 0)
        {
            builder.reset(ctx.limits().setMaxIntsetEntries);
            for (long p = smallest.first(); p != SetFlyweight.NONE; p = smallest.next(p))
            {
                if (inAll(p, count) && builder.addLoaded(smallest) == PagedDict.OUT_OF_MEMORY)
                {
                    builder.discard();
                    out.raw(RespConstants.OOM);
                    return;
                }
            }
            store(ctx, dstArg);
            return;
        }
        long cardinality = 0;
        if (count == 1)
        {
            cardinality = smallest.length();
        }
        else
        {
            for (long p = smallest.first(); p != SetFlyweight.NONE; p = smallest.next(p))
            {
                if (inAll(p, count))
                {
                    cardinality++;
                    if (cardinalityOnly && limit != 0 && cardinality >= limit)
                    {
                        break;
                    }
                }
            }
        }
        if (cardinalityOnly)
        {
            out.integer(limit != 0 ? Math.min(cardinality, limit) : cardinality);
            return;
        }
        out.setHeader(cardinality);
        for (long p = smallest.first(); p != SetFlyweight.NONE; p = smallest.next(p))
        {
            if (count == 1 ? smallest.load(p) != null : inAll(p, count))
            {
                replyLoaded(out, smallest);
            }
        }
    }

    /** Load member {@code p} of views[0] and tell whether every other set holds it. */
    private boolean inAll(final long p, final int count)
    {
        final SetFlyweight smallest = views[0];
        smallest.load(p);
        for (int j = 1; j < count; j++)
        {
            if (views[j] != smallest && !views[j].containsLoaded(smallest))
            {
                return false;
            }
        }
        return true;
    }

    /** sunionDiffGenericCommand over keys {@code [first, first + count)}; {@code dstArg} as for sinter. */
    private void unionDiff(final CommandContext ctx, final int first, final int count, final int dstArg, final int op)
    {
        final RespWriter out = ctx.out();
        if (collect(ctx, first, count, dstArg >= 0) < 0)
        {
            return;
        }
        int algorithm = 0;
        if (op == DIFF && views[0] != null && views[0].length() > 0)
        {
            // Redis's estimate: algorithm 1 probes every set for each member of the first (first size times
            // the number of sets, halved: a probe often stops early); algorithm 2 walks every set once
            long one = 0;
            long two = 0;
            for (int j = 0; j < count; j++)
            {
                if (views[j] != null)
                {
                    one += views[0].length();
                    two += views[j].length();
                }
            }
            one /= 2;
            algorithm = one <= two ? 1 : 2;
            if (algorithm == 1)
            {
                sortBySize(1, count, false);
            }
        }
        builder.reset(ctx.limits().setMaxIntsetEntries);
        boolean ok = true;
        if (op == UNION)
        {
            for (int j = 0; j < count && ok; j++)
            {
                final SetFlyweight view = views[j];
                if (view == null || (j > 0 && seenBefore(j)))
                {
                    continue;
                }
                for (long p = view.first(); p != SetFlyweight.NONE && ok; p = view.next(p))
                {
                    ok = builder.addLoaded(view.load(p)) != PagedDict.OUT_OF_MEMORY;
                }
            }
        }
        else if (algorithm == 1)
        {
            final SetFlyweight base = views[0];
            for (long p = base.first(); p != SetFlyweight.NONE && ok; p = base.next(p))
            {
                base.load(p);
                boolean keep = true;
                for (int j = 1; j < count && keep; j++)
                {
                    if (views[j] == null)
                    {
                        continue;
                    }
                    keep = views[j] != base && !views[j].containsLoaded(base);
                }
                if (keep)
                {
                    ok = builder.addLoaded(base) != PagedDict.OUT_OF_MEMORY;
                }
            }
        }
        else if (algorithm == 2)
        {
            for (int j = 0; j < count && ok; j++)
            {
                final SetFlyweight view = views[j];
                if (view == null)
                {
                    continue;
                }
                for (long p = view.first(); p != SetFlyweight.NONE && ok; p = view.next(p))
                {
                    view.load(p);
                    if (j == 0)
                    {
                        ok = builder.addLoaded(view) != PagedDict.OUT_OF_MEMORY;
                    }
                    else
                    {
                        builder.removeLoaded(view);
                    }
                }
                if (builder.size() == 0)
                {
                    break; // nothing left to remove from
                }
            }
        }
        if (!ok)
        {
            builder.discard();
            out.raw(RespConstants.OOM);
            return;
        }
        if (dstArg >= 0)
        {
            store(ctx, dstArg);
            return;
        }
        out.setHeader(builder.size());
        for (long p = builder.first(); p != SetFlyweight.NONE; p = builder.next(p))
        {
            builder.load(p);
            if (builder.isInteger())
            {
                out.bulkLong(builder.integer());
            }
            else
            {
                out.bulkFromAddress(builder.address(), builder.stringLength());
            }
        }
        builder.discard();
    }

    /** Whether views[j] is a key named before it (a union takes each set once; the result is the same). */
    private boolean seenBefore(final int j)
    {
        for (int k = 0; k < j; k++)
        {
            if (views[k] == views[j])
            {
                return true;
            }
        }
        return false;
    }

    /** The STORE forms' ending: the result under the destination (setKey), or the destination deleted. */
    private void store(final CommandContext ctx, final int dstArg)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        final long size = builder.size();
        if (size == 0)
        {
            builder.discard();
            deleteDestination(ctx, dstArg);
            ctx.out().raw(RespConstants.ZERO);
            return;
        }
        keyspace.lookupWrite(db, args.array(), args.address(dstArg), args.length(dstArg));
        if (builder.install(keyspace, db, args.array(), args.address(dstArg), args.length(dstArg), false) == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.OOM);
            return;
        }
        ctx.dirty(1);
        ctx.out().integer(size);
    }

    private void deleteDestination(final CommandContext ctx, final int dstArg)
    {
        final Args args = ctx.args();
        if (keyspace.delete(ctx.db(), args.array(), args.address(dstArg), args.length(dstArg)))
        {
            ctx.dirty(1);
        }
    }

    private static void replyLoaded(final RespWriter out, final SetFlyweight set)
    {
        if (set.isInteger())
        {
            out.bulkLong(set.integer());
        }
        else
        {
            out.bulkFromAddress(set.address(), set.stringLength());
        }
    }
}
