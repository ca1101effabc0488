package io.keelkv.server;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.keelkv.server.Launched.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * bin/keel-server as a user runs it: a separate process. An integration test (failsafe, after package):
 * the jar and its libs are fresh, so the launcher builds nothing;
 * and it must exec the JVM so that signals reach the server and the port is free once it is gone.
 */
class LauncherProcessIT
{
    @Test
    void shouldStopTheStartNamingAnUnknownDirective() throws Exception
    {
        final Process process = launch("--port", String.valueOf(freePort()), "--no-such-directive", "1");
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        final String out = output(process);
        assertEquals(1, process.exitValue(), out);
        assertTrue(out.contains("no-such-directive"), out);
        assertTrue(out.contains("Bad directive or wrong number of arguments"), out);
    }

    @Test
    void shouldSaveNothingAndExitCleanlyOnSigtermFreeingThePort() throws Exception
    {
        final int port = freePort();
        final Process process = launch("--port", String.valueOf(port), "--save", "");
        awaitPing(port, process);
        // the launcher exec'd the JVM: the process we started IS the server
        try (RawRespClient client = new RawRespClient(port))
        {
            final String info = client.call("INFO", "server");
            assertTrue(info.contains("process_id:" + process.pid() + "\r\n"), "launcher did not exec the JVM");
        }
        signal(process, "TERM");
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        final String out = output(process);
        assertEquals(0, process.exitValue(), out);
        assertTrue(out.contains("Received SIGTERM") && out.contains("ready to exit"), out);
        assertTrue(portIsFree(port), "port still bound after exit");
    }

    @Test
    void shouldSaveOnSigtermWithSavePointsAndLoadItAtTheNextStart() throws Exception
    {
        final int port = freePort();
        final java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("keel-sigterm");
        final Process first = launch("--port", String.valueOf(port), "--save", "3600 1", "--dir", dir.toString(),
            "--enable-debug-command", "yes");
        awaitPing(port, first);
        final String digest;
        try (RawRespClient client = new RawRespClient(port))
        {
            assertEquals("+OK\r\n", client.call("SET", "k", "v"));
            assertEquals("+OK\r\n", client.call("SET", "t", "v", "EX", "3600"));
            digest = client.call("DEBUG", "DIGEST");
            assertTrue(digest.startsWith("+") && !digest.startsWith("+000000"), digest);
        }
        signal(first, "TERM");
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        final String out = output(first);
        assertEquals(0, first.exitValue(), out);
        assertTrue(out.contains("Received SIGTERM scheduling shutdown...") && out.contains("User requested shutdown...") &&
            out.contains("Saving the final RDB snapshot before exiting.") && out.contains("DB saved on disk") &&
            out.contains("ready to exit"), out);
        assertFalse(out.contains("not acted on"), "save points are acted on now: no warning says otherwise");
        assertTrue(java.nio.file.Files.exists(dir.resolve("dump.rdb")));

        final Process second = launch("--port", String.valueOf(port), "--save", "", "--dir", dir.toString(),
            "--enable-debug-command", "yes");
        try
        {
            awaitPing(port, second);
            assertTrue(java.util.regex.Pattern.compile("DB loaded from disk: \\d+\\.\\d{3} seconds").matcher(output(second)).find(),
                output(second));
            try (RawRespClient client = new RawRespClient(port))
            {
                assertEquals("$1\r\nv\r\n", client.call("GET", "k"));
                assertEquals(digest, client.call("DEBUG", "DIGEST"));
            }
        }
        finally
        {
            signal(second, "TERM");
            assertTrue(second.waitFor(30, TimeUnit.SECONDS));
        }
    }

    /** shutdown-on-sigterm overrides the save points either way, as in Redis 7.0. */
    @Test
    void shouldFollowShutdownOnSigterm() throws Exception
    {
        final String[][] cases = {
            // save points, shutdown-on-sigterm, whether a snapshot must be written
            {"3600 1", "nosave", "no"},
            {"", "save", "yes"},
            {"", "default", "no"},
        };
        for (final String[] c : cases)
        {
            final int port = freePort();
            final java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("keel-sigterm-flags");
            final Process process = launch("--port", String.valueOf(port), "--save", c[0], "--dir", dir.toString(),
                "--shutdown-on-sigterm", c[1]);
            awaitPing(port, process);
            try (RawRespClient client = new RawRespClient(port))
            {
                assertEquals("+OK\r\n", client.call("SET", "k", "v"));
            }
            signal(process, "TERM");
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, process.exitValue(), output(process));
            assertEquals(c[2].equals("yes"), java.nio.file.Files.exists(dir.resolve("dump.rdb")),
                "save \"" + c[0] + "\", shutdown-on-sigterm " + c[1] + ": " + output(process));
        }
    }

    @Test
    void shouldApplySaveRulesToShutdownVariantsInTheRealProcess() throws Exception
    {
        final java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("keel-shutdown");
        final java.nio.file.Path dump = dir.resolve("dump.rdb");
        // save points: a failed final save refuses SHUTDOWN and SHUTDOWN SAVE, NOSAVE exits without a file
        int port = freePort();
        Process process = launch("--port", String.valueOf(port), "--save", "3600 1", "--dir", dir.toString());
        try
        {
            awaitPing(port, process);
            java.nio.file.Files.createDirectory(dump);
            try (RawRespClient client = new RawRespClient(port))
            {
                assertEquals("+OK\r\n", client.call("SET", "k", "v"));
                assertEquals("-ERR Errors trying to SHUTDOWN. Check logs.\r\n", client.call("SHUTDOWN"));
                assertEquals("-ERR Errors trying to SHUTDOWN. Check logs.\r\n", client.call("SHUTDOWN", "SAVE"));
                assertTrue(process.isAlive());
                java.nio.file.Files.delete(dump);
                client.send("SHUTDOWN", "NOSAVE");
                assertTrue(client.isClosedByPeer());
            }
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, process.exitValue(), output(process));
            assertFalse(java.nio.file.Files.exists(dump), "SHUTDOWN NOSAVE saved");
            // a plain SHUTDOWN with save points saves, and the next start has the data
            port = freePort();
            process = launch("--port", String.valueOf(port), "--save", "3600 1", "--dir", dir.toString());
            awaitPing(port, process);
            try (RawRespClient client = new RawRespClient(port))
            {
                assertEquals("+OK\r\n", client.call("SET", "k", "v2"));
                client.send("SHUTDOWN");
                assertTrue(client.isClosedByPeer());
            }
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, process.exitValue(), output(process));
            assertTrue(output(process).contains("DB saved on disk"), output(process));
            port = freePort();
            process = launch("--port", String.valueOf(port), "--save", "", "--dir", dir.toString());
            awaitPing(port, process);
            final String out = output(process);
            assertTrue(out.indexOf("Server initialized") < out.indexOf("DB loaded from disk") &&
                out.indexOf("DB loaded from disk") < out.indexOf("Ready to accept connections"), out);
            try (RawRespClient client = new RawRespClient(port))
            {
                assertEquals("$2\r\nv2\r\n", client.call("GET", "k"));
                client.send("SHUTDOWN", "SAVE", "FORCE");
                assertTrue(client.isClosedByPeer());
            }
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, process.exitValue(), output(process));
        }
        finally
        {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldKeepServingWhenTheFinalSaveOnSigtermFails() throws Exception
    {
        final int port = freePort();
        final java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("keel-sigterm");
        final Process process = launch("--port", String.valueOf(port), "--save", "3600 1", "--dir", dir.toString());
        try
        {
            awaitPing(port, process);
            java.nio.file.Files.createDirectory(dir.resolve("dump.rdb")); // the rename onto it fails
            signal(process, "TERM");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!output(process).contains("errors trying to shut down the server"))
            {
                assertTrue(System.nanoTime() < deadline, output(process));
                Thread.sleep(50);
            }
            assertTrue(process.isAlive());
            assertTrue(answersPing(port));
            final String out = output(process);
            assertTrue(out.contains("Error trying to save the DB, can't exit.") &&
                out.contains("SIGTERM received but errors trying to shut down the server"), out);
            java.nio.file.Files.delete(dir.resolve("dump.rdb"));
            signal(process, "TERM");
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, process.exitValue(), output(process));
            assertTrue(java.nio.file.Files.isRegularFile(dir.resolve("dump.rdb")));
        }
        finally
        {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldRefuseToStartOnARedisRdbOrATruncatedSnapshot() throws Exception
    {
        final java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("keel-refuse");
        // a real dump.rdb written by redis-server
        try (RedisOracle redis = RedisOracle.start("--dir", dir.toString()))
        {
            try (RawRespClient client = new RawRespClient(redis.port()))
            {
                assertEquals("+OK\r\n", client.call("SET", "a", "1"));
                assertEquals("+OK\r\n", client.call("SAVE"));
            }
        }
        final Process rdb = launch("--port", String.valueOf(freePort()), "--dir", dir.toString());
        assertTrue(rdb.waitFor(120, TimeUnit.SECONDS));
        String out = output(rdb);
        assertEquals(1, rdb.exitValue(), out);
        assertTrue(out.contains("is a Redis RDB file") && out.contains("KeelKV cannot read RDB files yet") &&
            out.contains("Fatal error loading the DB"), out);
        assertFalse(out.contains("Ready to accept connections"), out);

        // a KeelKV snapshot cut short
        final int port = freePort();
        java.nio.file.Files.delete(dir.resolve("dump.rdb"));
        final Process writer = launch("--port", String.valueOf(port), "--save", "", "--dir", dir.toString());
        awaitPing(port, writer);
        try (RawRespClient client = new RawRespClient(port))
        {
            assertEquals("+OK\r\n", client.call("SET", "a", "1"));
            assertEquals("+OK\r\n", client.call("SAVE"));
        }
        signal(writer, "TERM");
        assertTrue(writer.waitFor(30, TimeUnit.SECONDS));
        final byte[] snapshot = java.nio.file.Files.readAllBytes(dir.resolve("dump.rdb"));
        java.nio.file.Files.write(dir.resolve("dump.rdb"), java.util.Arrays.copyOf(snapshot, snapshot.length - 10));
        final Process truncated = launch("--port", String.valueOf(freePort()), "--dir", dir.toString());
        assertTrue(truncated.waitFor(120, TimeUnit.SECONDS));
        out = output(truncated);
        assertEquals(1, truncated.exitValue(), out);
        assertTrue(out.contains("Short read loading") && out.contains(dir.resolve("dump.rdb").toString()), out);
        assertEquals(1, countOf(out, "Short read loading"), "the refusal is logged once: " + out);
    }

    @Test
    void shouldReadAConfigFileAndPutARelativeLogfileInDir() throws Exception
    {
        final int port = freePort();
        final java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("keel-conf");
        final java.nio.file.Path conf = dir.resolve("keel.conf");
        java.nio.file.Files.writeString(conf, "port " + port + "\nsave \"\"\nlogfile keel.log\ndir " + dir + "\n");
        final Process process = launch(conf.toString());
        awaitPing(port, process);
        try (RawRespClient client = new RawRespClient(port))
        {
            assertTrue(client.call("INFO", "server").contains("config_file:" + conf.toRealPath() + "\r\n"));
            assertEquals("+OK\r\n", client.call("SET", "k", "v"));
        }
        signal(process, "TERM");
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        final String log = java.nio.file.Files.readString(dir.resolve("keel.log"));
        assertTrue(log.contains("Ready to accept connections"), log);
    }

    @Test
    void shouldFreeThePortAtOnceAfterKill9() throws Exception
    {
        final int port = freePort();
        final Process process = launch("--port", String.valueOf(port), "--save", "");
        awaitPing(port, process);
        signal(process, "KILL");
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertTrue(portIsFree(port), "port still bound after kill -9");
        assertFalse(answersPing(port));
    }

    /**
     * A value of proto-max-bulk-len (512 MB) is legal: with the launcher's own JVM settings it must be
     * stored and served back whole. (The JVM's default cap on direct buffers, -Xmx, once made this SET
     * take the event loop down.)
     */
    @Test
    void shouldStoreAndServeAValueOfProtoMaxBulkLenWithTheLaunchersSettings() throws Exception
    {
        final int port = freePort();
        final Process process = launch("--port", String.valueOf(port), "--save", "");
        try
        {
            awaitPing(port, process);
            final int size = 512 * 1024 * 1024;
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port))
            {
                socket.setSoTimeout(120_000);
                final java.io.OutputStream out = new java.io.BufferedOutputStream(socket.getOutputStream(), 1 << 16);
                final java.io.InputStream in = new java.io.BufferedInputStream(socket.getInputStream(), 1 << 16);
                out.write(("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + size + "\r\n").getBytes(StandardCharsets.US_ASCII));
                final byte[] chunk = new byte[1 << 20];
                for (int sent = 0; sent < size; sent += chunk.length)
                {
                    for (int i = 0; i < chunk.length; i++)
                    {
                        chunk[i] = (byte)((sent + i) % 251);
                    }
                    out.write(chunk);
                }
                out.write("\r\nGET big\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertEquals("+OK", readLine(in), () -> output(process));
                assertEquals("$" + size, readLine(in), () -> output(process));
                for (int received = 0; received < size; received += chunk.length)
                {
                    assertEquals(chunk.length, in.readNBytes(chunk, 0, chunk.length), "value cut short");
                    for (int i = 0; i < chunk.length; i++)
                    {
                        if (chunk[i] != (byte)((received + i) % 251))
                        {
                            fail("byte " + (received + i) + " of the value differs");
                        }
                    }
                }
                assertEquals("", readLine(in));
            }
            assertTrue(answersPing(port), () -> output(process));
        }
        finally
        {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * When the memory for one client's request is refused, that client is closed and logged, and every
     * other client is still served: the loop must not die of it (Redis would abort in zmalloc).
     */
    @Test
    void shouldCloseOnlyTheClientWhoseRequestCannotBeAllocated() throws Exception
    {
        final int port = freePort();
        final Process process = launchWith(java.util.Map.of("KEEL_JAVA_OPTS", "-XX:MaxDirectMemorySize=48m"),
            "--port", String.valueOf(port), "--save", "");
        try
        {
            awaitPing(port, process);
            final int size = 100 * 1024 * 1024;
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port))
            {
                socket.setSoTimeout(30_000);
                final java.io.OutputStream out = socket.getOutputStream();
                out.write(("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + size + "\r\n").getBytes(StandardCharsets.US_ASCII));
                final byte[] chunk = new byte[1 << 20];
                boolean closed = false;
                try
                {
                    for (int sent = 0; sent < size; sent += chunk.length)
                    {
                        out.write(chunk);
                    }
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    closed = socket.getInputStream().read() < 0;
                }
                catch (final java.io.IOException ex)
                {
                    closed = true; // reset while sending: the server closed this client
                }
                assertTrue(closed, "the client whose request could not be allocated was not closed");
            }
            assertTrue(answersPing(port), () -> output(process));
            assertTrue(process.isAlive());
            final String log = output(process);
            assertTrue(log.contains("no memory for its query buffer"), log);
        }
        finally
        {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * maxmemory counts what used_memory counts, as Redis does: here a client's half-received 64 MB request.
     * In its own process, so the heap is the launcher's small one and the buffer dominates what is not
     * data; the data alone stays well under maxmemory, so only the counted buffer can cause eviction.
     */
    @Test
    void shouldCountAClientsQueryBufferInUsedMemoryAndAgainstMaxmemory() throws Exception
    {
        final int port = freePort();
        final Process process = launch("--port", String.valueOf(port), "--save", "", "--maxmemory", "64mb",
            "--maxmemory-policy", "allkeys-random");
        try
        {
            awaitPing(port, process);
            try (RawRespClient client = new RawRespClient(port); java.net.Socket big = new java.net.Socket("127.0.0.1", port))
            {
                final String value = "v".repeat(1000);
                for (int i = 0; i < 20_000; i++)
                {
                    client.sendRaw("*3\r\n$3\r\nSET\r\n$" + String.valueOf(i).length() + "\r\n" + i + "\r\n$1000\r\n" + value + "\r\n");
                }
                for (int i = 0; i < 20_000; i++)
                {
                    assertEquals("+OK\r\n", client.readReply());
                }
                assertEquals("evicted_keys:0", infoField(client, "stats", "evicted_keys"), "20 MB of data alone must fit");

                final java.io.OutputStream out = big.getOutputStream();
                out.write("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$100000000\r\n".getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[64 << 20]);
                out.flush();
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                long buffers = 0;
                while (buffers < 64 << 20 && System.nanoTime() < deadline)
                {
                    buffers = Long.parseLong(infoField(client, "memory", "mem_clients_normal").split(":")[1]);
                }
                assertTrue(buffers >= 64 << 20, "mem_clients_normal: " + buffers);
                final long used = Long.parseLong(infoField(client, "memory", "used_memory").split(":")[1]);
                final long pages = Long.parseLong(infoField(client, "memory", "allocator_active").split(":")[1]);
                assertTrue(used >= pages + buffers, "used_memory " + used + " leaves out the client buffers");
                Thread.sleep(300); // a cron tick samples the buffers for maxmemory
                // over maxmemory by the buffer: keys are evicted (all of them, if that is still not enough: OOM)
                final String reply = client.call("SET", "one-more", value);
                assertTrue(reply.equals("+OK\r\n") || reply.startsWith("-OOM"), reply);
                final String evicted = infoField(client, "stats", "evicted_keys");
                assertNotEquals("evicted_keys:0", evicted, "the 64 MB buffer was not counted against maxmemory");
            }
        }
        finally
        {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static int countOf(final String text, final String part)
    {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1))
        {
            count++;
        }
        return count;
    }

    private static String infoField(final RawRespClient client, final String section, final String name) throws Exception
    {
        for (final String line : client.call("INFO", section).split("\r\n"))
        {
            if (line.startsWith(name + ":"))
            {
                return line;
            }
        }
        throw new AssertionError("no " + name + " in INFO " + section);
    }

    /** pidfile, as Redis writes it ("pid\n") and removes it on a clean stop. */
    @Test
    void shouldWriteThePidFileAndRemoveItOnSigterm() throws Exception
    {
        final int port = freePort();
        final java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("keel-pid");
        final Process process = launch("--port", String.valueOf(port), "--save", "", "--dir", dir.toString(),
            "--pidfile", "keel.pid");
        awaitPing(port, process);
        final java.nio.file.Path pidFile = dir.resolve("keel.pid");
        assertEquals(process.pid() + "\n", java.nio.file.Files.readString(pidFile));
        signal(process, "TERM");
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output(process));
        assertFalse(java.nio.file.Files.exists(pidFile), "pid file left after a clean stop");
        assertTrue(output(process).contains("Removing the pid file."), output(process));
    }

    private static String readLine(final java.io.InputStream in) throws java.io.IOException
    {
        final StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n')
        {
            if (b < 0)
            {
                throw new java.io.EOFException("connection closed after " + sb);
            }
            if (b != '\r')
            {
                sb.append((char)b);
            }
        }
        return sb.toString();
    }
}
