package io.keelkv.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.keelkv.server.ComparedServers.Target.KEELKV;
import static io.keelkv.server.ComparedServers.Target.REDIS;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Debian's redis-cli, unmodified, against KeelKV and against redis-server loaded with the same data: the
 * outputs must be identical, except where the two servers legitimately differ, which each check names:
 * <ul>
 *   <li>SCAN order: KeelKV's table is not Redis's dict, so keys come in another order. Where output depends
 *   on it (--scan, --bigkeys progress lines) the set of keys, or the summary, is compared instead.</li>
 *   <li>MEMORY USAGE: KeelKV reports the bytes its own layout holds (no robj/sds/dictEntry), so --memkeys is
 *   compared with its numbers masked, plus the biggest key, which the data makes unambiguous.</li>
 *   <li>CONFIG GET with a pattern: Redis lists matches in its config dict's order, which is seeded at random
 *   per process, and KeelKV does not accept the directives of features it lacks (replication, cluster, TLS,
 *   maxmemory-clients): only single directives are compared.</li>
 *   <li>Client ids, the clock, latency samples and memory in --stat: compared by shape.</li>
 * </ul>
 * Every run of redis-cli is bounded (a timeout per process; --latency and --stat are stopped with SIGINT by
 * coreutils' timeout). Skipped without redis-cli or redis-server (failed under KEEL_REQUIRE_ORACLE=1).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RedisCliCompatibilityTest
{
    private static final String PASSWORD = "cli-pass";
    private static final String PASSWORD_WARNING =
        "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.";

    private static ComparedServers servers;

    @BeforeAll
    static void start() throws Exception
    {
        RedisOracle.requireTool("redis-cli", "redis-tools");
        RedisOracle.requireTool("redis-server", "redis-server");
        servers = ComparedServers.start(PASSWORD, "--enable-debug-command", "yes");
    }

    @AfterAll
    static void stop() throws Exception
    {
        if (servers != null)
        {
            servers.close();
        }
    }

    @BeforeEach
    void flush()
    {
        for (final int port : new int[] {servers.port(REDIS, false), servers.port(KEELKV, false)})
        {
            try (Jedis jedis = new Jedis("127.0.0.1", port))
            {
                jedis.flushAll();
            }
        }
    }

    /** What one redis-cli run printed. */
    record Run(int exit, String out, String err)
    {
        String both()
        {
            return out + err;
        }
    }

    private static Run cli(final int port, final byte[] stdin, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(port)));
        command.addAll(List.of(args));
        return run(command, stdin, 60);
    }

    private static Run run(final List<String> command, final byte[] stdin, final int timeoutSeconds) throws Exception
    {
        final Path out = Files.createTempFile("cli", ".out");
        final Path err = Files.createTempFile("cli", ".err");
        try
        {
            final ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin == null)
            {
                builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            final Process process = builder.start();
            if (stdin != null)
            {
                try (java.io.OutputStream in = process.getOutputStream())
                {
                    in.write(stdin);
                }
            }
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
            }
            return new Run(process.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1),
                Files.readString(err, StandardCharsets.ISO_8859_1));
        }
        finally
        {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The same redis-cli arguments against redis-server and KeelKV: exit code, stdout and stderr identical. */
    private static Run assertSame(final String... args) throws Exception
    {
        return assertSameWithInput(null, args);
    }

    private static Run assertSameWithInput(final byte[] stdin, final String... args) throws Exception
    {
        final Run expected = cli(servers.port(REDIS, false), stdin, args);
        final Run actual = cli(servers.port(KEELKV, false), stdin, args);
        final String what = "redis-cli " + String.join(" ", args);
        assertEquals(expected.out, actual.out, what + " (stdout)");
        assertEquals(expected.err, actual.err, what + " (stderr)");
        assertEquals(expected.exit, actual.exit, what + " (exit code)");
        return actual;
    }

    /** Load both servers with the same commands. */
    private static void load(final java.util.function.Consumer<Pipeline> commands)
    {
        for (final int port : new int[] {servers.port(REDIS, false), servers.port(KEELKV, false)})
        {
            try (Jedis jedis = new Jedis("127.0.0.1", port))
            {
                final Pipeline pipeline = jedis.pipelined();
                commands.accept(pipeline);
                pipeline.sync();
            }
        }
    }

    private static void configSet(final String name, final String value)
    {
        for (final int port : new int[] {servers.port(REDIS, false), servers.port(KEELKV, false)})
        {
            try (Jedis jedis = new Jedis("127.0.0.1", port))
            {
                assertEquals("OK", jedis.configSet(name, value));
            }
        }
    }

    private static String digest(final int port)
    {
        try (RawRespClient client = new RawRespClient(port))
        {
            return client.call("DEBUG", "DIGEST");
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static byte[] resp(final String... args)
    {
        return RawRespClient.request(args);
    }

    @Test
    void shouldMassInsertAHundredThousandCommandsWithPipe() throws Exception
    {
        final long seed = System.nanoTime();
        System.out.println("shouldMassInsertAHundredThousandCommandsWithPipe seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        final ByteArrayOutputStream input = new ByteArrayOutputStream();
        final int commands = 100_000;
        for (int i = 0; i < commands; i++)
        {
            switch (random.nextInt(4))
            {
                case 0 -> input.writeBytes(resp("INCRBY", "counter:" + random.nextInt(50), String.valueOf(random.nextInt(1000))));
                case 1 -> input.writeBytes(resp("APPEND", "log:" + random.nextInt(50), "line " + i + "\r\n"));
                default -> input.writeBytes(resp("SET", "key:" + i, "value\r\n\u0000" + random.nextInt()));
            }
        }
        final Run run = assertSameWithInput(input.toByteArray(), "--pipe");
        assertEquals("All data transferred. Waiting for the last reply...\nLast reply received from server.\n" +
            "errors: 0, replies: " + commands + "\n", run.out);
        assertEquals(0, run.exit);
        assertEquals(digest(servers.port(REDIS, false)), digest(servers.port(KEELKV, false)));

        // errors are counted and printed the same way, and the exit code says so
        final ByteArrayOutputStream bad = new ByteArrayOutputStream();
        bad.writeBytes(resp("SET", "text", "abc"));
        bad.writeBytes(resp("INCR", "text"));
        bad.writeBytes(resp("GET"));
        bad.writeBytes(resp("NOSUCH", "x"));
        bad.writeBytes("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        final Run errors = assertSameWithInput(bad.toByteArray(), "--pipe");
        assertTrue(errors.out.endsWith("errors: 3, replies: 5\n"), errors.out);
        assertEquals(1, errors.exit);
    }

    @Test
    void shouldFormatRepliesAsRedisInEveryOutputMode() throws Exception
    {
        load(p ->
        {
            p.set("s", "hello world");
            p.set("bin".getBytes(StandardCharsets.US_ASCII), new byte[] {'a', 0, '\r', '\n', (byte)0xFE, '"', '\\'});
            p.set("n", "42");
            p.set("f", "3.25");
            // an absolute expiry: TTL would count down between the two runs
            p.set("ttl", "v");
            p.expireAt("ttl", 4_000_000_000L);
            p.set("empty", "");
        });
        final String[][] commands = {
            {"GET", "s"}, {"GET", "missing"}, {"GET", "bin"}, {"GET", "empty"}, {"MGET", "s", "missing", "bin", "n"},
            {"INCR", "n"}, {"INCR", "s"}, {"INCRBYFLOAT", "f", "0.5"}, {"EXISTS", "s", "n", "x"}, {"TYPE", "s"},
            {"SET", "s2", "v", "GET"}, {"SET", "s", "v", "NX"}, {"SET", "x", "y", "EX", "0"}, {"EXPIRETIME", "ttl"}, {"TTL", "s"},
            {"CONFIG", "GET", "maxmemory-policy"}, {"CONFIG", "GET", "nosuchparameter"}, {"ECHO", "two\nlines"},
            {"OBJECT", "ENCODING", "n"}, {"DBSIZE"}, {"KEYS", "s"}, {"NOSUCHCOMMAND", "a"}, {"GET"}, {"PING"},
            {"CLIENT", "GETNAME"}, {"EXPIRETIME", "s"}, {"COPY", "s", "s3"}, {"STRLEN", "bin"}, {"GETRANGE", "bin", "1", "3"},
            {"HELLO", "4"}, {"SELECT", "99"}, {"OBJECT", "FREQ", "s"}, {"DEL", "s3", "s2"}};
        final String[][] modes = {{}, {"--no-raw"}, {"--raw"}, {"--csv"}, {"--json"}, {"--quoted-json"},
            {"-3"}, {"-3", "--no-raw"}, {"-3", "--csv"}, {"-3", "--json"}, {"-e"}};
        for (final String[] mode : modes)
        {
            for (final String[] command : commands)
            {
                final List<String> args = new ArrayList<>(Arrays.asList(mode));
                args.addAll(Arrays.asList(command));
                assertSame(args.toArray(new String[0]));
            }
        }
        // HELLO differs in the connection id only
        for (final String[] mode : modes)
        {
            final List<String> args = new ArrayList<>(Arrays.asList(mode));
            args.addAll(List.of("HELLO", "3"));
            final String[] argv = args.toArray(new String[0]);
            assertEquals(maskIntegers(cli(servers.port(REDIS, false), null, argv).both()), maskIntegers(cli(servers.port(KEELKV, false), null, argv).both()),
                "HELLO 3 in " + args);
        }
        // -x takes the last argument from stdin, --quoted-input unquotes binary arguments
        assertSameWithInput("from stdin\n".getBytes(StandardCharsets.US_ASCII), "-x", "SET", "stdin");
        assertSame("GET", "stdin");
        assertSame("--quoted-input", "SET", "\"q\\x00\\r\\nkey\"", "\"\\xff\\x01 v\"");
        assertSame("--quoted-input", "--no-raw", "GET", "\"q\\x00\\r\\nkey\"");
        assertSame("--quoted-json", "--quoted-input", "GET", "\"q\\x00\\r\\nkey\"");
    }

    private static String maskIntegers(final String text)
    {
        return text.replaceAll("\\d+", "N");
    }

    @Test
    void shouldRepeatWithRAndSelectWithN() throws Exception
    {
        assertSame("-r", "5", "INCR", "counter");
        assertSame("-r", "3", "-i", "0.01", "INCRBY", "counter", "10");
        assertSame("--no-raw", "-r", "2", "MGET", "counter", "missing");
        assertSame("-n", "3", "SET", "in3", "x");
        assertSame("-n", "3", "GET", "in3");
        assertSame("-n", "3", "--no-raw", "DBSIZE");
        assertSame("--no-raw", "DBSIZE");
        assertSame("-n", "16", "GET", "in3");
        assertSame("-n", "3", "-r", "2", "INCR", "c3");
        // -u after -p: the URI's port and database win
        for (final int port : new int[] {servers.port(REDIS, false), servers.port(KEELKV, false)})
        {
            final Run uri = cli(port, null, "-u", "redis://127.0.0.1:" + port + "/3", "MGET", "in3", "c3");
            assertEquals("x\n2\n", uri.out);
        }
    }

    @Test
    void shouldAuthenticateWithAAsRedis() throws Exception
    {
        final String[][] runs = {
            {"-a", PASSWORD, "PING"}, {"-a", PASSWORD, "--no-auth-warning", "-n", "2", "SET", "k", "v"},
            {"-a", PASSWORD, "-n", "2", "GET", "k"}, {"-a", "wrong", "PING"}, {"PING"}, {"--user", "default", "--pass", PASSWORD, "PING"},
            {"--user", "nobody", "--pass", PASSWORD, "PING"}, {"-a", PASSWORD, "AUTH", "wrong"}, {"AUTH", PASSWORD},
            {"-a", PASSWORD, "--no-raw", "-3", "HELLO", "3", "AUTH", "default", "wrong"}, {"-a", PASSWORD, "FLUSHALL"}};
        for (final String[] args : runs)
        {
            final Run expected = cli(servers.port(REDIS, true), null, args);
            final Run actual = cli(servers.port(KEELKV, true), null, args);
            final String what = "redis-cli " + String.join(" ", args);
            assertEquals(expected.out, actual.out, what);
            assertEquals(expected.err, actual.err, what);
            assertEquals(expected.exit, actual.exit, what);
        }
        final Run warned = cli(servers.port(KEELKV, true), null, "-a", PASSWORD, "PING");
        assertEquals("PONG\n", warned.out);
        assertEquals(PASSWORD_WARNING + "\n", warned.err);
        final Run uri = cli(servers.port(KEELKV, true), null, "-u", "redis://default:" + PASSWORD + "@127.0.0.1:" + servers.port(KEELKV, true) + "/1", "PING");
        assertEquals("PONG\n", uri.out);
    }

    @Test
    void shouldScanWithAPatternToTheSameKeys() throws Exception
    {
        load(p ->
        {
            for (int i = 0; i < 3000; i++)
            {
                p.set("user:" + i, "u");
                p.set("session:" + i, "s");
            }
            p.set("odd\u0000key".getBytes(StandardCharsets.ISO_8859_1), "v".getBytes(StandardCharsets.US_ASCII));
        });
        // table order differs between the two servers: the sets of keys must not
        for (final String[] args : new String[][] {{"--scan"}, {"--scan", "--pattern", "user:1*"}, {"--scan", "--pattern", "*:?99"},
            {"--scan", "--pattern", "nothing*"}, {"--scan", "--quoted-pattern", "\"odd\\x00*\""}, {"--scan", "-i", "0.001", "--pattern", "session:2?"}})
        {
            final Run expected = cli(servers.port(REDIS, false), null, args);
            final Run actual = cli(servers.port(KEELKV, false), null, args);
            assertEquals(new TreeSet<>(expected.out.lines().toList()), new TreeSet<>(actual.out.lines().toList()), String.join(" ", args));
            assertEquals(expected.out.lines().count(), actual.out.lines().count(), "each key once: " + String.join(" ", args));
            assertEquals(expected.err, actual.err);
        }
        assertEquals(1111, cli(servers.port(KEELKV, false), null, "--scan", "--pattern", "user:1*").out.lines().count());
    }

    /** Distinct sizes for every key so that the biggest is unambiguous whatever order SCAN visits them in. */
    private static void loadStringsOfDistinctSizes(final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < 400; i++)
        {
            sizes.add(i * 7 + random.nextInt(7));
        }
        load(p ->
        {
            for (int i = 0; i < sizes.size(); i++)
            {
                p.set("str:" + i, "x".repeat(sizes.get(i)));
            }
            p.set("number", "12345");
            p.setex("expiring", 100_000, "y".repeat(50));
            p.set("huge", "z".repeat(200_000));
        });
    }

    @Test
    void shouldFindBigKeysAsRedis() throws Exception
    {
        final long seed = System.nanoTime();
        System.out.println("shouldFindBigKeysAsRedis seed=" + seed);
        loadStringsOfDistinctSizes(seed);
        final Run expected = cli(servers.port(REDIS, false), null, "--bigkeys");
        final Run actual = cli(servers.port(KEELKV, false), null, "--bigkeys");
        assertEquals(0, actual.exit, actual.both());
        // the summary does not depend on the order keys were visited in
        assertEquals(summary(expected.out), summary(actual.out));
        assertTrue(summary(actual.out).contains("Biggest string found '\"huge\"' has 200000 bytes"), actual.out);
        assertTrue(summary(actual.out).contains("Sampled 403 keys in the keyspace!"), actual.out);
        assertProgressLines(actual.out, "Biggest string found so far '\"([^\"]*)\"' with (\\d+) bytes", "huge", 200_000);
        assertEquals(header(expected.out), header(actual.out));
    }

    @Test
    void shouldFindMemKeysInRedisShape() throws Exception
    {
        final long seed = System.nanoTime();
        System.out.println("shouldFindMemKeysInRedisShape seed=" + seed);
        loadStringsOfDistinctSizes(seed);
        for (final String[] args : new String[][] {{"--memkeys"}, {"--memkeys", "--memkeys-samples", "3"}})
        {
            final Run expected = cli(servers.port(REDIS, false), null, args);
            final Run actual = cli(servers.port(KEELKV, false), null, args);
            assertEquals(0, actual.exit, actual.both());
            // MEMORY USAGE is KeelKV's own layout, not Redis's allocations (see the class comment): numbers masked
            assertEquals(maskNumbers(summary(expected.out)), maskNumbers(summary(actual.out)));
            assertTrue(summary(actual.out).contains("Biggest string found '\"huge\"' has "), actual.out);
            assertProgressLines(actual.out, "Biggest string found so far '\"([^\"]*)\"' with (\\d+) bytes", "huge", -1);
            assertEquals(header(expected.out), header(actual.out));
        }
    }

    private static String maskNumbers(final String text)
    {
        return text.replaceAll("\\d+(\\.\\d+)?", "N");
    }

    @Test
    void shouldFindHotKeysInRedisShape() throws Exception
    {
        configSet("maxmemory-policy", "allkeys-lfu");
        load(p ->
        {
            for (int i = 0; i < 20; i++)
            {
                p.set("k" + i, "v");
            }
            for (int i = 0; i < 200; i++)
            {
                p.get("k7");
            }
        });
        try
        {
            final Run expected = cli(servers.port(REDIS, false), null, "--hotkeys");
            final Run actual = cli(servers.port(KEELKV, false), null, "--hotkeys");
            // Redis's LFU counter grows with a random draw per access (LFULogIncr): the counter values may differ
            assertEquals(maskNumbers(summary(expected.out)), maskNumbers(summary(actual.out)));
            assertTrue(summary(actual.out).contains("keyname: \"k7\""), actual.out);
            assertEquals(header(expected.out), header(actual.out));
        }
        finally
        {
            configSet("maxmemory-policy", "noeviction");
        }
        final Run refused = assertSame("--hotkeys");
        assertTrue(refused.both().contains("ERR An LFU maxmemory policy is not selected"), refused.both());
    }

    private static String header(final String out)
    {
        final int firstProgress = out.indexOf("[");
        return firstProgress < 0 ? out.substring(0, out.indexOf("-------- summary")) : out.substring(0, firstProgress);
    }

    private static String summary(final String out)
    {
        final int at = out.indexOf("-------- summary -------");
        assertTrue(at >= 0, out);
        return out.substring(at);
    }

    /**
     * Progress lines are in SCAN order, which differs: each must name a bigger key than the one before, and
     * the last one the biggest (when {@code biggestSize} is not -1, with that size).
     */
    private static void assertProgressLines(final String out, final String regex, final String biggest, final long biggestSize)
    {
        final Pattern line = Pattern.compile("^\\[\\d\\d\\.\\d\\d%] " + regex + "$");
        long previous = -1;
        String last = null;
        for (final String text : out.substring(0, out.indexOf("-------- summary")).lines().toList())
        {
            if (!text.startsWith("["))
            {
                continue;
            }
            final Matcher m = line.matcher(text);
            assertTrue(m.matches(), text);
            final long size = Long.parseLong(m.group(2));
            assertTrue(size > previous, out);
            previous = size;
            last = m.group(1);
        }
        assertEquals(biggest, last, out);
        if (biggestSize >= 0)
        {
            assertEquals(biggestSize, previous);
        }
    }

    @Test
    void shouldMeasureLatencyForOneInterval() throws Exception
    {
        RedisOracle.requireTool("timeout", "coreutils");
        for (final int port : new int[] {servers.port(REDIS, false), servers.port(KEELKV, false)})
        {
            // non-interactive --latency samples for one -i interval, prints "min max avg samples" and exits;
            // timeout's SIGINT only guards against a server that never answers
            final Run run = run(List.of("timeout", "-s", "INT", "20", "redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(port),
                "--latency", "-i", "0.3"), null, 30);
            assertEquals(0, run.exit, run.both());
            assertTrue(run.out.matches("\\d+ \\d+ \\d+\\.\\d\\d [1-9]\\d*\\n"), run.out);
        }
    }

    @Test
    void shouldShowStatUntilInterrupted() throws Exception
    {
        RedisOracle.requireTool("timeout", "coreutils");
        RedisOracle.requireTool("stdbuf", "coreutils");
        load(p ->
        {
            for (int i = 0; i < 1234; i++)
            {
                p.set("stat:" + i, "v");
            }
        });
        final List<String> headers = new ArrayList<>();
        for (final int port : new int[] {servers.port(REDIS, false), servers.port(KEELKV, false)})
        {
            // --stat writes to a pipe through stdio: line buffering makes the rows visible before SIGINT
            final Run run = run(List.of("timeout", "-s", "INT", "3", "stdbuf", "-oL", "redis-cli", "-h", "127.0.0.1",
                "-p", String.valueOf(port), "--stat", "-i", "0.5"), null, 30);
            final List<String> lines = run.out.lines().toList();
            assertTrue(lines.size() >= 3, run.both());
            headers.add(lines.get(0) + "\n" + lines.get(1));
            final String[] row = lines.get(2).trim().split("\\s+");
            assertEquals("1234", row[0], lines.get(2));
            assertTrue(row[1].matches("[\\d.]+[BKMG]"), "mem column: " + lines.get(2));
            // redis-cli itself; a connection of the loading client may not have been reaped yet on a busy machine
            assertTrue(row[2].matches("[1-9]\\d*"), "clients column: " + lines.get(2));
            assertEquals("0", row[3], "blocked: " + lines.get(2));
            assertTrue(row[4].matches("\\d+") && row[5].matches("\\(\\+\\d+\\)") && row[6].matches("\\d+"), lines.get(2));
            for (final String more : lines.subList(3, lines.size()))
            {
                assertTrue(more.trim().startsWith("1234 "), more);
            }
        }
        assertEquals(headers.get(0), headers.get(1));
    }

    @Test
    void shouldAnswerInlineCommandsFromStdin() throws Exception
    {
        final byte[] script = ("SET a 1\nINCR a\nGET a\nECHO \"two words\"\nGET\nSET 'quoted key' \"x\\ny\"\n" +
            "GET 'quoted key'\nDEL a 'quoted key'\n").getBytes(StandardCharsets.US_ASCII);
        assertSameWithInput(script);
        assertSameWithInput(script, "--no-raw");
        assertSameWithInput(script, "-3", "--no-raw");
        final Run run = assertSameWithInput(script, "--raw");
        assertTrue(run.out.toLowerCase(Locale.ROOT).contains("wrong number of arguments for 'get' command"), run.out);
    }
}
