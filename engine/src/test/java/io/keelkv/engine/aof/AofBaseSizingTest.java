package io.keelkv.engine.aof;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Before a RESP base is replayed, the database it fills gets a table for about as many keys as the base holds
 * (estimated from a sample of the file), so that the load does not double and rehash its way up.
 */
class AofBaseSizingTest
{
    @TempDir
    Path dir;

    private Path base(final int db, final int keys) throws IOException
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("*2\r\n$6\r\nSELECT\r\n$").append(Integer.toString(db).length()).append("\r\n").append(db).append("\r\n");
        for (int i = 0; i < keys; i++)
        {
            final String key = "key:" + i;
            sb.append("*3\r\n$3\r\nSET\r\n$").append(key.length()).append("\r\n").append(key).append("\r\n$5\r\nvalue\r\n");
        }
        final Path file = dir.resolve("appendonly.aof.1.base.aof");
        Files.write(file, sb.toString().getBytes(StandardCharsets.US_ASCII));
        return file;
    }

    @Test
    void shouldSizeTheSelectedDatabaseForTheKeysOfTheBase() throws Exception
    {
        try (KeelEngine engine = new KeelEngine(new EngineSettings()))
        {
            AofDirectory.presize(base(3, 50_000), engine.keyspace());
            final long buckets = engine.keyspace().database(3).bucketCount();
            assertTrue(buckets >= 50_000 && buckets <= 4 * 65_536, "database 3 sized to " + buckets);
            assertEquals(0, engine.keyspace().database(0).bucketCount(), "another database was sized");
        }
    }

    @Test
    void shouldLeaveASmallOrNonRespBaseAlone() throws Exception
    {
        try (KeelEngine engine = new KeelEngine(new EngineSettings()))
        {
            AofDirectory.presize(base(0, 100), engine.keyspace());
            assertEquals(0, engine.keyspace().database(0).bucketCount(), "a small base was sized");
            final Path snapshot = dir.resolve("snap.rdb");
            Files.write(snapshot, new byte[128 * 1024]); // not RESP: starts with zeros
            AofDirectory.presize(snapshot, engine.keyspace());
            assertEquals(0, engine.keyspace().database(0).bucketCount(), "a non-RESP base was sized");
        }
    }
}
