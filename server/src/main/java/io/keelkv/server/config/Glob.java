package io.keelkv.server.config;

/**
 * Redis's glob matcher (util.c stringmatchlen): {@code *}, {@code ?}, {@code [abc]}, {@code [^a-z]} and
 * {@code \} escapes, optionally case-insensitive. CONFIG GET matches case-insensitively.
 */
public final class Glob
{
    private Glob()
    {
    }

    public static boolean matches(final String pattern, final String string, final boolean noCase)
    {
        return match(pattern, 0, string, 0, noCase);
    }

    /**
     * @return true when the text has one of the special characters (a CONFIG GET argument without any is an
     * exact name).
     */
    public static boolean hasSpecialChars(final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '*' || c == '?' || c == '[')
            {
                return true;
            }
        }
        return false;
    }

    private static boolean match(final String pattern, final int patternStart, final String string,
        final int stringStart, final boolean noCase)
    {
        final int patternEnd = pattern.length();
        final int stringEnd = string.length();
        int p = patternStart;
        int s = stringStart;
        while (p < patternEnd && s < stringEnd)
        {
            switch (pattern.charAt(p))
            {
                case '*' ->
                {
                    while (p + 1 < patternEnd && pattern.charAt(p + 1) == '*')
                    {
                        p++;
                    }
                    if (p + 1 == patternEnd)
                    {
                        return true;
                    }
                    while (s < stringEnd)
                    {
                        if (match(pattern, p + 1, string, s, noCase))
                        {
                            return true;
                        }
                        s++;
                    }
                    return false;
                }
                case '?' -> s++;
                case '[' ->
                {
                    p++;
                    final boolean not = p < patternEnd && pattern.charAt(p) == '^';
                    if (not)
                    {
                        p++;
                    }
                    boolean matched = false;
                    final char c = string.charAt(s);
                    while (true)
                    {
                        if (p < patternEnd && pattern.charAt(p) == '\\' && patternEnd - p >= 2)
                        {
                            p++;
                            if (pattern.charAt(p) == c)
                            {
                                matched = true;
                            }
                        }
                        else if (p < patternEnd && pattern.charAt(p) == ']')
                        {
                            break;
                        }
                        else if (p >= patternEnd)
                        {
                            // unterminated class: step back so the outer loop ends on the last char
                            p--;
                            break;
                        }
                        else if (patternEnd - p >= 3 && pattern.charAt(p + 1) == '-')
                        {
                            int start = pattern.charAt(p);
                            int end = pattern.charAt(p + 2);
                            int ch = c;
                            if (start > end)
                            {
                                final int t = start;
                                start = end;
                                end = t;
                            }
                            if (noCase)
                            {
                                start = Character.toLowerCase(start);
                                end = Character.toLowerCase(end);
                                ch = Character.toLowerCase(ch);
                            }
                            p += 2;
                            if (ch >= start && ch <= end)
                            {
                                matched = true;
                            }
                        }
                        else if (equal(pattern.charAt(p), c, noCase))
                        {
                            matched = true;
                        }
                        p++;
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
                }
                case '\\' ->
                {
                    if (patternEnd - p >= 2)
                    {
                        p++;
                    }
                    if (!equal(pattern.charAt(p), string.charAt(s), noCase))
                    {
                        return false;
                    }
                    s++;
                }
                default ->
                {
                    if (!equal(pattern.charAt(p), string.charAt(s), noCase))
                    {
                        return false;
                    }
                    s++;
                }
            }
            p++;
            if (s == stringEnd)
            {
                while (p < patternEnd && pattern.charAt(p) == '*')
                {
                    p++;
                }
                break;
            }
        }
        return p == patternEnd && s == stringEnd;
    }

    private static boolean equal(final char a, final char b, final boolean noCase)
    {
        return noCase ? Character.toLowerCase(a) == Character.toLowerCase(b) : a == b;
    }
}
