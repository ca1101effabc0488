package io.keelkv.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What bin/keel-server shows while it builds, without the network and without touching this repository's
 * build: the launcher is copied into an empty tree, a fake {@code mvn} first on the PATH plays the offline and
 * the online attempts (writing the two jars the launcher looks for, or printing Maven's [ERROR] lines on
 * standard output as Maven does), and a fake JDK's {@code java} prints the command it was exec'd with.
 *
 * <p>On a first run (empty local Maven repository) the offline attempt always fails for want of dependencies;
 * a user must not read its [ERROR] lines as a failure of the start when the online attempt then works.
 */
class LauncherBuildTest
{
    private static final String FAKE_MVN = String.join("\n",
        "#!/usr/bin/env bash",
        "echo \"$*\" >> \"$FAKE_MVN_LOG\"",
        "offline=no",
        "for arg in \"$@\"; do [ \"$arg\" = -o ] && offline=yes; done",
        "if [ \"$offline\" = yes ] && [ \"$FAKE_MVN_OFFLINE\" != ok ]; then",
        "    echo '[ERROR] Non-resolvable import POM: Cannot access central in offline mode (fake offline)'",
        "    echo '[ERROR] The build could not read 1 project -> [Help 1]'",
        "    exit 1",
        "fi",
        "if [ \"$offline\" = no ] && [ \"$FAKE_MVN_ONLINE\" != ok ]; then",
        "    echo '[ERROR] Could not transfer artifact (fake online)'",
        "    exit 1",
        "fi",
        "mkdir -p server/target/lib",
        "touch server/target/keelkv-server-0.1.0-SNAPSHOT.jar server/target/lib/keelkv-engine-0.1.0-SNAPSHOT.jar",
        "");

    private static final String FAKE_JAVA = String.join("\n",
        "#!/usr/bin/env bash",
        "echo \"fake-java $*\"",
        "");

    @TempDir
    Path dir;

    private record Run(int exitCode, String stdout, String stderr, List<String> mvnCalls)
    {
    }

    private Path tree() throws IOException
    {
        final Path repo = ConfigLauncherTest.repoRoot();
        assumeTrue(repo != null, "repository layout not found");
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")) || Files.isExecutable(Path.of("/usr/bin/bash")), "bash");
        final Path root = dir.resolve("keelkv");
        Files.createDirectories(root.resolve("bin"));
        Files.copy(repo.resolve("bin/keel-server"), root.resolve("bin/keel-server"));
        executable(root.resolve("bin/keel-server"));
        for (final String pom : List.of("pom.xml", "engine/pom.xml", "server/pom.xml"))
        {
            Files.createDirectories(root.resolve(pom).getParent());
            Files.writeString(root.resolve(pom), "<project/>\n");
        }
        Files.createDirectories(root.resolve("engine/src/main"));
        Files.createDirectories(root.resolve("server/src/main"));

        final Path tools = dir.resolve("tools");
        Files.createDirectories(tools);
        Files.writeString(tools.resolve("mvn"), FAKE_MVN);
        executable(tools.resolve("mvn"));
        final Path jdk = dir.resolve("jdk");
        Files.createDirectories(jdk.resolve("bin"));
        Files.writeString(jdk.resolve("bin/java"), FAKE_JAVA);
        executable(jdk.resolve("bin/java"));
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"17.0.15\"\n");
        return root;
    }

    private static void executable(final Path file) throws IOException
    {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Run launch(final Path root, final String offline, final String online) throws Exception
    {
        final Path out = dir.resolve("stdout.txt");
        final Path err = dir.resolve("stderr.txt");
        final Path mvnLog = dir.resolve("mvn-calls.txt");
        final ProcessBuilder builder = new ProcessBuilder(root.resolve("bin/keel-server").toString(), "--port", "7777")
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        final Map<String, String> env = builder.environment();
        env.put("PATH", dir.resolve("tools") + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("JAVA_HOME", dir.resolve("jdk").toString());
        env.remove("KEEL_JAVA_OPTS");
        env.put("FAKE_MVN_LOG", mvnLog.toString());
        env.put("FAKE_MVN_OFFLINE", offline);
        env.put("FAKE_MVN_ONLINE", online);
        final Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the launcher finished");
        final List<String> calls = Files.exists(mvnLog) ? Files.readAllLines(mvnLog) : List.of();
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err), calls);
    }

    @Test
    void shouldKeepAFailedOfflineAttemptQuietWhenTheOnlineBuildSucceeds() throws Exception
    {
        final Path root = tree();
        final Run run = launch(root, "fail", "ok");

        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(2, run.mvnCalls().size(), "offline, then online: " + run.mvnCalls());
        assertTrue(run.mvnCalls().get(0).contains("-o"), run.mvnCalls().get(0));
        assertFalse(run.mvnCalls().get(1).contains("-o"), run.mvnCalls().get(1));
        assertFalse(run.stderr().contains("[ERROR]"), "the failed offline attempt stays quiet:\n" + run.stderr());
        final List<String> lines = run.stderr().lines().toList();
        assertEquals(1, lines.size(), "one line says what is happening:\n" + run.stderr());
        assertTrue(lines.get(0).startsWith("keel-server: building the server"), lines.get(0));
        assertTrue(lines.get(0).contains("first build downloads"), lines.get(0));
        // then the JVM is exec'd with the server's main class and the arguments unchanged
        assertTrue(run.stdout().startsWith("fake-java "), run.stdout());
        assertTrue(run.stdout().trim().endsWith("io.keelkv.server.KeelServer --port 7777"), run.stdout());
        assertTrue(Files.exists(root.resolve("server/target/.keel-launcher-built")), "build stamp written");
    }

    @Test
    void shouldShowTheOfflineAttemptTooWhenTheOnlineBuildFails() throws Exception
    {
        final Path root = tree();
        final Run run = launch(root, "fail", "fail");

        assertEquals(1, run.exitCode(), run.stderr());
        assertEquals(2, run.mvnCalls().size(), run.mvnCalls().toString());
        assertTrue(run.stderr().contains("[ERROR] Non-resolvable import POM"), "offline output shown:\n" + run.stderr());
        assertTrue(run.stderr().contains("[ERROR] Could not transfer artifact"), "online output shown:\n" + run.stderr());
        assertTrue(run.stderr().contains("keel-server: the build failed; run mvn -DskipTests package in " + root),
            run.stderr());
        assertEquals("", run.stdout(), "no JVM started");
        assertFalse(Files.exists(root.resolve("server/target/.keel-launcher-built")), "no build stamp");
    }

    @Test
    void shouldBuildOfflineOnlyWhenThatWorksAndNotAgainOnTheNextStart() throws Exception
    {
        final Path root = tree();
        final Run first = launch(root, "ok", "fail");
        assertEquals(0, first.exitCode(), first.stderr());
        assertEquals(1, first.mvnCalls().size(), "no online attempt: " + first.mvnCalls());
        assertTrue(first.mvnCalls().get(0).contains("-o"), first.mvnCalls().get(0));
        assertFalse(first.stderr().contains("[ERROR]"), first.stderr());

        final Run second = launch(root, "ok", "fail");
        assertEquals(0, second.exitCode(), second.stderr());
        assertEquals(1, second.mvnCalls().size(), "nothing changed, nothing built: " + second.mvnCalls());
        assertEquals("", second.stderr(), "a start with nothing to build prints nothing of its own");
        assertTrue(second.stdout().trim().endsWith("io.keelkv.server.KeelServer --port 7777"), second.stdout());
    }
}
