package io.keelkv.server.config;

import io.keelkv.server.config.Directive.Invalid;
import io.keelkv.server.config.Directive.ValueType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongUnaryOperator;

/**
 * The value types of the directive table, each a port of the matching set/get pair of Redis's config.c
 * (boolConfigSet, numericConfigSet, enumConfigSet, setConfigSaveOption, ...), with the same reason texts.
 */
final class ValueTypes
{
    private ValueTypes()
    {
    }

    /**
     * An extra rule on a parsed value (Redis's is_valid_fn).
     */
    @FunctionalInterface
    interface Check
    {
        /**
         * @return null when the value is acceptable, else the reason.
         */
        String reason(Object value);
    }

    static final Check NO_CHECK = value -> null;

    static final class BoolType implements ValueType
    {
        private final Check check;

        BoolType(final Check check)
        {
            this.check = check;
        }

        @Override
        public Object parse(final List<String> args, final Object current) throws Invalid
        {
            final String arg = args.get(0);
            final Boolean value;
            if (arg.equalsIgnoreCase("yes"))
            {
                value = Boolean.TRUE;
            }
            else if (arg.equalsIgnoreCase("no"))
            {
                value = Boolean.FALSE;
            }
            else
            {
                throw new Invalid("argument must be 'yes' or 'no'");
            }
            return checked(check, value);
        }

        @Override
        public String format(final Object value)
        {
            return (Boolean)value ? "yes" : "no";
        }
    }

    /**
     * All of Redis's integer kinds (int, unsigned int, long long, size_t, ssize_t, off_t, ...) as one long with
     * bounds, parsed as numericParseString does. Unsigned kinds compare bounds as unsigned (so -1 is refused as
     * "between 1 and 4294967295"), exactly as numericBoundaryCheck does. The flags are Redis's numeric config
     * flags: a {@link #MEMORY} value accepts units and prints as unsigned; a {@link #PERCENT} value also accepts
     * "n%", kept as -n (so maxmemory-clients 10% is -10 and prints as "10%"); an {@link #OCTAL} value is read and
     * printed in base 8 (unixsocketperm).
     */
    static final class NumericType implements ValueType
    {
        static final int INTEGER = 0;
        static final int MEMORY = 1;
        static final int PERCENT = 1 << 1;
        static final int OCTAL = 1 << 2;

        private final long lowerBound;
        private final long upperBound;
        private final boolean unsignedBounds;
        private final int flags;
        private final Check check;
        private final LongUnaryOperator normalize;

        NumericType(final long lowerBound, final long upperBound, final boolean unsignedBounds, final int flags,
            final Check check, final LongUnaryOperator normalize)
        {
            this.lowerBound = lowerBound;
            this.upperBound = upperBound;
            this.unsignedBounds = unsignedBounds;
            this.flags = flags;
            this.check = check;
            this.normalize = normalize;
        }

        @Override
        public Object parse(final List<String> args, final Object current) throws Invalid
        {
            final long value = parseNumber(args.get(0));
            if (unsignedBounds)
            {
                if (Long.compareUnsigned(value, upperBound) > 0 || Long.compareUnsigned(value, lowerBound) < 0)
                {
                    throw new Invalid("argument must be between " + formatBound(lowerBound) + " and " +
                        formatBound(upperBound) + " inclusive");
                }
            }
            else if ((flags & PERCENT) != 0 && value < 0)
            {
                // a percentage is stored negative: only the lower bound (-100: "100%") applies to it
                if (value < lowerBound)
                {
                    throw new Invalid("percentage argument must be less or equal to " + -lowerBound);
                }
            }
            else if (value > upperBound || value < lowerBound)
            {
                throw new Invalid("argument must be between " + lowerBound + " and " + upperBound + " inclusive");
            }
            checked(check, value);
            return normalize.applyAsLong(value);
        }

        /**
         * numericParseString: the first form that reads the whole text wins, in Redis's order (memory, percent,
         * octal, plain integer); a plain integer is only tried when no form flag is set.
         */
        private long parseNumber(final String arg) throws Invalid
        {
            if ((flags & MEMORY) != 0)
            {
                final Long bytes = ConfigSyntax.parseMemory(arg);
                if (bytes != null)
                {
                    return bytes;
                }
            }
            if ((flags & PERCENT) != 0 && arg.length() > 1 && arg.charAt(arg.length() - 1) == '%')
            {
                final Long percent = ConfigSyntax.parseStrictLong(arg.substring(0, arg.length() - 1));
                if (percent != null && percent >= 0)
                {
                    return -percent;
                }
            }
            if ((flags & OCTAL) != 0)
            {
                final Long octal = ConfigSyntax.strtollWholeRadix(arg, 8);
                if (octal != null)
                {
                    return octal;
                }
            }
            if (flags == INTEGER)
            {
                final Long integer = ConfigSyntax.parseStrictLong(arg);
                if (integer != null)
                {
                    return integer;
                }
            }
            if ((flags & MEMORY) != 0)
            {
                throw new Invalid((flags & PERCENT) != 0 ? "argument must be a memory or percent value" :
                    "argument must be a memory value");
            }
            throw new Invalid((flags & OCTAL) != 0 ? "argument couldn't be parsed as an octal number" :
                "argument couldn't be parsed into an integer");
        }

        private String formatBound(final long bound)
        {
            return (flags & OCTAL) != 0 ? Long.toOctalString(bound) : Long.toUnsignedString(bound);
        }

        @Override
        public String format(final Object value)
        {
            final long v = (Long)value;
            if ((flags & PERCENT) != 0 && v < 0)
            {
                return -v + "%";
            }
            if ((flags & MEMORY) != 0)
            {
                return Long.toUnsignedString(v);
            }
            return (flags & OCTAL) != 0 ? Long.toOctalString(v) : Long.toString(v);
        }
    }

    /**
     * An enum config: one name from the list, case-insensitive. Names may share a value (oom-score-adj: "yes" and
     * "relative"); the value is kept, and printed, as the first name of the list with that value, as
     * configEnumGetName does ("relative" prints as "yes").
     */
    static final class EnumType implements ValueType
    {
        private final List<String> names;
        private final int[] values;

        /** Every name a value of its own. */
        EnumType(final String... names)
        {
            this(names, indexes(names.length));
        }

        EnumType(final String[] names, final int[] values)
        {
            if (names.length != values.length)
            {
                throw new IllegalArgumentException("one value per name");
            }
            this.names = List.of(names);
            this.values = values.clone();
        }

        @Override
        public Object parse(final List<String> args, final Object current) throws Invalid
        {
            final String arg = args.get(0);
            for (int i = 0; i < values.length; i++)
            {
                if (names.get(i).equalsIgnoreCase(arg))
                {
                    return canonicalName(values[i]);
                }
            }
            throw new Invalid(oneOf(names));
        }

        private String canonicalName(final int value)
        {
            for (int i = 0; i < values.length; i++)
            {
                if (values[i] == value)
                {
                    return names.get(i);
                }
            }
            throw new IllegalStateException("no name for " + value);
        }

        @Override
        public String format(final Object value)
        {
            return (String)value;
        }

        private static int[] indexes(final int count)
        {
            final int[] values = new int[count];
            for (int i = 0; i < count; i++)
            {
                values[i] = i;
            }
            return values;
        }
    }

    /**
     * A multi-argument enum of bit flags (shutdown-on-sigint/sigterm: "nosave now"), as enumConfigSet with
     * MULTI_ARG_CONFIG: every argument must be one of the names, their values are or-ed, and at least one is
     * needed. The value is the Integer mask. It prints as configEnumGetName does: the name whose value is the
     * whole mask if there is one, else the names of the flags in list order ("now nosave force" prints as
     * "nosave now force").
     */
    static final class FlagsType implements ValueType
    {
        private final List<String> names;
        private final int[] values;
        private final Check check;

        FlagsType(final String[] names, final int[] values, final Check check)
        {
            if (names.length != values.length)
            {
                throw new IllegalArgumentException("one value per name");
            }
            this.names = List.of(names);
            this.values = values.clone();
            this.check = check;
        }

        @Override
        public Object parse(final List<String> args, final Object current) throws Invalid
        {
            if (args.isEmpty())
            {
                throw new Invalid(oneOf(names));
            }
            int mask = 0;
            for (final String arg : args)
            {
                boolean matched = false;
                for (int i = 0; i < values.length; i++)
                {
                    if (names.get(i).equalsIgnoreCase(arg))
                    {
                        mask |= values[i];
                        matched = true;
                    }
                }
                if (!matched)
                {
                    throw new Invalid(oneOf(names));
                }
            }
            return checked(check, mask);
        }

        @Override
        public String format(final Object value)
        {
            final int mask = (Integer)value;
            int unmatched = mask;
            final StringBuilder sb = new StringBuilder();
            for (int i = 0; i < values.length; i++)
            {
                final int flag = values[i];
                if (mask == flag)
                {
                    return names.get(i);
                }
                if (flag != 0 && (unmatched & flag) == flag)
                {
                    if (sb.length() > 0)
                    {
                        sb.append(' ');
                    }
                    sb.append(names.get(i));
                    unmatched &= ~flag;
                }
            }
            return sb.length() == 0 || unmatched != 0 ? "unknown" : sb.toString();
        }
    }

    static final class StringType implements ValueType
    {
        private final boolean emptyIsNull;
        private final Check check;

        StringType(final boolean emptyIsNull, final Check check)
        {
            this.emptyIsNull = emptyIsNull;
            this.check = check;
        }

        @Override
        public Object parse(final List<String> args, final Object current) throws Invalid
        {
            final String arg = args.get(0);
            checked(check, arg);
            return emptyIsNull && arg.isEmpty() ? null : arg;
        }

        @Override
        public String format(final Object value)
        {
            return value == null ? "" : (String)value;
        }
    }

    /**
     * {@code save <seconds> <changes> [...]}; a single "" (or no argument) means no save point. The file
     * loader, not this type, makes later save lines of a file add to the first (Redis 7 behaviour).
     */
    static final class SaveType implements ValueType
    {
        private static final String INVALID = "Invalid save parameters";

        @Override
        public Object parse(final List<String> args, final Object current) throws Invalid
        {
            final List<String> params = args.size() == 1 && args.get(0).isEmpty() ? List.of() : args;
            if ((params.size() & 1) != 0)
            {
                throw new Invalid(INVALID);
            }
            final List<SavePoint> points = new ArrayList<>();
            for (int j = 0; j < params.size(); j += 2)
            {
                final Long seconds = ConfigSyntax.strtollWhole(params.get(j));
                final Long changes = ConfigSyntax.strtollWhole(params.get(j + 1));
                if (seconds == null || seconds < 1 || changes == null || changes < 0)
                {
                    throw new Invalid(INVALID);
                }
                // changes is a C int in Redis: truncated like the original
                points.add(new SavePoint(seconds, (int)(long)changes));
            }
            return List.copyOf(points);
        }

        @Override
        public String format(final Object value)
        {
            final StringBuilder sb = new StringBuilder();
            for (final Object point : (List<?>)value)
            {
                if (sb.length() > 0)
                {
                    sb.append(' ');
                }
                sb.append(point);
            }
            return sb.toString();
        }
    }

    static final class BindType implements ValueType
    {
        /** CONFIG_BINDADDR_MAX. */
        static final int MAX_ADDRESSES = 16;

        @Override
        public Object parse(final List<String> args, final Object current) throws Invalid
        {
            if (args.size() > MAX_ADDRESSES)
            {
                throw new Invalid("Too many bind addresses specified.");
            }
            if (args.size() == 1 && args.get(0).isEmpty())
            {
                return List.of();
            }
            return List.copyOf(args);
        }

        @Override
        public String format(final Object value)
        {
            return String.join(" ", castStrings(value));
        }

        @SuppressWarnings("unchecked")
        private static List<String> castStrings(final Object value)
        {
            return (List<String>)value;
        }
    }

    /**
     * {@code client-output-buffer-limit <class> <hard> <soft> <soft-seconds> [...]}: the value is the list
     * (normal, replica, pubsub); classes not named keep their current limits.
     */
    static final class OutputBufferLimitType implements ValueType
    {
        static final int NORMAL = 0;
        static final int REPLICA = 1;
        static final int PUBSUB = 2;
        private static final String[] CLASS_NAMES = {"normal", "slave", "pubsub"};

        @Override
        public Object parse(final List<String> args, final Object current) throws Invalid
        {
            if (args.size() % 4 != 0)
            {
                throw new Invalid("Wrong number of arguments in buffer limit configuration.");
            }
            final List<?> currentLimits = (List<?>)current;
            final BufferLimit[] limits = new BufferLimit[CLASS_NAMES.length];
            for (int i = 0; i < limits.length; i++)
            {
                limits[i] = currentLimits == null ? null : (BufferLimit)currentLimits.get(i);
            }
            for (int j = 0; j < args.size(); j += 4)
            {
                final int clientClass = classByName(args.get(j));
                if (clientClass < 0)
                {
                    throw new Invalid("Invalid client class specified in buffer limit configuration.");
                }
                final Long hard = ConfigSyntax.parseMemory(args.get(j + 1));
                final Long soft = ConfigSyntax.parseMemory(args.get(j + 2));
                final long[] seconds = ConfigSyntax.strtoll(args.get(j + 3));
                // soft_seconds is a C int in Redis: the truncated value is what is range checked
                final int softSeconds = (int)seconds[0];
                if (hard == null || soft == null || softSeconds < 0 || seconds[1] != args.get(j + 3).length())
                {
                    throw new Invalid("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
                }
                limits[clientClass] = new BufferLimit(hard, soft, softSeconds);
            }
            for (final BufferLimit limit : limits)
            {
                if (limit == null)
                {
                    throw new IllegalStateException("default client-output-buffer-limit must name every class");
                }
            }
            return List.of(limits);
        }

        @Override
        public String format(final Object value)
        {
            final List<?> limits = (List<?>)value;
            final StringBuilder sb = new StringBuilder();
            for (int i = 0; i < CLASS_NAMES.length; i++)
            {
                if (i > 0)
                {
                    sb.append(' ');
                }
                sb.append(CLASS_NAMES[i]).append(' ').append(limits.get(i));
            }
            return sb.toString();
        }

        private static int classByName(final String name)
        {
            return switch (name.toLowerCase(Locale.ROOT))
            {
                case "normal" -> NORMAL;
                case "slave", "replica" -> REPLICA;
                case "pubsub" -> PUBSUB;
                default -> -1; // "master" is a class, but its limits cannot be set
            };
        }
    }

    static final class KeyspaceEventsType implements ValueType
    {
        @Override
        public Object parse(final List<String> args, final Object current) throws Invalid
        {
            final int flags = KeyspaceEvents.parse(args.get(0));
            if (flags == -1)
            {
                throw new Invalid(KeyspaceEvents.INVALID_CLASS);
            }
            return flags;
        }

        @Override
        public String format(final Object value)
        {
            return KeyspaceEvents.format((Integer)value);
        }
    }

    /**
     * {@code dir}: Redis chdir()s, which a JVM cannot do. KeelKV keeps the directory as an absolute real path,
     * resolving a relative one against the current value, as a chdir would, and refuses one that does not
     * exist with the strerror text Redis shows.
     */
    static final class DirType implements ValueType
    {
        @Override
        public Object parse(final List<String> args, final Object current) throws Invalid
        {
            final String arg = args.get(0);
            if (arg.isEmpty())
            {
                throw new Invalid("No such file or directory");
            }
            final Path path;
            try
            {
                path = current == null ? Path.of(arg).toAbsolutePath() : Path.of((String)current).resolve(arg);
            }
            catch (final InvalidPathException ex)
            {
                throw new Invalid("No such file or directory");
            }
            if (!Files.exists(path))
            {
                throw new Invalid("No such file or directory");
            }
            if (!Files.isDirectory(path))
            {
                throw new Invalid("Not a directory");
            }
            if (!Files.isExecutable(path))
            {
                throw new Invalid("Permission denied");
            }
            try
            {
                return path.toRealPath().toString();
            }
            catch (final IOException ex)
            {
                throw new Invalid(ServerConfig.errnoText(ex));
            }
        }

        @Override
        public String format(final Object value)
        {
            return (String)value;
        }
    }

    static final class PercentilesType implements ValueType
    {
        @Override
        public Object parse(final List<String> args, final Object current) throws Invalid
        {
            if (args.size() == 1 && args.get(0).isEmpty())
            {
                return List.of();
            }
            final List<Double> percentiles = new ArrayList<>(args.size());
            for (final String arg : args)
            {
                final Double percentile = ConfigSyntax.parseDouble(arg);
                if (percentile == null)
                {
                    throw new Invalid("Invalid latency-tracking-info-percentiles parameters");
                }
                if (percentile > 100.0 || percentile < 0.0)
                {
                    throw new Invalid("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
                }
                percentiles.add(percentile);
            }
            return List.copyOf(percentiles);
        }

        @Override
        public String format(final Object value)
        {
            final StringBuilder sb = new StringBuilder();
            for (final Object percentile : (List<?>)value)
            {
                if (sb.length() > 0)
                {
                    sb.append(' ');
                }
                sb.append(ConfigSyntax.formatDouble((Double)percentile));
            }
            return sb.toString();
        }
    }

    /**
     * {@code oom-score-adj-values <master> <replica> <bgchild>}: exactly three C-strtoll numbers (so "+5" and, as
     * a piece of a CONFIG SET value split on spaces, "" are accepted) within -2000..2000. Redis only warns when
     * they are not in increasing order, and so does KeelKV: by accepting them.
     */
    static final class OomScoreAdjValuesType implements ValueType
    {
        private static final int COUNT = 3;
        private static final int LIMIT = 2000;

        @Override
        public Object parse(final List<String> args, final Object current) throws Invalid
        {
            if (args.size() != COUNT)
            {
                throw new Invalid("wrong number of arguments");
            }
            final List<Integer> values = new ArrayList<>(COUNT);
            for (final String arg : args)
            {
                final Long value = ConfigSyntax.strtollWhole(arg);
                if (value == null || value < -LIMIT || value > LIMIT)
                {
                    throw new Invalid("Invalid oom-score-adj-values, elements must be between -" + LIMIT + " and " +
                        LIMIT + ".");
                }
                values.add((int)(long)value);
            }
            return List.copyOf(values);
        }

        @Override
        public String format(final Object value)
        {
            final StringBuilder sb = new StringBuilder();
            for (final Object v : (List<?>)value)
            {
                if (sb.length() > 0)
                {
                    sb.append(' ');
                }
                sb.append(v);
            }
            return sb.toString();
        }
    }

    /**
     * A master to replicate from: the value of {@code replicaof <host> <port>}.
     */
    record Master(String host, int port)
    {
        @Override
        public String toString()
        {
            return host + " " + port;
        }
    }

    /**
     * {@code replicaof <host> <port>} or {@code replicaof no one} (null: not a replica). The port is read like
     * C's strtol (" +06380" is 6380, "" is 0) and must be 0..65535, as setConfigReplicaOfOption checks it.
     */
    static final class ReplicaOfType implements ValueType
    {
        @Override
        public Object parse(final List<String> args, final Object current) throws Invalid
        {
            if (args.size() != 2)
            {
                throw new Invalid("wrong number of arguments");
            }
            if (args.get(0).equalsIgnoreCase("no") && args.get(1).equalsIgnoreCase("one"))
            {
                return null;
            }
            final Long port = ConfigSyntax.strtollWhole(args.get(1));
            if (port == null || port < 0 || port > 65535)
            {
                throw new Invalid("Invalid master port");
            }
            return new Master(args.get(0), (int)(long)port);
        }

        @Override
        public String format(final Object value)
        {
            return value == null ? "" : value.toString();
        }
    }

    /** isValidAnnouncedHostname: NET_HOST_STR_LEN (256) bytes at most, counting the NUL; [A-Za-z0-9.-] only. */
    static final Check ANNOUNCED_HOSTNAME = value ->
    {
        final String hostname = (String)value;
        if (hostname.getBytes(StandardCharsets.UTF_8).length >= 256)
        {
            return "Hostnames must be less than 256 characters";
        }
        for (int i = 0; i < hostname.length(); i++)
        {
            final char c = hostname.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
            {
                return "Hostnames may only contain alphanumeric characters, hyphens or dots";
            }
        }
        return null;
    };

    private static final String PROC_TITLE_INVALID = "template format is invalid or contains unknown variables";

    /** The variables Redis's proc-title-template knows, and whether each expands to text when validated. */
    private static final List<String> NON_EMPTY_TITLE_VARIABLES = List.of("listen-addr", "config-file", "port",
        "tls-port");
    private static final List<String> EMPTY_TITLE_VARIABLES = List.of("title", "server-mode", "unixsocket");

    /**
     * validateProcTitleTemplate: the template must expand (sdstemplate: "{name}" is a known variable, "{{" a
     * literal '{', a lone '}' is itself; an unknown name or an unclosed '{' fails) to something that is not blank
     * once trimmed. Redis validates with an empty title; {server-mode} is empty outside cluster and sentinel modes
     * and {unixsocket} without a unix socket, which KeelKV never has.
     */
    static final Check PROC_TITLE_TEMPLATE = value ->
    {
        // a C string to Redis (a char * config): sdstemplate stops at the first NUL, so "\0" expands to nothing
        final String whole = (String)value;
        final int nul = whole.indexOf('\0');
        final String template = nul < 0 ? whole : whole.substring(0, nul);
        final StringBuilder expanded = new StringBuilder();
        int p = 0;
        while (p < template.length())
        {
            final int open = template.indexOf('{', p);
            if (open < 0)
            {
                expanded.append(template, p, template.length());
                break;
            }
            expanded.append(template, p, open);
            if (open + 1 == template.length())
            {
                return PROC_TITLE_INVALID;
            }
            if (template.charAt(open + 1) == '{')
            {
                expanded.append('{');
                p = open + 2;
                continue;
            }
            final int close = template.indexOf('}', open + 1);
            if (close < 0)
            {
                return PROC_TITLE_INVALID;
            }
            final String variable = template.substring(open + 1, close);
            if (NON_EMPTY_TITLE_VARIABLES.contains(variable))
            {
                expanded.append(variable);
            }
            else if (!EMPTY_TITLE_VARIABLES.contains(variable))
            {
                return PROC_TITLE_INVALID;
            }
            p = close + 1;
        }
        // sdstrim(title, " "): only spaces
        for (int i = 0; i < expanded.length(); i++)
        {
            if (expanded.charAt(i) != ' ')
            {
                return null;
            }
        }
        return PROC_TITLE_INVALID;
    };

    /** The text of enumConfigSet's refusal. */
    private static String oneOf(final List<String> names)
    {
        return "argument(s) must be one of the following: " + String.join(", ", names);
    }

    private static <T> T checked(final Check check, final T value) throws Invalid
    {
        final String reason = check.reason(value);
        if (reason != null)
        {
            throw new Invalid(reason);
        }
        return value;
    }
}
