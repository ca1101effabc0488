package io.keelkv.server.log;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Redis-style log lines ({@code pid:M 22 Nov 2026 10:00:00.123 * message}) at Redis's levels. Logging is
 * off the hot path: only start, stop, errors and rare events are logged.
 */
public final class Log
{
    public static final int DEBUG = 0;
    public static final int VERBOSE = 1;
    public static final int NOTICE = 2;
    public static final int WARNING = 3;

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss.SSS", Locale.ROOT);
    private static final char[] MARKS = {'.', '-', '*', '#'};
    private static volatile int level = NOTICE;
    private static volatile PrintStream out = System.out;
    private static final long PID = ProcessHandle.current().pid();

    private Log()
    {
    }

    public static void level(final String name)
    {
        switch (name.toLowerCase(Locale.ROOT))
        {
            case "debug": level = DEBUG; break;
            case "verbose": level = VERBOSE; break;
            case "warning": level = WARNING; break;
            case "nothing": level = Integer.MAX_VALUE; break;
            default: level = NOTICE; break;
        }
    }

    /** Log to a file instead of stdout ("" keeps stdout, as Redis's logfile ""). */
    public static void file(final String path) throws IOException
    {
        if (path != null && !path.isEmpty())
        {
            out = new PrintStream(new FileOutputStream(path, true), true, "UTF-8");
        }
    }

    public static void log(final int severity, final String message)
    {
        if (severity >= level)
        {
            out.println(PID + ":M " + LocalDateTime.now().format(FORMAT) + " " + MARKS[severity] + " " + message);
        }
    }

    public static void notice(final String message)
    {
        log(NOTICE, message);
    }

    public static void warning(final String message)
    {
        log(WARNING, message);
    }

    public static void verbose(final String message)
    {
        log(VERBOSE, message);
    }
}
