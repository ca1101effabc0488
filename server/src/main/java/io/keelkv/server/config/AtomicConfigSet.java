package io.keelkv.server.config;

import io.keelkv.server.config.Directive.Invalid;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * CONFIG SET of one or more directives, all or nothing, as Redis 7.0's configSetCommand: first every name is
 * checked (it exists, is mutable, is not protected from this client, appears once), then the values are
 * parsed and stored in order (the first that fails restores those already stored), then each
 * {@link ConfigListener} of a changed directive runs once, in the order the directives were given; a
 * listener's refusal restores every value of the command and runs the listeners already run again, so that
 * the server goes back to what it applied before. The error texts are Redis's.
 */
final class AtomicConfigSet
{
    private AtomicConfigSet()
    {
    }

    /**
     * @param localClient    whether the client is on a loopback address or unix socket (protected directives).
     * @param namesAndValues the command's arguments after SET.
     * @throws ConfigException with the error reply text; nothing was changed.
     */
    static void apply(final ServerConfig config, final boolean localClient, final List<String> namesAndValues)
        throws ConfigException
    {
        if (namesAndValues.isEmpty())
        {
            throw new ConfigException("ERR wrong number of arguments for 'config|set' command");
        }
        if ((namesAndValues.size() & 1) != 0)
        {
            throw new ConfigException("ERR syntax error");
        }

        // 1. every name must exist, be settable by this client and appear once; the first problem is reported.
        // As in Redis 7.0, a name and its alias are two entries: giving both is no duplicate, the last one wins.
        final int count = namesAndValues.size() / 2;
        final Directive[] directives = new Directive[count];
        final String[] entryNames = new String[count];
        for (int i = 0; i < count; i++)
        {
            final String name = namesAndValues.get(2 * i);
            final Directive d = Directives.lookup(name);
            if (d == null)
            {
                // Redis prints the name with "%s": it ends at a NUL
                final int nul = name.indexOf('\0');
                throw new ConfigException("ERR Unknown option or number of arguments for CONFIG SET - '" +
                    (nul < 0 ? name : name.substring(0, nul)) + "'");
            }
            if (d.isImmutable())
            {
                throw setFailed(name, "can't set immutable config");
            }
            if (d.isProtected() && !protectedConfigAllowed(config, localClient))
            {
                throw setFailed(name, "can't set protected config");
            }
            final String entryName = Directives.entryName(d, name);
            for (int j = 0; j < i; j++)
            {
                if (entryNames[j].equals(entryName))
                {
                    throw setFailed(name, "duplicate parameter");
                }
            }
            directives[i] = d;
            entryNames[i] = entryName;
        }

        // 2. set the values in order; the first that does not parse restores all of them
        final Object[] oldValues = new Object[count];
        for (int i = 0; i < count; i++)
        {
            oldValues[i] = config.value(directives[i]);
        }
        final Map<ConfigListener, Integer> toApply = new IdentityHashMap<>();
        final List<ConfigListener> applyOrder = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final Directive d = directives[i];
            final String value = namesAndValues.get(2 * i + 1);
            final List<String> args = d.isMultiArg() ? ConfigSyntax.splitOnSpace(value) : List.of(value);
            final Object newValue;
            try
            {
                newValue = d.type.parse(args, config.value(d));
            }
            catch (final Invalid ex)
            {
                restore(config, directives, oldValues);
                throw setFailed(entryNames[i], ex.getMessage());
            }
            // a value that would turn on a feature KeelKV lacks is refused like an invalid one (see Directives)
            final String unsupported = d.unsupportedReason(newValue);
            if (unsupported != null)
            {
                restore(config, directives, oldValues);
                throw setFailed(entryNames[i], unsupported);
            }
            if (!Objects.equals(config.value(d), newValue))
            {
                config.store(d, newValue);
                for (final ConfigListener listener : config.listeners(d))
                {
                    if (toApply.putIfAbsent(listener, i) == null)
                    {
                        applyOrder.add(listener);
                    }
                }
            }
        }

        // 3. let the server apply what really changed; a refusal restores everything
        for (int k = 0; k < applyOrder.size(); k++)
        {
            final ConfigListener listener = applyOrder.get(k);
            try
            {
                listener.onChange(config);
            }
            catch (final ConfigException ex)
            {
                restore(config, directives, oldValues);
                reapply(config, applyOrder.subList(0, k + 1));
                throw setFailed(entryNames[toApply.get(listener)], ex.getMessage());
            }
        }
    }

    private static void restore(final ServerConfig config, final Directive[] directives, final Object[] oldValues)
    {
        for (int i = 0; i < directives.length; i++)
        {
            config.store(directives[i], oldValues[i]);
        }
    }

    private static void reapply(final ServerConfig config, final List<ConfigListener> applied)
    {
        for (final ConfigListener listener : applied)
        {
            try
            {
                listener.onChange(config);
            }
            catch (final ConfigException ignored)
            {
                // as Redis: the previous values were applied before, nothing better can be done than to go on
            }
        }
    }

    private static boolean protectedConfigAllowed(final ServerConfig config, final boolean localClient)
    {
        final String mode = (String)config.value(Directives.ENABLE_PROTECTED_CONFIGS);
        return mode.equals("yes") || (mode.equals("local") && localClient);
    }

    private static ConfigException setFailed(final String name, final String reason)
    {
        return new ConfigException("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + reason);
    }
}
