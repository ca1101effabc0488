package io.keelkv.engine.command;

import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import org.agrona.collections.LongArrayList;

/**
 * Everything a handler sees while it runs: the request's arguments, the reply writer, the client, the
 * engine. One instance per dispatcher, re-pointed per command; the scratch fields let handlers stay
 * allocation-free.
 */
public final class CommandContext
{
    private final KeelEngine engine;
    private final Keyspace keyspace;
    private Args args;
    private RespWriter out;
    private ClientContext client;
    private CommandSpec spec;

    /** Reusable scratch for handlers: entry handles (SCAN, KEYS, MGET), bytes (numbers, INCR results). */
    public final LongArrayList handles = new LongArrayList();
    public final byte[] scratch = new byte[128];

    CommandContext(final KeelEngine engine)
    {
        this.engine = engine;
        this.keyspace = engine.keyspace();
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

    public KeelEngine engine()
    {
        return engine;
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
        engine.addDirty(changes);
    }
}
