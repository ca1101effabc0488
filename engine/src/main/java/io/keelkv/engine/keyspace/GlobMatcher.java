package io.keelkv.engine.keyspace;

import org.agrona.UnsafeApi;

/**
 * Redis 7.0's glob matching (util.c stringmatchlen) for KEYS, SCAN MATCH and COMMAND LIST FILTERBY
 * PATTERN: {@code *}, {@code ?}, {@code [abc]}, {@code [^a]}, {@code [a-z]}, backslash escapes and an
 * optional ASCII case fold. Pattern and subject are (base, address, length) ranges, heap or off-heap, so
 * keys are matched where they lie in page memory, with no copy and no allocation.
 *
 * <p>It reproduces Redis byte for byte, quirks included, because clients see the difference:
 * <ul>
 *   <li>Bytes compare as C {@code char}, which is signed on the platforms Redis ships for: a range
 *   {@code [a-\xff]} is {@code [-1, 97]} after its ends are swapped, so it matches 'A' and not 0xE9.</li>
 *   <li>An unterminated class ({@code "[abc"}) ends at the pattern's end; a {@code '\'} at the very end of
 *   a pattern or class matches itself.</li>
 *   <li>The two guards of 7.0.10+ against pathological patterns: when the rest of the pattern after a
 *   {@code *} matched nowhere in the rest of the subject, no earlier {@code *} tries a longer match (the
 *   "skipLongerMatches" of stringmatchlen_impl), which keeps {@code "a*a*a*a*...b"} polynomial instead of
 *   exponential; and a nesting deeper than 1000 {@code *}s fails the match rather than the stack.</li>
 * </ul>
 * The skip flag is global to one match in Redis; here it travels up as a third return value, so the
 * matcher is stateless and its methods static.
 */
public final class GlobMatcher
{
    private static final int NO_MATCH = 0;
    private static final int MATCH = 1;
    /** No match, and no caller may retry a longer '*' match (Redis sets *skipLongerMatches). */
    private static final int NO_MATCH_SKIP_LONGER = 2;
    private static final int MAX_NESTING = 1000;
    private static final long BYTE_ARRAY_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    private GlobMatcher()
    {
    }

    /** True if {@code pattern} matches the whole {@code string}, as Redis's stringmatchlen. */
    public static boolean matches(
        final Object patternBase, final long patternAddress, final int patternLength,
        final Object stringBase, final long stringAddress, final int stringLength,
        final boolean nocase)
    {
        return match(patternBase, patternAddress, patternLength, stringBase, stringAddress, stringLength, nocase, 0) ==
            MATCH;
    }

    /** Heap convenience (COMMAND LIST FILTERBY PATTERN, tests). */
    public static boolean matches(final byte[] pattern, final byte[] string, final boolean nocase)
    {
        return matches(pattern, BYTE_ARRAY_BASE, pattern.length, string, BYTE_ARRAY_BASE, string.length, nocase);
    }

    /** C's tolower() in the "C" locale that Redis runs under: only 'A'..'Z' change. */
    private static int lower(final int c)
    {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }

    /** A signed byte, as C's {@code char} reads it on x86 and ARM64 Linux builds of Redis. */
    private static int at(final Object base, final long address)
    {
        return UnsafeApi.getByte(base, address);
    }

    @SuppressWarnings("fallthrough")
    private static int match(
        final Object pb, final long patternAddress, final int patternLength,
        final Object sb, final long stringAddress, final int stringLength,
        final boolean nocase, final int nesting)
    {
        if (nesting > MAX_NESTING)
        {
            return NO_MATCH;
        }
        long p = patternAddress;
        int plen = patternLength;
        long s = stringAddress;
        int slen = stringLength;
        while (plen > 0 && slen > 0)
        {
            switch (at(pb, p))
            {
                case '*':
                    while (plen > 1 && at(pb, p + 1) == '*')
                    {
                        p++;
                        plen--;
                    }
                    if (plen == 1)
                    {
                        return MATCH;
                    }
                    while (slen > 0)
                    {
                        final int rest = match(pb, p + 1, plen - 1, sb, s, slen, nocase, nesting + 1);
                        if (rest != NO_MATCH)
                        {
                            return rest;
                        }
                        s++;
                        slen--;
                    }
                    // the rest of the pattern matched nowhere in the rest of the string: a longer match
                    // for an earlier '*' would only start the rest later, so it cannot match either
                    return NO_MATCH_SKIP_LONGER;
                case '?':
                    s++;
                    slen--;
                    break;
                case '[':
                {
                    p++;
                    plen--;
                    final boolean not = plen > 0 && at(pb, p) == '^';
                    if (not)
                    {
                        p++;
                        plen--;
                    }
                    final int sc = at(sb, s);
                    boolean matched = false;
                    while (true)
                    {
                        // Redis reads the sds terminator (0) at the pattern's end; we stand it in without reading
                        final int c = plen > 0 ? at(pb, p) : 0;
                        if (c == '\\' && plen >= 2)
                        {
                            p++;
                            plen--;
                            if (at(pb, p) == sc)
                            {
                                matched = true;
                            }
                        }
                        else if (plen > 0 && c == ']')
                        {
                            break;
                        }
                        else if (plen == 0)
                        {
                            // unterminated class: step back so the common advance below lands on the end
                            p--;
                            plen++;
                            break;
                        }
                        else if (plen >= 3 && at(pb, p + 1) == '-')
                        {
                            int start = c;
                            int end = at(pb, p + 2);
                            int x = sc;
                            if (start > end)
                            {
                                final int t = start;
                                start = end;
                                end = t;
                            }
                            if (nocase)
                            {
                                start = lower(start);
                                end = lower(end);
                                x = lower(x);
                            }
                            p += 2;
                            plen -= 2;
                            if (x >= start && x <= end)
                            {
                                matched = true;
                            }
                        }
                        else if (nocase ? lower(c) == lower(sc) : c == sc)
                        {
                            matched = true;
                        }
                        p++;
                        plen--;
                    }
                    if (not)
                    {
                        matched = !matched;
                    }
                    if (!matched)
                    {
                        return NO_MATCH;
                    }
                    s++;
                    slen--;
                    break;
                }
                case '\\':
                    if (plen >= 2)
                    {
                        p++;
                        plen--;
                    }
                    // fall through: the escaped byte (or a trailing backslash) matches itself
                default:
                {
                    final int c = at(pb, p);
                    final int sc = at(sb, s);
                    if (nocase ? lower(c) != lower(sc) : c != sc)
                    {
                        return NO_MATCH;
                    }
                    s++;
                    slen--;
                    break;
                }
            }
            p++;
            plen--;
            if (slen == 0)
            {
                while (plen > 0 && at(pb, p) == '*')
                {
                    p++;
                    plen--;
                }
                break;
            }
        }
        return plen == 0 && slen == 0 ? MATCH : NO_MATCH;
    }
}
