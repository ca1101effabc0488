package io.keelkv.server;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Protocol fuzz on raw sockets: conversations of good and malformed requests (huge and negative multibulk
 * counts and bulk lengths, bulks longer than declared, missing CRLF, unbalanced inline quotes, inline lines
 * past 64 KB, NUL bytes, RESP3 type bytes as requests, cut bulks), sent in pieces split at random points,
 * then the connection is half-closed and read to its end, or closed at once.
 *
 * <p>Each conversation must end (the server replies and closes after a protocol error, or closes when the
 * client half-closes: no hang within {@link #TIMEOUT_MS}), every reply must be well-formed, and a connection
 * opened before the conversation must still be served. With Debian's redis-server 7.0.15 on the PATH (CI:
 * required, KEEL_REQUIRE_ORACLE=1) the same conversation goes to it too and KeelKV must answer byte for
 * byte as it does; where either server reset the connection (it closed with input unread, so the kernel may
 * drop replies in flight) the shorter transcript must be a prefix of the other. After every
 * {@link CommandFuzzTest#BATCH} conversations a new connection must get PONG and used_memory stay within
 * {@link CommandFuzzTest#MEMORY_HEADROOM} of its value at start. Conversations are written to
 * {@code server/target/fuzz/protocol/conversations.log} before they are sent.
 *
 * <p>Run longer, or replay a seed:
 * <pre>
 * mvn -B -pl server -am verify -Dtest=ProtocolFuzzTest -Dsurefire.failIfNoSpecifiedTests=false -Dkeel.fuzz.tries=100000
 * mvn -B -pl server -am verify -Dtest=ProtocolFuzzTest -Dsurefire.failIfNoSpecifiedTests=false -Dkeel.fuzz.seed=SEED
 * </pre>
 */
@AddLifecycleHook(FuzzRun.class)
class ProtocolFuzzTest
{
    static final int TIMEOUT_MS = 10_000;
    private static final Path WORK = FuzzRun.WORK.resolve("protocol");

    private static ChildServer keel;
    private static RedisOracle redis;
    private static long conversations;
    private static long usedMemoryStart;
    /** Set once the container is done: a try jqwik abandoned (bounded shrinking) must not start a server. */
    private static volatile boolean stopped;

    @BeforeContainer
    static void startServers() throws Exception
    {
        Files.createDirectories(WORK);
        Files.deleteIfExists(WORK.resolve("conversations.log"));
        keel = ChildServer.start(WORK);
        if (RedisOracle.onPath("redis-server"))
        {
            redis = RedisOracle.start();
        }
        else if ("1".equals(System.getenv("KEEL_REQUIRE_ORACLE")))
        {
            throw new AssertionError("redis-server not installed (required: KEEL_REQUIRE_ORACLE=1): apt-get install -y redis-server");
        }
        else
        {
            System.out.println("ProtocolFuzzTest: no redis-server on the PATH, replies are checked for form only");
        }
        usedMemoryStart = keel.usedMemory();
    }

    @AfterContainer
    static void stopServers() throws Exception
    {
        stopped = true;
        if (keel != null)
        {
            keel.close();
        }
        if (redis != null)
        {
            redis.close();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // the property

    @Property(tries = 3000, shrinking = ShrinkingMode.BOUNDED)
    void shouldAnswerAsRedisOrCloseAndKeepServingOthers(@ForAll("conversations") final Conversation conversation)
        throws Exception
    {
        if (stopped)
        {
            throw new IllegalStateException("the fuzz run is over");
        }
        if (!keel.isAlive())
        {
            keel = ChildServer.start(WORK); // the last try killed it: a fresh one for the shrinking
        }
        Files.writeString(WORK.resolve("conversations.log"), conversation + "\n", StandardCharsets.ISO_8859_1,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        try (FuzzClient bystander = new FuzzClient(keel.port(), TIMEOUT_MS))
        {
            resetKeys(keel.port());
            final Transcript keelTranscript = converse(keel.port(), conversation);
            if (!keel.isAlive())
            {
                throw new AssertionError("the server died on: " + conversation + "\n" + keel.deathReport());
            }
            checkForm(keelTranscript, conversation);
            final RespReplyReader.Reply pong = bystander.call("PING");
            if (!"+PONG\r\n".equals(pong.preview))
            {
                throw new AssertionError("another connection's PING was answered " + pong + " after " + conversation);
            }
            if (redis != null && !conversation.timingDependent())
            {
                resetKeys(redis.port());
                final Transcript redisTranscript = converse(redis.port(), conversation);
                compare(keelTranscript, redisTranscript, conversation);
            }
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex + " around " + conversation +
                (keel.awaitExit(2_000) ? "\n" + keel.deathReport() : ""), ex);
        }
        if (++conversations % CommandFuzzTest.BATCH == 0)
        {
            checkBatch();
        }
    }

    /** The keys the good requests use, the same on both servers before each conversation. */
    private static void resetKeys(final int port) throws IOException
    {
        try (FuzzClient client = new FuzzClient(port, TIMEOUT_MS))
        {
            client.call("DEL", "fz:k", "fz:n");
            client.call("SET", "fz:k", "start");
        }
    }

    /** What a conversation got back: the bytes, and whether it ended in a reset rather than a close. */
    static final class Transcript
    {
        final byte[] bytes;
        final boolean reset;

        Transcript(final byte[] bytes, final boolean reset)
        {
            this.bytes = bytes;
            this.reset = reset;
        }

        @Override
        public String toString()
        {
            final String text = escape(bytes.length > 600 ? Arrays.copyOf(bytes, 600) : bytes);
            return text + (bytes.length > 600 ? "...(" + bytes.length + " bytes)" : "") + (reset ? " <reset>" : " <closed>");
        }
    }

    private static Transcript converse(final int port, final Conversation conversation) throws IOException, InterruptedException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            final OutputStream out = socket.getOutputStream();
            final byte[] bytes = conversation.bytes();
            int from = 0;
            try
            {
                for (final int split : conversation.splits(bytes.length))
                {
                    out.write(bytes, from, split - from);
                    out.flush();
                    from = split;
                    if (conversation.pause)
                    {
                        Thread.sleep(1); // the server sees the request in pieces
                    }
                }
                out.write(bytes, from, bytes.length - from);
                out.flush();
            }
            catch (final SocketException ex)
            {
                // the server closed after a protocol error while we were still sending: read what it said
            }
            if (conversation.abrupt)
            {
                return new Transcript(new byte[0], true); // a client gone mid-request: nothing to read
            }
            try
            {
                socket.shutdownOutput();
            }
            catch (final SocketException ex)
            {
                // already reset
            }
            final ByteArrayOutputStream received = new ByteArrayOutputStream();
            final InputStream in = socket.getInputStream();
            final byte[] buffer = new byte[64 * 1024];
            try
            {
                for (int n; (n = in.read(buffer)) >= 0; )
                {
                    received.write(buffer, 0, n);
                }
            }
            catch (final SocketTimeoutException ex)
            {
                throw new AssertionError("the server neither answered nor closed within " + TIMEOUT_MS + " ms (a hang) after " +
                    conversation + "; got " + new Transcript(received.toByteArray(), false));
            }
            catch (final SocketException ex)
            {
                return new Transcript(received.toByteArray(), true);
            }
            return new Transcript(received.toByteArray(), false);
        }
    }

    /** Every reply whole and well-formed (a reset may cut the last), and no internal error. */
    private static void checkForm(final Transcript transcript, final Conversation conversation)
    {
        final RespReplyReader reader = new RespReplyReader(new ByteArrayInputStream(transcript.bytes));
        while (true)
        {
            try
            {
                final RespReplyReader.Reply reply = reader.read();
                if (reply.isError() && reply.preview.contains("KeelKV internal error"))
                {
                    throw new AssertionError("internal error after " + conversation + ": " + reply);
                }
            }
            catch (final EOFException ex)
            {
                if (ex.getMessage().startsWith("connection closed inside") && !transcript.reset)
                {
                    throw new AssertionError("a reply cut short (" + ex.getMessage() + ") after " + conversation);
                }
                return;
            }
            catch (final IOException ex)
            {
                throw new AssertionError("malformed reply (" + ex.getMessage() + ") after " + conversation + ": " + transcript);
            }
        }
    }

    private static void compare(final Transcript keel, final Transcript redis, final Conversation conversation)
    {
        if (!keel.reset && !redis.reset)
        {
            if (!Arrays.equals(keel.bytes, redis.bytes))
            {
                throw new AssertionError("KeelKV answered otherwise than Redis " + conversation + "\n  KeelKV: " + keel +
                    "\n  Redis:  " + redis);
            }
            return;
        }
        final byte[] shorter = keel.bytes.length <= redis.bytes.length ? keel.bytes : redis.bytes;
        final byte[] longer = shorter == keel.bytes ? redis.bytes : keel.bytes;
        if (!Arrays.equals(shorter, Arrays.copyOf(longer, shorter.length)))
        {
            throw new AssertionError("KeelKV answered otherwise than Redis (one of them reset) " + conversation +
                "\n  KeelKV: " + keel + "\n  Redis:  " + redis);
        }
    }

    private static void checkBatch() throws Exception
    {
        try (FuzzClient client = new FuzzClient(keel.port(), 5_000))
        {
            final RespReplyReader.Reply pong = client.call("PING");
            if (!"+PONG\r\n".equals(pong.preview))
            {
                throw new AssertionError("a new connection's PING was answered " + pong);
            }
        }
        long used = keel.usedMemory();
        if (used > usedMemoryStart + CommandFuzzTest.MEMORY_HEADROOM)
        {
            used = keel.usedMemoryAfterFullGc();
        }
        Files.writeString(WORK.resolve("conversations.log"), "after " + conversations + " conversations: used_memory " + used +
            "\n", StandardCharsets.ISO_8859_1, StandardOpenOption.APPEND);
        if (used > usedMemoryStart + CommandFuzzTest.MEMORY_HEADROOM)
        {
            throw new AssertionError("used_memory " + used + " after " + conversations + " conversations: more than " +
                CommandFuzzTest.MEMORY_HEADROOM + " above its " + usedMemoryStart + " at start");
        }
    }

    static String escape(final byte[] bytes)
    {
        final StringBuilder sb = new StringBuilder();
        for (final byte b : bytes)
        {
            final int c = b & 0xFF;
            if (c == '\r')
            {
                sb.append("\\r");
            }
            else if (c == '\n')
            {
                sb.append("\\n");
            }
            else if (c == '\\')
            {
                sb.append("\\\\");
            }
            else if (c >= ' ' && c < 127)
            {
                sb.append((char)c);
            }
            else
            {
                sb.append(String.format(Locale.ROOT, "\\x%02x", c));
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------------
    // generators

    /**
     * Pieces of a conversation, as bytes, sent in order; where the bytes are cut into writes; whether the
     * server gets a pause between writes; whether it ends with a half-close (and the transcript is read) or
     * an abrupt close.
     */
    static final class Conversation
    {
        final List<String> segments;
        final String tail;
        final List<Integer> cuts;
        final boolean pause;
        final boolean abrupt;

        Conversation(final List<String> segments, final String tail, final List<Integer> cuts, final boolean pause,
            final boolean abrupt)
        {
            this.segments = segments;
            this.tail = tail;
            this.cuts = cuts;
            this.pause = pause;
            this.abrupt = abrupt;
        }

        byte[] bytes()
        {
            return (String.join("", segments) + tail).getBytes(StandardCharsets.ISO_8859_1);
        }

        /**
         * Whether Redis's own answer depends on how the bytes arrive: a line past 64 KB that does end is
         * refused as "too big" if the server looks before its end arrives, and served if the whole line came
         * in one read. Such a conversation is checked for form only.
         */
        boolean timingDependent()
        {
            return TIMING_DEPENDENT_TAILS.contains(tail);
        }

        /** The cut points, in per mille of the length, as increasing offsets inside the bytes. */
        List<Integer> splits(final int length)
        {
            final List<Integer> offsets = new ArrayList<>();
            for (final int cut : cuts.stream().sorted().toList())
            {
                final int offset = (int)((long)cut * length / 1000);
                if (offset > 0 && offset < length && (offsets.isEmpty() || offset > offsets.get(offsets.size() - 1)))
                {
                    offsets.add(offset);
                }
            }
            return offsets;
        }

        @Override
        public String toString()
        {
            final StringBuilder sb = new StringBuilder("[");
            final List<String> all = new ArrayList<>(segments);
            if (!tail.isEmpty())
            {
                all.add(tail);
            }
            for (final String segment : all)
            {
                final String text = escape(segment.getBytes(StandardCharsets.ISO_8859_1));
                sb.append(sb.length() == 1 ? "" : " + ").append('"')
                    .append(text.length() > 120 ? text.substring(0, 60) + "...(" + segment.length() + " bytes)" : text).append('"');
            }
            return sb.append("] cut at ").append(cuts).append(" per mille").append(pause ? ", paused" : "")
                .append(abrupt ? ", closed at once" : ", half-closed").toString();
        }
    }

    @Provide
    Arbitrary<Conversation> conversations()
    {
        // a line past 64 KB only ever comes last: what follows it would reach the server before or after it
        // looks, so Redis's own answer to the rest would depend on the timing
        return Combinators.combine(
            segment().list().ofMinSize(1).ofMaxSize(6),
            Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.just("")), Tuple.of(1, Arbitraries.of(OVERSIZED))),
            Arbitraries.integers().between(1, 999).list().ofMaxSize(4),
            Arbitraries.of(true, false),
            Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(false)), Tuple.of(1, Arbitraries.just(true))))
            .as(Conversation::new);
    }

    private static Arbitrary<String> segment()
    {
        return Arbitraries.frequencyOf(
            Tuple.of(6, goodRequest()),
            Tuple.of(3, goodInline()),
            Tuple.of(2, Arbitraries.of(BAD_COUNTS)),
            Tuple.of(2, badBulk()),
            Tuple.of(2, Arbitraries.of(RESP3_AS_REQUESTS)),
            Tuple.of(1, Arbitraries.of(INLINE_QUOTES)),
            Tuple.of(1, Arbitraries.of(NUL_BYTES)),
            Tuple.of(1, cutBulk()));
    }

    /** Requests whose replies are the same on both servers (no ids, times or server names). */
    private static Arbitrary<String> goodRequest()
    {
        final Arbitrary<String> value = Arbitraries.of("v", "", "\0", "a\r\nb", "\u00ff", "12", "x".repeat(3000), "-9223372036854775809");
        return Arbitraries.oneOf(List.of(
            Arbitraries.just(multibulk("PING")),
            value.map(v -> multibulk("PING", v)),
            value.map(v -> multibulk("ECHO", v)),
            value.map(v -> multibulk("SET", "fz:k", v)),
            Arbitraries.just(multibulk("GET", "fz:k")),
            Arbitraries.just(multibulk("DEL", "fz:k")),
            Arbitraries.just(multibulk("INCR", "fz:n")),
            value.map(v -> multibulk("APPEND", "fz:k", v)),
            Arbitraries.just(multibulk("STRLEN", "fz:k")),
            value.map(v -> multibulk("NO-SUCH-COMMAND", v)),
            Arbitraries.just(multibulk("GET")),
            Arbitraries.just("*0\r\n"),
            Arbitraries.just("*1\r\n$0\r\n\r\n")));
    }

    private static Arbitrary<String> goodInline()
    {
        return Arbitraries.of(
            "PING\r\n", "PING\n", "ECHO abc\r\n", "SET fz:k \"a b\\x00\\r\\n\"\r\n", "GET fz:k\n", "ECHO 'it''s'\r\n",
            "ECHO \"\\x4a\\x4\"\r\n", "  PING  \r\n", "\r\n", "\n", "\r\r\n", "ECHO a\tb\r\n", "INCR fz:n\r\n",
            "ECHO \"\"\r\n", "ECHO ''\r\n", "ECHO \u00ff\r\n");
    }

    private static final List<String> BAD_COUNTS = List.of(
        "*-5\r\n", "*-1\r\n", "*9223372036854775808\r\n", "*99999999999999999999\r\n", "*-9223372036854775808\r\n",
        "*-9223372036854775809\r\n", "*2147483648\r\n", "*2147483647\r\n", "*abc\r\n", "*\r\n", "* 1\r\n", "*1 \r\n",
        "*+1\r\n$4\r\nPING\r\n", "*01\r\n$4\r\nPING\r\n", "*1\rx$4\r\nPING\r\n", "*2\r\n$4\r\nECHO\r\n*1\r\n");

    private static Arbitrary<String> badBulk()
    {
        return Arbitraries.of(
            "*1\r\n$-2\r\n", "*1\r\n$-1\r\n", "*1\r\n$536870913\r\n", "*1\r\n$9223372036854775807\r\n",
            "*1\r\n$9223372036854775808\r\n", "*1\r\n$-9223372036854775808\r\n", "*1\r\n$abc\r\n", "*1\r\n$\r\n",
            "*1\r\nPING\r\n", "*1\r\n:4\r\nPING\r\n", "*2\r\n$4\r\nECHO\r\n$3\r\nabcdef\r\n", "*1\r\n$4\r\nPINGxx",
            "*1\r\n$4\r\nPING\n\n", "*2\r\n$4\r\nECHO\r\n$1\r\n\r\n\r\n", "*1\r\n$+4\r\nPING\r\n", "*1\r\n$04\r\nPING\r\n",
            "*1\r\n$ 4\r\nPING\r\n", "*1\r\n$4 \r\nPING\r\n");
    }

    private static final List<String> RESP3_AS_REQUESTS = List.of(
        "%1\r\n", "~2\r\n", ">1\r\n", "(123\r\n", "#t\r\n", ",1.5\r\n", "_\r\n", "=3\r\ntxt\r\n", "|1\r\n", "!3\r\nerr\r\n",
        "+PING\r\n", "-ERR\r\n", ":1\r\n", "$4\r\nPING\r\n");

    private static final List<String> INLINE_QUOTES = List.of(
        "SET \"abc\r\n", "ECHO 'a\r\n", "ECHO \"a\"b\r\n", "ECHO 'a'b\r\n", "ECHO \"\\\r\n", "ECHO \"a\\\"\r\n");

    private static final List<String> NUL_BYTES = List.of(
        "PI\0NG\r\n", "\0\r\n", "*1\r\n$4\r\nP\0NG\r\n", "*1\0\r\n$4\r\nPING\r\n", "*1\r\n$4\0\r\nPING\r\n", "ECHO \"\0\"\r\n");

    private static Arbitrary<String> cutBulk()
    {
        return Arbitraries.of(
            "*2\r\n$4\r\nECHO\r\n$100\r\nabc", "*2\r\n$4\r\nECHO\r\n$536870912\r\nabc", "*3\r\n$3\r\nSET\r\n", "*1\r\n$4\r\nPI",
            "*1\r\n$4\r", "*1\r", "*", "*1\r\n$", "PING");
    }

    /** Lines past 64 KB that never end: both servers must refuse them as "too big" once 64 KB are in. */
    private static final List<String> OVERSIZED_OPEN = List.of(
        "x".repeat(70 * 1024), "*" + "1".repeat(70 * 1024), "*1\r\n$" + "4".repeat(70 * 1024),
        "*1\r\n$65536\r\n" + "y".repeat(65536) + "\r\n" + "PING " + "z".repeat(66 * 1024));

    /** Lines past 64 KB that end: refused or served, by the timing, in Redis too (see timingDependent). */
    private static final List<String> TIMING_DEPENDENT_TAILS = List.of(
        "ECHO " + "x".repeat(70 * 1024) + "\r\n", "*1\r\n$" + "4".repeat(70 * 1024) + "\r\n", "*" + "1".repeat(70 * 1024) + "\r\n");

    private static final List<String> OVERSIZED = concat(OVERSIZED_OPEN, TIMING_DEPENDENT_TAILS);

    private static List<String> concat(final List<String> a, final List<String> b)
    {
        final List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** A request as clients send it; arguments are ISO-8859-1, one char per byte. */
    static String multibulk(final String... args)
    {
        final StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (final String arg : args)
        {
            sb.append('$').append(arg.length()).append("\r\n").append(arg).append("\r\n");
        }
        return sb.toString();
    }
}
