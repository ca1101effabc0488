package io.keelkv.server;

import io.keelkv.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Redis user's first move: point KeelKV at their redis.conf. Debian's stock /etc/redis/redis.conf (installed
 * by the redis-server package, which .ci/run installs) must load with only {@code --daemonize no}, plus
 * overrides of port, dir, logfile and pidfile so that the test writes nothing outside a temporary directory;
 * and it must give every directive the value redis-server 7.0 reads from it. Skipped when the file is absent
 * or unreadable, failed then under KEEL_REQUIRE_ORACLE=1.
 */
class StockRedisConfTest
{
    private static final Path STOCK = Path.of("/etc/redis/redis.conf");

    @TempDir
    Path workDir;

    private static void requireStockFile()
    {
        RedisOracle.require(Files.exists(STOCK), STOCK + " not found: apt-get install -y redis-server");
        // Debian installs it 0640 redis:redis
        RedisOracle.require(Files.isReadable(STOCK), STOCK + " is not readable: run as root or in group redis");
    }

    private String[] keelArgs(final String... overrides)
    {
        final List<String> argv = new ArrayList<>(List.of(STOCK.toString(), "--daemonize", "no", "--port", "0",
            "--dir", workDir.toString()));
        argv.addAll(List.of(overrides));
        return argv.toArray(new String[0]);
    }

    @Test
    void shouldStartAndServeWithDebiansStockRedisConf() throws Exception
    {
        requireStockFile();
        final Path logFile = workDir.resolve("keel.log");
        final ServerConfig config = ServerConfig.fromArgs(keelArgs("--logfile", logFile.toString(),
            "--pidfile", workDir.resolve("keel.pid").toString()));

        // a few lines of the stock file that KeelKV did not know before, read as written there
        assertEquals("{title} {listen-addr} {server-mode}", config.get("proc-title-template"));
        assertEquals("5", config.get("repl-diskless-sync-delay"));
        assertEquals("disabled", config.get("repl-diskless-load"));
        assertEquals("0 200 800", config.get("oom-score-adj-values"));
        assertEquals("yes", config.get("replica-read-only"));
        assertEquals("127.0.0.1 -::1", config.get("bind"));
        assertEquals(workDir.toRealPath().toString(), config.dir());
        assertTrue(Files.exists(logFile), "the log file is opened (created) when the configuration is concluded");

        try (KeelServer keel = new KeelServer(config).start();
            RawRespClient client = new RawRespClient(keel.port()))
        {
            assertEquals("+PONG\r\n", client.call("PING"));
        }
    }

    @Test
    void shouldReadDebiansStockRedisConfToTheValuesRedisReadsFromIt() throws Exception
    {
        requireStockFile();
        final String pidFile = workDir.resolve("redis.pid").toString();
        final ServerConfig config = ServerConfig.fromArgs(keelArgs("--logfile", "", "--pidfile", pidFile));
        try (RedisOracle redis = RedisOracle.startWith(STOCK.toString(), "--daemonize", "no", "--logfile", "",
            "--pidfile", pidFile);
            Jedis r = new Jedis("127.0.0.1", redis.port()))
        {
            final Map<String, String> expected = new TreeMap<>(r.configGet("*"));
            final Map<String, String> actual = new TreeMap<>();
            for (final String[] pair : config.getMatching("*"))
            {
                actual.put(pair[0], pair[1]);
            }
            // each server on a port and in a directory of its own; KeelKV's own directives are not Redis's
            for (final String name : List.of("port", "dir"))
            {
                assertTrue(expected.remove(name) != null && actual.remove(name) != null, name);
            }
            actual.keySet().removeAll(Set.of("idle-strategy", "idle-spin-us", "page-size"));
            final List<String> differences = new ArrayList<>();
            for (final String name : union(expected.keySet(), actual.keySet()))
            {
                if (!Objects.equals(expected.get(name), actual.get(name)))
                {
                    differences.add(name + ": Redis " + expected.get(name) + ", KeelKV " + actual.get(name));
                }
            }
            assertEquals(List.of(), differences);
            assertEquals(192 - 2, actual.size());
        }
    }

    private static Set<String> union(final Set<String> a, final Set<String> b)
    {
        final Set<String> u = new TreeSet<>(a);
        u.addAll(b);
        return u;
    }
}
