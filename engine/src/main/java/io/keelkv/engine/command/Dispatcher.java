package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.Eviction;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.snapshot.SnapshotControl;

/**
 * The one place every command passes: name lookup, subcommand lookup, arity, authentication, the
 * maxmemory check with eviction, the time snapshot, statistics, and propagation of changes to the AOF.
 * Handlers never do any of these themselves (Redis's processCommand()/call() split).
 *
 * <p>A handler that throws is a bug, and it costs one error reply, never the process: the dispatcher takes
 * back whatever part of a reply the handler had written, answers {@code -ERR} naming the command, tells the
 * {@link InternalErrorListener} (the server's log), and does not propagate the command. The page memory's
 * guard throws before a wild access, so the dataset and the other clients are untouched.
 */
public final class Dispatcher
{
    private static final byte[] NOAUTH = "-NOAUTH Authentication required.\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] OOM =
        "-OOM command not allowed when used memory > 'maxmemory'.\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static final byte[] MISCONF = ("-MISCONF Redis is configured to save RDB snapshots, but it's currently " +
        "unable to persist to disk. Commands that may modify the data set are disabled, because this instance is " +
        "configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). " +
        "Please check the Redis logs for details about the RDB error.\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final Keyspace keyspace;
    private final Eviction eviction;
    private final SnapshotControl snapshots;
    private final CommandTable table;
    private final CommandContext ctx;
    private final CommandSpec ping; // Redis refuses PING too while saving fails (its proc, whatever its name)
    private CommandPropagator propagator = CommandPropagator.NONE;
    private CommandGate gate = CommandGate.ALLOW_ALL;
    private InternalErrorListener internalErrors = InternalErrorListener.STDERR;
    private boolean latencyTracking = true;
    private boolean lazyClock;
    private Args rewritten;
    private final BlockingKeys blocking;
    private final Watches watches;
    private final CommandSpec exec;
    private final CommandSpec discard;
    private final CommandSpec multi;
    private final CommandSpec watch;
    private final CommandSpec quit;
    // EXEC in progress: its writes are logged inside MULTI ... EXEC when there may be more than one
    private boolean execWrap;
    private boolean execWrapOpen;
    private boolean execOwnError;
    private int execDb;

    public Dispatcher(final Keyspace keyspace, final CommandTable table, final Eviction eviction,
        final SnapshotControl snapshots, final CommandLimits limits)
    {
        this.keyspace = keyspace;
        this.table = table;
        this.eviction = eviction;
        this.snapshots = snapshots;
        this.ctx = new CommandContext(this, keyspace, eviction, snapshots, limits, table);
        this.blocking = new BlockingKeys(keyspace);
        blocking.dispatcher(this);
        this.ping = table.byName("ping"); // served by then: the engine binds its commands first
        if (ping == null)
        {
            throw new IllegalStateException("PING must be bound before the dispatcher is built");
        }
        this.watches = new Watches(keyspace, table);
        this.exec = table.row("exec");
        this.discard = table.row("discard");
        this.multi = table.row("multi");
        this.watch = table.row("watch");
        this.quit = table.row("quit");
        Transactions.bind(table, this);
    }

    /**
     * A client is gone (disconnect, CLIENT KILL): its transaction and its watches go with it. Blocked state is
     * the server's to drop ({@link BlockingKeys#remove}).
     */
    public void clientClosed(final ClientContext client)
    {
        final MultiState tx = client.multiState();
        if (tx != null)
        {
            watches.unwatchAll(tx);
            tx.end();
        }
    }

    /** The keyspace the commands run on: the AOF loader sizes its tables before a long replay. */
    public Keyspace keyspace()
    {
        return keyspace;
    }

    public void propagator(final CommandPropagator propagator)
    {
        this.propagator = propagator == null ? CommandPropagator.NONE : propagator;
    }

    /**
     * Read the wall clock at a command's first use of it rather than at its start (Keyspace#commandStarts),
     * for an owner that runs the cron at hz: the cron keeps the access clocks (LRU seconds, LFU minutes) as
     * fresh as Redis's lruclock, which commands then stamp without reading the clock. Off by default: an
     * embedded caller need not run a cron, and its commands read the clock at their start, as before.
     */
    public void lazyClock(final boolean lazy)
    {
        this.lazyClock = lazy;
    }

    /** Redis's latency-tracking: keep a latency histogram per command (INFO latencystats). */
    public void latencyTracking(final boolean enabled)
    {
        this.latencyTracking = enabled;
    }

    /** Who may run PROTECTED commands (DEBUG); the server's enable-debug-command. */
    public void gate(final CommandGate gate)
    {
        this.gate = gate == null ? CommandGate.ALLOW_ALL : gate;
    }

    /** Who hears of a handler that threw (the server's log); standard error by default. */
    public void internalErrorListener(final InternalErrorListener listener)
    {
        this.internalErrors = listener == null ? InternalErrorListener.STDERR : listener;
    }

    /** A handler asks to be logged as other arguments (EXPIRE as PEXPIREAT, INCRBYFLOAT as SET ...). */
    void propagateAs(final Args args)
    {
        this.rewritten = args;
    }

    public CommandTable table()
    {
        return table;
    }

    /** WATCH's registry; the keyspace tells it of the keys it removes itself (expiry, eviction). */
    public Watches watches()
    {
        return watches;
    }

    /** The clients blocked on keys: served here after every command, timed out and resumed by the server. */
    public BlockingKeys blocking()
    {
        return blocking;
    }

    /**
     * Resolve the command (and subcommand) of a request, or write the error and return null. The checks run
     * in Redis 7.0's processCommand order: existence, arity, the protected-command gate, then
     * authentication; so an unauthenticated client learns of an unknown command or a wrong arity before
     * it gets NOAUTH. A rejection counts in the command's rejected_calls; an unknown subcommand in none
     * (Redis has no command to count it against).
     */
    public CommandSpec resolve(final Args args, final RespWriter out, final ClientContext client)
    {
        final CommandSpec spec = lookup(args, out, client);
        if (spec == null)
        {
            flagTransaction(client); // Redis's rejectCommand: a refused command inside MULTI fails the EXEC
        }
        return spec;
    }

    /** The command (or subcommand) a request names, as {@link #resolve} finds it, without its checks. */
    CommandSpec specOf(final Args args)
    {
        final CommandSpec spec = table.lookup(args, 0);
        if (spec != null && spec.subcommands().length > 0 && (args.count() > 1 || spec.handler() == null))
        {
            return args.count() > 1 ? CommandTable.lookupSubcommand(spec, args) : null;
        }
        return spec;
    }

    private CommandSpec lookup(final Args args, final RespWriter out, final ClientContext client)
    {
        CommandSpec spec = table.lookup(args, 0);
        if (spec == null)
        {
            out.errorLatin1(unknownCommand(args));
            return null;
        }
        // a container (CLIENT, CONFIG, COMMAND ...): with arguments it is always a subcommand; without,
        // only those with a form of their own (COMMAND) run, the rest are an arity error
        if (spec.subcommands().length > 0 && (args.count() > 1 || spec.handler() == null))
        {
            if (args.count() == 1)
            {
                spec.rejectedCalls++;
                out.error("ERR wrong number of arguments for '" + spec.fullName() + "' command");
                return null;
            }
            final CommandSpec sub = CommandTable.lookupSubcommand(spec, args);
            if (sub == null)
            {
                // the command as the client typed it, upper-cased (ASCII): a renamed command says its new name
                out.errorLatin1("ERR unknown subcommand '" + args.cString(1, 128) + "'. Try " +
                    asciiUpper(args.cString(0)) + " HELP.");
                return null;
            }
            spec = sub;
        }
        if (!spec.arityAccepts(args.count()))
        {
            refused(spec, out, client, "ERR wrong number of arguments for '" + spec.fullName() + "' command", null);
            return null;
        }
        if (spec.hasFlag(CommandFlags.PROTECTED))
        {
            final String denied = gate.deny(spec, client);
            if (denied != null)
            {
                spec.rejectedCalls++;
                out.error(denied);
                return null;
            }
        }
        if (!client.authenticated() && !spec.hasFlag(CommandFlags.NO_AUTH))
        {
            refused(spec, out, client, null, NOAUTH);
            return null;
        }
        return spec;
    }

    /** Run one request for a client. Exactly one reply is written to {@code out}. */
    public void execute(final Args args, final RespWriter out, final ClientContext client)
    {
        if (args.count() == 0)
        {
            return;
        }
        final CommandSpec spec = resolve(args, out, client);
        if (spec != null)
        {
            call(spec, args, out, client);
        }
    }

    /** Run a resolved command: the second half of execute, for callers that must look at the spec first. */
    public void call(final CommandSpec spec, final Args args, final RespWriter out, final ClientContext client)
    {
        final MultiState tx = client.multiState();
        final boolean inMulti = tx != null && tx.active;
        if (inMulti && spec.hasFlag(CommandFlags.NO_MULTI))
        {
            refused(spec, out, client, "ERR Command not allowed inside a transaction", null);
            return;
        }
        // the queue may grow without bound, so inside MULTI every command but EXEC, DISCARD and QUIT is refused
        // when memory cannot be freed; EXEC too when it holds a command that is (Redis's processCommand)
        final boolean queues = inMulti && spec != exec && spec != discard && spec != multi && spec != watch &&
            spec != quit;
        final int flags = spec == exec && inMulti ? spec.flags() | tx.queuedFlags : spec.flags();
        if ((flags & CommandFlags.DENYOOM) != 0 || queues)
        {
            if (!client.isReplay() && !eviction.freeMemoryIfNeeded())
            {
                refused(spec, out, client, null, OOM);
                return;
            }
        }
        // then, as processCommand's writeCommandsDeniedByDiskError does, writes (and PING, as Redis 7.0 has it)
        // while saving fails: the snapshot's error first, then the AOF's
        if (((flags & CommandFlags.WRITE) != 0 || spec == ping) && !client.isReplay())
        {
            if (snapshots.writesRefused())
            {
                refused(spec, out, client, null, MISCONF);
                return;
            }
            final String aofRefusal = propagator.writeRefusal();
            if (aofRefusal != null)
            {
                refused(spec, out, client, aofRefusal, null);
                return;
            }
        }
        if (queues)
        {
            queue(spec, args, out, tx);
            return;
        }
        if (lazyClock)
        {
            keyspace.commandStarts(); // the wall clock is read at the command's first use of it, if any
        }
        else
        {
            keyspace.nowMs(System.currentTimeMillis());
        }
        invoke(spec, args, out, client);
        if (blocking.hasReady())
        {
            // after the command that made keys ready, as Redis's processCommand runs handleClientsBlockedOnKeys
            // after call(): the push is logged before the pops it serves (and a transaction's pops before both)
            blocking.serveReady();
        }
    }

    private static final byte[] QUEUED = "+QUEUED\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private void queue(final CommandSpec spec, final Args args, final RespWriter out, final MultiState tx)
    {
        if (tx.overflowed || !tx.queue(spec, args, limits().queryBufferLimit))
        {
            if (!tx.overflowed)
            {
                tx.overflow(); // its memory goes back at once; EXEC will answer EXECABORT
            }
            out.error("ERR the transaction's queued commands passed client-query-buffer-limit; " +
                "it is discarded at EXEC");
            return;
        }
        out.raw(QUEUED);
    }

    private CommandLimits limits()
    {
        return ctx.limits();
    }

    /**
     * A command refused before it ran (its rejected_calls, and the transaction it was to join fails): the error
     * as it is, or for EXEC, Redis's execCommandAbort,
     * which discards the transaction and answers "-EXECABORT Transaction discarded because of: " the error
     * (without its "ERR " when the error is one Redis formats without it: the arity's).
     */
    private void refused(final CommandSpec spec, final RespWriter out, final ClientContext client,
        final String error, final byte[] rawError)
    {
        spec.rejectedCalls++;
        flagTransaction(client); // Redis's rejectCommand: inside MULTI the EXEC will answer EXECABORT
        if (spec != exec)
        {
            if (rawError != null)
            {
                out.raw(rawError);
            }
            else
            {
                out.error(error);
            }
            return;
        }
        String text = rawError != null ?
            new String(rawError, 1, rawError.length - 3, java.nio.charset.StandardCharsets.US_ASCII) : error;
        if (text.startsWith("ERR wrong number of arguments"))
        {
            text = text.substring(4);
        }
        clientClosed(client); // discardTransaction: the queue and the watches go
        out.error("EXECABORT Transaction discarded because of: " + text);
    }

    private static void flagTransaction(final ClientContext client)
    {
        final MultiState tx = client.multiState();
        if (tx != null && tx.active)
        {
            tx.dirtyExec = true;
        }
    }

    /**
     * Run a command that passed every check, at the keyspace time already set (Redis's call()): the handler,
     * statistics, WATCH's touch and propagation. A transaction's commands come here one by one from EXEC.
     */
    void invoke(final CommandSpec spec, final Args args, final RespWriter out, final ClientContext client)
    {
        final long start = System.nanoTime();
        final long dirtyBefore = keyspace.dirty();
        final boolean watching = watches.any();
        if (watching)
        {
            watches.noteBefore(spec, args, client.db());
        }
        rewritten = null;
        ctx.wrap(args, out, client, spec);
        final int errorsBefore = out.errorCount();
        out.mark();
        try
        {
            spec.handler().execute(ctx);
        }
        catch (final RuntimeException | OutOfMemoryError | StackOverflowError ex)
        {
            onInternalError(spec, out, client, ex, keyspace.dirty() != dirtyBefore);
            if (watching)
            {
                watches.touchNoted(false);
            }
            spec.failedCalls++;
            spec.calls++;
            return;
        }
        if (spec == exec ? execOwnError : out.errorCount() != errorsBefore)
        {
            spec.failedCalls++;
        }
        final long elapsedNs = System.nanoTime() - start;
        spec.calls++;
        spec.usec += elapsedNs / 1000;
        if (latencyTracking)
        {
            spec.recordLatency(elapsedNs);
        }
        final boolean changed = keyspace.dirty() != dirtyBefore;
        if (watching)
        {
            watches.touchNoted(changed);
        }
        if (changed && spec != exec) // EXEC's commands were logged one by one
        {
            afterChange(spec, args, client);
        }
    }

    /** A command changed the dataset: touch the keys it wrote for WATCH, and log it. */
    private void afterChange(final CommandSpec spec, final Args args, final ClientContext client)
    {
        final Args logged = rewritten != null ? rewritten : args;
        if (watches.any())
        {
            watches.touchWritten(spec, rewritten != null ? table.lookup(rewritten, 0) : spec, logged, client.db());
        }
        if (!client.isReplay())
        {
            if (execWrap && !execWrapOpen)
            {
                propagator.propagate(client.db(), MULTI_ARGS);
                execWrapOpen = true;
            }
            propagator.propagate(client.db(), logged);
            execDb = client.db();
        }
    }

    private static final Args MULTI_ARGS = Args.of("MULTI");
    private static final Args EXEC_ARGS = Args.of("EXEC");

    /** EXEC begins running its queue; {@code wrap}: it holds more than one write, logged as one transaction. */
    void beginExec(final boolean wrap)
    {
        execWrap = wrap;
        execWrapOpen = false;
        execOwnError = false;
    }

    void endExec(final ClientContext client)
    {
        if (execWrapOpen && !client.isReplay())
        {
            propagator.propagate(execDb, EXEC_ARGS); // in the database of the last write: no SELECT before it
        }
        execWrap = false;
        execWrapOpen = false;
    }

    /** EXEC answered an error of its own (EXECABORT, EXEC without MULTI): its failed_calls, not its commands'. */
    void execFailed()
    {
        execOwnError = true;
    }

    /** A handler names a key it changed (CommandContext#keyChanged). */
    void keyChanged(final int db, final Args args, final int i)
    {
        if (watches.any())
        {
            watches.touchArg(db, args, i);
        }
    }

    /**
     * Serve one blocked client from key argument {@code keyArg} (BlockingKeys.serveReady): its pop runs as that
     * client's command, with the arguments it blocked with, and is propagated in the form the pop chose (LPOP,
     * LMOVE ...), in the client's database, through the same path as every other command.
     */
    void serveBlocked(final BlockingState s, final int keyArg)
    {
        final ClientContext client = s.client;
        final RespWriter out = s.out;
        final CommandSpec spec = s.spec;
        final Args args = s.args();
        keyspace.nowMs(System.currentTimeMillis());
        final long dirtyBefore = keyspace.dirty();
        rewritten = null;
        ctx.wrap(args, out, client, spec);
        final int errorsBefore = out.errorCount();
        out.mark();
        try
        {
            s.pop.serve(ctx, keyArg);
        }
        catch (final RuntimeException | OutOfMemoryError | StackOverflowError ex)
        {
            onInternalError(spec, out, client, ex, keyspace.dirty() != dirtyBefore);
            spec.failedCalls++;
            return;
        }
        if (out.errorCount() != errorsBefore)
        {
            spec.failedCalls++;
        }
        if (keyspace.dirty() != dirtyBefore)
        {
            afterChange(spec, args, client);
        }
    }

    private void onInternalError(
        final CommandSpec spec, final RespWriter out, final ClientContext client, final Throwable ex,
        final boolean datasetChanged)
    {
        if (!out.resetToMark())
        {
            // part of the reply already left for the socket: an error now would be read as the rest of it
            client.closeAfterReply();
        }
        out.error("ERR internal error in '" + spec.fullName() + "' command: " + ex);
        try
        {
            internalErrors.onInternalError(spec.fullName(), ex, datasetChanged);
        }
        catch (final RuntimeException ignore)
        {
            // a failing log must not turn one bad command into a dead loop
        }
    }

    /**
     * Redis 7.0's processCommand text: the name as '%.128s', then each argument as '%.*s' with what is left
     * of a 128-byte budget for the argument list, while the list is shorter than 128 bytes. Names and
     * arguments are C strings there (cut at a NUL) whose bytes are echoed as they are; the writer turns CR
     * and LF into spaces.
     */
    static String unknownCommand(final Args args)
    {
        final StringBuilder list = new StringBuilder();
        for (int i = 1; i < args.count() && list.length() < 128; i++)
        {
            final int budget = 128 - list.length();
            list.append('\'').append(args.cString(i, budget)).append("' ");
        }
        return "ERR unknown command '" + args.cString(0, 128) + "', with args beginning with: " + list;
    }

    private static String asciiUpper(final String s)
    {
        final char[] chars = s.toCharArray();
        for (int i = 0; i < chars.length; i++)
        {
            if (chars[i] >= 'a' && chars[i] <= 'z')
            {
                chars[i] -= 32;
            }
        }
        return new String(chars);
    }
}
