package io.keelkv.server;

import io.keelkv.server.ComparedServers.Target;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * redis-py (Debian's python3-redis 4.x, RESP2) runs {@code src/test/python/redis_py_compat.py} against
 * KeelKV and against redis-server: strings, keys and expiry, hashes, sorted sets, SCAN/scan_iter, INFO and
 * CLIENT parsing, AUTH, non-transactional pipelines (MULTI is not served yet), a blocking connection pool shared
 * by threads, binary and big values, errors. The script's checks are the same for both servers.
 *
 * <p>Skipped with a message when no python3 on the machine can {@code import redis} (failed under
 * KEEL_REQUIRE_ORACLE=1): Debian's package serves /usr/bin/python3, which a pyenv python3 earlier on the
 * PATH does not see, so both are tried.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RedisPyCompatibilityTest
{
    private static final String PASSWORD = "py pass";
    private static final Path SCRIPT = Paths.get("src/test/python/redis_py_compat.py");

    private static String python;
    private static ComparedServers servers;

    @BeforeAll
    static void start() throws Exception
    {
        python = findPythonWithRedis();
        servers = ComparedServers.start(PASSWORD);
    }

    @AfterAll
    static void stop() throws Exception
    {
        if (servers != null)
        {
            servers.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void shouldPassEveryRedisPyCheck(final Target target) throws Exception
    {
        RedisOracle.require(python != null, "no python3 with redis-py: apt-get install -y python3-redis");
        final int port = servers.port(target, false);
        final int authPort = servers.port(target, true);
        final long seed = System.nanoTime();
        System.out.println("shouldPassEveryRedisPyCheck " + target + " seed=" + seed);
        final Path output = Files.createTempFile("redis-py", ".log");
        try
        {
            final Process process = new ProcessBuilder(python, SCRIPT.toString(), "127.0.0.1", String.valueOf(port),
                String.valueOf(authPort), PASSWORD, String.valueOf(seed))
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(150, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail("redis-py script did not finish in 150 s:\n" + Files.readString(output));
            }
            final String log = Files.readString(output, StandardCharsets.UTF_8);
            System.out.println(log);
            assertEquals(0, process.exitValue(), target + ":\n" + log);
            assertTrue(log.contains(" 0 failed"), log);
        }
        finally
        {
            Files.deleteIfExists(output);
        }
    }

    private static String findPythonWithRedis() throws InterruptedException
    {
        for (final String candidate : List.of("/usr/bin/python3", "python3"))
        {
            try
            {
                final Process process = new ProcessBuilder(candidate, "-c", "import redis")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0)
                {
                    return candidate;
                }
                process.destroyForcibly();
            }
            catch (final IOException ex)
            {
                // not installed under that name: try the next
            }
        }
        return null;
    }
}
