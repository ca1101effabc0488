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
    private Args rewritten;
    private final BlockingKeys blocking;

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
            spec.rejectedCalls++;
            out.error("ERR wrong number of arguments for '" + spec.fullName() + "' command");
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
            spec.rejectedCalls++;
            out.raw(NOAUTH);
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
        if (spec.hasFlag(CommandFlags.DENYOOM) && !client.isReplay() && !eviction.freeMemoryIfNeeded())
        {
            spec.rejectedCalls++;
            out.raw(OOM);
            return;
        }
        // then, as processCommand's writeCommandsDeniedByDiskError does, writes (and PING, as Redis 7.0 has it)
        // while saving fails: the snapshot's error first, then the AOF's
        if ((spec.hasFlag(CommandFlags.WRITE) || spec == ping) && !client.isReplay())
        {
            if (snapshots.writesRefused())
            {
                spec.rejectedCalls++;
                out.raw(MISCONF);
                return;
            }
            final String aofRefusal = propagator.writeRefusal();
            if (aofRefusal != null)
            {
                spec.rejectedCalls++;
                out.error(aofRefusal);
                return;
            }
        }
        final long start = System.nanoTime();
        keyspace.nowMs(System.currentTimeMillis());
        final long dirtyBefore = keyspace.dirty();
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
            spec.failedCalls++;
            spec.calls++;
            return;
        }
        if (out.errorCount() != errorsBefore)
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
        if (keyspace.dirty() != dirtyBefore && !client.isReplay())
        {
            propagator.propagate(client.db(), rewritten != null ? rewritten : args);
        }
        if (blocking.hasReady())
        {
            // after the command that made keys ready, as Redis's processCommand runs handleClientsBlockedOnKeys
            // after call(): the push is logged before the pops it serves
            blocking.serveReady();
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
        if (keyspace.dirty() != dirtyBefore && !client.isReplay())
        {
            propagator.propagate(client.db(), rewritten != null ? rewritten : args);
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
