package io.keelkv.server.config;

import io.keelkv.server.config.Directive.Invalid;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The server's configuration: typed current values of every directive in {@link Directives}, read from
 * {@code keel-server [config-file] [--directive value ...]} like redis-server, and read and changed at
 * runtime with CONFIG GET / CONFIG SET semantics and error texts of Redis 7.0.
 *
 * <p>Design. The directive table is data (name, alias, type, default, bounds, flags); this class only keeps
 * one immutable value per directive in an array indexed by the directive's id, so each typed getter is an
 * array read and an unboxing, and a CONFIG GET is the type's format of that value. Defaults are not
 * duplicated as Java values: they are config text run through the same parsers as a file line, so a default
 * can never be something a file could not say.
 *
 * <p>Start-up validation happens in one place, before anything is bound or mapped: every line is checked
 * as it is read (bounds, enums, page-size a power of two, dir exists), then {@code conclude()} checks what
 * needs the whole configuration (the log file can be opened). The first error stops the start with
 * redis-server's report layout, see {@link ConfigException}.
 *
 * <p>CONFIG SET with several directives is atomic, as in Redis 7 ({@link AtomicConfigSet}): names, mutability
 * and duplicates are checked first, then the values are set in order (an invalid one restores those already
 * set), then the {@link ConfigListener}s run; a listener's refusal restores every value of the command.
 *
 * <p>Threads: the event loop is the single writer (start-up, then CONFIG SET). Values are immutable
 * objects, so another thread reading a getter sees an old or a new value, never a torn one; agents that need a
 * setting promptly should take it through a listener.
 */
public final class ServerConfig
{
    public static final String VERSION = "0.1.0";
    static final String FATAL_HEADER = "*** FATAL CONFIG FILE ERROR (KeelKV) ***";

    private static final String USAGE = String.join("\n",
        "Usage: keel-server [/path/to/keelkv.conf] [options] [-]",
        "       keel-server - (read config from stdin)",
        "       keel-server -v or --version",
        "       keel-server -h or --help",
        "",
        "Examples:",
        "       keel-server (run the server with default conf)",
        "       echo 'maxmemory 128mb' | keel-server -",
        "       keel-server /etc/keelkv/6379.conf",
        "       keel-server --port 7777",
        "       keel-server /etc/mykeel.conf --loglevel verbose -",
        "       keel-server /etc/mykeel.conf --loglevel verbose",
        "",
        "The config file uses redis.conf syntax and Redis 7 directive names; --name value is the same as a",
        "'name value' line after the file.");

    private final Object[] values;
    private final List<String[]> renamedCommands = new java.util.ArrayList<>();
    private final List<List<ConfigListener>> listeners;
    private String configFile = "";

    private ServerConfig(final Path workingDirectory)
    {
        final List<Directive> all = Directives.ALL;
        values = new Object[all.size()];
        listeners = new ArrayList<>(all.size());
        values[Directives.DIR.id] = workingDirectory.toAbsolutePath().toString();
        for (final Directive d : all)
        {
            listeners.add(new ArrayList<>(0));
            try
            {
                values[d.id] = d.type.parse(d.defaultArgs(), values[d.id]);
            }
            catch (final Invalid ex)
            {
                throw new IllegalStateException("bad default for " + d.name + ": " + ex.getMessage(), ex);
            }
        }
    }

    /**
     * @return Redis's defaults (and KeelKV's for its own directives), dir being the working directory.
     */
    public static ServerConfig defaults()
    {
        return new ServerConfig(workingDirectory());
    }

    /**
     * Parses redis-server style arguments: {@code [config-file] [--directive value ...] [-]}. The file is read
     * first, then standard input if an argument is "-", then the options, as lines after the file.
     *
     * @return the configuration, or null when the first argument was {@code -v}/{@code --version} (the version
     * was printed on stdout) or {@code -h}/{@code --help} (the usage was printed on stderr, as redis-server does).
     * @throws ConfigException with redis-server's report of the first error, for the launcher to print on stderr
     *                         before exiting with status 1.
     */
    public static ServerConfig fromArgs(final String[] argv) throws ConfigException
    {
        return fromArgs(argv, workingDirectory(), System.in, System.out, System.err);
    }

    static ServerConfig fromArgs(final String[] argv, final Path workingDirectory, final InputStream stdin)
        throws ConfigException
    {
        return fromArgs(argv, workingDirectory, stdin, System.out, System.err);
    }

    static ServerConfig fromArgs(final String[] argv, final Path workingDirectory, final InputStream stdin,
        final PrintStream stdout, final PrintStream stderr) throws ConfigException
    {
        if (argv.length >= 1)
        {
            if (argv[0].equals("-v") || argv[0].equals("--version"))
            {
                stdout.println(versionText());
                return null;
            }
            if (argv[0].equals("-h") || argv[0].equals("--help"))
            {
                stderr.println(USAGE);
                return null;
            }
        }
        final ServerConfig config = new ServerConfig(workingDirectory);
        new ConfigLoader(config).loadArgs(argv, stdin);
        config.conclude();
        return config;
    }

    /**
     * @return what {@code keel-server --version} prints.
     */
    public static String versionText()
    {
        return "KeelKV server v=" + VERSION;
    }

    /**
     * @return what {@code keel-server --help} prints.
     */
    public static String usageText()
    {
        return USAGE;
    }

    /**
     * The checks that need the whole configuration, after the last line (config.c does the same at the
     * end of loadServerConfigFromString): first the switches of features KeelKV does not have, here and not
     * line by line so that a later line or argument can turn off what a file turned on (the rule is in
     * {@link Directives}); then the log file can be opened.
     */
    private void conclude() throws ConfigException
    {
        for (final Directive d : Directives.ALL)
        {
            final String reason = d.unsupportedReason(values[d.id]);
            if (reason != null)
            {
                throw new ConfigException(FATAL_HEADER + "\n" + reason + " (" + d.unsupportedHint + ")");
            }
        }
        final String logFile = logFile();
        if (!logFile.isEmpty())
        {
            // Redis opens it (creating it) at this point too: better to stop now than to lose the log later
            final Path path = Path.of(dir()).resolve(logFile);
            try
            {
                Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND).close();
            }
            catch (final IOException ex)
            {
                throw new ConfigException(FATAL_HEADER + "\nCan't open the log file: " + errnoText(ex));
            }
        }
    }

    // ------------------------------------------------------------------ CONFIG GET

    /**
     * @param name a directive name or alias, any case.
     * @return the value formatted as CONFIG GET prints it, or null when there is no such directive.
     */
    public String get(final String name)
    {
        final Directive d = Directives.lookup(name);
        return d == null ? null : d.format(values[d.id]);
    }

    /**
     * CONFIG GET with one argument.
     *
     * @see #getMatching(List)
     */
    public List<String[]> getMatching(final String pattern)
    {
        return getMatching(List.of(pattern));
    }

    /**
     * CONFIG GET with one or more arguments, as Redis 7: an argument without {@code * ? [} is an exact name
     * or alias (answered under the name as typed), otherwise a case-insensitive glob over every name and alias
     * but the hidden ones.
     * A name is answered once whatever matches it again.
     *
     * @return {name, value} pairs, in the order of the arguments and then of the directive table.
     */
    public List<String[]> getMatching(final List<String> patterns)
    {
        final Map<String, String[]> matches = new LinkedHashMap<>();
        for (final String pattern : patterns)
        {
            if (!Glob.hasSpecialChars(pattern))
            {
                final String key = pattern.toLowerCase(Locale.ROOT);
                final Directive d = Directives.lookup(key);
                if (d != null && !matches.containsKey(key))
                {
                    matches.put(key, new String[] {pattern, d.format(values[d.id])});
                }
                continue;
            }
            for (final Directive d : Directives.ALL)
            {
                if (d.isHidden())
                {
                    continue; // as Redis's HIDDEN_CONFIG: by exact name only
                }
                addIfMatches(matches, pattern, d.name, d);
                if (d.alias != null)
                {
                    addIfMatches(matches, pattern, d.alias, d);
                }
            }
        }
        return new ArrayList<>(matches.values());
    }

    private void addIfMatches(final Map<String, String[]> matches, final String pattern, final String entryName,
        final Directive d)
    {
        if (!matches.containsKey(entryName) && Glob.matches(pattern, entryName, true))
        {
            matches.put(entryName, new String[] {entryName, d.format(values[d.id])});
        }
    }

    // ------------------------------------------------------------------ CONFIG SET

    /**
     * CONFIG SET of one directive by a non-local client (protected directives need
     * {@code enable-protected-configs yes}).
     *
     * @throws ConfigException with the error reply text, e.g. {@code ERR CONFIG SET failed (possibly related to
     *                         argument 'maxmemory') - argument must be a memory value}.
     */
    public void set(final String name, final String value) throws ConfigException
    {
        setAll(false, List.of(name, value));
    }

    /**
     * CONFIG SET {@code name value [name value ...]}, atomically ({@link AtomicConfigSet}).
     *
     * @param localClient     whether the client is on a loopback address or unix socket: with
     *                        {@code enable-protected-configs local}, only such clients may set dir and dbfilename.
     * @param namesAndValues  the command's arguments after SET.
     * @throws ConfigException with the error reply text; nothing was changed.
     */
    public void setAll(final boolean localClient, final List<String> namesAndValues) throws ConfigException
    {
        AtomicConfigSet.apply(this, localClient, namesAndValues);
    }

    /** The listeners registered for directive {@code d}, in registration order. */
    List<ConfigListener> listeners(final Directive d)
    {
        return listeners.get(d.id);
    }

    /**
     * Registers a listener run after CONFIG SET changed the directive (see {@link ConfigListener}). A listener
     * registered for several directives runs once per CONFIG SET.
     *
     * @param name a directive name or alias.
     * @throws IllegalArgumentException when there is no such directive.
     */
    public void onChange(final String name, final ConfigListener listener)
    {
        final Directive d = Directives.lookup(name);
        if (d == null)
        {
            throw new IllegalArgumentException("no such directive: " + name);
        }
        listeners.get(d.id).add(Objects.requireNonNull(listener));
    }

    /**
     * @return every directive name (not the aliases), in table order.
     */
    public static List<String> directiveNames()
    {
        final List<String> names = new ArrayList<>(Directives.ALL.size());
        for (final Directive d : Directives.ALL)
        {
            names.add(d.name);
        }
        return Collections.unmodifiableList(names);
    }

    /**
     * @return the absolute path of the config file the server was started with, or "" without one (as
     * INFO's config_file shows it).
     */
    public String configFile()
    {
        return configFile;
    }

    /**
     * rename-command lines in the order read, each {from, to} ("" to remove), checked against Redis 7.0's
     * command names as Redis checks them; the server applies them to its command table.
     */
    public List<String[]> renamedCommands()
    {
        return List.copyOf(renamedCommands);
    }

    void renameCommand(final String from, final String to)
    {
        renamedCommands.add(new String[] {from, to});
    }

    void configFile(final String absolutePath)
    {
        configFile = absolutePath;
    }

    Object value(final Directive d)
    {
        return values[d.id];
    }

    void store(final Directive d, final Object value)
    {
        values[d.id] = value;
    }

    // ------------------------------------------------------------------ typed getters: network

    public int port()
    {
        return intValue(Directives.PORT);
    }

    /**
     * @return the bind addresses as configured (a leading '-' marks an optional address, "*" all IPv4
     * addresses, "::*" all IPv6 ones); empty means no TCP listener.
     */
    @SuppressWarnings("unchecked")
    public List<String> bindAddresses()
    {
        return (List<String>)values[Directives.BIND.id];
    }

    public boolean protectedMode()
    {
        return bool(Directives.PROTECTED_MODE);
    }

    public int tcpBacklog()
    {
        return intValue(Directives.TCP_BACKLOG);
    }

    /** Close a client idle for this long; 0 never. */
    public int timeoutSeconds()
    {
        return intValue(Directives.TIMEOUT);
    }

    public int tcpKeepAliveSeconds()
    {
        return intValue(Directives.TCP_KEEPALIVE);
    }

    // ------------------------------------------------------------------ general

    /** @return null when no pid file is to be written. */
    public String pidFile()
    {
        return (String)values[Directives.PIDFILE.id];
    }

    /** @return debug, verbose, notice or warning. */
    public String logLevel()
    {
        return (String)values[Directives.LOGLEVEL.id];
    }

    /** @return "" for standard output, else a path relative to {@link #dir()} unless absolute. */
    public String logFile()
    {
        return (String)values[Directives.LOGFILE.id];
    }

    public int databases()
    {
        return intValue(Directives.DATABASES);
    }

    /** @return the absolute real path of the working directory for snapshots and the AOF. */
    public String dir()
    {
        return (String)values[Directives.DIR.id];
    }

    // ------------------------------------------------------------------ snapshots

    @SuppressWarnings("unchecked")
    public List<SavePoint> save()
    {
        return (List<SavePoint>)values[Directives.SAVE.id];
    }

    public boolean stopWritesOnBgsaveError()
    {
        return bool(Directives.STOP_WRITES_ON_BGSAVE_ERROR);
    }

    /**
     * Redis's hidden test knob rdb-key-save-delay: microseconds a save sleeps per key there, per page here
     * (KeelKV saves pages), so that tests can act while a background save runs.
     */
    public long rdbKeySaveDelayMicros()
    {
        return longValue(Directives.RDB_KEY_SAVE_DELAY);
    }

    public boolean rdbCompression()
    {
        return bool(Directives.RDBCOMPRESSION);
    }

    public boolean rdbChecksum()
    {
        return bool(Directives.RDBCHECKSUM);
    }

    public String dbFilename()
    {
        return (String)values[Directives.DBFILENAME.id];
    }

    // ------------------------------------------------------------------ security and clients

    /** @return the password of the default user, or null when none is required. */
    public String requirePass()
    {
        return (String)values[Directives.REQUIREPASS.id];
    }

    /**
     * @return the most clients served at once. Redis allows up to 4294967295; values above
     * {@link Integer#MAX_VALUE} are returned as {@link Integer#MAX_VALUE} (CONFIG GET shows the exact value).
     */
    public int maxClients()
    {
        return (int)Math.min(Integer.MAX_VALUE, longValue(Directives.MAXCLIENTS));
    }

    /** @return "no", "yes" or "local". */
    public String enableDebugCommand()
    {
        return (String)values[Directives.ENABLE_DEBUG_COMMAND.id];
    }

    /** @return "no", "yes" or "local". */
    public String enableProtectedConfigs()
    {
        return (String)values[Directives.ENABLE_PROTECTED_CONFIGS.id];
    }

    /** @return "no", "yes" or "local". */
    public String enableModuleCommand()
    {
        return (String)values[Directives.ENABLE_MODULE_COMMAND.id];
    }

    // ------------------------------------------------------------------ memory

    /**
     * @return the memory limit in bytes, 0 for none. Redis keeps an unsigned 64-bit value; above
     * {@link Long#MAX_VALUE} it is returned as {@link Long#MAX_VALUE}.
     */
    public long maxMemoryBytes()
    {
        final long bytes = longValue(Directives.MAXMEMORY);
        return bytes < 0 ? Long.MAX_VALUE : bytes;
    }

    /** @return the memory limit as Redis keeps it: an unsigned 64-bit value (2^64-1 is -1 here), for INFO. */
    public long maxMemoryBytesUnsigned()
    {
        return longValue(Directives.MAXMEMORY);
    }

    /** @return a Redis policy name: noeviction, allkeys-lru, volatile-lru, allkeys-lfu, ... */
    public String maxMemoryPolicy()
    {
        return (String)values[Directives.MAXMEMORY_POLICY.id];
    }

    public int maxMemorySamples()
    {
        return intValue(Directives.MAXMEMORY_SAMPLES);
    }

    public int maxMemoryEvictionTenacity()
    {
        return intValue(Directives.MAXMEMORY_EVICTION_TENACITY);
    }

    public int lfuLogFactor()
    {
        return intValue(Directives.LFU_LOG_FACTOR);
    }

    public int lfuDecayTimeMinutes()
    {
        return intValue(Directives.LFU_DECAY_TIME);
    }

    public boolean lazyfreeLazyEviction()
    {
        return bool(Directives.LAZYFREE_LAZY_EVICTION);
    }

    public boolean lazyfreeLazyExpire()
    {
        return bool(Directives.LAZYFREE_LAZY_EXPIRE);
    }

    public boolean lazyfreeLazyServerDel()
    {
        return bool(Directives.LAZYFREE_LAZY_SERVER_DEL);
    }

    public boolean lazyfreeLazyUserDel()
    {
        return bool(Directives.LAZYFREE_LAZY_USER_DEL);
    }

    public boolean lazyfreeLazyUserFlush()
    {
        return bool(Directives.LAZYFREE_LAZY_USER_FLUSH);
    }

    // ------------------------------------------------------------------ append only file

    public boolean appendOnly()
    {
        return bool(Directives.APPENDONLY);
    }

    public String appendFilename()
    {
        return (String)values[Directives.APPENDFILENAME.id];
    }

    public String appendDirName()
    {
        return (String)values[Directives.APPENDDIRNAME.id];
    }

    /** @return always, everysec or no. */
    public String appendFsync()
    {
        return (String)values[Directives.APPENDFSYNC.id];
    }

    public boolean noAppendFsyncOnRewrite()
    {
        return bool(Directives.NO_APPENDFSYNC_ON_REWRITE);
    }

    public int autoAofRewritePercentage()
    {
        return intValue(Directives.AUTO_AOF_REWRITE_PERCENTAGE);
    }

    public long autoAofRewriteMinSizeBytes()
    {
        return longValue(Directives.AUTO_AOF_REWRITE_MIN_SIZE);
    }

    public boolean aofLoadTruncated()
    {
        return bool(Directives.AOF_LOAD_TRUNCATED);
    }

    public boolean aofUseRdbPreamble()
    {
        return bool(Directives.AOF_USE_RDB_PREAMBLE);
    }

    public boolean aofTimestampEnabled()
    {
        return bool(Directives.AOF_TIMESTAMP_ENABLED);
    }

    // ------------------------------------------------------------------ slow log, latency, events

    public long busyReplyThresholdMs()
    {
        return longValue(Directives.BUSY_REPLY_THRESHOLD);
    }

    /** @return microseconds; -1 disables the slow log, 0 logs every command. */
    public long slowlogLogSlowerThanMicros()
    {
        return longValue(Directives.SLOWLOG_LOG_SLOWER_THAN);
    }

    public long slowlogMaxLen()
    {
        return longValue(Directives.SLOWLOG_MAX_LEN);
    }

    public long latencyMonitorThresholdMs()
    {
        return longValue(Directives.LATENCY_MONITOR_THRESHOLD);
    }

    public boolean latencyTracking()
    {
        return bool(Directives.LATENCY_TRACKING);
    }

    @SuppressWarnings("unchecked")
    public List<Double> latencyTrackingInfoPercentiles()
    {
        return (List<Double>)values[Directives.LATENCY_TRACKING_INFO_PERCENTILES.id];
    }

    /** @return the {@link KeyspaceEvents} flags; 0 when notifications are off. */
    public int notifyKeyspaceEvents()
    {
        return (Integer)values[Directives.NOTIFY_KEYSPACE_EVENTS.id];
    }

    // ------------------------------------------------------------------ encodings

    public long hashMaxListpackEntries()
    {
        return longValue(Directives.HASH_MAX_LISTPACK_ENTRIES);
    }

    public long hashMaxListpackValueBytes()
    {
        return longValue(Directives.HASH_MAX_LISTPACK_VALUE);
    }

    /** @return positive: entries per node; -1..-5: node size 4, 8, 16, 32, 64 KiB. */
    public int listMaxListpackSize()
    {
        return intValue(Directives.LIST_MAX_LISTPACK_SIZE);
    }

    public int listCompressDepth()
    {
        return intValue(Directives.LIST_COMPRESS_DEPTH);
    }

    public long setMaxIntsetEntries()
    {
        return longValue(Directives.SET_MAX_INTSET_ENTRIES);
    }

    public long zsetMaxListpackEntries()
    {
        return longValue(Directives.ZSET_MAX_LISTPACK_ENTRIES);
    }

    public long zsetMaxListpackValueBytes()
    {
        return longValue(Directives.ZSET_MAX_LISTPACK_VALUE);
    }

    public long hllSparseMaxBytes()
    {
        return longValue(Directives.HLL_SPARSE_MAX_BYTES);
    }

    public long streamNodeMaxBytes()
    {
        return longValue(Directives.STREAM_NODE_MAX_BYTES);
    }

    public long streamNodeMaxEntries()
    {
        return longValue(Directives.STREAM_NODE_MAX_ENTRIES);
    }

    // ------------------------------------------------------------------ limits and advanced

    public BufferLimit clientOutputBufferLimitNormal()
    {
        return bufferLimit(ValueTypes.OutputBufferLimitType.NORMAL);
    }

    public BufferLimit clientOutputBufferLimitReplica()
    {
        return bufferLimit(ValueTypes.OutputBufferLimitType.REPLICA);
    }

    public BufferLimit clientOutputBufferLimitPubSub()
    {
        return bufferLimit(ValueTypes.OutputBufferLimitType.PUBSUB);
    }

    /** @return the largest query buffer of a client, in bytes. */
    public long clientQueryBufferLimit()
    {
        return longValue(Directives.CLIENT_QUERY_BUFFER_LIMIT);
    }

    /** @return the largest bulk string a client may send, in bytes. */
    public long protoMaxBulkLen()
    {
        return longValue(Directives.PROTO_MAX_BULK_LEN);
    }

    /** @return the frequency of background tasks, already kept within 1..500 as Redis does. */
    public int hz()
    {
        return intValue(Directives.HZ);
    }

    public boolean dynamicHz()
    {
        return bool(Directives.DYNAMIC_HZ);
    }

    public int activeExpireEffort()
    {
        return intValue(Directives.ACTIVE_EXPIRE_EFFORT);
    }

    public boolean activeRehashing()
    {
        return bool(Directives.ACTIVEREHASHING);
    }

    public long trackingTableMaxKeys()
    {
        return longValue(Directives.TRACKING_TABLE_MAX_KEYS);
    }

    public int shutdownTimeoutSeconds()
    {
        return intValue(Directives.SHUTDOWN_TIMEOUT);
    }

    public boolean activeDefrag()
    {
        return bool(Directives.ACTIVEDEFRAG);
    }

    public int ioThreads()
    {
        return intValue(Directives.IO_THREADS);
    }

    // ------------------------------------------------------------------ KeelKV's own

    /** @return busy-spin, yield, backoff or sleep. */
    public String idleStrategy()
    {
        return (String)values[Directives.IDLE_STRATEGY.id];
    }

    /** @return microseconds the backoff idle strategy keeps polling after the last work, before blocking. */
    public int idleSpinMicros()
    {
        return intValue(Directives.IDLE_SPIN_US);
    }

    /** @return the off-heap page size: a power of two between 4 KiB and 16 MiB. */
    public int pageSizeBytes()
    {
        return intValue(Directives.PAGE_SIZE);
    }

    /** shutdown-on-sigterm/sigint flag bits (Redis's SHUTDOWN_SAVE 1, NOSAVE 2, NOW 4, FORCE 8; default 0). */
    public static final int SHUTDOWN_FLAG_SAVE = 1;
    public static final int SHUTDOWN_FLAG_NOSAVE = 2;
    public static final int SHUTDOWN_FLAG_FORCE = 8;

    /** @return the shutdown-on-sigterm (or, with false, shutdown-on-sigint) flags. */
    public int shutdownOnSignalFlags(final boolean sigterm)
    {
        return (Integer)values[(sigterm ? Directives.SHUTDOWN_ON_SIGTERM : Directives.SHUTDOWN_ON_SIGINT).id];
    }

    /** @return server_cpulist: the CPUs to pin the event loop to, in Redis's list syntax, or "" for none. */
    public String serverCpuList()
    {
        final Object value = values[Directives.SERVER_CPULIST.id];
        return value == null ? "" : value.toString();
    }

    // ------------------------------------------------------------------ helpers

    private BufferLimit bufferLimit(final int clientClass)
    {
        return (BufferLimit)((List<?>)values[Directives.CLIENT_OUTPUT_BUFFER_LIMIT.id]).get(clientClass);
    }

    private boolean bool(final Directive d)
    {
        return (Boolean)values[d.id];
    }

    private int intValue(final Directive d)
    {
        return (int)(long)(Long)values[d.id];
    }

    private long longValue(final Directive d)
    {
        return (Long)values[d.id];
    }

    private static Path workingDirectory()
    {
        return Path.of("").toAbsolutePath();
    }

    /**
     * The strerror() text Redis would show for a failed file operation.
     */
    static String errnoText(final IOException ex)
    {
        if (ex instanceof NoSuchFileException)
        {
            return "No such file or directory";
        }
        if (ex instanceof AccessDeniedException)
        {
            return "Permission denied";
        }
        if (ex instanceof NotDirectoryException)
        {
            return "Not a directory";
        }
        if (ex instanceof FileSystemException fse && fse.getReason() != null)
        {
            return fse.getReason();
        }
        return ex.getMessage();
    }

    /** Every directive and its value (passwords redacted), for diagnostics. */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("ServerConfig{");
        for (final Directive d : Directives.ALL)
        {
            if (d == Directives.REQUIREPASS || d == Directives.MASTERAUTH || d == Directives.TLS_KEY_FILE_PASS ||
                d == Directives.TLS_CLIENT_KEY_FILE_PASS)
            {
                sb.append(d.name).append("=<redacted>, ");
                continue;
            }
            sb.append(d.name).append('=').append(d.format(values[d.id])).append(", ");
        }
        sb.setLength(sb.length() - 2);
        return sb.append('}').toString();
    }
}
