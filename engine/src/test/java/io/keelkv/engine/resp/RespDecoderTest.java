package io.keelkv.engine.resp;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The decoder fed the way a socket feeds it: requests cut anywhere, the pending bytes moved to another
 * offset or into another buffer between reads, as a connection that compacts or grows its query buffer.
 *
 * <p>Every expected protocol error text and every accept/wait decision on odd input below was checked
 * by hand against redis-server 7.0.15 over a raw socket (python: send the bytes, read the reply, see
 * whether the connection closes).
 */
class RespDecoderTest
{
    private static final String BIG = "x".repeat(70_000);

    /** Requests and, in the same order, the arguments each must decode to (Latin-1 for byte exactness). */
    private static final Object[][] REQUESTS = {
        {"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$8\r\nva\r\nl\0ue\r\n", List.of("SET", "key", "va\r\nl\0ue")},
        {"*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n", List.of("GET", "key")},
        {"*7\r\n$4\r\nMSET\r\n$1\r\na\r\n$0\r\n\r\n$1\r\nb\r\n$5\r\nhello\r\n$2\r\n\r\n\r\n$2\r\n\u00ff\u0080\r\n",
            List.of("MSET", "a", "", "b", "hello", "\r\n", "\u00ff\u0080")},
        {"PING\r\n", List.of("PING")},
        {"*0\r\n", List.of()},
        {"*-1\r\n", List.of()},
        {"*-7\r\n", List.of()},
        {"\r\n", List.of()},
        {"   \t \r\n", List.of()},
        {"ECHO \"a b\\x41\\n\\q\\\"\" 'c\\'d\\n'\n", List.of("ECHO", "a bA\nq\"", "c'd\\n")},
        {"set  k\tv\r\r\n", List.of("set", "k", "v")},
        {"ECHO a\"b c\"\r\n", List.of("ECHO", "ab c")},
        {"ECHO \"\" ''\r\n", List.of("ECHO", "", "")},
        {"ECHO a\u000bb\r\n", List.of("ECHO", "a\u000bb")},
        {"\u000bECHO\u000cx\r\n", List.of("ECHO\u000cx")},
        {"ECHO \"x\"\u000b\r\n", List.of("ECHO", "x")},
        {"ECHO \"\\xZZ\\x4\"\r\n", List.of("ECHO", "xZZx4")},
        // Redis never checks the two bytes after a bulk, nor the byte after a header's '\r'
        {"*1\r\n$4\r\nPINGxy", List.of("PING")},
        {"*1\rX$4\rYPING\r\n", List.of("PING")},
        {"*1\r\n$" + BIG.length() + "\r\n" + BIG + "\r\n", List.of(BIG)},
        {"*2\r\n$3\r\nGET\r\n$3\r\n\u00e9t\u00e9\r\n", List.of("GET", "\u00e9t\u00e9")},
    };

    private static final byte[] PIPELINE;
    private static final List<List<String>> EXPECTED = new ArrayList<>();

    static
    {
        final StringBuilder sb = new StringBuilder();
        for (final Object[] request : REQUESTS)
        {
            sb.append((String)request[0]);
            @SuppressWarnings("unchecked") final List<String> args = (List<String>)request[1];
            EXPECTED.add(args);
        }
        PIPELINE = latin1(sb.toString());
    }

    private static byte[] latin1(final String s)
    {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String latin1(final Args args, final int i)
    {
        return new String(args.copy(i), StandardCharsets.ISO_8859_1);
    }

    private static List<String> strings(final Args args)
    {
        final List<String> list = new ArrayList<>();
        for (int i = 0; i < args.count(); i++)
        {
            list.add(latin1(args, i));
        }
        return list;
    }

    /**
     * A query buffer like the server's: bytes arrive in pieces; whenever the decoder asks for more, the
     * pending bytes are moved (to alternating offsets, in a new heap or direct buffer) so any absolute
     * position it kept would be wrong.
     */
    static final class Feeder
    {
        final RespDecoder decoder = new RespDecoder();
        final Args args = new Args();
        final List<List<String>> requests = new ArrayList<>();
        /** Per request, the bytes Args#rawLength marks as copyable, or null. */
        final List<String> raws = new ArrayList<>();
        final boolean direct;
        final boolean relocate;
        DirectBuffer buffer;
        int start;
        int end;
        int moves;
        long consumed;
        String error;

        Feeder(final boolean direct, final boolean relocate)
        {
            this.direct = direct;
            this.relocate = relocate;
            this.buffer = allocate(64);
        }

        private DirectBuffer allocate(final int capacity)
        {
            return direct ? new UnsafeBuffer(ByteBuffer.allocateDirect(capacity)) : new UnsafeBuffer(new byte[capacity]);
        }

        private void moveTo(final int newStart, final int capacity)
        {
            final DirectBuffer moved = allocate(capacity);
            ((UnsafeBuffer)moved).putBytes(newStart, buffer, start, end - start);
            end = newStart + end - start;
            start = newStart;
            buffer = moved;
        }

        void feed(final byte[] input, final int from, final int to)
        {
            final int length = to - from;
            if (end + length > buffer.capacity())
            {
                moveTo(0, Math.max(buffer.capacity() * 2, end - start + length + 8));
            }
            ((UnsafeBuffer)buffer).putBytes(end, input, from, length);
            end += length;
            while (error == null && start < end)
            {
                final int result = decoder.decode(buffer, start, end, args);
                if (result == RespDecoder.PROTOCOL_ERROR)
                {
                    error = decoder.errorMessage();
                    return;
                }
                if (result == 0)
                {
                    if (relocate)
                    {
                        moves++;
                        moveTo(moves % 2 == 0 ? 0 : 3, end - start + 3 + input.length - to + 8);
                    }
                    return;
                }
                assertTrue(result <= end - start);
                requests.add(strings(args));
                if (args.rawLength() < 0)
                {
                    raws.add(null);
                }
                else
                {
                    final byte[] raw = new byte[args.rawLength()];
                    args.buffer().getBytes(args.rawOffset(), raw);
                    raws.add(new String(raw, StandardCharsets.ISO_8859_1));
                }
                start += result;
                consumed += result;
            }
        }
    }

    private static Feeder decodeInPieces(final byte[] input, final int[] cuts, final boolean direct, final boolean relocate)
    {
        final Feeder feeder = new Feeder(direct, relocate);
        int from = 0;
        for (int c = 0; c <= cuts.length; c++)
        {
            final int to = c < cuts.length ? cuts[c] : input.length;
            feeder.feed(input, from, to);
            from = to;
        }
        return feeder;
    }

    private static List<List<String>> decodeAll(final byte[] input, final int[] cuts, final boolean direct, final boolean relocate)
    {
        final Feeder feeder = decodeInPieces(input, cuts, direct, relocate);
        assertNull(feeder.error);
        assertEquals(feeder.end, feeder.start, "every byte consumed");
        return feeder.requests;
    }

    private static String canonical(final List<String> args)
    {
        final StringBuilder sb = new StringBuilder("*").append(args.size()).append("\r\n");
        for (final String a : args)
        {
            sb.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString();
    }

    @Test
    void shouldMarkARequestCopyableExactlyWhenItsBytesAreTheCanonicalRespOfItsArguments()
    {
        // the AOF copies such a request instead of encoding it again: it must never copy bytes that Redis would
        // have written differently (line ends it skips unchecked, inline requests), wherever the input is cut
        int copyable = 0;
        for (int r = 0; r < REQUESTS.length; r++)
        {
            final String text = (String)REQUESTS[r][0];
            final List<String> args = EXPECTED.get(r);
            final String expected = !args.isEmpty() && text.equals(canonical(args)) ? text : null;
            copyable += expected != null ? 1 : 0;
            final byte[] input = latin1(text);
            final int[][] cutsList = input.length > 100 ? new int[][] {{}, {7}, {input.length / 2}} :
                java.util.stream.IntStream.range(0, input.length).mapToObj(c -> c == 0 ? new int[0] : new int[] {c})
                    .toArray(int[][]::new);
            for (final int[] cuts : cutsList)
            {
                final Feeder feeder = decodeInPieces(input, cuts, cuts.length % 2 == 0, true);
                assertEquals(java.util.Collections.singletonList(expected), feeder.raws,
                    "request " + r + " cut at " + java.util.Arrays.toString(cuts));
            }
        }
        assertTrue(copyable >= 4, "the table has canonical requests: " + copyable);
    }

    @Test
    void shouldDecodeEachRequestOnItsOwn()
    {
        for (int r = 0; r < REQUESTS.length; r++)
        {
            final byte[] input = latin1((String)REQUESTS[r][0]);
            assertEquals(List.of(EXPECTED.get(r)), decodeAll(input, new int[0], false, false), "request " + r);
        }
    }

    @Test
    void shouldDecodePipelinedRequestsSplitAtEveryByte()
    {
        // every cut point in the small requests; the big bulk is cut at a stride and around its edges
        final String text = new String(PIPELINE, StandardCharsets.ISO_8859_1);
        final int bigStart = text.indexOf(BIG) - 20;
        final int bigEnd = bigStart + BIG.length() + 40;
        for (int cut = 1; cut < PIPELINE.length; cut += cut > bigStart && cut < bigEnd ? 997 : 1)
        {
            final boolean direct = (cut & 1) == 0;
            assertEquals(EXPECTED, decodeAll(PIPELINE, new int[] {cut}, direct, false), "cut at " + cut);
            assertEquals(EXPECTED, decodeAll(PIPELINE, new int[] {cut}, !direct, true), "moved, cut at " + cut);
        }
    }

    @Test
    void shouldDecodeEveryRequestSplitAtEveryPairOfBytes()
    {
        for (int r = 0; r < REQUESTS.length; r++)
        {
            final byte[] input = latin1((String)REQUESTS[r][0]);
            if (input.length > 100)
            {
                continue;
            }
            for (int a = 1; a < input.length; a++)
            {
                for (int b = a; b < input.length; b++)
                {
                    assertEquals(List.of(EXPECTED.get(r)), decodeAll(input, new int[] {a, b}, true, true),
                        "request " + r + " cut at " + a + "," + b);
                }
            }
        }
    }

    @Test
    void shouldDecodeFragmentsOfAnySize()
    {
        for (final int size : new int[] {1, 2, 3, 7, 10, 50, 100, 4096})
        {
            final int[] cuts = new int[(PIPELINE.length - 1) / size];
            for (int i = 0; i < cuts.length; i++)
            {
                cuts[i] = (i + 1) * size;
            }
            assertEquals(EXPECTED, decodeAll(PIPELINE, cuts, true, false), "fragments of " + size);
            assertEquals(EXPECTED, decodeAll(PIPELINE, cuts, false, true), "moved fragments of " + size);
        }
    }

    @Test
    void shouldGiveAbsoluteOffsetsAndAddressesIntoTheCallersBuffer()
    {
        final byte[] request = latin1("*2\r\n$3\r\nGET\r\n$5\r\nmykey\r\n");
        for (final boolean direct : new boolean[] {false, true})
        {
            final UnsafeBuffer buffer = direct ?
                new UnsafeBuffer(ByteBuffer.allocateDirect(100)) : new UnsafeBuffer(new byte[100]);
            buffer.putBytes(17, request);
            final Args args = new Args();
            assertEquals(request.length, new RespDecoder().decode(buffer, 17, 17 + request.length, args));
            assertSame(buffer, args.buffer());
            assertEquals(17 + 8, args.offset(0));
            assertEquals(17 + 17, args.offset(1));
            assertEquals(5, args.length(1));
            assertEquals(buffer.addressOffset() + args.offset(1), args.address(1));
            assertEquals(direct ? null : buffer.byteArray(), args.array());
            assertEquals("mykey", args.toString(1));
        }
    }

    @Test
    void shouldDecodeAMillionArgumentsArrivingInPieces()
    {
        final int count = 1_000_000;
        final StringBuilder sb = new StringBuilder("*").append(count).append("\r\n");
        for (int i = 0; i < count; i++)
        {
            final String arg = Integer.toString(i);
            sb.append('$').append(arg.length()).append("\r\n").append(arg).append("\r\n");
        }
        final byte[] input = latin1(sb.toString());
        final int[] cuts = new int[(input.length - 1) / 16384];
        for (int i = 0; i < cuts.length; i++)
        {
            cuts[i] = (i + 1) * 16384;
        }
        final Feeder feeder = decodeInPieces(input, cuts, true, false);
        assertNull(feeder.error);
        assertEquals(1, feeder.requests.size());
        final List<String> args = feeder.requests.get(0);
        assertEquals(count, args.size());
        for (int i = 0; i < count; i += 9973)
        {
            assertEquals(Integer.toString(i), args.get(i));
        }
        assertEquals(Integer.toString(count - 1), args.get(count - 1));
    }

    @Test
    void shouldTellTheCallerHowBigABulkRequestIs()
    {
        final String header = "*2\r\n$3\r\nSET\r\n$1000000\r\n";
        final byte[] head = latin1(header + "xyz");
        final RespDecoder decoder = new RespDecoder();
        final Args args = new Args();
        assertEquals(0, decoder.decode(new UnsafeBuffer(latin1("*2\r\n$3\r")), 0, 7, args));
        assertEquals(0, decoder.bytesNeeded(), "unknown until a bulk header is read");
        decoder.reset();
        assertEquals(0, decoder.decode(new UnsafeBuffer(head), 0, head.length, args));
        assertEquals(header.length() + 1_000_002, decoder.bytesNeeded());

        // the caller grows its buffer to fit and moves the request to offset 5 of the new one
        final UnsafeBuffer grown = new UnsafeBuffer(ByteBuffer.allocateDirect(5 + (int)decoder.bytesNeeded()));
        grown.putBytes(5, head);
        grown.setMemory(5 + head.length, 1_000_000 - 3, (byte)'v');
        grown.putBytes(5 + header.length() + 1_000_000, latin1("\r\n"));
        final int consumed = decoder.decode(grown, 5, 5 + (int)decoder.bytesNeeded() - 1, args);
        assertEquals(0, consumed, "the final LF is still missing");
        assertEquals(header.length() + 1_000_002, decoder.bytesNeeded());
        assertEquals(header.length() + 1_000_002, decoder.decode(grown, 5, grown.capacity(), args));
        assertEquals(2, args.count());
        assertEquals("SET", args.toString(0));
        assertEquals(1_000_000, args.length(1));
        assertEquals(5 + header.length(), args.offset(1));
        assertEquals(0, decoder.bytesNeeded());
    }

    /**
     * proto-max-bulk-len may be set up to 2^63-1, and then a bulk header may announce that much: the end of
     * such a bulk must not wrap around and look already arrived (a negative argument length at a wild
     * position). The decoder waits, and tells the caller a size no query buffer can hold.
     */
    @Test
    void shouldWaitForABulkWhoseEndPassesLongMaxValue()
    {
        final RespDecoder decoder = new RespDecoder();
        decoder.maxBulkLength(Long.MAX_VALUE);
        final Args args = new Args();
        for (final String length : new String[] {"9223372036854775807", "9223372036854775806", "9223372036854775790"})
        {
            final byte[] bytes = latin1("*2\r\n$4\r\nECHO\r\n$" + length + "\r\nxyz\r\n");
            assertEquals(RespDecoder.NEED_MORE, decoder.decode(new UnsafeBuffer(bytes), 0, bytes.length, args), length);
            assertEquals(Long.MAX_VALUE, decoder.bytesNeeded(), length);
            decoder.reset();
        }
        final byte[] bytes = latin1("*1\r\n$4294967296\r\nxyz");
        assertEquals(RespDecoder.NEED_MORE, decoder.decode(new UnsafeBuffer(bytes), 0, bytes.length, args));
        assertEquals(17 + 4294967296L + 2, decoder.bytesNeeded());
    }

    private static String outcome(final String input, final boolean authenticated)
    {
        final byte[] bytes = latin1(input);
        final RespDecoder decoder = new RespDecoder();
        decoder.authenticated(authenticated);
        final int result = decoder.decode(new UnsafeBuffer(bytes), 0, bytes.length, new Args());
        return result == RespDecoder.PROTOCOL_ERROR ? decoder.errorMessage() : "result " + result;
    }

    private static String error(final String input)
    {
        return outcome(input, true);
    }

    @Test
    void shouldRejectMalformedRequestsWithRedisErrorTexts()
    {
        // all confirmed against redis-server 7.0.15 (reply text, then the connection is closed)
        assertEquals("Protocol error: invalid multibulk length", error("*x\r\n"));
        assertEquals("Protocol error: invalid multibulk length", error("*\r\n"));
        assertEquals("Protocol error: invalid multibulk length", error("*+1\r\n"));
        assertEquals("Protocol error: invalid multibulk length", error("*01\r\n"));
        assertEquals("Protocol error: invalid multibulk length", error("*11x\r\n"));
        assertEquals("Protocol error: invalid multibulk length", error("*2147483648\r\n"));
        assertEquals("Protocol error: invalid multibulk length", error("*-9223372036854775809\r\n"));
        assertEquals("Protocol error: expected '$', got 'x'", error("*1\r\nx\r\n"));
        assertEquals("Protocol error: expected '$', got ' '", error("*1\r\n\r\n"), "CR shown as a space");
        assertEquals("Protocol error: expected '$', got ' '", error("*1\r\n\n\r\n"), "LF shown as a space");
        assertEquals("Protocol error: expected '$', got ' '", error("*1\r\n \r\n"));
        assertEquals("Protocol error: expected '$', got '\u00ff'", error("*1\r\n\u00ff\r\n"));
        assertEquals("Protocol error: invalid bulk length", error("*1\r\n$-1\r\n"));
        assertEquals("Protocol error: invalid bulk length", error("*1\r\n$x\r\n"));
        assertEquals("Protocol error: invalid bulk length", error("*1\r\n$\r\n"));
        assertEquals("Protocol error: invalid bulk length", error("*1\r\n$04\r\n"));
        assertEquals("Protocol error: invalid bulk length", error("*1\r\n$536870913\r\n"));
        assertEquals("Protocol error: unbalanced quotes in request", error("ECHO \"abc\r\n"));
        assertEquals("Protocol error: unbalanced quotes in request", error("ECHO \"a\"b\r\n"));
        assertEquals("Protocol error: unbalanced quotes in request", error("ECHO 'a'b\r\n"));
        assertEquals("Protocol error: unbalanced quotes in request", error("ECHO 'a\r\n"));
        assertEquals("Protocol error: unbalanced quotes in request", error("ECHO \"a\\\"\r\n"));
        assertEquals("Protocol error: too big inline request", error("P".repeat(65_537)));
        assertEquals("Protocol error: too big mbulk count string", error("*" + "1".repeat(65_536)));
        assertEquals("Protocol error: too big bulk count string", error("*1\r\n$" + "1".repeat(65_537)));
        assertEquals("Protocol error: too big bulk count string",
            error("*2\r\n$4\r\nECHO\r\n$" + "1".repeat(65_537)), "counted from the bulk's header, not the request");

        assertEquals("Protocol error: unauthenticated multibulk length", outcome("*11\r\n", false));
        assertEquals("Protocol error: unauthenticated bulk length", outcome("*1\r\n$16385\r\n", false));
        assertEquals("Protocol error: invalid multibulk length", outcome("*11x\r\n", false));
        assertEquals("Protocol error: invalid bulk length", outcome("*1\r\n$536870913\r\n", false));
        assertEquals("Protocol error: invalid multibulk length", outcome("*2147483648\r\n", false));
        assertEquals("result 0", outcome("*10\r\n", false));
        assertEquals("result 0", outcome("*1\r\n$16384\r\n", false));
        assertEquals("result 0", outcome("*11\r\n", true));
    }

    @Test
    void shouldWaitWhereRedisWaits()
    {
        // confirmed against redis-server 7.0.15: no reply, connection stays open
        assertEquals("result 0", error("*2147483647\r\n"), "INT_MAX arguments is a valid count in 7.0");
        assertEquals("result 0", error("*1048577\r\n"));
        assertEquals("result 0", error("*1\r\n$536870912\r\n"), "exactly proto-max-bulk-len");
        assertEquals("result 0", error("*1\r\n$4\r\nPING"), "CRLF after the bulk still missing");
        assertEquals("result 0", error("*1\r"), "the byte after CR is missing");
        assertEquals("result 0", error("P".repeat(65_536)), "exactly 64 KiB is not too big yet");
        assertEquals("result 0", error("*" + "1".repeat(65_535)));
        assertEquals("result 0", error("*1\r\n$" + "1".repeat(65_534)));
        // a NUL ends C's strchr, so the line never ends...
        assertEquals("result 0", error("*1\0\r\n"));
        assertEquals("result 0", error("PING\0\r\n"));
        assertEquals("result 0", error("*1\r\n$4\0\r\nPING\r\n"));
        // ...until 64 KiB are buffered
        assertEquals("Protocol error: too big mbulk count string", error("*1\0" + "1".repeat(65_536)));
        assertEquals("Protocol error: too big inline request", error("PING\0\r\n" + "x".repeat(65_536)));
    }

    @Test
    void shouldAcceptAnInlineLineLongerThanTheLimitWhenItIsAlreadyComplete()
    {
        // Redis checks the limit only while no newline is buffered
        final String arg = "a".repeat(100_000);
        final byte[] input = latin1("ECHO " + arg + "\r\n");
        final Feeder feeder = decodeInPieces(input, new int[0], false, false);
        assertNull(feeder.error);
        assertEquals(List.of(List.of("ECHO", arg)), feeder.requests);
    }

    @Test
    void shouldReportTheExactErrorLineBytes()
    {
        final RespDecoder decoder = new RespDecoder();
        final byte[] input = latin1("*1\r\n\u00ff\r\n");
        assertEquals(RespDecoder.PROTOCOL_ERROR, decoder.decode(new UnsafeBuffer(input), 0, input.length, new Args()));
        assertArrayEquals(latin1("-ERR Protocol error: expected '$', got '\u00ff'\r\n"), decoder.errorLine());

        final byte[] bad = latin1("*x\r\n");
        assertEquals(RespDecoder.PROTOCOL_ERROR, decoder.decode(new UnsafeBuffer(bad), 0, bad.length, new Args()));
        assertArrayEquals(latin1("-ERR Protocol error: invalid multibulk length\r\n"), decoder.errorLine());
    }

    @Test
    void shouldFindErrorsWhereverTheInputIsCut()
    {
        final String[] inputs = {"*1\r\n$3\r\nGET\r\n*1\r\nx\r\n", "*1\r\n$-5\r\n", "PING\r\nECHO \"a\r\n", "*3x\r\n"};
        for (final String text : inputs)
        {
            final byte[] input = latin1(text);
            final String whole = decodeInPieces(input, new int[0], false, false).error;
            assertNotNull(whole, text);
            for (int cut = 1; cut < input.length; cut++)
            {
                assertEquals(whole, decodeInPieces(input, new int[] {cut}, true, true).error, text + " cut at " + cut);
            }
        }
    }

    @Test
    void shouldStartAfreshAfterResetDropsProgress()
    {
        final RespDecoder decoder = new RespDecoder();
        final Args args = new Args();
        final byte[] partial = latin1("*2\r\n$3\r\nGET\r\n$3\r\nke");
        assertEquals(0, decoder.decode(new UnsafeBuffer(partial), 0, partial.length, args));
        decoder.reset();
        final byte[] ping = latin1("PING\r\n");
        assertEquals(ping.length, decoder.decode(new UnsafeBuffer(ping), 0, ping.length, args));
        assertEquals(List.of("PING"), strings(args));
    }

    @Test
    void shouldNeverThrowOnRandomBytesAndDecodeTheSameWhereverCut()
    {
        final long seed = System.nanoTime();
        System.out.println("shouldNeverThrowOnRandomBytesAndDecodeTheSameWhereverCut seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        final byte[] alphabet = latin1("**$$\r\n\r\n0123456789-+abc \t\"'\\x\0");
        for (int round = 0; round < 20_000; round++)
        {
            final byte[] input = new byte[random.nextInt(1, 96)];
            for (int i = 0; i < input.length; i++)
            {
                input[i] = random.nextInt(5) == 0 ? (byte)random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
            }
            final boolean authenticated = random.nextBoolean();
            final Feeder whole = new Feeder(false, false);
            whole.decoder.authenticated(authenticated);
            try
            {
                whole.feed(input, 0, input.length);
                final Feeder pieces = new Feeder(true, random.nextBoolean());
                pieces.decoder.authenticated(authenticated);
                int from = 0;
                while (from < input.length)
                {
                    final int to = Math.min(input.length, from + random.nextInt(1, 8));
                    pieces.feed(input, from, to);
                    from = to;
                }
                assertEquals(whole.requests, pieces.requests);
                assertEquals(whole.error, pieces.error);
                assertEquals(whole.consumed, pieces.consumed);
                if (whole.error != null)
                {
                    assertTrue(whole.error.startsWith("Protocol error: "), whole.error);
                }
            }
            catch (final RuntimeException | AssertionError ex)
            {
                throw new AssertionError("seed " + seed + " round " + round + " input " +
                    Arrays.toString(input), ex);
            }
        }
    }
}
