package io.keelkv.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Collections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * protected-mode from a non-loopback address. A connection from this host to its own non-loopback address
 * (eth0) comes from that address, not from 127.0.0.1, so the server must treat it as remote: no network
 * namespace is needed. Checked against redis-server 7.0.15 bound the same way: the DENIED text is byte for
 * byte the same, and the connection closes.
 */
class ProtectedModeTest
{
    private static InetAddress external;
    private KeelServer server;

    @BeforeAll
    static void findNonLoopbackAddress() throws Exception
    {
        for (final NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces()))
        {
            if (nif.isUp() && !nif.isLoopback())
            {
                for (final InetAddress address : Collections.list(nif.getInetAddresses()))
                {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress())
                    {
                        external = address;
                    }
                }
            }
        }
        System.out.println("ProtectedModeTest: non-loopback address " + external);
        assumeTrue(external != null, "this host has no non-loopback IPv4 address");
    }

    @AfterEach
    void stop()
    {
        if (server != null)
        {
            server.close();
        }
    }

    private static String ping(final int port) throws Exception
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(external, port), 5_000);
            socket.setSoTimeout(5_000);
            final OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final InputStream in = socket.getInputStream();
            // up to EOF: a denied connection is closed after the error
            final java.io.ByteArrayOutputStream reply = new java.io.ByteArrayOutputStream();
            final byte[] chunk = new byte[4096];
            for (int n; (n = in.read(chunk)) > 0; )
            {
                reply.write(chunk, 0, n);
            }
            return reply.toString(StandardCharsets.US_ASCII);
        }
    }

    private static String pingKeepOpen(final int port) throws Exception
    {
        try (RawRespClient client = new RawRespClient(external.getHostAddress(), port))
        {
            return client.call("PING");
        }
    }

    @Test
    void shouldDenyRemoteClientsWithoutPasswordAndClose() throws Exception
    {
        // two addresses need one fixed port (--port 0 would give each its own)
        final int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0))
        {
            port = probe.getLocalPort();
        }
        server = TestServers.start("--bind", external.getHostAddress() + " 127.0.0.1", "--port", String.valueOf(port));
        final String reply = ping(server.port());
        assertTrue(reply.startsWith("-DENIED Redis is running in protected mode because protected mode is enabled " +
            "and no password is set for the default user."), reply);
        assertTrue(reply.contains(" 4) Setup a an authentication password for the default user. "), reply);
        assertTrue(reply.endsWith("accepting connections from the outside.\r\n"), reply);
        assertEquals(1, reply.split("\r\n").length, "nothing after the error: PING was not run");

        // loopback stays allowed, and from there protected mode can be turned off at runtime
        try (RawRespClient local = new RawRespClient(server.port()))
        {
            assertEquals("+PONG\r\n", local.call("PING"));
            assertEquals("+OK\r\n", local.call("CONFIG", "SET", "protected-mode", "no"));
        }
        assertEquals("+PONG\r\n", pingKeepOpen(server.port()));
    }

    @Test
    void shouldAcceptRemoteClientsWhenProtectedModeIsOff() throws Exception
    {
        server = TestServers.start("--bind", external.getHostAddress(), "--protected-mode", "no");
        assertEquals("+PONG\r\n", pingKeepOpen(server.port()));
    }

    @Test
    void shouldAcceptRemoteClientsWhenAPasswordIsSet() throws Exception
    {
        server = TestServers.start("--bind", external.getHostAddress(), "--requirepass", "secret");
        assertEquals("-NOAUTH Authentication required.\r\n", pingKeepOpen(server.port()));
    }
}
