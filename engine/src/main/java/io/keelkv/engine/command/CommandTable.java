package io.keelkv.engine.command;

import io.keelkv.engine.resp.Args;
import org.agrona.DirectBuffer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The command table: data, loaded from {@code commands.txt} (one row per command or subcommand, Redis 7's
 * metadata), with handlers bound by name by the engine and the server. Lookup of a name in a request is
 * case-insensitive and allocation-free: an open-addressing table keyed by the lower-cased name's hash.
 *
 * <p>Row format, '|' separated: {@code name|arity|flags|first|last|step|acl categories|group|since|
 * complexity|summary|key specs|tips}; key specs are ';' separated {@code begin,lastkey,step,limit,FLAG FLAG[,notes]}
 * (a keynum spec, SINTERCARD's: {@code begin,keynum:keynumidx,firstkey,keystep,FLAG FLAG[,notes]}; one of type
 * unknown, SORT's STORE: {@code unknown,unknown,0,0,FLAG FLAG[,notes]}).
 * The rest of COMMAND DOCS (history, arguments, ...) is in {@code command-docs.txt}, attached to the rows as
 * {@link CommandDocs}. Both files are generated from redis-server by {@code engine/tools/gen-command-table.py};
 * their text is percent-encoded where it would clash with a separator ({@link #unescape}).
 */
public final class CommandTable
{
    private static final String RESOURCE = "commands.txt";
    private static final String DOCS_RESOURCE = "command-docs.txt";

    private static final String REDIS_NAMES_RESOURCE = "redis-command-names.txt";

    private final Map<String, CommandSpec> byName = new LinkedHashMap<>();
    /**
     * Top-level commands by the name a request uses: Redis's server.commands, which rename-command edits.
     * The spec keeps its own name (Redis's fullname) for errors, statistics and COMMAND INFO.
     */
    private final Map<String, CommandSpec> byLookupName = new LinkedHashMap<>();
    private CommandSpec[] slots = new CommandSpec[0];
    private byte[][] slotNames = new byte[0][];
    private int mask;
    private int maxNameLength;

    public CommandTable()
    {
        load();
    }

    /** Bind a handler to a command ("get") or subcommand ("client|list"). Fails fast on an unknown name. */
    public void bind(final String fullName, final CommandHandler handler)
    {
        final CommandSpec spec = byName.get(fullName);
        if (spec == null)
        {
            throw new IllegalArgumentException("no such command in commands.txt: " + fullName);
        }
        spec.handler(handler);
    }

    /** Commands that have a handler (the ones this process serves), less those renamed away to nothing. */
    public List<CommandSpec> commands()
    {
        final List<CommandSpec> result = new ArrayList<>();
        for (final CommandSpec spec : byLookupName.values())
        {
            if (isServed(spec))
            {
                result.add(spec);
            }
        }
        return result;
    }

    /**
     * rename-command: the command {@code from} answers to {@code to} from now on, or to nothing when
     * {@code to} is empty. Names are case-insensitive, as lookups are.
     *
     * @return null when done, else Redis's reason ("No such command in rename-command", "Target command
     * name already exists").
     */
    public String rename(final String from, final String to)
    {
        final String fromKey = foldName(from);
        final String toKey = foldName(to);
        final CommandSpec spec = byLookupName.get(fromKey);
        if (spec == null || fromKey.indexOf('|') >= 0)
        {
            return "No such command in rename-command";
        }
        if (!toKey.isEmpty() && byLookupName.containsKey(toKey))
        {
            return "Target command name already exists";
        }
        byLookupName.remove(fromKey);
        if (!toKey.isEmpty())
        {
            byLookupName.put(toKey, spec);
        }
        buildLookup();
        return null;
    }

    /** Every top-level command name of Redis 7.0 (served here or not): what rename-command accepts. */
    public static java.util.Set<String> redisCommandNames()
    {
        final java.util.Set<String> names = new java.util.HashSet<>();
        readLines(REDIS_NAMES_RESOURCE, line -> names.add(line.trim()));
        return names;
    }

    /** All rows, served or not: lets tests check that every row has a handler. */
    public Iterable<CommandSpec> allRows()
    {
        return byName.values();
    }

    /**
     * The row of a command by its own name, whether served yet or not: the dispatcher holds the specs it
     * treats apart (EXEC, QUIT ...) from before the server binds its own commands.
     */
    CommandSpec row(final String fullName)
    {
        return byName.get(fullName);
    }

    /** A served command by the name a request would use ("config", or "config|get" for a subcommand). */
    public CommandSpec byName(final String fullName)
    {
        final String key = fullName.toLowerCase(java.util.Locale.ROOT);
        final int bar = key.indexOf('|');
        final CommandSpec spec;
        if (bar < 0)
        {
            spec = byLookupName.get(key);
        }
        else
        {
            final CommandSpec parent = byLookupName.get(key.substring(0, bar));
            spec = parent == null ? null : byName.get(parent.fullName() + key.substring(bar));
        }
        return spec != null && isServed(spec) ? spec : null;
    }

    static boolean isServed(final CommandSpec spec)
    {
        if (spec.handler() != null)
        {
            return true;
        }
        for (final CommandSpec sub : spec.subcommands())
        {
            if (sub.handler() != null)
            {
                return true;
            }
        }
        return false;
    }

    /** The command named by argument {@code index} of a request, or null. No allocation. */
    public CommandSpec lookup(final Args args, final int index)
    {
        final DirectBuffer buffer = args.buffer();
        final int offset = args.offset(index);
        final int length = args.length(index);
        if (length == 0 || length > maxNameLength)
        {
            return null;
        }
        int hash = 0;
        for (int i = 0; i < length; i++)
        {
            hash = hash * 31 + lower(buffer.getByte(offset + i));
        }
        for (int slot = mix(hash) & mask; ; slot = (slot + 1) & mask)
        {
            final CommandSpec spec = slots[slot];
            if (spec == null)
            {
                return null;
            }
            final byte[] name = slotNames[slot];
            if (name.length == length && matches(buffer, offset, name))
            {
                return isServed(spec) ? spec : null;
            }
        }
    }

    /** The subcommand of {@code parent} named by argument 1, or null. */
    public static CommandSpec lookupSubcommand(final CommandSpec parent, final Args args)
    {
        final DirectBuffer buffer = args.buffer();
        final int offset = args.offset(1);
        final int length = args.length(1);
        for (final CommandSpec sub : parent.subcommands())
        {
            if (sub.nameBytes().length == length && matches(buffer, offset, sub.nameBytes()) && sub.handler() != null)
            {
                return sub;
            }
        }
        return null;
    }

    public void resetStats()
    {
        for (final CommandSpec spec : byName.values())
        {
            spec.resetStats();
        }
    }

    private static boolean matches(final DirectBuffer buffer, final int offset, final byte[] lowerName)
    {
        for (int i = 0; i < lowerName.length; i++)
        {
            if (lower(buffer.getByte(offset + i)) != lowerName[i])
            {
                return false;
            }
        }
        return true;
    }

    private static int lower(final byte b)
    {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }

    private static int mix(final int hash)
    {
        final int h = hash * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private void load()
    {
        readLines(RESOURCE, this::addRow);
        final DocsReader docs = new DocsReader();
        readLines(DOCS_RESOURCE, docs::addLine);
        for (final CommandSpec spec : byName.values())
        {
            if (spec.parent() == null)
            {
                byLookupName.put(spec.fullName(), spec);
            }
        }
        buildLookup();
    }

    /** The open-addressing table of lookup names (lower case), at most a quarter full. */
    private void buildLookup()
    {
        int capacity = 16;
        while (capacity < byLookupName.size() * 4)
        {
            capacity <<= 1;
        }
        final CommandSpec[] newSlots = new CommandSpec[capacity];
        final byte[][] newNames = new byte[capacity][];
        final int newMask = capacity - 1;
        for (final Map.Entry<String, CommandSpec> e : byLookupName.entrySet())
        {
            final byte[] name = e.getKey().getBytes(StandardCharsets.ISO_8859_1);
            int hash = 0;
            for (final byte b : name)
            {
                hash = hash * 31 + b;
            }
            int slot = mix(hash) & newMask;
            while (newSlots[slot] != null)
            {
                slot = (slot + 1) & newMask;
            }
            newSlots[slot] = e.getValue();
            newNames[slot] = name;
        }
        int longest = 0;
        for (final String name : byLookupName.keySet())
        {
            longest = Math.max(longest, name.length());
        }
        slotNames = newNames;
        slots = newSlots;
        mask = newMask;
        maxNameLength = longest;
    }

    /**
     * A command name folded as the lookup folds a request's name: A-Z to lower case, every other char as it
     * is (strcasecmp in the C locale). The one rule for rename-command, here and while config is read.
     */
    public static String foldName(final String name)
    {
        final char[] chars = name.toCharArray();
        for (int i = 0; i < chars.length; i++)
        {
            if (chars[i] >= 'A' && chars[i] <= 'Z')
            {
                chars[i] += 32;
            }
        }
        return new String(chars);
    }

    /** Feed each line of a resource that is neither blank nor a comment to {@code parser}; errors name the line. */
    private static void readLines(final String resource, final Consumer<String> parser)
    {
        try (InputStream in = CommandTable.class.getResourceAsStream(resource))
        {
            if (in == null)
            {
                throw new IllegalStateException("missing resource " + resource);
            }
            final BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int lineNumber = 0;
            while ((line = reader.readLine()) != null)
            {
                lineNumber++;
                if (line.isBlank() || line.startsWith("#"))
                {
                    continue;
                }
                try
                {
                    parser.accept(line);
                }
                catch (final RuntimeException ex)
                {
                    throw new IllegalStateException(resource + ":" + lineNumber + ": " + ex.getMessage(), ex);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private void addRow(final String line)
    {
        final String[] f = line.split("\\|", -1);
        final boolean sub = f.length == 14;
        if (f.length != 13 && !sub)
        {
            throw new IllegalArgumentException("expected 13 fields (14 for a subcommand), got " + f.length);
        }
        final int o = sub ? 1 : 0;
        final String fullName = sub ? f[0] + "|" + f[1] : f[0];
        final List<CommandSpec.KeySpec> keySpecs = new ArrayList<>();
        final String specs = f[11 + o];
        if (!specs.isEmpty())
        {
            for (final String ks : specs.split(";"))
            {
                // notes, when present, are the sixth field: a spec without notes has five
                final String[] p = ks.split(",", -1);
                if (p.length != 5 && p.length != 6)
                {
                    throw new IllegalArgumentException("key spec needs 5 or 6 fields: " + ks);
                }
                if (p[0].equals("unknown"))
                {
                    // unknown,unknown,0,0,flags[,notes]: begin_search and find_keys of type unknown (SORT's STORE)
                    keySpecs.add(CommandSpec.KeySpec.unknown(words(p[4]), p.length == 6 ? unescape(p[5]) : null));
                    continue;
                }
                if (p[1].startsWith("keynum:"))
                {
                    // begin,keynum:keynumidx,firstkey,keystep,flags[,notes]
                    keySpecs.add(new CommandSpec.KeySpec(Integer.parseInt(p[0]),
                        Integer.parseInt(p[1].substring("keynum:".length())), Integer.parseInt(p[2]),
                        Integer.parseInt(p[3]), words(p[4]), p.length == 6 ? unescape(p[5]) : null, true));
                    continue;
                }
                keySpecs.add(new CommandSpec.KeySpec(
                    Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3]),
                    words(p[4]), p.length == 6 ? unescape(p[5]) : null));
            }
        }
        final CommandSpec spec = new CommandSpec(
            fullName.toLowerCase(java.util.Locale.ROOT),
            Integer.parseInt(f[1 + o].trim()),
            CommandFlags.parse(f[2 + o]) | hiddenFlags(fullName),
            Integer.parseInt(f[3 + o].trim()),
            Integer.parseInt(f[4 + o].trim()),
            Integer.parseInt(f[5 + o].trim()),
            words(f[6 + o]),
            unescape(f[7 + o]),
            unescape(f[8 + o]),
            unescape(f[9 + o]),
            unescape(f[10 + o]),
            keySpecs,
            words(f[12 + o]));
        if (sub)
        {
            final CommandSpec parent = byName.get(f[0].toLowerCase(java.util.Locale.ROOT));
            if (parent == null)
            {
                throw new IllegalArgumentException("subcommand before its command: " + fullName);
            }
            parent.addSubcommand(spec);
        }
        if (byName.put(spec.fullName(), spec) != null)
        {
            throw new IllegalArgumentException("duplicate command " + fullName);
        }
    }

    private static String[] words(final String field)
    {
        final String trimmed = field.trim();
        return trimmed.isEmpty() ? new String[0] : trimmed.split("\\s+");
    }

    /**
     * Undo the generator's percent-encoding: "%XX" is the character with hex code XX. The generator encodes
     * '%' itself, so any other text is taken as it is.
     */
    static String unescape(final String text)
    {
        if (text.indexOf('%') < 0)
        {
            return text;
        }
        final StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '%')
            {
                if (i + 2 >= text.length())
                {
                    throw new IllegalArgumentException("truncated escape in " + text);
                }
                sb.append((char)Integer.parseInt(text.substring(i + 1, i + 3), 16));
                i += 2;
            }
            else
            {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * command-docs.txt: a line with a full name starts that command's block; the indented lines after it
     * are its {@link CommandDocs}. Every block must name a row of commands.txt, once.
     */
    private final class DocsReader
    {
        private final List<List<CommandDocs.Argument>> open = new ArrayList<>();
        private final Set<String> seen = new HashSet<>();
        private CommandDocs current;

        void addLine(final String line)
        {
            int spaces = 0;
            while (spaces < line.length() && line.charAt(spaces) == ' ')
            {
                spaces++;
            }
            if (spaces == 0)
            {
                final CommandSpec spec = byName.get(line);
                if (spec == null)
                {
                    throw new IllegalArgumentException("docs for a command not in " + RESOURCE + ": " + line);
                }
                if (!seen.add(line))
                {
                    throw new IllegalArgumentException("second docs block for " + line);
                }
                current = new CommandDocs();
                spec.docs(current);
                open.clear();
                open.add(current.topLevel());
                return;
            }
            if (current == null || spaces % 2 != 0)
            {
                throw new IllegalArgumentException("an indented line needs a command above it and an even indent");
            }
            current.addLine(spaces / 2, line.substring(spaces).split("\t", -1), open);
        }
    }

    /**
     * Flags Redis's command JSON sets but COMMAND INFO does not report, so the generated table cannot learn
     * them: DEBUG and MODULE are CMD_PROTECTED (behind enable-debug-command / enable-module-command).
     */
    private static int hiddenFlags(final String fullName)
    {
        return "debug".equalsIgnoreCase(fullName) || "module".equalsIgnoreCase(fullName) ? CommandFlags.PROTECTED : 0;
    }
}
