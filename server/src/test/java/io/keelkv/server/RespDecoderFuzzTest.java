package io.keelkv.server;

import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespDecoder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The request decoder (engine's {@link RespDecoder}) on its own, in this JVM, fed like a socket feeds it:
 * random bytes and RESP-shaped inputs (valid requests, counts and lengths at the edges, CR and LF alone,
 * inline words with quotes and escapes, NUL, a 60 KB bulk, open lines past 64 KB), cut at random points, the pending bytes moved
 * to another offset between calls, the bytes past the limit filled with varying garbage, with and without
 * AUTH's limits and a small proto-max-bulk-len. Whatever the cuts, the offsets and the garbage, it must decode
 * the same requests and stop the same way as with the whole input at once (so it reads nothing past the
 * limit it is given), throw nothing, report only its documented protocol errors, and allocate at most
 * {@link #ALLOCATION_BASE} plus {@link #ALLOCATION_PER_BYTE} bytes per input byte (never per announced count
 * or length).
 *
 * <p>Not Jazzer: its {@code @FuzzTest} only replays its corpus under plain {@code mvn verify} (coverage-guided
 * fuzzing needs {@code JAZZER_FUZZ=1} and its native agent), so a jqwik property is what CI can run.
 *
 * <pre>
 * mvn -B -pl server -am verify -Dtest=RespDecoderFuzzTest -Dsurefire.failIfNoSpecifiedTests=false -Dkeel.fuzz.tries=1000000
 * </pre>
 */
@AddLifecycleHook(FuzzRun.class)
class RespDecoderFuzzTest
{
    /** Error texts, the decoder's error scratch and its argument arrays (presized to 1024 at most). */
    static final long ALLOCATION_BASE = 64 * 1024;
    /** The inline scratch grows to twice the longest line; a copy of the error text quotes one byte. */
    static final long ALLOCATION_PER_BYTE = 8;

    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    @Property(tries = 200000)
    void shouldDecodeTheSameWhateverTheCutsTheOffsetsAndTheBytesPastTheLimit(
        @ForAll("inputs") final byte[] input,
        @ForAll("cuts") final List<Integer> cuts,
        @ForAll final long layoutSeed,
        @ForAll("limits") final Tuple.Tuple2<Boolean, Long> limits)
    {
        final List<String> whole = decode(input, List.of(), new Random(0), false, limits);
        final List<String> pieces = decode(input, cuts, new Random(layoutSeed), true, limits);
        if (!whole.equals(pieces))
        {
            throw new AssertionError("cut at " + cuts + " (per mille), moved and with garbage past the limit, " +
                escape(input) + " decoded as\n  " + pieces + "\nbut whole as\n  " + whole);
        }
    }

    /**
     * Decode every request of {@code input}, delivered up to each cut in turn, the pending bytes at a new
     * offset for each call (random, or 0) with garbage after the limit (random, or none): each request's
     * arguments, then how it stopped (a protocol error, or waiting for more with so many bytes pending).
     */
    private static List<String> decode(
        final byte[] input, final List<Integer> cuts, final Random layout, final boolean garbage,
        final Tuple.Tuple2<Boolean, Long> limits)
    {
        final RespDecoder decoder = new RespDecoder();
        decoder.authenticated(limits.get1());
        decoder.maxBulkLength(limits.get2());
        final Args args = new Args();
        final List<String> events = new ArrayList<>();
        final List<Integer> arrivals = new ArrayList<>();
        for (final int cut : cuts.stream().sorted().toList())
        {
            arrivals.add((int)((long)cut * input.length / 1000));
        }
        arrivals.add(input.length);
        byte[] pending = new byte[0];
        int delivered = 0;
        long allocated = 0;
        for (final int arrival : arrivals)
        {
            if (arrival < delivered)
            {
                continue;
            }
            pending = concat(pending, Arrays.copyOfRange(input, delivered, arrival));
            delivered = arrival;
            while (pending.length > 0)
            {
                final int offset = garbage ? layout.nextInt(40) : 0;
                final byte[] array = new byte[offset + pending.length + 64];
                if (garbage)
                {
                    final byte[] poison = {0, '\r', '\n', '$', '*', (byte)0xFF, '"', ' '};
                    Arrays.fill(array, poison[layout.nextInt(poison.length)]);
                }
                System.arraycopy(pending, 0, array, offset, pending.length);
                final UnsafeBuffer buffer = new UnsafeBuffer(array);
                final int result;
                final long before = THREADS.getCurrentThreadAllocatedBytes();
                try
                {
                    result = decoder.decode(buffer, offset, offset + pending.length, args);
                }
                catch (final Throwable ex)
                {
                    throw new AssertionError("decode threw on " + escape(input) + " with " + escape(pending) + " pending", ex);
                }
                allocated += THREADS.getCurrentThreadAllocatedBytes() - before;
                if (result > pending.length)
                {
                    throw new AssertionError("decode consumed " + result + " bytes of the " + pending.length + " it was given: " +
                        escape(input));
                }
                if (result > 0)
                {
                    events.add(describe(args));
                    pending = Arrays.copyOfRange(pending, result, pending.length);
                    continue;
                }
                if (result == RespDecoder.PROTOCOL_ERROR)
                {
                    final String message = decoder.errorMessage();
                    if (message == null || !message.startsWith("Protocol error: "))
                    {
                        throw new AssertionError("undocumented error '" + message + "' for " + escape(input));
                    }
                    events.add("error: " + message + " / " + escape(decoder.errorLine()));
                    checkAllocation(allocated, input);
                    return events;
                }
                if (result != RespDecoder.NEED_MORE)
                {
                    throw new AssertionError("decode returned " + result + " for " + escape(input));
                }
                break;
            }
        }
        checkAllocation(allocated, input);
        events.add("waiting, " + pending.length + " bytes pending");
        return events;
    }

    private static void checkAllocation(final long allocated, final byte[] input)
    {
        if (allocated > ALLOCATION_BASE + ALLOCATION_PER_BYTE * input.length)
        {
            throw new AssertionError("decoding " + input.length + " bytes allocated " + allocated + " bytes: " + escape(input));
        }
    }

    private static String describe(final Args args)
    {
        final StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < args.count(); i++)
        {
            sb.append(i == 0 ? "" : ", ").append(escape(args.copy(i)));
        }
        return sb.append(']').toString();
    }

    private static byte[] concat(final byte[] a, final byte[] b)
    {
        final byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static String escape(final byte[] bytes)
    {
        final byte[] shown = bytes.length > 300 ? Arrays.copyOf(bytes, 300) : bytes;
        return '"' + ProtocolFuzzTest.escape(shown) + (bytes.length > 300 ? "...(" + bytes.length + " bytes)" : "") + '"';
    }

    // ------------------------------------------------------------------------------------------------
    // generators

    @Provide
    Arbitrary<List<Integer>> cuts()
    {
        return Arbitraries.integers().between(0, 1000).list().ofMaxSize(8);
    }

    /** AUTH's small limits or none; proto-max-bulk-len as by default, or small. */
    @Provide
    Arbitrary<Tuple.Tuple2<Boolean, Long>> limits()
    {
        return Combinators.combine(
            Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(true)), Tuple.of(1, Arbitraries.just(false))),
            Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(RespDecoder.DEFAULT_MAX_BULK_LENGTH)),
                Tuple.of(1, Arbitraries.of(0L, 5L, 100L)))).as(Tuple::of);
    }

    @Provide
    Arbitrary<byte[]> inputs()
    {
        final Arbitrary<byte[]> randomBytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
        final Arbitrary<byte[]> respAlphabet = Arbitraries.of("*$\r\n0123456789-+ \"'\\x\0aZ\u00ff".toCharArray())
            .list().ofMaxSize(200).map(chars ->
            {
                final byte[] bytes = new byte[chars.size()];
                for (int i = 0; i < bytes.length; i++)
                {
                    bytes[i] = (byte)chars.get(i).charValue();
                }
                return bytes;
            });
        // a line past 64 KB only as an open tail: one that ends is refused or taken by when the decoder looks
        // (Redis's own rule, by the arrival of its end), so it has no answer independent of the cuts
        final Arbitrary<String> tail = Arbitraries.frequencyOf(Tuple.of(20, Arbitraries.just("")),
            Tuple.of(1, Arbitraries.of("x".repeat(70 * 1024), "*" + "1".repeat(66 * 1024), "*1\r\n$" + "2".repeat(66 * 1024))));
        final Arbitrary<byte[]> shaped = Combinators.combine(piece().list().ofMinSize(1).ofMaxSize(8), tail)
            .as((pieces, end) -> (String.join("", pieces) + end).getBytes(StandardCharsets.ISO_8859_1));
        return Arbitraries.frequencyOf(Tuple.of(1, randomBytes), Tuple.of(2, respAlphabet), Tuple.of(6, shaped));
    }

    private static final List<String> NUMBERS = List.of(
        "0", "1", "2", "3", "-1", "-2", "10", "11", "1024", "1025", "16384", "16385", "2147483647", "2147483648",
        "-2147483648", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "99999999999999999999",
        "536870912", "536870913", "", "abc", "+1", "01", " 1", "1 ", "0x10");

    /** One piece of a RESP-shaped input (ISO-8859-1, one char per byte). */
    private static Arbitrary<String> piece()
    {
        final Arbitrary<String> text = Arbitraries.strings().withChars("ab \r\n\0\"'\\x$*\u00ff19").ofMaxLength(20);
        return Arbitraries.frequencyOf(
            Tuple.of(6, text.list().ofMaxSize(4).map(RespDecoderFuzzTest::request)),
            Tuple.of(3, Arbitraries.of(NUMBERS).map(n -> "*" + n + "\r\n")),
            Tuple.of(3, Arbitraries.of(NUMBERS).map(n -> "$" + n + "\r\n")),
            Tuple.of(3, text),
            Tuple.of(2, Arbitraries.of("\r\n", "\r", "\n", "\0")),
            Tuple.of(3, Arbitraries.of("PING\r\n", "SET \"a b\" 'c d'\r\n", "ECHO \"\\x41\\x4g\\n\"\n", "ECHO \"a\"b\r\n",
                "ECHO 'a\r\n", "  \t \r\n", "GET k\n", "ECHO \"\\\"\r\n", "ECHO \u00ff\0x\r\n")),
            Tuple.of(1, Arbitraries.just("*1\r\n$60000\r\n" + "y".repeat(60000) + "\r\n")));
    }

    private static String request(final List<String> args)
    {
        final StringBuilder sb = new StringBuilder("*").append(args.size()).append("\r\n");
        for (final String arg : args)
        {
            sb.append('$').append(arg.length()).append("\r\n").append(arg).append("\r\n");
        }
        return sb.toString();
    }
}
