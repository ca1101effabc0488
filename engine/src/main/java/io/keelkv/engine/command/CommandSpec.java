package io.keelkv.engine.command;

import org.HdrHistogram.Histogram;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One row of the command table: Redis 7's metadata for a command or subcommand (arity, flags, key
 * positions, ACL categories, docs) plus the handler bound to it. Rows come from {@code commands.txt}.
 */
public final class CommandSpec
{
    /**
     * One key specification, as COMMAND INFO's key_specs: begin index, range (lastkey, step, limit), flags,
     * and Redis's notes on it (null when there are none).
     */
    public static final class KeySpec
    {
        public final int beginIndex;
        public final int lastKey;
        public final int keyStep;
        public final int limit;
        public final String[] flags;
        public final String notes;
        /** A keynum spec (find_keys type keynum): the key count is at {@link #keyNumIndex}, keys from {@link #firstKey}. */
        public final boolean keynum;
        public final int keyNumIndex;
        public final int firstKey;
        /** begin_search and find_keys both of type unknown (SORT's STORE keyword may be anywhere). */
        public final boolean unknown;
        /** The keys are written (RW, OW or RM): WATCH's touch after a command that changed the dataset. */
        public final boolean writes;

        static KeySpec unknown(final String[] flags, final String notes)
        {
            return new KeySpec(flags, notes);
        }

        private KeySpec(final String[] flags, final String notes)
        {
            this.beginIndex = 0;
            this.lastKey = 0;
            this.keyStep = 0;
            this.limit = 0;
            this.flags = flags;
            this.writes = writes(flags);
            this.notes = notes;
            this.keynum = false;
            this.keyNumIndex = 0;
            this.firstKey = 0;
            this.unknown = true;
        }

        KeySpec(
            final int beginIndex,
            final int keyNumIndex,
            final int firstKey,
            final int keyStep,
            final String[] flags,
            final String notes,
            final boolean keynum)
        {
            this.beginIndex = beginIndex;
            this.lastKey = 0;
            this.keyStep = keyStep;
            this.limit = 0;
            this.flags = flags;
            this.writes = writes(flags);
            this.notes = notes;
            this.keynum = keynum;
            this.keyNumIndex = keyNumIndex;
            this.firstKey = firstKey;
            this.unknown = false;
        }

        KeySpec(
            final int beginIndex,
            final int lastKey,
            final int keyStep,
            final int limit,
            final String[] flags,
            final String notes)
        {
            this.beginIndex = beginIndex;
            this.lastKey = lastKey;
            this.keyStep = keyStep;
            this.limit = limit;
            this.flags = flags;
            this.writes = writes(flags);
            this.notes = notes;
            this.keynum = false;
            this.keyNumIndex = 0;
            this.firstKey = 0;
            this.unknown = false;
        }
    }

    private static boolean writes(final String[] flags)
    {
        for (final String f : flags)
        {
            if (f.equals("RW") || f.equals("OW") || f.equals("RM"))
            {
                return true;
            }
        }
        return false;
    }

    private final String name;
    private final String fullName;
    private final byte[] nameBytes;
    private final int arity;
    private final int flags;
    private final int firstKey;
    private final int lastKey;
    private final int keyStep;
    private final String[] aclCategories;
    private final String group;
    private final String since;
    private final String complexity;
    private final String summary;
    private final List<KeySpec> keySpecs;
    private final String[] tips;
    private CommandDocs docs = new CommandDocs();
    private CommandSpec parent;
    private CommandSpec[] subcommands = new CommandSpec[0];
    private CommandHandler handler;

    // statistics: INFO commandstats
    long calls;
    long usec;
    long rejectedCalls;
    long failedCalls;
    private Histogram latency;

    /** Redis's LATENCY_HISTOGRAM_MIN_VALUE / MAX_VALUE (1 ns .. 1 s) and PRECISION (2 significant digits). */
    private static final long LATENCY_MIN_NS = 1;
    private static final long LATENCY_MAX_NS = 1_000_000_000L;
    private static final int LATENCY_DIGITS = 2;

    CommandSpec(
        final String fullName,
        final int arity,
        final int flags,
        final int firstKey,
        final int lastKey,
        final int keyStep,
        final String[] aclCategories,
        final String group,
        final String since,
        final String complexity,
        final String summary,
        final List<KeySpec> keySpecs,
        final String[] tips)
    {
        this.fullName = fullName;
        final int bar = fullName.indexOf('|');
        this.name = bar < 0 ? fullName : fullName.substring(bar + 1);
        this.nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        this.arity = arity;
        this.flags = flags;
        this.firstKey = firstKey;
        this.lastKey = lastKey;
        this.keyStep = keyStep;
        this.aclCategories = aclCategories;
        this.group = group;
        this.since = since;
        this.complexity = complexity;
        this.summary = summary;
        this.keySpecs = keySpecs;
        this.tips = tips;
    }

    /** The lower-case name; for a subcommand, the part after the bar ("setname"). */
    public String name()
    {
        return name;
    }

    /** "get", or "client|setname" for a subcommand, as Redis names it in errors and COMMAND INFO. */
    public String fullName()
    {
        return fullName;
    }

    byte[] nameBytes()
    {
        return nameBytes;
    }

    public int arity()
    {
        return arity;
    }

    public int flags()
    {
        return flags;
    }

    public boolean hasFlag(final int flag)
    {
        return (flags & flag) != 0;
    }

    public int firstKey()
    {
        return firstKey;
    }

    public int lastKey()
    {
        return lastKey;
    }

    public int keyStep()
    {
        return keyStep;
    }

    public String[] aclCategories()
    {
        return aclCategories;
    }

    public String group()
    {
        return group;
    }

    public String since()
    {
        return since;
    }

    public String complexity()
    {
        return complexity;
    }

    public String summary()
    {
        return summary;
    }

    public List<KeySpec> keySpecs()
    {
        return keySpecs;
    }

    /** COMMAND INFO's tips (request_policy:..., nondeterministic_output, ...); empty when Redis has none. */
    public String[] tips()
    {
        return tips;
    }

    /** The rest of COMMAND DOCS (doc flags, history, arguments): empty for a command that has none. */
    public CommandDocs docs()
    {
        return docs;
    }

    void docs(final CommandDocs docs)
    {
        this.docs = docs;
    }

    public CommandSpec parent()
    {
        return parent;
    }

    public CommandSpec[] subcommands()
    {
        return subcommands;
    }

    public CommandHandler handler()
    {
        return handler;
    }

    public long calls()
    {
        return calls;
    }

    public long usec()
    {
        return usec;
    }

    public long rejectedCalls()
    {
        return rejectedCalls;
    }

    public long failedCalls()
    {
        return failedCalls;
    }

    /**
     * @return this command's latency histogram in nanoseconds (INFO latencystats), or null before the first
     * call since start or the last reset.
     */
    public Histogram latencyHistogram()
    {
        return latency;
    }

    /**
     * Record one call's duration. The histogram is created at the first call (about 3 KiB, only for the
     * commands in use) and is fixed-size afterwards, so recording allocates nothing. Values are clamped to
     * the histogram's range, as Redis does.
     */
    void recordLatency(final long nanos)
    {
        Histogram histogram = latency;
        if (histogram == null)
        {
            histogram = new Histogram(LATENCY_MIN_NS, LATENCY_MAX_NS, LATENCY_DIGITS);
            latency = histogram;
        }
        histogram.recordValue(Math.min(LATENCY_MAX_NS, Math.max(LATENCY_MIN_NS, nanos)));
    }

    void resetStats()
    {
        calls = 0;
        usec = 0;
        rejectedCalls = 0;
        failedCalls = 0;
        latency = null;
    }

    void handler(final CommandHandler handler)
    {
        this.handler = handler;
    }

    void addSubcommand(final CommandSpec sub)
    {
        sub.parent = this;
        final CommandSpec[] grown = java.util.Arrays.copyOf(subcommands, subcommands.length + 1);
        grown[subcommands.length] = sub;
        subcommands = grown;
    }

    /** True when {@code argc} arguments (command name included) satisfy the arity, as Redis checks it. */
    public boolean arityAccepts(final int argc)
    {
        return arity > 0 ? argc == arity : argc >= -arity;
    }

    @Override
    public String toString()
    {
        return fullName;
    }
}
