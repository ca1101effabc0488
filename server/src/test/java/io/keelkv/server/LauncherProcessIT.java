package io.keelkv.server;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * bin/keel-server as a user runs it: a separate process. An integration test (failsafe, after package):
 * the jar and its libs are fresh, so the launcher builds nothing;
 * and it must exec the JVM so that signals reach the server and the port is free once it is gone.
 */
class LauncherProcessIT
{
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    private static final String LAUNCHER = ROOT.resolve("bin/keel-server").toString();

    private static int freePort() throws Exception
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    private static final java.util.Map<Process, File> LOGS = new java.util.concurrent.ConcurrentHashMap<>();

    /** Output goes to a file: Process.destroy() would close a pipe before we could read the last lines. */
    private static Process launch(final String... args) throws Exception
    {
        final List<String> command = new java.util.ArrayList<>(List.of(LAUNCHER));
        command.addAll(List.of(args));
        final File log = File.createTempFile("keel-launcher", ".log");
        log.deleteOnExit();
        final Process process = new ProcessBuilder(command).directory(new File(System.getProperty("java.io.tmpdir")))
            .redirectErrorStream(true).redirectOutput(log).start();
        LOGS.put(process, log);
        return process;
    }

    private static void signal(final Process process, final String signal) throws Exception
    {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start().waitFor());
    }

    private static boolean answersPing(final int port)
    {
        try (RawRespClient client = new RawRespClient(port))
        {
            return "+PONG\r\n".equals(client.call("PING"));
        }
        catch (final Exception ex)
        {
            return false;
        }
    }

    private static void awaitPing(final int port, final Process process) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!answersPing(port))
        {
            assertTrue(process.isAlive(), () -> "launcher exited: " + output(process));
            assertTrue(System.nanoTime() < deadline, "no PING reply within 120 s");
            Thread.sleep(200);
        }
    }

    private static String output(final Process process)
    {
        try
        {
            return java.nio.file.Files.readString(LOGS.get(process).toPath(), StandardCharsets.UTF_8);
        }
        catch (final java.io.IOException ex)
        {
            return ex.toString();
        }
    }

    private static boolean portIsFree(final int port)
    {
        try (ServerSocket socket = new ServerSocket())
        {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        }
        catch (final java.io.IOException ex)
        {
            return false;
        }
    }

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
}
