package io.keelkv.server;

import java.io.File;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Servers started as a user starts them, through bin/keel-server, in child processes: what the process-level
 * tests (*IT) signal, kill -9 and restart. Each child's output goes to a file, read with {@link #output}.
 */
final class Launched
{
    private Launched()
    {
    }

    static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    static final String LAUNCHER = ROOT.resolve("bin/keel-server").toString();

    static int freePort() throws Exception
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    static final java.util.Map<Process, File> LOGS = new java.util.concurrent.ConcurrentHashMap<>();

    /** Output goes to a file: Process.destroy() would close a pipe before we could read the last lines. */
    static Process launch(final String... args) throws Exception
    {
        return launchWith(java.util.Map.of(), args);
    }

    static Process launchWith(final java.util.Map<String, String> env, final String... args) throws Exception
    {
        final List<String> command = new java.util.ArrayList<>(List.of(LAUNCHER));
        command.addAll(List.of(args));
        final File log = File.createTempFile("keel-launcher", ".log");
        log.deleteOnExit();
        // a fresh working directory (Redis's default dir "."): no dump.rdb of another run is loaded at start
        final File cwd = java.nio.file.Files.createTempDirectory("keel-launcher").toFile();
        cwd.deleteOnExit();
        final ProcessBuilder builder = new ProcessBuilder(command).directory(cwd)
            .redirectErrorStream(true).redirectOutput(log);
        builder.environment().putAll(env);
        final Process process = builder.start();
        LOGS.put(process, log);
        return process;
    }

    /** As {@link #launch}, under {@code ulimit -f blocks} (1 KiB blocks): a disk that fills at that size. */
    static Process launchWithFileLimit(final long blocks, final String... args) throws Exception
    {
        final List<String> command = new java.util.ArrayList<>(List.of("bash", "-c",
            "ulimit -f " + blocks + " && exec \"$0\" \"$@\"", LAUNCHER));
        command.addAll(List.of(args));
        final File log = File.createTempFile("keel-launcher", ".log");
        log.deleteOnExit();
        final File cwd = java.nio.file.Files.createTempDirectory("keel-launcher").toFile();
        cwd.deleteOnExit();
        final Process process = new ProcessBuilder(command).directory(cwd).redirectErrorStream(true)
            .redirectOutput(log).start();
        LOGS.put(process, log);
        return process;
    }

    static void signal(final Process process, final String signal) throws Exception
    {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start().waitFor());
    }

    static boolean answersPing(final int port)
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

    static void awaitPing(final int port, final Process process) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!answersPing(port))
        {
            assertTrue(process.isAlive(), () -> "launcher exited: " + output(process));
            assertTrue(System.nanoTime() < deadline, "no PING reply within 120 s");
            Thread.sleep(200);
        }
    }

    static String output(final Process process)
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

    static boolean portIsFree(final int port)
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

}
