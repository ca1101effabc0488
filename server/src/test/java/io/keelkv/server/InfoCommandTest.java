package io.keelkv.server;

import io.keelkv.server.command.Info;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * INFO: section selection, layout, field names in Redis 7.0.15's order (compared with the capture in
 * {@code redis-info-fields.txt}), and the values KeelKV fills in.
 */
class InfoCommandTest
{
    /** Sections whose lines depend on what ran (one line per command, error, database). */
    private static final List<String> DYNAMIC = List.of("Commandstats", "Errorstats", "Latencystats", "Keyspace");
    private static final List<String> DEFAULT_SECTIONS = List.of(
        "Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules", "Errorstats",
        "Cluster", "Keyspace");
    private static final List<String> ALL_SECTIONS = List.of(
        "Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules", "Commandstats",
        "Errorstats", "Latencystats", "Cluster", "Keyspace");

    private KeelServer server;
    private RawRespClient client;

    @BeforeEach
    void start() throws Exception
    {
        server = TestServers.start();
        client = new RawRespClient(server.port());
    }

    @AfterEach
    void stop() throws Exception
    {
        client.close();
        server.close();
    }

    private String info(final String... sections) throws Exception
    {
        final String[] args = new String[sections.length + 1];
        args[0] = "INFO";
        System.arraycopy(sections, 0, args, 1, sections.length);
        return ConnectionCommandsTest.body(client.call(args));
    }

    /** section title -> its lines, in order. */
    private static Map<String, List<String>> parse(final String text)
    {
        final Map<String, List<String>> sections = new LinkedHashMap<>();
        List<String> current = null;
        for (final String line : text.split("\r\n", -1))
        {
            if (line.startsWith("# "))
            {
                current = new ArrayList<>();
                sections.put(line.substring(2), current);
            }
            else if (!line.isEmpty())
            {
                current.add(line);
            }
        }
        return sections;
    }

    private static Map<String, List<String>> redisFieldNames() throws Exception
    {
        final Map<String, List<String>> sections = new LinkedHashMap<>();
        try (InputStream in = InfoCommandTest.class.getResourceAsStream("redis-info-fields.txt"))
        {
            assertNotNull(in);
            final BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<String> current = null;
            String line;
            while ((line = reader.readLine()) != null)
            {
                if (line.startsWith("//") || line.isBlank())
                {
                    continue;
                }
                if (line.startsWith("# "))
                {
                    current = new ArrayList<>();
                    sections.put(line.substring(2), current);
                }
                else
                {
                    current.add(line);
                }
            }
        }
        return sections;
    }

    @Test
    void shouldHaveRedisFieldsInRedisOrder() throws Exception
    {
        final Map<String, List<String>> ours = parse(info("everything"));
        final Map<String, List<String>> redis = redisFieldNames();
        assertEquals(new ArrayList<>(redis.keySet()), new ArrayList<>(ours.keySet()));
        for (final Map.Entry<String, List<String>> section : redis.entrySet())
        {
            if (DYNAMIC.contains(section.getKey()))
            {
                continue;
            }
            final List<String> names = new ArrayList<>();
            for (final String line : ours.get(section.getKey()))
            {
                final String name = line.substring(0, line.indexOf(':'));
                if (!name.startsWith("keelkv_")) // KeelKV's own fields
                {
                    names.add(name);
                }
            }
            assertEquals(section.getValue(), names, section.getKey());
        }
    }

    @Test
    void shouldSelectSectionsLikeRedis() throws Exception
    {
        assertEquals(DEFAULT_SECTIONS, new ArrayList<>(parse(info()).keySet()));
        assertEquals(DEFAULT_SECTIONS, new ArrayList<>(parse(info("default")).keySet()));
        assertEquals(ALL_SECTIONS, new ArrayList<>(parse(info("all")).keySet()));
        // several sections print in Redis's fixed order, not in the order asked; names are case-insensitive
        assertEquals(List.of("Server", "Clients"), new ArrayList<>(parse(info("CLIENTS", "server")).keySet()));
        assertEquals(List.of("Commandstats", "Cluster"),
            new ArrayList<>(parse(info("cluster", "commandstats", "nosuch")).keySet()));
        assertEquals("$0\r\n\r\n", client.call("INFO", "nosuch"));
        assertEquals("$30\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n", client.call("INFO", "cluster"));
        // the INFO calls above are in the latency histograms, as in Redis
        final String latencyAndCluster = ConnectionCommandsTest.body(client.call("INFO", "latencystats", "cluster"));
        assertTrue(latencyAndCluster.matches("(?s)# Latencystats\r\nlatency_percentiles_usec_info:p50=.*\r\n\r\n" +
            "# Cluster\r\ncluster_enabled:0\r\n"), latencyAndCluster);
    }

    @Test
    void shouldReplyVerbatimInResp3() throws Exception
    {
        assertTrue(client.call("HELLO", "3").startsWith("%7"));
        assertEquals("=4\r\ntxt:\r\n", client.call("INFO", "nosuch"));
        assertEquals("=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n", client.call("INFO", "cluster"));
    }

    @Test
    void shouldReportServerValues() throws Exception
    {
        final Map<String, String> fields = fields(info("server", "clients", "memory", "persistence", "replication"));
        assertEquals("7.0.15", fields.get("redis_version"));
        assertEquals(Info.VERSION, fields.get("keelkv_version"));
        assertEquals(String.valueOf(server.port()), fields.get("tcp_port"));
        assertEquals(String.valueOf(ProcessHandle.current().pid()), fields.get("process_id"));
        assertEquals(server.runId(), fields.get("run_id"));
        assertEquals("10", fields.get("hz"));
        assertEquals("1", fields.get("connected_clients"));
        assertEquals("10000", fields.get("maxclients"));
        assertTrue(Long.parseLong(fields.get("used_memory")) > 0);
        assertTrue(Long.parseLong(fields.get("used_memory_rss")) > 0);
        assertTrue(Long.parseLong(fields.get("used_memory_peak")) >= Long.parseLong(fields.get("used_memory")));
        assertEquals("0", fields.get("maxmemory"));
        assertEquals("0B", fields.get("maxmemory_human"));
        assertEquals("noeviction", fields.get("maxmemory_policy"));
        assertEquals("keelkv-pages", fields.get("mem_allocator"));
        assertEquals("0", fields.get("aof_enabled"));
        assertEquals("master", fields.get("role"));
        assertEquals(40, fields.get("master_replid").length());
    }

    @Test
    void shouldCountCommandsInCommandstats() throws Exception
    {
        client.call("CLIENT", "ID");
        client.call("CLIENT", "ID");
        client.call("CLIENT", "ID", "extra");
        client.call("CLIENT", "KILL", "ID", "abc");
        final Map<String, String> stats = fields(info("commandstats"));
        final String id = stats.get("cmdstat_client|id");
        assertNotNull(id, stats.toString());
        assertTrue(id.startsWith("calls=2,usec="), id);
        assertTrue(id.endsWith(",rejected_calls=1,failed_calls=0"), id);
        assertTrue(stats.get("cmdstat_client|kill").matches(
            "calls=1,usec=\\d+,usec_per_call=\\d+\\.\\d\\d,rejected_calls=0,failed_calls=1"), stats.toString());
        assertEquals("2", fields(info("stats")).get("total_error_replies"));
    }

    @Test
    void shouldCountErrorRepliesByCodeAsRedis() throws Exception
    {
        // the same sequence gives these figures on redis-server 7.0.15 (WRONGTYPE aside: no lists yet)
        client.call("SET", "k", "v");
        client.call("INCR", "k");                // ERR value is not an integer
        client.call("NOSUCHCMD");                // ERR unknown command
        client.call("GET");                      // ERR wrong number of arguments
        client.call("CONFIG", "GET");            // ERR wrong number of arguments (subcommand)
        client.call("AUTH", "nobody", "wrong");  // WRONGPASS
        try (RawRespClient bad = new RawRespClient(server.port()))
        {
            bad.sendRaw("*1\r\n$x\r\n");       // ERR Protocol error: invalid bulk length
            assertTrue(bad.readReply().startsWith("-ERR Protocol error"));
        }
        final Map<String, String> errors = fields(info("errorstats"));
        assertEquals(Map.of("errorstat_ERR", "count=5", "errorstat_WRONGPASS", "count=1"), errors);
        assertEquals("6", fields(info("stats")).get("total_error_replies"));

        client.call("CONFIG", "RESETSTAT");
        assertEquals(Map.of(), fields(info("errorstats")));
        assertEquals("0", fields(info("stats")).get("total_error_replies"));
    }

    @Test
    void shouldReportLatencyPercentilesPerCommand() throws Exception
    {
        for (int i = 0; i < 100; i++)
        {
            client.call("SET", "k" + i, "v");
            client.call("GET", "k" + i);
        }
        Map<String, String> stats = fields(info("latencystats"));
        final String number = "\\d+\\.\\d{3}";
        assertTrue(stats.get("latency_percentiles_usec_set").matches(
            "p50=" + number + ",p99=" + number + ",p99\\.9=" + number), stats.toString());
        assertTrue(stats.containsKey("latency_percentiles_usec_get"), stats.toString());
        assertTrue(!stats.containsKey("latency_percentiles_usec_incr"), stats.toString());
        final String[] values = stats.get("latency_percentiles_usec_get").replaceAll("p[\\d.]+=", "").split(",");
        assertTrue(Double.parseDouble(values[0]) > 0 &&
            Double.parseDouble(values[0]) <= Double.parseDouble(values[1]) &&
            Double.parseDouble(values[1]) <= Double.parseDouble(values[2]), stats.toString());

        client.call("CONFIG", "SET", "latency-tracking-info-percentiles", "0 50 99.99 100");
        stats = fields(info("latencystats"));
        assertTrue(stats.get("latency_percentiles_usec_set").matches(
            "p0=" + number + ",p50=" + number + ",p99\\.99=" + number + ",p100=" + number), stats.toString());

        client.call("CONFIG", "RESETSTAT");
        client.call("CONFIG", "SET", "latency-tracking", "no");
        client.call("SET", "k", "v");
        stats = fields(info("latencystats"));
        assertTrue(!stats.containsKey("latency_percentiles_usec_set"), stats.toString());
    }

    static Map<String, String> fields(final String text)
    {
        final Map<String, String> fields = new LinkedHashMap<>();
        for (final String line : text.split("\r\n"))
        {
            final int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#"))
            {
                fields.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return fields;
    }
}
