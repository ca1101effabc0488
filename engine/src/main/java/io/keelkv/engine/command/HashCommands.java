package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.keyspace.ObjectType;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.types.HashFlyweight;
import io.keelkv.engine.types.LongDouble;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

import static io.keelkv.engine.command.RewrittenArgs.literal;
import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * The hash command family (Redis 7.0's t_hash.c), over {@link HashFlyweight}: the same replies, errors, order
 * of checks and AOF forms as Redis (HINCRBYFLOAT is logged as HSET with its result).
 *
 * <p>Encodings, as Redis converts: before a write, a field or value longer than {@code hash-max-listpack-value}
 * converts a listpack to a hashtable (hashTypeTryConversion, HSET and HSETNX only); after each field set, more
 * than {@code hash-max-listpack-entries} fields do (the check in hashTypeSet). Never back.
 *
 * <p>Single-field reads and writes (HGET, HSET of one pair, HDEL, HEXISTS, HLEN) allocate nothing; HINCRBYFLOAT
 * does its long-double arithmetic on Strings, as INCRBYFLOAT does.
 */
final class HashCommands
{
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    private static final byte[] HASH_NOT_INTEGER = RespConstants.bytes("-ERR hash value is not an integer\r\n");
    private static final byte[] HASH_NOT_FLOAT = RespConstants.bytes("-ERR hash value is not a float\r\n");
    private static final byte[] OVERFLOW = RespConstants.bytes("-ERR increment or decrement would overflow\r\n");
    private static final byte[] NAN_OR_INF_ARG = RespConstants.bytes("-ERR value is NaN or Infinity\r\n");
    private static final byte[] NAN_OR_INF = RespConstants.bytes("-ERR increment would produce NaN or Infinity\r\n");

    private static final byte[] HSET_CMD = literal("HSET");

    private final Keyspace keyspace;
    private final TypedLookup lookup;
    final HashFlyweight hash; // shared with HashSampling: one owner thread, one command at a time
    private final RewrittenArgs rewrite = new RewrittenArgs();
    private final byte[] digits = new byte[24];
    private final UnsafeBuffer number = new UnsafeBuffer(digits);

    private HashCommands(final Keyspace keyspace)
    {
        this.keyspace = keyspace;
        this.lookup = new TypedLookup(keyspace, ObjectType.HASH);
        this.hash = new HashFlyweight(keyspace.memory());
    }

    static void bind(final Keyspace keyspace, final CommandTable table)
    {
        final HashCommands c = new HashCommands(keyspace);
        table.bind("hset", ctx -> c.hset(ctx, true));
        table.bind("hmset", ctx -> c.hset(ctx, false));
        table.bind("hsetnx", c::hsetnx);
        table.bind("hget", c::hget);
        table.bind("hmget", c::hmget);
        table.bind("hdel", c::hdel);
        table.bind("hlen", c::hlen);
        table.bind("hstrlen", c::hstrlen);
        table.bind("hexists", c::hexists);
        table.bind("hkeys", ctx -> c.getAll(ctx, true, false));
        table.bind("hvals", ctx -> c.getAll(ctx, false, true));
        table.bind("hgetall", ctx -> c.getAll(ctx, true, true));
        table.bind("hincrby", c::hincrby);
        table.bind("hincrbyfloat", c::hincrbyfloat);
        final HashSampling sampling = new HashSampling(c);
        table.bind("hrandfield", sampling::hrandfield);
        table.bind("hscan", sampling::hscan);
    }

    // ------------------------------------------------------------------------------------------------
    // lookups

    /** lookupKeyRead + checkType: the hash's entry, NULL_HANDLE when missing, -1 after writing WRONGTYPE. */
    long lookupRead(final CommandContext ctx)
    {
        return wrapFound(lookup.read(ctx, 1));
    }

    /** lookupKeyWrite + checkType, leaving the key as the database's found entry for the writes after it. */
    private long lookupWrite(final CommandContext ctx)
    {
        return wrapFound(lookup.write(ctx, 1));
    }

    private long wrapFound(final long e)
    {
        if (e < 0)
        {
            return e;
        }
        if (e != NULL_HANDLE)
        {
            hash.wrap(e);
        }
        hash.snapshotRunning(keyspace.snapshotRunning());
        return e;
    }

    /**
     * hashTypeLookupWriteOrCreate, after the writes were checked to fit: the existing hash, or a new empty one.
     * @return false after writing the error (OOM).
     */
    private boolean createIfMissing(final CommandContext ctx, final long e)
    {
        if (e != NULL_HANDLE)
        {
            return true;
        }
        final Args args = ctx.args();
        if (hash.create(keyspace, ctx.db(), args.array(), args.address(1), args.length(1)) == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.OOM);
            return false;
        }
        return true;
    }

    /**
     * hashTypeTryConversion: a listpack about to take an argument in {@code [from, to]} longer than
     * hash-max-listpack-value becomes a hashtable first. @return false after writing OOM.
     */
    private boolean tryConversion(final CommandContext ctx, final int from, final int to)
    {
        if (hash.isHashtable())
        {
            return true;
        }
        final Args args = ctx.args();
        for (int i = from; i <= to; i++)
        {
            if (args.length(i) > ctx.limits().hashMaxListpackValue)
            {
                return convert(ctx);
            }
        }
        return true;
    }

    /** The check after hashTypeSet: a listpack past hash-max-listpack-entries fields becomes a hashtable. */
    private boolean convertIfTooMany(final CommandContext ctx)
    {
        return hash.isHashtable() || hash.length() <= ctx.limits().hashMaxListpackEntries || convert(ctx);
    }

    private boolean convert(final CommandContext ctx)
    {
        if (!hash.convertToHashtable(keyspace, ctx.db()))
        {
            ctx.out().raw(RespConstants.OOM);
            return false;
        }
        return true;
    }

    /** The loaded field or value as a bulk string. */
    void replyLoaded(final RespWriter out)
    {
        if (hash.isInteger())
        {
            out.bulkLong(hash.integer());
        }
        else
        {
            out.bulkFromAddress(hash.address(), hash.stringLength());
        }
    }

    // ------------------------------------------------------------------------------------------------
    // writes

    /** hsetCommand, for HSET (the number of new fields) and HMSET (+OK). */
    private void hset(final CommandContext ctx, final boolean countReply)
    {
        final Args args = ctx.args();
        if (args.count() % 2 == 1)
        {
            ctx.out().error("ERR wrong number of arguments for '" + (countReply ? "hset" : "hmset") + "' command");
            return;
        }
        final long e = lookupWrite(ctx);
        if (e < 0 || !createIfMissing(ctx, e) || !tryConversion(ctx, 2, args.count() - 1))
        {
            return;
        }
        long created = 0;
        for (int i = 2; i < args.count(); i += 2)
        {
            final int added = hash.set(keyspace, ctx.db(), args.buffer(), args.offset(i), args.length(i),
                args.buffer(), args.offset(i + 1), args.length(i + 1));
            if (added < 0 || !convertIfTooMany(ctx))
            {
                ctx.dirty((i - 2) / 2 + (added < 0 ? 0 : 1));
                if (added < 0)
                {
                    ctx.out().raw(RespConstants.OOM);
                }
                return;
            }
            created += added;
        }
        ctx.dirty((args.count() - 2) / 2);
        if (countReply)
        {
            ctx.out().integer(created);
        }
        else
        {
            ctx.out().ok();
        }
    }

    private void hsetnx(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final long e = lookupWrite(ctx);
        if (e < 0)
        {
            return;
        }
        if (e != NULL_HANDLE && hash.find(args.buffer(), args.offset(2), args.length(2)) != HashFlyweight.NONE)
        {
            ctx.out().raw(RespConstants.ZERO);
            return;
        }
        if (!createIfMissing(ctx, e) || !tryConversion(ctx, 2, 3))
        {
            return;
        }
        if (hash.set(keyspace, ctx.db(), args.buffer(), args.offset(2), args.length(2), args.buffer(), args.offset(3),
            args.length(3)) < 0)
        {
            ctx.out().raw(RespConstants.OOM);
            return;
        }
        ctx.dirty(1);
        if (convertIfTooMany(ctx))
        {
            ctx.out().raw(RespConstants.ONE);
        }
    }

    private void hdel(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final long e = lookupWrite(ctx);
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
            final long field = hash.find(args.buffer(), args.offset(i), args.length(i));
            if (field == HashFlyweight.NONE)
            {
                continue;
            }
            hash.delete(keyspace, ctx.db(), field);
            deleted++;
            if (hash.length() == 0)
            {
                keyspace.deleteFound(ctx.db());
                break;
            }
        }
        ctx.dirty(deleted);
        ctx.out().integer(deleted);
    }

    /** hincrbyCommand: the increment is parsed before the key is looked up, as in Redis. */
    private void hincrby(final CommandContext ctx)
    {
        final Args args = ctx.args();
        if (!args.parseLong(3))
        {
            ctx.out().raw(RespConstants.NOT_INTEGER);
            return;
        }
        final long increment = args.longValue();
        final long e = lookupWrite(ctx);
        if (e < 0)
        {
            return;
        }
        long current = 0;
        if (e != NULL_HANDLE)
        {
            final long field = hash.find(args.buffer(), args.offset(2), args.length(2));
            if (field != HashFlyweight.NONE)
            {
                hash.loadValue(field);
                if (hash.isInteger())
                {
                    current = hash.integer();
                }
                else if (!parseLoadedLong())
                {
                    ctx.out().raw(HASH_NOT_INTEGER);
                    return;
                }
                else
                {
                    current = parsedLong;
                }
            }
        }
        if ((increment < 0 && current < 0 && increment < Long.MIN_VALUE - current) ||
            (increment > 0 && current > 0 && increment > Long.MAX_VALUE - current))
        {
            ctx.out().raw(OVERFLOW);
            return;
        }
        final long result = current + increment;
        final int length = HashFlyweight.formatLong(result, digits);
        if (!setField(ctx, e, length))
        {
            return;
        }
        ctx.dirty(1);
        ctx.out().integer(result);
    }

    private void hincrbyfloat(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final String increment = args.toString(3);
        if (!LongDouble.isValid(increment))
        {
            ctx.out().raw(RespConstants.NOT_FLOAT);
            return;
        }
        if (LongDouble.isInfinity(increment))
        {
            ctx.out().raw(NAN_OR_INF_ARG);
            return;
        }
        final long e = lookupWrite(ctx);
        if (e < 0)
        {
            return;
        }
        String current = "0";
        if (e != NULL_HANDLE)
        {
            final long field = hash.find(args.buffer(), args.offset(2), args.length(2));
            if (field != HashFlyweight.NONE)
            {
                hash.loadValue(field);
                current = loadedString();
                if (!LongDouble.isValid(current))
                {
                    ctx.out().raw(HASH_NOT_FLOAT);
                    return;
                }
            }
        }
        final String result = LongDouble.add(current, increment);
        if (result == null)
        {
            ctx.out().raw(NAN_OR_INF);
            return;
        }
        final byte[] bytes = result.getBytes(StandardCharsets.US_ASCII);
        number.wrap(bytes);
        final boolean stored = setField(ctx, e, bytes.length);
        number.wrap(digits);
        if (!stored)
        {
            return;
        }
        ctx.dirty(1);
        ctx.out().bulk(bytes);
        ctx.propagateAs(rewrite.start().add(HSET_CMD).add(args, 1).add(args, 2).add(bytes, 0, bytes.length).args());
    }

    /** Set field argv[2] of the hash {@code e} (or a new one) to the first {@code length} bytes of {@link #number}. */
    private boolean setField(final CommandContext ctx, final long e, final int length)
    {
        final Args args = ctx.args();
        if (!createIfMissing(ctx, e))
        {
            return false;
        }
        if (hash.set(keyspace, ctx.db(), args.buffer(), args.offset(2), args.length(2), number, 0, length) < 0)
        {
            ctx.out().raw(RespConstants.OOM);
            return false;
        }
        return convertIfTooMany(ctx);
    }

    // ------------------------------------------------------------------------------------------------
    // reads

    private void hget(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final long e = lookupRead(ctx);
        if (e < 0)
        {
            return;
        }
        final long field = e == NULL_HANDLE ? HashFlyweight.NONE : hash.find(args.buffer(), args.offset(2), args.length(2));
        if (field == HashFlyweight.NONE)
        {
            ctx.out().nullBulk();
            return;
        }
        hash.loadValue(field);
        replyLoaded(ctx.out());
    }

    private void hmget(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final long e = lookupRead(ctx);
        if (e < 0)
        {
            return;
        }
        final RespWriter out = ctx.out();
        out.arrayHeader(args.count() - 2);
        for (int i = 2; i < args.count(); i++)
        {
            final long field = e == NULL_HANDLE ? HashFlyweight.NONE : hash.find(args.buffer(), args.offset(i), args.length(i));
            if (field == HashFlyweight.NONE)
            {
                out.nullBulk();
            }
            else
            {
                hash.loadValue(field);
                replyLoaded(out);
            }
        }
    }

    private void hlen(final CommandContext ctx)
    {
        final long e = lookupRead(ctx);
        if (e >= 0)
        {
            ctx.out().integer(e == NULL_HANDLE ? 0 : hash.length());
        }
    }

    private void hstrlen(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final long e = lookupRead(ctx);
        if (e < 0)
        {
            return;
        }
        final long field = e == NULL_HANDLE ? HashFlyweight.NONE : hash.find(args.buffer(), args.offset(2), args.length(2));
        ctx.out().integer(field == HashFlyweight.NONE ? 0 : hash.loadValue(field).loadedLength());
    }

    private void hexists(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final long e = lookupRead(ctx);
        if (e >= 0)
        {
            final boolean found = e != NULL_HANDLE && hash.find(args.buffer(), args.offset(2), args.length(2)) != HashFlyweight.NONE;
            ctx.out().raw(found ? RespConstants.ONE : RespConstants.ZERO);
        }
    }

    /** genericHgetallCommand: HKEYS, HVALS, HGETALL (a map in RESP3). */
    private void getAll(final CommandContext ctx, final boolean fields, final boolean values)
    {
        final long e = lookupRead(ctx);
        if (e < 0)
        {
            return;
        }
        final RespWriter out = ctx.out();
        final long length = e == NULL_HANDLE ? 0 : hash.length();
        if (fields && values)
        {
            out.mapHeader(length);
        }
        else
        {
            out.arrayHeader(length);
        }
        if (e == NULL_HANDLE)
        {
            return;
        }
        for (long field = hash.first(); field != HashFlyweight.NONE; field = hash.next(field))
        {
            if (fields)
            {
                hash.loadField(field);
                replyLoaded(out);
            }
            if (values)
            {
                hash.loadValue(field);
                replyLoaded(out);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // numbers

    private long parsedLong;

    /** string2ll over the loaded string value: Redis's rules (no spaces, no '+', no leading zeros). */
    private boolean parseLoadedLong()
    {
        final int length = hash.stringLength();
        if (length == 0 || length > 20)
        {
            return false;
        }
        if (!io.keelkv.engine.types.Strings.isCanonicalLong(null, hash.address(), length))
        {
            return false;
        }
        long value = 0;
        final boolean negative = UnsafeApi.getByte(hash.address()) == '-';
        for (int i = negative ? 1 : 0; i < length; i++)
        {
            value = value * 10 - (UnsafeApi.getByte(hash.address() + i) - '0');
        }
        parsedLong = negative ? value : -value;
        return true;
    }

    private String loadedString()
    {
        if (hash.isInteger())
        {
            return Long.toString(hash.integer());
        }
        final byte[] bytes = new byte[hash.stringLength()];
        UnsafeApi.copyMemory(null, hash.address(), bytes, BYTE_BASE, bytes.length);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
