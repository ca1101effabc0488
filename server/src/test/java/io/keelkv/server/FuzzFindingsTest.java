package io.keelkv.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One test per distinct bug the fuzz tests (CommandFuzzTest, ProtocolFuzzTest, RespDecoderFuzzTest) found:
 * the smallest input that shows it, with Redis 7.0.15's answer. The server runs as a child process, as in
 * the fuzz: a bug that crashes the JVM fails this test instead of the test run.
 */
class FuzzFindingsTest
{
    private static ChildServer server;

    @BeforeAll
    static void start() throws Exception
    {
        server = ChildServer.start(FuzzRun.WORK.resolve("findings"));
    }

    @AfterAll
    static void stop() throws Exception
    {
        server.close();
    }

    @BeforeEach
    void restartAfterACrash() throws Exception
    {
        if (!server.isAlive())
        {
            server = ChildServer.start(FuzzRun.WORK.resolve("findings"));
        }
    }

    private static String call(final String... args) throws Exception
    {
        try (FuzzClient client = new FuzzClient(server.port(), 10_000))
        {
            return client.call(args).preview;
        }
        catch (final IOException ex)
        {
            throw new AssertionError(String.join(" ", args) + ": " + ex.getMessage() +
                (server.awaitExit(2_000) ? "\n" + server.deathReport() : ""), ex);
        }
    }

    /**
     * Found by CommandFuzzTest: the offset plus the value's length overflowed a long, the size check passed
     * and the write went to a wild address (SIGSEGV, the whole server gone). Redis checks
     * offset + length against proto-max-bulk-len without overflow.
     */
    @Test
    void shouldRefuseSetrangeWhoseOffsetPlusLengthPassesTheLongRange() throws Exception
    {
        final String tooBig = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";
        assertEquals(tooBig, call("SETRANGE", "fz:missing", "9223372036854775807", "x"));
        assertEquals("+OK\r\n", call("SET", "fz:str", "hello"));
        assertEquals(tooBig, call("SETRANGE", "fz:str", "9223372036854775806", "xy"));
        assertEquals("$5\r\nhello\r\n", call("GET", "fz:str"));
        assertTrue(server.isAlive());
    }

    /**
     * Found by comparing CommandFuzzTest's requests with redis-server 7.0.15: GETEX read its EX/PX/EXAT/PXAT
     * value before looking the key up, so a missing key got "invalid expire time" or "not an integer" where
     * Redis answers nil (getexCommand parses the syntax, looks the key up, then the time). A syntax error
     * still comes first, and a found key still gets the error.
     */
    @Test
    void shouldAnswerGetexOfAMissingKeyNilWhateverItsExpireTime() throws Exception
    {
        assertEquals("$-1\r\n", call("GETEX", "fz:missing", "EX", "0"));
        assertEquals("$-1\r\n", call("GETEX", "fz:missing", "PXAT", "abc"));
        assertEquals("$-1\r\n", call("GETEX", "fz:missing", "EX", "9223372036854775807"));
        assertEquals("-ERR syntax error\r\n", call("GETEX", "fz:missing", "EX"));
        assertEquals("+OK\r\n", call("SET", "fz:getex", "v"));
        assertEquals("-ERR invalid expire time in 'getex' command\r\n", call("GETEX", "fz:getex", "EX", "0"));
        assertEquals("-ERR value is not an integer or out of range\r\n", call("GETEX", "fz:getex", "PXAT", "abc"));
        assertEquals(":-1\r\n", call("TTL", "fz:getex"));
    }

    /**
     * Found by comparing CommandFuzzTest's requests with redis-server 7.0.15: INCRBYFLOAT refused "0x10" as
     * not a valid float, where Redis's strtold reads hexadecimal (16); a key holding one is a float too.
     */
    @Test
    void shouldIncrementByAHexadecimalFloatAsRedis() throws Exception
    {
        assertEquals("$2\r\n16\r\n", call("INCRBYFLOAT", "fz:float", "0x10"));
        assertEquals("$4\r\n16.5\r\n", call("INCRBYFLOAT", "fz:float", "0x.8"));
        assertEquals("+OK\r\n", call("SET", "fz:hex", "0x1p3"));
        assertEquals("$1\r\n9\r\n", call("INCRBYFLOAT", "fz:hex", "1"));
        assertEquals("-ERR value is not a valid float\r\n", call("INCRBYFLOAT", "fz:float", "0x1p"));
    }

    /**
     * Found by CommandFuzzTest against redis-server: DEBUG SLEEP 0x10 made Redis sleep 16 s (strtod reads
     * hexadecimal) and KeelKV not at all.
     */
    @Test
    void shouldSleepForAHexadecimalDebugSleepAsRedis() throws Exception
    {
        final long start = System.nanoTime();
        assertEquals("+OK\r\n", call("DEBUG", "SLEEP", "0x.4"));
        final long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMs >= 250, "DEBUG SLEEP 0x.4 (0.25 s) returned after " + elapsedMs + " ms");
    }

    /**
     * Found by CommandFuzzTest against redis-server: HELLO 2 AUTH "" "" SETNAME "\x00" answered the bad name
     * where Redis answers WRONGPASS. Redis 7.0 acts on each HELLO option where it stands: AUTH authenticates
     * or fails, SETNAME names the client, before the next option is read (so a later bad option leaves an
     * earlier name set).
     */
    @Test
    void shouldActOnEachHelloOptionInOrderAsRedis() throws Exception
    {
        final String badName = "-ERR Client names cannot contain spaces, newlines or special characters.\r\n";
        assertEquals("-WRONGPASS invalid username-password pair or user is disabled.\r\n",
            call("HELLO", "2", "AUTH", "", "", "SETNAME", "\0"));
        assertEquals(badName, call("HELLO", "3", "AUTH", "default", "any", "SETNAME", "a b"));
        try (FuzzClient client = new FuzzClient(server.port(), 10_000))
        {
            assertEquals(badName, client.call("HELLO", "3", "SETNAME", "ok", "SETNAME", "a b").preview);
            assertEquals("$2\r\nok\r\n", client.call("CLIENT", "GETNAME").preview);
            assertEquals(badName, client.call("HELLO", "3", "SETNAME", "a b", "bogus").preview);
            assertEquals("-ERR Syntax error in HELLO option 'bogus'\r\n", client.call("HELLO", "3", "SETNAME", "fine", "bogus").preview);
            assertEquals("$4\r\nfine\r\n", client.call("CLIENT", "GETNAME").preview);
        }
    }

    /**
     * Found by CommandFuzzTest against redis-server: CONFIG SET proc-title-template "\x00" was accepted where
     * Redis refuses it: to Redis the template is a C string, which ends at the NUL and so expands to nothing.
     */
    @Test
    void shouldValidateTheProcTitleTemplateUpToItsFirstNulAsRedis() throws Exception
    {
        final String invalid = "-ERR CONFIG SET failed (possibly related to argument 'proc-title-template') - " +
            "template format is invalid or contains unknown variables\r\n";
        assertEquals(invalid, call("CONFIG", "SET", "proc-title-template", "\0"));
        assertEquals(invalid, call("CONFIG", "SET", "proc-title-template", " \0x"));
        assertEquals("+OK\r\n", call("CONFIG", "SET", "proc-title-template", "{port}\0{nope}"));
        assertEquals("+OK\r\n", call("CONFIG", "SET", "proc-title-template", "{title} {listen-addr} {server-mode}"));
    }
}
