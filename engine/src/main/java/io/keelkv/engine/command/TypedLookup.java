package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * lookupKeyRead / lookupKeyWrite + checkType for one value type, as every collection family's commands begin:
 * the key of an argument is looked up, and an entry of another type gets Redis's WRONGTYPE. The family then
 * wraps its own view over the entry found. One per family, reused: no allocation per call.
 */
final class TypedLookup
{
    private final Keyspace keyspace;
    private final EntryFlyweight entry;
    private final int type;

    TypedLookup(final Keyspace keyspace, final int type)
    {
        this.keyspace = keyspace;
        this.entry = new EntryFlyweight(keyspace.memory());
        this.type = type;
    }

    /** @return the entry of argument {@code arg}, NULL_HANDLE when missing, -1 after writing WRONGTYPE. */
    long read(final CommandContext ctx, final int arg)
    {
        final Args args = ctx.args();
        return checked(ctx, keyspace.lookupRead(ctx.db(), args.array(), args.address(arg), args.length(arg)));
    }

    /** {@link #read}, leaving the key as the database's found entry for the writes after it. */
    long write(final CommandContext ctx, final int arg)
    {
        final Args args = ctx.args();
        return checked(ctx, keyspace.lookupWrite(ctx.db(), args.array(), args.address(arg), args.length(arg)));
    }

    /** @return {@code e} when missing or of this type (then {@link #entry()} is over it), else -1 after WRONGTYPE. */
    long checked(final CommandContext ctx, final long e)
    {
        if (e != NULL_HANDLE && entry.wrap(e).type() != type)
        {
            ctx.out().raw(RespConstants.WRONGTYPE);
            return -1;
        }
        return e;
    }

    /** Over the entry the last lookup found, when it was of this type. */
    EntryFlyweight entry()
    {
        return entry;
    }
}
