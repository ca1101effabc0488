package io.keelkv.server.net;

import io.keelkv.server.KeelServer;
import io.keelkv.server.config.ServerConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class ThreadAffinityTest
{
    private static BitSet cpus(final int... numbers)
    {
        final BitSet set = new BitSet();
        for (final int n : numbers)
        {
            set.set(n);
        }
        return set;
    }

    @Test
    void shouldParseCpuListsAsRedisSetcpuaffinityDoes()
    {
        assertEquals(cpus(0), ThreadAffinity.parse("0"));
        assertEquals(cpus(0, 1, 2, 3), ThreadAffinity.parse("0-3"));
        assertEquals(cpus(0, 2, 4, 6), ThreadAffinity.parse("0-7:2"));
        assertEquals(cpus(1, 3, 8, 9, 10), ThreadAffinity.parse("1,3,8-10"));
        assertEquals(cpus(1023), ThreadAffinity.parse("1023"));
        for (final String bad : new String[] {"", "abc", "1-", "-1", "3-1", "0-7:0", "0-7:", "1,,2", "1024", "0x1", " 1"})
        {
            assertNull(ThreadAffinity.parse(bad), bad);
        }
    }

    /** The event loop thread of a server started with server_cpulist runs on exactly those CPUs. */
    @Test
    void shouldPinTheEventLoopToServerCpulist() throws Exception
    {
        final String allowed = Files.readAllLines(Path.of("/proc/self/status")).stream()
            .filter(l -> l.startsWith("Cpus_allowed_list:")).findFirst().orElseThrow().split(":")[1].trim();
        final BitSet available = ThreadAffinity.parse(allowed);
        assertNotNull(available, allowed);
        org.junit.jupiter.api.Assumptions.assumeTrue(available.cardinality() > 1,
            "one CPU only (" + allowed + "): a pin could not be told from no pin");
        final int cpu = available.length() - 1; // the highest CPU this process may use
        final ServerConfig config = ServerConfig.fromArgs(new String[] {"--port", "0", "--bind", "127.0.0.1", "--save", "",
            "--server_cpulist", String.valueOf(cpu)});
        try (KeelServer server = new KeelServer(config).start())
        {
            final long deadline = System.nanoTime() + 5_000_000_000L;
            // the loop pins itself in onStart, a moment after its thread appears
            String list = null;
            while (!String.valueOf(cpu).equals(list) && System.nanoTime() < deadline)
            {
                list = eventLoopCpus();
                Thread.sleep(10);
            }
            assertEquals(String.valueOf(cpu), list, "the event loop's Cpus_allowed_list");
        }
    }

    private static String eventLoopCpus() throws Exception
    {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task")))
        {
            for (final Path task : (Iterable<Path>)tasks::iterator)
            {
                if ("keel-event-loop".equals(Files.readString(task.resolve("comm")).trim()))
                {
                    for (final String line : Files.readAllLines(task.resolve("status")))
                    {
                        if (line.startsWith("Cpus_allowed_list:"))
                        {
                            return line.split(":")[1].trim();
                        }
                    }
                }
            }
        }
        return null;
    }
}
