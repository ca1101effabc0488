package io.keelkv.engine.command;

import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.Digest;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.types.ObjectType;
import io.keelkv.engine.types.Strings;
import org.agrona.UnsafeApi;

import java.util.List;

import static io.keelkv.engine.command.RewrittenArgs.literal;
import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * Engine-side server and connection commands: the ones AOF replay and embedded use need too (SELECT,
 * SWAPDB, FLUSHDB ...) and the ones that only read engine state (DBSIZE, TIME, MEMORY, OBJECT, COMMAND,
 * DEBUG). Connection-level commands (AUTH, HELLO, CLIENT, INFO, CONFIG, SHUTDOWN) are the server's.
 */
final class ServerCommands
{
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);
    private static final byte[] ASYNC = literal("async");
    private static final byte[] SYNC = literal("sync");
    private static final byte[] SAMPLES = literal("samples");
    private static final byte[] INVALID_FIRST_DB = RespConstants.bytes("-ERR invalid first DB index\r\n");
    private static final byte[] INVALID_SECOND_DB = RespConstants.bytes("-ERR invalid second DB index\r\n");

    private final KeelEngine engine;
    private final Keyspace keyspace;
    private final PageMemory memory;
    private final EntryFlyweight entry;

    private ServerCommands(final KeelEngine engine)
    {
        this.engine = engine;
        this.keyspace = engine.keyspace();
        this.memory = keyspace.memory();
        this.entry = new EntryFlyweight(memory);
    }

    static void bind(final KeelEngine engine, final CommandTable table)
    {
        final ServerCommands c = new ServerCommands(engine);
        table.bind("ping", c::ping);
        table.bind("echo", ctx -> ctx.out().bulk(ctx.args().buffer(), ctx.args().offset(1), ctx.args().length(1)));
        table.bind("select", c::select);
        table.bind("swapdb", c::swapdb);
        table.bind("dbsize", ctx -> ctx.out().integer(ctx.db().size()));
        table.bind("flushdb", ctx -> c.flush(ctx, false));
        table.bind("flushall", ctx -> c.flush(ctx, true));
        table.bind("time", c::time);
        table.bind("lastsave", ctx -> ctx.out().integer(engine.lastSaveTimeSec()));
        table.bind("memory|usage", c::memoryUsage);
        table.bind("memory|help", ctx -> help(ctx, "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "USAGE <key> [SAMPLES <count>]", "    Return memory in bytes used by <key> and its value.",
            "HELP", "    Print this help."));
        table.bind("object|encoding", ctx -> c.object(ctx, 0));
        table.bind("object|freq", ctx -> c.object(ctx, 1));
        table.bind("object|idletime", ctx -> c.object(ctx, 2));
        table.bind("object|refcount", ctx -> c.object(ctx, 3));
        table.bind("object|help", ctx -> help(ctx, "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "ENCODING <key>", "    Return the kind of internal representation used in order to store the value",
            "    associated with a <key>.", "FREQ <key>",
            "    Return the access frequency index of the <key>. The returned integer is",
            "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>", "    Return the idle time of the <key>, that is the approximated number of",
            "    seconds elapsed since the last access to the key.", "REFCOUNT <key>",
            "    Return the number of references of the value associated with the specified", "    <key>.",
            "HELP", "    Print this help."));
        final CommandIntrospection introspection = new CommandIntrospection(table);
        table.bind("command", introspection::all);
        table.bind("command|count", introspection::count);
        table.bind("command|info", introspection::info);
        table.bind("command|docs", introspection::docs);
        table.bind("command|list", introspection::list);
        table.bind("command|help", ctx -> help(ctx, "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "(no subcommand)", "    Return details about all Redis commands.", "COUNT",
            "    Return the total number of commands in this Redis server.", "LIST",
            "    Return a list of all commands in this Redis server.", "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.", "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.", "HELP", "    Print this help."));
        table.bind("debug", c::debug);
    }

    static void help(final CommandContext ctx, final String... lines)
    {
        ctx.out().arrayHeader(lines.length);
        for (final String line : lines)
        {
            ctx.out().simpleString(line);
        }
    }

    private void ping(final CommandContext ctx)
    {
        final Args args = ctx.args();
        if (args.count() > 2)
        {
            ctx.out().error("ERR wrong number of arguments for 'ping' command");
        }
        else if (args.count() == 1)
        {
            ctx.out().raw(RespConstants.PONG);
        }
        else
        {
            ctx.out().bulk(args.buffer(), args.offset(1), args.length(1));
        }
    }

    private void select(final CommandContext ctx)
    {
        final Args args = ctx.args();
        if (!args.parseLong(1) || args.longValue() < Integer.MIN_VALUE || args.longValue() > Integer.MAX_VALUE)
        {
            ctx.out().raw(RespConstants.NOT_INTEGER);
            return;
        }
        if (args.longValue() < 0 || args.longValue() >= keyspace.databaseCount())
        {
            ctx.out().raw(RespConstants.DB_INDEX_OUT_OF_RANGE);
            return;
        }
        ctx.client().db((int)args.longValue());
        ctx.out().ok();
    }

    private void swapdb(final CommandContext ctx)
    {
        final Args args = ctx.args();
        if (!args.parseLong(1) || args.longValue() < Integer.MIN_VALUE || args.longValue() > Integer.MAX_VALUE)
        {
            ctx.out().raw(INVALID_FIRST_DB);
            return;
        }
        final long a = args.longValue();
        if (!args.parseLong(2) || args.longValue() < Integer.MIN_VALUE || args.longValue() > Integer.MAX_VALUE)
        {
            ctx.out().raw(INVALID_SECOND_DB);
            return;
        }
        final long b = args.longValue();
        if (a < 0 || a >= keyspace.databaseCount() || b < 0 || b >= keyspace.databaseCount())
        {
            ctx.out().raw(RespConstants.DB_INDEX_OUT_OF_RANGE);
            return;
        }
        keyspace.swapDatabases((int)a, (int)b);
        ctx.dirty(1);
        ctx.out().ok();
    }

    private void flush(final CommandContext ctx, final boolean all)
    {
        final Args args = ctx.args();
        if (args.count() > 2 || (args.count() == 2 && !args.equalsIgnoreCase(1, ASYNC) && !args.equalsIgnoreCase(1, SYNC)))
        {
            ctx.out().raw(RespConstants.SYNTAX_ERROR);
            return;
        }
        final long removed;
        if (all)
        {
            removed = keyspace.totalKeys();
            keyspace.flushAll();
        }
        else
        {
            final Database db = ctx.db();
            removed = db.size();
            db.clear();
        }
        // Redis counts a flush as at least one change, so that it is always propagated
        ctx.dirty(Math.max(1, removed));
        ctx.out().ok();
    }

    private void time(final CommandContext ctx)
    {
        final java.time.Instant now = java.time.Instant.now();
        final RespWriter out = ctx.out();
        out.arrayHeader(2);
        out.bulkLong(now.getEpochSecond());
        out.bulkLong(now.getNano() / 1000);
    }

    private void memoryUsage(final CommandContext ctx)
    {
        final Args args = ctx.args();
        if (args.count() == 5 && args.equalsIgnoreCase(3, SAMPLES))
        {
            if (!args.parseLong(4))
            {
                ctx.out().raw(RespConstants.NOT_INTEGER);
                return;
            }
        }
        else if (args.count() != 3)
        {
            ctx.out().raw(RespConstants.SYNTAX_ERROR);
            return;
        }
        final long e = keyspace.lookupNoTouch(ctx.db(), args.array(), args.address(2), args.length(2));
        if (e == NULL_HANDLE)
        {
            ctx.out().nullBulk();
            return;
        }
        // what the key really holds: its entry's block (header, key, value, size-class rounding) plus its
        // share of the bucket table, one 8-byte slot at load factor <= 1
        ctx.out().integer(memory.blockBytes(entry.wrap(e).length()) + 8);
    }

    private void object(final CommandContext ctx, final int what)
    {
        final Args args = ctx.args();
        final long e = keyspace.lookupNoTouch(ctx.db(), args.array(), args.address(2), args.length(2));
        if (e == NULL_HANDLE)
        {
            ctx.out().nullBulk();
            return;
        }
        entry.wrap(e);
        switch (what)
        {
            case 0:
                ctx.out().bulkString(ObjectType.encodingName(entry.encoding()));
                break;
            case 1:
                if (!keyspace.isLfu())
                {
                    ctx.out().error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. " +
                        "Please note that when switching between policies at runtime LRU and LFU data will take " +
                        "some time to adjust.");
                    return;
                }
                ctx.out().integer(keyspace.lfuCounter(e));
                break;
            case 2:
                if (keyspace.isLfu())
                {
                    ctx.out().error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note " +
                        "that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
                    return;
                }
                ctx.out().integer(keyspace.idleMs(e) / 1000);
                break;
            default:
                // Redis shares the integers 0..9999 (refcount INT_MAX) unless an LRU/LFU policy needs
                // per-object clocks; KeelKV stores them inline but reports what Redis would
                ctx.out().integer(sharedInteger() ? Integer.MAX_VALUE : 1);
                break;
        }
    }

    private boolean sharedInteger()
    {
        if (entry.type() != ObjectType.STRING || entry.encoding() != ObjectType.ENCODING_INT ||
            engine.settings().maxMemoryPolicy.isLfu() || engine.settings().maxMemoryPolicy.name().endsWith("LRU") &&
            engine.settings().maxMemoryBytes > 0)
        {
            return false;
        }
        final long[] value = new long[1];
        return Strings.parseLong(memory, entry.valueHandle(), entry.valueLength(), value) && value[0] >= 0 &&
            value[0] < 10000;
    }

    // ------------------------------------------------------------------------------------------------
    // DEBUG

    private void debug(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final String sub = args.toString(1).toLowerCase(java.util.Locale.ROOT);
        switch (sub)
        {
            case "populate":
                if (args.count() >= 3 && args.count() <= 5)
                {
                    populate(ctx);
                    return;
                }
                break;
            case "digest":
                if (args.count() == 2)
                {
                    ctx.out().simpleString(Digest.hex(new Digest().datasetDigest(keyspace)));
                    return;
                }
                break;
            case "digest-value":
            {
                final Digest digest = new Digest();
                ctx.out().arrayHeader(args.count() - 2);
                for (int i = 2; i < args.count(); i++)
                {
                    final long e = keyspace.lookupNoTouch(ctx.db(), args.array(), args.address(i), args.length(i));
                    ctx.out().simpleString(Digest.hex(e == NULL_HANDLE ? new byte[20] : digest.valueDigest(entry.wrap(e))));
                }
                return;
            }
            case "sleep":
                if (args.count() == 3)
                {
                    try
                    {
                        Thread.sleep((long)(Double.parseDouble(args.toString(2)) * 1000));
                    }
                    catch (final NumberFormatException | InterruptedException ignore)
                    {
                        // Redis treats garbage as 0
                    }
                    ctx.out().ok();
                    return;
                }
                break;
            case "help":
                help(ctx, "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "DIGEST", "    Output a hex signature representing the current DB content.",
                    "DIGEST-VALUE <key> [<key> ...]", "    Output a hex signature of the values of all the specified keys.",
                    "POPULATE <count> [<prefix>] [<size>]", "    Create <count> string keys named key:<num>. If <prefix> is specified then",
                    "    it is used instead of the 'key' prefix. These are not propagated to",
                    "    replicas. Cluster slots are not respected so keys not belonging to the",
                    "    current node can be created in cluster mode.",
                    "SLEEP <seconds>", "    Stop the server for <seconds>. Decimals allowed.",
                    "HELP", "    Print this help.");
                return;
            default:
                break;
        }
        ctx.out().error("ERR unknown subcommand or wrong number of arguments for '" + args.toString(1) +
            "'. Try DEBUG HELP.");
    }

    /** Redis 7.0's DEBUG POPULATE: keys "prefix:j", values "value:j" cut or zero-padded to size. */
    private void populate(final CommandContext ctx)
    {
        final Args args = ctx.args();
        if (!args.parseLong(2) || args.longValue() < 0)
        {
            ctx.out().error("ERR value is out of range, must be positive");
            return;
        }
        final long count = args.longValue();
        long size = 0;
        if (args.count() == 5)
        {
            if (!args.parseLong(4) || args.longValue() < 0)
            {
                ctx.out().error("ERR value is out of range, must be positive");
                return;
            }
            size = args.longValue();
        }
        final byte[] prefix = args.count() >= 4 ? args.copy(3) : literal("key");
        final Database db = ctx.db();
        db.expand(db.size() + count);
        final byte[] key = new byte[prefix.length + 21];
        System.arraycopy(prefix, 0, key, 0, prefix.length);
        key[prefix.length] = ':';
        final byte[] valuePrefix = literal("value:");
        final byte[] value = new byte[(int)Math.max(size, valuePrefix.length + 20)];
        System.arraycopy(valuePrefix, 0, value, 0, valuePrefix.length);
        final byte[] digits = new byte[20];
        for (long j = 0; j < count; j++)
        {
            final int n = Strings.formatLong(j, digits);
            System.arraycopy(digits, 0, key, prefix.length + 1, n);
            final int keyLength = prefix.length + 1 + n;
            if (keyspace.lookupWrite(db, key, BYTE_BASE, keyLength) != NULL_HANDLE)
            {
                continue;
            }
            final int valueLength;
            if (size == 0)
            {
                System.arraycopy(digits, 0, value, valuePrefix.length, n);
                valueLength = valuePrefix.length + n;
            }
            else
            {
                java.util.Arrays.fill(value, valuePrefix.length, value.length, (byte)0);
                System.arraycopy(digits, 0, value, valuePrefix.length, Math.min(n, Math.max(0, (int)size - valuePrefix.length)));
                valueLength = (int)size;
            }
            final long e = Strings.set(keyspace, db, key, BYTE_BASE, keyLength, value, BYTE_BASE, valueLength, -1, false, entry);
            if (e == NULL_HANDLE)
            {
                ctx.out().raw(RespConstants.OOM);
                return;
            }
        }
        ctx.out().ok();
    }

    /** COMMAND and its subcommands, generated from the table: Redis 7's reply shapes. */
    static final class CommandIntrospection
    {
        private final CommandTable table;

        CommandIntrospection(final CommandTable table)
        {
            this.table = table;
        }

        void all(final CommandContext ctx)
        {
            final List<CommandSpec> commands = table.commands();
            ctx.out().arrayHeader(commands.size());
            for (final CommandSpec spec : commands)
            {
                writeInfo(ctx.out(), spec);
            }
        }

        void count(final CommandContext ctx)
        {
            ctx.out().integer(table.commands().size());
        }

        void list(final CommandContext ctx)
        {
            final List<CommandSpec> commands = table.commands();
            ctx.out().arrayHeader(commands.size());
            for (final CommandSpec spec : commands)
            {
                ctx.out().bulkString(spec.fullName());
            }
        }

        void info(final CommandContext ctx)
        {
            final Args args = ctx.args();
            if (args.count() == 2)
            {
                all(ctx);
                return;
            }
            ctx.out().arrayHeader(args.count() - 2);
            for (int i = 2; i < args.count(); i++)
            {
                final CommandSpec spec = table.byName(args.toString(i));
                if (spec == null)
                {
                    ctx.out().nullArray();
                }
                else
                {
                    writeInfo(ctx.out(), spec);
                }
            }
        }

        void docs(final CommandContext ctx)
        {
            final Args args = ctx.args();
            final RespWriter out = ctx.out();
            if (args.count() == 2)
            {
                final List<CommandSpec> commands = table.commands();
                out.mapHeader(commands.size());
                for (final CommandSpec spec : commands)
                {
                    out.bulkString(spec.fullName());
                    writeDocs(out, spec);
                }
                return;
            }
            int found = 0;
            for (int i = 2; i < args.count(); i++)
            {
                if (table.byName(args.toString(i)) != null)
                {
                    found++;
                }
            }
            out.mapHeader(found);
            for (int i = 2; i < args.count(); i++)
            {
                final CommandSpec spec = table.byName(args.toString(i));
                if (spec != null)
                {
                    out.bulkString(spec.fullName());
                    writeDocs(out, spec);
                }
            }
        }

        private static void writeDocs(final RespWriter out, final CommandSpec spec)
        {
            final CommandSpec[] subs = served(spec);
            out.mapHeader(4 + (subs.length > 0 ? 1 : 0));
            out.bulkString("summary");
            out.bulkString(spec.summary());
            out.bulkString("since");
            out.bulkString(spec.since());
            out.bulkString("group");
            out.bulkString(spec.group());
            out.bulkString("complexity");
            out.bulkString(spec.complexity());
            if (subs.length > 0)
            {
                out.bulkString("subcommands");
                out.mapHeader(subs.length);
                for (final CommandSpec sub : subs)
                {
                    out.bulkString(sub.fullName());
                    writeDocs(out, sub);
                }
            }
        }

        private static CommandSpec[] served(final CommandSpec spec)
        {
            int n = 0;
            for (final CommandSpec sub : spec.subcommands())
            {
                if (sub.handler() != null)
                {
                    n++;
                }
            }
            final CommandSpec[] result = new CommandSpec[n];
            n = 0;
            for (final CommandSpec sub : spec.subcommands())
            {
                if (sub.handler() != null)
                {
                    result[n++] = sub;
                }
            }
            return result;
        }

        private static void writeInfo(final RespWriter out, final CommandSpec spec)
        {
            out.arrayHeader(10);
            out.bulkString(spec.fullName());
            out.integer(spec.arity());
            int flagCount = 0;
            for (int bit = 0; bit < CommandFlags.NAMES.length; bit++)
            {
                if ((spec.flags() & (1 << bit)) != 0 && (1 << bit) != CommandFlags.PROTECTED)
                {
                    flagCount++;
                }
            }
            out.setHeader(flagCount);
            for (int bit = 0; bit < CommandFlags.NAMES.length; bit++)
            {
                if ((spec.flags() & (1 << bit)) != 0 && (1 << bit) != CommandFlags.PROTECTED)
                {
                    out.simpleString(CommandFlags.NAMES[bit]);
                }
            }
            out.integer(spec.firstKey());
            out.integer(spec.lastKey());
            out.integer(spec.keyStep());
            out.setHeader(spec.aclCategories().length);
            for (final String category : spec.aclCategories())
            {
                out.simpleString(category);
            }
            out.setHeader(0);
            out.arrayHeader(spec.keySpecs().size());
            for (final CommandSpec.KeySpec ks : spec.keySpecs())
            {
                out.mapHeader(3);
                out.bulkString("flags");
                out.setHeader(ks.flags.length);
                for (final String flag : ks.flags)
                {
                    out.simpleString(flag);
                }
                out.bulkString("begin_search");
                out.mapHeader(2);
                out.bulkString("type");
                out.bulkString("index");
                out.bulkString("spec");
                out.mapHeader(1);
                out.bulkString("index");
                out.integer(ks.beginIndex);
                out.bulkString("find_keys");
                out.mapHeader(2);
                out.bulkString("type");
                out.bulkString("range");
                out.bulkString("spec");
                out.mapHeader(3);
                out.bulkString("lastkey");
                out.integer(ks.lastKey);
                out.bulkString("keystep");
                out.integer(ks.keyStep);
                out.bulkString("limit");
                out.integer(ks.limit);
            }
            final CommandSpec[] subs = served(spec);
            out.arrayHeader(subs.length);
            for (final CommandSpec sub : subs)
            {
                writeInfo(out, sub);
            }
        }
    }
}
