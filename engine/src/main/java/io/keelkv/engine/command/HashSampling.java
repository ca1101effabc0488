package io.keelkv.engine.command;

import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.types.HashFlyweight;
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

    private static final byte[] OUT_OF_RANGE = RespConstants.bytes("-ERR value is out of range\r\n");
    private static final byte[] COUNT_RANGE = RespConstants.bytes("-ERR value is out of range, value must between " +
        "-9223372036854775807 and 9223372036854775807\r\n");
    private static final byte[] WITHVALUES = literal("withvalues");

    private final HashCommands owner;
    private final CollectionScan scan = new CollectionScan();
    private final HashFlyweight hash;

    private final LongHashSet drawn = new LongHashSet();

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
        if (!out.arrayHeaderIfFits(withValues && !pairs ? replied * 2 : replied))
        {
            return; // a count up to 2^63 - 1 is valid, but its reply can never fit: the client is disconnected
        }
        if (!unique || count == 1)
        {
            final SplittableRandom random = random(ctx);
            // once the reply passes the client's output cap the writer drops everything and the client is
            // disconnected, so the draws stop there
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
        if (!scan.parseCursor(ctx))
        {
            return;
        }
        final long e = owner.lookupRead(ctx);
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
        final int matched = scan.collect(ctx, hash);
        if (matched < 0)
        {
            return;
        }
        out.arrayHeader(matched * 2L);
        for (int i = 0; i < matched; i++)
        {
            hash.loadField(scan.position(i));
            owner.replyLoaded(out);
            hash.loadValue(scan.position(i));
            owner.replyLoaded(out);
        }
    }

}
