package io.keelkv.engine.keyspace;

import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GlobMatcherTest
{
    /**
     * {pattern, subject, matches}: every row was read from redis 7.0.15 by SET subject, then KEYS pattern
     * (strings are bytes in ISO-8859-1; \u00e9 is the byte 0xE9). The one KEYS-only shortcut is left out:
     * KEYS * lists the empty key without matching, while stringmatchlen("*", "") is false.
     */
    private static final Object[][] REDIS_CASES = {
        {"*", "abc", true},
        {"", "", true},
        {"", "a", false},
        {"a", "", false},
        {"?", "", false},
        {"?", "a", true},
        {"??", "a", false},
        {"a?c", "abc", true},
        {"a?c", "ac", false},
        {"h*llo", "hllo", true},
        {"h*llo", "heeeello", true},
        {"h*llo", "hello world", false},
        {"*llo", "hello", true},
        {"he*", "hello", true},
        {"*l*", "hello", true},
        {"***", "x", true},
        {"a**b", "ab", true},
        {"a*", "a", true},
        {"a*b*c", "abxbc", true},
        {"a*b*c", "acb", false},
        {"h[ae]llo", "hello", true},
        {"h[ae]llo", "hillo", false},
        {"h[^e]llo", "hallo", true},
        {"h[^e]llo", "hello", false},
        {"h[a-b]llo", "hbllo", true},
        {"h[a-b]llo", "hcllo", false},
        {"h[b-a]llo", "hallo", true},
        {"[abc", "a", true},
        {"[abc", "[", false},
        {"[abc]", "b", true},
        {"[]", "a", false},
        {"[]a]", "]", false},
        {"[]a]", "a", false},
        {"[^]", "a", true},
        {"[^", "", false},
        {"[^", "a", true},
        {"[", "[", false},
        {"[", "a", false},
        {"a[", "a", false},
        {"[\\]]", "]", true},
        {"[\\a]", "a", true},
        {"[\\", "\\", true},
        {"[a\\", "\\", true},
        {"[a-]", "-", false},
        {"[a-]", "a", true},
        {"[-a]", "-", true},
        {"[a-c-e]", "d", false},
        {"[a-c-e]", "-", true},
        {"[a-c-e]", "e", true},
        {"\\*", "*", true},
        {"\\*", "a", false},
        {"\\?", "?", true},
        {"\\", "\\", true},
        {"a\\", "a\\", true},
        {"\\a", "a", true},
        {"\\[a]", "[a]", true},
        {"\\[a]", "a", false},
        {"*\\*", "ab*", true},
        {"[[]", "[", true},
        {"[*]", "*", true},
        {"[*]", "a", false},
        {"[?]", "?", true},
        {"x[0-9][0-9]", "x42", true},
        {"x[0-9][0-9]", "x4a", false},
        {"*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
        {"a*a*a*a*a*a*a*a*", "aaaaaaaa", true},
        {"*?", "a", true},
        {"*?", "", false},
        {"?*", "a", true},
        {"*[", "", false},
        {"*[", "x[", false},
        {"[a-\u00ff]", "A", true},
        {"[a-\u00ff]", "\u00e9", false},
        {"[\u0080-\u00ff]", "\u00e9", true},
        {"[\u0001-\u0080]", "a", false},
        {"[\u0001-\u0080]", "\u00e9", true},
        {"\u00e9", "\u00e9", true},
        {"[^\u00e9]", "\u00e9", false},
        {"[\u00e0-\u00ef]", "\u00e9", true},
        {"a\u0000b", "a\u0000b", true},
        {"a?b", "a\u0000b", true},
        {"[\u0000]", "\u0000", true},
        {"*\r\n", "x\r\n", true},
        {"A", "a", false},
        {"[A-Z]", "a", false},
    };

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static boolean matches(final String pattern, final String subject)
    {
        return GlobMatcher.matches(bytes(pattern), bytes(subject), false);
    }

    private static boolean matchesNocase(final String pattern, final String subject)
    {
        return GlobMatcher.matches(bytes(pattern), bytes(subject), true);
    }

    @Test
    void shouldMatchExactlyAsRedis70KeysDoes()
    {
        for (final Object[] row : REDIS_CASES)
        {
            assertEquals(row[2], matches((String)row[0], (String)row[1]),
                "pattern '" + row[0] + "' subject '" + row[1] + "'");
        }
    }

    @Test
    void shouldNotMatchAnEmptySubjectWithAStarOutsideKeysShortcut()
    {
        assertFalse(matches("*", ""));
        assertTrue(matches("", ""));
    }

    @Test
    void shouldCompareBytesAsSignedCharsLikeRedis()
    {
        // [a-\xff] swaps to [-1, 97]: 'A' (65) is inside, 0xE9 (-23) is not
        assertTrue(matches("[a-\u00ff]", "A"));
        assertFalse(matches("[a-\u00ff]", "\u00e9"));
        assertTrue(matches("[\u0001-\u0080]", "\u00ff"));
    }

    @Test
    void shouldFoldAsciiCaseOnlyWhenAsked()
    {
        assertFalse(matches("HELLO", "hello"));
        assertTrue(matchesNocase("HELLO", "hello"));
        assertTrue(matchesNocase("h[A-C]llo", "hbllo"));
        assertTrue(matchesNocase("h[a-c]llo", "hBllo"));
        assertTrue(matchesNocase("[^X]", "y"));
        assertFalse(matchesNocase("[^X]", "x"));
        assertTrue(matchesNocase("object|FR*", "object|freq"));
        assertFalse(matchesNocase("\u00c9", "\u00e9"), "tolower in the C locale leaves non-ASCII bytes alone");
    }

    @Test
    void shouldGiveUpOnPatternsNestedDeeperThan1000Stars()
    {
        // read from redis 7.0.15: KEYS ("*a" x 1000) finds a key of 1100 'a's, ("*a" x 1001) does not
        final String subject = "a".repeat(1100);
        assertTrue(matches("*a".repeat(1000), subject));
        assertFalse(matches("*a".repeat(1001), subject));
    }

    @Test
    void shouldStayFastOnPathologicalPatterns()
    {
        // exponential without Redis's skipLongerMatches: 30 stars against 10k bytes that never end in 'b'
        final String pattern = "a*".repeat(30) + "b";
        final String subject = "a".repeat(10_000);
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> assertFalse(matches(pattern, subject)));
        assertTrue(matches("*a*a*a*a*a*a*a*a*a*a*b", "a".repeat(5000) + "b"));
    }

    @Test
    void shouldMatchKeysInOffHeapMemory()
    {
        final byte[] key = bytes("user:1234:profile");
        final ByteBuffer direct = ByteBuffer.allocateDirect(key.length);
        direct.put(key);
        final long address = BufferUtil.address(direct);
        final byte[] pattern = bytes("user:[0-9]*:pro?ile");
        final long base = UnsafeApi.arrayBaseOffset(byte[].class);
        assertTrue(GlobMatcher.matches(pattern, base, pattern.length, null, address, key.length, false));
        assertFalse(GlobMatcher.matches(pattern, base, pattern.length, null, address, key.length - 1, false));
        // a pattern inside a larger buffer: only its range counts
        final byte[] padded = bytes("xxuser:*yy");
        assertTrue(GlobMatcher.matches(padded, base + 2, 6, null, address, key.length, false));
    }

    @Test
    void shouldMatchBinaryAndControlBytes()
    {
        assertTrue(matches("a?b", "a\u0000b"));
        assertTrue(matches("*\r\n", "x\r\n"));
        assertTrue(matches("[\u0000-\u0001]", "\u0001"));
    }
}
