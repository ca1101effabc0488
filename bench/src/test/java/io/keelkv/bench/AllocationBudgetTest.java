package io.keelkv.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Enforces bench/allocation-budget.txt: each listed JMH benchmark method is driven directly (setup, a
 * warm-up long enough for C2, then a measured run) and its allocated bytes per operation, read from the
 * thread's allocation counter, must stay within budget. Faster than a JMH run with -prof gc and
 * equivalent for a single-threaded benchmark; the JMH run remains the published figure.
 *
 * <p>A line may give its own invocation count as a third column, half warm-up and half measured, for
 * benchmarks too slow for the default (an msync per op takes milliseconds); without it, 300,000 + 300,000.
 */
class AllocationBudgetTest
{
    private static final int WARMUP = 300_000;
    private static final int MEASURED = 300_000;

    @Test
    void shouldStayWithinTheCheckedInAllocationBudget() throws Exception
    {
        final Path budget = Path.of("allocation-budget.txt");
        final List<String> failures = new ArrayList<>();
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        for (final String line : Files.readAllLines(budget))
        {
            if (line.isBlank() || line.startsWith("#"))
            {
                continue;
            }
            final String[] parts = line.trim().split("\\s+");
            final String className = parts[0].substring(0, parts[0].indexOf('.'));
            final String methodName = parts[0].substring(parts[0].indexOf('.') + 1);
            final double allowed = Double.parseDouble(parts[1]);
            final int warmup = parts.length > 2 ? Integer.parseInt(parts[2]) / 2 : WARMUP;
            final int measured = parts.length > 2 ? Integer.parseInt(parts[2]) - warmup : MEASURED;
            final Class<?> type = Class.forName("io.keelkv.bench.jmh." + className);
            final Object state = type.getDeclaredConstructor().newInstance();
            invokeAnnotated(type, state, Setup.class);
            final Method method = type.getMethod(methodName);
            assertNotNull(method.getAnnotation(Benchmark.class), parts[0] + " is not a @Benchmark");
            // Method.invoke boxes results and allocates varargs; an exact, return-dropping handle does neither
            final java.lang.invoke.MethodHandle handle = java.lang.invoke.MethodHandles.dropReturn(
                java.lang.invoke.MethodHandles.publicLookup().unreflect(method))
                .asType(java.lang.invoke.MethodType.methodType(void.class, Object.class));
            for (int i = 0; i < warmup; i++)
            {
                invoke(handle, state);
            }
            final long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int i = 0; i < measured; i++)
            {
                invoke(handle, state);
            }
            final double perOp = (double)(threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before) / measured;
            invokeAnnotated(type, state, TearDown.class);
            System.out.printf("%-34s %8.3f B/op (budget %s, %d + %d invocations)%n", parts[0], perOp, parts[1], warmup, measured);
            // allow a hundredth of a byte per op: a rare allocation by the JVM itself, never one per operation
            if (perOp > allowed + 0.01)
            {
                failures.add(parts[0] + ": " + perOp + " B/op > budget " + allowed);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private static void invoke(final java.lang.invoke.MethodHandle handle, final Object state)
    {
        try
        {
            handle.invokeExact(state);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static void invokeAnnotated(final Class<?> type, final Object state, final Class<? extends java.lang.annotation.Annotation> annotation)
        throws Exception
    {
        for (final Method method : type.getMethods())
        {
            if (method.getAnnotation(annotation) != null)
            {
                method.invoke(state);
            }
        }
    }
}
