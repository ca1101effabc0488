package io.keelkv.engine.resp;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Replies byte for byte in RESP2 and RESP3. The expected bytes are Redis 7.0's: constant and double
 * replies were compared with redis-server 7.0.15 over a raw socket (ZSCORE/ZINCRBY after HELLO 2 and
 * HELLO 3), the others follow networking.c's addReply* functions.
 */
class RespWriterTest
{
    private static String written(final RespWriter writer)
    {
        final byte[] bytes = new byte[writer.pending()];
        writer.buffer().getBytes(writer.readIndex(), bytes);
        writer.clear();
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static byte[] ascii(final String s)
    {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void shouldEncodeEveryTypeInResp2AndResp3()
    {
        final RespWriter w = new RespWriter(64);
        for (final int protocol : new int[] {2, 3})
        {
            w.protocol(protocol);
            assertEquals(protocol, w.protocol());
            final boolean r3 = protocol == 3;
            w.ok();
            assertEquals("+OK\r\n", written(w));
            w.raw(RespConstants.PONG);
            assertEquals("+PONG\r\n", written(w));
            w.simpleString(ascii("QUEUED"));
            assertEquals("+QUEUED\r\n", written(w));
            w.simpleString("a\r\nb");
            assertEquals("+a  b\r\n", written(w));
            w.integer(0);
            w.integer(1);
            w.integer(-42);
            w.integer(Long.MAX_VALUE);
            w.integer(Long.MIN_VALUE);
            assertEquals(":0\r\n:1\r\n:-42\r\n:9223372036854775807\r\n:-9223372036854775808\r\n", written(w));
            w.bulk(ascii("hi\r\n"));
            assertEquals("$4\r\nhi\r\n\r\n", written(w));
            w.bulk(ascii("xhey"), 1, 3);
            assertEquals("$3\r\nhey\r\n", written(w));
            w.bulk(new byte[0]);
            assertEquals("$0\r\n\r\n", written(w));
            w.bulk(new UnsafeBuffer(ascii("__abc")), 2, 3);
            assertEquals("$3\r\nabc\r\n", written(w));
            w.bulkString("h\u00e9\u20ac\uD83D\uDE00");
            assertEquals("$10\r\nh\u00c3\u00a9\u00e2\u0082\u00ac\u00f0\u009f\u0098\u0080\r\n", written(w));
            w.bulk("text");
            assertEquals("$4\r\ntext\r\n", written(w));
            w.bulkLong(-1234567890123L);
            w.bulkLong(0);
            w.bulkLong(Long.MIN_VALUE);
            assertEquals("$14\r\n-1234567890123\r\n$1\r\n0\r\n$20\r\n-9223372036854775808\r\n", written(w));
            w.nullBulk();
            assertEquals(r3 ? "_\r\n" : "$-1\r\n", written(w));
            w.nullArray();
            assertEquals(r3 ? "_\r\n" : "*-1\r\n", written(w));
            w.arrayHeader(0);
            w.arrayHeader(3);
            assertEquals("*0\r\n*3\r\n", written(w));
            w.mapHeader(2);
            assertEquals(r3 ? "%2\r\n" : "*4\r\n", written(w));
            w.mapHeader(0);
            assertEquals(r3 ? "%0\r\n" : "*0\r\n", written(w));
            w.setHeader(3);
            assertEquals(r3 ? "~3\r\n" : "*3\r\n", written(w));
            w.pushHeader(3);
            w.push(2);
            assertEquals(r3 ? ">3\r\n>2\r\n" : "*3\r\n*2\r\n", written(w));
            w.bool(true);
            w.bool(false);
            assertEquals(r3 ? "#t\r\n#f\r\n" : ":1\r\n:0\r\n", written(w));
            w.doubleValue(3.0);
            assertEquals(r3 ? ",3\r\n" : "$1\r\n3\r\n", written(w));
            w.doubleValue(0.1);
            assertEquals(r3 ? ",0.10000000000000001\r\n" : "$19\r\n0.10000000000000001\r\n", written(w));
            w.doubleValue(Double.POSITIVE_INFINITY);
            w.doubleValue(Double.NEGATIVE_INFINITY);
            assertEquals(r3 ? ",inf\r\n,-inf\r\n" : "$3\r\ninf\r\n$4\r\n-inf\r\n", written(w));
            w.doubleValue(-0.0);
            assertEquals(r3 ? ",-0\r\n" : "$2\r\n-0\r\n", written(w));
            w.doubleValue(Double.NaN);
            assertEquals(r3 ? ",nan\r\n" : "$3\r\nnan\r\n", written(w));
            w.verbatim("txt", ascii("ab"));
            assertEquals(r3 ? "=6\r\ntxt:ab\r\n" : "$2\r\nab\r\n", written(w));
            w.verbatim("md", ascii(""));
            assertEquals(r3 ? "=4\r\nmd :\r\n" : "$0\r\n\r\n", written(w));
            w.error("ERR bad\r\nthing");
            assertEquals("-ERR bad  thing\r\n", written(w));
            w.error("\r\nERR trimmed\n\r");
            assertEquals("-ERR trimmed\r\n", written(w));
            w.error(RespConstants.WRONGTYPE);
            assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", written(w));
        }
        assertEquals(6, w.errorCount());
    }

    @Test
    void shouldWriteBulkHeadersOfEveryLengthAsTheGeneralEncoding()
    {
        final RespWriter w = new RespWriter(64);
        for (final int length : new int[] {0, 1, 9, 10, 11, 42, 99, 100, 101, 999, 1000, 65536})
        {
            final byte[] value = new byte[length];
            java.util.Arrays.fill(value, (byte)'v');
            w.bulk(value);
            final String expected = "$" + length + "\r\n" + "v".repeat(length) + "\r\n";
            assertEquals(expected, written(w), "length " + length);
        }
    }

    @Test
    void shouldOverflowAtOnceWhenAReplyCanNeverFitUnderTheCap()
    {
        final RespWriter w = new RespWriter(64);
        w.maxCapacity(1_000);
        w.raw("+OK\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertTrue(w.mayFit(165, RespWriter.MIN_ELEMENT_BYTES), "995 bytes of room, 990 asked");
        assertFalse(w.overflowed());
        assertFalse(w.mayFit(166, RespWriter.MIN_ELEMENT_BYTES));
        assertTrue(w.overflowed(), "the client is to be dropped, as after a write past the cap");
        assertFalse(w.mayFit(1, RespWriter.MIN_ELEMENT_BYTES), "and stays so");
        final RespWriter huge = new RespWriter(64);
        assertFalse(huge.mayFit(Long.MAX_VALUE, RespWriter.MIN_ELEMENT_BYTES), "no overflow in the arithmetic");
    }

    @Test
    void shouldWriteAttributesOnlyInResp3()
    {
        final RespWriter w = new RespWriter(64);
        assertThrows(IllegalStateException.class, () -> w.attributeHeader(1));
        w.protocol(3);
        w.attributeHeader(1);
        assertEquals("|1\r\n", written(w));
        assertThrows(IllegalArgumentException.class, () -> w.protocol(4));
    }

    @Test
    void shouldCopyABulkFromRawMemory()
    {
        final ByteBuffer page = ByteBuffer.allocateDirect(64);
        final UnsafeBuffer view = new UnsafeBuffer(page);
        view.putBytes(10, ascii("value\r\n!"));
        final RespWriter w = new RespWriter(64);
        w.bulkFromAddress(view.addressOffset() + 10, 8);
        assertEquals("$8\r\nvalue\r\n!\r\n", written(w));
    }

    @Test
    void shouldGrowForBigRepliesAndKeepPendingBytesAcrossPartialWrites()
    {
        final RespWriter w = new RespWriter(64);
        w.ok();
        w.consumed(2); // the socket took "+O"
        final byte[] big = new byte[100_000];
        big[99_999] = 'z';
        w.bulk(big);
        assertEquals(3 + "$100000\r\n".length() + 100_000 + 2, w.pending());
        assertEquals(0, w.readIndex(), "moved to the front while growing");
        assertEquals('K', w.buffer().getByte(w.readIndex()));
        assertTrue(w.capacity() >= w.pending());
        final ByteBuffer toSocket = w.pendingByteBuffer();
        assertEquals(w.pending(), toSocket.remaining());
        assertEquals('K', toSocket.get(toSocket.position()));
        assertEquals('z', w.buffer().getByte(w.writeIndex() - 3));

        w.consumed(w.pending());
        assertEquals(0, w.pending());
        assertEquals(0, w.writeIndex(), "indexes go back to 0 once everything is sent");
        w.shrinkTo(128);
        assertEquals(128, w.capacity());
        w.ok();
        assertEquals("+OK\r\n", written(w));
        assertThrows(IllegalArgumentException.class, () -> w.consumed(1));
    }

    @Test
    void shouldMovePendingBytesOnlyWhenThatFreesAtLeastAsMuchAsItCopies()
    {
        final RespWriter w = new RespWriter(64);
        w.bulk(new byte[30]); // 37 bytes
        w.consumed(30);       // 7 pending at 30..37
        w.bulk(new byte[10]); // 17 more: no room at the end for the worst case, room after moving 7 bytes
        assertEquals(64, w.capacity());
        assertEquals(0, w.readIndex());
        assertEquals(24, w.pending());

        final RespWriter slow = new RespWriter(64);
        slow.bulk(new byte[30]); // 37 bytes
        slow.consumed(2);        // 35 pending: moving them to free 2 bytes would be quadratic for a slow reader
        slow.bulk(new byte[3]);  // would fit after moving, but grows instead
        assertEquals(128, slow.capacity());
        assertEquals(44, slow.pending());
    }

    @Test
    void shouldTakeBackWhatWasWrittenAfterTheMark()
    {
        final RespWriter w = new RespWriter(64);
        w.ok();
        w.mark();
        w.arrayHeader(2);
        w.bulk(new byte[200]); // grows: the mark must follow the bytes
        assertTrue(w.resetToMark());
        assertEquals("+OK\r\n", written(w));

        w.ok();
        w.mark();
        w.integer(5);
        w.consumed(w.pending());
        assertFalse(w.resetToMark(), "already sent");
        assertFalse(w.resetToMark(), "no mark");
    }

    @Test
    void shouldOverflowInsteadOfGrowingPastItsCap()
    {
        final RespWriter w = new RespWriter(64);
        w.maxCapacity(1024);
        w.ok();
        w.bulk(new byte[2048]);
        assertTrue(w.overflowed());
        assertEquals(5, w.pending(), "the oversized reply is dropped whole");
        w.ok();
        assertEquals(5, w.pending(), "and everything after it");
        w.clear();
        assertFalse(w.overflowed());
    }

    @Test
    void shouldWriteNothingWhenDiscarding()
    {
        final RespWriter w = new RespWriter(64);
        w.discard(true);
        w.ok();
        w.bulk(new byte[10]);
        w.bulkString("x");
        w.error("ERR x");
        w.doubleValue(1.5);
        w.bulkLong(7);
        w.mapHeader(3);
        assertEquals(0, w.pending());
        assertEquals(0, w.errorCount());
        w.discard(false);
        w.ok();
        assertEquals("+OK\r\n", written(w));
    }

    @Test
    void shouldDiscardEverythingAfterRelease()
    {
        final RespWriter w = new RespWriter(64);
        w.ok();
        w.release();
        assertEquals(0, w.pending());
        w.bulk(new byte[100]);
        assertEquals(0, w.pending());
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
}
