package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.GlobMatcher;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;
import org.agrona.collections.LongArrayList;

import static io.keelkv.engine.command.KeyCommands.NONE;
import static io.keelkv.engine.command.KeyCommands.TYPES;
import static io.keelkv.engine.command.KeyCommands.TYPE_NAMES;
import static io.keelkv.engine.command.KeyCommands.cStringLength;
import static io.keelkv.engine.command.KeyCommands.equalsIgnoreCase;
import static io.keelkv.engine.command.KeyCommands.option;
import static io.keelkv.engine.command.RewrittenArgs.literal;

/**
 * Walking the keyspace, as Redis 7.0's db.c: KEYS, SCAN (MATCH, COUNT, TYPE) and RANDOMKEY, and the cursor
 * parsing the collection SCANs share ({@link #parseCursor}).
 *
 * <p>Design notes: nothing is allocated per call (reused lists of entry handles, a visitor that reads its
 * pattern from fields); keys met past their deadline by RANDOMKEY and SCAN are expired through a keyspace
 * lookup, so that the keyspace listener logs the DEL and counts expired_keys, while KEYS only skips them, as
 * Redis does; a SCAN's deletions wait until its reply is written, since the reply still reads those keys.
 */
final class KeyScanCommands
{
    static final byte[] INVALID_CURSOR = RespConstants.bytes("-ERR invalid cursor\r\n");
    private static final byte[] MATCH = literal("match");
    private static final byte[] COUNT = literal("count");
    private static final byte[] TYPE = literal("type");
    private static final int TYPE_ANY = -1;
    private static final int TYPE_NONE = -2;
    private static final int TYPE_UNKNOWN = -3;

    private final Keyspace keyspace;
    private final EntryFlyweight entry;

    // reused lists and a visitor that reads its pattern from fields, never allocated per call
    private final LongArrayList collected = new LongArrayList();
    private final LongArrayList toExpire = new LongArrayList();
    private final Database.EntryVisitor collect = collected::addLong;
    private final Database.EntryVisitor collectMatching = this::collectIfMatching;
    private final EntryFlyweight visited;
    private Object patternBase;
    private long patternAddress;
    private int patternLength;
    private boolean matchAll;
    private final long[] parsedCursor = new long[1];

    private KeyScanCommands(final Keyspace keyspace)
    {
        this.keyspace = keyspace;
        this.entry = new EntryFlyweight(keyspace.memory());
        this.visited = new EntryFlyweight(keyspace.memory());
    }

    static void bind(final Keyspace keyspace, final CommandTable table)
    {
        final KeyScanCommands c = new KeyScanCommands(keyspace);
        table.bind("keys", c::keys);
        table.bind("scan", c::scan);
        table.bind("randomkey", c::randomkey);
    }


    private void collectIfMatching(final long e)
    {
        visited.wrap(e);
        if (matchAll || GlobMatcher.matches(patternBase, patternAddress, patternLength, null, visited.keyAddress(),
            visited.keyLength(), false))
        {
            collected.addLong(e);
        }
    }

    /** keysCommand: keys past their deadline are skipped but, unlike SCAN, not deleted. */
    private void keys(final CommandContext ctx)
    {
        final Args args = ctx.args();
        patternBase = args.array();
        patternAddress = args.address(1);
        patternLength = args.length(1);
        matchAll = patternLength == 1 && args.byteAt(1, 0) == '*';
        collected.clear();
        ctx.db().forEach(collectMatching);
        patternBase = null;
        int live = 0;
        for (int i = 0; i < collected.size(); i++)
        {
            final long e = collected.getLong(i);
            if (!keyspace.isExpired(e))
            {
                collected.setLong(live++, e);
            }
        }
        final RespWriter out = ctx.out();
        out.arrayHeader(live);
        for (int i = 0; i < live; i++)
        {
            entry.wrap(collected.getLong(i));
            out.bulkFromAddress(entry.keyAddress(), entry.keyLength());
        }
        collected.clear();
    }

    /**
     * scanGenericCommand for the keyspace: walk buckets until COUNT keys or 10*COUNT steps, then filter by
     * MATCH, by TYPE, and drop (and expire) keys past their deadline, in Redis 7.0's order.
     *
     * <p>One Redis 7.0 quirk is kept on purpose: its TYPE filter looks the key up first, which expires a
     * stale key and reports its type as "none", and the expiry filter after it then has nothing left to
     * expire; so {@code TYPE none} returns keys that just expired. Deletions wait until the reply is
     * written (it still needs those keys' bytes); the outcome is the same as Redis's.
     */
    private void scan(final CommandContext ctx)
    {
        final Args args = ctx.args();
        if (!parseCursor(args, 1, parsedCursor))
        {
            ctx.out().raw(INVALID_CURSOR);
            return;
        }
        long cursor = parsedCursor[0];
        long count = 10;
        int matchArg = -1;
        int wantedType = TYPE_ANY;
        for (int i = 2; i < args.count(); i += 2)
        {
            final boolean hasValue = i + 1 < args.count();
            if (hasValue && option(args, i, COUNT))
            {
                if (!args.parseLong(i + 1))
                {
                    ctx.out().raw(RespConstants.NOT_INTEGER);
                    return;
                }
                count = args.longValue();
                if (count < 1)
                {
                    ctx.out().raw(RespConstants.SYNTAX_ERROR);
                    return;
                }
            }
            else if (hasValue && option(args, i, MATCH))
            {
                matchArg = i + 1;
            }
            else if (hasValue && option(args, i, TYPE))
            {
                wantedType = scanType(args, i + 1);
            }
            else
            {
                ctx.out().raw(RespConstants.SYNTAX_ERROR);
                return;
            }
        }
        final boolean useMatch = matchArg >= 0 && !(args.length(matchArg) == 1 && args.byteAt(matchArg, 0) == '*');

        final Database db = ctx.db();
        collected.clear();
        toExpire.clear();
        // C's "maxiterations--" test stops at zero only, so a COUNT whose tenfold wrapped still iterates
        long maxIterations = count * 10;
        do
        {
            cursor = db.scan(cursor, collect);
        }
        while (cursor != 0 && maxIterations-- != 0 && collected.size() < count);

        int kept = 0;
        for (int i = 0; i < collected.size(); i++)
        {
            final long e = collected.getLong(i);
            entry.wrap(e);
            if (useMatch && !GlobMatcher.matches(args.array(), args.address(matchArg), args.length(matchArg), null,
                entry.keyAddress(), entry.keyLength(), false))
            {
                continue;
            }
            final boolean expired = keyspace.isExpired(e);
            if (expired)
            {
                // by Redis's TYPE lookup or by its expireIfNeeded filter, this key goes in this command
                toExpire.addLong(e);
            }
            if (wantedType != TYPE_ANY)
            {
                if ((expired ? TYPE_NONE : entry.type()) != wantedType)
                {
                    continue;
                }
                // an expired key kept here asked for TYPE none: Redis's expiry check finds it gone, keeps it
            }
            else if (expired)
            {
                continue;
            }
            collected.setLong(kept++, e);
        }

        final RespWriter out = ctx.out();
        out.arrayHeader(2);
        out.bulkLong(cursor);
        out.arrayHeader(kept);
        for (int i = 0; i < kept; i++)
        {
            entry.wrap(collected.getLong(i));
            out.bulkFromAddress(entry.keyAddress(), entry.keyLength());
        }
        for (int i = 0; i < toExpire.size(); i++)
        {
            // the lookup of a key past its deadline expires it: listener (AOF DEL) and expired_keys included
            entry.wrap(toExpire.getLong(i));
            keyspace.lookupNoTouch(db, null, entry.keyAddress(), entry.keyLength());
        }
        collected.clear();
        toExpire.clear();
    }

    /** SCAN's TYPE argument, compared as Redis's strcasecmp with the type name (a C string). */
    private static int scanType(final Args args, final int i)
    {
        final int length = cStringLength(args, i);
        if (equalsIgnoreCase(args, i, length, NONE))
        {
            return TYPE_NONE;
        }
        for (int t = 0; t < TYPES.length; t++)
        {
            if (equalsIgnoreCase(args, i, length, TYPE_NAMES[t]))
            {
                return TYPES[t];
            }
        }
        // no error for an unknown type in Redis 7.0: it just matches nothing
        return TYPE_UNKNOWN;
    }

    /**
     * parseScanCursorOrReply: strtoul(s, &end, 10) over the whole C string, no leading space, no ERANGE. So
     * "" is 0, "+5" is 5, "-1" wraps to 2^64-1, and anything at or past 2^64 is invalid. The value is left
     * in {@code parsedCursor[0]}. No allocation.
     */
    static boolean parseCursor(final Args args, final int i, final long[] parsedCursor)
    {
        final int length = cStringLength(args, i);
        parsedCursor[0] = 0;
        if (length == 0)
        {
            return true;
        }
        final byte first = args.byteAt(i, 0);
        if (first == ' ' || (first >= '\t' && first <= '\r'))
        {
            return false;
        }
        int j = 0;
        boolean negative = false;
        if (first == '+' || first == '-')
        {
            negative = first == '-';
            j++;
        }
        if (j == length)
        {
            return false;
        }
        final long limit = Long.divideUnsigned(-1L, 10);
        final long lastDigit = Long.remainderUnsigned(-1L, 10);
        long value = 0;
        for (; j < length; j++)
        {
            final int digit = args.byteAt(i, j) - '0';
            if (digit < 0 || digit > 9)
            {
                return false;
            }
            if (Long.compareUnsigned(value, limit) > 0 || (value == limit && digit > lastDigit))
            {
                return false;
            }
            value = value * 10 + digit;
        }
        parsedCursor[0] = negative ? -value : value;
        return true;
    }

    /**
     * dbRandomKey on a primary: a key met past its deadline is expired and another is drawn, so the loop
     * ends with a live key or an empty database.
     */
    private void randomkey(final CommandContext ctx)
    {
        final Database db = ctx.db();
        while (db.size() > 0)
        {
            final long e = db.randomEntry(keyspace.random());
            entry.wrap(e);
            if (keyspace.isExpired(e))
            {
                keyspace.lookupNoTouch(db, null, entry.keyAddress(), entry.keyLength());
                continue;
            }
            ctx.out().bulkFromAddress(entry.keyAddress(), entry.keyLength());
            return;
        }
        ctx.out().nullBulk();
    }
}
