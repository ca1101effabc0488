package io.keelkv.server.config;

/**
 * The {@code notify-keyspace-events} classes as bit flags (Redis's NOTIFY_* values) and their
 * conversion from and to the class-character string, formatted exactly as Redis 7.0 prints it.
 */
public final class KeyspaceEvents
{
    public static final int KEYSPACE = 1;       // K
    public static final int KEYEVENT = 1 << 1;  // E
    public static final int GENERIC = 1 << 2;   // g
    public static final int STRING = 1 << 3;    // $
    public static final int LIST = 1 << 4;      // l
    public static final int SET = 1 << 5;       // s
    public static final int HASH = 1 << 6;      // h
    public static final int ZSET = 1 << 7;      // z
    public static final int EXPIRED = 1 << 8;   // x
    public static final int EVICTED = 1 << 9;   // e
    public static final int STREAM = 1 << 10;   // t
    public static final int KEY_MISS = 1 << 11; // m (not part of A)
    public static final int MODULE = 1 << 13;   // d
    public static final int NEW = 1 << 14;      // n (not part of A)
    /** The 'A' alias: g$lshzxetd. */
    public static final int ALL = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

    static final String INVALID_CLASS = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

    private KeyspaceEvents()
    {
    }

    /**
     * @return the flags, or -1 when a character is not a class.
     */
    public static int parse(final String classes)
    {
        int flags = 0;
        for (int i = 0; i < classes.length(); i++)
        {
            switch (classes.charAt(i))
            {
                case 'A' -> flags |= ALL;
                case 'g' -> flags |= GENERIC;
                case '$' -> flags |= STRING;
                case 'l' -> flags |= LIST;
                case 's' -> flags |= SET;
                case 'h' -> flags |= HASH;
                case 'z' -> flags |= ZSET;
                case 'x' -> flags |= EXPIRED;
                case 'e' -> flags |= EVICTED;
                case 'K' -> flags |= KEYSPACE;
                case 'E' -> flags |= KEYEVENT;
                case 't' -> flags |= STREAM;
                case 'm' -> flags |= KEY_MISS;
                case 'd' -> flags |= MODULE;
                case 'n' -> flags |= NEW;
                default ->
                {
                    return -1;
                }
            }
        }
        return flags;
    }

    /**
     * Redis 7.0's keyspaceEventsFlagsToString: 'A' hides the single classes, and 'n' is printed only without
     * 'A' (checked against redis-server 7.0.15: "An" reads back as "A").
     */
    public static String format(final int flags)
    {
        final StringBuilder sb = new StringBuilder();
        if ((flags & ALL) == ALL)
        {
            sb.append('A');
        }
        else
        {
            appendIf(sb, flags, GENERIC, 'g');
            appendIf(sb, flags, STRING, '$');
            appendIf(sb, flags, LIST, 'l');
            appendIf(sb, flags, SET, 's');
            appendIf(sb, flags, HASH, 'h');
            appendIf(sb, flags, ZSET, 'z');
            appendIf(sb, flags, EXPIRED, 'x');
            appendIf(sb, flags, EVICTED, 'e');
            appendIf(sb, flags, STREAM, 't');
            appendIf(sb, flags, MODULE, 'd');
            appendIf(sb, flags, NEW, 'n');
        }
        appendIf(sb, flags, KEYSPACE, 'K');
        appendIf(sb, flags, KEYEVENT, 'E');
        appendIf(sb, flags, KEY_MISS, 'm');
        return sb.toString();
    }

    private static void appendIf(final StringBuilder sb, final int flags, final int flag, final char c)
    {
        if ((flags & flag) != 0)
        {
            sb.append(c);
        }
    }
}
