package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;

import static io.keelkv.engine.command.KeyCommands.option;
import static io.keelkv.engine.command.RewrittenArgs.literal;
import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * Time to live, as Redis 7.0's expire.c: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (NX, XX, GT, LT), TTL, PTTL,
 * EXPIRETIME, PEXPIRETIME and PERSIST.
 *
 * <p>Design notes: EXPIRE and TTL are on the hot path and allocate nothing (pre-encoded errors, one reused
 * {@link EntryFlyweight}, a reused {@link RewrittenArgs} for the AOF form). They are logged as Redis 7.0
 * propagates them: EXPIRE, PEXPIRE and EXPIREAT as {@code PEXPIREAT key <absolute ms> [flags]}, and a deadline
 * already past deletes the key and is logged as {@code DEL key} (expireGenericCommand's
 * rewriteClientCommandVector; KeelKV has no lazyfree-lazy-expire, so never UNLINK). Every change counts in
 * the dirty counter where Redis does {@code server.dirty++}.
 */
final class ExpireCommands
{
    private static final byte[] NX = literal("nx");
    private static final byte[] XX = literal("xx");
    private static final byte[] GT = literal("gt");
    private static final byte[] LT = literal("lt");
    private static final byte[] DEL_COMMAND = literal("DEL");
    private static final byte[] PEXPIREAT_COMMAND = literal("PEXPIREAT");
    private static final byte[] INCOMPATIBLE_NX = RespConstants.bytes(
        "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n");
    private static final byte[] INCOMPATIBLE_GT_LT = RespConstants.bytes(
        "-ERR GT and LT options at the same time are not compatible\r\n");
    private static final int EXPIRE_NX = 1;
    private static final int EXPIRE_XX = 2;
    private static final int EXPIRE_GT = 4;
    private static final int EXPIRE_LT = 8;

    private final Keyspace keyspace;
    private final EntryFlyweight entry;
    private final RewrittenArgs rewrite = new RewrittenArgs();

    private ExpireCommands(final Keyspace keyspace)
    {
        this.keyspace = keyspace;
        this.entry = new EntryFlyweight(keyspace.memory());
    }

    static void bind(final Keyspace keyspace, final CommandTable table)
    {
        final ExpireCommands c = new ExpireCommands(keyspace);
        table.bind("expire", ctx -> c.expire(ctx, true, false));
        table.bind("pexpire", ctx -> c.expire(ctx, false, false));
        table.bind("expireat", ctx -> c.expire(ctx, true, true));
        table.bind("pexpireat", ctx -> c.expire(ctx, false, true));
        table.bind("ttl", ctx -> c.ttl(ctx, false, false));
        table.bind("pttl", ctx -> c.ttl(ctx, true, false));
        table.bind("expiretime", ctx -> c.ttl(ctx, false, true));
        table.bind("pexpiretime", ctx -> c.ttl(ctx, true, true));
        table.bind("persist", c::persist);
    }


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
