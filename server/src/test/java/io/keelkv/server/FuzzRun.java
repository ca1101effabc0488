package io.keelkv.server;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The fuzz properties' run settings and their seed. {@code -Dkeel.fuzz.tries=N} replaces the tries of every
 * fuzz property (each keeps a CI-sized default in its {@code @Property}); {@code -Dkeel.fuzz.seed=S} replays
 * a run. The seed of every run is printed, appended to {@code target/fuzz/seeds.txt}, and put at the head
 * of a failure's message with the command that replays it, so it shows in Maven's own output.
 */
public final class FuzzRun implements AroundPropertyHook
{
    static final Path WORK = Path.of("target", "fuzz");

    /** Registered on a test class, it wraps each of the class's properties. */
    @Override
    public PropagationMode propagateTo()
    {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public PropertyExecutionResult aroundProperty(final PropertyLifecycleContext context, final PropertyExecutor property)
        throws Throwable
    {
        final String tries = System.getProperty("keel.fuzz.tries");
        if (tries != null && !tries.isBlank())
        {
            context.attributes().setTries(Integer.parseInt(tries.trim()));
        }
        final String seed = System.getProperty("keel.fuzz.seed");
        if (seed != null && !seed.isBlank())
        {
            context.attributes().setSeed(seed.trim());
        }
        final String name = context.containerClass().getSimpleName() + "." + context.targetMethod().getName();
        final long startNs = System.nanoTime();
        final PropertyExecutionResult result = property.execute();
        final String usedSeed = result.seed().orElse("?");
        final String replay = "mvn -B -pl server -am verify -Dtest=" + context.containerClass().getSimpleName() +
            " -Dsurefire.failIfNoSpecifiedTests=false -Dkeel.fuzz.seed=" + usedSeed +
            (tries == null ? "" : " -Dkeel.fuzz.tries=" + tries.trim());
        final String line = String.format("%s: %s after %d tries in %.1f s, seed %s; replay: %s", name,
            result.status(), result.countTries(), (System.nanoTime() - startNs) / 1e9, usedSeed, replay);
        System.out.println(line);
        record(line);
        if (result.status() == PropertyExecutionResult.Status.FAILED)
        {
            final Throwable cause = result.throwable().orElse(null);
            final AssertionError failure = new AssertionError(
                "fuzz seed " + usedSeed + " (replay: " + replay + "): " + (cause == null ? "" : cause.getMessage()), cause);
            return result.mapToFailed(failure);
        }
        return result;
    }

    private static void record(final String line)
    {
        try
        {
            Files.createDirectories(WORK);
            Files.writeString(WORK.resolve("seeds.txt"), line + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        catch (final IOException ex)
        {
            System.out.println("could not record the seed: " + ex);
        }
    }
}
