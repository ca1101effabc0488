package io.keelkv.server.command;

import io.keelkv.engine.command.ClientContext;
import io.keelkv.engine.command.CommandContext;
import io.keelkv.engine.command.MultiState;
import io.keelkv.engine.command.CommandHandler;
import io.keelkv.engine.command.CommandSpec;
import io.keelkv.engine.command.CommandTable;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.server.config.ServerConfig;
import io.keelkv.server.log.Log;
import io.keelkv.server.net.EventLoopAgent;
import io.keelkv.server.session.ClientSession;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's own commands, the ones about connections and the process rather than data: AUTH, HELLO,
 * QUIT, CLIENT, SHUTDOWN (with its final save, see {@link io.keelkv.server.persistence.Snapshots}), and the
 * enable-debug-command gate in front of the engine's DEBUG; it also binds INFO ({@link Info}) and CONFIG
 * ({@link ConfigCommand}). They live in the server because they need what the engine must not know: sessions,
 * sockets, the configuration and the process, the last reached through {@link ServerControl}.
 *
 * <p>Replies and error texts are Redis 7.0.15's, checked against the real server. Authentication knows one
 * user, "default", whose password is {@code requirepass} (none: any password is accepted for "default", as
 * Redis's nopass user). The dispatcher lets AUTH, HELLO and QUIT through before authentication (no_auth in
 * the command table); a failed AUTH never de-authenticates a client, as in Redis.
 *
 * <p>None of these commands is on the hot path; they may allocate. They run on the event loop, so they read
 * and change sessions and the loop's client table without locks.
 */
public final class ConnectionCommands
{
    static final String NO_PASSWORD_CONFIGURED = "ERR AUTH <password> called without any password configured for " +
        "the default user. Are you sure your configuration is correct?";
    static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
    static final String HELLO_NOAUTH = "NOAUTH HELLO must be called with the client already authenticated, " +
        "otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP " +
        "protocol version at the same time";
    static final String BAD_CLIENT_NAME = "ERR Client names cannot contain spaces, newlines or special characters.";
    static final String DEBUG_NOT_ALLOWED = "ERR DEBUG command not allowed. If the enable-debug-command option is " +
        "set to \"local\", you can run it from a local connection, otherwise you need to set this option in the " +
        "configuration file, and then restart the server.";
    static final String SYNTAX_ERROR = "ERR syntax error";
    static final String DEFAULT_USER = "default";

    private static final String[] CLIENT_HELP = {
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        "HELP",
        "    Prints this help."};

    // client types, as Redis's getClientTypeByName; every KeelKV client is NORMAL until pub/sub exists
    private static final int TYPE_NORMAL = 0;
    private static final int TYPE_REPLICA = 1;
    private static final int TYPE_PUBSUB = 2;
    private static final int TYPE_MASTER = 3;

    private static final int SHUTDOWN_NOSAVE = 1;
    private static final int SHUTDOWN_SAVE = 2;
    private static final int SHUTDOWN_NOW = 4;
    private static final int SHUTDOWN_FORCE = 8;

    private static final byte[] AUTH = bytes("auth");
    private static final byte[] SETNAME = bytes("setname");
    private static final byte[] ID = bytes("id");
    private static final byte[] TYPE = bytes("type");
    private static final byte[] ADDR = bytes("addr");
    private static final byte[] LADDR = bytes("laddr");
    private static final byte[] USER = bytes("user");
    private static final byte[] SKIPME = bytes("skipme");
    private static final byte[] YES = bytes("yes");
    private static final byte[] NO = bytes("no");
    private static final byte[] ON = bytes("on");
    private static final byte[] OFF = bytes("off");
    private static final byte[] NOSAVE = bytes("nosave");
    private static final byte[] SAVE = bytes("save");
    private static final byte[] NOW = bytes("now");
    private static final byte[] FORCE = bytes("force");
    private static final byte[] ABORT = bytes("abort");
    private static final byte[] TIMEOUT = bytes("timeout");
    private static final byte[] ERROR = bytes("error");

    private final ServerControl server;
    private final ServerConfig config;
    private final EventLoopAgent loop;

    private ConnectionCommands(final ServerControl server)
    {
        this.server = server;
        this.config = server.config();
        this.loop = server.loop();
    }

    /** Bind the connection and server commands, INFO and CONFIG; gate the engine's DEBUG. Called once at start. */
    public static void bind(final ServerControl server, final CommandTable table)
    {
        final ConnectionCommands commands = new ConnectionCommands(server);
        table.bind("auth", commands::auth);
        table.bind("hello", commands::hello);
        table.bind("quit", commands::quit);
        table.bind("client|id", commands::clientId);
        table.bind("client|setname", commands::clientSetName);
        table.bind("client|getname", commands::clientGetName);
        table.bind("client|list", commands::clientList);
        table.bind("client|info", commands::clientInfo);
        table.bind("client|kill", commands::clientKill);
        table.bind("client|no-evict", commands::clientNoEvict);
        table.bind("client|unblock", commands::clientUnblock);
        table.bind("client|help", commands::clientHelp);
        table.bind("shutdown", commands::shutdown);

        // DEBUG carries the PROTECTED flag; the dispatcher asks this gate before it checks authentication
        server.engine().dispatcher().gate(commands::denyProtected);

        final Info info = new Info(server);
        info.bind(table);
        // the loop has a single cron hook and nothing else uses it yet (see Info#onCron)
        server.loop().cronListener(info::onCron);
        ConfigCommand.bind(server, table, info);
    }

    // ------------------------------------------------------------------------------------------------
    // AUTH, HELLO, QUIT

    private void auth(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        if (args.count() > 3)
        {
            out.error(SYNTAX_ERROR);
            return;
        }
        final byte[] user;
        final byte[] password;
        if (args.count() == 2)
        {
            if (config.requirePass() == null)
            {
                // Redis keeps the pre-ACL error for the one-argument form when the default user has no password
                out.error(NO_PASSWORD_CONFIGURED);
                return;
            }
            user = bytes(DEFAULT_USER);
            password = argBytes(args, 1);
        }
        else
        {
            user = argBytes(args, 1);
            password = argBytes(args, 2);
        }
        if (checkCredentials(user, password))
        {
            setAuthenticated(ctx.client());
            out.ok();
        }
        else
        {
            out.error(WRONGPASS);
        }
    }

    /** One user, "default": its password is requirepass; without one, any password is right (nopass). */
    private boolean checkCredentials(final byte[] user, final byte[] password)
    {
        if (!MessageDigest.isEqual(user, bytes(DEFAULT_USER)))
        {
            return false;
        }
        final String requirePass = config.requirePass();
        // constant-time comparison: the time taken must not tell how much of the password was right
        return requirePass == null || MessageDigest.isEqual(password, requirePass.getBytes(StandardCharsets.UTF_8));
    }

    private static void setAuthenticated(final ClientContext client)
    {
        if (client instanceof ClientSession)
        {
            ((ClientSession)client).authenticated(true);
        }
    }

    /** HELLO [protover [AUTH username password] [SETNAME clientname]], in Redis 7.0's order of checks. */
    private void hello(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        final ClientContext client = ctx.client();
        int version = 0;
        int next = 1;
        if (args.count() >= 2)
        {
            if (!args.parseLong(1))
            {
                out.error("ERR Protocol version is not an integer or out of range");
                return;
            }
            final long requested = args.longValue();
            if (requested < 2 || requested > 3)
            {
                out.error("NOPROTO unsupported protocol version");
                return;
            }
            version = (int)requested;
            next = 2;
        }

        // Redis 7.0 acts on each option where it stands: AUTH authenticates (or fails) and SETNAME names the
        // client before the next option is even read, so "SETNAME ok SETNAME 'a b'" leaves the name "ok"
        // and "AUTH '' '' SETNAME 'a b'" fails on the password
        final ClientSession session = client instanceof ClientSession ? (ClientSession)client : null;
        for (int i = next; i < args.count(); i++)
        {
            final int more = args.count() - 1 - i;
            if (args.equalsIgnoreCase(i, AUTH) && more >= 2)
            {
                if (!checkCredentials(argBytes(args, i + 1), argBytes(args, i + 2)))
                {
                    out.error(WRONGPASS);
                    return;
                }
                setAuthenticated(client);
                i += 2;
            }
            else if (args.equalsIgnoreCase(i, SETNAME) && more >= 1)
            {
                if (!isValidClientName(args, i + 1))
                {
                    out.error(BAD_CLIENT_NAME);
                    return;
                }
                if (session != null)
                {
                    session.name(args.toString(i + 1));
                }
                i++;
            }
            else
            {
                out.errorLatin1("ERR Syntax error in HELLO option '" + args.cString(i) + "'");
                return;
            }
        }

        if (!client.authenticated())
        {
            out.error(HELLO_NOAUTH);
            return;
        }
        if (version != 0)
        {
            // the session tells the dispatcher and the handlers; the connection's writer encodes every later
            // reply, this one included, in the new protocol
            if (session != null)
            {
                session.protocol(version);
            }
            out.protocol(version);
        }

        out.mapHeader(7);
        out.bulk("server");
        out.bulk("redis");
        out.bulk("version");
        out.bulk(Info.REDIS_VERSION);
        out.bulk("proto");
        out.integer(client.protocol());
        out.bulk("id");
        out.integer(client.id());
        out.bulk("mode");
        out.bulk("standalone");
        out.bulk("role");
        out.bulk("master");
        out.bulk("modules");
        out.arrayHeader(0);
    }

    private void quit(final CommandContext ctx)
    {
        ctx.out().ok();
        if (ctx.client() instanceof ClientSession)
        {
            ((ClientSession)ctx.client()).requestClose();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // CLIENT

    private void clientId(final CommandContext ctx)
    {
        ctx.out().integer(ctx.client().id());
    }

    private void clientSetName(final CommandContext ctx)
    {
        final Args args = ctx.args();
        if (!isValidClientName(args, 2))
        {
            ctx.out().error(BAD_CLIENT_NAME);
            return;
        }
        if (ctx.client() instanceof ClientSession)
        {
            ((ClientSession)ctx.client()).name(args.toString(2));
        }
        ctx.out().ok();
    }

    private void clientGetName(final CommandContext ctx)
    {
        final ClientSession session = ctx.client() instanceof ClientSession ? (ClientSession)ctx.client() : null;
        if (session == null || session.name().isEmpty())
        {
            ctx.out().nullBulk();
        }
        else
        {
            ctx.out().bulk(session.name());
        }
    }

    /** CLIENT LIST [TYPE type] | [ID id [id ...]], with Redis 7.0.15's argument rules. */
    private void clientList(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        final long nowMs = System.currentTimeMillis();
        final StringBuilder sb = new StringBuilder(512);
        if (args.count() == 4 && args.equalsIgnoreCase(2, TYPE))
        {
            final int type = clientType(args, 3);
            if (type < 0)
            {
                out.errorLatin1("ERR Unknown client type '" + args.cString(3) + "'");
                return;
            }
            if (type == TYPE_NORMAL)
            {
                for (final ClientSession session : loop.sessions())
                {
                    appendClientInfo(sb, session, ctx, nowMs).append('\n');
                }
            }
        }
        else if (args.count() > 3 && args.equalsIgnoreCase(2, ID))
        {
            final List<ClientSession> sessions = loop.sessions();
            for (int i = 3; i < args.count(); i++)
            {
                if (!args.parseLong(i))
                {
                    out.error("ERR Invalid client ID");
                    return;
                }
                final ClientSession session = find(sessions, args.longValue());
                if (session != null)
                {
                    appendClientInfo(sb, session, ctx, nowMs).append('\n');
                }
            }
        }
        else if (args.count() != 2)
        {
            out.error(SYNTAX_ERROR);
            return;
        }
        else
        {
            for (final ClientSession session : loop.sessions())
            {
                appendClientInfo(sb, session, ctx, nowMs).append('\n');
            }
        }
        out.verbatim("txt", sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void clientInfo(final CommandContext ctx)
    {
        final StringBuilder sb = new StringBuilder(300);
        if (ctx.client() instanceof ClientSession)
        {
            appendClientInfo(sb, (ClientSession)ctx.client(), ctx, System.currentTimeMillis());
        }
        sb.append('\n');
        ctx.out().verbatim("txt", sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * One line of CLIENT LIST, Redis 7.0's fields in Redis's order. Mapping of KeelKV's connection to
     * Redis's figures: each connection has one query buffer (qbuf = bytes not yet executed, qbuf-free =
     * room left) and one growable reply buffer, which plays the part of Redis's static reply buffer
     * (rbs/rbp = its capacity, obl = bytes waiting to be sent); there is no reply list, so oll and omem
     * are 0. fd is -1 unless the network layer recorded the socket's descriptor (Java hides it); cmd is the
     * last command (the current one for the calling client); argv-mem is the size of the arguments of the
     * command being executed, so only the calling client has one. multi is the count of queued commands
     * in MULTI, else -1, and multi-mem their arguments' bytes. No pub/sub or tracking yet: sub/psub/ssub 0,
     * redir -1.
     */
    private StringBuilder appendClientInfo(
        final StringBuilder sb, final ClientSession session, final CommandContext ctx, final long nowMs)
    {
        final boolean self = session == ctx.client();
        final long[] buffers = loop.bufferStats(session.id());
        final long qbuf = buffers[0];
        final long qbufFree = buffers[1];
        final long obl = buffers[2];
        final long replyBufferSize = buffers[3];
        long argvMem = 0;
        if (self)
        {
            final Args args = ctx.args();
            for (int i = 0; i < args.count(); i++)
            {
                argvMem += args.length(i);
            }
        }
        final String cmd = self ? ctx.spec().fullName() : session.lastCommand;
        final MultiState multi = session.multiState();
        final long totalMem = qbuf + qbufFree + replyBufferSize + argvMem + (multi == null ? 0 : multi.queuedBytes());
        sb.append("id=").append(session.id())
            .append(" addr=").append(session.address())
            .append(" laddr=").append(session.localAddress())
            .append(" fd=").append(session.fd())
            .append(" name=").append(session.name())
            .append(" age=").append(Math.max(0, (nowMs - session.createdMs()) / 1000))
            .append(" idle=").append(Math.max(0, (nowMs - session.lastInteractionMs) / 1000))
            .append(" flags=").append(clientFlags(session))
            .append(" db=").append(session.db())
            .append(" sub=0 psub=0 ssub=0 multi=").append(multi != null && multi.active() ? multi.queuedCount() : -1)
            .append(" qbuf=").append(qbuf)
            .append(" qbuf-free=").append(qbufFree)
            .append(" argv-mem=").append(argvMem)
            .append(" multi-mem=").append(multi == null ? 0 : multi.queuedBytes())
            .append(" rbs=").append(replyBufferSize)
            .append(" rbp=").append(replyBufferSize)
            .append(" obl=").append(obl)
            .append(" oll=0 omem=0")
            .append(" tot-mem=").append(totalMem)
            .append(" events=").append(obl > 0 ? "rw" : "r")
            .append(" cmd=").append(cmd)
            .append(" user=").append(DEFAULT_USER)
            .append(" redir=-1")
            .append(" resp=").append(session.protocol());
        return sb;
    }

    /** CLIENT KILL addr (old form: +OK or "No such client") or CLIENT KILL filter value ... (a count). */
    private void clientKill(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        String addr = null;
        String laddr = null;
        int type = -1;
        long id = 0;
        boolean skipMe = true;
        if (args.count() == 3)
        {
            addr = args.toString(2);
            skipMe = false; // with the old form a client may kill itself
        }
        else
        {
            for (int i = 2; i < args.count(); i += 2)
            {
                final boolean more = i + 1 < args.count();
                if (args.equalsIgnoreCase(i, ID) && more)
                {
                    if (!args.parseLong(i + 1) || args.longValue() < 1)
                    {
                        out.error("ERR client-id should be greater than 0");
                        return;
                    }
                    id = args.longValue();
                }
                else if (args.equalsIgnoreCase(i, TYPE) && more)
                {
                    type = clientType(args, i + 1);
                    if (type < 0)
                    {
                        out.errorLatin1("ERR Unknown client type '" + args.cString(i + 1) + "'");
                        return;
                    }
                }
                else if (args.equalsIgnoreCase(i, ADDR) && more)
                {
                    addr = args.toString(i + 1);
                }
                else if (args.equalsIgnoreCase(i, LADDR) && more)
                {
                    laddr = args.toString(i + 1);
                }
                else if (args.equalsIgnoreCase(i, USER) && more)
                {
                    final String user = args.toString(i + 1);
                    if (!DEFAULT_USER.equals(user))
                    {
                        out.errorLatin1("ERR No such user '" + args.cString(i + 1) + "'");
                        return;
                    }
                    // every client is the default user's: the filter keeps them all
                }
                else if (args.equalsIgnoreCase(i, SKIPME) && more)
                {
                    if (args.equalsIgnoreCase(i + 1, YES))
                    {
                        skipMe = true;
                    }
                    else if (args.equalsIgnoreCase(i + 1, NO))
                    {
                        skipMe = false;
                    }
                    else
                    {
                        out.error(SYNTAX_ERROR);
                        return;
                    }
                }
                else
                {
                    out.error(SYNTAX_ERROR);
                    return;
                }
            }
        }

        final List<ClientSession> victims = new ArrayList<>();
        for (final ClientSession session : loop.sessions())
        {
            if ((addr != null && !addr.equals(session.address())) ||
                (laddr != null && !laddr.equals(session.localAddress())) ||
                (type != -1 && type != TYPE_NORMAL) ||
                (id != 0 && session.id() != id) ||
                (skipMe && session == ctx.client()))
            {
                continue;
            }
            victims.add(session);
        }
        // the loop closes the calling client only after this reply has been sent
        for (final ClientSession victim : victims)
        {
            loop.kill(victim.id());
        }
        if (args.count() == 3)
        {
            if (victims.isEmpty())
            {
                out.error("ERR No such client");
            }
            else
            {
                out.ok();
            }
        }
        else
        {
            out.integer(victims.size());
        }
    }

    private void clientNoEvict(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final boolean on;
        if (args.equalsIgnoreCase(2, ON))
        {
            on = true;
        }
        else if (args.equalsIgnoreCase(2, OFF))
        {
            on = false;
        }
        else
        {
            ctx.out().error(SYNTAX_ERROR);
            return;
        }
        if (ctx.client() instanceof ClientSession)
        {
            ((ClientSession)ctx.client()).noEvict(on);
        }
        ctx.out().ok();
    }

    /** CLIENT LIST's flags, in Redis's order among those KeelKV has: b (blocked), e (no-evict), else N. */
    /** Redis 7.0's letters in its order: x in MULTI, b blocked, d a watched key changed, e no-evict; else N. */
    private static String clientFlags(final ClientSession session)
    {
        final MultiState tx = session.multiState();
        final boolean multi = tx != null && tx.active();
        final boolean dirty = tx != null && tx.watchedKeyChanged();
        final boolean blocked = session.isBlocked();
        if (!multi && !blocked && !dirty && !session.noEvict())
        {
            return "N";
        }
        return (multi ? "x" : "") + (blocked ? "b" : "") + (dirty ? "d" : "") + (session.noEvict() ? "e" : "");
    }

    /**
     * CLIENT UNBLOCK id [TIMEOUT|ERROR]: Redis 7.0 checks the count of arguments, then the reason, then the id;
     * 1 when the client was blocked (it gets the timeout's reply, or -UNBLOCKED), else 0.
     */
    private void clientUnblock(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        if (args.count() > 4)
        {
            out.errorLatin1("ERR unknown subcommand or wrong number of arguments for '" + args.cString(1, 128) +
                "'. Try CLIENT HELP.");
            return;
        }
        boolean error = false;
        if (args.count() == 4)
        {
            if (args.equalsIgnoreCase(3, ERROR))
            {
                error = true;
            }
            else if (!args.equalsIgnoreCase(3, TIMEOUT))
            {
                out.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
                return;
            }
        }
        if (!args.parseLong(2))
        {
            out.raw(RespConstants.NOT_INTEGER);
            return;
        }
        final ClientSession target = loop.session(args.longValue());
        final boolean unblocked = target != null &&
            server.engine().blocking().unblock(target.blockingStateIfAny(), error);
        out.integer(unblocked ? 1 : 0);
    }

    /** Redis's CLIENT HELP, limited to the subcommands KeelKV serves (no CACHING, PAUSE, REPLY, TRACKING ...). */
    private void clientHelp(final CommandContext ctx)
    {
        writeHelp(ctx.out(), CLIENT_HELP);
    }

    /** Redis's addReplyHelp: an array of simple strings. */
    public static void writeHelp(final RespWriter out, final String[] lines)
    {
        out.arrayHeader(lines.length);
        for (final String line : lines)
        {
            out.simpleString(line);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // SHUTDOWN and DEBUG

    /**
     * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT], Redis 7.0's rules: the dataset is saved first (in the
     * foreground, on this thread) with SAVE, or without NOSAVE when save points are configured; when that save
     * fails the server refuses to exit, answers Redis's error and keeps serving, unless FORCE. NOW only skips
     * waiting for replicas, which KeelKV never does. On success no reply is sent: the connection closes with
     * the server, as in Redis.
     */
    private void shutdown(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        int flags = 0;
        boolean abort = false;
        for (int i = 1; i < args.count(); i++)
        {
            if (args.equalsIgnoreCase(i, NOSAVE))
            {
                flags |= SHUTDOWN_NOSAVE;
            }
            else if (args.equalsIgnoreCase(i, SAVE))
            {
                flags |= SHUTDOWN_SAVE;
            }
            else if (args.equalsIgnoreCase(i, NOW))
            {
                flags |= SHUTDOWN_NOW;
            }
            else if (args.equalsIgnoreCase(i, FORCE))
            {
                flags |= SHUTDOWN_FORCE;
            }
            else if (args.equalsIgnoreCase(i, ABORT))
            {
                abort = true;
            }
            else
            {
                out.error(SYNTAX_ERROR);
                return;
            }
        }
        if ((abort && flags != 0) || ((flags & SHUTDOWN_NOSAVE) != 0 && (flags & SHUTDOWN_SAVE) != 0))
        {
            out.error(SYNTAX_ERROR);
            return;
        }
        if (abort)
        {
            // a KeelKV shutdown never waits for replicas, so there is never one in progress to abort
            out.error("ERR No shutdown in progress.");
            return;
        }

        Log.warning("User requested shutdown...");
        server.snapshots().prepareForShutdown();
        final boolean save = (flags & SHUTDOWN_SAVE) != 0 ||
            ((flags & SHUTDOWN_NOSAVE) == 0 && server.snapshots().savesOnShutdown());
        if (save && !server.snapshots().finalSave((flags & SHUTDOWN_FORCE) != 0))
        {
            out.error("ERR Errors trying to SHUTDOWN. Check logs.");
            return;
        }
        server.shutdown(() -> { });
        // no reply, and nothing after SHUTDOWN in this client's pipeline runs: the connection only closes
        if (ctx.client() instanceof ClientSession)
        {
            ((ClientSession)ctx.client()).requestClose();
        }
    }

    /** enable-debug-command: no, yes, or local (loopback clients only). Null lets the command run. */
    private String denyProtected(final CommandSpec spec, final ClientContext client)
    {
        final String mode = config.enableDebugCommand();
        final boolean allowed = "yes".equals(mode) || ("local".equals(mode) && isLocal(client));
        return allowed ? null : DEBUG_NOT_ALLOWED;
    }

    /** Clients without a connection (embedded use, AOF replay) run in this process: local. */
    private static boolean isLocal(final ClientContext client)
    {
        return !(client instanceof ClientSession) || ((ClientSession)client).isLocal();
    }

    // ------------------------------------------------------------------------------------------------
    // helpers

    /** As Redis's validateClientName: printable ASCII without spaces ('!' to '~'); empty clears the name. */
    private static boolean isValidClientName(final Args args, final int index)
    {
        final int offset = args.offset(index);
        final int length = args.length(index);
        for (int i = 0; i < length; i++)
        {
            final byte b = args.buffer().getByte(offset + i);
            if (b < '!' || b > '~')
            {
                return false;
            }
        }
        return true;
    }

    private static int clientType(final Args args, final int index)
    {
        if (args.equalsIgnoreCase(index, bytes("normal")))
        {
            return TYPE_NORMAL;
        }
        if (args.equalsIgnoreCase(index, bytes("slave")) || args.equalsIgnoreCase(index, bytes("replica")))
        {
            return TYPE_REPLICA;
        }
        if (args.equalsIgnoreCase(index, bytes("pubsub")))
        {
            return TYPE_PUBSUB;
        }
        if (args.equalsIgnoreCase(index, bytes("master")))
        {
            return TYPE_MASTER;
        }
        return -1;
    }

    private static ClientSession find(final List<ClientSession> sessions, final long id)
    {
        for (final ClientSession session : sessions)
        {
            if (session.id() == id)
            {
                return session;
            }
        }
        return null;
    }

    private static byte[] argBytes(final Args args, final int index)
    {
        final byte[] bytes = new byte[args.length(index)];
        args.buffer().getBytes(args.offset(index), bytes);
        return bytes;
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
