package io.keelkv.server.config;

/**
 * A configuration error whose message is exactly the text the user sees: a CONFIG SET error reply
 * (without the leading '-', e.g. {@code ERR CONFIG SET failed (possibly related to argument 'maxmemory') -
 * argument must be a memory value}), or a start-up report laid out like redis-server's
 * {@code *** FATAL CONFIG FILE ERROR ***} block, which the launcher prints on stderr before exiting with
 * status 1.
 */
public final class ConfigException extends Exception
{
    private static final long serialVersionUID = 1L;

    public ConfigException(final String message)
    {
        // user-facing text, not a bug report: no stack trace to fill
        super(message, null, false, false);
    }
}
