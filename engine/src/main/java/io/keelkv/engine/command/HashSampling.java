package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.GlobMatcher;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.types.HashFlyweight;
import io.keelkv.engine.types.PagedDict;
import org.agrona.UnsafeApi;
import org.agrona.collections.LongHashSet;

import java.util.SplittableRandom;

import static io.keelkv.engine.command.RewrittenArgs.literal;
import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * The hash commands that draw or page through a hash's fields: HRANDFIELD and HSCAN (Redis 7.0's
 * hrandfieldCommand and hscanCommand), over both encodings, beside {@link HashCommands}, whose lookups and
 * flyweight they share (one owner thread, one command at a time).
 *
 * <p>Bounded work: a draw from a hashtable takes the dict's fair random pick, distinct draws of a few fields
 * from a big hash stop after about as many picks (Redis's CASE 4), and HSCAN of a hashtable visits COUNT
 * buckets' worth per call. Only a draw of a third of the hash or more walks it whole, as Redis's CASE 3 does.
 */
final class HashSampling
{
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    private static final byte[] OUT_OF_RANGE = RespConstants.bytes("-ERR value is out of range\r\n");
    private static final byte[] COUNT_RANGE = RespConstants.bytes("-ERR value is out of range, value must between " +
        "-9223372036854775807 and 9223372036854775807\r\n");
    private static final byte[] EMPTY_SCAN = RespConstants.bytes("*2\r\n$1\r\n0\r\n*0\r\n");
    private static final byte[] SCAN_DONE = RespConstants.bytes("$1\r\n0\r\n");
    private static final byte[] WITHVALUES = literal("withvalues");
    private static final byte[] COUNT = literal("count");
    private static final byte[] MATCH = literal("match");

    private final HashCommands owner;
    private final HashFlyweight hash;
    private final byte[] digits = new byte[24];
    private final long[] cursor = new long[1];
    private final LongHashSet drawn = new LongHashSet();
    private final PagedDict.ElementVisitor collect = this::keep;
    private long[] picked = new long[16];
    private int kept;

    HashSampling(final HashCommands owner)
    {
        this.owner = owner;
        this.hash = owner.hash;
    }

    /** hrandfieldCommand and hrandfieldWithCountCommand. */
    void hrandfield(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        if (args.count() < 3)
        {
            final long e = owner.lookupRead(ctx);
            if (e < 0)
            {
                return;
            }
            if (e == NULL_HANDLE)
            {
                out.nullBulk();
                return;
            }
            hash.loadField(randomField(random(ctx)));
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
        boolean withValues = false;
        if (args.count() > 4 || (args.count() == 4 && !KeyCommands.option(args, 3, WITHVALUES)))
        {
            out.raw(RespConstants.SYNTAX_ERROR);
            return;
        }
        if (args.count() == 4)
        {
            withValues = true;
            if (l < -Long.MAX_VALUE / 2 || l > Long.MAX_VALUE / 2)
            {
                out.raw(OUT_OF_RANGE);
                return;
            }
        }
        final long e = owner.lookupRead(ctx);
        if (e < 0)
        {
            return;
        }
        final long size = e == NULL_HANDLE ? 0 : hash.length();
        final boolean unique = l >= 0;
        final long count = Math.abs(l);
        if (count == 0 || size == 0)
        {
            out.raw(RespConstants.EMPTY_ARRAY);
            return;
        }
        final boolean pairs = withValues && out.protocol() > 2;
        final long replied = unique ? Math.min(count, size) : count;
        out.arrayHeader(withValues && !pairs ? replied * 2 : replied);
        if (!unique || count == 1)
        {
            final SplittableRandom random = random(ctx);
            // a count up to 2^63 - 1 is valid: once the reply passes the client's output cap the writer drops
            // everything and the client is disconnected, so the draws stop there rather than run for ever
            for (long n = 0; n < count && !out.overflowed(); n++)
            {
                replyField(out, randomField(random), withValues, pairs);
            }
            return;
        }
        if (count >= size)
        {
            for (long field = hash.first(); field != HashFlyweight.NONE; field = hash.next(field))
            {
                replyField(out, field, withValues, pairs);
            }
            return;
        }
        final SplittableRandom random = random(ctx);
        if (hash.isHashtable() && count * 3 <= size)
        {
            // Redis's CASE 4: draw until count distinct fields, O(count); the order is the draws'
            drawn.clear();
            while (drawn.size() < count)
            {
                final long field = hash.randomField(random);
                if (drawn.add(field))
                {
                    replyField(out, field, withValues, pairs);
                }
            }
            return;
        }
        // lpRandomPairsUnique, and in place of Redis's CASE 3 for a hashtable (a copy of the dict with random
        // fields removed until count remain): distinct fields in one pass, each kept with the probability of
        // selection sampling, so the reply is a uniform draw in the hash's own order. O(size), as CASE 3 is.
        long needed = count;
        long left = size;
        for (long field = hash.first(); field != HashFlyweight.NONE && needed > 0; field = hash.next(field), left--)
        {
            if (random.nextLong(left) < needed)
            {
                replyField(out, field, withValues, pairs);
                needed--;
            }
        }
    }

    private void replyField(final RespWriter out, final long field, final boolean withValues, final boolean pairs)
    {
        if (pairs)
        {
            out.arrayHeader(2);
        }
        hash.loadField(field);
        owner.replyLoaded(out);
        if (withValues)
        {
            hash.loadValue(field);
            owner.replyLoaded(out);
        }
    }

    /** A field drawn at random: uniform in a listpack, Redis's fair pick in a hashtable. */
    private long randomField(final SplittableRandom random)
    {
        return hash.isHashtable() ? hash.randomField(random) : hash.fieldAt(random.nextLong(hash.length()));
    }

    private SplittableRandom random(final CommandContext ctx)
    {
        return ctx.keyspace().random();
    }

    /**
     * hscanCommand: a listpack answers every pair at once with cursor 0, as Redis 7.0 does; a hashtable is
     * scanned with Redis's reverse-binary cursor, COUNT buckets' worth at a time (at most ten times COUNT
     * scan steps), then MATCH filters what was collected.
     */
    void hscan(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        if (!KeyCommands.parseCursor(args, 2, cursor))
        {
            out.raw(KeyCommands.INVALID_CURSOR);
            return;
        }
        final long e = owner.lookupRead(ctx);
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
        if (hash.isHashtable())
        {
            next = cursor[0];
            // C's "maxiterations--" test stops at zero only, so a COUNT whose tenfold wrapped still iterates
            long maxIterations = count * 10;
            do
            {
                next = hash.scan(next, collect);
            }
            while (next != 0 && maxIterations-- != 0 && kept < count);
        }
        else
        {
            for (long field = hash.first(); field != HashFlyweight.NONE; field = hash.next(field))
            {
                keep(field);
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
        out.arrayHeader(matched * 2L);
        for (int i = 0; i < matched; i++)
        {
            hash.loadField(picked[i]);
            owner.replyLoaded(out);
            hash.loadValue(picked[i]);
            owner.replyLoaded(out);
        }
    }

    private boolean matchesLoaded(final Args args, final int matchArg, final long field)
    {
        hash.loadField(field);
        if (hash.isInteger())
        {
            final int length = HashFlyweight.formatLong(hash.integer(), digits);
            return GlobMatcher.matches(args.array(), args.address(matchArg), args.length(matchArg), digits, BYTE_BASE,
                length, false);
        }
        return GlobMatcher.matches(args.array(), args.address(matchArg), args.length(matchArg), null, hash.address(),
            hash.stringLength(), false);
    }

    private void keep(final long field)
    {
        if (kept == picked.length)
        {
            picked = java.util.Arrays.copyOf(picked, kept * 2);
        }
        picked[kept++] = field;
    }
}
