/**
 * The server's log: Redis-style lines at Redis's levels, to stdout or the configured logfile.
 *
 * <p>A leaf: it depends on no other server package. Every room of the server logs (the loop, the commands,
 * persistence, the start and stop in {@code KeelServer}), so the log can know none of them without making a
 * cycle; what a line says is the caller's business, the log only stamps and writes it.
 */
package io.keelkv.server.log;
