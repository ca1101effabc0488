package io.keelkv.server.config;

import io.keelkv.server.config.Directive.Invalid;
import io.keelkv.server.config.Directive.ValueType;

import java.io.IOException;
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
     * All of Redis's integer kinds (int, unsigned int, long long, size_t, off_t, ...) as one long with bounds.
     * Unsigned kinds compare bounds as unsigned (so -1 is refused as "between 1 and 4294967295"), exactly
     * as numericBoundaryCheck does; memory kinds accept units and print as unsigned.
     */
    static final class NumericType implements ValueType
    {
        private final long lowerBound;
        private final long upperBound;
        private final boolean unsignedBounds;
        private final boolean memory;
        private final Check check;
        private final LongUnaryOperator normalize;

        NumericType(final long lowerBound, final long upperBound, final boolean unsignedBounds, final boolean memory,
            final Check check, final LongUnaryOperator normalize)
        {
            this.lowerBound = lowerBound;
            this.upperBound = upperBound;
            this.unsignedBounds = unsignedBounds;
            this.memory = memory;
            this.check = check;
            this.normalize = normalize;
        }

        @Override
        public Object parse(final List<String> args, final Object current) throws Invalid
        {
            final String arg = args.get(0);
            final Long parsed = memory ? ConfigSyntax.parseMemory(arg) : ConfigSyntax.parseStrictLong(arg);
            if (parsed == null)
            {
                throw new Invalid(memory ? "argument must be a memory value" :
                    "argument couldn't be parsed into an integer");
            }
            final long value = parsed;
            if (unsignedBounds)
            {
                if (Long.compareUnsigned(value, upperBound) > 0 || Long.compareUnsigned(value, lowerBound) < 0)
                {
                    throw new Invalid("argument must be between " + Long.toUnsignedString(lowerBound) + " and " +
                        Long.toUnsignedString(upperBound) + " inclusive");
                }
            }
            else if (value > upperBound || value < lowerBound)
            {
                throw new Invalid("argument must be between " + lowerBound + " and " + upperBound + " inclusive");
            }
            checked(check, value);
            return normalize.applyAsLong(value);
        }

        @Override
        public String format(final Object value)
        {
            final long v = (Long)value;
            return memory ? Long.toUnsignedString(v) : Long.toString(v);
        }
    }

    static final class EnumType implements ValueType
    {
        private final List<String> names;

        EnumType(final String... names)
        {
            this.names = List.of(names);
        }

        @Override
        public Object parse(final List<String> args, final Object current) throws Invalid
        {
            final String arg = args.get(0);
            for (final String name : names)
            {
                if (name.equalsIgnoreCase(arg))
                {
                    return name;
                }
            }
            throw new Invalid("argument(s) must be one of the following: " + String.join(", ", names));
        }

        @Override
        public String format(final Object value)
        {
            return (String)value;
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
