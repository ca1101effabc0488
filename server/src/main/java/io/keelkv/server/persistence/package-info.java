/**
 * The server's side of persistence: when the engine's snapshot is loaded and saved (dir, dbfilename, save
 * points, stop-writes-on-bgsave-error from the configuration, the load at start, the final save of a
 * shutdown) and the log lines Redis writes for each. How a snapshot is written and read is the engine's.
 *
 * <p>It may depend on {@code config} (what to follow) and {@code log} (what to say), never on the commands,
 * the loop or the sessions: SHUTDOWN and the termination signal call in here, so persistence knowing them
 * would close a cycle, and the same save must serve both without caring which asked.
 */
package io.keelkv.server.persistence;
