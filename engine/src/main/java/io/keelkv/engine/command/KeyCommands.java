package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.GlobMatcher;
import io.keelkv.engine.keyspace.Hashing;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.types.HashFlyweight;
import io.keelkv.engine.types.Quicklist;
import io.keelkv.engine.types.SetFlyweight;
import io.keelkv.engine.types.ZsetFlyweight;
import io.keelkv.engine.types.ZsetSkiplist;
import io.keelkv.engine.keyspace.ObjectType;
import org.agrona.collections.LongArrayList;

import static io.keelkv.engine.command.RewrittenArgs.literal;
import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * Generic key commands, as Redis 7.0's db.c and expire.c: existence and deletion, renaming, copying and
 * moving across databases, KEYS and SCAN, RANDOMKEY, TTLs.
 *
 * <p>Design notes:
 * <ul>
 *   <li>DEL, EXISTS, EXPIRE and TTL are on the hot path and allocate nothing: pre-encoded errors, one
 *   reused {@link EntryFlyweight}, a reused {@link RewrittenArgs} for the AOF form.</li>
 *   <li>Time-dependent commands are logged as Redis 7.0 propagates them: EXPIRE, PEXPIRE and EXPIREAT as
 *   {@code PEXPIREAT key <absolute ms> [flags]}, and a deadline already past deletes the key and is
 *   logged as {@code DEL key} (expireGenericCommand's rewriteClientCommandVector; KeelKV has no
 *   lazyfree-lazy-expire, so never UNLINK).</li>
 *   <li>Every change counts in the engine's dirty counter exactly where Redis does {@code server.dirty++};
 *   the dispatcher propagates a command only when that counter moved.</li>
 *   <li>Keys met past their deadline by RANDOMKEY and SCAN are expired through a keyspace lookup, so that
 *   the keyspace listener logs the DEL and counts expired_keys; KEYS only skips them, as Redis.</li>
 *   <li>RENAME and MOVE keep the entry's access clock (Redis moves the very object); COPY starts a fresh
 *   one (Redis duplicates). All three carry the encoding and the TTL. Today every value is bytes inside
 *   the entry, so a byte copy is a full copy; collection types will need their own duplicate for COPY.</li>
 *   <li>Option names are compared as Redis's strcasecmp compares them, on the C string: "nx\0junk" is NX.</li>
 * </ul>
 */
final class KeyCommands
{
    private static final byte[] NX = literal("nx");
    private static final byte[] XX = literal("xx");
    private static final byte[] GT = literal("gt");
    private static final byte[] LT = literal("lt");
    private static final byte[] DB = literal("db");
    private static final byte[] REPLACE = literal("replace");
    private static final byte[] MATCH = literal("match");
    private static final byte[] COUNT = literal("count");
    private static final byte[] TYPE = literal("type");
    private static final byte[] DEL_COMMAND = literal("DEL");
    private static final byte[] PEXPIREAT_COMMAND = literal("PEXPIREAT");
    private static final byte[] NONE = literal("none");

    static final byte[] SAME_OBJECT = RespConstants.bytes("-ERR source and destination objects are the same\r\n");
    static final byte[] INVALID_CURSOR = RespConstants.bytes("-ERR invalid cursor\r\n");
    /** getIntFromObjectOrReply's range error (Redis 7.0's wording, grammar included). */
    static final byte[] NOT_AN_INT = RespConstants.bytes(
        "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n");
    private static final byte[] INCOMPATIBLE_NX = RespConstants.bytes(
        "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n");
    private static final byte[] INCOMPATIBLE_GT_LT = RespConstants.bytes(
        "-ERR GT and LT options at the same time are not compatible\r\n");

    private static final int EXPIRE_NX = 1;
    private static final int EXPIRE_XX = 2;
    private static final int EXPIRE_GT = 4;
    private static final int EXPIRE_LT = 8;

    /** SCAN TYPE filter values besides the ObjectType codes. */
    private static final int TYPE_ANY = -1;
    private static final int TYPE_NONE = -2;
    private static final int TYPE_UNKNOWN = -3;
    private static final int[] TYPES = {
        ObjectType.STRING, ObjectType.LIST, ObjectType.SET, ObjectType.ZSET, ObjectType.HASH, ObjectType.STREAM};
    private static final byte[][] TYPE_NAMES = new byte[TYPES.length][];

    static
    {
        for (int i = 0; i < TYPES.length; i++)
        {
            TYPE_NAMES[i] = literal(ObjectType.typeName(TYPES[i]));
        }
    }

    private final Keyspace keyspace;
    private final PageMemory memory;
    private final EntryFlyweight entry;
    private final HashFlyweight hashes;
    private final SetFlyweight sets;
    private final ZsetFlyweight zsets;
    private final Quicklist lists;
    private final EntryFlyweight source;
    private final RewrittenArgs rewrite = new RewrittenArgs();

    // SCAN and KEYS: reused lists and a visitor that reads its pattern from fields, never allocated per call
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

    private KeyCommands(final Keyspace keyspace)
    {
        this.keyspace = keyspace;
        this.memory = keyspace.memory();
        this.entry = new EntryFlyweight(memory);
        this.hashes = new HashFlyweight(memory);
        this.sets = new SetFlyweight(memory);
        this.zsets = new ZsetFlyweight(memory);
        this.lists = new Quicklist(memory);
        this.source = new EntryFlyweight(memory);
        this.visited = new EntryFlyweight(memory);
    }

    static void bind(final Keyspace keyspace, final CommandTable table)
    {
        final KeyCommands c = new KeyCommands(keyspace);
        table.bind("del", c::del);
        table.bind("unlink", c::del);
        table.bind("exists", c::exists);
        table.bind("type", c::type);
        table.bind("rename", ctx -> c.rename(ctx, false));
        table.bind("renamenx", ctx -> c.rename(ctx, true));
        table.bind("copy", c::copy);
        table.bind("move", c::move);
        table.bind("keys", c::keys);
        table.bind("scan", c::scan);
        table.bind("randomkey", c::randomkey);
        table.bind("expire", ctx -> c.expire(ctx, true, false));
        table.bind("pexpire", ctx -> c.expire(ctx, false, false));
        table.bind("expireat", ctx -> c.expire(ctx, true, true));
        table.bind("pexpireat", ctx -> c.expire(ctx, false, true));
        table.bind("ttl", ctx -> c.ttl(ctx, false, false));
        table.bind("pttl", ctx -> c.ttl(ctx, true, false));
        table.bind("expiretime", ctx -> c.ttl(ctx, false, true));
        table.bind("pexpiretime", ctx -> c.ttl(ctx, true, true));
        table.bind("persist", c::persist);
        table.bind("touch", c::touch);
    }

    // ------------------------------------------------------------------------------------------------
    // argument helpers, shared with ServerCommands

    /**
     * Redis's getIntFromObjectOrReply: argument {@code i} as a 32-bit int, left in {@code args.longValue()}.
     * On failure the error is written: {@code message} (a full pre-encoded line) for both cases when given,
     * else Redis's two default texts. @return false after an error reply.
     */
    static boolean intArg(final CommandContext ctx, final int i, final byte[] message)
    {
        final Args args = ctx.args();
        if (!args.parseLong(i))
        {
            ctx.out().raw(message != null ? message : RespConstants.NOT_INTEGER);
            return false;
        }
        if (args.longValue() < Integer.MIN_VALUE || args.longValue() > Integer.MAX_VALUE)
        {
            ctx.out().raw(message != null ? message : NOT_AN_INT);
            return false;
        }
        return true;
    }

    /** Argument {@code i} equals a lower-case literal as strcasecmp sees it: case-insensitive, up to a NUL. */
    static boolean option(final Args args, final int i, final byte[] lowerCaseLiteral)
    {
        return equalsIgnoreCase(args, i, cStringLength(args, i), lowerCaseLiteral);
    }

    static boolean equalsIgnoreCase(final Args args, final int i, final int length, final byte[] lower)
    {
        if (length != lower.length)
        {
            return false;
        }
        for (int j = 0; j < length; j++)
        {
            int b = args.byteAt(i, j);
            if (b >= 'A' && b <= 'Z')
            {
                b += 'a' - 'A';
            }
            if (b != lower[j])
            {
                return false;
            }
        }
        return true;
    }

    /** Length up to the first NUL: where Redis hands an argument to a C string function. */
    static int cStringLength(final Args args, final int i)
    {
        final int length = args.length(i);
        for (int j = 0; j < length; j++)
        {
            if (args.byteAt(i, j) == 0)
            {
                return j;
            }
        }
        return length;
    }

    static boolean sameBytes(final Args args, final int a, final int b)
    {
        return args.length(a) == args.length(b) &&
            Hashing.equals(args.array(), args.address(a), args.array(), args.address(b), args.length(a));
    }

    // ------------------------------------------------------------------------------------------------
    // DEL UNLINK EXISTS TOUCH TYPE

    private void del(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        long deleted = 0;
        for (int i = 1; i < args.count(); i++)
        {
            // a key already past its deadline is expired by the lookup (the listener logs it), not counted
            if (keyspace.delete(db, args.array(), args.address(i), args.length(i)))
            {
                deleted++;
                ctx.keyChanged(i);
            }
        }
        ctx.dirty(deleted);
        ctx.out().integer(deleted);
    }

    private void exists(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        long count = 0;
        for (int i = 1; i < args.count(); i++)
        {
            // LOOKUP_NOTOUCH in Redis: an existence check leaves the access clock alone
            if (keyspace.lookupNoTouch(db, args.array(), args.address(i), args.length(i)) != NULL_HANDLE)
            {
                count++;
            }
        }
        ctx.out().integer(count);
    }

    private void touch(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        long count = 0;
        for (int i = 1; i < args.count(); i++)
        {
            if (keyspace.lookupRead(db, args.array(), args.address(i), args.length(i)) != NULL_HANDLE)
            {
                count++;
            }
        }
        ctx.out().integer(count);
    }

    private void type(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final long e = keyspace.lookupNoTouch(ctx.db(), args.array(), args.address(1), args.length(1));
        ctx.out().simpleString(e == NULL_HANDLE ? NONE : typeName(entry.wrap(e).type()));
    }

    private static byte[] typeName(final int type)
    {
        for (int i = 0; i < TYPES.length; i++)
        {
            if (TYPES[i] == type)
            {
                return TYPE_NAMES[i];
            }
        }
        return NONE;
    }

    // ------------------------------------------------------------------------------------------------
    // RENAME RENAMENX COPY MOVE

    /**
     * Create {@code key} in {@code target}, which the caller has just looked up there and missed, as a copy
     * of entry {@code from}: type, encoding, value, TTL, and the access clock when {@code keepClock}.
     * Allocating never moves existing entries, so {@code from} stays valid. @return false on OOM.
     */
    private boolean copyEntry(
        final Database target, final long from, final Object keyBase, final long keyAddress, final int keyLength,
        final boolean keepClock)
    {
        source.wrap(from);
        final long e = keyspace.addEntry(target, keyBase, keyAddress, keyLength, source.type(), source.encoding(),
            source.valueLength(), source.expireAt());
        if (e == NULL_HANDLE)
        {
            return false;
        }
        entry.wrap(e);
        if (keepClock)
        {
            entry.clock(source.clock());
        }
        memory.copy(entry.valueHandle(), source.valueHandle(), source.valueLength());
        return true;
    }

    /** renameGenericCommand: the same key is a no-op that still wants the key to exist; the TTL moves along. */
    private void rename(final CommandContext ctx, final boolean nx)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        final boolean sameKey = sameBytes(args, 1, 2);
        final long src = keyspace.lookupWrite(db, args.array(), args.address(1), args.length(1));
        if (src == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.NO_SUCH_KEY);
            return;
        }
        if (sameKey)
        {
            replyRenamed(ctx, nx, false);
            return;
        }
        if (keyspace.lookupWrite(db, args.array(), args.address(2), args.length(2)) != NULL_HANDLE)
        {
            if (nx)
            {
                ctx.out().integer(0);
                return;
            }
            keyspace.deleteFound(db);
            // find again: the insertion below needs a fresh miss on this database
            keyspace.lookupWrite(db, args.array(), args.address(2), args.length(2));
        }
        if (!copyEntry(db, src, args.array(), args.address(2), args.length(2), true))
        {
            ctx.out().raw(RespConstants.OOM);
            return;
        }
        db.find(args.array(), args.address(1), args.length(1));
        keyspace.unlinkFoundMoved(db); // the value, and what it owns, now belongs to the new key
        ctx.dirty(1);
        replyRenamed(ctx, nx, true);
    }

    private static void replyRenamed(final CommandContext ctx, final boolean nx, final boolean renamed)
    {
        if (nx)
        {
            ctx.out().integer(renamed ? 1 : 0);
        }
        else
        {
            ctx.out().ok();
        }
    }

    /**
     * The database a successful COPY wrote its destination in: the last DB option's, else {@code currentDb}
     * (WATCH's touch; the command itself has checked the options by then).
     */
    static int copyTargetDb(final Args args, final int currentDb)
    {
        int target = currentDb;
        for (int i = 3; i < args.count(); i++)
        {
            if (option(args, i, DB) && i + 1 < args.count() && args.parseLong(++i))
            {
                target = (int)args.longValue();
            }
        }
        return target;
    }

    /** copyCommand: options parsed in order, the same-object check before any lookup, REPLACE overwrites. */
    private void copy(final CommandContext ctx)
    {
        final Args args = ctx.args();
        int targetIndex = ctx.client().db();
        boolean replace = false;
        for (int i = 3; i < args.count(); i++)
        {
            if (option(args, i, REPLACE))
            {
                replace = true;
            }
            else if (option(args, i, DB) && i + 1 < args.count())
            {
                if (!intArg(ctx, ++i, null))
                {
                    return;
                }
                if (args.longValue() < 0 || args.longValue() >= keyspace.databaseCount())
                {
                    ctx.out().raw(RespConstants.DB_INDEX_OUT_OF_RANGE);
                    return;
                }
                targetIndex = (int)args.longValue();
            }
            else
            {
                ctx.out().raw(RespConstants.SYNTAX_ERROR);
                return;
            }
        }
        final Database db = ctx.db();
        final Database target = keyspace.database(targetIndex);
        if (target == db && sameBytes(args, 1, 2))
        {
            ctx.out().raw(SAME_OBJECT);
            return;
        }
        final long src = keyspace.lookupRead(db, args.array(), args.address(1), args.length(1));
        if (src == NULL_HANDLE)
        {
            ctx.out().integer(0);
            return;
        }
        if (keyspace.lookupWrite(target, args.array(), args.address(2), args.length(2)) != NULL_HANDLE)
        {
            if (!replace)
            {
                ctx.out().integer(0);
                return;
            }
            keyspace.deleteFound(target);
            keyspace.lookupWrite(target, args.array(), args.address(2), args.length(2));
        }
        // a hashtable's dict is the source's own: the copy gets a dict of its own, made before the entry
        long ownedRoot = NULL_HANDLE;
        if (ObjectType.ownsBlocks(entry.wrap(src).encoding()))
        {
            ownedRoot = entry.type() == ObjectType.SET ? sets.wrap(src).copyHashtable() :
                entry.type() == ObjectType.ZSET ? zsets.wrap(src).copySkiplist() :
                entry.type() == ObjectType.LIST ? lists.wrap(memory.getLong(entry.valueHandle())).copy() :
                hashes.wrap(src).copyHashtable();
            if (ownedRoot == NULL_HANDLE)
            {
                ctx.out().raw(RespConstants.OOM);
                return;
            }
        }
        if (!copyEntry(target, src, args.array(), args.address(2), args.length(2), false))
        {
            if (ownedRoot != NULL_HANDLE)
            {
                if (Quicklist.isQuicklistRoot(memory, ownedRoot))
                {
                    lists.free(ownedRoot);
                }
                else if (ZsetSkiplist.isZsetRoot(memory, ownedRoot))
                {
                    zsets.freeSkiplist(ownedRoot);
                }
                else
                {
                    sets.freeHashtable(ownedRoot); // any dict: the free reads its kind from the root
                }
            }
            ctx.out().raw(RespConstants.OOM);
            return;
        }
        if (ownedRoot != NULL_HANDLE)
        {
            memory.putLong(entry.valueHandle(), ownedRoot); // copyEntry left entry at the new key
        }
        ctx.dirty(1);
        ctx.out().integer(1);
    }

    /** moveCommand: the db is checked, and compared with the current one, before the key is looked at. */
    private void move(final CommandContext ctx)
    {
        final Args args = ctx.args();
        if (!intArg(ctx, 2, null))
        {
            return;
        }
        final long index = args.longValue();
        if (index < 0 || index >= keyspace.databaseCount())
        {
            ctx.out().raw(RespConstants.DB_INDEX_OUT_OF_RANGE);
            return;
        }
        final Database db = ctx.db();
        final Database target = keyspace.database((int)index);
        if (target == db)
        {
            ctx.out().raw(SAME_OBJECT);
            return;
        }
        final long src = keyspace.lookupWrite(db, args.array(), args.address(1), args.length(1));
        if (src == NULL_HANDLE)
        {
            ctx.out().integer(0);
            return;
        }
        if (keyspace.lookupWrite(target, args.array(), args.address(1), args.length(1)) != NULL_HANDLE)
        {
            ctx.out().integer(0);
            return;
        }
        if (!copyEntry(target, src, args.array(), args.address(1), args.length(1), true))
        {
            ctx.out().raw(RespConstants.OOM);
            return;
        }
        db.find(args.array(), args.address(1), args.length(1));
        keyspace.unlinkFoundMoved(db); // the value, and what it owns, now belongs to the key in the target db
        ctx.dirty(1);
        ctx.out().integer(1);
    }

    // ------------------------------------------------------------------------------------------------
    // KEYS SCAN RANDOMKEY

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

    // ------------------------------------------------------------------------------------------------
    // EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME PERSIST

    /**
     * expireGenericCommand: options first (an unknown option beats a bad number), then the number with
     * overflow checks for the unit and the base time, then the key, then NX/XX/GT/LT against the current
     * TTL (none counts as infinite), then either delete (deadline past) or set.
     */
    private void expire(final CommandContext ctx, final boolean seconds, final boolean absolute)
    {
        final Args args = ctx.args();
        int flags = 0;
        for (int i = 3; i < args.count(); i++)
        {
            if (option(args, i, NX))
            {
                flags |= EXPIRE_NX;
            }
            else if (option(args, i, XX))
            {
                flags |= EXPIRE_XX;
            }
            else if (option(args, i, GT))
            {
                flags |= EXPIRE_GT;
            }
            else if (option(args, i, LT))
            {
                flags |= EXPIRE_LT;
            }
            else
            {
                ctx.out().errorLatin1("ERR Unsupported option " + args.cString(i));
                return;
            }
        }
        if ((flags & EXPIRE_NX) != 0 && (flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) != 0)
        {
            ctx.out().raw(INCOMPATIBLE_NX);
            return;
        }
        if ((flags & (EXPIRE_GT | EXPIRE_LT)) == (EXPIRE_GT | EXPIRE_LT))
        {
            ctx.out().raw(INCOMPATIBLE_GT_LT);
            return;
        }
        if (!args.parseLong(2))
        {
            ctx.out().raw(RespConstants.NOT_INTEGER);
            return;
        }
        long when = args.longValue();
        final long now = ctx.nowMs();
        final long base = absolute ? 0 : now;
        if (seconds)
        {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000)
            {
                invalidExpireTime(ctx);
                return;
            }
            when *= 1000;
        }
        if (when > Long.MAX_VALUE - base)
        {
            invalidExpireTime(ctx);
            return;
        }
        when += base;

        final Database db = ctx.db();
        final long e = keyspace.lookupWrite(db, args.array(), args.address(1), args.length(1));
        if (e == NULL_HANDLE)
        {
            ctx.out().integer(0);
            return;
        }
        if (flags != 0)
        {
            final long current = entry.wrap(e).expireAt();
            if (((flags & EXPIRE_NX) != 0 && current != -1) ||
                ((flags & EXPIRE_XX) != 0 && current == -1) ||
                ((flags & EXPIRE_GT) != 0 && (when <= current || current == -1)) ||
                ((flags & EXPIRE_LT) != 0 && current != -1 && when >= current))
            {
                ctx.out().integer(0);
                return;
            }
        }
        // checkAlreadyExpired: never while loading (AOF replay sets the past deadline; a lookup expires it)
        if (when <= now && !ctx.client().isReplay())
        {
            keyspace.deleteFound(db);
            ctx.dirty(1);
            ctx.propagateAs(rewrite.start().add(DEL_COMMAND).add(args, 1).args());
            ctx.out().integer(1);
            return;
        }
        // only a replayed deadline can be negative here, and the keyspace reads any negative one as "no TTL":
        // the epoch is as past as PEXPIREAT k -1 meant, and the key still expires at its first lookup
        if (keyspace.setExpire(db, Math.max(when, 0)) == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.OOM);
            return;
        }
        ctx.dirty(1);
        if (seconds || !absolute)
        {
            // PEXPIREAT is its own deterministic form; the others become it, flags kept
            rewrite.start().add(PEXPIREAT_COMMAND).add(args, 1).add(when);
            for (int i = 3; i < args.count(); i++)
            {
                rewrite.add(args, i);
            }
            ctx.propagateAs(rewrite.args());
        }
        ctx.out().integer(1);
    }

    private static void invalidExpireTime(final CommandContext ctx)
    {
        ctx.out().error("ERR invalid expire time in '" + ctx.spec().fullName() + "' command");
    }

    /**
     * ttlGenericCommand: -2 missing, -1 without TTL, else the time left (or the deadline, for *EXPIRETIME),
     * never below 0, and in seconds rounded to nearest for TTL and EXPIRETIME alike.
     */
    private void ttl(final CommandContext ctx, final boolean millis, final boolean absolute)
    {
        final Args args = ctx.args();
        final long e = keyspace.lookupNoTouch(ctx.db(), args.array(), args.address(1), args.length(1));
        if (e == NULL_HANDLE)
        {
            ctx.out().integer(-2);
            return;
        }
        final long at = entry.wrap(e).expireAt();
        if (at == -1)
        {
            ctx.out().integer(-1);
            return;
        }
        final long ttl = Math.max(0, absolute ? at : at - ctx.nowMs());
        // Redis's (ttl + 500) / 1000, without the overflow at PEXPIREAT 2^63-1 (its compiled C is exact there)
        ctx.out().integer(millis ? ttl : ttl / 1000 + (ttl % 1000 >= 500 ? 1 : 0));
    }

    private void persist(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        final long e = keyspace.lookupWrite(db, args.array(), args.address(1), args.length(1));
        if (e == NULL_HANDLE || !entry.wrap(e).hasExpire())
        {
            ctx.out().integer(0);
            return;
        }
        if (keyspace.setExpire(db, -1) == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.OOM);
            return;
        }
        ctx.dirty(1);
        ctx.out().integer(1);
    }
}
