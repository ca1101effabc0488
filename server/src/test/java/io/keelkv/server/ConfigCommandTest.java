package io.keelkv.server;

import io.keelkv.engine.command.CommandSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CONFIG GET / SET / RESETSTAT / HELP / REWRITE over TCP; replies as redis-server 7.0.15's. */
class ConfigCommandTest
{
    private KeelServer server;
    private RawRespClient client;

    @BeforeEach
    void start() throws Exception
    {
        server = TestServers.start();
        client = new RawRespClient(server.port());
    }

    @AfterEach
    void stop() throws Exception
    {
        client.close();
        server.close();
    }

    @Test
    void shouldGetAsFlatArrayInResp2AndMapInResp3() throws Exception
    {
        final String pairs = "$9\r\nmaxmemory\r\n$1\r\n0\r\n$2\r\nhz\r\n$2\r\n10\r\n";
        assertEquals("*4\r\n" + pairs, client.call("CONFIG", "GET", "maxmemory", "hz"));
        assertEquals("*0\r\n", client.call("CONFIG", "GET", "nosuch"));
        assertEquals("-ERR wrong number of arguments for 'config|get' command\r\n", client.call("CONFIG", "GET"));
        assertTrue(client.call("HELLO", "3").startsWith("%7"));
        assertEquals("%2\r\n" + pairs, client.call("CONFIG", "GET", "maxmemory", "hz"));
        assertEquals("%0\r\n", client.call("CONFIG", "GET", "nosuch"));
    }

    @Test
    void shouldSetAndGetBack() throws Exception
    {
        try (Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("OK", jedis.configSet("maxmemory", "10mb"));
            assertEquals(Map.of("maxmemory", "10485760"), jedis.configGet("maxmemory"));
            assertEquals("OK", jedis.configSet("maxmemory-policy", "allkeys-lru", "hz", "20"));
            assertEquals("allkeys-lru", jedis.configGet("maxmemory-policy").get("maxmemory-policy"));
            assertEquals("20", jedis.configGet("hz").get("hz"));
        }
        final Map<String, String> memory = InfoCommandTest.fields(ConnectionCommandsTest.body(client.call("INFO", "memory")));
        assertEquals("10485760", memory.get("maxmemory"));
        assertEquals("10.00M", memory.get("maxmemory_human"));
        assertEquals("allkeys-lru", memory.get("maxmemory_policy"));
    }

    @Test
    void shouldSetAtomicallyWithConfigErrors() throws Exception
    {
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory " +
            "value\r\n", client.call("CONFIG", "SET", "hz", "20", "maxmemory", "foo"));
        assertEquals("*2\r\n$2\r\nhz\r\n$2\r\n10\r\n", client.call("CONFIG", "GET", "hz"));
        assertEquals("-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n",
            client.call("CONFIG", "SET", "nosuch", "1"));
        assertEquals("-ERR syntax error\r\n", client.call("CONFIG", "SET", "a", "b", "c"));
        assertEquals("-ERR wrong number of arguments for 'config|set' command\r\n", client.call("CONFIG", "SET", "hz"));
    }

    @Test
    void shouldRefuseToTurnOnAFeatureKeelKvLacksAndKeepEverythingOfTheCommand() throws Exception
    {
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'tls-port') - tls-port 6380 is not " +
            "supported: KeelKV has no TLS\r\n", client.call("CONFIG", "SET", "maxmemory", "1mb", "tls-port", "6380"));
        assertEquals("*4\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n$8\r\ntls-port\r\n$1\r\n0\r\n",
            client.call("CONFIG", "GET", "maxmemory", "tls-port"));
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'min-slaves-to-write') - " +
            "min-replicas-to-write 2 is not supported: KeelKV has no replication, no write could reach a replica\r\n",
            client.call("CONFIG", "SET", "min-slaves-to-write", "2"));
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'slaveof') - can't set immutable config\r\n",
            client.call("CONFIG", "SET", "slaveof", "127.0.0.1 6380"));
        assertEquals("+OK\r\n", client.call("CONFIG", "SET", "tls-replication", "no", "min-replicas-max-lag", "5"));
        assertEquals("+PONG\r\n", client.call("PING"));
    }

    @Test
    void shouldResetStats() throws Exception
    {
        client.call("CLIENT", "ID");
        client.call("CLIENT", "ID", "extra");
        assertTrue(ConnectionCommandsTest.body(client.call("INFO", "commandstats")).contains("cmdstat_client|id:"));
        assertEquals("+OK\r\n", client.call("CONFIG", "RESETSTAT"));
        final String stats = ConnectionCommandsTest.body(client.call("INFO", "commandstats"));
        assertFalse(stats.contains("cmdstat_client|id:"), stats);
        assertTrue(stats.contains("cmdstat_config|resetstat:calls=1,"), stats);
        final Map<String, String> fields = InfoCommandTest.fields(ConnectionCommandsTest.body(client.call("INFO", "stats")));
        assertEquals("0", fields.get("total_error_replies"));
        assertEquals("-ERR wrong number of arguments for 'config|resetstat' command\r\n",
            client.call("CONFIG", "RESETSTAT", "x"));
    }

    @Test
    void shouldAnswerHelpAndRewrite() throws Exception
    {
        assertEquals("*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n" +
            "+GET <pattern>\r\n+    Return parameters matching the glob-like <pattern> and their values.\r\n" +
            "+SET <directive> <value>\r\n+    Set the configuration <directive> to <value>.\r\n" +
            "+RESETSTAT\r\n+    Reset statistics reported by the INFO command.\r\n" +
            "+REWRITE\r\n+    Rewrite the configuration file.\r\n" +
            "+HELP\r\n+    Prints this help.\r\n", client.call("CONFIG", "HELP"));
        assertEquals("-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n", client.call("CONFIG", "FOO"));
        boolean rewriteRow = false;
        for (final CommandSpec spec : server.engine().commandTable().allRows())
        {
            rewriteRow |= spec.fullName().equals("config|rewrite");
        }
        assertEquals(rewriteRow ? "-ERR The server is running without a config file\r\n" :
            "-ERR unknown subcommand 'REWRITE'. Try CONFIG HELP.\r\n", client.call("CONFIG", "REWRITE"));
    }
}
