package io.keelkv.engine.resp;

import java.nio.charset.StandardCharsets;

/**
 * Pre-encoded replies, written with one copy and never formatted (Garnet's constant replies, Redis's
 * shared objects in server.c). Error texts are redis-server 7.0.15's, checked over a raw socket.
 * The arrays are shared: never modify them.
 */
public final class RespConstants
{
    public static final byte[] CRLF = bytes("\r\n");
    public static final byte[] OK = bytes("+OK\r\n");
    public static final byte[] PONG = bytes("+PONG\r\n");
    public static final byte[] QUEUED = bytes("+QUEUED\r\n");
    public static final byte[] ZERO = bytes(":0\r\n");
    public static final byte[] ONE = bytes(":1\r\n");
    public static final byte[] MINUS_ONE = bytes(":-1\r\n");
    public static final byte[] MINUS_TWO = bytes(":-2\r\n");
    /** RESP2 null bulk string. */
    public static final byte[] NULL_BULK = bytes("$-1\r\n");
    /** RESP2 null array. */
    public static final byte[] NULL_ARRAY = bytes("*-1\r\n");
    /** RESP3 null, for both. */
    public static final byte[] NULL3 = bytes("_\r\n");
    public static final byte[] EMPTY_ARRAY = bytes("*0\r\n");
    public static final byte[] EMPTY_BULK = bytes("$0\r\n\r\n");
    public static final byte[] EMPTY_MAP3 = bytes("%0\r\n");
    public static final byte[] EMPTY_SET3 = bytes("~0\r\n");
    public static final byte[] TRUE3 = bytes("#t\r\n");
    public static final byte[] FALSE3 = bytes("#f\r\n");

    public static final byte[] WRONGTYPE =
        bytes("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    public static final byte[] NOT_INTEGER = bytes("-ERR value is not an integer or out of range\r\n");
    public static final byte[] NOT_FLOAT = bytes("-ERR value is not a valid float\r\n");
    public static final byte[] SYNTAX_ERROR = bytes("-ERR syntax error\r\n");
    public static final byte[] NO_SUCH_KEY = bytes("-ERR no such key\r\n");
    public static final byte[] INDEX_OUT_OF_RANGE = bytes("-ERR index out of range\r\n");
    public static final byte[] DB_INDEX_OUT_OF_RANGE = bytes("-ERR DB index is out of range\r\n");
    public static final byte[] NOAUTH = bytes("-NOAUTH Authentication required.\r\n");
    public static final byte[] EXECABORT = bytes("-EXECABORT Transaction discarded because of previous errors.\r\n");
    public static final byte[] NOSCRIPT = bytes("-NOSCRIPT No matching script. Please use EVAL.\r\n");
    public static final byte[] OOM = bytes("-OOM command not allowed when used memory > 'maxmemory'.\r\n");

    private RespConstants()
    {
    }

    /**
     * @param s ASCII text.
     * @return its bytes.
     */
    public static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
