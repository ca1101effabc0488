package io.keelkv.server;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The list commands of {@link DifferentialTest}'s random streams (all deterministic: replies are compared as
 * they are). Commands go over the stream's keys (so lists meet strings, hashes and sets: WRONGTYPE both ways),
 * with integer-like, long and binary elements, negative and out-of-range indexes and counts, bad numbers, missing
 * keys, LMOVE/RPOPLPUSH/LMPOP between keys, the blocking pops (with data, or a 1 ms timeout), bursts of pushes
 * (so nodes fill and split), and now and then a small list-max-listpack-size set on both servers.
 */
final class DifferentialLists
{
    static final String[] ELEMENTS = {"a", "b", "c", "1", "2", "-5", "0", "007", "-0", "65536", "9223372036854775807",
        "-9223372036854775808", "9223372036854775808", "x y", "\u00ff", "", "1.5", "12345678901234567890"};
    private static final String[] INDEXES = {"0", "1", "-1", "2", "-2", "3", "-3", "5", "-7", "20", "-20", "1000",
        "-1000", "x", "", "1.5", "9223372036854775807", "-9223372036854775808"};
    private static final String[] COUNTS = {"0", "1", "2", "3", "-1", "10", "100", "x", "-9223372036854775808"};
    private static final String[] SIDES = {"LEFT", "RIGHT", "left", "right", "up"};
    private static final String[] FILLS = {"-2", "-1", "1", "2", "3", "5", "-5", "0"};

    private DifferentialLists()
    {
    }

    private static String pick(final SplittableRandom random, final String[] from)
    {
        return from[random.nextInt(from.length)];
    }

    private static String timeout(final SplittableRandom random)
    {
        return random.nextInt(12) == 0 ? pick(random, new String[] {"x", "-1", "", "1e30", "inf"}) : "0.001";
    }

    private static String element(final SplittableRandom random)
    {
        switch (random.nextInt(10))
        {
            case 0: return String.valueOf(random.nextInt(2000) - 100);
            case 1: return "v".repeat(random.nextInt(300));
            default: return pick(random, ELEMENTS);
        }
    }

    static String[] listCommand(final SplittableRandom random, final String k, final String[] keys)
    {
        final String e = element(random);
        final List<String> args = new ArrayList<>();
        switch (random.nextInt(32))
        {
            case 0:
            case 1: return new String[] {"LPUSH", k, e, element(random)};
            case 2:
            case 3: return new String[] {"RPUSH", k, e, element(random), element(random)};
            case 4:
            {
                args.add(random.nextBoolean() ? "RPUSH" : "LPUSH");
                args.add(k);
                for (int i = 1 + random.nextInt(80); i > 0; i--)
                {
                    args.add(element(random));
                }
                return args.toArray(new String[0]);
            }
            case 5: return new String[] {random.nextBoolean() ? "LPUSHX" : "RPUSHX", k, e};
            case 6: return new String[] {random.nextBoolean() ? "LPOP" : "RPOP", k};
            case 7: return random.nextInt(8) == 0 ? new String[] {"LPOP", k, pick(random, COUNTS), "x"} :
                new String[] {random.nextBoolean() ? "LPOP" : "RPOP", k, pick(random, COUNTS)};
            case 8: return new String[] {"LLEN", k};
            case 9:
            case 10: return new String[] {"LINDEX", k, pick(random, INDEXES)};
            case 11:
            case 12: return new String[] {"LRANGE", k, pick(random, INDEXES), pick(random, INDEXES)};
            case 13: return new String[] {"LRANGE", k, "0", "-1"};
            case 14: return new String[] {"LSET", k, pick(random, INDEXES), e};
            case 15: return new String[] {"LTRIM", k, pick(random, INDEXES), pick(random, INDEXES)};
            case 16: return new String[] {"LREM", k, pick(random, new String[] {"0", "1", "-1", "2", "-2", "x"}), e};
            case 17: return new String[] {"LINSERT", k, pick(random, new String[] {"BEFORE", "after", "middle"}),
                pick(random, ELEMENTS), e};
            case 18:
            {
                args.add("LPOS");
                args.add(k);
                args.add(pick(random, ELEMENTS));
                for (int i = random.nextInt(4); i > 0; i--)
                {
                    args.add(pick(random, new String[] {"RANK", "COUNT", "MAXLEN", "BOGUS"}));
                    if (random.nextInt(10) > 0)
                    {
                        args.add(pick(random, new String[] {"1", "2", "-1", "-2", "0", "3", "x", "-9223372036854775808"}));
                    }
                }
                return args.toArray(new String[0]);
            }
            case 19:
            case 20: return new String[] {"LMOVE", k, pick(random, keys), pick(random, SIDES), pick(random, SIDES)};
            case 21: return new String[] {"RPOPLPUSH", k, random.nextBoolean() ? k : pick(random, keys)};
            case 22:
            case 23:
            {
                args.add("LMPOP");
                final int n = 1 + random.nextInt(3);
                args.add(random.nextInt(15) == 0 ? pick(random, new String[] {"0", "x", "-1", "9"}) : String.valueOf(n));
                args.add(k);
                for (int i = 1; i < n; i++)
                {
                    args.add(pick(random, keys));
                }
                args.add(pick(random, SIDES));
                if (random.nextBoolean())
                {
                    args.add(random.nextInt(10) == 0 ? "BOGUS" : "COUNT");
                    args.add(pick(random, COUNTS));
                }
                return args.toArray(new String[0]);
            }
            case 24: return new String[] {"CONFIG", "SET", "list-max-listpack-size", pick(random, FILLS)};
            case 25: return new String[] {"OBJECT", "ENCODING", k};
            case 26: return new String[] {"LPUSH", k};
            case 27: return new String[] {"LINDEX", k};
            // the blocking pops: served at once with data, else a timeout of a millisecond (both servers answer
            // the null array), or one of the timeout's errors
            case 28: return new String[] {random.nextBoolean() ? "BLPOP" : "BRPOP", k, pick(random, keys), timeout(random)};
            case 29: return random.nextBoolean() ?
                new String[] {"BLMOVE", k, pick(random, keys), pick(random, SIDES), pick(random, SIDES), timeout(random)} :
                new String[] {"BRPOPLPUSH", k, pick(random, keys), timeout(random)};
            case 30:
            {
                args.add("BLMPOP");
                args.add(timeout(random));
                args.add(random.nextInt(15) == 0 ? pick(random, new String[] {"0", "x", "9"}) : "2");
                args.add(k);
                args.add(pick(random, keys));
                args.add(pick(random, SIDES));
                if (random.nextBoolean())
                {
                    args.add("COUNT");
                    args.add(pick(random, COUNTS));
                }
                return args.toArray(new String[0]);
            }
            default: return new String[] {random.nextBoolean() ? "RPUSH" : "LPUSH", k, e};
        }
    }
}
