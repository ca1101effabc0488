package io.keelkv.engine.aof;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.command.LocalClient;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** What the dispatcher and the keyspace hand the AOF, how it lands in the file, and how failures surface. */
class AofControlTest
{
    private static final long CHUNK = MappedAppendFile.MIN_CHUNK_SIZE_BYTES;

    private Path dir;
    private KeelEngine engine;
    private final List<String> events = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception
    {
        dir = Files.createTempDirectory("keel-aof-control");
        final EngineSettings settings = new EngineSettings();
        settings.pageSizeBytes = 16 * 1024;
        settings.databases = 16;
        engine = new KeelEngine(settings);
        engine.aof().listener(new AofListener()
        {
            @Override
            public void onWriteError(final AppendFileException error)
            {
                events.add("write error");
            }

            @Override
            public void onSyncFailed(final AppendFileException error)
            {
                events.add("sync failed");
            }

            @Override
            public void onFatal(final String message)
            {
                events.add("fatal: " + message);
            }
        });
    }

    @AfterEach
    void tearDown() throws Exception
    {
        engine.close();
        try (var walk = Files.walk(dir))
        {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private String call(final int db, final String... args)
    {
        final LocalClient client = new LocalClient(1, false);
        client.db(db);
        final RespWriter out = new RespWriter(1024);
        engine.dispatcher().execute(Args.of(args), out, client);
        final byte[] reply = new byte[out.pending()];
        out.buffer().getBytes(out.readIndex(), reply);
        return new String(reply, StandardCharsets.ISO_8859_1);
    }

    private static String resp(final String... args)
    {
        final StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (final String a : args)
        {
            sb.append('$').append(a.getBytes(StandardCharsets.ISO_8859_1).length).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString();
    }

    @Test
    void shouldAppendOnlyChangesWithASelectWheneverTheDatabaseChanges() throws Exception
    {
        final Path path = dir.resolve("appendonly.aof.1.incr.aof");
        engine.aof().appendTo(MappedAppendFile.create(path, CHUNK));
        call(0, "SET", "a", "1");
        call(0, "GET", "a");            // a read: not logged
        call(0, "DEL", "missing");      // changed nothing: not logged
        call(0, "INCR", "a");
        call(3, "SET", "b", "x\r\ny");  // binary-safe
        call(3, "APPEND", "b", "z");
        call(0, "DEL", "a");
        engine.aof().close();

        final String expected = resp("SELECT", "0") + resp("SET", "a", "1") + resp("INCR", "a") +
            resp("SELECT", "3") + resp("SET", "b", "x\r\ny") + resp("APPEND", "b", "z") +
            resp("SELECT", "0") + resp("DEL", "a");
        assertEquals(expected, Files.readString(path, StandardCharsets.ISO_8859_1));
        assertEquals(5, engine.aof().appendedCommands()); // SET, INCR, SET, APPEND, DEL
    }

    @Test
    void shouldLogRequestsInCanonicalRespWhetherTheirBytesAreCopiedOrEncodedAgain() throws Exception
    {
        final Path path = dir.resolve("appendonly.aof.1.incr.aof");
        engine.aof().appendTo(MappedAppendFile.create(path, CHUNK));
        final io.keelkv.engine.resp.RespDecoder decoder = new io.keelkv.engine.resp.RespDecoder();
        final Args args = new Args();
        final LocalClient client = new LocalClient(1, false);
        final String[] requests = {
            "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n", // canonical: copied as it arrived
            "*3\r\n$3\r\nset\r\n$1\r\nb\r\n$2\r\n22XY",     // Redis skips the bytes after a bulk unchecked
            "*2\rZ$4\rZINCR\r\n$1\r\na\r\n",                  // and the byte after a header's CR
            "APPEND b 3\r\n",                                    // inline
        };
        for (final String request : requests)
        {
            final byte[] bytes = request.getBytes(StandardCharsets.ISO_8859_1);
            assertEquals(bytes.length, decoder.decode(new org.agrona.concurrent.UnsafeBuffer(bytes), 0, bytes.length, args));
            engine.dispatcher().execute(args, new RespWriter(1024), client);
        }
        engine.aof().close();
        assertEquals(resp("SELECT", "0") + resp("SET", "a", "1") + resp("set", "b", "22") + resp("INCR", "a") +
            resp("APPEND", "b", "3"), Files.readString(path, StandardCharsets.ISO_8859_1));
    }

    @Test
    void shouldLogTheDeterministicFormAndADelForAnExpiredKey() throws Exception
    {
        final Path path = dir.resolve("appendonly.aof.1.incr.aof");
        engine.aof().appendTo(MappedAppendFile.create(path, CHUNK));
        call(0, "SET", "k", "v", "PX", "1");
        final long deadline = System.currentTimeMillis() + 2_000;
        while (System.currentTimeMillis() < deadline && !"$-1\r\n".equals(call(0, "GET", "k")))
        {
            Thread.sleep(2);
        }
        engine.aof().close();
        final String text = Files.readString(path, StandardCharsets.ISO_8859_1);
        // SET ... PX becomes SET ... PXAT <absolute ms>: replaying it later must not extend the key's life
        assertTrue(text.startsWith(resp("SELECT", "0") + "*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n"), text);
        assertTrue(text.endsWith(resp("DEL", "k")), "the lazily expired key is not logged as a DEL: " + text);
    }

    @Test
    void shouldMakeAppendsDurableUnderAlwaysAndWakeTheLoop() throws Exception
    {
        final Path path = dir.resolve("appendonly.aof.1.incr.aof");
        final int[] wakes = {0};
        engine.aof().wakeLoop(() -> wakes[0]++);
        engine.aof().policy(AofSyncAgent.POLICY_ALWAYS);
        engine.aof().appendTo(MappedAppendFile.create(path, CHUNK));
        assertTrue(engine.aof().repliesWaitForSync());
        for (int i = 0; i < 100; i++)
        {
            call(0, "SET", "k" + i, "v");
            engine.aof().afterPass();
            final long target = engine.aof().appendedLogical();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (engine.aof().durableLogical() < target)
            {
                assertTrue(System.nanoTime() < deadline, "the durable position never reached " + target);
                Thread.onSpinWait();
            }
        }
        assertTrue(engine.aof().syncs() >= 1 && engine.aof().syncs() <= 100, "syncs " + engine.aof().syncs());
        assertTrue(wakes[0] >= engine.aof().syncs());
        assertEquals(0, engine.aof().pendingSync());
    }

    @Test
    void shouldRefuseWritesWithMisconfAfterAFailedMsyncAndStopUnderAlways() throws Exception
    {
        final Path path = dir.resolve("appendonly.aof.1.incr.aof");
        final boolean[] fail = {false};
        engine.aof().policy(AofSyncAgent.POLICY_ALWAYS);
        engine.aof().appendTo(MappedAppendFile.create(path, CHUNK, (address, length) -> fail[0] ? 5 : 0));
        assertEquals("+OK\r\n", call(0, "SET", "a", "1"));
        fail[0] = true;
        call(0, "SET", "b", "2");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.aof().lastWriteOk())
        {
            engine.aof().afterPass();
            assertTrue(System.nanoTime() < deadline, "the failed msync was never noticed");
            Thread.sleep(1);
        }
        engine.aof().afterPass();
        assertEquals(List.of("sync failed", "fatal: Can't recover from AOF fsync error when the AOF fsync policy is " +
            "'always'. Exiting... (" + engine.aof().writeRefusal().substring(40) + ")"), events);
        final String refused = call(0, "SET", "c", "3");
        assertTrue(refused.startsWith("-MISCONF Errors writing to the AOF file: "), refused);
        assertEquals("$1\r\n1\r\n", call(0, "GET", "a"), "reads go on");
        assertTrue(engine.aof().durableLogical() < engine.aof().appendedLogical());
    }

    @Test
    void shouldLogTheTypedApisWritesAndLoadThemIntoAnotherEngine() throws Exception
    {
        final Path aofDir = dir.resolve("appendonlydir");
        assertNull(engine.openAof(aofDir, "appendonly.aof", true), "a new directory: nothing loaded");
        engine.aof().policy(AofSyncAgent.POLICY_ALWAYS);
        final byte[] k = "typed".getBytes(StandardCharsets.US_ASCII);
        assertEquals(io.keelkv.engine.Status.OK, engine.set(k, "v1".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(engine.aof().appendedLogical(), engine.aof().durableLogical(), "a typed write under always waits");
        assertEquals(io.keelkv.engine.Status.OK, engine.set(2, "other".getBytes(StandardCharsets.US_ASCII),
            "x".getBytes(StandardCharsets.US_ASCII), System.currentTimeMillis() + 3_600_000));
        assertEquals(io.keelkv.engine.Status.OK, engine.expire(k, 600_000));
        engine.set("gone".getBytes(StandardCharsets.US_ASCII), "1".getBytes(StandardCharsets.US_ASCII));
        assertTrue(engine.delete("gone".getBytes(StandardCharsets.US_ASCII)));
        call(1, "SET", "viaCommand", "y");
        final String digest = call(0, "DEBUG", "DIGEST");
        engine.close();

        final EngineSettings settings = new EngineSettings();
        settings.pageSizeBytes = 16 * 1024;
        settings.databases = 16;
        engine = new KeelEngine(settings);
        final AofDirectory.Loaded loaded = engine.openAof(aofDir, "appendonly.aof", true);
        assertNotNull(loaded);
        // SELECT 0, SET, SELECT 2, SET PXAT, SELECT 0, PEXPIREAT, SET, DEL, SELECT 1, SET
        assertEquals(10, loaded.commands);
        assertEquals(digest, call(0, "DEBUG", "DIGEST"));
        final long ttl = engine.ttlMs(k);
        assertTrue(ttl > 500_000 && ttl <= 600_000, "the TTL is an absolute deadline in the log: " + ttl);
        try (var files = Files.list(aofDir))
        {
            assertEquals(3, files.count(), "base, incr, manifest");
        }
    }

    @Test
    void shouldLogNothingWhileNoFileIsOpen()
    {
        assertFalse(engine.aof().appending());
        assertEquals("+OK\r\n", call(0, "SET", "a", "1"));
        assertNull(engine.aof().writeRefusal());
        assertEquals(0, engine.aof().appendedCommands());
    }
}
