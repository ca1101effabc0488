package io.keelkv.server;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A KeelKV server in a child JVM (KeelServer's main, this JVM's class path and module flags, the launcher's
 * heap settings), for the fuzz tests: a request that crashes the server (a SIGSEGV in off-heap code) kills
 * the child, not the test JVM, so the test can say which request did it, show the JVM's crash report and
 * start a fresh server for jqwik's shrinking. Its log and any hs_err file stay under the given directory.
 */
final class ChildServer implements AutoCloseable
{
    private static final Pattern READY = Pattern.compile("Ready to accept connections tcp on port (\\d+)");

    private final Process process;
    private final Path dir;
    private final Path log;
    private final int port;

    private ChildServer(final Process process, final Path dir, final Path log, final int port)
    {
        this.process = process;
        this.dir = dir;
        this.log = log;
        this.port = port;
    }

    /**
     * Start a server on a free loopback port, without save points, its dir a fresh directory under
     * {@code parent}, DEBUG enabled, then {@code extraArgs}. Returns once it logged that it is ready.
     */
    static ChildServer start(final Path parent, final String... extraArgs) throws IOException, InterruptedException
    {
        Files.createDirectories(parent);
        final Path dir = Files.createTempDirectory(parent, "server-").toAbsolutePath();
        final Path log = dir.resolve("server.log");
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            // the module flags and -D settings of the test JVM; its heap and debugger settings are not the server's
            if (!argument.startsWith("-Xm") && !argument.startsWith("-agentlib:jdwp") &&
                !argument.startsWith("-javaagent") && !argument.startsWith("-XX:+Use"))
            {
                command.add(argument);
            }
        }
        // bin/keel-server's heap: a small serial-GC heap, the data off-heap (INFO used_memory counts the heap in
        // use, so a small young generation keeps the memory check from reading garbage as growth)
        command.addAll(List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmn4m", "-Xmx512m", "-XX:MaxDirectMemorySize=1t",
            "-XX:ErrorFile=" + dir.resolve("hs_err_pid%p.log")));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(KeelServer.class.getName());
        command.addAll(List.of("--port", "0", "--bind", "127.0.0.1", "--save", "", "--dir", dir.toString(),
            "--enable-debug-command", "yes"));
        command.addAll(List.of(extraArgs));
        final Process process = new ProcessBuilder(command).directory(dir.toFile())
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // whatever ends the test JVM (a test that never closed it, surefire's exit) ends the server too
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "keel-child-" + process.pid()));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            final Matcher ready = READY.matcher(Files.readString(log, StandardCharsets.ISO_8859_1));
            if (ready.find())
            {
                return new ChildServer(process, dir, log, Integer.parseInt(ready.group(1)));
            }
            if (!process.isAlive() || System.nanoTime() > deadline)
            {
                process.destroyForcibly();
                throw new IOException("the KeelKV child did not start: " + Files.readString(log, StandardCharsets.ISO_8859_1));
            }
            Thread.sleep(20);
        }
    }

    int port()
    {
        return port;
    }

    long pid()
    {
        return process.pid();
    }

    Path dir()
    {
        return dir;
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    /** Wait up to {@code millis} for the process to end (it is dying after a crash); true once it has. */
    boolean awaitExit(final long millis) throws InterruptedException
    {
        return process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    /** INFO memory's used_memory, on a connection of its own. */
    long usedMemory() throws IOException
    {
        try (FuzzClient client = new FuzzClient(port, 10_000))
        {
            final Matcher used = Pattern.compile("\r\nused_memory:(\\d+)\r\n").matcher(client.callForText("INFO", "memory"));
            if (!used.find())
            {
                throw new IOException("INFO memory without used_memory");
            }
            return Long.parseLong(used.group(1));
        }
    }

    /**
     * used_memory once the heap's garbage is collected (jcmd GC.run): the heap in use counts in used_memory,
     * so a bound on it must not read garbage not yet collected as growth.
     */
    long usedMemoryAfterFullGc() throws IOException, InterruptedException
    {
        final Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
            String.valueOf(process.pid()), "GC.run").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!jcmd.waitFor(60, TimeUnit.SECONDS))
        {
            jcmd.destroyForcibly();
        }
        return usedMemory();
    }

    /** The server's log lines that warn of something (Redis's '#' level), e.g. an internal error it caught. */
    List<String> warnings() throws IOException
    {
        final List<String> lines = new ArrayList<>();
        for (final String line : Files.readAllLines(log, StandardCharsets.ISO_8859_1))
        {
            if (line.contains(" # "))
            {
                lines.add(line);
            }
        }
        return lines;
    }

    /** Why the process is gone: its exit status, the end of its log and the head of the JVM's crash report. */
    String deathReport() throws IOException
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("KeelKV child pid ").append(process.pid());
        if (process.isAlive())
        {
            sb.append(" is still running");
        }
        else
        {
            final int status = process.exitValue();
            sb.append(" exited with status ").append(status)
                .append(status == 134 ? " (SIGABRT: the JVM aborted on a fatal error)" : "")
                .append(status > 128 && status != 134 ? " (signal " + (status - 128) + ")" : "");
        }
        final List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        sb.append("\n--- last lines of ").append(log).append('\n');
        lines.subList(Math.max(0, lines.size() - 25), lines.size()).forEach(l -> sb.append(l).append('\n'));
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path crash : (Iterable<Path>)files.filter(p -> p.getFileName().toString().startsWith("hs_err"))::iterator)
            {
                sb.append("--- head of ").append(crash).append('\n');
                Files.readAllLines(crash, StandardCharsets.ISO_8859_1).stream().limit(25)
                    .forEach(l -> sb.append(l).append('\n'));
            }
        }
        return sb.toString();
    }

    @Override
    public void close() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
