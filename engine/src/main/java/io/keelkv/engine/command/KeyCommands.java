package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
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

import static io.keelkv.engine.command.RewrittenArgs.literal;
import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * Generic key commands, as Redis 7.0's db.c: existence and deletion, TYPE, renaming, copying and moving across
 * databases; and the argument helpers the other command classes share. KEYS, SCAN and RANDOMKEY are
 * {@link KeyScanCommands}, the TTL commands {@link ExpireCommands}; {@link #bind} binds all three.
 *
 * <p>Design notes:
 * <ul>
 *   <li>DEL and EXISTS are on the hot path and allocate nothing: pre-encoded errors, one reused
 *   {@link EntryFlyweight}.</li>
 *   <li>Every change counts in the engine's dirty counter exactly where Redis does {@code server.dirty++};
 *   the dispatcher propagates a command only when that counter moved.</li>
 *   <li>RENAME and MOVE keep the entry's access clock (Redis moves the very object); COPY starts a fresh
 *   one (Redis duplicates). All three carry the encoding and the TTL. Today every value is bytes inside
 *   the entry, so a byte copy is a full copy; collection types will need their own duplicate for COPY.</li>
 *   <li>Option names are compared as Redis's strcasecmp compares them, on the C string: "nx\0junk" is NX.</li>
 * </ul>
 */
final class KeyCommands
{
    private static final byte[] DB = literal("db");
    private static final byte[] REPLACE = literal("replace");
    static final byte[] NONE = literal("none");

    static final byte[] SAME_OBJECT = RespConstants.bytes("-ERR source and destination objects are the same\r\n");
    /** getIntFromObjectOrReply's range error (Redis 7.0's wording, grammar included). */
    static final byte[] NOT_AN_INT = RespConstants.bytes(
        "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n");


    /** SCAN TYPE filter values besides the ObjectType codes. */
    static final int[] TYPES = {
        ObjectType.STRING, ObjectType.LIST, ObjectType.SET, ObjectType.ZSET, ObjectType.HASH, ObjectType.STREAM};
    static final byte[][] TYPE_NAMES = new byte[TYPES.length][];

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
        table.bind("touch", c::touch);
        KeyScanCommands.bind(keyspace, table);
        ExpireCommands.bind(keyspace, table);
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

}
