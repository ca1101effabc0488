package io.keelkv.server;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.keyspace.EvictionPolicy;
import io.keelkv.server.command.ConnectionCommands;
import io.keelkv.server.command.Info;
import io.keelkv.server.command.ServerControl;
import io.keelkv.server.config.ConfigException;
import io.keelkv.server.config.ServerConfig;
import io.keelkv.server.log.Log;
import io.keelkv.server.net.EventLoopAgent;
import io.keelkv.server.net.EventLoopIdleStrategy;
import io.keelkv.server.persistence.Aof;
import io.keelkv.server.persistence.Snapshots;
import org.agrona.concurrent.AgentRunner;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The KeelKV server: reads the configuration (redis-server's arguments and redis.conf syntax), builds
 * the engine, binds the listeners and runs the event loop agent on its own thread.
 *
 * <p>Start order follows Aeron's "conclude before map": the whole configuration is validated before any
 * memory is mapped or any port is bound, so a bad directive stops the start with a message naming it.
 * SIGTERM (and SHUTDOWN) stop the loop on its own thread, after the final save when save points are
 * configured (see {@link Snapshots}); the process exits once it has closed every socket, so the port is free
 * at once. The snapshot in dir is loaded before the listeners are bound.
 *
 * <p>This is the composition root, the one class that knows every package of the server (the commands, the
 * loop, the sessions, persistence, the configuration, the log); none of them knows it. The commands reach the
 * running server through {@link ServerControl}, which it implements.
 */
public final class KeelServer implements ServerControl, AutoCloseable
{
    private final ServerConfig config;
    private final KeelEngine engine;
    private final EventLoopAgent loop;
    private final Snapshots snapshots;
    private final Aof aof;
    private final AgentRunner runner;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final long startTimeMs = System.currentTimeMillis();
    private final String runId;
    /** Set when the event loop thread ended by an error rather than by SHUTDOWN or SIGTERM. */
    private volatile Throwable loopFailure;

    public KeelServer(final ServerConfig config) throws IOException
    {
        this.config = config;
        final EngineSettings settings = new EngineSettings();
        settings.databases = config.databases();
        settings.pageSizeBytes = config.pageSizeBytes();
        settings.maxMemoryBytes = config.maxMemoryBytes();
        settings.maxMemoryPolicy = EvictionPolicy.fromRedisName(config.maxMemoryPolicy());
        settings.maxMemorySamples = config.maxMemorySamples();
        settings.protoMaxBulkLen = config.protoMaxBulkLen();
        settings.queryBufferLimit = config.clientQueryBufferLimit();
        settings.hashMaxListpackEntries = config.hashMaxListpackEntries();
        settings.hashMaxListpackValue = config.hashMaxListpackValueBytes();
        settings.setMaxIntsetEntries = config.setMaxIntsetEntries();
        settings.listMaxListpackSize = config.listMaxListpackSize();
        settings.zsetMaxListpackEntries = config.zsetMaxListpackEntries();
        settings.zsetMaxListpackValue = config.zsetMaxListpackValueBytes();
        settings.lfuLogFactor = config.lfuLogFactor();
        settings.lfuDecayTimeMinutes = config.lfuDecayTimeMinutes();
        this.engine = new KeelEngine(settings);
        engine.dispatcher().latencyTracking(config.latencyTracking());
        engine.dispatcher().lazyClock(true); // the loop runs the cron at hz, which keeps the access clocks fresh
        engine.dispatcher().internalErrorListener((command, error, datasetChanged) ->
            Log.warning(io.keelkv.engine.command.InternalErrorListener.describe(command, error, datasetChanged)));
        this.snapshots = new Snapshots(config, engine);
        this.aof = new Aof(config, engine);
        this.runId = randomRunId();

        final EventLoopAgent.Limits limits = new EventLoopAgent.Limits();
        this.loop = new EventLoopAgent(engine, limits);
        loop.cpuList(config.serverCpuList());
        applyLimits();
        for (final String name : ServerConfig.directiveNames())
        {
            config.onChange(name, c -> onConfigChange(name));
        }
        ConnectionCommands.bind(this, engine.commandTable());
        for (final String[] rename : config.renamedCommands())
        {
            // checked against Redis's names while the file was read; a command KeelKV does not serve is
            // simply not there under either name
            if (engine.commandTable().rename(rename[0], rename[1]) != null)
            {
                Log.verbose("rename-command " + rename[0] + ": not a command KeelKV serves, nothing to rename");
            }
        }

        // loaded before the listeners are bound: no client can see a half-loaded dataset, and a refused file
        // stops the start before the port is taken (Redis binds first and answers -LOADING meanwhile)
        // with appendonly yes the AOF is loaded when there is one; when there is none the snapshot is, and
        // becomes the new AOF's base (Redis would start empty and drop it)
        try
        {
            if (!aof.loadAtStart())
            {
                snapshots.loadAtStart();
            }
            aof.startAtStart();
        }
        catch (final IOException | RuntimeException ex)
        {
            engine.close();
            throw ex;
        }
        engine.aof().wakeLoop(loop::wakeup);
        loop.bind(config.bindAddresses(), config.port(), config.tcpBacklog());
        final EventLoopIdleStrategy idle = new EventLoopIdleStrategy(config.idleStrategy(), loop::block, 100);
        idle.spinMicros(config.idleSpinMicros());
        config.onChange("idle-spin-us", c -> idle.spinMicros(c.idleSpinMicros()));
        this.runner = new AgentRunner(idle, this::onError, null, loop)
        {
        };
    }

    private void applyLimits()
    {
        final EventLoopAgent.Limits limits = loop.limits();
        limits.maxClients = config.maxClients();
        limits.protoMaxBulkLen = config.protoMaxBulkLen();
        limits.queryBufferLimit = config.clientQueryBufferLimit();
        limits.outputHardLimit = config.clientOutputBufferLimitNormal().hardLimitBytes();
        limits.outputSoftLimit = config.clientOutputBufferLimitNormal().softLimitBytes();
        limits.outputSoftSeconds = config.clientOutputBufferLimitNormal().softLimitSeconds();
        limits.protectedMode = config.protectedMode();
        limits.requirePass = config.requirePass();
        limits.hz = config.hz();
        limits.idleTimeoutSec = config.timeoutSeconds();
    }

    /** CONFIG SET reached a directive: push the new value to where it is read. Loop thread. */
    private void onConfigChange(final String name)
    {
        applyLimits();
        final EngineSettings settings = engine.settings();
        settings.maxMemoryBytes = config.maxMemoryBytes();
        settings.maxMemoryPolicy = EvictionPolicy.fromRedisName(config.maxMemoryPolicy());
        settings.maxMemorySamples = config.maxMemorySamples();
        settings.protoMaxBulkLen = config.protoMaxBulkLen();
        settings.queryBufferLimit = config.clientQueryBufferLimit();
        settings.hashMaxListpackEntries = config.hashMaxListpackEntries();
        settings.hashMaxListpackValue = config.hashMaxListpackValueBytes();
        settings.setMaxIntsetEntries = config.setMaxIntsetEntries();
        settings.listMaxListpackSize = config.listMaxListpackSize();
        settings.zsetMaxListpackEntries = config.zsetMaxListpackEntries();
        settings.zsetMaxListpackValue = config.zsetMaxListpackValueBytes();
        settings.lfuLogFactor = config.lfuLogFactor();
        settings.lfuDecayTimeMinutes = config.lfuDecayTimeMinutes();
        engine.applySettings();
        engine.dispatcher().latencyTracking(config.latencyTracking());
        snapshots.onConfigChange();
        aof.onConfigChange();
        if ("loglevel".equals(name))
        {
            Log.level(config.logLevel());
        }
    }

    private void onError(final Throwable ex)
    {
        if (ex instanceof org.agrona.concurrent.AgentTerminationException)
        {
            return; // the loop's own way to stop: SHUTDOWN or SIGTERM, not an error
        }
        Log.warning("event loop error: " + ex);
        if (Boolean.getBoolean("keel.debug"))
        {
            ex.printStackTrace();
        }
    }

    @Override
    public ServerConfig config()
    {
        return config;
    }

    @Override
    public KeelEngine engine()
    {
        return engine;
    }

    @Override
    public EventLoopAgent loop()
    {
        return loop;
    }

    @Override
    public Snapshots snapshots()
    {
        return snapshots;
    }

    @Override
    public Aof aof()
    {
        return aof;
    }

    @Override
    public long startTimeMs()
    {
        return startTimeMs;
    }

    @Override
    public String runId()
    {
        return runId;
    }

    @Override
    public int port()
    {
        return loop.boundPort();
    }

    /** Start the event loop thread. */
    public KeelServer start()
    {
        final Thread thread = new Thread(() ->
        {
            try
            {
                runner.run();
            }
            catch (final Throwable ex)
            {
                // the loop owns the keyspace: without it nothing is served, so the process must say so
                // and exit non-zero instead of lingering with a dead listener (or reporting a SIGTERM)
                loopFailure = ex;
                Log.warning("The event loop stopped on an error and KeelKV is exiting: " + ex);
                if (Boolean.getBoolean("keel.debug"))
                {
                    ex.printStackTrace();
                }
            }
            finally
            {
                aof.close(); // on the loop thread, which owns it: the last appends made durable, the file cut
                stopped.countDown();
            }
        }, "keel-event-loop");
        thread.start();
        return this;
    }

    /** Ask the loop to stop (SHUTDOWN, SIGTERM, tests); {@code beforeClose} runs on the loop thread first. */
    @Override
    public void shutdown(final Runnable beforeClose)
    {
        loop.requestShutdown(beforeClose);
    }

    /**
     * SIGTERM or SIGINT (any thread): as Redis's shutdown_asap, the loop prepares the shutdown between two
     * commands: the final save when save points are configured, then exit 0. When that save fails the
     * server does not exit and goes on serving, as redis-server does.
     */
    public void onTerminationSignal(final String signalName)
    {
        if (loop.isShutdownRequested())
        {
            return;
        }
        Log.notice("Received " + signalName + " scheduling shutdown...");
        // shutdown-on-sigterm / shutdown-on-sigint, as Redis 7.0: "default" saves when save points are set
        final int flags = config.shutdownOnSignalFlags("SIGTERM".equals(signalName));
        final boolean save = (flags & ServerConfig.SHUTDOWN_FLAG_SAVE) != 0 ||
            (flags & ServerConfig.SHUTDOWN_FLAG_NOSAVE) == 0 && snapshots.savesOnShutdown();
        final boolean force = (flags & ServerConfig.SHUTDOWN_FLAG_FORCE) != 0;
        loop.requestShutdownAsap(() ->
        {
            Log.warning("User requested shutdown...");
            snapshots.prepareForShutdown();
            if (save && !snapshots.finalSave(force))
            {
                Log.warning(signalName + " received but errors trying to shut down the server, check the logs for " +
                    "more information");
                return false;
            }
            return true;
        });
    }

    /** The error that stopped the event loop, or null while it runs or after a clean stop. */
    public Throwable loopFailure()
    {
        return loopFailure;
    }

    public boolean awaitStopped(final long timeoutMs) throws InterruptedException
    {
        return stopped.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close()
    {
        shutdown(() -> { });
        try
        {
            if (!awaitStopped(10_000))
            {
                runner.close();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        engine.close();
    }

    /**
     * As Redis's createPidFile: "pid\n" into pidfile when one is set (relative to dir, where Redis has
     * chdir'd by then). A failure is a warning, not a stop, as in Redis.
     *
     * @return the file written, or null.
     */
    private static java.nio.file.Path createPidFile(final ServerConfig config)
    {
        final String name = config.pidFile();
        if (name == null || name.isEmpty())
        {
            return null;
        }
        final java.nio.file.Path path = java.nio.file.Path.of(config.dir()).resolve(name);
        try
        {
            java.nio.file.Files.writeString(path, ProcessHandle.current().pid() + "\n");
            return path;
        }
        catch (final IOException | RuntimeException ex)
        {
            Log.warning("Failed to write PID file: " + ex.getMessage());
            return null;
        }
    }

    private static void removePidFile(final java.nio.file.Path path)
    {
        if (path != null)
        {
            Log.notice("Removing the pid file.");
            try
            {
                java.nio.file.Files.deleteIfExists(path);
            }
            catch (final IOException ignore)
            {
                // Redis ignores a failed unlink here as well
            }
        }
    }

    /**
     * SIGTERM and SIGINT go to {@link #onTerminationSignal} instead of the JVM's exit: a failed final save
     * must be able to keep the server running, which a shutdown hook cannot (the JVM is already exiting).
     */
    @SuppressWarnings("removal")
    private static void installSignalHandlers(final KeelServer server)
    {
        for (final String name : new String[]{"TERM", "INT"})
        {
            try
            {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> server.onTerminationSignal("SIG" + name));
            }
            catch (final IllegalArgumentException ex)
            {
                // -Xrs, or the signal is reserved: the shutdown hook still stops the server, without saving
                Log.warning("Cannot handle SIG" + name + " (" + ex.getMessage() + "): it will stop KeelKV without " +
                    "the final save");
            }
        }
    }

    private static String randomRunId()
    {
        final java.security.SecureRandom random = new java.security.SecureRandom();
        final StringBuilder sb = new StringBuilder(40);
        for (int i = 0; i < 40; i++)
        {
            sb.append(Character.forDigit(random.nextInt(16), 16));
        }
        return sb.toString();
    }

    public static void main(final String[] args)
    {
        final ServerConfig config;
        try
        {
            config = ServerConfig.fromArgs(args);
        }
        catch (final ConfigException ex)
        {
            System.err.println(ex.getMessage());
            System.exit(1);
            return;
        }
        if (config == null)
        {
            return; // --help or --version printed
        }
        try
        {
            Log.level(config.logLevel());
            // Redis chdir()s to dir, so a relative logfile lands there; KeelKV resolves it the same way
            final String logFile = config.logFile();
            Log.file(logFile == null || logFile.isEmpty() ? logFile :
                java.nio.file.Path.of(config.dir()).resolve(logFile).toString());
        }
        catch (final IOException ex)
        {
            System.err.println("Can't open the log file: " + ex.getMessage());
            System.exit(1);
        }
        // logged before the server is built, so that the snapshot's load lines follow them as in Redis's log
        Log.notice("KeelKV " + Info.VERSION + " (Redis " + Info.REDIS_VERSION + " compatible), pid=" +
            ProcessHandle.current().pid() + ", java " + Runtime.version() + ", just started");
        Log.notice("Server initialized: " + config.databases() + " databases, page size " + config.pageSizeBytes() +
            " bytes, idle strategy " + config.idleStrategy());
        final KeelServer server;
        try
        {
            server = new KeelServer(config);
        }
        catch (final io.keelkv.engine.snapshot.SnapshotException ex)
        {
            System.exit(1); // Snapshots has logged the refusal and "Fatal error loading the DB"
            return;
        }
        catch (final IOException | RuntimeException ex)
        {
            Log.warning(ex.getMessage());
            System.exit(1);
            return;
        }
        installSignalHandlers(server);
        final java.nio.file.Path pidFile = createPidFile(config);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            if (!server.loop.isShutdownRequested() && server.loopFailure == null)
            {
                // not SIGTERM/SIGINT (handled above): another signal or exit ends the JVM, without a final save
                Log.notice("The JVM is exiting: shutting down without saving...");
                server.shutdown(() -> { });
            }
            try
            {
                server.awaitStopped(30_000);
            }
            catch (final InterruptedException ignore)
            {
                Thread.currentThread().interrupt();
            }
            removePidFile(pidFile);
            if (server.loopFailure == null)
            {
                Log.notice("KeelKV is now ready to exit, bye bye...");
            }
            // a clean stop exits 0 as redis-server does; the JVM would report 143 for SIGTERM. Every
            // socket is closed by now and nothing else registers hooks, so halting skips nothing.
            Runtime.getRuntime().halt(server.loop.isShutdownRequested() && server.loopFailure == null ? 0 : 1);
        }, "keel-shutdown"));
        server.start();
        Log.notice("Ready to accept connections tcp on port " + server.port());
        try
        {
            server.awaitStopped(Long.MAX_VALUE);
        }
        catch (final InterruptedException ignore)
        {
            Thread.currentThread().interrupt();
        }
        System.exit(server.loopFailure == null ? 0 : 1);
    }
}
