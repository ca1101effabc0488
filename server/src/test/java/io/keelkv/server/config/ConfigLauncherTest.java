package io.keelkv.server.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * bin/keel-server carries its own copy of the JVM flags of pom.xml (keel.jvm.flags): this keeps the two equal.
 */
class ConfigLauncherTest
{
    static Path repoRoot()
    {
        // surefire runs in the module directory (server/); an IDE may run in the repository root
        final Path cwd = Path.of("").toAbsolutePath();
        for (final Path candidate : List.of(cwd.getParent(), cwd))
        {
            if (candidate != null && Files.exists(candidate.resolve("bin/keel-server")) &&
                Files.exists(candidate.resolve("pom.xml")))
            {
                return candidate;
            }
        }
        return null;
    }

    @Test
    void shouldLaunchWithTheJvmFlagsOfThePom() throws Exception
    {
        final Path root = repoRoot();
        assumeTrue(root != null, "repository layout not found");
        final String pom = Files.readString(root.resolve("pom.xml"));
        final String script = Files.readString(root.resolve("bin/keel-server"));

        final Matcher pomFlags = Pattern.compile("<keel\\.jvm\\.flags>([^<]*)</keel\\.jvm\\.flags>").matcher(pom);
        assertTrue(pomFlags.find(), "keel.jvm.flags in pom.xml");
        final List<String> expected = Arrays.asList(pomFlags.group(1).trim().split("\\s+"));

        final Matcher scriptFlags = Pattern.compile("\\njvm_flags=\\(\\n(.*?)\\n\\)", Pattern.DOTALL).matcher(script);
        assertTrue(scriptFlags.find(), "jvm_flags=( ... ) in bin/keel-server");
        final List<String> actual = new ArrayList<>();
        for (final String line : scriptFlags.group(1).split("\\n"))
        {
            actual.addAll(Arrays.asList(line.trim().split("\\s+")));
        }
        assertEquals(expected, actual);

        final Matcher extra = Pattern.compile("<keel\\.jvm\\.extra>([^<]+)</keel\\.jvm\\.extra>").matcher(pom);
        while (extra.find())
        {
            assertTrue(script.contains(extra.group(1).trim()), extra.group(1));
        }
    }

    @Test
    void shouldExecTheServerMainClassWithTheArgumentsUnchanged() throws Exception
    {
        final Path root = repoRoot();
        assumeTrue(root != null, "repository layout not found");
        final Path script = root.resolve("bin/keel-server");
        assertTrue(Files.isExecutable(script));
        final String text = Files.readString(script);
        assertTrue(text.contains("server/target/keelkv-server-0.1.0-SNAPSHOT.jar"));
        // the server's main class unless KEEL_MAIN names another entry point of the jar (bin/keel-check-aof)
        assertTrue(text.trim().endsWith("exec \"$java_bin\" \"${jvm_flags[@]}\" -cp \"$server_jar:$lib_dir/*\" " +
            "\"${KEEL_MAIN:-io.keelkv.server.KeelServer}\" \"$@\""));
        assertTrue(Files.readString(root.resolve("bin/keel-check-aof"))
            .contains("KEEL_MAIN=io.keelkv.server.persistence.CheckAof exec \"$bin_dir/keel-server\" \"$@\""));
    }
}
