package io.keelkv.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AUTH, HELLO, QUIT and CLIENT against a real server over TCP. Every expected reply and error text is what
 * redis-server 7.0.15 sends for the same request (captured byte for byte with a raw socket).
 */
class ConnectionCommandsTest
{
    private static final String WRONGPASS = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
    private static final String SYNTAX = "-ERR syntax error\r\n";

    private KeelServer server;

    @AfterEach
    void stop()
    {
        if (server != null)
        {
            server.close();
        }
    }

    private static String bulk(final String s)
    {
        return "$" + s.length() + "\r\n" + s + "\r\n";
    }

    private static String hello(final int proto, final long id)
    {
        return (proto == 3 ? "%7\r\n" : "*14\r\n") +
            bulk("server") + bulk("redis") + bulk("version") + bulk("7.0.15") + bulk("proto") + ":" + proto + "\r\n" +
            bulk("id") + ":" + id + "\r\n" + bulk("mode") + bulk("standalone") + bulk("role") + bulk("master") +
            bulk("modules") + "*0\r\n";
    }

    private static long clientId(final RawRespClient client) throws Exception
    {
        final String reply = client.call("CLIENT", "ID");
        return Long.parseLong(reply.substring(1, reply.length() - 2));
    }

    @Test
    void shouldCheckExistenceArityAndDebugGateBeforeAuthAsRedis() throws Exception
    {
        // redis-server 7.0.15 with requirepass, unauthenticated: the same replies in the same order
        server = TestServers.start("--requirepass", "secret");
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals("-ERR unknown command 'nosuchcmd', with args beginning with: \r\n", client.call("nosuchcmd"));
            assertEquals("-ERR unknown subcommand 'nosuch'. Try CONFIG HELP.\r\n", client.call("CONFIG", "nosuch"));
            assertEquals("-ERR wrong number of arguments for 'get' command\r\n", client.call("GET"));
            assertEquals("-ERR wrong number of arguments for 'config' command\r\n", client.call("CONFIG"));
            assertTrue(client.call("DEBUG", "DIGEST").startsWith("-ERR DEBUG command not allowed. If the enable-debug-command"));
            assertEquals("-NOAUTH Authentication required.\r\n", client.call("GET", "k"));
            assertEquals("+OK\r\n", client.call("AUTH", "secret"));
            final Map<String, String> stats = InfoCommandTest.fields(
                ConnectionCommandsTest.body(client.call("INFO", "commandstats")));
            assertEquals("calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0", stats.get("cmdstat_debug"));
            assertEquals("calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0", stats.get("cmdstat_config"));
        }
    }

    @Test
    void shouldRequireAuthWhenRequirepassIsSet() throws Exception
    {
        server = TestServers.start("--requirepass", "secret");
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals("-NOAUTH Authentication required.\r\n", client.call("CLIENT", "ID"));
            assertEquals(WRONGPASS, client.call("AUTH", "wrong"));
            assertEquals(WRONGPASS, client.call("AUTH", "bob", "secret"));
            assertEquals(SYNTAX, client.call("AUTH", "a", "b", "c"));
            assertEquals("-ERR wrong number of arguments for 'auth' command\r\n", client.call("AUTH"));
            assertEquals("-NOAUTH Authentication required.\r\n", client.call("CLIENT", "ID"));
            assertEquals("+OK\r\n", client.call("AUTH", "secret"));
            assertTrue(client.call("CLIENT", "ID").startsWith(":"));
            assertEquals("+OK\r\n", client.call("AUTH", "default", "secret"));
            // a failed AUTH does not take the authentication back, as in Redis
            assertEquals(WRONGPASS, client.call("AUTH", "nope"));
            assertTrue(client.call("CLIENT", "ID").startsWith(":"));
        }
        try (Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("OK", jedis.auth("secret"));
            assertTrue(jedis.clientId() > 0);
        }
    }

    @Test
    void shouldAnswerAuthLikeRedisWithoutPassword() throws Exception
    {
        server = TestServers.start();
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals("-ERR AUTH <password> called without any password configured for the default user. " +
                "Are you sure your configuration is correct?\r\n", client.call("AUTH", "x"));
            // the default user without a password (nopass) accepts any password
            assertEquals("+OK\r\n", client.call("AUTH", "default", "anything"));
            assertEquals(WRONGPASS, client.call("AUTH", "bob", "x"));
        }
    }

    @Test
    void shouldSwitchToResp3WithHello() throws Exception
    {
        server = TestServers.start();
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            final long id = clientId(client);
            assertEquals(hello(3, id), client.call("HELLO", "3"));
            assertEquals("_\r\n", client.call("CLIENT", "GETNAME"));
            // the test server is configured with port 0 (an ephemeral port): CONFIG GET reports the directive
            assertEquals("%1\r\n" + bulk("port") + bulk("0"), client.call("CONFIG", "GET", "port"));
            assertEquals(hello(3, id), client.call("HELLO"));
            assertEquals(hello(2, id), client.call("HELLO", "2"));
            assertEquals("$-1\r\n", client.call("CLIENT", "GETNAME"));
            assertEquals("*2\r\n" + bulk("port") + bulk("0"), client.call("CONFIG", "GET", "port"));
        }
    }

    @Test
    void shouldRejectBadHelloArguments() throws Exception
    {
        server = TestServers.start();
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            final long id = clientId(client);
            assertEquals("-NOPROTO unsupported protocol version\r\n", client.call("HELLO", "4"));
            assertEquals("-NOPROTO unsupported protocol version\r\n", client.call("HELLO", "1"));
            assertEquals("-ERR Protocol version is not an integer or out of range\r\n", client.call("HELLO", "abc"));
            assertEquals("-ERR Syntax error in HELLO option 'FOO'\r\n", client.call("HELLO", "3", "FOO"));
            assertEquals("-ERR Syntax error in HELLO option 'AUTH'\r\n", client.call("HELLO", "3", "AUTH", "a"));
            assertEquals("-ERR Syntax error in HELLO option 'SETNAME'\r\n", client.call("HELLO", "3", "SETNAME"));
            assertEquals("-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
                client.call("HELLO", "3", "SETNAME", "a b"));
            // none of the failures switched the protocol
            assertEquals("$-1\r\n", client.call("CLIENT", "GETNAME"));
            assertEquals(hello(3, id), client.call("HELLO", "3", "SETNAME", "foo"));
            assertEquals(bulk("foo"), client.call("CLIENT", "GETNAME"));
        }
    }

    @Test
    void shouldEchoBinaryArgumentsInErrorsAsRedis() throws Exception
    {
        // Redis prints these with "%s": the argument ends at a NUL and its bytes go out unchanged (a client
        // speaking ISO-8859-1 sees one char per byte)
        server = TestServers.start();
        try (RawRespClient client = new RawRespClient(server.port(), java.nio.charset.StandardCharsets.ISO_8859_1))
        {
            assertEquals("-ERR Syntax error in HELLO option '\u00ffopt'\r\n", client.call("HELLO", "3", "\u00ffopt\u0000x"));
            assertEquals("-ERR Unknown client type '\u00ff'\r\n", client.call("CLIENT", "LIST", "TYPE", "\u00ff\u0000z"));
            assertEquals("-ERR Unknown client type '\u00ffu'\r\n", client.call("CLIENT", "KILL", "TYPE", "\u00ffu"));
            assertEquals("-ERR No such user '\u00ffu'\r\n", client.call("CLIENT", "KILL", "USER", "\u00ffu\u0000z"));
            assertEquals("-ERR No such user 'default'\r\n", client.call("CLIENT", "KILL", "USER", "default\u0000z"));
            assertEquals("-ERR Unknown option or number of arguments for CONFIG SET - 'no\u00ffsuch'\r\n",
                client.call("CONFIG", "SET", "no\u00ffsuch\u0000x", "1"));
            assertEquals("-ERR Unknown option or number of arguments for CONFIG SET - 'maxmemory'\r\n",
                client.call("CONFIG", "SET", "maxmemory\u0000", "1"));
            assertEquals("+PONG\r\n", client.call("PING"));
        }
    }

    @Test
    void shouldAuthenticateWithHello() throws Exception
    {
        server = TestServers.start("--requirepass", "secret");
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals("-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO " +
                "AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol " +
                "version at the same time\r\n", client.call("HELLO", "3"));
            assertEquals(WRONGPASS, client.call("HELLO", "3", "AUTH", "default", "wrong"));
            assertEquals("-NOPROTO unsupported protocol version\r\n",
                client.call("HELLO", "5", "AUTH", "default", "secret"));
            final String reply = client.call("HELLO", "3", "AUTH", "default", "secret", "SETNAME", "x");
            assertTrue(reply.startsWith("%7\r\n"), reply);
            assertEquals(bulk("x"), client.call("CLIENT", "GETNAME"));
        }
    }

    @Test
    void shouldCloseAfterQuit() throws Exception
    {
        server = TestServers.start();
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            client.sendRaw("QUIT\r\nCLIENT ID\r\n");
            assertEquals("+OK\r\n", client.readReply());
            assertTrue(client.isClosedByPeer());
        }
        server.close();
        server = TestServers.start("--requirepass", "secret");
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            // QUIT needs no authentication
            assertEquals("+OK\r\n", client.call("QUIT"));
            assertTrue(client.isClosedByPeer());
        }
    }

    @Test
    void shouldSetAndGetClientName() throws Exception
    {
        server = TestServers.start();
        try (Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertNull(jedis.clientGetname());
            assertEquals("OK", jedis.clientSetname("worker-1"));
            assertEquals("worker-1", jedis.clientGetname());
            assertTrue(jedis.clientList().contains(" name=worker-1 "));
            assertTrue(jedis.clientInfo().contains(" name=worker-1 "));
            assertEquals("OK", jedis.clientSetname(""));
            assertNull(jedis.clientGetname());
        }
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals("-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
                client.call("CLIENT", "SETNAME", "a\u0001b"));
            assertEquals("-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
                client.call("CLIENT", "SETNAME", "a b"));
            assertEquals("-ERR wrong number of arguments for 'client|id' command\r\n", client.call("CLIENT", "ID", "x"));
            assertEquals("-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n", client.call("CLIENT", "FOO"));
        }
    }

    @Test
    void shouldListClientsWithRedisFieldsInOrder() throws Exception
    {
        server = TestServers.start();
        try (RawRespClient a = new RawRespClient(server.port()); RawRespClient b = new RawRespClient(server.port()))
        {
            final long idA = clientId(a);
            final long idB = clientId(b);
            final String list = a.call("CLIENT", "LIST");
            final String[] lines = body(list).split("\n");
            assertEquals(2, lines.length);
            assertEquals(List.of("id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub", "psub",
                "ssub", "multi", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem",
                "tot-mem", "events", "cmd", "user", "redir", "resp"), fieldNames(lines[0]));
            assertTrue(lines[0].startsWith("id=" + idA + " addr=127.0.0.1:"), lines[0]);
            assertTrue(lines[0].contains(" laddr=127.0.0.1:" + server.port() + " "), lines[0]);
            assertTrue(lines[0].contains(" flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 "), lines[0]);
            assertTrue(lines[0].contains(" argv-mem=10 "), lines[0]);
            assertTrue(lines[0].endsWith(" cmd=client|list user=default redir=-1 resp=2"), lines[0]);
            assertTrue(lines[1].startsWith("id=" + idB + " "), lines[1]);
            assertTrue(list.endsWith("\n\r\n"));
            // fd is the real descriptor: the server runs in this JVM, so /proc/self/fd/N is that socket
            final String fd = lines[0].replaceAll(".* fd=(-?\\d+) .*", "$1");
            assertTrue(Integer.parseInt(fd) > 2, lines[0]);
            assertTrue(java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd", fd))
                .toString().startsWith("socket:"), fd);

            assertTrue(body(a.call("CLIENT", "LIST", "ID", String.valueOf(idB))).startsWith("id=" + idB + " "));
            assertEquals("$0\r\n\r\n", a.call("CLIENT", "LIST", "ID", "0"));
            assertEquals("$0\r\n\r\n", a.call("CLIENT", "LIST", "TYPE", "pubsub"));
            assertEquals(2, body(a.call("CLIENT", "LIST", "TYPE", "normal")).split("\n").length);
            assertEquals("-ERR Invalid client ID\r\n", a.call("CLIENT", "LIST", "ID", "abc"));
            assertEquals("-ERR Unknown client type 'foo'\r\n", a.call("CLIENT", "LIST", "TYPE", "foo"));
            assertEquals(SYNTAX, a.call("CLIENT", "LIST", "foo"));
            assertEquals(SYNTAX, a.call("CLIENT", "LIST", "TYPE", "normal", "ID", "1"));

            assertEquals("+OK\r\n", a.call("CLIENT", "NO-EVICT", "on"));
            final String info = a.call("CLIENT", "INFO");
            assertTrue(body(info).startsWith("id=" + idA + " "));
            assertTrue(info.contains(" flags=e "), info);
            assertTrue(info.contains(" cmd=client|info "), info);
            assertEquals("+OK\r\n", a.call("CLIENT", "NO-EVICT", "OFF"));
            assertEquals(SYNTAX, a.call("CLIENT", "NO-EVICT", "maybe"));

            assertEquals(hello(3, idA), a.call("HELLO", "3"));
            final String resp3 = a.call("CLIENT", "INFO");
            assertTrue(resp3.startsWith("=") && resp3.contains("\r\ntxt:id=" + idA + " "), resp3);
            assertTrue(resp3.endsWith(" resp=3\n\r\n"), resp3);
        }
    }

    @Test
    void shouldKillClients() throws Exception
    {
        server = TestServers.start();
        try (RawRespClient a = new RawRespClient(server.port());
            RawRespClient b = new RawRespClient(server.port());
            RawRespClient c = new RawRespClient(server.port()))
        {
            clientId(a);
            final long idB = clientId(b);
            clientId(c);
            assertEquals("-ERR No such client\r\n", a.call("CLIENT", "KILL", "1.2.3.4:5"));
            assertEquals(":0\r\n", a.call("CLIENT", "KILL", "ID", "99999"));
            assertEquals("-ERR client-id should be greater than 0\r\n", a.call("CLIENT", "KILL", "ID", "abc"));
            assertEquals("-ERR client-id should be greater than 0\r\n", a.call("CLIENT", "KILL", "ID", "0"));
            assertEquals("-ERR Unknown client type 'foo'\r\n", a.call("CLIENT", "KILL", "TYPE", "foo"));
            assertEquals(SYNTAX, a.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "maybe"));
            assertEquals("-ERR No such user 'bob'\r\n", a.call("CLIENT", "KILL", "USER", "bob"));
            assertEquals(SYNTAX, a.call("CLIENT", "KILL", "foo", "bar"));
            assertEquals(SYNTAX, a.call("CLIENT", "KILL", "a", "b", "c"));
            assertEquals(":0\r\n", a.call("CLIENT", "KILL", "TYPE", "master"));
            assertEquals(":0\r\n", a.call("CLIENT", "KILL", "ADDR", "1.2.3.4:5"));

            assertEquals(":1\r\n", a.call("CLIENT", "KILL", "ID", String.valueOf(idB)));
            assertTrue(b.isClosedByPeer());

            // old form by address
            final String listC = body(c.call("CLIENT", "INFO"));
            final String addrC = listC.substring(listC.indexOf("addr=") + 5, listC.indexOf(' ', listC.indexOf("addr=")));
            assertEquals("+OK\r\n", a.call("CLIENT", "KILL", addrC));
            assertTrue(c.isClosedByPeer());

            // SKIPME yes (the default) spares the caller; SKIPME no kills it after the reply
            assertEquals(":0\r\n", a.call("CLIENT", "KILL", "USER", "default"));
            assertEquals(":1\r\n", a.call("CLIENT", "KILL", "USER", "default", "SKIPME", "no"));
            assertTrue(a.isClosedByPeer());
        }
    }

    @Test
    void shouldAnswerClientHelp() throws Exception
    {
        server = TestServers.start();
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            final String help = client.call("CLIENT", "HELP");
            assertTrue(help.startsWith("*33\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"));
            assertTrue(help.endsWith("+HELP\r\n+    Prints this help.\r\n"));
            assertFalse(help.contains("TRACKING"));
        }
    }

    /** The text of a bulk or verbatim reply. */
    static String body(final String reply)
    {
        final int start = reply.indexOf("\r\n") + 2;
        final String text = reply.substring(start, reply.length() - 2);
        return reply.startsWith("=") ? text.substring(4) : text;
    }

    private static List<String> fieldNames(final String line)
    {
        final List<String> names = new ArrayList<>();
        for (final String field : line.split(" "))
        {
            names.add(field.substring(0, field.indexOf('=')));
        }
        return names;
    }

    @Test
    void shouldShowEachClientsLastCommandInClientList() throws Exception
    {
        server = TestServers.start();
        try (RawRespClient a = new RawRespClient(server.port()); RawRespClient b = new RawRespClient(server.port()))
        {
            a.call("GET", "k");
            final String list = b.call("CLIENT", "LIST");
            assertTrue(list.contains(" cmd=get "), list);
            assertTrue(list.contains(" cmd=client|list "), list);
        }
    }

    @Test
    void shouldAnswerConfigRewriteWithoutAConfigFileAsRedis() throws Exception
    {
        server = TestServers.start();
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals("-ERR The server is running without a config file\r\n", client.call("CONFIG", "REWRITE"));
        }
    }
}
