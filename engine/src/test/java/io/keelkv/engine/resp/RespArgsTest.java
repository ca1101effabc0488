package io.keelkv.engine.resp;

import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Args}: number parsing with Redis's acceptance rules and the (array, address) pair for copies.
 * The accepted and refused texts were checked against redis-server 7.0.15: integers with
 * {@code INCRBY}, floats with {@code ZADD} (which uses strtod like string2ld, and whose reply shows the
 * value read).
 */
class RespArgsTest
{
    private static Args args(final String... values)
    {
        return Args.of(values);
    }

    /** The same arguments in an off-heap buffer at an odd offset, as the decoder hands them out. */
    private static Args direct(final String... values)
    {
        final StringBuilder sb = new StringBuilder("*").append(values.length).append("\r\n");
        for (final String v : values)
        {
            sb.append('$').append(v.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(v).append("\r\n");
        }
        final byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes.length + 7));
        buffer.putBytes(7, bytes);
        final Args args = new Args();
        assertEquals(bytes.length, new RespDecoder().decode(buffer, 7, 7 + bytes.length, args));
        return args;
    }

    @Test
    void shouldParseIntegersExactlyAsRedisString2ll()
    {
        final String[] valid = {"0", "1", "-1", "42", "9223372036854775807", "-9223372036854775808", "10"};
        final long[] values = {0, 1, -1, 42, Long.MAX_VALUE, Long.MIN_VALUE, 10};
        for (int i = 0; i < valid.length; i++)
        {
            for (final Args a : new Args[] {args(valid[i]), direct(valid[i])})
            {
                assertTrue(a.parseLong(0), valid[i]);
                assertEquals(values[i], a.longValue(), valid[i]);
            }
        }
        // each refused by INCRBY with "value is not an integer or out of range"
        final String[] invalid = {"9223372036854775808", "-9223372036854775809", "-0", "+1", "01", " 1", "1 ",
            "", "-", "00000000000000000001", "1.0", "1e3", "0x10", "12a", "99999999999999999999",
            "-00", "123456789012345678901"};
        for (final String text : invalid)
        {
            assertFalse(args(text).parseLong(0), text);
            assertFalse(direct(text).parseLong(0), text);
        }
    }

    @Test
    void shouldParseFloatsAsRedis()
    {
        final Object[][] valid = {
            {"3", 3.0}, {"0.1", 0.1}, {"-0", -0.0}, {"+1.5", 1.5}, {".5", 0.5}, {"5.", 5.0}, {"1e300", 1e300},
            {"1.5e-310", 1.5e-310}, {"5e-324", 5e-324}, {"0x10", 16.0}, {"0x1p3", 8.0}, {"0X1.8P1", 3.0},
            {"-0x.8", -0.5}, {"inf", Double.POSITIVE_INFINITY}, {"-INF", Double.NEGATIVE_INFINITY},
            {"+Infinity", Double.POSITIVE_INFINITY}, {"infinity", Double.POSITIVE_INFINITY},
            {"1E5", 1e5}, {"1e+05", 1e5}, {"2.98023223876953125e-8", 2.98023223876953125e-8},
            {"123456789012345678901234567890", 123456789012345678901234567890.0},
            {"0.000000000000000000000000000001", 1e-30}, {"0e-400", 0.0}, {"1.7976931348623157e308", Double.MAX_VALUE},
            {"00012.50", 12.5}, {"9007199254740993", 9007199254740992.0},
        };
        for (final Object[] v : valid)
        {
            final String text = (String)v[0];
            for (final Args a : new Args[] {args(text), direct(text)})
            {
                assertTrue(a.parseDouble(0), text);
                assertEquals(Double.doubleToLongBits((Double)v[1]), Double.doubleToLongBits(a.doubleValue()), text);
            }
        }
        // each refused by ZADD with "value is not a valid float"
        final String[] invalid = {"1e-400", "1e400", " 1", "1 ", "nan", "-nan", "NaN", "1e", "1e+", "0x", "", "+",
            ".", "e5", "1.5.2", "--1", "inff", "in", "0x1p", "1,5", "1d", "1f", "0x1.8p1x", "\t1"};
        for (final String text : invalid)
        {
            assertFalse(args(text).parseDouble(0), text);
            assertFalse(direct(text).parseDouble(0), text);
        }
        assertFalse(args("1".repeat(5 * 1024)).parseDouble(0), "string2ld's 5 KiB limit");
    }

    @Test
    void shouldAgreeWithJavaOnRandomDecimalTexts()
    {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        for (int i = 0; i < 100_000; i++)
        {
            final double d = Double.longBitsToDouble(random.nextLong());
            if (Double.isNaN(d) || Double.isInfinite(d))
            {
                continue;
            }
            final String text = random.nextBoolean() ? Double.toString(d) : String.format("%.6e", d);
            final Args a = args(text);
            assertTrue(a.parseDouble(0) || Double.parseDouble(text) == 0 || Double.isInfinite(Double.parseDouble(text)),
                text);
            if (a.parseDouble(0))
            {
                assertEquals(Double.parseDouble(text), a.doubleValue(), text);
            }
        }
    }

    @Test
    void shouldMatchNamesIgnoringAsciiCaseOnly()
    {
        final Args a = args("SeT", "set", "s\u00c9t", "se", "SET ");
        final byte[] set = "set".getBytes(StandardCharsets.US_ASCII);
        assertTrue(a.equalsIgnoreCase(0, set));
        assertTrue(a.equalsIgnoreCase(1, set));
        assertFalse(a.equalsIgnoreCase(2, set));
        assertFalse(a.equalsIgnoreCase(3, set));
        assertFalse(a.equalsIgnoreCase(4, set));
        assertTrue(a.equals(1, set));
        assertFalse(a.equals(0, set));
        assertTrue(direct("GET").equalsIgnoreCase(0, "get".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void shouldHandOutArrayAndAddressForUnsafeCopiesFromHeapAndDirectBuffers()
    {
        for (final Args a : new Args[] {args("k", "value\r\n\u00e9"), direct("k", "value\r\n\u00e9")})
        {
            final byte[] copy = new byte[a.length(1)];
            UnsafeApi.copyMemory(a.array(), a.address(1), copy, UnsafeApi.arrayBaseOffset(byte[].class), copy.length);
            assertArrayEquals("value\r\n\u00e9".getBytes(StandardCharsets.UTF_8), copy);
            assertArrayEquals(copy, a.copy(1));
            assertEquals("value\r\n\u00e9", a.toString(1));
            assertEquals('v', a.byteAt(1, 0));
            assertEquals(a.buffer().addressOffset() + a.offset(1), a.address(1));
            assertEquals(a.buffer().byteArray(), a.array());
        }
        assertNull(direct("x").array());
        assertNotNull(args("x").array());
        assertEquals("[SET, k, v]", Args.of("SET", "k", "v").toString());
    }

    @Test
    void shouldGrowBeyondItsInitialCapacity()
    {
        final Args a = new Args();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1000]);
        a.reset(buffer);
        for (int i = 0; i < 1000; i++)
        {
            a.add(i, 1);
        }
        assertEquals(1000, a.count());
        assertEquals(999, a.offset(999));
        a.reset(buffer);
        assertEquals(0, a.count());
    }
}
