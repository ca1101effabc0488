package io.keelkv.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The sorted-set commands of {@link DifferentialTest}'s random streams. Commands go over the stream's keys (so
 * sorted sets meet strings, hashes, sets and lists: WRONGTYPE both ways, and sets as ZUNION/ZINTER/ZDIFF inputs),
 * with integer-like, long (past zset-max-listpack-value) and binary members, scores that are integers, halves,
 * 0.1, ±inf, -0, huge or not floats at all, exclusive and malformed range bounds, lex ranges over members sharing
 * a score, negative ranks and LIMIT offsets, the algebra and store commands over several keys, bursts of ZADD (so
 * listpacks convert to skiplists), the blocking pops BZPOPMIN/BZPOPMAX/BZMPOP over one to three keys (served at
 * once when a key holds data, else a timeout of about a millisecond: both servers answer the null array; or a
 * timeout or COUNT error), and now and then small zset-max-listpack-* set on both servers.
 *
 * <p>Replies compared exactly, except ZRANDMEMBER (random draws: compared by shape, every member drawn must be
 * there with the score replied) and ZSCAN of a skiplist (its dict's order and cursors are its server's own: run to
 * the end and compared sorted). A lex range over a skiplist whose members have different scores is unspecified in
 * Redis (its answer depends on its skip list's random towers), so such commands are not sent; nor is a blocking
 * pop whose timeout is endless (0, -0.001, huge) when none of its keys exists: both servers would block for good.
 */
final class DifferentialZsets
{
    private static final String[] MEMBERS = {"a", "b", "c", "d", "e", "1", "2", "-5", "0", "007", "10", "65536",
        "9223372036854775807", "x y", "\u00ff", "", "1.5", "m\r\n"};
    private static final String[] SCORES = {"0", "1", "2", "-1", "1.5", "-2.5", "0.1", "3", "10", "100", "-0",
        "inf", "-inf", "+inf", "1e20", "123456789012345678", "4503599627370497"};
    private static final String[] BAD_SCORES = {"x", "nan", "", "1e", "--1", "(1", "1 "};
    private static final String[] BOUNDS = {"-inf", "+inf", "inf", "0", "1", "(1", "2", "(2", "-1", "(-1", "1.5",
        "(0", "3", "10", "(inf", "(-inf", "", " 1", "x", "nan", "((1", "1e400", "-0"};
    private static final String[] LEX = {"-", "+", "[a", "(a", "[b", "(c", "[d", "[", "(", "[1", "(007", "a", "",
        "+x", "[x y", "[\u00ff"};
    private static final String[] RANKS = {"0", "1", "-1", "2", "-2", "3", "-3", "5", "-7", "20", "-20", "1000", "x",
        "9223372036854775807", "-9223372036854775808"};
    private static final String[] COUNTS = {"0", "1", "2", "3", "-1", "-3", "10", "100", "x"};
    private static final String[] LIMITS = {"16", "128", "2", "5", "0", "40"};
    /**
     * Timeouts that end within a few milliseconds (C's ceill of the milliseconds: 0.0001 is 1 ms, hex floats
     * are strtold's), never 0 or a valid huge one: with no data both servers would block for good.
     */
    private static final String[] SHORT_TIMEOUTS = {"0.001", "0.002", "0.0001", "1e-3", "0.0015", "0x1p-10", "+0.001"};
    /** Timeouts both servers refuse: not a float, negative, or past a long long once in milliseconds. */
    private static final String[] BAD_TIMEOUTS = {"x", "-1", "", "-0.5", "-0.01", "1e30", "inf", "-inf", "nan",
        "99999999999999999999", "1.5.2", "0.001 ", " 0.001", "1e", "0x"};
    /**
     * Timeouts that block for good, or for ages: 0, a negative one whose milliseconds round above -1 (-0.001 in
     * long double), a huge one still within a long long of milliseconds. Sent only when one of the keys exists
     * (then the command is served or refused at once): see {@link #wouldBlockForGood}.
     */
    private static final String[] ENDLESS_TIMEOUTS = {"0", "-0.001", "-0.0005", "-1e-400", "100", "0.1",
        "9223372036854775", "9223372036854775.807", "-0"};
    private static final String[] POP_COUNTS = {"1", "2", "3", "5", "100", "0", "-1", "x", "1.5", "",
        "9223372036854775807", "-9223372036854775808", "99999999999999999999"};

    private DifferentialZsets()
    {
    }

    private static String pick(final SplittableRandom random, final String[] from)
    {
        return from[random.nextInt(from.length)];
    }

    private static String member(final SplittableRandom random)
    {
        switch (random.nextInt(12))
        {
            case 0: return String.valueOf(random.nextInt(3000) - 100);
            case 1: return "w".repeat(random.nextInt(100));
            case 2: return "m" + random.nextInt(400);
            default: return pick(random, MEMBERS);
        }
    }

    private static String score(final SplittableRandom random)
    {
        switch (random.nextInt(14))
        {
            case 0: return pick(random, BAD_SCORES);
            case 1: return String.valueOf(random.nextInt(2000) - 1000);
            case 2: return String.valueOf((random.nextInt(200) - 100) / 8.0);
            default: return pick(random, SCORES);
        }
    }

    private static String timeout(final SplittableRandom random)
    {
        switch (random.nextInt(24))
        {
            case 0:
            case 1: return pick(random, BAD_TIMEOUTS);
            case 2:
            case 3: return pick(random, ENDLESS_TIMEOUTS);
            case 4:
            case 5:
            case 6:
            case 7: return pick(random, SHORT_TIMEOUTS);
            default: return "0.001";
        }
    }

    /**
     * BZPOPMIN/BZPOPMAX key [key ...] timeout over one to three keys (k repeated now and then), or without a
     * timeout (an arity error, or a key taken as the timeout).
     */
    private static String[] bzpop(final SplittableRandom random, final String k, final String[] keys)
    {
        final List<String> args = new ArrayList<>();
        args.add(random.nextInt(10) == 0 ? pick(random, new String[] {"bzpopmin", "bzpopmax"}) :
            random.nextBoolean() ? "BZPOPMIN" : "BZPOPMAX");
        args.add(k);
        for (int i = random.nextInt(3); i > 0; i--)
        {
            args.add(random.nextInt(5) == 0 ? k : pick(random, keys));
        }
        if (random.nextInt(25) > 0)
        {
            args.add(timeout(random));
        }
        return args.toArray(new String[0]);
    }

    /**
     * BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: numkeys that fit, or that do not (0, not a
     * number, past the keys), a bad end, COUNT's bad values, a repeated COUNT or one without its value.
     */
    private static String[] bzmpop(final SplittableRandom random, final String k, final String[] keys)
    {
        final List<String> args = new ArrayList<>();
        args.add("BZMPOP");
        args.add(timeout(random));
        final int n = 1 + random.nextInt(3);
        args.add(random.nextInt(15) == 0 ? pick(random, new String[] {"0", "x", "-1", "9", "", "1.0",
            "9223372036854775807"}) : String.valueOf(n));
        args.add(k);
        for (int i = 1; i < n; i++)
        {
            args.add(random.nextInt(5) == 0 ? k : pick(random, keys));
        }
        args.add(random.nextInt(10) == 0 ? pick(random, new String[] {"up", "MINMAX", "", "COUNT"}) :
            pick(random, new String[] {"MIN", "MAX", "min", "Max"}));
        switch (random.nextInt(12))
        {
            case 0:
            case 1:
            case 2:
            case 3: break;
            case 4: args.add("COUNT"); break;
            case 5: args.addAll(List.of("COUNT", "2", "COUNT", "1")); break;
            case 6: args.addAll(List.of(random.nextBoolean() ? "BOGUS" : "LIMIT", "1")); break;
            case 7: args.addAll(List.of("count", pick(random, POP_COUNTS))); break;
            default: args.addAll(List.of("COUNT", pick(random, POP_COUNTS)));
        }
        return args.toArray(new String[0]);
    }

    private static void limit(final SplittableRandom random, final List<String> args)
    {
        if (random.nextInt(3) == 0)
        {
            args.add(random.nextInt(10) == 0 ? "limit" : "LIMIT");
            args.add(pick(random, new String[] {"0", "1", "2", "-1", "5", "x"}));
            args.add(pick(random, new String[] {"1", "2", "-1", "0", "10", "x"}));
        }
    }

    static String[] zsetCommand(final SplittableRandom random, final String k, final String[] keys)
    {
        final List<String> args = new ArrayList<>();
        switch (random.nextInt(44))
        {
            case 0:
            case 1:
            case 2:
            {
                args.add("ZADD");
                args.add(k);
                if (random.nextInt(3) == 0)
                {
                    for (int i = random.nextInt(3); i >= 0; i--)
                    {
                        args.add(pick(random, new String[] {"NX", "XX", "GT", "LT", "CH", "INCR", "nx", "ch"}));
                    }
                }
                for (int i = random.nextInt(4); i >= 0; i--)
                {
                    args.add(score(random));
                    args.add(member(random));
                }
                if (random.nextInt(20) == 0)
                {
                    args.remove(args.size() - 1);
                }
                return args.toArray(new String[0]);
            }
            case 3:
            {
                // a burst: past small zset-max-listpack-entries, and past 128 now and then
                args.add("ZADD");
                args.add(k);
                for (int i = 1 + random.nextInt(random.nextInt(6) == 0 ? 200 : 40); i > 0; i--)
                {
                    args.add(String.valueOf(random.nextInt(40) / 4.0));
                    args.add(random.nextInt(4) == 0 ? member(random) : "m" + random.nextInt(400));
                }
                return args.toArray(new String[0]);
            }
            case 4:
            {
                // members sharing one score, for the lex ranges
                args.add("ZADD");
                args.add(k);
                for (int i = 1 + random.nextInt(10); i > 0; i--)
                {
                    args.add("0");
                    args.add(member(random));
                }
                return args.toArray(new String[0]);
            }
            case 5: return new String[] {"ZINCRBY", k, score(random), member(random)};
            case 6: return new String[] {"ZREM", k, member(random), member(random)};
            case 7: return new String[] {"ZCARD", k};
            case 8: return new String[] {"ZSCORE", k, member(random)};
            case 9: return new String[] {"ZMSCORE", k, member(random), member(random), member(random)};
            case 10: return new String[] {random.nextBoolean() ? "ZRANK" : "ZREVRANK", k, member(random)};
            case 11: return new String[] {"ZCOUNT", k, pick(random, BOUNDS), pick(random, BOUNDS)};
            case 12: return new String[] {"ZLEXCOUNT", k, pick(random, LEX), pick(random, LEX)};
            case 13:
            case 14:
            {
                args.add(random.nextBoolean() ? "ZRANGE" : "ZRANGESTORE");
                if (args.get(0).equals("ZRANGESTORE"))
                {
                    args.add(pick(random, keys));
                }
                args.add(k);
                final int type = random.nextInt(3);
                args.add(type == 0 ? pick(random, RANKS) : type == 1 ? pick(random, BOUNDS) : pick(random, LEX));
                args.add(type == 0 ? pick(random, RANKS) : type == 1 ? pick(random, BOUNDS) : pick(random, LEX));
                if (type == 1 || random.nextInt(20) == 0)
                {
                    args.add("BYSCORE");
                }
                if (type == 2 || random.nextInt(20) == 0)
                {
                    args.add("BYLEX");
                }
                if (random.nextBoolean())
                {
                    args.add("REV");
                }
                limit(random, args);
                if (random.nextInt(3) == 0)
                {
                    args.add("WITHSCORES");
                }
                return args.toArray(new String[0]);
            }
            case 15: return new String[] {"ZRANGE", k, pick(random, RANKS), pick(random, RANKS),
                random.nextBoolean() ? "WITHSCORES" : "withscores"};
            case 16:
            case 17:
            {
                args.add(random.nextBoolean() ? "ZRANGEBYSCORE" : "ZREVRANGEBYSCORE");
                args.add(k);
                args.add(pick(random, BOUNDS));
                args.add(pick(random, BOUNDS));
                if (random.nextBoolean())
                {
                    args.add("WITHSCORES");
                }
                limit(random, args);
                return args.toArray(new String[0]);
            }
            case 18:
            {
                args.add(random.nextBoolean() ? "ZRANGEBYLEX" : "ZREVRANGEBYLEX");
                args.add(k);
                args.add(pick(random, LEX));
                args.add(pick(random, LEX));
                limit(random, args);
                return args.toArray(new String[0]);
            }
            case 19: return new String[] {"ZREVRANGE", k, pick(random, RANKS), pick(random, RANKS),
                random.nextBoolean() ? "WITHSCORES" : "LIMIT"};
            case 20: return new String[] {"ZREMRANGEBYRANK", k, pick(random, RANKS), pick(random, RANKS)};
            case 21: return new String[] {"ZREMRANGEBYSCORE", k, pick(random, BOUNDS), pick(random, BOUNDS)};
            case 22: return new String[] {"ZREMRANGEBYLEX", k, pick(random, LEX), pick(random, LEX)};
            case 23:
            {
                args.add(random.nextBoolean() ? "ZPOPMIN" : "ZPOPMAX");
                args.add(k);
                if (random.nextBoolean())
                {
                    args.add(pick(random, COUNTS));
                }
                return args.toArray(new String[0]);
            }
            case 24:
            {
                args.add("ZMPOP");
                final int n = 1 + random.nextInt(3);
                args.add(random.nextInt(15) == 0 ? pick(random, new String[] {"0", "x", "-1", "9"}) : String.valueOf(n));
                args.add(k);
                for (int i = 1; i < n; i++)
                {
                    args.add(pick(random, keys));
                }
                args.add(pick(random, new String[] {"MIN", "MAX", "min", "up"}));
                if (random.nextBoolean())
                {
                    args.add(random.nextInt(10) == 0 ? "BOGUS" : "COUNT");
                    args.add(pick(random, COUNTS));
                }
                return args.toArray(new String[0]);
            }
            case 25:
            case 26:
            case 27:
            {
                final String[] ops = {"ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE",
                    "ZINTERCARD"};
                final String op = pick(random, ops);
                args.add(op);
                if (op.endsWith("STORE"))
                {
                    args.add(pick(random, keys));
                }
                final int n = 1 + random.nextInt(3);
                args.add(random.nextInt(15) == 0 ? pick(random, new String[] {"0", "x", "-1", "9"}) : String.valueOf(n));
                args.add(k);
                for (int i = 1; i < n; i++)
                {
                    args.add(pick(random, keys));
                }
                if (random.nextInt(3) == 0)
                {
                    args.add("WEIGHTS");
                    for (int i = 0; i < n; i++)
                    {
                        args.add(pick(random, new String[] {"1", "2", "-1", "0.5", "0", "inf", "x"}));
                    }
                }
                if (random.nextInt(3) == 0)
                {
                    args.add("AGGREGATE");
                    args.add(pick(random, new String[] {"SUM", "MIN", "MAX", "avg"}));
                }
                if (random.nextInt(3) == 0)
                {
                    args.add(op.equals("ZINTERCARD") ? "LIMIT" : "WITHSCORES");
                    if (op.equals("ZINTERCARD"))
                    {
                        args.add(pick(random, new String[] {"0", "1", "2", "-1", "x"}));
                    }
                }
                return args.toArray(new String[0]);
            }
            case 28:
            {
                args.add("ZRANDMEMBER");
                args.add(k);
                if (random.nextInt(4) > 0)
                {
                    args.add(pick(random, COUNTS));
                    if (random.nextBoolean())
                    {
                        args.add(random.nextInt(10) == 0 ? "WITHSCORE" : "WITHSCORES");
                    }
                }
                return args.toArray(new String[0]);
            }
            case 29:
            {
                args.add("ZSCAN");
                args.add(k);
                args.add(random.nextInt(10) == 0 ? "x" : "0");
                if (random.nextBoolean())
                {
                    args.add("COUNT");
                    args.add(pick(random, new String[] {"1", "5", "100", "0", "x"}));
                }
                if (random.nextBoolean())
                {
                    args.add("MATCH");
                    args.add(pick(random, new String[] {"*", "m1*", "a", "*w*", "[ab]"}));
                }
                return args.toArray(new String[0]);
            }
            case 30: return new String[] {"CONFIG", "SET", "zset-max-listpack-entries", pick(random, LIMITS)};
            case 31: return new String[] {"CONFIG", "SET", "zset-max-listpack-value", pick(random, LIMITS)};
            case 32: return new String[] {"OBJECT", "ENCODING", k};
            case 33: return new String[] {"ZADD", k};
            case 34: return new String[] {"ZSCORE", k};
            case 35: return new String[] {"DEBUG", "DIGEST-VALUE", k};
            // the blocking pops: served at once with data, else a timeout of about a millisecond (both servers
            // answer the null array), or the timeout's, numkeys' or COUNT's error
            case 36:
            case 37: return bzpop(random, k, keys);
            case 38:
            case 39: return bzmpop(random, k, keys);
            default: return new String[] {"ZADD", k, score(random), member(random)};
        }
    }

    static boolean handles(final String[] command)
    {
        final String name = command[0].toUpperCase(Locale.ROOT);
        return endlessKeys(command) != null || name.equals("ZRANDMEMBER") ||
            name.equals("ZSCAN") && command.length > 2 && command[2].equals("0") || lexSource(command) != null;
    }

    /**
     * The keys of a BZPOPMIN/BZPOPMAX/BZMPOP whose timeout is one of {@link #ENDLESS_TIMEOUTS}, or null for any
     * other command. For BZMPOP, the arguments numkeys names when it is a number that fits, else none (then
     * the command is refused before it could block).
     */
    private static List<String> endlessKeys(final String[] command)
    {
        final String name = command[0].toUpperCase(Locale.ROOT);
        final List<String> keys = new ArrayList<>();
        if ((name.equals("BZPOPMIN") || name.equals("BZPOPMAX")) && command.length >= 3 &&
            List.of(ENDLESS_TIMEOUTS).contains(command[command.length - 1]))
        {
            keys.addAll(List.of(command).subList(1, command.length - 1));
            return keys;
        }
        if (name.equals("BZMPOP") && command.length >= 3 && List.of(ENDLESS_TIMEOUTS).contains(command[1]))
        {
            try
            {
                final long numkeys = Long.parseLong(command[2]);
                if (numkeys >= 1 && numkeys <= command.length - 3)
                {
                    keys.addAll(List.of(command).subList(3, 3 + (int)numkeys));
                }
            }
            catch (final NumberFormatException ignore)
            {
                // refused at once: no keys to look at
            }
            return keys;
        }
        return null;
    }

    /**
     * A blocking pop with an endless timeout blocks (on both servers alike) when none of its keys exists, and
     * the stream would hang: such a command is not sent. With a key there it is served, or refused (WRONGTYPE),
     * at once; a command refused for its arguments never looks at its keys.
     */
    private static boolean wouldBlockForGood(final RawRespClient client, final List<String> keys) throws IOException
    {
        if (keys.isEmpty())
        {
            return false;
        }
        final String[] exists = new String[keys.size() + 1];
        exists[0] = "EXISTS";
        for (int i = 0; i < keys.size(); i++)
        {
            exists[i + 1] = keys.get(i);
        }
        return client.call(exists).equals(":0\r\n");
    }

    /** The source key of a lex range command, or null for any other command. */
    private static String lexSource(final String[] command)
    {
        final String name = command[0].toUpperCase(Locale.ROOT);
        if (command.length < 4)
        {
            return null;
        }
        if (name.equals("ZRANGEBYLEX") || name.equals("ZREVRANGEBYLEX") || name.equals("ZLEXCOUNT") ||
            name.equals("ZREMRANGEBYLEX"))
        {
            return command[1];
        }
        for (final String arg : command)
        {
            if (arg.equalsIgnoreCase("BYLEX"))
            {
                return name.equals("ZRANGESTORE") ? command[2] : name.equals("ZRANGE") ? command[1] : null;
            }
        }
        return null;
    }

    /**
     * Redis leaves a lex range over members of different scores unspecified, and its skiplist answers by where
     * its random towers happen to stop; a listpack's answer is a plain walk, which KeelKV repeats. So such a
     * command over a skiplist whose scores differ is not sent to either server.
     */
    private static boolean unspecifiedLex(final RawRespClient client, final String key) throws IOException
    {
        if (!client.call("OBJECT", "ENCODING", key).equals("$8\r\nskiplist\r\n"))
        {
            return false;
        }
        final String first = client.call("ZRANGE", key, "0", "0", "WITHSCORES");
        final String last = client.call("ZRANGE", key, "-1", "-1", "WITHSCORES");
        final List<?> a = (List<?>)DifferentialTest.Resp.parse(first);
        final List<?> b = (List<?>)DifferentialTest.Resp.parse(last);
        return !String.valueOf(a.get(a.size() - 1)).equals(String.valueOf(b.get(b.size() - 1)));
    }

    static String reply(final RawRespClient client, final String[] command) throws IOException
    {
        final String name = command[0].toUpperCase(Locale.ROOT);
        final List<String> endless = endlessKeys(command);
        if (endless != null)
        {
            return wouldBlockForGood(client, endless) ? "not sent: no key, it would block for good" :
                client.call(command);
        }
        if (name.equals("ZRANDMEMBER"))
        {
            return randomMemberShape(client, command);
        }
        final String lex = lexSource(command);
        if (lex != null)
        {
            return unspecifiedLex(client, lex) ? "not sent: a lex range over a skiplist of several scores" :
                client.call(command);
        }
        final String encoding = client.call("OBJECT", "ENCODING", command[1]);
        if (!encoding.equals("$8\r\nskiplist\r\n"))
        {
            return client.call(command);
        }
        final String[] call = command.clone();
        final List<String> items = new ArrayList<>();
        int calls = 0;
        do
        {
            final String reply = client.call(call);
            if (reply.startsWith("-"))
            {
                return calls == 0 ? reply : "error after " + calls + " calls: " + reply;
            }
            final List<?> parsed = (List<?>)DifferentialTest.Resp.parse(reply);
            final List<?> elements = (List<?>)parsed.get(1);
            for (int i = 0; i < elements.size(); i += 2)
            {
                items.add(elements.get(i) + " => " + elements.get(i + 1));
            }
            call[2] = (String)parsed.get(0);
            if (++calls > 100_000)
            {
                return "ZSCAN did not end";
            }
        }
        while (!call[2].equals("0"));
        items.sort(null);
        return "ZSCAN " + new TreeSet<>(items).size() + " distinct " + items;
    }

    /**
     * ZRANDMEMBER: an error or nil as it is; else the reply's length and, for each member drawn, whether it is
     * in the set with the score given beside it (ZSCORE on the same server).
     */
    private static String randomMemberShape(final RawRespClient client, final String[] command) throws IOException
    {
        final String reply = client.call(command);
        if (reply.startsWith("-") || reply.startsWith("$-1") || reply.startsWith("_"))
        {
            return reply;
        }
        final Object parsed = DifferentialTest.Resp.parse(reply);
        if (parsed instanceof String)
        {
            return "member exists: " + !client.call("ZSCORE", command[1], (String)parsed).startsWith("$-1");
        }
        final List<?> items = (List<?>)parsed;
        final boolean withScores = command.length == 4;
        final StringBuilder shape = new StringBuilder("array of " + items.size() + ":");
        for (int i = 0; i < items.size(); i++)
        {
            final String member;
            final Object score;
            if (items.get(i) instanceof List)
            {
                final List<?> pair = (List<?>)items.get(i);
                member = (String)pair.get(0);
                score = pair.get(1);
            }
            else
            {
                member = (String)items.get(i);
                score = withScores ? items.get(++i) : null;
            }
            final Object stored = DifferentialTest.Resp.parse(client.call("ZSCORE", command[1], member));
            shape.append(score == null ? (stored == null ? " missing" : " ok") :
                (stored != null && String.valueOf(stored).equals(String.valueOf(score)) ? " ok" : " wrong"));
        }
        return shape.toString();
    }
}
