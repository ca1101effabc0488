package io.keelkv.engine.command;

/** A client without a connection: embedded use, tests, AOF replay. */
public final class LocalClient implements ClientContext
{
    private final long id;
    private final boolean replay;
    private int db;
    private int protocol = 2;
    private MultiState multi;

    public LocalClient(final long id, final boolean replay)
    {
        this.id = id;
        this.replay = replay;
    }

    @Override
    public long id()
    {
        return id;
    }

    @Override
    public int db()
    {
        return db;
    }

    @Override
    public void db(final int index)
    {
        db = index;
    }

    @Override
    public int protocol()
    {
        return protocol;
    }

    public void protocol(final int protocol)
    {
        this.protocol = protocol;
    }

    @Override
    public boolean authenticated()
    {
        return true;
    }

    @Override
    public boolean isReplay()
    {
        return replay;
    }

    @Override
    public MultiState multiState()
    {
        return multi;
    }

    /** Embedded callers may run transactions through the dispatcher; AOF replay never sees MULTI. */
    @Override
    public MultiState openMultiState()
    {
        if (multi == null && !replay)
        {
            multi = new MultiState();
        }
        return multi;
    }
}
