package io.keelkv.server.config;

import java.util.List;

/**
 * One row of the directive table ({@link Directives}): the Redis 7 name, an optional alias (the old
 * "ziplist"/"slave" names), flags, the default written as it would be in redis.conf, and the value type that
 * parses arguments and formats the value for CONFIG GET.
 */
final class Directive
{
    /** CONFIG SET refuses it: "can't set immutable config". */
    static final int IMMUTABLE = 1;
    /** CONFIG SET allows it only when enable-protected-configs allows the client: "can't set protected config". */
    static final int PROTECTED = 1 << 1;
    /** Takes any number of arguments in a file; CONFIG SET splits its value on spaces. */
    static final int MULTI_ARG = 1 << 2;
    /** Not a Redis directive: KeelKV's own. */
    static final int KEELKV = 1 << 3;
    /** Redis's HIDDEN_CONFIG (test and debug knobs): CONFIG GET answers it by exact name only, never for a glob. */
    static final int HIDDEN = 1 << 4;

    final int id;
    final String name;
    final String alias;
    final int flags;
    final String defaultText;
    final ValueType type;
    /**
     * For a directive of a feature KeelKV does not have: the reason a value that would enable it is refused
     * (null for any other value), see {@link Directives} for the rule. Null when every valid value is accepted.
     */
    final ValueTypes.Check unsupported;
    /** With {@link #unsupported}: what the start-up report tells the user to do instead. */
    final String unsupportedHint;

    Directive(final int id, final String name, final String alias, final int flags, final String defaultText,
        final ValueType type, final ValueTypes.Check unsupported, final String unsupportedHint)
    {
        this.id = id;
        this.name = name;
        this.alias = alias;
        this.flags = flags;
        this.defaultText = defaultText;
        this.type = type;
        this.unsupported = unsupported;
        this.unsupportedHint = unsupportedHint;
    }

    boolean isImmutable()
    {
        return (flags & IMMUTABLE) != 0;
    }

    boolean isProtected()
    {
        return (flags & PROTECTED) != 0;
    }

    boolean isMultiArg()
    {
        return (flags & MULTI_ARG) != 0;
    }

    boolean isHidden()
    {
        return (flags & HIDDEN) != 0;
    }

    /**
     * @return why KeelKV refuses this value of the directive, or null when it accepts it.
     */
    String unsupportedReason(final Object value)
    {
        return unsupported == null ? null : unsupported.reason(value);
    }

    /**
     * @return the value as CONFIG GET prints it.
     */
    String format(final Object value)
    {
        return type.format(value);
    }

    /**
     * Arguments of the default, as a config file line would give them (one argument unless multi-arg).
     */
    List<String> defaultArgs()
    {
        return isMultiArg() ? ConfigSyntax.splitOnSpace(defaultText) : List.of(defaultText);
    }

    @Override
    public String toString()
    {
        return name;
    }

    /**
     * Parses the arguments of a directive into its typed, immutable value, and formats it back.
     */
    interface ValueType
    {
        /**
         * @param args    the arguments after the directive name (exactly one unless the directive is multi-arg).
         * @param current the current value: some directives are relative to it (dir, client-output-buffer-limit).
         * @return the new value, which must implement equals (to tell a real change from a no-op).
         * @throws Invalid with Redis's reason text.
         */
        Object parse(List<String> args, Object current) throws Invalid;

        String format(Object value);
    }

    /**
     * A rejected value; the message is the reason Redis gives, e.g. "argument must be a memory value".
     */
    static final class Invalid extends Exception
    {
        private static final long serialVersionUID = 1L;

        Invalid(final String reason)
        {
            super(reason, null, false, false);
        }
    }
}
