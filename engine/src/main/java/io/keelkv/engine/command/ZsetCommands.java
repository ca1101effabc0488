package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.keyspace.ObjectType;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.types.ZsetFlyweight;

import static io.keelkv.engine.command.RewrittenArgs.literal;
import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * The sorted-set command family's single-key commands (Redis 7.0's t_zset.c): ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE,
 * ZMSCORE, ZRANK, ZREVRANK, ZPOPMIN, ZPOPMAX and ZMPOP, over {@link ZsetFlyweight}, with Redis's replies, errors and
 * order of checks (every ZADD score is parsed before the key is looked up, so a bad score changes nothing). The
 * ranges live in {@link ZsetRanges}, the algebra in {@link ZsetOperations}, ZRANDMEMBER and ZSCAN in
 * {@link ZsetSampling}; they share this class's lookups and flyweight (one owner thread, one command at a time).
 *
 * <p>Propagation as Redis 7.0: ZADD (INCR included) and ZINCRBY as themselves, ZMPOP as ZPOPMIN/ZPOPMAX key count.
 *
 * <p>Encodings, as Redis 7.0 converts: a new key is a skiplist when zset-max-listpack-entries is 0 or its first
 * member is longer than zset-max-listpack-value; a listpack converts when a new member would take it past either
 * (zsetAdd's check, before the insert). Never back, except that store results get the encoding their size
 * calls for (zsetConvertToListpackIfNeeded).
 */
final class ZsetCommands
{
    private static final byte[] NAN_RESULT = RespConstants.bytes("-ERR resulting score is not a number (NaN)\r\n");
    private static final byte[] XX_NX = RespConstants.bytes(
        "-ERR XX and NX options at the same time are not compatible\r\n");
    private static final byte[] GT_LT_NX = RespConstants.bytes(
        "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n");
    private static final byte[] INCR_PAIRS = RespConstants.bytes(
        "-ERR INCR option supports a single increment-element pair\r\n");
    private static final byte[] NOT_POSITIVE = RespConstants.bytes("-ERR value is out of range, must be positive\r\n");
    private static final byte[] NUMKEYS = RespConstants.bytes("-ERR numkeys should be greater than 0\r\n");
    private static final byte[] COUNT_POSITIVE = RespConstants.bytes("-ERR count should be greater than 0\r\n");

    private static final byte[] NX = literal("nx");
    private static final byte[] XX = literal("xx");
    private static final byte[] CH = literal("ch");
    private static final byte[] INCR = literal("incr");
    private static final byte[] GT = literal("gt");
    private static final byte[] LT = literal("lt");
    private static final byte[] MIN = literal("min");
    private static final byte[] MAX = literal("max");
    private static final byte[] COUNT = literal("count");
    private static final byte[] ZPOPMIN_CMD = literal("ZPOPMIN");
    private static final byte[] ZPOPMAX_CMD = literal("ZPOPMAX");

    final Keyspace keyspace;
    private final EntryFlyweight entry;
    final ZsetFlyweight zset; // shared with the other zset families: one owner thread, one command at a time
    private final RewrittenArgs rewrite = new RewrittenArgs();
    private double[] scores = new double[8];

    private ZsetCommands(final Keyspace keyspace)
    {
        this.keyspace = keyspace;
        this.entry = new EntryFlyweight(keyspace.memory());
        this.zset = new ZsetFlyweight(keyspace.memory());
    }

    static void bind(final Keyspace keyspace, final CommandTable table)
    {
        final ZsetCommands c = new ZsetCommands(keyspace);
        table.bind("zadd", ctx -> c.zadd(ctx, false));
        table.bind("zincrby", ctx -> c.zadd(ctx, true));
        table.bind("zrem", c::zrem);
        table.bind("zcard", c::zcard);
        table.bind("zscore", c::zscore);
        table.bind("zmscore", c::zmscore);
        table.bind("zrank", ctx -> c.zrank(ctx, false));
        table.bind("zrevrank", ctx -> c.zrank(ctx, true));
        table.bind("zpopmin", ctx -> c.zpop(ctx, false));
        table.bind("zpopmax", ctx -> c.zpop(ctx, true));
        table.bind("zmpop", c::zmpop);
        ZsetRanges.bind(c, table);
        ZsetOperations.bind(c, table);
        ZsetSampling.bind(c, table);
    }

    // ------------------------------------------------------------------------------------------------
    // lookups

    /** lookupKeyRead + checkType of argument {@code arg}: the entry, NULL_HANDLE when missing, -1 after WRONGTYPE. */
    long lookupRead(final CommandContext ctx, final int arg)
    {
        final Args args = ctx.args();
        return checkType(ctx, keyspace.lookupRead(ctx.db(), args.array(), args.address(arg), args.length(arg)));
    }

    /** lookupKeyWrite + checkType, leaving the key as the database's found entry for the writes after it. */
    long lookupWrite(final CommandContext ctx, final int arg)
    {
        final Args args = ctx.args();
        return checkType(ctx, keyspace.lookupWrite(ctx.db(), args.array(), args.address(arg), args.length(arg)));
    }

    private long checkType(final CommandContext ctx, final long e)
    {
        if (e != NULL_HANDLE && entry.wrap(e).type() != ObjectType.ZSET)
        {
            ctx.out().raw(RespConstants.WRONGTYPE);
            return -1;
        }
        if (e != NULL_HANDLE)
        {
            zset.wrap(e);
            zset.snapshotRunning(keyspace.snapshotRunning());
        }
        return e;
    }

    /** The cursor's member as a bulk string. */
    void replyMember(final RespWriter out)
    {
        zset.loadMember();
        replyLoaded(out);
    }

    /** The loaded member as a bulk string. */
    void replyLoaded(final RespWriter out)
    {
        if (zset.isInteger())
        {
            out.bulkLong(zset.integer());
        }
        else
        {
            out.bulkFromAddress(zset.address(), zset.stringLength());
        }
    }

    // ------------------------------------------------------------------------------------------------
    // writes

    /** zaddGenericCommand, for ZADD and ZINCRBY (INCR without options). */
    private void zadd(final CommandContext ctx, final boolean zincrby)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        int flags = zincrby ? ZsetFlyweight.IN_INCR : 0;
        boolean ch = false;
        int scoreIdx = 2;
        while (!zincrby && scoreIdx < args.count())
        {
            if (args.equalsIgnoreCase(scoreIdx, NX))
            {
                flags |= ZsetFlyweight.IN_NX;
            }
            else if (args.equalsIgnoreCase(scoreIdx, XX))
            {
                flags |= ZsetFlyweight.IN_XX;
            }
            else if (args.equalsIgnoreCase(scoreIdx, CH))
            {
                ch = true;
            }
            else if (args.equalsIgnoreCase(scoreIdx, INCR))
            {
                flags |= ZsetFlyweight.IN_INCR;
            }
            else if (args.equalsIgnoreCase(scoreIdx, GT))
            {
                flags |= ZsetFlyweight.IN_GT;
            }
            else if (args.equalsIgnoreCase(scoreIdx, LT))
            {
                flags |= ZsetFlyweight.IN_LT;
            }
            else
            {
                break;
            }
            scoreIdx++;
        }
        final boolean incr = (flags & ZsetFlyweight.IN_INCR) != 0;
        final boolean nx = (flags & ZsetFlyweight.IN_NX) != 0;
        final boolean xx = (flags & ZsetFlyweight.IN_XX) != 0;
        final boolean gt = (flags & ZsetFlyweight.IN_GT) != 0;
        final boolean lt = (flags & ZsetFlyweight.IN_LT) != 0;
        final int remaining = args.count() - scoreIdx;
        if (remaining % 2 != 0 || remaining == 0)
        {
            out.raw(RespConstants.SYNTAX_ERROR);
            return;
        }
        final int elements = remaining / 2;
        if (nx && xx)
        {
            out.raw(XX_NX);
            return;
        }
        if ((gt && nx) || (lt && nx) || (gt && lt))
        {
            out.raw(GT_LT_NX);
            return;
        }
        if (incr && elements > 1)
        {
            out.raw(INCR_PAIRS);
            return;
        }
        if (scores.length < elements)
        {
            scores = new double[Math.max(elements, scores.length * 2)];
        }
        for (int j = 0; j < elements; j++)
        {
            if (!args.parseDouble(scoreIdx + j * 2))
            {
                out.raw(RespConstants.NOT_FLOAT);
                return;
            }
            scores[j] = args.doubleValue();
        }
        final long e = lookupWrite(ctx, 1);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE && xx)
        {
            replyAdd(out, incr, ch, 0, 0, false, 0);
            return;
        }
        final long maxEntries = ctx.limits().zsetMaxListpackEntries;
        final long maxValue = ctx.limits().zsetMaxListpackValue;
        if (e == NULL_HANDLE)
        {
            // Redis sizes a new set by its first member only: a skiplist when that one is too long for a listpack
            if (zset.create(keyspace, ctx.db(), args.array(), args.address(1), args.length(1)) == NULL_HANDLE)
            {
                out.raw(RespConstants.OOM);
                return;
            }
            if ((maxEntries == 0 || args.length(scoreIdx + 1) > maxValue) && !zset.convertToSkiplist(keyspace,
                ctx.db()))
            {
                keyspace.deleteFound(ctx.db()); // the empty set just made
                out.raw(RespConstants.OOM);
                return;
            }
            zset.snapshotRunning(keyspace.snapshotRunning());
        }
        long added = 0;
        long updated = 0;
        boolean processed = false;
        double score = 0;
        for (int j = 0; j < elements; j++)
        {
            final int member = scoreIdx + 1 + j * 2;
            int result = zset.add(keyspace, ctx.db(), scores[j], args.array(), args.address(member),
                args.length(member), flags, maxEntries, maxValue);
            if (result == ZsetFlyweight.NEEDS_CONVERSION)
            {
                result = zset.convertToSkiplist(keyspace, ctx.db()) ? zset.add(keyspace, ctx.db(), scores[j],
                    args.array(), args.address(member), args.length(member), flags, maxEntries, maxValue) :
                    ZsetFlyweight.OUT_OOM;
            }
            if (result == ZsetFlyweight.OUT_NAN || result == ZsetFlyweight.OUT_OOM)
            {
                ctx.dirty(added + updated);
                if (e == NULL_HANDLE && zset.length() == 0)
                {
                    keyspace.deleteFound(ctx.db()); // the key made for this command takes nothing: no empty set
                }
                out.raw(result == ZsetFlyweight.OUT_NAN ? NAN_RESULT : RespConstants.OOM);
                return;
            }
            if (result == ZsetFlyweight.OUT_ADDED)
            {
                added++;
            }
            else if (result == ZsetFlyweight.OUT_UPDATED)
            {
                updated++;
            }
            if (result != ZsetFlyweight.OUT_NOP)
            {
                processed = true;
                score = zset.newScore();
            }
        }
        ctx.dirty(added + updated);
        replyAdd(out, incr, ch, added, updated, processed, score);
    }

    private static void replyAdd(final RespWriter out, final boolean incr, final boolean ch, final long added,
        final long updated, final boolean processed, final double score)
    {
        if (incr)
        {
            if (processed)
            {
                out.doubleValue(score);
            }
            else
            {
                out.nullBulk();
            }
        }
        else
        {
            out.integer(ch ? added + updated : added);
        }
    }

    /** zremCommand. */
    private void zrem(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final long e = lookupWrite(ctx, 1);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.ZERO);
            return;
        }
        long deleted = 0;
        for (int i = 2; i < args.count(); i++)
        {
            if (!Double.isNaN(zset.score(args.array(), args.address(i), args.length(i))))
            {
                zset.deleteFound(keyspace, ctx.db());
                deleted++;
            }
            if (zset.length() == 0)
            {
                keyspace.deleteFound(ctx.db());
                break;
            }
        }
        ctx.dirty(deleted);
        ctx.out().integer(deleted);
    }

    // ------------------------------------------------------------------------------------------------
    // reads

    private void zcard(final CommandContext ctx)
    {
        final long e = lookupRead(ctx, 1);
        if (e >= 0)
        {
            ctx.out().integer(e == NULL_HANDLE ? 0 : zset.length());
        }
    }

    private void zscore(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final long e = lookupRead(ctx, 1);
        if (e < 0)
        {
            return;
        }
        final double score = e == NULL_HANDLE ? Double.NaN : zset.score(args.array(), args.address(2), args.length(2));
        if (Double.isNaN(score))
        {
            ctx.out().nullBulk();
        }
        else
        {
            ctx.out().doubleValue(score);
        }
    }

    private void zmscore(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final long e = lookupRead(ctx, 1);
        if (e < 0)
        {
            return;
        }
        final RespWriter out = ctx.out();
        out.arrayHeader(args.count() - 2);
        for (int i = 2; i < args.count(); i++)
        {
            final double score = e == NULL_HANDLE ? Double.NaN :
                zset.score(args.array(), args.address(i), args.length(i));
            if (Double.isNaN(score))
            {
                out.nullBulk();
            }
            else
            {
                out.doubleValue(score);
            }
        }
    }

    private void zrank(final CommandContext ctx, final boolean reverse)
    {
        final Args args = ctx.args();
        final long e = lookupRead(ctx, 1);
        if (e < 0)
        {
            return;
        }
        final long rank = e == NULL_HANDLE ? -1 : zset.rank(args.array(), args.address(2), args.length(2));
        if (rank < 0)
        {
            ctx.out().nullBulk();
        }
        else
        {
            ctx.out().integer(reverse ? zset.length() - 1 - rank : rank);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // pops

    /** zpopMinMaxCommand. */
    private void zpop(final CommandContext ctx, final boolean max)
    {
        final Args args = ctx.args();
        if (args.count() > 3)
        {
            ctx.out().raw(RespConstants.SYNTAX_ERROR);
            return;
        }
        long count = -1;
        if (args.count() == 3)
        {
            // getPositiveLongFromObjectOrReply: a non-integer gets the range message too
            if (!args.parseLong(2) || args.longValue() < 0)
            {
                ctx.out().raw(NOT_POSITIVE);
                return;
            }
            count = args.longValue();
        }
        final boolean nested = ctx.client().protocol() > 2 && count != -1;
        pop(ctx, 1, 1, max, false, count, nested, false);
    }

    /** zmpopCommand: ZMPOP numkeys key... MIN|MAX [COUNT count]. */
    private void zmpop(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        if (!args.parseLong(1) || args.longValue() < 1)
        {
            out.raw(NUMKEYS);
            return;
        }
        final long numkeys = args.longValue();
        final long whereIdx = 1 + numkeys + 1;
        if (numkeys >= args.count() || whereIdx >= args.count())
        {
            out.raw(RespConstants.SYNTAX_ERROR);
            return;
        }
        final boolean max;
        if (args.equalsIgnoreCase((int)whereIdx, MIN))
        {
            max = false;
        }
        else if (args.equalsIgnoreCase((int)whereIdx, MAX))
        {
            max = true;
        }
        else
        {
            out.raw(RespConstants.SYNTAX_ERROR);
            return;
        }
        long count = -1;
        for (int j = (int)whereIdx + 1; j < args.count(); j++)
        {
            final boolean moreArgs = args.count() - 1 - j > 0;
            if (count == -1 && args.equalsIgnoreCase(j, COUNT) && moreArgs)
            {
                j++;
                if (!args.parseLong(j) || args.longValue() < 1)
                {
                    out.raw(COUNT_POSITIVE);
                    return;
                }
                count = args.longValue();
            }
            else
            {
                out.raw(RespConstants.SYNTAX_ERROR);
                return;
            }
        }
        pop(ctx, 2, (int)numkeys, max, true, count == -1 ? 1 : count, true, true);
    }

    /**
     * genericZpopCommand over keys {@code [first, first + keyCount)}: the first non-empty one is popped from.
     * ZMPOP ({@code emitKey}) is propagated as ZPOPMIN/ZPOPMAX key count, count being what was popped.
     */
    private void pop(final CommandContext ctx, final int first, final int keyCount, final boolean max,
        final boolean emitKey, final long requested, final boolean nested, final boolean nilWhenEmpty)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        long e = NULL_HANDLE;
        int keyArg = -1;
        for (int i = first; i < first + keyCount; i++)
        {
            e = lookupWrite(ctx, i);
            if (e < 0)
            {
                return;
            }
            if (e != NULL_HANDLE)
            {
                keyArg = i;
                break;
            }
        }
        if (e == NULL_HANDLE)
        {
            if (nilWhenEmpty)
            {
                out.nullArray();
            }
            else
            {
                out.raw(RespConstants.EMPTY_ARRAY);
            }
            return;
        }
        if (requested == 0)
        {
            out.raw(RespConstants.EMPTY_ARRAY);
            return;
        }
        final long count = requested == -1 ? 1 : requested;
        final long size = zset.length();
        final long popped = Math.min(count, size);
        if (!nested && !emitKey)
        {
            out.arrayHeader(popped * 2);
        }
        else if (nested && !emitKey)
        {
            out.arrayHeader(popped);
        }
        else
        {
            out.arrayHeader(2);
            out.bulk(args.buffer(), args.offset(keyArg), args.length(keyArg));
            out.arrayHeader(popped);
        }
        // the reply is written from the set before its elements are deleted in one range delete
        zset.seek(max ? size - 1 : 0);
        for (long i = 0; i < popped; i++)
        {
            if (nested)
            {
                out.arrayHeader(2);
            }
            replyMember(out);
            out.doubleValue(zset.cursorScore());
            if (max)
            {
                zset.previous();
            }
            else
            {
                zset.next();
            }
        }
        zset.deleteRange(keyspace, ctx.db(), max ? size - popped : 0, popped);
        if (zset.length() == 0)
        {
            keyspace.deleteFound(ctx.db());
        }
        ctx.dirty(popped);
        if (emitKey)
        {
            ctx.propagateAs(rewrite.start().add(max ? ZPOPMAX_CMD : ZPOPMIN_CMD).add(args, keyArg).add(popped).args());
        }
    }
}
