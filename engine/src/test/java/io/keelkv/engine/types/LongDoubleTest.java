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
}
