package io.keelkv.server;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads one reply at a time off a socket and checks that it is well-formed RESP2/RESP3: every line ends in
 * CRLF, lengths and counts are numbers, a bulk is followed by CRLF, a simple string holds no CR or LF.
 * Unlike {@link RawRespClient} it does not keep the whole reply: a 512 MB bulk is checked and skipped, and
 * only the first {@link #PREVIEW_BYTES} bytes are kept for messages. A malformed reply is an
 * {@link IOException} naming what was wrong.
 */
final class RespReplyReader
{
    static final int PREVIEW_BYTES = 400;
    private static final int MAX_DEPTH = 64;
    private static final int MAX_LINE = 1 << 20;

    private final InputStream in;
    private final byte[] skip = new byte[64 * 1024];

    /** One reply: its type byte and its first bytes (ISO-8859-1; all of it when asked) for messages. */
    static final class Reply
    {
        final char type;
        final String preview;

        Reply(final char type, final String preview)
        {
            this.type = type;
            this.preview = preview;
        }

        boolean isError()
        {
            return type == '-' || type == '!';
        }

        @Override
        public String toString()
        {
            return preview.replace("\r\n", "\\r\\n");
        }
    }

    RespReplyReader(final InputStream in)
    {
        this.in = in;
    }

    /** The next reply. EOFException when the peer closed first (before any byte or in the middle). */
    Reply read() throws IOException
    {
        return read(PREVIEW_BYTES);
    }

    /** The next reply, keeping up to {@code keepBytes} of it. */
    Reply read(final int keepBytes) throws IOException
    {
        final Preview preview = new Preview(keepBytes);
        final char type = value(preview, 0);
        return new Reply(type, preview.toString());
    }

    private char value(final Preview preview, final int depth) throws IOException
    {
        if (depth > MAX_DEPTH)
        {
            throw new IOException("reply nested deeper than " + MAX_DEPTH + ": " + preview);
        }
        final String line = line(preview);
        if (line.isEmpty())
        {
            throw new IOException("empty reply line: " + preview);
        }
        final char type = line.charAt(0);
        final String rest = line.substring(1);
        switch (type)
        {
            case '+':
            case '-':
                return type;
            case ':':
                number(rest, preview);
                return type;
            case '(':
                if (!rest.matches("-?[0-9]+"))
                {
                    throw new IOException("bad big number: " + preview);
                }
                return type;
            case ',':
                if (!rest.matches("-?(inf|nan|[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?)"))
                {
                    throw new IOException("bad double: " + preview);
                }
                return type;
            case '#':
                if (!rest.equals("t") && !rest.equals("f"))
                {
                    throw new IOException("bad boolean: " + preview);
                }
                return type;
            case '_':
                if (!rest.isEmpty())
                {
                    throw new IOException("bad null: " + preview);
                }
                return type;
            case '$':
            case '=':
            case '!':
            {
                final long length = number(rest, preview);
                if (length == -1 && type == '$')
                {
                    return type;
                }
                if (length < 0)
                {
                    throw new IOException("bad bulk length: " + preview);
                }
                body(length, preview);
                return type;
            }
            case '*':
            case '~':
            case '>':
            case '%':
            case '|':
            {
                final long count = number(rest, preview);
                if (count == -1 && type == '*')
                {
                    return type;
                }
                if (count < 0)
                {
                    throw new IOException("bad aggregate count: " + preview);
                }
                final long elements = type == '%' || type == '|' ? 2 * count : count;
                for (long i = 0; i < elements; i++)
                {
                    value(preview, depth + 1);
                }
                if (type == '|')
                {
                    value(preview, depth + 1); // an attribute precedes the reply it describes
                }
                return type;
            }
            default:
                throw new IOException("not a RESP type byte 0x" + Integer.toHexString(type) + ": " + preview);
        }
    }

    private static long number(final String text, final Preview preview) throws IOException
    {
        try
        {
            return Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new IOException("not a number: '" + text + "' in " + preview);
        }
    }

    /** A line up to CRLF; a lone CR or LF inside it is malformed. */
    private String line(final Preview preview) throws IOException
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new EOFException("connection closed" + (preview.isEmpty() ? "" : " inside a reply: " + preview));
            }
            preview.add(b);
            if (b == '\r')
            {
                final int lf = in.read();
                if (lf < 0)
                {
                    throw new EOFException("connection closed inside a reply: " + preview);
                }
                preview.add(lf);
                if (lf != '\n')
                {
                    throw new IOException("CR not followed by LF: " + preview);
                }
                return line.toString(StandardCharsets.ISO_8859_1);
            }
            if (b == '\n')
            {
                throw new IOException("LF without CR: " + preview);
            }
            if (line.size() > MAX_LINE)
            {
                throw new IOException("reply line over " + MAX_LINE + " bytes: " + preview);
            }
            line.write(b);
        }
    }

    private void body(final long length, final Preview preview) throws IOException
    {
        long left = length;
        while (left > 0)
        {
            final int n = in.read(skip, 0, (int)Math.min(skip.length, left));
            if (n < 0)
            {
                throw new EOFException("connection closed inside a bulk of " + length + " bytes: " + preview);
            }
            preview.add(skip, n);
            left -= n;
        }
        final int cr = in.read();
        final int lf = in.read();
        if (cr != '\r' || lf != '\n')
        {
            throw new IOException("bulk of " + length + " bytes not followed by CRLF: " + preview);
        }
        preview.add(cr);
        preview.add(lf);
    }

    /** The first bytes of a reply, for messages. */
    private static final class Preview
    {
        private final StringBuilder text = new StringBuilder();
        private final int limit;
        private boolean cut;

        Preview(final int limit)
        {
            this.limit = limit;
        }

        void add(final int b)
        {
            if (text.length() < limit)
            {
                text.append((char)(b & 0xFF));
            }
            else
            {
                cut = true;
            }
        }

        void add(final byte[] bytes, final int n)
        {
            for (int i = 0; i < n && text.length() < limit; i++)
            {
                text.append((char)(bytes[i] & 0xFF));
            }
            cut |= n > 0 && text.length() >= limit;
        }

        boolean isEmpty()
        {
            return text.length() == 0;
        }

        @Override
        public String toString()
        {
            return text + (cut ? "..." : "");
        }
    }
}
