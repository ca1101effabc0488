package io.keelkv.server.config;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CONFIG GET: formatting and glob matching. Expected values were read from redis-server 7.0.15 after the same
 * CONFIG SET.
 */
class ConfigGetTest
{
    private final ServerConfig config = ServerConfig.defaults();

    private static List<String> names(final List<String[]> pairs)
    {
        final List<String> names = new ArrayList<>();
        for (final String[] pair : pairs)
        {
            names.add(pair[0]);
        }
        return names;
    }

    @Test
    void shouldPrintMemoryValuesAsPlainBytes() throws Exception
    {
        final String[][] cases = {
            {"1GB", "1073741824"}, {"1k", "1000"}, {"1K", "1000"}, {"1Kb", "1024"}, {"5b", "5"}, {"2mb", "2097152"},
            {"3g", "3000000000"}, {"", "0"}, {"kb", "0"},
            {"18446744073709551615", "18446744073709551615"},
            {"99999999999999999999999", "18446744073709551615"},
            {"18446744073709551615kb", "18446744073709550592"},
        };
        for (final String[] c : cases)
        {
            config.set("maxmemory", c[0]);
            assertEquals(c[1], config.get("maxmemory"), c[0]);
        }
        assertEquals(Long.MAX_VALUE, config.maxMemoryBytes());
    }

    @Test
    void shouldPrintBooleansEnumsAndStringsAsRedis() throws Exception
    {
        config.set("protected-mode", "NO");
        assertEquals("no", config.get("protected-mode"));
        config.set("maxmemory-policy", "ALLKEYS-LRU");
        assertEquals("allkeys-lru", config.get("maxmemory-policy"));
        config.set("requirepass", "foo");
        assertEquals("foo", config.get("requirepass"));
        config.set("requirepass", "");
        assertEquals("", config.get("requirepass"));
        assertNull(config.requirePass());
    }

    @Test
    void shouldPrintClientOutputBufferLimitsWithSlaveAsTheReplicaClassName() throws Exception
    {
        config.set("client-output-buffer-limit", "normal 1mb 2k 3");
        assertEquals("normal 1048576 2000 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
            config.get("client-output-buffer-limit"));
        config.set("client-output-buffer-limit", "replica 1mb 2k 3");
        assertEquals("normal 1048576 2000 3 slave 1048576 2000 3 pubsub 33554432 8388608 60",
            config.get("client-output-buffer-limit"));
        assertEquals(1048576, config.clientOutputBufferLimitNormal().hardLimitBytes());
        assertEquals(2000, config.clientOutputBufferLimitNormal().softLimitBytes());
        assertEquals(3, config.clientOutputBufferLimitNormal().softLimitSeconds());
    }

    @Test
    void shouldPrintKeyspaceEventClassesInRedisOrder() throws Exception
    {
        final String[][] cases = {
            {"KEA", "AKE"}, {"Ex", "xE"}, {"gE$lshzxetdmn", "AEm"}, {"dtexzhsl$gKm", "AKm"}, {"n", "n"}, {"K", "K"},
            {"ndg", "gdn"}, {"Kng", "gnK"}, {"nEm", "nEm"}, {"An", "A"}, {"AK", "AK"}, {"g$lshzxet", "g$lshzxet"},
            {"g$lshzxetd", "A"}, {"EEE", "E"}, {"td", "td"}, {"xg", "gx"}, {"", ""},
        };
        for (final String[] c : cases)
        {
            config.set("notify-keyspace-events", c[0]);
            assertEquals(c[1], config.get("notify-keyspace-events"), c[0]);
        }
    }

    @Test
    void shouldPrintPercentilesAndSavePoints() throws Exception
    {
        config.set("latency-tracking-info-percentiles", "1e2 50.50");
        assertEquals("100 50.5", config.get("latency-tracking-info-percentiles"));
        config.set("save", "100 0");
        assertEquals("100 0", config.get("save"));
    }

    @Test
    void shouldAnswerAnExactNameUnderTheNameAsTyped()
    {
        final List<String[]> pairs = config.getMatching("PORT");
        assertEquals(1, pairs.size());
        assertArrayEquals(new String[] {"PORT", "6379"}, pairs.get(0));
        assertEquals(List.of("HZ"), names(config.getMatching(List.of("HZ", "hz"))));
        assertEquals(List.of("port"), names(config.getMatching(List.of("port", "port", "PORT"))));
    }

    @Test
    void shouldMatchGlobPatternsCaseInsensitivelyOverNamesAndAliases()
    {
        assertEquals(List.of("maxmemory", "maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity",
            "maxmemory-clients"), names(config.getMatching("maxmemory*")));
        assertEquals(List.of("port", "appendonly"), names(config.getMatching(List.of("P[o]RT", "[a-c]ppendonly",
            "dir\\*"))));
        final List<String> encodings = names(config.getMatching(List.of("*ziplist*", "hash*")));
        assertEquals(List.of("hash-max-ziplist-entries", "hash-max-ziplist-value", "list-max-ziplist-size",
            "zset-max-ziplist-entries", "zset-max-ziplist-value", "hash-max-listpack-entries",
            "hash-max-listpack-value"), encodings);
    }

    @Test
    void shouldAnswerAnAliasWithTheValueOfItsDirective() throws Exception
    {
        config.set("hash-max-listpack-entries", "100");
        assertEquals("100", config.get("hash-max-ziplist-entries"));
        assertArrayEquals(new String[] {"lua-time-limit", "5000"}, config.getMatching("lua-time-limit").get(0));
    }

    @Test
    void shouldListEveryDirectiveForAStar()
    {
        final List<String[]> all = config.getMatching("*");
        // redis-server 7.0.15 lists 192 entries (names and aliases, not the hidden ones); KeelKV adds its 3
        assertEquals(195, all.size());
        for (final String[] pair : all)
        {
            assertEquals(config.get(pair[0]), pair[1], pair[0]);
        }
    }

    @Test
    void shouldAnswerHiddenDirectivesByExactNameOnly()
    {
        assertEquals(List.of("rdb-key-save-delay"), names(config.getMatching("rdb-key-save-delay")));
        assertEquals(List.of(), names(config.getMatching("rdb-key-save-dela?")));
        assertEquals(List.of("rdb-del-sync-files", "rdb-save-incremental-fsync"), names(config.getMatching("rdb-*")));
        assertEquals(List.of("USE-EXIT-ON-PANIC"), names(config.getMatching("USE-EXIT-ON-PANIC")));
    }

    @Test
    void shouldAnswerTheReplicaAliasesWithTheValueOfTheirDirective() throws Exception
    {
        config.set("replica-priority", "7");
        assertArrayEquals(new String[] {"slave-priority", "7"}, config.getMatching("slave-priority").get(0));
        config.set("slave-read-only", "no");
        assertEquals("no", config.get("replica-read-only"));
        assertEquals(List.of("replicaof", "slaveof"), names(config.getMatching("*of")));
        assertEquals(List.of("min-replicas-to-write", "min-slaves-to-write", "min-replicas-max-lag",
            "min-slaves-max-lag"), names(config.getMatching("min-*")));
    }

    @Test
    void shouldPrintTheNewValueTypesAsRedis() throws Exception
    {
        // each pair: value set, value CONFIG GET answers (read from redis-server 7.0.15 after the same CONFIG SET)
        final String[][] cases = {
            {"oom-score-adj", "relative", "yes"}, {"oom-score-adj", "YES", "yes"},
            {"oom-score-adj", "absolute", "absolute"},
            {"shutdown-on-sigterm", "nosave now", "nosave now"},
            {"shutdown-on-sigterm", "now nosave force", "nosave now force"},
            {"shutdown-on-sigterm", "default now", "now"}, {"shutdown-on-sigterm", "NOW", "now"},
            {"shutdown-on-sigterm", "save save", "save"}, {"shutdown-on-sigint", "force save", "save force"},
            {"shutdown-on-sigint", "default", "default"},
            {"maxmemory-clients", "10%", "10%"}, {"maxmemory-clients", "0%", "0"},
            {"maxmemory-clients", "1gb", "1073741824"},
            {"maxmemory-clients", "9223372036854775807", "9223372036854775807"},
            {"maxmemory-clients", "18446744073709551615", "1%"},
            {"oom-score-adj-values", "-2000 +5 2000", "-2000 5 2000"}, {"oom-score-adj-values", "3 2 1", "3 2 1"},
            {"oom-score-adj-values", " 1 2", "0 1 2"},
            {"proc-title-template", "x {{ }} y", "x {{ }} y"}, {"proc-title-template", "}", "}"},
            {"cluster-announce-hostname", "ab.c-d9", "ab.c-d9"}, {"cluster-announce-hostname", "", ""},
            {"repl-backlog-size", "2mb", "2097152"}, {"cluster-link-sendbuf-limit", "1k", "1000"},
            {"masterauth", "secret", "secret"}, {"masterauth", "", ""},
        };
        for (final String[] c : cases)
        {
            config.set(c[0], c[1]);
            assertEquals(c[2], config.get(c[0]), c[0] + " " + c[1]);
        }
    }

    @Test
    void shouldAnswerNothingForAnUnknownName()
    {
        assertTrue(config.getMatching("foo").isEmpty());
        assertTrue(config.getMatching("foo*").isEmpty());
        assertNull(config.get("foo"));
    }

    @Test
    void shouldMatchGlobsLikeRedisStringmatch()
    {
        // as in Redis (checked with KEYS ** on an empty key name): a pattern never matches an empty string
        assertFalse(Glob.matches("**", "", false));
        assertTrue(Glob.matches("a*b?c", "axxbyc", false));
        assertFalse(Glob.matches("a*b?c", "axxbc", false));
        assertTrue(Glob.matches("h[ae]llo", "hello", false));
        assertTrue(Glob.matches("h[^e]llo", "hallo", false));
        assertFalse(Glob.matches("h[^e]llo", "hello", false));
        assertTrue(Glob.matches("h[a-b]llo", "hbllo", false));
        assertTrue(Glob.matches("h[b-a]llo", "hbllo", false));
        assertTrue(Glob.matches("a\\*b", "a*b", false));
        assertFalse(Glob.matches("a\\*b", "axb", false));
        assertTrue(Glob.matches("HeLLo", "hello", true));
        assertFalse(Glob.matches("HeLLo", "hello", false));
        assertTrue(Glob.matches("h[A-Z]llo", "hello", true));
        assertFalse(Glob.matches("ab[", "abc", false));
        assertTrue(Glob.matches("ab[c", "abc", false));
        assertFalse(Glob.matches("abc", "ab", false));
        assertTrue(Glob.matches("ab**", "ab", false));
    }
}
