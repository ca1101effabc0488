package io.keelkv.engine.command;

/** Command flags with Redis 7's names, as COMMAND INFO reports them. */
public final class CommandFlags
{
    public static final int WRITE = 1;
    public static final int READONLY = 1 << 1;
    public static final int DENYOOM = 1 << 2;
    public static final int ADMIN = 1 << 3;
    public static final int PUBSUB = 1 << 4;
    public static final int NOSCRIPT = 1 << 5;
    public static final int BLOCKING = 1 << 6;
    public static final int LOADING = 1 << 7;
    public static final int STALE = 1 << 8;
    public static final int SKIP_MONITOR = 1 << 9;
    public static final int SKIP_SLOWLOG = 1 << 10;
    public static final int FAST = 1 << 11;
    public static final int NO_AUTH = 1 << 12;
    public static final int MAY_REPLICATE = 1 << 13;
    public static final int NO_MANDATORY_KEYS = 1 << 14;
    /** Refused while an async load (repl-diskless-load swapdb) runs; KeelKV has none, so it is only reported. */
    public static final int NO_ASYNC_LOADING = 1 << 15;
    public static final int NO_MULTI = 1 << 16;
    public static final int MOVABLEKEYS = 1 << 17;
    public static final int ALLOW_BUSY = 1 << 18;
    public static final int SENTINEL = 1 << 19;
    /** KeelKV's own: behind enable-debug-command (DEBUG), not a Redis flag, never reported. */
    public static final int PROTECTED = 1 << 20;

    static final String[] NAMES = {
        "write", "readonly", "denyoom", "admin", "pubsub", "noscript", "blocking", "loading", "stale",
        "skip_monitor", "skip_slowlog", "fast", "no_auth", "may_replicate", "no_mandatory_keys", "no_async_loading", "no_multi",
        "movablekeys", "allow_busy", "sentinel", "protected"};

    private CommandFlags()
    {
    }

    static int parse(final String names)
    {
        int flags = 0;
        for (final String name : names.trim().split("\\s+"))
        {
            if (name.isEmpty())
            {
                continue;
            }
            int bit = -1;
            for (int i = 0; i < NAMES.length; i++)
            {
                if (NAMES[i].equals(name))
                {
                    bit = i;
                }
            }
            if (bit < 0)
            {
                throw new IllegalArgumentException("unknown command flag: " + name);
            }
            flags |= 1 << bit;
        }
        return flags;
    }
}
