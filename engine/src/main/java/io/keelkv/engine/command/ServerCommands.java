package io.keelkv.engine.command;

import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.Digest;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.EvictionPolicy;
import io.keelkv.engine.keyspace.GlobMatcher;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.snapshot.SnapshotException;
import io.keelkv.engine.types.ObjectType;
import io.keelkv.engine.types.Strings;
import org.agrona.UnsafeApi;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.keelkv.engine.command.KeyCommands.cStringLength;
import static io.keelkv.engine.command.KeyCommands.intArg;
import static io.keelkv.engine.command.KeyCommands.option;
import static io.keelkv.engine.command.RewrittenArgs.literal;
import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * Engine-side server and connection commands: those AOF replay and embedded use need too (SELECT,
 * SWAPDB, FLUSHDB, FLUSHALL), those that only read engine state (PING, ECHO, DBSIZE, TIME, LASTSAVE,
 * MEMORY USAGE, OBJECT, COMMAND, DEBUG), and the foreground snapshot (SAVE, DEBUG RELOAD) to the file the
 * owner set with {@link KeelEngine#snapshotFile(java.nio.file.Path)}. Client-level commands (AUTH, HELLO, CLIENT, INFO, CONFIG,
 * SHUTDOWN) and the enable-debug-command gate are the server's.
 *
 * <p>Replies and error texts are Redis 7.0.15's, checked against redis-server. Where Redis prints a C
 * string ("%s") the argument is cut at its first NUL here too. The introspection commands are generated
 * from the command table at call time, so they list whatever the engine and the server have bound.
 * None of this is on the hot path; DEBUG and COMMAND allocate freely.
 */
final class ServerCommands
{
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);
    private static final byte[] ASYNC = literal("async");
    private static final byte[] SYNC = literal("sync");
    private static final byte[] SAMPLES = literal("samples");
    private static final byte[] FILTERBY = literal("filterby");
    private static final byte[] MODULE = literal("module");
    private static final byte[] ACLCAT = literal("aclcat");
    private static final byte[] PATTERN = literal("pattern");
    private static final byte[] HELP = literal("help");
    private static final byte[] POPULATE = literal("populate");
    private static final byte[] DIGEST = literal("digest");
    private static final byte[] DIGEST_VALUE = literal("digest-value");
    private static final byte[] SLEEP = literal("sleep");
    private static final byte[] RELOAD = literal("reload");
    private static final byte[] MERGE = literal("merge");
    private static final byte[] NOFLUSH = literal("noflush");
    private static final byte[] NOSAVE = literal("nosave");
    /** shared.err: what Redis's SAVE and DEBUG RELOAD answer when rdbSave fails (the reason is in the log). */
    private static final byte[] BARE_ERR = RespConstants.bytes("-ERR\r\n");
    private static final byte[] INVALID_FIRST_DB = RespConstants.bytes("-ERR invalid first DB index\r\n");
    private static final byte[] INVALID_SECOND_DB = RespConstants.bytes("-ERR invalid second DB index\r\n");
    private static final byte[] MUST_BE_POSITIVE = RespConstants.bytes("-ERR value is out of range, must be positive\r\n");
    private static final byte[] OOM_IN_EXPAND = RespConstants.bytes("-ERR OOM in dictTryExpand\r\n");
    private static final byte[] TOO_BIG = RespConstants.bytes(
        "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
    private static final byte[] LFU_NOT_SELECTED = RespConstants.bytes("-ERR An LFU maxmemory policy is not selected, " +
        "access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data " +
        "will take some time to adjust.\r\n");
    private static final byte[] LFU_SELECTED = RespConstants.bytes("-ERR An LFU maxmemory policy is selected, idle " +
        "time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take " +
        "some time to adjust.\r\n");
    private static final byte[] VALUE_PREFIX = literal("value:");
    private static final byte[] DEFAULT_PREFIX = literal("key");

    /** Redis shares the string objects of 0..9999 (OBJ_SHARED_INTEGERS) and reports them as refcount INT_MAX. */
    private static final long SHARED_INTEGERS = 10000;
    /** snprintf(buf, 128, "%s:%lu") in DEBUG POPULATE: keys are cut to 127 bytes. */
    private static final int POPULATE_KEY_MAX = 127;

    private static final String[] MEMORY_HELP = {
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        "HELP",
        "    Prints this help."};
    private static final String[] OBJECT_HELP = {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help."};
    private static final String[] COMMAND_HELP = {
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "HELP",
        "    Prints this help."};
    /** Redis's DEBUG HELP lines for the subcommands KeelKV serves, in Redis's order. */
    private static final String[] DEBUG_HELP = {
        "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DIGEST",
        "    Output a hex signature representing the current DB content.",
        "DIGEST-VALUE <key> [<key> ...]",
        "    Output a hex signature of the values of all the specified keys.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Create <count> string keys named key:<num>. If <prefix> is specified then",
        "    it is used instead of the 'key' prefix. These are not propagated to",
        "    replicas. Cluster slots are not respected so keys not belonging to the",
        "    current node can be created in cluster mode.",
        "RELOAD [option ...]",
        "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
        "    * MERGE: conflicting keys will be loaded from RDB.",
        "    * NOFLUSH: the existing database will not be removed before load, but",
        "      conflicting keys will generate an exception and kill the server.",
        "    * NOSAVE: the database will be loaded from an existing RDB file.",
        "    Examples:",
        "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
        "      the database.",
        "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
        "      existing RDB file.",
        "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
        "      file to the database.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        "HELP",
        "    Prints this help."};

    private final KeelEngine engine;
    private final Keyspace keyspace;
    private final PageMemory memory;
    private final EntryFlyweight entry;
    private final Digest digest;
    private final byte[] digestBytes = new byte[Digest.DIGEST_LENGTH];
    private final byte[] digestHex = new byte[2 * Digest.DIGEST_LENGTH];
    private final byte[] populateKey = new byte[POPULATE_KEY_MAX];
    private final byte[] populateValue = new byte[VALUE_PREFIX.length + 20];
    private final byte[] digits = new byte[20];

    private ServerCommands(final KeelEngine engine)
    {
        this.engine = engine;
        this.keyspace = engine.keyspace();
        this.memory = keyspace.memory();
        this.entry = new EntryFlyweight(memory);
        this.digest = new Digest(memory);
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
        table.bind("time", ServerCommands::time);
        table.bind("lastsave", ctx -> ctx.out().integer(engine.lastSaveTimeSec()));
        table.bind("save", c::save);
        table.bind("memory|usage", c::memoryUsage);
        table.bind("memory|help", ctx -> help(ctx, MEMORY_HELP));
        table.bind("object|encoding", c::objectEncoding);
        table.bind("object|freq", c::objectFreq);
        table.bind("object|idletime", c::objectIdletime);
        table.bind("object|refcount", c::objectRefcount);
        table.bind("object|help", ctx -> help(ctx, OBJECT_HELP));
        final CommandIntrospection introspection = new CommandIntrospection(table);
        table.bind("command", introspection::all);
        table.bind("command|count", introspection::count);
        table.bind("command|info", introspection::info);
        table.bind("command|docs", introspection::docs);
        table.bind("command|list", introspection::list);
        table.bind("command|help", ctx -> help(ctx, COMMAND_HELP));
        table.bind("debug", c::debug);
    }

    /** addReplyHelp: an array of status lines. */
    static void help(final CommandContext ctx, final String... lines)
    {
        ctx.out().arrayHeader(lines.length);
        for (final String line : lines)
        {
            ctx.out().simpleString(line);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // PING SELECT SWAPDB FLUSHDB FLUSHALL TIME

    /**
     * pingCommand: +PONG or the argument as a bulk string, in RESP2 and RESP3 alike. (The RESP2
     * pub/sub-mode form, ["pong", msg], needs the subscription state, which is the server's.)
     */
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
        if (!intArg(ctx, 1, null))
        {
            return;
        }
        final long index = ctx.args().longValue();
        if (index < 0 || index >= keyspace.databaseCount())
        {
            ctx.out().raw(RespConstants.DB_INDEX_OUT_OF_RANGE);
            return;
        }
        ctx.client().db((int)index);
        ctx.out().ok();
    }

    /** swapdbCommand: both indexes parsed (with their own errors) before the range check; same db is OK. */
    private void swapdb(final CommandContext ctx)
    {
        final Args args = ctx.args();
        if (!intArg(ctx, 1, INVALID_FIRST_DB))
        {
            return;
        }
        final long a = args.longValue();
        if (!intArg(ctx, 2, INVALID_SECOND_DB))
        {
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

    /**
     * FLUSHDB and FLUSHALL [ASYNC|SYNC]: both flush synchronously (FLUSHALL is O(pages): the page memory is
     * reset as a whole). Dirty grows by the keys removed as in Redis; FLUSHALL adds one more, and a FLUSHDB
     * of an empty db still counts one, standing in for Redis's forceCommandPropagation so the AOF sees it.
     */
    private void flush(final CommandContext ctx, final boolean all)
    {
        final Args args = ctx.args();
        if (args.count() > 2 || (args.count() == 2 && !option(args, 1, ASYNC) && !option(args, 1, SYNC)))
        {
            ctx.out().raw(RespConstants.SYNTAX_ERROR);
            return;
        }
        if (all)
        {
            final long removed = keyspace.totalKeys();
            keyspace.flushAll();
            ctx.dirty(removed + 1);
        }
        else
        {
            final Database db = ctx.db();
            final long removed = db.size();
            db.clear();
            ctx.dirty(Math.max(1, removed));
        }
        ctx.out().ok();
    }

    private static void time(final CommandContext ctx)
    {
        final java.time.Instant now = java.time.Instant.now();
        final RespWriter out = ctx.out();
        out.arrayHeader(2);
        out.bulkLong(now.getEpochSecond());
        out.bulkLong(now.getNano() / 1000);
    }

    // ------------------------------------------------------------------------------------------------
    // MEMORY USAGE, OBJECT

    /**
     * MEMORY USAGE key [SAMPLES n]...: the bytes this key really holds in KeelKV, which is not Redis's
     * figure (no robj, sds or dictEntry here):
     * <pre>
     *   usage = memory.blockBytes(entry length)   header + key + value, rounded up to its size class (or pages)
     *         + 8                                 the key's share of the bucket table: one 8-byte slot per key
     *                                             at the load factor of 1 the table grows at
     * </pre>
     * The volatile-key vector's 8-byte slot of a key with a TTL is not counted (Redis leaves its expires
     * dict out too). SAMPLES is parsed and checked as Redis does, and meaningless for strings. Like Redis
     * (dictFind), a key past its deadline but not yet removed is still measured.
     */
    private void memoryUsage(final CommandContext ctx)
    {
        final Args args = ctx.args();
        for (int j = 3; j < args.count(); j++)
        {
            if (option(args, j, SAMPLES) && j + 1 < args.count())
            {
                if (!args.parseLong(j + 1))
                {
                    ctx.out().raw(RespConstants.NOT_INTEGER);
                    return;
                }
                if (args.longValue() < 0)
                {
                    ctx.out().raw(RespConstants.SYNTAX_ERROR);
                    return;
                }
                j++;
            }
            else
            {
                ctx.out().raw(RespConstants.SYNTAX_ERROR);
                return;
            }
        }
        final long e = ctx.db().find(args.array(), args.address(2), args.length(2));
        if (e == NULL_HANDLE)
        {
            ctx.out().nullBulk();
            return;
        }
        ctx.out().integer(memory.blockBytes(entry.wrap(e).length()) + 8);
    }

    /** objectCommandLookupOrReply: a lookup that expires but does not touch; nil when missing. */
    private long objectLookup(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final long e = keyspace.lookupNoTouch(ctx.db(), args.array(), args.address(2), args.length(2));
        if (e == NULL_HANDLE)
        {
            ctx.out().nullBulk();
        }
        return e;
    }

    private void objectEncoding(final CommandContext ctx)
    {
        final long e = objectLookup(ctx);
        if (e != NULL_HANDLE)
        {
            ctx.out().bulkString(ObjectType.encodingName(entry.wrap(e).encoding()));
        }
    }

    private void objectFreq(final CommandContext ctx)
    {
        final long e = objectLookup(ctx);
        if (e == NULL_HANDLE)
        {
            return;
        }
        if (!keyspace.isLfu())
        {
            ctx.out().raw(LFU_NOT_SELECTED);
            return;
        }
        ctx.out().integer(keyspace.lfuCounter(e));
    }

    private void objectIdletime(final CommandContext ctx)
    {
        final long e = objectLookup(ctx);
        if (e == NULL_HANDLE)
        {
            return;
        }
        if (keyspace.isLfu())
        {
            ctx.out().raw(LFU_SELECTED);
            return;
        }
        ctx.out().integer(keyspace.idleMs(e) / 1000);
    }

    /**
     * Redis 7.0 answers 2147483647 (OBJ_SHARED_REFCOUNT) for an int-encoded string in 0..9999, which it
     * takes from its shared integer objects unless maxmemory is set with an LRU or LFU policy (those need a
     * clock per object); every other value has refcount 1 once stored. KeelKV shares nothing but reports
     * what Redis would under the current settings. (Redis decides when the value is created, and a COPY of
     * a shared integer is unshared; neither history is kept here.)
     */
    private void objectRefcount(final CommandContext ctx)
    {
        final long e = objectLookup(ctx);
        if (e != NULL_HANDLE)
        {
            ctx.out().integer(isSharedInteger(e) ? Integer.MAX_VALUE : 1);
        }
    }

    private boolean isSharedInteger(final long e)
    {
        entry.wrap(e);
        if (entry.type() != ObjectType.STRING || entry.encoding() != ObjectType.ENCODING_INT)
        {
            return false;
        }
        final EvictionPolicy policy = engine.settings().maxMemoryPolicy;
        final boolean needsClock = policy == EvictionPolicy.ALLKEYS_LRU || policy == EvictionPolicy.VOLATILE_LRU ||
            policy.isLfu();
        if (engine.settings().maxMemoryBytes > 0 && needsClock)
        {
            return false;
        }
        final long address = entry.valueAddress();
        final int length = entry.valueLength();
        if (!Strings.isCanonicalLong(null, address, length))
        {
            return false;
        }
        final long value = Strings.parseCanonicalLong(null, address, length);
        return value >= 0 && value < SHARED_INTEGERS;
    }

    // ------------------------------------------------------------------------------------------------
    // DEBUG

    /**
     * DEBUG is one command of arity -2 in Redis, not a container: the subcommand and its argument count are
     * checked here, in debugCommand's order, and anything else gets addReplySubcommandSyntaxError.
     */
    private void debug(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final int argc = args.count();
        if (argc == 2 && option(args, 1, HELP))
        {
            help(ctx, DEBUG_HELP);
        }
        else if (option(args, 1, POPULATE) && argc >= 3 && argc <= 5)
        {
            populate(ctx);
        }
        else if (option(args, 1, DIGEST) && argc == 2)
        {
            digest.dataset(keyspace, digestBytes);
            Digest.hex(digestBytes, digestHex);
            ctx.out().simpleString(digestHex);
        }
        else if (option(args, 1, DIGEST_VALUE))
        {
            digestValues(ctx);
        }
        else if (option(args, 1, RELOAD))
        {
            reload(ctx);
        }
        else if (option(args, 1, SLEEP) && argc == 3)
        {
            sleep(parseDoublePrefix(args, 2));
            ctx.out().ok();
        }
        else
        {
            ctx.out().raw(subcommandSyntaxError(args));
        }
    }

    // ------------------------------------------------------------------------------------------------
    // SAVE and DEBUG RELOAD

    /**
     * SAVE, Redis's saveCommand: a foreground snapshot to the engine's snapshot file, counted in rdb_saves
     * whether it succeeds or not. Failure answers Redis's bare "-ERR"; the reason goes to the listener (the
     * server's log), as rdbSave logs it. No BGSAVE runs yet, so there is never one in progress to refuse for.
     */
    private void save(final CommandContext ctx)
    {
        engine.countSnapshotSave();
        if (saveToSnapshotFile())
        {
            ctx.out().ok();
        }
        else
        {
            ctx.out().raw(BARE_ERR);
        }
    }

    private boolean saveToSnapshotFile()
    {
        final java.nio.file.Path file = engine.snapshotFile();
        if (file == null)
        {
            engine.snapshotListener().onSaveFailed(null, new SnapshotException("no snapshot file is configured"));
            return false;
        }
        try
        {
            engine.snapshotListener().onSaved(file, engine.save(file));
            return true;
        }
        catch (final SnapshotException ex)
        {
            engine.snapshotListener().onSaveFailed(file, ex);
            return false;
        }
    }

    /**
     * DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE], in debugCommand's order: save (unless NOSAVE; a failure answers
     * "-ERR" and keeps the data), flush (unless NOFLUSH), load. A snapshot restores pages into an empty engine,
     * so loading on top of data (NOFLUSH or MERGE with keys present) is refused here rather than merged.
     */
    private void reload(final CommandContext ctx)
    {
        final Args args = ctx.args();
        boolean flush = true;
        boolean save = true;
        boolean merge = false;
        for (int i = 2; i < args.count(); i++)
        {
            if (option(args, i, MERGE))
            {
                merge = true;
            }
            else if (option(args, i, NOFLUSH))
            {
                flush = false;
            }
            else if (option(args, i, NOSAVE))
            {
                save = false;
            }
            else
            {
                ctx.out().error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
                return;
            }
        }
        if ((!flush || merge) && keyspace.totalKeys() != 0)
        {
            ctx.out().error("ERR DEBUG RELOAD NOFLUSH and MERGE are not supported: KeelKV restores snapshot pages " +
                "into an empty dataset only");
            return;
        }
        if (save && !saveToSnapshotFile())
        {
            ctx.out().raw(BARE_ERR);
            return;
        }
        final java.nio.file.Path file = engine.snapshotFile();
        if (flush)
        {
            keyspace.flushAll();
        }
        try
        {
            if (file == null)
            {
                throw new SnapshotException("no snapshot file is configured");
            }
            engine.snapshotListener().onLoaded(file, engine.load(file));
            ctx.out().ok();
        }
        catch (final SnapshotException ex)
        {
            engine.snapshotListener().onLoadFailed(file, ex);
            ctx.out().error("ERR Error trying to load the RDB dump, check server logs.");
        }
    }

    /** DEBUG DIGEST-VALUE: the table as it is (dictFind): a key past its deadline still has a digest. */
    private void digestValues(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final Database db = ctx.db();
        ctx.out().arrayHeader(args.count() - 2);
        for (int i = 2; i < args.count(); i++)
        {
            final long e = db.find(args.array(), args.address(i), args.length(i));
            if (e == NULL_HANDLE)
            {
                java.util.Arrays.fill(digestBytes, (byte)0);
            }
            else
            {
                digest.value(e, digestBytes);
            }
            Digest.hex(digestBytes, digestHex);
            ctx.out().simpleString(digestHex);
        }
    }

    /**
     * "ERR unknown subcommand or wrong number of arguments for '%.128s'. Try DEBUG HELP.": the subcommand
     * as a C string cut to 128 bytes, its bytes echoed as they are (CR and LF become spaces, as Redis's
     * addReplyErrorFormat does).
     */
    private static byte[] subcommandSyntaxError(final Args args)
    {
        final byte[] head = literal("-ERR unknown subcommand or wrong number of arguments for '");
        final byte[] tail = literal("'. Try DEBUG HELP.\r\n");
        final int n = Math.min(128, cStringLength(args, 1));
        final byte[] line = new byte[head.length + n + tail.length];
        System.arraycopy(head, 0, line, 0, head.length);
        for (int i = 0; i < n; i++)
        {
            final byte b = args.byteAt(1, i);
            line[head.length + i] = b == '\r' || b == '\n' ? (byte)' ' : b;
        }
        System.arraycopy(tail, 0, line, head.length + n, tail.length);
        return line;
    }

    /**
     * Redis 7.0's DEBUG POPULATE count [prefix] [size]: keys {@code "<prefix>:<j>"} (prefix "key", cut at a
     * NUL, the whole key cut to 127 bytes as snprintf into char[128] does), values {@code "value:<j>"}, or
     * exactly {@code size} bytes of it, truncated or padded with zero bytes. Existing keys are skipped
     * (a key past its deadline is expired and re-created). The table is expanded first for the final
     * size. Like Redis it does not count as a change: not propagated, no save point.
     */
    private void populate(final CommandContext ctx)
    {
        final Args args = ctx.args();
        if (!args.parseLong(2) || args.longValue() < 0)
        {
            ctx.out().raw(MUST_BE_POSITIVE);
            return;
        }
        final long count = args.longValue();
        final Database db = ctx.db();
        final long wanted = count > Long.MAX_VALUE - db.size() ? Long.MAX_VALUE : db.size() + count;
        // dictTryExpand fails only when the allocation does; a table already big enough or mid-rehash is fine
        if (!db.expand(wanted) && !db.isResizing() && db.bucketCount() < wanted)
        {
            ctx.out().raw(OOM_IN_EXPAND);
            return;
        }
        long size = 0;
        if (args.count() == 5)
        {
            if (!args.parseLong(4) || args.longValue() < 0)
            {
                ctx.out().raw(MUST_BE_POSITIVE);
                return;
            }
            size = args.longValue();
            if (size > engine.settings().protoMaxBulkLen || size > Integer.MAX_VALUE - 64)
            {
                // Redis would try to allocate it; a value must fit one entry here
                ctx.out().raw(TOO_BIG);
                return;
            }
        }
        final int prefixLength;
        if (args.count() >= 4)
        {
            prefixLength = Math.min(POPULATE_KEY_MAX, cStringLength(args, 3));
            UnsafeApi.copyMemory(args.array(), args.address(3), populateKey, BYTE_BASE, prefixLength);
        }
        else
        {
            prefixLength = DEFAULT_PREFIX.length;
            System.arraycopy(DEFAULT_PREFIX, 0, populateKey, 0, prefixLength);
        }
        if (prefixLength < POPULATE_KEY_MAX)
        {
            populateKey[prefixLength] = ':';
        }
        System.arraycopy(VALUE_PREFIX, 0, populateValue, 0, VALUE_PREFIX.length);
        for (long j = 0; j < count; j++)
        {
            final int n = Strings.formatLong(j, digits);
            final int digitsCopied = Math.min(n, POPULATE_KEY_MAX - prefixLength - 1);
            if (digitsCopied > 0)
            {
                System.arraycopy(digits, 0, populateKey, prefixLength + 1, digitsCopied);
            }
            final int keyLength = Math.min(POPULATE_KEY_MAX, prefixLength + 1 + n);
            if (keyspace.lookupWrite(db, populateKey, BYTE_BASE, keyLength) != NULL_HANDLE)
            {
                continue;
            }
            System.arraycopy(digits, 0, populateValue, VALUE_PREFIX.length, n);
            final int textLength = VALUE_PREFIX.length + n;
            final int valueLength = size == 0 ? textLength : (int)size;
            // "value:..." is never an integer: createStringObject's embstr/raw, no tryObjectEncoding
            final long e = keyspace.addEntry(db, populateKey, BYTE_BASE, keyLength, ObjectType.STRING,
                Strings.plainEncodingFor(valueLength), valueLength, -1);
            if (e == NULL_HANDLE)
            {
                ctx.out().raw(RespConstants.OOM);
                return;
            }
            entry.wrap(e);
            final int copied = Math.min(textLength, valueLength);
            if (valueLength > copied)
            {
                memory.fill(entry.valueHandle() + copied, valueLength - copied, (byte)0);
            }
            memory.putBytes(entry.valueHandle(), populateValue, BYTE_BASE, copied);
        }
        ctx.out().ok();
    }

    /** strtod(s, NULL) as DEBUG SLEEP reads it: the longest decimal or hexadecimal prefix, 0 when there is none. */
    static double parseDoublePrefix(final Args args, final int i)
    {
        final int length = cStringLength(args, i);
        int j = 0;
        while (j < length && isSpace(args.byteAt(i, j)))
        {
            j++;
        }
        final int start = j;
        if (j < length && (args.byteAt(i, j) == '+' || args.byteAt(i, j) == '-'))
        {
            j++;
        }
        if (j + 1 < length && args.byteAt(i, j) == '0' && (args.byteAt(i, j + 1) | 0x20) == 'x')
        {
            // strtod's hexadecimal form: Redis's DEBUG SLEEP 0x10 sleeps 16 s
            final double hex = hexPrefix(args, i, j + 2, length);
            if (hex >= 0)
            {
                return args.byteAt(i, start) == '-' ? -hex : hex;
            }
        }
        int mantissaDigits = 0;
        while (j < length && isDigit(args.byteAt(i, j)))
        {
            j++;
            mantissaDigits++;
        }
        if (j < length && args.byteAt(i, j) == '.')
        {
            j++;
            while (j < length && isDigit(args.byteAt(i, j)))
            {
                j++;
                mantissaDigits++;
            }
        }
        if (mantissaDigits == 0)
        {
            // no number (inf and nan forms are not worth a sleep: nanosleep rejects their conversions)
            return 0;
        }
        int end = j;
        if (j < length && (args.byteAt(i, j) == 'e' || args.byteAt(i, j) == 'E'))
        {
            int k = j + 1;
            if (k < length && (args.byteAt(i, k) == '+' || args.byteAt(i, k) == '-'))
            {
                k++;
            }
            if (k < length && isDigit(args.byteAt(i, k)))
            {
                while (k < length && isDigit(args.byteAt(i, k)))
                {
                    k++;
                }
                end = k;
            }
        }
        final byte[] text = new byte[end - start];
        for (int k = start; k < end; k++)
        {
            text[k - start] = args.byteAt(i, k);
        }
        // Java reads the forms this prefix can take ("1.", ".5", "-2e3") as strtod does
        return Double.parseDouble(new String(text, StandardCharsets.US_ASCII));
    }

    /**
     * The value of hex digits with an optional '.' and binary exponent from {@code from} on, or -1 when no
     * digit follows (strtod then reads "0x..." as the decimal 0).
     */
    private static double hexPrefix(final Args args, final int i, final int from, final int length)
    {
        int j = from;
        double mantissa = 0;
        int digits = 0;
        int fractionDigits = 0;
        boolean point = false;
        for (; j < length; j++)
        {
            final int b = args.byteAt(i, j);
            final int d = Character.digit(b, 16);
            if (b == '.' && !point)
            {
                point = true;
            }
            else if (d >= 0 && b < 128)
            {
                mantissa = mantissa * 16 + d;
                digits++;
                fractionDigits += point ? 1 : 0;
            }
            else
            {
                break;
            }
        }
        if (digits == 0)
        {
            return -1;
        }
        int exponent = 0;
        if (j + 1 < length && (args.byteAt(i, j) | 0x20) == 'p')
        {
            int k = j + 1;
            final boolean negative = args.byteAt(i, k) == '-';
            if (args.byteAt(i, k) == '+' || args.byteAt(i, k) == '-')
            {
                k++;
            }
            if (k < length && isDigit(args.byteAt(i, k)))
            {
                for (; k < length && isDigit(args.byteAt(i, k)); k++)
                {
                    exponent = Math.min(100_000, exponent * 10 + (args.byteAt(i, k) - '0'));
                }
                exponent = negative ? -exponent : exponent;
            }
        }
        return mantissa * Math.pow(2, exponent - 4.0 * fractionDigits);
    }

    private static boolean isSpace(final byte b)
    {
        return b == ' ' || (b >= '\t' && b <= '\r');
    }

    private static boolean isDigit(final byte b)
    {
        return b >= '0' && b <= '9';
    }

    /** Block the engine thread, as Redis blocks its only thread: that is what DEBUG SLEEP is for. */
    private static void sleep(final double seconds)
    {
        final double micros = seconds * 1_000_000;
        if (!(micros >= 1) || micros > Long.MAX_VALUE / 1000.0)
        {
            return;
        }
        final long deadlineNs = System.nanoTime() + (long)micros * 1000;
        boolean interrupted = false;
        for (long left = deadlineNs - System.nanoTime(); left > 0; left = deadlineNs - System.nanoTime())
        {
            try
            {
                Thread.sleep(left / 1_000_000, (int)(left % 1_000_000));
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
                break;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // COMMAND

    /**
     * COMMAND and its subcommands, generated from the table: Redis 7.0's reply shapes, RESP3 types
     * included (flags, ACL categories, tips and key specs are sets; docs are maps; COMMAND DOCS's history
     * is a set, its arguments are arrays). The data is redis-server 7.0.15's own (commands.txt and
     * command-docs.txt), so for a command KeelKV serves each reply is Redis's byte for byte, with two
     * differences that are exactly what KeelKV is: only served rows are listed (COMMAND, COMMAND COUNT,
     * COMMAND LIST, and a container's subcommands in INFO and DOCS), and they come in table order where
     * Redis walks a hash table seeded at random on each start (so no client can rely on Redis's order).
     */
    static final class CommandIntrospection
    {
        /** Flags Redis hides from COMMAND INFO (may_replicate, sentinel) and KeelKV's own (protected). */
        private static final int HIDDEN_FLAGS = CommandFlags.MAY_REPLICATE | CommandFlags.SENTINEL |
            CommandFlags.PROTECTED;

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

        /** COMMAND INFO [name ...]: "get" or "config|get", case-insensitive; nil for an unknown one. */
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
                    ctx.out().nullBulk();
                }
                else
                {
                    writeInfo(ctx.out(), spec);
                }
            }
        }

        /** COMMAND DOCS [name ...]: a map of name to docs; unknown names are left out. */
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

        /**
         * COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN glob]: every command and every
         * subcommand by full name. FILTERBY must be the last three arguments. No modules here, so MODULE
         * lists nothing; an unknown category lists nothing; PATTERN matches case-insensitively.
         */
        void list(final CommandContext ctx)
        {
            final Args args = ctx.args();
            int filter = 0;
            byte[] filterArg = null;
            for (int i = 2; i < args.count(); i++)
            {
                final int more = args.count() - 1 - i;
                if (option(args, i, FILTERBY) && more == 2)
                {
                    if (option(args, i + 1, MODULE))
                    {
                        filter = 1;
                    }
                    else if (option(args, i + 1, ACLCAT))
                    {
                        filter = 2;
                    }
                    else if (option(args, i + 1, PATTERN))
                    {
                        filter = 3;
                    }
                    else
                    {
                        ctx.out().raw(RespConstants.SYNTAX_ERROR);
                        return;
                    }
                    filterArg = args.copy(i + 2);
                    i += 2;
                }
                else
                {
                    ctx.out().raw(RespConstants.SYNTAX_ERROR);
                    return;
                }
            }
            final List<String> names = new java.util.ArrayList<>();
            for (final CommandSpec spec : table.commands())
            {
                if (listed(spec, filter, filterArg))
                {
                    names.add(spec.fullName());
                }
                for (final CommandSpec sub : served(spec))
                {
                    if (listed(sub, filter, filterArg))
                    {
                        names.add(sub.fullName());
                    }
                }
            }
            ctx.out().arrayHeader(names.size());
            for (final String name : names)
            {
                ctx.out().bulkString(name);
            }
        }

        private static boolean listed(final CommandSpec spec, final int filter, final byte[] filterArg)
        {
            switch (filter)
            {
                case 1:
                    return false;
                case 2:
                {
                    // a C string, as ACLGetCommandCategoryFlagByName reads it
                    int length = 0;
                    while (length < filterArg.length && filterArg[length] != 0)
                    {
                        length++;
                    }
                    final String category = new String(filterArg, 0, length, StandardCharsets.UTF_8);
                    for (final String acl : spec.aclCategories())
                    {
                        if (acl.substring(1).equalsIgnoreCase(category))
                        {
                            return true;
                        }
                    }
                    return false;
                }
                case 3:
                    return GlobMatcher.matches(filterArg, spec.fullName().getBytes(StandardCharsets.UTF_8), true);
                default:
                    return true;
            }
        }

        /**
         * addReplyCommandDocs: summary, since, group (always), complexity, doc_flags, deprecated_since,
         * replaced_by, history, arguments, subcommands (a map), each only when the command has it.
         */
        private static void writeDocs(final RespWriter out, final CommandSpec spec)
        {
            final CommandSpec[] subs = served(spec);
            final CommandDocs docs = spec.docs();
            final boolean summary = !spec.summary().isEmpty();
            final boolean since = !spec.since().isEmpty();
            final boolean complexity = !spec.complexity().isEmpty();
            final boolean docFlags = !docs.docFlags().isEmpty();
            final boolean history = docs.historyLength() > 0;
            final boolean arguments = !docs.arguments().isEmpty();
            out.mapHeader(1 + count(summary) + count(since) + count(complexity) + count(docFlags) +
                count(docs.deprecatedSince() != null) + count(docs.replacedBy() != null) + count(history) +
                count(arguments) + count(subs.length > 0));
            if (summary)
            {
                out.bulkString("summary");
                out.bulkString(spec.summary());
            }
            if (since)
            {
                out.bulkString("since");
                out.bulkString(spec.since());
            }
            out.bulkString("group");
            out.bulkString(spec.group());
            if (complexity)
            {
                out.bulkString("complexity");
                out.bulkString(spec.complexity());
            }
            if (docFlags)
            {
                out.bulkString("doc_flags");
                writeFlagSet(out, docs.docFlags());
            }
            if (docs.deprecatedSince() != null)
            {
                out.bulkString("deprecated_since");
                out.bulkString(docs.deprecatedSince());
            }
            if (docs.replacedBy() != null)
            {
                out.bulkString("replaced_by");
                out.bulkString(docs.replacedBy());
            }
            if (history)
            {
                // addReplyCommandHistory: a set of [version, changes] pairs
                out.bulkString("history");
                out.setHeader(docs.historyLength());
                for (int i = 0; i < docs.historyLength(); i++)
                {
                    out.arrayHeader(2);
                    out.bulkString(docs.historyVersion(i));
                    out.bulkString(docs.historyChanges(i));
                }
            }
            if (arguments)
            {
                out.bulkString("arguments");
                writeArguments(out, docs.arguments());
            }
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

        /**
         * addReplyCommandArgList: an array of maps, fields in Redis's order, each only when set; oneof and
         * block arguments always carry their own "arguments".
         */
        private static void writeArguments(final RespWriter out, final List<CommandDocs.Argument> arguments)
        {
            out.arrayHeader(arguments.size());
            for (final CommandDocs.Argument arg : arguments)
            {
                final boolean keySpec = arg.keySpecIndex() >= 0;
                final boolean flags = !arg.flags().isEmpty();
                out.mapHeader(2 + count(keySpec) + count(arg.token() != null) + count(arg.since() != null) +
                    count(arg.deprecatedSince() != null) + count(flags) + count(arg.hasArguments()));
                out.bulkString("name");
                out.bulkString(arg.name());
                out.bulkString("type");
                out.bulkString(arg.type());
                if (keySpec)
                {
                    out.bulkString("key_spec_index");
                    out.integer(arg.keySpecIndex());
                }
                if (arg.token() != null)
                {
                    out.bulkString("token");
                    out.bulkString(arg.token());
                }
                if (arg.since() != null)
                {
                    out.bulkString("since");
                    out.bulkString(arg.since());
                }
                if (arg.deprecatedSince() != null)
                {
                    out.bulkString("deprecated_since");
                    out.bulkString(arg.deprecatedSince());
                }
                if (flags)
                {
                    out.bulkString("flags");
                    writeFlagSet(out, arg.flags());
                }
                if (arg.hasArguments())
                {
                    out.bulkString("arguments");
                    writeArguments(out, arg.arguments());
                }
            }
        }

        /** addReplyCommandFlags: a set of status strings. */
        private static void writeFlagSet(final RespWriter out, final List<String> flags)
        {
            out.setHeader(flags.size());
            for (final String flag : flags)
            {
                out.simpleString(flag);
            }
        }

        private static int count(final boolean present)
        {
            return present ? 1 : 0;
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

        /**
         * addReplyCommandInfo: [name, arity, flags, first key, last key, step, ACL categories, tips, key specs,
         * subcommands]. Each key spec is {flags, begin_search {type index, spec {index}}, find_keys {type
         * range, spec {lastkey, keystep, limit}}}.
         */
        private static void writeInfo(final RespWriter out, final CommandSpec spec)
        {
            out.arrayHeader(10);
            out.bulkString(spec.fullName());
            out.integer(spec.arity());
            final int flags = spec.flags() & ~HIDDEN_FLAGS;
            out.setHeader(Integer.bitCount(flags));
            for (int bit = 0; bit < CommandFlags.NAMES.length; bit++)
            {
                if ((flags & (1 << bit)) != 0)
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
            out.setHeader(spec.tips().length);
            for (final String tip : spec.tips())
            {
                out.bulkString(tip);
            }
            out.setHeader(spec.keySpecs().size());
            for (final CommandSpec.KeySpec ks : spec.keySpecs())
            {
                // addReplyCommandKeySpecs: notes, when there are some, come first
                out.mapHeader(ks.notes != null ? 4 : 3);
                if (ks.notes != null)
                {
                    out.bulkString("notes");
                    out.bulkString(ks.notes);
                }
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
            // addReplyCommandSubCommands: an empty set when there are none, else an array
            final CommandSpec[] subs = served(spec);
            if (subs.length == 0)
            {
                out.setHeader(0);
                return;
            }
            out.arrayHeader(subs.length);
            for (final CommandSpec sub : subs)
            {
                writeInfo(out, sub);
            }
        }
    }
}
