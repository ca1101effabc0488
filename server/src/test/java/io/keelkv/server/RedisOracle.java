package io.keelkv.server;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Debian's redis-server as a child process on a free loopback port, the reference the compatibility tests
 * compare KeelKV with; and the rule for tools the tests need (redis-server, redis-cli, python3-redis):
 * skipped with a message when missing, failed when the CI sets KEEL_REQUIRE_ORACLE=1.
 */
final class RedisOracle implements AutoCloseable
{
    private final Process process;
    private final int port;
    private final Path dir;

    private RedisOracle(final Process process, final int port, final Path dir)
    {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /** Start redis-server without persistence, with DEBUG enabled, plus {@code extraArgs}; waits for PONG. */
    static RedisOracle start(final String... extraArgs) throws Exception
    {
        final List<String> options = new ArrayList<>(List.of("--bind", "127.0.0.1", "--save", "", "--appendonly",
            "no", "--enable-debug-command", "yes"));
        options.addAll(List.of(extraArgs));
        return startWith(null, options.toArray(new String[0]));
    }

    /**
     * Start redis-server with nothing of ours but a free port and a temporary dir (its own defaults otherwise,
     * for the comparisons of configurations), after the config file if one is given, then {@code options}.
     */
    static RedisOracle startWith(final String configFile, final String... options) throws Exception
    {
        requireTool("redis-server", "redis-server");
        final int port = freePort();
        final Path dir = Files.createTempDirectory("keel-oracle");
        final List<String> argv = new ArrayList<>(List.of("redis-server"));
        if (configFile != null)
        {
            argv.add(configFile);
        }
        argv.addAll(List.of("--port", String.valueOf(port), "--dir", dir.toString()));
        argv.addAll(List.of(options));
        final Process process = new ProcessBuilder(argv)
            .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        final RedisOracle oracle = new RedisOracle(process, port, dir);
        try
        {
            oracle.awaitReady(options);
        }
        catch (final Exception ex)
        {
            oracle.close();
            throw ex;
        }
        return oracle;
    }

    int port()
    {
        return port;
    }

    Path dir()
    {
        return dir;
    }

    private void awaitReady(final String... extraArgs) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            try (RawRespClient client = new RawRespClient(port))
            {
                // PONG, or NOAUTH when started with requirepass: either way it serves
                final String reply = client.call("PING");
                if ("+PONG\r\n".equals(reply) || reply.startsWith("-NOAUTH"))
                {
                    return;
                }
            }
            catch (final IOException ex)
            {
                if (!process.isAlive())
                {
                    throw new IOException("redis-server exited: " + Files.readString(dir.resolve("redis.log")), ex);
                }
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw ex;
                }
                Thread.sleep(50);
            }
        }
    }

    @Override
    public void close() throws Exception
    {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        try (java.util.stream.Stream<Path> files = Files.walk(dir))
        {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    static boolean onPath(final String tool)
    {
        final String path = System.getenv("PATH");
        return new File("/usr/bin/" + tool).canExecute() ||
            path != null && Arrays.stream(path.split(":")).anyMatch(dir -> new File(dir, tool).canExecute());
    }

    /** Skip the test without {@code tool} (fail under KEEL_REQUIRE_ORACLE=1), naming the Debian package. */
    static void requireTool(final String tool, final String debianPackage)
    {
        require(onPath(tool), tool + " not installed: apt-get install -y " + debianPackage);
    }

    static void require(final boolean available, final String message)
    {
        if (!available)
        {
            if ("1".equals(System.getenv("KEEL_REQUIRE_ORACLE")))
            {
                fail(message + " (required: KEEL_REQUIRE_ORACLE=1)");
            }
            Assumptions.abort(message);
        }
    }
}
