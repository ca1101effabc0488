package io.keelkv.engine.resp;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The decoder fed the way a socket feeds it: a growing buffer, requests cut anywhere. Error texts are
 * the ones redis-server 7.0.15 replies (checked by hand with a raw socket against it).
 */
class RespDecoderTest
{
    private static final String PIPELINE =
        "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$8\r\nva\r\nl\0ue\r\n" +     // binary value with CRLF and NUL
        "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n" +
        "PING\r\n" +                                               // inline
        "*0\r\n" +                                                 // empty multibulk: skipped
        "ECHO \"a b\\x41\\n\" 'c\\'d'\n" +                         // inline quoting and escapes, bare LF
        "*5\r\n$4\r\nMSET\r\n$1\r\na\r\n$0\r\n\r\n$1\r\nb\r\n$5\r\nhello\r\n" +
        "*1\r\n$" + 70_000 + "\r\n" + "x".repeat(70_000) + "\r\n";  // a bulk bigger than the inline limit
    private static final List<List<String>> EXPECTED = List.of(
        List.of("SET", "key", "va\r\nl\0ue"),
        List.of("GET", "key"),
        List.of("PING"),
        List.of(),
        List.of("ECHO", "a bA\n", "c'd"),
        List.of("MSET", "a", "", "b", "hello"),
        List.of("x".repeat(70_000)));

    /** Feed {@code input} in pieces ending at the given cut points, as reads from a socket would. */
    private static List<List<String>> decodeInPieces(final byte[] input, final int[] cuts)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(input.length));
        final RespDecoder decoder = new RespDecoder();
        final Args args = new Args();
        final List<List<String>> requests = new ArrayList<>();
        int filled = 0;
        int start = 0;
        for (int c = 0; c <= cuts.length; c++)
        {
            final int end = c < cuts.length ? cuts[c] : input.length;
            buffer.putBytes(filled, input, filled, end - filled);
            filled = end;
            while (start < filled)
            {
                final int consumed = decoder.decode(buffer, start, filled, args);
                assertNotEquals(RespDecoder.PROTOCOL_ERROR, consumed, () -> decoder.errorMessage());
                if (consumed == 0)
                {
                    break;
                }
                final List<String> request = new ArrayList<>();
                for (int i = 0; i < args.count(); i++)
                {
                    request.add(new String(args.copy(i), StandardCharsets.ISO_8859_1));
                }
                requests.add(request);
                start += consumed;
                decoder.reset();
            }
        }
        assertEquals(input.length, start, "every byte consumed");
        return requests;
    }

    @Test
    void shouldDecodePipelinedRequestsSplitAtEveryByte()
    {
        final byte[] input = PIPELINE.getBytes(StandardCharsets.ISO_8859_1);
        // every cut point in the small requests; the big bulk is cut at a stride (and always around its edges)
        final int bigStart = PIPELINE.indexOf("*1\r\n$70000");
        for (int cut = 1; cut < input.length; cut += cut < bigStart + 20 || cut > input.length - 20 ? 1 : 997)
        {
            assertEquals(EXPECTED, decodeInPieces(input, new int[] {cut}), "cut at " + cut);
        }
    }

    @Test
    void shouldDecodeFragmentsOfAnySize()
    {
        final byte[] input = PIPELINE.getBytes(StandardCharsets.ISO_8859_1);
        for (final int size : new int[] {1, 10, 50, 100})
        {
            final int[] cuts = new int[(input.length - 1) / size];
            for (int i = 0; i < cuts.length; i++)
            {
                cuts[i] = (i + 1) * size;
            }
            assertEquals(EXPECTED, decodeInPieces(input, cuts), "fragments of " + size);
        }
    }

    @Test
    void shouldTellTheCallerHowBigABulkRequestIs()
    {
        final byte[] head = "*2\r\n$3\r\nSET\r\n$1000000\r\nxyz".getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer buffer = new UnsafeBuffer(head);
        final RespDecoder decoder = new RespDecoder();
        assertEquals(0, decoder.decode(buffer, 0, head.length, new Args()));
        assertEquals("*2\r\n$3\r\nSET\r\n$1000000\r\n".length() + 1_000_002, decoder.bytesNeeded());
    }

    private static String error(final String input, final boolean authenticated)
    {
        final byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
        final RespDecoder decoder = new RespDecoder();
        decoder.authenticated(authenticated);
        final int result = decoder.decode(new UnsafeBuffer(bytes), 0, bytes.length, new Args());
        return result == RespDecoder.PROTOCOL_ERROR ? decoder.errorMessage() : "result " + result;
    }

    @Test
    void shouldRejectMalformedRequestsWithRedisErrorTexts()
    {
        assertEquals("Protocol error: invalid multibulk length", error("*2147483648\r\n", true));
        assertEquals("Protocol error: invalid multibulk length", error("*x\r\n", true));
        assertEquals("Protocol error: expected '$', got 'x'", error("*1\r\nx\r\n", true));
        assertEquals("Protocol error: invalid bulk length", error("*1\r\n$-1\r\n", true));
        assertEquals("Protocol error: invalid bulk length", error("*1\r\n$abc\r\n", true));
        assertEquals("Protocol error: invalid bulk length", error("*1\r\n$600000000\r\n", true));
        assertEquals("Protocol error: unbalanced quotes in request", error("PING \"a\r\n", true));
        assertEquals("Protocol error: unbalanced quotes in request", error("ECHO \"a\"b\r\n", true));
        assertEquals("Protocol error: unauthenticated multibulk length", error("*11\r\n", false));
        assertEquals("Protocol error: unauthenticated bulk length", error("*2\r\n$20000\r\n", false));
        assertEquals("result 0", error("*10\r\n", false));
        assertEquals("Protocol error: too big inline request", error("x".repeat(70_000), true));
        assertEquals("Protocol error: too big mbulk count string", error("*" + "1".repeat(70_000), true));
        assertEquals("Protocol error: too big bulk count string", error("*1\r\n$" + "1".repeat(70_000), true));
    }

    @Test
    void shouldNeverThrowOnRandomBytes()
    {
        final long seed = System.nanoTime();
        System.out.println("shouldNeverThrowOnRandomBytes seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        final byte[] alphabet = "*$\r\n0123456789-abc \"'\\x".getBytes(StandardCharsets.US_ASCII);
        for (int round = 0; round < 20_000; round++)
        {
            final byte[] input = new byte[random.nextInt(1, 64)];
            for (int i = 0; i < input.length; i++)
            {
                input[i] = random.nextInt(4) == 0 ? (byte)random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
            }
            final RespDecoder decoder = new RespDecoder();
            final Args args = new Args();
            final UnsafeBuffer buffer = new UnsafeBuffer(input);
            int start = 0;
            while (start < input.length)
            {
                final int result = decoder.decode(buffer, start, input.length, args);
                assertTrue(result >= RespDecoder.PROTOCOL_ERROR, "seed " + seed);
                if (result <= 0)
                {
                    break;
                }
                assertTrue(start + result <= input.length);
                start += result;
                decoder.reset();
            }
        }
    }
}
