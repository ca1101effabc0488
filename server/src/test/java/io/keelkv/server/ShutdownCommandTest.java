package io.keelkv.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.Socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** SHUTDOWN and the enable-debug-command gate in front of DEBUG; replies as redis-server 7.0.15's. */
class ShutdownCommandTest
{
    private static final String DEBUG_NOT_ALLOWED = "-ERR DEBUG command not allowed. If the enable-debug-command " +
        "option is set to \"local\", you can run it from a local connection, otherwise you need to set this option " +
        "in the configuration file, and then restart the server.\r\n";

    private KeelServer server;

    @AfterEach
    void stop()
    {
        if (server != null)
        {
            server.close();
        }
    }

    @Test
    void shouldRejectBadShutdownArgumentsAndKeepRunning() throws Exception
    {
        server = TestServers.start();
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals("-ERR syntax error\r\n", client.call("SHUTDOWN", "foo"));
            assertEquals("-ERR syntax error\r\n", client.call("SHUTDOWN", "NOSAVE", "SAVE"));
            assertEquals("-ERR syntax error\r\n", client.call("SHUTDOWN", "NOSAVE", "ABORT"));
            assertEquals("-ERR syntax error\r\n", client.call("SHUTDOWN", "ABORT", "NOW"));
            assertEquals("-ERR No shutdown in progress.\r\n", client.call("SHUTDOWN", "ABORT"));
            assertTrue(client.call("CLIENT", "ID").startsWith(":"));
        }
        assertTrue(!server.awaitStopped(100));
    }

    @Test
    void shouldStopWithShutdownNosave() throws Exception
    {
        server = TestServers.start();
        final int port = server.port();
        try (RawRespClient client = new RawRespClient(port))
        {
            // no reply: the connection closes with the server, and nothing after SHUTDOWN runs
            client.sendRaw("SHUTDOWN NOSAVE\r\nCLIENT ID\r\n");
            assertTrue(client.isClosedByPeer());
        }
        assertTrue(server.awaitStopped(5_000));
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
    }

    @Test
    void shouldStopWithPlainShutdown() throws Exception
    {
        server = TestServers.start();
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            client.send("SHUTDOWN");
            assertTrue(client.isClosedByPeer());
        }
        assertTrue(server.awaitStopped(5_000));
    }

    @Test
    void shouldRefuseDebugWhenNotEnabled() throws Exception
    {
        server = TestServers.start();
        assumeTrue(server.engine().commandTable().byName("debug") != null, "the engine serves no DEBUG");
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals(DEBUG_NOT_ALLOWED, client.call("DEBUG", "foo"));
            assertEquals("-ERR wrong number of arguments for 'debug' command\r\n", client.call("DEBUG"));
        }
    }

    @Test
    void shouldAllowDebugFromLoopbackWhenLocal() throws Exception
    {
        server = TestServers.start("--enable-debug-command", "local");
        assumeTrue(server.engine().commandTable().byName("debug") != null, "the engine serves no DEBUG");
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertNotEquals(DEBUG_NOT_ALLOWED, client.call("DEBUG", "help"));
        }
    }
}
