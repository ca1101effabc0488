package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.ObjectType;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;

import static io.keelkv.engine.command.RewrittenArgs.literal;
import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * The sorted-set pops (Redis 7.0's genericZpopCommand and its callers): ZPOPMIN, ZPOPMAX, ZMPOP, and the blocking
 * BZPOPMIN, BZPOPMAX, BZMPOP (bzpopMinMaxCommand, bzmpopCommand, blockingGenericZpopCommand and
 * serveClientBlockedOnSortedSet) on the blocking table {@link ListBlockingCommands} uses too
 * ({@link CommandContext#block} with a {@link BlockedPop} of this class's). ZMPOP is logged as ZPOPMIN/ZPOPMAX key
 * count, the count being what was popped.
 *
 * <p>Checks in Redis's order (as redis-server 7.0.15 answers them): BZPOPMIN/BZPOPMAX parse the timeout first;
 * BZMPOP checks numkeys, MIN|MAX and COUNT first, then the timeout. Then the keys in order: WRONGTYPE for a key of
 * another type met before a non-empty set. With data the pop is served at once; without, the client blocks, and
 * a client that may not block gets the timeout's null at once. Replies: BZPOPMIN/BZPOPMAX
 * {@code [key, member, score]} (the score a double in RESP3), BZMPOP as ZMPOP. Logged as Redis 7.0 logs them,
 * served at once or later: ZPOPMIN/ZPOPMAX key, and for BZMPOP ZPOPMIN/ZPOPMAX key with the count popped.
 */
final class ZsetPops
{
    private static final byte[] NOT_POSITIVE = RespConstants.bytes("-ERR value is out of range, must be positive\r\n");
    private static final byte[] NUMKEYS = RespConstants.bytes("-ERR numkeys should be greater than 0\r\n");
    private static final byte[] COUNT_POSITIVE = RespConstants.bytes("-ERR count should be greater than 0\r\n");
    private static final byte[] MIN = literal("min");
    private static final byte[] MAX = literal("max");
    private static final byte[] COUNT = literal("count");
    private static final byte[] ZPOPMIN_CMD = literal("ZPOPMIN");
    private static final byte[] ZPOPMAX_CMD = literal("ZPOPMAX");

    private final ZsetCommands zsets;
    private final RewrittenArgs rewrite = new RewrittenArgs();
    private final BlockedPop serveMin;
    private final BlockedPop serveMax;
    private final BlockedPop serveMpop;

    private ZsetPops(final ZsetCommands zsets)
    {
        this.zsets = zsets;
        this.serveMin = (ctx, k) -> serveOne(ctx, k, false);
        this.serveMax = (ctx, k) -> serveOne(ctx, k, true);
        this.serveMpop = this::serveMpop;
    }

    static void bind(final ZsetCommands zsets, final CommandTable table)
    {
        final ZsetPops c = new ZsetPops(zsets);
        table.bind("zpopmin", ctx -> c.zpop(ctx, false));
        table.bind("zpopmax", ctx -> c.zpop(ctx, true));
        table.bind("zmpop", c::zmpop);
        table.bind("bzpopmin", ctx -> c.bzpop(ctx, false));
        table.bind("bzpopmax", ctx -> c.bzpop(ctx, true));
        table.bind("bzmpop", c::bzmpop);
    }

    /** BZPOPMIN/BZPOPMAX key [key ...] timeout. */
    private void bzpop(final CommandContext ctx, final boolean max)
    {
        final int timeoutArg = ctx.args().count() - 1;
        final long deadline = BlockingKeys.parseTimeout(ctx, timeoutArg);
        if (deadline < 0)
        {
            return;
        }
        for (int k = 1; k < timeoutArg; k++)
        {
            final long e = zsets.lookupWrite(ctx, k);
            if (e < 0)
            {
                return;
            }
            if (e != NULL_HANDLE)
            {
                popOneWithKey(ctx, k, max);
                return;
            }
        }
        if (!ctx.block(ObjectType.ZSET, 1, timeoutArg - 1, deadline, max ? serveMax : serveMin))
        {
            ctx.out().nullArray();
        }
    }

    /** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]. */
    private void bzmpop(final CommandContext ctx)
    {
        if (!parseMpop(ctx, 2))
        {
            return;
        }
        final int keys = mpopKeys;
        final boolean max = mpopMax;
        final long count = mpopCount;
        final long deadline = BlockingKeys.parseTimeout(ctx, 1);
        if (deadline < 0)
        {
            return;
        }
        for (int k = 3; k < 3 + keys; k++)
        {
            final long e = zsets.lookupWrite(ctx, k);
            if (e < 0)
            {
                return;
            }
            if (e != NULL_HANDLE)
            {
                pop(ctx, k, 1, max, true, count, true, true);
                return;
            }
        }
        if (!ctx.block(ObjectType.ZSET, 3, keys, deadline, serveMpop))
        {
            ctx.out().nullArray();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // the non-blocking pops

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
        if (parseMpop(ctx, 1))
        {
            pop(ctx, 2, mpopKeys, mpopMax, true, mpopCount, true, true);
        }
    }

    // what parseMpop found: the key count, the end and the count (1 when not given)
    int mpopKeys;
    boolean mpopMax;
    long mpopCount;

    /**
     * zmpopGenericCommand's checks of ZMPOP and BZMPOP, numkeys at {@code numkeysIdx}: numkeys, MIN|MAX, COUNT, in
     * Redis's order (BZMPOP's timeout comes after them). @return false after an error reply.
     */
    boolean parseMpop(final CommandContext ctx, final int numkeysIdx)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        if (!args.parseLong(numkeysIdx) || args.longValue() < 1)
        {
            out.raw(NUMKEYS);
            return false;
        }
        final long numkeys = args.longValue();
        final long whereIdx = numkeysIdx + numkeys + 1;
        if (numkeys >= args.count() - numkeysIdx || whereIdx >= args.count())
        {
            out.raw(RespConstants.SYNTAX_ERROR);
            return false;
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
            return false;
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
                    return false;
                }
                count = args.longValue();
            }
            else
            {
                out.raw(RespConstants.SYNTAX_ERROR);
                return false;
            }
        }
        mpopKeys = (int)numkeys;
        mpopMax = max;
        mpopCount = count == -1 ? 1 : count;
        return true;
    }

    /**
     * BZPOPMIN/BZPOPMAX's pop from the non-empty set at key argument {@code keyArg} (looked up for writing just
     * before): the reply {@code [key, member, score]}, logged as ZPOPMIN/ZPOPMAX key, as Redis 7.0 logs a
     * BZPOP served at once or later.
     */
    void popOneWithKey(final CommandContext ctx, final int keyArg, final boolean max)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        final long size = zsets.zset.length();
        out.arrayHeader(3);
        out.bulk(args.buffer(), args.offset(keyArg), args.length(keyArg));
        replyAndDelete(ctx, size, 1, max, false);
        ctx.propagateAs(rewrite.start().add(max ? ZPOPMAX_CMD : ZPOPMIN_CMD).add(args, keyArg).args());
    }

    /**
     * The {@code popped} members at the min or max end of the looked-up set of {@code size} members, each as
     * member and score ({@code nested}: a pair of its own), then their removal in one range delete (the key's
     * too when it empties). The reply is written from the set before the delete.
     */
    private void replyAndDelete(final CommandContext ctx, final long size, final long popped, final boolean max,
        final boolean nested)
    {
        final RespWriter out = ctx.out();
        zsets.zset.seek(max ? size - 1 : 0);
        for (long i = 0; i < popped; i++)
        {
            if (nested)
            {
                out.arrayHeader(2);
            }
            zsets.replyMember(out);
            out.doubleValue(zsets.zset.cursorScore());
            if (max)
            {
                zsets.zset.previous();
            }
            else
            {
                zsets.zset.next();
            }
        }
        zsets.zset.deleteRange(zsets.keyspace, ctx.db(), max ? size - popped : 0, popped);
        if (zsets.zset.length() == 0)
        {
            zsets.keyspace.deleteFound(ctx.db());
        }
        ctx.dirty(popped);
    }

    /**
     * genericZpopCommand over keys {@code [first, first + keyCount)}: the first non-empty one is popped from.
     * ZMPOP ({@code emitKey}) is propagated as ZPOPMIN/ZPOPMAX key count, count being what was popped.
     */
    void pop(final CommandContext ctx, final int first, final int keyCount, final boolean max,
        final boolean emitKey, final long requested, final boolean nested, final boolean nilWhenEmpty)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        long e = NULL_HANDLE;
        int keyArg = -1;
        for (int i = first; i < first + keyCount; i++)
        {
            e = zsets.lookupWrite(ctx, i);
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
        final long size = zsets.zset.length();
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
        replyAndDelete(ctx, size, popped, max, nested);
        if (emitKey)
        {
            ctx.propagateAs(rewrite.start().add(max ? ZPOPMAX_CMD : ZPOPMIN_CMD).add(args, keyArg).add(popped).args());
        }
    }

    // ------------------------------------------------------------------------------------------------
    // serving a blocked client (the key exists and is a sorted set; the arguments are the ones it blocked with)

    private void serveOne(final CommandContext ctx, final int k, final boolean max)
    {
        if (zsets.lookupWrite(ctx, k) > 0)
        {
            popOneWithKey(ctx, k, max);
        }
    }

    private void serveMpop(final CommandContext ctx, final int k)
    {
        // the arguments were checked when the client blocked: parsing them again only reads MIN|MAX and COUNT
        parseMpop(ctx, 2);
        if (zsets.lookupWrite(ctx, k) > 0)
        {
            pop(ctx, k, 1, mpopMax, true, mpopCount, true, true);
        }
    }
}
