package io.keelkv.server;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The fuzz tests' connection: requests as byte arrays (any byte, NUL and CR LF included), replies read and
 * checked by {@link RespReplyReader}, every read bounded by the socket timeout (a hang fails the read).
 */
final class FuzzClient implements AutoCloseable
{
    private final Socket socket;
    private final OutputStream out;
    private final RespReplyReader reader;

    FuzzClient(final int port, final int timeoutMillis) throws IOException
    {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true);
        out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        reader = new RespReplyReader(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
    }

    /** A request as Redis clients send it: an array of bulk strings. */
    static byte[] encode(final List<byte[]> args)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(("*" + args.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (final byte[] arg : args)
        {
            bytes.writeBytes(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            bytes.writeBytes(arg);
            bytes.writeBytes(new byte[] {'\r', '\n'});
        }
        return bytes.toByteArray();
    }

    static byte[] bytes(final String latin1)
    {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * An argument as redis-cli reads it back: printable ASCII as is, quoted when needed, any other byte
     * as \xNN; so a logged request can be pasted after {@code redis-cli -p PORT}.
     */
    static String quote(final byte[] arg)
    {
        boolean plain = arg.length > 0;
        for (final byte b : arg)
        {
            plain &= b > ' ' && b < 127 && b != '"' && b != '\'' && b != '\\';
        }
        if (plain)
        {
            return new String(arg, StandardCharsets.ISO_8859_1);
        }
        final StringBuilder sb = new StringBuilder("\"");
        for (final byte b : arg)
        {
            final int c = b & 0xFF;
            if (c == '"' || c == '\\')
            {
                sb.append('\\').append((char)c);
            }
            else if (c >= ' ' && c < 127)
            {
                sb.append((char)c);
            }
            else
            {
                sb.append(String.format(Locale.ROOT, "\\x%02x", c));
            }
        }
        return sb.append('"').toString();
    }

    void send(final List<byte[]> args) throws IOException
    {
        out.write(encode(args));
        out.flush();
    }

    void sendRaw(final byte[] raw) throws IOException
    {
        out.write(raw);
        out.flush();
    }

    RespReplyReader.Reply read() throws IOException
    {
        return reader.read();
    }

    RespReplyReader.Reply call(final String... args) throws IOException
    {
        final List<byte[]> request = new java.util.ArrayList<>();
        for (final String arg : args)
        {
            request.add(bytes(arg));
        }
        send(request);
        return read();
    }

    /** A command whose reply is small text (INFO, CONFIG GET *, COMMAND LIST): all of its raw bytes. */
    String callForText(final String... args) throws IOException
    {
        final List<byte[]> request = new java.util.ArrayList<>();
        for (final String arg : args)
        {
            request.add(bytes(arg));
        }
        send(request);
        return reader.read(Integer.MAX_VALUE).preview;
    }

    /** The bulk strings of a flat array reply (CONFIG GET, COMMAND LIST), or of a single bulk (INFO). */
    static List<String> bulks(final String raw)
    {
        final List<String> result = new java.util.ArrayList<>();
        int i = raw.startsWith("*") ? raw.indexOf("\r\n") + 2 : 0;
        while (i < raw.length() && raw.charAt(i) == '$')
        {
            final int lineEnd = raw.indexOf("\r\n", i);
            final int length = Integer.parseInt(raw.substring(i + 1, lineEnd));
            result.add(raw.substring(lineEnd + 2, lineEnd + 2 + length));
            i = lineEnd + 2 + length + 2;
        }
        return result;
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
