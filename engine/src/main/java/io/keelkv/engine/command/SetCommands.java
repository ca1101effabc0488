package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.keyspace.ObjectType;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.types.PagedDict;
import io.keelkv.engine.types.SetBuilder;
import io.keelkv.engine.types.SetFlyweight;

import java.util.SplittableRandom;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * The set command family's single-key commands and SMOVE (Redis 7.0's t_set.c), over {@link SetFlyweight}:
 * the same replies, errors, order of checks and encodings as Redis. The multi-key algebra (SINTER, SUNION,
 * SDIFF and their STORE and CARD forms, SMEMBERS) is {@link SetOperations}.
 *
 * <p>Randomness is logged deterministically: SPOP as SREM of what it popped (with a count, one SREM of every
 * popped member where Redis 7.0 writes MULTI, one SREM per member, EXEC: the same data on replay), or as DEL
 * when it empties the set. SPOP and SRANDMEMBER with a count do bounded work like Redis's: random draws, O(count),
 * while the count is small against the set; one pass only when the count is close to the size.
 *
 * <p>SADD, SREM, SISMEMBER, SCARD and SMISMEMBER allocate nothing.
 */
final class SetCommands
{


    final Keyspace keyspace;
    private final EntryFlyweight entry;
    private final TypedLookup lookup;
    final SetFlyweight set; // shared with SetSampling: one owner thread, one command at a time
    final SetBuilder builder;
    final RewrittenArgs rewrite = new RewrittenArgs();

    private SetCommands(final Keyspace keyspace)
    {
        this.keyspace = keyspace;
        this.lookup = new TypedLookup(keyspace, ObjectType.SET);
        this.entry = new EntryFlyweight(keyspace.memory());
        this.set = new SetFlyweight(keyspace.memory());
        this.builder = new SetBuilder(keyspace.memory());
    }

    static void bind(final Keyspace keyspace, final CommandTable table)
    {
        final SetCommands c = new SetCommands(keyspace);
        table.bind("sadd", c::sadd);
        table.bind("srem", c::srem);
        table.bind("scard", c::scard);
        table.bind("sismember", c::sismember);
        table.bind("smismember", c::smismember);
        final SetSampling sampling = new SetSampling(c);
        table.bind("srandmember", sampling::srandmember);
        table.bind("spop", sampling::spop);
        table.bind("smove", c::smove);
        table.bind("sscan", sampling::sscan);
        SetOperations.bind(keyspace, table);
    }

    // ------------------------------------------------------------------------------------------------
    // lookups

    long lookupRead(final CommandContext ctx, final int arg)
    {
        return wrapFound(lookup.read(ctx, arg));
    }

    /** lookupKeyWrite + checkType, leaving the key as the database's found entry for the writes after it. */
    long lookupWrite(final CommandContext ctx, final int arg)
    {
        return wrapFound(lookup.write(ctx, arg));
    }

    /** The set's entry (wrapped), NULL_HANDLE when missing, -1 after WRONGTYPE (TypedLookup). */
    private long wrapFound(final long e)
    {
        if (e < 0)
        {
            return e;
        }
        if (e != NULL_HANDLE)
        {
            set.wrap(e);
        }
        set.snapshotRunning(keyspace.snapshotRunning());
        return e;
    }

    /** The loaded member as a bulk string. */
    void replyLoaded(final RespWriter out)
    {
        if (set.isInteger())
        {
            out.bulkLong(set.integer());
        }
        else
        {
            out.bulkFromAddress(set.address(), set.stringLength());
        }
    }

    /** The loaded member as the next argument of the rewritten command. */
    void rewriteLoaded()
    {
        if (set.isInteger())
        {
            rewrite.add(set.integer());
        }
        else
        {
            rewrite.addFromAddress(set.address(), set.stringLength());
        }
    }

    SplittableRandom random()
    {
        return keyspace.random();
    }

    // ------------------------------------------------------------------------------------------------
    // writes

    private void sadd(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        long e = lookupWrite(ctx, 1);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE)
        {
            e = set.create(keyspace, db, args.array(), args.address(1), args.length(1), args.array(), args.address(2),
                args.length(2));
            if (e == NULL_HANDLE)
            {
                ctx.out().raw(RespConstants.OOM);
                return;
            }
        }
        final long max = ctx.limits().setMaxIntsetEntries;
        long added = 0;
        for (int i = 2; i < args.count(); i++)
        {
            final int result = set.add(keyspace, db, max, args.array(), args.address(i), args.length(i));
            if (result == PagedDict.OUT_OF_MEMORY)
            {
                if (set.length() == 0)
                {
                    keyspace.deleteFound(db); // the set made for this command: an empty set is never kept
                }
                ctx.dirty(added);
                ctx.out().raw(RespConstants.OOM);
                return;
            }
            added += result;
        }
        ctx.dirty(added);
        ctx.out().integer(added);
    }

    private void srem(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final long e = lookupWrite(ctx, 1);
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
            if (set.remove(keyspace, ctx.db(), args.array(), args.address(i), args.length(i)))
            {
                deleted++;
                if (set.length() == 0)
                {
                    keyspace.deleteFound(ctx.db());
                    break;
                }
            }
        }
        ctx.dirty(deleted);
        ctx.out().integer(deleted);
    }

    /** smoveCommand: a missing source answers 0 before either type is checked; a move onto itself is a lookup. */
    private void smove(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        final long src = keyspace.lookupWrite(db, args.array(), args.address(1), args.length(1));
        final long dst = keyspace.lookupWrite(db, args.array(), args.address(2), args.length(2));
        if (src == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.ZERO);
            return;
        }
        if (entry.wrap(src).type() != ObjectType.SET || (dst != NULL_HANDLE && entry.wrap(dst).type() != ObjectType.SET))
        {
            ctx.out().raw(RespConstants.WRONGTYPE);
            return;
        }
        if (src == dst)
        {
            set.wrap(src).snapshotRunning(keyspace.snapshotRunning());
            ctx.out().raw(set.contains(args.array(), args.address(3), args.length(3)) ? RespConstants.ONE : RespConstants.ZERO);
            return;
        }
        // the writes need each key as the found entry: look the source up again (no expiry can run in between)
        lookupWrite(ctx, 1);
        if (!set.remove(keyspace, db, args.array(), args.address(3), args.length(3)))
        {
            ctx.out().raw(RespConstants.ZERO);
            return;
        }
        if (set.length() == 0)
        {
            keyspace.deleteFound(db);
        }
        ctx.dirty(1);
        ctx.keyChanged(1);
        long e = lookupWrite(ctx, 2);
        if (e == NULL_HANDLE)
        {
            e = set.create(keyspace, db, args.array(), args.address(2), args.length(2), args.array(), args.address(3),
                args.length(3));
        }
        final int added = e == NULL_HANDLE ? PagedDict.OUT_OF_MEMORY :
            set.add(keyspace, db, ctx.limits().setMaxIntsetEntries, args.array(), args.address(3), args.length(3));
        if (added == PagedDict.OUT_OF_MEMORY)
        {
            if (e != NULL_HANDLE && set.length() == 0)
            {
                keyspace.deleteFound(db);
            }
            ctx.out().raw(RespConstants.OOM);
            return;
        }
        ctx.dirty(added);
        if (added > 0)
        {
            ctx.keyChanged(2); // a member the destination already held changes nothing there (Redis's smoveCommand)
        }
        ctx.out().raw(RespConstants.ONE);
    }

    // ------------------------------------------------------------------------------------------------
    // reads

    private void scard(final CommandContext ctx)
    {
        final long e = lookupRead(ctx, 1);
        if (e >= 0)
        {
            ctx.out().integer(e == NULL_HANDLE ? 0 : set.length());
        }
    }

    private void sismember(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final long e = lookupRead(ctx, 1);
        if (e >= 0)
        {
            final boolean found = e != NULL_HANDLE && set.contains(args.array(), args.address(2), args.length(2));
            ctx.out().raw(found ? RespConstants.ONE : RespConstants.ZERO);
        }
    }

    private void smismember(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final long e = lookupRead(ctx, 1);
        if (e < 0)
        {
            return;
        }
        final RespWriter out = ctx.out();
        out.arrayHeader(args.count() - 2);
        for (int i = 2; i < args.count(); i++)
        {
            final boolean found = e != NULL_HANDLE && set.contains(args.array(), args.address(i), args.length(i));
            out.raw(found ? RespConstants.ONE : RespConstants.ZERO);
        }
    }
}
