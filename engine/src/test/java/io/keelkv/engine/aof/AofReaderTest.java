package io.keelkv.engine.aof;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.command.LocalClient;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.snapshot.SnapshotHeaderDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static io.keelkv.engine.aof.AofReaderTestSupport.Part;
import static io.keelkv.engine.aof.AofReaderTestSupport.Recorder;
import static io.keelkv.engine.aof.AofReaderTestSupport.RedisServer;
import static io.keelkv.engine.aof.AofReaderTestSupport.allocatedBytes;
import static io.keelkv.engine.aof.AofReaderTestSupport.ascii;
import static io.keelkv.engine.aof.AofReaderTestSupport.assertCheckAofAgrees;
import static io.keelkv.engine.aof.AofReaderTestSupport.cmd;
import static io.keelkv.engine.aof.AofReaderTestSupport.concat;
import static io.keelkv.engine.aof.AofReaderTestSupport.expectCut;
import static io.keelkv.engine.aof.AofReaderTestSupport.read;
import static io.keelkv.engine.aof.AofReaderTestSupport.refused;
import static io.keelkv.engine.aof.AofReaderTestSupport.requireOracle;
import static org.junit.jupiter.api.Assertions.*;

/**
 * AofReader against the files Redis 7.0.15 writes and the damage it refuses. Where the verdict on a crafted
 * file is Redis's, it was checked on redis-server 7.0.15 (a manifest with an empty base and the file as the
 * last incr, loaded with aof-load-truncated yes and no, its log read):
 * <ul>
 *   <li>zeros after the commands, or a command cut into zeros: "Bad file format", fatal even with
 *       aof-load-truncated yes (KeelKV's own file layer writes those zeros: here they are the end);</li>
 *   <li>a cut command: "short read", loaded and truncated with yes, "Unexpected end of file" with no;</li>
 *   <li>garbage after the commands, in the middle, *0, *-1, *2147483648, LF-only lines, an annotation of
 *       1024 bytes: "Bad file format", fatal; an annotation of 1023 bytes with its \n loads;</li>
 *   <li>a MULTI without EXEC at the end: "Revert incomplete MULTI/EXEC transaction", truncated at the MULTI;</li>
 *   <li>$-1: assertion failure in sdsnewlen; $9223372036854775807: out of memory abort;</li>
 *   <li>loaded silently, refused here as redis-check-aof refuses them: a nested MULTI, an EXEC without MULTI,
 *       other bytes than \r\n after an argument, NUL bytes in an annotation.</li>
 * </ul>
 * Random inputs print their seed; rerun one with {@code -Dkeel.aof.seed=N}.
 */
class AofReaderTest
{
    private static final byte[] SET_A = cmd("SET", "a", "1");
    private static final byte[] SET_B = cmd("SET", "b", "2");
    private static final byte[] SET_C = cmd("SET", "c", "3");
    private static final byte[] MULTI = cmd("MULTI");
    private static final byte[] EXEC = cmd("EXEC");

    @TempDir
    Path dir;

    private static SplittableRandom random(final String test)
    {
        final long seed = Long.getLong("keel.aof.seed", System.nanoTime());
        System.out.println(test + " seed " + seed);
        return new SplittableRandom(seed);
    }

    private Path write(final String name, final byte[] bytes) throws Exception
    {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void shouldDeliverEveryCommandOfAFileRedisWrote() throws Exception
    {
        requireOracle("redis-server");
        final byte[] binary = ascii("\r\n*3\r\n$3\r\n\0\0#TS:1\r\n$-1\r\n");
        final byte[] big = new byte[200_000]; // larger than the reader's first buffer
        random("shouldDeliverEveryCommandOfAFileRedisWrote").nextBytes(big);
        final String digest;
        try (RedisServer redis = RedisServer.start(dir, "--appendonly", "yes", "--aof-use-rdb-preamble", "no",
            "--aof-timestamp-enabled", "yes", "--enable-debug-command", "yes"))
        {
            for (final String[] command : List.of(new String[] {"SET", "a", "1"}, new String[] {"INCR", "a"},
                new String[] {"EXPIRE", "a", "100"}, new String[] {"MULTI"}, new String[] {"SET", "b", "2"},
                new String[] {"INCR", "b"}, new String[] {"EXEC"}))
            {
                redis.call(command);
            }
            Thread.sleep(1100); // a new second: Redis writes a #TS annotation before the next command
            redis.call("SELECT", "3");
            redis.call("SET", "c", "x", "EX", "100");
            redis.call(ascii("SET"), ascii("bin"), binary);
            redis.call(ascii("SET"), ascii("big"), big);
            redis.call("SELECT", "0");
            redis.call("INCRBY", "a", "5");
            digest = (String)redis.call("DEBUG", "DIGEST");
            redis.shutdown();
        }
        final Path aofDir = dir.resolve("appendonlydir");
        Path base = null;
        Path incr = null;
        for (final String line : Files.readAllLines(aofDir.resolve("appendonly.aof.manifest")))
        {
            final String[] fields = line.split(" ");
            if (fields[5].equals("b"))
            {
                base = aofDir.resolve(fields[1]);
            }
            else
            {
                incr = aofDir.resolve(fields[1]);
            }
        }
        final String text = new String(Files.readAllBytes(incr), StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("MULTI") && text.contains("\r\n#TS:"), "Redis wrote a transaction and an annotation");

        final Recorder baseCommands = new Recorder();
        final AofReadResult baseResult = read(base, baseCommands);
        assertEquals(AofReadResult.Kind.COMMANDS, baseResult.kind());
        assertEquals(AofReadResult.Tail.NONE, baseResult.tail());
        assertEquals(0, baseResult.commands(), "an empty dataset's base is one #TS annotation");

        final Recorder recorder = new Recorder();
        final AofReadResult result = read(incr, recorder);
        assertEquals(AofReadResult.Tail.NONE, result.tail(), result.toString());
        assertEquals(Files.size(incr), result.validLength());
        assertEquals(recorder.commands.size(), result.commands());
        final String[] expected = {"SELECT 0", "SET a 1", "INCR a", "PEXPIREAT a \\d{13}", "SET b 2", "INCR b",
            "SELECT 3", "SET c x PXAT \\d{13}", "SET bin .*", "SET big .*", "SELECT 0", "INCRBY a 5"};
        final List<String> texts = recorder.texts();
        assertEquals(expected.length, texts.size(), texts.toString());
        for (int i = 0; i < expected.length; i++)
        {
            assertTrue(texts.get(i).matches("(?s)" + expected[i]), i + ": " + texts.get(i));
        }
        assertArrayEquals(binary, recorder.commands.get(8)[2]);
        assertArrayEquals(big, recorder.commands.get(9)[2]);
        long previous = -1;
        for (final long offset : recorder.offsets)
        {
            assertEquals('*', text.charAt((int)offset));
            assertTrue(offset > previous);
            previous = offset;
        }
        assertTrue(recorder.offsets.get(4) > text.indexOf("MULTI") && recorder.offsets.get(5) < text.indexOf("EXEC"));

        // the real use: straight from the reader's buffer into the engine; the dataset is Redis's, digest for digest
        final EngineSettings settings = new EngineSettings();
        settings.seed = 42;
        try (KeelEngine engine = new KeelEngine(settings); AofReader reader = new AofReader(settings.protoMaxBulkLen))
        {
            final LocalClient client = new LocalClient(1, true);
            final RespWriter out = new RespWriter(1024);
            reader.read(incr, 0, (args, offset) ->
            {
                engine.dispatcher().execute(args, out, client);
                assertEquals(0, out.errorCount(), "replay of the command at " + offset);
                out.clear();
            });
            client.db(0);
            engine.dispatcher().execute(Args.of("DEBUG", "DIGEST"), out, client);
            final byte[] reply = new byte[out.pending()];
            out.buffer().getBytes(out.readIndex(), reply);
            assertEquals("+" + digest + "\r\n", new String(reply, StandardCharsets.ISO_8859_1));
        }
        assertCheckAofAgrees(incr, result.validLength(), true);
    }

    @Test
    void shouldReportATornTailAtEveryCutOffset() throws Exception
    {
        final SplittableRandom random = random("shouldReportATornTailAtEveryCutOffset");
        final byte[] tricky = ascii("v\r\n*2\r\n$3\r\nGET\0\0#TS\r\n$");
        final byte[] large = new byte[300];
        random.nextBytes(large);
        final List<byte[]> parts = List.of(cmd("SELECT", "0"), ascii("#TS:1700000000\r\n"),
            cmd(ascii("SET"), ascii("key:1"), tricky), MULTI, SET_B, ascii("#TS:1700000001\r\n"), cmd("INCR", "b"), EXEC,
            cmd(ascii("SET"), ascii("large"), large), cmd("PEXPIREAT", "key:1", "1796620805610"), MULTI, EXEC,
            cmd("DEL", "x"));
        final List<Part> kinds = List.of(Part.COMMAND, Part.ANNOTATION, Part.COMMAND, Part.MULTI, Part.COMMAND,
            Part.ANNOTATION, Part.COMMAND, Part.EXEC, Part.COMMAND, Part.COMMAND, Part.MULTI, Part.EXEC, Part.COMMAND);
        final byte[] whole = concat(parts.toArray(new byte[0][]));
        int oracleRuns = 0;
        for (int cut = 0; cut <= whole.length; cut++)
        {
            final AofReaderTestSupport.Expected expected = expectCut(parts, kinds, cut);
            final long valid = expected.valid();
            final List<byte[]> delivered = expected.delivered();
            final AofReadResult.Tail tail = expected.tail();

            final byte[] prefix = Arrays.copyOf(whole, cut);
            final Path file = write("cut.aof", prefix);
            final Recorder recorder = new Recorder();
            final AofReadResult result;
            try (AofReader reader = new AofReader(1 << 20, cut % 2 == 0 ? 16 : 4096, 1 << 20))
            {
                result = reader.read(file, 0, recorder);
            }
            final String at = "cut at " + cut + ": " + result;
            if (cut == 0)
            {
                assertEquals(AofReadResult.Kind.EMPTY, result.kind(), at);
                continue;
            }
            assertEquals(tail, result.tail(), at);
            assertEquals(valid, result.validLength(), at);
            assertTrue(result.validLength() <= cut, at);
            assertEquals(delivered.size(), recorder.commands.size(), at);
            for (int i = 0; i < delivered.size(); i++)
            {
                final byte[][] args = recorder.commands.get(i);
                assertArrayEquals(delivered.get(i), cmd(args), at);
            }
            if (tail != AofReadResult.Tail.CUT_ANNOTATION) // Redis takes a cut annotation for a whole one
            {
                assertCheckAofAgrees(file, valid, tail == AofReadResult.Tail.NONE);
                oracleRuns++;
            }

            // the same cut followed by zeros, as MappedAppendFile leaves a crashed file
            final Path padded = write("padded.aof", concat(prefix, new byte[1 + random.nextInt(3000)]));
            final AofReadResult paddedResult;
            try (AofReader reader = new AofReader(1 << 20, 16, 1 << 20))
            {
                paddedResult = reader.read(padded, 0, new Recorder());
            }
            final String paddedAt = "cut at " + cut + " then zeros: " + paddedResult;
            assertEquals(valid, paddedResult.validLength(), paddedAt);
            assertEquals(delivered.size(), paddedResult.commands(), paddedAt);
            switch (tail)
            {
                case NONE -> assertEquals(AofReadResult.Tail.ZERO_PADDING, paddedResult.tail(), paddedAt);
                case CUT_COMMAND -> assertTrue(paddedResult.tail() == AofReadResult.Tail.CUT_INTO_ZEROS ||
                    paddedResult.tail() == AofReadResult.Tail.CUT_COMMAND, paddedAt);
                default -> assertEquals(tail, paddedResult.tail(), paddedAt);
            }
            if (tail != AofReadResult.Tail.CUT_ANNOTATION && cut % 3 == 0)
            {
                assertCheckAofAgrees(padded, valid, false);
            }
        }
        System.out.println("redis-check-aof agreed on " + oracleRuns + " cut files (0 if it is not installed)");
    }

    @Test
    void shouldStopAtZerosAfterTheCommands() throws Exception
    {
        final Path path = dir.resolve("appendonly.aof.1.incr.aof");
        final long chunk = MappedAppendFile.MIN_CHUNK_SIZE_BYTES;
        final byte[] commands = concat(SET_A, SET_B, SET_C);
        try (MappedAppendFile file = MappedAppendFile.create(path, chunk))
        {
            // before the first append: a whole chunk of zeros, as a crash right after creating it leaves it
            AofReadResult result = read(path, new Recorder());
            assertEquals(AofReadResult.Tail.ZERO_PADDING, result.tail());
            assertEquals(0, result.validLength());
            assertEquals(chunk, result.fileSize());

            file.append(new UnsafeBuffer(commands), 0, commands.length);
            // open, as a process killed now leaves it: the commands, then zeros to the chunk's end
            final Recorder recorder = new Recorder();
            result = read(path, recorder);
            assertEquals(AofReadResult.Tail.ZERO_PADDING, result.tail());
            assertFalse(result.torn());
            assertEquals(commands.length, result.validLength());
            assertEquals(List.of("SET a 1", "SET b 2", "SET c 3"), recorder.texts());
            assertCheckAofAgrees(path, commands.length, false);

            // half a command written: cut into zeros, torn
            file.append(new UnsafeBuffer(SET_A), 0, SET_A.length / 2);
            result = read(path, new Recorder());
            assertEquals(AofReadResult.Tail.CUT_INTO_ZEROS, result.tail());
            assertTrue(result.torn());
            assertEquals(commands.length, result.validLength());
        }
        // a clean close cuts the file after the half command: now it is cut by the end of the file
        AofReadResult result = read(path, new Recorder());
        assertEquals(AofReadResult.Tail.CUT_COMMAND, result.tail());
        assertEquals(commands.length, result.validLength());

        // what the loader does next: reopen at the valid length and go on appending
        try (MappedAppendFile file = MappedAppendFile.openForAppend(path, result.validLength(), chunk))
        {
            file.append(new UnsafeBuffer(SET_A), 0, SET_A.length);
        }
        final Recorder recorder = new Recorder();
        result = read(path, recorder);
        assertEquals(AofReadResult.Tail.NONE, result.tail());
        assertEquals(List.of("SET a 1", "SET b 2", "SET c 3", "SET a 1"), recorder.texts());
    }

    @Test
    void shouldRefuseGarbageInTheMiddleNamingTheOffset() throws Exception
    {
        final Path middle = write("middle.aof", concat(SET_A, ascii("xyz\r\n"), SET_B));
        final AofReadException garbage = refused(middle);
        assertEquals(AofReadException.Reason.BAD_FORMAT, garbage.reason());
        assertEquals(SET_A.length, garbage.offset());
        assertEquals(SET_A.length, garbage.validLength());
        assertTrue(garbage.getMessage().contains(middle.toString()) && garbage.getMessage().contains("offset 27"),
            garbage.getMessage());
        assertTrue(garbage.getMessage().startsWith("Bad file format reading the append only file"));
        assertCheckAofAgrees(middle, SET_A.length, false);

        // damage inside a command, with more after it: the byte named, the command's start is where it is valid
        final byte[] damaged = concat(SET_A, SET_B, SET_C);
        damaged[SET_A.length + SET_B.length - 2] = 'x'; // the \r after SET b's value
        final AofReadException inside = refused(write("inside.aof", damaged));
        assertEquals(SET_A.length + SET_B.length - 2, inside.offset());
        assertEquals(SET_A.length, inside.validLength());
        assertCheckAofAgrees(dir.resolve("inside.aof"), SET_A.length, false);

        // garbage after the last command is not a torn tail either (redis-server 7.0.15: fatal)
        final AofReadException tail = refused(write("tail.aof", concat(SET_A, SET_B, ascii("xyz"))));
        assertEquals(2L * SET_A.length, tail.offset());
        // nor other bytes than \r\n after the last argument (redis-server loads it, redis-check-aof does not)
        refused(write("crlf.aof", concat(SET_A, Arrays.copyOf(SET_B, SET_B.length - 2), ascii("xy"))));
        // LF-only lines, *0, a sign
        refused(write("lf.aof", concat(SET_A, ascii("*3\n$3\nSET\n$1\nb\n$1\n2\n"))));
        refused(write("zero.aof", concat(SET_A, ascii("*0\r\n"), SET_B)));
        refused(write("plus.aof", concat(SET_A, ascii("*+3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n"))));

        // a hole of zeros with commands after it: not the end of the file
        final Path hole = write("hole.aof", concat(SET_A, new byte[4096], SET_B));
        final AofReadException zeros = refused(hole);
        assertEquals(AofReadException.Reason.ZEROS_BEFORE_DATA, zeros.reason());
        assertEquals(SET_A.length, zeros.offset());
        assertTrue(zeros.getMessage().contains("then data at offset " + (SET_A.length + 4096)), zeros.getMessage());
        assertCheckAofAgrees(hole, SET_A.length, false);
    }

    @Test
    void shouldDropAnUnfinishedMultiAtTheTail() throws Exception
    {
        // a whole transaction is handed on at its EXEC, without MULTI and EXEC, in order, with its own offsets
        final Recorder complete = new Recorder();
        final AofReadResult done = read(write("done.aof", concat(SET_A, cmd("multi"), SET_B, SET_C, cmd("exec"))), complete);
        assertEquals(List.of("SET a 1", "SET b 2", "SET c 3"), complete.texts());
        assertEquals(List.of(0L, (long)SET_A.length + MULTI.length, (long)SET_A.length + MULTI.length + SET_B.length),
            complete.offsets);
        assertEquals(AofReadResult.Tail.NONE, done.tail());

        for (final byte[] unfinished : List.of(concat(SET_A, MULTI, SET_B, SET_C),
            concat(SET_A, MULTI, SET_B, Arrays.copyOf(SET_C, 10)), concat(SET_A, MULTI, SET_B, new byte[100])))
        {
            final Path file = write("unfinished.aof", unfinished);
            final Recorder recorder = new Recorder();
            final AofReadResult result = read(file, recorder);
            assertEquals(AofReadResult.Tail.UNFINISHED_MULTI, result.tail());
            assertTrue(result.torn());
            assertEquals(SET_A.length, result.validLength(), "cut before the MULTI, as Redis reverts it");
            assertEquals(List.of("SET a 1"), recorder.texts(), "nothing of the transaction is handed on");
            assertTrue(result.describe().contains("Revert incomplete MULTI/EXEC transaction"), result.describe());
            assertCheckAofAgrees(file, SET_A.length, false);
        }
    }

    @Test
    void shouldSkipTimestampAnnotations() throws Exception
    {
        final byte[] longest = concat(ascii("#"), "x".repeat(AofReader.ANNOTATION_LINE_MAX_BYTES - 3).getBytes(), ascii("\r\n"));
        assertEquals(AofReader.ANNOTATION_LINE_MAX_BYTES, longest.length);
        final Path file = write("ts.aof", concat(ascii("#TS:1700000000\r\n"), SET_A, ascii("#TS:1700000001\r\n"), MULTI,
            ascii("#TS:1700000002\r\n"), SET_B, EXEC, longest, SET_C));
        final Recorder recorder = new Recorder();
        final AofReadResult result = read(file, recorder);
        assertEquals(List.of("SET a 1", "SET b 2", "SET c 3"), recorder.texts());
        assertEquals(AofReadResult.Tail.NONE, result.tail());
        assertEquals(Files.size(file), result.validLength());
        assertCheckAofAgrees(file, Files.size(file), true);

        // one byte longer: Redis's fgets reads the rest as a line of its own, "Bad file format"
        final byte[] tooLong = concat(ascii("#"), "x".repeat(AofReader.ANNOTATION_LINE_MAX_BYTES - 2).getBytes(), ascii("\r\n"));
        assertEquals(AofReadException.Reason.BAD_FORMAT, refused(write("long.aof", concat(SET_A, tooLong, SET_B))).reason());

        // an annotation cut at the end: no command lost (Redis skips it), but it is cut off before appending
        final AofReadResult cut = read(write("cut.aof", concat(SET_A, ascii("#TS:17000"))), new Recorder());
        assertEquals(AofReadResult.Tail.CUT_ANNOTATION, cut.tail());
        assertFalse(cut.torn());
        assertEquals(SET_A.length, cut.validLength());
    }

    @Test
    void shouldRefuseAHugeBulkLengthWithoutAllocatingIt() throws Exception
    {
        final byte[] set = ascii("*3\r\n$3\r\nSET\r\n");
        final List<String> lengths = List.of("$9223372036854775807\r\n", "$9223372036854775808\r\n", "$-1\r\n",
            "$536870913\r\n", "$99999999999999999999999\r\n");
        try (AofReader reader = new AofReader(AofReader.DEFAULT_PROTO_MAX_BULK_LEN))
        {
            final int capacity = reader.bufferCapacity();
            for (final String length : lengths)
            {
                final Path file = write("huge.aof", concat(SET_A, set, ascii(length), SET_B));
                final long before = allocatedBytes();
                final AofReadException ex = assertThrows(AofReadException.class, () -> reader.read(file, 0, new Recorder()));
                assertTrue(allocatedBytes() - before < 1 << 20, length + " allocated " + (allocatedBytes() - before));
                assertEquals(SET_A.length, ex.validLength(), ex.getMessage());
                // the '$' of a length too large, the '-' of a negative one
                final boolean negative = length.startsWith("$-");
                assertEquals(SET_A.length + set.length + (negative ? 1 : 0), ex.offset(), ex.getMessage());
                assertEquals(negative ? AofReadException.Reason.BAD_FORMAT : AofReadException.Reason.TOO_LARGE,
                    ex.reason(), ex.getMessage());
                assertCheckAofAgrees(file, SET_A.length, false);
            }
            for (final String count : List.of("*-1\r\n", "*2147483648\r\n", "*0\r\n"))
            {
                final AofReadException ex = assertThrows(AofReadException.class,
                    () -> reader.read(write("count.aof", concat(SET_A, ascii(count), SET_B)), 0, new Recorder()));
                assertEquals(AofReadException.Reason.BAD_FORMAT, ex.reason());
                assertEquals(SET_A.length + (count.startsWith("*-") ? 1 : 0), ex.offset(), ex.getMessage());
                assertEquals(SET_A.length, ex.validLength());
            }
            // within the limits but more than the file holds: a cut command, and still nothing allocated for it
            for (final String cut : List.of("*3\r\n$3\r\nSET\r\n$536870912\r\nabc", "*2147483647\r\n$1\r\nx\r\n"))
            {
                final long before = allocatedBytes();
                final AofReadResult result = reader.read(write("cut.aof", concat(SET_A, ascii(cut))), 0, new Recorder());
                assertTrue(allocatedBytes() - before < 1 << 20);
                assertEquals(AofReadResult.Tail.CUT_COMMAND, result.tail());
                assertEquals(SET_A.length, result.validLength());
            }
            assertEquals(capacity, reader.bufferCapacity(), "the read buffer never grew");
        }
        // a command longer than the largest buffer is refused before it is read
        try (AofReader reader = new AofReader(1 << 20, 64, 4096))
        {
            final Path file = write("long.aof", concat(SET_A, cmd(ascii("SET"), ascii("k"), new byte[5000])));
            final AofReadException ex = assertThrows(AofReadException.class, () -> reader.read(file, 0, new Recorder()));
            assertEquals(AofReadException.Reason.TOO_LARGE, ex.reason());
        }
    }

    @Test
    void shouldRecognizeARedisRdbBase() throws Exception
    {
        // an empty RDB of version 10 as redis-server 7.0 writes it: magic, EOF opcode, CRC64
        final byte[] rdb = concat(ascii("REDIS0010"), new byte[] {(byte)0xFF, 0, 0, 0, 0, 0, 0, 0, 0});
        final AofReadResult result = read(write("appendonly.aof.1.base.rdb", rdb), new Recorder());
        assertEquals(AofReadResult.Kind.REDIS_RDB, result.kind());
        assertTrue(result.describe().contains("Redis RDB file, which KeelKV does not read"), result.describe());

        if (AofReaderTestSupport.onPath("redis-server"))
        {
            // the base a real redis-server writes with aof-use-rdb-preamble yes (its default)
            final Path redisDir = Files.createDirectory(dir.resolve("redis"));
            try (RedisServer redis = RedisServer.start(redisDir, "--appendonly", "yes"))
            {
                redis.call("SET", "a", "1");
                redis.shutdown();
            }
            final Path aofDir = redisDir.resolve("appendonlydir");
            try (var files = Files.list(aofDir))
            {
                final Path base = files.filter(p -> p.getFileName().toString().contains(".base.")).findFirst().orElseThrow();
                assertEquals(AofReadResult.Kind.REDIS_RDB, read(base, new Recorder()).kind(), base.toString());
            }
        }
    }

    @Test
    void shouldRecognizeAKeelSnapshotBase() throws Exception
    {
        final Path snapshot = dir.resolve("appendonly.aof.1.base.rdb");
        try (KeelEngine engine = new KeelEngine())
        {
            engine.execute(Args.of("SET", "a", "1"), new RespWriter(64));
            engine.save(snapshot);
        }
        final AofReadResult result = read(snapshot, new Recorder());
        assertEquals(AofReadResult.Kind.KEEL_SNAPSHOT, result.kind());
        assertEquals(0, result.commands());

        // only at offset 0: the magic further in is no base, it is damage
        final byte[] magic = SnapshotHeaderDescriptor.MAGIC;
        assertEquals(AofReadResult.Kind.EMPTY, read(write("empty.aof", new byte[0]), new Recorder()).kind());
        assertThrows(AofReadException.class, () -> read(write("later.aof", concat(SET_A, magic)), new Recorder()));
    }

    @Test
    void shouldReadAnArgumentLargerThanItsBuffer() throws Exception
    {
        final SplittableRandom random = random("shouldReadAnArgumentLargerThanItsBuffer");
        final byte[] value = new byte[1 << 20];
        random.nextBytes(value);
        final List<byte[]> commands = new ArrayList<>(List.of(SET_A, cmd(ascii("SET"), ascii("big"), value), SET_B));
        for (int i = 0; i < 2000; i++)
        {
            final byte[] bytes = new byte[random.nextInt(random.nextInt(10) == 0 ? 20_000 : 40)];
            random.nextBytes(bytes);
            commands.add(cmd(ascii("SET"), ascii("k" + i), bytes));
        }
        final Path file = write("big.aof", concat(commands.toArray(new byte[0][])));
        try (AofReader reader = new AofReader(AofReader.DEFAULT_PROTO_MAX_BULK_LEN, 64, AofReader.MAX_COMMAND_BYTES))
        {
            final Recorder recorder = new Recorder();
            final AofReadResult result = reader.read(file, 0, recorder);
            assertEquals(AofReadResult.Tail.NONE, result.tail());
            assertEquals(commands.size(), recorder.commands.size());
            for (int i = 0; i < commands.size(); i++)
            {
                assertArrayEquals(commands.get(i), cmd(recorder.commands.get(i)), "command " + i);
            }
            assertTrue(reader.bufferCapacity() > value.length, "grown to " + reader.bufferCapacity());
            assertEquals(Files.size(file), reader.bytesRead());

            // the reader is reused: the next file starts where asked, progress adds up
            final Recorder second = new Recorder();
            final AofReadResult fromOffset = reader.read(file, SET_A.length, second);
            assertEquals(commands.size() - 1, second.commands.size());
            assertEquals(List.of((long)SET_A.length, (long)SET_A.length + commands.get(1).length),
                second.offsets.subList(0, 2), "offsets are the file's");
            assertEquals(2 * Files.size(file) - SET_A.length, reader.bytesRead());
            assertEquals(Files.size(file), fromOffset.validLength());
        }
    }
}
