package io.keelkv.engine.resp;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class RespWriterTest
{
    private static String written(final RespWriter writer)
    {
        final byte[] bytes = new byte[writer.pending()];
        writer.buffer().getBytes(writer.readIndex(), bytes);
        writer.clear();
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    @Test
    void shouldEncodeEveryTypeInResp2AndResp3()
    {
        final RespWriter w = new RespWriter(64);
        for (final int protocol : new int[] {2, 3})
        {
            w.protocol(protocol);
            final boolean r3 = protocol == 3;
            w.ok();
            assertEquals("+OK\r\n", written(w));
            w.integer(-42);
            assertEquals(":-42\r\n", written(w));
            w.bulk("hi\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("$4\r\nhi\r\n\r\n", written(w));
            w.nullBulk();
            assertEquals(r3 ? "_\r\n" : "$-1\r\n", written(w));
            w.nullArray();
            assertEquals(r3 ? "_\r\n" : "*-1\r\n", written(w));
            w.mapHeader(2);
            assertEquals(r3 ? "%2\r\n" : "*4\r\n", written(w));
            w.setHeader(3);
            assertEquals(r3 ? "~3\r\n" : "*3\r\n", written(w));
            w.bool(true);
            assertEquals(r3 ? "#t\r\n" : ":1\r\n", written(w));
            w.doubleValue(3.0);
            assertEquals(r3 ? ",3\r\n" : "$1\r\n3\r\n", written(w));
            w.verbatim("txt", "ab".getBytes(StandardCharsets.US_ASCII));
            assertEquals(r3 ? "=6\r\ntxt:ab\r\n" : "$2\r\nab\r\n", written(w));
            w.error("ERR bad\r\nthing");
            assertEquals("-ERR bad  thing\r\n", written(w));
            w.bulkLong(-1234567890123L);
            assertEquals("$14\r\n-1234567890123\r\n", written(w));
        }
        assertEquals(2, w.errorCount());
    }

    @Test
    void shouldFormatDoublesAsCPrintf17g()
    {
        assertEquals("3", RespWriter.formatDouble(3.0));
        assertEquals("0.10000000000000001", RespWriter.formatDouble(0.1));
        assertEquals("1e+17", RespWriter.formatDouble(1e17));
        assertEquals("12345678901234568", RespWriter.formatDouble(12345678901234567.0));
        assertEquals("0.0001", RespWriter.formatDouble(0.0001));
        assertEquals("1.0000000000000001e-05", RespWriter.formatDouble(0.00001));
        assertEquals("inf", RespWriter.formatDouble(Double.POSITIVE_INFINITY));
        assertEquals("-inf", RespWriter.formatDouble(Double.NEGATIVE_INFINITY));
        assertEquals("-2.5", RespWriter.formatDouble(-2.5));
    }

    @Test
    void shouldGrowForBigRepliesAndKeepPendingBytesAcrossPartialWrites()
    {
        final RespWriter w = new RespWriter(64);
        w.ok();
        w.consumed(2); // the socket took "+O"
        final byte[] big = new byte[100_000];
        w.bulk(big);
        assertEquals(3 + "$100000\r\n".length() + 100_000 + 2, w.pending());
        assertEquals('K', w.buffer().getByte(w.readIndex()));
    }

    @Test
    void shouldOverflowInsteadOfGrowingPastItsCap()
    {
        final RespWriter w = new RespWriter(64);
        w.maxCapacity(1024);
        w.bulk(new byte[2048]);
        assertTrue(w.overflowed());
        assertTrue(w.pending() < 1024);
    }

    @Test
    void shouldWriteNothingWhenDiscarding()
    {
        final RespWriter w = new RespWriter(64);
        w.discard(true);
        w.ok();
        w.bulk(new byte[10]);
        w.error("ERR x");
        assertEquals(0, w.pending());
    }
}
