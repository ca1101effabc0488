package io.keelkv.engine.aof;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Shared by the append file tests and the child JVM they kill: RESP commands as the AOF will write them,
 * the redis-check-aof oracle, and a child JVM launcher.
 */
final class AofTestSupport
{
    private static final Pattern OK_UP_TO = Pattern.compile("ok_up_to=(\\d+)");

    private AofTestSupport()
    {
    }

    /** {@code SET key value} as a RESP array of bulk strings, as Redis writes it to the AOF. */
    static byte[] set(final String key, final byte[] value)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final byte[] keyBytes = key.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes("*3\r\n$3\r\nSET\r\n".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(("$" + keyBytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(keyBytes);
        out.writeBytes(("\r\n$" + value.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(value);
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** A SET with a random key and a random printable value of up to {@code maxValueBytes}. */
    static byte[] randomSet(final SplittableRandom random, final int maxValueBytes)
    {
        final byte[] value = new byte[random.nextInt(maxValueBytes + 1)];
        for (int i = 0; i < value.length; i++)
        {
            value[i] = (byte)(' ' + random.nextInt(95));
        }
        return set("key:" + random.nextInt(1_000_000), value);
    }

    /** Append {@code bytes} and record them in {@code expected}. */
    static void append(final MappedAppendFile file, final byte[] bytes, final ByteArrayOutputStream expected)
        throws AppendFileException
    {
        file.append(new UnsafeBuffer(bytes), 0, bytes.length);
        expected.writeBytes(bytes);
    }

    static boolean allZero(final byte[] bytes, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            if (bytes[i] != 0)
            {
                return false;
            }
        }
        return true;
    }

    /** The result of {@code redis-check-aof file}: its exit code and output. */
    record CheckResult(int exitCode, String output)
    {
        boolean valid()
        {
            return exitCode == 0;
        }

        long okUpTo()
        {
            final Matcher matcher = OK_UP_TO.matcher(output);
            if (!matcher.find())
            {
                throw new AssertionError("no ok_up_to in redis-check-aof output: " + output);
            }
            return Long.parseLong(matcher.group(1));
        }
    }

    /**
     * Run redis-check-aof on a file: skipped with a message when it is not installed, failed when
     * KEEL_REQUIRE_ORACLE=1.
     */
    static CheckResult redisCheckAof(final Path file) throws IOException, InterruptedException
    {
        final boolean available = new File("/usr/bin/redis-check-aof").canExecute() ||
            System.getenv("PATH") != null && Arrays.stream(System.getenv("PATH").split(":"))
                .anyMatch(dir -> new File(dir, "redis-check-aof").canExecute());
        if (!available)
        {
            if ("1".equals(System.getenv("KEEL_REQUIRE_ORACLE")))
            {
                fail("redis-check-aof is required as the oracle (apt-get install -y redis-tools)");
            }
            Assumptions.abort("redis-check-aof not installed: apt-get install -y redis-tools to run this check");
        }
        final Process process = new ProcessBuilder("redis-check-aof", file.toString()).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new CheckResult(process.waitFor(), output);
    }
}
