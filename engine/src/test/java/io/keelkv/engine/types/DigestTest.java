package io.keelkv.engine.types;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * DEBUG DIGEST must equal redis-server's for the same dataset. Every expected digest below was read from
 * redis 7.0.15 (Debian build) after running the very same commands against it.
 */
class DigestTest
{
    private static final String ZEROS = "+" + "0".repeat(40) + "\r\n";

    private final KeelEngine engine = new KeelEngine(new EngineSettings());
    private final RespWriter out = new RespWriter(1024);

    @AfterEach
    void close()
    {
        engine.close();
    }

    private String call(final String... args)
    {
        return call(engine, args);
    }

    private String call(final KeelEngine target, final String... args)
    {
        out.clear();
        final byte[][] parts = new byte[args.length][];
        for (int i = 0; i < args.length; i++)
        {
            parts[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        target.execute(Args.of(parts), out);
        final byte[] bytes = new byte[out.pending()];
        out.buffer().getBytes(out.readIndex(), bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    @Test
    void shouldDigestAnEmptyDatasetAsFortyZeros()
    {
        assertEquals(ZEROS, call("DEBUG", "DIGEST"));
        call("SET", "k", "v");
        call("DEL", "k");
        assertEquals(ZEROS, call("DEBUG", "DIGEST"), "an emptied database does not mix its number in");
    }

    @Test
    void shouldMatchRedisAfterDebugPopulate()
    {
        // redis 7.0.15: FLUSHALL, DEBUG POPULATE 100 key 10, DEBUG DIGEST
        call("DEBUG", "POPULATE", "100", "key", "10");
        assertEquals("+4d0a4641da2c6f9bad7456bd23eb4408eadd1f0f\r\n", call("DEBUG", "DIGEST"));
        call("FLUSHALL");
        // redis 7.0.15: FLUSHALL, DEBUG POPULATE 100, DEBUG DIGEST
        call("DEBUG", "POPULATE", "100");
        assertEquals("+6ccb30af923e3936581da32cffcd103966a1fd3a\r\n", call("DEBUG", "DIGEST"));
    }

    @Test
    void shouldMatchRedisForStringsWithAndWithoutTtlInSeveralDatabases()
    {
        // redis 7.0.15, the same commands in the same order
        call("SET", "a", "1");
        call("SET", "b", "hello");
        call("SET", "c", "bin\r\n\0x", "PX", "100000000");
        call("SET", "", "empty-key");
        call("SELECT", "3");
        call("SET", "a", "1");
        call("SET", "z", "", "EX", "1000000");
        call("SET", "n", "-12345");
        call("SELECT", "0");
        assertEquals("+64670fdadd173f46721c5414da545c1edbaa3b22\r\n", call("DEBUG", "DIGEST"));
        assertEquals("*5\r\n" +
            "+b4fc66738120fba0b5aa500ab5c2bf89cea1c5da\r\n" +
            "+36b23a1456b2dce2c3ed252c456761301dba8060\r\n" +
            "+7ef53ff1dee8c601d3f110277f2afab166188e73\r\n" +
            "+0000000000000000000000000000000000000000\r\n" +
            "+d807bab304b85fd592819d74a78be18b5527e976\r\n",
            call("DEBUG", "DIGEST-VALUE", "a", "b", "c", "nokey", ""));
        call("SELECT", "3");
        assertEquals("*3\r\n" +
            "+b4fc66738120fba0b5aa500ab5c2bf89cea1c5da\r\n" +
            "+6db1b93ce6baa1d5cf28f3e32abc6d750a8ed39f\r\n" +
            "+9364d007acb0ba24016c9866e6283671e674924f\r\n",
            call("DEBUG", "DIGEST-VALUE", "a", "z", "n"));
    }

    @Test
    void shouldMatchRedisForPopulatedValuesOfAGivenSizeAndTheLastDatabase()
    {
        // redis 7.0.15: DEBUG POPULATE 5 p 3, SELECT 15, DEBUG POPULATE 3 q 50, SET t v EX 1000, SELECT 0
        call("DEBUG", "POPULATE", "5", "p", "3");
        call("SELECT", "15");
        call("DEBUG", "POPULATE", "3", "q", "50");
        call("SET", "t", "v", "EX", "1000");
        call("SELECT", "0");
        assertEquals("+8c56967c1076c55727fabb348e44185cda0da9fc\r\n", call("DEBUG", "DIGEST"));
    }

    @Test
    void shouldHashValuesLargerThanOneChunk()
    {
        // redis 7.0.15: SET big <20000 x>, DEBUG DIGEST-VALUE big, DEBUG DIGEST
        call("SET", "big", "x".repeat(20000));
        assertEquals("*1\r\n+787ecafa8d63ecde9243fb21daecc5233c4d5c2e\r\n", call("DEBUG", "DIGEST-VALUE", "big"));
        assertEquals("+f77c7cd298b7b64db29e400b7bcdf289c82954df\r\n", call("DEBUG", "DIGEST"));
    }

    @Test
    void shouldNotDependOnInsertionOrderOrTtlValue()
    {
        try (KeelEngine other = new KeelEngine(new EngineSettings()))
        {
            for (int i = 0; i < 500; i++)
            {
                call("SET", "k" + i, "v" + i, "EX", String.valueOf(100 + i));
            }
            for (int i = 499; i >= 0; i--)
            {
                call(other, "SET", "k" + i, "v" + i, "PX", "999999");
            }
            final String digest = call("DEBUG", "DIGEST");
            assertEquals(digest, call(other, "DEBUG", "DIGEST"));
            call(other, "SET", "k7", "changed", "KEEPTTL");
            assertNotEquals(digest, call(other, "DEBUG", "DIGEST"));
            call(other, "SET", "k7", "v7", "KEEPTTL");
            call(other, "PERSIST", "k8");
            assertNotEquals(digest, call(other, "DEBUG", "DIGEST"), "losing a TTL changes the digest");
        }
    }

    @Test
    void shouldSeeKeysPastTheirDeadlineThatAreStillInTheTable() throws InterruptedException
    {
        // Redis walks the dict: a logically expired key not yet removed is in the digest, with its TTL mark
        call("SET", "k", "v", "PX", "100000");
        final String live = call("DEBUG", "DIGEST");
        final String value = call("DEBUG", "DIGEST-VALUE", "k");
        call("PEXPIRE", "k", "1");
        Thread.sleep(5);
        assertEquals(live, call("DEBUG", "DIGEST"));
        assertEquals(value, call("DEBUG", "DIGEST-VALUE", "k"));
        assertEquals(":-2\r\n", call("PTTL", "k"));
        assertEquals(ZEROS, call("DEBUG", "DIGEST"));
    }

    @Test
    void shouldDigestThroughTheJavaApi()
    {
        engine.set("a".getBytes(StandardCharsets.US_ASCII), "1".getBytes(StandardCharsets.US_ASCII));
        final Keyspace keyspace = engine.keyspace();
        final Digest digest = new Digest(keyspace.memory());
        final byte[] value = new byte[Digest.DIGEST_LENGTH];
        final byte[] key = "a".getBytes(StandardCharsets.US_ASCII);
        final long e = keyspace.database(0).find(key, org.agrona.UnsafeApi.arrayBaseOffset(byte[].class), 1);
        digest.value(e, value);
        assertEquals("b4fc66738120fba0b5aa500ab5c2bf89cea1c5da", Digest.hex(value));
        final byte[] dataset = new byte[Digest.DIGEST_LENGTH];
        digest.dataset(keyspace, dataset);
        assertEquals("+" + Digest.hex(dataset) + "\r\n", call("DEBUG", "DIGEST"));
    }
}
