package io.keelkv.engine.command;

import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.GlobMatcher;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.types.ObjectType;
import org.agrona.collections.LongArrayList;

import static io.keelkv.engine.command.RewrittenArgs.literal;
import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * Generic key commands (Redis's db.c and expire.c): existence, deletion, renaming and copying, key
 * listing and SCAN, TTLs. EXPIRE and friends are logged to the AOF as PEXPIREAT (absolute), and a
 * deadline already past deletes the key and is logged as DEL, as Redis 7.0 does.
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
    private static final byte[] DEL_CMD = literal("DEL");
    private static final byte[] PEXPIREAT_CMD = literal("PEXPIREAT");
    private static final byte[] NONE = literal("none");
    private static final byte[] SAME_OBJECT = RespConstants.bytes("-ERR source and destination objects are the same\r\n");
    private static final byte[] INVALID_CURSOR = RespConstants.bytes("-ERR invalid cursor\r\n");

    private final KeelEngine engine;
    private final Keyspace keyspace;
    private final PageMemory memory;
    private final EntryFlyweight entry;
    private final EntryFlyweight source;
    private final GlobMatcher glob = new GlobMatcher();
    private final RewrittenArgs rewrite = new RewrittenArgs();
    private final LongArrayList collected = new LongArrayList();
    private final Database.EntryVisitor collect = collected::addLong;

    private KeyCommands(final KeelEngine engine)
    {
        this.engine = engine;
        this.keyspace = engine.keyspace();
        this.memory = keyspace.memory();
        this.entry = new EntryFlyweight(memory);
        this.source = new EntryFlyweight(memory);
    }

    static void bind(final KeelEngine engine, final CommandTable table)
    {
        final KeyCommands c = new KeyCommands(engine);
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
        table.bind("expire", ctx -> c.expire(ctx, 1000, false));
        table.bind("pexpire", ctx -> c.expire(ctx, 1, false));
        table.bind("expireat", ctx -> c.expire(ctx, 1000, true));
        table.bind("pexpireat", ctx -> c.expire(ctx, 1, true));
        table.bind("ttl", ctx -> c.ttl(ctx, 1000, false));
        table.bind("pttl", ctx -> c.ttl(ctx, 1, false));
        table.bind("expiretime", ctx -> c.ttl(ctx, 1000, true));
        table.bind("pexpiretime", ctx -> c.ttl(ctx, 1, true));
        table.bind("persist", c::persist);
        table.bind("touch", c::touch);
    }

    private void del(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        long deleted = 0;
        for (int i = 1; i < args.count(); i++)
        {
            if (keyspace.delete(db, args.array(), args.address(i), args.length(i)))
            {
                deleted++;
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
        if (e == NULL_HANDLE)
        {
            ctx.out().simpleString(NONE);
        }
        else
        {
            ctx.out().simpleString(ObjectType.typeName(entry.wrap(e).type()));
        }
    }

    /**
     * Create {@code key} in {@code target} (which the caller has just looked up and found missing) as a
     * copy of entry {@code from}: type, encoding, value and TTL. @return false on OOM.
     */
    private boolean copyEntry(final Database target, final long from, final Object keyBase, final long keyAddress,
        final int keyLength)
    {
        source.wrap(from);
        final long e = keyspace.addEntry(target, keyBase, keyAddress, keyLength, source.type(), source.encoding(),
            source.valueLength(), source.expireAt());
        if (e == NULL_HANDLE)
        {
            return false;
        }
        entry.wrap(e);
        // the source is still where it was: allocating never moves existing entries
        memory.copy(entry.valueHandle(), source.valueHandle(), source.valueLength());
        return true;
    }

    private void rename(final CommandContext ctx, final boolean nx)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        final boolean sameKey = args.length(1) == args.length(2) &&
            io.keelkv.engine.keyspace.Hashing.equals(args.array(), args.address(1), args.array(), args.address(2), args.length(1));
        final long src = keyspace.lookupWrite(db, args.array(), args.address(1), args.length(1));
        if (src == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.NO_SUCH_KEY);
            return;
        }
        if (sameKey)
        {
            if (nx)
            {
                ctx.out().integer(0);
            }
            else
            {
                ctx.out().ok();
            }
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
            keyspace.lookupWrite(db, args.array(), args.address(2), args.length(2));
        }
        if (!copyEntry(db, src, args.array(), args.address(2), args.length(2)))
        {
            ctx.out().raw(RespConstants.OOM);
            return;
        }
        db.find(args.array(), args.address(1), args.length(1));
        keyspace.deleteFound(db);
        ctx.dirty(1);
        if (nx)
        {
            ctx.out().integer(1);
        }
        else
        {
            ctx.out().ok();
        }
    }

    private void copy(final CommandContext ctx)
    {
        final Args args = ctx.args();
        int targetIndex = ctx.client().db();
        boolean replace = false;
        for (int i = 3; i < args.count(); i++)
        {
            if (args.equalsIgnoreCase(i, REPLACE))
            {
                replace = true;
            }
            else if (args.equalsIgnoreCase(i, DB) && i + 1 < args.count())
            {
                if (!args.parseLong(++i) || args.longValue() < Integer.MIN_VALUE || args.longValue() > Integer.MAX_VALUE)
                {
                    ctx.out().raw(RespConstants.NOT_INTEGER);
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
        final boolean sameKey = args.length(1) == args.length(2) &&
            io.keelkv.engine.keyspace.Hashing.equals(args.array(), args.address(1), args.array(), args.address(2), args.length(1));
        if (sameKey && target == db)
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
        if (!copyEntry(target, src, args.array(), args.address(2), args.length(2)))
        {
            ctx.out().raw(RespConstants.OOM);
            return;
        }
        ctx.dirty(1);
        ctx.out().integer(1);
    }

    private void move(final CommandContext ctx)
    {
        final Args args = ctx.args();
        if (!args.parseLong(2) || args.longValue() < Integer.MIN_VALUE || args.longValue() > Integer.MAX_VALUE)
        {
            ctx.out().raw(RespConstants.NOT_INTEGER);
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
        if (!copyEntry(target, src, args.array(), args.address(1), args.length(1)))
        {
            ctx.out().raw(RespConstants.OOM);
            return;
        }
        db.find(args.array(), args.address(1), args.length(1));
        keyspace.deleteFound(db);
        ctx.dirty(1);
        ctx.out().integer(1);
    }

    private void keys(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        collected.clear();
        db.forEach(collect);
        final boolean all = args.length(1) == 1 && args.byteAt(1, 0) == '*';
        int matched = 0;
        for (int i = 0; i < collected.size(); i++)
        {
            final long e = collected.getLong(i);
            entry.wrap(e);
            if (!keyspace.isExpired(e) && (all || glob.matches(args.array(), args.address(1), args.length(1), null,
                entry.keyAddress(), entry.keyLength(), false)))
            {
                collected.setLong(matched++, e);
            }
        }
        final RespWriter out = ctx.out();
        out.arrayHeader(matched);
        for (int i = 0; i < matched; i++)
        {
            entry.wrap(collected.getLong(i));
            out.bulkFromAddress(entry.keyAddress(), entry.keyLength());
        }
        collected.clear();
    }

    private void scan(final CommandContext ctx)
    {
        final Args args = ctx.args();
        long cursor;
        try
        {
            cursor = parseCursor(args.toString(1));
        }
        catch (final NumberFormatException ex)
        {
            ctx.out().raw(INVALID_CURSOR);
            return;
        }
        long count = 10;
        int matchArg = -1;
        int type = -2;
        for (int i = 2; i < args.count(); i += 2)
        {
            if (i + 1 >= args.count())
            {
                ctx.out().raw(RespConstants.SYNTAX_ERROR);
                return;
            }
            if (args.equalsIgnoreCase(i, COUNT))
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
            else if (args.equalsIgnoreCase(i, MATCH))
            {
                matchArg = i + 1;
            }
            else if (args.equalsIgnoreCase(i, TYPE))
            {
                type = ObjectType.typeOf(args.toString(i + 1));
            }
            else
            {
                ctx.out().raw(RespConstants.SYNTAX_ERROR);
                return;
            }
        }
        final Database db = ctx.db();
        collected.clear();
        long iterations = count * 10;
        do
        {
            cursor = db.scan(cursor, collect);
        }
        while (cursor != 0 && iterations-- > 0 && collected.size() < count);
        // filter after the walk: expiring a key unlinks it, which must not happen while walking a chain
        int kept = 0;
        final boolean matchAll = matchArg < 0 || (args.length(matchArg) == 1 && args.byteAt(matchArg, 0) == '*');
        for (int i = 0; i < collected.size(); i++)
        {
            final long e = collected.getLong(i);
            entry.wrap(e);
            if (!matchAll && !glob.matches(args.array(), args.address(matchArg), args.length(matchArg), null,
                entry.keyAddress(), entry.keyLength(), false))
            {
                continue;
            }
            if (type != -2 && entry.type() != type)
            {
                continue;
            }
            if (keyspace.isExpired(e))
            {
                // delete it as Redis's expireIfNeeded does; other collected handles stay valid
                if (db.find(null, entry.keyAddress(), entry.keyLength()) != NULL_HANDLE)
                {
                    keyspace.deleteFound(db);
                }
                continue;
            }
            collected.setLong(kept++, e);
        }
        final RespWriter out = ctx.out();
        out.arrayHeader(2);
        out.bulkString(Long.toUnsignedString(cursor));
        out.arrayHeader(kept);
        for (int i = 0; i < kept; i++)
        {
            entry.wrap(collected.getLong(i));
            out.bulkFromAddress(entry.keyAddress(), entry.keyLength());
        }
        collected.clear();
    }

    /** strtoul as Redis's parseScanCursorOrReply uses it: decimal, optional sign, wraps negatives. */
    static long parseCursor(final String s)
    {
        if (s.isEmpty() || Character.isWhitespace(s.charAt(0)))
        {
            throw new NumberFormatException(s);
        }
        if (s.startsWith("-"))
        {
            return -Long.parseUnsignedLong(s.substring(1));
        }
        return Long.parseUnsignedLong(s.startsWith("+") ? s.substring(1) : s);
    }

    private void randomkey(final CommandContext ctx)
    {
        final Database db = ctx.db();
        for (int attempt = 0; attempt < 100 && db.size() > 0; attempt++)
        {
            final long e = db.randomEntry(keyspace.random());
            entry.wrap(e);
            if (keyspace.isExpired(e))
            {
                if (db.find(null, entry.keyAddress(), entry.keyLength()) != NULL_HANDLE)
                {
                    keyspace.deleteFound(db);
                }
                continue;
            }
            ctx.out().bulkFromAddress(entry.keyAddress(), entry.keyLength());
            return;
        }
        ctx.out().nullBulk();
    }

    private void expire(final CommandContext ctx, final long unitMs, final boolean absolute)
    {
        final Args args = ctx.args();
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        for (int i = 3; i < args.count(); i++)
        {
            if (args.equalsIgnoreCase(i, NX))
            {
                nx = true;
            }
            else if (args.equalsIgnoreCase(i, XX))
            {
                xx = true;
            }
            else if (args.equalsIgnoreCase(i, GT))
            {
                gt = true;
            }
            else if (args.equalsIgnoreCase(i, LT))
            {
                lt = true;
            }
            else
            {
                ctx.out().error("ERR Unsupported option " + args.toString(i));
                return;
            }
        }
        if (nx && (xx || gt || lt))
        {
            ctx.out().error("ERR NX and XX, GT or LT options at the same time are not compatible");
            return;
        }
        if (gt && lt)
        {
            ctx.out().error("ERR GT and LT options at the same time are not compatible");
            return;
        }
        if (!args.parseLong(2))
        {
            ctx.out().raw(RespConstants.NOT_INTEGER);
            return;
        }
        long when = args.longValue();
        final long base = absolute ? 0 : ctx.nowMs();
        if (unitMs == 1000)
        {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000)
            {
                invalidExpire(ctx);
                return;
            }
            when *= 1000;
        }
        if (when > Long.MAX_VALUE - base)
        {
            invalidExpire(ctx);
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
        final long current = entry.wrap(e).expireAt();
        if ((nx && current != -1) || (xx && current == -1) || (gt && (when <= current || current == -1)) ||
            (lt && current != -1 && when >= current))
        {
            ctx.out().integer(0);
            return;
        }
        if (when <= ctx.nowMs())
        {
            keyspace.deleteFound(db);
            ctx.dirty(1);
            engine.dispatcher().propagateAs(rewrite.start().add(DEL_CMD).add(args, 1).args());
            ctx.out().integer(1);
            return;
        }
        if (keyspace.setExpire(db, when) == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.OOM);
            return;
        }
        ctx.dirty(1);
        rewrite.start().add(PEXPIREAT_CMD).add(args, 1).add(when);
        for (int i = 3; i < args.count(); i++)
        {
            rewrite.add(args, i);
        }
        engine.dispatcher().propagateAs(rewrite.args());
        ctx.out().integer(1);
    }

    private static void invalidExpire(final CommandContext ctx)
    {
        ctx.out().error("ERR invalid expire time in '" + ctx.spec().fullName() + "' command");
    }

    private void ttl(final CommandContext ctx, final long unitMs, final boolean absolute)
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
        if (absolute)
        {
            ctx.out().integer(unitMs == 1000 ? at / 1000 : at);
            return;
        }
        final long ttl = Math.max(0, at - ctx.nowMs());
        ctx.out().integer(unitMs == 1000 ? (ttl + 500) / 1000 : ttl);
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
