package io.keelkv.server.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigDefaultsTest
{
    /**
     * Read with {@code redis-cli config get '*'} from redis-server 7.0.15 started with no config file and only
     * {@code --port 7314 --bind 127.0.0.1 --dir /tmp/...}: every entry it lists but the aliases (below) and dir,
     * which is the working directory and is checked on its own below. For port the value here is config.c's
     * default, 6379, and bind is KeelKV's deliberate default. {@code ConfigOracleTest} makes the same comparison
     * against a running redis-server, both ways, when one is installed.
     */
    private static final String[][] REDIS_7_0_15_DEFAULTS = {
        {"bind", "127.0.0.1 -::1"}, // deliberately not Redis's "* -::*": loopback by default
        {"bind-source-addr", ""},
        {"protected-mode", "yes"},
        {"port", "6379"},
        {"tcp-backlog", "511"},
        {"unixsocket", ""},
        {"unixsocketperm", "0"},
        {"timeout", "0"},
        {"tcp-keepalive", "300"},
        {"socket-mark-id", "0"},
        {"tls-port", "0"},
        {"tls-cert-file", ""},
        {"tls-key-file", ""},
        {"tls-key-file-pass", ""},
        {"tls-client-cert-file", ""},
        {"tls-client-key-file", ""},
        {"tls-client-key-file-pass", ""},
        {"tls-dh-params-file", ""},
        {"tls-ca-cert-file", ""},
        {"tls-ca-cert-dir", ""},
        {"tls-auth-clients", "yes"},
        {"tls-replication", "no"},
        {"tls-cluster", "no"},
        {"tls-protocols", ""},
        {"tls-ciphers", ""},
        {"tls-ciphersuites", ""},
        {"tls-prefer-server-ciphers", "no"},
        {"tls-session-caching", "yes"},
        {"tls-session-cache-size", "20480"},
        {"tls-session-cache-timeout", "300"},
        {"daemonize", "no"},
        {"supervised", "no"},
        {"pidfile", ""},
        {"loglevel", "notice"},
        {"logfile", ""},
        {"syslog-enabled", "no"},
        {"syslog-ident", "redis"},
        {"syslog-facility", "local0"},
        {"crash-log-enabled", "yes"},
        {"crash-memcheck-enabled", "yes"},
        {"databases", "16"},
        {"always-show-logo", "no"},
        {"set-proc-title", "yes"},
        {"proc-title-template", "{title} {listen-addr} {server-mode}"},
        {"save", "3600 1 300 100 60 10000"},
        {"stop-writes-on-bgsave-error", "yes"},
        {"rdbcompression", "yes"},
        {"rdbchecksum", "yes"},
        {"sanitize-dump-payload", "no"},
        {"dbfilename", "dump.rdb"},
        {"rdb-del-sync-files", "no"},
        {"rdb-save-incremental-fsync", "yes"},
        {"replicaof", ""},
        {"masterauth", ""},
        {"masteruser", ""},
        {"replica-serve-stale-data", "yes"},
        {"replica-read-only", "yes"},
        {"repl-diskless-sync", "yes"},
        {"repl-diskless-sync-delay", "5"},
        {"repl-diskless-sync-max-replicas", "0"},
        {"repl-diskless-load", "disabled"},
        {"repl-ping-replica-period", "10"},
        {"repl-timeout", "60"},
        {"repl-disable-tcp-nodelay", "no"},
        {"repl-backlog-size", "1048576"},
        {"repl-backlog-ttl", "3600"},
        {"replica-priority", "100"},
        {"propagation-error-behavior", "ignore"},
        {"replica-ignore-disk-write-errors", "no"},
        {"replica-announced", "yes"},
        {"min-replicas-to-write", "0"},
        {"min-replicas-max-lag", "10"},
        {"replica-announce-ip", ""},
        {"replica-announce-port", "0"},
        {"acllog-max-len", "128"},
        {"aclfile", ""},
        {"acl-pubsub-default", "resetchannels"},
        {"requirepass", ""},
        {"maxclients", "10000"},
        {"enable-protected-configs", "no"},
        {"enable-debug-command", "no"},
        {"enable-module-command", "no"},
        {"maxmemory", "0"},
        {"maxmemory-policy", "noeviction"},
        {"maxmemory-samples", "5"},
        {"maxmemory-eviction-tenacity", "10"},
        {"maxmemory-clients", "0"},
        {"replica-ignore-maxmemory", "yes"},
        {"lfu-log-factor", "10"},
        {"lfu-decay-time", "1"},
        {"lazyfree-lazy-eviction", "no"},
        {"lazyfree-lazy-expire", "no"},
        {"lazyfree-lazy-server-del", "no"},
        {"replica-lazy-flush", "no"},
        {"lazyfree-lazy-user-del", "no"},
        {"lazyfree-lazy-user-flush", "no"},
        {"io-threads", "1"},
        {"io-threads-do-reads", "no"},
        {"oom-score-adj", "no"},
        {"oom-score-adj-values", "0 200 800"},
        {"disable-thp", "yes"},
        {"appendonly", "no"},
        {"appendfilename", "appendonly.aof"},
        {"appenddirname", "appendonlydir"},
        {"appendfsync", "everysec"},
        {"no-appendfsync-on-rewrite", "no"},
        {"auto-aof-rewrite-percentage", "100"},
        {"auto-aof-rewrite-min-size", "67108864"},
        {"aof-load-truncated", "yes"},
        {"aof-use-rdb-preamble", "yes"},
        {"aof-timestamp-enabled", "no"},
        {"aof-rewrite-incremental-fsync", "yes"},
        {"aof-disable-auto-gc", "no"},
        {"shutdown-timeout", "10"},
        {"shutdown-on-sigint", "default"},
        {"shutdown-on-sigterm", "default"},
        {"cluster-enabled", "no"},
        {"cluster-config-file", "nodes.conf"},
        {"cluster-node-timeout", "15000"},
        {"cluster-port", "0"},
        {"cluster-replica-validity-factor", "10"},
        {"cluster-migration-barrier", "1"},
        {"cluster-allow-replica-migration", "yes"},
        {"cluster-require-full-coverage", "yes"},
        {"cluster-replica-no-failover", "no"},
        {"cluster-allow-reads-when-down", "no"},
        {"cluster-allow-pubsubshard-when-down", "yes"},
        {"cluster-link-sendbuf-limit", "0"},
        {"cluster-announce-hostname", ""},
        {"cluster-preferred-endpoint-type", "ip"},
        {"cluster-announce-ip", ""},
        {"cluster-announce-port", "0"},
        {"cluster-announce-tls-port", "0"},
        {"cluster-announce-bus-port", "0"},
        {"busy-reply-threshold", "5000"},
        {"slowlog-log-slower-than", "10000"},
        {"slowlog-max-len", "128"},
        {"latency-monitor-threshold", "0"},
        {"latency-tracking", "yes"},
        {"latency-tracking-info-percentiles", "50 99 99.9"},
        {"notify-keyspace-events", ""},
        {"hash-max-listpack-entries", "512"},
        {"hash-max-listpack-value", "64"},
        {"list-max-listpack-size", "-2"},
        {"list-compress-depth", "0"},
        {"set-max-intset-entries", "512"},
        {"zset-max-listpack-entries", "128"},
        {"zset-max-listpack-value", "64"},
        {"hll-sparse-max-bytes", "3000"},
        {"stream-node-max-bytes", "4096"},
        {"stream-node-max-entries", "100"},
        {"client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
        {"client-query-buffer-limit", "1073741824"},
        {"proto-max-bulk-len", "536870912"},
        {"hz", "10"},
        {"dynamic-hz", "yes"},
        {"active-expire-effort", "1"},
        {"activerehashing", "yes"},
        {"tracking-table-max-keys", "1000000"},
        {"activedefrag", "no"},
        {"active-defrag-ignore-bytes", "104857600"},
        {"active-defrag-threshold-lower", "10"},
        {"active-defrag-threshold-upper", "100"},
        {"active-defrag-cycle-min", "1"},
        {"active-defrag-cycle-max", "25"},
        {"active-defrag-max-scan-fields", "1000"},
        {"jemalloc-bg-thread", "yes"},
        {"server_cpulist", ""},
        {"bio_cpulist", ""},
        {"aof_rewrite_cpulist", ""},
        {"bgsave_cpulist", ""},
        {"ignore-warnings", ""},
    };

    /** The old names Redis 7.0.15 still answers (its aliases), with the same defaults (read the same way). */
    private static final String[][] REDIS_7_0_15_ALIAS_DEFAULTS = {
        {"slaveof", ""},
        {"slave-serve-stale-data", "yes"},
        {"slave-read-only", "yes"},
        {"repl-ping-slave-period", "10"},
        {"slave-priority", "100"},
        {"min-slaves-to-write", "0"},
        {"min-slaves-max-lag", "10"},
        {"slave-announce-ip", ""},
        {"slave-announce-port", "0"},
        {"slave-ignore-maxmemory", "yes"},
        {"slave-lazy-flush", "no"},
        {"cluster-slave-validity-factor", "10"},
        {"cluster-slave-no-failover", "no"},
        {"lua-time-limit", "5000"},
        {"hash-max-ziplist-entries", "512"},
        {"hash-max-ziplist-value", "64"},
        {"list-max-ziplist-size", "-2"},
        {"zset-max-ziplist-entries", "128"},
        {"zset-max-ziplist-value", "64"},
    };

    /**
     * Redis's HIDDEN_CONFIG entries: not listed by {@code CONFIG GET *}, answered by exact name (read the same
     * way, one {@code CONFIG GET <name>} each).
     */
    private static final String[][] REDIS_7_0_15_HIDDEN_DEFAULTS = {
        {"use-exit-on-panic", "no"},
        {"rdb-key-save-delay", "0"},
        {"key-load-delay", "0"},
        {"watchdog-period", "0"},
        {"loading-process-events-interval-bytes", "2097152"},
    };

    @Test
    void shouldStartWithRedis70DefaultsForEveryRedisDirective()
    {
        final ServerConfig config = ServerConfig.defaults();
        for (final String[] nameAndValue : REDIS_7_0_15_DEFAULTS)
        {
            assertEquals(nameAndValue[1], config.get(nameAndValue[0]), nameAndValue[0]);
        }
        for (final String[] nameAndValue : REDIS_7_0_15_ALIAS_DEFAULTS)
        {
            assertEquals(nameAndValue[1], config.get(nameAndValue[0]), nameAndValue[0]);
        }
        for (final String[] nameAndValue : REDIS_7_0_15_HIDDEN_DEFAULTS)
        {
            assertEquals(nameAndValue[1], config.get(nameAndValue[0]), nameAndValue[0]);
        }
    }

    @Test
    void shouldListExactlyTheEntriesRedisListsForAStarPlusKeelKvsOwn()
    {
        final Set<String> expected = new HashSet<>(List.of("dir", "idle-strategy", "idle-spin-us", "page-size"));
        for (final String[][] list : List.of(REDIS_7_0_15_DEFAULTS, REDIS_7_0_15_ALIAS_DEFAULTS))
        {
            for (final String[] nameAndValue : list)
            {
                assertTrue(expected.add(nameAndValue[0]), "listed twice: " + nameAndValue[0]);
            }
        }
        final Set<String> listed = new HashSet<>();
        for (final String[] pair : ServerConfig.defaults().getMatching("*"))
        {
            assertTrue(listed.add(pair[0]), "answered twice: " + pair[0]);
        }
        // 192 entries in redis-server 7.0.15, plus KeelKV's 3
        assertEquals(195, expected.size());
        assertEquals(expected, listed);
    }

    @Test
    void shouldCoverEveryDirectiveOfTheTableWithAComparedDefault()
    {
        final Set<String> compared = new HashSet<>(List.of("dir", "idle-strategy", "idle-spin-us", "page-size"));
        for (final String[][] list : List.of(REDIS_7_0_15_DEFAULTS, REDIS_7_0_15_HIDDEN_DEFAULTS))
        {
            for (final String[] nameAndValue : list)
            {
                compared.add(nameAndValue[0]);
            }
        }
        assertEquals(compared, new HashSet<>(ServerConfig.directiveNames()));
    }

    @Test
    void shouldStartWithKeelKvDefaultsForItsOwnDirectives()
    {
        final ServerConfig config = ServerConfig.defaults();
        assertEquals("backoff", config.get("idle-strategy"));
        assertEquals("65536", config.get("page-size"));
        assertEquals("20", config.get("idle-spin-us"));
        assertEquals("backoff", config.idleStrategy());
        assertEquals(64 * 1024, config.pageSizeBytes());
    }

    @Test
    void shouldUseTheRealWorkingDirectoryAsDefaultDir() throws Exception
    {
        final ServerConfig config = ServerConfig.defaults();
        assertEquals(Path.of("").toAbsolutePath().toRealPath().toString(), config.dir());
        assertEquals(config.dir(), config.get("dir"));
    }

    @Test
    void shouldExposeDefaultsThroughTypedGetters()
    {
        final ServerConfig config = ServerConfig.defaults();
        assertEquals(6379, config.port());
        assertEquals(List.of("127.0.0.1", "-::1"), config.bindAddresses());
        assertTrue(config.protectedMode());
        assertNull(config.requirePass());
        assertNull(config.pidFile());
        assertEquals("", config.logFile());
        assertEquals(10000, config.maxClients());
        assertEquals(16, config.databases());
        assertEquals(0, config.maxMemoryBytes());
        assertEquals("noeviction", config.maxMemoryPolicy());
        assertEquals(5, config.maxMemorySamples());
        assertEquals(512L * 1024 * 1024, config.protoMaxBulkLen());
        assertEquals(1024L * 1024 * 1024, config.clientQueryBufferLimit());
        assertEquals(0, config.clientOutputBufferLimitNormal().hardLimitBytes());
        assertEquals(0, config.clientOutputBufferLimitNormal().softLimitBytes());
        assertEquals(0, config.clientOutputBufferLimitNormal().softLimitSeconds());
        assertEquals(256L * 1024 * 1024, config.clientOutputBufferLimitReplica().hardLimitBytes());
        assertEquals(8L * 1024 * 1024, config.clientOutputBufferLimitPubSub().softLimitBytes());
        assertEquals(60, config.clientOutputBufferLimitPubSub().softLimitSeconds());
        assertEquals(10, config.hz());
        assertEquals("no", config.enableDebugCommand());
        assertEquals("notice", config.logLevel());
        assertEquals(List.of(new SavePoint(3600, 1), new SavePoint(300, 100), new SavePoint(60, 10000)),
            config.save());
        assertEquals("everysec", config.appendFsync());
        assertEquals(64L * 1024 * 1024, config.autoAofRewriteMinSizeBytes());
        assertEquals(List.of(50.0, 99.0, 99.9), config.latencyTrackingInfoPercentiles());
        assertEquals(0, config.notifyKeyspaceEvents());
        assertEquals(10000, config.slowlogLogSlowerThanMicros());
    }
}
