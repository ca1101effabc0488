package io.keelkv.engine.command;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The part of a command's COMMAND DOCS that its {@code commands.txt} row does not hold: doc flags,
 * deprecation, history and the argument tree (what redis-cli reads for its typing hints and client
 * libraries for their command models). Loaded from {@code command-docs.txt}, generated from redis-server 7.0
 * by {@code engine/tools/gen-command-table.py}; see that file's header for the format.
 *
 * <p>Cold data: built once while the table loads and only read by COMMAND DOCS, so it is kept in plain
 * lists rather than in the flat arrays of the hot path. Readers get unmodifiable views.
 */
public final class CommandDocs
{
    /** One element of an "arguments" list. Unset text fields are null, an unset key_spec_index is -1. */
    public static final class Argument
    {
        private final String name;
        private final String type;
        private final int keySpecIndex;
        private final String token;
        private final String since;
        private final String deprecatedSince;
        private final List<String> flags;
        private final List<Argument> arguments = new ArrayList<>();
        private final List<Argument> argumentsView = Collections.unmodifiableList(arguments);

        Argument(
            final String name,
            final String type,
            final int keySpecIndex,
            final String token,
            final String since,
            final String deprecatedSince,
            final List<String> flags)
        {
            this.name = name;
            this.type = type;
            this.keySpecIndex = keySpecIndex;
            this.token = token;
            this.since = since;
            this.deprecatedSince = deprecatedSince;
            this.flags = flags;
        }

        public String name()
        {
            return name;
        }

        /** string, integer, double, key, pattern, unix-time, pure-token, oneof or block. */
        public String type()
        {
            return type;
        }

        /** True for oneof and block, the types that carry their own "arguments" (an empty list included). */
        public boolean hasArguments()
        {
            return "oneof".equals(type) || "block".equals(type);
        }

        public int keySpecIndex()
        {
            return keySpecIndex;
        }

        public String token()
        {
            return token;
        }

        public String since()
        {
            return since;
        }

        public String deprecatedSince()
        {
            return deprecatedSince;
        }

        /** optional, multiple, multiple_token: empty when the argument has none. */
        public List<String> flags()
        {
            return flags;
        }

        public List<Argument> arguments()
        {
            return argumentsView;
        }
    }

    private final List<String> docFlags = new ArrayList<>();
    private String deprecatedSince;
    private String replacedBy;
    private final List<String> historyVersions = new ArrayList<>();
    private final List<String> historyChanges = new ArrayList<>();
    private final List<Argument> arguments = new ArrayList<>();
    private final List<String> docFlagsView = Collections.unmodifiableList(docFlags);
    private final List<Argument> argumentsView = Collections.unmodifiableList(arguments);

    /** deprecated, syscmd: empty when the command has none. */
    public List<String> docFlags()
    {
        return docFlagsView;
    }

    /** Null when the command is not deprecated. */
    public String deprecatedSince()
    {
        return deprecatedSince;
    }

    /** Null when Redis names no replacement. */
    public String replacedBy()
    {
        return replacedBy;
    }

    public int historyLength()
    {
        return historyVersions.size();
    }

    public String historyVersion(final int index)
    {
        return historyVersions.get(index);
    }

    public String historyChanges(final int index)
    {
        return historyChanges.get(index);
    }

    /** The top-level arguments; empty when Redis lists none (containers, COMMAND COUNT, ...). */
    public List<Argument> arguments()
    {
        return argumentsView;
    }

    // ------------------------------------------------------------------------------------------------
    // loading: one command-docs.txt line at a time (CommandTable reads the file)

    /**
     * Apply one indented line of this command's block. {@code depth} is the indentation in steps of two
     * spaces (1 for the command's own fields and top-level arguments); {@code open} holds, per depth, the
     * argument list the next line at that depth goes into, and is kept up to date here.
     */
    void addLine(final int depth, final String[] fields, final List<List<Argument>> open)
    {
        if (depth < 1 || depth > open.size())
        {
            throw new IllegalArgumentException("line indented " + depth + " steps under " + open.size());
        }
        final String kind = fields[0];
        if (!"arg".equals(kind))
        {
            if (depth != 1)
            {
                throw new IllegalArgumentException(kind + " must be indented one step");
            }
            addField(kind, fields);
            return;
        }
        final Argument argument = parseArgument(fields);
        // a line at depth d closes every oneof/block deeper than d-1
        while (open.size() > depth)
        {
            open.remove(open.size() - 1);
        }
        open.get(depth - 1).add(argument);
        if (argument.hasArguments())
        {
            open.add(argument.arguments);
        }
    }

    /** The list top-level arguments go into: the first entry of {@link #addLine}'s {@code open}. */
    List<Argument> topLevel()
    {
        return arguments;
    }

    private void addField(final String kind, final String[] fields)
    {
        switch (kind)
        {
            case "doc_flags":
                expectFields(fields, 2);
                Collections.addAll(docFlags, fields[1].split(" "));
                break;
            case "deprecated_since":
                expectFields(fields, 2);
                deprecatedSince = CommandTable.unescape(fields[1]);
                break;
            case "replaced_by":
                expectFields(fields, 2);
                replacedBy = CommandTable.unescape(fields[1]);
                break;
            case "history":
                expectFields(fields, 3);
                historyVersions.add(CommandTable.unescape(fields[1]));
                historyChanges.add(CommandTable.unescape(fields[2]));
                break;
            default:
                throw new IllegalArgumentException("unknown docs field " + kind);
        }
    }

    private static Argument parseArgument(final String[] fields)
    {
        String name = null;
        String type = null;
        int keySpecIndex = -1;
        String token = null;
        String since = null;
        String deprecatedSince = null;
        List<String> flags = List.of();
        for (int i = 1; i < fields.length; i++)
        {
            final int eq = fields[i].indexOf('=');
            if (eq < 0)
            {
                throw new IllegalArgumentException("expected key=value, got " + fields[i]);
            }
            final String key = fields[i].substring(0, eq);
            final String value = CommandTable.unescape(fields[i].substring(eq + 1));
            switch (key)
            {
                case "name":
                    name = value;
                    break;
                case "type":
                    type = value;
                    break;
                case "key_spec_index":
                    keySpecIndex = Integer.parseInt(value);
                    break;
                case "token":
                    token = value;
                    break;
                case "since":
                    since = value;
                    break;
                case "deprecated_since":
                    deprecatedSince = value;
                    break;
                case "flags":
                    flags = List.of(value.split(" "));
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument field " + key);
            }
        }
        if (name == null || type == null)
        {
            throw new IllegalArgumentException("an argument needs a name and a type");
        }
        return new Argument(name, type, keySpecIndex, token, since, deprecatedSince, flags);
    }

    private static void expectFields(final String[] fields, final int count)
    {
        if (fields.length != count)
        {
            throw new IllegalArgumentException(fields[0] + ": expected " + count + " fields, got " + fields.length);
        }
    }
}
