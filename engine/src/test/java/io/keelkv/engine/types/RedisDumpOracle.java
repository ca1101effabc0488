package io.keelkv.engine.types;

import org.junit.jupiter.api.Assumptions;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A private redis-server 7.0 (on a free port in 28000-28999, no persistence) and a minimal RESP client, for
 * comparing the compact encodings byte for byte with what redis-server DUMPs. Absent redis-server skips the
 * test, unless KEEL_REQUIRE_ORACLE=1, when it fails: a CI that promises the oracle must not pass silently.
 */
final class RedisDumpOracle implements AutoCloseable
{
    static final int RDB_TYPE_LIST_QUICKLIST_2 = 18;
    static final int RDB_TYPE_SET_INTSET = 11;
    static final int RDB_TYPE_HASH_LISTPACK = 16;
    static final int RDB_TYPE_ZSET_LISTPACK = 17;

    private final Process process;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RedisDumpOracle(final Process process, final Socket socket) throws IOException
    {
        this.process = process;
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static RedisDumpOracle start() throws Exception
    {
        final String binary = findServer();
        if (binary == null)
        {
            if ("1".equals(System.getenv("KEEL_REQUIRE_ORACLE")))
            {
                throw new AssertionError("redis-server not found and KEEL_REQUIRE_ORACLE=1");
            }
            Assumptions.abort("redis-server not installed: oracle comparison skipped");
        }
        for (int attempt = 0; attempt < 20; attempt++)
        {
            final int port = 28000 + ThreadLocalRandom.current().nextInt(1000);
            try (ServerSocket probe = new ServerSocket(port))
            {
                probe.setReuseAddress(true);
            }
            catch (final IOException busy)
            {
                continue;
            }
            final Process process = new ProcessBuilder(binary, "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && process.isAlive())
            {
                try
                {
                    final Socket socket = new Socket("127.0.0.1", port);
                    final RedisDumpOracle oracle = new RedisDumpOracle(process, socket);
                    oracle.call("PING");
                    oracle.call("CONFIG", "SET", "rdbcompression", "no");
                    return oracle;
                }
                catch (final IOException notYet)
                {
                    Thread.sleep(20);
                }
            }
            process.destroy();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        throw new AssertionError("could not start redis-server on a free port in 28000-28999");
    }

    private static String findServer()
    {
        final String path = System.getenv("PATH");
        for (final String dir : (path == null ? "/usr/bin:/usr/local/bin" : path).split(File.pathSeparator))
        {
            final File candidate = new File(dir, "redis-server");
            if (candidate.canExecute())
            {
                return candidate.getPath();
            }
        }
        return null;
    }

    Object call(final String... args) throws IOException
    {
        final byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++)
        {
            bytes[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        return call(bytes);
    }

    Object call(final byte[]... args) throws IOException
    {
        final ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (final byte[] arg : args)
        {
            request.writeBytes(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            request.writeBytes(arg);
            request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write(request.toByteArray());
        out.flush();
        return read();
    }

    private Object read() throws IOException
    {
        final int type = in.read();
        final String line = readLine();
        switch (type)
        {
            case '+':
                return line;
            case '-':
                throw new AssertionError("redis-server error: " + line);
            case ':':
                return Long.parseLong(line);
            case '$':
            {
                final int length = Integer.parseInt(line);
                if (length < 0)
                {
                    return null;
                }
                final byte[] data = in.readNBytes(length);
                in.readNBytes(2);
                return data;
            }
            case '*':
            {
                final int n = Integer.parseInt(line);
                final List<Object> items = new ArrayList<>();
                for (int i = 0; i < n; i++)
                {
                    items.add(read());
                }
                return items;
            }
            default:
                throw new IOException("unexpected RESP type " + type);
        }
    }

    private String readLine() throws IOException
    {
        final StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\r'; c = in.read())
        {
            if (c < 0)
            {
                throw new IOException("connection closed");
            }
            line.append((char)c);
        }
        in.read();
        return line.toString();
    }

    /**
     * The encoded blob inside a DUMP payload of {@code expectedType}: type byte, RDB string(s), then the 2-byte
     * RDB version and 8-byte CRC64 trailer. For a quicklist the single node's listpack is returned (a list
     * that Redis split into several nodes fails the test: the comparison is of one listpack).
     */
    static byte[] blobOf(final byte[] dump, final int expectedType)
    {
        final int[] at = {0};
        final int type = dump[at[0]++] & 0xFF;
        if (type != expectedType)
        {
            throw new AssertionError("DUMP type " + type + ", expected " + expectedType);
        }
        if (type == RDB_TYPE_LIST_QUICKLIST_2)
        {
            final long nodes = readLength(dump, at);
            if (nodes != 1)
            {
                throw new AssertionError("quicklist of " + nodes + " nodes, expected 1");
            }
            final long container = readLength(dump, at);
            if (container != 2)
            {
                throw new AssertionError("quicklist node container " + container + ", expected 2 (packed)");
            }
        }
        final int length = (int)readLength(dump, at);
        final byte[] blob = java.util.Arrays.copyOfRange(dump, at[0], at[0] + length);
        if (at[0] + length != dump.length - 10)
        {
            throw new AssertionError("DUMP payload has " + (dump.length - 10 - at[0] - length) + " unexpected bytes");
        }
        return blob;
    }

    private static long readLength(final byte[] dump, final int[] at)
    {
        final int b = dump[at[0]++] & 0xFF;
        switch (b >> 6)
        {
            case 0:
                return b & 0x3F;
            case 1:
                return (b & 0x3F) << 8 | dump[at[0]++] & 0xFF;
            case 2:
            {
                final int bytes = b == 0x80 ? 4 : b == 0x81 ? 8 : 0;
                if (bytes == 0)
                {
                    throw new AssertionError("bad RDB length prefix " + b);
                }
                long v = 0;
                for (int i = 0; i < bytes; i++)
                {
                    v = v << 8 | dump[at[0]++] & 0xFF;
                }
                return v;
            }
            default:
                throw new AssertionError("encoded (int or LZF) RDB string " + b + ": is rdbcompression off?");
        }
    }

    @Override
    public void close() throws Exception
    {
        try
        {
            socket.close();
        }
        finally
        {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
            }
        }
    }
}
