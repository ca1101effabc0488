package io.keelkv.engine.aof;

import io.keelkv.engine.aof.AofManifest.Entry;
import io.keelkv.engine.aof.AofManifest.FileType;
import io.keelkv.engine.aof.AofTestSupport.CheckResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The manifest against Redis 7.0.15. Fixtures and expected texts were written by a redis-server 7.0.15 run
 * ({@code --appendonly yes --aof-disable-auto-gc yes}, BGREWRITEAOF, and a rewrite child killed with -9 to
 * leave two incrs); the refusals were first seen in its log, and redis-check-aof (the same loader code)
 * judges them again on every run where it can (AofManifestCases).
 */
class AofManifestTest
{
    private static final String P = AofManifest.DEFAULT_PREFIX;

    @TempDir
    Path dir;

    @Test
    void shouldWriteWhatRedisWritesOnItsFirstStart()
    {
        final AofManifest manifest = AofManifest.empty().withNewBase(P, true).withNewIncr(P);
        assertEquals("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
            manifest.toString());
    }

    @Test
    void shouldParseWhatRedisWrote() throws Exception
    {
        final byte[] written = fixture("redis-7.0.15-history.manifest");
        final AofManifest manifest = AofManifest.parse(written, "fixture");
        assertEquals(new Entry("appendonly.aof.4.base.rdb", 4, FileType.BASE), manifest.base().orElseThrow());
        assertEquals(List.of(new Entry("appendonly.aof.5.incr.aof", 5, FileType.INCR)), manifest.incrs());
        assertEquals(List.of("appendonly.aof.3.incr.aof", "appendonly.aof.4.incr.aof", "appendonly.aof.3.base.rdb",
                "appendonly.aof.2.incr.aof", "appendonly.aof.2.base.rdb", "appendonly.aof.1.incr.aof",
                "appendonly.aof.1.base.rdb"),
            manifest.history().stream().map(Entry::fileName).toList());
        assertArrayEquals(written, manifest.encode());
    }

    @Test
    void shouldMarkOldBaseAndIncrsAsHistoryOnRewrite() throws Exception
    {
        // Redis's steps in that run: a new incr when BGREWRITEAOF starts, base and history when it ends
        AofManifest manifest = AofManifest.empty().withNewBase(P, true).withNewIncr(P);
        manifest = manifest.withNewIncr(P).withRewrite(P, true, true);
        assertEquals("file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.1.incr.aof seq 1 type h\n" +
            "file appendonly.aof.1.base.rdb seq 1 type h\nfile appendonly.aof.2.incr.aof seq 2 type i\n", manifest.toString());
        manifest = manifest.withNewIncr(P).withRewrite(P, true, true);
        manifest = manifest.withNewIncr(P); // the rewrite that was killed: its incr stays
        assertEquals(List.of("appendonly.aof.3.incr.aof", "appendonly.aof.4.incr.aof"),
            manifest.incrs().stream().map(Entry::fileName).toList());
        manifest = manifest.withNewIncr(P).withRewrite(P, true, true);
        assertArrayEquals(fixture("redis-7.0.15-history.manifest"), manifest.encode());
        assertEquals(AofManifest.parse(manifest.encode(), "replayed"), manifest);
        // then Redis deletes the history files and writes the manifest again
        assertEquals("file appendonly.aof.4.base.rdb seq 4 type b\nfile appendonly.aof.5.incr.aof seq 5 type i\n",
            manifest.withoutHistory().toString());
    }

    @Test
    void shouldMoveEveryIncrToHistoryWhenTheAofIsOff()
    {
        // Seen from redis-server: two incrs, CONFIG SET appendonly no, BGREWRITEAOF; then appendonly yes,
        // whose rewrite names its incr after the last seq handed out, not after the incrs left (none)
        AofManifest manifest = AofManifest.empty().withNewBase(P, true).withNewIncr(P).withNewIncr(P);
        manifest = manifest.withRewrite(P, true, false);
        assertEquals("file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.1.incr.aof seq 1 type h\n" +
            "file appendonly.aof.2.incr.aof seq 2 type h\nfile appendonly.aof.1.base.rdb seq 1 type h\n", manifest.toString());
        assertFalse(manifest.hasNothingToLoad());
        assertTrue(manifest.lastIncr().isEmpty());
        assertEquals("appendonly.aof.3.incr.aof", manifest.nextIncrName(P));
        manifest = manifest.withNewBase(P, true).withNewIncr(P).withIncrsAsHistory(true);
        assertEquals("file appendonly.aof.3.base.rdb seq 3 type b\nfile appendonly.aof.2.base.rdb seq 2 type h\n" +
            "file appendonly.aof.1.incr.aof seq 1 type h\nfile appendonly.aof.2.incr.aof seq 2 type h\n" +
            "file appendonly.aof.1.base.rdb seq 1 type h\nfile appendonly.aof.3.incr.aof seq 3 type i\n", manifest.toString());
    }

    @Test
    void shouldKeepQuotedNamesWithSpaces() throws Exception
    {
        // appendfilename "my \"odd\" file\t\xc3\xa9.aof" with aof-use-rdb-preamble no, then one BGREWRITEAOF
        final String prefix = "my \"odd\" file\té.aof";
        final byte[] written = fixture("redis-7.0.15-quoted-name.manifest");
        final AofManifest manifest = AofManifest.parse(written, "fixture");
        assertEquals(prefix + ".2.base.aof", manifest.base().orElseThrow().fileName());
        assertArrayEquals(written, manifest.encode());
        final AofManifest replayed = AofManifest.empty().withNewBase(prefix, false).withNewIncr(prefix)
            .withNewIncr(prefix).withRewrite(prefix, false, true);
        assertArrayEquals(written, replayed.encode());

        final AofManifest spaced = AofManifest.parse("file 'my aof.1.base.rdb' seq 1 type b\n", "text");
        assertEquals("file \"my aof.1.base.rdb\" seq 1 type b\n", spaced.toString());
        final CheckResult check = checkAofOn(replayed);
        assertTrue(check.output().contains("BASE AOF " + prefix + ".2.base.aof is empty"), check.output());
    }

    @Test
    void shouldQuoteAnApostropheWhereRedisWouldWriteWhatItCannotRead() throws Exception
    {
        final AofManifest manifest = AofManifest.empty().withNewBase("it's.aof", true).withNewIncr("it's.aof");
        assertEquals("file \"it's.aof.1.base.rdb\" seq 1 type b\nfile \"it's.aof.1.incr.aof\" seq 1 type i\n",
            manifest.toString());
        assertEquals(manifest, AofManifest.parse(manifest.encode(), "written"));
        final CheckResult check = checkAofOn(manifest);
        assertTrue(check.valid() && check.output().contains("BASE AOF it's.aof.1.base.rdb is empty"), check.output());
    }

    @Test
    void shouldReadBackWhatItWritesForAnyName() throws Exception
    {
        final long seed = new SplittableRandom().nextLong();
        final SplittableRandom random = new SplittableRandom(seed);
        final String alphabet = "ab.- _\"'\\\t\r\n\u0007\b#\u00e9\u20ac\u0001\u007f";
        for (int round = 0; round < 500; round++)
        {
            final StringBuilder prefix = new StringBuilder();
            for (int i = random.nextInt(1, 8); i > 0; i--)
            {
                final char c = alphabet.charAt(random.nextInt(alphabet.length()));
                prefix.append(c == '\\' ? 'x' : c);
            }
            final AofManifest manifest = AofManifest.empty().withNewBase(prefix.toString(), random.nextBoolean())
                .withNewIncr(prefix.toString()).withNewIncr(prefix.toString()).withRewrite(prefix.toString(), true, true);
            assertEquals(manifest, AofManifest.parse(manifest.encode(), "seed " + seed), "seed " + seed + ": " + prefix);
        }
    }

    @Test
    void shouldRefuseADuplicateBase() throws Exception
    {
        final String text = "file a.1.base.rdb seq 1 type b\nfile a.2.base.rdb seq 2 type b\n";
        final AofManifestException refused = assertRefused(text, AofManifestFormat.DUPLICATE_BASE, 2);
        assertTrue(refused.getMessage().contains("at line 2: 'file a.2.base.rdb seq 2 type b'"), refused.getMessage());
        assertRedisRefuses(text, AofManifestFormat.DUPLICATE_BASE, 2);
    }

    @Test
    void shouldRefuseNonMonotonicIncrSequence() throws Exception
    {
        final String text = "file a.1.base.rdb seq 1 type b\nfile a.2.incr.aof seq 2 type i\nfile a.1.incr.aof seq 1 type i\n";
        assertRefused(text, AofManifestFormat.NON_MONOTONIC, 3);
        assertRedisRefuses(text, AofManifestFormat.NON_MONOTONIC, 3);
    }

    @ParameterizedTest(name = "shouldRefuse {0}")
    @MethodSource("io.keelkv.engine.aof.AofManifestCases#refused")
    void shouldRefuseWhatRedisRefuses(final String name, final String text, final String reason, final int line,
        final boolean checkAof) throws Exception
    {
        assertRefused(text, reason, line);
        if (checkAof)
        {
            assertRedisRefuses(text, reason, reason.equals(AofManifestFormat.TOO_LONG) ? 0 : line);
        }
    }

    @ParameterizedTest(name = "shouldAccept {0}")
    @MethodSource("io.keelkv.engine.aof.AofManifestCases#accepted")
    void shouldAcceptWhatRedisAccepts(final String name, final String text, final String canonical,
        final boolean checkAof) throws Exception
    {
        final AofManifest manifest = AofManifest.parse(text, "text");
        assertEquals(canonical, manifest.toString());
        if (checkAof)
        {
            final CheckResult check = checkAofOn(text.getBytes(StandardCharsets.UTF_8), manifest);
            assertTrue(check.valid() && check.output().contains("All AOF files and manifest are valid"), check.output());
        }
    }

    @Test
    void shouldRefuseANameThatIsNotUtf8WhichRedisWouldTake()
    {
        assertRefused("file \"\\xff.1.base.rdb\" seq 1 type b\n", AofManifestFormat.NOT_UTF8, 1);
    }

    @Test
    void shouldNameFilesAsRedis()
    {
        assertEquals("appendonly.aof.3.base.rdb", AofManifest.baseName(P, 3, true));
        assertEquals("appendonly.aof.3.base.aof", AofManifest.baseName(P, 3, false));
        assertEquals("appendonly.aof.12.incr.aof", AofManifest.incrName(P, 12));
        assertEquals("appendonly.aof.manifest", AofManifest.manifestName(P));
        assertEquals("temp-appendonly.aof.manifest", AofManifest.tempManifestName(P));
        assertEquals("temp-appendonly.aof.incr", AofManifest.tempIncrName(P));
        assertEquals("appendonly.aof.1.incr.aof", AofManifest.empty().nextIncrName(P));
        assertThrows(IllegalArgumentException.class, () -> AofManifest.empty().withNewBase("../x", true));
    }

    @Test
    void shouldSwitchAtomicallyLeavingNoTempFile() throws Exception
    {
        final AofManifest first = AofManifest.empty().withNewBase(P, true).withNewIncr(P);
        final AofManifest second = first.withNewIncr(P).withRewrite(P, true, true);
        final Path manifest = dir.resolve("appendonly.aof.manifest");
        final Path temp = dir.resolve("temp-appendonly.aof.manifest");
        first.writeAtomically(dir, P);
        final Object firstInode = Files.readAttributes(manifest, BasicFileAttributes.class).fileKey();
        Files.writeString(temp, "left by a crash, and longer than any manifest here ".repeat(10));
        second.writeAtomically(dir, P);
        assertArrayEquals(second.encode(), Files.readAllBytes(manifest));
        assertFalse(Files.exists(temp));
        // a new file took the name: the old one was never rewritten in place
        assertNotEquals(firstInode, Files.readAttributes(manifest, BasicFileAttributes.class).fileKey());

        // a reader never sees a partial, empty or missing manifest while it is replaced
        final AtomicBoolean writing = new AtomicBoolean(true);
        final AtomicReference<Throwable> seen = new AtomicReference<>();
        final Thread reader = new Thread(() ->
        {
            while (writing.get() && seen.get() == null)
            {
                try
                {
                    final byte[] read = Files.readAllBytes(manifest);
                    if (!Arrays.equals(read, first.encode()) && !Arrays.equals(read, second.encode()))
                    {
                        seen.set(new AssertionError("read " + new String(read, StandardCharsets.US_ASCII)));
                    }
                }
                catch (final IOException ex)
                {
                    seen.set(ex);
                }
            }
        });
        reader.start();
        for (int i = 0; i < 200 && seen.get() == null; i++)
        {
            (i % 2 == 0 ? first : second).writeAtomically(dir, P);
        }
        writing.set(false);
        reader.join();
        assertNull(seen.get(), () -> "reader saw: " + seen.get());
    }

    @Test
    void shouldLeaveTheOldManifestWhenTheNewOneCannotBeWritten() throws Exception
    {
        final AofManifest first = AofManifest.empty().withNewBase(P, true).withNewIncr(P);
        first.writeAtomically(dir, P);
        final Path temp = Files.createDirectory(dir.resolve("temp-appendonly.aof.manifest"));
        final AofManifestException failed = assertThrows(AofManifestException.class,
            () -> first.withNewIncr(P).writeAtomically(dir, P));
        assertTrue(failed.getMessage().contains(temp.toString()), failed.getMessage());
        assertArrayEquals(first.encode(), Files.readAllBytes(dir.resolve("appendonly.aof.manifest")));

        final Path missing = dir.resolve("no-such-dir");
        final AofManifestException noDir = assertThrows(AofManifestException.class, () -> first.writeAtomically(missing, P));
        assertTrue(noDir.getMessage().contains(missing.resolve("temp-appendonly.aof.manifest").toString()), noDir.getMessage());
    }

    @Test
    void shouldNameAMissingFile() throws Exception
    {
        AofManifest.parse("file appendonly.aof.1.base.rdb seq 1 type b\nfile gone.aof seq 3 type h\n" +
            "file appendonly.aof.1.incr.aof seq 1 type i\n", "text").writeAtomically(dir, P);
        Files.createFile(dir.resolve("appendonly.aof.1.base.rdb"));
        final AofManifestException missing = assertThrows(AofManifestException.class,
            () -> AofManifest.checkFilesExist(dir, P));
        // redis-server's last log line for it
        assertEquals("Unable to obtain the AOF file appendonly.aof.1.incr.aof length. stat: No such file or directory",
            missing.reason());
        assertTrue(missing.getMessage().contains(dir.resolve("appendonly.aof.1.incr.aof").toString()) &&
            missing.getMessage().contains("incr seq 1"), missing.getMessage());

        // the missing history file is no error: its deletion is recorded after it happens
        Files.createFile(dir.resolve("appendonly.aof.1.incr.aof"));
        final AofManifest loaded = AofManifest.checkFilesExist(dir, P).orElseThrow();
        assertEquals("gone.aof", loaded.history().get(0).fileName());
    }

    @Test
    void shouldRefuseAofFilesWithoutAManifest() throws Exception
    {
        assertEquals(Optional.empty(), AofManifest.checkFilesExist(dir.resolve("absent"), P));
        Files.createFile(dir.resolve("temp-rewriteaof-bg-42.aof"));
        Files.createFile(dir.resolve("other.aof.1.incr.aof"));
        assertEquals(Optional.empty(), AofManifest.checkFilesExist(dir, P));
        // redis-server 7.0.15 starts empty here, writes a new base 1 over this one and appends to this incr 1
        Files.createFile(dir.resolve("appendonly.aof.1.incr.aof"));
        final AofManifestException orphans = assertThrows(AofManifestException.class,
            () -> AofManifest.checkFilesExist(dir, P));
        assertTrue(orphans.getMessage().contains("[appendonly.aof.1.incr.aof] but no appendonly.aof.manifest"),
            orphans.getMessage());
    }

    @Test
    void shouldNameTheManifestThatCannotBeRead()
    {
        final Path absent = dir.resolve("appendonly.aof.manifest");
        final AofManifestException failed = assertThrows(AofManifestException.class, () -> AofManifest.parse(absent));
        assertTrue(failed.getMessage().contains(absent.toString()), failed.getMessage());
    }

    private static AofManifestException assertRefused(final String text, final String reason, final int line)
    {
        final AofManifestException refused = assertThrows(AofManifestException.class,
            () -> AofManifest.parse(text, "the manifest"));
        assertEquals(reason, refused.reason(), refused.getMessage());
        assertEquals(line, refused.line(), refused.getMessage());
        assertTrue(refused.getMessage().startsWith(reason + " in the manifest"), refused.getMessage());
        return refused;
    }

    /** redis-check-aof runs Redis's own manifest loader: it must refuse with the same words and line. */
    private void assertRedisRefuses(final String text, final String reason, final int line) throws Exception
    {
        final Path manifest = Files.createTempDirectory(dir, "refused").resolve("appendonly.aof.manifest");
        Files.write(manifest, text.getBytes(StandardCharsets.UTF_8));
        final CheckResult check = AofTestSupport.redisCheckAof(manifest);
        assertFalse(check.valid(), check.output());
        assertTrue(check.output().contains("# " + reason + "\n"), check.output());
        assertEquals(line > 0, check.output().contains("Reading the manifest file, at line "), check.output());
        assertEquals(line > 0, check.output().contains("Reading the manifest file, at line " + line + "\n"), check.output());
    }

    private CheckResult checkAofOn(final AofManifest manifest) throws Exception
    {
        return checkAofOn(manifest.encode(), manifest);
    }

    /** redis-check-aof on {@code text} as a manifest, with empty files for its base and incrs. */
    private CheckResult checkAofOn(final byte[] text, final AofManifest manifest) throws Exception
    {
        final Path files = Files.createTempDirectory(dir, "check");
        Files.write(files.resolve("appendonly.aof.manifest"), text);
        for (final Entry entry : manifest.base().map(List::of).orElse(List.of()))
        {
            Files.createFile(files.resolve(entry.fileName()));
        }
        for (final Entry entry : manifest.incrs())
        {
            Files.createFile(files.resolve(entry.fileName()));
        }
        return AofTestSupport.redisCheckAof(files.resolve("appendonly.aof.manifest"));
    }

    private static byte[] fixture(final String name) throws IOException
    {
        try (InputStream in = AofManifestTest.class.getResourceAsStream(name))
        {
            if (in == null)
            {
                throw new IOException("no test resource " + name);
            }
            return in.readAllBytes();
        }
    }
}
