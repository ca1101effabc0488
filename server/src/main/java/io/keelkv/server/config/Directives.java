package io.keelkv.server.config;

import io.keelkv.server.config.Directive.ValueType;
import io.keelkv.server.config.ValueTypes.BindType;
import io.keelkv.server.config.ValueTypes.BoolType;
import io.keelkv.server.config.ValueTypes.Check;
import io.keelkv.server.config.ValueTypes.DirType;
import io.keelkv.server.config.ValueTypes.EnumType;
import io.keelkv.server.config.ValueTypes.KeyspaceEventsType;
import io.keelkv.server.config.ValueTypes.NumericType;
import io.keelkv.server.config.ValueTypes.OutputBufferLimitType;
import io.keelkv.server.config.ValueTypes.PercentilesType;
import io.keelkv.server.config.ValueTypes.SaveType;
import io.keelkv.server.config.ValueTypes.StringType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongUnaryOperator;

import static io.keelkv.server.config.Directive.IMMUTABLE;
import static io.keelkv.server.config.Directive.KEELKV;
import static io.keelkv.server.config.Directive.MULTI_ARG;
import static io.keelkv.server.config.Directive.PROTECTED;
import static io.keelkv.server.config.ValueTypes.NO_CHECK;

/**
 * The directive table: every directive KeelKV accepts, as data. Names, aliases, defaults, bounds and
 * mutability are Redis 7.0's (static_configs[] in config.c, each checked against redis-server 7.0.15);
 * KeelKV's own directives come last. Adding a directive is adding one row here (and a typed getter in
 * {@link ServerConfig} if the server reads it).
 *
 * <p>Some Redis directives are accepted and stored without KeelKV acting on them yet (encodings, defrag,
 * io-threads, lazyfree): later work reads them through {@link ServerConfig#get(String)} or a getter.
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

    // filled by the field initialisers below, in textual order: it must stay the first field
    private static final List<Directive> TABLE = new ArrayList<>();

    // ---- network
    // KeelKV listens on loopback by default (Redis's compiled default is "* -::*", guarded only by protected mode)
    static final Directive BIND = add("bind", null, MULTI_ARG, "127.0.0.1 -::1", new BindType());
    static final Directive PROTECTED_MODE = bool("protected-mode", 0, true);
    static final Directive PORT = signed("port", null, 0, 0, 65535, 6379);
    static final Directive TCP_BACKLOG = signed("tcp-backlog", null, IMMUTABLE, 0, INT_MAX, 511);
    static final Directive TIMEOUT = signed("timeout", null, 0, 0, INT_MAX, 0);
    static final Directive TCP_KEEPALIVE = signed("tcp-keepalive", null, 0, 0, INT_MAX, 300);

    // ---- general
    // "yes" is refused once every line and argument is read (ServerConfig.conclude), not while reading: a
    // stock redis.conf says "daemonize yes" and a later "--daemonize no" must be able to override it
    static final Directive DAEMONIZE = bool("daemonize", IMMUTABLE, false);
    static final Directive PIDFILE = string("pidfile", IMMUTABLE, true, "", NO_CHECK);
    static final Directive LOGLEVEL = enumeration("loglevel", 0, "notice", "debug", "verbose", "notice", "warning");
    static final Directive LOGFILE = string("logfile", IMMUTABLE, false, "", NO_CHECK);
    static final Directive DATABASES = signed("databases", null, IMMUTABLE, 1, INT_MAX, 16);
    static final Directive ALWAYS_SHOW_LOGO = bool("always-show-logo", IMMUTABLE, false);
    static final Directive SET_PROC_TITLE = bool("set-proc-title", IMMUTABLE, true);

    // ---- snapshotting
    static final Directive SAVE = add("save", null, MULTI_ARG, "3600 1 300 100 60 10000", new SaveType());
    static final Directive STOP_WRITES_ON_BGSAVE_ERROR = bool("stop-writes-on-bgsave-error", 0, true);
    static final Directive RDBCOMPRESSION = bool("rdbcompression", 0, true);
    static final Directive RDBCHECKSUM = bool("rdbchecksum", IMMUTABLE, true);
    static final Directive DBFILENAME = string("dbfilename", PROTECTED, false, "dump.rdb",
        value -> isBaseName((String)value) ? null : "dbfilename can't be a path, just a filename");
    static final Directive RDB_DEL_SYNC_FILES = bool("rdb-del-sync-files", 0, false);
    static final Directive RDB_SAVE_INCREMENTAL_FSYNC = bool("rdb-save-incremental-fsync", 0, true);
    // resolved against the working directory of the process when the table's defaults are applied
    static final Directive DIR = add("dir", null, PROTECTED, ".", new DirType());

    // ---- security and clients
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
    static final Directive LFU_LOG_FACTOR = signed("lfu-log-factor", null, 0, 0, INT_MAX, 10);
    static final Directive LFU_DECAY_TIME = signed("lfu-decay-time", null, 0, 0, INT_MAX, 1);
    static final Directive LAZYFREE_LAZY_EVICTION = bool("lazyfree-lazy-eviction", 0, false);
    static final Directive LAZYFREE_LAZY_EXPIRE = bool("lazyfree-lazy-expire", 0, false);
    static final Directive LAZYFREE_LAZY_SERVER_DEL = bool("lazyfree-lazy-server-del", 0, false);
    static final Directive LAZYFREE_LAZY_USER_DEL = bool("lazyfree-lazy-user-del", 0, false);
    static final Directive LAZYFREE_LAZY_USER_FLUSH = bool("lazyfree-lazy-user-flush", 0, false);

    // ---- threads
    static final Directive IO_THREADS = signed("io-threads", null, IMMUTABLE, 1, 128, 1);
    static final Directive IO_THREADS_DO_READS = bool("io-threads-do-reads", IMMUTABLE, false);
    // CPU lists in Redis's syntax ("0-7:2,9"), accepted unchecked as Redis does: server_cpulist pins the
    // event loop; the others are for the background agents (aof-sync: bio, snapshot: bgsave/aof_rewrite)
    static final Directive SERVER_CPULIST = string("server_cpulist", IMMUTABLE, true, "", NO_CHECK);
    static final Directive BIO_CPULIST = string("bio_cpulist", IMMUTABLE, true, "", NO_CHECK);
    static final Directive AOF_REWRITE_CPULIST = string("aof_rewrite_cpulist", IMMUTABLE, true, "", NO_CHECK);
    static final Directive BGSAVE_CPULIST = string("bgsave_cpulist", IMMUTABLE, true, "", NO_CHECK);

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

    // ---- slow log, latency, events
    static final Directive BUSY_REPLY_THRESHOLD = signed("busy-reply-threshold", "lua-time-limit", 0, 0, LONG_MAX,
        5000);
    static final Directive SLOWLOG_LOG_SLOWER_THAN = signed("slowlog-log-slower-than", null, 0, -1, LONG_MAX, 10000);
    static final Directive SLOWLOG_MAX_LEN = signed("slowlog-max-len", null, 0, 0, LONG_MAX, 128);
    static final Directive ACLLOG_MAX_LEN = signed("acllog-max-len", null, 0, 0, LONG_MAX, 128);
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
    static final Directive HZ = add("hz", null, 0, "10", new NumericType(0, INT_MAX, false, false, NO_CHECK,
        hz -> Math.max(1, Math.min(500, hz))));
    static final Directive DYNAMIC_HZ = bool("dynamic-hz", 0, true);
    static final Directive ACTIVE_EXPIRE_EFFORT = signed("active-expire-effort", null, 0, 1, 10, 1);
    static final Directive ACTIVEREHASHING = bool("activerehashing", 0, true);
    static final Directive TRACKING_TABLE_MAX_KEYS = unsigned("tracking-table-max-keys", null, 0, 0, LONG_MAX,
        1000000);
    static final Directive SHUTDOWN_TIMEOUT = signed("shutdown-timeout", null, 0, 0, INT_MAX, 10);
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

    // ---- KeelKV's own
    static final Directive IDLE_STRATEGY = enumeration("idle-strategy", IMMUTABLE | KEELKV, "backoff",
        "busy-spin", "yield", "backoff", "sleep");
    static final Directive PAGE_SIZE = memory("page-size", null, IMMUTABLE | KEELKV, 4096, 16 * MB, true, "64kb",
        value -> Long.bitCount((Long)value) == 1 ? null : "argument must be a power of two");
    /** backoff: how long the loop keeps polling after its last work before it blocks in epoll_wait. */
    static final Directive IDLE_SPIN_US = signed("idle-spin-us", null, KEELKV, 0, 1_000_000, 0);

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
        final Directive d = new Directive(TABLE.size(), name, alias, flags, defaultText, type);
        TABLE.add(d);
        return d;
    }

    private static Directive bool(final String name, final int flags, final boolean defaultValue)
    {
        return add(name, null, flags, defaultValue ? "yes" : "no", new BoolType(NO_CHECK));
    }

    /** Redis's int, long long, off_t and time_t configs: bounds compared signed. */
    private static Directive signed(final String name, final String alias, final int flags, final long lowerBound,
        final long upperBound, final long defaultValue)
    {
        return add(name, alias, flags, Long.toString(defaultValue),
            new NumericType(lowerBound, upperBound, false, false, NO_CHECK, LongUnaryOperator.identity()));
    }

    /** Redis's unsigned int, unsigned long long and size_t configs: bounds compared unsigned. */
    private static Directive unsigned(final String name, final String alias, final int flags, final long lowerBound,
        final long upperBound, final long defaultValue)
    {
        return add(name, alias, flags, Long.toString(defaultValue),
            new NumericType(lowerBound, upperBound, true, false, NO_CHECK, LongUnaryOperator.identity()));
    }

    private static Directive memory(final String name, final String alias, final int flags, final long lowerBound,
        final long upperBound, final boolean unsignedBounds, final String defaultText, final Check check)
    {
        return add(name, alias, flags, defaultText,
            new NumericType(lowerBound, upperBound, unsignedBounds, true, check, LongUnaryOperator.identity()));
    }

    private static Directive enumeration(final String name, final int flags, final String defaultValue,
        final String... names)
    {
        return add(name, null, flags, defaultValue, new EnumType(names));
    }

    private static Directive string(final String name, final int flags, final boolean emptyIsNull,
        final String defaultValue, final Check check)
    {
        return add(name, null, flags, defaultValue, new StringType(emptyIsNull, check));
    }

    /** pathIsBaseName. */
    private static boolean isBaseName(final String path)
    {
        return path.indexOf('/') < 0 && path.indexOf('\\') < 0;
    }
}
