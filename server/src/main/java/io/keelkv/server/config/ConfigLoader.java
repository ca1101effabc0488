package io.keelkv.server.config;

import io.keelkv.server.config.Directive.Invalid;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the start-up configuration the way redis-server does (server.c main and config.c
 * loadServerConfig/loadServerConfigFromString): the config file, then standard input when an argument is
 * "-", then the command-line options turned into config lines ({@code --port 7777} becomes
 * {@code port "7777"}), all as one text whose lines are numbered in error reports.
 */
final class ConfigLoader
{
    private final ServerConfig config;
    private boolean saveLoaded;
    /** Redis's command names as rename-command lines so far have left them (server.commands at load time). */
    private java.util.Set<String> commandNames;

    ConfigLoader(final ServerConfig config)
    {
        this.config = config;
    }

    void loadArgs(final String[] argv, final InputStream stdin) throws ConfigException
    {
        if (argv.length == 0)
        {
            return;
        }

        int j = 0;
        String configFile = null;
        if (!argv[0].startsWith("-"))
        {
            configFile = argv[0];
            j = 1;
        }

        boolean fromStdin = false;
        final StringBuilder options = new StringBuilder();
        boolean handledLastConfigArg = true;
        for (; j < argv.length; j++)
        {
            final String arg = argv[j];
            final boolean last = j == argv.length - 1;
            if (arg.equals("-") && (j == 0 || last))
            {
                fromStdin = true;
            }
            else if (handledLastConfigArg && arg.startsWith("--"))
            {
                if (options.length() > 0)
                {
                    options.append('\n');
                }
                options.append(latin1(arg.substring(2))).append(' ');

                final List<String> split = ConfigSyntax.splitArgs(latin1(arg));
                if (split != null && split.size() == 1)
                {
                    // only a name: the next argument is its value, whatever it looks like
                    handledLastConfigArg = false;
                    // except for `--save` followed by another option or nothing: an empty save, as before 7.0
                    if (arg.equalsIgnoreCase("--save") && (last || argv[j + 1].startsWith("--")))
                    {
                        options.append("\"\"");
                        handledLastConfigArg = !last;
                    }
                }
                else
                {
                    // "--port 6380" as one argument carries its value
                    handledLastConfigArg = true;
                }
            }
            else
            {
                options.append(ConfigSyntax.repr(arg)).append(' ');
                handledLastConfigArg = true;
            }
        }

        final StringBuilder text = new StringBuilder();
        if (configFile != null)
        {
            final Path path = resolve(configFile);
            config.configFile(path.toString());
            text.append(readFile(path, path.toString()));
        }
        if (fromStdin)
        {
            try
            {
                text.append(new String(stdin.readAllBytes(), StandardCharsets.ISO_8859_1));
            }
            catch (final IOException ex)
            {
                throw new ConfigException("Fatal error, can't read config from stdin: " + ServerConfig.errnoText(ex));
            }
        }
        text.append('\n').append(options);
        loadText(text.toString());
    }

    /**
     * loadServerConfigFromString: one directive per line; the first error stops the start.
     */
    void loadText(final String text) throws ConfigException
    {
        final String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++)
        {
            final int lineNumber = i + 1;
            final String line = ConfigSyntax.trim(lines[i]);
            if (line.isEmpty() || line.charAt(0) == '#')
            {
                continue;
            }

            final List<String> args = ConfigSyntax.splitArgs(line);
            if (args == null)
            {
                throw lineError(lineNumber, line, "Unbalanced quotes in configuration line");
            }
            if (args.isEmpty())
            {
                continue;
            }

            final String name = args.get(0).toLowerCase(Locale.ROOT);
            final Directive directive = Directives.lookup(name);
            if (directive != null)
            {
                if (!directive.isMultiArg() && args.size() != 2)
                {
                    throw lineError(lineNumber, line, "wrong number of arguments");
                }
                List<String> values = args.subList(1, args.size());
                if (directive.isMultiArg() && values.size() == 1 && !values.get(0).isEmpty())
                {
                    // Redis 7: a multi-argument directive given one argument ("--save '900 1 300 10'",
                    // a quoted line in the file) is split on spaces, as CONFIG SET splits its value
                    values = ConfigSyntax.splitOnSpace(values.get(0));
                }
                try
                {
                    store(directive, directive.type.parse(values, config.value(directive)));
                }
                catch (final Invalid ex)
                {
                    throw lineError(lineNumber, line, ex.getMessage());
                }
            }
            else if (Directives.IGNORED_DEPRECATED.contains(name) && args.size() == 2)
            {
                continue;
            }
            else if (name.equals("include") && args.size() == 2)
            {
                include(args.get(1));
            }
            else if (name.equals("rename-command") && args.size() == 3)
            {
                final String reason = renameCommand(args.get(1), args.get(2));
                if (reason != null)
                {
                    throw lineError(lineNumber, line, reason);
                }
            }
            else
            {
                throw lineError(lineNumber, line, "Bad directive or wrong number of arguments");
            }
        }
    }

    /**
     * rename-command as config.c checks it: the command must exist (among all of Redis 7.0's, whether KeelKV
     * serves it or not) and the new name must be free. A name KeelKV does not serve is renamed in this
     * check only: it is not there to be reached under either name.
     */
    private String renameCommand(final String from, final String to)
    {
        if (commandNames == null)
        {
            commandNames = new java.util.HashSet<>(io.keelkv.engine.command.CommandTable.redisCommandNames());
        }
        final String fromKey = io.keelkv.engine.command.CommandTable.foldName(from);
        final String toKey = io.keelkv.engine.command.CommandTable.foldName(to);
        if (!commandNames.contains(fromKey))
        {
            return "No such command in rename-command";
        }
        if (!toKey.isEmpty() && commandNames.contains(toKey))
        {
            return "Target command name already exists";
        }
        commandNames.remove(fromKey);
        if (!toKey.isEmpty())
        {
            commandNames.add(toKey);
        }
        config.renameCommand(from, to);
        return null;
    }

    private void store(final Directive directive, final Object value)
    {
        if (directive == Directives.SAVE)
        {
            // the first save line of the files replaces the default, the next ones add save points
            if (saveLoaded)
            {
                final List<Object> points = new ArrayList<>((List<?>)config.value(directive));
                points.addAll((List<?>)value);
                config.store(directive, List.copyOf(points));
                return;
            }
            saveLoaded = true;
        }
        config.store(directive, value);
    }

    /**
     * {@code include path}: relative to dir as it is at this line (Redis has chdir()ed there), with glob(3)
     * wildcards in the file name (a pattern that matches nothing is no error, as in Redis).
     */
    private void include(final String pathText) throws ConfigException
    {
        final boolean wildcard = pathText.indexOf('*') >= 0 || pathText.indexOf('?') >= 0 ||
            pathText.indexOf('[') >= 0;
        if (!wildcard)
        {
            loadText(readFile(resolve(pathText), pathText));
            return;
        }

        final Path pattern = resolve(pathText);
        final Path parent = pattern.getParent();
        final List<Path> matches = new ArrayList<>();
        if (parent != null && Files.isDirectory(parent))
        {
            final PathMatcher matcher = FileSystems.getDefault().getPathMatcher(
                "glob:" + pattern.getFileName().toString());
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent))
            {
                for (final Path entry : entries)
                {
                    if (matcher.matches(entry.getFileName()))
                    {
                        matches.add(entry);
                    }
                }
            }
            catch (final IOException ex)
            {
                throw new ConfigException("Fatal error, can't open config file '" + pathText + "': " +
                    ServerConfig.errnoText(ex));
            }
        }
        matches.sort(null);
        final StringBuilder text = new StringBuilder();
        for (final Path match : matches)
        {
            text.append(readFile(match, match.toString()));
        }
        loadText(text.toString());
    }

    private Path resolve(final String pathText) throws ConfigException
    {
        try
        {
            return Path.of((String)config.value(Directives.DIR)).resolve(pathText);
        }
        catch (final InvalidPathException ex)
        {
            throw new ConfigException("Fatal error, can't open config file '" + pathText +
                "': No such file or directory");
        }
    }

    private static String readFile(final Path path, final String shownName) throws ConfigException
    {
        try
        {
            return new String(Files.readAllBytes(path), StandardCharsets.ISO_8859_1);
        }
        catch (final IOException ex)
        {
            throw new ConfigException("Fatal error, can't open config file '" + shownName + "': " +
                ServerConfig.errnoText(ex));
        }
    }

    private static ConfigException lineError(final int lineNumber, final String line, final String reason)
    {
        return new ConfigException(ServerConfig.FATAL_HEADER + "\n" +
            "Reading the configuration file, at line " + lineNumber + "\n" +
            ">>> '" + ConfigSyntax.displayLine(line) + "'\n" +
            reason);
    }

    /** The UTF-8 bytes of a Java string as ISO-8859-1 chars: the form config text is processed in. */
    private static String latin1(final String s)
    {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }
}
