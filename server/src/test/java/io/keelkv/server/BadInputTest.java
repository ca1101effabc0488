package io.keelkv.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/** Malformed requests, oversized input and clients that do not read: clear errors, bounded memory, no crash. */
class BadInputTest
{
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
    void shouldReplyProtocolErrorAndCloseButKeepServingOthers() throws Exception
    {
        server = TestServers.start();
        try (RawRespClient bad = new RawRespClient(server.port()); RawRespClient good = new RawRespClient(server.port()))
        {
            bad.sendRaw("*1\r\nx\r\n");
            assertEquals("-ERR Protocol error: expected '$', got 'x'\r\n", bad.readReply());
            assertTrue(bad.isClosedByPeer());
            assertEquals("+PONG\r\n", good.call("PING"));
        }
    }

    @Test
    void shouldRefuseBulksLongerThanProtoMaxBulkLen() throws Exception
    {
        server = TestServers.start("--proto-max-bulk-len", "1mb");
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            client.sendRaw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n");
            assertEquals("-ERR Protocol error: invalid bulk length\r\n", client.readReply());
            assertTrue(client.isClosedByPeer());
        }
    }

    @Test
    void shouldCloseAClientWhoseQueryBufferPassesTheLimit() throws Exception
    {
        server = TestServers.start("--client-query-buffer-limit", "1mb");
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
            socket.setSoTimeout(5_000);
            final OutputStream out = socket.getOutputStream();
            // a 4 MB bulk is under proto-max-bulk-len but over the query buffer limit
            out.write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4000000\r\n".getBytes(StandardCharsets.US_ASCII));
            boolean closed = false;
            try
            {
                final byte[] chunk = new byte[64 * 1024];
                for (int i = 0; i < 64; i++)
                {
                    out.write(chunk);
                }
            }
            catch (final java.io.IOException ex)
            {
                closed = true;
            }
            closed = closed || socket.getInputStream().read() < 0;
            assertTrue(closed, "the server must close a client over client-query-buffer-limit");
        }
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals("+PONG\r\n", client.call("PING"));
        }
    }

    /**
     * A bulk header costs a few bytes to send: the server must not reserve (and zero) the whole bulk for
     * it, or a handful of clients could pin gigabytes. The buffer grows with the bytes that arrive.
     */
    @Test
    void shouldNotReserveABulkBeforeItsBytesArrive() throws Exception
    {
        server = TestServers.start();
        try (Socket socket = new Socket("127.0.0.1", server.port()); RawRespClient observer = new RawRespClient(server.port()))
        {
            final OutputStream out = socket.getOutputStream();
            out.write("CLIENT SETNAME announcer\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$400000000\r\n0123456789".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final byte[] ok = new byte[5];
            socket.setSoTimeout(5_000);
            assertEquals(5, socket.getInputStream().readNBytes(ok, 0, 5));
            String line = "";
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (!line.contains("qbuf=") && System.nanoTime() < deadline)
            {
                for (final String l : observer.call("CLIENT", "LIST").split("\n"))
                {
                    if (l.contains("name=announcer"))
                    {
                        line = l;
                    }
                }
            }
            final long qbuf = Long.parseLong(line.replaceAll(".* qbuf=(\\d+) .*", "$1").trim());
            final long free = Long.parseLong(line.replaceAll(".* qbuf-free=(\\d+) .*", "$1").trim());
            assertTrue(qbuf + free < 1 << 20, "query buffer of " + (qbuf + free) + " bytes for a bulk header: " + line);
            assertEquals("+PONG\r\n", observer.call("PING"));
        }
    }

    @Test
    void shouldRejectClientsOverMaxclients() throws Exception
    {
        server = TestServers.start("--maxclients", "2");
        try (RawRespClient a = new RawRespClient(server.port()); RawRespClient b = new RawRespClient(server.port()))
        {
            assertEquals("+PONG\r\n", a.call("PING"));
            assertEquals("+PONG\r\n", b.call("PING"));
            try (RawRespClient c = new RawRespClient(server.port()))
            {
                assertEquals("-ERR max number of clients reached\r\n", c.readReply());
            }
            // as redis-server 7.0.15 counts them: a refused connection is rejected, not received
            final String stats = a.call("INFO", "stats");
            assertTrue(stats.contains("total_connections_received:2\r\n"), stats);
            assertTrue(stats.contains("rejected_connections:1\r\n"), stats);
        }
    }

    @Test
    void shouldStallAPipeliningClientThatDoesNotReadInsteadOfGrowingMemory() throws Exception
    {
        server = TestServers.start();
        try (RawRespClient setup = new RawRespClient(server.port()))
        {
            setup.call("SET", "big", "x".repeat(100_000));
        }
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
            socket.setReceiveBufferSize(64 * 1024);
            final OutputStream out = socket.getOutputStream();
            final byte[] get = "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".getBytes(StandardCharsets.US_ASCII);
            // 10,000 GETs of 100 KB = 1 GB of replies, never read: the server must pause this client
            final Thread writer = new Thread(() ->
            {
                try
                {
                    for (int i = 0; i < 10_000; i++)
                    {
                        out.write(get);
                    }
                }
                catch (final java.io.IOException ignore)
                {
                    // blocked and then closed at the end of the test
                }
            });
            writer.setDaemon(true);
            writer.start();
            Thread.sleep(1_500);
            try (RawRespClient other = new RawRespClient(server.port()))
            {
                assertEquals("+PONG\r\n", other.call("PING"), "the loop keeps serving others");
                final String info = other.call("INFO", "clients");
                final long maxOutput = Long.parseLong(info.replaceAll("(?s).*client_recent_max_output_buffer:(\\d+).*", "$1"));
                assertTrue(maxOutput < 16L << 20, "reply buffer grew to " + maxOutput);
            }
            // and the stalled client gets every reply once it reads
            final InputStream in = socket.getInputStream();
            socket.setSoTimeout(10_000);
            final byte[] buffer = new byte[1 << 20];
            long total = 0;
            final long expected = 10_000L * ("$100000\r\n".length() + 100_000 + 2);
            writer.join(10_000);
            while (total < expected)
            {
                final int n = in.read(buffer);
                assertTrue(n > 0);
                total += n;
                if (!writer.isAlive() && total >= expected)
                {
                    break;
                }
            }
            assertEquals(expected, total);
        }
    }

    @Test
    void shouldDisconnectAClientOverTheOutputBufferHardLimit() throws Exception
    {
        server = TestServers.start("--client-output-buffer-limit", "normal 256kb 0 0");
        try (RawRespClient setup = new RawRespClient(server.port()))
        {
            setup.call("SET", "big", "x".repeat(100_000));
        }
        try (Socket socket = new Socket())
        {
            socket.setReceiveBufferSize(16 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
            socket.setSoTimeout(10_000);
            final OutputStream out = socket.getOutputStream();
            final byte[] gets = "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".repeat(200).getBytes(StandardCharsets.US_ASCII);
            out.write(gets); // 20 MB of replies asked for; the client does not read until the server gave up
            Thread.sleep(1_000);
            final InputStream in = socket.getInputStream();
            final byte[] buffer = new byte[1 << 16];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0)
            {
                total += n;
            }
            assertTrue(n < 0, "closed by the server");
            assertTrue(total < 200L * 100_000, "got " + total + " bytes: the limit did not apply");
        }
        catch (final java.net.SocketException reset)
        {
            // a reset is also how a closed connection with unread data shows up: the limit applied
        }
        try (RawRespClient other = new RawRespClient(server.port()))
        {
            assertEquals("+PONG\r\n", other.call("PING"));
        }
    }

    @Test
    void shouldDropAClientAskingForARandomSampleThatCanNeverFitWithoutDrawingIt() throws Exception
    {
        server = TestServers.start();
        try (RawRespClient setup = new RawRespClient(server.port()))
        {
            setup.call("HSET", "h", "a", "1", "b", "2");
            setup.call("SADD", "s", "a", "b");
            setup.call("ZADD", "z", "1", "a", "2", "b");
        }
        final String[][] requests = {
            {"HRANDFIELD", "h", "-9223372036854775807"},
            {"HRANDFIELD", "h", "-4611686018427387903", "WITHVALUES"},
            {"SRANDMEMBER", "s", "-9223372036854775807"},
            {"ZRANDMEMBER", "z", "-9223372036854775807"},
            {"ZRANDMEMBER", "z", "-4611686018427387903", "WITHSCORES"},
        };
        for (final String[] request : requests)
        {
            final long start = System.nanoTime();
            try (RawRespClient client = new RawRespClient(server.port()); RawRespClient other = new RawRespClient(server.port()))
            {
                client.send(request);
                // a gigabyte of draws took 18 s of the event loop before; nothing is drawn now
                assertEquals("+PONG\r\n", other.call("PING"), String.join(" ", request));
                assertTrue(client.isClosedByPeer(), String.join(" ", request) + ": the client must be dropped");
            }
            final long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 2_000, String.join(" ", request) + " held the server for " + millis + " ms");
        }
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals("*3\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n", client.call("SRANDMEMBER", "s", "-3").replace('b', 'a'),
                "a count that fits is still served, with repetition");
        }
    }

    @Test
    void shouldDisconnectAClientOverTheSoftLimitForLongerThanItsSeconds() throws Exception
    {
        // hard limit off, soft limit 256 KB for 1 s: a client that stays over it is closed by the cron
        server = TestServers.start("--client-output-buffer-limit", "normal 0 256kb 1");
        try (RawRespClient setup = new RawRespClient(server.port()))
        {
            setup.call("SET", "big", "x".repeat(100_000));
        }
        try (Socket socket = new Socket())
        {
            socket.setReceiveBufferSize(16 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".repeat(100).getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(3_000); // over 256 KB pending for more than the 1 s allowed
            final InputStream in = socket.getInputStream();
            final byte[] buffer = new byte[1 << 16];
            long total = 0;
            int n;
            try
            {
                while ((n = in.read(buffer)) > 0)
                {
                    total += n;
                }
            }
            catch (final java.net.SocketException reset)
            {
                n = -1; // closed with unread data: a reset
            }
            assertTrue(n < 0, "closed by the server");
            assertTrue(total < 100L * 100_000, "got all " + total + " bytes: the soft limit did not apply");
        }
        try (RawRespClient other = new RawRespClient(server.port()))
        {
            assertEquals("+PONG\r\n", other.call("PING"));
        }
    }

    @Test
    void shouldAnswerNoauthUntilAuthenticated() throws Exception
    {
        server = TestServers.start("--requirepass", "secret");
        try (RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals("-NOAUTH Authentication required.\r\n", client.call("GET", "k"));
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.\r\n", client.call("AUTH", "nope"));
            assertEquals("+OK\r\n", client.call("AUTH", "secret"));
            assertEquals("$-1\r\n", client.call("GET", "k"));
        }
    }

    @Test
    void shouldKeepServingEveryClientWhenAHandlerThrows() throws Exception
    {
        final java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("keel-server");
        server = new KeelServer(io.keelkv.server.config.ServerConfig.fromArgs(new String[] {
            "--port", "0", "--bind", "127.0.0.1", "--save", "", "--dir", dir.toString()}));
        // a bug in a handler, and a refused direct-buffer allocation, as the JVM reports them
        server.engine().commandTable().bind("strlen", ctx ->
        {
            throw new IllegalStateException("a bug");
        });
        server.engine().commandTable().bind("getrange", ctx ->
        {
            ctx.out().arrayHeader(3);
            throw new OutOfMemoryError("Cannot reserve 1073741824 bytes of direct buffer memory");
        });
        server.start();
        try (RawRespClient client = new RawRespClient(server.port()); RawRespClient other = new RawRespClient(server.port()))
        {
            assertEquals("+OK\r\n", client.call("SET", "k", "v"));
            assertEquals("-ERR internal error in 'strlen' command: java.lang.IllegalStateException: a bug\r\n",
                client.call("STRLEN", "k"));
            assertEquals("-ERR internal error in 'getrange' command: java.lang.OutOfMemoryError: Cannot reserve " +
                "1073741824 bytes of direct buffer memory\r\n", client.call("GETRANGE", "k", "0", "-1"));
            assertEquals("$1\r\nv\r\n", client.call("GET", "k"), "the same client is still served");
            assertEquals("+PONG\r\n", other.call("PING"));
        }
    }
}
