package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.GlobMatcher;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.types.HashFlyweight;
import io.keelkv.engine.types.PagedDict;
import io.keelkv.engine.types.SetBuilder;
import io.keelkv.engine.types.SetFlyweight;
import org.agrona.UnsafeApi;
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
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);
    /** Redis's SPOP_MOVE_STRATEGY_MUL and SRANDMEMBER_SUB_STRATEGY_MUL. */
    private static final int SPOP_MOVE_STRATEGY_MUL = 5;
    private static final int SRANDMEMBER_SUB_STRATEGY_MUL = 3;
    private static final byte[] COUNT_RANGE = RespConstants.bytes("-ERR value is out of range, value must between " +
        "-9223372036854775807 and 9223372036854775807\r\n");
    private static final byte[] MUST_BE_POSITIVE = RespConstants.bytes("-ERR value is out of range, must be positive\r\n");
    private static final byte[] EMPTY_SCAN = RespConstants.bytes("*2\r\n$1\r\n0\r\n*0\r\n");
    private static final byte[] SCAN_DONE = RespConstants.bytes("$1\r\n0\r\n");
    private static final byte[] COUNT = literal("count");
    private static final byte[] MATCH = literal("match");
    private static final byte[] SREM_CMD = literal("SREM");
    private static final byte[] DEL_CMD = literal("DEL");
    private final byte[] digits = new byte[24];
    private final long[] cursor = new long[1];
    private long[] picked = new long[16];
    private int kept;
    private final LongHashSet drawn = new LongHashSet();
    private final PagedDict.ElementVisitor collect = this::keep;

    private final SetCommands owner;
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
            // CASE 1: draws with repetition; a reply past the output limit ends the loop (CLIENT_CLOSE_ASAP)
            out.arrayHeader(count);
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
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        if (!KeyCommands.parseCursor(args, 2, cursor))
        {
            out.raw(KeyCommands.INVALID_CURSOR);
            return;
        }
        final long e = owner.lookupRead(ctx, 1);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE)
        {
            out.raw(EMPTY_SCAN);
            return;
        }
        int matchArg = -1;
        long count = 10;
        for (int i = 3; i < args.count(); i += 2)
        {
            final boolean hasValue = i + 1 < args.count();
            if (hasValue && KeyCommands.option(args, i, COUNT))
            {
                if (!args.parseLong(i + 1))
                {
                    out.raw(RespConstants.NOT_INTEGER);
                    return;
                }
                count = args.longValue();
                if (count < 1)
                {
                    out.raw(RespConstants.SYNTAX_ERROR);
                    return;
                }
            }
            else if (hasValue && KeyCommands.option(args, i, MATCH))
            {
                matchArg = i + 1;
            }
            else
            {
                out.raw(RespConstants.SYNTAX_ERROR);
                return;
            }
        }
        final boolean useMatch = matchArg >= 0 && !(args.length(matchArg) == 1 && args.byteAt(matchArg, 0) == '*');
        kept = 0;
        long next = 0;
        if (set.isHashtable())
        {
            next = cursor[0];
            // C's "maxiterations--" test stops at zero only, so a COUNT whose tenfold wrapped still iterates
            long maxIterations = count * 10;
            do
            {
                next = set.scan(next, collect);
            }
            while (next != 0 && maxIterations-- != 0 && kept < count);
        }
        else
        {
            for (long p = set.first(); p != SetFlyweight.NONE; p = set.next(p))
            {
                keep(p);
            }
        }
        int matched = 0;
        for (int i = 0; i < kept; i++)
        {
            if (!useMatch || matchesLoaded(args, matchArg, picked[i]))
            {
                picked[matched++] = picked[i];
            }
        }
        out.arrayHeader(2);
        if (next == 0)
        {
            out.raw(SCAN_DONE);
        }
        else
        {
            out.bulkString(Long.toUnsignedString(next));
        }
        out.arrayHeader(matched);
        for (int i = 0; i < matched; i++)
        {
            set.load(picked[i]);
            owner.replyLoaded(out);
        }
    }

    private boolean matchesLoaded(final Args args, final int matchArg, final long member)
    {
        set.load(member);
        if (set.isInteger())
        {
            final int length = HashFlyweight.formatLong(set.integer(), digits);
            return GlobMatcher.matches(args.array(), args.address(matchArg), args.length(matchArg), digits, BYTE_BASE,
                length, false);
        }
        return GlobMatcher.matches(args.array(), args.address(matchArg), args.length(matchArg), null, set.address(),
            set.stringLength(), false);
    }

    private void keep(final long member)
    {
        if (kept == picked.length)
        {
            picked = java.util.Arrays.copyOf(picked, kept * 2);
        }
        picked[kept++] = member;
    }
}
