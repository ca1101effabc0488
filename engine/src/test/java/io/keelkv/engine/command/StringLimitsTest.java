package io.keelkv.engine.command;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A client's number meeting a string's length: SETRANGE's offset, APPEND's total, GETEX's expire time. The
 * replies are redis-server 7.0.15's (the server module's HostileArgumentsTest compares them live); these
 * rows need settings or clients a reply comparison cannot have: a small or huge proto-max-bulk-len, AOF
 * replay.
 */
class StringLimitsTest
{
    private static final String TOO_BIG = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";

    private final EngineSettings settings = new EngineSettings();
    private KeelEngine engine;
    private final RespWriter out = new RespWriter(1024);
    private final LocalClient client = new LocalClient(1, false);

    @AfterEach
    void close()
    {
        if (engine != null)
        {
            engine.close();
        }
    }

    private KeelEngine engine()
    {
        if (engine == null)
        {
            engine = new KeelEngine(settings);
        }
        return engine;
    }

    private String call(final String... args)
    {
        return callAs(client, args);
    }

    private String callAs(final LocalClient who, final String... args)
    {
        out.clear();
        engine().dispatcher().execute(Args.of(args), out, who);
        final byte[] reply = new byte[out.pending()];
        out.buffer().getBytes(out.readIndex(), reply);
        return new String(reply, StandardCharsets.ISO_8859_1);
    }

    @Test
    void shouldRejectSetrangeOffsetThatOverflows()
    {
        // offset + 1 wrapped to a negative size that passed the size check: a write at a wild address
        assertEquals("+OK\r\n", call("SET", "k", "hello"));
        assertEquals(TOO_BIG, call("SETRANGE", "k", "9223372036854775807", "x"));
        assertEquals(TOO_BIG, call("SETRANGE", "k", "9223372036854775806", "xy"));
        assertEquals(TOO_BIG, call("SETRANGE", "missing", "9223372036854775807", "x"));
        assertEquals("$5\r\nhello\r\n", call("GET", "k"));
        assertEquals(":0\r\n", call("EXISTS", "missing"));
        // an empty value is answered before the check, as in Redis
        assertEquals(":5\r\n", call("SETRANGE", "k", "9223372036854775807", ""));
        assertEquals(":0\r\n", call("SETRANGE", "missing", "9223372036854775807", ""));
    }

    @Test
    void shouldRejectSetrangePastProtoMaxBulkLenButAcceptItsLastByte()
    {
        settings.protoMaxBulkLen = 1 << 20;
        assertEquals(":1048576\r\n", call("SETRANGE", "k", "1048575", "x"));
        assertEquals(TOO_BIG, call("SETRANGE", "k", "1048576", "x"));
        assertEquals(TOO_BIG, call("SETRANGE", "k", "1048575", "xy"));
        assertEquals(":1048576\r\n", call("STRLEN", "k"));
    }

    @Test
    void shouldRejectAppendPastProtoMaxBulkLen()
    {
        settings.protoMaxBulkLen = 1 << 20;
        assertEquals(":1048575\r\n", call("SETRANGE", "k", "1048574", "x"));
        assertEquals(":1048576\r\n", call("APPEND", "k", "x"));
        assertEquals(TOO_BIG, call("APPEND", "k", "x"));
        assertEquals(":1048576\r\n", call("STRLEN", "k"));
    }

    /**
     * proto-max-bulk-len goes up to 2^63-1 in Redis, and KeelKV accepts that setting; but an entry stores a
     * value's length as an int, so a longer string would be sized one way and written another. Such a
     * SETRANGE is refused with Redis's error (it used to reach the allocator, which answered OOM).
     */
    @Test
    void shouldKeepAStringWithinWhatAnEntryHoldsWhateverProtoMaxBulkLen()
    {
        settings.protoMaxBulkLen = Long.MAX_VALUE;
        assertEquals(TOO_BIG, call("SETRANGE", "k", "4611686018427387904", "x"));
        assertEquals(TOO_BIG, call("SETRANGE", "k", "9223372036854775806", "x"));
        assertEquals(":0\r\n", call("EXISTS", "k"));
    }

    /** Redis's checkStringLength lets AOF replay (mustObeyClient) past proto-max-bulk-len: what was logged loads. */
    @Test
    void shouldReplayASetrangePastProtoMaxBulkLenFromTheAof()
    {
        settings.protoMaxBulkLen = 1 << 20;
        callAs(new LocalClient(2, true), "SETRANGE", "k", "1048576", "x");
        assertEquals(":1048577\r\n", call("STRLEN", "k"));
        assertEquals(TOO_BIG, call("SETRANGE", "k", "1048577", "x"));
    }

    /** getexCommand looks the key up before it reads the expire time: a missing key is nil whatever the number. */
    @Test
    void shouldAnswerNilToGetexOfAMissingKeyBeforeReadingItsExpireTime()
    {
        assertEquals("$-1\r\n", call("GETEX", "missing", "EX", "abc"));
        assertEquals("$-1\r\n", call("GETEX", "missing", "EX", "0"));
        assertEquals("$-1\r\n", call("GETEX", "missing", "PX", "9223372036854775807"));
        assertEquals("-ERR syntax error\r\n", call("GETEX", "missing", "EX"));
        call("SET", "k", "v");
        assertEquals("-ERR value is not an integer or out of range\r\n", call("GETEX", "k", "EX", "abc"));
        assertEquals("-ERR invalid expire time in 'getex' command\r\n", call("GETEX", "k", "EX", "9223372036854775807"));
        assertEquals("-ERR invalid expire time in 'getex' command\r\n", call("GETEX", "k", "PX", "9223372036854775807"));
        assertEquals(":-1\r\n", call("TTL", "k"));
    }
}
