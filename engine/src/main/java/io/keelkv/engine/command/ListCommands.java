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
import org.agrona.ExpandableArrayBuffer;
import org.agrona.UnsafeApi;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * The list command family, non-blocking (Redis 7.0's t_list.c), over {@link Quicklist}: the same replies, errors
 * and order of checks as Redis. A list emptied by a pop, trim or remove is deleted. Propagation as Redis 7.0:
 * every command as itself (all are deterministic), except LMPOP, logged as LPOP/RPOP key count of the list it
 * popped from (mpopGenericCommand's rewrite).
 */
final class ListCommands
{
    private static final byte[] LEFT = RewrittenArgs.literal("left");
    private static final byte[] RIGHT = RewrittenArgs.literal("right");
    private static final byte[] COUNT = RewrittenArgs.literal("count");
    private static final byte[] LPOP_CMD = RewrittenArgs.literal("LPOP");
    private static final byte[] RPOP_CMD = RewrittenArgs.literal("RPOP");

    final Keyspace keyspace;
    private final PageMemory memory;
    private final EntryFlyweight entry;
    private final TypedLookup lookup;
    final Quicklist list; // shared with ListEdits: one owner thread, one command at a time
    final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(64);
    private final byte[] digits = new byte[24];
    private final RewrittenArgs rewrite = new RewrittenArgs();

    private ListCommands(final Keyspace keyspace)
    {
        this.keyspace = keyspace;
        this.lookup = new TypedLookup(keyspace, ObjectType.LIST);
        this.memory = keyspace.memory();
        this.entry = new EntryFlyweight(memory);
        this.list = new Quicklist(memory);
    }

    static void bind(final Keyspace keyspace, final CommandTable table)
    {
        final ListCommands c = new ListCommands(keyspace);
        table.bind("lpush", ctx -> c.push(ctx, true, false));
        table.bind("rpush", ctx -> c.push(ctx, false, false));
        table.bind("lpushx", ctx -> c.push(ctx, true, true));
        table.bind("rpushx", ctx -> c.push(ctx, false, true));
        table.bind("lpop", ctx -> c.pop(ctx, true));
        table.bind("rpop", ctx -> c.pop(ctx, false));
        table.bind("llen", c::llen);
        table.bind("lindex", c::lindex);
        table.bind("lrange", c::lrange);
        final ListEdits edits = new ListEdits(c);
        table.bind("lset", edits::lset);
        table.bind("ltrim", edits::ltrim);
        table.bind("lrem", edits::lrem);
        table.bind("linsert", edits::linsert);
        table.bind("lpos", edits::lpos);
        table.bind("lmove", c::lmove);
        table.bind("rpoplpush", c::rpoplpush);
        table.bind("lmpop", c::lmpop);
        ListBlockingCommands.bind(c, table);
    }

    // ------------------------------------------------------------------------------------------------
    // lookups

    /** The list's entry (list wrapped), NULL_HANDLE when missing, -1 after writing WRONGTYPE. */
    long checkType(final CommandContext ctx, final long e)
    {
        return wrapFound(lookup.checked(ctx, e));
    }

    long lookupRead(final CommandContext ctx, final int arg)
    {
        return wrapFound(lookup.read(ctx, arg));
    }

    long lookupWrite(final CommandContext ctx, final int arg)
    {
        return wrapFound(lookup.write(ctx, arg));
    }

    private long wrapFound(final long e)
    {
        if (e > 0)
        {
            list.wrap(memory.getLong(lookup.entry().valueHandle()));
        }
        return e;
    }

    /** A new empty list under the key just missed by a lookupWrite of argument {@code arg}; NULL_HANDLE on OOM. */
    private long create(final Database db, final Object keyBase, final long keyAddress, final int keyLength)
    {
        final long root = list.create();
        if (root == NULL_HANDLE)
        {
            return NULL_HANDLE;
        }
        final long e = keyspace.addEntry(db, keyBase, keyAddress, keyLength, ObjectType.LIST,
            ObjectType.ENCODING_QUICKLIST, 8, -1);
        if (e == NULL_HANDLE)
        {
            list.free(root);
            return NULL_HANDLE;
        }
        memory.putLong(entry.wrap(e).valueHandle(), root);
        list.wrap(root);
        return e;
    }

    /** The loaded element as a bulk string. */
    void replyLoaded(final RespWriter out)
    {
        list.load();
        if (list.isInteger())
        {
            out.bulkLong(list.integer());
        }
        else
        {
            out.bulkFromAddress(list.address(), list.stringLength());
        }
    }

    /** Copy the loaded element's bytes into the scratch; returns the length. */
    int loadToScratch()
    {
        list.load();
        if (list.isInteger())
        {
            final int length = HashFlyweight.formatLong(list.integer(), digits);
            scratch.putBytes(0, digits, 0, length);
            return length;
        }
        final int length = list.stringLength();
        scratch.checkLimit(length);
        UnsafeApi.copyMemory(null, list.address(), scratch.byteArray(), scratch.addressOffset(), length);
        return length;
    }

    static boolean parseWhere(final Args args, final int i, final boolean[] left)
    {
        if (args.equalsIgnoreCase(i, LEFT))
        {
            left[0] = true;
            return true;
        }
        if (args.equalsIgnoreCase(i, RIGHT))
        {
            left[0] = false;
            return true;
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------------
    // push and pop

    private void push(final CommandContext ctx, final boolean head, final boolean onlyExisting)
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
            if (onlyExisting)
            {
                ctx.out().raw(RespConstants.ZERO);
                return;
            }
            e = create(db, args.array(), args.address(1), args.length(1));
            if (e == NULL_HANDLE)
            {
                ctx.out().raw(RespConstants.OOM);
                return;
            }
        }
        final int fill = ctx.limits().listMaxListpackSize;
        long pushed = 0;
        for (int i = 2; i < args.count(); i++)
        {
            if (!list.push(head, args.buffer(), args.offset(i), args.length(i), fill))
            {
                if (list.length() == 0)
                {
                    keyspace.deleteFound(db);
                }
                ctx.dirty(pushed);
                ctx.out().raw(RespConstants.OOM);
                return;
            }
            pushed++;
        }
        ctx.dirty(pushed);
        ctx.out().integer(list.length());
    }

    private void pop(final CommandContext ctx, final boolean head)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        if (args.count() > 3)
        {
            out.error("ERR wrong number of arguments for '" + (head ? "lpop" : "rpop") + "' command");
            return;
        }
        final boolean hasCount = args.count() == 3;
        long count = 0;
        if (hasCount)
        {
            if (!args.parseLong(2) || args.longValue() < 0)
            {
                out.error("ERR value is out of range, must be positive");
                return;
            }
            count = args.longValue();
        }
        final long e = lookupWrite(ctx, 1);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE)
        {
            if (hasCount)
            {
                out.nullArray();
            }
            else
            {
                out.nullBulk();
            }
            return;
        }
        if (hasCount && count == 0)
        {
            out.raw(RespConstants.EMPTY_ARRAY);
            return;
        }
        if (!hasCount)
        {
            seekEnd(head);
            replyLoaded(out);
            list.deleteCurrent(head);
            ctx.dirty(1);
        }
        else
        {
            final long n = Math.min(count, list.length());
            out.arrayHeader(n);
            for (long i = 0; i < n; i++)
            {
                seekEnd(head);
                replyLoaded(out);
                list.deleteCurrent(head);
            }
            ctx.dirty(n);
        }
        if (list.length() == 0)
        {
            keyspace.deleteFound(ctx.db());
        }
    }

    void seekEnd(final boolean head)
    {
        if (head)
        {
            list.first();
        }
        else
        {
            list.last();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // reads

    private void llen(final CommandContext ctx)
    {
        final long e = lookupRead(ctx, 1);
        if (e >= 0)
        {
            ctx.out().integer(e == NULL_HANDLE ? 0 : list.length());
        }
    }

    private void lindex(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final long e = lookupRead(ctx, 1);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE)
        {
            ctx.out().nullBulk();
            return;
        }
        if (!args.parseLong(2))
        {
            ctx.out().raw(RespConstants.NOT_INTEGER);
            return;
        }
        if (list.seek(args.longValue()))
        {
            replyLoaded(ctx.out());
        }
        else
        {
            ctx.out().nullBulk();
        }
    }

    private void lrange(final CommandContext ctx)
    {
        final Args args = ctx.args();
        if (!args.parseLong(2))
        {
            ctx.out().raw(RespConstants.NOT_INTEGER);
            return;
        }
        final long start = args.longValue();
        if (!args.parseLong(3))
        {
            ctx.out().raw(RespConstants.NOT_INTEGER);
            return;
        }
        final long end = args.longValue();
        final long e = lookupRead(ctx, 1);
        if (e < 0)
        {
            return;
        }
        if (e == NULL_HANDLE)
        {
            ctx.out().raw(RespConstants.EMPTY_ARRAY);
            return;
        }
        rangeReply(ctx.out(), start, end, false);
    }

    /** addListRangeReply: elements start..end (Redis's clamping), tail first when {@code reverse}. */
    private final RangeReplies rangeReplies = new RangeReplies();

    private void rangeReply(final RespWriter out, final long startArg, final long endArg, final boolean reverse)
    {
        final long llen = list.length();
        long start = startArg;
        long end = endArg;
        if (start < 0)
        {
            start = llen + start;
        }
        if (end < 0)
        {
            end = llen + end;
        }
        if (start < 0)
        {
            start = 0;
        }
        if (start > end || start >= llen)
        {
            out.raw(RespConstants.EMPTY_ARRAY);
            return;
        }
        if (end >= llen)
        {
            end = llen - 1;
        }
        final long n = end - start + 1;
        out.arrayHeader(n);
        list.seek(reverse ? end : start);
        rangeReplies.out = out;
        list.visit(n, reverse, rangeReplies);
        rangeReplies.out = null;
    }

    /** LRANGE's elements, written as the list hands them over a node at a time (Quicklist#visit). */
    private static final class RangeReplies implements Quicklist.ElementVisitor
    {
        RespWriter out;

        @Override
        public void string(final long address, final int length)
        {
            out.bulkFromAddress(address, length);
        }

        @Override
        public void integer(final long value)
        {
            out.bulkLong(value);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // moves

    final boolean[] whereFrom = new boolean[1];
    final boolean[] whereTo = new boolean[1];

    private void lmove(final CommandContext ctx)
    {
        final Args args = ctx.args();
        if (!parseWhere(args, 3, whereFrom) || !parseWhere(args, 4, whereTo))
        {
            ctx.out().raw(RespConstants.SYNTAX_ERROR);
            return;
        }
        move(ctx, whereFrom[0], whereTo[0]);
    }

    private void rpoplpush(final CommandContext ctx)
    {
        move(ctx, false, true);
    }

    /** lmoveGenericCommand: source argument 1, destination argument 2. */
    void move(final CommandContext ctx, final boolean fromHead, final boolean toHead)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        final long src = lookupWrite(ctx, 1);
        if (src < 0)
        {
            return;
        }
        if (src == NULL_HANDLE)
        {
            ctx.out().nullBulk();
            return;
        }
        final long srcRoot = list.rootHandle();
        final long dst = lookupWrite(ctx, 2);
        if (dst < 0)
        {
            return;
        }
        // pop into the scratch (the element's bytes leave page memory before the push may move nodes)
        list.wrap(srcRoot);
        seekEnd(fromHead);
        final int length = loadToScratch();
        list.deleteCurrent(fromHead);
        long d = dst;
        if (d == NULL_HANDLE)
        {
            d = create(db, args.array(), args.address(2), args.length(2));
        }
        else
        {
            list.wrap(memory.getLong(entry.wrap(d).valueHandle()));
        }
        if (d == NULL_HANDLE || !list.push(toHead, scratch, 0, length, ctx.limits().listMaxListpackSize))
        {
            // give the element back to the source, so a refused move changes nothing
            if (d != NULL_HANDLE && list.length() == 0)
            {
                keyspace.deleteFound(db);
            }
            list.wrap(srcRoot);
            list.push(fromHead, scratch, 0, length, Integer.MAX_VALUE);
            ctx.out().raw(RespConstants.OOM);
            return;
        }
        ctx.out().bulk(scratch, 0, length);
        ctx.dirty(1);
        list.wrap(srcRoot);
        if (list.length() == 0)
        {
            lookupWrite(ctx, 1);
            keyspace.deleteFound(db);
        }
    }

    /** LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]. */
    private void lmpop(final CommandContext ctx)
    {
        if (!parseMpop(ctx, 1))
        {
            return;
        }
        for (int k = 2; k < 2 + mpopKeys; k++)
        {
            final long e = lookupWrite(ctx, k);
            if (e < 0)
            {
                return;
            }
            if (e != NULL_HANDLE && list.length() != 0)
            {
                popManyWithKey(ctx, k, mpopHead, mpopCount);
                return;
            }
        }
        ctx.out().nullArray();
    }

    /** What the last {@link #parseMpop} read: the number of keys, the end, the count. */
    int mpopKeys;
    boolean mpopHead;
    long mpopCount;

    /**
     * lmpopGenericCommand's parse from the numkeys argument on (LMPOP's 1, BLMPOP's 2): numkeys, then LEFT|RIGHT,
     * then [COUNT count], each with Redis's error; false after the error reply.
     */
    boolean parseMpop(final CommandContext ctx, final int numKeysArg)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        if (!args.parseLong(numKeysArg) || args.longValue() < 1)
        {
            out.error("ERR numkeys should be greater than 0");
            return false;
        }
        final long numKeys = args.longValue();
        // Redis's where index would overflow past LONG_MAX keys; any count beyond the arguments is its syntax error
        if (numKeys >= args.count() || numKeysArg + numKeys + 1 >= args.count())
        {
            out.raw(RespConstants.SYNTAX_ERROR);
            return false;
        }
        final int whereIndex = (int)(numKeysArg + numKeys + 1);
        if (!parseWhere(args, whereIndex, whereFrom))
        {
            out.raw(RespConstants.SYNTAX_ERROR);
            return false;
        }
        long count = -1;
        for (int j = whereIndex + 1; j < args.count(); j++)
        {
            final boolean moreArgs = args.count() - 1 - j > 0;
            if (count == -1 && args.equalsIgnoreCase(j, COUNT) && moreArgs)
            {
                j++;
                if (!args.parseLong(j) || args.longValue() < 1)
                {
                    out.error("ERR count should be greater than 0");
                    return false;
                }
                count = args.longValue();
            }
            else
            {
                out.raw(RespConstants.SYNTAX_ERROR);
                return false;
            }
        }
        mpopKeys = (int)numKeys;
        mpopHead = whereFrom[0];
        mpopCount = count == -1 ? 1 : count;
        return true;
    }

    /**
     * Pop up to {@code count} elements of the list just looked up under key argument {@code k}, reply [key,
     * [elements]], delete it when emptied; logged as LPOP/RPOP key n (mpopGenericCommand's rewrite).
     */
    void popManyWithKey(final CommandContext ctx, final int k, final boolean head, final long count)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        final long n = Math.min(count, list.length());
        out.arrayHeader(2);
        out.bulk(args.buffer(), args.offset(k), args.length(k));
        out.arrayHeader(n);
        for (long i = 0; i < n; i++)
        {
            seekEnd(head);
            replyLoaded(out);
            list.deleteCurrent(head);
        }
        if (list.length() == 0)
        {
            keyspace.deleteFound(ctx.db());
        }
        ctx.dirty(n);
        ctx.propagateAs(rewrite.start().add(head ? LPOP_CMD : RPOP_CMD).add(args, k).add(n).args());
    }
}
