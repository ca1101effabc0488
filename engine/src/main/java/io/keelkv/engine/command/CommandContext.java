package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.Eviction;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.snapshot.SnapshotControl;
import org.agrona.collections.LongArrayList;

/**
 * Everything a handler sees while it runs: the request's arguments, the reply writer, the client, and the
 * parts of the engine a command may use (keyspace, eviction, snapshots, limits, the command table). One
 * instance per dispatcher, re-pointed per command; the scratch fields let handlers stay allocation-free. A
 * handler never reaches the dispatcher that runs it: what it asks of it goes through here
 * ({@link #propagateAs}, {@link #dirty}).
 */
public final class CommandContext
{
    private final Keyspace keyspace;
    private final Eviction eviction;
    private final SnapshotControl snapshots;
    private final CommandLimits limits;
    private final CommandTable table;
    private final Dispatcher dispatcher;
    private Args args;
    private RespWriter out;
    private ClientContext client;
    private CommandSpec spec;

    /** Reusable scratch for handlers: entry handles (SCAN, KEYS, MGET), bytes (numbers, INCR results). */
    public final LongArrayList handles = new LongArrayList();
    public final byte[] scratch = new byte[128];

    CommandContext(final Dispatcher dispatcher, final Keyspace keyspace, final Eviction eviction,
        final SnapshotControl snapshots, final CommandLimits limits, final CommandTable table)
    {
        this.dispatcher = dispatcher;
        this.keyspace = keyspace;
        this.eviction = eviction;
        this.snapshots = snapshots;
        this.limits = limits;
        this.table = table;
    }

    void wrap(final Args args, final RespWriter out, final ClientContext client, final CommandSpec spec)
    {
        this.args = args;
        this.out = out;
        this.client = client;
        this.spec = spec;
    }

    public Args args()
    {
        return args;
    }

    public RespWriter out()
    {
        return out;
    }

    public ClientContext client()
    {
        return client;
    }

    public CommandSpec spec()
    {
        return spec;
    }

    public Eviction eviction()
    {
        return eviction;
    }

    public SnapshotControl snapshots()
    {
        return snapshots;
    }

    public CommandLimits limits()
    {
        return limits;
    }

    public CommandTable table()
    {
        return table;
    }

    public Keyspace keyspace()
    {
        return keyspace;
    }

    /** The client's selected database. */
    public Database db()
    {
        return keyspace.database(client.db());
    }

    public long nowMs()
    {
        return keyspace.nowMs();
    }

    /** Count changes to the dataset: drives save points, rdb_changes_since_last_save and AOF propagation. */
    public void dirty(final long changes)
    {
        keyspace.addDirty(changes);
    }

    /**
     * Argument {@code keyArg} names a key this command changed, for WATCH. Only the commands whose key specs
     * name more keys than they may change say so (DEL, UNLINK, SMOVE); for the rest the dispatcher reads the
     * written keys from the specs.
     */
    public void keyChanged(final int keyArg)
    {
        dispatcher.keyChanged(client.db(), args, keyArg);
    }

    /**
     * Log this command to the AOF as {@code rewritten} instead of its own arguments (EXPIRE as PEXPIREAT,
     * INCRBYFLOAT as SET ...): effects that depend on time or randomness are logged in deterministic form.
     */
    public void propagateAs(final Args rewritten)
    {
        dispatcher.propagateAs(rewritten);
    }

    /**
     * Block the client on keys {@code [firstKeyArg, firstKeyArg + keyCount)} of this command until one of them
     * holds a value of {@code type} (an ObjectType), {@code deadlineMs} passes (BlockingKeys.parseTimeout's, 0
     * for never) or CLIENT UNBLOCK; {@code pop} serves it then. The handler writes no reply when it blocks.
     *
     * @return false when this client may not block (embedded, AOF replay, inside MULTI): the handler then
     * answers at once as Redis does for a client that denies blocking (the timeout's null).
     */
    public boolean block(final int type, final int firstKeyArg, final int keyCount, final long deadlineMs,
        final BlockedPop pop)
    {
        final BlockingState s = client.blockingState();
        if (s == null)
        {
            return false;
        }
        final RewrittenArgs saved = s.saved.start();
        for (int i = 0; i < args.count(); i++)
        {
            saved.add(args, i);
        }
        s.out = out;
        s.spec = spec;
        s.pop = pop;
        s.type = type;
        s.db = client.db();
        s.deadlineMs = deadlineMs;
        dispatcher.blocking().block(s, saved.args(), firstKeyArg, keyCount);
        return true;
    }
}
