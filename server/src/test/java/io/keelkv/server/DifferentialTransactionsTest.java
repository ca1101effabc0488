package io.keelkv.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH beside redis-server 7.0. Each episode: a watcher watches a few
 * keys, a second client writes (or does not) between its WATCH and its EXEC, and the watcher queues a
 * random transaction: good commands, refused ones (unknown, wrong arity, not allowed in a transaction,
 * nested MULTI, WATCH inside), blocking pops (which answer at once inside EXEC), SELECT, and the writes
 * whose touched keys are told apart (DEL of missing keys, SMOVE of a member the destination holds, MOVE,
 * COPY ... DB, SORT ... STORE, multi-key pops, FLUSHDB, SWAPDB). Every reply of both clients is compared, in
 * RESP2 and RESP3, and the digests of the data after each seed.
 */
class DifferentialTransactionsTest
{
    private static final int EPISODES = 1500;
    private static final String[] KEYS = {"k1", "k2", "l1", "l2", "s1", "s2", "h1", "z1"};

    private static RedisOracle redis;
    private static KeelServer keel;

    @BeforeAll
    static void startServers() throws Exception
    {
        redis = RedisOracle.start();
        keel = TestServers.start("--enable-debug-command", "yes");
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

    @Test
    @Timeout(120)
    void shouldRunWatchedTransactionsExactlyAsRedis() throws Exception
    {
        run("shouldRunWatchedTransactionsExactlyAsRedis", 2);
    }

    @Test
    @Timeout(120)
    void shouldRunWatchedTransactionsExactlyAsRedisInResp3() throws Exception
    {
        run("shouldRunWatchedTransactionsExactlyAsRedisInResp3", 3);
    }

    /**
     * A client blocked on a key that a transaction pushes to and pops from is served after the whole EXEC
     * (Redis's handleClientsBlockedOnKeys after call()): the transaction's pop takes the element.
     */
    @Test
    @Timeout(60)
    void shouldServeBlockedClientsOnlyAfterTheWholeExec() throws Exception
    {
        final List<String> history = new ArrayList<>();
        try (Pair tx = new Pair("tx"); Pair blocked = new Pair("blocked"))
        {
            tx.same(0, history, "DEL", "q");
            blocked.redisClient.send("BLPOP", "q", "0");
            blocked.keelClient.send("BLPOP", "q", "0");
            tx.same(0, history, "CLIENT", "UNBLOCK", "0"); // a round trip on each: both BLPOPs are waiting
            tx.same(0, history, "MULTI");
            tx.same(0, history, "LPUSH", "q", "a");
            tx.same(0, history, "LPOP", "q");
            tx.same(0, history, "EXEC");
            tx.same(0, history, "LPUSH", "q", "b");
            assertEquals(blocked.redisClient.readReply(), blocked.keelClient.readReply());
            tx.same(0, history, "LLEN", "q");
        }
    }

    /** DEBUG RELOAD empties every database before it loads them again: a watcher of a key that existed fails. */
    @Test
    @Timeout(60)
    void shouldFailTheWatchersOfExistingKeysOnDebugReload() throws Exception
    {
        final List<String> history = new ArrayList<>();
        try (Pair watcher = new Pair("watcher"); Pair other = new Pair("other"))
        {
            watcher.same(0, history, "FLUSHALL");
            watcher.same(0, history, "SET", "k", "1");
            watcher.same(0, history, "WATCH", "k");
            other.same(0, history, "DEBUG", "RELOAD");
            watcher.same(0, history, "MULTI");
            watcher.same(0, history, "PING");
            watcher.same(0, history, "EXEC");
            watcher.same(0, history, "WATCH", "missing");
            other.same(0, history, "DEBUG", "RELOAD");
            watcher.same(0, history, "MULTI");
            watcher.same(0, history, "PING");
            watcher.same(0, history, "EXEC");
        }
    }

    private void run(final String name, final int protocol) throws Exception
    {
        final long seed = Long.getLong("keel.diff.seed", System.nanoTime());
        System.out.println(name + " seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        try (Pair watcher = new Pair("watcher"); Pair writer = new Pair("writer"))
        {
            final List<String> history = new ArrayList<>();
            watcher.same(seed, history, "FLUSHALL");
            watcher.both("HELLO", String.valueOf(protocol)); // the replies hold the client ids
            writer.both("HELLO", String.valueOf(protocol));
            for (int episode = 0; episode < EPISODES; episode++)
            {
                if (random.nextInt(4) == 0)
                {
                    watcher.same(seed, history, "SELECT", String.valueOf(random.nextInt(2)));
                }
                for (int w = random.nextInt(3); w > 0; w--)
                {
                    watcher.same(seed, history, watch(random));
                }
                for (int n = random.nextInt(3); n > 0; n--)
                {
                    writer.same(seed, history, write(random));
                }
                if (random.nextInt(6) == 0)
                {
                    watcher.same(seed, history, random.nextBoolean() ? write(random) : new String[] {"UNWATCH"});
                }
                if (random.nextInt(12) == 0)
                {
                    continue; // watches left for the next episode
                }
                watcher.same(seed, history, "MULTI");
                boolean inMulti = true;
                for (int q = random.nextInt(6); q > 0; q--)
                {
                    // a refused EXEC ends the transaction: what follows runs at once, so a pop may not block
                    final String reply = watcher.same(seed, history, queued(random, inMulti));
                    inMulti &= !reply.startsWith("-EXECABORT");
                }
                if (random.nextInt(4) == 0)
                {
                    writer.same(seed, history, write(random)); // between the queuing and the EXEC
                }
                watcher.same(seed, history, random.nextInt(10) == 0 ? "DISCARD" : "EXEC");
                if (episode % 100 == 99)
                {
                    watcher.same(seed, history, "DEBUG", "DIGEST");
                }
            }
            watcher.same(seed, history, "DEBUG", "DIGEST");
        }
    }

    private static String key(final SplittableRandom random)
    {
        return KEYS[random.nextInt(KEYS.length)];
    }

    private static String[] watch(final SplittableRandom random)
    {
        final String[] command = new String[2 + random.nextInt(3)];
        command[0] = "WATCH";
        for (int i = 1; i < command.length; i++)
        {
            command[i] = key(random);
        }
        return command;
    }

    private static String[] write(final SplittableRandom random)
    {
        final String k = key(random);
        switch (random.nextInt(30))
        {
            case 0: return new String[] {"SET", k, String.valueOf(random.nextInt(5))};
            case 1: return new String[] {"DEL", k, key(random)};
            case 2: return new String[] {"UNLINK", key(random)};
            case 3: return new String[] {"INCR", k};
            case 4: return new String[] {"LPUSH", random.nextBoolean() ? "l1" : "l2", String.valueOf(random.nextInt(9))};
            case 5: return new String[] {"RPOP", random.nextBoolean() ? "l1" : "l2"};
            case 6: return new String[] {"LMPOP", "2", "l1", "l2", random.nextBoolean() ? "LEFT" : "RIGHT"};
            case 7: return new String[] {"SADD", random.nextBoolean() ? "s1" : "s2", String.valueOf(random.nextInt(4))};
            case 8: return new String[] {"SMOVE", "s1", "s2", String.valueOf(random.nextInt(4))};
            case 9: return new String[] {"SREM", "s1", String.valueOf(random.nextInt(4))};
            case 10: return new String[] {"HSET", "h1", "f" + random.nextInt(3), String.valueOf(random.nextInt(3))};
            case 11: return new String[] {"HDEL", "h1", "f" + random.nextInt(3)};
            case 12: return new String[] {"RENAME", k, key(random)};
            case 13: return new String[] {"MOVE", k, "1"};
            case 14: return new String[] {"COPY", k, key(random), "DB", String.valueOf(random.nextInt(2)), "REPLACE"};
            case 15: return new String[] {"SORT", random.nextBoolean() ? "l1" : "s1", "ALPHA", "STORE", key(random)};
            case 16: return new String[] {"EXPIRE", k, "100000"};
            case 17: return new String[] {"PERSIST", k};
            case 18: return new String[] {"GETDEL", k};
            case 19: return new String[] {"MSET", k, "1", key(random), "2"};
            case 20: return new String[] {"ZADD", "z1", String.valueOf(random.nextInt(3)), "m" + random.nextInt(3)};
            case 21: return new String[] {"ZPOPMIN", "z1"};
            case 22: return new String[] {"SUNIONSTORE", key(random), "s1", "s2"};
            case 23: return new String[] {"SINTERSTORE", key(random), "s1", "s2"};
            case 24: return new String[] {"SETNX", k, "x"};
            case 25: return new String[] {"LMOVE", "l1", "l2", "LEFT", "RIGHT"};
            case 26: return new String[] {random.nextInt(5) == 0 ? "FLUSHDB" : "PING"};
            case 27: return new String[] {random.nextInt(5) == 0 ? "SWAPDB" : "ECHO", "0", "1"};
            case 28: return new String[] {"HINCRBY", "h1", "n", "1"};
            default: return new String[] {"APPEND", k, "a"};
        }
    }

    private static String[] queued(final SplittableRandom random, final boolean inMulti)
    {
        final String k = key(random);
        switch (random.nextInt(16))
        {
            case 0: return new String[] {"GET", k};
            case 1: return new String[] {"LRANGE", k, "0", "-1"};
            case 2: return new String[] {"EXISTS", k, key(random)};
            case 3: return new String[] {"TYPE", k};
            // inside EXEC it never blocks: with no timeout a blocking KeelKV would hang the test
            case 4: return new String[] {"BLPOP", "l1", "l2", inMulti ? "0" : "0.01"};
            case 5: return new String[] {"SELECT", String.valueOf(random.nextInt(2))};
            case 6:
            {
                // refused while queuing: the EXEC then answers EXECABORT
                final String[][] refused = {{"NOSUCHCOMMAND", k}, {"SET", k}, {"SAVE"}, {"GET"}, {"CONFIG", "NOPE"}, {"EXEC", k}};
                return random.nextInt(4) == 0 ? refused[random.nextInt(refused.length)] : new String[] {"DBSIZE"};
            }
            case 7: return random.nextInt(3) == 0 ? new String[] {"MULTI"} : new String[] {"HGETALL", "h1"};
            case 8: return random.nextInt(3) == 0 ? new String[] {"WATCH", k} : new String[] {"ZRANGE", "z1", "0", "-1"};
            case 9: return new String[] {"UNWATCH"};
            case 10: return new String[] {"SCARD", random.nextBoolean() ? "s1" : "s2"};
            default: return write(random);
        }
    }

    /** One client on each server, asked the same things. */
    private static final class Pair implements AutoCloseable
    {
        final RawRespClient redisClient = new RawRespClient(redis.port(), StandardCharsets.ISO_8859_1);
        final RawRespClient keelClient = new RawRespClient(keel.port(), StandardCharsets.ISO_8859_1);

        final String label;

        Pair(final String label) throws IOException
        {
            this.label = label;
        }

        String same(final long seed, final List<String> history, final String... command) throws IOException
        {
            final String printable = label + ": " + String.join(" ", command);
            history.add(printable);
            final String expected = redisClient.call(command);
            final String actual = keelClient.call(command);
            if (!expected.equals(actual))
            {
                final List<String> last = history.subList(Math.max(0, history.size() - 25), history.size());
                fail("seed " + seed + ": " + printable + "\nredis:  " + expected.replace("\r\n", "\\r\\n") +
                    "\nkeelkv: " + actual.replace("\r\n", "\\r\\n") + "\nlast commands:\n  " + String.join("\n  ", last));
            }
            assertEquals(expected, actual);
            return actual;
        }

        void both(final String... command) throws IOException
        {
            redisClient.call(command);
            keelClient.call(command);
        }

        @Override
        public void close() throws IOException
        {
            redisClient.close();
            keelClient.close();
        }
    }
}
