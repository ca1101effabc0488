package io.keelkv.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * COMMAND, COMMAND INFO, COMMAND DOCS, COMMAND COUNT and COMMAND LIST against redis-server 7.0 as the
 * oracle, for every command and subcommand KeelKV serves, in RESP2 and RESP3, byte for byte.
 *
 * <p>Two differences are KeelKV's by design, and the comparison allows exactly those and nothing else:
 * <ul>
 * <li>KeelKV serves fewer commands and, of containers such as CLIENT and CONFIG, fewer subcommands. So
 * Redis's lists (COMMAND, COMMAND LIST, a container's subcommands in INFO and DOCS) are cut down to the
 * names KeelKV serves, and COMMAND COUNT is KeelKV's own number.</li>
 * <li>Redis walks a hash table whose seed is random on each start, so the order of those lists changes
 * from one redis-server run to the next (no client can depend on it); both sides are sorted by name
 * before comparing. Every other order (fields in a map, arguments, history, flags) must match.</li>
 * </ul>
 * Everything else (flags, key specs and their notes, tips, summaries, history, argument trees, RESP3 types)
 * is compared as the raw reply bytes.
 */
class CommandIntrospectionOracleTest
{
    private static RedisOracle redis;
    private static KeelServer keel;

    @BeforeAll
    static void startServers() throws Exception
    {
        redis = RedisOracle.start();
        keel = TestServers.start();
    }

    @AfterAll
    static void stopServers() throws Exception
    {
        if (keel != null)
        {
            keel.close();
        }
        if (redis != null)
        {
            redis.close();
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void shouldDescribeEveryServedCommandAsRedisInCommandInfo(final int protocol) throws Exception
    {
        try (RawRespClient r = client(redis.port(), protocol); RawRespClient k = client(keel.port(), protocol))
        {
            final Set<String> served = served(k);
            for (final String name : served)
            {
                final Resp expected = Resp.parse(r.call("COMMAND", "INFO", name));
                final Resp actual = Resp.parse(k.call("COMMAND", "INFO", name));
                assertFalse(expected.element(0).isNull(), name + " is not a Redis command");
                assertEquals(infoEntries(expected, served, false), infoEntries(actual, served, false),
                    "COMMAND INFO " + name);
            }
            // several names at once, unknown ones (nil) among them, in the order asked
            final String[] names = {"COMMAND", "INFO", "get", "nosuch", "CLIENT|LIST", "get|x", "config|get|x",
                "client|", "|list", "memory|usage", "object"};
            final Resp expected = Resp.parse(r.call(names));
            final Resp actual = Resp.parse(k.call(names));
            assertEquals(infoEntries(expected, served, false), infoEntries(actual, served, false),
                String.join(" ", names));
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void shouldDocumentEveryServedCommandAsRedisInCommandDocs(final int protocol) throws Exception
    {
        try (RawRespClient r = client(redis.port(), protocol); RawRespClient k = client(keel.port(), protocol))
        {
            final Set<String> served = served(k);
            for (final String name : served)
            {
                final Resp expected = Resp.parse(r.call("COMMAND", "DOCS", name));
                final Resp actual = Resp.parse(k.call("COMMAND", "DOCS", name));
                assertEquals(1, expected.pairs(), name + " is not a Redis command");
                assertEquals(docsEntries(expected, served, false), docsEntries(actual, served, false),
                    "COMMAND DOCS " + name);
            }
            // unknown names are left out of the map, not answered with nil
            final String[] names = {"COMMAND", "DOCS", "nosuch", "SET", "client|nosuch", "get|x", "Client|Kill",
                "getset", "debug", "client"};
            final Resp expected = Resp.parse(r.call(names));
            final Resp actual = Resp.parse(k.call(names));
            assertEquals(docsEntries(expected, served, false), docsEntries(actual, served, false),
                String.join(" ", names));
            assertEquals(r.call("COMMAND", "DOCS", "nosuch"), k.call("COMMAND", "DOCS", "nosuch"));
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void shouldListTheServedCommandsAsRedisInCommandAndCommandDocsWithoutNames(final int protocol) throws Exception
    {
        try (RawRespClient r = client(redis.port(), protocol); RawRespClient k = client(keel.port(), protocol))
        {
            final Set<String> served = served(k);
            final Resp keelCount = Resp.parse(k.call("COMMAND", "COUNT"));
            for (final String[] command : new String[][]{{"COMMAND"}, {"COMMAND", "INFO"}})
            {
                final Resp expected = Resp.parse(r.call(command));
                final Resp actual = Resp.parse(k.call(command));
                final List<String> entries = infoEntries(actual, served, true);
                assertEquals(actual.size(), entries.size(), "KeelKV lists only what it serves");
                assertEquals(":" + entries.size() + "\r\n", keelCount.text(), "COMMAND COUNT counts what COMMAND lists");
                assertEquals(infoEntries(expected, served, true), entries, String.join(" ", command));
            }
            final Resp expected = Resp.parse(r.call("COMMAND", "DOCS"));
            final Resp actual = Resp.parse(k.call("COMMAND", "DOCS"));
            assertEquals(actual.pairs(), docsEntries(actual, served, true).size(), "KeelKV lists only what it serves");
            assertEquals(docsEntries(expected, served, true), docsEntries(actual, served, true), "COMMAND DOCS");
            // COMMAND COUNT is the number of top-level commands served; Redis's is its own, larger one
            assertNotEquals(r.call("COMMAND", "COUNT"), keelCount.text());
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void shouldListAndFilterTheServedCommandNamesAsRedis(final int protocol) throws Exception
    {
        try (RawRespClient r = client(redis.port(), protocol); RawRespClient k = client(keel.port(), protocol))
        {
            final Set<String> served = served(k);
            // what COMMAND LIST names is every row of the table: the server binds them all
            final Set<String> rows = new TreeSet<>();
            for (final io.keelkv.engine.command.CommandSpec spec : keel.engine().commandTable().allRows())
            {
                rows.add(spec.fullName());
            }
            assertEquals(rows, new TreeSet<>(served));
            final List<String[]> filters = new ArrayList<>();
            filters.add(new String[]{"COMMAND", "LIST"});
            for (final Resp category : Resp.parse(r.call("ACL", "CAT")).elements())
            {
                filters.add(new String[]{"COMMAND", "LIST", "FILTERBY", "ACLCAT", category.string()});
            }
            for (final String pattern : new String[]{"*", "*expire*", "CLIENT|*", "*|*", "[gs]et*", "?et", "x"})
            {
                filters.add(new String[]{"COMMAND", "LIST", "FILTERBY", "PATTERN", pattern});
            }
            filters.add(new String[]{"COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuchcategory"});
            filters.add(new String[]{"COMMAND", "LIST", "FILTERBY", "MODULE", "nosuchmodule"});
            for (final String[] command : filters)
            {
                final Set<String> expected = names(Resp.parse(r.call(command)));
                expected.retainAll(served);
                assertEquals(expected, names(Resp.parse(k.call(command))), String.join(" ", command));
            }
            for (final String[] bad : new String[][]{{"COMMAND", "LIST", "FILTERBY", "nosuch", "x"},
                {"COMMAND", "LIST", "FILTERBY", "PATTERN"}, {"COMMAND", "LIST", "x"}})
            {
                assertEquals(r.call(bad), k.call(bad), String.join(" ", bad));
            }
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void shouldNotDescribeWhatRedisHasAndKeelKVDoesNotServe(final int protocol) throws Exception
    {
        try (RawRespClient r = client(redis.port(), protocol); RawRespClient k = client(keel.port(), protocol))
        {
            final String nil = protocol == 3 ? "_\r\n" : "$-1\r\n";
            for (final String name : new String[]{"xread", "client|pause", "command|getkeys", "config|nosuch"})
            {
                final boolean redisHasIt = !r.call("COMMAND", "INFO", name).endsWith("\r\n" + nil);
                assertEquals(!name.equals("config|nosuch"), redisHasIt, name);
                assertEquals("*1\r\n" + nil, k.call("COMMAND", "INFO", name), name);
                assertEquals(protocol == 3 ? "%0\r\n" : "*0\r\n", k.call("COMMAND", "DOCS", name), name);
            }
            final String client = k.call("COMMAND", "DOCS", "client");
            assertTrue(client.contains("\r\nclient|kill\r\n") && !client.contains("\r\nclient|pause\r\n"), client);
        }
    }

    // ------------------------------------------------------------------------------------------------

    private static RawRespClient client(final int port, final int protocol) throws IOException
    {
        final RawRespClient client = new RawRespClient(port);
        client.call("HELLO", String.valueOf(protocol));
        return client;
    }

    /** Every full name KeelKV serves ("get", "client", "client|list"), from its COMMAND LIST. */
    private static Set<String> served(final RawRespClient keel) throws IOException
    {
        final Set<String> served = new LinkedHashSet<>();
        for (final Resp name : Resp.parse(keel.call("COMMAND", "LIST")).elements())
        {
            served.add(name.string());
        }
        assertTrue(served.contains("client|list") && served.contains("get"), served.toString());
        return served;
    }

    private static Set<String> names(final Resp list)
    {
        final Set<String> names = new TreeSet<>();
        for (final Resp name : list.elements())
        {
            assertTrue(names.add(name.string()), "listed twice: " + name.string());
        }
        return names;
    }

    /**
     * COMMAND INFO's entries as raw bytes, one per entry: entries of commands KeelKV does not serve and
     * subcommands it does not serve are dropped, subcommands sorted by name; nil entries stay in place.
     * The list itself is sorted when it is a whole table (no names asked), else it keeps the order asked.
     */
    private static List<String> infoEntries(final Resp reply, final Set<String> served, final boolean wholeTable)
    {
        final List<String> entries = new ArrayList<>();
        for (final Resp entry : reply.elements())
        {
            if (entry.isNull())
            {
                entries.add(entry.text());
            }
            else if (served.contains(entry.element(0).string()))
            {
                entries.add(info(entry, served).text());
            }
        }
        if (wholeTable)
        {
            entries.sort(Comparator.naturalOrder());
        }
        return entries;
    }

    private static Resp info(final Resp entry, final Set<String> served)
    {
        final List<Resp> fields = new ArrayList<>(entry.elements());
        final Resp subcommands = fields.get(9);
        final List<Resp> kept = new ArrayList<>();
        for (final Resp sub : subcommands.elements())
        {
            if (served.contains(sub.element(0).string()))
            {
                kept.add(info(sub, served));
            }
        }
        kept.sort(Comparator.comparing(sub -> sub.element(0).string()));
        fields.set(9, subcommands.withElements(kept));
        return entry.withElements(fields);
    }

    /** COMMAND DOCS's map as raw "name => docs" entries, cut down and sorted as {@link #infoEntries}. */
    private static List<String> docsEntries(final Resp reply, final Set<String> served, final boolean wholeTable)
    {
        final List<String> entries = new ArrayList<>();
        final List<Resp> elements = reply.elements();
        for (int i = 0; i < elements.size(); i += 2)
        {
            if (served.contains(elements.get(i).string()))
            {
                entries.add(elements.get(i).text() + docs(elements.get(i + 1), served).text());
            }
        }
        if (wholeTable)
        {
            entries.sort(Comparator.naturalOrder());
        }
        return entries;
    }

    private static Resp docs(final Resp map, final Set<String> served)
    {
        final List<Resp> fields = new ArrayList<>(map.elements());
        for (int i = 0; i < fields.size(); i += 2)
        {
            if (fields.get(i).string().equals("subcommands"))
            {
                final Resp subcommands = fields.get(i + 1);
                final List<Resp[]> kept = new ArrayList<>();
                for (int j = 0; j < subcommands.elements().size(); j += 2)
                {
                    final Resp name = subcommands.element(j);
                    if (served.contains(name.string()))
                    {
                        kept.add(new Resp[]{name, docs(subcommands.element(j + 1), served)});
                    }
                }
                kept.sort(Comparator.comparing(pair -> pair[0].string()));
                final List<Resp> flat = new ArrayList<>();
                for (final Resp[] pair : kept)
                {
                    flat.add(pair[0]);
                    flat.add(pair[1]);
                }
                fields.set(i + 1, subcommands.withElements(flat));
            }
        }
        return map.withElements(fields);
    }

    /**
     * A parsed reply that keeps its exact bytes: a leaf is its raw text, an aggregate its header line and
     * elements (a map's keys and values alternate), so {@link #text} re-encodes what was received.
     */
    static final class Resp
    {
        private final char type;
        private final String leaf;
        private final List<Resp> elements;

        private Resp(final char type, final String leaf, final List<Resp> elements)
        {
            this.type = type;
            this.leaf = leaf;
            this.elements = elements;
        }

        static Resp parse(final String reply)
        {
            final byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
            final int[] position = {0};
            final Resp value = parse(bytes, position);
            assertEquals(bytes.length, position[0], "one reply, nothing after it");
            return value;
        }

        private static Resp parse(final byte[] bytes, final int[] position)
        {
            final int start = position[0];
            int end = start;
            while (bytes[end] != '\r' || bytes[end + 1] != '\n')
            {
                end++;
            }
            final char type = (char)bytes[start];
            final String header = new String(bytes, start + 1, end - start - 1, StandardCharsets.UTF_8);
            position[0] = end + 2;
            switch (type)
            {
                case '*':
                case '~':
                case '%':
                {
                    final int count = Integer.parseInt(header) * (type == '%' ? 2 : 1);
                    final List<Resp> elements = new ArrayList<>();
                    for (int i = 0; i < count; i++)
                    {
                        elements.add(parse(bytes, position));
                    }
                    return new Resp(type, null, elements);
                }
                case '$':
                {
                    final int length = Integer.parseInt(header);
                    if (length >= 0)
                    {
                        position[0] += length + 2;
                    }
                    return new Resp(type, new String(bytes, start, position[0] - start, StandardCharsets.UTF_8), null);
                }
                default:
                    return new Resp(type, new String(bytes, start, position[0] - start, StandardCharsets.UTF_8), null);
            }
        }

        boolean isNull()
        {
            return "$-1\r\n".equals(leaf) || "_\r\n".equals(leaf) || "*-1\r\n".equals(leaf);
        }

        List<Resp> elements()
        {
            return elements != null ? elements : List.of();
        }

        Resp element(final int index)
        {
            return elements.get(index);
        }

        /** Elements of an array or set; key/value pairs of a map (RESP2 sends a map as a flat array). */
        int size()
        {
            return elements.size();
        }

        int pairs()
        {
            return elements.size() / 2;
        }

        /** The same aggregate type with other elements: the header count follows them. */
        Resp withElements(final List<Resp> replaced)
        {
            assertFalse(elements == null, "not an aggregate: " + leaf);
            return new Resp(type, null, replaced);
        }

        /** A bulk or simple string's content. */
        String string()
        {
            if (leaf.charAt(0) == '$')
            {
                final int body = leaf.indexOf("\r\n") + 2;
                return leaf.substring(body, leaf.length() - 2);
            }
            return leaf.substring(1, leaf.length() - 2);
        }

        String text()
        {
            if (elements == null)
            {
                return leaf;
            }
            final StringBuilder sb = new StringBuilder();
            sb.append(type).append(type == '%' ? elements.size() / 2 : elements.size()).append("\r\n");
            for (final Resp element : elements)
            {
                sb.append(element.text());
            }
            return sb.toString();
        }
    }
}
