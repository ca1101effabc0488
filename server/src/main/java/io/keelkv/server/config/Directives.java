package io.keelkv.server.config;

import io.keelkv.server.config.Directive.ValueType;
import io.keelkv.server.config.ValueTypes.BindType;
import io.keelkv.server.config.ValueTypes.BoolType;
import io.keelkv.server.config.ValueTypes.Check;
import io.keelkv.server.config.ValueTypes.DirType;
import io.keelkv.server.config.ValueTypes.EnumType;
import io.keelkv.server.config.ValueTypes.FlagsType;
import io.keelkv.server.config.ValueTypes.KeyspaceEventsType;
import io.keelkv.server.config.ValueTypes.NumericType;
import io.keelkv.server.config.ValueTypes.OomScoreAdjValuesType;
import io.keelkv.server.config.ValueTypes.OutputBufferLimitType;
import io.keelkv.server.config.ValueTypes.PercentilesType;
import io.keelkv.server.config.ValueTypes.ReplicaOfType;
import io.keelkv.server.config.ValueTypes.SaveType;
import io.keelkv.server.config.ValueTypes.StringType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongUnaryOperator;
import java.util.function.Predicate;

import static io.keelkv.server.config.Directive.HIDDEN;
import static io.keelkv.server.config.Directive.IMMUTABLE;
import static io.keelkv.server.config.Directive.KEELKV;
import static io.keelkv.server.config.Directive.MULTI_ARG;
import static io.keelkv.server.config.Directive.PROTECTED;
import static io.keelkv.server.config.ValueTypes.NO_CHECK;

/**
 * The directive table: every directive KeelKV accepts, as data. Names, aliases, defaults, bounds and
 * mutability are Redis 7.0's (static_configs[] in config.c, each checked against redis-server 7.0.15, whose
 * {@code CONFIG GET *} lists exactly the Redis rows below); KeelKV's own directives come last. Adding a directive
 * is adding one row here (and a typed getter in {@link ServerConfig} if the server reads it).
 *
 * <p>Some Redis directives are accepted and stored without KeelKV acting on them yet (encodings, defrag,
 * io-threads, lazyfree): later work reads them through {@link ServerConfig#get(String)} or a getter.
 *
 * <p><b>Redis features KeelKV does not have: the rule.</b> A redis.conf written for Redis must load, so every
 * Redis 7.0 directive is in the table, with Redis's parsing, bounds, errors and mutability. But accepting is not
 * pretending: a value that asks for a feature KeelKV lacks, where going on without it would silently lose what
 * the user meant (data replicated elsewhere, traffic encrypted, clients reaching a unix socket, users and
 * permissions from an ACL file, logs reaching syslog, a supervisor told the server is ready, writes held back
 * until replicas have them), is refused: the start stops with the directive named, and CONFIG SET answers with
 * Redis's "CONFIG SET failed" error. The check runs once every line and argument is read
 * ({@link ServerConfig}'s conclude), so that a later {@code --tls-port 0} overrides a file's {@code tls-port
 * 6380}, as a later line does in Redis. Such rows say {@code unsupportedWhen(...)}; today they are daemonize,
 * supervised (systemd, upstart), syslog-enabled, unixsocket, tls-port, tls-replication, tls-cluster, aclfile,
 * replicaof/slaveof, min-replicas-to-write/min-slaves-to-write and cluster-enabled.
 *
 * <p>Everything else about those features is pure tuning that only matters once the feature is on, and is
 * accepted and stored as Redis does when the feature is off: the repl-* and replica-* settings, masterauth and
 * masteruser (used only by a replica), min-replicas-max-lag, the other cluster-* and tls-* settings,
 * unixsocketperm, bind-source-addr, acl-pubsub-default. So is what tunes Redis's own process and has no
 * equivalent (or no effect yet) in a JVM: jemalloc-bg-thread, disable-thp, oom-score-adj(-values),
 * proc-title-template, set-proc-title, crash-log-enabled, crash-memcheck-enabled, socket-mark-id, syslog-ident,
 * syslog-facility, ignore-warnings, sanitize-dump-payload, propagation-error-behavior, shutdown-on-sigint and
 * shutdown-on-sigterm (nothing is saved at shutdown yet), maxmemory-clients (not enforced yet: README says so),
 * and the hidden test knobs. {@code supervised auto} is accepted: it finds no supervisor to notify, as Redis
 * does when it is not run by one.
 */
final class Directives
{
    private static final long INT_MIN = Integer.MIN_VALUE;
    private static final long INT_MAX = Integer.MAX_VALUE;
    private static final long UINT_MAX = 0xFFFF_FFFFL;
    private static final long LONG_MAX = Long.MAX_VALUE;
    /** ULLONG_MAX as an unsigned long. */
    private static final long ULLONG_MAX = -1L;
    private static final long MB = 1024 * 1024;
    private static final String TLS = "KeelKV has no TLS";

    // filled by the field initialisers below, in textual order: it must stay the first field
    private static final List<Directive> TABLE = new ArrayList<>();

    // ---- network
    // KeelKV listens on loopback by default (Redis's compiled default is "* -::*", guarded only by protected mode)
    static final Directive BIND = add("bind", null, MULTI_ARG, "127.0.0.1 -::1", new BindType());
    static final Directive BIND_SOURCE_ADDR = string("bind-source-addr", 0, true, "", NO_CHECK);
    static final Directive PROTECTED_MODE = bool("protected-mode", 0, true);
    static final Directive PORT = signed("port", null, 0, 0, 65535, 6379);
    static final Directive TCP_BACKLOG = signed("tcp-backlog", null, IMMUTABLE, 0, INT_MAX, 511);
    static final Directive UNIXSOCKET = unsupportedWhen(string("unixsocket", IMMUTABLE, true, "", NO_CHECK),
        Objects::nonNull, "KeelKV listens on TCP only, its clients could not connect",
        "connect over TCP instead, and remove the line or add --unixsocket \"\"");
    static final Directive UNIXSOCKETPERM = add("unixsocketperm", null, IMMUTABLE, "0",
        new NumericType(0, 0777, true, NumericType.OCTAL, NO_CHECK, LongUnaryOperator.identity()));
    static final Directive TIMEOUT = signed("timeout", null, 0, 0, INT_MAX, 0);
    static final Directive TCP_KEEPALIVE = signed("tcp-keepalive", null, 0, 0, INT_MAX, 300);
    static final Directive SOCKET_MARK_ID = unsigned("socket-mark-id", null, IMMUTABLE, 0, UINT_MAX, 0);

    // ---- TLS
    static final Directive TLS_PORT = unsupportedWhen(signed("tls-port", null, 0, 0, 65535, 0),
        port -> (Long)port != 0, TLS, "remove the line or add --tls-port 0");
    static final Directive TLS_CERT_FILE = string("tls-cert-file", 0, true, "", NO_CHECK);
    static final Directive TLS_KEY_FILE = string("tls-key-file", 0, true, "", NO_CHECK);
    static final Directive TLS_KEY_FILE_PASS = string("tls-key-file-pass", 0, true, "", NO_CHECK);
    static final Directive TLS_CLIENT_CERT_FILE = string("tls-client-cert-file", 0, true, "", NO_CHECK);
    static final Directive TLS_CLIENT_KEY_FILE = string("tls-client-key-file", 0, true, "", NO_CHECK);
    static final Directive TLS_CLIENT_KEY_FILE_PASS = string("tls-client-key-file-pass", 0, true, "", NO_CHECK);
    static final Directive TLS_DH_PARAMS_FILE = string("tls-dh-params-file", 0, true, "", NO_CHECK);
    static final Directive TLS_CA_CERT_FILE = string("tls-ca-cert-file", 0, true, "", NO_CHECK);
    static final Directive TLS_CA_CERT_DIR = string("tls-ca-cert-dir", 0, true, "", NO_CHECK);
    static final Directive TLS_AUTH_CLIENTS = enumeration("tls-auth-clients", 0, "yes", "no", "yes", "optional");
    static final Directive TLS_REPLICATION = unsupportedWhen(bool("tls-replication", 0, false),
        Boolean.TRUE::equals, TLS + " and no replication", "add --tls-replication no");
    static final Directive TLS_CLUSTER = unsupportedWhen(bool("tls-cluster", 0, false),
        Boolean.TRUE::equals, TLS + " and no cluster mode", "add --tls-cluster no");
    static final Directive TLS_PROTOCOLS = string("tls-protocols", 0, true, "", NO_CHECK);
    static final Directive TLS_CIPHERS = string("tls-ciphers", 0, true, "", NO_CHECK);
    static final Directive TLS_CIPHERSUITES = string("tls-ciphersuites", 0, true, "", NO_CHECK);
    static final Directive TLS_PREFER_SERVER_CIPHERS = bool("tls-prefer-server-ciphers", 0, false);
    static final Directive TLS_SESSION_CACHING = bool("tls-session-caching", 0, true);
    static final Directive TLS_SESSION_CACHE_SIZE = signed("tls-session-cache-size", null, 0, 0, INT_MAX, 20 * 1024);
    static final Directive TLS_SESSION_CACHE_TIMEOUT = signed("tls-session-cache-timeout", null, 0, 0, INT_MAX, 300);

    // ---- general
    // "yes" is refused once every line and argument is read (ServerConfig.conclude), not while reading: a
    // stock redis.conf says "daemonize yes" and a later "--daemonize no" must be able to override it
    static final Directive DAEMONIZE = unsupportedWhen(bool("daemonize", IMMUTABLE, false), Boolean.TRUE::equals,
        "keel-server runs in the foreground", "run it in the background with a service manager, or add --daemonize no");
    // a JVM cannot send sd_notify's datagram: a unit waiting for READY=1 would wait in vain, then kill KeelKV
    static final Directive SUPERVISED = unsupportedWhen(enumeration("supervised", IMMUTABLE, "no",
        "upstart", "systemd", "auto", "no"), mode -> mode.equals("systemd") || mode.equals("upstart"),
        "KeelKV cannot tell a supervisor that it is ready",
        "add --supervised no, and start it as a simple (not notify) service");
    static final Directive PIDFILE = string("pidfile", IMMUTABLE, true, "", NO_CHECK);
    static final Directive LOGLEVEL = enumeration("loglevel", 0, "notice", "debug", "verbose", "notice", "warning");
    static final Directive LOGFILE = string("logfile", IMMUTABLE, false, "", NO_CHECK);
    // the log would not be where the operator looks for it: refused rather than written elsewhere
    static final Directive SYSLOG_ENABLED = unsupportedWhen(bool("syslog-enabled", IMMUTABLE, false),
        Boolean.TRUE::equals, "KeelKV logs to standard output or to the logfile only",
        "add --syslog-enabled no; a service manager such as systemd passes standard output on to its journal");
    static final Directive SYSLOG_IDENT = string("syslog-ident", IMMUTABLE, false, "redis", NO_CHECK);
    static final Directive SYSLOG_FACILITY = enumeration("syslog-facility", IMMUTABLE, "local0", "user",
        "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7");
    static final Directive CRASH_LOG_ENABLED = bool("crash-log-enabled", 0, true);
    static final Directive CRASH_MEMCHECK_ENABLED = bool("crash-memcheck-enabled", 0, true);
    static final Directive DATABASES = signed("databases", null, IMMUTABLE, 1, INT_MAX, 16);
    static final Directive ALWAYS_SHOW_LOGO = bool("always-show-logo", IMMUTABLE, false);
    static final Directive SET_PROC_TITLE = bool("set-proc-title", IMMUTABLE, true);
    static final Directive PROC_TITLE_TEMPLATE = string("proc-title-template", 0, false,
        "{title} {listen-addr} {server-mode}", ValueTypes.PROC_TITLE_TEMPLATE);

    // ---- snapshotting
    static final Directive SAVE = add("save", null, MULTI_ARG, "3600 1 300 100 60 10000", new SaveType());
    static final Directive STOP_WRITES_ON_BGSAVE_ERROR = bool("stop-writes-on-bgsave-error", 0, true);
    static final Directive RDBCOMPRESSION = bool("rdbcompression", 0, true);
    static final Directive RDBCHECKSUM = bool("rdbchecksum", IMMUTABLE, true);
    static final Directive SANITIZE_DUMP_PAYLOAD = enumeration("sanitize-dump-payload", 0, "no", "no", "yes",
        "clients");
    static final Directive DBFILENAME = string("dbfilename", PROTECTED, false, "dump.rdb",
        value -> isBaseName((String)value) ? null : "dbfilename can't be a path, just a filename");
    static final Directive RDB_DEL_SYNC_FILES = bool("rdb-del-sync-files", 0, false);
    static final Directive RDB_SAVE_INCREMENTAL_FSYNC = bool("rdb-save-incremental-fsync", 0, true);
    // resolved against the working directory of the process when the table's defaults are applied
    static final Directive DIR = add("dir", null, PROTECTED, ".", new DirType());

    // ---- replication (KeelKV has none: a master to replicate from is refused, the tuning is stored)
    static final Directive REPLICAOF = unsupportedWhen(add("replicaof", "slaveof", IMMUTABLE | MULTI_ARG, "no one",
        new ReplicaOfType()), Objects::nonNull, "KeelKV has no replication, it would serve its own data as a master",
        "remove the line or add --replicaof \"no one\"");
    static final Directive MASTERAUTH = string("masterauth", 0, true, "", NO_CHECK);
    static final Directive MASTERUSER = string("masteruser", 0, true, "", NO_CHECK);
    static final Directive REPLICA_SERVE_STALE_DATA = bool("replica-serve-stale-data", "slave-serve-stale-data", 0,
        true);
    static final Directive REPLICA_READ_ONLY = bool("replica-read-only", "slave-read-only", 0, true);
    static final Directive REPL_DISKLESS_SYNC = bool("repl-diskless-sync", 0, true);
    static final Directive REPL_DISKLESS_SYNC_DELAY = signed("repl-diskless-sync-delay", null, 0, 0, INT_MAX, 5);
    static final Directive REPL_DISKLESS_SYNC_MAX_REPLICAS = signed("repl-diskless-sync-max-replicas", null, 0, 0,
        INT_MAX, 0);
    static final Directive REPL_DISKLESS_LOAD = enumeration("repl-diskless-load", 0, "disabled",
        "disabled", "on-empty-db", "swapdb");
    static final Directive REPL_PING_REPLICA_PERIOD = signed("repl-ping-replica-period", "repl-ping-slave-period", 0,
        1, INT_MAX, 10);
    static final Directive REPL_TIMEOUT = signed("repl-timeout", null, 0, 1, INT_MAX, 60);
    static final Directive REPL_DISABLE_TCP_NODELAY = bool("repl-disable-tcp-nodelay", 0, false);
    static final Directive REPL_BACKLOG_SIZE = memory("repl-backlog-size", null, 0, 1, LONG_MAX, false, "1mb",
        NO_CHECK);
    static final Directive REPL_BACKLOG_TTL = signed("repl-backlog-ttl", null, 0, 0, LONG_MAX, 3600);
    static final Directive REPLICA_PRIORITY = signed("replica-priority", "slave-priority", 0, 0, INT_MAX, 100);
    static final Directive PROPAGATION_ERROR_BEHAVIOR = enumeration("propagation-error-behavior", 0, "ignore",
        "ignore", "panic", "panic-on-replicas");
    static final Directive REPLICA_IGNORE_DISK_WRITE_ERRORS = bool("replica-ignore-disk-write-errors", 0, false);
    static final Directive REPLICA_ANNOUNCED = bool("replica-announced", 0, true);
    // Redis, with no replica connected, refuses every write (NOREPLICAS): accepting writes would break the promise
    static final Directive MIN_REPLICAS_TO_WRITE = unsupportedWhen(signed("min-replicas-to-write",
        "min-slaves-to-write", 0, 0, INT_MAX, 0), count -> (Long)count != 0,
        "KeelKV has no replication, no write could reach a replica", "add --min-replicas-to-write 0");
    static final Directive MIN_REPLICAS_MAX_LAG = signed("min-replicas-max-lag", "min-slaves-max-lag", 0, 0, INT_MAX,
        10);
    static final Directive REPLICA_ANNOUNCE_IP = string("replica-announce-ip", "slave-announce-ip", 0, true, "",
        NO_CHECK);
    static final Directive REPLICA_ANNOUNCE_PORT = signed("replica-announce-port", "slave-announce-port", 0, 0,
        65535, 0);

    // ---- security and clients
    static final Directive ACLLOG_MAX_LEN = signed("acllog-max-len", null, 0, 0, LONG_MAX, 128);
    // its users and permissions would not be loaded: every client would be the default user
    static final Directive ACLFILE = unsupportedWhen(string("aclfile", IMMUTABLE, false, "", NO_CHECK),
        path -> !((String)path).isEmpty(), "KeelKV has only the default user (requirepass), its users would not exist",
        "remove the line or add --aclfile \"\"");
    static final Directive ACL_PUBSUB_DEFAULT = enumeration("acl-pubsub-default", 0, "resetchannels",
        "allchannels", "resetchannels");
    static final Directive REQUIREPASS = string("requirepass", 0, true, "", NO_CHECK);
    static final Directive MAXCLIENTS = unsigned("maxclients", null, 0, 1, UINT_MAX, 10000);
    static final Directive ENABLE_PROTECTED_CONFIGS = enumeration("enable-protected-configs", IMMUTABLE, "no",
        "no", "yes", "local");
    static final Directive ENABLE_DEBUG_COMMAND = enumeration("enable-debug-command", IMMUTABLE, "no",
        "no", "yes", "local");
    static final Directive ENABLE_MODULE_COMMAND = enumeration("enable-module-command", IMMUTABLE, "no",
        "no", "yes", "local");

    // ---- memory
    static final Directive MAXMEMORY = memory("maxmemory", null, 0, 0, ULLONG_MAX, true, "0", NO_CHECK);
    static final Directive MAXMEMORY_POLICY = enumeration("maxmemory-policy", 0, "noeviction",
        "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
        "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction");
    static final Directive MAXMEMORY_SAMPLES = signed("maxmemory-samples", null, 0, 1, INT_MAX, 5);
    static final Directive MAXMEMORY_EVICTION_TENACITY = signed("maxmemory-eviction-tenacity", null, 0, 0, 100, 10);
    // ssize_t; "n%" of maxmemory is kept as -n (only -100..-1 pass: "percentage argument must be less or equal to 100")
    static final Directive MAXMEMORY_CLIENTS = add("maxmemory-clients", null, 0, "0", new NumericType(-100, LONG_MAX,
        false, NumericType.MEMORY | NumericType.PERCENT, NO_CHECK, LongUnaryOperator.identity()));
    static final Directive REPLICA_IGNORE_MAXMEMORY = bool("replica-ignore-maxmemory", "slave-ignore-maxmemory", 0,
        true);
    static final Directive LFU_LOG_FACTOR = signed("lfu-log-factor", null, 0, 0, INT_MAX, 10);
    static final Directive LFU_DECAY_TIME = signed("lfu-decay-time", null, 0, 0, INT_MAX, 1);
    static final Directive LAZYFREE_LAZY_EVICTION = bool("lazyfree-lazy-eviction", 0, false);
    static final Directive LAZYFREE_LAZY_EXPIRE = bool("lazyfree-lazy-expire", 0, false);
    static final Directive LAZYFREE_LAZY_SERVER_DEL = bool("lazyfree-lazy-server-del", 0, false);
    static final Directive REPLICA_LAZY_FLUSH = bool("replica-lazy-flush", "slave-lazy-flush", 0, false);
    static final Directive LAZYFREE_LAZY_USER_DEL = bool("lazyfree-lazy-user-del", 0, false);
    static final Directive LAZYFREE_LAZY_USER_FLUSH = bool("lazyfree-lazy-user-flush", 0, false);

    // ---- threads
    static final Directive IO_THREADS = signed("io-threads", null, IMMUTABLE, 1, 128, 1);
    static final Directive IO_THREADS_DO_READS = bool("io-threads-do-reads", IMMUTABLE, false);

    // ---- kernel: OOM killer score and transparent huge pages (Redis's own process tuning)
    // "yes" is another name of "relative": it prints as "yes"
    static final Directive OOM_SCORE_ADJ = add("oom-score-adj", null, 0, "no", new EnumType(
        new String[] {"no", "yes", "relative", "absolute"}, new int[] {0, 1, 1, 2}));
    static final Directive OOM_SCORE_ADJ_VALUES = add("oom-score-adj-values", null, MULTI_ARG, "0 200 800",
        new OomScoreAdjValuesType());
    static final Directive DISABLE_THP = bool("disable-thp", IMMUTABLE, true);

    // ---- append only file
    static final Directive APPENDONLY = bool("appendonly", 0, false);
    static final Directive APPENDFILENAME = string("appendfilename", IMMUTABLE, false, "appendonly.aof",
        value -> ((String)value).isEmpty() ? "appendfilename can't be empty" :
            isBaseName((String)value) ? null : "appendfilename can't be a path, just a filename");
    static final Directive APPENDDIRNAME = string("appenddirname", IMMUTABLE, false, "appendonlydir",
        value -> ((String)value).isEmpty() ? "appenddirname can't be empty" :
            isBaseName((String)value) ? null : "appenddirname can't be a path, just a dirname");
    static final Directive APPENDFSYNC = enumeration("appendfsync", 0, "everysec", "everysec", "always", "no");
    static final Directive NO_APPENDFSYNC_ON_REWRITE = bool("no-appendfsync-on-rewrite", 0, false);
    static final Directive AUTO_AOF_REWRITE_PERCENTAGE = signed("auto-aof-rewrite-percentage", null, 0, 0, INT_MAX,
        100);
    static final Directive AUTO_AOF_REWRITE_MIN_SIZE = memory("auto-aof-rewrite-min-size", null, 0, 0, LONG_MAX,
        false, "64mb", NO_CHECK);
    static final Directive AOF_LOAD_TRUNCATED = bool("aof-load-truncated", 0, true);
    static final Directive AOF_USE_RDB_PREAMBLE = bool("aof-use-rdb-preamble", 0, true);
    static final Directive AOF_TIMESTAMP_ENABLED = bool("aof-timestamp-enabled", 0, false);
    static final Directive AOF_REWRITE_INCREMENTAL_FSYNC = bool("aof-rewrite-incremental-fsync", 0, true);
    static final Directive AOF_DISABLE_AUTO_GC = bool("aof-disable-auto-gc", 0, false);

    // ---- shutdown: how SIGINT/SIGTERM stop the server ("default": save if there are save points)
    static final Directive SHUTDOWN_TIMEOUT = signed("shutdown-timeout", null, 0, 0, INT_MAX, 10);
    static final Directive SHUTDOWN_ON_SIGINT = shutdownOnSignal("shutdown-on-sigint");
    static final Directive SHUTDOWN_ON_SIGTERM = shutdownOnSignal("shutdown-on-sigterm");

    // ---- cluster (KeelKV has no cluster mode: enabling it is refused, the tuning is stored)
    static final Directive CLUSTER_ENABLED = unsupportedWhen(bool("cluster-enabled", IMMUTABLE, false),
        Boolean.TRUE::equals, "KeelKV has no cluster mode", "add --cluster-enabled no");
    static final Directive CLUSTER_CONFIG_FILE = string("cluster-config-file", IMMUTABLE, false, "nodes.conf",
        NO_CHECK);
    static final Directive CLUSTER_NODE_TIMEOUT = signed("cluster-node-timeout", null, 0, 0, LONG_MAX, 15000);
    static final Directive CLUSTER_PORT = signed("cluster-port", null, IMMUTABLE, 0, 65535, 0);
    static final Directive CLUSTER_REPLICA_VALIDITY_FACTOR = signed("cluster-replica-validity-factor",
        "cluster-slave-validity-factor", 0, 0, INT_MAX, 10);
    static final Directive CLUSTER_MIGRATION_BARRIER = signed("cluster-migration-barrier", null, 0, 0, INT_MAX, 1);
    static final Directive CLUSTER_ALLOW_REPLICA_MIGRATION = bool("cluster-allow-replica-migration", 0, true);
    static final Directive CLUSTER_REQUIRE_FULL_COVERAGE = bool("cluster-require-full-coverage", 0, true);
    static final Directive CLUSTER_REPLICA_NO_FAILOVER = bool("cluster-replica-no-failover",
        "cluster-slave-no-failover", 0, false);
    static final Directive CLUSTER_ALLOW_READS_WHEN_DOWN = bool("cluster-allow-reads-when-down", 0, false);
    static final Directive CLUSTER_ALLOW_PUBSUBSHARD_WHEN_DOWN = bool("cluster-allow-pubsubshard-when-down", 0, true);
    static final Directive CLUSTER_LINK_SENDBUF_LIMIT = memory("cluster-link-sendbuf-limit", null, 0, 0, ULLONG_MAX,
        true, "0", NO_CHECK);
    static final Directive CLUSTER_ANNOUNCE_HOSTNAME = string("cluster-announce-hostname", 0, true, "",
        ValueTypes.ANNOUNCED_HOSTNAME);
    static final Directive CLUSTER_PREFERRED_ENDPOINT_TYPE = enumeration("cluster-preferred-endpoint-type", 0, "ip",
        "ip", "hostname", "unknown-endpoint");
    static final Directive CLUSTER_ANNOUNCE_IP = string("cluster-announce-ip", 0, true, "", NO_CHECK);
    static final Directive CLUSTER_ANNOUNCE_PORT = signed("cluster-announce-port", null, 0, 0, 65535, 0);
    static final Directive CLUSTER_ANNOUNCE_TLS_PORT = signed("cluster-announce-tls-port", null, 0, 0, 65535, 0);
    static final Directive CLUSTER_ANNOUNCE_BUS_PORT = signed("cluster-announce-bus-port", null, 0, 0, 65535, 0);

    // ---- slow log, latency, events
    static final Directive BUSY_REPLY_THRESHOLD = signed("busy-reply-threshold", "lua-time-limit", 0, 0, LONG_MAX,
        5000);
    static final Directive SLOWLOG_LOG_SLOWER_THAN = signed("slowlog-log-slower-than", null, 0, -1, LONG_MAX, 10000);
    static final Directive SLOWLOG_MAX_LEN = signed("slowlog-max-len", null, 0, 0, LONG_MAX, 128);
    static final Directive LATENCY_MONITOR_THRESHOLD = signed("latency-monitor-threshold", null, 0, 0, LONG_MAX, 0);
    static final Directive LATENCY_TRACKING = bool("latency-tracking", 0, true);
    static final Directive LATENCY_TRACKING_INFO_PERCENTILES = add("latency-tracking-info-percentiles", null,
        MULTI_ARG, "50 99 99.9", new PercentilesType());
    static final Directive NOTIFY_KEYSPACE_EVENTS = add("notify-keyspace-events", null, 0, "",
        new KeyspaceEventsType());

    // ---- encodings (size_t in Redis: bounds are compared unsigned)
    static final Directive HASH_MAX_LISTPACK_ENTRIES = unsigned("hash-max-listpack-entries",
        "hash-max-ziplist-entries", 0, 0, LONG_MAX, 512);
    static final Directive HASH_MAX_LISTPACK_VALUE = memory("hash-max-listpack-value", "hash-max-ziplist-value", 0, 0,
        LONG_MAX, true, "64", NO_CHECK);
    static final Directive LIST_MAX_LISTPACK_SIZE = signed("list-max-listpack-size", "list-max-ziplist-size", 0,
        INT_MIN, INT_MAX, -2);
    static final Directive LIST_COMPRESS_DEPTH = signed("list-compress-depth", null, 0, 0, INT_MAX, 0);
    static final Directive SET_MAX_INTSET_ENTRIES = unsigned("set-max-intset-entries", null, 0, 0, LONG_MAX, 512);
    static final Directive ZSET_MAX_LISTPACK_ENTRIES = unsigned("zset-max-listpack-entries",
        "zset-max-ziplist-entries", 0, 0, LONG_MAX, 128);
    static final Directive ZSET_MAX_LISTPACK_VALUE = memory("zset-max-listpack-value", "zset-max-ziplist-value", 0, 0,
        LONG_MAX, true, "64", NO_CHECK);
    static final Directive HLL_SPARSE_MAX_BYTES = memory("hll-sparse-max-bytes", null, 0, 0, LONG_MAX, true, "3000",
        NO_CHECK);
    static final Directive STREAM_NODE_MAX_BYTES = memory("stream-node-max-bytes", null, 0, 0, LONG_MAX, true, "4096",
        NO_CHECK);
    static final Directive STREAM_NODE_MAX_ENTRIES = signed("stream-node-max-entries", null, 0, 0, LONG_MAX, 100);

    // ---- limits and advanced
    static final Directive CLIENT_OUTPUT_BUFFER_LIMIT = add("client-output-buffer-limit", null, MULTI_ARG,
        "normal 0 0 0 slave 256mb 64mb 60 pubsub 32mb 8mb 60", new OutputBufferLimitType());
    static final Directive CLIENT_QUERY_BUFFER_LIMIT = memory("client-query-buffer-limit", null, 0, MB, LONG_MAX,
        true, "1gb", NO_CHECK);
    static final Directive PROTO_MAX_BULK_LEN = memory("proto-max-bulk-len", null, 0, MB, LONG_MAX, false, "512mb",
        NO_CHECK);
    // Redis accepts any hz but runs (and reports) it within CONFIG_MIN_HZ..CONFIG_MAX_HZ
    static final Directive HZ = add("hz", null, 0, "10", new NumericType(0, INT_MAX, false, NumericType.INTEGER,
        NO_CHECK, hz -> Math.max(1, Math.min(500, hz))));
    static final Directive DYNAMIC_HZ = bool("dynamic-hz", 0, true);
    static final Directive ACTIVE_EXPIRE_EFFORT = signed("active-expire-effort", null, 0, 1, 10, 1);
    static final Directive ACTIVEREHASHING = bool("activerehashing", 0, true);
    static final Directive TRACKING_TABLE_MAX_KEYS = unsigned("tracking-table-max-keys", null, 0, 0, LONG_MAX,
        1000000);
    static final Directive ACTIVEDEFRAG = bool("activedefrag", 0, false);
    static final Directive ACTIVE_DEFRAG_IGNORE_BYTES = memory("active-defrag-ignore-bytes", null, 0, 1, LONG_MAX,
        true, "100mb", NO_CHECK);
    static final Directive ACTIVE_DEFRAG_THRESHOLD_LOWER = signed("active-defrag-threshold-lower", null, 0, 0, 1000,
        10);
    static final Directive ACTIVE_DEFRAG_THRESHOLD_UPPER = signed("active-defrag-threshold-upper", null, 0, 0, 1000,
        100);
    static final Directive ACTIVE_DEFRAG_CYCLE_MIN = signed("active-defrag-cycle-min", null, 0, 1, 99, 1);
    static final Directive ACTIVE_DEFRAG_CYCLE_MAX = signed("active-defrag-cycle-max", null, 0, 1, 99, 25);
    static final Directive ACTIVE_DEFRAG_MAX_SCAN_FIELDS = signed("active-defrag-max-scan-fields", null, 0, 1,
        LONG_MAX, 1000);
    static final Directive JEMALLOC_BG_THREAD = bool("jemalloc-bg-thread", 0, true);
    // CPU lists in Redis's syntax ("0-7:2,9"), accepted unchecked as Redis does: server_cpulist pins the
    // event loop; the others are for the background agents (aof-sync: bio, snapshot: bgsave/aof_rewrite)
    static final Directive SERVER_CPULIST = string("server_cpulist", IMMUTABLE, true, "", NO_CHECK);
    static final Directive BIO_CPULIST = string("bio_cpulist", IMMUTABLE, true, "", NO_CHECK);
    static final Directive AOF_REWRITE_CPULIST = string("aof_rewrite_cpulist", IMMUTABLE, true, "", NO_CHECK);
    static final Directive BGSAVE_CPULIST = string("bgsave_cpulist", IMMUTABLE, true, "", NO_CHECK);
    static final Directive IGNORE_WARNINGS = string("ignore-warnings", 0, false, "", NO_CHECK);

    // ---- Redis's hidden test and debug knobs: not in redis.conf, not listed by CONFIG GET *
    static final Directive USE_EXIT_ON_PANIC = bool("use-exit-on-panic", HIDDEN, false);
    static final Directive RDB_KEY_SAVE_DELAY = signed("rdb-key-save-delay", null, HIDDEN, INT_MIN, INT_MAX, 0);
    static final Directive KEY_LOAD_DELAY = signed("key-load-delay", null, HIDDEN, INT_MIN, INT_MAX, 0);
    static final Directive WATCHDOG_PERIOD = signed("watchdog-period", null, HIDDEN, 0, INT_MAX, 0);
    static final Directive LOADING_PROCESS_EVENTS_INTERVAL_BYTES = signed("loading-process-events-interval-bytes",
        null, HIDDEN, 1024, INT_MAX, 2 * MB);

    // ---- KeelKV's own
    static final Directive IDLE_STRATEGY = enumeration("idle-strategy", IMMUTABLE | KEELKV, "backoff",
        "busy-spin", "yield", "backoff", "sleep");
    static final Directive PAGE_SIZE = memory("page-size", null, IMMUTABLE | KEELKV, 4096, 16 * MB, true, "64kb",
        value -> Long.bitCount((Long)value) == 1 ? null : "argument must be a power of two");
    /**
     * backoff: the longest the loop keeps polling after its last work before it blocks in epoll_wait; the window
     * adapts below it (EventLoopIdleStrategy). 20 µs covers almost every gap of a saturated loop.
     */
    static final Directive IDLE_SPIN_US = signed("idle-spin-us", null, KEELKV, 0, 1_000_000, 20);

    /** Every directive, in the order CONFIG GET lists them. */
    static final List<Directive> ALL = List.copyOf(TABLE);

    /** Names Redis 7.0 still reads from old files and ignores (with exactly one argument). */
    static final Set<String> IGNORED_DEPRECATED = Set.of(
        "list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands");

    private static final Map<String, Directive> BY_NAME = new HashMap<>();

    static
    {
        for (final Directive d : ALL)
        {
            register(d.name, d);
            if (d.alias != null)
            {
                register(d.alias, d);
            }
        }
    }

    private Directives()
    {
    }

    /**
     * @param name a directive name or alias, any case.
     * @return the directive or null.
     */
    static Directive lookup(final String name)
    {
        return BY_NAME.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * The name Redis uses for a directive reached by {@code typedName} in error replies: the alias when the
     * alias was used (both are entries of Redis's config dictionary), else the primary name.
     */
    static String entryName(final Directive d, final String typedName)
    {
        return d.alias != null && d.alias.equalsIgnoreCase(typedName) ? d.alias : d.name;
    }

    private static void register(final String name, final Directive d)
    {
        if (BY_NAME.put(name, d) != null)
        {
            throw new IllegalStateException("duplicate directive " + name);
        }
    }

    private static Directive add(final String name, final String alias, final int flags, final String defaultText,
        final ValueType type)
    {
        final Directive d = new Directive(TABLE.size(), name, alias, flags, defaultText, type, null, null);
        TABLE.add(d);
        return d;
    }

    /**
     * Marks a row as the switch of a feature KeelKV does not have (see the rule in the class comment): a value
     * for which {@code enables} holds is refused, at start-up once everything is read and by CONFIG SET, as
     * "{@code <name> <value> is not supported: <why>}"; the start-up report adds the hint.
     */
    private static Directive unsupportedWhen(final Directive d, final Predicate<Object> enables, final String why,
        final String hint)
    {
        final Directive refusing = new Directive(d.id, d.name, d.alias, d.flags, d.defaultText, d.type,
            value -> enables.test(value) ? d.name + " " + d.format(value) + " is not supported: " + why : null, hint);
        TABLE.set(d.id, refusing);
        return refusing;
    }

    private static Directive bool(final String name, final int flags, final boolean defaultValue)
    {
        return bool(name, null, flags, defaultValue);
    }

    private static Directive bool(final String name, final String alias, final int flags, final boolean defaultValue)
    {
        return add(name, alias, flags, defaultValue ? "yes" : "no", new BoolType(NO_CHECK));
    }

    /** Redis's int, long, long long, ssize_t, off_t and time_t configs: bounds compared signed. */
    private static Directive signed(final String name, final String alias, final int flags, final long lowerBound,
        final long upperBound, final long defaultValue)
    {
        return add(name, alias, flags, Long.toString(defaultValue), new NumericType(lowerBound, upperBound, false,
            NumericType.INTEGER, NO_CHECK, LongUnaryOperator.identity()));
    }

    /** Redis's unsigned int, unsigned long long and size_t configs: bounds compared unsigned. */
    private static Directive unsigned(final String name, final String alias, final int flags, final long lowerBound,
        final long upperBound, final long defaultValue)
    {
        return add(name, alias, flags, Long.toString(defaultValue), new NumericType(lowerBound, upperBound, true,
            NumericType.INTEGER, NO_CHECK, LongUnaryOperator.identity()));
    }

    private static Directive memory(final String name, final String alias, final int flags, final long lowerBound,
        final long upperBound, final boolean unsignedBounds, final String defaultText, final Check check)
    {
        return add(name, alias, flags, defaultText, new NumericType(lowerBound, upperBound, unsignedBounds,
            NumericType.MEMORY, check, LongUnaryOperator.identity()));
    }

    private static Directive enumeration(final String name, final int flags, final String defaultValue,
        final String... names)
    {
        return add(name, null, flags, defaultValue, new EnumType(names));
    }

    private static Directive string(final String name, final int flags, final boolean emptyIsNull,
        final String defaultValue, final Check check)
    {
        return string(name, null, flags, emptyIsNull, defaultValue, check);
    }

    private static Directive string(final String name, final String alias, final int flags,
        final boolean emptyIsNull, final String defaultValue, final Check check)
    {
        return add(name, alias, flags, defaultValue, new StringType(emptyIsNull, check));
    }

    /** shutdown-on-sigint/sigterm: flags of shutdown_on_sig_enum; SAVE and NOSAVE exclude each other. */
    private static Directive shutdownOnSignal(final String name)
    {
        return add(name, null, MULTI_ARG, "default", new FlagsType(
            new String[] {"default", "save", "nosave", "now", "force"}, new int[] {0, 1, 2, 4, 8},
            mask -> ((Integer)mask & 3) == 3 ? "shutdown options SAVE and NOSAVE can't be used simultaneously" : null));
    }

    /** pathIsBaseName. */
    private static boolean isBaseName(final String path)
    {
        return path.indexOf('/') < 0 && path.indexOf('\\') < 0;
    }
}
