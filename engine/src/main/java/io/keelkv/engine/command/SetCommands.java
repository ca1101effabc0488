package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.GlobMatcher;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.keyspace.ObjectType;
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
 * The set command family's single-key commands and SMOVE (Redis 7.0's t_set.c), over {@link SetFlyweight}:
 * the same replies, errors, order of checks and encodings as Redis. The multi-key algebra (SINTER, SUNION,
 * SDIFF and their STORE and CARD forms, SMEMBERS) is {@link SetOperations}.
 *
 * <p>Randomness is logged deterministically: SPOP as SREM of what it popped (with a count, one SREM of every
 * popped member where Redis 7.0 writes MULTI, one SREM per member, EXEC: the same data on replay), or as DEL
 * when it empties the set. SPOP and SRANDMEMBER with a count do bounded work like Redis's: random draws, O(count),
 * while the count is small against the set; one pass only when the count is close to the size.
 *
 * <p>SADD, SREM, SISMEMBER, SCARD and SMISMEMBER allocate nothing.
 */
final class SetCommands
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

    private final Keyspace keyspace;
    private final EntryFlyweight entry;
    private final SetFlyweight set;
    private final SetBuilder builder;
    private final RewrittenArgs rewrite = new RewrittenArgs();
    private final byte[] digits = new byte[24];
    private final long[] cursor = new long[1];
    private long[] picked = new long[16];
    private int kept;
    private final LongHashSet drawn = new LongHashSet();
    private final PagedDict.ElementVisitor collect = this::keep;

    private SetCommands(final Keyspace keyspace)
    {
        this.keyspace = keyspace;
        this.entry = new EntryFlyweight(keyspace.memory());
        this.set = new SetFlyweight(keyspace.memory());
        this.builder = new SetBuilder(keyspace.memory());
    }

    static void bind(final Keyspace keyspace, final CommandTable table)
    {
        final SetCommands c = new SetCommands(keyspace);
        table.bind("sadd", c::sadd);
        table.bind("srem", c::srem);
        table.bind("scard", c::scard);
        table.bind("sismember", c::sismember);
        table.bind("smismember", c::smismember);
        table.bind("srandmember", c::srandmember);
        table.bind("spop", c::spop);
        table.bind("smove", c::smove);
        table.bind("sscan", c::sscan);
        SetOperations.bind(keyspace, table);
    }

    // ------------------------------------------------------------------------------------------------
    // lookups

    private long lookupRead(final CommandContext ctx, final int arg)
    {
        final Args args = ctx.args();
        return checkType(ctx, keyspace.lookupRead(ctx.db(), args.array(), args.address(arg), args.length(arg)));
    }

    /** lookupKeyWrite + checkType, leaving the key as the database's found entry for the writes after it. */
    private long lookupWrite(final CommandContext ctx, final int arg)
    {
        final Args args = ctx.args();
        return checkType(ctx, keyspace.lookupWrite(ctx.db(), args.array(), args.address(arg), args.length(arg)));
    }

    /** The set's entry (wrapped), NULL_HANDLE when missing, -1 after writing WRONGTYPE. */
    private long checkType(final CommandContext ctx, final long e)
    {
        if (e != NULL_HANDLE && entry.wrap(e).type() != ObjectType.SET)
        {
            ctx.out().raw(RespConstants.WRONGTYPE);
            return -1;
        }
        if (e != NULL_HANDLE)
        {
            set.wrap(e);
        }
        set.snapshotRunning(keyspace.snapshotRunning());
        return e;
    }

    /** The loaded member as a bulk string. */
    private void replyLoaded(final RespWriter out)
    {
        if (set.isInteger())
        {
            out.bulkLong(set.integer());
        }
        else
        {
            out.bulkFromAddress(set.address(), set.stringLength());
        }
    }

    /** The loaded member as the next argument of the rewritten command. */
    private void rewriteLoaded()
    {
        if (set.isInteger())
        {
            rewrite.add(set.integer());
        }
        else
        {
            rewrite.addFromAddress(set.address(), set.stringLength());
        }
    }

    private SplittableRandom random()
    {
        return keyspace.random();
    }

    // ------------------------------------------------------------------------------------------------
    // writes

    private void sadd(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        long e = lookupWrite(ctx, 1);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE)
        {
            e = set.create(keyspace, db, args.array(), args.address(1), args.length(1), args.array(), args.address(2),
                args.length(2));
            if (e == NULL_HANDLE)
            {
                ctx.out().raw(RespConstants.OOM);
                return;
            }
        }
        final long max = ctx.limits().setMaxIntsetEntries;
        long added = 0;
        for (int i = 2; i < args.count(); i++)
        {
            final int result = set.add(keyspace, db, max, args.array(), args.address(i), args.length(i));
            if (result == PagedDict.OUT_OF_MEMORY)
            {
                if (set.length() == 0)
                {
                    keyspace.deleteFound(db); // the set made for this command: an empty set is never kept
                }
                ctx.dirty(added);
                ctx.out().raw(RespConstants.OOM);
                return;
            }
            added += result;
        }
        ctx.dirty(added);
        ctx.out().integer(added);
    }

    private void srem(final CommandContext ctx)
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
            if (set.remove(keyspace, ctx.db(), args.array(), args.address(i), args.length(i)))
            {
                deleted++;
                if (set.length() == 0)
                {
                    keyspace.deleteFound(ctx.db());
                    break;
                }
            }
        }
        ctx.dirty(deleted);
        ctx.out().integer(deleted);
    }

    /** smoveCommand: a missing source answers 0 before either type is checked; a move onto itself is a lookup. */
    private void smove(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        final long src = keyspace.lookupWrite(db, args.array(), args.address(1), args.length(1));
        final long dst = keyspace.lookupWrite(db, args.array(), args.address(2), args.length(2));
        if (src == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.ZERO);
            return;
        }
        if (entry.wrap(src).type() != ObjectType.SET || (dst != NULL_HANDLE && entry.wrap(dst).type() != ObjectType.SET))
        {
            ctx.out().raw(RespConstants.WRONGTYPE);
            return;
        }
        if (src == dst)
        {
            set.wrap(src).snapshotRunning(keyspace.snapshotRunning());
            ctx.out().raw(set.contains(args.array(), args.address(3), args.length(3)) ? RespConstants.ONE : RespConstants.ZERO);
            return;
        }
        // the writes need each key as the found entry: look the source up again (no expiry can run in between)
        lookupWrite(ctx, 1);
        if (!set.remove(keyspace, db, args.array(), args.address(3), args.length(3)))
        {
            ctx.out().raw(RespConstants.ZERO);
            return;
        }
        if (set.length() == 0)
        {
            keyspace.deleteFound(db);
        }
        ctx.dirty(1);
        long e = lookupWrite(ctx, 2);
        if (e == NULL_HANDLE)
        {
            e = set.create(keyspace, db, args.array(), args.address(2), args.length(2), args.array(), args.address(3),
                args.length(3));
        }
        final int added = e == NULL_HANDLE ? PagedDict.OUT_OF_MEMORY :
            set.add(keyspace, db, ctx.limits().setMaxIntsetEntries, args.array(), args.address(3), args.length(3));
        if (added == PagedDict.OUT_OF_MEMORY)
        {
            if (e != NULL_HANDLE && set.length() == 0)
            {
                keyspace.deleteFound(db);
            }
            ctx.out().raw(RespConstants.OOM);
            return;
        }
        ctx.dirty(added);
        ctx.out().raw(RespConstants.ONE);
    }

    // ------------------------------------------------------------------------------------------------
    // reads

    private void scard(final CommandContext ctx)
    {
        final long e = lookupRead(ctx, 1);
        if (e >= 0)
        {
            ctx.out().integer(e == NULL_HANDLE ? 0 : set.length());
        }
    }

    private void sismember(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final long e = lookupRead(ctx, 1);
        if (e >= 0)
        {
            final boolean found = e != NULL_HANDLE && set.contains(args.array(), args.address(2), args.length(2));
            ctx.out().raw(found ? RespConstants.ONE : RespConstants.ZERO);
        }
    }

    private void smismember(final CommandContext ctx)
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
            final boolean found = e != NULL_HANDLE && set.contains(args.array(), args.address(i), args.length(i));
            out.raw(found ? RespConstants.ONE : RespConstants.ZERO);
        }
    }

    /** srandmemberCommand and srandmemberWithCountCommand (an array in RESP3 too, as Redis replies). */
    private void srandmember(final CommandContext ctx)
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
            final long e = lookupRead(ctx, 1);
            if (e < 0)
            {
                return;
            }
            if (e == NULL_HANDLE)
            {
                out.nullBulk();
                return;
            }
            set.load(set.randomMember(random()));
            replyLoaded(out);
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
        final long e = lookupRead(ctx, 1);
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
        final SplittableRandom random = random();
        if (!unique || count == 1)
        {
            // CASE 1: draws with repetition; a reply past the output limit ends the loop (CLIENT_CLOSE_ASAP)
            out.arrayHeader(count);
            for (long n = 0; n < count && !out.overflowed(); n++)
            {
                set.load(set.randomMember(random));
                replyLoaded(out);
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
                replyLoaded(out);
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
                    replyLoaded(out);
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
                replyLoaded(out);
                needed--;
            }
        }
    }

    /** spopCommand: one random member, logged as SREM of it. */
    private void spop(final CommandContext ctx)
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
        final long e = lookupWrite(ctx, 1);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE)
        {
            out.nullBulk();
            return;
        }
        final long p = set.randomMember(random());
        set.load(p);
        replyLoaded(out);
        rewrite.start().add(SREM_CMD).add(args, 1);
        rewriteLoaded();
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
        final long e = lookupWrite(ctx, 1);
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
                replyLoaded(out);
            }
            keyspace.deleteFound(db);
            ctx.propagateAs(rewrite.start().add(DEL_CMD).add(args, 1).args());
            return;
        }
        final long remaining = size - count;
        rewrite.start().add(SREM_CMD).add(args, 1);
        final SplittableRandom random = random();
        if (remaining * SPOP_MOVE_STRATEGY_MUL > count)
        {
            // CASE 2: few to pop: draw and remove each, O(count)
            out.setHeader(count);
            for (long n = 0; n < count; n++)
            {
                final long p = set.randomMember(random);
                set.load(p);
                replyLoaded(out);
                rewriteLoaded();
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
                replyLoaded(out);
                rewriteLoaded();
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
    private void sscan(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        if (!KeyCommands.parseCursor(args, 2, cursor))
        {
            out.raw(KeyCommands.INVALID_CURSOR);
            return;
        }
        final long e = lookupRead(ctx, 1);
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
            replyLoaded(out);
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
