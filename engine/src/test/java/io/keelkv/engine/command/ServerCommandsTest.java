package io.keelkv.engine.command;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryDescriptor;
import io.keelkv.engine.keyspace.EvictionPolicy;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Server and connection commands through the real dispatcher. The scripted scenarios (String[][]: expected
 * reply, then the command) were recorded from redis 7.0.15 by running the same script against a fresh
 * redis-server (FLUSHALL, HELLO 2, then each row; "@resp3" switches both sides to RESP3). Rows whose
 * reply is KeelKV's own by design (MEMORY USAGE figures, COMMAND COUNT, help texts and containers listing
 * only what is served) or depends on the hash function (KEYS order, Redis's order of subcommands) are tested
 * separately below. server's CommandIntrospectionOracleTest checks every served command against redis-server.
 */
class ServerCommandsTest
{
    private KeelEngine engine = new KeelEngine(new EngineSettings());
    private final RespWriter out = new RespWriter(1024);
    private final LocalClient client = new LocalClient(1, false);
    private final List<String> propagated = new ArrayList<>();

    @AfterEach
    void close()
    {
        engine.close();
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private String call(final String... args)
    {
        final byte[][] parts = new byte[args.length][];
        for (int i = 0; i < args.length; i++)
        {
            parts[i] = bytes(args[i]);
        }
        out.clear();
        engine.dispatcher().execute(Args.of(parts), out, client);
        final byte[] reply = new byte[out.pending()];
        out.buffer().getBytes(out.readIndex(), reply);
        return new String(reply, StandardCharsets.ISO_8859_1);
    }

    private void resp3()
    {
        client.protocol(3);
        out.protocol(3);
    }

    private void run(final String[][] script)
    {
        for (final String[] row : script)
        {
            if (row[0].equals("@resp3"))
            {
                resp3();
                continue;
            }
            final String[] command = java.util.Arrays.copyOfRange(row, 1, row.length);
            assertEquals(row[0], call(command), String.join(" ", command));
        }
    }

    private static String help(final String... lines)
    {
        final StringBuilder sb = new StringBuilder("*").append(lines.length).append("\r\n");
        for (final String line : lines)
        {
            sb.append('+').append(line).append("\r\n");
        }
        return sb.toString();
    }

    private static long integer(final String reply)
    {
        assertEquals(':', reply.charAt(0), reply);
        return Long.parseLong(reply.substring(1, reply.length() - 2));
    }

    // ------------------------------------------------------------------------------------------------
    // byte-for-byte scenarios recorded from redis 7.0.15

    @Test
    void shouldReplyAsRedisToPingAndEchoInBothProtocols()
    {
        run(PING_ECHO);
    }

    @Test
    void shouldReplyAsRedisToSelectSwapdbAndDbsize()
    {
        run(SELECT_SWAPDB_DBSIZE);
    }

    @Test
    void shouldReplyAsRedisToFlushdbAndFlushallOptions()
    {
        run(FLUSH);
    }

    @Test
    void shouldReplyAsRedisToObjectSubcommands()
    {
        run(OBJECT);
    }

    @Test
    void shouldReplyAsRedisToMemoryUsageErrors()
    {
        run(MEMORY_ERRORS);
    }

    @Test
    void shouldReplyAsRedisToCommandInfoAndListFilters()
    {
        run(COMMAND_ERRORS);
    }

    @Test
    void shouldReplyAsRedisToDebugErrorsAndSubcommandArities()
    {
        run(DEBUG_ERRORS);
    }

    @Test
    void shouldPopulateExactlyTheKeysAndValuesRedisDoes()
    {
        run(DEBUG_POPULATE);
    }

    // ------------------------------------------------------------------------------------------------
    // the rest

    @Test
    void shouldCutPopulatedKeysAt127BytesAsSnprintfDoes()
    {
        // redis 7.0.15 gives the same three keys for DEBUG POPULATE 3 <125 y>: "<125 y>:0" cut to 127 bytes
        final String prefix = "y".repeat(125);
        assertEquals("+OK\r\n", call("DEBUG", "POPULATE", "3", prefix));
        assertEquals(":3\r\n", call("DBSIZE"));
        assertEquals(":3\r\n", call("EXISTS", prefix + ":0", prefix + ":1", prefix + ":2"));
        call("FLUSHALL");
        // keys that collide after the cut are skipped as existing: 130 x's leave room for no digit at all
        assertEquals("+OK\r\n", call("DEBUG", "POPULATE", "5", "x".repeat(130)));
        assertEquals(":1\r\n", call("DBSIZE"));
    }

    @Test
    void shouldPopulateWithoutCountingAChangeAndAfterExpandingTheTable() throws InterruptedException
    {
        engine.dispatcher().propagator((db, args) -> propagated.add(db + " " + args));
        final long dirty = engine.snapshots().changesSinceLastSave();
        call("SET", "key:0", "old", "PX", "1");
        Thread.sleep(5);
        assertEquals("+OK\r\n", call("DEBUG", "POPULATE", "5000"));
        assertEquals(dirty + 1, engine.snapshots().changesSinceLastSave(), "only the SET counted: Redis's DEBUG POPULATE leaves server.dirty alone");
        assertEquals(1, propagated.size());
        assertEquals("$7\r\nvalue:0\r\n", call("GET", "key:0"), "a key past its deadline is re-created");
        final Database db = engine.keyspace().database(0);
        assertEquals(5000, db.size());
        assertTrue(db.bucketCount() >= 5000, String.valueOf(db.bucketCount()));
    }

    /**
     * A count is a client's number, and the table for it is allocated first: one the machine cannot hold is
     * "OOM in dictTryExpand", as Redis answers when its allocation fails, and the engine serves on. It used
     * to reach the page memory, which grew its page table on the heap for 2^27 pages (OutOfMemoryError).
     */
    @Test
    void shouldRefusePopulatingMoreKeysThanTheMachineCanIndex()
    {
        for (final String count : new String[] {"1099511627776", "4611686018427387904", "9223372036854775807"})
        {
            assertEquals("-ERR OOM in dictTryExpand\r\n", call("DEBUG", "POPULATE", count), count);
        }
        assertEquals(":0\r\n", call("DBSIZE"));
        assertEquals("+OK\r\n", call("DEBUG", "POPULATE", "100"));
        assertEquals(":100\r\n", call("DBSIZE"));
    }

    @Test
    void shouldRefusePopulatingValuesLargerThanABulkString()
    {
        assertEquals("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n",
            call("DEBUG", "POPULATE", "1", "k", "9999999999"));
        assertEquals(":0\r\n", call("DBSIZE"));
    }

    /** Redis allocates a value only for a key it creates: with none to create, any size is OK (7.0.15). */
    @Test
    void shouldAcceptAnyPopulateSizeWhenNoKeyIsCreated()
    {
        assertEquals("+OK\r\n", call("DEBUG", "POPULATE", "0", "k", "9223372036854775807"));
        call("SET", "k:0", "x");
        assertEquals("+OK\r\n", call("DEBUG", "POPULATE", "1", "k", "9999999999"));
        assertEquals("$1\r\nx\r\n", call("GET", "k:0"));
        assertEquals("-ERR value is out of range, must be positive\r\n", call("DEBUG", "POPULATE", "0", "k", "-1"));
    }

    @Test
    void shouldServeDebugHelpForTheSubcommandsItHas()
    {
        assertEquals(help(
            "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "DIGEST",
            "    Output a hex signature representing the current DB content.",
            "DIGEST-VALUE <key> [<key> ...]",
            "    Output a hex signature of the values of all the specified keys.",
            "POPULATE <count> [<prefix>] [<size>]",
            "    Create <count> string keys named key:<num>. If <prefix> is specified then",
            "    it is used instead of the 'key' prefix. These are not propagated to",
            "    replicas. Cluster slots are not respected so keys not belonging to the",
            "    current node can be created in cluster mode.",
            "RELOAD [option ...]",
            "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
            "    * MERGE: conflicting keys will be loaded from RDB.",
            "    * NOFLUSH: the existing database will not be removed before load, but",
            "      conflicting keys will generate an exception and kill the server.",
            "    * NOSAVE: the database will be loaded from an existing RDB file.",
            "    Examples:",
            "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
            "      the database.",
            "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
            "      existing RDB file.",
            "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
            "      file to the database.",
            "SLEEP <seconds>",
            "    Stop the server for <seconds>. Decimals allowed.",
            "HELP",
            "    Prints this help."), call("DEBUG", "HELP"));
        assertTrue(call("DEBUG", "help").startsWith("*27\r\n"));
    }

    @Test
    void shouldBlockTheEngineThreadForDebugSleepReadingTheNumberAsStrtod()
    {
        long start = System.nanoTime();
        assertEquals("+OK\r\n", call("DEBUG", "SLEEP", "0.2"));
        assertTrue(System.nanoTime() - start >= 200_000_000L);
        start = System.nanoTime();
        // strtod reads the longest number prefix: "0.05s" sleeps 50 ms
        assertEquals("+OK\r\n", call("DEBUG", "SLEEP", "0.05s"));
        assertTrue(System.nanoTime() - start >= 50_000_000L);
        assertEquals(0.25, DebugCommands.parseDoublePrefix(Args.of("x", " 25e-2xyz"), 1));
        assertEquals(1.0, DebugCommands.parseDoublePrefix(Args.of("x", "1."), 1));
        assertEquals(0.5, DebugCommands.parseDoublePrefix(Args.of("x", ".5"), 1));
        assertEquals(3.0, DebugCommands.parseDoublePrefix(Args.of("x", "3e"), 1));
        assertEquals(0.0, DebugCommands.parseDoublePrefix(Args.of("x", "nan"), 1));
        assertEquals(-2.0, DebugCommands.parseDoublePrefix(Args.of("x", "-2"), 1));
        // strtod reads hexadecimal: redis-server's DEBUG SLEEP 0x10 sleeps 16 s (found by CommandFuzzTest)
        assertEquals(16.0, DebugCommands.parseDoublePrefix(Args.of("x", "0x10"), 1));
        assertEquals(0.5, DebugCommands.parseDoublePrefix(Args.of("x", " 0x.8s"), 1));
        assertEquals(0.25, DebugCommands.parseDoublePrefix(Args.of("x", "0X1p-2"), 1));
        assertEquals(-3.0, DebugCommands.parseDoublePrefix(Args.of("x", "-0x1.8p1"), 1));
        assertEquals(0.0, DebugCommands.parseDoublePrefix(Args.of("x", "0x"), 1));
        assertEquals(0.0, DebugCommands.parseDoublePrefix(Args.of("x", "0xg"), 1));
    }

    @Test
    void shouldDigestKeysPastTheirDeadlineAsTheTableHoldsThem() throws InterruptedException
    {
        call("SET", "k", "v", "PX", "1");
        Thread.sleep(5);
        assertNotEquals("*1\r\n+" + "0".repeat(40) + "\r\n", call("DEBUG", "DIGEST-VALUE", "k"));
        assertNotEquals("+" + "0".repeat(40) + "\r\n", call("DEBUG", "DIGEST"));
        assertEquals(1, engine.keyspace().database(0).size(), "DEBUG does not expire keys");
    }

    @Test
    void shouldReportMemoryUsageAsTheEntryBlockPlusABucketSlot() throws InterruptedException
    {
        call("SET", "k", "v");
        final long plain = engine.memory().blockBytes(EntryDescriptor.entryLength(false, 1, 1)) + 8;
        assertEquals(plain, integer(call("MEMORY", "USAGE", "k")));
        assertEquals(plain, integer(call("MEMORY", "USAGE", "k", "SAMPLES", "0")));
        call("SET", "t", "v", "EX", "100");
        assertEquals(engine.memory().blockBytes(EntryDescriptor.entryLength(true, 1, 1)) + 8,
            integer(call("MEMORY", "USAGE", "t")));
        final String value = "x".repeat(300_000);
        call("SET", "big", value);
        final long big = integer(call("MEMORY", "USAGE", "big"));
        assertEquals(engine.memory().blockBytes(EntryDescriptor.entryLength(false, 3, value.length())) + 8, big);
        assertTrue(big >= 300_000 + 20 + 3 + 8);
        // dictFind, as Redis: a key past its deadline that is still in the table is measured
        call("SET", "e", "v", "PX", "1");
        Thread.sleep(5);
        assertTrue(integer(call("MEMORY", "USAGE", "e")) > 0);
        assertEquals(":1\r\n", call("EXISTS", "k"));
    }

    @Test
    void shouldServeMemoryHelpForTheSubcommandsItHas()
    {
        assertEquals(help(
            "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
            "HELP",
            "    Prints this help."), call("MEMORY", "HELP"));
    }

    @Test
    void shouldTrackFrequencyOnlyUnderAnLfuPolicyAndIdleTimeOnlyOtherwise()
    {
        assertEquals("+OK\r\n", call("SET", "k", "v"));
        assertEquals(":0\r\n", call("OBJECT", "IDLETIME", "k"));
        engine.close();
        final EngineSettings settings = new EngineSettings();
        settings.maxMemoryPolicy = EvictionPolicy.VOLATILE_LFU;
        engine = new KeelEngine(settings);
        call("SET", "k", "v");
        // redis 7.0.15 under an LFU policy: a new key starts at LFU_INIT_VAL
        assertEquals(":5\r\n", call("OBJECT", "FREQ", "k"));
        assertEquals("-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when " +
            "switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n",
            call("OBJECT", "IDLETIME", "k"));
    }

    @Test
    void shouldReportSharedIntegersAsRedisUnlessMaxmemoryNeedsAClockPerObject()
    {
        call("SET", "n", "100");
        assertEquals(":2147483647\r\n", call("OBJECT", "REFCOUNT", "n"));
        engine.settings().maxMemoryPolicy = EvictionPolicy.ALLKEYS_LRU;
        engine.applySettings();
        assertEquals(":2147483647\r\n", call("OBJECT", "REFCOUNT", "n"), "no maxmemory: still shared");
        engine.settings().maxMemoryBytes = 100L << 20;
        engine.applySettings();
        assertEquals(":1\r\n", call("OBJECT", "REFCOUNT", "n"));
        engine.settings().maxMemoryPolicy = EvictionPolicy.VOLATILE_TTL;
        engine.applySettings();
        assertEquals(":2147483647\r\n", call("OBJECT", "REFCOUNT", "n"), "volatile-ttl keeps no clock");
        engine.settings().maxMemoryPolicy = EvictionPolicy.ALLKEYS_LFU;
        engine.applySettings();
        assertEquals(":1\r\n", call("OBJECT", "REFCOUNT", "n"));
    }

    @Test
    void shouldAnswerTimeAndLastsave()
    {
        final String reply = call("TIME");
        final String[] parts = reply.split("\r\n");
        assertEquals("*2", parts[0]);
        final long seconds = Long.parseLong(parts[2]);
        final long micros = Long.parseLong(parts[4]);
        assertTrue(Math.abs(seconds - System.currentTimeMillis() / 1000) <= 2, reply);
        assertTrue(micros >= 0 && micros < 1_000_000, reply);
        assertEquals(":" + engine.snapshots().lastSaveTimeSec() + "\r\n", call("LASTSAVE"));
        engine.snapshots().lastSaveTimeSec(1_700_000_000L);
        assertEquals(":1700000000\r\n", call("LASTSAVE"));
    }

    @Test
    void shouldCountAndPropagateFlushesAndSwapsAsRedis()
    {
        engine.dispatcher().propagator((db, args) -> propagated.add(db + " " + args));
        call("SET", "a", "1");
        call("SET", "b", "1");
        call("SET", "c", "1");
        call("SELECT", "3");
        call("SET", "d", "1");
        propagated.clear();
        long before = engine.snapshots().changesSinceLastSave();
        call("FLUSHDB");
        assertEquals(1, engine.snapshots().changesSinceLastSave() - before);
        before = engine.snapshots().changesSinceLastSave();
        call("FLUSHDB", "ASYNC");
        assertEquals(1, engine.snapshots().changesSinceLastSave() - before, "an empty FLUSHDB still reaches the AOF, as forceCommandPropagation");
        call("SELECT", "0");
        before = engine.snapshots().changesSinceLastSave();
        call("SWAPDB", "0", "1");
        assertEquals(1, engine.snapshots().changesSinceLastSave() - before);
        call("SWAPDB", "0", "1");
        before = engine.snapshots().changesSinceLastSave();
        call("FLUSHALL");
        assertEquals(4, engine.snapshots().changesSinceLastSave() - before, "three keys and one for FLUSHALL itself");
        call("PING");
        call("DBSIZE");
        call("DEBUG", "POPULATE", "3");
        assertEquals(List.of("3 [FLUSHDB]", "3 [FLUSHDB, ASYNC]", "0 [SWAPDB, 0, 1]", "0 [SWAPDB, 0, 1]",
            "0 [FLUSHALL]"), propagated);
    }

    @Test
    void shouldGiveBackAllMemoryOnFlushall()
    {
        call("DEBUG", "POPULATE", "20000", "k", "100");
        call("SELECT", "5");
        call("DEBUG", "POPULATE", "100");
        assertTrue(engine.memory().allocatedBytes() > 20000 * 100);
        call("FLUSHALL");
        assertEquals(0, engine.memory().allocatedBytes());
        assertEquals(":0\r\n", call("DBSIZE"));
        call("SET", "k", "v");
        assertEquals("$1\r\nv\r\n", call("GET", "k"));
    }

    @Test
    void shouldSelectForThisClientOnly()
    {
        final LocalClient other = new LocalClient(2, false);
        assertEquals("+OK\r\n", call("SELECT", "4"));
        assertEquals(4, client.db());
        assertEquals(0, other.db());
        call("SET", "k", "v");
        assertEquals(1, engine.keyspace().database(4).size());
    }

    @Test
    void shouldListEveryServedCommandAndSubcommand()
    {
        final CommandTable table = engine.commandTable();
        final int topLevel = table.commands().size();
        assertEquals(":" + topLevel + "\r\n", call("COMMAND", "COUNT"));
        assertTrue(call("COMMAND").startsWith("*" + topLevel + "\r\n*10\r\n"));
        assertTrue(call("COMMAND", "INFO").startsWith("*" + topLevel + "\r\n*10\r\n"));
        int withSubcommands = 0;
        for (final CommandSpec spec : table.allRows())
        {
            // a served row: one with a handler, or a container (MEMORY, OBJECT) with a served subcommand
            if (CommandTable.isServed(spec))
            {
                withSubcommands++;
                assertTrue(call("COMMAND", "INFO", spec.fullName()).startsWith("*1\r\n*10\r\n$"), spec.fullName());
            }
        }
        final String list = call("COMMAND", "LIST");
        assertTrue(list.startsWith("*" + withSubcommands + "\r\n"), list);
        assertTrue(list.contains("\r\nobject|freq\r\n") && list.contains("\r\nscan\r\n") && list.contains("\r\nmemory\r\n"));
        final String keyspace = call("COMMAND", "LIST", "FILTERBY", "aclcat", "KEYSPACE");
        assertTrue(keyspace.contains("\r\ndel\r\n") && keyspace.contains("\r\nobject|encoding\r\n"));
        assertFalse(keyspace.contains("\r\nget\r\n") || keyspace.contains("\r\nobject\r\n"));
        final String pattern = call("COMMAND", "LIST", "FILTERBY", "PATTERN", "*EXPIRE*");
        assertTrue(pattern.contains("\r\npexpireat\r\n") && pattern.contains("\r\nexpiretime\r\n"));
        assertFalse(pattern.contains("\r\npersist\r\n"));
    }

    @Test
    void shouldDescribeContainersWithTheirServedSubcommands()
    {
        final String info = call("COMMAND", "INFO", "memory");
        assertTrue(info.startsWith("*1\r\n*10\r\n$6\r\nmemory\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n*2\r\n" +
            "*10\r\n$12\r\nmemory|usage\r\n:-3\r\n*1\r\n+readonly\r\n:2\r\n:2\r\n:1\r\n"), info);
        resp3();
        assertTrue(call("COMMAND", "INFO", "memory").startsWith("*1\r\n*10\r\n$6\r\nmemory\r\n:-2\r\n~0\r\n:0\r\n:0\r\n:0\r\n" +
            "~1\r\n+@slow\r\n~0\r\n~0\r\n*2\r\n"));
        assertTrue(call("COMMAND", "INFO", "echo").endsWith("~0\r\n~0\r\n~0\r\n"), "no tips, key specs, subcommands");
    }

    @Test
    void shouldDocumentCommandsWithArgumentsHistoryAndDeprecationAsRedis()
    {
        run(COMMAND_DOCS);
    }

    @Test
    void shouldDocumentContainersWithTheirServedSubcommandsOnly()
    {
        // Redis lists all of OBJECT's subcommands, in its hash table's order (seeded at random per start);
        // KeelKV lists the ones it serves, in table order, each documented as Redis documents it
        final String object = call("COMMAND", "DOCS", "OBJECT");
        assertTrue(object.startsWith("*2\r\n$6\r\nobject\r\n*10\r\n$7\r\nsummary\r\n$45\r\nA container for object " +
            "introspection commands\r\n$5\r\nsince\r\n$5\r\n2.2.3\r\n$5\r\ngroup\r\n$7\r\ngeneric\r\n$10\r\ncomplexity\r\n" +
            "$22\r\nDepends on subcommand.\r\n$11\r\nsubcommands\r\n*10\r\n$15\r\nobject|encoding\r\n"), object);
        final String freq = call("COMMAND", "DOCS", "object|freq");
        assertTrue(object.contains(freq.substring("*2\r\n".length())), "the container holds the subcommand's own docs");
        assertTrue(freq.contains("$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n"), freq);
        assertFalse(call("COMMAND", "DOCS", "command").contains("command|getkeys"), "not served, not listed");
        assertEquals("*0\r\n", call("COMMAND", "DOCS", "object|nosuch", "command|getkeys", "get|x", "object|freq|x"));
        assertTrue(call("COMMAND", "DOCS").startsWith("*" + 2 * engine.commandTable().commands().size() + "\r\n$"));
        resp3();
        assertTrue(call("COMMAND", "DOCS", "object").startsWith("%1\r\n$6\r\nobject\r\n%5\r\n"));
    }

    @Test
    void shouldListTipsAndKeySpecNotesInCommandInfoAsRedis()
    {
        run(COMMAND_INFO_TIPS);
    }

    @Test
    void shouldServeCommandHelpForTheSubcommandsItHas()
    {
        assertEquals(help(
            "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "HELP",
            "    Prints this help."), call("COMMAND", "HELP"));
    }

    // ------------------------------------------------------------------------------------------------
    // scripts recorded from redis 7.0.15

    private static final String[][] PING_ECHO = {
        {"+PONG\r\n", "PING"},
        {"$5\r\nhello\r\n", "PING", "hello"},
        {"$0\r\n\r\n", "PING", ""},
        {"$5\r\na\r\n\u0000b\r\n", "PING", "a\r\n\u0000b"},
        {"-ERR wrong number of arguments for 'ping' command\r\n", "PING", "a", "b"},
        {"$5\r\nx\r\ny\u0000\r\n", "ECHO", "x\r\ny\u0000"},
        {"$0\r\n\r\n", "ECHO", ""},
        {"-ERR wrong number of arguments for 'echo' command\r\n", "ECHO"},
        {"-ERR wrong number of arguments for 'echo' command\r\n", "ECHO", "a", "b"},
        {"@resp3"},
        {"+PONG\r\n", "PING"},
        {"$5\r\nhello\r\n", "PING", "hello"},
        {"$1\r\nx\r\n", "ECHO", "x"},
    };

    private static final String[][] SELECT_SWAPDB_DBSIZE = {
        {"-ERR value is out of range, value must between -2147483648 and 2147483647\r\n", "SELECT", "99999999999"},
        {"-ERR value is out of range, value must between -2147483648 and 2147483647\r\n", "SELECT", "-99999999999"},
        {"-ERR value is not an integer or out of range\r\n", "SELECT", "abc"},
        {"-ERR value is not an integer or out of range\r\n", "SELECT", ""},
        {"-ERR value is not an integer or out of range\r\n", "SELECT", "1.0"},
        {"-ERR DB index is out of range\r\n", "SELECT", "16"},
        {"-ERR DB index is out of range\r\n", "SELECT", "-1"},
        {"-ERR value is not an integer or out of range\r\n", "SELECT", "0x1"},
        {"-ERR value is not an integer or out of range\r\n", "SELECT", "01"},
        {"-ERR wrong number of arguments for 'select' command\r\n", "SELECT"},
        {"-ERR wrong number of arguments for 'select' command\r\n", "SELECT", "1", "2"},
        {"+OK\r\n", "SET", "k", "db0"},
        {"+OK\r\n", "SELECT", "15"},
        {":0\r\n", "DBSIZE"},
        {"+OK\r\n", "SET", "k", "db15"},
        {"+OK\r\n", "SET", "j", "db15"},
        {":2\r\n", "DBSIZE"},
        {"-ERR wrong number of arguments for 'dbsize' command\r\n", "DBSIZE", "x"},
        {"-ERR invalid first DB index\r\n", "SWAPDB", "a", "b"},
        {"-ERR invalid second DB index\r\n", "SWAPDB", "0", "b"},
        {"-ERR DB index is out of range\r\n", "SWAPDB", "0", "99"},
        {"-ERR DB index is out of range\r\n", "SWAPDB", "-1", "0"},
        {"-ERR invalid first DB index\r\n", "SWAPDB", "99999999999", "1"},
        {"-ERR invalid second DB index\r\n", "SWAPDB", "0", "99999999999"},
        {"-ERR invalid first DB index\r\n", "SWAPDB", "x", "99"},
        {"-ERR wrong number of arguments for 'swapdb' command\r\n", "SWAPDB", "0"},
        {"+OK\r\n", "SWAPDB", "0", "15"},
        {"$3\r\ndb0\r\n", "GET", "k"},
        {":1\r\n", "DBSIZE"},
        {"+OK\r\n", "SELECT", "0"},
        {"$4\r\ndb15\r\n", "GET", "k"},
        {":2\r\n", "DBSIZE"},
        {"+OK\r\n", "SWAPDB", "3", "3"},
        {"+OK\r\n", "SWAPDB", "15", "0"},
        {"$3\r\ndb0\r\n", "GET", "k"},
    };

    private static final String[][] FLUSH = {
        {"+OK\r\n", "SET", "a", "1"},
        {"+OK\r\n", "SELECT", "2"},
        {"+OK\r\n", "SET", "b", "2"},
        {"-ERR syntax error\r\n", "FLUSHDB", "FOO"},
        {"-ERR syntax error\r\n", "FLUSHDB", "ASYNC", "SYNC"},
        {"-ERR syntax error\r\n", "FLUSHALL", "FOO"},
        {"-ERR syntax error\r\n", "FLUSHALL", "sync", "x"},
        {"+OK\r\n", "FLUSHDB", "sync\u0000"},
        {"+OK\r\n", "FLUSHDB", "ASYNC"},
        {":0\r\n", "DBSIZE"},
        {"+OK\r\n", "SELECT", "0"},
        {":1\r\n", "DBSIZE"},
        {"+OK\r\n", "FLUSHDB"},
        {":0\r\n", "DBSIZE"},
        {"+OK\r\n", "FLUSHDB", "sync"},
        {"+OK\r\n", "SET", "a", "1"},
        {"+OK\r\n", "SELECT", "7"},
        {"+OK\r\n", "SET", "b", "1"},
        {"+OK\r\n", "FLUSHALL", "async"},
        {":0\r\n", "DBSIZE"},
        {"+OK\r\n", "SELECT", "0"},
        {":0\r\n", "DBSIZE"},
        {"+OK\r\n", "FLUSHALL"},
        {"+OK\r\n", "FLUSHALL", "SYNC"},
    };

    private static final String[][] OBJECT = {
        {"+OK\r\n", "SET", "n", "100"},
        {"+OK\r\n", "SET", "big", "20000"},
        {"+OK\r\n", "SET", "neg", "-1"},
        {"+OK\r\n", "SET", "zero", "0"},
        {"+OK\r\n", "SET", "top", "9999"},
        {"+OK\r\n", "SET", "s", "hello"},
        {"+OK\r\n", "SET", "r", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
        {"+OK\r\n", "SET", "f", "1.5"},
        {"+OK\r\n", "SET", "lead", "007"},
        {"$3\r\nint\r\n", "OBJECT", "ENCODING", "n"},
        {"$3\r\nint\r\n", "OBJECT", "ENCODING", "big"},
        {"$6\r\nembstr\r\n", "OBJECT", "ENCODING", "s"},
        {"$3\r\nraw\r\n", "OBJECT", "ENCODING", "r"},
        {"$6\r\nembstr\r\n", "OBJECT", "ENCODING", "f"},
        {"$6\r\nembstr\r\n", "OBJECT", "ENCODING", "lead"},
        {"$-1\r\n", "OBJECT", "ENCODING", "nokey"},
        {":2147483647\r\n", "OBJECT", "REFCOUNT", "n"},
        {":2147483647\r\n", "OBJECT", "REFCOUNT", "zero"},
        {":2147483647\r\n", "OBJECT", "REFCOUNT", "top"},
        {":1\r\n", "OBJECT", "REFCOUNT", "big"},
        {":1\r\n", "OBJECT", "REFCOUNT", "neg"},
        {":1\r\n", "OBJECT", "REFCOUNT", "s"},
        {"$-1\r\n", "OBJECT", "REFCOUNT", "nokey"},
        {"-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n", "OBJECT", "FREQ", "n"},
        {"$-1\r\n", "OBJECT", "FREQ", "nokey"},
        {"$-1\r\n", "OBJECT", "IDLETIME", "nokey"},
        {"-ERR wrong number of arguments for 'object' command\r\n", "OBJECT"},
        {"-ERR unknown subcommand 'FOO'. Try OBJECT HELP.\r\n", "OBJECT", "FOO", "n"},
        {"-ERR wrong number of arguments for 'object|encoding' command\r\n", "OBJECT", "ENCODING"},
        {"-ERR wrong number of arguments for 'object|encoding' command\r\n", "OBJECT", "ENCODING", "n", "x"},
        {"*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+ENCODING <key>\r\n+    Return the kind of internal representation used in order to store the value\r\n+    associated with a <key>.\r\n+FREQ <key>\r\n+    Return the access frequency index of the <key>. The returned integer is\r\n+    proportional to the logarithm of the recent access frequency of the key.\r\n+IDLETIME <key>\r\n+    Return the idle time of the <key>, that is the approximated number of\r\n+    seconds elapsed since the last access to the key.\r\n+REFCOUNT <key>\r\n+    Return the number of references of the value associated with the specified\r\n+    <key>.\r\n+HELP\r\n+    Prints this help.\r\n", "OBJECT", "HELP"},
        {"-ERR wrong number of arguments for 'object|help' command\r\n", "OBJECT", "help", "x"},
        {"@resp3"},
        {"_\r\n", "OBJECT", "ENCODING", "nokey"},
        {"$3\r\nint\r\n", "OBJECT", "ENCODING", "n"},
        {"_\r\n", "OBJECT", "REFCOUNT", "nokey"},
    };

    private static final String[][] MEMORY_ERRORS = {
        {"+OK\r\n", "SET", "k", "v"},
        {"-ERR syntax error\r\n", "MEMORY", "USAGE", "k", "SAMPLES"},
        {"-ERR value is not an integer or out of range\r\n", "MEMORY", "USAGE", "k", "SAMPLES", "x"},
        {"-ERR syntax error\r\n", "MEMORY", "USAGE", "k", "SAMPLES", "-1"},
        {"-ERR syntax error\r\n", "MEMORY", "USAGE", "k", "FOO", "1"},
        {"-ERR syntax error\r\n", "MEMORY", "USAGE", "nokey", "FOO", "1"},
        {"-ERR syntax error\r\n", "MEMORY", "USAGE", "k", "SAMPLES", "1", "x"},
        {"-ERR value is not an integer or out of range\r\n", "MEMORY", "USAGE", "k", "samples", "99999999999999999999"},
        {"$-1\r\n", "MEMORY", "USAGE", "nokey"},
        {"$-1\r\n", "MEMORY", "USAGE", "nokey", "SAMPLES", "0", "SAMPLES", "5"},
        {"-ERR wrong number of arguments for 'memory|usage' command\r\n", "MEMORY", "USAGE"},
        {"-ERR wrong number of arguments for 'memory' command\r\n", "MEMORY"},
        {"-ERR unknown subcommand 'FOO'. Try MEMORY HELP.\r\n", "MEMORY", "FOO"},
        {"-ERR wrong number of arguments for 'memory|help' command\r\n", "MEMORY", "HELP", "x"},
        {"@resp3"},
        {"_\r\n", "MEMORY", "USAGE", "nokey"},
    };

    private static final String[][] COMMAND_ERRORS = {
        {"-ERR syntax error\r\n", "COMMAND", "LIST", "FILTERBY", "foo", "x"},
        {"-ERR syntax error\r\n", "COMMAND", "LIST", "FILTERBY", "pattern"},
        {"-ERR syntax error\r\n", "COMMAND", "LIST", "x"},
        {"-ERR syntax error\r\n", "COMMAND", "LIST", "FILTERBY", "pattern", "a", "FILTERBY", "pattern", "b"},
        {"*0\r\n", "COMMAND", "LIST", "FILTERBY", "module", "x"},
        {"*0\r\n", "COMMAND", "LIST", "FILTERBY", "aclcat", "nosuchcat"},
        {"*0\r\n", "COMMAND", "LIST", "FILTERBY", "ACLCAT", "@keyspace"},
        {"*1\r\n$11\r\nobject|freq\r\n", "COMMAND", "LIST", "FILTERBY", "PATTERN", "OBJECT|FR*"},
        {"*0\r\n", "COMMAND", "LIST", "FILTERBY", "pattern", "nosuch*"},
        {"*3\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n$-1\r\n*10\r\n$6\r\nrename\r\n:3\r\n*1\r\n+write\r\n:1\r\n:2\r\n:1\r\n*3\r\n+@keyspace\r\n+@write\r\n+@slow\r\n*0\r\n*2\r\n*6\r\n$5\r\nflags\r\n*3\r\n+RW\r\n+access\r\n+delete\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*6\r\n$5\r\nflags\r\n*2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n", "COMMAND", "INFO", "get", "nosuch", "rename"},
        {"*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n", "COMMAND", "INFO", "GET"},
        {"*1\r\n$-1\r\n", "COMMAND", "INFO", "config|nosuch"},
        {"*1\r\n$-1\r\n", "COMMAND", "INFO", "get|x"},
        {"*0\r\n", "COMMAND", "DOCS", "nosuch"},
        {"-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n", "COMMAND", "FOO"},
        {"-ERR wrong number of arguments for 'command|count' command\r\n", "COMMAND", "COUNT", "x"},
        {"-ERR wrong number of arguments for 'command|help' command\r\n", "COMMAND", "HELP", "x"},
        {"@resp3"},
        {"*3\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n_\r\n*10\r\n$6\r\nrename\r\n:3\r\n~1\r\n+write\r\n:1\r\n:2\r\n:1\r\n~3\r\n+@keyspace\r\n+@write\r\n+@slow\r\n~0\r\n~2\r\n%3\r\n$5\r\nflags\r\n~3\r\n+RW\r\n+access\r\n+delete\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n%3\r\n$5\r\nflags\r\n~2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n", "COMMAND", "INFO", "get", "nosuch", "rename"},
        {"%0\r\n", "COMMAND", "DOCS", "nosuch"},
        {"*0\r\n", "COMMAND", "LIST", "FILTERBY", "pattern", "nosuch*"},
    };

    private static final String[][] COMMAND_DOCS = {
        {"*4\r\n$3\r\nget\r\n*10\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n$6\r\ngetset\r\n*16\r\n$7\r\nsummary\r\n$54\r\nSet the string value of a key and return its old value\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\ndoc_flags\r\n*1\r\n+deprecated\r\n$16\r\ndeprecated_since\r\n$5\r\n6.2.0\r\n$11\r\nreplaced_by\r\n$30\r\n`SET` with the `!GET` argument\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n*4\r\n$4\r\nname\r\n$5\r\nvalue\r\n$4\r\ntype\r\n$6\r\nstring\r\n", "COMMAND", "DOCS", "get", "nosuch", "getset"},
        {"*4\r\n$6\r\nexpire\r\n*12\r\n$7\r\nsummary\r\n$35\r\nSet a key's time to live in seconds\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$7\r\ngeneric\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$7\r\nhistory\r\n*1\r\n*2\r\n$5\r\n7.0.0\r\n$41\r\nAdded options: `NX`, `XX`, `GT` and `LT`.\r\n$9\r\narguments\r\n*3\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n*4\r\n$4\r\nname\r\n$7\r\nseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n*10\r\n$4\r\nname\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n$5\r\n7.0.0\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*4\r\n*6\r\n$4\r\nname\r\n$2\r\nnx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNX\r\n*6\r\n$4\r\nname\r\n$2\r\nxx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nXX\r\n*6\r\n$4\r\nname\r\n$2\r\ngt\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nGT\r\n*6\r\n$4\r\nname\r\n$2\r\nlt\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nLT\r\n$12\r\nmemory|usage\r\n*10\r\n$7\r\nsummary\r\n$34\r\nEstimate the memory usage of a key\r\n$5\r\nsince\r\n$5\r\n4.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$38\r\nO(N) where N is the number of samples.\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n*8\r\n$4\r\nname\r\n$5\r\ncount\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$7\r\nSAMPLES\r\n$5\r\nflags\r\n*1\r\n+optional\r\n", "COMMAND", "DOCS", "expire", "memory|usage"},
        {"@resp3"},
        {"%2\r\n$3\r\nget\r\n%5\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n$6\r\ngetset\r\n%8\r\n$7\r\nsummary\r\n$54\r\nSet the string value of a key and return its old value\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\ndoc_flags\r\n~1\r\n+deprecated\r\n$16\r\ndeprecated_since\r\n$5\r\n6.2.0\r\n$11\r\nreplaced_by\r\n$30\r\n`SET` with the `!GET` argument\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n%2\r\n$4\r\nname\r\n$5\r\nvalue\r\n$4\r\ntype\r\n$6\r\nstring\r\n", "COMMAND", "DOCS", "get", "nosuch", "getset"},
        {"%2\r\n$6\r\nexpire\r\n%6\r\n$7\r\nsummary\r\n$35\r\nSet a key's time to live in seconds\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$7\r\ngeneric\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$7\r\nhistory\r\n~1\r\n*2\r\n$5\r\n7.0.0\r\n$41\r\nAdded options: `NX`, `XX`, `GT` and `LT`.\r\n$9\r\narguments\r\n*3\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n%2\r\n$4\r\nname\r\n$7\r\nseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n%5\r\n$4\r\nname\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n$5\r\n7.0.0\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*4\r\n%3\r\n$4\r\nname\r\n$2\r\nnx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNX\r\n%3\r\n$4\r\nname\r\n$2\r\nxx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nXX\r\n%3\r\n$4\r\nname\r\n$2\r\ngt\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nGT\r\n%3\r\n$4\r\nname\r\n$2\r\nlt\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nLT\r\n$12\r\nmemory|usage\r\n%5\r\n$7\r\nsummary\r\n$34\r\nEstimate the memory usage of a key\r\n$5\r\nsince\r\n$5\r\n4.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$38\r\nO(N) where N is the number of samples.\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n%4\r\n$4\r\nname\r\n$5\r\ncount\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$7\r\nSAMPLES\r\n$5\r\nflags\r\n~1\r\n+optional\r\n", "COMMAND", "DOCS", "expire", "memory|usage"},
    };

    private static final String[][] COMMAND_INFO_TIPS = {
        {"*2\r\n*10\r\n$3\r\nset\r\n:-3\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@string\r\n+@slow\r\n*0\r\n*1\r\n*8\r\n$5\r\nnotes\r\n$48\r\nRW and ACCESS due to the optional `GET` argument\r\n$5\r\nflags\r\n*4\r\n+RW\r\n+access\r\n+update\r\n+variable_flags\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n*10\r\n$4\r\nping\r\n:-1\r\n*1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n+@connection\r\n*2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\nresponse_policy:all_succeeded\r\n*0\r\n*0\r\n", "COMMAND", "INFO", "set", "ping"},
        {"@resp3"},
        {"*2\r\n*10\r\n$3\r\nset\r\n:-3\r\n~2\r\n+write\r\n+denyoom\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@write\r\n+@string\r\n+@slow\r\n~0\r\n~1\r\n%4\r\n$5\r\nnotes\r\n$48\r\nRW and ACCESS due to the optional `GET` argument\r\n$5\r\nflags\r\n~4\r\n+RW\r\n+access\r\n+update\r\n+variable_flags\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n*10\r\n$4\r\nping\r\n:-1\r\n~1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n~2\r\n+@fast\r\n+@connection\r\n~2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\nresponse_policy:all_succeeded\r\n~0\r\n~0\r\n", "COMMAND", "INFO", "set", "ping"},
    };

    private static final String[][] DEBUG_ERRORS = {
        {"-ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP.\r\n", "DEBUG", "foo"},
        {"-ERR unknown subcommand or wrong number of arguments for 'FOO'. Try DEBUG HELP.\r\n", "DEBUG", "FOO", "bar"},
        {"-ERR unknown subcommand or wrong number of arguments for 'digest'. Try DEBUG HELP.\r\n", "DEBUG", "digest", "x"},
        {"-ERR unknown subcommand or wrong number of arguments for 'populate'. Try DEBUG HELP.\r\n", "DEBUG", "populate"},
        {"-ERR value is out of range, must be positive\r\n", "DEBUG", "populate", "-1"},
        {"-ERR value is out of range, must be positive\r\n", "DEBUG", "populate", "x"},
        {"-ERR value is out of range, must be positive\r\n", "DEBUG", "populate", "99999999999999999999"},
        {"-ERR value is out of range, must be positive\r\n", "DEBUG", "populate", "1", "a", "b"},
        {"-ERR value is out of range, must be positive\r\n", "DEBUG", "populate", "1", "a", "-1"},
        {"-ERR unknown subcommand or wrong number of arguments for 'populate'. Try DEBUG HELP.\r\n", "DEBUG", "populate", "1", "a", "1", "x"},
        {"-ERR unknown subcommand or wrong number of arguments for 'sleep'. Try DEBUG HELP.\r\n", "DEBUG", "sleep"},
        {"-ERR unknown subcommand or wrong number of arguments for 'sleep'. Try DEBUG HELP.\r\n", "DEBUG", "sleep", "0", "1"},
        {"+OK\r\n", "DEBUG", "sleep", "x"},
        {"+OK\r\n", "DEBUG", "sleep", "0"},
        {"+OK\r\n", "DEBUG", "sleep", "-1"},
        {"+OK\r\n", "DEBUG", "SLEEP", "0.001"},
        {"*0\r\n", "DEBUG", "digest-value"},
        {"+0000000000000000000000000000000000000000\r\n", "DEBUG", "DIGEST"},
        {"-ERR unknown subcommand or wrong number of arguments for 'help'. Try DEBUG HELP.\r\n", "DEBUG", "help", "x"},
        {"-ERR unknown subcommand or wrong number of arguments for 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'. Try DEBUG HELP.\r\n", "DEBUG", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
        {"-ERR unknown subcommand or wrong number of arguments for 'a  b'. Try DEBUG HELP.\r\n", "DEBUG", "a\r\nb"},
        {"-ERR unknown subcommand or wrong number of arguments for 'a'. Try DEBUG HELP.\r\n", "DEBUG", "a\u0000b"},
        {"-ERR wrong number of arguments for 'debug' command\r\n", "DEBUG"},
        {"-ERR unknown subcommand or wrong number of arguments for 'nope'. Try DEBUG HELP.\r\n", "debug", "nope"},
    };

    private static final String[][] DEBUG_POPULATE = {
        {"+OK\r\n", "DEBUG", "POPULATE", "0"},
        {":0\r\n", "DBSIZE"},
        {"+OK\r\n", "DEBUG", "POPULATE", "3"},
        {":3\r\n", "DBSIZE"},
        {"$7\r\nvalue:0\r\n", "GET", "key:0"},
        {"$7\r\nvalue:2\r\n", "GET", "key:2"},
        {":0\r\n", "EXISTS", "key:3"},
        {"$6\r\nembstr\r\n", "OBJECT", "ENCODING", "key:1"},
        {"+OK\r\n", "SET", "key:1", "mine"},
        {"+OK\r\n", "DEBUG", "POPULATE", "4"},
        {"$4\r\nmine\r\n", "GET", "key:1"},
        {"$7\r\nvalue:3\r\n", "GET", "key:3"},
        {":4\r\n", "DBSIZE"},
        {"+OK\r\n", "DEBUG", "POPULATE", "2", "p", "3"},
        {"$3\r\nval\r\n", "GET", "p:1"},
        {"+OK\r\n", "DEBUG", "POPULATE", "2", "q", "10"},
        {"$10\r\nvalue:1\u0000\u0000\u0000\r\n", "GET", "q:1"},
        {"$6\r\nembstr\r\n", "OBJECT", "ENCODING", "q:1"},
        {"+OK\r\n", "DEBUG", "POPULATE", "1", "r", "50"},
        {"$3\r\nraw\r\n", "OBJECT", "ENCODING", "r:0"},
        {":50\r\n", "STRLEN", "r:0"},
        {"+OK\r\n", "DEBUG", "POPULATE", "1", "s", "0"},
        {"$7\r\nvalue:0\r\n", "GET", "s:0"},
        {"+OK\r\n", "DEBUG", "POPULATE", "1", ""},
        {"$7\r\nvalue:0\r\n", "GET", ":0"},
        {"+OK\r\n", "DEBUG", "POPULATE", "2", "a\u0000b"},
        {"$7\r\nvalue:1\r\n", "GET", "a:1"},
        {":0\r\n", "EXISTS", "a\u0000b:1"},
        {"+OK\r\n", "DEBUG", "POPULATE", "11", "k", "7"},
        {"$7\r\nvalue:1\r\n", "GET", "k:10"},
        {"$7\r\nvalue:9\r\n", "GET", "k:9"},
        {"+OK\r\n", "FLUSHALL"},
        {"+OK\r\n", "DEBUG", "POPULATE", "1", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
        {"*1\r\n$127\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n", "KEYS", "*"},
        {"+OK\r\n", "FLUSHALL"},
        {"+OK\r\n", "DEBUG", "POPULATE", "3", "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"},
        {":3\r\n", "DBSIZE"},
        {"+OK\r\n", "FLUSHALL"},
        {"+OK\r\n", "DEBUG", "POPULATE", "12", "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"},
        {":12\r\n", "DBSIZE"},
        {"$7\r\nvalue:1\r\n", "GET", "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy:1"},
        {"+OK\r\n", "SELECT", "9"},
        {"+OK\r\n", "DEBUG", "POPULATE", "2"},
        {":2\r\n", "DBSIZE"},
        {"+OK\r\n", "SELECT", "0"},
        {":12\r\n", "DBSIZE"},
    };
}
