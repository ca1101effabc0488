package io.keelkv.server.net;

import io.keelkv.server.log.Log;
import net.openhft.posix.PosixAPI;
import org.agrona.BufferUtil;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.BitSet;

/**
 * Pins the calling thread to a set of CPUs given in Redis's cpulist syntax ({@code server_cpulist} for
 * the event loop), through sched_setaffinity(2) on the thread's own id, with Chronicle's posix binding
 * (already on the class path for the AOF's msync).
 *
 * <p>Why: {@code busy-spin} only pays on a core nobody else is scheduled on (native-notes/event-loop.md);
 * pinning keeps the loop's cache warm and its core predictable, and together with isolcpus or taskset
 * for everything else gives it the core to itself. Redis accepts any text for its cpulists and ignores
 * what it cannot parse or apply, silently; KeelKV accepts the same text but says what it did: a refused
 * pin (bad list, no such CPU, a cpuset that excludes it, no native binding) is logged and the loop runs
 * unpinned, because a wrong CPU number must not stop a cache from starting.
 */
public final class ThreadAffinity
{
    /** The kernel's cpu_set_t holds 1024 CPUs; a list naming more is refused. */
    static final int MAX_CPUS = 1024;

    private ThreadAffinity()
    {
    }

    /**
     * Parse a cpulist as Redis's setcpuaffinity.c reads it: comma-separated items {@code a}, {@code a-b}
     * or {@code a-b:step}.
     *
     * @return the CPUs, or null when the text is not such a list (or names a CPU of 1024 or more).
     */
    public static BitSet parse(final String cpuList)
    {
        if (cpuList == null || cpuList.isEmpty())
        {
            return null;
        }
        final BitSet cpus = new BitSet();
        for (final String item : cpuList.split(",", -1))
        {
            final int colon = item.indexOf(':');
            final String range = colon < 0 ? item : item.substring(0, colon);
            final int dash = range.indexOf('-');
            final int from = number(dash < 0 ? range : range.substring(0, dash));
            final int to = dash < 0 ? from : number(range.substring(dash + 1));
            final int step = colon < 0 ? 1 : number(item.substring(colon + 1));
            if (from < 0 || to < from || to >= MAX_CPUS || step <= 0)
            {
                return null;
            }
            for (int cpu = from; cpu <= to; cpu += step)
            {
                cpus.set(cpu);
            }
        }
        return cpus;
    }

    private static int number(final String text)
    {
        if (text.isEmpty() || text.length() > 4)
        {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /**
     * The event loop's start: pin the calling thread to {@code server_cpulist} ("" for no pinning) and log
     * the outcome, pinned or why not; a refusal leaves the thread unpinned and running.
     */
    static void pinEventLoop(final String cpuList)
    {
        if (!cpuList.isEmpty())
        {
            final BitSet cpus = parse(cpuList);
            final String failure = cpus == null ? "not a CPU list" : pinCurrentThread(cpus);
            if (failure == null)
            {
                Log.notice("Event loop pinned to CPUs " + cpus + " (server_cpulist " + cpuList + ")");
            }
            else
            {
                Log.warning("server_cpulist '" + cpuList + "' not applied (" + failure +
                    "): the event loop runs unpinned");
            }
        }
    }

    /**
     * Pin the calling thread to {@code cpus}.
     *
     * @return null when pinned, else why not (for the log).
     */
    public static String pinCurrentThread(final BitSet cpus)
    {
        if (cpus == null || cpus.isEmpty())
        {
            return "no CPU given";
        }
        final ByteBuffer mask = ByteBuffer.allocateDirect(MAX_CPUS / 8).order(ByteOrder.nativeOrder());
        try
        {
            // cpu_set_t is an array of unsigned longs in native order, CPU n being bit n % 64 of word n / 64:
            // exactly BitSet's long[] form
            final long[] words = cpus.toLongArray();
            for (int i = 0; i < words.length; i++)
            {
                mask.putLong(i * Long.BYTES, words[i]);
            }
            final PosixAPI posix = PosixAPI.posix();
            final int tid = posix.gettid();
            final int rc = posix.sched_setaffinity(tid, MAX_CPUS / 8, BufferUtil.address(mask));
            if (rc != 0)
            {
                return "sched_setaffinity failed: " + posix.lastErrorStr();
            }
            return null;
        }
        catch (final RuntimeException | LinkageError ex)
        {
            return "no native binding for sched_setaffinity: " + ex;
        }
        finally
        {
            BufferUtil.free(mask);
        }
    }
}
