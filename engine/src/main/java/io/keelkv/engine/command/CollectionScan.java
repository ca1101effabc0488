package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.GlobMatcher;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.types.HashFlyweight;
import io.keelkv.engine.types.PagedDict;
import io.keelkv.engine.types.ScannableCollection;
import org.agrona.UnsafeApi;

import static io.keelkv.engine.command.RewrittenArgs.literal;

/**
 * HSCAN and SSCAN's shared part (Redis 7.0's scanGenericCommand over a key): the cursor, then, once the caller
 * found the key, the COUNT and MATCH options, the collection of positions and the MATCH filter, and the reply's
 * cursor. A compact encoding answers every element at once with cursor 0, as Redis 7.0 does; a hashtable is
 * scanned with the dict's reverse-binary cursor, COUNT buckets' worth at a time (at most ten times COUNT scan
 * steps). The caller then writes the elements at {@link #position}. One instance per command family, reused.
 */
final class CollectionScan
{
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);
    static final byte[] EMPTY_SCAN = RespConstants.bytes("*2\r\n$1\r\n0\r\n*0\r\n");
    private static final byte[] SCAN_DONE = RespConstants.bytes("$1\r\n0\r\n");
    private static final byte[] COUNT = literal("count");
    private static final byte[] MATCH = literal("match");

    private final long[] cursor = new long[1];
    private final byte[] digits = new byte[24];
    private final PagedDict.ElementVisitor collect = this::keep;
    private long[] picked = new long[16];
    private int kept;

    /** parseScanCursorOrReply: false after writing the error. */
    boolean parseCursor(final CommandContext ctx)
    {
        if (!KeyScanCommands.parseCursor(ctx.args(), 2, cursor))
        {
            ctx.out().raw(KeyScanCommands.INVALID_CURSOR);
            return false;
        }
        return true;
    }

    /**
     * Parse the options, collect and filter the positions, and write the reply's "*2" and cursor.
     *
     * @return how many positions matched ({@link #position}), or -1 after writing an error.
     */
    int collect(final CommandContext ctx, final ScannableCollection collection)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
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
                    return -1;
                }
                count = args.longValue();
                if (count < 1)
                {
                    out.raw(RespConstants.SYNTAX_ERROR);
                    return -1;
                }
            }
            else if (hasValue && KeyCommands.option(args, i, MATCH))
            {
                matchArg = i + 1;
            }
            else
            {
                out.raw(RespConstants.SYNTAX_ERROR);
                return -1;
            }
        }
        final boolean useMatch = matchArg >= 0 && !(args.length(matchArg) == 1 && args.byteAt(matchArg, 0) == '*');
        kept = 0;
        long next = 0;
        if (collection.isHashtable())
        {
            next = cursor[0];
            // C's "maxiterations--" test stops at zero only, so a COUNT whose tenfold wrapped still iterates
            long maxIterations = count * 10;
            do
            {
                next = collection.scan(next, collect);
            }
            while (next != 0 && maxIterations-- != 0 && kept < count);
        }
        else
        {
            for (long p = collection.first(); p != ScannableCollection.NONE; p = collection.next(p))
            {
                keep(p);
            }
        }
        int matched = 0;
        for (int i = 0; i < kept; i++)
        {
            if (!useMatch || matches(args, matchArg, collection, picked[i]))
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
        return matched;
    }

    long position(final int index)
    {
        return picked[index];
    }

    private boolean matches(final Args args, final int matchArg, final ScannableCollection collection, final long position)
    {
        collection.loadKey(position);
        if (collection.isInteger())
        {
            final int length = HashFlyweight.formatLong(collection.integer(), digits);
            return GlobMatcher.matches(args.array(), args.address(matchArg), args.length(matchArg), digits, BYTE_BASE,
                length, false);
        }
        return GlobMatcher.matches(args.array(), args.address(matchArg), args.length(matchArg), null,
            collection.address(), collection.stringLength(), false);
    }

    private void keep(final long position)
    {
        if (kept == picked.length)
        {
            picked = java.util.Arrays.copyOf(picked, kept * 2);
        }
        picked[kept++] = position;
    }
}
