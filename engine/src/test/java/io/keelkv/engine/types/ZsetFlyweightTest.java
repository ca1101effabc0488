package io.keelkv.engine.types;

import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.command.LocalClient;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.ObjectType;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The listpack encoding of sorted sets byte for byte: after the same random writes (ZADD with its flags, ZINCRBY,
 * ZREM, pops, range removals), a KeelKV entry's value is exactly the listpack redis-server 7.0.15 DUMPs, so member
 * order, integer packing of members and scores, and d2string's score texts (0.1 as "%.17g", 2^52 and past, -0,
 * inf) all agree.
 */
class ZsetFlyweightTest
{
    private static final String[] SCORES = {
        "0", "-0", "1", "-1", "0.1", "1.5", "-2.25", "100", "1e20", "-1e-5", "inf", "-inf", "4503599627370495",
        "4503599627370496", "-4503599627370495", "-4503599627370496", "123456789012345678", "3.0000000000000004",
        "1e308", "5e-324", "0x10", "12345", "65536", "-8192", "4095"};
    private static final String[] MEMBERS = {
        "a", "b", "c", "ab", "abc", "", "0", "1", "-1", "10", "007", "12345678901234567890", "9223372036854775807",
        "-9223372036854775808", "x y", "long-member-" + "z".repeat(60), "127", "128", "-4096", "4095"};

    @Test
    void shouldStoreTheListpackRedisDumps() throws Exception
    {
        final long seed = System.nanoTime();
        System.out.println("ZsetFlyweightTest seed " + seed);
        final Random random = new Random(seed);
        try (RedisDumpOracle redis = RedisDumpOracle.start(); KeelEngine engine = new KeelEngine())
        {
            final LocalClient client = new LocalClient(1, false);
            final RespWriter out = new RespWriter(1 << 16);
            for (final KeelEngine e : List.of(engine))
            {
                e.settings().zsetMaxListpackEntries = 100_000;
                e.settings().zsetMaxListpackValue = 100_000;
                e.applySettings();
            }
            redis.call("CONFIG", "SET", "zset-max-listpack-entries", "100000");
            redis.call("CONFIG", "SET", "zset-max-listpack-value", "100000");
            for (int round = 0; round < 8; round++)
            {
                redis.call("DEL", "z");
                call(engine, out, client, "DEL", "z");
                for (int op = 0; op < 60; op++)
                {
                    final List<String> command = randomCommand(random);
                    final Object expected = redis.call(command.toArray(new String[0]));
                    final String reply = call(engine, out, client, command.toArray(new String[0]));
                    assertNotEquals('-', reply.isEmpty() ? ' ' : reply.charAt(0),
                        "seed " + seed + ": " + command + " -> " + reply + " (redis: " + describe(expected) + ")");
                    final byte[] keel = valueBytes(engine, "z");
                    if (keel == null)
                    {
                        assertEquals(0L, redis.call("EXISTS", "z"), "seed " + seed + " after " + command);
                        continue;
                    }
                    final byte[] dump = RedisDumpOracle.blobOf((byte[])redis.call("DUMP", "z"),
                        RedisDumpOracle.RDB_TYPE_ZSET_LISTPACK);
                    assertArrayEquals(dump, keel, "seed " + seed + " round " + round + " after " + command);
                }
            }
        }
    }

    private static List<String> randomCommand(final Random random)
    {
        final List<String> c = new ArrayList<>();
        final int kind = random.nextInt(10);
        if (kind < 5)
        {
            c.add("ZADD");
            c.add("z");
            final String[] flags = {"NX", "XX", "GT", "LT", "CH"};
            if (random.nextInt(4) == 0)
            {
                c.add(flags[random.nextInt(flags.length)]);
            }
            final int pairs = 1 + random.nextInt(4);
            for (int i = 0; i < pairs; i++)
            {
                c.add(SCORES[random.nextInt(SCORES.length)]);
                c.add(MEMBERS[random.nextInt(MEMBERS.length)]);
            }
        }
        else if (kind == 5)
        {
            c.add("ZINCRBY");
            c.add("z");
            c.add(random.nextBoolean() ? "0.5" : SCORES[random.nextInt(10)]); // finite: inf + -inf is an error
            c.add(MEMBERS[random.nextInt(MEMBERS.length)]);
        }
        else if (kind == 6)
        {
            c.add("ZREM");
            c.add("z");
            c.add(MEMBERS[random.nextInt(MEMBERS.length)]);
        }
        else if (kind == 7)
        {
            c.add(random.nextBoolean() ? "ZPOPMIN" : "ZPOPMAX");
            c.add("z");
        }
        else if (kind == 8)
        {
            c.add("ZREMRANGEBYSCORE");
            c.add("z");
            c.add("(" + (random.nextInt(20) - 10));
            c.add(String.valueOf(random.nextInt(20) - 10));
        }
        else
        {
            c.add("ZREMRANGEBYRANK");
            c.add("z");
            c.add(String.valueOf(random.nextInt(5)));
            c.add(String.valueOf(random.nextInt(5)));
        }
        return c;
    }

    private static String call(final KeelEngine engine, final RespWriter out, final LocalClient client,
        final String... args)
    {
        out.clear();
        engine.dispatcher().execute(Args.of(args), out, client);
        final byte[] reply = new byte[out.pending()];
        out.buffer().getBytes(out.readIndex(), reply);
        return new String(reply, StandardCharsets.ISO_8859_1);
    }

    /** The key's value bytes (the listpack), or null when the key does not exist. */
    private static byte[] valueBytes(final KeelEngine engine, final String key)
    {
        final byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        final long e = engine.keyspace().lookupNoTouch(engine.keyspace().database(0), k,
            UnsafeApi.arrayBaseOffset(byte[].class), k.length);
        if (e == NULL_HANDLE)
        {
            return null;
        }
        final EntryFlyweight entry = new EntryFlyweight(engine.memory()).wrap(e);
        assertEquals(ObjectType.ZSET, entry.type());
        assertEquals(ObjectType.ENCODING_LISTPACK, entry.encoding());
        final byte[] bytes = new byte[entry.valueLength()];
        engine.memory().getBytes(entry.valueHandle(), bytes, 0, bytes.length);
        return bytes;
    }

    private static String describe(final Object reply)
    {
        return reply instanceof byte[] ? new String((byte[])reply, StandardCharsets.ISO_8859_1) : String.valueOf(reply);
    }
}
