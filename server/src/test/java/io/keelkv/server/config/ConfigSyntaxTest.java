package io.keelkv.server.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The ports of sdssplitargs, sdscatrepr, string2ll, strtoll and memtoull.
 */
class ConfigSyntaxTest
{
    @Test
    void shouldSplitArgumentsLikeSdssplitargs()
    {
        assertEquals(List.of("save", "3600 1 300 100"), ConfigSyntax.splitArgs("save \"3600 1 300 100\""));
        assertEquals(List.of("a", "b", "c"), ConfigSyntax.splitArgs("  a \t b   c  "));
        assertEquals(List.of("x", ""), ConfigSyntax.splitArgs("x \"\""));
        assertEquals(List.of("x", ""), ConfigSyntax.splitArgs("x ''"));
        assertEquals(List.of("foobar"), ConfigSyntax.splitArgs("foo\"bar\""));
        assertEquals(List.of("A\n\r\t\b\u0007\"\\z"), ConfigSyntax.splitArgs("\"\\x41\\n\\r\\t\\b\\a\\\"\\\\\\z\""));
        assertEquals(List.of("it's \\n"), ConfigSyntax.splitArgs("'it\\'s \\n'"));
        assertEquals(List.of(), ConfigSyntax.splitArgs("   "));
        assertNull(ConfigSyntax.splitArgs("\"abc"));
        assertNull(ConfigSyntax.splitArgs("'abc"));
        assertNull(ConfigSyntax.splitArgs("\"abc\"def"));
        assertNull(ConfigSyntax.splitArgs("'abc'def"));
    }

    @Test
    void shouldQuoteSoThatSplittingGivesTheArgumentBack()
    {
        assertEquals("\"a \\\"b\\\" \\\\ \\n\\xc3\\xa9\"", ConfigSyntax.repr("a \"b\" \\ \n\u00e9"));
        for (final String arg : List.of("", "plain", "with space", "quote\"s", "back\\slash", "\u20ac\t\u0001'"))
        {
            final String latin1 = new String(ConfigSyntax.repr(arg).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.nio.charset.StandardCharsets.ISO_8859_1);
            assertEquals(List.of(arg), ConfigSyntax.splitArgs(latin1), arg);
        }
    }

    @Test
    void shouldSplitMultiArgumentSetValuesOnEverySpace()
    {
        assertEquals(List.of(), ConfigSyntax.splitOnSpace(""));
        assertEquals(List.of("a", "", "b"), ConfigSyntax.splitOnSpace("a  b"));
        assertEquals(List.of("100", ""), ConfigSyntax.splitOnSpace("100 "));
    }

    @Test
    void shouldParseMemoryUnitsLikeMemtoull()
    {
        assertEquals(1000L, ConfigSyntax.parseMemory("1k"));
        assertEquals(1024L, ConfigSyntax.parseMemory("1kb"));
        assertEquals(1000L * 1000, ConfigSyntax.parseMemory("1m"));
        assertEquals(1024L * 1024, ConfigSyntax.parseMemory("1MB"));
        assertEquals(1000L * 1000 * 1000, ConfigSyntax.parseMemory("1G"));
        assertEquals(1024L * 1024 * 1024, ConfigSyntax.parseMemory("1gB"));
        assertEquals(512L, ConfigSyntax.parseMemory("512"));
        assertEquals(512L, ConfigSyntax.parseMemory("512b"));
        assertEquals(0L, ConfigSyntax.parseMemory(""));
        assertEquals(-1L, ConfigSyntax.parseMemory("99999999999999999999999"));
        assertNull(ConfigSyntax.parseMemory("-1"));
        assertNull(ConfigSyntax.parseMemory("1xb"));
        assertNull(ConfigSyntax.parseMemory("1.5gb"));
        assertNull(ConfigSyntax.parseMemory("1 gb"));
        assertNull(ConfigSyntax.parseMemory("1tb"));
    }

    @Test
    void shouldParseIntegersLikeString2ll()
    {
        assertEquals(0L, ConfigSyntax.parseStrictLong("0"));
        assertEquals(-5L, ConfigSyntax.parseStrictLong("-5"));
        assertEquals(Long.MIN_VALUE, ConfigSyntax.parseStrictLong("-9223372036854775808"));
        assertEquals(Long.MAX_VALUE, ConfigSyntax.parseStrictLong("9223372036854775807"));
        assertNull(ConfigSyntax.parseStrictLong("9223372036854775808"));
        assertNull(ConfigSyntax.parseStrictLong("-0"));
        assertNull(ConfigSyntax.parseStrictLong("01"));
        assertNull(ConfigSyntax.parseStrictLong("+1"));
        assertNull(ConfigSyntax.parseStrictLong(" 1"));
        assertNull(ConfigSyntax.parseStrictLong("1 "));
        assertNull(ConfigSyntax.parseStrictLong(""));
        assertNull(ConfigSyntax.parseStrictLong("-"));
    }

    @Test
    void shouldParseLikeStrtoll()
    {
        assertArrayEquals(new long[] {42, 4}, ConfigSyntax.strtoll("  42x"));
        assertArrayEquals(new long[] {-7, 2}, ConfigSyntax.strtoll("-7"));
        assertArrayEquals(new long[] {5, 2}, ConfigSyntax.strtoll("+5"));
        assertArrayEquals(new long[] {0, 0}, ConfigSyntax.strtoll("x"));
        assertArrayEquals(new long[] {Long.MAX_VALUE, 20}, ConfigSyntax.strtoll("99999999999999999999"));
        assertArrayEquals(new long[] {Long.MIN_VALUE, 20}, ConfigSyntax.strtoll("-9223372036854775808"));
        assertEquals(0L, ConfigSyntax.strtollWhole(""));
        assertNull(ConfigSyntax.strtollWhole(" "));
    }

    @Test
    void shouldParseOctalLikeStrtollWithErrnoAndEndChecked()
    {
        assertEquals(0777L, ConfigSyntax.strtollWholeRadix("777", 8));
        assertEquals(0700L, ConfigSyntax.strtollWholeRadix(" 0700", 8));
        assertEquals(-1L, ConfigSyntax.strtollWholeRadix("-1", 8));
        assertEquals(5L, ConfigSyntax.strtollWholeRadix("+5", 8));
        assertEquals(0L, ConfigSyntax.strtollWholeRadix("", 8));
        assertEquals(Long.MIN_VALUE, ConfigSyntax.strtollWholeRadix("-1000000000000000000000", 8));
        assertEquals(Long.MAX_VALUE, ConfigSyntax.strtollWholeRadix("777777777777777777777", 8));
        assertNull(ConfigSyntax.strtollWholeRadix("1000000000000000000000", 8), "ERANGE");
        assertNull(ConfigSyntax.strtollWholeRadix("800", 8));
        assertNull(ConfigSyntax.strtollWholeRadix("0x7", 8));
        assertNull(ConfigSyntax.strtollWholeRadix("7 ", 8));
        assertNull(ConfigSyntax.strtollWholeRadix("  ", 8));
        assertNull(ConfigSyntax.strtollWholeRadix("-", 8));
    }

    /** string2d on redis-server 7.0.15 (latency-tracking-info-percentiles): strtod's forms, ERANGE refused. */
    @Test
    void shouldParseDoublesLikeString2d()
    {
        assertEquals(99.9, ConfigSyntax.parseDouble("99.9"));
        assertEquals(50.0, ConfigSyntax.parseDouble("+5e1"));
        assertEquals(16.0, ConfigSyntax.parseDouble("0x10"));
        assertEquals(0.5, ConfigSyntax.parseDouble("0x.8"));
        assertEquals(3.0, ConfigSyntax.parseDouble("0X1.8P1"));
        assertEquals(Double.NEGATIVE_INFINITY, ConfigSyntax.parseDouble("-inf"));
        assertEquals(4.9e-324, ConfigSyntax.parseDouble("4.9e-324"), "a subnormal is taken");
        assertEquals(0.0, ConfigSyntax.parseDouble("0e999999"));
        assertNull(ConfigSyntax.parseDouble("1e400"), "overflows to infinity: ERANGE");
        assertNull(ConfigSyntax.parseDouble("-1e400"));
        assertNull(ConfigSyntax.parseDouble("1e-400"), "underflows to zero: ERANGE");
        assertNull(ConfigSyntax.parseDouble("0x1p-1100"));
        assertNull(ConfigSyntax.parseDouble("0x"));
        assertNull(ConfigSyntax.parseDouble("nan"));
        assertNull(ConfigSyntax.parseDouble(" 1"));
        assertNull(ConfigSyntax.parseDouble("1f"));
    }

    @Test
    void shouldFormatDoublesAsTrimmedPercentF()
    {
        assertEquals("50", ConfigSyntax.formatDouble(50));
        assertEquals("99.9", ConfigSyntax.formatDouble(99.9));
        assertEquals("0", ConfigSyntax.formatDouble(0));
        assertEquals("99.999999", ConfigSyntax.formatDouble(99.999999));
    }
}
