package io.keelkv.server;

import io.keelkv.server.config.ConfigException;
import io.keelkv.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * KeelKV's configuration against redis-server 7.0 as the oracle: the default of every directive (CONFIG GET *
 * name by name, both ways), CONFIG SET replies byte for byte, and the start-up reports for bad values.
 * Skipped without redis-server, failed under KEEL_REQUIRE_ORACLE=1 (see {@link RedisOracle}).
 */
class ConfigOracleTest
{
    /** Entries whose values legitimately differ, and why. */
    private static final Map<String, String> DIFFERENT_ON_PURPOSE = Map.of(
        "port", "each server runs on a free port here (the default, 6379, is compared by ConfigDefaultsTest)",
        "bind", "KeelKV listens on loopback by default (127.0.0.1 -::1) where Redis's compiled default is * -::*; " +
            "the oracle is given 127.0.0.1 so that it does not listen on every interface during the test",
        "dir", "the working directory of each process");

    /** KeelKV's own directives, which Redis does not have. */
    private static final Set<String> KEELKV_OWN = Set.of("idle-strategy", "idle-spin-us", "page-size");

    /** Redis's HIDDEN_CONFIG entries: never listed by CONFIG GET *, answered by exact name. */
    private static final List<String> HIDDEN = List.of("use-exit-on-panic", "rdb-key-save-delay", "key-load-delay",
        "watchdog-period", "loading-process-events-interval-bytes");

    @Test
    void shouldHaveTheDefaultOfRedisForEveryEntryOfConfigGetStarBothWays() throws Exception
    {
        try (RedisOracle redis = RedisOracle.startWith(null, "--bind", "127.0.0.1");
            KeelServer keel = new KeelServer(ServerConfig.fromArgs(new String[] {"--port", "0"})).start();
            Jedis r = new Jedis("127.0.0.1", redis.port());
            Jedis k = new Jedis("127.0.0.1", keel.port()))
        {
            final Map<String, String> expected = new TreeMap<>(r.configGet("*"));
            final Map<String, String> actual = new TreeMap<>(k.configGet("*"));
            assertEquals(192, expected.size(), "redis-server 7.0.15 lists 192 entries: " + expected.keySet());

            final List<String> differences = new ArrayList<>();
            for (final Map.Entry<String, String> e : expected.entrySet())
            {
                if (!DIFFERENT_ON_PURPOSE.containsKey(e.getKey()) && !e.getValue().equals(actual.get(e.getKey())))
                {
                    differences.add(e.getKey() + ": Redis '" + e.getValue() + "', KeelKV " +
                        (actual.containsKey(e.getKey()) ? "'" + actual.get(e.getKey()) + "'" : "has no such entry"));
                }
            }
            for (final String name : actual.keySet())
            {
                if (!expected.containsKey(name) && !KEELKV_OWN.contains(name))
                {
                    differences.add(name + ": KeelKV only");
                }
            }
            assertEquals(List.of(), differences);
            assertEquals(new TreeSet<>(KEELKV_OWN), difference(actual.keySet(), expected.keySet()));
            for (final String name : DIFFERENT_ON_PURPOSE.keySet())
            {
                assertTrue(actual.containsKey(name) && expected.containsKey(name), name);
            }
            assertEquals("127.0.0.1 -::1", actual.get("bind"));

            for (final String name : HIDDEN)
            {
                assertFalse(expected.containsKey(name) || actual.containsKey(name), name + " is listed by *");
                assertEquals(r.configGet(name), k.configGet(name), name);
                assertEquals(1, k.configGet(name).size(), name);
            }
        }
    }

    /**
     * CONFIG SET of the directives that came with the rest of Redis 7.0's table: bad values, good ones, aliases,
     * immutable ones, several at once, then CONFIG GET of what was set; each reply byte for byte. Values that
     * turn on a feature KeelKV lacks are refused by design and are not here (ConfigSetTest has them).
     */
    @Test
    void shouldAnswerConfigSetAndGetOfTheNewDirectivesByteForByteAsRedis() throws Exception
    {
        final String[][] commands = {
            {"acl-pubsub-default", "foo"}, {"acl-pubsub-default", "allchannels"},
            {"cluster-preferred-endpoint-type", "foo"}, {"cluster-preferred-endpoint-type", "HOSTNAME"},
            {"oom-score-adj", "foo"}, {"oom-score-adj", "relative"}, {"oom-score-adj", "absolute"},
            {"oom-score-adj", "no"},
            {"oom-score-adj-values", "1 2"}, {"oom-score-adj-values", "1 2 x"}, {"oom-score-adj-values", "1 2 2001"},
            {"oom-score-adj-values", "-2000 +5 2000"}, {"oom-score-adj-values", " 1 2"},
            {"oom-score-adj-values", "0 200 800"},
            {"propagation-error-behavior", "foo"}, {"propagation-error-behavior", "panic-on-replicas"},
            {"repl-diskless-load", "foo"}, {"repl-diskless-load", "swapdb"},
            {"sanitize-dump-payload", "foo"}, {"sanitize-dump-payload", "clients"},
            {"tls-auth-clients", "foo"}, {"tls-auth-clients", "optional"},
            {"shutdown-on-sigterm", "foo"}, {"shutdown-on-sigterm", ""}, {"shutdown-on-sigterm", "now  force"},
            {"shutdown-on-sigterm", "save nosave"}, {"shutdown-on-sigterm", "now nosave force"},
            {"shutdown-on-sigint", "force save"}, {"shutdown-on-sigint", "default now"},
            {"maxmemory-clients", "foo"}, {"maxmemory-clients", "101%"}, {"maxmemory-clients", "-1"},
            {"maxmemory-clients", "05%"}, {"maxmemory-clients", "9223372036854775808"},
            {"maxmemory-clients", "18446744073709551615"}, {"maxmemory-clients", "10%"},
            {"proc-title-template", ""}, {"proc-title-template", "{title}"}, {"proc-title-template", "{nope}"},
            {"proc-title-template", "{title"}, {"proc-title-template", "{server-mode}"},
            {"proc-title-template", "{unixsocket}"}, {"proc-title-template", "a{"}, {"proc-title-template", "{}"},
            {"proc-title-template", "x {{ }} y"}, {"proc-title-template", "{title} {listen-addr} {server-mode}"},
            {"cluster-announce-hostname", "a_b"}, {"cluster-announce-hostname", "a".repeat(256)},
            {"cluster-announce-hostname", "ab.c-d9"},
            {"repl-timeout", "0"}, {"repl-timeout", "foo"}, {"repl-timeout", "120"},
            {"slave-priority", "-1"}, {"slave-priority", "7"}, {"repl-ping-slave-period", "0"},
            {"replica-announce-port", "65536"}, {"slave-announce-ip", "10.0.0.2"},
            {"repl-backlog-size", "0"}, {"repl-backlog-size", "2mb"}, {"repl-backlog-ttl", "-1"},
            {"cluster-link-sendbuf-limit", "foo"}, {"cluster-link-sendbuf-limit", "1k"},
            {"cluster-node-timeout", "-1"}, {"cluster-migration-barrier", "x"},
            {"replica-read-only", "maybe"}, {"slave-serve-stale-data", "no"}, {"jemalloc-bg-thread", "no"},
            {"crash-log-enabled", "no"}, {"tls-session-caching", "x"}, {"tls-port", "99999"}, {"tls-port", "0"},
            {"min-replicas-to-write", "-1"}, {"min-slaves-max-lag", "20"},
            {"masterauth", "secret"}, {"masteruser", "repl"}, {"ignore-warnings", "ARM64-COW-BUG"},
            {"tls-ciphers", "DEFAULT"}, {"bind-source-addr", "127.0.0.1"},
            {"replicaof", "no one"}, {"slaveof", "127.0.0.1 6380"}, {"cluster-enabled", "no"}, {"aclfile", ""},
            {"unixsocket", ""}, {"unixsocketperm", "700"}, {"supervised", "no"}, {"syslog-enabled", "no"},
            {"syslog-ident", "x"}, {"syslog-facility", "local1"}, {"disable-thp", "no"}, {"socket-mark-id", "1"},
            {"cluster-config-file", "x"}, {"cluster-port", "1"},
            {"hz", "20", "repl-timeout", "0"}, {"repl-timeout", "70", "slave-priority", "x"},
            {"replica-priority", "1", "slave-priority", "2"},
            {"rdb-key-save-delay", "x"}, {"watchdog-period", "-1"}, {"loading-process-events-interval-bytes", "1"},
        };
        try (RedisOracle redis = RedisOracle.start();
            KeelServer keel = TestServers.start();
            RawRespClient r = new RawRespClient(redis.port(), StandardCharsets.ISO_8859_1);
            RawRespClient k = new RawRespClient(keel.port(), StandardCharsets.ISO_8859_1))
        {
            for (final String[] namesAndValues : commands)
            {
                final String[] set = new String[namesAndValues.length + 2];
                set[0] = "CONFIG";
                set[1] = "SET";
                System.arraycopy(namesAndValues, 0, set, 2, namesAndValues.length);
                final String expected = r.call(set);
                assertEquals(expected, k.call(set), String.join(" ", set));
                for (int i = 0; i < namesAndValues.length; i += 2)
                {
                    final String name = namesAndValues[i];
                    assertEquals(r.call("CONFIG", "GET", name), k.call("CONFIG", "GET", name),
                        "CONFIG GET " + name + " after " + String.join(" ", set));
                }
            }
            // the value types print alike for every entry, not only the ones set above
            for (final String pattern : List.of("repl*", "replica*", "slave*", "cluster*", "tls*", "oom*",
                "shutdown*", "syslog*", "proc-title-template", "maxmemory-clients", "min-*", "master*"))
            {
                assertEquals(sortedPairs(r.call("CONFIG", "GET", pattern)),
                    sortedPairs(k.call("CONFIG", "GET", pattern)), pattern);
            }
        }
    }

    /**
     * A bad value on the command line: redis-server 7.0.15 prints its report on stderr and exits 1; KeelKV
     * reports the same text under its own header.
     */
    @Test
    void shouldStopTheStartWithTheReportOfRedisForBadValues() throws Exception
    {
        RedisOracle.requireTool("redis-server", "redis-server");
        final String[][] cases = {
            {"--replicaof", "127.0.0.1"}, {"--replicaof", "127.0.0.1", "x"}, {"--slaveof", "a", "99999"},
            {"--replicaof", "a", "b", "c"}, {"--unixsocketperm", "800"}, {"--unixsocketperm", "1777"},
            {"--unixsocketperm", "-1"}, {"--oom-score-adj-values", "1", "2"}, {"--oom-score-adj-values", "1 2 3 4"},
            {"--oom-score-adj-values", "1 2 x"}, {"--shutdown-on-sigterm", "save nosave"}, {"--shutdown-on-sigint"},
            {"--socket-mark-id", "-1"}, {"--supervised", "foo"}, {"--syslog-facility", "foo"},
            {"--maxmemory-clients", "200%"}, {"--repl-backlog-size", "0"}, {"--repl-timeout", "0"},
            {"--cluster-announce-hostname", "a b"}, {"--tls-port", "99999"}, {"--repl-backlog-ttl", "-1"},
            {"--proc-title-template", "{nope}"}, {"--repl-diskless-load", "maybe"}, {"--tls-replication", "maybe"},
            {"--cluster-enabled", "maybe"}, {"--acl-pubsub-default", "x"}, {"--min-slaves-to-write", "x"},
        };
        for (final String[] c : cases)
        {
            final List<String> args = new ArrayList<>(List.of("--port", "0", "--save", ""));
            args.addAll(List.of(c));
            final List<String> argv = new ArrayList<>(List.of("redis-server"));
            argv.addAll(args);
            final Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "redis-server " + args + " did not stop");
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(1, process.exitValue(), output);
            final String expected = output.strip().replaceFirst(
                "^\\*\\*\\* FATAL CONFIG FILE ERROR \\(Redis [0-9.]+\\)", "*** FATAL CONFIG FILE ERROR (KeelKV)");

            final String actual = assertThrows(ConfigException.class,
                () -> ServerConfig.fromArgs(args.toArray(new String[0])), String.join(" ", args)).getMessage();
            assertEquals(expected, actual, String.join(" ", args));
        }
    }

    private static Set<String> difference(final Set<String> a, final Set<String> b)
    {
        final Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }

    /** A RESP2 CONFIG GET reply as name=value lines, sorted: Redis lists a glob's matches in hash order. */
    private static List<String> sortedPairs(final String reply)
    {
        final String[] lines = reply.split("\r\n", -1);
        assertTrue(lines[0].startsWith("*"), reply);
        final List<String> pairs = new ArrayList<>();
        // *N, then $len name $len value ...
        for (int i = 1; i + 3 < lines.length; i += 4)
        {
            pairs.add(lines[i + 1] + "=" + lines[i + 3]);
        }
        assertEquals(Integer.parseInt(lines[0].substring(1)), pairs.size() * 2, reply);
        pairs.sort(null);
        assertFalse(pairs.isEmpty(), reply);
        return pairs;
    }
}
