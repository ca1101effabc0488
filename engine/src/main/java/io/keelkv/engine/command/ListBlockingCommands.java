package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.ObjectType;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * The blocking list pops (Redis 7.0's blockingPopGenericCommand, blmoveGenericCommand, lmpopGenericCommand
 * with is_block, and serveClientBlockedOnList): BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP.
 *
 * <p>Checks in Redis's order: BLMOVE's ends, BLMPOP's numkeys, end and COUNT, then the timeout, then the keys
 * in order (WRONGTYPE for a key of another type met before a non-empty list). With data, the command is
 * served at once as the non-blocking one and logged as Redis rewrites it (BLPOP as LPOP key, BLMOVE as LMOVE
 * with the ends as given, BRPOPLPUSH as RPOPLPUSH, BLMPOP as LPOP/RPOP key count). Without, the client blocks
 * ({@link CommandContext#block}) and one of the {@link BlockedPop}s here serves it later, logged as Redis's
 * serveClientBlockedOnList propagates (LPOP key, LMOVE src dst with its ends in lower case, RPOPLPUSH, LPOP/RPOP
 * key count). A client that may not block gets the timeout's null at once.
 */
final class ListBlockingCommands
{
    private static final byte[] LMOVE = RewrittenArgs.literal("LMOVE");
    private static final byte[] RPOPLPUSH = RewrittenArgs.literal("RPOPLPUSH");
    private static final byte[] LEFT = RewrittenArgs.literal("left");
    private static final byte[] RIGHT = RewrittenArgs.literal("right");
    private static final byte[] LPOP = RewrittenArgs.literal("LPOP");
    private static final byte[] RPOP = RewrittenArgs.literal("RPOP");

    private final ListCommands lists;
    private final RewrittenArgs rewrite = new RewrittenArgs();
    private final BlockedPop serveLeft;
    private final BlockedPop serveRight;
    private final BlockedPop serveMove;
    private final BlockedPop serveRpoplpush;
    private final BlockedPop serveMpop;

    private ListBlockingCommands(final ListCommands lists)
    {
        this.lists = lists;
        this.serveLeft = (ctx, k) -> serveOne(ctx, k, true);
        this.serveRight = (ctx, k) -> serveOne(ctx, k, false);
        this.serveMove = this::serveMove;
        this.serveRpoplpush = this::serveRpoplpush;
        this.serveMpop = this::serveMpop;
    }

    static void bind(final ListCommands lists, final CommandTable table)
    {
        final ListBlockingCommands c = new ListBlockingCommands(lists);
        table.bind("blpop", ctx -> c.bpop(ctx, true));
        table.bind("brpop", ctx -> c.bpop(ctx, false));
        table.bind("blmove", c::blmove);
        table.bind("brpoplpush", c::brpoplpush);
        table.bind("blmpop", c::blmpop);
    }

    // ------------------------------------------------------------------------------------------------
    // the commands

    /** BLPOP/BRPOP key [key ...] timeout. */
    private void bpop(final CommandContext ctx, final boolean head)
    {
        final int timeoutArg = ctx.args().count() - 1;
        final long deadline = BlockingKeys.parseTimeout(ctx, timeoutArg);
        if (deadline < 0)
        {
            return;
        }
        for (int k = 1; k < timeoutArg; k++)
        {
            final long e = lists.lookupWrite(ctx, k);
            if (e < 0)
            {
                return;
            }
            if (e != NULL_HANDLE)
            {
                popOneWithKey(ctx, k, head);
                return;
            }
        }
        if (!ctx.block(ObjectType.LIST, 1, timeoutArg - 1, deadline, head ? serveLeft : serveRight))
        {
            ctx.out().nullArray();
        }
    }

    /** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout. */
    private void blmove(final CommandContext ctx)
    {
        final Args args = ctx.args();
        if (!ListCommands.parseWhere(args, 3, lists.whereFrom) || !ListCommands.parseWhere(args, 4, lists.whereTo))
        {
            ctx.out().raw(RespConstants.SYNTAX_ERROR);
            return;
        }
        final boolean fromHead = lists.whereFrom[0];
        final boolean toHead = lists.whereTo[0];
        final long deadline = BlockingKeys.parseTimeout(ctx, 5);
        if (deadline < 0)
        {
            return;
        }
        if (blockOrServe(ctx, deadline, serveMove))
        {
            ctx.propagateAs(rewrite.start().add(LMOVE).add(args, 1).add(args, 2).add(args, 3).add(args, 4).args());
            lists.move(ctx, fromHead, toHead);
        }
    }

    /** BRPOPLPUSH source destination timeout. */
    private void brpoplpush(final CommandContext ctx)
    {
        final long deadline = BlockingKeys.parseTimeout(ctx, 3);
        if (deadline < 0)
        {
            return;
        }
        if (blockOrServe(ctx, deadline, serveRpoplpush))
        {
            final Args args = ctx.args();
            ctx.propagateAs(rewrite.start().add(RPOPLPUSH).add(args, 1).add(args, 2).args());
            lists.move(ctx, false, true);
        }
    }

    /**
     * blmoveGenericCommand: the source alone decides (the destination's type is checked only when an element
     * moves). @return true when the source holds a list, which the caller then moves at once.
     */
    private boolean blockOrServe(final CommandContext ctx, final long deadline, final BlockedPop pop)
    {
        final long src = lists.lookupWrite(ctx, 1);
        if (src < 0)
        {
            return false;
        }
        if (src != NULL_HANDLE)
        {
            return true;
        }
        if (!ctx.block(ObjectType.LIST, 1, 1, deadline, pop))
        {
            ctx.out().nullBulk(); // Redis's addReplyNull for a BLMOVE that may not block
        }
        return false;
    }

    /** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]. */
    private void blmpop(final CommandContext ctx)
    {
        if (!lists.parseMpop(ctx, 2))
        {
            return;
        }
        final int keys = lists.mpopKeys;
        final boolean head = lists.mpopHead;
        final long count = lists.mpopCount;
        final long deadline = BlockingKeys.parseTimeout(ctx, 1);
        if (deadline < 0)
        {
            return;
        }
        for (int k = 3; k < 3 + keys; k++)
        {
            final long e = lists.lookupWrite(ctx, k);
            if (e < 0)
            {
                return;
            }
            if (e != NULL_HANDLE)
            {
                lists.popManyWithKey(ctx, k, head, count);
                return;
            }
        }
        if (!ctx.block(ObjectType.LIST, 3, keys, deadline, serveMpop))
        {
            ctx.out().nullArray();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // serving a blocked client (the key exists and is a list; the arguments are the ones it blocked with)

    private void serveOne(final CommandContext ctx, final int k, final boolean head)
    {
        if (lists.lookupWrite(ctx, k) > 0)
        {
            popOneWithKey(ctx, k, head);
        }
    }

    private void serveMove(final CommandContext ctx, final int k)
    {
        final Args args = ctx.args();
        ListCommands.parseWhere(args, 3, lists.whereFrom);
        ListCommands.parseWhere(args, 4, lists.whereTo);
        final boolean fromHead = lists.whereFrom[0];
        final boolean toHead = lists.whereTo[0];
        ctx.propagateAs(rewrite.start().add(LMOVE).add(args, 1).add(args, 2)
            .add(fromHead ? LEFT : RIGHT).add(toHead ? LEFT : RIGHT).args());
        // a destination of another type answers WRONGTYPE and moves nothing; the client is unblocked all the same
        lists.move(ctx, fromHead, toHead);
    }

    private void serveRpoplpush(final CommandContext ctx, final int k)
    {
        final Args args = ctx.args();
        ctx.propagateAs(rewrite.start().add(RPOPLPUSH).add(args, 1).add(args, 2).args());
        lists.move(ctx, false, true);
    }

    private void serveMpop(final CommandContext ctx, final int k)
    {
        lists.parseMpop(ctx, 2);
        final boolean head = lists.mpopHead;
        final long count = lists.mpopCount;
        if (lists.lookupWrite(ctx, k) > 0)
        {
            lists.popManyWithKey(ctx, k, head, count);
        }
    }

    /**
     * Pop one element of the list just looked up under key argument {@code k}, reply [key, element], delete the
     * list when emptied; logged as LPOP/RPOP key, as Redis rewrites a BLPOP that popped.
     */
    private void popOneWithKey(final CommandContext ctx, final int k, final boolean head)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        out.arrayHeader(2);
        out.bulk(args.buffer(), args.offset(k), args.length(k));
        lists.seekEnd(head);
        lists.replyLoaded(out);
        lists.list.deleteCurrent(head);
        if (lists.list.length() == 0)
        {
            lists.keyspace.deleteFound(ctx.db());
        }
        ctx.dirty(1);
        ctx.propagateAs(rewrite.start().add(head ? LPOP : RPOP).add(args, k).args());
    }
}
