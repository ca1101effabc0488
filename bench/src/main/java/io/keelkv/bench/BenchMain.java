package io.keelkv.bench;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar bench/target/benchmarks.jar [JMH options]}: JMH's own command line, with the JVM flags
 * Agrona and Chronicle need (module exports and opens) prepended to every benchmark fork.
 *
 * <p>Why: JMH forks a fresh JVM per benchmark, and a fork gets only the flags of the command line that
 * started JMH plus those on the benchmark class. Repeating the list on every class would drift from the
 * one list the build keeps ({@code keel.jvm.flags} in the parent POM, copied into this jar at build
 * time), so it is added here, once; {@code --sun-misc-unsafe-memory-access=allow} too on JDK 24 and later.
 */
public final class BenchMain
{
    private BenchMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final CommandLineOptions cli = new CommandLineOptions(args);
        if (cli.shouldHelp() || cli.shouldList() || cli.shouldListWithParams() || cli.shouldListProfilers() ||
            cli.shouldListResultFormats())
        {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        final List<String> flags = new ArrayList<>(jvmFlags());
        if (Runtime.version().feature() >= 24)
        {
            flags.add("--sun-misc-unsafe-memory-access=allow");
        }
        if (cli.getJvmArgsPrepend().hasValue())
        {
            flags.addAll(cli.getJvmArgsPrepend().get());
        }
        final Options options = new OptionsBuilder().parent(cli).jvmArgsPrepend(flags.toArray(new String[0])).build();
        new Runner(options).run();
    }

    static List<String> jvmFlags() throws java.io.IOException
    {
        try (InputStream in = BenchMain.class.getResourceAsStream("jvm-flags.txt"))
        {
            if (in == null)
            {
                throw new IllegalStateException("jvm-flags.txt missing from the bench jar: rebuild with mvn package");
            }
            final String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            if (text.startsWith("${"))
            {
                throw new IllegalStateException("jvm-flags.txt was not filtered by the build: " + text);
            }
            return Arrays.asList(text.split("\\s+"));
        }
    }
}
