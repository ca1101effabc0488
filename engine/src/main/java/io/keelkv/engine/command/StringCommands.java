package io.keelkv.engine.command;

import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.types.LongDouble;
import io.keelkv.engine.types.ObjectType;
import io.keelkv.engine.types.Strings;
import org.agrona.UnsafeApi;

import static io.keelkv.engine.command.RewrittenArgs.literal;
import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * The string command family (Redis's t_string.c): SET and its variants, GET and its variants, counters,
 * APPEND and ranges.
 *
 * <p>GET, SET, MGET and the INCR family allocate nothing: keys and values go from the query buffer to
 * page memory and from page memory to the reply buffer with one copy each; numbers are formatted into
 * a scratch array. Time-dependent forms are rewritten for the AOF exactly as Redis 7.0 propagates them.
 */
final class StringCommands
{
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    private static final byte[] NX = literal("nx");
    private static final byte[] XX = literal("xx");
    private static final byte[] GET = literal("get");
    private static final byte[] KEEPTTL = literal("keepttl");
    private static final byte[] PERSIST = literal("persist");
    private static final byte[] EX = literal("ex");
    private static final byte[] PX = literal("px");
    private static final byte[] EXAT = literal("exat");
    private static final byte[] PXAT = literal("pxat");

    private static final byte[] SET_CMD = literal("SET");
    private static final byte[] PXAT_ARG = literal("PXAT");
    private static final byte[] KEEPTTL_ARG = literal("KEEPTTL");
    private static final byte[] DEL_CMD = literal("DEL");
    private static final byte[] PEXPIREAT_CMD = literal("PEXPIREAT");
    private static final byte[] PERSIST_CMD = literal("PERSIST");

    private static final byte[] OVERFLOW = RespConstants.bytes("-ERR increment or decrement would overflow\r\n");
    private static final byte[] DECR_OVERFLOW = RespConstants.bytes("-ERR decrement would overflow\r\n");
    private static final byte[] NOT_FLOAT = RespConstants.bytes("-ERR value is not a valid float\r\n");
    private static final byte[] NAN_OR_INF = RespConstants.bytes("-ERR increment would produce NaN or Infinity\r\n");
    private static final byte[] TOO_BIG =
        RespConstants.bytes("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
    private static final byte[] OFFSET_RANGE = RespConstants.bytes("-ERR offset is out of range\r\n");

    private static final int FLAG_NX = 1;
    private static final int FLAG_XX = 2;
    private static final int FLAG_GET = 4;
    private static final int FLAG_KEEPTTL = 8;
    private static final int FLAG_PERSIST = 16;
    private static final int FLAG_EX = 32;
    private static final int FLAG_PX = 64;
    private static final int FLAG_EXAT = 128;
    private static final int FLAG_PXAT = 256;
    private static final int ANY_EXPIRE = FLAG_EX | FLAG_PX | FLAG_EXAT | FLAG_PXAT;

    private final KeelEngine engine;
    private final Keyspace keyspace;
    private final PageMemory memory;
    private final EntryFlyweight entry;
    private final RewrittenArgs rewrite = new RewrittenArgs();
    private final long[] parsed = new long[1];

    // results of option parsing, valid for the command being executed
    private int flags;
    private int expireArg;
    private long expireAtMs;

    private StringCommands(final KeelEngine engine)
    {
        this.engine = engine;
        this.keyspace = engine.keyspace();
        this.memory = keyspace.memory();
        this.entry = new EntryFlyweight(memory);
    }

    static void bind(final KeelEngine engine, final CommandTable table)
    {
        final StringCommands c = new StringCommands(engine);
        table.bind("get", c::get);
        table.bind("set", c::set);
        table.bind("setnx", c::setnx);
        table.bind("setex", ctx -> c.setex(ctx, 1000));
        table.bind("psetex", ctx -> c.setex(ctx, 1));
        table.bind("getset", c::getset);
        table.bind("getdel", c::getdel);
        table.bind("getex", c::getex);
        table.bind("mget", c::mget);
        table.bind("mset", ctx -> c.mset(ctx, false));
        table.bind("msetnx", ctx -> c.mset(ctx, true));
        table.bind("incr", ctx -> c.incrBy(ctx, 1));
        table.bind("decr", ctx -> c.incrBy(ctx, -1));
        table.bind("incrby", ctx -> c.incrByArg(ctx, false));
        table.bind("decrby", ctx -> c.incrByArg(ctx, true));
        table.bind("incrbyfloat", c::incrByFloat);
        table.bind("append", c::append);
        table.bind("strlen", c::strlen);
        table.bind("getrange", c::getrange);
        table.bind("setrange", c::setrange);
    }

    // ------------------------------------------------------------------------------------------------
    // helpers

    /** Lookup for read; writes WRONGTYPE and returns -1 for a non-string. */
    private long lookupString(final CommandContext ctx, final Database db, final Args args, final int i)
    {
        final long e = keyspace.lookupRead(db, args.array(), args.address(i), args.length(i));
        if (e != NULL_HANDLE && entry.wrap(e).type() != ObjectType.STRING)
        {
            ctx.out().raw(RespConstants.WRONGTYPE);
            return -1;
        }
        return e;
    }

    private void replyValue(final RespWriter out, final long e)
    {
        entry.wrap(e);
        out.bulkFromAddress(entry.valueAddress(), entry.valueLength());
    }

    /**
     * Redis's parseExtendedStringArgumentsOrReply, the syntax only: sets {@link #flags} and which argument
     * holds the expire time. {@code forSet}: SET's options, else GETEX's. The time itself is read by
     * {@link #parseExpire}, which SET calls at once and GETEX only once its key is found (Redis's order:
     * GETEX of a missing key is nil whatever its EX says). @return false after writing the error.
     */
    private boolean parseOptions(final CommandContext ctx, final int from, final boolean forSet)
    {
        final Args args = ctx.args();
        flags = 0;
        expireArg = -1;
        for (int j = from; j < args.count(); j++)
        {
            final boolean hasNext = j + 1 < args.count();
            if (forSet && args.equalsIgnoreCase(j, NX) && (flags & FLAG_XX) == 0)
            {
                flags |= FLAG_NX;
            }
            else if (forSet && args.equalsIgnoreCase(j, XX) && (flags & FLAG_NX) == 0)
            {
                flags |= FLAG_XX;
            }
            else if (forSet && args.equalsIgnoreCase(j, GET))
            {
                flags |= FLAG_GET;
            }
            else if (forSet && args.equalsIgnoreCase(j, KEEPTTL) && (flags & (FLAG_PERSIST | ANY_EXPIRE)) == 0)
            {
                flags |= FLAG_KEEPTTL;
            }
            else if (!forSet && args.equalsIgnoreCase(j, PERSIST) && (flags & ANY_EXPIRE) == 0)
            {
                flags |= FLAG_PERSIST;
            }
            else if (hasNext && expireFlag(args, j) != 0 &&
                (flags & (FLAG_KEEPTTL | FLAG_PERSIST | (ANY_EXPIRE & ~expireFlag(args, j)))) == 0)
            {
                // the same option may repeat (the last value wins); a different one is a syntax error
                flags |= expireFlag(args, j);
                expireArg = ++j;
            }
            else
            {
                ctx.out().raw(RespConstants.SYNTAX_ERROR);
                return false;
            }
        }
        return true;
    }

    /**
     * Redis's getExpireMillisecondsOrReply for the expire argument {@link #parseOptions} found: sets
     * {@link #expireAtMs} (-1 without one); @return false after writing the error.
     */
    private boolean parseExpire(final CommandContext ctx)
    {
        final Args args = ctx.args();
        expireAtMs = -1;
        if (expireArg >= 0)
        {
            if (!args.parseLong(expireArg))
            {
                ctx.out().raw(RespConstants.NOT_INTEGER);
                return false;
            }
            long ms = args.longValue();
            final boolean seconds = (flags & (FLAG_EX | FLAG_EXAT)) != 0;
            if (ms <= 0 || (seconds && ms > Long.MAX_VALUE / 1000))
            {
                invalidExpire(ctx);
                return false;
            }
            if (seconds)
            {
                ms *= 1000;
            }
            if ((flags & (FLAG_EX | FLAG_PX)) != 0)
            {
                ms += ctx.nowMs();
            }
            if (ms <= 0)
            {
                invalidExpire(ctx);
                return false;
            }
            expireAtMs = ms;
        }
        return true;
    }

    private static int expireFlag(final Args args, final int j)
    {
        if (args.equalsIgnoreCase(j, EX))
        {
            return FLAG_EX;
        }
        if (args.equalsIgnoreCase(j, PX))
        {
            return FLAG_PX;
        }
        if (args.equalsIgnoreCase(j, EXAT))
        {
            return FLAG_EXAT;
        }
        if (args.equalsIgnoreCase(j, PXAT))
        {
            return FLAG_PXAT;
        }
        return 0;
    }

    private static void invalidExpire(final CommandContext ctx)
    {
        ctx.out().error("ERR invalid expire time in '" + ctx.spec().fullName() + "' command");
    }

    /** Write {@code args[valueIndex]} as the value of the found-or-missing key; false (OOM reply) on failure. */
    private boolean store(final CommandContext ctx, final Database db, final Args args, final int keyIndex,
        final int valueIndex, final long expireAt, final boolean keepTtl)
    {
        final long e = Strings.set(keyspace, db, args.array(), args.address(keyIndex), args.length(keyIndex),
            args.array(), args.address(valueIndex), args.length(valueIndex), expireAt, keepTtl, entry);
        if (e == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.OOM);
            return false;
        }
        return true;
    }

    private boolean storeBytes(final CommandContext ctx, final Database db, final Args args, final int keyIndex,
        final byte[] value, final int length, final boolean keepTtl)
    {
        final long e = Strings.set(keyspace, db, args.array(), args.address(keyIndex), args.length(keyIndex),
            value, BYTE_BASE, length, -1, keepTtl, entry);
        if (e == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.OOM);
            return false;
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------
    // commands

    private void get(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final long e = lookupString(ctx, ctx.db(), args, 1);
        if (e == NULL_HANDLE)
        {
            ctx.out().nullBulk();
        }
        else if (e > 0)
        {
            replyValue(ctx.out(), e);
        }
    }

    private void set(final CommandContext ctx)
    {
        if (!parseOptions(ctx, 3, true) || !parseExpire(ctx))
        {
            return;
        }
        setGeneric(ctx, flags, expireAtMs);
    }

    /** Redis's setGenericCommand: the value is argument 2 ... except for SETEX (argument 3). */
    private void setGeneric(final CommandContext ctx, final int flags, final long expireAt)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        final RespWriter out = ctx.out();
        final int valueIndex = ctx.spec().arity() == 4 ? 3 : 2; // setex/psetex: key seconds value
        long e;
        if ((flags & FLAG_GET) != 0)
        {
            e = lookupString(ctx, db, args, 1);
            if (e < 0)
            {
                return;
            }
            if (e == NULL_HANDLE)
            {
                out.nullBulk();
            }
            else
            {
                replyValue(out, e);
            }
        }
        else
        {
            e = keyspace.lookupWrite(db, args.array(), args.address(1), args.length(1));
        }
        final boolean found = e != NULL_HANDLE;
        if (((flags & FLAG_NX) != 0 && found) || ((flags & FLAG_XX) != 0 && !found))
        {
            if ((flags & FLAG_GET) == 0)
            {
                out.nullBulk();
            }
            return;
        }
        if (!store(ctx, db, args, 1, valueIndex, expireAt, (flags & FLAG_KEEPTTL) != 0))
        {
            return;
        }
        ctx.dirty(1);
        if (expireAt >= 0)
        {
            engine.dispatcher().propagateAs(rewrite.start().add(SET_CMD).add(args, 1).add(args, valueIndex)
                .add(PXAT_ARG).add(expireAt).args());
        }
        else if ((flags & FLAG_GET) != 0)
        {
            rewrite.start();
            for (int i = 0; i < args.count(); i++)
            {
                if (i < 3 || !args.equalsIgnoreCase(i, GET))
                {
                    rewrite.add(args, i);
                }
            }
            engine.dispatcher().propagateAs(rewrite.args());
        }
        if ((flags & FLAG_GET) == 0)
        {
            out.ok();
        }
    }

    private void setnx(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        if (keyspace.lookupWrite(db, args.array(), args.address(1), args.length(1)) != NULL_HANDLE)
        {
            ctx.out().integer(0);
            return;
        }
        if (store(ctx, db, args, 1, 2, -1, false))
        {
            ctx.dirty(1);
            ctx.out().integer(1);
        }
    }

    private void setex(final CommandContext ctx, final long unitMs)
    {
        final Args args = ctx.args();
        if (!args.parseLong(2))
        {
            ctx.out().raw(RespConstants.NOT_INTEGER);
            return;
        }
        long ms = args.longValue();
        if (ms <= 0 || (unitMs == 1000 && ms > Long.MAX_VALUE / 1000))
        {
            invalidExpire(ctx);
            return;
        }
        ms = ms * unitMs + ctx.nowMs();
        if (ms <= 0)
        {
            invalidExpire(ctx);
            return;
        }
        setGeneric(ctx, 0, ms);
    }

    private void getset(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        final long e = lookupString(ctx, db, args, 1);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE)
        {
            ctx.out().nullBulk();
        }
        else
        {
            replyValue(ctx.out(), e);
        }
        if (store(ctx, db, args, 1, 2, -1, false))
        {
            ctx.dirty(1);
            engine.dispatcher().propagateAs(rewrite.start().add(SET_CMD).add(args, 1).add(args, 2).args());
        }
    }

    private void getdel(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        final long e = lookupString(ctx, db, args, 1);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE)
        {
            ctx.out().nullBulk();
            return;
        }
        replyValue(ctx.out(), e);
        keyspace.deleteFound(db);
        ctx.dirty(1);
        engine.dispatcher().propagateAs(rewrite.start().add(DEL_CMD).add(args, 1).args());
    }

    private void getex(final CommandContext ctx)
    {
        if (!parseOptions(ctx, 2, false))
        {
            return;
        }
        final Args args = ctx.args();
        final Database db = ctx.db();
        final long e = lookupString(ctx, db, args, 1);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE)
        {
            ctx.out().nullBulk();
            return;
        }
        if (!parseExpire(ctx))
        {
            return;
        }
        replyValue(ctx.out(), e);
        if ((flags & (FLAG_EXAT | FLAG_PXAT)) != 0 && expireAtMs <= ctx.nowMs())
        {
            keyspace.deleteFound(db);
            ctx.dirty(1);
            engine.dispatcher().propagateAs(rewrite.start().add(DEL_CMD).add(args, 1).args());
        }
        else if (expireAtMs >= 0)
        {
            if (keyspace.setExpire(db, expireAtMs) != NULL_HANDLE)
            {
                ctx.dirty(1);
                engine.dispatcher().propagateAs(rewrite.start().add(PEXPIREAT_CMD).add(args, 1).add(expireAtMs).args());
            }
        }
        else if ((flags & FLAG_PERSIST) != 0 && entry.wrap(e).hasExpire())
        {
            if (keyspace.setExpire(db, -1) != NULL_HANDLE)
            {
                ctx.dirty(1);
                engine.dispatcher().propagateAs(rewrite.start().add(PERSIST_CMD).add(args, 1).args());
            }
        }
    }

    private void mget(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        final RespWriter out = ctx.out();
        out.arrayHeader(args.count() - 1);
        for (int i = 1; i < args.count(); i++)
        {
            final long e = keyspace.lookupRead(db, args.array(), args.address(i), args.length(i));
            if (e == NULL_HANDLE || entry.wrap(e).type() != ObjectType.STRING)
            {
                out.nullBulk();
            }
            else
            {
                replyValue(out, e);
            }
        }
    }

    private void mset(final CommandContext ctx, final boolean nx)
    {
        final Args args = ctx.args();
        if (args.count() % 2 == 0)
        {
            ctx.out().error("ERR wrong number of arguments for '" + ctx.spec().fullName() + "' command");
            return;
        }
        final Database db = ctx.db();
        if (nx)
        {
            for (int i = 1; i < args.count(); i += 2)
            {
                if (keyspace.lookupWrite(db, args.array(), args.address(i), args.length(i)) != NULL_HANDLE)
                {
                    ctx.out().integer(0);
                    return;
                }
            }
        }
        for (int i = 1; i < args.count(); i += 2)
        {
            keyspace.lookupWrite(db, args.array(), args.address(i), args.length(i));
            if (!store(ctx, db, args, i, i + 1, -1, false))
            {
                return;
            }
        }
        ctx.dirty((args.count() - 1) / 2);
        if (nx)
        {
            ctx.out().integer(1);
        }
        else
        {
            ctx.out().ok();
        }
    }

    private void incrByArg(final CommandContext ctx, final boolean decrement)
    {
        final Args args = ctx.args();
        if (!args.parseLong(2))
        {
            ctx.out().raw(RespConstants.NOT_INTEGER);
            return;
        }
        long by = args.longValue();
        if (decrement)
        {
            if (by == Long.MIN_VALUE)
            {
                ctx.out().raw(DECR_OVERFLOW);
                return;
            }
            by = -by;
        }
        incrBy(ctx, by);
    }

    private void incrBy(final CommandContext ctx, final long by)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        final long e = keyspace.lookupWrite(db, args.array(), args.address(1), args.length(1));
        long value = 0;
        if (e != NULL_HANDLE)
        {
            entry.wrap(e);
            if (entry.type() != ObjectType.STRING)
            {
                ctx.out().raw(RespConstants.WRONGTYPE);
                return;
            }
            if (!Strings.parseLong(memory, entry.valueHandle(), entry.valueLength(), parsed))
            {
                ctx.out().raw(RespConstants.NOT_INTEGER);
                return;
            }
            value = parsed[0];
        }
        if ((by < 0 && value < 0 && by < Long.MIN_VALUE - value) || (by > 0 && value > 0 && by > Long.MAX_VALUE - value))
        {
            ctx.out().raw(OVERFLOW);
            return;
        }
        value += by;
        final int length = Strings.formatLong(value, ctx.scratch);
        if (storeBytes(ctx, db, args, 1, ctx.scratch, length, true))
        {
            ctx.dirty(1);
            ctx.out().integer(value);
        }
    }

    private void incrByFloat(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        final long e = keyspace.lookupWrite(db, args.array(), args.address(1), args.length(1));
        String current = "0";
        if (e != NULL_HANDLE)
        {
            entry.wrap(e);
            if (entry.type() != ObjectType.STRING)
            {
                ctx.out().raw(RespConstants.WRONGTYPE);
                return;
            }
            current = new String(entry.valueBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            if (!LongDouble.isValid(current))
            {
                ctx.out().raw(NOT_FLOAT);
                return;
            }
        }
        final String increment = args.toString(2);
        if (!LongDouble.isValid(increment))
        {
            ctx.out().raw(NOT_FLOAT);
            return;
        }
        final String result = LongDouble.add(current, increment);
        if (result == null)
        {
            ctx.out().raw(NAN_OR_INF);
            return;
        }
        final byte[] bytes = result.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        // the found entry is unchanged since the lookup above: nothing else touched this database.
        // Redis stores this result without tryObjectEncoding: "3" stays embstr, never int
        final long stored = Strings.set(keyspace, db, args.array(), args.address(1), args.length(1), bytes, BYTE_BASE,
            bytes.length, -1, true, entry, Strings.plainEncodingFor(bytes.length));
        if (stored == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.OOM);
        }
        else
        {
            ctx.dirty(1);
            ctx.out().bulk(bytes);
            engine.dispatcher().propagateAs(rewrite.start().add(SET_CMD).add(args, 1).add(bytes, 0, bytes.length)
                .add(KEEPTTL_ARG).args());
        }
    }

    private void append(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        final long e = keyspace.lookupWrite(db, args.array(), args.address(1), args.length(1));
        if (e == NULL_HANDLE)
        {
            if (store(ctx, db, args, 1, 2, -1, false))
            {
                ctx.dirty(1);
                ctx.out().integer(args.length(2));
            }
            return;
        }
        entry.wrap(e);
        if (entry.type() != ObjectType.STRING)
        {
            ctx.out().raw(RespConstants.WRONGTYPE);
            return;
        }
        final int oldLength = entry.valueLength();
        final long total = (long)oldLength + args.length(2);
        if (total > engine.settings().protoMaxBulkLen)
        {
            ctx.out().raw(TOO_BIG);
            return;
        }
        final long moved = keyspace.resizeValue(db, total, oldLength);
        if (moved == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.OOM);
            return;
        }
        entry.wrap(moved);
        memory.putBytes(entry.valueHandle() + oldLength, args.array(), args.address(2), args.length(2));
        entry.encoding(ObjectType.ENCODING_RAW);
        ctx.dirty(1);
        ctx.out().integer(total);
    }

    private void strlen(final CommandContext ctx)
    {
        final long e = lookupString(ctx, ctx.db(), ctx.args(), 1);
        if (e >= 0)
        {
            ctx.out().integer(e == NULL_HANDLE ? 0 : entry.wrap(e).valueLength());
        }
    }

    private void getrange(final CommandContext ctx)
    {
        final Args args = ctx.args();
        if (!args.parseLong(2))
        {
            ctx.out().raw(RespConstants.NOT_INTEGER);
            return;
        }
        long start = args.longValue();
        if (!args.parseLong(3))
        {
            ctx.out().raw(RespConstants.NOT_INTEGER);
            return;
        }
        long end = args.longValue();
        final long e = lookupString(ctx, ctx.db(), args, 1);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.EMPTY_BULK);
            return;
        }
        entry.wrap(e);
        final long length = entry.valueLength();
        if (start < 0 && end < 0 && start > end)
        {
            ctx.out().raw(RespConstants.EMPTY_BULK);
            return;
        }
        if (start < 0)
        {
            start = length + start;
        }
        if (end < 0)
        {
            end = length + end;
        }
        if (start < 0)
        {
            start = 0;
        }
        if (end < 0)
        {
            end = 0;
        }
        if (end >= length)
        {
            end = length - 1;
        }
        if (start > end || length == 0)
        {
            ctx.out().raw(RespConstants.EMPTY_BULK);
            return;
        }
        ctx.out().bulkFromAddress(entry.valueAddress() + start, end - start + 1);
    }

    private void setrange(final CommandContext ctx)
    {
        final Args args = ctx.args();
        if (!args.parseLong(2))
        {
            ctx.out().raw(RespConstants.NOT_INTEGER);
            return;
        }
        final long offset = args.longValue();
        if (offset < 0)
        {
            ctx.out().raw(OFFSET_RANGE);
            return;
        }
        final Database db = ctx.db();
        final int valueLength = args.length(3);
        long e = keyspace.lookupWrite(db, args.array(), args.address(1), args.length(1));
        final int oldLength;
        if (e == NULL_HANDLE)
        {
            if (valueLength == 0)
            {
                ctx.out().integer(0);
                return;
            }
            oldLength = 0;
        }
        else
        {
            entry.wrap(e);
            if (entry.type() != ObjectType.STRING)
            {
                ctx.out().raw(RespConstants.WRONGTYPE);
                return;
            }
            oldLength = entry.valueLength();
            if (valueLength == 0)
            {
                ctx.out().integer(oldLength);
                return;
            }
        }
        final long needed = offset + valueLength;
        if (needed > engine.settings().protoMaxBulkLen)
        {
            ctx.out().raw(TOO_BIG);
            return;
        }
        final long total = Math.max(oldLength, needed);
        if (e == NULL_HANDLE)
        {
            e = keyspace.addEntry(db, args.array(), args.address(1), args.length(1), ObjectType.STRING,
                ObjectType.ENCODING_RAW, total, -1);
        }
        else
        {
            e = keyspace.resizeValue(db, total, oldLength);
        }
        if (e == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.OOM);
            return;
        }
        entry.wrap(e);
        if (offset > oldLength)
        {
            memory.fill(entry.valueHandle() + oldLength, offset - oldLength, (byte)0);
        }
        memory.putBytes(entry.valueHandle() + offset, args.array(), args.address(3), valueLength);
        entry.encoding(ObjectType.ENCODING_RAW);
        ctx.dirty(1);
        ctx.out().integer(total);
    }
}
