package io.keelkv.engine.snapshot;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.command.LocalClient;
import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/** Engines, seeded random datasets and dataset dumps for the snapshot tests. */
final class SnapshotTestSupport
{
    static final long FAR_FUTURE_MS = System.currentTimeMillis() + 3_600_000L;

    private SnapshotTestSupport()
    {
    }

    static KeelEngine engine(final int pageSizeBytes, final int databases)
    {
        return engine(pageSizeBytes, databases, new EngineSettings().loadPrefaultThread);
    }

    /** @param prefault whether a load faults page memory in on a second thread (default: with more than one CPU). */
    static KeelEngine engine(final int pageSizeBytes, final int databases, final boolean prefault)
    {
        final EngineSettings settings = new EngineSettings();
        settings.pageSizeBytes = pageSizeBytes;
        settings.databases = databases;
        settings.seed = 42;
        settings.loadPrefaultThread = prefault;
        return new KeelEngine(settings);
    }

    static long seed()
    {
        final long seed = Long.getLong("keel.seed", System.nanoTime());
        System.out.println("seed " + seed + " (rerun with -Dkeel.seed=" + seed + ")");
        return seed;
    }

    /** Run one command as a local client in {@code db}; @return the reply as ISO-8859-1 text. */
    static String call(final KeelEngine engine, final int db, final String... args)
    {
        final byte[][] parts = new byte[args.length][];
        for (int i = 0; i < args.length; i++)
        {
            parts[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        return call(engine, db, parts);
    }

    static String call(final KeelEngine engine, final int db, final byte[]... parts)
    {
        final LocalClient client = new LocalClient(1, false);
        client.db(db);
        final RespWriter out = new RespWriter(1024);
        engine.dispatcher().execute(Args.of(parts), out, client);
        final byte[] reply = new byte[out.pending()];
        out.buffer().getBytes(out.readIndex(), reply);
        return new String(reply, StandardCharsets.ISO_8859_1);
    }

    static String digest(final KeelEngine engine)
    {
        return call(engine, 0, "DEBUG", "DIGEST");
    }

    /**
     * One seeded round of writes: SETs of small and span-sized values (some with a TTL), overwrites that
     * change block sizes, and deletes, over {@code databases} databases.
     */
    static void randomOps(final KeelEngine engine, final SplittableRandom random, final int ops, final int databases,
        final int keySpace, final int pageSizeBytes)
    {
        for (int i = 0; i < ops; i++)
        {
            final int db = random.nextInt(databases);
            final byte[] key = ("k:" + random.nextInt(keySpace)).getBytes(StandardCharsets.US_ASCII);
            final int action = random.nextInt(18);
            if (action >= 16)
            {
                // sorted sets: a listpack inline in the entry until the 129th member or a member past 64 bytes
                // makes a skiplist (a root, a dict and a score tree in blocks of their own)
                final byte[] zsetKey = ("z:" + random.nextInt(keySpace / 10 + 1)).getBytes(StandardCharsets.US_ASCII);
                final int n = random.nextInt(300);
                final byte[] member = (random.nextInt(40) == 0 ? "m".repeat(70) + n : "m" + n).getBytes(StandardCharsets.US_ASCII);
                if (action == 16 || random.nextBoolean())
                {
                    call(engine, db, bytes("ZADD"), zsetKey, bytes(String.valueOf(random.nextInt(100) / 4.0)), member);
                }
                else
                {
                    call(engine, db, bytes(random.nextBoolean() ? "ZREM" : "ZPOPMIN"), zsetKey, random.nextBoolean() ?
                        member : bytes("1"));
                }
                continue;
            }
            if (action >= 14)
            {
                // lists: a quicklist root and listpack nodes of their own; pops free emptied nodes and lists
                final byte[] listKey = ("l:" + random.nextInt(keySpace / 10 + 1)).getBytes(StandardCharsets.US_ASCII);
                final int pick = random.nextInt(6);
                final String command = pick < 2 ? "RPUSH" : pick < 4 ? "LPUSH" : pick == 4 ? "LPOP" : "RPOP";
                if (pick < 4)
                {
                    call(engine, db, bytes(command), listKey, value(random, random.nextInt(random.nextInt(30) == 0 ? 5000 : 60)),
                        String.valueOf(random.nextInt(1000)).getBytes(StandardCharsets.US_ASCII));
                }
                else
                {
                    call(engine, db, bytes(command), listKey);
                }
                continue;
            }
            if (action >= 12)
            {
                // sets: an intset inline in its entry until a string member or the 513th member makes a hashtable
                final byte[] setKey = ("s:" + random.nextInt(keySpace / 10 + 1)).getBytes(StandardCharsets.US_ASCII);
                final int n = random.nextInt(700);
                final byte[] member = (random.nextInt(50) == 0 ? "m" + n : String.valueOf(n)).getBytes(StandardCharsets.US_ASCII);
                call(engine, db, bytes(action == 12 ? "SADD" : random.nextBoolean() ? "SREM" : "SPOP"), setKey, member);
                continue;
            }
            if (action >= 10)
            {
                // hashes: listpacks inline in their entries, grown and shrunk in place or moved
                final byte[] hashKey = ("h:" + random.nextInt(keySpace / 10 + 1)).getBytes(StandardCharsets.US_ASCII);
                final byte[] field = ("f" + random.nextInt(40)).getBytes(StandardCharsets.US_ASCII);
                if (action == 10)
                {
                    // a value past 64 bytes makes a hashtable (its dict in pages of its own), else a listpack
                    call(engine, db, bytes("HSET"), hashKey, field, value(random, random.nextInt(90)));
                }
                else
                {
                    call(engine, db, bytes("HDEL"), hashKey, field);
                }
                continue;
            }
            if (action < 2)
            {
                call(engine, db, "DEL".getBytes(StandardCharsets.US_ASCII), key);
                continue;
            }
            final int length = action == 2 ? pageSizeBytes / 2 + random.nextInt(3 * pageSizeBytes) :
                random.nextInt(action < 6 ? 40 : 900);
            final byte[] value = value(random, length);
            if (action % 3 == 0)
            {
                // absolute deadlines: two engines replaying the same history at different times must agree
                final long at = FAR_FUTURE_MS + random.nextInt(1_000_000);
                call(engine, db, bytes("SET"), key, value, bytes("PXAT"), bytes(Long.toString(at)));
            }
            else
            {
                call(engine, db, bytes("SET"), key, value);
            }
        }
    }

    /** Half random bytes, half a repeated pattern: pages that LZ4 compresses some, not all. */
    static byte[] value(final SplittableRandom random, final int length)
    {
        final byte[] value = new byte[length];
        for (int i = 0; i < length; i++)
        {
            value[i] = i < length / 2 ? (byte)random.nextInt(256) : (byte)('a' + i % 7);
        }
        return value;
    }

    static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Every entry of every database as "db key value-length:value-hash expireAt type", sorted: TTL values included
     * (DEBUG DIGEST only sees whether a key has one); the digest covers the value bytes. */
    static List<String> dump(final KeelEngine engine)
    {
        final TreeSet<String> lines = new TreeSet<>();
        final EntryFlyweight entry = new EntryFlyweight(engine.memory());
        final Base64.Encoder base64 = Base64.getEncoder();
        for (int i = 0; i < engine.keyspace().databaseCount(); i++)
        {
            final Database db = engine.keyspace().database(i);
            final int index = i;
            db.forEach(e ->
            {
                entry.wrap(e);
                final byte[] value = entry.valueBytes();
                lines.add(index + " " + base64.encodeToString(entry.keyBytes()) + " " + value.length + ":" +
                    Arrays.hashCode(value) + " " + (entry.hasExpire() ? entry.expireAt() : -1) + " " + entry.type());
            });
        }
        return new ArrayList<>(lines);
    }

    /** The allocator's state as numbers: equal on two engines that went through the same history. */
    static String allocatorState(final KeelEngine engine)
    {
        final PageMemory memory = engine.memory();
        final StringBuilder sb = new StringBuilder();
        sb.append("pages=").append(memory.pagesInUse()).append(" allocated=").append(memory.allocatedBytes())
            .append(" limit=").append(memory.pageNumberLimit());
        for (int i = 0; i < engine.keyspace().databaseCount(); i++)
        {
            final Database db = engine.keyspace().database(i);
            sb.append(" db").append(i).append('=').append(db.size()).append('/').append(db.volatileCount())
                .append('/').append(db.bucketCount()).append(db.isRehashing() ? "r" : "");
        }
        return sb.toString();
    }

    static Path tempDir() throws IOException
    {
        final Path dir = Files.createTempDirectory("keel-snapshot");
        dir.toFile().deleteOnExit();
        return dir;
    }

    static void deleteTree(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.walk(dir))
        {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
