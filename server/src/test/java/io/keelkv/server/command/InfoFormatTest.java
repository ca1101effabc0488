package io.keelkv.server.command;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * INFO's number formats, as Redis's printf formats them; here, beside {@link Info}, to reach its
 * package-private {@code fixed2}. What INFO answers over a connection is {@code InfoCommandTest}'s.
 */
class InfoFormatTest
{
    @Test
    void shouldFormatBytesLikeRedis()
    {
        assertEquals("0B", Info.bytesToHuman(0));
        assertEquals("1023B", Info.bytesToHuman(1023));
        assertEquals("1.00K", Info.bytesToHuman(1024));
        assertEquals("919.13K", Info.bytesToHuman(941192));
        assertEquals("6.73M", Info.bytesToHuman(7057408));
        assertEquals("23.54G", Info.bytesToHuman(25276510208L));
        assertEquals("1.00T", Info.bytesToHuman(1L << 40));
        assertEquals("1024.00P", Info.bytesToHuman((1L << 60) - 1));
        assertEquals("1152921504606846976B", Info.bytesToHuman(1L << 60));
        assertEquals("18446744073709551615B", Info.bytesToHuman(-1), "unsigned, as Redis's %llu");
        // glibc rounds the binary value half-even: 0.125 -> 0.12, Java's %.2f would print 0.13
        assertEquals("0.12", Info.fixed2(0.125));
        assertEquals("80.62", Info.fixed2(645f / 8));
    }
}
