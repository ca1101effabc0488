package io.keelkv.engine.command;

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
 * ZMSCORE, ZRANK and ZREVRANK, over {@link ZsetFlyweight}, with Redis's replies, errors and
 * order of checks (every ZADD score is parsed before the key is looked up, so a bad score changes nothing). The
 * ranges live in {@link ZsetRanges}, the algebra in {@link ZsetOperations}, the pops in {@link ZsetPops}, ZRANDMEMBER and ZSCAN in
 * {@link ZsetSampling}; they share this class's lookups and flyweight (one owner thread, one command at a time).
 *
 * <p>Propagation as Redis 7.0: ZADD (INCR included) and ZINCRBY as themselves. The pops (ZPOPMIN, ZPOPMAX, ZMPOP
 * and the blocking BZPOPMIN, BZPOPMAX, BZMPOP) are {@link ZsetPops}.
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

    private static final byte[] NX = literal("nx");
    private static final byte[] XX = literal("xx");
    private static final byte[] CH = literal("ch");
    private static final byte[] INCR = literal("incr");
    private static final byte[] GT = literal("gt");
    private static final byte[] LT = literal("lt");

    final Keyspace keyspace;
    private final TypedLookup lookup;
    final ZsetFlyweight zset; // shared with the other zset families: one owner thread, one command at a time
    private double[] scores = new double[8];

    private ZsetCommands(final Keyspace keyspace)
    {
        this.keyspace = keyspace;
        this.lookup = new TypedLookup(keyspace, ObjectType.ZSET);
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
        ZsetRanges.bind(c, table);
        ZsetOperations.bind(c, table);
        ZsetSampling.bind(c, table);
        ZsetPops.bind(c, table);
    }

    // ------------------------------------------------------------------------------------------------
    // lookups

    /** lookupKeyRead + checkType of argument {@code arg}: the entry, NULL_HANDLE when missing, -1 after WRONGTYPE. */
    long lookupRead(final CommandContext ctx, final int arg)
    {
        return wrapFound(lookup.read(ctx, arg));
    }

    /** lookupKeyWrite + checkType, leaving the key as the database's found entry for the writes after it. */
    long lookupWrite(final CommandContext ctx, final int arg)
    {
        return wrapFound(lookup.write(ctx, arg));
    }

    private long wrapFound(final long e)
    {
        if (e > 0)
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
}
