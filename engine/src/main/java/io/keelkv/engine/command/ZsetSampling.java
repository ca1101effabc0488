package io.keelkv.engine.command;

import io.keelkv.engine.resp.Args;
import io.keelkv.engine.text.DoubleFormat;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.types.ZsetFlyweight;

import java.util.SplittableRandom;

import static io.keelkv.engine.command.RewrittenArgs.literal;
import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * ZRANDMEMBER and ZSCAN (Redis 7.0's zrandmemberCommand and zscanCommand), beside {@link ZsetCommands}, whose
 * lookups and flyweight they share. Draws are by random rank, which is uniform over the members. Redis's cases:
 * a negative count draws with repeats; a count at least the set's size replies every member, from the highest
 * score down (as Redis's zuiNext walks); a smaller positive count replies distinct members (here by selection
 * sampling in one pass, in rank order). ZSCAN of a listpack answers every member and score at once, cursor 0.
 */
final class ZsetSampling
{
    private static final byte[] OUT_OF_RANGE = RespConstants.bytes("-ERR value is out of range\r\n");
    private static final byte[] COUNT_RANGE = RespConstants.bytes("-ERR value is out of range, value must between " +
        "-9223372036854775807 and 9223372036854775807\r\n");
    private static final byte[] WITHSCORES = literal("withscores");

    private final ZsetCommands owner;
    private final ZsetFlyweight zset;
    private final CollectionScan scan = new CollectionScan();
    private final DoubleFormat doubleFormat = new DoubleFormat();
    private final byte[] scoreText = new byte[DoubleFormat.MAX_LENGTH];

    private ZsetSampling(final ZsetCommands owner)
    {
        this.owner = owner;
        this.zset = owner.zset;
    }

    static void bind(final ZsetCommands owner, final CommandTable table)
    {
        final ZsetSampling c = new ZsetSampling(owner);
        table.bind("zrandmember", c::zrandmember);
        table.bind("zscan", c::zscan);
    }

    private void zrandmember(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        if (args.count() < 3)
        {
            final long e = owner.lookupRead(ctx, 1);
            if (e < 0)
            {
                return;
            }
            if (e == NULL_HANDLE)
            {
                out.nullBulk();
                return;
            }
            zset.seek(random(ctx).nextLong(zset.length()));
            owner.replyMember(out);
            return;
        }
        if (!args.parseLong(2))
        {
            out.raw(RespConstants.NOT_INTEGER);
            return;
        }
        final long l = args.longValue();
        if (l == Long.MIN_VALUE)
        {
            out.raw(COUNT_RANGE);
            return;
        }
        if (args.count() > 4 || (args.count() == 4 && !args.equalsIgnoreCase(3, WITHSCORES)))
        {
            out.raw(RespConstants.SYNTAX_ERROR);
            return;
        }
        final boolean withScores = args.count() == 4;
        if (withScores && (l < Long.MIN_VALUE / 2 || l > Long.MAX_VALUE / 2))
        {
            out.raw(OUT_OF_RANGE);
            return;
        }
        final long e = owner.lookupRead(ctx, 1);
        if (e < 0)
        {
            return;
        }
        final long size = e == NULL_HANDLE ? 0 : zset.length();
        final boolean unique = l >= 0;
        final long count = Math.abs(l);
        if (count == 0 || size == 0)
        {
            out.raw(RespConstants.EMPTY_ARRAY);
            return;
        }
        final boolean pairs = withScores && out.protocol() > 2;
        final long replied = unique ? Math.min(count, size) : count;
        if (!out.arrayHeaderIfFits(withScores && !pairs ? replied * 2 : replied))
        {
            return; // a count up to 2^63 - 1 is valid, but its reply can never fit: the client is disconnected
        }
        final SplittableRandom random = random(ctx);
        if (!unique || count == 1)
        {
            // a huge count stops once the reply passes the client's output cap (the client is then disconnected)
            for (long n = 0; n < count && !out.overflowed(); n++)
            {
                zset.seek(random.nextLong(size));
                reply(out, withScores, pairs);
            }
            return;
        }
        if (count >= size)
        {
            for (boolean more = zset.seek(size - 1); more; more = zset.previous())
            {
                reply(out, withScores, pairs);
            }
            return;
        }
        long needed = count;
        long left = size;
        for (boolean more = zset.seek(0); more && needed > 0; more = zset.next(), left--)
        {
            if (random.nextLong(left) < needed)
            {
                reply(out, withScores, pairs);
                needed--;
            }
        }
    }

    private void reply(final RespWriter out, final boolean withScores, final boolean pairs)
    {
        if (pairs)
        {
            out.arrayHeader(2);
        }
        owner.replyMember(out);
        if (withScores)
        {
            out.doubleValue(zset.cursorScore());
        }
    }

    /** zscanCommand: the cursor is parsed before the key is looked up. */
    private void zscan(final CommandContext ctx)
    {
        if (!scan.parseCursor(ctx))
        {
            return;
        }
        final long e = owner.lookupRead(ctx, 1);
        if (e < 0)
        {
            return;
        }
        final RespWriter out = ctx.out();
        if (e == NULL_HANDLE)
        {
            out.raw(CollectionScan.EMPTY_SCAN);
            return;
        }
        final int matched = scan.collect(ctx, zset);
        if (matched < 0)
        {
            return;
        }
        out.arrayHeader(matched * 2L);
        for (int i = 0; i < matched; i++)
        {
            zset.loadKey(scan.position(i));
            owner.replyLoaded(out);
            // scanGenericCommand replies the score as text (bulk) in RESP3 too: a listpack's as it is stored
            // (d2string), a skiplist's as "%.17Lg", which for a double is "%.17g"
            final double score = zset.scanScore(scan.position(i));
            out.bulk(scoreText, 0, zset.isSkiplist() ? doubleFormat.format(score, scoreText) :
                zset.d2string(score, scoreText));
        }
    }

    private static SplittableRandom random(final CommandContext ctx)
    {
        return ctx.keyspace().random();
    }
}
