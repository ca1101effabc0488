package io.keelkv.server.session;

import io.keelkv.engine.command.BlockingState;
import io.keelkv.engine.command.ClientContext;
import io.keelkv.engine.command.MultiState;

/**
 * Per-client state: identity, selected database, protocol version, authentication, name and library
 * info, and the counters CLIENT LIST reports. Owned by the event loop; read by CLIENT and INFO.
 */
public final class ClientSession implements ClientContext
{
    private final long id;
    private final String address;
    private final String localAddress;
    private final boolean local;
    private final long createdMs;
    private int db;
    private int protocol = 2;
    private boolean authenticated;
    private String name = "";
    private String libName = "";
    private String libVersion = "";
    private boolean noEvict;
    private boolean closeRequested;
    private int fd = -1;
    private BlockingState blocking; // made at the first block, reused for every later one
    private MultiState multi; // made at the first MULTI or WATCH, reused for every later one
    public long lastInteractionMs;
    public String lastCommand = "NULL";

    public ClientSession(
        final long id, final String address, final String localAddress, final boolean local, final boolean authenticated)
    {
        this.id = id;
        this.address = address;
        this.localAddress = localAddress;
        this.local = local;
        this.authenticated = authenticated;
        this.createdMs = System.currentTimeMillis();
        this.lastInteractionMs = createdMs;
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
        return authenticated;
    }

    public void authenticated(final boolean authenticated)
    {
        this.authenticated = authenticated;
    }

    public String address()
    {
        return address;
    }

    public String localAddress()
    {
        return localAddress;
    }

    /** True when the peer is on a loopback address (enable-debug-command local, protected mode). */
    public boolean isLocal()
    {
        return local;
    }

    public long createdMs()
    {
        return createdMs;
    }

    public String name()
    {
        return name;
    }

    public void name(final String name)
    {
        this.name = name;
    }

    public String libName()
    {
        return libName;
    }

    public void libName(final String libName)
    {
        this.libName = libName;
    }

    public String libVersion()
    {
        return libVersion;
    }

    public void libVersion(final String libVersion)
    {
        this.libVersion = libVersion;
    }

    public boolean noEvict()
    {
        return noEvict;
    }

    public void noEvict(final boolean noEvict)
    {
        this.noEvict = noEvict;
    }

    /**
     * The socket's file descriptor for CLIENT LIST, or -1 when the network layer did not record it (Java does
     * not expose descriptors; Redis also shows -1 for clients without a socket).
     */
    public int fd()
    {
        return fd;
    }

    public void fd(final int fd)
    {
        this.fd = fd;
    }

    /** Close once the replies written so far are sent (QUIT, CLIENT KILL of oneself). */
    public void requestClose()
    {
        closeRequested = true;
    }

    @Override
    public void closeAfterReply()
    {
        closeRequested = true;
    }

    public boolean closeRequested()
    {
        return closeRequested;
    }

    @Override
    public BlockingState blockingState()
    {
        if (multi != null && multi.executing())
        {
            return null; // a transaction's commands never block (Redis's CLIENT_DENY_BLOCKING during EXEC)
        }
        if (blocking == null)
        {
            blocking = new BlockingState(this);
        }
        return blocking;
    }

    /** The blocking state if this client ever blocked, else null (nothing to forget at a disconnect). */
    public BlockingState blockingStateIfAny()
    {
        return blocking;
    }

    @Override
    public MultiState multiState()
    {
        return multi;
    }

    @Override
    public MultiState openMultiState()
    {
        if (multi == null)
        {
            multi = new MultiState();
        }
        return multi;
    }

    /** Blocked in BLPOP and the like (CLIENT LIST's flag b): its further commands wait in its query buffer. */
    public boolean isBlocked()
    {
        return blocking != null && blocking.isBlocked();
    }
}
