package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.keyspace.ObjectType;
import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.types.HashFlyweight;
import io.keelkv.engine.types.SetFlyweight;
import io.keelkv.engine.types.ZsetBuilder;
import io.keelkv.engine.types.ZsetFlyweight;
import org.agrona.UnsafeApi;

import static io.keelkv.engine.command.RewrittenArgs.literal;
import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * The sorted-set algebra of Redis 7.0's zunionInterDiffGenericCommand: ZUNION, ZINTER, ZDIFF, their STORE forms
 * and ZINTERCARD. Sources may be sorted sets or sets (a set member's score is 1, times its weight). As in Redis:
 * every source is looked up and type-checked before the options are parsed; the sources of a union or an
 * intersection are ordered by size (smallest first: the intersection walks the smallest and probes the others;
 * a key named twice is not probed against itself); each sorted set is walked from its highest element down, as
 * Redis's zuiNext does, so sums add up in Redis's order; a weighted score that is NaN (0 times infinity) and a sum
 * that is NaN (inf plus -inf) become 0. Results are computed in a {@link ZsetBuilder}, then replied in (score,
 * member) order or stored (Redis 7.0's listpack when small enough; a destination is overwritten whatever its
 * type, or deleted when the result is empty).
 */
final class ZsetOperations
{
    private static final byte[] WEIGHT_NOT_FLOAT = RespConstants.bytes("-ERR weight value is not a float\r\n");
    private static final byte[] LIMIT_NEGATIVE = RespConstants.bytes("-ERR LIMIT can't be negative\r\n");
    private static final byte[] WEIGHTS = literal("weights");
    private static final byte[] AGGREGATE = literal("aggregate");
    private static final byte[] WITHSCORES = literal("withscores");
    private static final byte[] LIMIT = literal("limit");
    private static final byte[] SUM = literal("sum");
    private static final byte[] MIN = literal("min");
    private static final byte[] MAX = literal("max");
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    private static final int UNION = 0;
    private static final int INTER = 1;
    private static final int DIFF = 2;
    private static final int AGGR_SUM = 0;
    private static final int AGGR_MIN = 1;
    private static final int AGGR_MAX = 2;

    private final Keyspace keyspace;
    private final PageMemory memory;
    private final EntryFlyweight entry;
    private final ZsetBuilder builder;
    private final byte[] digits = new byte[24];

    // one source per key: its entry (0 = missing), its view and its weight
    private long[] handles = new long[4];
    private double[] weights = new double[4];
    private ZsetFlyweight[] zsets = new ZsetFlyweight[4];
    private SetFlyweight[] sets = new SetFlyweight[4];
    private int[] order = new int[4];

    // the element an iteration stands on
    private Object elementBase;
    private long elementAddress;
    private int elementLength;
    private double elementScore;
    private long setPosition;

    private ZsetOperations(final ZsetCommands owner)
    {
        this.keyspace = owner.keyspace;
        this.memory = keyspace.memory();
        this.entry = new EntryFlyweight(memory);
        this.builder = new ZsetBuilder(memory);
    }

    static void bind(final ZsetCommands owner, final CommandTable table)
    {
        final ZsetOperations c = new ZsetOperations(owner);
        table.bind("zunionstore", ctx -> c.generic(ctx, true, 2, UNION, false));
        table.bind("zinterstore", ctx -> c.generic(ctx, true, 2, INTER, false));
        table.bind("zdiffstore", ctx -> c.generic(ctx, true, 2, DIFF, false));
        table.bind("zunion", ctx -> c.generic(ctx, false, 1, UNION, false));
        table.bind("zinter", ctx -> c.generic(ctx, false, 1, INTER, false));
        table.bind("zintercard", ctx -> c.generic(ctx, false, 1, INTER, true));
        table.bind("zdiff", ctx -> c.generic(ctx, false, 1, DIFF, false));
    }

    /** zunionInterDiffGenericCommand. */
    private void generic(final CommandContext ctx, final boolean store, final int numkeysIdx, final int op,
        final boolean cardinalityOnly)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        if (!args.parseLong(numkeysIdx))
        {
            out.raw(RespConstants.NOT_INTEGER);
            return;
        }
        final long setnum = args.longValue();
        if (setnum < 1)
        {
            out.error("ERR at least 1 input key is needed for '" + ctx.spec().name() + "' command");
            return;
        }
        if (setnum > args.count() - (numkeysIdx + 1))
        {
            out.raw(RespConstants.SYNTAX_ERROR);
            return;
        }
        final int n = (int)setnum;
        ensure(n);
        int j = numkeysIdx + 1;
        for (int i = 0; i < n; i++, j++)
        {
            final long e = keyspace.lookupRead(ctx.db(), args.array(), args.address(j), args.length(j));
            handles[i] = e;
            weights[i] = 1.0;
            order[i] = i;
            if (e == NULL_HANDLE)
            {
                continue;
            }
            final int type = entry.wrap(e).type();
            if (type == ObjectType.ZSET)
            {
                zsets[i].wrap(e);
                zsets[i].snapshotRunning(keyspace.snapshotRunning());
            }
            else if (type == ObjectType.SET)
            {
                sets[i].wrap(e);
                sets[i].snapshotRunning(keyspace.snapshotRunning());
            }
            else
            {
                out.raw(RespConstants.WRONGTYPE);
                return;
            }
        }
        int aggregate = AGGR_SUM;
        boolean withScores = false;
        long limit = 0;
        int remaining = args.count() - j;
        while (remaining > 0)
        {
            if (op != DIFF && !cardinalityOnly && remaining >= n + 1 && args.equalsIgnoreCase(j, WEIGHTS))
            {
                j++;
                remaining--;
                for (int i = 0; i < n; i++, j++, remaining--)
                {
                    if (!args.parseDouble(j))
                    {
                        out.raw(WEIGHT_NOT_FLOAT);
                        return;
                    }
                    weights[i] = args.doubleValue();
                }
            }
            else if (op != DIFF && !cardinalityOnly && remaining >= 2 && args.equalsIgnoreCase(j, AGGREGATE))
            {
                j++;
                if (args.equalsIgnoreCase(j, SUM))
                {
                    aggregate = AGGR_SUM;
                }
                else if (args.equalsIgnoreCase(j, MIN))
                {
                    aggregate = AGGR_MIN;
                }
                else if (args.equalsIgnoreCase(j, MAX))
                {
                    aggregate = AGGR_MAX;
                }
                else
                {
                    out.raw(RespConstants.SYNTAX_ERROR);
                    return;
                }
                j++;
                remaining -= 2;
            }
            else if (!store && !cardinalityOnly && args.equalsIgnoreCase(j, WITHSCORES))
            {
                j++;
                remaining--;
                withScores = true;
            }
            else if (cardinalityOnly && remaining >= 2 && args.equalsIgnoreCase(j, LIMIT))
            {
                j++;
                if (!args.parseLong(j) || args.longValue() < 0)
                {
                    out.raw(LIMIT_NEGATIVE);
                    return;
                }
                limit = args.longValue();
                j++;
                remaining -= 2;
            }
            else
            {
                out.raw(RespConstants.SYNTAX_ERROR);
                return;
            }
        }
        if (op != DIFF)
        {
            sortBySize(0, n, true);
        }
        builder.reset();
        long cardinality = 0;
        if (op == INTER)
        {
            cardinality = inter(n, aggregate, cardinalityOnly, limit);
        }
        else if (op == UNION)
        {
            union(n, aggregate);
        }
        else
        {
            diff(n);
        }
        if (cardinalityOnly)
        {
            out.integer(cardinality);
            return;
        }
        if (store)
        {
            store(ctx);
            return;
        }
        builder.sort();
        final int size = builder.size();
        final boolean nested = withScores && ctx.client().protocol() > 2;
        out.arrayHeader(withScores && !nested ? size * 2L : size);
        for (int r = 0; r < size; r++)
        {
            final int index = builder.sorted(r);
            if (nested)
            {
                out.arrayHeader(2);
            }
            out.bulk(builder.memberBase(), (int)(builder.memberAddress(index) - BYTE_BASE),
                builder.memberLength(index));
            if (withScores)
            {
                out.doubleValue(builder.score(index));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // the three operations

    /** The intersection (or its cardinality, stopping at LIMIT when one is given). */
    private long inter(final int n, final int aggregate, final boolean cardinalityOnly, final long limit)
    {
        final int first = order[0];
        long cardinality = 0;
        if (size(first) == 0)
        {
            return 0;
        }
        for (boolean more = start(first); more; more = next(first))
        {
            double score = weights[first] * elementScore;
            if (Double.isNaN(score))
            {
                score = 0;
            }
            int j = 1;
            for (; j < n; j++)
            {
                final int other = order[j];
                if (handles[other] == handles[first])
                {
                    score = aggregate(score, elementScore * weights[other], aggregate);
                }
                else
                {
                    final double value = find(other);
                    if (Double.isNaN(value))
                    {
                        break;
                    }
                    score = aggregate(score, value * weights[other], aggregate);
                }
            }
            if (j < n)
            {
                continue;
            }
            if (cardinalityOnly)
            {
                cardinality++;
                if (limit != 0 && cardinality >= limit)
                {
                    break;
                }
            }
            else
            {
                builder.add(elementBase, elementAddress, elementLength, score);
            }
        }
        return cardinality;
    }

    private void union(final int n, final int aggregate)
    {
        for (int i = 0; i < n; i++)
        {
            final int source = order[i];
            if (size(source) == 0)
            {
                continue;
            }
            for (boolean more = start(source); more; more = next(source))
            {
                double score = weights[source] * elementScore;
                if (Double.isNaN(score))
                {
                    score = 0;
                }
                final int index = builder.find(elementBase, elementAddress, elementLength);
                if (index < 0)
                {
                    builder.add(elementBase, elementAddress, elementLength, score);
                }
                else
                {
                    builder.score(index, aggregate(builder.score(index), score, aggregate));
                }
            }
        }
    }

    /** The difference: the first source's members in none of the others (the result of either Redis algorithm). */
    private void diff(final int n)
    {
        if (size(0) == 0)
        {
            return;
        }
        for (int j = 1; j < n; j++)
        {
            if (handles[j] == handles[0])
            {
                return;
            }
        }
        for (boolean more = start(0); more; more = next(0))
        {
            boolean exists = false;
            for (int j = 1; j < n && !exists; j++)
            {
                exists = !Double.isNaN(find(j));
            }
            if (!exists)
            {
                builder.add(elementBase, elementAddress, elementLength, elementScore);
            }
        }
    }

    private static double aggregate(final double target, final double value, final int aggregate)
    {
        if (aggregate == AGGR_SUM)
        {
            final double sum = target + value;
            return Double.isNaN(sum) ? 0.0 : sum;
        }
        if (aggregate == AGGR_MIN)
        {
            return value < target ? value : target;
        }
        return value > target ? value : target;
    }

    /** The STORE forms' ending: the result under the destination (setKey), or the destination deleted. */
    private void store(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final int size = builder.size();
        if (size == 0)
        {
            if (keyspace.delete(ctx.db(), args.array(), args.address(1), args.length(1)))
            {
                ctx.dirty(1);
            }
            ctx.out().raw(RespConstants.ZERO);
            return;
        }
        builder.sort();
        keyspace.lookupWrite(ctx.db(), args.array(), args.address(1), args.length(1));
        if (builder.install(keyspace, ctx.db(), args.array(), args.address(1), args.length(1),
            ctx.limits().zsetMaxListpackEntries, ctx.limits().zsetMaxListpackValue) == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.OOM);
            return;
        }
        ctx.dirty(1);
        ctx.out().integer(size);
    }

    // ------------------------------------------------------------------------------------------------
    // sources

    private long size(final int source)
    {
        if (handles[source] == NULL_HANDLE)
        {
            return 0;
        }
        return entry.wrap(handles[source]).type() == ObjectType.ZSET ? zsets[source].length() : sets[source].length();
    }

    private boolean isZset(final int source)
    {
        return entry.wrap(handles[source]).type() == ObjectType.ZSET;
    }

    /** Sort order[from, to) by size (a few keys: a stable insertion sort, no allocation). */
    private void sortBySize(final int from, final int to, final boolean ascending)
    {
        for (int i = from + 1; i < to; i++)
        {
            final int v = order[i];
            final long size = size(v);
            int k = i - 1;
            while (k >= from && (ascending ? size(order[k]) > size : size(order[k]) < size))
            {
                order[k + 1] = order[k];
                k--;
            }
            order[k + 1] = v;
        }
    }

    /** zuiInitIterator + zuiNext: stand on the source's first element (a sorted set's highest); false when empty. */
    private boolean start(final int source)
    {
        if (handles[source] == NULL_HANDLE)
        {
            return false;
        }
        if (isZset(source))
        {
            final ZsetFlyweight z = zsets[source];
            return z.seek(z.length() - 1) && loadZset(z);
        }
        setPosition = sets[source].first();
        return setPosition != SetFlyweight.NONE && loadSet(sets[source]);
    }

    private boolean next(final int source)
    {
        if (isZset(source))
        {
            final ZsetFlyweight z = zsets[source];
            return z.previous() && loadZset(z);
        }
        setPosition = sets[source].next(setPosition);
        return setPosition != SetFlyweight.NONE && loadSet(sets[source]);
    }

    private boolean loadZset(final ZsetFlyweight z)
    {
        z.loadMember();
        elementScore = z.cursorScore();
        if (z.isInteger())
        {
            loadDigits(z.integer());
        }
        else
        {
            elementBase = null;
            elementAddress = z.address();
            elementLength = z.stringLength();
        }
        return true;
    }

    private boolean loadSet(final SetFlyweight set)
    {
        set.load(setPosition);
        elementScore = 1.0;
        if (set.isInteger())
        {
            loadDigits(set.integer());
        }
        else
        {
            elementBase = null;
            elementAddress = set.address();
            elementLength = set.stringLength();
        }
        return true;
    }

    private void loadDigits(final long value)
    {
        elementLength = HashFlyweight.formatLong(value, digits);
        elementBase = digits;
        elementAddress = BYTE_BASE;
    }

    /** zuiFind: the current element's score in another source (a set member's is 1), NaN when absent. */
    private double find(final int source)
    {
        if (handles[source] == NULL_HANDLE)
        {
            return Double.NaN;
        }
        if (isZset(source))
        {
            return zsets[source].score(elementBase, elementAddress, elementLength);
        }
        return sets[source].contains(elementBase, elementAddress, elementLength) ? 1.0 : Double.NaN;
    }

    private void ensure(final int n)
    {
        if (handles.length < n)
        {
            final int capacity = Math.max(n, handles.length * 2);
            handles = new long[capacity];
            weights = new double[capacity];
            order = new int[capacity];
            zsets = java.util.Arrays.copyOf(zsets, capacity);
            sets = java.util.Arrays.copyOf(sets, capacity);
        }
        for (int i = 0; i < n; i++)
        {
            if (zsets[i] == null)
            {
                zsets[i] = new ZsetFlyweight(memory);
                sets[i] = new SetFlyweight(memory);
            }
        }
    }
}
