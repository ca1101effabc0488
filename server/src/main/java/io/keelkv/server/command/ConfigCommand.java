package io.keelkv.server.command;

import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.command.ClientContext;
import io.keelkv.engine.command.CommandContext;
import io.keelkv.engine.command.CommandSpec;
import io.keelkv.engine.command.CommandTable;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.server.config.ConfigException;
import io.keelkv.server.config.ServerConfig;
import io.keelkv.server.session.ClientSession;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * CONFIG GET / SET / RESETSTAT / REWRITE / HELP over {@link ServerConfig}. The semantics (globs, aliases,
 * atomic multi-directive SET, protected and immutable directives) and the error texts are the
 * configuration's; this class only turns arguments into its calls and its answers into RESP: a map in RESP3,
 * a flat name/value array in RESP2, as Redis 7.
 */
public final class ConfigCommand
{
    private static final String[] HELP = {
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        "HELP",
        "    Prints this help."};

    private final ServerConfig config;
    private final ServerControl server;
    private final Info info;

    private ConfigCommand(final ServerControl server, final Info info)
    {
        this.server = server;
        this.config = server.config();
        this.info = info;
    }

    public static void bind(final ServerControl server, final CommandTable table, final Info info)
    {
        final ConfigCommand command = new ConfigCommand(server, info);
        table.bind("config|get", command::get);
        table.bind("config|set", command::set);
        table.bind("config|resetstat", command::resetStat);
        table.bind("config|help", ctx -> ConnectionCommands.writeHelp(ctx.out(), HELP));
        if (hasRow(table, "config|rewrite"))
        {
            table.bind("config|rewrite", command::rewrite);
        }
    }

    private void get(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final List<String> patterns = new ArrayList<>(args.count() - 2);
        for (int i = 2; i < args.count(); i++)
        {
            patterns.add(args.toString(i));
        }
        final List<String[]> matches = config.getMatching(patterns);
        final RespWriter out = ctx.out();
        out.mapHeader(matches.size());
        for (final String[] nameAndValue : matches)
        {
            out.bulk(nameAndValue[0]);
            out.bulk(nameAndValue[1]);
        }
    }

    private void set(final CommandContext ctx)
    {
        final Args args = ctx.args();
        final List<String> namesAndValues = new ArrayList<>(args.count() - 2);
        for (int i = 2; i < args.count(); i++)
        {
            // names one char per byte: every directive name is ASCII, and an unknown one is echoed in the
            // error as the bytes the client sent (Redis prints it with "%s"); values stay UTF-8 text (paths)
            namesAndValues.add((i & 1) == 0 ? new String(args.copy(i), StandardCharsets.ISO_8859_1) : args.toString(i));
        }
        try
        {
            config.setAll(isLocal(ctx.client()), namesAndValues);
            ctx.out().ok();
        }
        catch (final ConfigException ex)
        {
            // CONFIG SET errors echo only names (ISO-8859-1 above) and fixed ASCII text
            ctx.out().errorLatin1(ex.getMessage());
        }
    }

    /** Every statistic INFO reports: per command, keyspace, network, INFO's own (peak memory, rates). */
    private void resetStat(final CommandContext ctx)
    {
        final KeelEngine engine = server.engine();
        engine.commandTable().resetStats();
        engine.keyspace().resetStats();
        engine.errorStats().reset();
        server.loop().stats().reset();
        info.resetStats();
        ctx.out().ok();
    }

    /**
     * KeelKV cannot rewrite its config file yet. Without a config file the answer is Redis's; with one, an
     * error that says so, rather than a silent success that did not persist anything.
     */
    private void rewrite(final CommandContext ctx)
    {
        final String configFile = Info.configFileOf(config);
        if (configFile.isEmpty())
        {
            ctx.out().error("ERR The server is running without a config file");
        }
        else
        {
            ctx.out().error("ERR CONFIG REWRITE is not supported by KeelKV yet: edit " + configFile + " by hand");
        }
    }

    private static boolean isLocal(final ClientContext client)
    {
        return !(client instanceof ClientSession) || ((ClientSession)client).isLocal();
    }

    private static boolean hasRow(final CommandTable table, final String fullName)
    {
        for (final CommandSpec spec : table.allRows())
        {
            if (spec.fullName().equals(fullName))
            {
                return true;
            }
        }
        return false;
    }
}
