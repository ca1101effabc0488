package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.GlobMatcher;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.resp.RespWriter;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.keelkv.engine.command.KeyCommands.option;
import static io.keelkv.engine.command.RewrittenArgs.literal;

/**
 * COMMAND and its subcommands, generated from the table: Redis 7.0's reply shapes, RESP3 types
 * included (flags, ACL categories, tips and key specs are sets; docs are maps; COMMAND DOCS's history
 * is a set, its arguments are arrays). The data is redis-server 7.0.15's own (commands.txt and
 * command-docs.txt), so for a command KeelKV serves each reply is Redis's byte for byte, with two
 * differences that are exactly what KeelKV is: only served rows are listed (COMMAND, COMMAND COUNT,
 * COMMAND LIST, and a container's subcommands in INFO and DOCS), and they come in table order where
 * Redis walks a hash table seeded at random on each start (so no client can rely on Redis's order).
 */
final class CommandIntrospection
{
    /** Flags Redis hides from COMMAND INFO (may_replicate, sentinel) and KeelKV's own (protected). */
    private static final int HIDDEN_FLAGS = CommandFlags.MAY_REPLICATE | CommandFlags.SENTINEL |
        CommandFlags.PROTECTED;
    private static final byte[] FILTERBY = literal("filterby");
    private static final byte[] MODULE = literal("module");
    private static final byte[] ACLCAT = literal("aclcat");
    private static final byte[] PATTERN = literal("pattern");

    private final CommandTable table;

    CommandIntrospection(final CommandTable table)
    {
        this.table = table;
    }

    void all(final CommandContext ctx)
    {
        final List<CommandSpec> commands = table.commands();
        ctx.out().arrayHeader(commands.size());
        for (final CommandSpec spec : commands)
        {
            writeInfo(ctx.out(), spec);
        }
    }

    void count(final CommandContext ctx)
    {
        ctx.out().integer(table.commands().size());
    }

    /** COMMAND INFO [name ...]: "get" or "config|get", case-insensitive; nil for an unknown one. */
    void info(final CommandContext ctx)
    {
        final Args args = ctx.args();
        if (args.count() == 2)
        {
            all(ctx);
            return;
        }
        ctx.out().arrayHeader(args.count() - 2);
        for (int i = 2; i < args.count(); i++)
        {
            final CommandSpec spec = table.byName(args.toString(i));
            if (spec == null)
            {
                ctx.out().nullBulk();
            }
            else
            {
                writeInfo(ctx.out(), spec);
            }
        }
    }

    /** COMMAND DOCS [name ...]: a map of name to docs; unknown names are left out. */
    void docs(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final RespWriter out = ctx.out();
        if (args.count() == 2)
        {
            final List<CommandSpec> commands = table.commands();
            out.mapHeader(commands.size());
            for (final CommandSpec spec : commands)
            {
                out.bulkString(spec.fullName());
                writeDocs(out, spec);
            }
            return;
        }
        int found = 0;
        for (int i = 2; i < args.count(); i++)
        {
            if (table.byName(args.toString(i)) != null)
            {
                found++;
            }
        }
        out.mapHeader(found);
        for (int i = 2; i < args.count(); i++)
        {
            final CommandSpec spec = table.byName(args.toString(i));
            if (spec != null)
            {
                out.bulkString(spec.fullName());
                writeDocs(out, spec);
            }
        }
    }

    /**
     * COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN glob]: every command and every
     * subcommand by full name. FILTERBY must be the last three arguments. No modules here, so MODULE
     * lists nothing; an unknown category lists nothing; PATTERN matches case-insensitively.
     */
    void list(final CommandContext ctx)
    {
        final Args args = ctx.args();
        int filter = 0;
        byte[] filterArg = null;
        for (int i = 2; i < args.count(); i++)
        {
            final int more = args.count() - 1 - i;
            if (option(args, i, FILTERBY) && more == 2)
            {
                if (option(args, i + 1, MODULE))
                {
                    filter = 1;
                }
                else if (option(args, i + 1, ACLCAT))
                {
                    filter = 2;
                }
                else if (option(args, i + 1, PATTERN))
                {
                    filter = 3;
                }
                else
                {
                    ctx.out().raw(RespConstants.SYNTAX_ERROR);
                    return;
                }
                filterArg = args.copy(i + 2);
                i += 2;
            }
            else
            {
                ctx.out().raw(RespConstants.SYNTAX_ERROR);
                return;
            }
        }
        final List<String> names = new java.util.ArrayList<>();
        for (final CommandSpec spec : table.commands())
        {
            if (listed(spec, filter, filterArg))
            {
                names.add(spec.fullName());
            }
            for (final CommandSpec sub : served(spec))
            {
                if (listed(sub, filter, filterArg))
                {
                    names.add(sub.fullName());
                }
            }
        }
        ctx.out().arrayHeader(names.size());
        for (final String name : names)
        {
            ctx.out().bulkString(name);
        }
    }

    private static boolean listed(final CommandSpec spec, final int filter, final byte[] filterArg)
    {
        switch (filter)
        {
            case 1:
                return false;
            case 2:
            {
                // a C string, as ACLGetCommandCategoryFlagByName reads it
                int length = 0;
                while (length < filterArg.length && filterArg[length] != 0)
                {
                    length++;
                }
                final String category = new String(filterArg, 0, length, StandardCharsets.UTF_8);
                for (final String acl : spec.aclCategories())
                {
                    if (acl.substring(1).equalsIgnoreCase(category))
                    {
                        return true;
                    }
                }
                return false;
            }
            case 3:
                return GlobMatcher.matches(filterArg, spec.fullName().getBytes(StandardCharsets.UTF_8), true);
            default:
                return true;
        }
    }

    /**
     * addReplyCommandDocs: summary, since, group (always), complexity, doc_flags, deprecated_since,
     * replaced_by, history, arguments, subcommands (a map), each only when the command has it.
     */
    private static void writeDocs(final RespWriter out, final CommandSpec spec)
    {
        final CommandSpec[] subs = served(spec);
        final CommandDocs docs = spec.docs();
        final boolean summary = !spec.summary().isEmpty();
        final boolean since = !spec.since().isEmpty();
        final boolean complexity = !spec.complexity().isEmpty();
        final boolean docFlags = !docs.docFlags().isEmpty();
        final boolean history = docs.historyLength() > 0;
        final boolean arguments = !docs.arguments().isEmpty();
        out.mapHeader(1 + count(summary) + count(since) + count(complexity) + count(docFlags) +
            count(docs.deprecatedSince() != null) + count(docs.replacedBy() != null) + count(history) +
            count(arguments) + count(subs.length > 0));
        if (summary)
        {
            out.bulkString("summary");
            out.bulkString(spec.summary());
        }
        if (since)
        {
            out.bulkString("since");
            out.bulkString(spec.since());
        }
        out.bulkString("group");
        out.bulkString(spec.group());
        if (complexity)
        {
            out.bulkString("complexity");
            out.bulkString(spec.complexity());
        }
        if (docFlags)
        {
            out.bulkString("doc_flags");
            writeFlagSet(out, docs.docFlags());
        }
        if (docs.deprecatedSince() != null)
        {
            out.bulkString("deprecated_since");
            out.bulkString(docs.deprecatedSince());
        }
        if (docs.replacedBy() != null)
        {
            out.bulkString("replaced_by");
            out.bulkString(docs.replacedBy());
        }
        if (history)
        {
            // addReplyCommandHistory: a set of [version, changes] pairs
            out.bulkString("history");
            out.setHeader(docs.historyLength());
            for (int i = 0; i < docs.historyLength(); i++)
            {
                out.arrayHeader(2);
                out.bulkString(docs.historyVersion(i));
                out.bulkString(docs.historyChanges(i));
            }
        }
        if (arguments)
        {
            out.bulkString("arguments");
            writeArguments(out, docs.arguments());
        }
        if (subs.length > 0)
        {
            out.bulkString("subcommands");
            out.mapHeader(subs.length);
            for (final CommandSpec sub : subs)
            {
                out.bulkString(sub.fullName());
                writeDocs(out, sub);
            }
        }
    }

    /**
     * addReplyCommandArgList: an array of maps, fields in Redis's order, each only when set; oneof and
     * block arguments always carry their own "arguments".
     */
    private static void writeArguments(final RespWriter out, final List<CommandDocs.Argument> arguments)
    {
        out.arrayHeader(arguments.size());
        for (final CommandDocs.Argument arg : arguments)
        {
            final boolean keySpec = arg.keySpecIndex() >= 0;
            final boolean flags = !arg.flags().isEmpty();
            out.mapHeader(2 + count(keySpec) + count(arg.token() != null) + count(arg.since() != null) +
                count(arg.deprecatedSince() != null) + count(flags) + count(arg.hasArguments()));
            out.bulkString("name");
            out.bulkString(arg.name());
            out.bulkString("type");
            out.bulkString(arg.type());
            if (keySpec)
            {
                out.bulkString("key_spec_index");
                out.integer(arg.keySpecIndex());
            }
            if (arg.token() != null)
            {
                out.bulkString("token");
                out.bulkString(arg.token());
            }
            if (arg.since() != null)
            {
                out.bulkString("since");
                out.bulkString(arg.since());
            }
            if (arg.deprecatedSince() != null)
            {
                out.bulkString("deprecated_since");
                out.bulkString(arg.deprecatedSince());
            }
            if (flags)
            {
                out.bulkString("flags");
                writeFlagSet(out, arg.flags());
            }
            if (arg.hasArguments())
            {
                out.bulkString("arguments");
                writeArguments(out, arg.arguments());
            }
        }
    }

    /** addReplyCommandFlags: a set of status strings. */
    private static void writeFlagSet(final RespWriter out, final List<String> flags)
    {
        out.setHeader(flags.size());
        for (final String flag : flags)
        {
            out.simpleString(flag);
        }
    }

    private static int count(final boolean present)
    {
        return present ? 1 : 0;
    }

    private static CommandSpec[] served(final CommandSpec spec)
    {
        int n = 0;
        for (final CommandSpec sub : spec.subcommands())
        {
            if (sub.handler() != null)
            {
                n++;
            }
        }
        final CommandSpec[] result = new CommandSpec[n];
        n = 0;
        for (final CommandSpec sub : spec.subcommands())
        {
            if (sub.handler() != null)
            {
                result[n++] = sub;
            }
        }
        return result;
    }

    /**
     * addReplyCommandInfo: [name, arity, flags, first key, last key, step, ACL categories, tips, key specs,
     * subcommands]. Each key spec is {flags, begin_search {type index, spec {index}}, find_keys {type
     * range, spec {lastkey, keystep, limit}}}.
     */
    private static void writeInfo(final RespWriter out, final CommandSpec spec)
    {
        out.arrayHeader(10);
        out.bulkString(spec.fullName());
        out.integer(spec.arity());
        final int flags = spec.flags() & ~HIDDEN_FLAGS;
        out.setHeader(Integer.bitCount(flags));
        for (int bit = 0; bit < CommandFlags.NAMES.length; bit++)
        {
            if ((flags & (1 << bit)) != 0)
            {
                out.simpleString(CommandFlags.NAMES[bit]);
            }
        }
        out.integer(spec.firstKey());
        out.integer(spec.lastKey());
        out.integer(spec.keyStep());
        out.setHeader(spec.aclCategories().length);
        for (final String category : spec.aclCategories())
        {
            out.simpleString(category);
        }
        out.setHeader(spec.tips().length);
        for (final String tip : spec.tips())
        {
            out.bulkString(tip);
        }
        out.setHeader(spec.keySpecs().size());
        for (final CommandSpec.KeySpec ks : spec.keySpecs())
        {
            // addReplyCommandKeySpecs: notes, when there are some, come first
            out.mapHeader(ks.notes != null ? 4 : 3);
            if (ks.notes != null)
            {
                out.bulkString("notes");
                out.bulkString(ks.notes);
            }
            out.bulkString("flags");
            out.setHeader(ks.flags.length);
            for (final String flag : ks.flags)
            {
                out.simpleString(flag);
            }
            out.bulkString("begin_search");
            out.mapHeader(2);
            out.bulkString("type");
            if (ks.unknown)
            {
                out.bulkString("unknown");
                out.bulkString("spec");
                out.mapHeader(0);
                out.bulkString("find_keys");
                out.mapHeader(2);
                out.bulkString("type");
                out.bulkString("unknown");
                out.bulkString("spec");
                out.mapHeader(0);
                continue;
            }
            out.bulkString("index");
            out.bulkString("spec");
            out.mapHeader(1);
            out.bulkString("index");
            out.integer(ks.beginIndex);
            out.bulkString("find_keys");
            out.mapHeader(2);
            out.bulkString("type");
            if (ks.keynum)
            {
                out.bulkString("keynum");
                out.bulkString("spec");
                out.mapHeader(3);
                out.bulkString("keynumidx");
                out.integer(ks.keyNumIndex);
                out.bulkString("firstkey");
                out.integer(ks.firstKey);
                out.bulkString("keystep");
                out.integer(ks.keyStep);
                continue;
            }
            out.bulkString("range");
            out.bulkString("spec");
            out.mapHeader(3);
            out.bulkString("lastkey");
            out.integer(ks.lastKey);
            out.bulkString("keystep");
            out.integer(ks.keyStep);
            out.bulkString("limit");
            out.integer(ks.limit);
        }
        // addReplyCommandSubCommands: an empty set when there are none, else an array
        final CommandSpec[] subs = served(spec);
        if (subs.length == 0)
        {
            out.setHeader(0);
            return;
        }
        out.arrayHeader(subs.length);
        for (final CommandSpec sub : subs)
        {
            writeInfo(out, sub);
        }
    }
}
