package io.keelkv.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a person typing into redis-cli sees: redis-cli 7 reads COMMAND DOCS when it starts and, as each
 * command is typed, prints a grey hint of its arguments built from the argument trees. The test types the
 * name of every command KeelKV serves ("SET ", "CLIENT KILL ") into an interactive redis-cli on a pseudo
 * terminal (util-linux's {@code script}), once against redis-server and once against KeelKV, and compares
 * the hints. Docs without arguments show no hint at all, an error reply makes redis-cli fall back to
 * its own older help table (other hints), so either shows up here as a difference.
 */
class RedisCliHintTest
{
    private static final String HINT_START = "\u001b[0;90;49m";
    private static final String HINT_END = "\u001b[0m";
    private static final long STEP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    @Test
    void shouldShowTheSameTypingHintsAsRedisForEveryServedCommand() throws Exception
    {
        RedisOracle.requireTool("redis-cli", "redis-tools");
        RedisOracle.requireTool("script", "bsdutils");
        try (RedisOracle redis = RedisOracle.start(); KeelServer keel = TestServers.start())
        {
            final List<String> typed = new ArrayList<>();
            try (RawRespClient client = new RawRespClient(keel.port()))
            {
                for (final CommandIntrospectionOracleTest.Resp name :
                    CommandIntrospectionOracleTest.Resp.parse(client.call("COMMAND", "LIST")).elements())
                {
                    typed.add(name.string().toUpperCase(Locale.ROOT).replace('|', ' ') + " ");
                }
            }
            final Map<String, String> expected = hints(redis.port(), typed);
            final Map<String, String> actual = hints(keel.port(), typed);
            assertEquals("key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|" +
                "PXAT unix-time-milliseconds|KEEPTTL]", expected.get("SET "), "the oracle shows hints at all");
            for (final String line : typed)
            {
                assertEquals(expected.get(line), actual.get(line), "hint after typing '" + line + "'");
            }
        }
    }

    /** Type each line into one interactive redis-cli session; the hint shown after it, or "" for none. */
    private static Map<String, String> hints(final int port, final List<String> lines) throws Exception
    {
        // a wide terminal so that linenoise does not cut long hints; exec so that the shell does not linger
        final Process process = new ProcessBuilder("script", "-qfec",
            "stty cols 4000 rows 50; exec redis-cli -p " + port, "/dev/null").redirectErrorStream(true).start();
        final StringBuffer screen = new StringBuffer();
        final Thread reader = new Thread(() -> copy(process.getInputStream(), screen), "redis-cli-screen");
        reader.setDaemon(true);
        reader.start();
        final Map<String, String> hints = new LinkedHashMap<>();
        try
        {
            final OutputStream keys = process.getOutputStream();
            final String prompt = "127.0.0.1:" + port + "> ";
            awaitPrompt(screen, prompt, process);
            for (final String line : lines)
            {
                final int mark = screen.length();
                type(keys, line);
                hints.put(line, awaitRender(screen, mark, prompt, line, process));
                final int cleared = screen.length();
                type(keys, "\u0015");
                awaitRender(screen, cleared, prompt, "", process);
            }
            type(keys, "\u0004");
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "redis-cli exits on ctrl-D");
        }
        finally
        {
            process.destroyForcibly();
        }
        assertTrue(!screen.toString().contains("(error)"), "no error on the screen: " + screen);
        return hints;
    }

    /** The first prompt is printed as it is, before any refresh. */
    private static void awaitPrompt(final StringBuffer screen, final String prompt, final Process process)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + STEP_TIMEOUT_NS;
        while (screen.indexOf(prompt) < 0)
        {
            if (System.nanoTime() > deadline || !process.isAlive())
            {
                throw new AssertionError("redis-cli showed no prompt; screen: " + screen.toString().replace("\u001b", "ESC"));
            }
            Thread.sleep(5);
        }
    }

    /**
     * Wait until linenoise has drawn {@code prompt + line} after {@code mark}: its refresh writes the prompt,
     * the buffer, the hint (if any) and then moves the cursor back to the buffer's end ("\r", ESC[nC).
     * Returns the hint text drawn between the buffer and that cursor move.
     */
    private static String awaitRender(
        final StringBuffer screen, final int mark, final String prompt, final String line, final Process process)
        throws InterruptedException
    {
        final String drawn = prompt + line;
        final String cursor = "\r\u001b[" + drawn.length() + "C";
        final long deadline = System.nanoTime() + STEP_TIMEOUT_NS;
        while (true)
        {
            final String output = screen.substring(mark);
            final int at = output.lastIndexOf(drawn);
            if (at >= 0)
            {
                final int end = output.indexOf(cursor, at + drawn.length());
                if (end >= 0)
                {
                    final String hint = output.substring(at + drawn.length(), end);
                    return hint.startsWith(HINT_START) && hint.endsWith(HINT_END) ?
                        hint.substring(HINT_START.length(), hint.length() - HINT_END.length()) : hint;
                }
            }
            if (System.nanoTime() > deadline || !process.isAlive())
            {
                throw new AssertionError("redis-cli did not draw '" + drawn + "'; screen: " +
                    screen.toString().replace("\u001b", "ESC"));
            }
            Thread.sleep(5);
        }
    }

    private static void type(final OutputStream keys, final String text) throws IOException
    {
        keys.write(text.getBytes(StandardCharsets.US_ASCII));
        keys.flush();
    }

    private static void copy(final InputStream in, final StringBuffer screen)
    {
        final byte[] buffer = new byte[8192];
        try
        {
            int n;
            while ((n = in.read(buffer)) > 0)
            {
                screen.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
        }
        catch (final IOException ignored)
        {
            // the process ended: the screen is complete
        }
    }
}
