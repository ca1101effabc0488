package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.types.PagedDict;
import io.keelkv.engine.types.SetBuilder;
import io.keelkv.engine.types.SetFlyweight;
import org.agrona.collections.LongHashSet;
import java.util.SplittableRandom;
import static io.keelkv.engine.command.RewrittenArgs.literal;
import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * The set commands that draw or page through a set's members: SRANDMEMBER, SPOP and SSCAN (Redis 7.0's
 * srandmemberWithCountCommand, spopWithCountCommand and sscanCommand), over both encodings, beside
 * {@link SetCommands}, whose lookups, flyweight and builder they share (one owner thread, one command at a time).
 * Redis's strategy thresholds keep small draws from a big set proportional to the count, not to the set.
 */
final class SetSampling
{
    /** Redis's SPOP_MOVE_STRATEGY_MUL and SRANDMEMBER_SUB_STRATEGY_MUL. */
    private static final int SPOP_MOVE_STRATEGY_MUL = 5;
    private static final int SRANDMEMBER_SUB_STRATEGY_MUL = 3;
    private static final byte[] COUNT_RANGE = RespConstants.bytes("-ERR value is out of range, value must between " +
        "-9223372036854775807 and 9223372036854775807\r\n");
    private static final byte[] MUST_BE_POSITIVE = RespConstants.bytes("-ERR value is out of range, must be positive\r\n");
    private static final byte[] SREM_CMD = literal("SREM");
    private static final byte[] DEL_CMD = literal("DEL");

    private final LongHashSet drawn = new LongHashSet();

    private final SetCommands owner;
    private final CollectionScan scan = new CollectionScan();
    private final Keyspace keyspace;
    private final SetFlyweight set;
    private final SetBuilder builder;
    private final RewrittenArgs rewrite;

    SetSampling(final SetCommands owner)
    {
        this.owner = owner;
        this.keyspace = owner.keyspace;
        this.set = owner.set;
        this.builder = owner.builder;
        this.rewrite = owner.rewrite;
    }

    /** srandmemberCommand and srandmemberWithCountCommand (an array in RESP3 too, as Redis replies). */
    void srandmember(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        if (args.count() > 3)
        {
            out.raw(RespConstants.SYNTAX_ERROR);
            return;
        }
        if (args.count() == 2)
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
            set.load(set.randomMember(owner.random()));
            owner.replyLoaded(out);
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
        final long e = owner.lookupRead(ctx, 1);
        if (e < 0)
        {
            return;
        }
        final boolean unique = l >= 0;
        final long count = Math.abs(l);
        if (e == NULL_HANDLE || count == 0)
        {
            out.raw(RespConstants.EMPTY_ARRAY);
            return;
        }
        final long size = set.length();
        final SplittableRandom random = owner.random();
        if (!unique || count == 1)
        {
            // CASE 1: draws with repetition; a reply past the output limit ends the loop (CLIENT_CLOSE_ASAP),
            // and one that can never fit is not drawn at all (RespWriter#arrayHeaderIfFits)
            if (!out.arrayHeaderIfFits(count))
            {
                return;
            }
            for (long n = 0; n < count && !out.overflowed(); n++)
            {
                set.load(set.randomMember(random));
                owner.replyLoaded(out);
            }
            return;
        }
        if (count >= size)
        {
            // CASE 2: the whole set
            out.arrayHeader(size);
            for (long p = set.first(); p != SetFlyweight.NONE; p = set.next(p))
            {
                set.load(p);
                owner.replyLoaded(out);
            }
            return;
        }
        out.arrayHeader(count);
        if (count * SRANDMEMBER_SUB_STRATEGY_MUL <= size)
        {
            // CASE 4: draw until count distinct members, O(count); the order is the draws'
            drawn.clear();
            while (drawn.size() < count)
            {
                final long p = set.randomMember(random);
                if (drawn.add(p))
                {
                    set.load(p);
                    owner.replyLoaded(out);
                }
            }
            return;
        }
        // CASE 3 (count close to size): distinct members in one pass by selection sampling, O(size) = O(count)
        long needed = count;
        long left = size;
        for (long p = set.first(); p != SetFlyweight.NONE && needed > 0; p = set.next(p), left--)
        {
            if (random.nextLong(left) < needed)
            {
                set.load(p);
                owner.replyLoaded(out);
                needed--;
            }
        }
    }

    /** spopCommand: one random member, logged as SREM of it. */
    void spop(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        if (args.count() > 3)
        {
            out.raw(RespConstants.SYNTAX_ERROR);
            return;
        }
        if (args.count() == 3)
        {
            spopWithCount(ctx);
            return;
        }
        final long e = owner.lookupWrite(ctx, 1);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE)
        {
            out.nullBulk();
            return;
        }
        final long p = set.randomMember(owner.random());
        set.load(p);
        owner.replyLoaded(out);
        rewrite.start().add(SREM_CMD).add(args, 1);
        owner.rewriteLoaded();
        set.removeAt(keyspace, ctx.db(), p);
        if (set.length() == 0)
        {
            keyspace.deleteFound(ctx.db());
        }
        ctx.dirty(1);
        ctx.propagateAs(rewrite.args());
    }

    /** spopWithCountCommand: a set reply; logged as DEL (the whole set) or one SREM of the popped members. */
    private void spopWithCount(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        final Database db = ctx.db();
        if (!args.parseLong(2) || args.longValue() < 0)
        {
            out.raw(MUST_BE_POSITIVE);
            return;
        }
        final long count = args.longValue();
        final long e = owner.lookupWrite(ctx, 1);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE || count == 0)
        {
            out.setHeader(0);
            return;
        }
        final long size = set.length();
        ctx.dirty(count);
        if (count >= size)
        {
            // CASE 1: the whole set, then the key goes
            out.setHeader(size);
            for (long p = set.first(); p != SetFlyweight.NONE; p = set.next(p))
            {
                set.load(p);
                owner.replyLoaded(out);
            }
            keyspace.deleteFound(db);
            ctx.propagateAs(rewrite.start().add(DEL_CMD).add(args, 1).args());
            return;
        }
        final long remaining = size - count;
        rewrite.start().add(SREM_CMD).add(args, 1);
        final SplittableRandom random = owner.random();
        if (remaining * SPOP_MOVE_STRATEGY_MUL > count)
        {
            // CASE 2: few to pop: draw and remove each, O(count)
            out.setHeader(count);
            for (long n = 0; n < count; n++)
            {
                final long p = set.randomMember(random);
                set.load(p);
                owner.replyLoaded(out);
                owner.rewriteLoaded();
                set.removeAt(keyspace, db, p);
            }
            ctx.propagateAs(rewrite.args());
            return;
        }
        // CASE 3: few to keep (remaining < size / 6): the kept members, picked by selection sampling, become a new
        // set (built before anything is replied, so a failure changes nothing); every other member is popped
        builder.reset(ctx.limits().setMaxIntsetEntries);
        drawn.clear();
        long needed = remaining;
        long left = size;
        for (long p = set.first(); p != SetFlyweight.NONE && needed > 0; p = set.next(p), left--)
        {
            if (random.nextLong(left) < needed)
            {
                if (builder.addLoaded(set.load(p)) == PagedDict.OUT_OF_MEMORY)
                {
                    builder.discard();
                    ctx.out().raw(RespConstants.OOM);
                    return;
                }
                drawn.add(p);
                needed--;
            }
        }
        out.setHeader(count);
        for (long p = set.first(); p != SetFlyweight.NONE; p = set.next(p))
        {
            if (!drawn.contains(p))
            {
                set.load(p);
                owner.replyLoaded(out);
                owner.rewriteLoaded();
            }
        }
        // dbOverwrite: the kept members' set replaces the value, the TTL stays
        keyspace.lookupWrite(db, args.array(), args.address(1), args.length(1));
        if (builder.install(keyspace, db, args.array(), args.address(1), args.length(1), true) == NULL_HANDLE)
        {
            // no memory for the new value: pop member by member instead (removals need none)
            final Args popped = rewrite.args();
            set.wrap(keyspace.lookupWrite(db, args.array(), args.address(1), args.length(1)));
            for (int i = 2; i < popped.count(); i++)
            {
                set.remove(keyspace, db, popped.array(), popped.address(i), popped.length(i));
            }
        }
        ctx.propagateAs(rewrite.args());
    }

    /**
     * sscanCommand: an intset answers every member at once with cursor 0, as Redis 7.0 does; a hashtable is
     * scanned with Redis's reverse-binary cursor, COUNT buckets' worth at a time (at most ten times COUNT scan
     * steps), then MATCH filters what was collected.
     */
    void sscan(final CommandContext ctx)
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
        final int matched = scan.collect(ctx, set);
        if (matched < 0)
        {
            return;
        }
        out.arrayHeader(matched);
        for (int i = 0; i < matched; i++)
        {
            set.load(scan.position(i));
            owner.replyLoaded(out);
        }
    }

}
