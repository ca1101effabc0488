package io.keelkv.engine.aof;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.keelkv.engine.aof.AofReaderTestSupport.Recorder;
import static io.keelkv.engine.aof.AofReaderTestSupport.allocatedBytes;
import static io.keelkv.engine.aof.AofReaderTestSupport.assertCheckAofAgrees;
import static io.keelkv.engine.aof.AofReaderTestSupport.cmd;
import static io.keelkv.engine.aof.AofReaderTestSupport.concat;
import static io.keelkv.engine.aof.AofReaderTestSupport.read;
import static io.keelkv.engine.aof.AofReaderTestSupport.refused;
import static org.junit.jupiter.api.Assertions.*;

/**
 * AofReader's contract beyond the file format (AofReaderTest): transactions that redis-check-aof refuses,
 * no allocation per command, and the sink's refusals passed on.
 */
class AofReaderContractTest
{
    private static final byte[] SET_A = cmd("SET", "a", "1");
    private static final byte[] SET_B = cmd("SET", "b", "2");
    private static final byte[] SET_C = cmd("SET", "c", "3");
    private static final byte[] MULTI = cmd("MULTI");
    private static final byte[] EXEC = cmd("EXEC");

    @TempDir
    Path dir;

    private Path write(final String name, final byte[] bytes) throws Exception
    {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void shouldRefuseANestedMultiAndAnExecWithoutMulti() throws Exception
    {
        final Path nested = write("nested.aof", concat(SET_A, MULTI, SET_B, MULTI, SET_C, EXEC, EXEC));
        final AofReadException twice = refused(nested);
        assertEquals(AofReadException.Reason.NESTED_MULTI, twice.reason());
        assertEquals(SET_A.length + MULTI.length + SET_B.length, twice.offset());
        assertEquals(SET_A.length, twice.validLength());
        assertCheckAofAgrees(nested, SET_A.length, false);

        final Path lonely = write("lonely.aof", concat(SET_A, EXEC, SET_B));
        final AofReadException exec = refused(lonely);
        assertEquals(AofReadException.Reason.EXEC_WITHOUT_MULTI, exec.reason());
        assertEquals(SET_A.length, exec.offset());
        assertCheckAofAgrees(lonely, SET_A.length, false);
    }

    @Test
    void shouldAllocateNothingPerCommand() throws Exception
    {
        final List<byte[]> commands = new ArrayList<>();
        for (int i = 0; i < 50_000; i++)
        {
            commands.add(i % 100 == 0 ? concat(MULTI, SET_A, SET_B, EXEC) : cmd("SET", "key:" + i, "value-" + i));
        }
        final Path file = write("many.aof", concat(commands.toArray(new byte[0][])));
        final long[] count = new long[1];
        try (AofReader reader = new AofReader(AofReader.DEFAULT_PROTO_MAX_BULK_LEN))
        {
            final CommandSink sink = (args, offset) -> count[0] += args.count();
            reader.read(file, 0, sink); // warm up
            final long before = allocatedBytes();
            final AofReadResult result = reader.read(file, 0, sink);
            final long allocated = allocatedBytes() - before;
            assertEquals(50_000 + 500, result.commands());
            assertTrue(allocated < 64 << 10, "allocated " + allocated + " bytes for " + result.commands() + " commands");
        }
    }

    @Test
    void shouldPassOnWhatTheSinkRefuses() throws Exception
    {
        final Path file = write("refuse.aof", concat(SET_A, cmd("NOSUCHCOMMAND"), SET_B));
        final AofReadException ex = assertThrows(AofReadException.class, () -> read(file, (args, offset) ->
        {
            if (args.equalsIgnoreCase(0, "nosuchcommand".getBytes(StandardCharsets.US_ASCII)))
            {
                throw new AofReadException(file, offset, "Unknown command '" + args.toString(0) + "'");
            }
        }));
        assertEquals(AofReadException.Reason.REFUSED, ex.reason());
        assertEquals(SET_A.length, ex.offset());
        assertEquals(AofReadException.Reason.NO_SUCH_FILE,
            assertThrows(AofReadException.class, () -> read(dir.resolve("missing.aof"), new Recorder())).reason());
    }

}
