package io.keelkv.engine.keyspace;

import org.agrona.UnsafeApi;

/**
 * Redis's glob matching (util.c stringmatchlen): {@code *}, {@code ?}, {@code [abc]}, {@code [^a]},
 * {@code [a-z]}, backslash escapes, optional case folding. Pattern and subject are (base, address, length)
 * ranges, so keys are matched in page memory without copying. Like Redis 7, a {@code *} that failed at
 * some position stops trying longer matches, and recursion deeper than 1000 fails the match, so a
 * pathological pattern cannot stall the event loop.
 */
public final class GlobMatcher
{
    private boolean skipLongerMatches;

    public boolean matches(
        final Object pBase, final long pAddress, final int pLength,
        final Object sBase, final long sAddress, final int sLength,
        final boolean nocase)
    {
        skipLongerMatches = false;
        return match(pBase, pAddress, pLength, sBase, sAddress, sLength, nocase, 0);
    }

    private static int lower(final int c)
    {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }

    @SuppressWarnings("fallthrough")
    private boolean match(
        final Object pb, long p, int plen, final Object sb, long s, int slen, final boolean nocase, final int nesting)
    {
        if (nesting > 1000)
        {
            return false;
        }
        while (plen > 0 && slen > 0)
        {
            final int pc = UnsafeApi.getByte(pb, p) & 0xFF;
            switch (pc)
            {
                case '*':
                    while (plen > 1 && (UnsafeApi.getByte(pb, p + 1) & 0xFF) == '*')
                    {
                        p++;
                        plen--;
                    }
                    if (plen == 1)
                    {
                        return true;
                    }
                    while (slen > 0)
                    {
                        if (match(pb, p + 1, plen - 1, sb, s, slen, nocase, nesting + 1))
                        {
                            return true;
                        }
                        if (skipLongerMatches)
                        {
                            return false;
                        }
                        s++;
                        slen--;
                    }
                    skipLongerMatches = true;
                    return false;
                case '?':
                    s++;
                    slen--;
                    break;
                case '[':
                {
                    p++;
                    plen--;
                    final boolean not = plen > 0 && (UnsafeApi.getByte(pb, p) & 0xFF) == '^';
                    if (not)
                    {
                        p++;
                        plen--;
                    }
                    boolean matched = false;
                    final int sc = UnsafeApi.getByte(sb, s) & 0xFF;
                    while (true)
                    {
                        final int c = plen > 0 ? UnsafeApi.getByte(pb, p) & 0xFF : 0;
                        if (c == '\\' && plen >= 2)
                        {
                            p++;
                            plen--;
                            if ((UnsafeApi.getByte(pb, p) & 0xFF) == sc)
                            {
                                matched = true;
                            }
                        }
                        else if (plen == 0)
                        {
                            p--;
                            plen++;
                            break;
                        }
                        else if (c == ']')
                        {
                            break;
                        }
                        else if (plen >= 3 && (UnsafeApi.getByte(pb, p + 1) & 0xFF) == '-')
                        {
                            int start = c;
                            int end = UnsafeApi.getByte(pb, p + 2) & 0xFF;
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
                        return false;
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
                    // fall through: the escaped byte matches itself
                default:
                {
                    final int c = UnsafeApi.getByte(pb, p) & 0xFF;
                    final int sc = UnsafeApi.getByte(sb, s) & 0xFF;
                    if (nocase ? lower(c) != lower(sc) : c != sc)
                    {
                        return false;
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
                while (plen > 0 && (UnsafeApi.getByte(pb, p) & 0xFF) == '*')
                {
                    p++;
                    plen--;
                }
                break;
            }
        }
        return plen == 0 && slen == 0;
    }
}
