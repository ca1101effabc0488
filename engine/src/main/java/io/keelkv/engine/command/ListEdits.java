package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.types.Quicklist;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * The list commands that work at positions inside a list, beside {@link ListCommands} (pushes, pops, ranges,
 * moves), whose lookups and quicklist flyweight they share (one owner thread, one command at a time): LSET,
 * LTRIM, LREM, LINSERT and LPOS, with Redis 7.0's replies, errors and order of checks. Each walks node counts to
 * its position and touches the nodes it changes; LREM and LPOS scan as Redis's do.
 */
final class ListEdits
{
    private static final byte[] BEFORE = RewrittenArgs.literal("before");
    private static final byte[] AFTER = RewrittenArgs.literal("after");
    private static final byte[] RANK = RewrittenArgs.literal("rank");
    private static final byte[] COUNT = RewrittenArgs.literal("count");
    private static final byte[] MAXLEN = RewrittenArgs.literal("maxlen");

    private final ListCommands owner;
    private final Keyspace keyspace;
    private final Quicklist list;

    ListEdits(final ListCommands owner)
    {
        this.owner = owner;
        this.keyspace = owner.keyspace;
        this.list = owner.list;
    }

    // ------------------------------------------------------------------------------------------------
    // writes in place

    void lset(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final long e = owner.lookupWrite(ctx, 1);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.NO_SUCH_KEY);
            return;
        }
        if (!args.parseLong(2))
        {
            ctx.out().raw(RespConstants.NOT_INTEGER);
            return;
        }
        if (!list.seek(args.longValue()))
        {
            ctx.out().raw(RespConstants.INDEX_OUT_OF_RANGE);
            return;
        }
        if (!list.replaceCurrent(args.buffer(), args.offset(3), args.length(3)))
        {
            ctx.out().raw(RespConstants.OOM);
            return;
        }
        ctx.dirty(1);
        ctx.out().ok();
    }

    void ltrim(final CommandContext ctx)
    {
        final Args args = ctx.args();
        if (!args.parseLong(2))
        {
            ctx.out().raw(RespConstants.NOT_INTEGER);
            return;
        }
        long start = args.longValue();
        if (!args.parseLong(3))
        {
            ctx.out().raw(RespConstants.NOT_INTEGER);
            return;
        }
        long end = args.longValue();
        final long e = owner.lookupWrite(ctx, 1);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE)
        {
            ctx.out().ok();
            return;
        }
        final long llen = list.length();
        if (start < 0)
        {
            start = llen + start;
        }
        if (end < 0)
        {
            end = llen + end;
        }
        if (start < 0)
        {
            start = 0;
        }
        final long ltrim;
        final long rtrim;
        if (start > end || start >= llen)
        {
            ltrim = llen;
            rtrim = 0;
        }
        else
        {
            if (end >= llen)
            {
                end = llen - 1;
            }
            ltrim = start;
            rtrim = llen - end - 1;
        }
        list.trimHead(ltrim);
        list.trimTail(rtrim);
        if (list.length() == 0)
        {
            keyspace.deleteFound(ctx.db());
        }
        ctx.dirty(ltrim + rtrim);
        ctx.out().ok();
    }

    void lrem(final CommandContext ctx)
    {
        final Args args = ctx.args();
        if (!args.parseLong(2))
        {
            ctx.out().raw(RespConstants.NOT_INTEGER);
            return;
        }
        long toRemove = args.longValue();
        final long e = owner.lookupWrite(ctx, 1);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.ZERO);
            return;
        }
        final boolean forward = toRemove >= 0;
        if (!forward)
        {
            toRemove = -toRemove;
        }
        long removed = 0;
        boolean more = forward ? list.first() : list.last();
        while (more)
        {
            if (list.currentEquals(args.buffer(), args.offset(3), args.length(3)))
            {
                list.deleteCurrent(forward);
                more = list.valid();
                removed++;
                if (toRemove != 0 && removed == toRemove)
                {
                    break;
                }
            }
            else
            {
                more = forward ? list.next() : list.prev();
            }
        }
        if (list.length() == 0)
        {
            keyspace.deleteFound(ctx.db());
        }
        ctx.dirty(removed);
        ctx.out().integer(removed);
    }

    void linsert(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final boolean after;
        if (args.equalsIgnoreCase(2, AFTER))
        {
            after = true;
        }
        else if (args.equalsIgnoreCase(2, BEFORE))
        {
            after = false;
        }
        else
        {
            ctx.out().raw(RespConstants.SYNTAX_ERROR);
            return;
        }
        final long e = owner.lookupWrite(ctx, 1);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.ZERO);
            return;
        }
        for (boolean more = list.first(); more; more = list.next())
        {
            if (list.currentEquals(args.buffer(), args.offset(3), args.length(3)))
            {
                if (!list.insertAtCurrent(after, args.buffer(), args.offset(4), args.length(4),
                    ctx.limits().listMaxListpackSize))
                {
                    ctx.out().raw(RespConstants.OOM);
                    return;
                }
                ctx.dirty(1);
                ctx.out().integer(list.length());
                return;
            }
        }
        ctx.out().raw(RespConstants.MINUS_ONE);
    }

    void lpos(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        long rank = 1;
        long count = -1;
        long maxlen = 0;
        for (int j = 3; j < args.count(); j++)
        {
            final boolean moreArgs = args.count() - 1 - j > 0;
            if (args.equalsIgnoreCase(j, RANK) && moreArgs)
            {
                j++;
                if (!args.parseLong(j))
                {
                    out.raw(RespConstants.NOT_INTEGER);
                    return;
                }
                rank = args.longValue();
                if (rank == 0)
                {
                    out.error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... " +
                        "or use negative to start from the end of the list");
                    return;
                }
            }
            else if (args.equalsIgnoreCase(j, COUNT) && moreArgs)
            {
                j++;
                if (!args.parseLong(j) || args.longValue() < 0)
                {
                    out.error("ERR COUNT can't be negative");
                    return;
                }
                count = args.longValue();
            }
            else if (args.equalsIgnoreCase(j, MAXLEN) && moreArgs)
            {
                j++;
                if (!args.parseLong(j) || args.longValue() < 0)
                {
                    out.error("ERR MAXLEN can't be negative");
                    return;
                }
                maxlen = args.longValue();
            }
            else
            {
                out.raw(RespConstants.SYNTAX_ERROR);
                return;
            }
        }
        final long e = owner.lookupRead(ctx, 1);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE)
        {
            if (count != -1)
            {
                out.raw(RespConstants.EMPTY_ARRAY);
            }
            else
            {
                out.nullBulk();
            }
            return;
        }
        boolean fromTail = false;
        if (rank < 0)
        {
            rank = -rank; // Long.MIN_VALUE stays negative: every match then counts, as in Redis
            fromTail = true;
        }
        final long llen = list.length();
        long index = 0;
        long matches = 0;
        long matchIndex = -1;
        long found = 0;
        // the positions are collected before the reply: a deferred length, as Redis's setDeferredArrayLen
        final org.agrona.collections.LongArrayList positions = ctx.handles;
        positions.clear();
        for (boolean more = fromTail ? list.last() : list.first(); more && (maxlen == 0 || index < maxlen);
            more = fromTail ? list.prev() : list.next())
        {
            if (list.currentEquals(args.buffer(), args.offset(2), args.length(2)))
            {
                matches++;
                if (matches >= rank)
                {
                    final long position = fromTail ? llen - index - 1 : index;
                    if (count != -1)
                    {
                        positions.addLong(position);
                        found++;
                        if (count != 0 && matches - rank + 1 >= count)
                        {
                            break;
                        }
                    }
                    else
                    {
                        matchIndex = position;
                        break;
                    }
                }
            }
            index++;
        }
        if (count != -1)
        {
            out.arrayHeader(found);
            for (int i = 0; i < found; i++)
            {
                out.integer(positions.getLong(i));
            }
            positions.clear();
        }
        else if (matchIndex != -1)
        {
            out.integer(matchIndex);
        }
        else
        {
            out.nullBulk();
        }
    }
}
