package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.types.Digest;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.snapshot.SnapshotControl;
import io.keelkv.engine.snapshot.SnapshotException;
import io.keelkv.engine.keyspace.ObjectType;
import io.keelkv.engine.types.Strings;
import org.agrona.UnsafeApi;

import java.nio.charset.StandardCharsets;

import static io.keelkv.engine.command.KeyCommands.cStringLength;
import static io.keelkv.engine.command.KeyCommands.option;
import static io.keelkv.engine.command.RewrittenArgs.literal;
import static io.keelkv.engine.command.ServerCommands.help;
import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * DEBUG, as Redis 7.0's debugCommand for the subcommands KeelKV serves: DIGEST and DIGEST-VALUE (the dataset
 * digest the tests compare), POPULATE, SLEEP, and RELOAD (save, flush, load through the snapshot control; a
 * running background save is stopped first, where Redis lets its child rename an older file over the one
 * just reloaded). Behind enable-debug-command in the server. Not on the hot path; allocates freely.
 */
final class DebugCommands
{
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);
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
    private static final byte[] MUST_BE_POSITIVE = RespConstants.bytes("-ERR value is out of range, must be positive\r\n");
    private static final byte[] OOM_IN_EXPAND = RespConstants.bytes("-ERR OOM in dictTryExpand\r\n");
    private static final byte[] TOO_BIG = RespConstants.bytes(
        "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
    private static final byte[] VALUE_PREFIX = literal("value:");
    private static final byte[] DEFAULT_PREFIX = literal("key");
    /** snprintf(buf, 128, "%s:%lu") in DEBUG POPULATE: keys are cut to 127 bytes. */
    private static final int POPULATE_KEY_MAX = 127;
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

    private final Keyspace keyspace;
    private final PageMemory memory;
    private final SnapshotControl snapshots;
    private final EntryFlyweight entry;
    private final Digest digest;
    private final byte[] digestBytes = new byte[Digest.DIGEST_LENGTH];
    private final byte[] digestHex = new byte[2 * Digest.DIGEST_LENGTH];
    private final byte[] populateKey = new byte[POPULATE_KEY_MAX];
    private final byte[] populateValue = new byte[VALUE_PREFIX.length + 20];
    private final byte[] digits = new byte[20];

    private DebugCommands(final Keyspace keyspace, final SnapshotControl snapshots)
    {
        this.keyspace = keyspace;
        this.memory = keyspace.memory();
        this.snapshots = snapshots;
        this.entry = new EntryFlyweight(memory);
        this.digest = new Digest(memory);
    }

    static void bind(final Keyspace keyspace, final SnapshotControl snapshots, final CommandTable table)
    {
        final DebugCommands c = new DebugCommands(keyspace, snapshots);
        table.bind("debug", c::debug);
    }

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
        // the reload replaces the pages a running background save reads, and its file must not land over the
        // one written here: stop it first (not an error, as Redis's kill of its child is not)
        snapshots.abortBackgroundSave();
        if (save)
        {
            try
            {
                snapshots.save();
            }
            catch (final SnapshotException ex)
            {
                ctx.out().raw(BARE_ERR);
                return;
            }
        }
        final java.nio.file.Path file = snapshots.file();
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
            snapshots.listener().onLoaded(file, snapshots.load(file));
            ctx.out().ok();
        }
        catch (final SnapshotException ex)
        {
            snapshots.listener().onLoadFailed(file, ex);
            ctx.out().error("ERR Error trying to load the RDB dump"); // 7.0.15's text (7.2 adds ", check server logs.")
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
        // dictTryExpand fails only when the allocation does; a table already big enough or mid-rehash is fine.
        // A table of more bytes than this machine has is refused before the page memory is asked for it: that
        // allocation fails too, but only after the page table grew on the Java heap to number its pages
        // (DEBUG POPULATE 1099511627776 ran the event loop out of heap and left the page table half grown)
        if (wanted > physicalMemoryBytes() / Long.BYTES ||
            (!db.expand(wanted) && !db.isResizing() && db.bucketCount() < wanted))
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
        }
        // Redis would try to allocate such a value (and abort); a value must fit one entry here. Refused where
        // Redis would allocate the first one: with nothing to create (count 0, every key there) it is OK
        final boolean sizeTooBig = size > ctx.limits().protoMaxBulkLen || size > Integer.MAX_VALUE - 64;
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
            if (sizeTooBig)
            {
                ctx.out().raw(TOO_BIG);
                return;
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

    /** This machine's (or container's) memory, as the JVM reports it; unknown is unbounded. */
    private static long physicalMemoryBytes()
    {
        final java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean)
        {
            final long bytes = ((com.sun.management.OperatingSystemMXBean)os).getTotalMemorySize();
            return bytes > 0 ? bytes : Long.MAX_VALUE;
        }
        return Long.MAX_VALUE;
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
}
