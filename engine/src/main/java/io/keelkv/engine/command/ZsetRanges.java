package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.text.AsciiNumbers;
import io.keelkv.engine.types.HashFlyweight;
import io.keelkv.engine.types.ZsetBuilder;
import io.keelkv.engine.types.ZsetFlyweight;
import io.keelkv.engine.types.ZsetRange;
import org.agrona.UnsafeApi;

import java.nio.charset.StandardCharsets;

import static io.keelkv.engine.command.RewrittenArgs.literal;
import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * The sorted-set range commands of Redis 7.0's t_zset.c: ZRANGE (BYSCORE, BYLEX, REV, LIMIT, WITHSCORES),
 * ZRANGESTORE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX, ZREVRANGE, ZCOUNT, ZLEXCOUNT and
 * ZREMRANGEBYRANK/SCORE/LEX, beside {@link ZsetCommands}, whose lookups and flyweight they share.
 *
 * <p>Ranges are parsed as Redis parses them: a score bound by strtod (leading spaces skipped, an empty text is 0,
 * overflow gives ±inf, "(" makes it exclusive, NaN refused: "min or max is not a float"), a lex bound as "-", "+",
 * "[member" or "(member" ("min or max not valid string range item"). A range walk starts at the first (or, reversed,
 * last) element in the range, skips LIMIT's offset and stops at the first element past the other bound, as Redis's
 * genericZrangebyscoreCommand does, so replies agree element for element. Redis writes such a reply's length after
 * its elements; this walks twice (count, then reply) instead, which reads the same elements.
 */
final class ZsetRanges
{
    private static final byte[] NOT_FLOAT_RANGE = RespConstants.bytes("-ERR min or max is not a float\r\n");
    private static final byte[] NOT_LEX_RANGE = RespConstants.bytes(
        "-ERR min or max not valid string range item\r\n");
    private static final byte[] LIMIT_ONLY = RespConstants.bytes("-ERR syntax error, LIMIT is only supported in " +
        "combination with either BYSCORE or BYLEX\r\n");
    private static final byte[] WITHSCORES_BYLEX = RespConstants.bytes(
        "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n");
    private static final byte[] WITHSCORES = literal("withscores");
    private static final byte[] LIMIT = literal("limit");
    private static final byte[] REV = literal("rev");
    private static final byte[] BYLEX = literal("bylex");
    private static final byte[] BYSCORE = literal("byscore");
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);
    private static final java.util.regex.Pattern DECIMAL =
        java.util.regex.Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    static final int AUTO = 0;
    static final int RANK = 1;
    static final int SCORE = 2;
    static final int LEX = 3;

    // a walk's consumer
    private static final int COUNT_ONLY = 0;
    private static final int REPLY = 1;
    private static final int STORE = 2;

    private final ZsetCommands owner;
    private final Keyspace keyspace;
    private final ZsetFlyweight zset;
    private final ZsetRange range = new ZsetRange();
    final ZsetBuilder builder;
    private final byte[] digits = new byte[24];

    private ZsetRanges(final ZsetCommands owner)
    {
        this.owner = owner;
        this.keyspace = owner.keyspace;
        this.zset = owner.zset;
        this.builder = new ZsetBuilder(keyspace.memory());
    }

    static void bind(final ZsetCommands owner, final CommandTable table)
    {
        final ZsetRanges c = new ZsetRanges(owner);
        table.bind("zrange", ctx -> c.zrange(ctx, 1, false, AUTO, false, false));
        table.bind("zrangestore", ctx -> c.zrange(ctx, 2, true, AUTO, false, false));
        table.bind("zrevrange", ctx -> c.zrange(ctx, 1, false, RANK, true, true));
        table.bind("zrangebyscore", ctx -> c.zrange(ctx, 1, false, SCORE, false, true));
        table.bind("zrevrangebyscore", ctx -> c.zrange(ctx, 1, false, SCORE, true, true));
        table.bind("zrangebylex", ctx -> c.zrange(ctx, 1, false, LEX, false, true));
        table.bind("zrevrangebylex", ctx -> c.zrange(ctx, 1, false, LEX, true, true));
        table.bind("zcount", ctx -> c.count(ctx, SCORE));
        table.bind("zlexcount", ctx -> c.count(ctx, LEX));
        table.bind("zremrangebyrank", ctx -> c.zremrange(ctx, RANK));
        table.bind("zremrangebyscore", ctx -> c.zremrange(ctx, SCORE));
        table.bind("zremrangebylex", ctx -> c.zremrange(ctx, LEX));
    }

    // ------------------------------------------------------------------------------------------------
    // parsing

    /** zslParseRange: false when either bound is not a float. */
    static boolean parseScoreRange(final Args args, final int minArg, final int maxArg, final ZsetRange range)
    {
        range.minExclusive = args.length(minArg) > 0 && args.byteAt(minArg, 0) == '(';
        range.maxExclusive = args.length(maxArg) > 0 && args.byteAt(maxArg, 0) == '(';
        final int minSkip = range.minExclusive ? 1 : 0;
        final int maxSkip = range.maxExclusive ? 1 : 0;
        final double min = strtod(args.array(), args.address(minArg) + minSkip, args.length(minArg) - minSkip);
        final double max = strtod(args.array(), args.address(maxArg) + maxSkip, args.length(maxArg) - maxSkip);
        if (Double.isNaN(min) || Double.isNaN(max))
        {
            return false;
        }
        range.min = min;
        range.max = max;
        return true;
    }

    /**
     * C's strtod over an sds as zslParseRange uses it: the whole text up to its first NUL must be read (an empty
     * text reads as 0), leading whitespace skipped, overflow and underflow accepted. NaN when refused.
     */
    static double strtod(final byte[] array, final long address, final int length)
    {
        int end = 0;
        while (end < length && UnsafeApi.getByte(array, address + end) != 0)
        {
            end++;
        }
        if (end == 0)
        {
            return 0;
        }
        int start = 0;
        while (start < end && isSpace(UnsafeApi.getByte(array, address + start)))
        {
            start++;
        }
        if (start == end)
        {
            return Double.NaN; // nothing converted: the end pointer stays on the first space
        }
        final double value = AsciiNumbers.parseDouble(array, address + start, end - start);
        if (!Double.isNaN(value))
        {
            return value;
        }
        // out of a double's range (refused by the exact parser, accepted by strtod as ±inf or 0)
        final byte[] text = new byte[end - start];
        UnsafeApi.copyMemory(array, address + start, text, BYTE_BASE, text.length);
        final String s = new String(text, StandardCharsets.ISO_8859_1);
        return DECIMAL.matcher(s).matches() ? Double.parseDouble(s) : Double.NaN;
    }

    private static boolean isSpace(final byte b)
    {
        return b == ' ' || b == '\t' || b == '\n' || b == '\u000b' || b == '\f' || b == '\r';
    }

    /** zslParseLexRange: false when either bound is not a valid lex range item. */
    static boolean parseLexRange(final Args args, final int minArg, final int maxArg, final ZsetRange range)
    {
        final int minKind = lexKind(args, minArg);
        final int maxKind = lexKind(args, maxArg);
        if (minKind < 0 || maxKind < 0)
        {
            return false;
        }
        range.minKind = minKind;
        range.minBase = args.array();
        range.minAddress = args.address(minArg) + 1;
        range.minLength = args.length(minArg) - 1;
        range.maxKind = maxKind;
        range.maxBase = args.array();
        range.maxAddress = args.address(maxArg) + 1;
        range.maxLength = args.length(maxArg) - 1;
        return true;
    }

    private static int lexKind(final Args args, final int arg)
    {
        if (args.length(arg) == 0)
        {
            return -1;
        }
        // "+" and "-" are read as C strings: only a NUL may follow
        final boolean alone = args.length(arg) == 1 || args.byteAt(arg, 1) == 0;
        switch (args.byteAt(arg, 0))
        {
            case '+':
                return alone ? ZsetRange.LEX_MAX : -1;
            case '-':
                return alone ? ZsetRange.LEX_MIN : -1;
            case '(':
                return ZsetRange.LEX_EXCLUSIVE;
            case '[':
                return ZsetRange.LEX_INCLUSIVE;
            default:
                return -1;
        }
    }

    // ------------------------------------------------------------------------------------------------
    // ZRANGE and its older forms

    /** zrangeGenericCommand: {@code keyArg} is the source key (1, or 2 for ZRANGESTORE). */
    private void zrange(final CommandContext ctx, final int keyArg, final boolean store, final int fixedType,
        final boolean fixedReverse, final boolean fixedDirection)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        int minArg = keyArg + 1;
        int maxArg = keyArg + 2;
        int type = fixedType;
        boolean reverse = fixedReverse;
        boolean withScores = false;
        long offset = 0;
        long limit = -1;
        for (int j = keyArg + 3; j < args.count(); j++)
        {
            final int left = args.count() - j - 1;
            if (!store && args.equalsIgnoreCase(j, WITHSCORES))
            {
                withScores = true;
            }
            else if (args.equalsIgnoreCase(j, LIMIT) && left >= 2)
            {
                if (!args.parseLong(j + 1))
                {
                    out.raw(RespConstants.NOT_INTEGER);
                    return;
                }
                offset = args.longValue();
                if (!args.parseLong(j + 2))
                {
                    out.raw(RespConstants.NOT_INTEGER);
                    return;
                }
                limit = args.longValue();
                j += 2;
            }
            else if (!fixedDirection && !reverse && args.equalsIgnoreCase(j, REV))
            {
                reverse = true;
            }
            else if (type == AUTO && args.equalsIgnoreCase(j, BYLEX))
            {
                type = LEX;
            }
            else if (type == AUTO && args.equalsIgnoreCase(j, BYSCORE))
            {
                type = SCORE;
            }
            else
            {
                out.raw(RespConstants.SYNTAX_ERROR);
                return;
            }
        }
        if (type == AUTO)
        {
            type = RANK;
        }
        if (limit != -1 && type == RANK)
        {
            out.raw(LIMIT_ONLY);
            return;
        }
        if (withScores && type == LEX)
        {
            out.raw(WITHSCORES_BYLEX);
            return;
        }
        if (reverse && type != RANK)
        {
            final int swap = maxArg;
            maxArg = minArg;
            minArg = swap;
        }
        long start = 0;
        long end = 0;
        if (type == RANK)
        {
            if (!args.parseLong(minArg))
            {
                out.raw(RespConstants.NOT_INTEGER);
                return;
            }
            start = args.longValue();
            if (!args.parseLong(maxArg))
            {
                out.raw(RespConstants.NOT_INTEGER);
                return;
            }
            end = args.longValue();
        }
        else if (type == SCORE ? !parseScoreRange(args, minArg, maxArg, range) :
            !parseLexRange(args, minArg, maxArg, range))
        {
            out.raw(type == SCORE ? NOT_FLOAT_RANGE : NOT_LEX_RANGE);
            return;
        }
        final long e = owner.lookupRead(ctx, keyArg);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE)
        {
            if (store)
            {
                finishStore(ctx, 0);
            }
            else
            {
                out.raw(RespConstants.EMPTY_ARRAY);
            }
            return;
        }
        final boolean scores = withScores || store;
        if (type == RANK)
        {
            final long size = zset.length();
            if (start < 0)
            {
                start += size;
            }
            if (end < 0)
            {
                end += size;
            }
            if (start < 0)
            {
                start = 0;
            }
            if (start > end || start >= size)
            {
                offset = 0;
                limit = 0;
                start = -1;
            }
            else
            {
                end = Math.min(end, size - 1);
                limit = end - start + 1;
                start = reverse ? size - 1 - start : start;
                offset = 0;
            }
        }
        else if (type == SCORE && offset > 0 && offset >= zset.length())
        {
            start = -1;
        }
        else
        {
            start = type == SCORE ? (reverse ? zset.lastInScoreRange(range) : zset.firstInScoreRange(range)) :
                (reverse ? zset.lastInLexRange(range) : zset.firstInLexRange(range));
        }
        if (store)
        {
            builder.reset();
            final long stored = walk(ctx, STORE, type, start, reverse, offset, limit, true);
            // zrangeResultBeginStore's size hint: the range's length by rank, 0 by score or lex (unknown)
            builder.addedAsRedisStores(type == RANK ? stored : 0, ctx.limits().zsetMaxListpackEntries,
                ctx.limits().zsetMaxListpackValue);
            finishStore(ctx, stored);
            return;
        }
        final long count = type == SCORE && zset.isSkiplist() ? scoreRangeCount(start, reverse, offset, limit) :
            walk(ctx, COUNT_ONLY, type, start, reverse, offset, limit, false);
        out.arrayHeader(scores && ctx.client().protocol() == 2 ? count * 2 : count);
        walk(ctx, REPLY, type, start, reverse, offset, limit, scores);
    }

    /**
     * One walk of a range: from rank {@code start} (-1: nothing), {@code offset} elements skipped, at most
     * {@code limit} (negative: no limit) taken while they stay in the range (score and lex types). Returns how
     * many were taken.
     */
    private long walk(final CommandContext ctx, final int consumer, final int type, final long start,
        final boolean reverse, final long offset, final long limit, final boolean scores)
    {
        if (start < 0 || !zset.seek(start))
        {
            return 0;
        }
        long skip = offset;
        while (zset.valid() && skip-- != 0)
        {
            move(reverse);
        }
        final RespWriter out = ctx.out();
        final boolean nested = scores && ctx.client().protocol() > 2;
        long left = limit;
        long taken = 0;
        while (zset.valid() && left-- != 0)
        {
            if (type == SCORE)
            {
                final double score = zset.cursorScore();
                if (reverse ? !range.scoreGteMin(score) : !range.scoreLteMax(score))
                {
                    break;
                }
            }
            else if (type == LEX && (reverse ? !zset.cursorLexGteMin(range) : !zset.cursorLexLteMax(range)))
            {
                break;
            }
            taken++;
            if (consumer == REPLY)
            {
                if (nested)
                {
                    out.arrayHeader(2);
                }
                owner.replyMember(out);
                if (scores)
                {
                    out.doubleValue(zset.cursorScore());
                }
            }
            else if (consumer == STORE)
            {
                zset.loadMember();
                final double score = zset.cursorScore();
                if (zset.isInteger())
                {
                    final int n = HashFlyweight.formatLong(zset.integer(), digits);
                    builder.add(digits, BYTE_BASE, n, score);
                }
                else
                {
                    builder.add(null, zset.address(), zset.stringLength(), score);
                }
            }
            move(reverse);
        }
        return taken;
    }

    private void move(final boolean reverse)
    {
        if (reverse)
        {
            zset.previous();
        }
        else
        {
            zset.next();
        }
    }

    /** zrangeResultFinalizeStore: the result under the destination (argument 1), or the destination deleted. */
    private void finishStore(final CommandContext ctx, final long count)
    {
        final Args args = ctx.args();
        if (count == 0)
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
        ctx.out().integer(count);
    }

    // ------------------------------------------------------------------------------------------------
    // counts and removals

    /** zcountCommand and zlexcountCommand: the range is parsed before the key is looked up. */
    private void count(final CommandContext ctx, final int type)
    {
        final Args args = ctx.args();
        if (type == SCORE ? !parseScoreRange(args, 2, 3, range) : !parseLexRange(args, 2, 3, range))
        {
            ctx.out().raw(type == SCORE ? NOT_FLOAT_RANGE : NOT_LEX_RANGE);
            return;
        }
        final long e = owner.lookupRead(ctx, 1);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.ZERO);
            return;
        }
        final long first = type == SCORE ? zset.firstInScoreRange(range) : zset.firstInLexRange(range);
        if (zset.isSkiplist())
        {
            // Redis's skiplist branch: the difference of the first and last elements' ranks, O(log n)
            final long last = first < 0 ? -1 : type == SCORE ? zset.lastInScoreRange(range) :
                zset.lastInLexRange(range);
            ctx.out().integer(first < 0 || last < first ? 0 : last - first + 1);
            return;
        }
        ctx.out().integer(walk(ctx, COUNT_ONLY, type, first, false, 0, -1, false));
    }

    /**
     * How many elements a score-range walk over a skiplist takes, from the ranks alone (O(log n)): the elements of
     * a score range are the ranks between its first and last, so this is what {@link #walk} would count.
     */
    private long scoreRangeCount(final long start, final boolean reverse, final long offset, final long limit)
    {
        if (start < 0)
        {
            return 0;
        }
        final long other = reverse ? zset.firstInScoreRange(range) : zset.lastInScoreRange(range);
        final long inRange = other < 0 ? 0 : Math.abs(start - other) + 1;
        if (offset < 0)
        {
            return 0; // Redis's "while (offset--)" runs off the end
        }
        final long left = Math.max(0, inRange - offset);
        return limit < 0 ? left : Math.min(limit, left);
    }

    /** zremrangeGenericCommand: the range is parsed before the key is looked up. */
    private void zremrange(final CommandContext ctx, final int type)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        long start = 0;
        long end = 0;
        if (type == RANK)
        {
            if (!args.parseLong(2))
            {
                out.raw(RespConstants.NOT_INTEGER);
                return;
            }
            start = args.longValue();
            if (!args.parseLong(3))
            {
                out.raw(RespConstants.NOT_INTEGER);
                return;
            }
            end = args.longValue();
        }
        else if (type == SCORE ? !parseScoreRange(args, 2, 3, range) : !parseLexRange(args, 2, 3, range))
        {
            out.raw(type == SCORE ? NOT_FLOAT_RANGE : NOT_LEX_RANGE);
            return;
        }
        final long e = owner.lookupWrite(ctx, 1);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE)
        {
            out.raw(RespConstants.ZERO);
            return;
        }
        final long size = zset.length();
        long first;
        long count;
        if (type == RANK)
        {
            if (start < 0)
            {
                start += size;
            }
            if (end < 0)
            {
                end += size;
            }
            if (start < 0)
            {
                start = 0;
            }
            if (start > end || start >= size)
            {
                out.raw(RespConstants.ZERO);
                return;
            }
            end = Math.min(end, size - 1);
            first = start;
            count = end - start + 1;
        }
        else
        {
            first = type == SCORE ? zset.firstInScoreRange(range) : zset.firstInLexRange(range);
            count = walk(ctx, COUNT_ONLY, type, first, false, 0, -1, false);
        }
        final long deleted = count == 0 ? 0 : zset.deleteRange(keyspace, ctx.db(), first, count);
        if (deleted > 0 && zset.length() == 0)
        {
            keyspace.deleteFound(ctx.db());
        }
        ctx.dirty(deleted);
        out.integer(deleted);
    }
}
