package io.keelkv.server.command;

import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.aof.AofControl;
import io.keelkv.engine.aof.AofRewrite;
import io.keelkv.engine.command.CommandContext;
import io.keelkv.engine.command.CommandSpec;
import io.keelkv.engine.command.CommandTable;
import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.ErrorStats;
import io.keelkv.engine.snapshot.SnapshotControl;
import io.keelkv.server.config.ServerConfig;
import io.keelkv.server.net.EventLoopAgent;
import io.keelkv.server.net.NetStats;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;

/**
 * The INFO command: Redis 7.0's sections, field names and field order, so that monitoring tools, redis-cli
 * and client libraries that parse INFO keep working (docs/ARCHITECTURE.md, "Compatibility rules").
 *
 * <p>Design. Field names and their order follow Redis 7.0.15's {@code INFO everything} line by line (the
 * test {@code InfoCommandTest} compares them with a capture of the real server). A field is filled with a
 * real KeelKV figure where one exists; fields about subsystems KeelKV does not have (Lua, replication,
 * forks, modules, cluster) keep the value an idle Redis reports, so a tool sees "nothing happening" rather
 * than a missing field. The memory figures are KeelKV's own and honest: see {@link #memory}.
 *
 * <p>INFO is not on the hot path: the text is built with a StringBuilder per call. The instantaneous
 * metrics (ops/sec, kbps) are sampled by {@link #onCron(long)} every 100 ms, as Redis's
 * trackInstantaneousMetric does in serverCron, from the event loop's cron hook.
 *
 * <p>Threads: everything here runs on the event loop, the owner of the keyspace and of the counters.
 */
public final class Info
{
    /** KeelKV's own version: INFO's keelkv_version and the start log line. */
    public static final String VERSION = "0.1.0";
    /** The Redis version whose behaviour KeelKV follows; reported where clients look for it. */
    public static final String REDIS_VERSION = "7.0.15";

    static final int SERVER = 0;
    static final int CLIENTS = 1;
    static final int MEMORY = 2;
    static final int PERSISTENCE = 3;
    static final int STATS = 4;
    static final int REPLICATION = 5;
    static final int CPU = 6;
    static final int MODULES = 7;
    static final int COMMANDSTATS = 8;
    static final int ERRORSTATS = 9;
    static final int LATENCYSTATS = 10;
    static final int CLUSTER = 11;
    static final int KEYSPACE = 12;

    /** Section names as INFO takes them, in output order (the order is fixed whatever the arguments' order). */
    static final String[] SECTION_NAMES = {
        "server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "commandstats",
        "errorstats", "latencystats", "cluster", "keyspace"};
    private static final String[] SECTION_TITLES = {
        "Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules", "Commandstats",
        "Errorstats", "Latencystats", "Cluster", "Keyspace"};

    static final int ALL_SECTIONS = (1 << SECTION_NAMES.length) - 1;
    /** What INFO and INFO default print: Redis leaves out the per-command sections. */
    static final int DEFAULT_SECTIONS = ALL_SECTIONS & ~(1 << COMMANDSTATS) & ~(1 << LATENCYSTATS);

    private static final byte[][] SECTION_NAME_BYTES = new byte[SECTION_NAMES.length][];
    private static final byte[] DEFAULT = bytes("default");
    private static final byte[] ALL = bytes("all");
    private static final byte[] EVERYTHING = bytes("everything");

    /** As Redis's STATS_METRIC_SAMPLES and the 100 ms period of trackInstantaneousMetric in serverCron. */
    private static final int METRIC_SAMPLES = 16;
    private static final long METRIC_PERIOD_MS = 100;
    private static final int LRU_CLOCK_MAX = (1 << 24) - 1;
    private static final long PAGE_BYTES = 4096;

    static
    {
        for (int i = 0; i < SECTION_NAMES.length; i++)
        {
            SECTION_NAME_BYTES[i] = bytes(SECTION_NAMES[i]);
        }
    }

    private final ServerControl server;
    private final ServerConfig config;
    private final KeelEngine engine;
    private final EventLoopAgent loop;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    private final String replicationId = randomHex(40);
    private final String osText = osText();
    private final String executable = ProcessHandle.current().info().command().orElse("java");
    private final long usedMemoryStartup;
    private long usedMemoryPeak;

    private final InstantaneousMetric opsPerSec = new InstantaneousMetric();
    private final InstantaneousMetric inputBytesPerSec = new InstantaneousMetric();
    private final InstantaneousMetric outputBytesPerSec = new InstantaneousMetric();
    private long nextSampleMs;

    public Info(final ServerControl server)
    {
        this.server = server;
        this.config = server.config();
        this.engine = server.engine();
        this.loop = server.loop();
        this.usedMemoryStartup = usedMemory();
        this.usedMemoryPeak = usedMemoryStartup;
    }

    public void bind(final CommandTable table)
    {
        table.bind("info", this::info);
    }

    /**
     * Cron hook, on the event loop at {@code hz}: samples the instantaneous metrics every 100 ms (at most as
     * often as the cron runs) and keeps the memory peak.
     */
    public void onCron(final long nowMs)
    {
        if (nowMs - nextSampleMs >= 0)
        {
            nextSampleMs = nowMs + METRIC_PERIOD_MS;
            final NetStats stats = loop.stats();
            opsPerSec.sample(nowMs, stats.totalCommandsProcessed);
            inputBytesPerSec.sample(nowMs, stats.totalNetInputBytes);
            outputBytesPerSec.sample(nowMs, stats.totalNetOutputBytes);
        }
        // maxmemory is measured against what used_memory reports, as in Redis; the heap and buffers are
        // sampled here (a constant during one eviction loop: evicting keys does not shrink them)
        final long outsidePages = outsidePagesBytes();
        engine.eviction().overheadBytes(outsidePages);
        trackPeak(engine.memory().pagesInUseBytes() + outsidePages);
    }

    /** CONFIG RESETSTAT: the figures INFO owns (Redis's resetServerStats: peak memory, instantaneous metrics). */
    public void resetStats()
    {
        usedMemoryPeak = usedMemory();
        opsPerSec.reset();
        inputBytesPerSec.reset();
        outputBytesPerSec.reset();
    }

    private void info(final CommandContext ctx)
    {
        final Args args = ctx.args();
        int sections = 0;
        if (args.count() == 1)
        {
            sections = DEFAULT_SECTIONS;
        }
        for (int i = 1; i < args.count(); i++)
        {
            sections |= sectionsOf(args, i);
        }
        ctx.out().verbatim("txt", generate(sections).getBytes(StandardCharsets.UTF_8));
    }

    /** The sections one INFO argument selects; unknown names select nothing, as in Redis. */
    static int sectionsOf(final Args args, final int index)
    {
        if (args.equalsIgnoreCase(index, DEFAULT))
        {
            return DEFAULT_SECTIONS;
        }
        if (args.equalsIgnoreCase(index, ALL) || args.equalsIgnoreCase(index, EVERYTHING))
        {
            return ALL_SECTIONS;
        }
        for (int s = 0; s < SECTION_NAME_BYTES.length; s++)
        {
            if (args.equalsIgnoreCase(index, SECTION_NAME_BYTES[s]))
            {
                return 1 << s;
            }
        }
        return 0;
    }

    /** The INFO text of the given sections (a bit per section index), sections separated by an empty line. */
    public String generate(final int sections)
    {
        final StringBuilder sb = new StringBuilder(8192);
        final long nowMs = System.currentTimeMillis();
        final long usedMemory = usedMemory();
        trackPeak(usedMemory);
        for (int s = 0; s < SECTION_NAMES.length; s++)
        {
            if ((sections & (1 << s)) == 0)
            {
                continue;
            }
            if (sb.length() > 0)
            {
                sb.append("\r\n");
            }
            sb.append("# ").append(SECTION_TITLES[s]).append("\r\n");
            switch (s)
            {
                case SERVER: server(sb, nowMs); break;
                case CLIENTS: clients(sb); break;
                case MEMORY: memory(sb, usedMemory); break;
                case PERSISTENCE: persistence(sb); break;
                case STATS: stats(sb); break;
                case REPLICATION: replication(sb); break;
                case CPU: cpu(sb); break;
                case COMMANDSTATS: commandStats(sb); break;
                case ERRORSTATS: errorStats(sb); break;
                case LATENCYSTATS: latencyStats(sb); break;
                case CLUSTER: field(sb, "cluster_enabled", 0); break;
                case KEYSPACE: keyspace(sb); break;
                default: break; // Modules: nothing to report
            }
        }
        return sb.toString();
    }

    private void server(final StringBuilder sb, final long nowMs)
    {
        final long uptimeSec = (nowMs - server.startTimeMs()) / 1000;
        field(sb, "redis_version", REDIS_VERSION);
        field(sb, "keelkv_version", VERSION);
        field(sb, "redis_git_sha1", "00000000");
        field(sb, "redis_git_dirty", 0);
        field(sb, "redis_build_id", "0");
        field(sb, "redis_mode", "standalone");
        field(sb, "os", osText);
        field(sb, "arch_bits", System.getProperty("sun.arch.data.model", "64"));
        // System.nanoTime is clock_gettime(CLOCK_MONOTONIC) on Linux, the same source as Redis's POSIX clock
        field(sb, "monotonic_clock", "POSIX clock_gettime");
        field(sb, "multiplexing_api", multiplexingApi());
        field(sb, "atomicvar_api", "java-varhandle");
        field(sb, "gcc_version", "0.0.0");
        field(sb, "process_id", ProcessHandle.current().pid());
        field(sb, "process_supervised", "no");
        field(sb, "run_id", server.runId());
        field(sb, "tcp_port", server.port());
        field(sb, "server_time_usec", nowMs * 1000);
        field(sb, "uptime_in_seconds", uptimeSec);
        field(sb, "uptime_in_days", uptimeSec / 86400);
        field(sb, "hz", loop.limits().hz);
        field(sb, "configured_hz", config.hz());
        field(sb, "lru_clock", (nowMs / 1000) & LRU_CLOCK_MAX);
        field(sb, "executable", executable);
        field(sb, "config_file", configFileOf(config));
        field(sb, "io_threads_active", 0);
    }

    private void clients(final StringBuilder sb)
    {
        field(sb, "connected_clients", loop.connectedClients());
        field(sb, "cluster_connections", 0);
        field(sb, "maxclients", config.get("maxclients"));
        field(sb, "client_recent_max_input_buffer", loop.biggestInputBuffer());
        field(sb, "client_recent_max_output_buffer", loop.biggestOutputBuffer());
        field(sb, "blocked_clients", server.engine().blocking().blockedClients());
        field(sb, "tracking_clients", 0);
        field(sb, "clients_in_timeout_table", server.engine().blocking().clientsInTimeoutTable());
    }

    /**
     * Memory, KeelKV's honest version of Redis's figures. The data lives in off-heap pages, the clients'
     * query and reply buffers in direct memory, the rest (the command table, the JVM's own objects) on the
     * Java heap, so {@code used_memory} is the pages in use plus the buffers plus the heap in use: what this
     * process really holds for its work, not only what was handed to keys. {@code used_memory_dataset} is
     * what the page allocator handed out for keys and values (size-class rounding included); maxmemory is
     * measured against it plus the buffers and the heap, so used_memory stays within maxmemory but for the
     * pages' free slack (allocator_frag_bytes), which evicting keys cannot give back;
     * the allocator_* figures describe the page allocator (allocated = handed out, active = resident =
     * pages in use), and {@code used_memory_rss} is the kernel's resident set of the whole JVM.
     */
    private void memory(final StringBuilder sb, final long usedMemory)
    {
        final PageMemory memory = engine.memory();
        final long rss = residentSetBytes();
        final long dataset = memory.allocatedBytes();
        final long overhead = Math.max(0, usedMemory - dataset);
        final long netUsage = usedMemory > usedMemoryStartup ? usedMemory - usedMemoryStartup : 1;
        final long allocated = memory.allocatedBytes();
        final long active = memory.pagesInUseBytes();
        final long resident = active;
        // unsigned, as Redis keeps it: its "%lld" prints 2^64-1 as -1, and bytesToHuman takes it unsigned
        final long maxMemory = config.maxMemoryBytesUnsigned();
        final long totalSystemMemory = totalSystemMemory();

        field(sb, "used_memory", usedMemory);
        field(sb, "used_memory_human", bytesToHuman(usedMemory));
        field(sb, "used_memory_rss", rss);
        field(sb, "used_memory_rss_human", bytesToHuman(rss));
        field(sb, "used_memory_peak", usedMemoryPeak);
        field(sb, "used_memory_peak_human", bytesToHuman(usedMemoryPeak));
        field(sb, "used_memory_peak_perc", percent(usedMemory, usedMemoryPeak));
        field(sb, "used_memory_overhead", overhead);
        field(sb, "used_memory_startup", usedMemoryStartup);
        field(sb, "used_memory_dataset", dataset);
        field(sb, "used_memory_dataset_perc", percent(dataset, netUsage));
        field(sb, "allocator_allocated", allocated);
        field(sb, "allocator_active", active);
        field(sb, "allocator_resident", resident);
        field(sb, "total_system_memory", totalSystemMemory);
        field(sb, "total_system_memory_human", bytesToHuman(totalSystemMemory));
        // no Lua, no functions: Redis's figures for them are zero here
        field(sb, "used_memory_lua", 0);
        field(sb, "used_memory_vm_eval", 0);
        field(sb, "used_memory_lua_human", "0B");
        field(sb, "used_memory_scripts_eval", 0);
        field(sb, "number_of_cached_scripts", 0);
        field(sb, "number_of_functions", 0);
        field(sb, "number_of_libraries", 0);
        field(sb, "used_memory_vm_functions", 0);
        field(sb, "used_memory_vm_total", 0);
        field(sb, "used_memory_vm_total_human", "0B");
        field(sb, "used_memory_functions", 0);
        field(sb, "used_memory_scripts", 0);
        field(sb, "used_memory_scripts_human", "0B");
        field(sb, "maxmemory", maxMemory);
        field(sb, "maxmemory_human", bytesToHuman(maxMemory));
        field(sb, "maxmemory_policy", config.maxMemoryPolicy());
        field(sb, "allocator_frag_ratio", ratio(active, allocated));
        field(sb, "allocator_frag_bytes", active - allocated);
        field(sb, "allocator_rss_ratio", ratio(resident, active));
        field(sb, "allocator_rss_bytes", resident - active);
        field(sb, "rss_overhead_ratio", ratio(rss, resident));
        field(sb, "rss_overhead_bytes", rss - resident);
        field(sb, "mem_fragmentation_ratio", ratio(rss, usedMemory));
        field(sb, "mem_fragmentation_bytes", rss - usedMemory);
        field(sb, "mem_not_counted_for_evict", 0);
        field(sb, "mem_replication_backlog", 0);
        field(sb, "mem_total_replication_buffers", 0);
        field(sb, "mem_clients_slaves", 0);
        field(sb, "mem_clients_normal", loop.clientBufferBytes());
        field(sb, "mem_cluster_links", 0);
        field(sb, "mem_aof_buffer", 0);
        field(sb, "mem_allocator", "keelkv-pages");
        field(sb, "active_defrag_running", 0);
        field(sb, "lazyfree_pending_objects", engine.lazyFree().pendingObjects());
        field(sb, "lazyfreed_objects", engine.lazyFree().freedObjects());
    }

    private void persistence(final StringBuilder sb)
    {
        final boolean aof = config.appendOnly();
        field(sb, "loading", 0);
        field(sb, "async_loading", 0);
        // the background snapshot's copy-on-write is KeelKV's own, in user space: copies the event loop made of
        // pages before writing them, plus page releases that wait for the agent; live figures, so age 0
        final SnapshotControl snapshots = engine.snapshots();
        final boolean saving = snapshots.backgroundSaveRunning();
        field(sb, "current_cow_peak", saving ? snapshots.peakRetainedBytes() : 0);
        field(sb, "current_cow_size", saving ? snapshots.retainedBytes() : 0);
        field(sb, "current_cow_size_age", 0);
        field(sb, "current_fork_perc", String.format(java.util.Locale.ROOT, "%.2f", snapshots.progressPercent()));
        // a snapshot writes pages, not keys: how many keys it has written is not known until the end
        field(sb, "current_save_keys_processed", 0);
        field(sb, "current_save_keys_total", saving ? snapshots.backgroundSaveKeys() : 0);
        field(sb, "rdb_changes_since_last_save", snapshots.changesSinceLastSave());
        field(sb, "rdb_bgsave_in_progress", saving ? 1 : 0);
        field(sb, "rdb_last_save_time", snapshots.lastSaveTimeSec());
        field(sb, "rdb_last_bgsave_status", snapshots.lastBackgroundSaveOk() ? "ok" : "err");
        field(sb, "rdb_last_bgsave_time_sec", snapshots.lastBackgroundSaveTimeSec());
        field(sb, "rdb_current_bgsave_time_sec", snapshots.currentBackgroundSaveTimeSec());
        field(sb, "rdb_saves", snapshots.saves());
        field(sb, "rdb_last_cow_size", snapshots.lastCopiedBytes());
        // a snapshot restores pages as they are: keys past their deadline are loaded and expire as usual after
        field(sb, "rdb_last_load_keys_expired", 0);
        field(sb, "rdb_last_load_keys_loaded", snapshots.lastLoadKeys());
        field(sb, "aof_enabled", aof ? 1 : 0);
        final AofRewrite rewrite = engine.aof().reportedRewrite();
        field(sb, "aof_rewrite_in_progress", rewrite != null && rewrite.running() ? 1 : 0);
        field(sb, "aof_rewrite_scheduled", rewrite != null && rewrite.scheduled() ? 1 : 0);
        field(sb, "aof_last_rewrite_time_sec", rewrite == null ? -1 : rewrite.lastTimeSec());
        field(sb, "aof_current_rewrite_time_sec", rewrite == null ? -1 : rewrite.currentTimeSec());
        field(sb, "aof_last_bgrewrite_status", rewrite == null || rewrite.lastOk() ? "ok" : "err");
        field(sb, "aof_rewrites", rewrite == null ? 0 : rewrite.rewrites());
        field(sb, "aof_rewrites_consecutive_failures", rewrite == null ? 0 : rewrite.consecutiveFailures());
        field(sb, "aof_last_write_status", engine.aof().lastWriteOk() ? "ok" : "err");
        field(sb, "aof_last_cow_size", snapshots.lastBaseCopiedBytes());
        field(sb, "module_fork_in_progress", 0);
        field(sb, "module_fork_last_cow_size", 0);
        final AofControl aofControl = engine.aof();
        if (aof)
        {
            field(sb, "aof_current_size", server.aof().currentSize());
            field(sb, "aof_base_size", server.aof().baseSize());
            field(sb, "aof_pending_rewrite", 0);
            field(sb, "aof_buffer_length", aofControl.bufferLength());
            field(sb, "aof_pending_bio_fsync", aofControl.pendingSync());
            field(sb, "aof_delayed_fsync", aofControl.delayedSyncs());
        }
        // KeelKV's own, after Redis's: who copied the pages of the running (or last) background save
        field(sb, "keelkv_bgsave_pages_copied_by_writer", snapshots.pagesCopiedByWriter());
        field(sb, "keelkv_bgsave_pages_copied_by_agent", snapshots.pagesCopiedByAgent());
        field(sb, "keelkv_bgsave_last_instant_usec", snapshots.lastInstantMicros());
        field(sb, "keelkv_bgsave_max_instant_usec", snapshots.maxInstantMicros());
        if (aof)
        {
            // the group commit: how many msyncs, how long they took, how much each carried
            final long syncs = aofControl.syncs();
            field(sb, "keelkv_aof_syncs", syncs);
            field(sb, "keelkv_aof_sync_avg_usec", syncs == 0 ? 0 : aofControl.syncNs() / syncs / 1000);
            field(sb, "keelkv_aof_sync_max_usec", aofControl.maxSyncNs() / 1000);
            field(sb, "keelkv_aof_batch_avg_bytes", syncs == 0 ? 0 : aofControl.syncedBytes() / syncs);
            field(sb, "keelkv_aof_commands_appended", aofControl.appendedCommands());
        }
    }

    private void stats(final StringBuilder sb)
    {
        final NetStats net = loop.stats();
        final Keyspace keyspace = engine.keyspace();
        field(sb, "total_connections_received", net.totalConnectionsReceived);
        field(sb, "total_commands_processed", net.totalCommandsProcessed);
        field(sb, "instantaneous_ops_per_sec", opsPerSec.perSecond());
        field(sb, "total_net_input_bytes", net.totalNetInputBytes);
        field(sb, "total_net_output_bytes", net.totalNetOutputBytes);
        field(sb, "total_net_repl_input_bytes", 0);
        field(sb, "total_net_repl_output_bytes", 0);
        field(sb, "instantaneous_input_kbps", fixed2(inputBytesPerSec.perSecond() / 1024.0));
        field(sb, "instantaneous_output_kbps", fixed2(outputBytesPerSec.perSecond() / 1024.0));
        field(sb, "instantaneous_input_repl_kbps", "0.00");
        field(sb, "instantaneous_output_repl_kbps", "0.00");
        field(sb, "rejected_connections", net.rejectedConnections);
        field(sb, "sync_full", 0);
        field(sb, "sync_partial_ok", 0);
        field(sb, "sync_partial_err", 0);
        field(sb, "expired_keys", keyspace.expiredKeys());
        field(sb, "expired_stale_perc", fixed2(keyspace.expiredStalePercent()));
        field(sb, "expired_time_cap_reached_count", keyspace.expiredTimeCapReachedCount());
        field(sb, "expire_cycle_cpu_milliseconds", 0);
        field(sb, "evicted_keys", keyspace.evictedKeys());
        field(sb, "evicted_clients", 0);
        field(sb, "total_eviction_exceeded_time", 0);
        field(sb, "current_eviction_exceeded_time", 0);
        field(sb, "keyspace_hits", keyspace.keyspaceHits());
        field(sb, "keyspace_misses", keyspace.keyspaceMisses());
        field(sb, "pubsub_channels", 0);
        field(sb, "pubsub_patterns", 0);
        field(sb, "pubsubshard_channels", 0);
        field(sb, "latest_fork_usec", 0);
        field(sb, "total_forks", 0);
        field(sb, "migrate_cached_sockets", 0);
        field(sb, "slave_expires_tracked_keys", 0);
        field(sb, "active_defrag_hits", 0);
        field(sb, "active_defrag_misses", 0);
        field(sb, "active_defrag_key_hits", 0);
        field(sb, "active_defrag_key_misses", 0);
        field(sb, "total_active_defrag_time", 0);
        field(sb, "current_active_defrag_time", 0);
        field(sb, "tracking_total_keys", 0);
        field(sb, "tracking_total_items", 0);
        field(sb, "tracking_total_prefixes", 0);
        field(sb, "unexpected_error_replies", 0);
        field(sb, "total_error_replies", totalErrorReplies());
        field(sb, "dump_payload_sanitizations", 0);
        field(sb, "total_reads_processed", net.totalReadsProcessed);
        field(sb, "total_writes_processed", net.totalWritesProcessed);
        field(sb, "io_threaded_reads_processed", 0);
        field(sb, "io_threaded_writes_processed", 0);
        field(sb, "reply_buffer_shrinks", 0);
        field(sb, "reply_buffer_expands", 0);
    }

    private void replication(final StringBuilder sb)
    {
        field(sb, "role", "master");
        field(sb, "connected_slaves", 0);
        field(sb, "master_failover_state", "no-failover");
        field(sb, "master_replid", replicationId);
        field(sb, "master_replid2", "0000000000000000000000000000000000000000");
        field(sb, "master_repl_offset", 0);
        field(sb, "second_repl_offset", -1);
        field(sb, "repl_backlog_active", 0);
        final String backlog = config.get("repl-backlog-size");
        field(sb, "repl_backlog_size", backlog != null ? backlog : "1048576");
        field(sb, "repl_backlog_first_byte_offset", 0);
        field(sb, "repl_backlog_histlen", 0);
    }

    /**
     * CPU as getrusage would give it: the process's user and system time from /proc/self/stat (clock ticks,
     * 100 per second on Linux), the event loop's (this thread's) from the ThreadMXBean.
     */
    private void cpu(final StringBuilder sb)
    {
        long userNs = -1;
        long sysNs = -1;
        final long[] ticks = processCpuTicks();
        if (ticks != null)
        {
            userNs = ticks[0] * 10_000_000L;
            sysNs = ticks[1] * 10_000_000L;
        }
        else if (os instanceof com.sun.management.OperatingSystemMXBean)
        {
            userNs = ((com.sun.management.OperatingSystemMXBean)os).getProcessCpuTime();
            sysNs = 0;
        }
        long threadUserNs = 0;
        long threadSysNs = 0;
        if (threads.isCurrentThreadCpuTimeSupported())
        {
            final long total = threads.getCurrentThreadCpuTime();
            threadUserNs = threads.getCurrentThreadUserTime();
            threadSysNs = Math.max(0, total - threadUserNs);
        }
        field(sb, "used_cpu_sys", seconds(Math.max(0, sysNs)));
        field(sb, "used_cpu_user", seconds(Math.max(0, userNs)));
        field(sb, "used_cpu_sys_children", "0.000000");
        field(sb, "used_cpu_user_children", "0.000000");
        field(sb, "used_cpu_sys_main_thread", seconds(threadSysNs));
        field(sb, "used_cpu_user_main_thread", seconds(threadUserNs));
    }

    /** cmdstat_name:calls=..,usec=..,usec_per_call=..,rejected_calls=..,failed_calls=.. for every command used. */
    private void commandStats(final StringBuilder sb)
    {
        for (final CommandSpec spec : engine.commandTable().commands())
        {
            commandStat(sb, spec);
            for (final CommandSpec sub : spec.subcommands())
            {
                commandStat(sb, sub);
            }
        }
    }

    private static void commandStat(final StringBuilder sb, final CommandSpec spec)
    {
        if (spec.calls() == 0 && spec.failedCalls() == 0 && spec.rejectedCalls() == 0)
        {
            return;
        }
        // Redis divides as float: (float)microseconds / calls
        final float perCall = spec.calls() == 0 ? 0f : (float)spec.usec() / (float)spec.calls();
        sb.append("cmdstat_").append(spec.fullName())
            .append(":calls=").append(spec.calls())
            .append(",usec=").append(spec.usec())
            .append(",usec_per_call=").append(fixed2(perCall))
            .append(",rejected_calls=").append(spec.rejectedCalls())
            .append(",failed_calls=").append(spec.failedCalls())
            .append("\r\n");
    }

    /**
     * latency_percentiles_usec_NAME:p50=..,p99=..,p99.9=.. for every command called since start or the last
     * RESETSTAT, at latency-tracking-info-percentiles, in microseconds with three decimals. The histograms
     * hold nanoseconds (Redis records microseconds times 1000), read as Redis's hdr_value_at_percentile:
     * the highest value equivalent to the percentile's bucket.
     */
    private void latencyStats(final StringBuilder sb)
    {
        final List<Double> percentiles = config.latencyTrackingInfoPercentiles();
        for (final CommandSpec spec : engine.commandTable().commands())
        {
            latencyStat(sb, spec, percentiles);
            for (final CommandSpec sub : spec.subcommands())
            {
                latencyStat(sb, sub, percentiles);
            }
        }
    }

    private static void latencyStat(final StringBuilder sb, final CommandSpec spec, final List<Double> percentiles)
    {
        final org.HdrHistogram.Histogram histogram = spec.latencyHistogram();
        if (histogram == null || histogram.getTotalCount() == 0)
        {
            return;
        }
        sb.append("latency_percentiles_usec_").append(spec.fullName()).append(':');
        for (int i = 0; i < percentiles.size(); i++)
        {
            final double p = percentiles.get(i);
            if (i > 0)
            {
                sb.append(',');
            }
            sb.append('p').append(BigDecimal.valueOf(p).stripTrailingZeros().toPlainString()).append('=')
                .append(String.format(Locale.ROOT, "%.3f", histogram.getValueAtPercentile(p) / 1000.0));
        }
        sb.append("\r\n");
    }

    /** errorstat_CODE:count=N per error code, in code order as Redis's radix tree lists them. */
    private void errorStats(final StringBuilder sb)
    {
        final ErrorStats errors = engine.errorStats();
        final java.util.TreeMap<String, Long> sorted = new java.util.TreeMap<>();
        for (int i = 0; i < errors.size(); i++)
        {
            sorted.put(errors.code(i), errors.count(i));
        }
        sorted.forEach((code, count) -> sb.append("errorstat_").append(code).append(":count=").append(count).append("\r\n"));
    }

    /** Every error reply, whoever caused it: commands, unknown commands, protocol errors. */
    private long totalErrorReplies()
    {
        return engine.errorStats().total();
    }

    private void keyspace(final StringBuilder sb)
    {
        final Keyspace keyspace = engine.keyspace();
        for (int i = 0; i < keyspace.databaseCount(); i++)
        {
            final Database db = keyspace.database(i);
            final long keys = db.size();
            if (keys > 0)
            {
                // avg_ttl: Redis estimates it while sampling in the expire cycle; KeelKV keeps no such estimate
                sb.append("db").append(i).append(":keys=").append(keys)
                    .append(",expires=").append(db.volatileCount())
                    .append(",avg_ttl=0\r\n");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // figures

    /** used_memory: off-heap pages in use, the Java heap in use, and the clients' buffers (see {@link #memory}). */
    public long usedMemory()
    {
        // preserved page copies and releases waiting for a background save are memory this process holds
        return engine.memory().pagesInUseBytes() + engine.memory().snapshotRetainedBytes() + outsidePagesBytes();
    }

    /**
     * What this process holds outside the pages: the Java heap in use and the clients' query and reply
     * buffers (direct memory). Redis counts its client buffers in used_memory and against maxmemory too.
     */
    private long outsidePagesBytes()
    {
        final Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory() + loop.clientBufferBytes();
    }

    public long usedMemoryPeak()
    {
        return usedMemoryPeak;
    }

    private void trackPeak(final long usedMemory)
    {
        if (usedMemory > usedMemoryPeak)
        {
            usedMemoryPeak = usedMemory;
        }
    }

    /** Resident pages of the whole process, from /proc/self/statm (second field), as Redis's zmalloc_get_rss. */
    static long residentSetBytes()
    {
        try
        {
            final String statm = Files.readString(Path.of("/proc/self/statm"), StandardCharsets.US_ASCII);
            final String[] fields = statm.trim().split("\\s+");
            return Long.parseLong(fields[1]) * PAGE_BYTES;
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0;
        }
    }

    /** {utime, stime} of this process in clock ticks, from /proc/self/stat; null when not on Linux. */
    private static long[] processCpuTicks()
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII);
            // fields after the command name, which is in parentheses and may hold spaces: state is field 3
            final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])};
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }

    private long totalSystemMemory()
    {
        if (os instanceof com.sun.management.OperatingSystemMXBean)
        {
            return ((com.sun.management.OperatingSystemMXBean)os).getTotalMemorySize();
        }
        return 0;
    }

    /** The config file the server was started with (absolute), or "" when started without one. */
    public static String configFileOf(final ServerConfig config)
    {
        return config.configFile();
    }

    // ------------------------------------------------------------------------------------------------
    // formatting, as Redis's printf formats

    /** Redis's bytesToHuman: "0B", "919.13K", "1.50M", ... */
    public static String bytesToHuman(final long n)
    {
        if (n < 0)
        {
            return Long.toUnsignedString(n) + "B"; // an unsigned long long past 2^63, as Redis's "%lluB"
        }
        if (n < 1024)
        {
            return n + "B";
        }
        final String[] units = {"K", "M", "G", "T", "P"};
        long scale = 1024;
        for (final String unit : units)
        {
            // compared in integers, as Redis does: 2^60-1 is below 1024P, though as a double it is not
            if (n < scale * 1024)
            {
                return fixed2((double)n / scale) + unit;
            }
            scale *= 1024;
        }
        return n + "B";
    }

    /**
     * printf's {@code %.2f}: the exact binary value rounded half-even, as glibc does (Java's %.2f rounds the
     * shortest decimal form half-up, which differs on values like 0.125).
     */
    static String fixed2(final double value)
    {
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            return value > 0 ? "inf" : Double.isNaN(value) ? "nan" : "-inf";
        }
        return new BigDecimal(value).setScale(2, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** Redis computes its ratios in float. */
    private static String ratio(final long a, final long b)
    {
        return fixed2(b == 0 ? 0f : (float)a / b);
    }

    private static String percent(final long part, final long whole)
    {
        return fixed2(whole == 0 ? 0 : (float)part * 100 / whole) + "%";
    }

    /** Seconds with six decimals from nanoseconds, as Redis prints a timeval ("%ld.%06ld"). */
    private static String seconds(final long nanos)
    {
        final long micros = nanos / 1000;
        return String.format(Locale.ROOT, "%d.%06d", micros / 1_000_000, micros % 1_000_000);
    }

    private static void field(final StringBuilder sb, final String name, final String value)
    {
        sb.append(name).append(':').append(value).append("\r\n");
    }

    private static void field(final StringBuilder sb, final String name, final long value)
    {
        sb.append(name).append(':').append(value).append("\r\n");
    }

    private static String osText()
    {
        final String arch = System.getProperty("os.arch", "");
        final String machine = "amd64".equals(arch) ? "x86_64" : arch;
        return System.getProperty("os.name", "") + " " + System.getProperty("os.version", "") + " " + machine;
    }

    /** What Java's default selector uses: epoll on Linux, kqueue on macOS/BSD. */
    private static String multiplexingApi()
    {
        final String name = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (name.contains("linux"))
        {
            return "epoll";
        }
        if (name.contains("mac") || name.contains("bsd"))
        {
            return "kqueue";
        }
        return "select";
    }

    private static String randomHex(final int length)
    {
        final SecureRandom random = new SecureRandom();
        final StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            sb.append(Character.forDigit(random.nextInt(16), 16));
        }
        return sb.toString();
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Redis's instantaneous metric: a ring of the last 16 rates, each the counter's increase over the time
     * since the previous sample, scaled to one second; the metric is their mean.
     */
    static final class InstantaneousMetric
    {
        private final long[] samples = new long[METRIC_SAMPLES];
        private int index;
        private long lastMs = -1;
        private long lastValue;

        void sample(final long nowMs, final long value)
        {
            if (lastMs >= 0 && nowMs > lastMs && value >= lastValue)
            {
                samples[index] = (value - lastValue) * 1000 / (nowMs - lastMs);
                index = (index + 1) % METRIC_SAMPLES;
            }
            lastMs = nowMs;
            lastValue = value;
        }

        long perSecond()
        {
            long sum = 0;
            for (final long s : samples)
            {
                sum += s;
            }
            return sum / METRIC_SAMPLES;
        }

        void reset()
        {
            java.util.Arrays.fill(samples, 0);
            index = 0;
            lastMs = -1;
        }
    }
}
