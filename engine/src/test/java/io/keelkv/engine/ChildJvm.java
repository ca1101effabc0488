package io.keelkv.engine;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Crash tests' child processes: a main class in a JVM like this one, to be killed or starved of disk. */
public final class ChildJvm
{
    private ChildJvm()
    {
    }

    /**
     * Start {@code mainClass} in a child JVM with this JVM's class path and flags (the module exports
     * Agrona and Chronicle need), its stderr inherited. {@code fileSizeLimitKiB > 0} runs it under
     * {@code ulimit -f}: a write past the limit fails with EFBIG, the stand-in for a full disk.
     */
    public static Process start(final Class<?> mainClass, final long fileSizeLimitKiB, final String... args)
        throws IOException
    {
        final List<String> command = new ArrayList<>();
        if (fileSizeLimitKiB > 0)
        {
            command.addAll(List.of("bash", "-c", "ulimit -f " + fileSizeLimitKiB + " && exec \"$0\" \"$@\""));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (!argument.startsWith("-agentlib:jdwp"))
            {
                command.add(argument);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(Arrays.asList(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
