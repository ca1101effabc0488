/**
 * The commands the server serves itself, over the engine's command table: AUTH, HELLO, QUIT, CLIENT,
 * SHUTDOWN and the DEBUG gate ({@link io.keelkv.server.command.ConnectionCommands}), INFO
 * ({@link io.keelkv.server.command.Info}) and CONFIG ({@link io.keelkv.server.command.ConfigCommand}).
 * They live in the server, not in the engine's command package, because they need what the engine must not
 * know: sessions, sockets, the configuration and the process.
 *
 * <p>This is the one room that looks across the server: it may depend on {@code config}, {@code net},
 * {@code session}, {@code log} and {@code persistence}. It never depends on {@code KeelServer}: the running
 * server is reached through {@link io.keelkv.server.command.ServerControl}, so the composition root can bind
 * these commands without the two knowing each other, and nothing below the commands knows them (CONFIG SET
 * reaches the rest of the server through the configuration's listeners, not through a call from here).
 */
package io.keelkv.server.command;
