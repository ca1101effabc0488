package io.keelkv.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The set commands of {@link DifferentialTest}'s random streams, and how their replies are made comparable.
 *
 * <p>Commands go over the stream's keys (so sets meet strings and hashes: WRONGTYPE both ways), with colliding
 * members, integers of every intset width (so intsets upgrade), non-canonical integers ("007", "-0") and strings
 * (so intsets convert), bursts of integers (so they pass a small set-max-intset-entries), missing keys, and
 * store commands over several keys.
 *
 * <p>Why replies are normalised: a hashtable's member order is its own server's (KeelKV's dict is not Redis's),
 * so SMEMBERS and the algebra replies are compared sorted with their aggregate type; SSCAN of a hashtable is run
 * to the end and sorted. SRANDMEMBER draws at random: its reply is reduced to type, length, whether each member
 * exists and, for a positive count, how many are distinct. SPOP also removes at random, so after comparing its
 * shape the stream removes every member either server popped from the key on both (and drops the key when the
 * two sets' encodings came out different, which SPOP's rebuild of the kept members can do), so that the data
 * stays equal and DEBUG DIGEST keeps comparing.
 */
final class DifferentialSets
{
    static final String[] MEMBERS = {"1", "2", "3", "-5", "0", "100", "007", "-0", "65536", "-2147483649",
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "a", "b", "x y", "\u00ff", "",
        "12345678901234567890", "1.5"};
    private static final String[] MEMBER_PATTERNS = {"*", "?", "1*", "-*", "[a-c]", "*0*", "9*", "[^1]*"};
    private static final String[] COUNTS = {"0", "1", "-1", "2", "-3", "5", "-20", "100", "x", "", "-9223372036854775808",
        "9223372036854775807", "1.5"};

    private DifferentialSets()
    {
    }

    private static String pick(final SplittableRandom random, final String[] from)
    {
        return from[random.nextInt(from.length)];
    }

    private static String member(final SplittableRandom random)
    {
        return random.nextInt(8) == 0 ? String.valueOf(random.nextInt(600) - 50) : pick(random, MEMBERS);
    }

    private static void keys(final SplittableRandom random, final String[] keys, final List<String> args, final int max)
    {
        for (int i = 1 + random.nextInt(max); i > 0; i--)
        {
            args.add(pick(random, keys));
        }
    }

    static String[] setCommand(final SplittableRandom random, final String k, final String[] keys)
    {
        final String m = member(random);
        final List<String> args = new ArrayList<>();
        switch (random.nextInt(30))
        {
            case 0:
            case 1:
            case 2: return new String[] {"SADD", k, m};
            case 3: return new String[] {"SADD", k, m, member(random), member(random), m};
            case 4: return burst(random, k);
            case 5:
            case 6: return new String[] {"SREM", k, m, member(random)};
            case 7: return new String[] {"SCARD", k};
            case 8: return new String[] {"SISMEMBER", k, m};
            case 9: return new String[] {"SMISMEMBER", k, m, member(random), member(random)};
            case 10: return new String[] {"SMEMBERS", k};
            case 11: return random.nextBoolean() ? new String[] {"SRANDMEMBER", k} :
                random.nextInt(6) == 0 ? new String[] {"SRANDMEMBER", k, pick(random, COUNTS), "x"} :
                    new String[] {"SRANDMEMBER", k, pick(random, COUNTS)};
            case 12: return random.nextBoolean() ? new String[] {"SPOP", k} :
                random.nextInt(6) == 0 ? new String[] {"SPOP", k, pick(random, COUNTS), "x"} :
                    new String[] {"SPOP", k, random.nextBoolean() ? pick(random, COUNTS) : String.valueOf(random.nextInt(30))};
            case 13:
            case 14: return new String[] {"SMOVE", k, random.nextInt(4) == 0 ? k : pick(random, keys), m};
            case 15:
            case 16:
            case 17:
            {
                args.add(pick(random, new String[] {"SINTER", "SUNION", "SDIFF"}));
                keys(random, keys, args, 3);
                return args.toArray(new String[0]);
            }
            case 18:
            case 19:
            case 20:
            {
                args.add(pick(random, new String[] {"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"}));
                args.add(random.nextInt(3) == 0 ? pick(random, keys) : k);
                keys(random, keys, args, 3);
                return args.toArray(new String[0]);
            }
            case 21:
            {
                args.add("SINTERCARD");
                final int n = 1 + random.nextInt(3);
                args.add(random.nextInt(8) == 0 ? pick(random, COUNTS) : String.valueOf(n));
                for (int i = 0; i < n; i++)
                {
                    args.add(pick(random, keys));
                }
                if (random.nextBoolean())
                {
                    args.add(random.nextInt(5) == 0 ? "BOGUS" : "LIMIT");
                    if (random.nextInt(6) > 0)
                    {
                        args.add(random.nextBoolean() ? String.valueOf(random.nextInt(4)) : pick(random, COUNTS));
                    }
                }
                return args.toArray(new String[0]);
            }
            case 22:
            {
                args.addAll(List.of("SSCAN", k, random.nextInt(8) == 0 ?
                    pick(random, new String[] {"abc", "-1", "", "18446744073709551616", "7"}) : "0"));
                for (int i = random.nextInt(3); i > 0; i--)
                {
                    switch (random.nextInt(4))
                    {
                        case 0 -> args.addAll(List.of("MATCH", pick(random, MEMBER_PATTERNS)));
                        case 1 -> args.addAll(List.of("COUNT", random.nextInt(6) == 0 ? pick(random, COUNTS) :
                            String.valueOf(1 + random.nextInt(20))));
                        default -> args.add(pick(random, new String[] {"BOGUS", "MATCH", "COUNT"}));
                    }
                }
                return args.toArray(new String[0]);
            }
            case 23:
            case 24: return new String[] {"OBJECT", "ENCODING", k};
            case 25: return new String[] {"DEBUG", "DIGEST-VALUE", k};
            case 26: return new String[] {"SADD", k, "s" + random.nextInt(300), m};
            case 27: return new String[] {"COPY", k, pick(random, keys), "REPLACE"};
            default: return new String[] {pick(random, new String[] {"SADD", "SREM", "SCARD", "SMOVE", "SINTERCARD",
                "SPOP", "SINTERSTORE", "SSCAN", "SMISMEMBER"})};
        }
    }

    /** SADD of 20 integers from a few hundred: enough to pass a small set-max-intset-entries. */
    private static String[] burst(final SplittableRandom random, final String k)
    {
        final List<String> args = new ArrayList<>(List.of("SADD", k));
        for (int i = 0; i < 20; i++)
        {
            args.add(random.nextInt(10) == 0 ? member(random) : String.valueOf(random.nextInt(400)));
        }
        return args.toArray(new String[0]);
    }

    /** Whether the command's reply needs comparing by {@link #reply} rather than byte for byte. */
    static boolean handles(final String[] command)
    {
        final String name = command[0].toUpperCase(Locale.ROOT);
        return command.length > 1 && (name.equals("SMEMBERS") || name.equals("SINTER") || name.equals("SUNION") ||
            name.equals("SDIFF") || name.equals("SRANDMEMBER") || name.equals("SSCAN") && command.length > 2);
    }

    /** The comparable form of a reply of a command {@link #handles} accepts. */
    static String reply(final RawRespClient client, final String[] command) throws IOException
    {
        final String name = command[0].toUpperCase(Locale.ROOT);
        if (name.equals("SRANDMEMBER"))
        {
            return randomShape(client, command, client.call(command), false);
        }
        if (name.equals("SSCAN"))
        {
            return scan(client, command);
        }
        final String reply = client.call(command);
        if (!(reply.startsWith("*") || reply.startsWith("~")))
        {
            return reply;
        }
        final List<String> members = strings(reply);
        members.sort(null);
        return reply.charAt(0) + " " + members;
    }

    private static List<String> strings(final String reply)
    {
        final List<String> members = new ArrayList<>();
        for (final Object member : (List<?>)DifferentialTest.Resp.parse(reply))
        {
            members.add((String)member);
        }
        return members;
    }

    /**
     * SRANDMEMBER's or SPOP's reply as its shape: errors and nils as they are; else the type, the length, how
     * many distinct members, and whether each member is (SRANDMEMBER) or is no longer (SPOP) in the set.
     */
    private static String randomShape(final RawRespClient client, final String[] command, final String reply,
        final boolean popped) throws IOException
    {
        if (reply.startsWith("-") || reply.startsWith("$-1") || reply.startsWith("_"))
        {
            return reply;
        }
        final List<String> members = new ArrayList<>();
        if (reply.startsWith("$"))
        {
            members.add((String)DifferentialTest.Resp.parse(reply));
        }
        else
        {
            members.addAll(strings(reply));
        }
        final TreeSet<String> states = new TreeSet<>();
        for (final String member : members)
        {
            states.add(client.call("SISMEMBER", command[1], member));
        }
        // draws with repetition (a negative count) have a random number of distinct members
        final boolean repeats = !popped && command.length > 2 && command[2].startsWith("-");
        return (reply.charAt(0)) + " of " + members.size() + ", " +
            (repeats ? "" : new TreeSet<>(members).size() + " distinct, ") +
            (popped ? "still members: " : "members: ") + states;
    }

    /** SSCAN: an intset's single page as it is; a hashtable's scan run to the end from 0, sorted. */
    private static String scan(final RawRespClient client, final String[] command) throws IOException
    {
        if (!client.call("OBJECT", "ENCODING", command[1]).equals("$9\r\nhashtable\r\n"))
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
            if (!command[2].equals("0"))
            {
                return "a page";
            }
            final List<?> parsed = (List<?>)DifferentialTest.Resp.parse(reply);
            for (final Object member : (List<?>)parsed.get(1))
            {
                items.add((String)member);
            }
            call[2] = (String)parsed.get(0);
            if (++calls > 10_000)
            {
                return "SSCAN did not end";
            }
        }
        while (!call[2].equals("0"));
        items.sort(null);
        return "SSCAN " + new TreeSet<>(items).size() + " distinct " + items;
    }

    /**
     * SPOP on both servers: returns {redis's shape, keelkv's shape}, then removes every member either popped
     * from the key on both, so that the two datasets are equal again.
     */
    static String[] spop(final RawRespClient a, final RawRespClient b, final String[] command) throws IOException
    {
        final String ra = a.call(command);
        final String rb = b.call(command);
        final String[] shapes = {randomShape(a, command, ra, true), randomShape(b, command, rb, true)};
        final TreeSet<String> popped = new TreeSet<>();
        for (final String reply : new String[] {ra, rb})
        {
            if (reply.startsWith("$") && !reply.startsWith("$-1"))
            {
                popped.add((String)DifferentialTest.Resp.parse(reply));
            }
            else if (reply.startsWith("*") || reply.startsWith("~"))
            {
                popped.addAll(strings(reply));
            }
        }
        if (!popped.isEmpty() && command.length > 1)
        {
            final List<String> srem = new ArrayList<>(List.of("SREM", command[1]));
            srem.addAll(popped);
            a.call(srem.toArray(new String[0]));
            b.call(srem.toArray(new String[0]));
            if (!a.call("OBJECT", "ENCODING", command[1]).equals(b.call("OBJECT", "ENCODING", command[1])))
            {
                a.call("DEL", command[1]);
                b.call("DEL", command[1]);
            }
        }
        return shapes;
    }
}
