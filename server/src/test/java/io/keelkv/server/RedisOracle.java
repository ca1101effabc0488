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
 * Debian's redis-server as a test oracle: started on a free loopback port with nothing persisted, stopped
 * (and its directory removed) on close. Without redis-server on the PATH the calling test is skipped with a
 * message, or failed when KEEL_REQUIRE_ORACLE=1 (as CI sets it), so a missing oracle never passes silently.
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

    /** True when {@code program} is an executable on the PATH (or in /usr/bin). */
    static boolean installed(final String program)
    {
        return new File("/usr/bin/" + program).canExecute() ||
            System.getenv("PATH") != null && Arrays.stream(System.getenv("PATH").split(File.pathSeparator))
                .anyMatch(d -> new File(d, program).canExecute());
    }

    /** Abort the test (skip) when {@code program} is missing, or fail it under KEEL_REQUIRE_ORACLE=1. */
    static void require(final String program, final String aptPackage)
    {
        if (!installed(program))
        {
            if ("1".equals(System.getenv("KEEL_REQUIRE_ORACLE")))
            {
                fail(program + " is required as the oracle (apt-get install -y " + aptPackage + ")");
            }
            Assumptions.abort(program + " not installed: apt-get install -y " + aptPackage + " to run this test");
        }
    }

    static RedisOracle start(final String... extraArgs) throws Exception
    {
        require("redis-server", "redis-server");
        final int port;
        try (ServerSocket socket = new ServerSocket(0))
        {
            port = socket.getLocalPort();
        }
        final Path dir = Files.createTempDirectory("keel-oracle");
        final List<String> command = new ArrayList<>(List.of("redis-server", "--port", String.valueOf(port),
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString()));
        command.addAll(List.of(extraArgs));
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        final RedisOracle oracle = new RedisOracle(process, port, dir);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            try (RawRespClient client = new RawRespClient(port))
            {
                if ("+PONG\r\n".equals(client.call("PING")))
                {
                    return oracle;
                }
            }
            catch (final IOException ex)
            {
                if (System.nanoTime() > deadline || !process.isAlive())
                {
                    final String log = Files.readString(dir.resolve("redis.log"));
                    oracle.close();
                    throw new IOException("redis-server did not start on port " + port + ":\n" + log, ex);
                }
                Thread.sleep(50);
            }
        }
    }

    int port()
    {
        return port;
    }

    @Override
    public void close() throws IOException
    {
        process.destroy();
        try
        {
            if (!process.waitFor(5, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(dir))
        {
            files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
