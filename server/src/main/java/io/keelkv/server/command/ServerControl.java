package io.keelkv.server.command;

import io.keelkv.engine.KeelEngine;
import io.keelkv.server.config.ServerConfig;
import io.keelkv.server.net.EventLoopAgent;
import io.keelkv.server.persistence.Aof;
import io.keelkv.server.persistence.Snapshots;

/**
 * What the server's commands may reach of the running server: its parts and the few facts about the process
 * that INFO, CONFIG and SHUTDOWN report or act on. {@code KeelServer} implements it and hands itself to
 * {@link ConnectionCommands#bind}; the commands never see the composition root itself, so they cannot start,
 * build or rewire anything, and the root can depend on them without a cycle.
 *
 * <p>Everything here is called on the event loop thread, as the commands run there.
 */
public interface ServerControl
{
    /** The live configuration: CONFIG GET and SET go through it, INFO reads it. */
    ServerConfig config();

    /** The engine the commands serve: its dispatcher, keyspace, memory and statistics. */
    KeelEngine engine();

    /** The event loop: its clients, limits, statistics and cron hook. */
    EventLoopAgent loop();

    /** When the snapshot is saved: SHUTDOWN's final save. */
    Snapshots snapshots();

    /** The AOF's directory and files (INFO's aof_base_size and aof_current_size). */
    Aof aof();

    /** Wall-clock time of the start, in ms since the epoch (INFO's uptime). */
    long startTimeMs();

    /** This run's random 40-hex-digit id (INFO's run_id). */
    String runId();

    /** The TCP port the listeners are bound to (INFO's tcp_port). */
    int port();

    /** Ask the loop to stop; {@code beforeClose} runs on the loop thread before the sockets close. */
    void shutdown(Runnable beforeClose);
}
