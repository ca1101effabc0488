package io.keelkv.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * CONFIG SET: validation, error replies and atomic multi-set. Every expected error text is the reply of
 * redis-server 7.0.15 to the same command (KeelKV's own directives aside).
 */
class ConfigSetTest
{
    private static final String FAILED = "ERR CONFIG SET failed (possibly related to argument '";

    @TempDir
    Path workDir;

    private final ServerConfig config = ServerConfig.defaults();

    private static String setError(final ServerConfig config, final String... namesAndValues)
    {
        return assertThrows(ConfigException.class, () -> config.setAll(false, List.of(namesAndValues))).getMessage();
    }

    private String setError(final String... namesAndValues)
    {
        return setError(config, namesAndValues);
    }

    private static String failed(final String name, final String reason)
    {
        return FAILED + name + "') - " + reason;
    }

    @Test
    void shouldRejectValuesWithRedisMessages()
    {
        final String memory = "argument must be a memory value";
        final String integer = "argument couldn't be parsed into an integer";
        final String[][] cases = {
            {"maxmemory", "foo", memory}, {"maxmemory", "-1", memory}, {"maxmemory", "1xb", memory},
            {"maxmemory", "1.5gb", memory}, {"maxmemory", " 5", memory}, {"maxmemory", "+5", memory},
            {"maxmemory", "0x10", memory},
            {"port", "foo", integer}, {"port", "", integer}, {"port", "06399", integer}, {"port", "-0", integer},
            {"port", "+6399", integer}, {"port", " 6399", integer}, {"hz", "010", integer}, {"hz", "", integer},
            {"port", "70000", "argument must be between 0 and 65535 inclusive"},
            {"port", "-1", "argument must be between 0 and 65535 inclusive"},
            {"maxclients", "0", "argument must be between 1 and 4294967295 inclusive"},
            {"maxclients", "-1", "argument must be between 1 and 4294967295 inclusive"},
            {"timeout", "-1", "argument must be between 0 and 2147483647 inclusive"},
            {"timeout", "99999999999999", "argument must be between 0 and 2147483647 inclusive"},
            {"hz", "-1", "argument must be between 0 and 2147483647 inclusive"},
            {"maxmemory-samples", "0", "argument must be between 1 and 2147483647 inclusive"},
            {"maxmemory-samples", "99999999999", "argument must be between 1 and 2147483647 inclusive"},
            {"lfu-log-factor", "-1", "argument must be between 0 and 2147483647 inclusive"},
            {"proto-max-bulk-len", "10", "argument must be between 1048576 and 9223372036854775807 inclusive"},
            {"proto-max-bulk-len", "9999999999999999999",
                "argument must be between 1048576 and 9223372036854775807 inclusive"},
            {"client-query-buffer-limit", "10", "argument must be between 1048576 and 9223372036854775807 inclusive"},
            {"client-query-buffer-limit", "18446744073709551615",
                "argument must be between 1048576 and 9223372036854775807 inclusive"},
            {"hash-max-listpack-value", "99999999999999999999",
                "argument must be between 0 and 9223372036854775807 inclusive"},
            {"hash-max-listpack-entries", "-1", "argument must be between 0 and 9223372036854775807 inclusive"},
            {"slowlog-log-slower-than", "-2", "argument must be between -1 and 9223372036854775807 inclusive"},
            {"slowlog-max-len", "-1", "argument must be between 0 and 9223372036854775807 inclusive"},
            {"active-defrag-cycle-min", "0", "argument must be between 1 and 99 inclusive"},
            {"active-expire-effort", "11", "argument must be between 1 and 10 inclusive"},
            {"maxmemory-eviction-tenacity", "101", "argument must be between 0 and 100 inclusive"},
            {"active-defrag-ignore-bytes", "0", "argument must be between 1 and 9223372036854775807 inclusive"},
            {"auto-aof-rewrite-min-size", "-1", memory},
            {"zset-max-listpack-value", "-1", memory},
            {"protected-mode", "maybe", "argument must be 'yes' or 'no'"},
            {"maxmemory-policy", "foo", "argument(s) must be one of the following: volatile-lru, volatile-lfu, " +
                "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"},
            {"appendfsync", "foo", "argument(s) must be one of the following: everysec, always, no"},
            {"loglevel", "foo", "argument(s) must be one of the following: debug, verbose, notice, warning"},
            {"save", "1 2 3", "Invalid save parameters"}, {"save", "a b", "Invalid save parameters"},
            {"save", "100", "Invalid save parameters"}, {"save", "0 100", "Invalid save parameters"},
            {"save", "-1 5", "Invalid save parameters"},
            {"client-output-buffer-limit", "foo 1 2 3",
                "Invalid client class specified in buffer limit configuration."},
            {"client-output-buffer-limit", "master 1 2 3",
                "Invalid client class specified in buffer limit configuration."},
            {"client-output-buffer-limit", "normal 1 2", "Wrong number of arguments in buffer limit configuration."},
            {"client-output-buffer-limit", "normal a b c",
                "Error in hard, soft or soft_seconds setting in buffer limit configuration."},
            {"client-output-buffer-limit", "normal 0 0 -1",
                "Error in hard, soft or soft_seconds setting in buffer limit configuration."},
            {"notify-keyspace-events", "foo", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."},
            {"notify-keyspace-events", "a", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."},
        };
        for (final String[] c : cases)
        {
            assertEquals(failed(c[0], c[2]), setError(c[0], c[1]), c[0] + " " + c[1]);
        }
    }

    @Test
    void shouldRejectValuesOfTheReplicationClusterTlsAndProcessDirectivesWithRedisMessages()
    {
        final String yesNo = "argument must be 'yes' or 'no'";
        final String integer = "argument couldn't be parsed into an integer";
        final String title = "template format is invalid or contains unknown variables";
        final String hostChars = "Hostnames may only contain alphanumeric characters, hyphens or dots";
        final String oom = "Invalid oom-score-adj-values, elements must be between -2000 and 2000.";
        final String shutdownFlags = "argument(s) must be one of the following: default, save, nosave, now, force";
        final String[][] cases = {
            {"acl-pubsub-default", "foo", "argument(s) must be one of the following: allchannels, resetchannels"},
            {"cluster-preferred-endpoint-type", "foo",
                "argument(s) must be one of the following: ip, hostname, unknown-endpoint"},
            {"oom-score-adj", "foo", "argument(s) must be one of the following: no, yes, relative, absolute"},
            {"propagation-error-behavior", "foo",
                "argument(s) must be one of the following: ignore, panic, panic-on-replicas"},
            {"repl-diskless-load", "foo", "argument(s) must be one of the following: disabled, on-empty-db, swapdb"},
            {"sanitize-dump-payload", "foo", "argument(s) must be one of the following: no, yes, clients"},
            {"tls-auth-clients", "foo", "argument(s) must be one of the following: no, yes, optional"},
            {"shutdown-on-sigterm", "foo", shutdownFlags}, {"shutdown-on-sigterm", "", shutdownFlags},
            {"shutdown-on-sigterm", "now  force", shutdownFlags},
            {"shutdown-on-sigint", "save nosave", "shutdown options SAVE and NOSAVE can't be used simultaneously"},
            {"cluster-allow-reads-when-down", "foo", yesNo}, {"replica-read-only", "foo", yesNo},
            {"slave-read-only", "foo", yesNo}, {"jemalloc-bg-thread", "foo", yesNo}, {"tls-replication", "foo", yesNo},
            {"crash-log-enabled", "foo", yesNo}, {"replica-ignore-disk-write-errors", "foo", yesNo},
            {"repl-timeout", "foo", integer},
            {"repl-timeout", "0", "argument must be between 1 and 2147483647 inclusive"},
            {"repl-ping-slave-period", "0", "argument must be between 1 and 2147483647 inclusive"},
            {"replica-priority", "-1", "argument must be between 0 and 2147483647 inclusive"},
            {"replica-announce-port", "65536", "argument must be between 0 and 65535 inclusive"},
            {"tls-port", "99999", "argument must be between 0 and 65535 inclusive"},
            {"repl-backlog-ttl", "-1", "argument must be between 0 and 9223372036854775807 inclusive"},
            {"cluster-node-timeout", "foo", integer},
            {"repl-backlog-size", "foo", "argument must be a memory value"},
            {"repl-backlog-size", "0", "argument must be between 1 and 9223372036854775807 inclusive"},
            {"cluster-link-sendbuf-limit", "foo", "argument must be a memory value"},
            {"maxmemory-clients", "foo", "argument must be a memory or percent value"},
            {"maxmemory-clients", "-1", "argument must be a memory or percent value"},
            {"maxmemory-clients", "%", "argument must be a memory or percent value"},
            {"maxmemory-clients", "-5%", "argument must be a memory or percent value"},
            {"maxmemory-clients", "+5%", "argument must be a memory or percent value"},
            {"maxmemory-clients", "05%", "argument must be a memory or percent value"},
            {"maxmemory-clients", "101%", "percentage argument must be less or equal to 100"},
            // memtoull wraps: read as a signed ssize_t this is below -100, so a percentage out of bounds
            {"maxmemory-clients", "9223372036854775808", "percentage argument must be less or equal to 100"},
            {"oom-score-adj-values", "foo", "wrong number of arguments"},
            {"oom-score-adj-values", "1 2", "wrong number of arguments"},
            {"oom-score-adj-values", "1 2 x", oom}, {"oom-score-adj-values", "1 2 2001", oom},
            {"oom-score-adj-values", "00 0x1 3", oom},
            {"proc-title-template", "", title}, {"proc-title-template", "{title}", title},
            {"proc-title-template", "{nope}", title}, {"proc-title-template", "{title", title},
            {"proc-title-template", "  ", title}, {"proc-title-template", "{server-mode}", title},
            {"proc-title-template", "{unixsocket}", title}, {"proc-title-template", "{", title},
            {"proc-title-template", "a{", title}, {"proc-title-template", "{}", title},
            {"cluster-announce-hostname", "a_b", hostChars}, {"cluster-announce-hostname", "\u00e9", hostChars},
            {"cluster-announce-hostname", "a".repeat(256), "Hostnames must be less than 256 characters"},
        };
        for (final String[] c : cases)
        {
            assertEquals(failed(c[0], c[2]), setError(c[0], c[1]), c[0] + " " + c[1]);
        }
    }

    @Test
    void shouldAcceptTheValuesRedisAcceptsForTheNewDirectives() throws Exception
    {
        final String[][] cases = {
            {"proc-title-template", "{port}"}, {"proc-title-template", "{config-file}"},
            {"proc-title-template", "{tls-port}"}, {"proc-title-template", "{listen-addr}"},
            {"proc-title-template", "{title} {listen-addr} {server-mode}"},
            {"cluster-announce-hostname", "a".repeat(255)},
            {"maxmemory-clients", "100%"}, {"oom-score-adj-values", "1 2 "}, {"shutdown-on-sigterm", "NOW"},
            {"bind-source-addr", "foo"}, {"ignore-warnings", "ARM64-COW-BUG"}, {"masteruser", "repl"},
            {"replica-announce-ip", "10.0.0.1"}, {"slave-announce-ip", "10.0.0.2"}, {"tls-ciphers", "foo"},
            {"tls-ca-cert-file", "/nonexistent"}, {"tls-port", "0"}, {"tls-replication", "no"},
            {"min-replicas-to-write", "0"}, {"min-replicas-max-lag", "20"}, {"repl-diskless-load", "swapdb"},
            {"cluster-require-full-coverage", "no"}, {"jemalloc-bg-thread", "no"}, {"crash-log-enabled", "no"},
        };
        for (final String[] c : cases)
        {
            config.set(c[0], c[1]);
        }
        assertEquals("slave-announce-ip", config.getMatching("slave-announce-ip").get(0)[0]);
        assertEquals("10.0.0.2", config.get("replica-announce-ip"));
        assertEquals("100%", config.get("maxmemory-clients"));
        assertEquals("1 2 0", config.get("oom-score-adj-values"));
    }

    /**
     * The runtime half of the rule for features KeelKV lacks (see Directives): a modifiable directive set to a
     * value that would turn one on is refused in CONFIG SET's error format, and nothing of the command is set;
     * the immutable ones already get Redis's own refusal.
     */
    @Test
    void shouldRefuseToTurnOnAFeatureKeelKvLacksAtRuntime()
    {
        final String[][] cases = {
            {"tls-port", "6380", "tls-port 6380 is not supported: KeelKV has no TLS"},
            {"tls-replication", "yes", "tls-replication yes is not supported: KeelKV has no TLS and no replication"},
            {"tls-cluster", "YES", "tls-cluster yes is not supported: KeelKV has no TLS and no cluster mode"},
            {"min-replicas-to-write", "1",
                "min-replicas-to-write 1 is not supported: KeelKV has no replication, no write could reach a replica"},
            {"min-slaves-to-write", "3",
                "min-replicas-to-write 3 is not supported: KeelKV has no replication, no write could reach a replica"},
        };
        for (final String[] c : cases)
        {
            assertEquals(failed(c[0], c[2]), setError("hz", "20", c[0], c[1]), c[0] + " " + c[1]);
            assertEquals(10, config.hz());
            assertEquals(ServerConfig.defaults().get(c[0]), config.get(c[0]));
        }
        for (final String name : List.of("replicaof", "cluster-enabled", "unixsocket", "aclfile", "syslog-enabled",
            "supervised", "daemonize"))
        {
            assertEquals(failed(name, "can't set immutable config"), setError(name, "x"));
        }
    }

    @Test
    void shouldRejectAnUnknownDirective()
    {
        assertEquals("ERR Unknown option or number of arguments for CONFIG SET - 'foo'", setError("foo", "bar"));
    }

    @Test
    void shouldRejectImmutableDirectives()
    {
        for (final String name : List.of("databases", "daemonize", "enable-debug-command", "enable-protected-configs",
            "enable-module-command", "appendfilename", "appenddirname", "pidfile", "logfile", "rdbchecksum",
            "tcp-backlog", "io-threads", "always-show-logo", "page-size", "idle-strategy", "server_cpulist",
            "bio_cpulist", "aof_rewrite_cpulist", "bgsave_cpulist", "aclfile", "cluster-config-file", "cluster-enabled",
            "cluster-port", "disable-thp", "replicaof", "slaveof", "socket-mark-id", "supervised", "syslog-enabled",
            "syslog-facility", "syslog-ident", "unixsocket", "unixsocketperm"))
        {
            assertEquals(failed(name, "can't set immutable config"), setError(name, "foo"));
        }
    }

    @Test
    void shouldRejectProtectedDirectivesUnlessEnabled() throws Exception
    {
        assertEquals(failed("dir", "can't set protected config"), setError("dir", "/tmp"));
        assertEquals(failed("dbfilename", "can't set protected config"), setError("dbfilename", "x.rdb"));

        final Path data = Files.createDirectory(workDir.resolve("data"));
        final ServerConfig enabled = ServerConfig.fromArgs(new String[] {"--enable-protected-configs", "yes"},
            workDir, InputStream.nullInputStream());
        enabled.set("dir", "data");
        assertEquals(data.toRealPath().toString(), enabled.dir());
        assertEquals(failed("dir", "No such file or directory"), setError(enabled, "dir", "/nonexistent"));
        assertEquals(failed("dbfilename", "dbfilename can't be a path, just a filename"),
            setError(enabled, "dbfilename", "a/b"));

        final ServerConfig local = ServerConfig.fromArgs(new String[] {"--enable-protected-configs", "local"},
            workDir, InputStream.nullInputStream());
        assertEquals(failed("dbfilename", "can't set protected config"), setError(local, "dbfilename", "x.rdb"));
        local.setAll(true, List.of("dbfilename", "x.rdb"));
        assertEquals("x.rdb", local.dbFilename());
    }

    @Test
    void shouldRejectAnOddOrEmptyArgumentList()
    {
        assertEquals("ERR syntax error", setError("port", "1", "hz"));
        assertEquals("ERR wrong number of arguments for 'config|set' command", setError());
    }

    @Test
    void shouldSetNothingWhenOneOfSeveralValuesIsInvalid() throws Exception
    {
        assertEquals(failed("maxmemory", "argument must be a memory value"),
            setError("port", "6399", "hz", "5", "maxmemory", "foo"));
        assertEquals(6379, config.port());
        assertEquals(10, config.hz());

        config.setAll(false, List.of("port", "6399", "hz", "5", "maxmemory", "1mb"));
        assertEquals(6399, config.port());
        assertEquals(5, config.hz());
        assertEquals(1024 * 1024, config.maxMemoryBytes());
    }

    @Test
    void shouldReportTheFirstProblemOfTheNames()
    {
        assertEquals(failed("databases", "can't set immutable config"), setError("databases", "1", "foo", "2"));
        assertEquals("ERR Unknown option or number of arguments for CONFIG SET - 'foo'",
            setError("foo", "1", "databases", "2"));
        assertEquals(failed("databases", "can't set immutable config"), setError("databases", "1", "port", "1"));
    }

    @Test
    void shouldRejectADuplicateNamingItAsTyped()
    {
        assertEquals(failed("hz", "duplicate parameter"), setError("hz", "11", "hz", "12"));
        assertEquals(failed("PORT", "duplicate parameter"), setError("port", "6399", "PORT", "6399"));
        assertEquals(10, config.hz());
    }

    @Test
    void shouldTreatANameAndItsAliasAsTwoEntriesTheLastWinning() throws Exception
    {
        config.setAll(false, List.of("hash-max-ziplist-entries", "100", "hash-max-listpack-entries", "200"));
        assertEquals("200", config.get("hash-max-listpack-entries"));
    }

    @Test
    void shouldNameTheEntryUsedInAValueError()
    {
        assertEquals(failed("hash-max-ziplist-entries", "argument couldn't be parsed into an integer"),
            setError("HASH-MAX-ZIPLIST-ENTRIES", "foo"));
        assertEquals(failed("maxmemory", "argument must be a memory value"), setError("Maxmemory", "foo"));
        assertEquals(failed("lua-time-limit", "argument must be between 0 and 9223372036854775807 inclusive"),
            setError("lua-time-limit", "-1"));
    }

    @Test
    void shouldAcceptValuesAsRedisDoes() throws Exception
    {
        config.set("protected-mode", "YES");
        config.set("hz", "0");
        assertEquals("1", config.get("hz"));
        config.set("hz", "1000");
        assertEquals("500", config.get("hz"));
        config.set("maxmemory", "");
        assertEquals("0", config.get("maxmemory"));
        config.set("save", "100 ");
        assertEquals("100 0", config.get("save"));
        config.set("save", "+100 +5");
        assertEquals("100 5", config.get("save"));
        config.set("save", "");
        assertEquals(List.of(), config.save());
        config.set("client-output-buffer-limit", "");
        config.set("client-output-buffer-limit", "NORMAL 0 0 0");
        config.set("client-output-buffer-limit", "normal 0 0 +1");
        assertEquals(1, config.clientOutputBufferLimitNormal().softLimitSeconds());
        config.set("bind", "");
        assertEquals(List.of(), config.bindAddresses());
        config.set("bind", "127.0.0.1 -::1");
        assertEquals(List.of("127.0.0.1", "-::1"), config.bindAddresses());
        config.set("requirepass", "foo");
        assertEquals("foo", config.requirePass());
        config.set("requirepass", "");
        assertNull(config.requirePass());
        config.set("latency-tracking-info-percentiles", "");
        assertEquals("", config.get("latency-tracking-info-percentiles"));
        config.set("activedefrag", "yes");
        assertEquals("yes", config.get("activedefrag"));
        config.set("stream-node-max-bytes", "1gb");
        assertEquals("1073741824", config.get("stream-node-max-bytes"));
    }

    @Test
    void shouldTellListenersOnceAfterEveryValueIsStored() throws Exception
    {
        final List<String> seen = new ArrayList<>();
        final ConfigListener network = c -> seen.add("network " + c.port() + " " + c.get("bind"));
        config.onChange("port", network);
        config.onChange("bind", network);
        config.onChange("maxmemory", c -> seen.add("memory " + c.maxMemoryBytes()));

        config.setAll(false, List.of("bind", "127.0.0.1", "port", "7000", "maxmemory", "1k"));
        assertEquals(List.of("network 7000 127.0.0.1", "memory 1000"), seen);

        seen.clear();
        config.set("port", "7000");
        config.set("maxmemory", "1000");
        assertEquals(List.of(), seen);
    }

    @Test
    void shouldRestoreEverythingWhenAListenerRefusesTheChange() throws Exception
    {
        final List<String> applied = new ArrayList<>();
        config.onChange("maxmemory", c -> applied.add("memory " + c.maxMemoryBytes()));
        config.onChange("port", c ->
        {
            applied.add("port " + c.port());
            if (c.port() == 7001)
            {
                throw new ConfigException("Unable to listen on this port. Check server logs.");
            }
        });

        assertEquals(failed("port", "Unable to listen on this port. Check server logs."),
            setError("maxmemory", "1mb", "port", "7001", "hz", "20"));
        assertEquals(0, config.maxMemoryBytes());
        assertEquals(6379, config.port());
        assertEquals(10, config.hz());
        // applied, refused, then both applied again with the restored values
        assertEquals(List.of("memory 1048576", "port 7001", "memory 0", "port 6379"), applied);
    }

    @Test
    void shouldRefuseAListenerForAnUnknownDirective()
    {
        assertThrows(IllegalArgumentException.class, () -> config.onChange("foo", c -> { }));
    }
}
