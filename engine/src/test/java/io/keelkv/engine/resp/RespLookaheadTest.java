package io.keelkv.engine.resp;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RespLookaheadTest
{
    private final long[] addresses = new long[16];
    private final int[] lengths = new int[16];

    private List<String> keys(final String input, final int max)
    {
        // off-heap, as the event loop's query buffer, with the requests at an offset
        final byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes.length + 7));
        buffer.putBytes(7, bytes);
        final int n = RespLookahead.findKeys(buffer, 7, 7 + bytes.length, addresses, lengths, max);
        final List<String> found = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            final byte[] key = new byte[lengths[i]];
            buffer.getBytes((int)(addresses[i] - buffer.addressOffset()), key);
            found.add(new String(key, StandardCharsets.ISO_8859_1));
        }
        return found;
    }

    @Test
    void shouldFindArgumentOneOfEveryCompleteRequest()
    {
        final String set = "*3\r\n$3\r\nSET\r\n$4\r\nkey1\r\n$5\r\nvalue\r\n";
        final String ping = "*1\r\n$4\r\nPING\r\n";
        final String get = "*2\r\n$3\r\nGET\r\n$8\r\nkey\r\n2\r\n\r\n"; // binary-safe: CRLF inside the key
        assertEquals(List.of("key1", "key\r\n2\r\n", "key1"), keys(set + ping + get + set, 16));
    }

    @Test
    void shouldStopAtTheMaximum()
    {
        final String get = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
        assertEquals(3, keys(get.repeat(10), 3).size());
    }

    @Test
    void shouldStopAtAnIncompleteOrUnexpectedRequest()
    {
        final String get = "*2\r\n$3\r\nGET\r\n$2\r\nk1\r\n";
        assertEquals(List.of("k1"), keys(get + "*2\r\n$3\r\nGET\r\n$2\r\nk", 16));
        assertEquals(List.of("k1"), keys(get + "GET k2\r\n" + get, 16));
        assertEquals(List.of(), keys("*2\r\n$3\r\nGET\r\n:2\r\nk2\r\n", 16));
        assertEquals(List.of(), keys("", 16));
    }

    /**
     * A bulk length is a client's number: "$2147483647" once wrapped the int scan position to a negative
     * offset, and the next read of the look ahead left the buffer (SIGSEGV, before the decoder ever saw
     * the request).
     */
    @Test
    void shouldStopAtABulkLengthThatWouldWrapThePosition()
    {
        final String get = "*2\r\n$3\r\nGET\r\n$2\r\nk1\r\n";
        assertEquals(List.of("k1"), keys(get + "*2\r\n$3\r\nGET\r\n$2147483647\r\n" + "*1\r\n$4\r\nPING\r\n", 16));
        // the key before the huge bulk is whole, and may be prefetched; nothing after it is looked at
        assertEquals(List.of("k1", "k"), keys(get + "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2147483646\r\nvv\r\n" + get, 16));
    }

    /** "$4294967295" once overflowed the int length to -1 and was handed out as a key of length -1. */
    @Test
    void shouldNotReportANegativeKeyLength()
    {
        assertEquals(0, RespLookahead.findKeys(buffer("*2\r\n$3\r\nGET\r\n$4294967295\r\nabcdef\r\n"), 0,
            "*2\r\n$3\r\nGET\r\n$4294967295\r\nabcdef\r\n".length(), addresses, lengths, 16));
        assertEquals(List.of(), keys("*2\r\n$3\r\nGET\r\n$99999999999999999999\r\nk\r\n", 16));
    }

    private static UnsafeBuffer buffer(final String input)
    {
        final byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes.length));
        buffer.putBytes(0, bytes);
        return buffer;
    }
}
