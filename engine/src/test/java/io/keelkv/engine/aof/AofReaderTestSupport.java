package io.keelkv.engine.aof;

import io.keelkv.engine.resp.Args;
import org.junit.jupiter.api.Assumptions;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * For AofReaderTest: RESP commands as Redis writes them to an AOF, a sink that records what it is handed,
 * and the two oracles: redis-check-aof on a file, and a real redis-server writing an AOF.
 */
final class AofReaderTestSupport
{
    private AofReaderTestSupport()
    {
    }

    static byte[] cmd(final String... args)
    {
        final byte[][] parts = new byte[args.length][];
        for (int i = 0; i < args.length; i++)
        {
            parts[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        return cmd(parts);
    }

    /** A command as a RESP array of bulk strings, exactly as Redis's catAppendOnlyGenericCommand writes it. */
    static byte[] cmd(final byte[]... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ascii("*" + args.length + "\r\n"));
        for (final byte[] arg : args)
        {
            out.writeBytes(ascii("$" + arg.length + "\r\n"));
            out.writeBytes(arg);
            out.writeBytes(ascii("\r\n"));
        }
        return out.toByteArray();
    }

    static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** Records every command handed on: its arguments (copied) and offset. */
    static final class Recorder implements CommandSink
    {
        final List<byte[][]> commands = new ArrayList<>();
        final List<Long> offsets = new ArrayList<>();

        @Override
        public void onCommand(final Args args, final long offset)
        {
            final byte[][] copy = new byte[args.count()][];
            for (int i = 0; i < copy.length; i++)
            {
                copy[i] = args.copy(i);
            }
            commands.add(copy);
            offsets.add(offset);
        }

        /** The commands as text, one "A B C" string each (ISO-8859-1, so every byte survives). */
        List<String> texts()
        {
            final List<String> texts = new ArrayList<>();
            for (final byte[][] command : commands)
            {
                final StringBuilder sb = new StringBuilder();
                for (final byte[] arg : command)
                {
                    sb.append(sb.length() == 0 ? "" : " ").append(new String(arg, StandardCharsets.ISO_8859_1));
                }
                texts.add(sb.toString());
            }
            return texts;
        }
    }

    static AofReadResult read(final Path file, final CommandSink sink) throws AofReadException
    {
        try (AofReader reader = new AofReader(AofReader.DEFAULT_PROTO_MAX_BULK_LEN))
        {
            return reader.read(file, 0, sink);
        }
    }

    static AofReadException refused(final Path file)
    {
        return assertThrows(AofReadException.class, () -> read(file, new Recorder()));
    }

    static long allocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** One element of a crafted file, and what the reader must make of it. */
    enum Part
    {
        COMMAND, ANNOTATION, MULTI, EXEC
    }

    /** What a cut file must read as: its valid length, the commands handed on, its tail. */
    record Expected(long valid, List<byte[]> delivered, AofReadResult.Tail tail)
    {
    }

    /** The model of a file made of {@code parts} and cut after {@code cut} bytes, as Redis loads it. */
    static Expected expectCut(final List<byte[]> parts, final List<Part> kinds, final int cut)
    {
        long valid = 0;
        final List<byte[]> delivered = new ArrayList<>();
        final List<byte[]> queued = new ArrayList<>();
        boolean inMulti = false;
        AofReadResult.Tail tail = AofReadResult.Tail.NONE;
        int start = 0;
        for (int i = 0; i < parts.size() && start < cut; i++)
        {
            final int end = start + parts.get(i).length;
            if (end > cut)
            {
                tail = inMulti ? AofReadResult.Tail.UNFINISHED_MULTI : kinds.get(i) == Part.ANNOTATION ?
                    AofReadResult.Tail.CUT_ANNOTATION : AofReadResult.Tail.CUT_COMMAND;
                break;
            }
            switch (kinds.get(i))
            {
                case COMMAND -> (inMulti ? queued : delivered).add(parts.get(i));
                case MULTI -> inMulti = true;
                case EXEC ->
                {
                    delivered.addAll(queued);
                    queued.clear();
                    inMulti = false;
                }
                default ->
                {
                }
            }
            if (!inMulti)
            {
                valid = end;
            }
            start = end;
        }
        return new Expected(valid, delivered, inMulti ? AofReadResult.Tail.UNFINISHED_MULTI : tail);
    }

    /** redis-check-aof, when installed, agrees on where the valid part ends and whether that is all. */
    static void assertCheckAofAgrees(final Path file, final long validLength, final boolean valid) throws Exception
    {
        final AofTestSupport.CheckResult check = checkAof(file);
        if (check != null)
        {
            assertEquals(validLength, check.okUpTo(), check.output());
            assertEquals(valid, check.valid(), check.output());
        }
    }

    static boolean onPath(final String program)
    {
        final String path = System.getenv("PATH");
        return new File("/usr/bin/" + program).canExecute() ||
            path != null && Arrays.stream(path.split(":")).anyMatch(dir -> new File(dir, program).canExecute());
    }

    /** Skip (or, with KEEL_REQUIRE_ORACLE=1, fail) when {@code program} is not installed. */
    static void requireOracle(final String program)
    {
        if (!onPath(program))
        {
            if ("1".equals(System.getenv("KEEL_REQUIRE_ORACLE")))
            {
                fail(program + " is required as the oracle (apt-get install -y redis-server redis-tools)");
            }
            Assumptions.abort(program + " not installed: apt-get install -y redis-server redis-tools to run this test");
        }
    }

    /**
     * redis-check-aof's verdict on a file, or null when it is not installed (then the caller's own
     * assertions stand alone); with KEEL_REQUIRE_ORACLE=1 a missing tool fails the test.
     */
    static AofTestSupport.CheckResult checkAof(final Path file) throws IOException, InterruptedException
    {
        if (!onPath("redis-check-aof"))
        {
            if ("1".equals(System.getenv("KEEL_REQUIRE_ORACLE")))
            {
                fail("redis-check-aof is required as the oracle (apt-get install -y redis-tools)");
            }
            return null;
        }
        final Process process = new ProcessBuilder("redis-check-aof", file.toString()).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new AofTestSupport.CheckResult(process.waitFor(), output);
    }

    /** A redis-server of our own on a free port in 27000-27999, in a directory of our own; shut down on close. */
    static final class RedisServer implements AutoCloseable
    {
        final Path dir;
        final int port;
        private final Process process;
        private Socket socket;
        private InputStream in;
        private OutputStream out;

        private RedisServer(final Path dir, final int port, final Process process)
        {
            this.dir = dir;
            this.port = port;
            this.process = process;
        }

        static RedisServer start(final Path dir, final String... config) throws Exception
        {
            for (int attempt = 0; attempt < 10; attempt++)
            {
                final int port = freePort();
                final List<String> command = new ArrayList<>(List.of("redis-server", "--port", String.valueOf(port),
                    "--bind", "127.0.0.1", "--dir", dir.toString(), "--logfile", dir.resolve("redis.log").toString(),
                    "--save", ""));
                command.addAll(List.of(config));
                final Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.out").toFile()).start();
                final RedisServer server = new RedisServer(dir, port, process);
                if (server.connect())
                {
                    System.out.println("redis-server on port " + port + " in " + dir);
                    return server;
                }
                server.close();
            }
            throw new IllegalStateException("redis-server did not start; log:\n" + log(dir));
        }

        static String log(final Path dir) throws IOException
        {
            final Path log = dir.resolve("redis.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "(no log)";
        }

        private static int freePort() throws IOException
        {
            while (true)
            {
                final int port = 27000 + ThreadLocalRandom.current().nextInt(1000);
                try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress()))
                {
                    return port;
                }
                catch (final IOException inUse)
                {
                    // try another
                }
            }
        }

        private boolean connect() throws InterruptedException
        {
            for (int i = 0; i < 100 && process.isAlive(); i++)
            {
                try
                {
                    socket = new Socket(InetAddress.getLoopbackAddress(), port);
                    socket.setSoTimeout(10_000);
                    in = new BufferedInputStream(socket.getInputStream());
                    out = socket.getOutputStream();
                    return "PONG".equals(call("PING"));
                }
                catch (final IOException notYet)
                {
                    Thread.sleep(50);
                }
            }
            return false;
        }

        /** Send one command; @return its reply: String, Long, List, or "-ERR ..." as a String. */
        Object call(final String... args) throws IOException
        {
            out.write(cmd(args));
            out.flush();
            return reply();
        }

        Object call(final byte[]... args) throws IOException
        {
            out.write(cmd(args));
            out.flush();
            return reply();
        }

        private Object reply() throws IOException
        {
            final int type = in.read();
            final String line = line();
            switch (type)
            {
                case '+':
                    return line;
                case '-':
                    return "-" + line;
                case ':':
                    return Long.parseLong(line);
                case '$':
                {
                    final int length = Integer.parseInt(line);
                    if (length < 0)
                    {
                        return null;
                    }
                    final byte[] bytes = in.readNBytes(length + 2);
                    return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
                }
                case '*':
                {
                    final int count = Integer.parseInt(line);
                    final List<Object> items = new ArrayList<>();
                    for (int i = 0; i < count; i++)
                    {
                        items.add(reply());
                    }
                    return items;
                }
                default:
                    throw new IOException("unexpected reply type " + type + " from redis-server");
            }
        }

        private String line() throws IOException
        {
            final StringBuilder sb = new StringBuilder();
            int b;
            while ((b = in.read()) != '\r')
            {
                if (b < 0)
                {
                    throw new IOException("redis-server closed the connection");
                }
                sb.append((char)b);
            }
            in.read();
            return sb.toString();
        }

        /** SHUTDOWN (the AOF is flushed and fsynced) and wait for the process to end. */
        void shutdown() throws Exception
        {
            out.write(cmd("SHUTDOWN"));
            out.flush();
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("redis-server did not shut down; log:\n" + log(dir));
            }
        }

        @Override
        public void close() throws Exception
        {
            if (socket != null)
            {
                socket.close();
            }
            if (process.isAlive())
            {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                }
            }
        }
    }
}
