package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.keyspace.ObjectType;
import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.types.HashFlyweight;
import io.keelkv.engine.types.Quicklist;
import io.keelkv.engine.types.SetFlyweight;
import io.keelkv.engine.types.ZsetFlyweight;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

import static io.keelkv.engine.command.RewrittenArgs.literal;
import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * SORT and SORT_RO as Redis 7.0.15's sortCommandGeneric (sort.c): options parsed first (the first bad one
 * answers), then the key (a list, set or sorted set; missing sorts as an empty list), LIMIT clamped to the
 * collection's size, weights loaded, a sort, then the reply or the STORE.
 *
 * <p>The sort vector holds no element copies: one command runs at a time on the owner thread and nothing is
 * freed or moved until the STORE installs its result (page memory allocations never move existing blocks), so
 * each element is kept as its page-memory address and length (or its integer value, for integer-encoded ones),
 * and so is each ALPHA BY weight, in a {@link SortVector} of O(N) primitive arrays reused across commands (Redis
 * allocates its vector too).
 *
 * <p>The comparisons and the sort are {@link SortVector}'s. As in Redis, SORT (and SORT_RO) converts a listpack
 * sorted set to a skiplist (zsetConvert) before reading it.
 */
final class SortCommand
{
    private static final byte[] ASC = literal("asc");
    private static final byte[] DESC = literal("desc");
    private static final byte[] ALPHA = literal("alpha");
    private static final byte[] LIMIT = literal("limit");
    private static final byte[] STORE = literal("store");
    private static final byte[] BY = literal("by");
    private static final byte[] GET = literal("get");
    private static final byte[] NOT_DOUBLE =
        RespConstants.bytes("-ERR One or more scores can't be converted into double\r\n");
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    private final Keyspace keyspace;
    private final PageMemory memory;
    private final EntryFlyweight entry;
    private final Quicklist list;
    private final Quicklist result;
    private final SetFlyweight set;
    private final ZsetFlyweight zset;
    private final HashFlyweight hash;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final byte[] digitsA = new byte[24];
    private final byte[] digitsB = new byte[24];
    private byte[] keyBytes = new byte[64];

    private int[] gets = new int[4];
    private final SortVector v = new SortVector();


    /** lookupKeyByPattern's result: kind SortVector.MISSING, SortVector.INTEGER (value in foundAddress) or a length of bytes. */
    private int foundLength;
    private long foundAddress;

    private SortCommand(final Keyspace keyspace)
    {
        this.keyspace = keyspace;
        this.memory = keyspace.memory();
        this.entry = new EntryFlyweight(memory);
        this.list = new Quicklist(memory);
        this.result = new Quicklist(memory);
        this.set = new SetFlyweight(memory);
        this.zset = new ZsetFlyweight(memory);
        this.hash = new HashFlyweight(memory);
    }

    static void bind(final Keyspace keyspace, final CommandTable table)
    {
        final SortCommand c = new SortCommand(keyspace);
        table.bind("sort", ctx -> c.sort(ctx, false));
        table.bind("sort_ro", ctx -> c.sort(ctx, true));
    }

    private void sort(final CommandContext ctx, final boolean readonly)
    {
        try
        {
            sortGeneric(ctx, readonly);
        }
        finally
        {
            v.release();
        }
    }

    /**
     * The argument index of a SORT's STORE destination, read as sortGeneric reads its options (a GET or BY
     * pattern that spells "store" is a pattern), or -1 (WATCH's touch: no key spec names it).
     */
    static int storeKeyArg(final Args args)
    {
        int storeArg = -1;
        for (int j = 2; j < args.count(); j++)
        {
            final int left = args.count() - j - 1;
            if (KeyCommands.option(args, j, LIMIT) && left >= 2)
            {
                j += 2;
            }
            else if (KeyCommands.option(args, j, STORE) && left >= 1)
            {
                storeArg = ++j;
            }
            else if ((KeyCommands.option(args, j, BY) || KeyCommands.option(args, j, GET)) && left >= 1)
            {
                j++;
            }
        }
        return storeArg;
    }

    private void sortGeneric(final CommandContext ctx, final boolean readonly)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        v.desc = false;
        v.alpha = false;
        long limitStart = 0;
        long limitCount = -1;
        boolean dontsort = false;
        int byArg = -1;
        int storeArg = -1;
        int getop = 0;
        for (int j = 2; j < args.count(); j++)
        {
            final int left = args.count() - j - 1;
            if (KeyCommands.option(args, j, ASC))
            {
                v.desc = false;
            }
            else if (KeyCommands.option(args, j, DESC))
            {
                v.desc = true;
            }
            else if (KeyCommands.option(args, j, ALPHA))
            {
                v.alpha = true;
            }
            else if (KeyCommands.option(args, j, LIMIT) && left >= 2)
            {
                if (!args.parseLong(j + 1))
                {
                    out.raw(RespConstants.NOT_INTEGER);
                    return;
                }
                limitStart = args.longValue();
                if (!args.parseLong(j + 2))
                {
                    out.raw(RespConstants.NOT_INTEGER);
                    return;
                }
                limitCount = args.longValue();
                j += 2;
            }
            else if (!readonly && KeyCommands.option(args, j, STORE) && left >= 1)
            {
                storeArg = ++j;
            }
            else if (KeyCommands.option(args, j, BY) && left >= 1)
            {
                byArg = ++j;
                // a BY pattern without '*' (before any NUL, as strchr) is constant: nothing to sort by
                dontsort = star(args, byArg) < 0;
            }
            else if (KeyCommands.option(args, j, GET) && left >= 1)
            {
                if (getop == gets.length)
                {
                    gets = Arrays.copyOf(gets, getop * 2);
                }
                gets[getop++] = ++j;
            }
            else
            {
                out.raw(RespConstants.SYNTAX_ERROR);
                return;
            }
        }

        final Database db = ctx.db();
        final long e = keyspace.lookupRead(db, args.array(), args.address(1), args.length(1));
        int type = ObjectType.LIST;
        if (e != NULL_HANDLE)
        {
            type = entry.wrap(e).type();
            if (type != ObjectType.SET && type != ObjectType.LIST && type != ObjectType.ZSET)
            {
                out.raw(RespConstants.WRONGTYPE);
                return;
            }
        }
        if (dontsort && type == ObjectType.SET && storeArg >= 0)
        {
            // a stored set is sorted so that the result (and its AOF replay) is deterministic
            dontsort = false;
            v.alpha = true;
            byArg = -1;
        }
        long length = 0;
        if (e != NULL_HANDLE)
        {
            if (type == ObjectType.LIST)
            {
                list.wrap(memory.getLong(entry.valueHandle()));
                length = list.length();
            }
            else if (type == ObjectType.SET)
            {
                set.wrap(e).snapshotRunning(keyspace.snapshotRunning());
                length = set.length();
            }
            else
            {
                zset.wrap(e).snapshotRunning(keyspace.snapshotRunning());
                if (!zset.isSkiplist() && !zset.convertToSkiplist(keyspace, db))
                {
                    out.raw(RespConstants.OOM);
                    return;
                }
                length = zset.length();
            }
        }
        if (length > Integer.MAX_VALUE - 8)
        {
            out.raw(RespConstants.OOM); // beyond a Java array's reach (Redis's vector length is an int too)
            return;
        }

        long start = Math.min(Math.max(limitStart, 0), length);
        limitCount = Math.min(Math.max(limitCount, -1), length);
        long end = limitCount < 0 ? length - 1 : start + limitCount - 1;
        if (start >= length)
        {
            start = length - 1;
            end = length - 2;
        }
        if (end >= length)
        {
            end = length - 1;
        }
        int n = (int)length;
        final boolean ranged = (type == ObjectType.ZSET || type == ObjectType.LIST) && dontsort;
        if (ranged && (start != 0 || end != length - 1))
        {
            n = (int)(end - start + 1);
        }
        v.ensure(n);
        if (e != NULL_HANDLE)
        {
            load(type, ranged, n, start, length);
        }
        if (ranged)
        {
            end -= start;
            start = 0;
        }

        boolean notDouble = false;
        if (!dontsort)
        {
            for (int j = 0; j < n; j++)
            {
                v.score(j, 0);
                v.cmpLength[j] = SortVector.MISSING;
                if (byArg >= 0)
                {
                    if (!lookupByPattern(ctx, byArg, j) || foundLength == SortVector.MISSING)
                    {
                        continue;
                    }
                }
                else
                {
                    foundAddress = v.elemAddress[j];
                    foundLength = v.elemLength[j];
                }
                if (v.alpha)
                {
                    if (byArg >= 0)
                    {
                        v.cmpAddress[j] = foundAddress;
                        v.cmpLength[j] = foundLength;
                    }
                }
                else if (foundLength == SortVector.INTEGER)
                {
                    v.score(j, foundAddress);
                }
                else
                {
                    v.score(j, SortVector.weight(foundAddress, foundLength));
                    if (Double.isNaN(v.score(j)))
                    {
                        notDouble = true;
                    }
                }
            }
        }
        v.byPattern = byArg >= 0;
        v.storing = storeArg >= 0;
        v.order(n, !dontsort, start, end);

        if (notDouble)
        {
            out.raw(NOT_DOUBLE);
            return;
        }
        final long count = end - start + 1;
        final long outputLength = getop > 0 ? getop * count : count;
        if (storeArg < 0)
        {
            out.arrayHeader(outputLength);
            for (long j = start; j <= end; j++)
            {
                final int i = v.order[(int)j];
                if (getop == 0)
                {
                    replyValue(out, v.elemAddress[i], v.elemLength[i]);
                }
                for (int g = 0; g < getop; g++)
                {
                    lookupByPattern(ctx, gets[g], i);
                    if (foundLength == SortVector.MISSING)
                    {
                        out.nullBulk();
                    }
                    else
                    {
                        replyValue(out, foundAddress, foundLength);
                    }
                }
            }
            return;
        }
        store(ctx, storeArg, start, end, getop, outputLength);
    }

    /** The STORE ending: the result as a list under the destination (setKey), or the destination deleted. */
    private void store(final CommandContext ctx, final int storeArg, final long start, final long end,
        final int getop, final long outputLength)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        if (outputLength == 0)
        {
            if (keyspace.delete(db, args.array(), args.address(storeArg), args.length(storeArg)))
            {
                ctx.dirty(1);
            }
            ctx.out().integer(0);
            return;
        }
        final long root = result.create();
        if (root == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.OOM);
            return;
        }
        final int fill = ctx.limits().listMaxListpackSize;
        boolean ok = true;
        for (long j = start; j <= end && ok; j++)
        {
            final int i = v.order[(int)j];
            if (getop == 0)
            {
                ok = push(v.elemAddress[i], v.elemLength[i], fill);
            }
            for (int g = 0; g < getop && ok; g++)
            {
                lookupByPattern(ctx, gets[g], i);
                ok = foundLength == SortVector.MISSING ? push(0, 0, fill) : push(foundAddress, foundLength, fill);
            }
        }
        if (!ok || install(db, args, storeArg, root) == NULL_HANDLE)
        {
            result.free(root);
            ctx.out().raw(RespConstants.OOM);
            return;
        }
        ctx.dirty(outputLength);
        ctx.out().integer(outputLength);
    }

    private boolean push(final long address, final int length, final int fill)
    {
        if (length == SortVector.INTEGER)
        {
            view.wrap(digitsA, 0, HashFlyweight.formatLong(address, digitsA));
        }
        else if (length == 0)
        {
            view.wrap(digitsA, 0, 0);
        }
        else
        {
            view.wrap(address, length);
        }
        return result.push(false, view, 0, view.capacity(), fill);
    }

    /** setKey of the new list: the destination (any type) overwritten and its TTL dropped, or a new key. */
    private long install(final Database db, final Args args, final int arg, final long root)
    {
        long e = keyspace.lookupWrite(db, args.array(), args.address(arg), args.length(arg));
        if (e == NULL_HANDLE)
        {
            e = keyspace.addEntry(db, args.array(), args.address(arg), args.length(arg), ObjectType.LIST,
                ObjectType.ENCODING_QUICKLIST, 8, -1);
            if (e == NULL_HANDLE)
            {
                return NULL_HANDLE;
            }
            memory.putLong(entry.wrap(e).valueHandle(), root);
            return e;
        }
        if (entry.wrap(e).hasExpire())
        {
            e = keyspace.setExpire(db, -1);
            if (e == NULL_HANDLE)
            {
                return NULL_HANDLE;
            }
        }
        // the old value is released only after the resize: a failed resize leaves it whole
        final long owned = keyspace.ownedRoot(e);
        e = keyspace.resizeValue(db, 8, 0);
        if (e == NULL_HANDLE)
        {
            return NULL_HANDLE;
        }
        keyspace.releaseOwned(owned);
        entry.wrap(e);
        entry.meta(ObjectType.LIST, ObjectType.ENCODING_QUICKLIST, entry.hasExpire(), entry.clock());
        memory.putLong(entry.valueHandle(), root);
        return e;
    }

    // ------------------------------------------------------------------------------------------------
    // the vector

    /**
     * Fill the vector's elements: a whole collection (a set in its iteration order, a list or a sorted set in
     * its own), or for {@code ranged} (BY a constant over a list or sorted set) only the n elements from
     * {@code start}, walked from the tail for DESC.
     */
    private void load(final int type, final boolean ranged, final int n, final long start, final long length)
    {
        int j = 0;
        if (type == ObjectType.LIST)
        {
            final long from = ranged ? (v.desc ? length - start - 1 : start) : 0;
            final boolean backward = ranged && v.desc;
            for (boolean ok = n > 0 && list.seek(from); ok && j < n; ok = backward ? list.prev() : list.next())
            {
                list.load();
                v.keep(j++, list.isInteger(), list.integer(), list.address(), list.stringLength());
            }
        }
        else if (type == ObjectType.SET)
        {
            for (long p = set.first(); p != SetFlyweight.NONE && j < n; p = set.next(p))
            {
                set.load(p);
                v.keep(j++, set.isInteger(), set.integer(), set.address(), set.stringLength());
            }
        }
        else
        {
            final long from = ranged ? (v.desc ? length - start - 1 : start) : 0;
            final boolean backward = ranged && v.desc;
            for (boolean ok = n > 0 && zset.seek(from); ok && j < n; ok = backward ? zset.previous() : zset.next())
            {
                zset.loadMember();
                v.keep(j++, zset.isInteger(), zset.integer(), zset.address(), zset.stringLength());
            }
        }
        if (j != n)
        {
            throw new IllegalStateException("SORT read " + j + " elements of " + n);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // patterns

    /** The index of the pattern's first '*' before any NUL (strchr), or -1. */
    private static int star(final Args args, final int arg)
    {
        final long address = args.address(arg);
        for (int i = 0; i < args.length(arg); i++)
        {
            final byte b = UnsafeApi.getByte(args.array(), address + i);
            if (b == '*')
            {
                return i;
            }
            if (b == 0)
            {
                return -1;
            }
        }
        return -1;
    }

    /**
     * lookupKeyByPattern for element i: "#" is the element; else the first '*' replaced by the element names a
     * string key, or with "->field" after the '*' a hash's field. The value goes to {@link #foundAddress} and
     * {@link #foundLength} (SortVector.MISSING when there is none, SortVector.INTEGER for an integer-encoded hash value).
     *
     * @return true (for use in conditions).
     */
    private boolean lookupByPattern(final CommandContext ctx, final int arg, final int i)
    {
        final Args args = ctx.args();
        final Object base = args.array();
        final long pattern = args.address(arg);
        final int patternLength = args.length(arg);
        foundLength = SortVector.MISSING;
        if (patternLength >= 1 && UnsafeApi.getByte(base, pattern) == '#' &&
            (patternLength == 1 || UnsafeApi.getByte(base, pattern + 1) == 0))
        {
            foundAddress = v.elemAddress[i];
            foundLength = v.elemLength[i];
            return true;
        }
        final int p = star(args, arg);
        if (p < 0)
        {
            return true;
        }
        // "->" searched after the '*' up to the first NUL (strstr), and taken only with a field after it
        int f = -1;
        for (int k = p + 1; k + 1 < patternLength; k++)
        {
            final byte b = UnsafeApi.getByte(base, pattern + k);
            if (b == 0)
            {
                break;
            }
            if (b == '-' && UnsafeApi.getByte(base, pattern + k + 1) == '>')
            {
                f = k;
                break;
            }
        }
        if (f >= 0 && (f + 2 >= patternLength || UnsafeApi.getByte(base, pattern + f + 2) == 0))
        {
            f = -1;
        }
        final int fieldLength = f >= 0 ? patternLength - f - 2 : 0;
        final int postfix = patternLength - (p + 1) - (f >= 0 ? fieldLength + 2 : 0);
        final long element = v.elemAddress[i];
        final int elementLength = v.elemLength[i] == SortVector.INTEGER ? HashFlyweight.formatLong(element, digitsB) : v.elemLength[i];
        final int keyLength = p + elementLength + postfix;
        if (keyBytes.length < keyLength)
        {
            keyBytes = new byte[Math.max(keyLength, keyBytes.length * 2)];
        }
        UnsafeApi.copyMemory(base, pattern, keyBytes, BYTE_BASE, p);
        if (v.elemLength[i] == SortVector.INTEGER)
        {
            System.arraycopy(digitsB, 0, keyBytes, p, elementLength);
        }
        else
        {
            UnsafeApi.copyMemory(null, element, keyBytes, BYTE_BASE + p, elementLength);
        }
        UnsafeApi.copyMemory(base, pattern + p + 1, keyBytes, BYTE_BASE + p + elementLength, postfix);

        final long e = keyspace.lookupRead(ctx.db(), keyBytes, BYTE_BASE, keyLength);
        if (e == NULL_HANDLE)
        {
            return true;
        }
        final int type = entry.wrap(e).type();
        if (f >= 0)
        {
            if (type != ObjectType.HASH)
            {
                return true;
            }
            hash.wrap(e);
            hash.snapshotRunning(keyspace.snapshotRunning());
            final long field = hash.find(args.buffer(), args.offset(arg) + f + 2, fieldLength);
            if (field == HashFlyweight.NONE)
            {
                return true;
            }
            hash.loadValue(field);
            foundAddress = hash.isInteger() ? hash.integer() : hash.address();
            foundLength = hash.isInteger() ? SortVector.INTEGER : hash.stringLength();
            return true;
        }
        if (type == ObjectType.STRING)
        {
            foundAddress = entry.valueAddress();
            foundLength = entry.valueLength();
        }
        return true;
    }

    private static void replyValue(final RespWriter out, final long address, final int length)
    {
        if (length == SortVector.INTEGER)
        {
            out.bulkLong(address);
        }
        else
        {
            out.bulkFromAddress(address, length);
        }
    }
}
