package io.keelkv.server;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * A socket client for byte-exact checks: sends RESP requests and reads back exactly one reply at a time
 * (any RESP2/RESP3 type, nested), returning its raw bytes.
 *
 * <p>Arguments and replies are text in one charset: UTF-8 by default; ISO-8859-1 maps every byte to one
 * char and back, so binary keys and values (0x00, \r\n, 0xFF) go out and come back exactly.
 */
final class RawRespClient implements AutoCloseable
{
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Charset charset;

    RawRespClient(final int port) throws IOException
    {
        this("127.0.0.1", port);
    }

    RawRespClient(final int port, final Charset charset) throws IOException
    {
        this("127.0.0.1", port, charset);
    }

    RawRespClient(final String host, final int port) throws IOException
    {
        this(host, port, StandardCharsets.UTF_8);
    }

    RawRespClient(final String host, final int port, final Charset charset) throws IOException
    {
        this.charset = charset;
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 5_000);
        socket.setSoTimeout(5_000);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Encode a request as a RESP array of bulk strings (UTF-8). */
    static byte[] request(final String... args)
    {
        return request(StandardCharsets.UTF_8, args);
    }

    static byte[] request(final Charset charset, final String... args)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append('*').append(args.length).append("\r\n");
        for (final String arg : args)
        {
            final byte[] bytes = arg.getBytes(charset);
            sb.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
        }
        return sb.toString().getBytes(charset);
    }

    void send(final String... args) throws IOException
    {
        out.write(request(charset, args));
        out.flush();
    }

    void sendRaw(final String raw) throws IOException
    {
        out.write(raw.getBytes(charset));
        out.flush();
    }

    /** Send one request and read its reply as text (the raw RESP bytes, decoded in this client's charset). */
    String call(final String... args) throws IOException
    {
        send(args);
        return readReply();
    }

    String readReply() throws IOException
    {
        final ByteArrayOutputStream reply = new ByteArrayOutputStream();
        readValue(reply);
        return reply.toString(charset);
    }

    /** After {@code waitMs}, the reply bytes that arrived and are not read yet (0: no reply so far). */
    int pendingAfter(final long waitMs) throws IOException, InterruptedException
    {
        Thread.sleep(waitMs);
        return in.available();
    }

    /** True when the server closed the connection (end of stream) within the socket timeout. */
    boolean isClosedByPeer()
    {
        try
        {
            return in.read() < 0;
        }
        catch (final IOException ex)
        {
            return ex.getMessage() != null && ex.getMessage().contains("reset");
        }
    }

    private void readValue(final ByteArrayOutputStream reply) throws IOException
    {
        final String line = readLine(reply);
        final char type = line.charAt(0);
        switch (type)
        {
            case '+':
            case '-':
            case ':':
            case '_':
            case ',':
            case '#':
            case '(':
                return;
            case '$':
            case '=':
            case '!':
            {
                final int length = Integer.parseInt(line.substring(1));
                if (length >= 0)
                {
                    copy(reply, length + 2);
                }
                return;
            }
            case '*':
            case '~':
            case '>':
            {
                final int count = Integer.parseInt(line.substring(1));
                for (int i = 0; i < count; i++)
                {
                    readValue(reply);
                }
                return;
            }
            case '%':
            case '|':
            {
                final int count = Integer.parseInt(line.substring(1));
                for (int i = 0; i < 2 * count; i++)
                {
                    readValue(reply);
                }
                return;
            }
            default:
                throw new IOException("not RESP: " + line);
        }
    }

    private String readLine(final ByteArrayOutputStream reply) throws IOException
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new EOFException("connection closed");
            }
            reply.write(b);
            if (previous == '\r' && b == '\n')
            {
                final byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
            previous = b;
        }
    }

    private void copy(final ByteArrayOutputStream reply, final int length) throws IOException
    {
        for (int i = 0; i < length; i++)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new EOFException("connection closed");
            }
            reply.write(b);
        }
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
