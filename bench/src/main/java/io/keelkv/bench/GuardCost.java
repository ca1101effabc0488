package io.keelkv.bench;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What the page memory's bounds guard costs, measured so that this machine's noise cancels out: two copies of
 * the engine in one JVM, each loaded by its own class loader, one with the guard (the default) and one with
 * {@code -Dkeelkv.memory.guard=false} read by its class, and the same operation run on each in turn, 100,000
 * operations a window, alternating which goes first. Each pair of adjacent windows gives a ratio
 * (guarded time / unguarded time); the drift of a shared machine moves both windows of a pair alike.
 *
 * <pre>
 *   java [module flags] -cp bench/target/benchmarks.jar io.keelkv.bench.GuardCost [pairs] [operation ...]
 * </pre>
 * Operations: engineGet, engineSet (typed API), commandGet, commandSet (dispatcher and reply). Default 200
 * pairs each after 100 warm-up pairs. Prints, per operation, the median ratio and its interquartile range.
 */
public final class GuardCost
{
    private GuardCost()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        final List<String> operations = args.length > 1 ? Arrays.asList(args).subList(1, args.length) :
            List.of("engineGet", "engineSet", "commandGet", "commandSet");
        // -Dkeel.guardcost.control=true: both copies guarded, the harness's own bias (should be 1.0)
        final boolean control = Boolean.getBoolean("keel.guardcost.control");
        System.out.println("operation  | pairs | guarded/unguarded time: median [p25, p75] | ns/op unguarded, guarded");
        for (final String operation : operations)
        {
            // which copy is loaded (and compiled) first alternates with the operation's position
            final boolean guardedLoadedFirst = (operations.indexOf(operation) & 1) == 0;
            final LongSupplier first = load(operation, guardedLoadedFirst || control);
            final LongSupplier second = load(operation, !guardedLoadedFirst || control);
            final LongSupplier guarded = guardedLoadedFirst ? first : second;
            final LongSupplier unguarded = guardedLoadedFirst ? second : first;
            for (int i = 0; i < 100; i++)
            {
                guarded.getAsLong();
                unguarded.getAsLong();
            }
            final double[] ratios = new double[pairs];
            long guardedNs = 0;
            long unguardedNs = 0;
            for (int i = 0; i < pairs; i++)
            {
                final boolean guardedFirst = (i & 1) == 0;
                final long a = time(guardedFirst ? guarded : unguarded);
                final long b = time(guardedFirst ? unguarded : guarded);
                final long g = guardedFirst ? a : b;
                final long u = guardedFirst ? b : a;
                ratios[i] = (double)g / u;
                guardedNs += g;
                unguardedNs += u;
            }
            Arrays.sort(ratios);
            System.out.printf("%-10s | %5d | %.4f [%.4f, %.4f] | %.1f, %.1f%n", operation, pairs, ratios[pairs / 2],
                ratios[pairs / 4], ratios[pairs * 3 / 4], (double)unguardedNs / pairs / GuardCostDriver.OPS,
                (double)guardedNs / pairs / GuardCostDriver.OPS);
        }
    }

    private static long time(final LongSupplier run)
    {
        final long start = System.nanoTime();
        if (run.getAsLong() == Long.MIN_VALUE)
        {
            System.out.print(""); // keep the result alive
        }
        return System.nanoTime() - start;
    }

    /** A copy of the engine and the driver in a class loader of their own, the guard switch read as given. */
    private static LongSupplier load(final String operation, final boolean guard) throws Exception
    {
        final List<URL> urls = new ArrayList<>();
        for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
        {
            urls.add(new File(entry).toURI().toURL());
        }
        System.setProperty("keelkv.memory.guard", String.valueOf(guard));
        final URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
        final Class<?> driver = loader.loadClass(GuardCostDriver.class.getName());
        final LongSupplier supplier = (LongSupplier)driver.getConstructor(String.class).newInstance(operation);
        final boolean actual = (boolean)driver.getMethod("guarded").invoke(supplier);
        if (actual != guard)
        {
            throw new IllegalStateException("the copy meant to run " + (guard ? "with" : "without") + " the guard does not");
        }
        System.clearProperty("keelkv.memory.guard");
        return supplier;
    }
}
