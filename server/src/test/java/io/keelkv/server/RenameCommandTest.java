package io.keelkv.server;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * rename-command, as production configurations use it (hide FLUSHALL, move CONFIG), against redis-server
 * started with the same arguments: every reply byte for byte.
 */
class RenameCommandTest
{
    private static final String[] RENAMES = {
        "--rename-command", "flushall", "", "--rename-command", "CONFIG", "cfg-7f3a", "--rename-command", "lpush", "mypush"};

    @Test
    void shouldAnswerRenamedAndRemovedCommandsAsRedis() throws Exception
    {
        try (RedisOracle redis = RedisOracle.start(RENAMES); KeelServer keel = TestServers.start(RENAMES);
            RawRespClient r = new RawRespClient(redis.port(), StandardCharsets.ISO_8859_1);
            RawRespClient k = new RawRespClient(keel.port(), StandardCharsets.ISO_8859_1))
        {
            final String[][] requests = {
                {"FLUSHALL"},
                {"flushall", "ASYNC"},
                {"CONFIG", "GET", "maxmemory"},
                {"cfg-7f3a", "GET", "maxmemory"},
                {"CFG-7F3A", "GET", "maxmemory-policy"},
                {"cfg-7f3a", "SET", "maxmemory-policy", "allkeys-lru"},
                {"cfg-7f3a", "GET", "maxmemory-policy"},
                {"cfg-7f3a"},
                {"cfg-7f3a", "NOSUCH"},
                {"COMMAND", "INFO", "flushall", "config"},
                {"COMMAND", "INFO", "cfg-7f3a|get"},
                {"SET", "k", "v"},
                {"FLUSHDB"},
                {"DBSIZE"},
            };
            for (final String[] request : requests)
            {
                assertEquals(r.call(request), k.call(request), String.join(" ", request));
            }
            final String count = k.call("COMMAND", "COUNT");
            try (KeelServer plain = TestServers.start(); RawRespClient p = new RawRespClient(plain.port()))
            {
                final long before = Long.parseLong(p.call("COMMAND", "COUNT").substring(1).trim());
                assertEquals(":" + (before - 1) + "\r\n", count, "FLUSHALL removed from COMMAND COUNT");
            }
            assertTrue(k.call("COMMAND", "LIST").contains("config"), "COMMAND LIST shows the command's own name");
            // a container's subcommands come in Redis's random dict order there: compare the head only
            assertTrue(k.call("COMMAND", "INFO", "cfg-7f3a").startsWith("*1\r\n*10\r\n$6\r\nconfig\r\n:-2\r\n"),
                "COMMAND INFO finds the renamed command and shows its own name, as Redis");
        }
    }
}
