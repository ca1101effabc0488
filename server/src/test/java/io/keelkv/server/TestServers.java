package io.keelkv.server;

import io.keelkv.server.config.ServerConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * Starts a real KeelServer in this JVM on a free loopback port, without save points, in a fresh temp dir (so
 * no dump.rdb of another run is loaded and a SAVE lands nowhere shared); a later --dir in the arguments wins.
 */
final class TestServers
{
    private TestServers()
    {
    }

    static KeelServer start(final String... extraArgs) throws Exception
    {
        final java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("keel-server");
        dir.toFile().deleteOnExit();
        final List<String> argv = new ArrayList<>(List.of("--port", "0", "--bind", "127.0.0.1", "--save", "",
            "--dir", dir.toString()));
        argv.addAll(List.of(extraArgs));
        final ServerConfig config = ServerConfig.fromArgs(argv.toArray(new String[0]));
        return new KeelServer(config).start();
    }
}
