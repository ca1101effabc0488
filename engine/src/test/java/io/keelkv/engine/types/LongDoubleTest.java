package io.keelkv.engine.types;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** INCRBYFLOAT arithmetic; expected strings read from redis-server 7.0.15 (INCRBYFLOAT on a key set to a). */
class LongDoubleTest
{
    @Test
    void shouldAddAndPrintExactlyAsRedis()
    {
        assertEquals("10.6", LongDouble.add("10.5", "0.1"));
        assertEquals("0.3", LongDouble.add("0.1", "0.2"));
        assertEquals("5000", LongDouble.add("5.0e3", "0"));
        assertEquals("3", LongDouble.add("1.5", "1.5"));
        assertEquals("-2.5", LongDouble.add("0", "-2.5"));
        assertEquals("100000000000000001", LongDouble.add("1e17", "1"));
        assertEquals("0.0015", LongDouble.add("0", "1.5e-3"));
    }

    @Test
    void shouldRefuseWhatStrtoldRefuses()
    {
        assertFalse(LongDouble.isValid(" 1"));
        assertFalse(LongDouble.isValid("abc"));
        assertFalse(LongDouble.isValid("1d"));
        assertFalse(LongDouble.isValid("nan"));
        assertFalse(LongDouble.isValid(""));
        assertFalse(LongDouble.isValid("1e99999999999"), "exponent past int range must not throw");
        assertFalse(LongDouble.isValid("1e5000"), "overflows a long double");
        assertFalse(LongDouble.isValid("1e-5000"), "underflows a long double");
        assertTrue(LongDouble.isValid("+7"));
        assertTrue(LongDouble.isValid("inf"));
        assertNull(LongDouble.add("inf", "1"), "infinite results are refused");
    }

    /**
     * The ends of the 80-bit range, read from redis-server 7.0.15: strtold takes up to LDBL_MAX (about
     * 1.18973149535723176502e4932, and what rounds to it) and down to what rounds to the smallest subnormal
     * (above 2^-16446, about 1.82e-4951); a decimal exponent was used as the bound, which refused 1e4932.
     */
    @Test
    void shouldTakeTheWholeLongDoubleRangeAsStrtoldDoes()
    {
        assertTrue(LongDouble.isValid("1e4932"));
        assertTrue(LongDouble.isValid("1.18973149535723176502e+4932"));
        assertTrue(LongDouble.isValid("-1.189731495357231765053e+4932"), "rounds down to LDBL_MAX");
        assertFalse(LongDouble.isValid("1.1897314953572317651e+4932"), "rounds up to infinity");
        assertFalse(LongDouble.isValid("1e4933"));
        assertTrue(LongDouble.isValid("1e-4950"));
        assertTrue(LongDouble.isValid("3.6e-4951"));
        assertTrue(LongDouble.isValid("1.9e-4951"), "rounds up to the smallest subnormal");
        assertFalse(LongDouble.isValid("1.8e-4951"), "rounds down to zero");
        assertFalse(LongDouble.isValid("-9.9e-4952"));
        assertFalse(LongDouble.isValid("1e-4953"));
    }

    @Test
    void shouldReadAZeroMantissaAsZeroWhateverItsExponent()
    {
        assertTrue(LongDouble.isValid("0e99999999999"));
        assertTrue(LongDouble.isValid("-0.000e-99999999999"));
        assertFalse(LongDouble.isValid("0.001e99999999999"));
        assertEquals("1", LongDouble.add("0e99999999999", "1"));
        assertEquals("0", LongDouble.add("0", "-0e99999999999"));
    }

    /** A sum is infinite exactly when it rounds past LDBL_MAX, not when its decimal exponent reaches 4932. */
    @Test
    void shouldRefuseASumOnlyWhenItRoundsPastLongDoubleMax()
    {
        // redis-server's reply begins so (1e4932 rounded to a 64-bit mantissa, printed with %.17Lf)
        assertTrue(LongDouble.add("5e4931", "5e4931").startsWith("10000000000000000000060189493879638913238377742545331" +
            "14773785041352533019486608722407533327779433142773666525563666277682061860906440460336623416164931097"));
        assertEquals(4933, LongDouble.add("5e4931", "5e4931").length());
        assertNull(LongDouble.add("1e4932", "5e4931"));
        assertNull(LongDouble.add("1.18973149535723176502e+4932", "1.18973149535723176502e+4932"));
        assertNull(LongDouble.add("-1.18973149535723176502e+4932", "-1e4932"));
        assertEquals("0", LongDouble.add("1.18973149535723176502e+4932", "-1.18973149535723176502e+4932"));
    }

    /** strtold reads hexadecimal too, and so does Redis's INCRBYFLOAT (found by the command fuzz against Redis). */
    @Test
    void shouldReadHexadecimalAsStrtold()
    {
        assertEquals("16", LongDouble.add("0", "0x10"));
        assertEquals("8", LongDouble.add("0", "0X1p3"));
        assertEquals("0.5", LongDouble.add("0", "0x.8"));
        assertEquals("3", LongDouble.add("0", "0x1.8p1"));
        assertEquals("2", LongDouble.add("0", "0x1.p1"));
        assertEquals("-16", LongDouble.add("0", "-0x10"));
        assertEquals("16", LongDouble.add("0", "+0x10"));
        assertEquals("482", LongDouble.add("0", "0x1e2"));
        assertEquals("9223372036854775809", LongDouble.add("0", "0x8000000000000001"));
        assertEquals("0", LongDouble.add("0", "0x0p0"));
        assertEquals("0", LongDouble.add("0", "0x1p-16400"));
        assertEquals("17", LongDouble.add("0x10", "1"));
        assertTrue(LongDouble.isValid("0x1P-16445"));
        assertTrue(LongDouble.isValid("0x1p16383"));
        assertTrue(LongDouble.isValid("0x0p99999999999"));
        for (final String refused : new String[] {"0x", "0xg", "0xp1", "0x1p", "0x1p+", "0x10 ", " 0x10", "0x1p99999",
            "0x1p-99999", "0x1p16384", "0x1p99999999999999999999", "0x.", "x10"})
        {
            assertFalse(LongDouble.isValid(refused), refused);
        }
    }

    /**
     * getTimeoutFromObjectOrReply's {@code (long long) ceill(ftval * 1000.0)}: the values a C program built with
     * gcc on x86-64 prints for the same strings (and 4000 random ones agreed the same way).
     */
    @Test
    void shouldMultiplyATimeoutAsRedisDoesInLongDouble()
    {
        final Object[][] cases = {{"-0.001", 0L}, {"-0.0011", -1L}, {"0.001", 1L}, {"0.1", 100L}, {"0.0001", 1L},
            {"0x1p-10", 1L}, {"2.5", 2500L}, {"9223372036854775", 9223372036854775000L},
            {"9223372036854776", Long.MIN_VALUE}, {"9223372036854775.807", Long.MAX_VALUE},
            {"9223372036854775.8075", Long.MIN_VALUE}, {"inf", Long.MIN_VALUE}, {"-inf", Long.MIN_VALUE},
            {"1e-400", 1L}, {"-1e-400", 0L}, {"-0.00099999999999999999999", 0L},
            {"-0.00100000000000000000000001", 0L}, {"1e30", Long.MIN_VALUE}, {"-0.3", -300L}, {"1.001", 1001L},
            {"4.9999999999999999999", 5000L}, {"5.0000000000000001", 5001L},
            {"0x1.fffffffffffffffep62", Long.MIN_VALUE},
            {"-9223372036854775.808", -9223372036854775807L}, {"-9223372036854775.809", Long.MIN_VALUE}, {"0", 0L},
            {"-0", 0L}, {"1e4000", Long.MIN_VALUE}};
        for (final Object[] c : cases)
        {
            assertEquals((long)c[1], LongDouble.timeoutMillis((String)c[0]), (String)c[0]);
        }
    }
}
