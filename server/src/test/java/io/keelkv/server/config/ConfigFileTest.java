package io.keelkv.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Start-up parsing: config file, command line, standard input. Every report text below was produced by
 * redis-server 7.0.15 with the same input (with "Redis 7.0.15" in the header where KeelKV says "KeelKV").
 */
class ConfigFileTest
{
    private static final String HEADER = "*** FATAL CONFIG FILE ERROR (KeelKV) ***\n";

    @TempDir
    Path workDir;

    private ServerConfig start(final String... argv) throws ConfigException
    {
        return ServerConfig.fromArgs(argv, workDir, InputStream.nullInputStream());
    }

    private Path file(final String name, final String content) throws Exception
    {
        final Path path = workDir.resolve(name);
        Files.write(path, content.getBytes(StandardCharsets.UTF_8));
        return path;
    }

    private String startError(final String... argv)
    {
        return assertThrows(ConfigException.class, () -> start(argv)).getMessage();
    }

    private String fileError(final String content) throws Exception
    {
        return startError(file("t.conf", content).toString());
    }

    private static String lineError(final int line, final String text, final String reason)
    {
        return HEADER + "Reading the configuration file, at line " + line + "\n>>> '" + text + "'\n" + reason;
    }

    @Test
    void shouldRejectUnknownDirectiveNamingIt() throws Exception
    {
        assertEquals(lineError(2, "foo \"bar\"", "Bad directive or wrong number of arguments"),
            fileError("port 6398\nfoo \"bar\"\n"));
    }

    @Test
    void shouldReadDirectivesWithCommentsBlankLinesIndentationAndAnyCase() throws Exception
    {
        final ServerConfig config = start(file("t.conf", String.join("\n",
            "# a comment",
            "",
            "   # an indented comment",
            "  MAXMEMORY   1gb  ",
            "\tport 7000\r",
            "bind 127.0.0.1 -::1",
            "requirepass \"p@ss word\"",
            "maxmemory-policy ALLKEYS-LRU",
            "appendonly yes",
            "client-output-buffer-limit pubsub 64mb 16mb 90",
            "")).toString());

        assertEquals(1024L * 1024 * 1024, config.maxMemoryBytes());
        assertEquals(7000, config.port());
        assertEquals(List.of("127.0.0.1", "-::1"), config.bindAddresses());
        assertEquals("127.0.0.1 -::1", config.get("bind"));
        assertEquals("p@ss word", config.requirePass());
        assertEquals("allkeys-lru", config.maxMemoryPolicy());
        assertTrue(config.appendOnly());
        assertEquals("normal 0 0 0 slave 268435456 67108864 60 pubsub 67108864 16777216 90",
            config.get("client-output-buffer-limit"));
    }

    @Test
    void shouldApplyCommandLineOptionsAfterTheFile() throws Exception
    {
        final ServerConfig config = start(file("t.conf", "port 7000\nhz 20\n").toString(), "--port", "7001",
            "--save", "100", "1");

        assertEquals(7001, config.port());
        assertEquals(20, config.hz());
        assertEquals("100 1", config.get("save"));
    }

    @Test
    void shouldNumberCommandLineOptionsAsLinesAfterTheFile() throws Exception
    {
        final Path conf = file("t.conf", "port 1\n");
        // the file's last newline, then a newline before the options: maxmemory is line 3
        assertEquals(lineError(3, "maxmemory \"x\"", "argument must be a memory value"),
            startError(conf.toString(), "--maxmemory", "x"));

        final Path noNewline = file("u.conf", "port 1");
        assertEquals(lineError(2, "maxmemory \"x\"", "argument must be a memory value"),
            startError(noNewline.toString(), "--maxmemory", "x"));
    }

    @Test
    void shouldNumberOptionsFromLineTwoWithoutFile()
    {
        assertEquals(lineError(3, "foo \"bar\"", "Bad directive or wrong number of arguments"),
            startError("--port", "6398", "--foo", "bar"));
        assertEquals(lineError(3, "maxmemory \"1 gb\"", "argument must be a memory value"),
            startError("--port", "6398", "--maxmemory", "1 gb"));
        assertEquals(lineError(2, "MAXMEMORY \"1x\"", "argument must be a memory value"),
            startError("--MAXMEMORY", "1x"));
    }

    @Test
    void shouldTakeTheArgumentAfterAValuelessOptionAsItsValue()
    {
        assertEquals(lineError(2, "port \"--daemonize\" \"no\"", "wrong number of arguments"),
            startError("--port", "--daemonize", "no"));
    }

    @Test
    void shouldAddStrayArgumentsToThePreviousOption()
    {
        assertEquals(lineError(2, "port \"6398\" \"foo\"", "wrong number of arguments"),
            startError("--port", "6398", "foo"));
        assertEquals(lineError(2, "\"-x\"", "Bad directive or wrong number of arguments"), startError("-x"));
    }

    @Test
    void shouldAcceptOptionAndValueInOneArgument() throws Exception
    {
        assertEquals(7002, start("--port 7002", "--hz", "5").port());
    }

    @Test
    void shouldReadEmptySaveFromTheCommandLine() throws Exception
    {
        assertEquals(List.of(), start("--save", "").save());
        assertEquals(List.of(), start("--save").save());
        final ServerConfig config = start("--save", "--port", "7003");
        assertEquals(List.of(), config.save());
        assertEquals(7003, config.port());
    }

    @Test
    void shouldQuoteCommandLineValuesSoTheyComeBackUnchanged() throws Exception
    {
        final String password = "a \"b\" \\c\td\u00e9\u20ac'";
        assertEquals(password, start("--requirepass", password).requirePass());
    }

    @Test
    void shouldAddTheSaveLinesOfAFileToEachOther() throws Exception
    {
        assertEquals("100 1 200 2", start(file("t.conf", "save 100 1\nsave 200 2\n").toString()).get("save"));
        assertEquals("100 1", start(file("t.conf", "save \"\"\nsave 100 1\n").toString()).get("save"));
        assertEquals("", start(file("t.conf", "save \"\"\n").toString()).get("save"));
        assertEquals("", start(file("t.conf", "save\n").toString()).get("save"));
    }

    @Test
    void shouldKeepHzWithinOneAndFiveHundred() throws Exception
    {
        assertEquals("500", start("--hz", "1000").get("hz"));
        assertEquals(1, start("--hz", "0").hz());
    }

    @Test
    void shouldReadQuotedArgumentsLikeRedis() throws Exception
    {
        assertEquals("aAb\n", start(file("t.conf", "requirepass \"a\\x41b\\n\"\n").toString()).requirePass());
        assertEquals("it's", start(file("t.conf", "requirepass 'it\\'s'\n").toString()).requirePass());
        assertEquals("ab cd", start(file("t.conf", "requirepass ab\" cd\"\n").toString()).requirePass());
        assertEquals("p\u00e4ss\u20ac",
            start(file("t.conf", "requirepass \"p\u00e4ss\\xe2\\x82\\xac\"\n").toString()).requirePass());
        assertEquals("", start(file("t.conf", "logfile \"\"\n").toString()).get("logfile"));
    }

    @Test
    void shouldRejectUnbalancedQuotes() throws Exception
    {
        final String reason = "Unbalanced quotes in configuration line";
        assertEquals(lineError(1, "port \"6398", reason), fileError("port \"6398\n"));
        assertEquals(lineError(1, "requirepass \"a\"b", reason), fileError("requirepass \"a\"b\n"));
        assertEquals(lineError(1, "requirepass 'a\\'b'c", reason), fileError("requirepass 'a\\'b'c\n"));
        assertEquals(lineError(1, "requirepass 'ab", reason), fileError("requirepass 'ab\n"));
        assertEquals(lineError(1, "requirepass a\"b c\"d e", reason), fileError("requirepass a\"b c\"d e\n"));
    }

    @Test
    void shouldRejectWrongNumberOfArguments() throws Exception
    {
        assertEquals(lineError(1, "port 1 2", "wrong number of arguments"), fileError("port 1 2\n"));
        assertEquals(lineError(1, "port", "wrong number of arguments"), fileError("port\n"));
        assertEquals(lineError(1, "requirepass \"a\\x41b\\n\" x", "wrong number of arguments"),
            fileError("requirepass \"a\\x41b\\n\" x\n"));
        assertEquals(lineError(1, "notify-keyspace-events", "wrong number of arguments"),
            fileError("notify-keyspace-events\n"));
        assertEquals(lineError(1, "dir", "wrong number of arguments"), fileError("dir\n"));
        assertEquals(lineError(1, "dir /tmp /tmp", "wrong number of arguments"), fileError("dir /tmp /tmp\n"));
    }

    @Test
    void shouldReportEveryValueErrorWithRedisText() throws Exception
    {
        final String[][] cases = {
            {"maxmemory 1xb", "argument must be a memory value"},
            {"port foo", "argument couldn't be parsed into an integer"},
            {"port 99999", "argument must be between 0 and 65535 inclusive"},
            {"databases 0", "argument must be between 1 and 2147483647 inclusive"},
            {"maxmemory-samples 0", "argument must be between 1 and 2147483647 inclusive"},
            {"protected-mode maybe", "argument must be 'yes' or 'no'"},
            {"daemonize maybe", "argument must be 'yes' or 'no'"},
            {"maxmemory-policy bar", "argument(s) must be one of the following: volatile-lru, volatile-lfu, " +
                "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"},
            {"loglevel bar", "argument(s) must be one of the following: debug, verbose, notice, warning"},
            {"appendfsync x", "argument(s) must be one of the following: everysec, always, no"},
            {"enable-debug-command maybe", "argument(s) must be one of the following: no, yes, local"},
            {"save 1", "Invalid save parameters"},
            {"client-output-buffer-limit normal 1 2", "Wrong number of arguments in buffer limit configuration."},
            {"client-output-buffer-limit master 1 2 3",
                "Invalid client class specified in buffer limit configuration."},
            {"bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", "Too many bind addresses specified."},
            {"notify-keyspace-events foo", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."},
            {"appendfilename \"\"", "appendfilename can't be empty"},
            {"appendfilename a/b", "appendfilename can't be a path, just a filename"},
            {"dbfilename a/b", "dbfilename can't be a path, just a filename"},
            {"appenddirname \"\"", "appenddirname can't be empty"},
            {"latency-tracking-info-percentiles 50 abc", "Invalid latency-tracking-info-percentiles parameters"},
            {"latency-tracking-info-percentiles 50 101",
                "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"},
            {"dir /nonexistent", "No such file or directory"},
            {"list-max-ziplist-entries 5 6", "Bad directive or wrong number of arguments"},
        };
        for (final String[] c : cases)
        {
            assertEquals(lineError(1, c[0], c[1]), fileError(c[0] + "\n"), c[0]);
        }
    }

    @Test
    void shouldReportTheLineOfTheErrorAfterOtherLines() throws Exception
    {
        assertEquals(lineError(5, "port 99999", "argument must be between 0 and 65535 inclusive"),
            fileError("  MAXMEMORY   1gb  \n# hello\n\n   # indented comment\nport 99999\n"));
    }

    @Test
    void shouldIgnoreDirectivesRedisDeprecated() throws Exception
    {
        start(file("t.conf", "list-max-ziplist-entries 5\nlist-max-ziplist-value 6\nlua-replicate-commands yes\n")
            .toString());
    }

    @Test
    void shouldStopWhenTheLogFileCannotBeOpened() throws Exception
    {
        assertEquals(HEADER + "Can't open the log file: No such file or directory",
            fileError("logfile /nonexistent/x.log\n"));
    }

    @Test
    void shouldOpenTheLogFileRelativeToDir() throws Exception
    {
        Files.createDirectory(workDir.resolve("data"));
        final ServerConfig config = start("--dir", "data", "--logfile", "keel.log");
        assertEquals("keel.log", config.logFile());
        assertTrue(Files.exists(workDir.resolve("data").resolve("keel.log")));
    }

    @Test
    void shouldReportAMissingConfigFile()
    {
        assertEquals("Fatal error, can't open config file '/nonexistent.conf': No such file or directory",
            startError("/nonexistent.conf"));
    }

    @Test
    void shouldIncludeFilesRelativeToTheCurrentDir() throws Exception
    {
        final Path sub = Files.createDirectory(workDir.resolve("inc"));
        Files.writeString(sub.resolve("sub.conf"), "port 6396\n");
        final ServerConfig config = start(file("t.conf", "dir inc\ninclude sub.conf\nmaxmemory 2gb\n").toString());

        assertEquals(6396, config.port());
        assertEquals(sub.toRealPath().toString(), config.dir());
        assertEquals("2147483648", config.get("maxmemory"));
    }

    @Test
    void shouldIncludeEveryFileMatchingAWildcardAndNothingWhenNoneMatches() throws Exception
    {
        final Path confD = Files.createDirectory(workDir.resolve("conf.d"));
        Files.writeString(confD.resolve("a.conf"), "port 7010\nhz 7\n");
        Files.writeString(confD.resolve("b.conf"), "port 7011\n");
        Files.writeString(confD.resolve("c.txt"), "port 7012\n");
        assertEquals(7011, start("--include", confD + "/*.conf").port());
        assertEquals(7, start("--include", confD + "/*.conf").hz());
        assertEquals(6379, start("--include", confD + "/*.none").port());
    }

    @Test
    void shouldReportAnErrorOfAnIncludedFileWithItsOwnLine() throws Exception
    {
        file("bad.conf", "\nport x\n");
        assertEquals(lineError(2, "port x", "argument couldn't be parsed into an integer"),
            fileError("hz 5\ninclude bad.conf\n"));
        assertEquals("Fatal error, can't open config file 'missing.conf': No such file or directory",
            fileError("include missing.conf\n"));
    }

    @Test
    void shouldResolveDirAgainstTheWorkingDirectoryAndPreviousDir() throws Exception
    {
        final Path a = Files.createDirectories(workDir.resolve("a").resolve("b"));
        final ServerConfig config = start(file("t.conf", "dir a\ndir b\n").toString());
        assertEquals(a.toRealPath().toString(), config.dir());
        assertEquals(a.toRealPath().toString(), config.get("dir"));
    }

    /** rename-command checks names as Redis 7.0 does (against all of Redis's commands), with its words. */
    @Test
    void shouldCheckRenameCommandAsRedis() throws Exception
    {
        assertEquals(lineError(1, "rename-command nosuch \"\"", "No such command in rename-command"),
            fileError("rename-command nosuch \"\"\n"));
        assertEquals(lineError(1, "rename-command get set", "Target command name already exists"),
            fileError("rename-command get set\n"));
        assertEquals(lineError(2, "rename-command flushall x", "No such command in rename-command"),
            fileError("rename-command FLUSHALL \"\"\nrename-command flushall x\n"), "a removed command is gone");
        assertEquals(lineError(1, "rename-command config", "Bad directive or wrong number of arguments"),
            fileError("rename-command config\n"));
        // a command KeelKV does not serve is still one of Redis's: accepted
        final ServerConfig config = start(file("t.conf", "rename-command lpush mypush\nrename-command config cfg\n").toString());
        assertEquals(2, config.renamedCommands().size());
        assertEquals("cfg", config.renamedCommands().get(1)[1]);
    }

    @Test
    void shouldRefuseDaemonizeBecauseTheServerRunsInTheForeground() throws Exception
    {
        assertFalse(start("--daemonize", "no").get("daemonize").equals("yes"));
        final String refusal = "daemonize yes is not supported: keel-server runs in the foreground (run it in the " +
            "background with a service manager, or add --daemonize no)";
        assertTrue(fileError("daemonize yes\n").endsWith("\n" + refusal), fileError("daemonize yes\n"));
        // a stock redis.conf says "daemonize yes": an argument after it wins, as in Redis
        assertEquals("no", start(file("t.conf", "daemonize yes\n").toString(), "--daemonize", "no").get("daemonize"));
    }

    @Test
    void shouldReportValueErrorsOfTheReplicationClusterTlsAndProcessDirectivesWithRedisText()
    {
        final String octal = "argument couldn't be parsed as an octal number";
        final String[][] cases = {
            {"replicaof \"127.0.0.1\"", "wrong number of arguments", "--replicaof", "127.0.0.1"},
            {"replicaof \"127.0.0.1\" \"x\"", "Invalid master port", "--replicaof", "127.0.0.1", "x"},
            {"replicaof \"127.0.0.1\" \"70000\"", "Invalid master port", "--replicaof", "127.0.0.1", "70000"},
            {"replicaof \"127.0.0.1\" \"-1\"", "Invalid master port", "--replicaof", "127.0.0.1", "-1"},
            {"replicaof \"a\" \"b\" \"c\"", "wrong number of arguments", "--replicaof", "a", "b", "c"},
            {"slaveof \"a\" \"99999\"", "Invalid master port", "--slaveof", "a", "99999"},
            {"unixsocketperm \"800\"", octal, "--unixsocketperm", "800"},
            {"unixsocketperm \"x\"", octal, "--unixsocketperm", "x"},
            {"unixsocketperm \"0x7\"", octal, "--unixsocketperm", "0x7"},
            {"unixsocketperm \"1777\"", "argument must be between 0 and 777 inclusive", "--unixsocketperm", "1777"},
            {"unixsocketperm \"-1\"", "argument must be between 0 and 777 inclusive", "--unixsocketperm", "-1"},
            {"oom-score-adj-values \"1\" \"2\"", "wrong number of arguments", "--oom-score-adj-values", "1", "2"},
            {"oom-score-adj-values \"1 2 3 4\"", "wrong number of arguments", "--oom-score-adj-values", "1 2 3 4"},
            {"shutdown-on-sigterm \"save nosave\"", "shutdown options SAVE and NOSAVE can't be used simultaneously",
                "--shutdown-on-sigterm", "save nosave"},
            {"shutdown-on-sigterm", "argument(s) must be one of the following: default, save, nosave, now, force",
                "--shutdown-on-sigterm"},
            {"socket-mark-id \"-1\"", "argument must be between 0 and 4294967295 inclusive", "--socket-mark-id", "-1"},
            {"socket-mark-id \"4294967296\"", "argument must be between 0 and 4294967295 inclusive",
                "--socket-mark-id", "4294967296"},
            {"supervised \"foo\"", "argument(s) must be one of the following: upstart, systemd, auto, no",
                "--supervised", "foo"},
            {"syslog-facility \"foo\"", "argument(s) must be one of the following: user, local0, local1, local2, " +
                "local3, local4, local5, local6, local7", "--syslog-facility", "foo"},
            {"maxmemory-clients \"200%\"", "percentage argument must be less or equal to 100", "--maxmemory-clients",
                "200%"},
            {"repl-backlog-size \"0\"", "argument must be between 1 and 9223372036854775807 inclusive",
                "--repl-backlog-size", "0"},
            {"repl-timeout \"0\"", "argument must be between 1 and 2147483647 inclusive", "--repl-timeout", "0"},
            {"cluster-announce-hostname \"a b\"", "Hostnames may only contain alphanumeric characters, hyphens or dots",
                "--cluster-announce-hostname", "a b"},
            {"tls-port \"99999\"", "argument must be between 0 and 65535 inclusive", "--tls-port", "99999"},
            {"repl-backlog-ttl \"-1\"", "argument must be between 0 and 9223372036854775807 inclusive",
                "--repl-backlog-ttl", "-1"},
        };
        for (final String[] c : cases)
        {
            final String[] argv = java.util.Arrays.copyOfRange(c, 2, c.length);
            assertEquals(lineError(2, c[0], c[1]), startError(argv), c[0]);
        }
    }

    @Test
    void shouldReadTheNewDirectivesAsRedisDoes() throws Exception
    {
        assertEquals("700", start("--unixsocketperm", " 0700").get("unixsocketperm"));
        assertEquals("0", start("--unixsocketperm", "").get("unixsocketperm"));
        assertEquals("7", start("--unixsocketperm", "7").get("unixsocketperm"));
        assertEquals("", start("--slaveof", "NO", "ONE").get("replicaof"));
        assertEquals("", start("--replicaof", "no one").get("slaveof"));
        assertEquals("auto", start("--supervised", "AUTO").get("supervised"));
        assertEquals("local3", start("--syslog-facility", "LOCAL3").get("syslog-facility"));
        assertEquals("7", start("--socket-mark-id", "7").get("socket-mark-id"));
        final ServerConfig config = start(file("t.conf", String.join("\n",
            "oom-score-adj-values 0 200 800",
            "oom-score-adj-values \"-5 6 7\"",
            "shutdown-on-sigterm nosave now",
            "shutdown-on-sigint \"force save\"",
            "slave-priority 50",
            "repl-backlog-size 4mb",
            "maxmemory-clients 5%",
            "masterauth \"p w\"",
            "proc-title-template \"{title} {listen-addr} {server-mode}\"",
            "")).toString());
        assertEquals("-5 6 7", config.get("oom-score-adj-values"));
        assertEquals("nosave now", config.get("shutdown-on-sigterm"));
        assertEquals("save force", config.get("shutdown-on-sigint"));
        assertEquals("50", config.get("replica-priority"));
        assertEquals("4194304", config.get("repl-backlog-size"));
        assertEquals("5%", config.get("maxmemory-clients"));
        assertEquals("p w", config.get("masterauth"));
    }

    /**
     * The start-up half of the rule for features KeelKV lacks (see Directives): each switch, whether from a file
     * line or an argument, stops the start with the directive named once everything is read, and a later argument
     * can switch it off again. Each case: the enabling arguments, the report, the arguments that switch it off.
     */
    @Test
    void shouldRefuseToStartWithAFeatureKeelKvLacksUnlessALaterArgumentTurnsItOff() throws Exception
    {
        final String[][] cases = {
            {"replicaof 10.0.0.1 6379",
                "replicaof 10.0.0.1 6379 is not supported: KeelKV has no replication, it would serve its own data as " +
                "a master (remove the line or add --replicaof \"no one\")", "--replicaof", "no one"},
            {"slaveof 10.0.0.1 \" +06380\"",
                "replicaof 10.0.0.1 6380 is not supported: KeelKV has no replication, it would serve its own data as " +
                "a master (remove the line or add --replicaof \"no one\")", "--slaveof", "NO", "ONE"},
            {"cluster-enabled yes", "cluster-enabled yes is not supported: KeelKV has no cluster mode " +
                "(add --cluster-enabled no)", "--cluster-enabled", "no"},
            {"tls-port 6380", "tls-port 6380 is not supported: KeelKV has no TLS (remove the line or add --tls-port 0)",
                "--tls-port", "0"},
            {"tls-replication yes", "tls-replication yes is not supported: KeelKV has no TLS and no replication " +
                "(add --tls-replication no)", "--tls-replication", "no"},
            {"tls-cluster yes", "tls-cluster yes is not supported: KeelKV has no TLS and no cluster mode " +
                "(add --tls-cluster no)", "--tls-cluster", "no"},
            {"unixsocket /run/redis/redis-server.sock", "unixsocket /run/redis/redis-server.sock is not supported: " +
                "KeelKV listens on TCP only, its clients could not connect (connect over TCP instead, and remove the " +
                "line or add --unixsocket \"\")", "--unixsocket", ""},
            {"aclfile /etc/redis/users.acl", "aclfile /etc/redis/users.acl is not supported: KeelKV has only the " +
                "default user (requirepass), its users would not exist (remove the line or add --aclfile \"\")",
                "--aclfile", ""},
            {"syslog-enabled yes", "syslog-enabled yes is not supported: KeelKV logs to standard output or to the " +
                "logfile only (add --syslog-enabled no; a service manager such as systemd passes standard output " +
                "on to its journal)", "--syslog-enabled", "no"},
            {"supervised systemd", "supervised systemd is not supported: KeelKV cannot tell a supervisor that it is " +
                "ready (add --supervised no, and start it as a simple (not notify) service)", "--supervised", "no"},
            {"supervised upstart", "supervised upstart is not supported: KeelKV cannot tell a supervisor that it is " +
                "ready (add --supervised no, and start it as a simple (not notify) service)", "--supervised", "no"},
            {"min-slaves-to-write 1", "min-replicas-to-write 1 is not supported: KeelKV has no replication, no " +
                "write could reach a replica (add --min-replicas-to-write 0)", "--min-replicas-to-write", "0"},
            {"daemonize yes", "daemonize yes is not supported: keel-server runs in the foreground (run it in the " +
                "background with a service manager, or add --daemonize no)", "--daemonize", "no"},
        };
        for (final String[] c : cases)
        {
            final String report = HEADER + c[1];
            final Path conf = file("t.conf", "port 7000\n" + c[0] + "\nhz 20\n");
            assertEquals(report, startError(conf.toString()), "file line " + c[0]);

            final List<String> line = ConfigSyntax.splitArgs(c[0]);
            final List<String> argv = new java.util.ArrayList<>();
            argv.add("--" + line.get(0));
            argv.addAll(line.subList(1, line.size()));
            assertEquals(report, startError(argv.toArray(new String[0])), "argument " + c[0]);

            final String[] off = java.util.Arrays.copyOfRange(c, 2, c.length);
            final String[] fileThenOff = new String[off.length + 1];
            fileThenOff[0] = conf.toString();
            System.arraycopy(off, 0, fileThenOff, 1, off.length);
            final ServerConfig config = start(fileThenOff);
            assertEquals(20, config.hz(), c[0]);
            assertEquals(ServerConfig.defaults().get(line.get(0)), config.get(line.get(0)), c[0]);

            // an argument turned off by a later argument: the last one wins, as for any directive
            argv.addAll(List.of(off));
            start(argv.toArray(new String[0]));
        }
    }

    @Test
    void shouldAcceptTheTuningOfFeaturesKeelKvLacks() throws Exception
    {
        final ServerConfig config = start(file("t.conf", String.join("\n",
            "masterauth secret",
            "masteruser repl",
            "replica-read-only no",
            "repl-diskless-sync no",
            "min-replicas-max-lag 20",
            "cluster-node-timeout 5000",
            "cluster-config-file nodes-6379.conf",
            "tls-cert-file /etc/ssl/redis.crt",
            "tls-auth-clients optional",
            "unixsocketperm 700",
            "supervised auto",
            "syslog-ident keel",
            "syslog-facility local1",
            "oom-score-adj yes",
            "disable-thp no",
            "jemalloc-bg-thread no",
            "maxmemory-clients 10%",
            "shutdown-on-sigterm now",
            "")).toString());
        assertEquals("secret", config.get("masterauth"));
        assertEquals("no", config.get("slave-read-only"));
        assertEquals("optional", config.get("tls-auth-clients"));
        assertEquals("700", config.get("unixsocketperm"));
        assertEquals("auto", config.get("supervised"));
        assertEquals("10%", config.get("maxmemory-clients"));
    }

    @Test
    void shouldAcceptOnlyPowerOfTwoPageSizesFrom4kbTo16mb() throws Exception
    {
        assertEquals(4096, start("--page-size", "4kb").pageSizeBytes());
        assertEquals(16 * 1024 * 1024, start("--page-size", "16mb").pageSizeBytes());
        assertEquals(lineError(2, "page-size \"12kb\"", "argument must be a power of two"),
            startError("--page-size", "12kb"));
        assertEquals(lineError(2, "page-size \"2kb\"", "argument must be between 4096 and 16777216 inclusive"),
            startError("--page-size", "2kb"));
        assertEquals(lineError(2, "page-size \"32mb\"", "argument must be between 4096 and 16777216 inclusive"),
            startError("--page-size", "32mb"));
    }

    @Test
    void shouldReadKeelKvDirectives() throws Exception
    {
        final ServerConfig config = start("--idle-strategy", "BUSY-SPIN", "--server_cpulist", "0-7:2");
        assertEquals("busy-spin", config.idleStrategy());
        assertEquals("0-7:2", config.serverCpuList());
        assertEquals(lineError(2, "idle-strategy \"spin\"",
            "argument(s) must be one of the following: busy-spin, yield, backoff, sleep"),
            startError("--idle-strategy", "spin"));
        // Redis takes any text for its cpulists (and ignores what it cannot apply): so does KeelKV, which logs it
        assertEquals("not a list", start("--server_cpulist", "not a list").serverCpuList());
    }

    @Test
    void shouldReadStandardInputWhenAnArgumentIsADash() throws Exception
    {
        final InputStream stdin = new ByteArrayInputStream("maxmemory 1x\n".getBytes(StandardCharsets.UTF_8));
        final String message = assertThrows(ConfigException.class,
            () -> ServerConfig.fromArgs(new String[] {"-", "--port", "6395"}, workDir, stdin)).getMessage();
        assertEquals(lineError(1, "maxmemory 1x", "argument must be a memory value"), message);

        final InputStream stdin2 = new ByteArrayInputStream("hz 42\n".getBytes(StandardCharsets.UTF_8));
        final ServerConfig config = ServerConfig.fromArgs(
            new String[] {file("t.conf", "port 7020\n").toString(), "--loglevel", "debug", "-"}, workDir, stdin2);
        assertEquals(42, config.hz());
        assertEquals(7020, config.port());
        assertEquals("debug", config.logLevel());
    }

    @Test
    void shouldPrintVersionAndHelpAndReturnNoConfig() throws Exception
    {
        for (final String option : List.of("--version", "-v"))
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertNull(ServerConfig.fromArgs(new String[] {option, "--port", "1"}, workDir,
                InputStream.nullInputStream(), new PrintStream(out, true), new PrintStream(err, true)));
            assertEquals("KeelKV server v=0.1.0" + System.lineSeparator(), out.toString(StandardCharsets.UTF_8));
            assertEquals("", err.toString(StandardCharsets.UTF_8));
        }
        for (final String option : List.of("--help", "-h"))
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertNull(ServerConfig.fromArgs(new String[] {option}, workDir, InputStream.nullInputStream(),
                new PrintStream(out, true), new PrintStream(err, true)));
            assertEquals("", out.toString(StandardCharsets.UTF_8));
            assertTrue(err.toString(StandardCharsets.UTF_8).startsWith(
                "Usage: keel-server [/path/to/keelkv.conf] [options] [-]\n"));
            assertEquals(ServerConfig.usageText() + System.lineSeparator(), err.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void shouldRememberTheConfigFileAsAnAbsolutePath() throws Exception
    {
        file("t.conf", "port 7000\n");
        assertEquals(workDir.resolve("t.conf").toString(), start("t.conf").configFile());
        assertEquals("", start("--port", "7000").configFile());
    }

    @Test
    void shouldStartWithDefaultsWithoutArguments() throws Exception
    {
        final ServerConfig config = start();
        assertEquals(6379, config.port());
        assertNull(config.requirePass());
        assertEquals(workDir.toRealPath().toString(), config.dir());
    }
}
