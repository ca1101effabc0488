package io.keelkv.engine.keyspace;

/**
 * Value types and encodings with Redis's numbers (server.h OBJ_* and OBJ_ENCODING_*), so that TYPE,
 * OBJECT ENCODING and DEBUG DIGEST agree with Redis byte for byte.
 */
public final class ObjectType
{
    public static final int STRING = 0;
    public static final int LIST = 1;
    public static final int SET = 2;
    public static final int ZSET = 3;
    public static final int HASH = 4;
    public static final int STREAM = 6;

    public static final int ENCODING_RAW = 0;
    public static final int ENCODING_INT = 1;
    public static final int ENCODING_HT = 2;
    public static final int ENCODING_INTSET = 6;
    public static final int ENCODING_SKIPLIST = 7;
    public static final int ENCODING_EMBSTR = 8;
    public static final int ENCODING_QUICKLIST = 9;
    public static final int ENCODING_STREAM = 10;
    public static final int ENCODING_LISTPACK = 11;

    /** Strings up to this length get the embstr encoding in Redis (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
    public static final int EMBSTR_SIZE_LIMIT = 44;

    private ObjectType()
    {
    }

    /**
     * Whether a value of this encoding owns blocks outside its entry (a hashtable's root, tables and elements; a
     * quicklist's root and nodes):
     * deleting or overwriting the key must release them, and copying it must copy them.
     */
    public static boolean ownsBlocks(final int encoding)
    {
        return encoding == ENCODING_HT || encoding == ENCODING_QUICKLIST || encoding == ENCODING_SKIPLIST;
    }

    public static String typeName(final int type)
    {
        switch (type)
        {
            case STRING: return "string";
            case LIST: return "list";
            case SET: return "set";
            case ZSET: return "zset";
            case HASH: return "hash";
            case STREAM: return "stream";
            default: return "none";
        }
    }

    /** TYPE filter of SCAN: -1 for an unknown name. */
    public static int typeOf(final String name)
    {
        switch (name.toLowerCase(java.util.Locale.ROOT))
        {
            case "string": return STRING;
            case "list": return LIST;
            case "set": return SET;
            case "zset": return ZSET;
            case "hash": return HASH;
            case "stream": return STREAM;
            default: return -1;
        }
    }

    public static String encodingName(final int encoding)
    {
        switch (encoding)
        {
            case ENCODING_RAW: return "raw";
            case ENCODING_INT: return "int";
            case ENCODING_HT: return "hashtable";
            case ENCODING_INTSET: return "intset";
            case ENCODING_SKIPLIST: return "skiplist";
            case ENCODING_EMBSTR: return "embstr";
            case ENCODING_QUICKLIST: return "quicklist";
            case ENCODING_STREAM: return "stream";
            case ENCODING_LISTPACK: return "listpack";
            default: return "unknown";
        }
    }
}
